package desk

import (
	"context"
	"time"

	"github.com/atiende/atiende/escalation"
	"github.com/atiende/atiende/ivr"
)

// PhoneCaller is the escalation.Caller over the telephony engine: it dials
// the contact, plays the alert with the ticket number until the callee
// presses 1, hangs up, or ctx ends (AlertChain sets the ack deadline).
type PhoneCaller struct {
	Engine     ivr.Engine
	CallerID   string
	CallerName string
	// Prompts is what the alert says; default: "ticket", its digits, and
	// "digit-1" (press 1). A dedicated "escalation alert" recording belongs
	// in ivr/prompts.
	Prompts func(a escalation.Alert) []ivr.Prompt
	// Pause between repetitions of the alert (2s).
	Pause time.Duration
}

var _ escalation.Caller = (*PhoneCaller)(nil)

func defaultAlertPrompts(a escalation.Alert) []ivr.Prompt {
	lang := a.Language
	if lang != "en" {
		lang = "es"
	}
	return []ivr.Prompt{{Sound: lang + "/ticket"}, {Digits: a.TicketNumber, Lang: lang}, {Sound: lang + "/digit-1"}}
}

// Alert rings a.To and reports whether the callee pressed 1.
func (p *PhoneCaller) Alert(ctx context.Context, a escalation.Alert) (bool, error) {
	opts := ivr.DialOptions{CallerID: p.CallerID, CallerName: p.CallerName}
	if d, ok := ctx.Deadline(); ok {
		opts.Timeout = time.Until(d)
	}
	call, err := p.Engine.Dial(ctx, a.To, opts)
	if err != nil {
		return false, err
	}
	defer func() {
		hctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		_ = call.Hangup(hctx, ivr.CauseNormal)
		cancel()
	}()
	prompts := defaultAlertPrompts
	if p.Prompts != nil {
		prompts = p.Prompts
	}
	pause := p.Pause
	if pause <= 0 {
		pause = 2 * time.Second
	}
	pctx, stop := context.WithCancel(ctx)
	defer stop()
	go func() {
		for pctx.Err() == nil {
			if err := call.Play(pctx, prompts(a)...); err != nil {
				return
			}
			select {
			case <-pctx.Done():
			case <-time.After(pause):
			}
		}
	}()
	for {
		select {
		case k := <-call.DTMF():
			if k == '1' {
				return true, nil
			}
		case <-call.Done():
			return false, ivr.ErrHungUp
		case <-ctx.Done():
			return false, ctx.Err()
		}
	}
}
