package sippeer

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// BaresipConfig describes one headless baresip softphone.
type BaresipConfig struct {
	// Account, e.g. "1001"; with Registrar set, it registers there with
	// Password. AutoAnswer makes it answer incoming calls.
	Account    string
	Password   string
	Registrar  string // host:port of the engine; empty: no registration
	AutoAnswer bool
	Timeout    time.Duration // how long baresip may run (default 60 s)
	// RecordDir, if set, keeps what the phone hears: baresip's sndfile
	// module writes each call's received audio, decoded, to
	// RecordDir/dump-<time>-dec.wav (and what it sends to -enc.wav).
	RecordDir string
}

// Baresip is a running baresip driven over ctrl_tcp.
type Baresip struct {
	*Process
	SIPPort int
	conn    net.Conn
	mu      sync.Mutex
	events  []map[string]any
	eventCh chan map[string]any
}

// StartBaresip writes a config dir, starts baresip and connects to its
// ctrl_tcp; it is stopped in t.Cleanup.
func StartBaresip(t testing.TB, c BaresipConfig) *Baresip {
	t.Helper()
	bin := Need(t, "baresip")
	if c.Timeout == 0 {
		c.Timeout = 60 * time.Second
	}
	dir := t.TempDir()
	// baresip listens for SIP over TLS on sip_listen's port + 1: keep it
	// clear of the other ports picked here (it collided with ctrl_tcp).
	sipPort, ctrlPort, consPort, rtp := 0, 0, 0, FreePortPair(t)
	for range 20 {
		sipPort, ctrlPort, consPort = freeSIPPort(t), FreePort(t), FreePort(t)
		if ctrlPort != sipPort+1 && consPort != sipPort+1 && rtp != sipPort+1 && rtp+1 != sipPort+1 {
			break
		}
	}
	conf := strings.Join([]string{
		"poll_method epoll",
		fmt.Sprintf("sip_listen 127.0.0.1:%d", sipPort),
		"net_interface 127.0.0.1",
		"audio_source ausine,440",
		"audio_player none",
		"audio_alert none",
		"ausrc_srate 48000",
		"ausrc_channels 2",
		fmt.Sprintf("rtp_ports %d-%d", rtp, rtp+10),
		"module_path /usr/lib/baresip/modules",
		"module g711.so",
		"module ausine.so",
		"module ctrl_tcp.so",
		"module cons.so",
		"module_app account.so",
		"module_app menu.so",
		fmt.Sprintf("ctrl_tcp_listen 127.0.0.1:%d", ctrlPort),
		fmt.Sprintf("cons_listen 127.0.0.1:%d", consPort),
		"",
	}, "\n")
	if c.RecordDir != "" {
		conf += fmt.Sprintf("module sndfile.so\nsnd_path %s\n", c.RecordDir)
	}
	acct := fmt.Sprintf("<sip:%s@127.0.0.1>;regint=0;audio_codecs=PCMU,PCMA", c.Account)
	if c.Registrar != "" {
		acct = fmt.Sprintf("<sip:%s@%s;transport=udp>;auth_pass=%s;regint=600;audio_codecs=PCMU,PCMA", c.Account, c.Registrar, c.Password)
	}
	if c.AutoAnswer {
		acct += ";answermode=auto"
	}
	acct += "\n"
	must(t, os.WriteFile(filepath.Join(dir, "config"), []byte(conf), 0o600))
	must(t, os.WriteFile(filepath.Join(dir, "accounts"), []byte(acct), 0o600))
	must(t, os.WriteFile(filepath.Join(dir, "contacts"), nil, 0o600))
	b := &Baresip{SIPPort: sipPort, eventCh: make(chan map[string]any, 256)}
	b.Process = start(t, c.Timeout, bin, "-f", dir, "-t", strconv.Itoa(int(c.Timeout.Seconds())))
	deadline := time.Now().Add(10 * time.Second)
	for {
		conn, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", ctrlPort))
		if err == nil {
			b.conn = conn
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("baresip ctrl_tcp: %v\n%s", err, b.Output())
		}
		time.Sleep(50 * time.Millisecond)
	}
	go b.readEvents()
	t.Cleanup(func() {
		_ = b.Command("quit", "")
		_ = b.Wait(2 * time.Second)
		b.conn.Close()
	})
	return b
}

// freeSIPPort is a port p free for baresip's sip_listen: UDP and TCP on p,
// and TCP on p+1 (its TLS transport; a socket in TIME-WAIT there makes
// baresip exit at start).
func freeSIPPort(t testing.TB) int {
	t.Helper()
	for range 100 {
		p := FreePort(t)
		// without SO_REUSEADDR (Go sets it), as baresip binds
		lc := net.ListenConfig{Control: func(_, _ string, c syscall.RawConn) error {
			return c.Control(func(fd uintptr) { _ = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_REUSEADDR, 0) })
		}}
		if ln, err := lc.Listen(context.Background(), "tcp", fmt.Sprintf("127.0.0.1:%d", p+1)); err == nil {
			ln.Close()
			return p
		}
	}
	t.Fatal("no free port for baresip")
	return 0
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// Command sends one ctrl_tcp command ("dial", "hangup", "sndcode", ...).
func (b *Baresip) Command(cmd, params string) error {
	msg, _ := json.Marshal(map[string]string{"command": cmd, "params": params, "token": cmd})
	b.mu.Lock()
	defer b.mu.Unlock()
	_ = b.conn.SetWriteDeadline(time.Now().Add(2 * time.Second))
	_, err := fmt.Fprintf(b.conn, "%d:%s,", len(msg), msg)
	return err
}

// Dial calls uri, e.g. "sip:6000@127.0.0.1:5060".
func (b *Baresip) Dial(uri string) error { return b.Command("dial", uri) }

// SendDTMF sends keys one by one (as configured: RFC 4733 by default).
func (b *Baresip) SendDTMF(keys string) error {
	for _, k := range keys {
		if err := b.Command("sndcode", string(k)); err != nil {
			return err
		}
		time.Sleep(250 * time.Millisecond)
	}
	return nil
}

// Hangup ends the current call.
func (b *Baresip) Hangup() error { return b.Command("hangup", "") }

// WaitEvent waits for an event whose "type" is typ (e.g. "CALL_ESTABLISHED",
// "REGISTER_OK", "CALL_CLOSED").
func (b *Baresip) WaitEvent(typ string, d time.Duration) (map[string]any, error) {
	timer := time.NewTimer(d)
	defer timer.Stop()
	for {
		select {
		case ev, ok := <-b.eventCh:
			if !ok {
				return nil, fmt.Errorf("baresip exited waiting for %s", typ)
			}
			if ev["type"] == typ {
				return ev, nil
			}
		case <-timer.C:
			return nil, fmt.Errorf("no %s event after %v", typ, d)
		}
	}
}

// readEvents parses netstrings from ctrl_tcp.
func (b *Baresip) readEvents() {
	defer close(b.eventCh)
	r := bufio.NewReader(b.conn)
	for {
		lenStr, err := r.ReadString(':')
		if err != nil {
			return
		}
		n, err := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(lenStr, ":")))
		if err != nil || n < 0 || n > 1<<20 {
			return
		}
		buf := make([]byte, n+1)
		if _, err := ioReadFull(r, buf); err != nil {
			return
		}
		var m map[string]any
		if json.Unmarshal(buf[:n], &m) == nil && m["event"] == true {
			select {
			case b.eventCh <- m:
			default:
			}
		}
	}
}

func ioReadFull(r *bufio.Reader, buf []byte) (int, error) {
	n := 0
	for n < len(buf) {
		m, err := r.Read(buf[n:])
		n += m
		if err != nil {
			return n, err
		}
	}
	return n, nil
}
