package sipengine

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/emiago/diago/audio"
	"github.com/emiago/diago/media"
)

// A prompt is encoded to each codec once and every call sends the same
// encoded bytes, 20 ms at a time: no call decodes a WAV file or encodes a
// sample. The files of Config.Prompts are encoded when Serve starts; a file
// that changes (an uploaded announcement, served by ivr.PromptOverlay) is
// encoded again the first time it plays after the change, once.

// promptCache holds the prompts of one fs.FS, each encoded for each codec.
// Safe for concurrent use.
type promptCache struct {
	fsys    fs.FS
	mu      sync.RWMutex
	m       map[promptKey]*encodedPrompt
	encodes atomic.Int64 // files decoded and encoded, for tests
}

type promptKey struct {
	name string
	pt   uint8
}

// encodedPrompt is a prompt's samples in one G.711 codec (one byte per
// sample) and the version of the file they came from.
type encodedPrompt struct {
	version promptVersion
	payload []byte
}

// promptVersion tells one version of a file from another: its size, its
// modification time and, when FileInfo.Sys is a string (ivr.PromptOverlay
// names the recordings and their update times there), that string.
type promptVersion struct {
	size int64
	mod  time.Time
	sys  string
}

func versionOf(fi fs.FileInfo) promptVersion {
	v := promptVersion{size: fi.Size(), mod: fi.ModTime()}
	v.sys, _ = fi.Sys().(string)
	return v
}

// errNotG711 is for a codec whose prompts are not cached (none today: the
// engine offers only PCMU and PCMA).
var errNotG711 = errors.New("sipengine: codec is not G.711")

func newPromptCache(fsys fs.FS) *promptCache {
	return &promptCache{fsys: fsys, m: map[promptKey]*encodedPrompt{}}
}

// warm encodes every .wav file of the FS for PCMU and PCMA. A file that
// does not decode is left for Play to report.
func (p *promptCache) warm() (files int, err error) {
	if p.fsys == nil {
		return 0, nil
	}
	err = fs.WalkDir(p.fsys, ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(name, ".wav") {
			return nil
		}
		for _, pt := range []uint8{media.CodecAudioUlaw.PayloadType, media.CodecAudioAlaw.PayloadType} {
			if _, err := p.get(name, pt); err == nil && pt == media.CodecAudioUlaw.PayloadType {
				files++
			}
		}
		return nil
	})
	return files, err
}

// get returns the prompt file name encoded for payload type pt, encoding it
// if it is not cached or its file changed. The returned bytes are shared:
// read only.
func (p *promptCache) get(name string, pt uint8) ([]byte, error) {
	if pt != media.CodecAudioUlaw.PayloadType && pt != media.CodecAudioAlaw.PayloadType {
		return nil, errNotG711
	}
	f, err := p.fsys.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return encodeWAV(f, pt) // no version to check: not cached
	}
	v, key := versionOf(fi), promptKey{name, pt}
	p.mu.RLock()
	e := p.m[key]
	p.mu.RUnlock()
	if e != nil && e.version == v {
		return e.payload, nil
	}
	payload, err := encodeWAV(f, pt)
	if err != nil {
		return nil, err
	}
	p.encodes.Add(1)
	p.mu.Lock()
	p.m[key] = &encodedPrompt{version: v, payload: payload}
	p.mu.Unlock()
	return payload, nil
}

// encodeWAV reads an 8 kHz mono 16-bit WAV file and encodes its samples to
// µ-law (pt 0) or A-law (pt 8).
func encodeWAV(r io.Reader, pt uint8) ([]byte, error) {
	w := audio.NewWavReader(bufio.NewReaderSize(r, 16<<10))
	if err := w.ReadHeaders(); err != nil {
		return nil, fmt.Errorf("not a WAV file: %w", err)
	}
	if w.BitsPerSample != 16 || w.SampleRate != 8000 || w.NumChannels != 1 {
		return nil, fmt.Errorf("WAV is %d Hz, %d bits, %d channels; want 8000 Hz, 16 bits, mono",
			w.SampleRate, w.BitsPerSample, w.NumChannels)
	}
	pcm, err := io.ReadAll(w)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) {
		return nil, fmt.Errorf("read WAV: %w", err)
	}
	out := make([]byte, len(pcm)/2)
	if pt == media.CodecAudioUlaw.PayloadType {
		_, err = audio.EncodeUlawTo(out, pcm)
	} else {
		_, err = audio.EncodeAlawTo(out, pcm)
	}
	return out, err
}

// frameBytes is the payload of one packet of codec: 160 bytes for G.711
// at 20 ms.
func frameBytes(codec media.Codec) int {
	return codec.SamplesPCM(8)
}

// sendFrames writes payload to w one frame at a time; w paces (diago's
// RTPPacketWriter waits for its 20 ms clock after each packet). It stops
// between two frames when stop says so.
func sendFrames(w io.Writer, payload []byte, frame int, stop func() error) error {
	for off := 0; off < len(payload); off += frame {
		if err := stop(); err != nil {
			return err
		}
		if _, err := w.Write(payload[off:min(off+frame, len(payload))]); err != nil {
			return err
		}
	}
	return nil
}
