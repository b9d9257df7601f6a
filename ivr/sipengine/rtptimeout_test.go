package sipengine

import (
	"context"
	"encoding/binary"
	"fmt"
	"net"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/atiende/atiende/ivr"
)

// rtpPhone is a raw caller: its SIP socket and its RTP socket, which sends
// 20 ms PCMU frames of silence while it talks, as a phone does even when
// its user says nothing.
type rtpPhone struct {
	ua     *rawUA
	callID string
	ok     string // the 200 OK to the INVITE
	rtp    *net.UDPConn
	stop   chan struct{}
	done   chan struct{}
	once   sync.Once
}

var sdpAudio = regexp.MustCompile(`(?s)c=IN IP4 ([0-9.]+).*m=audio (\d+) `)

// dialRTPPhone calls 6000 from ip, ACKs the 200 OK and starts talking.
func dialRTPPhone(t *testing.T, e *Engine, ip, callID string) *rtpPhone {
	t.Helper()
	ua := newRawUAFrom(t, e, ip)
	res := ua.invite(callID, "5551000", "6000", "", 3*time.Second)
	if status(res) != "SIP/2.0 200 OK" {
		t.Fatalf("%s: %q", callID, status(res))
	}
	uri := strings.Trim(strings.SplitN(header(res, "Contact"), ">", 2)[0], "<")
	cseq, _, _ := strings.Cut(header(res, "CSeq"), " ")
	ack := fmt.Sprintf("ACK %s SIP/2.0\r\nVia: SIP/2.0/UDP %s;branch=z9hG4bK-ack-%s\r\nFrom: %s\r\nTo: %s\r\n"+
		"Call-ID: %s\r\nCSeq: %s ACK\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n",
		uri, ua.conn.LocalAddr(), callID, header(res, "From"), header(res, "To"), callID, cseq)
	if _, err := ua.conn.Write([]byte(ack)); err != nil {
		t.Fatal(err)
	}
	m := sdpAudio.FindStringSubmatch(res)
	if m == nil {
		t.Fatalf("%s: no audio in the answer:\n%s", callID, res)
	}
	raddr, err := net.ResolveUDPAddr("udp", net.JoinHostPort(m[1], m[2]))
	if err != nil {
		t.Fatal(err)
	}
	rtp, err := net.DialUDP("udp", &net.UDPAddr{IP: net.ParseIP(ip)}, raddr)
	if err != nil {
		t.Fatal(err)
	}
	p := &rtpPhone{ua: ua, callID: callID, ok: res, rtp: rtp, stop: make(chan struct{}), done: make(chan struct{})}
	go p.talk()
	t.Cleanup(p.vanish)
	return p
}

func (p *rtpPhone) talk() {
	defer close(p.done)
	pkt := make([]byte, 12+160)
	pkt[0], pkt[1] = 0x80, 0 // RTP v2, PCMU
	binary.BigEndian.PutUint32(pkt[8:], 0x5eed)
	for i := range pkt[12:] {
		pkt[12+i] = 0xFF // µ-law silence
	}
	t := time.NewTicker(20 * time.Millisecond)
	defer t.Stop()
	for seq := uint16(0); ; seq++ {
		binary.BigEndian.PutUint16(pkt[2:], seq)
		binary.BigEndian.PutUint32(pkt[4:], uint32(seq)*160)
		_, _ = p.rtp.Write(pkt)
		select {
		case <-p.stop:
			return
		case <-t.C:
		}
	}
}

// hold puts the call on hold as a phone does: a re-INVITE whose SDP says
// a=inactive (ACKed), then no more RTP.
func (p *rtpPhone) hold(t *testing.T) {
	t.Helper()
	la := p.ua.conn.LocalAddr().(*net.UDPAddr)
	uri := strings.Trim(strings.SplitN(header(p.ok, "Contact"), ">", 2)[0], "<")
	sdp := fmt.Sprintf("v=0\r\no=- 1 2 IN IP4 %s\r\ns=-\r\nc=IN IP4 %s\r\nt=0 0\r\n"+
		"m=audio %d RTP/AVP 0 101\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:101 telephone-event/8000\r\na=inactive\r\n",
		la.IP, la.IP, p.rtp.LocalAddr().(*net.UDPAddr).Port)
	head := func(method, branch string) string {
		return fmt.Sprintf("%s %s SIP/2.0\r\nVia: SIP/2.0/UDP %s;branch=z9hG4bK-%s-%s\r\nFrom: %s\r\nTo: %s\r\n"+
			"Call-ID: %s\r\nCSeq: 2 %s\r\nContact: <sip:5551000@%s>\r\nMax-Forwards: 70\r\n",
			method, uri, la, branch, p.callID, header(p.ok, "From"), header(p.ok, "To"), p.callID, method, la)
	}
	inv := head("INVITE", "hold") + fmt.Sprintf("Content-Type: application/sdp\r\nContent-Length: %d\r\n\r\n%s", len(sdp), sdp)
	if _, err := p.ua.conn.Write([]byte(inv)); err != nil {
		t.Fatal(err)
	}
	if res := p.ua.finalFor(p.callID, 3*time.Second); status(res) != "SIP/2.0 200 OK" {
		t.Fatalf("hold re-INVITE: %q", status(res))
	}
	if _, err := p.ua.conn.Write([]byte(head("ACK", "holdack") + "Content-Length: 0\r\n\r\n")); err != nil {
		t.Fatal(err)
	}
	close(p.stop)
	<-p.done
}

// vanish is the phone losing power: its RTP stops and its sockets close,
// with no BYE.
func (p *rtpPhone) vanish() {
	p.once.Do(func() {
		select {
		case <-p.stop: // on hold: already silent
		default:
			close(p.stop)
		}
		<-p.done
		p.rtp.Close()
		p.ua.conn.Close()
	})
}

// A caller whose phone disappears without a BYE is hung up once no RTP has
// come for RTPTimeout, and its RTP ports and goroutines come back; a caller
// who keeps sending RTP (silence included) is never cut.
func TestRTPTimeout(t *testing.T) {
	cfg := testConfig(t)
	const ports = 20
	cfg.RTPPortMin = freeRange(t, ports)
	cfg.RTPPortMax = cfg.RTPPortMin + ports - 1
	cfg.RTPTimeout = time.Second
	ended := make(chan string, 4)
	h := ivr.HandlerFunc(func(ctx context.Context, c ivr.Call) {
		if err := c.Answer(ctx); err != nil {
			return
		}
		// Prompts play on (the engine sends RTP) until the call ends.
		for {
			select {
			case <-c.Done():
				ended <- c.ID()
				return
			default:
			}
			if err := c.Play(ctx, ivr.Prompt{Sound: "es/long"}); err != nil {
				<-c.Done()
			}
		}
	})
	e, logs := serveLogged(t, cfg, h)
	time.Sleep(200 * time.Millisecond)
	base := runtime.NumGoroutine()

	gone := dialRTPPhone(t, e, "127.0.0.1", "gone-1")
	talker := dialRTPPhone(t, e, "127.0.0.2", "talker-1")
	time.Sleep(300 * time.Millisecond)
	gone.vanish()
	start := time.Now()
	select {
	case id := <-ended:
		if id != "gone-1" {
			t.Fatalf("%s ended first, want gone-1", id)
		}
		t.Logf("the vanished phone's call ended %v after its last RTP (timeout %v)", time.Since(start).Round(10*time.Millisecond), cfg.RTPTimeout)
	case <-time.After(cfg.RTPTimeout + 10*time.Second):
		t.Fatalf("the call of a phone gone without a BYE is still up %v later", time.Since(start))
	}
	if st := e.Stats(); st.CallsRTPTimeout != 1 || st.CallsReaped != 1 {
		t.Errorf("stats %+v, want 1 RTP timeout, counted as reaped", st)
	}
	if !strings.Contains(logs.String(), "reason=rtp_timeout") || !strings.Contains(logs.String(), "call_id=gone-1") {
		t.Errorf("no rtp_timeout reason in the log:\n%s", logs.String())
	}

	// The talker sends RTP all along: it stays up.
	select {
	case id := <-ended:
		t.Fatalf("%s ended while its phone was sending RTP", id)
	case <-time.After(3 * cfg.RTPTimeout):
	}
	talker.vanish()
	select {
	case <-ended:
	case <-time.After(cfg.RTPTimeout + 10*time.Second):
		t.Fatal("the second phone's call is still up after it vanished")
	}

	deadline := time.Now().Add(15 * time.Second)
	for {
		n := runtime.NumGoroutine()
		free := portsFree(cfg.RTPPortMin, ports)
		if n <= base+2 && free {
			t.Logf("goroutines %d (baseline %d), RTP ports free", n, base)
			break
		}
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<20)
			t.Fatalf("after both phones vanished: %d goroutines (baseline %d), rtp ports free: %v\n%s",
				n, base, free, buf[:runtime.Stack(buf, true)])
		}
		time.Sleep(200 * time.Millisecond)
	}
	if st := e.Stats(); st.CallsRTPTimeout != 2 {
		t.Errorf("stats %+v, want 2 RTP timeouts", st)
	}
}

// A phone that puts the call on hold (re-INVITE a=inactive) and stops
// sending RTP gets RTPTimeoutHold, not RTPTimeout; past it, it is hung up
// too.
func TestRTPTimeoutOnHold(t *testing.T) {
	cfg := testConfig(t)
	cfg.RTPTimeout, cfg.RTPTimeoutHold = time.Second, 5*time.Second
	ended := make(chan string, 1)
	h := ivr.HandlerFunc(func(ctx context.Context, c ivr.Call) {
		if err := c.Answer(ctx); err != nil {
			return
		}
		<-c.Done()
		ended <- c.ID()
	})
	e, logs := serveLogged(t, cfg, h)
	p := dialRTPPhone(t, e, "127.0.0.1", "hold-1")
	time.Sleep(300 * time.Millisecond)
	p.hold(t)
	start := time.Now()
	// The decision is counted before the BYE, which waits for the phone.
	time.Sleep(3 * cfg.RTPTimeout)
	if st := e.Stats(); st.CallsRTPTimeout != 0 {
		t.Fatalf("a call on hold was hung up within %v of its last RTP (RTP timeout %v, on hold %v)",
			3*cfg.RTPTimeout, cfg.RTPTimeout, cfg.RTPTimeoutHold)
	}
	select {
	case <-ended:
		t.Logf("the held call ended %v after its last RTP", time.Since(start).Round(10*time.Millisecond))
	case <-time.After(cfg.RTPTimeoutHold + 10*time.Second):
		t.Fatalf("a silent call on hold is still up %v later", time.Since(start))
	}
	if !strings.Contains(logs.String(), "on_hold=true") {
		t.Errorf("the hold is not in the log:\n%s", logs.String())
	}
	if st := e.Stats(); st.CallsRTPTimeout != 1 {
		t.Errorf("stats %+v, want 1 RTP timeout", st)
	}
}
