#!/bin/sh
# make-prompts.sh regenerates es/*.wav and en/*.wav from prompts.txt with
# espeak-ng and sox, as 8 kHz mono 16-bit signed PCM WAV (what PCMU/PCMA calls
# need: diago does not resample). Run it from anywhere:
#   ivr/prompts/make-prompts.sh
# Needs: espeak-ng, sox (Debian: apt-get install -y espeak-ng sox).
set -eu
cd "$(dirname "$0")"
command -v espeak-ng >/dev/null || { echo "espeak-ng not found" >&2; exit 1; }
command -v sox >/dev/null || { echo "sox not found" >&2; exit 1; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p es en

# speak VOICE TEXT OUT: speak, trim leading/trailing silence, convert.
speak() {
	espeak-ng -v "$1" -s 165 -w "$tmp/raw.wav" "$2"
	sox -D "$tmp/raw.wav" -r 8000 -c 1 -b 16 -e signed-integer "$3" gain -1 \
		silence 1 0.02 0.5% reverse silence 1 0.02 0.5% reverse pad 0.05 0.1
}

n=0
while IFS='|' read -r id es en; do
	case "$id" in '' | '#'*) continue ;; esac
	voice_es=es-419
	# The Spanish menu offers English in English.
	[ "$id" = for-english ] && voice_es=en-us
	speak "$voice_es" "$es" "es/$id.wav"
	speak en-us "$en" "en/$id.wav"
	n=$((n + 1))
done <prompts.txt

# Hold music: a gentle 20 s loop of soft chords (A3-C#4-E4, then D4-F#4-A4),
# each tone faded in and out so the loop has no click.
sox -D -n -r 8000 -c 1 -b 16 -e signed-integer "$tmp/a.wav" \
	synth 5 sine 220 sine 277.18 sine 329.63 remix - fade h 1 5 1 vol 0.25
sox -D -n -r 8000 -c 1 -b 16 -e signed-integer "$tmp/d.wav" \
	synth 5 sine 293.66 sine 369.99 sine 440 remix - fade h 1 5 1 vol 0.25
sox -D "$tmp/a.wav" "$tmp/d.wav" "$tmp/a.wav" "$tmp/d.wav" es/moh.wav
cp es/moh.wav en/moh.wav

echo "made $n prompts in es/ and en/, plus moh"
du -sh es en
