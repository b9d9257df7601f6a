package sipengine

import (
	"net"
	"testing"

	"github.com/emiago/diago/media"
)

// diago keeps, besides the RTP range, an offset into it where the next
// call's ports are looked for, and never checks it against a new range: an
// engine started after one with a wider range (tests do, one process) got
// its first call answered with no RTP or RTCP socket at all (m=audio 0),
// and diago's RTCP reader then crashed the process on the nil connection
// (media/rtp_session.go:491), or our media reader did. setRTPRange must
// leave the offset inside the new range.
func TestRTPRangeShrinkKeepsPorts(t *testing.T) {
	t.Cleanup(func() { setRTPRange(0, 0, nil) })
	ip := net.IPv4(127, 0, 0, 1)
	const wide, narrow = 40, 20
	lo := freeRange(t, wide)
	setRTPRange(lo, lo+wide, ip)
	// Take ports until the next ones diago looks for lie past the end of
	// the narrow range (the offset it keeps is port+2-lo).
	moved := false
	for range wide {
		s, err := media.NewMediaSession(ip, 0)
		if err != nil {
			t.Fatal(err)
		}
		p := s.Laddr.Port
		_ = s.Close()
		if p == 0 {
			t.Fatalf("no port in the wide range %d-%d", lo, lo+wide)
		}
		if off := p + 2 - lo; off >= narrow && off < wide {
			moved = true
			break
		}
	}
	if !moved {
		t.Fatal("could not move diago's port offset past the narrow range")
	}

	lo2 := freeRange(t, narrow)
	setRTPRange(lo2, lo2+narrow-1, ip)
	for i := range 3 {
		s, err := media.NewMediaSession(ip, 0)
		if err != nil {
			t.Fatalf("call %d: %v", i+1, err)
		}
		p := s.Laddr.Port
		_ = s.Close()
		if p < lo2 || p >= lo2+narrow-1 {
			t.Fatalf("call %d after the range became %d-%d got RTP port %d (0: no socket at all)", i+1, lo2, lo2+narrow-1, p)
		}
	}
}
