package ivr

import (
	"encoding/binary"
	"errors"
	"fmt"
	"time"
)

// The one audio format both engines play without conversion: what a
// PCMU/PCMA call carries, and what ivr/prompts holds.
const (
	PromptSampleRate = 8000
	PromptChannels   = 1
	PromptBits       = 16
	// MaxPromptBytes bounds an uploaded recording: 5 MiB is about five and a
	// half minutes of 8 kHz 16-bit mono.
	MaxPromptBytes = 5 << 20
)

// ConvertHint says how to make a file the IVR can play.
const ConvertHint = "convert it with: sox in.wav -r 8000 -c 1 -b 16 out.wav"

// ErrBadWAV is wrapped by every refusal of CheckPromptWAV: the message says
// what was found and how to convert it.
var ErrBadWAV = errors.New("ivr: unplayable WAV")

// WAVInfo is what a WAV file's header says.
type WAVInfo struct {
	Format     uint16 // 1 is PCM (WAVE_FORMAT_EXTENSIBLE with a PCM subformat reads as 1)
	Channels   int
	SampleRate int
	Bits       int
	DataBytes  int // the samples, header excluded
}

// Duration is how long the samples play.
func (w WAVInfo) Duration() time.Duration {
	perSec := w.SampleRate * w.Channels * (w.Bits / 8)
	if perSec <= 0 {
		return 0
	}
	return time.Duration(int64(w.DataBytes) * int64(time.Second) / int64(perSec))
}

func (w WAVInfo) String() string {
	ch := fmt.Sprintf("%d channels", w.Channels)
	switch w.Channels {
	case 1:
		ch = "mono"
	case 2:
		ch = "stereo"
	}
	return fmt.Sprintf("%d Hz, %s, %d-bit %s", w.SampleRate, ch, w.Bits, formatName(w.Format))
}

func formatName(f uint16) string {
	switch f {
	case 1:
		return "PCM"
	case 2:
		return "ADPCM"
	case 3:
		return "floating point"
	case 6:
		return "A-law"
	case 7:
		return "µ-law"
	case 0x55:
		return "MP3"
	}
	return fmt.Sprintf("format %d", f)
}

func badWAV(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrBadWAV}, args...)...)
}

// CheckPromptWAV checks that b is a WAV file the IVR can play as a prompt
// (RIFF/WAVE, PCM, 16-bit, mono, 8000 Hz, some audio, at most
// MaxPromptBytes) and returns its header and samples (a slice of b). Any
// other file is refused with an error wrapping ErrBadWAV that names what was
// found and how to convert it.
func CheckPromptWAV(b []byte) (WAVInfo, []byte, error) {
	if len(b) > MaxPromptBytes {
		return WAVInfo{}, nil, badWAV("the file is %.1f MiB; a recording may be at most %d MiB (about 5 minutes at 8000 Hz)",
			float64(len(b))/(1<<20), MaxPromptBytes>>20)
	}
	info, pcm, err := ParseWAV(b)
	if err != nil {
		return info, nil, err
	}
	if info.Format != 1 || info.Channels != PromptChannels || info.SampleRate != PromptSampleRate || info.Bits != PromptBits {
		return info, nil, badWAV("the file is %s; the IVR plays 8000 Hz, mono, 16-bit PCM: %s", info, ConvertHint)
	}
	if len(pcm) == 0 {
		return info, nil, badWAV("the file has no audio")
	}
	return info, pcm, nil
}

// ParseWAV reads a RIFF/WAVE file's format and finds its samples (a slice of
// b). It refuses what is not a WAV file, and a file cut short, with errors
// wrapping ErrBadWAV; it does not judge the format (see CheckPromptWAV).
func ParseWAV(b []byte) (WAVInfo, []byte, error) {
	var info WAVInfo
	if len(b) < 12 || string(b[0:4]) != "RIFF" || string(b[8:12]) != "WAVE" {
		what := "it does not start with RIFF....WAVE"
		if len(b) < 12 {
			what = fmt.Sprintf("it is only %d bytes long", len(b))
		}
		return info, nil, badWAV("the file is not a WAV file (%s); save it as WAV, or %s", what, ConvertHint)
	}
	var (
		pcm            []byte
		haveFmt, haveD bool
	)
	for off := 12; off < len(b) && !(haveFmt && haveD); {
		if len(b)-off < 8 {
			return info, nil, badWAV("the WAV file is truncated: a chunk header at byte %d is cut short; %s", off, ConvertHint)
		}
		id, size := string(b[off:off+4]), int(binary.LittleEndian.Uint32(b[off+4:off+8]))
		body := off + 8
		switch id {
		case "fmt ":
			if size < 16 || size > len(b)-body {
				return info, nil, badWAV("the WAV file is truncated: its format chunk is cut short; %s", ConvertHint)
			}
			f := b[body : body+size]
			info.Format = binary.LittleEndian.Uint16(f[0:2])
			info.Channels = int(binary.LittleEndian.Uint16(f[2:4]))
			info.SampleRate = int(binary.LittleEndian.Uint32(f[4:8]))
			info.Bits = int(binary.LittleEndian.Uint16(f[14:16]))
			if info.Format == 0xFFFE && size >= 26 { // WAVE_FORMAT_EXTENSIBLE: the subformat GUID starts with the format
				info.Format = binary.LittleEndian.Uint16(f[24:26])
			}
			haveFmt = true
		case "data":
			if size > len(b)-body {
				return info, nil, badWAV("the WAV file is truncated: it says %d bytes of audio but only %d follow; %s",
					size, len(b)-body, ConvertHint)
			}
			pcm, haveD = b[body:body+size], true
		}
		if size > len(b)-body {
			break // a chunk we do not need runs past the end: nothing more to find
		}
		off = body + size + size&1 // chunks are padded to an even size
	}
	switch {
	case !haveFmt:
		return info, nil, badWAV("the WAV file has no format chunk; %s", ConvertHint)
	case !haveD:
		return info, nil, badWAV("the WAV file has no audio (no data chunk); %s", ConvertHint)
	}
	if frame := info.Channels * info.Bits / 8; frame > 0 && len(pcm)%frame != 0 {
		return info, nil, badWAV("the WAV file is truncated: its audio ends in the middle of a sample; %s", ConvertHint)
	}
	info.DataBytes = len(pcm)
	return info, pcm, nil
}

// PromptWAV returns a plain WAV file of pcm (8000 Hz mono 16-bit samples):
// the 44-byte header, then the samples.
func PromptWAV(pcm []byte) []byte {
	return append(PromptWAVHeader(len(pcm)), pcm...)
}

// PromptWAVHeader is the 44-byte header of a plain 8000 Hz mono 16-bit PCM
// WAV file with n bytes of samples.
func PromptWAVHeader(n int) []byte {
	h := make([]byte, 44)
	copy(h[0:], "RIFF")
	binary.LittleEndian.PutUint32(h[4:], uint32(36+n))
	copy(h[8:], "WAVEfmt ")
	binary.LittleEndian.PutUint32(h[16:], 16)
	binary.LittleEndian.PutUint16(h[20:], 1)
	binary.LittleEndian.PutUint16(h[22:], PromptChannels)
	binary.LittleEndian.PutUint32(h[24:], PromptSampleRate)
	binary.LittleEndian.PutUint32(h[28:], PromptSampleRate*PromptChannels*PromptBits/8)
	binary.LittleEndian.PutUint16(h[32:], PromptChannels*PromptBits/8)
	binary.LittleEndian.PutUint16(h[34:], PromptBits)
	copy(h[36:], "data")
	binary.LittleEndian.PutUint32(h[40:], uint32(n))
	return h
}
