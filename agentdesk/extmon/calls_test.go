package extmon_test

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/atiende/atiende/agentdesk/extmon"
	"github.com/atiende/atiende/ivr"
)

// The router's internal call activity shows in Extensions next to the
// registration state, and every change reaches OnCalls.
func TestInternalCallActivity(t *testing.T) {
	e := newEnv(t, time.Hour)
	e.set("1001", ivr.ExtRegistered, "registered")
	e.set("1002", ivr.ExtRegistered, "registered")
	var mu sync.Mutex
	var seen []ivr.ExtensionCalls
	m, err := extmon.New(e.cfg, extmon.Deps{Engine: e.eng, Store: e.db, Tickets: e.db,
		OnCalls: func(a ivr.ExtensionCalls) { mu.Lock(); seen = append(seen, a); mu.Unlock() }})
	if err != nil {
		t.Fatal(err)
	}
	var act ivr.CallActivity = m
	act.InternalCallStarted("1001", "1002")
	act.InternalCallStarted("1002", "1001")
	act.InternalCallStarted("1001", "") // a second call, to the help desk
	calls := func() map[string][]string {
		list, err := m.Extensions(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		out := map[string][]string{}
		for _, x := range list {
			if len(x.Calls) > 0 {
				out[x.Extension] = x.Calls
				if x.CallsSince == nil || x.CallsSince.IsZero() {
					t.Errorf("%s on calls with no start", x.Extension)
				}
			}
		}
		return out
	}
	got := calls()
	if !slices.Equal(got["1001"], []string{"1002", ""}) || !slices.Equal(got["1002"], []string{"1001"}) {
		t.Fatalf("calls %v", got)
	}
	act.InternalCallEnded("1001", "1002")
	act.InternalCallEnded("1002", "1001")
	act.InternalCallEnded("1002", "1001") // more ends than starts: ignored
	if got := calls(); !slices.Equal(got["1001"], []string{""}) || len(got) != 1 {
		t.Fatalf("calls after one ended %v", got)
	}
	act.InternalCallEnded("1001", "")
	if got := calls(); len(got) != 0 {
		t.Fatalf("calls after all ended %v", got)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(seen) != 6 {
		t.Fatalf("OnCalls saw %d changes, want 6: %+v", len(seen), seen)
	}
	last := seen[len(seen)-1]
	if last.Extension != "1001" || last.Peers == nil || len(last.Peers) != 0 {
		t.Errorf("last change %+v, want 1001 idle with an empty list", last)
	}
}
