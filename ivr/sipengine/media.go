package sipengine

import (
	"errors"
	"io"
	"regexp"
	"strconv"
	"time"

	"github.com/emiago/diago/audio"
	"github.com/emiago/diago/media"
)

// mediaInfo is what the media reader and writers need after answer.
type mediaInfo struct {
	codec  media.Codec
	tePT   int // telephone-event payload type, -1 if not offered
	reader *media.RTPPacketReader
	writer *media.RTPPacketWriter
}

var teRE = regexp.MustCompile(`(?m)^a=rtpmap:(\d+) telephone-event/8000`)

// telephoneEventPT is the RFC 4733 payload type in the peer's SDP, or 101
// (diago's) when the SDP names none.
func telephoneEventPT(sdp []byte) int {
	if m := teRE.FindSubmatch(sdp); m != nil {
		if pt, err := strconv.Atoi(string(m[1])); err == nil && pt < 128 {
			return pt
		}
	}
	return int(media.CodecTelephoneEvent8000.PayloadType)
}

// readMedia runs from answer to hang-up: it is the only reader of the
// call's RTP. It decodes DTMF (even while prompts play) and forwards audio
// to a bridged peer.
func (c *call) readMedia() {
	defer c.closeDTMF()
	var dec dtmfDecoder
	buf := make([]byte, media.RTPBufSize)
	var pcm, conv []byte
	for {
		n, err := c.m.reader.Read(buf)
		if err != nil {
			if !errors.Is(err, io.EOF) && !isClosed(c.done) {
				c.log.Debug("media reader stopped", "error", err)
			}
			return
		}
		c.inbound.Add(1)
		hdr := c.m.reader.PacketHeader
		if int(hdr.PayloadType) == c.m.tePT {
			if k, ok := dec.feed(hdr.SSRC, hdr.Timestamp, buf[:n], time.Now()); ok {
				c.pushDTMF(k, "rfc4733")
			}
			continue
		}
		peer := c.peer.Load()
		if peer == nil || n == 0 || hdr.PayloadType != c.m.codec.PayloadType {
			continue
		}
		payload := buf[:n]
		if peer.m.codec.PayloadType != c.m.codec.PayloadType {
			pcm, conv = grow(pcm, 2*n), grow(conv, n)
			payload = transcode(c.m.codec.PayloadType, payload, pcm, conv)
		}
		// WriteSamples does not pace: the sender already paces us.
		if _, err := peer.m.writer.WriteSamples(payload, uint32(len(payload)), hdr.Marker, peer.m.codec.PayloadType); err != nil {
			c.log.Debug("bridge write failed", "error", err)
		} else {
			c.relayed.Add(1)
		}
	}
}

// transcode converts G.711 between µ-law (0) and A-law (8).
func transcode(fromPT uint8, in, pcm, out []byte) []byte {
	if fromPT == media.CodecAudioUlaw.PayloadType {
		n, _ := audio.DecodeUlawTo(pcm, in)
		m, _ := audio.EncodeAlawTo(out, pcm[:n])
		return out[:m]
	}
	n, _ := audio.DecodeAlawTo(pcm, in)
	m, _ := audio.EncodeUlawTo(out, pcm[:n])
	return out[:m]
}

func grow(b []byte, n int) []byte {
	if cap(b) < n {
		return make([]byte, n)
	}
	return b[:n]
}
