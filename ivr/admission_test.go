package ivr_test

import (
	"context"
	"runtime"
	"sync"
	"testing"

	"github.com/atiende/atiende/ivr"
	"github.com/atiende/atiende/ivr/ivrtest"
)

// At the limit a new call is hung up with CauseCongestion and never reaches
// the handler; the calls in progress are not touched; a call that ends
// frees its place.
func TestAdmissionShedsPastTheLimit(t *testing.T) {
	a := ivr.NewAdmission(2)
	release := make(chan struct{})
	var mu sync.Mutex
	handled := 0
	h := a.Handler(ivr.HandlerFunc(func(ctx context.Context, c ivr.Call) {
		mu.Lock()
		handled++
		mu.Unlock()
		<-release
	}))
	var wg sync.WaitGroup
	calls := []*ivrtest.Call{ivrtest.NewCall("c1", ivr.Party{Number: "5551"}, "6000"), ivrtest.NewCall("c2", ivr.Party{Number: "5552"}, "6000")}
	for _, c := range calls {
		wg.Add(1)
		go func() { defer wg.Done(); h.HandleCall(context.Background(), c) }()
	}
	for a.Counts().Active < 2 { // both in the handler
		runtime.Gosched()
	}
	third := ivrtest.NewCall("c3", ivr.Party{Number: "5553"}, "6000")
	h.HandleCall(context.Background(), third)
	if got := cause(third); got != ivr.CauseCongestion {
		t.Errorf("third call hung up with %q, want %q", got, ivr.CauseCongestion)
	}
	if c := a.Counts(); c.Shed != 1 || c.Active != 2 || c.Limit != 2 {
		t.Errorf("counts %+v, want 1 shed, 2 active, limit 2", c)
	}
	close(release)
	wg.Wait()
	for _, c := range calls {
		if got := cause(c); got != "" {
			t.Errorf("call %s in progress was hung up (%q)", c.ID(), got)
		}
	}
	fourth := ivrtest.NewCall("c4", ivr.Party{Number: "5554"}, "6000")
	h.HandleCall(context.Background(), fourth)
	if cause(fourth) != "" || handled != 3 || a.Counts().Active != 0 {
		t.Errorf("after the calls ended: cause %q, handled %d, counts %+v", cause(fourth), handled, a.Counts())
	}
}

func cause(c *ivrtest.Call) ivr.HangupCause {
	_, cause := c.HungUp()
	return cause
}
