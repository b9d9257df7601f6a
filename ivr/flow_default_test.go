package ivr_test

import (
	"context"
	"runtime"
	"slices"
	"testing"
	"time"

	"github.com/atiende/atiende/ivr"
	"github.com/atiende/atiende/ivr/ivrtest"
	"github.com/atiende/atiende/tickets"
)

// Every branch of the main menu creates the right ticket and queues the call.
func TestDefaultFlowBranches(t *testing.T) {
	for _, tc := range []struct {
		keys, service, queue string
		kind                 tickets.Kind
		path                 []string
	}{
		{"11", "internet_failure", "network", tickets.Incident, []string{"main:1", "failures:1"}},
		{"12", "email_failure", "email", tickets.Incident, []string{"main:1", "failures:2"}},
		{"13", "extension_failure", "telephony", tickets.Incident, []string{"main:1", "failures:3"}},
		{"14", "ftp_failure", "servers", tickets.Incident, []string{"main:1", "failures:4"}},
		{"10", "other_failure", "general", tickets.Incident, []string{"main:1", "failures:0"}},
		{"21", "videoconference", "general", tickets.ChangeRequest, []string{"main:2", "requests:1"}},
		{"22", "email_account", "email", tickets.ChangeRequest, []string{"main:2", "requests:2"}},
		{"23", "new_connection", "network", tickets.ChangeRequest, []string{"main:2", "requests:3"}},
		{"20", "other_request", "general", tickets.ChangeRequest, []string{"main:2", "requests:0"}},
		{"0", "other_request", "general", tickets.ChangeRequest, []string{"main:0"}},
	} {
		t.Run(tc.keys, func(t *testing.T) {
			h := newHarness(t, fastFlow(t))
			c := h.call()
			expect(t, c, "es/main-menu")
			c.Press(tc.keys[:1])
			if len(tc.keys) > 1 {
				expect(t, c, "es/"+map[byte]string{'1': "failures-menu", '2': "requests-menu"}[tc.keys[0]])
				c.Press(tc.keys[1:])
			}
			handled(t, c)
			created, enqueued := h.svc.Created(), h.svc.Enqueued()
			if len(created) != 1 || len(enqueued) != 1 {
				t.Fatalf("created %d tickets, enqueued %d calls", len(created), len(enqueued))
			}
			s := created[0]
			if s.Service != tc.service || s.Kind != tc.kind || s.Queue != tc.queue || !slices.Equal(s.Path, tc.path) {
				t.Errorf("ticket %s %s %s %v, want %s %s %s %v", s.Service, s.Kind, s.Queue, s.Path,
					tc.service, tc.kind, tc.queue, tc.path)
			}
			if s.From.Number != callerNumber || s.Language != "es" || s.CallID != c.ID() || s.StartedAt.IsZero() {
				t.Errorf("session %+v", s)
			}
			q := enqueued[0]
			if q.Queue != tc.queue || q.TicketNumber != "100001" || q.Attached || q.IVREndedAt.IsZero() {
				t.Errorf("enqueued %+v", q)
			}
			expect(t, c, "es/your-ticket-number", "digits:es:100001", "es/transfer")
			if by, _ := c.HungUp(); by != "atiende" {
				t.Errorf("hung up by %q", by)
			}
		})
	}
}

func TestDefaultFlowTicketStatus(t *testing.T) {
	h := newHarness(t, fastFlow(t))
	h.svc.Statuses["4500"] = &ivr.TicketStatus{Number: "4500", State: tickets.InProgress,
		UpdatedAt: h.runner.Now().Add(-3*time.Hour - 5*time.Minute)}
	c := h.call()
	expect(t, c, "es/main-menu")
	c.Press("3")
	expect(t, c, "es/enter-ticket")
	c.Press("4500#")
	expect(t, c, "es/ticket", "digits:es:4500", "es/ticket-state-is", "es/state-in_progress",
		"es/updated", "es/num-3", "es/hours-ago", "es/main-menu")

	// An unknown number: told so, back to the menu.
	c.Press("3")
	expect(t, c, "es/enter-ticket")
	c.Press("999#")
	expect(t, c, "es/ticket-not-found", "es/main-menu")
	c.CallerHangup()
	handled(t, c)
	if created := h.svc.Created(); len(created) != 0 {
		t.Errorf("a status query created %d tickets", len(created))
	}
}

func TestDefaultFlowInvalidTwiceGoesToAgent(t *testing.T) {
	h := newHarness(t, fastFlow(t))
	c := h.call()
	expect(t, c, "es/main-menu")
	c.Press("7")
	expect(t, c, "es/invalid", "es/main-menu")
	c.Press("*")
	expect(t, c, "es/invalid", "es/your-ticket-number")
	handled(t, c)
	created, enqueued := h.svc.Created(), h.svc.Enqueued()
	if len(created) != 1 || created[0].Service != "other_request" || len(created[0].Path) != 0 {
		t.Fatalf("created %+v", created)
	}
	if len(enqueued) != 1 || enqueued[0].Queue != "general" {
		t.Errorf("enqueued %+v", enqueued)
	}
}

func TestDefaultFlowTimeoutGoesToAgent(t *testing.T) {
	f := fastFlow(t)
	f.Nodes["main"].Timeout = 50 * time.Millisecond
	h := newHarness(t, f)
	c := h.call()
	expect(t, c, "es/main-menu", "es/timeout", "es/main-menu", "es/timeout", "es/your-ticket-number")
	handled(t, c)
	if enqueued := h.svc.Enqueued(); len(enqueued) != 1 || enqueued[0].Queue != "general" {
		t.Errorf("enqueued %+v", enqueued)
	}
}

func TestDefaultFlowEnglish(t *testing.T) {
	h := newHarness(t, fastFlow(t))
	c := h.call()
	expect(t, c, "es/welcome", "es/main-menu", "es/for-english")
	c.Press("9")
	expect(t, c, "en/main-menu")
	c.Press("1")
	expect(t, c, "en/failures-menu")
	c.Press("2")
	expect(t, c, "en/your-ticket-number", "digits:en:100001", "en/transfer")
	handled(t, c)
	created := h.svc.Created()
	if len(created) != 1 || created[0].Language != "en" || !slices.Equal(created[0].Path, []string{"main:9", "main:1", "failures:2"}) {
		t.Errorf("created %+v", created)
	}
}

// waitGoroutines waits for the goroutine count to fall back to n.
func waitGoroutines(t *testing.T, n int) {
	t.Helper()
	deadline := time.Now().Add(wait)
	for runtime.NumGoroutine() > n {
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<16)
			t.Fatalf("%d goroutines, want %d:\n%s", runtime.NumGoroutine(), n, buf[:runtime.Stack(buf, true)])
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestCallerHangsUpMidPrompt(t *testing.T) {
	h := newHarness(t, fastFlow(t))
	base := runtime.NumGoroutine()
	h.eng.SetPlayDuration(time.Hour)
	c := h.call()
	if err := c.WaitPlaying(wait); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	c.CallerHangup()
	if err := c.WaitHandled(wait); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d > time.Second {
		t.Errorf("handler returned %v after the hang-up", d)
	}
	waitGoroutines(t, base)
	if created := h.svc.Created(); len(created) != 0 {
		t.Errorf("created %d tickets", len(created))
	}
}

func TestCallerHangsUpMidCollect(t *testing.T) {
	f := fastFlow(t)
	f.Nodes["status"].FirstDigitTimeout, f.Nodes["status"].InterDigitTimeout = time.Minute, time.Minute
	h := newHarness(t, f)
	base := runtime.NumGoroutine()
	c := h.call()
	expect(t, c, "es/main-menu")
	c.Press("3")
	expect(t, c, "es/enter-ticket")
	c.Press("12")
	start := time.Now()
	c.CallerHangup()
	handled(t, c)
	if d := time.Since(start); d > time.Second {
		t.Errorf("handler returned %v after the hang-up", d)
	}
	waitGoroutines(t, base)
}

func TestCallerHangsUpInQueue(t *testing.T) {
	h := newHarness(t, fastFlow(t))
	entered := make(chan struct{})
	h.svc.EnqueueFunc = func(ctx context.Context, c ivr.Call, _ ivr.CallSession) (string, error) {
		close(entered)
		select {
		case <-c.Done():
			return "", ivr.ErrHungUp
		case <-ctx.Done():
			return "", ctx.Err()
		}
	}
	c := h.call()
	c.Press("11")
	select {
	case <-entered:
	case <-time.After(wait):
		t.Fatal("never enqueued")
	}
	c.CallerHangup()
	handled(t, c)
	if created := h.svc.Created(); len(created) != 1 {
		t.Errorf("the ticket must exist after a hang-up in the queue: %d", len(created))
	}
}

func TestOfferExistingTicket(t *testing.T) {
	for _, key := range []string{"1", "2"} {
		t.Run(key, func(t *testing.T) {
			h := newHarness(t, fastFlow(t))
			h.svc.Open[ivrtest.OpenKey(callerNumber, "internet_failure")] = &ivr.TicketRef{Number: "777", Service: "internet_failure"}
			c := h.call()
			c.Press("11")
			expect(t, c, "es/existing-ticket", "digits:es:777", "es/existing-offer")
			c.Press(key)
			handled(t, c)
			created, enqueued := h.svc.Created(), h.svc.Enqueued()
			if len(enqueued) != 1 {
				t.Fatalf("enqueued %d", len(enqueued))
			}
			if key == "1" {
				expect(t, c, "es/call-added", "digits:es:777", "es/transfer")
				if len(created) != 0 || len(h.svc.Attached("777")) != 1 || enqueued[0].TicketNumber != "777" || !enqueued[0].Attached {
					t.Errorf("created %d, attached %d, enqueued %+v", len(created), len(h.svc.Attached("777")), enqueued[0])
				}
			} else if len(created) != 1 || enqueued[0].TicketNumber != "100001" {
				t.Errorf("created %d, enqueued %+v", len(created), enqueued[0])
			}
		})
	}
}

func TestMajorIncidentInArea(t *testing.T) {
	h := newHarness(t, fastFlow(t))
	h.svc.Callers[callerNumber] = ivr.CallerInfo{Known: true, Name: "Ana", Area: "norte"}
	h.svc.Incident = &ivr.Incident{TicketNumber: "900", Area: "norte", Service: "internet_failure"}

	// Attach: told the ticket, then goodbye; no queue.
	c := h.call()
	expect(t, c, "es/welcome", "es/incident", "es/incident-offer")
	c.Press("1")
	expect(t, c, "es/call-added", "digits:es:900", "es/goodbye")
	handled(t, c)
	if created, enq := h.svc.Created(), h.svc.Enqueued(); len(created) != 0 || len(enq) != 0 || len(h.svc.Attached("900")) != 1 {
		t.Errorf("created %d enqueued %d attached %d", len(created), len(enq), len(h.svc.Attached("900")))
	}

	// Decline: the menu, and the incident is not announced twice.
	c = h.call()
	expect(t, c, "es/incident-offer")
	c.Press("2")
	expect(t, c, "es/main-menu")
	c.Press("11")
	expect(t, c, "es/your-ticket-number")
	handled(t, c)
	if n := slices.Index(c.Sounds(), "es/incident"); slices.Index(c.Sounds()[n+1:], "es/incident") >= 0 {
		t.Errorf("incident announced twice: %v", c.Sounds())
	}
}

func TestMaintenanceNotice(t *testing.T) {
	h := newHarness(t, fastFlow(t))
	h.svc.Maintained["email_failure"] = true
	c := h.call()
	c.Press("12")
	expect(t, c, "es/maintenance", "es/your-ticket-number")
	handled(t, c)
}

// A caller who types ahead skips the prompts (barge-in).
func TestTypeAhead(t *testing.T) {
	h := newHarness(t, fastFlow(t))
	c := ivrtest.NewCall("c1", ivr.Party{Number: callerNumber}, "6000")
	c.Press("23")
	done := make(chan struct{})
	go func() { defer close(done); h.runner.HandleCall(context.Background(), c) }()
	select {
	case <-done:
	case <-time.After(wait):
		t.Fatal("HandleCall did not return")
	}
	if s := c.Sounds(); slices.Contains(s, "es/main-menu") || slices.Contains(s, "es/requests-menu") {
		t.Errorf("menus played despite type-ahead: %v", s)
	}
	if created := h.svc.Created(); len(created) != 1 || created[0].Service != "new_connection" {
		t.Errorf("created %+v", created)
	}
}

// Keys typed beyond the menus do not reach the queue (its callback offer).
func TestStrayKeysAreNotPassedToTheQueue(t *testing.T) {
	h := newHarness(t, fastFlow(t))
	stray := make(chan rune, 1)
	h.svc.EnqueueFunc = func(ctx context.Context, c ivr.Call, _ ivr.CallSession) (string, error) {
		select {
		case k := <-c.DTMF():
			stray <- k
		default:
		}
		return "", nil
	}
	c := h.call()
	c.Press("1191")
	handled(t, c)
	select {
	case k := <-stray:
		t.Errorf("the queue got key %q", k)
	default:
	}
}
