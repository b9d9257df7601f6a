package sipengine

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/atiende/atiende/ivr"
	"github.com/atiende/atiende/metrics/benchload"
	"github.com/emiago/sipgo/sip"
)

// serveLogged serves cfg with h until the test ends, logging to the
// returned buffer.
func serveLogged(t *testing.T, cfg Config, h ivr.Handler) (*Engine, *syncBuffer) {
	t.Helper()
	buf := &syncBuffer{}
	e, err := New(cfg, slog.New(slog.NewTextHandler(buf, &slog.HandlerOptions{Level: slog.LevelInfo})))
	if err != nil {
		t.Fatal(err)
	}
	if h == nil {
		h = ivr.HandlerFunc(func(ctx context.Context, c ivr.Call) {})
	}
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() { errc <- e.Serve(ctx, h) }()
	select {
	case <-e.Ready():
	case err := <-errc:
		t.Fatalf("serve: %v", err)
	case <-time.After(5 * time.Second):
		t.Fatal("engine not ready")
	}
	t.Cleanup(func() {
		cancel()
		select {
		case <-errc:
		case <-time.After(10 * time.Second):
			t.Error("serve did not return")
		}
	})
	return e, buf
}

// invite is an INVITE with SDP for ruri, whose To is to and whose From
// carries name; pad adds an SDP attribute of that many bytes.
func invite(la, ruri, to, name string, pad int) string {
	sdp := "v=0\r\no=caller 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n" +
		"m=audio 40000 RTP/AVP 0 101\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:101 telephone-event/8000\r\n"
	if pad > 0 {
		sdp += "a=x-pad:" + strings.Repeat("p", pad) + "\r\n"
	}
	id := time.Now().UnixNano()
	return fmt.Sprintf("INVITE %s SIP/2.0\r\nVia: SIP/2.0/UDP %s;branch=z9hG4bK-inv%d\r\n"+
		"From: \"%s\" <sip:5551234@127.0.0.1>;tag=inv%d\r\nTo: <%s>\r\nCall-ID: inv-%d@127.0.0.1\r\n"+
		"CSeq: 1 INVITE\r\nContact: <sip:5551234@%s>\r\nMax-Forwards: 70\r\n"+
		"Content-Type: application/sdp\r\nContent-Length: %d\r\n\r\n%s",
		ruri, la, id, name, id, to, id, la, len(sdp), sdp)
}

// final reads responses until a final one, or "" after d.
func (u *rawUA) final(d time.Duration) string {
	deadline := time.Now().Add(d)
	for time.Now().Before(deadline) {
		res := u.read(time.Until(deadline))
		if res == "" {
			return ""
		}
		if strings.HasPrefix(res, "SIP/2.0 ") && !strings.HasPrefix(res, "SIP/2.0 1") {
			return res
		}
	}
	return ""
}

// ack acknowledges a final non-2xx response to inv.
func (u *rawUA) ack(inv, res string) {
	msg := fmt.Sprintf("ACK %s SIP/2.0\r\nVia: %s\r\nFrom: %s\r\nTo: %s\r\nCall-ID: %s\r\nCSeq: 1 ACK\r\n"+
		"Max-Forwards: 70\r\nContent-Length: 0\r\n\r\n",
		strings.Fields(inv)[1], header(inv, "Via"), header(inv, "From"), header(res, "To"), header(inv, "Call-ID"))
	_, _ = u.conn.Write([]byte(msg))
}

// Point 4 of issue 16: the dialled number is the Request-URI's user.
func TestRoutesOnRequestURI(t *testing.T) {
	var calls atomic.Int32
	var to atomic.Value
	e := startEngine(t, testConfig(t), ivr.HandlerFunc(func(ctx context.Context, c ivr.Call) {
		calls.Add(1)
		to.Store(c.To())
	}))
	u := newRawUA(t, e)
	la := u.conn.LocalAddr().String()

	// An outside number in the Request-URI, the help desk in To: not ours.
	// Unauthenticated, it is challenged like any number that is not a
	// help-desk number (alwaysauthreject); it never reaches the help desk.
	inv := invite(la, "sip:5559999@127.0.0.1", "sip:6000@127.0.0.1", "Caller", 0)
	_, _ = u.conn.Write([]byte(inv))
	res := u.final(3 * time.Second)
	if status(res) != "SIP/2.0 401 Unauthorized" {
		t.Errorf("Request-URI 5559999, To 6000: %q, want 401", status(res))
	}
	u.ack(inv, res)
	if n := calls.Load(); n != 0 {
		t.Errorf("the help desk took %d calls for an outside number", n)
	}

	// The help desk in the Request-URI, anything in To: the help desk.
	inv = invite(la, "sip:6000@127.0.0.1", "sip:5559999@127.0.0.1", "Caller", 0)
	_, _ = u.conn.Write([]byte(inv))
	res = u.final(3 * time.Second)
	u.ack(inv, res)
	if calls.Load() != 1 || to.Load() != "6000" {
		t.Errorf("Request-URI 6000, To 5559999: %d calls to %v (answer %q), want 1 to 6000", calls.Load(), to.Load(), status(res))
	}
}

// Point 5 of issue 16: large UDP messages are read whole and answered
// (responses over 1,300 bytes included); beyond MaxMessageSize, 513.
func TestLargeUDPMessages(t *testing.T) {
	var names sync.Map
	e := startEngine(t, testConfig(t), ivr.HandlerFunc(func(ctx context.Context, c ivr.Call) {
		if n := c.From().DisplayName; strings.HasPrefix(n, "JJJJ") {
			names.Store("long", true) // cut to ivr.CleanText's length at the edge
		}
	}))
	u := newRawUA(t, e)
	la := u.conn.LocalAddr().String()

	long := strings.Repeat("J", 5000)
	inv := invite(la, "sip:6000@127.0.0.1", "sip:6000@127.0.0.1", long, 0)
	_, _ = u.conn.Write([]byte(inv))
	res := u.final(3 * time.Second)
	if status(res) != "SIP/2.0 480 Temporarily Unavailable" || !strings.Contains(header(res, "From"), long) {
		t.Errorf("INVITE with a 5,000-character display name: %q (%d bytes), want 480 echoing the name", status(res), len(res))
	} else {
		u.ack(inv, res)
	}
	if _, ok := names.Load("long"); !ok {
		t.Error("the help desk did not get the 5,000-character display name")
	}

	// 60,000 bytes, more than sipgo's default read buffer of 32 KB.
	inv = invite(la, "sip:6000@127.0.0.1", "sip:6000@127.0.0.1", "Video phone", 60000)
	if len(inv) < 60000 || len(inv) > maxUDPDatagram {
		t.Fatalf("INVITE of %d bytes", len(inv))
	}
	_, _ = u.conn.Write([]byte(inv))
	res = u.final(3 * time.Second)
	if status(res) != "SIP/2.0 480 Temporarily Unavailable" {
		t.Errorf("INVITE of %d bytes: %q, want 480", len(inv), status(res))
	} else {
		u.ack(inv, res)
	}
}

func TestMessageTooLarge(t *testing.T) {
	cfg := testConfig(t)
	cfg.MaxMessageSize = 4096
	var calls atomic.Int32
	e := startEngine(t, cfg, ivr.HandlerFunc(func(ctx context.Context, c ivr.Call) { calls.Add(1) }))
	u := newRawUA(t, e)
	la := u.conn.LocalAddr().String()
	inv := invite(la, "sip:6000@127.0.0.1", "sip:6000@127.0.0.1", strings.Repeat("J", 5000), 0)
	_, _ = u.conn.Write([]byte(inv))
	if res := u.final(3 * time.Second); status(res) != "SIP/2.0 513 Message Too Large" {
		t.Errorf("INVITE of %d bytes, limit 4096: %q, want 513", len(inv), status(res))
	}
	if calls.Load() != 0 {
		t.Error("an INVITE over the limit reached the help desk")
	}
	if n := e.EdgeStats().BadMessages["too_large"]; n != 1 {
		t.Errorf("too_large = %d, want 1", n)
	}
	// Over TCP: counted, and the connection closed (no message boundary
	// is left to answer after).
	tc, err := net.Dial("tcp", e.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer tc.Close()
	_, _ = tc.Write([]byte(strings.Replace(inv, "SIP/2.0/UDP", "SIP/2.0/TCP", 1)))
	waitCount(t, e, "too_large", 2)
	_ = tc.SetReadDeadline(time.Now().Add(3 * time.Second))
	if n, err := tc.Read(make([]byte, 100)); err == nil {
		t.Errorf("TCP connection still open after a message over the limit (read %d bytes)", n)
	}
	// Under the limit: served.
	inv = invite(la, "sip:6000@127.0.0.1", "sip:6000@127.0.0.1", "Caller", 0)
	_, _ = u.conn.Write([]byte(inv))
	if res := u.final(3 * time.Second); status(res) != "SIP/2.0 480 Temporarily Unavailable" {
		t.Errorf("INVITE under the limit: %q", status(res))
	} else {
		u.ack(inv, res)
	}
}

// Point 9 of issue 16: bad packets are counted; the log stays bounded.
func TestBadPacketsCountedLogBounded(t *testing.T) {
	e, logs := serveLogged(t, testConfig(t), nil)
	u := newRawUA(t, e)
	const n = 10000
	junk := []byte("NOT SIP AT ALL " + strings.Repeat("x", 1000) + "\r\n\r\n")
	start := time.Now()
	for i := range n {
		if _, err := u.conn.Write(junk); err != nil {
			t.Fatal(err)
		}
		// Let the engine keep up, so no datagram is lost in the socket.
		if i%50 == 49 {
			waitCount(t, e, "unparsable", uint64(i+1))
		}
	}
	waitCount(t, e, "unparsable", n)
	elapsed := time.Since(start)

	// One stream of junk over TCP: counted too (sipgo closes it).
	tc, err := net.Dial("tcp", e.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer tc.Close()
	_, _ = tc.Write([]byte("GARBAGE / HTTP/1.1\r\nHost: x\r\n\r\n"))
	waitCount(t, e, "unparsable", n+1)

	// Still serving.
	if res := u.send(request("OPTIONS", "sip:127.0.0.1", u.conn.LocalAddr().String())); status(res) != "SIP/2.0 200 OK" {
		t.Errorf("OPTIONS after %d bad packets: %q", n, status(res))
	}

	// Every bad packet is either logged or counted as suppressed in a
	// summary line, each second.
	var log string
	var lines, suppressed int
	for deadline := time.Now().Add(5 * time.Second); ; {
		log = logs.String()
		lines = strings.Count(log, "bad SIP message refused") + strings.Count(log, "failed to parse")
		suppressed = 0
		for _, l := range strings.Split(log, "\n") {
			var k int
			if _, v, ok := strings.Cut(l, "suppressed="); ok {
				_, _ = fmt.Sscan(v, &k)
			}
			suppressed += k
		}
		if lines+suppressed >= n+1 || time.Now().After(deadline) {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if lines+suppressed != n+1 {
		t.Errorf("%d lines logged + %d suppressed, want %d", lines, suppressed, n+1)
	}
	maxLines := edgeLogPerSec * (int(time.Since(start).Seconds()) + 2)
	if lines == 0 || lines > maxLines {
		t.Errorf("%d lines for %d bad packets in %v, want 1 to %d", lines, n, elapsed, maxLines)
	}
	if strings.Contains(log, strings.Repeat("x", edgeLogBytes+1)) {
		t.Error("a bad packet was logged whole")
	}
	if len(log) > 200*maxLines+4096 {
		t.Errorf("log of %d bytes for %d bad packets (%d bytes each)", len(log), n, len(junk))
	}
	t.Logf("%d bad packets in %v: %d lines, %d bytes of log (unbounded: over %d MB)", n, elapsed.Round(time.Millisecond), lines, len(log), n*len(junk)>>20)
}

func waitCount(t *testing.T, e *Engine, reason string, want uint64) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for e.EdgeStats().BadMessages[reason] < want {
		if time.Now().After(deadline) {
			t.Fatalf("%s = %d, want %d", reason, e.EdgeStats().BadMessages[reason], want)
		}
		time.Sleep(time.Millisecond)
	}
}

// A handler that panics is recovered, counted and logged; the request is
// answered 500 and the process goes on.
func TestGuardRecovers(t *testing.T) {
	buf := &syncBuffer{}
	e, err := New(testConfig(t), slog.New(slog.NewTextHandler(buf, nil)))
	if err != nil {
		t.Fatal(err)
	}
	msg, err := sip.ParseMessage([]byte(request("OPTIONS", "sip:127.0.0.1", "127.0.0.1:5070")))
	if err != nil {
		t.Fatal(err)
	}
	req := msg.(*sip.Request)
	var calls int
	h := e.guard(func(req *sip.Request, tx sip.ServerTransaction) {
		calls++
		var p *sip.Request
		_ = p.Method // nil dereference
	})
	for range 3 {
		h(req, nil)
	}
	if calls != 3 || e.EdgeStats().Panics != 3 {
		t.Errorf("handler ran %d times, %d panics counted, want 3 and 3", calls, e.EdgeStats().Panics)
	}
	if !strings.Contains(buf.String(), "SIP handler panicked") || !strings.Contains(buf.String(), "edge_test.go") {
		t.Errorf("panic not logged with its stack: %q", tail(buf.String(), 500))
	}
	// A request lacking a mandatory header never reaches the handler.
	req.RemoveHeader("From")
	h(req, nil)
	if calls != 3 || e.EdgeStats().BadMessages["missing_from"] != 1 {
		t.Errorf("a request without From reached the handler (%d calls, missing_from %d)", calls, e.EdgeStats().BadMessages["missing_from"])
	}
}

func TestEdgeConfig(t *testing.T) {
	for _, n := range []int{0, 1000, 65536} {
		cfg := DefaultConfig()
		cfg.MaxMessageSize = n
		if err := cfg.Validate(); err == nil || !strings.Contains(err.Error(), "max message size") {
			t.Errorf("MaxMessageSize %d: %v", n, err)
		}
	}
	if DefaultConfig().MaxMessageSize != 65535 {
		t.Errorf("default MaxMessageSize %d, want 65535", DefaultConfig().MaxMessageSize)
	}
}

func TestTruncate(t *testing.T) {
	s := truncate(strings.Repeat("é", 300))
	if !strings.HasSuffix(s, "…(600 bytes)") || len(s) > edgeLogBytes+20 || !utf8Valid(s) {
		t.Errorf("truncate: %q", s)
	}
	if truncate("short") != "short" {
		t.Error("short strings are kept")
	}
	var b bytes.Buffer
	h := &boundedHandler{next: slog.NewTextHandler(&b, nil), lim: &lineLimiter{now: time.Now, perSec: 1000}}
	slog.New(h).Warn("x", "data", []byte(strings.Repeat("d", 5000)), "error", fmt.Errorf("%s", strings.Repeat("e", 5000)))
	if b.Len() > 1000 {
		t.Errorf("bounded handler wrote %d bytes", b.Len())
	}
}

func utf8Valid(s string) bool { return strings.ToValidUTF8(s, "") == s }

// BenchmarkScreenUDP is what the edge adds to each UDP datagram (a second
// parse, before sipgo's).
func BenchmarkScreenUDP(b *testing.B) {
	defer benchload.Report(b)
	e, err := New(testConfig(nil), nil)
	if err != nil {
		b.Fatal(err)
	}
	data := []byte(invite("127.0.0.1:5070", "sip:6000@127.0.0.1", "sip:6000@127.0.0.1", "José", 0))
	info := sip.TransportReadProps{Transport: "UDP", RemoteAddr: &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 5070}}
	b.ReportAllocs()
	for b.Loop() {
		if out, _ := e.screenUDP(info, data); len(out) == 0 {
			b.Fatal("refused")
		}
	}
}
