package ivr

import (
	"errors"
)

// survey asks the caller who stayed on the line after the agent hung up
// (CallSession.Agent, returned by Enqueue) to score the call from 1 to 5
// with one key, records the score through SurveyRecorder and goes to next.
// A wrong key or no key plays invalid or no_input and asks again; after the
// last try (tries, default 3) it goes to on_fail, as it does at once when
// there is nobody to score: no agent, no ticket, or no FlowRunner.Surveys. A score that cannot be stored is logged; the caller is thanked
// all the same.
func (s *session) survey(n *Node) (string, error) {
	rec := s.r.Surveys
	if rec == nil || s.Agent == "" || s.TicketNumber == "" {
		s.log.Debug("ivr survey skipped", "node", n.Name, "agent", s.Agent, "ticket", s.TicketNumber, "recorder", rec != nil)
		return n.OnFail, nil
	}
	s.flushKeys() // a key pressed while talking to the agent is no score
	tries := orDefault(n.Tries, DefaultTries)
	timeout := orDefault(n.Timeout, DefaultMenuTimeout)
	for try := 1; ; try++ {
		if err := s.play(s.ivrCtx, true, n.Prompts...); err != nil {
			return "", err
		}
		k, err := s.readKey(s.ivrCtx, timeout)
		var fail []string
		switch {
		case errors.Is(err, errTimeout):
			fail = orPrompts(n.NoInput, "timeout")
		case err != nil:
			return "", err
		case k >= '1' && k <= '5':
			s.choose(n.Name, k)
			score := int(k - '0')
			ctx, cancel := s.svcCtx()
			err := rec.RecordSurvey(ctx, s.snapshot(), score)
			cancel()
			if err != nil {
				s.log.Error("ivr survey not recorded", "ticket", s.TicketNumber, "agent", s.Agent, "score", score, "error", err)
			} else {
				s.log.Info("ivr survey", "ticket", s.TicketNumber, "agent", s.Agent, "score", score)
			}
			return n.Next, nil
		default:
			fail = orPrompts(n.Invalid, "invalid")
		}
		s.log.Debug("ivr survey miss", "node", n.Name, "try", try, "timeout", errors.Is(err, errTimeout))
		if err := s.play(s.ivrCtx, false, fail...); err != nil {
			return "", err
		}
		if try >= tries {
			return n.OnFail, nil
		}
	}
}
