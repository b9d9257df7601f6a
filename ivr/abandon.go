package ivr

import (
	"context"
	"errors"
)

// MediaState is what an engine knows of the audio a caller has sent since
// the call was answered.
type MediaState int

const (
	// MediaUnknown: the engine cannot tell (Asterisk over ARI); the flow
	// treats the call as a caller with media.
	MediaUnknown MediaState = iota
	// MediaNone: not one RTP packet arrived since the answer.
	MediaNone
	// MediaSeen: the caller's phone sends media.
	MediaSeen
)

// Call outcomes of calls that ended in the IVR without a ticket, stored as
// call records (tickets.CallRecord.Outcome).
const (
	// OutcomeAbandonedIVR: the caller left, or sent no media at all, before
	// reaching a queue or an agent: before choosing anything that made a
	// ticket, or after (the ticket's call record then ends with it).
	OutcomeAbandonedIVR = "abandoned_ivr"
)

// OutcomeLabel is the person-facing name of a call outcome of the IVR, in
// lang ("es" or "en"); "" for an outcome it does not know.
func OutcomeLabel(outcome, lang string) string {
	if outcome != OutcomeAbandonedIVR {
		return ""
	}
	if lang == "en" {
		return "Abandoned in the IVR"
	}
	return "Abandonada en el IVR"
}

// IVRCallRecorder keeps the calls that ended in the IVR (intake.Service):
// without a ticket, as a call record of their own; with one (the caller
// hung up during the read-back, say), by ending the ticket's call record.
// FlowRunner.Abandoned is one; nil records nothing.
type IVRCallRecorder interface {
	// RecordIVRCall keeps call s with outcome (OutcomeAbandonedIVR),
	// s.TicketNumber's call record when there is one. Its context is
	// bounded by the runner's ServiceTimeout and survives the caller's
	// hang-up.
	RecordIVRCall(ctx context.Context, s CallSession, outcome string) error
}

// errNoMedia ends the flow of a caller who never sent media when it would
// open a ticket or hand the call to a person.
var errNoMedia = errors.New("ivr: no media from the caller")

// ghost reports whether the caller has sent no media at all and chose
// nothing: such a call (a scanner, a phone whose audio never arrives) must
// not open a ticket nor wait for an agent.
func (s *session) ghost() bool {
	return s.c.InboundMedia() == MediaNone && len(s.Path) == 0
}

// recordAbandoned keeps a call that ends in the IVR, when the caller left
// or sent no media: without a ticket as a call record of its own, with one
// as the end of the ticket's call record (it would stay open for ever).
func (s *session) recordAbandoned(outcome string) {
	if s.r.Abandoned == nil || (outcome != "caller_hangup" && outcome != "no_media") {
		return
	}
	if s.enqueued {
		return // the queue ended the call's record (answered, abandoned, callback...)
	}
	ctx, cancel := s.writeCtx()
	defer cancel()
	if err := s.r.Abandoned.RecordIVRCall(ctx, s.snapshot(), OutcomeAbandonedIVR); err != nil {
		s.log.Error("ivr abandoned call not recorded", "error", err)
	}
}
