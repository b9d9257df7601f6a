package ivr_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/atiende/atiende/ivr"
	"github.com/atiende/atiende/ivr/ivrtest"
)

// answeredBy makes Enqueue act as the ACD after an agent answered and hung
// up first: the caller is still on the line. keys are pressed during the
// conversation with the agent.
func answeredBy(agent, keys string) func(context.Context, ivr.Call, ivr.CallSession) (string, error) {
	return func(ctx context.Context, c ivr.Call, _ ivr.CallSession) (string, error) {
		if keys != "" {
			c.(*ivrtest.Call).Press(keys)
		}
		return agent, nil
	}
}

// queueThenSurvey walks the default flow to the queue (internet failure)
// and waits for the survey offer.
func queueThenSurvey(t *testing.T, h *harness) *ivrtest.Call {
	t.Helper()
	c := h.call()
	c.Press("11")
	expect(t, c, "es/your-ticket-number", "digits:es:100001", "es/transfer", "es/survey-offer")
	return c
}

// The agent hangs up first; the caller presses 4: the score is recorded for
// the ticket and the agent, the caller is thanked and Atiende hangs up.
func TestSurveyAfterAgentHangsUp(t *testing.T) {
	h := newHarness(t, fastFlow(t))
	h.svc.EnqueueFunc = answeredBy("ana", "")
	c := queueThenSurvey(t, h)
	c.Press("4")
	expect(t, c, "es/survey-thanks")
	handled(t, c)
	got := h.svc.Surveys()
	if len(got) != 1 || got[0].Score != 4 || got[0].Session.Agent != "ana" ||
		got[0].Session.TicketNumber != "100001" || got[0].Session.CallID != c.ID() {
		t.Fatalf("surveys %+v", got)
	}
	if p := got[0].Session.Path; !slices.Equal(p, []string{"main:1", "failures:1", "survey:4"}) {
		t.Errorf("path %v", p)
	}
	if by, _ := c.HungUp(); by != "atiende" {
		t.Errorf("hung up by %q", by)
	}
}

// An invalid key gets one retry; a second one ends the call with goodbye
// and nothing recorded. A valid key on the retry is recorded.
func TestSurveyInvalidKey(t *testing.T) {
	t.Run("twice", func(t *testing.T) {
		h := newHarness(t, fastFlow(t))
		h.svc.EnqueueFunc = answeredBy("ana", "")
		c := queueThenSurvey(t, h)
		c.Press("7")
		expect(t, c, "es/invalid", "es/survey-offer")
		c.Press("0")
		expect(t, c, "es/invalid", "es/goodbye")
		handled(t, c)
		if got := h.svc.Surveys(); len(got) != 0 {
			t.Fatalf("surveys %+v", got)
		}
		if n := strings.Count(strings.Join(c.Sounds(), " "), "es/survey-offer"); n != 2 {
			t.Errorf("offer played %d times; played %v", n, c.Sounds())
		}
	})
	t.Run("then valid", func(t *testing.T) {
		h := newHarness(t, fastFlow(t))
		h.svc.EnqueueFunc = answeredBy("ana", "")
		c := queueThenSurvey(t, h)
		c.Press("*")
		expect(t, c, "es/invalid", "es/survey-offer")
		c.Press("2")
		expect(t, c, "es/survey-thanks")
		handled(t, c)
		if got := h.svc.Surveys(); len(got) != 1 || got[0].Score != 2 {
			t.Fatalf("surveys %+v", got)
		}
	})
}

// No key at all: the no-input prompt, one retry, goodbye.
func TestSurveyNoInput(t *testing.T) {
	f := fastFlow(t)
	f.Nodes["survey"].Timeout = 200 * time.Millisecond
	h := newHarness(t, f)
	h.svc.EnqueueFunc = answeredBy("ana", "")
	c := queueThenSurvey(t, h)
	expect(t, c, "es/timeout", "es/survey-offer", "es/timeout", "es/goodbye")
	handled(t, c)
	if got := h.svc.Surveys(); len(got) != 0 {
		t.Fatalf("surveys %+v", got)
	}
}

// A key pressed while talking to the agent is not taken as a score.
func TestSurveyIgnoresKeysFromTheCall(t *testing.T) {
	h := newHarness(t, fastFlow(t))
	h.svc.EnqueueFunc = answeredBy("ana", "5")
	c := queueThenSurvey(t, h)
	c.Press("3")
	expect(t, c, "es/survey-thanks")
	handled(t, c)
	if got := h.svc.Surveys(); len(got) != 1 || got[0].Score != 3 {
		t.Fatalf("surveys %+v", got)
	}
}

// A call nobody answered (Enqueue reports no agent) gets no survey, nor
// does a caller who hangs up during the offer; a score that cannot be
// stored still thanks the caller.
func TestSurveyNotOffered(t *testing.T) {
	t.Run("unanswered", func(t *testing.T) {
		h := newHarness(t, fastFlow(t))
		c := h.call()
		c.Press("11")
		expect(t, c, "es/transfer")
		handled(t, c)
		if slices.Contains(c.Sounds(), "es/survey-offer") || len(h.svc.Surveys()) != 0 {
			t.Fatalf("played %v, surveys %+v", c.Sounds(), h.svc.Surveys())
		}
	})
	t.Run("caller hangs up", func(t *testing.T) {
		h := newHarness(t, fastFlow(t))
		h.svc.EnqueueFunc = answeredBy("ana", "")
		c := queueThenSurvey(t, h)
		c.CallerHangup()
		handled(t, c)
		if got := h.svc.Surveys(); len(got) != 0 {
			t.Fatalf("surveys %+v", got)
		}
	})
	t.Run("no recorder", func(t *testing.T) {
		h := newHarness(t, fastFlow(t))
		h.runner.Surveys = nil
		h.svc.EnqueueFunc = answeredBy("ana", "")
		c := h.call()
		c.Press("11")
		expect(t, c, "es/transfer")
		handled(t, c)
		if slices.Contains(c.Sounds(), "es/survey-offer") || len(h.svc.Surveys()) != 0 {
			t.Fatalf("played %v, surveys %+v", c.Sounds(), h.svc.Surveys())
		}
	})
	t.Run("store fails", func(t *testing.T) {
		h := newHarness(t, fastFlow(t))
		h.svc.EnqueueFunc = answeredBy("ana", "")
		h.svc.SurveyErr = errors.New("database down")
		c := queueThenSurvey(t, h)
		c.Press("5")
		expect(t, c, "es/survey-thanks")
		handled(t, c)
	})
}

// An enqueue node without `answered` ends the call after an answered call
// even when it has a `next` (for calls nobody took).
func TestAnsweredWithoutSurveyEnds(t *testing.T) {
	f, err := ivr.ParseFlow("t.yaml", []byte(`
name: t
start: queue
nodes:
  queue:
    type: enqueue
    queue: general
    next: sorry
  sorry:
    type: hangup
    prompts: [goodbye]
`))
	if err != nil {
		t.Fatal(err)
	}
	h := newHarness(t, f)
	h.svc.EnqueueFunc = answeredBy("ana", "")
	c := h.call()
	handled(t, c)
	if s := c.Sounds(); len(s) != 0 {
		t.Fatalf("played %v", s)
	}
}

func TestSurveyNodeChecks(t *testing.T) {
	for _, tc := range []struct{ yaml, want string }{
		{"  s:\n    type: survey\n    prompts: [survey-offer]\n", "needs next"},
		{"  s:\n    type: survey\n    next: q\n", "needs prompts"},
		{"  s:\n    type: survey\n    prompts: [survey-offer]\n    next: q\n    keys: {\"1\": q}\n", "keys"},
		{"  s:\n    type: enqueue\n    answered: nowhere\n", "missing node \"nowhere\""},
	} {
		_, err := ivr.ParseFlow("t.yaml", []byte("name: t\nstart: s\nnodes:\n"+tc.yaml+"  q:\n    type: hangup\n"))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: error %v, want %q", tc.yaml, err, tc.want)
		}
	}
}
