package web

import (
	"context"
	"net/url"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/atiende/atiende/agentdesk"
	"github.com/atiende/atiende/tickets"
)

func TestWallboardDay(t *testing.T) {
	t.Parallel()
	var (
		mu      sync.Mutex
		redesSL = 30 * time.Second
	)
	e := newEnv(t, func(_ *Config, d *Deps) {
		d.Wallboard = testWallboard{DayStatsStore: d.Store.(agentdesk.DayStatsStore), th: func() map[string]agentdesk.QueueThresholds {
			mu.Lock()
			defer mu.Unlock()
			return map[string]agentdesk.QueueThresholds{"redes": {ServiceLevel: redesSL}}
		}}
	})
	// 03:00 UTC on the 3rd is 21:00 on the 2nd in Mexico City: "today" is
	// the 2nd.
	e.clock.Add(17 * time.Hour)
	sup := e.login("sup1", tickets.RoleSupervisor)
	agent := e.login("agent1", tickets.RoleAgent)
	tk := agent.newTicket(nil)
	mx, err := time.LoadLocation("America/Mexico_City")
	if err != nil {
		t.Skipf("no time zone database: %v", err)
	}
	at := func(day, h, m, s int) time.Time { return time.Date(2026, time.March, day, h, m, s, 0, mx) }
	ctx := context.Background()
	call := func(id, queue string, queued, answered, ended time.Time, outcome string) {
		t.Helper()
		if err := e.db.AddCall(ctx, tk.Number, tickets.CallRecord{CallID: id, Queue: queue, StartedAt: queued.Add(-30 * time.Second)}); err != nil {
			t.Fatal(err)
		}
		rec := tickets.CallRecord{CallID: id, QueuedAt: &queued, EndedAt: &ended, Outcome: outcome}
		if !answered.IsZero() {
			rec.AnsweredAt = &answered
		}
		if err := e.db.UpdateCall(ctx, rec); err != nil {
			t.Fatal(err)
		}
	}
	// w1: queued at 20:59:50 in Mexico City, answered 25 s later (in redes'
	// 30 s, not in the default 20 s). w2: a short abandon at 00:10. w3:
	// 23:50 on the 1st there, though the 2nd in UTC.
	call("w1", "redes", at(2, 20, 59, 50), at(2, 21, 0, 15), at(2, 21, 5, 0), "answered")
	call("w2", "soporte", at(2, 0, 10, 0), time.Time{}, at(2, 0, 10, 3), "abandoned")
	call("w3", "soporte", at(1, 23, 50, 0), time.Time{}, at(1, 23, 52, 0), "callback")

	var d wallboardDay
	sup.must(200, "GET", "/api/v1/wallboard/day", nil, &d)
	if d.Date != "2026-03-02" || d.TimeZone != "America/Mexico_City" || !d.From.Equal(at(2, 0, 0, 0)) || !d.To.Equal(at(3, 0, 0, 0)) ||
		d.BucketMinutes != 15 || len(d.Buckets) != 96 || !d.AsOf.Equal(e.clock.Now()) {
		t.Fatalf("day %s %s [%v, %v) %d min x %d, as of %v", d.Date, d.TimeZone, d.From, d.To, d.BucketMinutes, len(d.Buckets), d.AsOf)
	}
	if th := d.Thresholds["redes"]; th.ServiceLevel != 30*time.Second || th.ShortAbandon != 5*time.Second {
		t.Errorf("redes thresholds %+v, want 30 s and the default 5 s", th)
	}
	if d.DefaultThresholds != (agentdesk.QueueThresholds{ServiceLevel: 20 * time.Second, ShortAbandon: 5 * time.Second}) {
		t.Errorf("default thresholds %+v", d.DefaultThresholds)
	}
	type F = agentdesk.CallFigures
	want := map[int]map[string]F{
		0:  {"soporte": {Offered: 1, ShortAbandoned: 1}},
		83: {"redes": {Offered: 1}},
		84: {"redes": {Answered: 1, AnsweredInSL: 1}},
	}
	for i, b := range d.Buckets {
		w := want[i]
		if w == nil {
			w = map[string]F{}
		}
		if !reflect.DeepEqual(b.Queues, w) || !b.Start.Equal(d.From.Add(time.Duration(i)*15*time.Minute)) {
			t.Errorf("bucket %d at %v: %+v, want %+v", i, b.Start, b.Queues, w)
		}
	}
	if d.All != (F{Offered: 2, Answered: 1, AnsweredInSL: 1, ShortAbandoned: 1}) || len(d.Calls) != 0 {
		t.Errorf("all %+v, calls %v", d.All, d.Calls)
	}

	// calls_since lists the counted calls that ended from then on; the
	// thresholds are read at each request.
	mu.Lock()
	redesSL = 20 * time.Second
	mu.Unlock()
	since := url.QueryEscape(at(2, 21, 0, 0).Format(time.RFC3339Nano))
	sup.must(200, "GET", "/api/v1/wallboard/day?calls_since="+since, nil, &d)
	if !reflect.DeepEqual(d.Calls, []string{"w1"}) || d.Buckets[84].Total != (F{Answered: 1}) {
		t.Errorf("since 21:00 with a 20 s service level: calls %v, bucket 84 %+v", d.Calls, d.Buckets[84].Total)
	}
	sup.must(200, "GET", "/api/v1/wallboard/day?date=2026-03-01", nil, &d)
	if d.Date != "2026-03-01" || d.Buckets[95].Total != (F{Offered: 1, Callbacks: 1}) || d.All != d.Buckets[95].Total {
		t.Errorf("1 March: %s, bucket 95 %+v, all %+v", d.Date, d.Buckets[95].Total, d.All)
	}

	for _, bad := range []string{"date=2026-02-30", "date=hoy", "date=2026-3-1", "calls_since=ayer", "calls_since=2026-03-02"} {
		r := sup.do("GET", "/api/v1/wallboard/day?"+bad, nil)
		if code, _ := r.errCode(); r.status != 400 || code != tickets.EINVALID {
			t.Errorf("%s: %d %s, want 400", bad, r.status, r.body)
		}
	}
	// Supervisors and admins only.
	for _, r := range tickets.Roles {
		c := sup
		if r != tickets.RoleSupervisor {
			c = e.login(string(r)+"2", r)
		}
		want := 403
		if r == tickets.RoleSupervisor || r == tickets.RoleAdmin {
			want = 200
		}
		if got := c.do("GET", "/api/v1/wallboard/day", nil); got.status != want {
			t.Errorf("%s: status %d, want %d", r, got.status, want)
		}
	}
	if got := e.anon().do("GET", "/api/v1/wallboard/day", nil); got.status != 401 {
		t.Errorf("anonymous: status %d, want 401", got.status)
	}
}

// testWallboard is the day history of the test database with thresholds
// the test sets.
type testWallboard struct {
	agentdesk.DayStatsStore
	th func() map[string]agentdesk.QueueThresholds
}

func (w testWallboard) QueueThresholds() map[string]agentdesk.QueueThresholds { return w.th() }

// Without a Wallboard there is no route.
func TestWallboardDayNeedsASource(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	sup := e.login("sup1", tickets.RoleSupervisor)
	if r := sup.do("GET", "/api/v1/wallboard/day", nil); r.status != 404 {
		t.Errorf("without Deps.Wallboard: %d %s, want 404", r.status, r.body)
	}
}
