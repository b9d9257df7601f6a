package sipengine

import (
	"context"
	"fmt"
	"net"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/atiende/atiende/ivr"
	"github.com/icholy/digest"
)

// newRawUAFrom is a raw UA bound to a loopback address of its own (all of
// 127/8 is loopback on Linux), so that a test can play two sources.
func newRawUAFrom(t *testing.T, e *Engine, ip string) *rawUA {
	conn, err := net.DialUDP("udp", &net.UDPAddr{IP: net.ParseIP(ip)}, e.Addr())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return &rawUA{t: t, conn: conn}
}

// invite sends an INVITE with an SDP offer from user to number (auth may be
// "" or an Authorization line) and returns the first final response, or
// the last provisional one if no final one came within d. It never ACKs.
func (u *rawUA) invite(callID, user, number, auth string, d time.Duration) string {
	u.cseq++
	la := u.conn.LocalAddr().(*net.UDPAddr)
	sdp := fmt.Sprintf("v=0\r\no=- 1 1 IN IP4 %s\r\ns=-\r\nc=IN IP4 %s\r\nt=0 0\r\n"+
		"m=audio %d RTP/AVP 0 101\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:101 telephone-event/8000\r\na=sendrecv\r\n",
		la.IP, la.IP, 40000+u.cseq%1000*2)
	msg := fmt.Sprintf("INVITE sip:%s@127.0.0.1 SIP/2.0\r\n"+
		"Via: SIP/2.0/UDP %s;branch=z9hG4bK-%s-%d\r\n"+
		"From: <sip:%s@127.0.0.1>;tag=t%s\r\nTo: <sip:%s@127.0.0.1>\r\n"+
		"Call-ID: %s\r\nCSeq: %d INVITE\r\nContact: <sip:%s@%s>\r\nMax-Forwards: 70\r\n%s"+
		"Content-Type: application/sdp\r\nContent-Length: %d\r\n\r\n%s",
		number, la, callID, u.cseq, user, callID, number, callID, u.cseq, user, la, auth, len(sdp), sdp)
	if _, err := u.conn.Write([]byte(msg)); err != nil {
		u.t.Fatal(err)
	}
	return u.finalFor(callID, d)
}

// finalFor reads until a final response for callID (skipping other calls'
// retransmissions), or returns the last provisional one after d.
func (u *rawUA) finalFor(callID string, d time.Duration) string {
	deadline := time.Now().Add(d)
	last := ""
	for time.Now().Before(deadline) {
		res := u.read(time.Until(deadline))
		if res == "" {
			break
		}
		if header(res, "Call-ID") != callID || !strings.HasPrefix(res, "SIP/2.0 ") {
			continue
		}
		last = res
		if strings.HasPrefix(res, "SIP/2.0 2") {
			return res // never ACKed
		}
		if !strings.HasPrefix(res, "SIP/2.0 1") {
			u.ackFailure(res)
			return res
		}
	}
	return last
}

// ackFailure ACKs a non-2xx final response, as any UAC's transaction does
// (RFC 3261 17.1.1.3): only 2xx are left unacknowledged by these tests.
func (u *rawUA) ackFailure(res string) {
	cseq, _, _ := strings.Cut(header(res, "CSeq"), " ")
	msg := fmt.Sprintf("ACK sip:127.0.0.1 SIP/2.0\r\nVia: %s\r\nFrom: %s\r\nTo: %s\r\nCall-ID: %s\r\n"+
		"CSeq: %s ACK\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n",
		header(res, "Via"), header(res, "From"), header(res, "To"), header(res, "Call-ID"), cseq)
	_, _ = u.conn.Write([]byte(msg))
}

// TestUnackedCallsReaped: INVITEs answered with 200 OK and never ACKed are
// torn down after Timer H, and give back their RTP ports and goroutines;
// while one source floods, another source is still answered.
func TestUnackedCallsReaped(t *testing.T) {
	cfg := testConfig(t)
	const ports = 40 // 20 calls (RTP and RTCP)
	cfg.RTPPortMin = freeRange(t, ports)
	cfg.RTPPortMax = cfg.RTPPortMin + ports - 1
	cfg.AckTimeout = 2 * time.Second
	cfg.MaxCallsPerSource = 10
	var handled atomic.Int64
	h := ivr.HandlerFunc(func(ctx context.Context, c ivr.Call) {
		handled.Add(1)
		if err := c.Answer(ctx); err != nil {
			return
		}
		_ = c.Play(ctx, ivr.Prompt{Sound: "es/long"})
	})
	e := startEngine(t, cfg, h)
	time.Sleep(200 * time.Millisecond)
	base := runtime.NumGoroutine()

	// One source: 30 INVITEs that never ACK, more than the RTP range holds.
	flood := newRawUAFrom(t, e, "127.0.0.1")
	refused := 0
	for i := range 30 {
		res := flood.invite(fmt.Sprintf("flood-%d", i), "5551000", "6000", "", 300*time.Millisecond)
		switch {
		case strings.HasPrefix(res, "SIP/2.0 200"):
		case strings.HasPrefix(res, "SIP/2.0 486"):
			refused++
		default:
			t.Logf("flood %d: %q", i, status(res))
		}
	}
	if refused < 20 {
		t.Errorf("one source got %d of 30 unauthenticated calls refused, want at least 20 (cap 10)", refused)
	}
	// Another source, during the flood: answered, every time.
	other := newRawUAFrom(t, e, "127.0.0.2")
	for i := range 5 {
		res := other.invite(fmt.Sprintf("legit-%d", i), "5552000", "6000", "", 2*time.Second)
		if got := status(res); got != "SIP/2.0 200 OK" {
			t.Errorf("legitimate caller %d during the flood: %q, want 200 OK", i, got)
		}
	}
	st := e.Stats()
	if st.CallsRefused < 20 {
		t.Errorf("stats: %+v, want at least 20 refused", st)
	}

	// After Timer H every call is gone: ports and goroutines are back.
	start := time.Now()
	deadline := start.Add(cfg.AckTimeout + 10*time.Second)
	for {
		n := runtime.NumGoroutine()
		free := portsFree(cfg.RTPPortMin, ports)
		if n <= base+2 && free {
			t.Logf("released %v after the last INVITE (Timer H %v); goroutines %d (baseline %d)",
				time.Since(start).Round(100*time.Millisecond), cfg.AckTimeout, n, base)
			break
		}
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<20)
			t.Fatalf("%v after the flood: %d goroutines (baseline %d), rtp ports free: %v\n%s",
				time.Since(start), n, base, free, buf[:runtime.Stack(buf, true)])
		}
		time.Sleep(200 * time.Millisecond)
	}
	if st := e.Stats(); st.CallsReaped < 10 {
		t.Errorf("stats: %+v, want at least 10 reaped", st)
	}
}

// TestStopWithUnackedCalls: calls answered and never ACKed do not hold
// Serve once its ctx ends: it returns within StopTimeout (asserted at
// twice that, the machine being shared).
func TestStopWithUnackedCalls(t *testing.T) {
	cfg := testConfig(t)
	cfg.AckTimeout = 10 * time.Minute // Timer H must not be what ends them
	cfg.StopTimeout = 3 * time.Second
	h := ivr.HandlerFunc(func(ctx context.Context, c ivr.Call) {
		if err := c.Answer(ctx); err != nil {
			return
		}
		_ = c.Play(ctx, ivr.Prompt{Sound: "es/long"})
	})
	e, err := New(cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	errc := make(chan error, 1)
	go func() { errc <- e.Serve(ctx, h) }()
	<-e.Ready()
	u := newRawUA(t, e)
	for i := range 5 {
		if res := u.invite(fmt.Sprintf("stop-%d", i), "5553000", "6000", "", 2*time.Second); status(res) != "SIP/2.0 200 OK" {
			t.Fatalf("call %d: %q", i, status(res))
		}
	}
	start := time.Now()
	cancel()
	select {
	case err := <-errc:
		if err != nil {
			t.Errorf("serve: %v", err)
		}
		t.Logf("Serve returned %v after cancel (StopTimeout %v)", time.Since(start).Round(10*time.Millisecond), cfg.StopTimeout)
	case <-time.After(2 * cfg.StopTimeout):
		t.Fatalf("Serve did not return within %v of cancel with 5 calls never ACKed", 2*cfg.StopTimeout)
	}
}

// digestLine answers the challenge in res for method and uri.
func digestLine(t *testing.T, res, method, uri, user, pw string) string {
	chal, err := digest.ParseChallenge(header(res, "WWW-Authenticate"))
	if err != nil {
		t.Fatalf("challenge in %q: %v", status(res), err)
	}
	cred, err := digest.Digest(chal, digest.Options{Method: method, URI: uri, Username: user, Password: pw})
	if err != nil {
		t.Fatal(err)
	}
	return "Authorization: " + cred.String() + "\r\n"
}

// guessInvite places one authenticated INVITE from user to 1002 with pw
// and returns the final answer.
func (u *rawUA) guessInvite(t *testing.T, id, user, pw string) string {
	res := u.invite(id+"-a", user, "1002", "", 2*time.Second)
	if got := status(res); got != "SIP/2.0 401 Unauthorized" {
		t.Fatalf("%s: unauthenticated INVITE: %q", id, got)
	}
	return u.invite(id+"-b", user, "1002", digestLine(t, res, "INVITE", "sip:1002@127.0.0.1", user, pw), 2*time.Second)
}

// TestDigestThrottle: 500 wrong passwords for 1001, by INVITE and then by
// REGISTER, get at most 5 passwords checked each; then the right password
// is refused too, the same way. Another source keeps working.
func TestDigestThrottle(t *testing.T) {
	cfg := testConfig(t)
	cfg.RateLimit = RateLimit{Rate: 100000, Burst: 100000, Ban: time.Second} // only the digest throttle acts
	e := startEngine(t, cfg, nil)

	// INVITE 1001 -> 1002 from one source.
	u := newRawUAFrom(t, e, "127.0.0.1")
	start := time.Now()
	before := e.auth.evaluated.Load()
	for i := range 500 {
		if got := status(u.guessInvite(t, fmt.Sprintf("inv-%d", i), "1001", fmt.Sprintf("guess%d", i))); got != "SIP/2.0 403 Forbidden" {
			t.Fatalf("guess %d: %q, want 403", i, got)
		}
	}
	evaluated := e.auth.evaluated.Load() - before
	t.Logf("INVITE: %d of 500 wrong passwords checked in %v", evaluated, time.Since(start).Round(time.Millisecond))
	if evaluated > 5 {
		t.Errorf("INVITE: %d of 500 guesses checked, want at most 5", evaluated)
	}
	if got := status(u.guessInvite(t, "inv-right", "1001", "secret1")); got != "SIP/2.0 403 Forbidden" {
		t.Errorf("right password while throttled: %q, want the same 403", got)
	}

	// REGISTER from another source: its own budget, the same limit.
	r := newRawUAFrom(t, e, "127.0.0.3")
	before = e.auth.evaluated.Load()
	for i := range 500 {
		res := r.register("1001", "", 60)
		if got := status(r.register("1001", authorize(t, res, "1001", fmt.Sprintf("guess%d", i)), 60)); got != "SIP/2.0 403 Forbidden" {
			t.Fatalf("register guess %d: %q", i, got)
		}
	}
	evaluated = e.auth.evaluated.Load() - before
	t.Logf("REGISTER: %d of 500 wrong passwords checked", evaluated)
	if evaluated > 5 {
		t.Errorf("REGISTER: %d of 500 guesses checked, want at most 5", evaluated)
	}
	res := r.register("1001", "", 60)
	if got := status(r.register("1001", authorize(t, res, "1001", "secret1"), 60)); got != "SIP/2.0 403 Forbidden" {
		t.Errorf("REGISTER right password while throttled: %q, want 403", got)
	}

	// Per source: five wrong answers for five different accounts.
	s := newRawUAFrom(t, e, "127.0.0.4")
	for i := range 5 {
		user := fmt.Sprintf("90%02d", i)
		res := s.register(user, "", 60)
		s.register(user, authorize(t, res, user, "nope"), 60)
	}
	res = s.register("1003", "", 60)
	if got := status(s.register("1003", authorize(t, res, "1003", "secret3"), 60)); got != "SIP/2.0 403 Forbidden" {
		t.Errorf("source throttled after 5 accounts: right password for 1003 got %q, want 403", got)
	}

	// The real 1001 from elsewhere is not locked out.
	ok := newRawUAFrom(t, e, "127.0.0.5")
	res = ok.register("1001", "", 60)
	if got := status(ok.register("1001", authorize(t, res, "1001", "secret1"), 60)); got != "SIP/2.0 200 OK" {
		t.Errorf("1001 from another source: %q, want 200", got)
	}
	if st := e.Stats(); st.AuthThrottled < 990 {
		t.Errorf("stats %+v: want about 990 throttled", st)
	}
}

// TestInviteAlwaysChallenged: an unauthenticated INVITE to an extension
// and one to a number that is not ours get the same answer (a 401 with
// the same challenge), and only after authentication does the caller
// learn which exists.
func TestInviteAlwaysChallenged(t *testing.T) {
	e := startEngine(t, testConfig(t), nil)
	u := newRawUA(t, e)
	var shapes []string
	for _, number := range []string{"1001", "7777", "1003", "0000"} {
		res := u.invite("chal-"+number, "5554000", number, "", 2*time.Second)
		chal, err := digest.ParseChallenge(header(res, "WWW-Authenticate"))
		if err != nil {
			t.Fatalf("%s: %q: no challenge: %v", number, status(res), err)
		}
		chal.Nonce = ""
		shapes = append(shapes, status(res)+" | "+chal.String())
	}
	for i, s := range shapes {
		if s != shapes[0] || !strings.HasPrefix(s, "SIP/2.0 401 ") {
			t.Errorf("answer %d: %q, want %q (a 401, identical)", i, s, shapes[0])
		}
	}
	// After authentication: a number that is not ours is 404.
	res := u.invite("auth-7777-a", "1001", "7777", "", 2*time.Second)
	res = u.invite("auth-7777-b", "1001", "7777", digestLine(t, res, "INVITE", "sip:7777@127.0.0.1", "1001", "secret1"), 2*time.Second)
	if got := status(res); got != "SIP/2.0 404 Not Found" {
		t.Errorf("authenticated INVITE to 7777: %q, want 404", got)
	}
}
