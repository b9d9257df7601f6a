package main

// The wallboard's day chart against a real Atiende: the calls of earlier
// today come from the call records in PostgreSQL, and a live call made with
// sipp adds to the chart exactly once, before and after its record is
// written and the day is read again.

import (
	"context"
	"fmt"
	"strconv"
	"testing"
	"time"

	"github.com/atiende/atiende/agentdesk/hub/browsertest"
	"github.com/atiende/atiende/ivr/sipengine/sippeer"
	"github.com/atiende/atiende/tickets"
	"github.com/chromedp/chromedp"
)

// wbBar is one bar of the day chart, as its data-* attributes tell.
type wbBar struct {
	Bucket    int `json:"bucket"`
	Calls     int `json:"calls"`
	Answered  int `json:"answered"`
	InSL      int `json:"in_sl"`
	Abandoned int `json:"abandoned"`
}

// wbBars reads every bar of the chart.
const wbBars = `[...document.querySelectorAll('#chart rect.bar')].map((r) => ({bucket: +r.dataset.bucket, calls: +r.dataset.calls,
  answered: +r.dataset.answered, in_sl: +r.dataset.inSl, abandoned: +r.dataset.abandoned}))`

func TestWallboardDayChart(t *testing.T) {
	sippeer.Need(t, "sipp")
	ctx := browsertest.Browser(t)
	a := startAtiende(t, harnessOptions{Queues: brQueues})
	mx, err := time.LoadLocation("America/Mexico_City")
	if err != nil {
		t.Skipf("no time zone database: %v", err)
	}
	now := time.Now()
	y, m, d := now.In(mx).Date()
	midnight := time.Date(y, m, d, 0, 0, 0, 0, mx)
	bucketOf := func(t time.Time) int { return int(t.Sub(midnight) / (15 * time.Minute)) }

	// Calls of earlier today (and of yesterday, when it is early in Mexico
	// City), written as the intake writes them.
	ctx0 := context.Background()
	db := a.store()
	tk := &tickets.Ticket{Kind: tickets.Incident, Service: "internet_failure", Impact: tickets.Medium, Urgency: tickets.Medium,
		Priority: tickets.P3, Level: 1, Channel: tickets.Phone, Caller: tickets.Caller{Name: "Histórico", Phone: "+525500000001"},
		Subject: "Llamadas anteriores", Description: "Registros de llamadas de antes de abrir el tablero"}
	if err := db.CreateTicket(ctx0, tk, "test"); err != nil {
		t.Fatal(err)
	}
	want := map[int]wbBar{} // bucket -> figures
	type rec struct {
		id, queue, outcome string
		queued             time.Time
		wait               time.Duration // to the answer or the hang-up
	}
	for i, r := range []rec{
		{"early-1", "network", "answered", now.Add(-170 * time.Minute), 10 * time.Second},
		{"early-2", "network", "answered", now.Add(-169 * time.Minute), 40 * time.Second},
		{"early-3", "general", "abandoned", now.Add(-168 * time.Minute), 30 * time.Second},
		{"early-4", "general", "answered", now.Add(-125 * time.Minute), 5 * time.Second},
		{"early-5", "network", "abandoned", now.Add(-124 * time.Minute), 2 * time.Second}, // short
	} {
		if err := db.AddCall(ctx0, tk.Number, tickets.CallRecord{CallID: r.id, Queue: r.queue, CallerID: fmt.Sprintf("+52550000000%d", i), StartedAt: r.queued.Add(-20 * time.Second)}); err != nil {
			t.Fatal(err)
		}
		left := r.queued.Add(r.wait) // answered, or hung up
		ended := left
		cr := tickets.CallRecord{CallID: r.id, QueuedAt: &r.queued, EndedAt: &ended, Outcome: r.outcome}
		if r.outcome == "answered" {
			ended = left.Add(3 * time.Minute) // the talk
			cr.AnsweredAt = &left
		}
		if err := db.UpdateCall(ctx0, cr); err != nil {
			t.Fatal(err)
		}
		if !r.queued.Before(midnight) {
			b := want[bucketOf(r.queued)]
			b.Calls++
			want[bucketOf(r.queued)] = b
		}
		if !left.Before(midnight) {
			b := want[bucketOf(left)]
			switch {
			case r.outcome == "answered":
				b.Answered++
				if r.wait <= 20*time.Second {
					b.InSL++
				}
			case r.wait >= 5*time.Second:
				b.Abandoned++
			}
			want[bucketOf(left)] = b
		}
	}
	t.Logf("now %s in Mexico City, bucket %d; earlier calls: %+v", now.In(mx).Format("15:04:05"), bucketOf(now), want)

	// ana, the network queue's agent, is paused: the live caller waits.
	sup := a.login(t, "supervisora", brPassword)
	sup.setState("ana", "paused", "lunch")

	brLogin(t, ctx, a.Base, "supervisora", "/wallboard.html")
	brWaitJS(t, ctx, 10*time.Second, "the day from the server", `document.querySelector('#chart svg[data-source="server"]') !== null`)
	if got := brEval[string](t, ctx, `document.querySelector("#chart svg").dataset.day`); got != midnight.Format(time.DateOnly) {
		t.Errorf("chart day %q, want today in Mexico City (%s)", got, midnight.Format(time.DateOnly))
	}
	// bars waits until the chart shows want plus extra, bucket by bucket,
	// and reports the differences if it does not.
	bars := func(what string, extra map[int]wbBar) {
		t.Helper()
		var diffs []string
		for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(100 * time.Millisecond) {
			diffs = wbDiff(midnight, want, extra, brEval[[]wbBar](t, ctx, wbBars))
			if len(diffs) == 0 || time.Now().After(deadline) {
				break
			}
		}
		for _, d := range diffs {
			t.Errorf("%s: %s", what, d)
		}
	}
	bars("on opening", nil)
	calls := func() int {
		return brEval[int](t, ctx, `[...document.querySelectorAll('#chart rect.bar')].reduce((n, r) => n + +r.dataset.calls, 0)`)
	}
	before := calls()
	browsertest.Screenshot(t, ctx, "wallboard-day-history")

	// A caller reports an internet failure (1, 1), waits in the network
	// queue and hangs up 20 s after the keys: abandoned, counted once.
	waiter := a.brStartCaller(t, "+525511112222", "Live caller", keys(1500*time.Millisecond, 700*time.Millisecond, "11"), 20*time.Second)
	brWaitJS(t, ctx, brWaitDuration, "the live caller waiting", `document.querySelector('tr[data-queue="network"] .waiting').textContent === "1"`)
	brWaitJS(t, ctx, 5*time.Second, "the live call in the chart", `[...document.querySelectorAll('#chart rect.bar')].reduce((n, r) => n + +r.dataset.calls, 0) === `+strconv.Itoa(before+1))
	if err := waiter.Wait(60 * time.Second); err != nil {
		t.Fatalf("caller: %v\n%s", err, waiter.Output())
	}
	var live tickets.CallRecord
	for _, x := range a.waitPhoneTickets(t, 1, 10*time.Second) {
		if x.Caller.Phone == "+525511112222" {
			live = a.waitCallOutcome(t, x.Number, 15*time.Second)
		}
	}
	if live.Outcome != "abandoned" || live.QueuedAt == nil || live.EndedAt == nil {
		t.Fatalf("the live call's record %+v, want abandoned after queueing", live)
	}
	extra := map[int]wbBar{bucketOf(*live.QueuedAt): {Calls: 1}}
	if live.EndedAt.Sub(*live.QueuedAt) >= 5*time.Second { // else a short abandon
		e := extra[bucketOf(*live.EndedAt)]
		e.Abandoned++
		extra[bucketOf(*live.EndedAt)] = e
	}
	t.Logf("the live call waited %v in the queue", live.EndedAt.Sub(*live.QueuedAt))
	bars("live", extra)

	// Its record is written: the day read again has it, and the page does
	// not count it a second time.
	asOf := brEval[string](t, ctx, `document.querySelector("#chart svg").dataset.asOf`)
	brStep(t, ctx, "show the page again (the day is read again)",
		chromedp.Evaluate[chromedp.Void](`document.dispatchEvent(new Event("visibilitychange"))`))
	brWaitJS(t, ctx, 10*time.Second, "the day read again", `document.querySelector("#chart svg").dataset.asOf !== "`+asOf+`"`)
	bars("read again", extra)
	browsertest.Screenshot(t, ctx, "wallboard-day-live")

	// A wall screen reloaded now: the history alone.
	brStep(t, ctx, "reload", chromedp.Reload())
	brWaitJS(t, ctx, 10*time.Second, "the day after a reload", `document.querySelector('#chart svg[data-source="server"]') !== null && document.querySelector('#chart svg').dataset.asOf !== ""`)
	bars("reloaded", extra)
	if got := calls(); got != before+1 {
		t.Errorf("after reload: %d calls in the chart, want %d", got, before+1)
	}
}

// wbDiff compares the chart's bars with the sum of want and extra: a bar
// for every bucket with offered calls, and no other.
func wbDiff(midnight time.Time, want, extra map[int]wbBar, bars []wbBar) []string {
	exp := map[int]wbBar{}
	for _, src := range []map[int]wbBar{want, extra} {
		for i, b := range src {
			e := exp[i]
			e.Calls, e.Answered, e.InSL, e.Abandoned = e.Calls+b.Calls, e.Answered+b.Answered, e.InSL+b.InSL, e.Abandoned+b.Abandoned
			exp[i] = e
		}
	}
	got := map[int]wbBar{}
	for _, b := range bars {
		i := b.Bucket
		b.Bucket = 0
		got[i] = b
	}
	var diffs []string
	for i, e := range exp {
		if e.Calls == 0 {
			continue // no call offered there: no bar (its answers count in the line)
		}
		if got[i] != e {
			diffs = append(diffs, fmt.Sprintf("bucket %d (%s): %+v, want %+v", i, midnight.Add(time.Duration(i)*15*time.Minute).Format("15:04"), got[i], e))
		}
	}
	for i, g := range got {
		if exp[i].Calls == 0 {
			diffs = append(diffs, fmt.Sprintf("a bar in bucket %d: %+v, want none", i, g))
		}
	}
	return diffs
}
