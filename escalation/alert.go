package escalation

import (
	"context"
	"errors"
	"time"
)

// AlertAttempt is one phone alert of a chain.
type AlertAttempt struct {
	Contact Contact
	To      string // the number or extension dialled
	Acked   bool
	Err     error // nil when the call was made, acknowledged or not
}

// ErrNoPhone means none of the contacts of a chain has a phone.
var ErrNoPhone = errors.New("escalation: no contact with a phone to alert")

// AlertChain phones contacts in order (each contact's extension, office
// phone, then mobile) until one acknowledges by pressing 1, giving each
// call ackTimeout. It returns every attempt; acked is the contact who
// acknowledged, nil when nobody did. The executor records the attempts on
// the ticket and, if nobody acknowledged, the escalation still stands (the
// emails went out) and the supervisor is told.
func AlertChain(ctx context.Context, c Caller, contacts []Contact, a Alert, ackTimeout time.Duration) (acked *Contact, attempts []AlertAttempt, err error) {
	for i := range contacts {
		for _, to := range contacts[i].Phones() {
			if err := ctx.Err(); err != nil {
				return nil, attempts, err
			}
			call := a
			call.To = to
			if contacts[i].Language != "" {
				call.Language = contacts[i].Language
			}
			cctx, cancel := context.WithTimeout(ctx, ackTimeout)
			ok, err := c.Alert(cctx, call)
			cancel()
			if errors.Is(err, context.DeadlineExceeded) && ctx.Err() == nil {
				err = nil // rang out without an acknowledgement: next
			}
			attempts = append(attempts, AlertAttempt{Contact: contacts[i], To: to, Acked: ok && err == nil, Err: err})
			if ok && err == nil {
				return &contacts[i], attempts, nil
			}
		}
	}
	if len(attempts) == 0 {
		return nil, nil, ErrNoPhone
	}
	return nil, attempts, ctx.Err()
}
