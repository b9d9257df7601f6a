package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/atiende/atiende/ivr/asterisk/asterisklab"
	"github.com/atiende/atiende/tickets/postgres/pgtest"
)

// asteriskEnv runs Atiende on the lab Asterisk a, set up as
// deploy/asterisk/README.md says: uploaded recordings are written into
// Asterisk's sounds folder (astdatadir/sounds of the lab), so they play.
func asteriskEnv(a *asterisklab.Asterisk) map[string]string {
	return map[string]string{"ATIENDE_ENGINE": "asterisk", "ATIENDE_ARI_URL": a.URL(),
		"ATIENDE_ARI_USER": asterisklab.User, "ATIENDE_ARI_PASSWORD": a.Password, "ATIENDE_ARI_APP": asterisklab.App,
		"ATIENDE_ASTERISK_SOUNDS_DIR": filepath.Join(a.Dir, "data", "sounds")}
}

// readyEngine is /readyz's status code and its engine check.
func readyEngine(t *testing.T, a *atiende) (int, string) {
	t.Helper()
	resp, err := http.Get(a.Base + "/readyz")
	if err != nil {
		t.Fatalf("/readyz: %v", err)
	}
	defer resp.Body.Close()
	var body struct{ Checks map[string]string }
	_ = json.NewDecoder(resp.Body).Decode(&body)
	return resp.StatusCode, body.Checks["engine"]
}

// Asterisk stopped: /readyz fails naming the engine, the outage is
// counted; Asterisk back: ready again.
func TestAsteriskEngineDown(t *testing.T) {
	ast := asterisklab.Start(t, asterisklab.Options{})
	a := startAtiende(t, harnessOptions{Env: asteriskEnv(ast), NoDemoData: true}) // waits for /readyz 200
	if code, eng := readyEngine(t, a); code != 200 || eng != "ok" {
		t.Fatalf("/readyz %d engine %q with Asterisk up", code, eng)
	}
	if v := a.metric(t, "atiende_engine_down_total", `engine="asterisk"`); v != 0 {
		t.Errorf("atiende_engine_down_total %v before any outage", v)
	}
	time.Sleep(2 * engineWatchEvery) // the watcher has seen it up
	ast.Stop()
	if !waitFor(10*time.Second, func() bool { code, eng := readyEngine(t, a); return code == 503 && eng == "down" }) {
		code, eng := readyEngine(t, a)
		t.Fatalf("/readyz %d engine %q with Asterisk stopped, want 503 down", code, eng)
	}
	if !waitFor(5*time.Second, func() bool { return a.metric(t, "atiende_engine_down_total", `engine="asterisk"`) == 1 }) {
		t.Errorf("atiende_engine_down_total %v after one outage, want 1", a.metric(t, "atiende_engine_down_total", `engine="asterisk"`))
	}
	if v := a.metric(t, "atiende_engine_up", `engine="asterisk"`); v != 0 {
		t.Errorf("atiende_engine_up %v with Asterisk stopped", v)
	}
	if _, ok := a.findLog("telephony engine down"); !ok {
		t.Error("the outage is not logged")
	}
	ast.Start()
	if !waitFor(10*time.Second, func() bool { code, _ := readyEngine(t, a); return code == 200 }) {
		t.Fatal("/readyz not 200 after Asterisk came back")
	}
}

// An ATIENDE_ARI_URL where something other than ARI answers stops the
// start, with the URL and what answered.
func TestAsteriskURLRefusedAtStart(t *testing.T) {
	ast := asterisklab.Start(t, asterisklab.Options{})
	env := asteriskEnv(ast)
	env["ATIENDE_DATABASE_URL"] = pgtest.DB(t)
	env["ATIENDE_HTTP_ADDR"] = "127.0.0.1:0"
	bad := fmt.Sprintf("http://127.0.0.1:%d/asterisk", ast.HTTPPort)
	env["ATIENDE_ARI_URL"] = bad
	cfg := writeConfig(t, harnessOptions{})
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	var out, errb strings.Builder
	code := Main(ctx, []string{"serve", "-config", cfg}, func(k string) string { return env[k] }, &out, &errb)
	if code == 0 {
		t.Fatal("serve ran with a URL that is not ARI")
	}
	msg := errb.String()
	for _, want := range []string{bad, "404", "ATIENDE_ARI_URL"} {
		if !strings.Contains(msg, want) {
			t.Errorf("the error does not say %q:\n%s", want, tail(msg, 2000))
		}
	}
}
