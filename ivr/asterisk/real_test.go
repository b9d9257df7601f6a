package asterisk_test

// Tests against a real Asterisk 22.10.1 (asterisklab: deploy/asterisk's
// configuration on free loopback ports) and real SIP peers (sipp).

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/atiende/atiende/ivr"
	"github.com/atiende/atiende/ivr/asterisk"
	"github.com/atiende/atiende/ivr/asterisk/asterisklab"
	"github.com/atiende/atiende/ivr/prompts"
	"github.com/atiende/atiende/ivr/sipengine/sippeer"
)

// realConfig is the engine's configuration for a lab Asterisk, with the
// defaults a deployment gets except where a test says otherwise.
func realConfig(a *asterisklab.Asterisk) asterisk.Config {
	return asterisk.Config{URL: a.URL(), User: asterisklab.User, Password: a.Password, App: asterisklab.App}
}

// serveReal runs an engine for cfg until the test ends and waits until it
// is Up.
func serveReal(t *testing.T, cfg asterisk.Config, h ivr.Handler) *asterisk.Engine {
	t.Helper()
	eng, err := asterisk.New(cfg, testLogger(t))
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- eng.Serve(ctx, h) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-served:
			if err != nil {
				t.Errorf("Serve: %v", err)
			}
		case <-time.After(15 * time.Second):
			t.Errorf("Serve did not return after cancel")
		}
	})
	waitFor(t, "engine up", eng.Up)
	return eng
}

// keysHandler answers, plays the welcome and reports every key received
// until quiet has passed without one after the first.
func keysHandler(t *testing.T, quiet time.Duration, got chan<- string) ivr.Handler {
	return ivr.HandlerFunc(func(ctx context.Context, c ivr.Call) {
		if err := c.Answer(ctx); err != nil {
			t.Errorf("answer: %v", err)
			return
		}
		keys := ""
		wait := time.NewTimer(20 * time.Second)
		defer func() { got <- keys }()
		for {
			select {
			case k := <-c.DTMF():
				keys += string(k)
				wait.Reset(quiet)
			case <-wait.C:
				return
			case <-ctx.Done():
				return
			}
		}
	})
}

// One press of 2 is one key 2 in the IVR: Asterisk must not deliver the
// caller's channel events a second time through the endpoint subscription.
// And the app receives only the events the engine acts on (the app's event
// filter): the call brings no ChannelVarset, PlaybackStarted or other
// unused event.
func TestRealDTMFOnce(t *testing.T) {
	a := asterisklab.Start(t, asterisklab.Options{})
	got := make(chan string, 1)
	eng := serveReal(t, realConfig(a), keysHandler(t, 3*time.Second, got))
	s := sippeer.StartSipp(t, sippeer.SippOptions{
		Scenario: "testdata/caller_key2.xml", Remote: a.SIPAddr(),
		Keys: []string{"caller=+15551230001"}, Args: []string{"-s", "6000", "-m", "1"},
	})
	select {
	case keys := <-got:
		if keys != "2" {
			t.Errorf("the IVR got keys %q for one press of 2, want %q", keys, "2")
		}
	case <-time.After(40 * time.Second):
		t.Fatal("no call reached the handler")
	}
	if err := s.Wait(20 * time.Second); err != nil {
		t.Errorf("sipp: %v", err)
	}
	a.CheckClean(t)
	if n := eng.UnusedEvents(); n != 0 {
		t.Errorf("the app received %d events it does not use: the event filter is not applied", n)
	}
}

// An agent's key is one key too: the agent's channel belongs to a
// subscribed extension, so Asterisk sends its events twice.
func TestRealAgentDTMFOnce(t *testing.T) {
	a := asterisklab.Start(t, asterisklab.Options{})
	eng := serveReal(t, realConfig(a), ivr.HandlerFunc(func(ctx context.Context, c ivr.Call) {}))
	phone := sippeer.StartBaresip(t, sippeer.BaresipConfig{Account: "1001", Password: "1001", Registrar: a.SIPAddr(), AutoAnswer: true})
	waitFor(t, "1001 registered", func() bool { return extState(t, eng, "1001") == ivr.ExtRegistered })
	ctx := ctxT(t)
	c, err := eng.Dial(ctx, "1001", ivr.DialOptions{Timeout: 10 * time.Second})
	if err != nil {
		t.Fatalf("dial 1001: %v", err)
	}
	if _, err := phone.WaitEvent("CALL_ESTABLISHED", 10*time.Second); err != nil {
		t.Fatal(err)
	}
	time.Sleep(300 * time.Millisecond)
	if err := phone.SendDTMF("1"); err != nil {
		t.Fatal(err)
	}
	keys := ""
	quiet := time.After(4 * time.Second)
collect:
	for {
		select {
		case k := <-c.DTMF():
			keys += string(k)
		case <-quiet:
			break collect
		}
	}
	if keys != "1" {
		t.Errorf("one press of 1 on the agent's phone gave keys %q", keys)
	}
	if err := c.Hangup(ctx, ivr.CauseNormal); err != nil {
		t.Errorf("hang up: %v", err)
	}
	a.CheckClean(t)
}

func extState(t *testing.T, eng *asterisk.Engine, ext string) ivr.ExtState {
	t.Helper()
	exts, err := eng.Extensions(ctxT(t))
	if err != nil {
		t.Fatal(err)
	}
	for _, st := range exts {
		if st.Extension == ext {
			return st.State
		}
	}
	return ""
}

// A burst of requests stays within the configured number of connections:
// none is refused by Asterisk's sessionlimit, and the connections are
// kept for the next burst instead of being closed (a TIME-WAIT socket
// each).
func TestRealRESTSessionLimit(t *testing.T) {
	a := asterisklab.Start(t, asterisklab.Options{Extra: map[string]string{"http.conf": "sessionlimit = 6\n"}})
	cfg := realConfig(a)
	cfg.MaxConns = 4 // + the websocket: 5 sessions
	eng := serveReal(t, cfg, ivr.HandlerFunc(func(ctx context.Context, c ivr.Call) {}))
	tw0 := timeWait(t, a.HTTPPort)
	const workers, rounds = 40, 5
	for r := range rounds {
		errs := make(chan error, workers)
		for range workers {
			go func() {
				_, err := eng.Extensions(context.Background())
				errs <- err
			}()
		}
		failed := 0
		for range workers {
			if err := <-errs; err != nil {
				if failed == 0 {
					t.Errorf("round %d: %v", r, err)
				}
				failed++
			}
		}
		if failed > 0 {
			t.Errorf("round %d: %d of %d requests failed", r, failed, workers)
		}
	}
	tw := timeWait(t, a.HTTPPort) - tw0
	t.Logf("%d requests in bursts of %d: %d sockets left in TIME-WAIT", workers*rounds, workers, tw)
	if tw > cfg.MaxConns {
		t.Errorf("%d sockets in TIME-WAIT after %d requests on %d connections", tw, workers*rounds, cfg.MaxConns)
	}
	if !eng.Up() {
		t.Error("engine down after the bursts")
	}
}

// ATIENDE_ARI_URL with or without /ari reaches ARI; anything else that
// answers is refused at start, naming the URL and what answered.
func TestRealARIURL(t *testing.T) {
	a := asterisklab.Start(t, asterisklab.Options{})
	web := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		_, _ = w.Write([]byte("<html><body>Intranet</body></html>"))
	}))
	t.Cleanup(web.Close)
	base := fmt.Sprintf("http://127.0.0.1:%d", a.HTTPPort)
	cases := []struct {
		url, password string
		refused       []string // what the error names; nil: accepted
	}{
		{base, "", nil},
		{base + "/", "", nil},
		{base + "/ari", "", nil},
		{base + "/ari/", "", nil},
		{base + "/asterisk", "", []string{base + "/asterisk", "404"}},
		{base + "/ari", "wrong", []string{base + "/ari", "401", "refused"}},
		{web.URL, "", []string{web.URL, "200 OK", "Intranet"}},
	}
	for _, tc := range cases {
		cfg := realConfig(a)
		cfg.URL = tc.url
		if tc.password != "" {
			cfg.Password = tc.password
		}
		eng, err := asterisk.New(cfg, testLogger(t))
		if err != nil {
			t.Fatal(err)
		}
		err = eng.Probe(ctxT(t))
		switch {
		case tc.refused == nil && err != nil:
			t.Errorf("%s: refused: %v", tc.url, err)
		case tc.refused != nil && !errors.Is(err, asterisk.ErrNotARI):
			t.Errorf("%s (password %q): accepted or not ErrNotARI: %v", tc.url, tc.password, err)
		case tc.refused != nil:
			for _, want := range tc.refused {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("%s: error %q does not say %q", tc.url, err, want)
				}
			}
		}
	}
	// Without /ari, the engine serves calls: REST and the websocket both
	// reach ARI.
	cfg := realConfig(a)
	cfg.URL = base
	eng := serveReal(t, cfg, ivr.HandlerFunc(func(ctx context.Context, c ivr.Call) {}))
	if st := extState(t, eng, "1001"); st != ivr.ExtUnregistered {
		t.Errorf("1001 is %q, want unregistered", st)
	}
	// Nothing answering is not a configuration error: Asterisk may start
	// later.
	cfg.URL = "http://127.0.0.1:1"
	eng, err := asterisk.New(cfg, testLogger(t))
	if err != nil {
		t.Fatal(err)
	}
	if err := eng.Probe(ctxT(t)); err == nil || errors.Is(err, asterisk.ErrNotARI) {
		t.Errorf("nothing at the URL: %v, want a not-answering error", err)
	}
}

// After an outage longer than the former 30 s backoff could reach, a new
// call is taken promptly once Asterisk is back (the backoff is capped at
// ReconnectMax, 1 s by default; the test allows more for a loaded machine).
func TestRealReconnectAfterOutage(t *testing.T) {
	if testing.Short() {
		t.Skip("a 20 s outage")
	}
	a := asterisklab.Start(t, asterisklab.Options{})
	got := make(chan string, 1)
	eng := serveReal(t, realConfig(a), keysHandler(t, 2*time.Second, got))
	a.Stop()
	waitFor(t, "engine down", func() bool { return !eng.Up() })
	time.Sleep(20 * time.Second)
	a.Start() // returns once ARI answers
	back := time.Now()
	deadline := time.Now().Add(6 * time.Second)
	for !eng.Up() {
		if time.Now().After(deadline) {
			t.Fatalf("engine not up %v after Asterisk came back", time.Since(back).Round(time.Millisecond))
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Logf("engine up %v after ARI answered again", time.Since(back).Round(time.Millisecond))
	s := sippeer.StartSipp(t, sippeer.SippOptions{
		Scenario: "testdata/caller_key2.xml", Remote: a.SIPAddr(),
		Keys: []string{"caller=+15551230001"}, Args: []string{"-s", "6000", "-m", "1"},
	})
	select {
	case keys := <-got:
		if keys != "2" {
			t.Errorf("keys %q after the outage, want 2", keys)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("the call after the outage did not reach the handler")
	}
	if err := s.Wait(20 * time.Second); err != nil {
		t.Errorf("sipp: %v", err)
	}
	a.CheckClean(t)
}

// A phone's status on Asterisk: registered with its contact, user agent
// and qualify round trip, announced once; when it dies without
// unregistering, unreachable, with no "unregistered" in between; a new
// engine (a restart) reads the same from Asterisk's registrar.
func TestRealExtensionStatus(t *testing.T) {
	if testing.Short() {
		t.Skip("waits for a qualify timeout (about 20 s)")
	}
	a := asterisklab.Start(t, asterisklab.Options{})
	eng := serveReal(t, realConfig(a), ivr.HandlerFunc(func(ctx context.Context, c ivr.Call) {}))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	w := eng.WatchExtensions(ctx)
	var seen []ivr.ExtensionStatus
	next := func(d time.Duration, cond func(ivr.ExtensionStatus) bool) (ivr.ExtensionStatus, bool) {
		timeout := time.After(d)
		for {
			select {
			case st := <-w:
				if st.Extension != "1001" {
					continue
				}
				seen = append(seen, st)
				if cond(st) {
					return st, true
				}
			case <-timeout:
				return ivr.ExtensionStatus{}, false
			}
		}
	}
	phone := sippeer.StartBaresip(t, sippeer.BaresipConfig{Account: "1001", Password: "1001", Registrar: a.SIPAddr(), AutoAnswer: true})
	st, ok := next(15*time.Second, func(st ivr.ExtensionStatus) bool {
		return st.State == ivr.ExtRegistered && st.UserAgent != "" && st.RTT > 0
	})
	if !ok {
		t.Fatalf("1001 never registered with user agent and RTT: %+v", seen)
	}
	if !strings.Contains(st.Contact, "1001") || !strings.HasPrefix(st.UserAgent, "baresip") {
		t.Errorf("registered %+v", st)
	}
	t.Logf("registered: contact %s, user agent %q, RTT %v", st.Contact, st.UserAgent, st.RTT)

	phone.Kill() // no unregister: qualify fails after up to 15 + 3 s
	if _, ok := next(30*time.Second, func(st ivr.ExtensionStatus) bool { return st.State == ivr.ExtUnreachable }); !ok {
		t.Fatalf("1001 never unreachable: %+v", seen)
	}
	var states []string
	for i, st := range seen {
		if n := len(states); n == 0 || states[n-1] != string(st.State) {
			states = append(states, string(st.State))
		}
		if p := seen[max(i-1, 0)]; i > 0 && p.State == st.State && p.Contact == st.Contact && p.UserAgent == st.UserAgent &&
			p.Reason == st.Reason && p.RTT == st.RTT {
			t.Errorf("a status announced twice (a duplicate history row): %+v", st)
		}
	}
	if got := strings.Join(states, " "); got != "registered unreachable" {
		t.Errorf("1001 went %q, want %q (statuses %+v)", got, "registered unreachable", seen)
	}
	// What a restarted Atiende reads from Asterisk: still unreachable.
	eng2 := serveReal(t, realConfig(a), ivr.HandlerFunc(func(ctx context.Context, c ivr.Call) {}))
	exts, err := eng2.Extensions(ctxT(t))
	if err != nil {
		t.Fatal(err)
	}
	for _, x := range exts {
		if x.Extension == "1001" && (x.State != ivr.ExtUnreachable || x.Contact != st.Contact || x.UserAgent != st.UserAgent) {
			t.Errorf("after a restart 1001 is %+v, want unreachable at %s (%s)", x, st.Contact, st.UserAgent)
		}
	}
}

// A recording uploaded to replace the welcome plays on Asterisk: the
// engine writes it where Asterisk reads sounds and plays that file.
func TestRealUploadedAnnouncement(t *testing.T) {
	a := asterisklab.Start(t, asterisklab.Options{})
	overlay := ivr.NewPromptOverlay(prompts.FS, nil)
	tone := make([]byte, 2*4800) // 0.6 s, 400 Hz
	for i := range 4800 {
		v := int16(8000 * math.Sin(2*math.Pi*400*float64(i)/8000))
		binary.LittleEndian.PutUint16(tone[2*i:], uint16(v))
	}
	overlay.Set([]ivr.CustomPrompt{{Announcement: ivr.Announcement{ID: 7, Language: "es", Prompt: "welcome",
		Enabled: true, CreatedAt: time.Now().Add(-time.Minute)}, PCM: tone}})
	cfg := realConfig(a)
	cfg.Prompts = overlay
	cfg.SoundsDir = filepath.Join(a.Dir, "data", "sounds") // astdatadir/sounds of the lab
	played := make(chan error, 1)
	serveReal(t, cfg, ivr.HandlerFunc(func(ctx context.Context, c ivr.Call) {
		if err := c.Answer(ctx); err != nil {
			played <- err
			return
		}
		played <- c.Play(ctx, ivr.Prompt{Sound: "es/welcome"})
	}))
	s := sippeer.StartSipp(t, sippeer.SippOptions{
		Scenario: "testdata/caller_wait_bye.xml", Remote: a.SIPAddr(),
		Keys: []string{"caller=+15551230001"}, Args: []string{"-s", "6000", "-m", "1"},
	})
	select {
	case err := <-played:
		if err != nil {
			t.Fatalf("play: %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("no call reached the handler")
	}
	files, _ := filepath.Glob(filepath.Join(cfg.SoundsDir, "atiende-custom", "*.wav"))
	if len(files) != 1 {
		t.Fatalf("recordings written: %v", files)
	}
	want := "Playing 'atiende-custom/" + strings.TrimSuffix(filepath.Base(files[0]), ".wav")
	if log := a.Log(); !strings.Contains(log, want) {
		t.Errorf("Asterisk did not play the upload (%q not in its log)", want)
	}
	if err := s.Wait(20 * time.Second); err != nil {
		t.Errorf("sipp: %v", err)
	}
	a.CheckClean(t)
}
