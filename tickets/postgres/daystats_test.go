package postgres_test

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/atiende/atiende/agentdesk"
	"github.com/atiende/atiende/tickets"
	"github.com/atiende/atiende/tickets/postgres"
)

// dayCall is one call record of the hand-built day, written as the intake
// writes it: AddCall when the call arrives, UpdateCall with the queue times
// and the outcome when it leaves the queue (never for c11, hung up in the
// IVR, and c12, still waiting).
type dayCall struct {
	id, queue               string
	queued, answered, ended time.Time // zero: not set
	outcome                 string
	started                 time.Time // zero: 40 s before queued
}

// TestDayCallStats checks a hand-built day, 2026-04-05 in Mexico City: the
// first Sunday of April, when the city moved its clocks until 2022. It no
// longer does, so the day is 96 buckets from 06:00 UTC. Figures are
// computed by hand below, per the definitions in agentdesk/daystats.go.
func TestDayCallStats(t *testing.T) {
	ctx := context.Background()
	db := newDB(t, postgres.Options{})
	mx, err := time.LoadLocation("America/Mexico_City")
	if err != nil {
		t.Skipf("no time zone database: %v", err)
	}
	at := func(day, h, m, s int, us int) time.Time {
		return time.Date(2026, time.April, day, h, m, s, us*1000, mx)
	}
	const prev, day, next = 4, 5, 6
	utc := func(d, h, m, s int) time.Time { return time.Date(2026, time.April, d, h, m, s, 0, time.UTC) }
	calls := []dayCall{
		// Queued yesterday, answered today in 15 s: answered (in SL) at 00:00.
		{id: "c01", queue: "soporte", queued: at(prev, 23, 59, 50, 0), answered: at(day, 0, 0, 5, 0), ended: at(day, 0, 3, 0, 0), outcome: "answered"},
		// Offered in the 00:00 bucket, answered in the 00:15 one after
		// exactly 20 s: in SL (the threshold is inclusive).
		{id: "c02", queue: "soporte", queued: at(day, 0, 14, 59, 500000), answered: at(day, 0, 15, 19, 500000), ended: at(day, 0, 20, 0, 0), outcome: "answered"},
		// A microsecond over 20 s: not in SL.
		{id: "c03", queue: "soporte", queued: at(day, 9, 0, 0, 0), answered: at(day, 9, 0, 20, 1), ended: at(day, 9, 4, 0, 0), outcome: "answered"},
		// Hung up a microsecond before 5 s: short abandon.
		{id: "c04", queue: "soporte", queued: at(day, 9, 5, 0, 0), ended: at(day, 9, 5, 4, 999999), outcome: "abandoned"},
		// After exactly 5 s: abandoned.
		{id: "c05", queue: "soporte", queued: at(day, 9, 10, 0, 0), ended: at(day, 9, 10, 5, 0), outcome: "abandoned"},
		// redes measures 30 s and 10 s: 25 s is in its SL.
		{id: "c06", queue: "redes", queued: at(day, 9, 14, 30, 0), answered: at(day, 9, 14, 55, 0), ended: at(day, 9, 20, 0, 0), outcome: "answered"},
		// 8 s is a short abandon in redes.
		{id: "c07", queue: "redes", queued: at(day, 9, 20, 0, 0), ended: at(day, 9, 20, 8, 0), outcome: "abandoned"},
		{id: "c08", queue: "redes", queued: at(day, 9, 25, 0, 0), ended: at(day, 9, 27, 0, 0), outcome: "callback"},
		// Timeout and no agents: offered only.
		{id: "c09", queue: "soporte", queued: at(day, 12, 0, 0, 0), ended: at(day, 12, 2, 0, 0), outcome: "timeout"},
		{id: "c10", queue: "soporte", queued: at(day, 12, 0, 1, 0), ended: at(day, 12, 0, 1, 0), outcome: "no_agents"},
		// Never queued, and still waiting: nothing.
		{id: "c11", queue: "soporte", started: at(day, 12, 5, 0, 0)},
		{id: "c12", queue: "soporte", started: at(day, 12, 10, 0, 0)},
		// Offered today before midnight, answered or abandoned tomorrow.
		{id: "c13", queue: "soporte", queued: at(day, 23, 59, 0, 0), answered: at(next, 0, 0, 10, 0), ended: at(next, 0, 5, 0, 0), outcome: "answered"},
		{id: "c14", queue: "soporte", queued: at(day, 23, 50, 0, 0), ended: at(next, 0, 0, 30, 0), outcome: "abandoned"},
		// Another day.
		{id: "c15", queue: "soporte", queued: at(prev, 10, 0, 0, 0), answered: at(prev, 10, 0, 10, 0), ended: at(prev, 10, 5, 0, 0), outcome: "answered"},
		// 5 April in UTC but still the 4th in Mexico City: nothing today.
		{id: "c16", queue: "ventas", queued: utc(day, 5, 30, 0), answered: utc(day, 5, 30, 10), ended: utc(day, 5, 35, 0), outcome: "answered"},
		// The 6th in UTC, 21:00 on the 5th in Mexico City; ventas has no
		// thresholds of its own: 20 s, so 21 s is not in SL.
		{id: "c17", queue: "ventas", queued: utc(next, 3, 0, 0), answered: utc(next, 3, 0, 21), ended: utc(next, 3, 2, 0), outcome: "answered"},
		// Queued yesterday, a short abandon today at 00:00:02.
		{id: "c18", queue: "soporte", queued: at(prev, 23, 59, 58, 0), ended: at(day, 0, 0, 2, 0), outcome: "abandoned"},
	}
	tk := mustCreate(t, db, sampleTicket())
	for _, c := range calls {
		started := c.started
		if started.IsZero() {
			started = c.queued.Add(-40 * time.Second) // the IVR before the queue
		}
		if err := db.AddCall(ctx, tk.Number, tickets.CallRecord{CallID: c.id, Queue: c.queue, CallerID: "+525512345678", StartedAt: started}); err != nil {
			t.Fatal(err)
		}
		if c.outcome == "" {
			continue
		}
		rec := tickets.CallRecord{CallID: c.id, Queue: c.queue, QueuedAt: &c.queued, EndedAt: &c.ended, Outcome: c.outcome}
		if !c.answered.IsZero() {
			rec.AnsweredAt, rec.Agent = &c.answered, "ana"
		}
		if err := db.UpdateCall(ctx, rec); err != nil {
			t.Fatal(err)
		}
	}

	q := agentdesk.DayStatsQuery{Date: tickets.Date{Year: 2026, Month: time.April, Day: day}, Location: mx,
		Thresholds: map[string]agentdesk.QueueThresholds{
			"soporte": {}, // zero: the defaults
			"redes":   {ServiceLevel: 30 * time.Second, ShortAbandon: 10 * time.Second},
		},
		CallsSince: at(day, 9, 20, 0, 0)}
	st, err := db.DayCallStats(ctx, q)
	if err != nil {
		t.Fatal(err)
	}
	if st.Date != "2026-04-05" || st.TimeZone != "America/Mexico_City" || !st.From.Equal(utc(day, 6, 0, 0)) || !st.To.Equal(utc(next, 6, 0, 0)) || len(st.Buckets) != 96 {
		t.Fatalf("day %s %s [%v, %v) in %d buckets; want 2026-04-05 in Mexico City, 06:00 to 06:00 UTC, 96 buckets",
			st.Date, st.TimeZone, st.From.UTC(), st.To.UTC(), len(st.Buckets))
	}
	if b := st.Buckets[36]; !b.Start.Equal(utc(day, 15, 0, 0)) {
		t.Errorf("bucket 36 starts %v, want 09:00 in Mexico City (15:00 UTC)", b.Start.UTC())
	}

	type F = agentdesk.CallFigures
	want := map[int]map[string]F{
		0: {"soporte": {Offered: 1, Answered: 1, AnsweredInSL: 1, ShortAbandoned: 1}}, // c02 offered; c01 answered; c18
		1: {"soporte": {Answered: 1, AnsweredInSL: 1}},                                // c02
		36: {"soporte": {Offered: 3, Answered: 1, Abandoned: 1, ShortAbandoned: 1}, // c03, c04, c05
			"redes": {Offered: 1, Answered: 1, AnsweredInSL: 1}}, // c06
		37: {"redes": {Offered: 2, ShortAbandoned: 1, Callbacks: 1}}, // c07, c08
		48: {"soporte": {Offered: 2}},                                // c09, c10
		84: {"ventas": {Offered: 1, Answered: 1}},                    // c17
		95: {"soporte": {Offered: 2}},                                // c13, c14
	}
	for i, b := range st.Buckets {
		w := want[i]
		if w == nil {
			w = map[string]F{}
		}
		if !reflect.DeepEqual(b.Queues, w) {
			t.Errorf("bucket %d (%s): %+v, want %+v", i, b.Start.In(mx).Format("15:04"), b.Queues, w)
		}
		var total F
		for _, f := range w {
			total.Add(f)
		}
		if b.Total != total {
			t.Errorf("bucket %d total %+v, want %+v", i, b.Total, total)
		}
	}
	wantTotals := map[string]F{
		"soporte": {Offered: 8, Answered: 3, AnsweredInSL: 2, Abandoned: 1, ShortAbandoned: 2},
		"redes":   {Offered: 3, Answered: 1, AnsweredInSL: 1, ShortAbandoned: 1, Callbacks: 1},
		"ventas":  {Offered: 1, Answered: 1},
	}
	if !reflect.DeepEqual(st.Totals, wantTotals) {
		t.Errorf("totals %+v, want %+v", st.Totals, wantTotals)
	}
	if all := (F{Offered: 12, Answered: 5, AnsweredInSL: 3, Abandoned: 1, ShortAbandoned: 3, Callbacks: 1}); st.All != all {
		t.Errorf("all %+v, want %+v", st.All, all)
	}
	// The counted records that ended at or after 09:20 (c06 exactly then).
	if want := []string{"c06", "c07", "c08", "c09", "c10", "c13", "c14", "c17"}; !reflect.DeepEqual(st.Calls, want) {
		t.Errorf("calls since 09:20: %v, want %v", st.Calls, want)
	}

	// Without CallsSince no IDs; the day after holds c13's answer and c14's
	// abandon; a day without calls is 96 empty buckets.
	q.CallsSince = time.Time{}
	q.Date.Day = next
	st, err = db.DayCallStats(ctx, q)
	if err != nil {
		t.Fatal(err)
	}
	if len(st.Calls) != 0 || st.Calls == nil {
		t.Errorf("calls without since: %v, want []", st.Calls)
	}
	if w := map[string]F{"soporte": {Answered: 1, Abandoned: 1}}; !reflect.DeepEqual(st.Buckets[0].Queues, w) || st.All != w["soporte"] {
		t.Errorf("6 April: bucket 0 %+v, all %+v; want %+v", st.Buckets[0].Queues, st.All, w)
	}
	q.Date = tickets.Date{Year: 2026, Month: time.May, Day: 1}
	st, err = db.DayCallStats(ctx, q)
	if err != nil {
		t.Fatal(err)
	}
	if len(st.Buckets) != 96 || st.All != (F{}) || len(st.Totals) != 0 {
		t.Errorf("an empty day: %d buckets, all %+v, totals %v", len(st.Buckets), st.All, st.Totals)
	}
}
