package sipengine

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/atiende/atiende/ivr"
)

// TestCallerDataCleanedAtEdge: an INVITE whose display name and
// User-Agent are Latin-1 bytes ("Jos\xe9") reaches the handler as valid
// UTF-8 ("José"), and a non-numeric user as given.
func TestCallerDataCleanedAtEdge(t *testing.T) {
	got := make(chan ivr.Party, 1)
	e := startEngine(t, testConfig(t), ivr.HandlerFunc(func(ctx context.Context, c ivr.Call) {
		select {
		case got <- c.From():
		default:
		}
	}))
	u := newRawUA(t, e)
	la := u.conn.LocalAddr().String()
	sdp := "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 40000 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n"
	msg := fmt.Sprintf("INVITE sip:6000@127.0.0.1 SIP/2.0\r\n"+
		"Via: SIP/2.0/UDP %s;branch=z9hG4bK-latin1\r\n"+
		"From: \"Jos\xe9 P\xe9rez\" <sip:alice@127.0.0.1>;tag=l1\r\nTo: <sip:6000@127.0.0.1>\r\n"+
		"Call-ID: latin1@test\r\nCSeq: 1 INVITE\r\nContact: <sip:alice@%s>\r\nMax-Forwards: 70\r\n"+
		"User-Agent: Tel\xe9fono 1.0\r\nContent-Type: application/sdp\r\nContent-Length: %d\r\n\r\n%s",
		la, la, len(sdp), sdp)
	if _, err := u.conn.Write([]byte(msg)); err != nil {
		t.Fatal(err)
	}
	select {
	case p := <-got:
		if p.DisplayName != "José Pérez" || p.Number != "alice" || p.UserAgent != "Teléfono 1.0" {
			t.Errorf("caller %+v, want José Pérez, alice, Teléfono 1.0", p)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the call never reached the handler")
	}
}
