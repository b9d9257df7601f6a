package sipengine

import (
	"context"
	"fmt"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/atiende/atiende/ivr"
	"github.com/icholy/digest"
)

// rawUA sends hand-written SIP over UDP, for cases real phones never send.
type rawUA struct {
	t    *testing.T
	conn *net.UDPConn
	cseq int
}

func newRawUA(t *testing.T, e *Engine) *rawUA {
	conn, err := net.DialUDP("udp", nil, e.Addr())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return &rawUA{t: t, conn: conn}
}

func (u *rawUA) register(user, auth string, expires int) string {
	u.cseq++
	la := u.conn.LocalAddr().String()
	msg := fmt.Sprintf("REGISTER sip:127.0.0.1 SIP/2.0\r\n"+
		"Via: SIP/2.0/UDP %s;branch=z9hG4bK-%d-%d\r\n"+
		"From: <sip:%s@127.0.0.1>;tag=raw%d\r\nTo: <sip:%s@127.0.0.1>\r\n"+
		"Call-ID: raw-%s@test\r\nCSeq: %d REGISTER\r\nContact: <sip:%s@%s>\r\nExpires: %d\r\n"+
		"Max-Forwards: 70\r\n%sContent-Length: 0\r\n\r\n",
		la, u.cseq, time.Now().UnixNano(), user, u.cseq, user, user, u.cseq, user, la, expires, auth)
	return u.send(msg)
}

func (u *rawUA) send(msg string) string {
	if _, err := u.conn.Write([]byte(msg)); err != nil {
		u.t.Fatal(err)
	}
	return u.read(2 * time.Second)
}

// read returns the next response, or "" on timeout. A request from the
// engine (the OPTIONS that qualifies a new registration) is answered 200
// OK, as a phone does, and skipped.
func (u *rawUA) read(d time.Duration) string {
	deadline := time.Now().Add(d)
	for {
		msg := u.next(time.Until(deadline))
		if msg == "" || strings.HasPrefix(msg, "SIP/2.0 ") {
			return msg
		}
		u.ok(msg)
	}
}

// next returns the next message, or "" on timeout.
func (u *rawUA) next(d time.Duration) string {
	buf := make([]byte, 65535)
	_ = u.conn.SetReadDeadline(time.Now().Add(d))
	n, err := u.conn.Read(buf)
	if err != nil {
		return ""
	}
	return string(buf[:n])
}

// ok answers request req 200 OK.
func (u *rawUA) ok(req string) {
	res := "SIP/2.0 200 OK\r\n"
	for _, h := range []string{"Via", "From", "To", "Call-ID", "CSeq"} {
		res += h + ": " + header(req, h) + "\r\n"
	}
	_, _ = u.conn.Write([]byte(res + "Content-Length: 0\r\n\r\n"))
}

func (u *rawUA) answerOptions(d time.Duration) int {
	n := 0
	deadline := time.Now().Add(d)
	for time.Now().Before(deadline) {
		req := u.next(time.Until(deadline))
		if !strings.HasPrefix(req, "OPTIONS ") {
			continue
		}
		u.ok(req)
		n++
	}
	return n
}

func status(res string) string {
	line, _, _ := strings.Cut(res, "\r\n")
	return line
}

func header(res, name string) string {
	for _, l := range strings.Split(res, "\r\n") {
		if k, v, ok := strings.Cut(l, ":"); ok && strings.EqualFold(strings.TrimSpace(k), name) {
			return strings.TrimSpace(v)
		}
	}
	return ""
}

func authorize(t *testing.T, res, user, pw string) string {
	chal, err := digest.ParseChallenge(header(res, "WWW-Authenticate"))
	if err != nil {
		t.Fatalf("challenge in %q: %v", res, err)
	}
	cred, err := digest.Digest(chal, digest.Options{Method: "REGISTER", URI: "sip:127.0.0.1", Username: user, Password: pw})
	if err != nil {
		t.Fatal(err)
	}
	return "Authorization: " + cred.String() + "\r\n"
}

func TestRegisterAuth(t *testing.T) {
	e := startEngine(t, testConfig(t), nil)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	events := e.WatchExtensions(ctx)
	u := newRawUA(t, e)

	// Unknown user and wrong password: the same challenge, the same refusal.
	var refusals []string
	for _, c := range []struct{ user, pw string }{{"1001", "wrong"}, {"4242", "wrong"}} {
		res := u.register(c.user, "", 60)
		if got := status(res); got != "SIP/2.0 401 Unauthorized" {
			t.Fatalf("%s: first answer %q", c.user, got)
		}
		res = u.register(c.user, authorize(t, res, c.user, c.pw), 60)
		refusals = append(refusals, status(res))
	}
	if refusals[0] != refusals[1] || refusals[0] != "SIP/2.0 403 Forbidden" {
		t.Errorf("wrong password %q vs unknown user %q: want the same 403", refusals[0], refusals[1])
	}

	// A good registration, then the same credentials replayed.
	res := u.register("1002", "", 60)
	auth := authorize(t, res, "1002", "secret2")
	if got := status(u.register("1002", auth, 60)); got != "SIP/2.0 200 OK" {
		t.Fatalf("register: %q", got)
	}
	waitStatus(t, events, "1002", ivr.ExtRegistered, 2*time.Second)
	res = u.register("1002", auth, 60)
	if got := status(res); got != "SIP/2.0 401 Unauthorized" || !strings.Contains(header(res, "WWW-Authenticate"), "stale=true") {
		t.Errorf("replayed nonce: %q %q, want 401 stale", got, header(res, "WWW-Authenticate"))
	}

	// Expiry below the minimum, then an unregister.
	res = u.register("1002", "", 0)
	if got := status(u.register("1002", authorize(t, res, "1002", "secret2"), 0)); got != "SIP/2.0 200 OK" {
		t.Fatalf("unregister: %q", got)
	}
	waitStatus(t, events, "1002", ivr.ExtUnregistered, 2*time.Second)
}

func TestRegisterExpiresAndQualify(t *testing.T) {
	e := startEngine(t, testConfig(t), nil)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	events := e.WatchExtensions(ctx)
	u := newRawUA(t, e)
	res := u.register("1003", "", 3)
	if got := status(u.register("1003", authorize(t, res, "1003", "secret3"), 3)); got != "SIP/2.0 200 OK" {
		t.Fatalf("register: %q", got)
	}
	waitStatus(t, events, "1003", ivr.ExtRegistered, 2*time.Second)
	// Our raw UA never answers OPTIONS.
	st := waitStatus(t, events, "1003", ivr.ExtUnreachable, 3*time.Second)
	if st.Reason != "qualify timeout" {
		t.Errorf("reason %q", st.Reason)
	}
	// Now it answers the next OPTIONS: reachable again, with an RTT.
	answered := make(chan int, 1)
	go func() { answered <- u.answerOptions(1200 * time.Millisecond) }()
	st = waitStatus(t, events, "1003", ivr.ExtRegistered, 2*time.Second)
	if n := <-answered; n == 0 {
		t.Error("no OPTIONS received")
	}
	if st.Reason != "qualify ok" || st.RTT <= 0 {
		t.Errorf("back to registered: %+v", st)
	}
	st = waitStatus(t, events, "1003", ivr.ExtUnregistered, 4*time.Second)
	if st.Reason != "expired" {
		t.Errorf("reason %q", st.Reason)
	}
}

func TestFloodLimited(t *testing.T) {
	cfg := testConfig(t)
	cfg.RateLimit = RateLimit{Rate: 5, Burst: 10, Ban: time.Minute}
	e := startEngine(t, cfg, nil)
	u := newRawUA(t, e)
	la := u.conn.LocalAddr().String()
	answered := 0
	for i := range 200 {
		msg := fmt.Sprintf("OPTIONS sip:127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP %s;branch=z9hG4bK-fl%d\r\n"+
			"From: <sip:x@127.0.0.1>;tag=f%d\r\nTo: <sip:127.0.0.1>\r\nCall-ID: flood-%d\r\nCSeq: 1 OPTIONS\r\n"+
			"Max-Forwards: 70\r\nContent-Length: 0\r\n\r\n", la, i, i, i)
		if _, err := u.conn.Write([]byte(msg)); err != nil {
			t.Fatal(err)
		}
	}
	for u.read(300*time.Millisecond) != "" {
		answered++
	}
	if answered < 10 || answered > 15 {
		t.Errorf("answered %d of 200 OPTIONS, want the burst (10) and a few", answered)
	}
	// Still ignored while banned, even at a slow pace.
	if res := u.register("1001", "", 60); res != "" {
		t.Errorf("banned source got %q", status(res))
	}
	// The limit is per source IP: another port of 127.0.0.1 is banned too.
	if res := newRawUA(t, e).register("1001", "", 60); res != "" {
		t.Errorf("other port of a banned IP got %q", status(res))
	}
}

func TestMalformedSIP(t *testing.T) {
	e := startEngine(t, testConfig(t), nil)
	u := newRawUA(t, e)
	for _, junk := range []string{
		"\x00\x01\x02garbage",
		"INVITE sip:6000@127.0.0.1 SIP/2.0\r\nContent-Length: 5\r\n\r\n",
		"REGISTER sip:127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:1;branch=z9hG4bKx\r\nCSeq: x\r\n\r\n",
		"INVITE sip:6000@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:1;branch=z9hG4bKy\r\nFrom: <sip:a@b>;tag=1\r\nTo: <sip:6000@127.0.0.1>\r\nCall-ID: m1\r\nCSeq: 1 INVITE\r\nContent-Type: application/sdp\r\nContent-Length: 9\r\n\r\nv=garbage",
		"SIP/2.0 200 OK\r\n\r\n",
	} {
		_, _ = u.conn.Write([]byte(junk))
		u.read(200 * time.Millisecond)
	}
	// Still serving.
	if res := u.register("1001", "", 60); status(res) != "SIP/2.0 401 Unauthorized" {
		t.Errorf("after junk: %q", status(res))
	}
}
