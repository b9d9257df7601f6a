// Package prompts holds the IVR's recorded prompts: 8 kHz mono 16-bit signed
// PCM WAV files in es/ and en/, made by make-prompts.sh from prompts.txt (see
// README.md). An ivr.Prompt{Sound: "es/welcome"} is the file es/welcome.wav.
package prompts

import (
	"bufio"
	"embed"
	"io/fs"
	"strings"
	"sync"
)

//go:embed prompts.txt
var texts string

// Text is what the product's prompt name says in lang ("es", "en"), as
// written in prompts.txt: the words a person recognises it by. "" for a
// prompt prompts.txt does not make (hold music) or an unknown language.
func Text(lang, name string) string {
	textsOnce.Do(func() {
		textsBy = map[string][2]string{}
		sc := bufio.NewScanner(strings.NewReader(texts))
		sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
		for sc.Scan() {
			line := sc.Text()
			if line == "" || line[0] == '#' {
				continue
			}
			if f := strings.SplitN(line, "|", 3); len(f) == 3 {
				textsBy[f[0]] = [2]string{f[1], f[2]}
			}
		}
	})
	t, ok := textsBy[name]
	switch {
	case !ok:
		return ""
	case lang == "es":
		return t[0]
	case lang == "en":
		return t[1]
	}
	return ""
}

var (
	textsOnce sync.Once
	textsBy   map[string][2]string
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
