package sipengine

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/atiende/atiende/ivr"
)

// FuzzEdge sends whole messages to a running engine, over UDP or TCP, so
// they go through sipgo, diago and the engine's handlers as a phone's
// would; after each, the engine must still answer OPTIONS and no handler
// may have panicked. testdata/fuzz/FuzzEdge keeps the crashers of issue 16
// (INVITE, BYE and ACK without From, INVITE without To, INFO without
// Call-ID) as regression cases: plain `go test` runs them.
//
//	go test -run '^$' -fuzz FuzzEdge -fuzztime 10m -parallel 1 ./ivr/sipengine/
func FuzzEdge(f *testing.F) {
	for _, p := range probes("127.0.0.1:5999") {
		f.Add([]byte(p.msg), false)
		f.Add([]byte(strings.Replace(p.msg, "SIP/2.0/UDP", "SIP/2.0/TCP", 1)), true)
	}
	for _, m := range []string{
		invite("127.0.0.1:5999", "sip:6000@127.0.0.1", "sip:6000@127.0.0.1", "José", 0),
		invite("127.0.0.1:5999", "sip:1001@127.0.0.1", "sip:1001@127.0.0.1", "Caller", 0),
		request("REGISTER", "sip:1001@127.0.0.1", "127.0.0.1:5999"),
		request("OPTIONS", "sip:127.0.0.1", "127.0.0.1:5999"),
		"SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP 127.0.0.1:5999;branch=z9hG4bKx\r\nCSeq: 1 OPTIONS\r\n\r\n",
	} {
		f.Add([]byte(m), false)
	}

	cfg := testConfig(nil)
	cfg.RateLimit = RateLimit{Rate: 1e6, Burst: 1e6} // the liveness checks come from one address
	var answered atomic.Int64
	e, stop := serveFuzz(f, cfg, ivr.HandlerFunc(func(ctx context.Context, c ivr.Call) { answered.Add(1) }))
	f.Cleanup(stop)
	live, err := net.DialUDP("udp", nil, e.Addr())
	if err != nil {
		f.Fatal(err)
	}
	defer live.Close()
	sender, err := net.DialUDP("udp", nil, e.Addr())
	if err != nil {
		f.Fatal(err)
	}
	defer sender.Close()
	var n atomic.Int64

	f.Fuzz(func(t *testing.T, msg []byte, overTCP bool) {
		before := e.EdgeStats().Panics
		if overTCP {
			sendTCP(t, e.Addr().String(), msg)
		} else if _, err := sender.Write(msg); err != nil && len(msg) <= maxUDPDatagram-28 {
			t.Fatal(err)
		}
		id := fmt.Sprintf("live-%d", n.Add(1))
		if !optionsAnswered(live, id) {
			t.Fatalf("the engine no longer answers OPTIONS after %q", trimFor(msg))
		}
		if p := e.EdgeStats().Panics; p != before {
			t.Fatalf("%d handler panics (recovered) after %q", p-before, trimFor(msg))
		}
	})
}

// serveFuzz is startEngine for a fuzz target.
func serveFuzz(f *testing.F, cfg Config, h ivr.Handler) (*Engine, func()) {
	e, stop := serveEngine(f, cfg, nil, h, 15*time.Second)
	return e, func() {
		if err := stop(); errors.Is(err, errNotReturned) {
			f.Error(err)
		}
	}
}

// sendTCP writes msg on a new connection, half-closes it and waits for
// the engine's first answer, its close, or a short while.
func sendTCP(t *testing.T, addr string, msg []byte) {
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	tc := c.(*net.TCPConn)
	_ = tc.SetLinger(0) // no TIME_WAIT: fuzzing opens many connections
	defer tc.Close()
	if _, err := tc.Write(msg); err != nil {
		return // the engine may close a connection it cannot parse
	}
	_ = tc.CloseWrite()
	_ = tc.SetReadDeadline(time.Now().Add(50 * time.Millisecond))
	_, _ = tc.Read(make([]byte, 4096))
}

// optionsAnswered sends an OPTIONS with Call-ID id on c and waits for its
// 200 OK.
func optionsAnswered(c *net.UDPConn, id string) bool {
	la := c.LocalAddr().String()
	msg := fmt.Sprintf("OPTIONS sip:127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP %s;branch=z9hG4bK-%s;rport\r\n"+
		"From: <sip:live@127.0.0.1>;tag=l\r\nTo: <sip:127.0.0.1>\r\nCall-ID: %s\r\nCSeq: 1 OPTIONS\r\n"+
		"Max-Forwards: 70\r\nContent-Length: 0\r\n\r\n", la, id, id)
	if _, err := c.Write([]byte(msg)); err != nil {
		return false
	}
	buf := make([]byte, 65535)
	deadline := time.Now().Add(5 * time.Second)
	for {
		_ = c.SetReadDeadline(deadline)
		n, err := c.Read(buf)
		if err != nil {
			return false
		}
		res := string(buf[:n])
		if header(res, "Call-ID") == id {
			return strings.HasPrefix(res, "SIP/2.0 200 ")
		}
	}
}

func trimFor(msg []byte) string {
	if len(msg) > 300 {
		return string(msg[:300]) + "…"
	}
	return string(msg)
}
