package asterisk_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/atiende/atiende/ivr"
	"github.com/atiende/atiende/ivr/asterisk/asterisklab"
	"github.com/atiende/atiende/ivr/sipengine/sippeer"
)

// A phone's registrations on Asterisk, as the history records them (a
// status that differs from the one before in state, contact, user agent
// or reason is a row): each registration is one row that already has its
// contact and user agent, not a row without the user agent and another
// with it. A phone that dies and registers again from another address
// (deploy/asterisk's remove_existing drops the old contact) goes
// registered, unreachable, registered: no "unregistered", no registration
// without a contact, in between.
func TestRealExtensionRegistrationRows(t *testing.T) {
	if testing.Short() {
		t.Skip("waits for a qualify timeout (about 20 s)")
	}
	a := asterisklab.Start(t, asterisklab.Options{})
	eng := serveReal(t, realConfig(a), ivr.HandlerFunc(func(ctx context.Context, c ivr.Call) {}))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	w := eng.WatchExtensions(ctx)
	var rows []ivr.ExtensionStatus
	next := func(d time.Duration, want ivr.ExtState) bool {
		timeout := time.After(d)
		for {
			select {
			case st := <-w:
				if st.Extension != "1001" {
					continue
				}
				if n := len(rows); n == 0 || rows[n-1].State != st.State || rows[n-1].Contact != st.Contact ||
					rows[n-1].UserAgent != st.UserAgent || rows[n-1].Reason != st.Reason {
					rows = append(rows, st)
				}
				if st.State == want {
					return true
				}
			case <-timeout:
				return false
			}
		}
	}
	start := func() *sippeer.Baresip {
		return sippeer.StartBaresip(t, sippeer.BaresipConfig{Account: "1001", Password: "1001", Registrar: a.SIPAddr(), AutoAnswer: true})
	}
	phone := start()
	if !next(15*time.Second, ivr.ExtRegistered) {
		t.Fatalf("1001 never registered: %+v", rows)
	}
	time.Sleep(2 * time.Second) // the user agent, read after the registration, and the qualify's RTT
	phone.Kill()
	if !next(30*time.Second, ivr.ExtUnreachable) {
		t.Fatalf("1001 never unreachable: %+v", rows)
	}
	start() // another process: another port, another contact
	if !next(15*time.Second, ivr.ExtRegistered) {
		t.Fatalf("1001 never registered again: %+v", rows)
	}
	time.Sleep(2 * time.Second)
	next(0, "") // what came meanwhile
	var states []string
	for _, st := range rows {
		states = append(states, string(st.State))
		if st.State == ivr.ExtRegistered && (st.Contact == "" || !strings.HasPrefix(st.UserAgent, "baresip")) {
			t.Errorf("a registration announced without its contact or user agent: %+v", st)
		}
	}
	if got := strings.Join(states, " "); got != "registered unreachable registered" {
		t.Errorf("1001 went %q, want %q", got, "registered unreachable registered")
	}
	if len(rows) == 3 && rows[0].Contact == rows[2].Contact {
		t.Errorf("the second phone has the first one's contact %s", rows[0].Contact)
	}
	for _, st := range rows {
		t.Logf("%s %s %q rtt %v reason %q", st.State, st.Contact, st.UserAgent, st.RTT, st.Reason)
	}
}
