package ivr_test

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io/fs"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/atiende/atiende/ivr"
	"github.com/atiende/atiende/ivr/prompts"
)

// wavChunk is one RIFF chunk.
type wavChunk struct {
	id   string
	body []byte
}

// riff builds a RIFF/WAVE file of chunks, padding odd ones as the format says.
func riff(chunks ...wavChunk) []byte {
	var b bytes.Buffer
	for _, c := range chunks {
		b.WriteString(c.id)
		_ = binary.Write(&b, binary.LittleEndian, uint32(len(c.body)))
		b.Write(c.body)
		if len(c.body)%2 == 1 {
			b.WriteByte(0)
		}
	}
	return append(append([]byte("RIFF"), binary.LittleEndian.AppendUint32(nil, uint32(4+b.Len()))...), append([]byte("WAVE"), b.Bytes()...)...)
}

func fmtChunk(format uint16, channels, rate, bits int) wavChunk {
	b := binary.LittleEndian.AppendUint16(nil, format)
	b = binary.LittleEndian.AppendUint16(b, uint16(channels))
	b = binary.LittleEndian.AppendUint32(b, uint32(rate))
	b = binary.LittleEndian.AppendUint32(b, uint32(rate*channels*bits/8))
	b = binary.LittleEndian.AppendUint16(b, uint16(channels*bits/8))
	b = binary.LittleEndian.AppendUint16(b, uint16(bits))
	return wavChunk{"fmt ", b}
}

// tone is d of a sine at hz, 8 kHz 16-bit.
func tone(hz float64, d time.Duration) []byte {
	n := int(d.Seconds() * 8000)
	b := make([]byte, 0, 2*n)
	for i := range n {
		b = binary.LittleEndian.AppendUint16(b, uint16(int16(8000*math.Sin(2*math.Pi*hz*float64(i)/8000))))
	}
	return b
}

func TestCheckPromptWAV(t *testing.T) {
	pcm := tone(1000, 500*time.Millisecond)
	extensible := fmtChunk(0xFFFE, 1, 8000, 16)
	extensible.body = append(extensible.body, 22, 0, 16, 0, 4, 0, 0, 0, 1, 0) // cbSize, valid bits, mask, PCM GUID start
	extensible.body = append(extensible.body, make([]byte, 14)...)

	good := []struct {
		name string
		file []byte
	}{
		{"plain", riff(fmtChunk(1, 1, 8000, 16), wavChunk{"data", pcm})},
		{"the product's own header", ivr.PromptWAV(pcm)},
		{"a LIST chunk with an odd size first", riff(wavChunk{"LIST", []byte("INFOISFT\x03\x00\x00\x00ab\x00")}, fmtChunk(1, 1, 8000, 16), wavChunk{"data", pcm})},
		{"data before fmt", riff(wavChunk{"data", pcm}, fmtChunk(1, 1, 8000, 16))},
		{"extensible PCM", riff(extensible, wavChunk{"data", pcm})},
	}
	for _, tc := range good {
		info, got, err := ivr.CheckPromptWAV(tc.file)
		if err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		if !bytes.Equal(got, pcm) || info.Duration() != 500*time.Millisecond || info.DataBytes != len(pcm) {
			t.Errorf("%s: %d bytes of audio, %v, info %+v", tc.name, len(got), info.Duration(), info)
		}
	}

	mp3 := append([]byte("ID3\x04\x00\x00\x00\x00\x00\x00"), bytes.Repeat([]byte{0xFF, 0xFB}, 100)...)
	truncated := riff(fmtChunk(1, 1, 8000, 16), wavChunk{"data", pcm})
	truncated = truncated[:len(truncated)-1000]
	bad := []struct {
		name string
		file []byte
		want []string // in the message
	}{
		{"stereo", riff(fmtChunk(1, 2, 8000, 16), wavChunk{"data", append(pcm, pcm...)}), []string{"8000 Hz, stereo, 16-bit PCM", "sox in.wav -r 8000 -c 1 -b 16 out.wav"}},
		{"44.1 kHz", riff(fmtChunk(1, 1, 44100, 16), wavChunk{"data", pcm}), []string{"44100 Hz, mono, 16-bit PCM", "the IVR plays 8000 Hz, mono, 16-bit PCM", "sox in.wav"}},
		{"16 kHz", riff(fmtChunk(1, 1, 16000, 16), wavChunk{"data", pcm}), []string{"16000 Hz", "sox in.wav"}},
		{"8-bit", riff(fmtChunk(1, 1, 8000, 8), wavChunk{"data", pcm}), []string{"8-bit PCM"}},
		{"µ-law", riff(fmtChunk(7, 1, 8000, 8), wavChunk{"data", pcm}), []string{"µ-law"}},
		{"float", riff(fmtChunk(3, 1, 8000, 32), wavChunk{"data", pcm}), []string{"32-bit floating point"}},
		{"not a WAV (MP3)", mp3, []string{"not a WAV file", "RIFF", "sox in.wav"}},
		{"empty", nil, []string{"not a WAV file", "only 0 bytes"}},
		{"truncated", truncated, []string{"truncated", "says 8000 bytes of audio but only 7000 follow"}},
		{"cut in a sample", riff(fmtChunk(1, 1, 8000, 16), wavChunk{"data", pcm[:101]}), []string{"middle of a sample"}},
		{"cut in the format", []byte("RIFF\x00\x00\x00\x00WAVEfmt \x10\x00\x00\x00\x01\x00"), []string{"truncated", "format chunk"}},
		{"no data", riff(fmtChunk(1, 1, 8000, 16)), []string{"no data chunk"}},
		{"no format", riff(wavChunk{"data", pcm}), []string{"no format chunk"}},
		{"no audio", riff(fmtChunk(1, 1, 8000, 16), wavChunk{"data", nil}), []string{"has no audio"}},
		{"too big", riff(fmtChunk(1, 1, 8000, 16), wavChunk{"data", make([]byte, ivr.MaxPromptBytes)}), []string{"5.0 MiB", "at most 5 MiB"}},
	}
	for _, tc := range bad {
		_, _, err := ivr.CheckPromptWAV(tc.file)
		if !errors.Is(err, ivr.ErrBadWAV) {
			t.Errorf("%s: err %v, want ErrBadWAV", tc.name, err)
			continue
		}
		for _, w := range tc.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s: %q does not say %q", tc.name, err, w)
			}
		}
	}
}

// The product's own prompts pass the check an upload must pass.
func TestEmbeddedPromptsPassTheUploadCheck(t *testing.T) {
	files, err := fs.Glob(prompts.FS, "*/*.wav")
	if err != nil || len(files) < 100 {
		t.Fatalf("%d prompts, %v", len(files), err)
	}
	for _, f := range files {
		b, _ := fs.ReadFile(prompts.FS, f)
		if _, _, err := ivr.CheckPromptWAV(b); err != nil {
			t.Errorf("%s: %v", f, err)
		}
	}
}

func TestPromptWAVHeader(t *testing.T) {
	pcm := tone(440, 100*time.Millisecond)
	b := ivr.PromptWAV(pcm)
	info, got, err := ivr.ParseWAV(b)
	if err != nil || len(b) != 44+len(pcm) || !bytes.Equal(got, pcm) ||
		info != (ivr.WAVInfo{Format: 1, Channels: 1, SampleRate: 8000, Bits: 16, DataBytes: len(pcm)}) {
		t.Fatalf("%+v, %d bytes, %v", info, len(got), err)
	}
}
