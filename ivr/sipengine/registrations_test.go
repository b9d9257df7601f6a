package sipengine

import (
	"context"
	"fmt"
	"maps"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/atiende/atiende/ivr"
	"github.com/atiende/atiende/ivr/sipengine/sippeer"
)

// memRegistrations is a RegistrationStore in memory (cmd wires PostgreSQL).
type memRegistrations struct {
	mu sync.Mutex
	m  map[string]Registration
}

func (s *memRegistrations) LoadRegistrations(_ context.Context, now time.Time) ([]Registration, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Registration
	for _, r := range s.m {
		if r.Expires.After(now) {
			out = append(out, r)
		}
	}
	return out, nil
}

func (s *memRegistrations) SaveRegistration(_ context.Context, r Registration) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.m[r.Extension] = r
	return nil
}

func (s *memRegistrations) DeleteRegistration(_ context.Context, ext string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.m, ext)
	return nil
}

func (s *memRegistrations) get() map[string]Registration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return maps.Clone(s.m)
}

// TestRegistrationsAreSaved: a REGISTER saves the binding (contact, source,
// transport, user agent, expiry); the REGISTER with expires 0 deletes it.
func TestRegistrationsAreSaved(t *testing.T) {
	store := &memRegistrations{m: map[string]Registration{}}
	cfg := testConfig(t)
	cfg.Registrations = store
	e := startEngine(t, cfg, nil)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	events := e.WatchExtensions(ctx)
	s := sippeer.StartSipp(t, sippeer.SippOptions{
		Scenario: "testdata/agent_register.xml", Remote: e.Addr().String(),
		Keys: []string{"agent=1001", "uas_port=" + strconv.Itoa(sippeer.FreePort(t))},
		Args: []string{"-au", "1001", "-ap", "secret1", "-m", "1", "-d", "1500"},
	})
	st := waitStatus(t, events, "1001", ivr.ExtRegistered, 5*time.Second)
	var r Registration
	if !waitUntil(2*time.Second, func() bool { r = store.get()["1001"]; return r.Contact != "" }) {
		t.Fatalf("1001 registered (%+v) but not saved", st)
	}
	if r.Contact != st.Contact || r.UserAgent != "sipp-agent-1001" || r.Transport != "udp" || r.Source != fmt.Sprintf("127.0.0.1:%d", s.Port) ||
		time.Until(r.Expires) < 30*time.Second {
		t.Errorf("saved %+v (status %+v)", r, st)
	}
	waitStatus(t, events, "1001", ivr.ExtUnregistered, 5*time.Second)
	if !waitUntil(2*time.Second, func() bool { return len(store.get()) == 0 }) {
		t.Errorf("after unregistering, saved: %+v", store.get())
	}
	if err := s.Wait(10 * time.Second); err != nil {
		t.Fatalf("sipp: %v", err)
	}
}

// TestRegistrationsRestored: an engine starting on saved registrations puts
// back the unexpired ones of its extensions, qualifies them at once (a live
// phone: registered, "qualify ok"; a dead one: unreachable) and leaves them
// saved when it stops.
func TestRegistrationsRestored(t *testing.T) {
	phone := sippeer.StartBaresip(t, sippeer.BaresipConfig{Account: "1002"}) // no registrar: it only answers
	dead := sippeer.FreePort(t)
	in := time.Now().Add(time.Hour)
	store := &memRegistrations{m: map[string]Registration{
		"1002": {Extension: "1002", Contact: fmt.Sprintf("sip:1002@127.0.0.1:%d", phone.SIPPort), Transport: "udp", UserAgent: "baresip", Expires: in},
		"1003": {Extension: "1003", Contact: fmt.Sprintf("sip:1003@127.0.0.1:%d", dead), Transport: "udp", Expires: in},
		"1001": {Extension: "1001", Contact: "sip:1001@127.0.0.1:5999", Expires: time.Now().Add(-time.Second)},
		"4444": {Extension: "4444", Contact: "sip:4444@127.0.0.1:5998", Expires: in}, // no longer configured
	}}
	cfg := testConfig(t)
	cfg.Registrations = store
	cfg.QualifyInterval = time.Hour // only the qualify at start
	cfg.QualifyTimeout = 2 * time.Second
	ctx, cancel := context.WithCancel(context.Background())
	e, err := New(cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	events := e.WatchExtensions(context.Background())
	done := make(chan error, 1)
	go func() { done <- e.Serve(ctx, ivr.HandlerFunc(func(context.Context, ivr.Call) {})) }()

	seen := map[string][]string{}
	deadline := time.After(10 * time.Second)
	for len(seen["1002"]) < 2 || len(seen["1003"]) < 2 {
		select {
		case st := <-events:
			seen[st.Extension] = append(seen[st.Extension], string(st.State)+"/"+st.Reason)
		case <-deadline:
			t.Fatalf("statuses after 10 s: %v", seen)
		}
	}
	if fmt.Sprint(seen["1002"]) != "[registered/restored registered/qualify ok]" ||
		fmt.Sprint(seen["1003"]) != "[registered/restored unreachable/qualify timeout]" || len(seen["1001"]) != 0 {
		t.Errorf("statuses %v", seen)
	}
	exts, _ := e.Extensions(ctx)
	if exts[1].Extension != "1002" || exts[1].UserAgent != "baresip" || exts[1].Contact != store.get()["1002"].Contact {
		t.Errorf("1002: %+v", exts[1])
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	left := store.get()
	if _, ok := left["1002"]; !ok {
		t.Errorf("1002 deleted at shutdown: %v", left)
	}
	if _, ok := left["4444"]; ok {
		t.Errorf("4444 (not an extension) still saved: %v", left)
	}
}

func waitUntil(d time.Duration, cond func() bool) bool {
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(20 * time.Millisecond)
	}
	return true
}
