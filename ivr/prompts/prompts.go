// Package prompts holds the IVR's recorded prompts: 8 kHz mono 16-bit signed
// PCM WAV files in es/ and en/, made by make-prompts.sh from prompts.txt (see
// README.md). An ivr.Prompt{Sound: "es/welcome"} is the file es/welcome.wav.
package prompts

import (
	"embed"
	"io/fs"
)

// FS holds es/*.wav and en/*.wav.
//
//go:embed es/*.wav en/*.wav
var FS embed.FS

// Path returns the file of a sound name: "es/welcome" -> "es/welcome.wav".
func Path(sound string) string { return sound + ".wav" }

// Exists reports whether sound has a file in FS.
func Exists(sound string) bool {
	_, err := fs.Stat(FS, Path(sound))
	return err == nil
}
