package main

// Goroutines of one Atiende instance. The harness runs `atiende serve` in
// the test process, next to the other parallel scenarios' instances, so the
// process's goroutine count (go_goroutines on /metrics, or
// /debug/pprof/goroutine) mixes them all. Each instance's serve runs under
// its own pprof label (startAtiende), which every goroutine it starts
// inherits: the goroutine profile, grouped by stack and label, gives one
// instance's goroutines.

import (
	"context"
	"fmt"
	"net/http"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// instanceLabel is the pprof label key that names an instance.
const instanceLabel = "atiende"

// instances numbers the instances of this process.
var instances atomic.Int64

// goroutineSet is an instance's goroutines: how many share each stack.
type goroutineSet map[string]int

func (s goroutineSet) total() int {
	n := 0
	for _, c := range s {
		n += c
	}
	return n
}

// lazyPools are Atiende's long-lived goroutine pools that start on first
// use, not at start: the frame their goroutines run, and how many the pool
// keeps at most. The first ticket a scenario creates starts the ticket
// store's group-commit collectors (tickets/postgres committers); they stay
// until Atiende stops. Up to that bound they are no leak, whatever the
// baseline had; beyond it they count.
var lazyPools = []struct {
	frame string
	max   int
}{
	{"github.com/atiende/atiende/tickets/postgres.(*groupCommit).run ", 4},
}

// counted is how many goroutines of s count against the baseline: all of
// them but the lazy pools' goroutines, up to each pool's bound.
func (s goroutineSet) counted() int {
	n := s.total()
	for _, p := range lazyPools {
		in := 0
		for stack, c := range s {
			if strings.Contains(stack, p.frame) {
				in += c
			}
		}
		n -= min(in, p.max)
	}
	return n
}

// goroutines returns the instance's goroutines, grouped by stack (function
// and line of each frame).
func (a *atiende) goroutines() goroutineSet {
	var b strings.Builder
	if err := pprof.Lookup("goroutine").WriteTo(&b, 1); err != nil {
		a.t.Fatalf("goroutine profile: %v", err)
	}
	return parseGoroutines(b.String(), fmt.Sprintf("%q:%q", instanceLabel, a.label))
}

// parseGoroutines reads a goroutine profile in its debug=1 text form:
// groups of "N @ pc pc ...", an optional "# labels: {...}" line, then one
// "#\tpc\tfunction+off\tfile:line" line per frame. It keeps the groups
// whose labels contain label, keyed by their frames without addresses.
func parseGoroutines(profile, label string) goroutineSet {
	set := goroutineSet{}
	var n int
	var labeled bool
	var frames []string
	flush := func() {
		if n > 0 && labeled {
			set[strings.Join(frames, "\n")] += n
		}
		n, labeled, frames = 0, false, nil
	}
	for _, line := range strings.Split(profile, "\n") {
		switch {
		case strings.HasPrefix(line, "# labels: "):
			labeled = strings.Contains(line, label+",") || strings.Contains(line, label+"}")
		case strings.HasPrefix(line, "#\t"):
			// tabwriter pads the columns with more tabs
			if f := strings.Fields(line); len(f) >= 4 {
				fn, _, _ := strings.Cut(f[2], "+0x")
				frames = append(frames, fn+" "+f[3])
			}
		default:
			count, _, ok := strings.Cut(line, " @ ")
			if v, err := strconv.Atoi(count); ok && err == nil {
				flush()
				n = v
			}
		}
	}
	flush()
	return set
}

// goroutineBaseline is the instance's goroutines once they stop changing
// (the engine may still be starting when /readyz first answers): the same
// count on three looks 200 ms apart, or the last look after 10 s.
func (a *atiende) goroutineBaseline() goroutineSet {
	var last goroutineSet
	same := 0
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline) && same < 2; {
		time.Sleep(200 * time.Millisecond)
		s := a.goroutines()
		if last != nil && s.total() == last.total() {
			same++
		} else {
			same = 0
		}
		last = s
	}
	return last
}

// checkGoroutines fails the test unless the instance's goroutines come
// back to at most the baseline's count within a generous minute. The only
// slack is the lazy pools' bounded goroutines (lazyPools). The Asterisk REST client's idle keep-alive connections (two
// goroutines each) close after 10 s idle (ivr/asterisk restIdleTimeout),
// and the test's own idle connections to Atiende are closed here, so no
// pool holds goroutines the baseline did not have. On failure it prints
// each stack that has more goroutines than at the baseline, and how many.
func (a *atiende) checkGoroutines(t testing.TB, base goroutineSet) {
	t.Helper()
	var now goroutineSet
	ok := waitFor(time.Minute, func() bool {
		// The scenario's API clients (http.DefaultTransport) keep idle
		// connections to Atiende, each served by a goroutine of it.
		http.DefaultTransport.(*http.Transport).CloseIdleConnections()
		now = a.goroutines()
		return now.counted() <= base.counted()
	})
	if ok {
		t.Logf("atiende goroutines: %d before the calls, %d after (besides the lazy pools' %d)",
			base.counted(), now.counted(), now.total()-now.counted())
		return
	}
	var grown []string
	for stack, n := range now {
		if n > base[stack] {
			grown = append(grown, fmt.Sprintf("%d more (%d, was %d):\n%s", n-base[stack], n, base[stack], stack))
		}
	}
	slices.Sort(grown)
	t.Errorf("atiende has %d goroutines a minute after the scenario, %d before its calls (not counting the lazy pools' %d and %d); stacks that grew:\n\n%s",
		now.counted(), base.counted(), now.total()-now.counted(), base.total()-base.counted(), strings.Join(grown, "\n\n"))
}

// TestInstanceGoroutines: the goroutines counted for an instance are those
// started under its label, whatever other goroutines run.
func TestInstanceGoroutines(t *testing.T) {
	a := &atiende{t: t, label: "goroutines-test"}
	other := &atiende{t: t, label: "goroutines-test-2"}
	stop := make(chan struct{})
	defer close(stop)
	var started sync.WaitGroup
	spawn := func(label string, n int) {
		pprof.Do(t.Context(), pprof.Labels(instanceLabel, label), func(context.Context) {
			for range n {
				started.Add(1)
				go func() {
					started.Done()
					<-stop
				}()
			}
		})
	}
	spawn(a.label, 3)
	spawn(other.label, 2)
	go func() { <-stop }() // no label
	started.Wait()
	if n := a.goroutines().total(); n != 3 {
		t.Errorf("%d goroutines for %s, want 3:\n%v", n, a.label, a.goroutines())
	}
	if n := other.goroutines().total(); n != 2 {
		t.Errorf("%d goroutines for %s, want 2", n, other.label)
	}
	pool := goroutineSet{"github.com/atiende/atiende/tickets/postgres.(*groupCommit).run /x/create_group.go:116": 6, "main.f /x/f.go:1": 2}
	if n := pool.counted(); n != 4 {
		t.Errorf("counted %d, want 4: the 2 others and the pool's 2 beyond its bound of 4", n)
	}
}
