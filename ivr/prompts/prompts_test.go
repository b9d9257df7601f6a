package prompts

import (
	"bufio"
	"encoding/binary"
	"io/fs"
	"os"
	"strings"
	"testing"
)

// Every prompt of prompts.txt exists in both languages as 8 kHz mono 16-bit PCM.
func TestEveryPromptIsTelephoneAudio(t *testing.T) {
	f, err := os.Open("prompts.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	ids := []string{"moh"}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		parts := strings.Split(line, "|")
		if len(parts) != 3 {
			t.Errorf("prompts.txt: %q: want id|es|en", line)
			continue
		}
		ids = append(ids, parts[0])
	}
	for _, lang := range []string{"es", "en"} {
		for _, id := range ids {
			b, err := fs.ReadFile(FS, Path(lang+"/"+id))
			if err != nil {
				t.Errorf("%s/%s: %v", lang, id, err)
				continue
			}
			if len(b) < 44 || string(b[0:4]) != "RIFF" || string(b[8:12]) != "WAVE" {
				t.Errorf("%s/%s: not a WAV file", lang, id)
				continue
			}
			format := binary.LittleEndian.Uint16(b[20:])
			channels := binary.LittleEndian.Uint16(b[22:])
			rate := binary.LittleEndian.Uint32(b[24:])
			bits := binary.LittleEndian.Uint16(b[34:])
			if format != 1 || channels != 1 || rate != 8000 || bits != 16 {
				t.Errorf("%s/%s: format %d, %d channels, %d Hz, %d bits; want PCM mono 8000 Hz 16 bits",
					lang, id, format, channels, rate, bits)
			}
		}
	}
	if !Exists("es/welcome") || Exists("es/nope") {
		t.Error("Exists is wrong")
	}
}

// Text gives each prompt's words in its language, and nothing for others.
func TestText(t *testing.T) {
	if got := Text("es", "welcome"); got != "Bienvenido a la mesa de servicio." {
		t.Errorf(`Text("es", "welcome") = %q`, got)
	}
	if got := Text("en", "welcome"); got != "Welcome to the service desk." {
		t.Errorf(`Text("en", "welcome") = %q`, got)
	}
	if got := Text("en", "moh") + Text("fr", "welcome") + Text("es", "no-such-prompt"); got != "" {
		t.Errorf("texts for hold music, French or an unknown prompt: %q", got)
	}
}
