// Package smtptest runs a real SMTP sink for tests: mailpit, started with
// `go run github.com/axllent/mailpit@v1.27.11`, read through its HTTP API.
package smtptest

import (
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"syscall"
	"testing"
	"time"
)

// Module is the mailpit version the tests run.
const Module = "github.com/axllent/mailpit@v1.27.11"

// Mailpit is a running mailpit.
type Mailpit struct {
	SMTPAddr string // 127.0.0.1:port
	APIURL   string // http://127.0.0.1:port
	cmd      *exec.Cmd
}

// FreePort returns a loopback TCP port that was free a moment ago.
func FreePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// Start runs mailpit with SMTP on smtpPort (0: a free one) and stops it when
// t ends. Without the go command or the module the test is skipped, except
// under CI=true.
func Start(t testing.TB, smtpPort int) *Mailpit {
	t.Helper()
	if smtpPort == 0 {
		smtpPort = FreePort(t)
	}
	apiPort := FreePort(t)
	m := &Mailpit{SMTPAddr: "127.0.0.1:" + strconv.Itoa(smtpPort), APIURL: "http://127.0.0.1:" + strconv.Itoa(apiPort)}
	cmd := exec.Command("go", "run", Module, "--smtp", m.SMTPAddr, "--listen", "127.0.0.1:"+strconv.Itoa(apiPort),
		"--disable-version-check", "--quiet", "--database", t.TempDir()+"/mailpit.db")
	cmd.Dir = os.TempDir() // outside the module: `go run pkg@version` ignores go.mod
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true} // go run's child dies with it
	if err := cmd.Start(); err != nil {
		skipOrFail(t, "start mailpit: %v", err)
	}
	m.cmd = cmd
	t.Cleanup(m.Stop)
	deadline := time.Now().Add(120 * time.Second) // first run compiles mailpit
	for {
		if r, err := http.Get(m.APIURL + "/api/v1/info"); err == nil {
			r.Body.Close()
			if c, err := net.Dial("tcp", m.SMTPAddr); err == nil {
				c.Close()
				return m
			}
		}
		if time.Now().After(deadline) {
			m.Stop()
			skipOrFail(t, "mailpit did not start within 120s (module proxy or build failure?)")
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func skipOrFail(t testing.TB, format string, args ...any) {
	t.Helper()
	if os.Getenv("CI") == "true" {
		t.Fatalf("smtptest: "+format, args...)
	}
	t.Skipf("smtptest: "+format, args...)
}

// Stop kills mailpit and the go command that runs it.
func (m *Mailpit) Stop() {
	if m.cmd == nil || m.cmd.Process == nil {
		return
	}
	_ = syscall.Kill(-m.cmd.Process.Pid, syscall.SIGKILL)
	_ = m.cmd.Wait()
	m.cmd = nil
}

// Message is one received email as mailpit's API reports it.
type Message struct {
	ID        string
	MessageID string
	Subject   string
	From      Address
	To        []Address
	Text      string
	HTML      string
}

// Address is a mailbox.
type Address struct{ Name, Address string }

// Messages returns every received message, newest first, with its bodies.
func (m *Mailpit) Messages(t testing.TB) []Message {
	t.Helper()
	var list struct{ Messages []Message }
	m.get(t, "/api/v1/messages?limit=500", &list)
	out := make([]Message, 0, len(list.Messages))
	for _, s := range list.Messages {
		var full Message
		m.get(t, "/api/v1/message/"+s.ID, &full)
		out = append(out, full)
	}
	return out
}

// WaitMessages waits until at least n messages arrived and returns them.
func (m *Mailpit) WaitMessages(t testing.TB, n int, timeout time.Duration) []Message {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		msgs := m.Messages(t)
		if len(msgs) >= n || time.Now().After(deadline) {
			return msgs
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func (m *Mailpit) get(t testing.TB, path string, v any) {
	t.Helper()
	r, err := http.Get(m.APIURL + path)
	if err != nil {
		t.Fatalf("mailpit %s: %v", path, err)
	}
	defer r.Body.Close()
	if r.StatusCode != http.StatusOK {
		t.Fatalf("mailpit %s: %s", path, r.Status)
	}
	if err := json.NewDecoder(r.Body).Decode(v); err != nil {
		t.Fatalf("mailpit %s: %v", path, fmt.Errorf("decode: %w", err))
	}
}
