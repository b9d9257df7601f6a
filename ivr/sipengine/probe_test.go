package sipengine

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"
)

// probe is one hand-written request a broken or hostile peer may send.
type probe struct {
	name string
	msg  string
	want string // the status line's code and reason; "" when it must be dropped
}

// request builds a request from a Via, From, To, Call-ID, CSeq and
// Max-Forwards, leaving out the headers named in omit. la is the sender's
// address, "tcp:" in front for TCP.
func request(method, ruri, la string, omit ...string) string {
	tr := "UDP"
	if a, ok := strings.CutPrefix(la, "tcp:"); ok {
		tr, la = "TCP", a
	}
	hdrs := [][2]string{
		{"Via", "SIP/2.0/" + tr + " " + la + ";branch=z9hG4bK-" + fmt.Sprint(time.Now().UnixNano())},
		{"From", `"Probe" <sip:5551234@127.0.0.1>;tag=probe1`},
		{"To", "<" + ruri + ">"},
		{"Call-ID", fmt.Sprintf("probe-%d@127.0.0.1", time.Now().UnixNano())},
		{"CSeq", "1 " + method},
		{"Max-Forwards", "70"},
	}
	var b strings.Builder
	b.WriteString(method + " " + ruri + " SIP/2.0\r\n")
	for _, h := range hdrs {
		skip := false
		for _, o := range omit {
			skip = skip || o == h[0]
		}
		if !skip {
			b.WriteString(h[0] + ": " + h[1] + "\r\n")
		}
	}
	if method == "INFO" {
		b.WriteString("Content-Type: application/dtmf-relay\r\nContent-Length: 24\r\n\r\nSignal=5\r\nDuration=160\r\n")
		return b.String()
	}
	b.WriteString("Content-Length: 0\r\n\r\n")
	return b.String()
}

// probes are the fifteen single-packet probes of issue 16: each lacks a
// header RFC 3261 §8.1.1 makes mandatory.
func probes(la string) []probe {
	hd, ext := "sip:6000@127.0.0.1", "sip:1001@127.0.0.1"
	return []probe{
		{"INVITE without From", request("INVITE", hd, la, "From"), "400 Missing From"},
		{"INVITE without To", request("INVITE", hd, la, "To"), "400 Missing To"},
		{"INVITE without Call-ID", request("INVITE", hd, la, "Call-ID"), "400 Missing Call-ID"},
		{"INVITE without CSeq", request("INVITE", hd, la, "CSeq"), "400 Missing CSeq"},
		{"INVITE without Via", request("INVITE", hd, la, "Via"), ""},
		{"INVITE without Max-Forwards", request("INVITE", hd, la, "Max-Forwards"), "400 Missing Max-Forwards"},
		{"BYE without From", request("BYE", hd, la, "From"), "400 Missing From"},
		{"ACK without From", request("ACK", hd, la, "From"), ""},
		{"INFO without Call-ID", request("INFO", hd, la, "Call-ID"), "400 Missing Call-ID"},
		{"CANCEL without From", request("CANCEL", hd, la, "From"), "400 Missing From"},
		{"REGISTER without From", request("REGISTER", ext, la, "From"), "400 Missing From"},
		{"OPTIONS without To", request("OPTIONS", hd, la, "To"), "400 Missing To"},
		{"BYE without To", request("BYE", hd, la, "To"), "400 Missing To"},
		{"ACK without To", request("ACK", hd, la, "To"), ""},
		{"INFO without From", request("INFO", hd, la, "From"), "400 Missing From"},
	}
}

// childEngine is an engine in a child process (this test binary run as
// TestEdgeEngineProcess), so a probe that crashes it ends only the child.
type childEngine struct {
	cmd    *exec.Cmd
	addr   *net.UDPAddr
	stderr *syncBuffer
	exited chan struct{}
	err    error
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func startChildEngine(t *testing.T) *childEngine {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestEdgeEngineProcess$", "-test.count=1")
	cmd.Env = append(os.Environ(), "SIPENGINE_EDGE_CHILD=1")
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	c := &childEngine{cmd: cmd, stderr: &syncBuffer{}, exited: make(chan struct{})}
	cmd.Stderr = c.stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	addrc := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if a, ok := strings.CutPrefix(sc.Text(), "ADDR "); ok {
				addrc <- a
			}
		}
	}()
	go func() {
		c.err = cmd.Wait()
		close(c.exited)
	}()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-c.exited
	})
	select {
	case a := <-addrc:
		c.addr, err = net.ResolveUDPAddr("udp", a)
		if err != nil {
			t.Fatal(err)
		}
	case <-c.exited:
		t.Fatalf("child engine exited: %v\n%s", c.err, c.stderr)
	case <-time.After(20 * time.Second):
		t.Fatal("child engine not ready")
	}
	return c
}

func (c *childEngine) alive() bool {
	select {
	case <-c.exited:
		return false
	default:
		return true
	}
}

// TestEdgeEngineProcess is the child of TestSingleProbes: it serves an
// engine until killed.
func TestEdgeEngineProcess(t *testing.T) {
	if os.Getenv("SIPENGINE_EDGE_CHILD") != "1" {
		t.Skip("runs only as the child of TestSingleProbes")
	}
	e := startEngine(t, testConfig(t), nil)
	fmt.Printf("ADDR %s\n", e.Addr())
	<-context.Background().Done()
}

// TestSingleProbes sends each probe of issue 16, over UDP and over TCP, to
// a fresh engine in a child process: the engine answers 400 naming the
// missing header (or drops what cannot be answered) and still answers
// OPTIONS afterwards.
func TestSingleProbes(t *testing.T) {
	crashed, total := 0, 0
	list := probes("127.0.0.1:1")
	for _, network := range []string{"udp", "tcp"} {
		for i := range list {
			total++
			t.Run(network+"/"+list[i].name, func(t *testing.T) {
				if !probeOnce(t, network, i) {
					crashed++
				}
			})
		}
	}
	t.Logf("%d of %d probes killed the engine", crashed, total)
}

// probeOnce sends probe i over network to a fresh child engine; false
// means the engine died.
func probeOnce(t *testing.T, network string, i int) bool {
	c := startChildEngine(t)
	conn, err := net.DialUDP("udp", nil, c.addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	u := &rawUA{t: t, conn: conn}
	var p probe
	got := ""
	if network == "udp" {
		p = probes(conn.LocalAddr().String())[i]
		if _, err := conn.Write([]byte(p.msg)); err != nil {
			t.Fatal(err)
		}
		for {
			res := u.read(time.Second)
			if res == "" || !strings.HasPrefix(status(res), "SIP/2.0 1") {
				got = strings.TrimPrefix(status(res), "SIP/2.0 ")
				break
			}
		}
	} else {
		tc, err := net.Dial("tcp", c.addr.String())
		if err != nil {
			t.Fatal(err)
		}
		defer tc.Close()
		p = probes("tcp:" + tc.LocalAddr().String())[i]
		if p.want == "400 Missing Via" || p.want == "400 Missing CSeq" || (p.want == "" && !strings.HasPrefix(p.msg, "ACK")) {
			// Over TCP, sipgo's transaction layer answers these before
			// any handler, with its own stateless 400.
			p.want = "400 Bad Request"
		}
		if _, err := tc.Write([]byte(p.msg)); err != nil {
			t.Fatal(err)
		}
		got = readTCPFinal(tc, time.Second)
	}
	if got != p.want {
		t.Errorf("answer %q, want %q", got, p.want)
	}
	res := u.send(request("OPTIONS", "sip:127.0.0.1", conn.LocalAddr().String()))
	if !c.alive() {
		t.Errorf("the probe killed the engine: %v\n%s", c.err, tail(c.stderr.String(), 2000))
		return false
	}
	if status(res) != "SIP/2.0 200 OK" {
		t.Errorf("OPTIONS after the probe: %q", status(res))
	}
	return true
}

// readTCPFinal returns the code and reason of the first final response
// read from c within d, or "".
func readTCPFinal(c net.Conn, d time.Duration) string {
	_ = c.SetReadDeadline(time.Now().Add(d))
	r := bufio.NewReader(c)
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return ""
		}
		line = strings.TrimSpace(line)
		if code, ok := strings.CutPrefix(line, "SIP/2.0 "); ok && !strings.HasPrefix(code, "1") {
			return code
		}
	}
}

func tail(s string, n int) string {
	if len(s) > n {
		return "…" + s[len(s)-n:]
	}
	return s
}
