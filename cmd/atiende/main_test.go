package main

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/atiende/atiende/tickets/postgres/pgtest"
)

func TestMain(m *testing.M) {
	if os.Getenv(runAsAtiende) == "1" {
		main() // the test binary stands in for bin/atiende (see atiendeBinary)
	}
	pgtest.Main(m)
}

// TestRunLikeMakeRun does what `make run` does, on free ports: migrate, load
// the demo data (twice: it must be harmless), serve, and answer /healthz.
func TestRunLikeMakeRun(t *testing.T) {
	env := map[string]string{
		"ATIENDE_DATABASE_URL":   pgtest.DB(t),
		"ATIENDE_HTTP_ADDR":      "127.0.0.1:0",
		"ATIENDE_SIP_ADDR":       "127.0.0.1:0",
		"ATIENDE_ADMIN_PASSWORD": "admin-password",
		"ATIENDE_LOG_LEVEL":      "warn",
	}
	getenv := func(k string) string { return env[k] }
	for _, cmd := range []string{"migrate", "demo-data", "demo-data"} {
		var out, errb strings.Builder
		if code := Main(context.Background(), []string{cmd, "-config", "../../deploy/demo.yml"}, getenv, &out, &errb); code != 0 {
			t.Fatalf("%s exited %d: %s", cmd, code, errb.String())
		}
	}

	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	done := make(chan int, 1)
	go func() {
		done <- Main(ctx, []string{"serve", "-config", "../../deploy/demo.yml"}, getenv, pw, io.Discard)
		pw.Close()
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case <-done:
		case <-time.After(30 * time.Second):
			t.Error("serve did not stop within 30 s of cancel")
		}
	})
	base := ""
	sc := bufio.NewScanner(pr)
	for sc.Scan() {
		if addr, ok := strings.CutPrefix(sc.Text(), "listening on "); ok {
			base = addr
			break
		}
	}
	go func() { _, _ = io.Copy(io.Discard, pr) }()
	if base == "" {
		t.Fatal("serve never said where it listens")
	}

	get := func(c *http.Client, path string) (int, string) {
		t.Helper()
		resp, err := c.Get(base + path)
		if err != nil {
			t.Fatalf("GET %s: %v", path, err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if code, body := get(http.DefaultClient, "/healthz"); code != 200 {
		t.Fatalf("/healthz: %d %s", code, body)
	}
	// Ready once the engine listens (it encodes the prompts first).
	var code int
	var body string
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		if code, body = get(http.DefaultClient, "/readyz"); code == 200 || time.Now().After(deadline) {
			break
		}
	}
	if code != 200 {
		t.Fatalf("/readyz: %d %s", code, body)
	}

	if code, body := get(http.DefaultClient, "/metrics"); code != 200 || !strings.Contains(body, `atiende_engine_up{engine="sip"} 1`) {
		t.Fatalf("/metrics: %d, engine_up missing in:\n%.2000s", code, body)
	}
	if _, body := get(http.DefaultClient, "/metrics"); !strings.Contains(body, `atiende_engine_bad_messages_total{engine="sip",reason="unparsable"} 0`) {
		t.Errorf("/metrics lacks the SIP edge's counters")
	}

	if code, body := get(http.DefaultClient, "/"); code != 200 || !strings.Contains(body, "<html") {
		t.Fatalf("/ (login page): %d %.300s", code, body)
	}

	// The demo data is there: a demo agent logs in and sees the demo tickets.
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar}
	resp, err := c.Post(base+"/api/v1/login", "application/json", strings.NewReader(`{"username":"ana","password":"`+DemoPassword+`"}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("demo login: %d", resp.StatusCode)
	}
	code, body = get(c, "/api/v1/tickets?limit=100")
	if code != 200 {
		t.Fatalf("tickets: %d %s", code, body)
	}
	var list struct {
		Items []struct {
			Number string `json:"number"`
		} `json:"items"`
		Total int `json:"total"`
	}
	if err := json.Unmarshal([]byte(body), &list); err != nil {
		t.Fatal(err)
	}
	if list.Total != len(demoTickets) {
		t.Fatalf("demo tickets: %d, want %d (loading twice must not duplicate)", list.Total, len(demoTickets))
	}
}

func TestCheckConfigAndVersion(t *testing.T) {
	var out, errb strings.Builder
	if code := Main(context.Background(), []string{"check-config", "-config", "../../deploy/demo.yml"}, noEnv, &out, &errb); code != 0 {
		t.Fatalf("demo config refused: %s", errb.String())
	}
	out.Reset()
	errb.Reset()
	if code := Main(context.Background(), []string{"check-config", "-config", "testdata/invalid-unknown-key.yml"}, noEnv, &out, &errb); code != 1 ||
		!strings.Contains(errb.String(), "adress") {
		t.Fatalf("bad config: code %d, %q", code, errb.String())
	}
	out.Reset()
	if code := Main(context.Background(), []string{"version"}, noEnv, &out, &errb); code != 0 || !strings.HasPrefix(out.String(), "atiende ") {
		t.Fatalf("version: %d %q", code, out.String())
	}
}
