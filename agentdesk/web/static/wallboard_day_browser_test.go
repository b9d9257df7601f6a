package static_test

import (
	"maps"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/atiende/atiende/agentdesk"
	"github.com/atiende/atiende/agentdesk/hub/browsertest"
	"github.com/chromedp/chromedp"
)

// dayFake is the fake API's day history (GET /wallboard/day). Without a day
// it answers 404, a server without the history: the chart then counts from
// the page's opening (TestWallboardTicketsAndChart).
var dayFake struct {
	mu    sync.Mutex
	day   map[string]any
	since []string // the calls_since of every request
}

func fakeWallboardDay(w http.ResponseWriter, r *http.Request) {
	if u := userOf(r); u == nil || (u["role"] != "supervisor" && u["role"] != "admin") {
		apiError(w, 403, "forbidden", "your role may not do this")
		return
	}
	dayFake.mu.Lock()
	defer dayFake.mu.Unlock()
	dayFake.since = append(dayFake.since, r.URL.Query().Get("calls_since"))
	if dayFake.day == nil {
		apiError(w, 404, "not_found", "no such endpoint in the fake: GET /wallboard/day")
		return
	}
	d := maps.Clone(dayFake.day)
	d["as_of"] = time.Now().UTC()
	writeJSON(w, 200, d)
}

// fakeDayFigures are one bucket's figures as the API gives them.
type fakeDayFigures struct {
	Offered      int `json:"offered"`
	Answered     int `json:"answered"`
	AnsweredInSL int `json:"answered_in_sl"`
	Abandoned    int `json:"abandoned"`
}

// setFakeDay serves today (in Mexico City) with figures in the given
// buckets, and calls as the counted calls since the page opened.
func setFakeDay(t *testing.T, figures map[int]fakeDayFigures, calls []string) (from time.Time) {
	t.Helper()
	mx, err := time.LoadLocation("America/Mexico_City")
	if err != nil {
		t.Skipf("no time zone database: %v", err)
	}
	y, m, d := time.Now().In(mx).Date()
	from = time.Date(y, m, d, 0, 0, 0, 0, mx)
	buckets := make([]map[string]any, 96)
	for i := range buckets {
		f := figures[i]
		q := map[string]fakeDayFigures{}
		if f != (fakeDayFigures{}) {
			q["soporte"] = f
		}
		buckets[i] = map[string]any{"start": from.Add(time.Duration(i) * 15 * time.Minute).UTC(), "queues": q, "total": f}
	}
	th := map[string]int64{"service_level_ns": 20e9, "short_abandon_ns": 5e9}
	dayFake.mu.Lock()
	defer dayFake.mu.Unlock()
	dayFake.day = map[string]any{"date": from.Format(time.DateOnly), "time_zone": "America/Mexico_City",
		"from": from.UTC(), "to": from.AddDate(0, 0, 1).UTC(), "bucket_minutes": 15,
		"thresholds": map[string]any{"soporte": th}, "default_thresholds": th,
		"buckets": buckets, "calls": calls}
	return from
}

// The chart starts from the server's day: the earlier buckets show, the
// events of a call the history already counts add nothing, a new call adds
// once, and a reload of the history that now holds it does not add it again.
func TestWallboardDayFromServer(t *testing.T) {
	ctx := browsertest.Browser(t)
	s := newSite(t)
	console := browsertest.WatchConsole(ctx)
	t.Cleanup(func() { dayFake.mu.Lock(); dayFake.day, dayFake.since = nil, nil; dayFake.mu.Unlock() })

	// Bucket 0 (midnight) had 5 calls; the bucket of now 2 so far, h-1 and
	// h-2, both over.
	now := time.Now()
	from := setFakeDay(t, nil, nil)
	cur := int(now.Sub(from) / (15 * time.Minute))
	hist := func(nowCalls int, calls ...string) {
		f := map[int]fakeDayFigures{0: {Offered: 5, Answered: 4, AnsweredInSL: 3, Abandoned: 1}}
		c := f[cur]
		c.Offered, c.Answered, c.AnsweredInSL = c.Offered+nowCalls, c.Answered+nowCalls, c.AnsweredInSL+nowCalls
		f[cur] = c
		setFakeDay(t, f, calls)
	}
	hist(2, "h-1", "h-2")
	// Earlier tests' wallboards asked the fake too: forget their requests.
	dayFake.mu.Lock()
	dayFake.since = nil
	dayFake.mu.Unlock()
	opened := time.Now()
	login(t, ctx, s.url, "sup", "/wallboard.html")
	waitJS(t, ctx, "the day from the server", `document.querySelector('#chart svg[data-source="server"]') !== null`)
	bar := func(i int, attr string) string {
		return `(document.querySelector('#chart rect.bar[data-bucket="` + strconv.Itoa(i) + `"]') || {dataset: {}}).dataset.` + attr
	}
	midnight, nowWant := "5", "2"
	if cur == 0 {
		midnight, nowWant = "7", "7"
	}
	waitJS(t, ctx, "the earlier bucket and the bucket of now", bar(0, "calls")+` === "`+midnight+`" && `+bar(cur, "calls")+` === "`+nowWant+`"`)
	if got := eval[string](t, ctx, `document.querySelector("#chart svg").dataset.day`); got != from.Format(time.DateOnly) {
		t.Errorf("chart day %q, want %s", got, from.Format(time.DateOnly))
	}
	if got := eval[string](t, ctx, `document.getElementById("chart-note").textContent`); !strings.Contains(got, "America/Mexico_City") {
		t.Errorf("chart note %q does not name the time zone", got)
	}
	// The page asks for the calls since it opened: its first snapshot.
	dayFake.mu.Lock()
	since := append([]string{}, dayFake.since...)
	dayFake.mu.Unlock()
	if len(since) == 0 {
		t.Fatal("the page never asked for the day")
	}
	if at, err := time.Parse(time.RFC3339Nano, since[0]); err != nil || at.Before(opened) || at.After(time.Now()) {
		t.Errorf("calls_since %q: want the first snapshot's time (%v)", since[0], err)
	}

	// h-1's events (replayed, say) are in the history; n-1 is new.
	at := time.Now()
	s.desk.publish(agentdesk.Event{Kind: agentdesk.CallQueued, CallID: "h-1", Queue: "soporte", EnteredQueueAt: at})
	s.desk.publish(agentdesk.Event{Kind: agentdesk.CallAnswered, CallID: "h-1", Queue: "soporte", EnteredQueueAt: at, AnsweredAt: at})
	s.desk.publish(agentdesk.Event{Kind: agentdesk.CallQueued, CallID: "n-1", Queue: "soporte", EnteredQueueAt: at})
	s.desk.publish(agentdesk.Event{Kind: agentdesk.CallAnswered, CallID: "n-1", Queue: "soporte", EnteredQueueAt: at, AnsweredAt: at})
	cur = int(at.Sub(from) / (15 * time.Minute))
	plus := func(n int) string {
		if cur == 0 {
			n += 5
		}
		return strconv.Itoa(n)
	}
	waitJS(t, ctx, "n-1 in the bucket of now", bar(cur, "answered")+` === "`+plus(3)+`"`)
	if got := eval[string](t, ctx, bar(cur, "calls")); got != plus(3) {
		t.Errorf("bucket of now: %s calls, want %s (h-1 counted once, n-1 once)", got, plus(3))
	}
	browsertest.Screenshot(t, ctx, "wallboard-day-server")

	// The history now holds n-1 (its call ended): read again, it is not
	// added twice.
	asOf := eval[string](t, ctx, `document.querySelector("#chart svg").dataset.asOf`)
	hist(3, "h-1", "h-2", "n-1")
	step(t, ctx, "show the page again", chromedp.Evaluate[chromedp.Void](`document.dispatchEvent(new Event("visibilitychange"))`))
	waitJS(t, ctx, "the history read again", `document.querySelector("#chart svg").dataset.asOf !== "`+asOf+`"`)
	if got := eval[string](t, ctx, bar(cur, "calls")); got != plus(3) {
		t.Errorf("after reading the history again: %s calls, want %s", got, plus(3))
	}
	checkConsole(t, console)
}
