package intake_test

import (
	"context"
	"slices"
	"testing"
	"time"
)

func (h *harness) scores(t *testing.T, by, value string) (int, float64) {
	t.Helper()
	n, mean, err := h.db.SurveyScores(context.Background(), by, value)
	if err != nil {
		t.Fatal(err)
	}
	return n, mean
}

// The agent hangs up first: the caller, still on the line, hears the survey
// offer and presses 5; the score is kept for the ticket and for the agent.
func TestKeypadSurveyAfterAgentHangsUp(t *testing.T) {
	h := newHarness(t)
	c, agentLeg := h.connect(t)
	agentLeg.CallerHangup()
	if err := c.WaitPlayed("es/survey-offer", 10*time.Second); err != nil {
		t.Fatal(err)
	}
	c.Press("5")
	if err := c.WaitPlayed("es/survey-thanks", 5*time.Second); err != nil {
		t.Fatal(err)
	}
	if err := c.WaitHandled(10 * time.Second); err != nil {
		t.Fatal(err)
	}
	if by, _ := c.HungUp(); by != "atiende" {
		t.Errorf("caller's call hung up by %q", by)
	}
	tk := h.onlyTicket(t)
	if n, mean := h.scores(t, "ticket", tk.Number); n != 1 || mean != 5 {
		t.Errorf("ticket %s scores: %d, mean %v", tk.Number, n, mean)
	}
	if n, mean := h.scores(t, "agent", "ana"); n != 1 || mean != 5 {
		t.Errorf("ana's scores: %d, mean %v", n, mean)
	}
	// The call record is as without a survey.
	calls, err := h.db.Calls(context.Background(), tk.Number)
	if err != nil || len(calls) != 1 || calls[0].Outcome != "answered" || calls[0].Agent != "ana" {
		t.Fatalf("calls %+v %v", calls, err)
	}
}

// The caller hangs up first: no survey, nothing stored, the agent's leg is
// ended.
func TestKeypadSurveyCallerHangsUp(t *testing.T) {
	h := newHarness(t)
	c, agentLeg := h.connect(t)
	c.CallerHangup()
	if err := c.WaitHandled(10 * time.Second); err != nil {
		t.Fatal(err)
	}
	if err := agentLeg.WaitHungUp(5 * time.Second); err != nil {
		t.Fatal(err)
	}
	if slices.Contains(c.Sounds(), "es/survey-offer") {
		t.Errorf("survey offered after the caller hung up: %v", c.Sounds())
	}
	tk := h.onlyTicket(t)
	if n, _ := h.scores(t, "ticket", tk.Number); n != 0 {
		t.Errorf("%d scores stored", n)
	}
}

// Two invalid keys: one retry, then goodbye, nothing stored.
func TestKeypadSurveyInvalidKey(t *testing.T) {
	h := newHarness(t)
	c, agentLeg := h.connect(t)
	agentLeg.CallerHangup()
	if err := c.Expect("es/survey-offer", 10*time.Second); err != nil {
		t.Fatal(err)
	}
	c.Press("8")
	for _, p := range []string{"es/invalid", "es/survey-offer"} {
		if err := c.Expect(p, 5*time.Second); err != nil {
			t.Fatal(err)
		}
	}
	c.Press("0")
	for _, p := range []string{"es/invalid", "es/goodbye"} {
		if err := c.Expect(p, 5*time.Second); err != nil {
			t.Fatal(err)
		}
	}
	if err := c.WaitHandled(10 * time.Second); err != nil {
		t.Fatal(err)
	}
	if n, _ := h.scores(t, "agent", "ana"); n != 0 {
		t.Errorf("%d scores stored", n)
	}
}
