package asterisk_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/atiende/atiende/ivr"
)

// Transcript 04: GET /endpoints/PJSIP, subscription to endpoint:PJSIP,
// register, unregister, qualify failure.
func TestExtensionStatus(t *testing.T) {
	r := newRig(t)
	ctx := ctxT(t)
	if len(r.srv.Find("POST /applications/atiende/subscription")) == 0 {
		t.Fatal("the app did not subscribe to endpoint:PJSIP")
	}
	exts, err := r.eng.Extensions(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(exts) != 4 || exts[0].Extension != "1001" || exts[0].State != ivr.ExtUnregistered {
		t.Fatalf("extensions %+v (the trunk must not be listed)", exts)
	}
	for _, e := range exts {
		if e.Reason != "" && !slices.Contains(ivr.ExtReasons, e.Reason) {
			t.Errorf("%s: reason %q is not one of ivr.ExtReasons, which the pages translate", e.Extension, e.Reason)
		}
	}
	wctx, cancel := context.WithCancel(ctx)
	w := r.eng.WatchExtensions(wctx)
	next := func(want ivr.ExtState) ivr.ExtensionStatus {
		t.Helper()
		for {
			select {
			case st := <-w:
				if st.State == want {
					return st
				}
			case <-time.After(5 * time.Second):
				t.Fatalf("no %s change", want)
			}
		}
	}
	r.srv.Register("1002")
	st := next(ivr.ExtRegistered)
	if st.Extension != "1002" || st.Contact == "" {
		t.Fatalf("registered %+v", st)
	}
	r.srv.Unregister("1002")
	if st := next(ivr.ExtUnregistered); st.Extension != "1002" {
		t.Fatalf("unregistered %+v", st)
	}
	r.srv.Register("1003")
	next(ivr.ExtRegistered)
	r.srv.QualifyFail("1003")
	if st := next(ivr.ExtUnreachable); st.Extension != "1003" || st.Reason != "qualify timeout" {
		t.Fatalf("unreachable %+v", st)
	}
	exts, _ = r.eng.Extensions(ctx)
	for _, e := range exts {
		if e.Extension == "1003" && e.State != ivr.ExtUnreachable {
			t.Fatalf("1003 %+v", e)
		}
	}
	cancel()
	waitFor(t, "watch closed", func() bool {
		select {
		case _, ok := <-w:
			return !ok
		default:
			return false
		}
	})
	// A watcher that never reads does not block the engine; drops are counted.
	_ = r.eng.WatchExtensions(ctx)
	for range 40 {
		r.srv.Register("1001")
		r.srv.Unregister("1001")
	}
	waitFor(t, "drops counted", func() bool { return r.eng.Dropped() > 0 })
}
