package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/atiende/atiende/escalation/smtp/smtptest"
	"github.com/atiende/atiende/ivr/sipengine/sippeer"
	"github.com/atiende/atiende/tickets/postgres/pgtest"
)

// demoConfigJSON is deploy/demo.yml with JSON logs, this process's RTP
// range, an SMTP relay port nobody listens on and its escalation file by
// absolute path.
func demoConfigJSON(t testing.TB) string {
	t.Helper()
	b, err := os.ReadFile("../../deploy/demo.yml")
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	lo, hi := rtpRange(t)
	esc, _ := filepath.Abs("../../deploy/escalation-demo.yml")
	for old, repl := range map[string]string{
		"level: info\n":                     "level: info\n  format: json\n",
		"rtp_ports: 20000-29999":            fmt.Sprintf("rtp_ports: %d-%d", lo, hi),
		"127.0.0.1:1025":                    fmt.Sprintf("127.0.0.1:%d", smtptest.FreePort(t)),
		"file: escalation-demo.yml":         "file: " + esc,
		"public_url: http://127.0.0.1:8080": "public_url: http://127.0.0.1:18080",
	} {
		if !strings.Contains(s, old) {
			t.Fatalf("deploy/demo.yml has no %q", old)
		}
		s = strings.Replace(s, old, repl, 1)
	}
	path := filepath.Join(t.TempDir(), "demo.yml")
	if err := os.WriteFile(path, []byte(s), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestDemoDataNoDirectoryWarning: loading the demo with deploy/demo.yml
// warns about no escalation level without a contact.
func TestDemoDataNoDirectoryWarning(t *testing.T) {
	env := map[string]string{"ATIENDE_DATABASE_URL": pgtest.DB(t), "ATIENDE_ADMIN_PASSWORD": "admin-password"}
	var out, errb strings.Builder
	if code := Main(context.Background(), []string{"demo-data", "-config", "../../deploy/demo.yml"},
		func(k string) string { return env[k] }, &out, &errb); code != 0 {
		t.Fatalf("demo-data exited %d: %s", code, errb.String())
	}
	if s := out.String() + errb.String(); strings.Contains(s, "no contact") || strings.Contains(s, "escalation config") {
		t.Errorf("demo-data warns about the escalation directory:\n%s", s)
	}
}

// TestLogsAreJSONThroughACall runs `atiende serve` as a process with the
// demo configuration in JSON, takes a call through the menu to ana's
// baresip (long enough for RTCP reports both ways), stops it with SIGTERM,
// and reads its stderr: every line is one JSON object, the SIP and media
// libraries' included, and none is a clock-skew warning or a directory
// warning.
func TestLogsAreJSONThroughACall(t *testing.T) {
	sippeer.Need(t, "sipp")
	sippeer.Need(t, "baresip")
	dbURL := pgtest.DB(t)
	cfg := demoConfigJSON(t)
	sipAddr := fmt.Sprintf("127.0.0.1:%d", sippeer.FreePort(t))
	env := append(os.Environ(), runAsAtiende+"=1", "ATIENDE_DATABASE_URL="+dbURL, "ATIENDE_HTTP_ADDR=127.0.0.1:0",
		"ATIENDE_SIP_ADDR="+sipAddr, "ATIENDE_ADMIN_PASSWORD="+adminPassword)
	run := func(args ...string) *exec.Cmd {
		c := exec.Command(atiendeBinary(t), args...)
		c.Env = env
		return c
	}
	if out, err := run("demo-data", "-config", cfg).CombinedOutput(); err != nil {
		t.Fatalf("demo-data: %v\n%s", err, out)
	}

	logs := &logBuffer{max: 32 << 20}
	cmd := run("serve", "-config", cfg)
	cmd.Stderr = logs
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	base := make(chan string, 1)
	var stdoutLines []string
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			stdoutLines = append(stdoutLines, sc.Text())
			if addr, ok := strings.CutPrefix(sc.Text(), "listening on "); ok {
				base <- addr
			}
		}
		exited <- cmd.Wait()
	}()
	t.Cleanup(func() { _ = cmd.Process.Kill() })
	a := &atiende{t: t, SIPAddr: sipAddr, DBURL: dbURL, Logs: logs}
	select {
	case a.Base = <-base:
	case err := <-exited:
		t.Fatalf("serve exited: %v\n%s", err, tail(logs.String(), 4000))
	case <-time.After(60 * time.Second):
		t.Fatal("serve never said where it listens")
	}

	ana := sippeer.StartBaresip(t, sippeer.BaresipConfig{Account: "1001", Password: "demo1001", Registrar: sipAddr,
		AutoAnswer: true, Timeout: 120 * time.Second})
	if _, ok := a.waitLog(10*time.Second, `"msg":"extension status"`, `"extension":"1001"`, `"state":"registered"`); !ok {
		t.Fatalf("baresip did not register\n%s", ana.Output())
	}
	a.available(t, "ana")
	caller := a.startCaller(t, mariaPhone, keys(1500*time.Millisecond, 700*time.Millisecond, "112"), 0)
	if _, err := ana.WaitEvent("CALL_ESTABLISHED", 40*time.Second); err != nil {
		t.Fatalf("ana's phone: %v\ncaller: %s", err, caller.Output())
	}
	time.Sleep(12 * time.Second) // RTCP goes every 5 s
	if err := ana.Hangup(); err != nil {
		t.Fatal(err)
	}
	if err := caller.Wait(callerAfterAgentHangsUp); err != nil {
		t.Fatalf("caller: %v\n%s", err, caller.Output())
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case <-exited:
	case <-time.After(40 * time.Second):
		t.Fatal("serve did not stop within 40 s of SIGTERM")
	}

	lines := strings.Split(strings.TrimRight(logs.String(), "\n"), "\n")
	skew := regexp.MustCompile(`(?i)clock skew`)
	bad := 0
	for _, line := range lines {
		var rec map[string]any
		switch {
		case json.Unmarshal([]byte(line), &rec) != nil:
			t.Errorf("not a JSON log line: %.300s", line)
			bad++
		case skew.MatchString(line):
			t.Errorf("clock skew warning: %.300s", line)
			bad++
		case strings.Contains(line, "no contact for level"):
			t.Errorf("directory warning: %.300s", line)
			bad++
		}
		if bad >= 10 {
			break
		}
	}
	if len(lines) < 20 || !strings.Contains(logs.String(), `"msg":"bridged"`) {
		t.Errorf("%d log lines, no bridged call in them", len(lines))
	}
	for _, l := range stdoutLines {
		if !strings.HasPrefix(l, "listening on ") {
			t.Errorf("stdout: %q", l)
		}
	}
}
