package desk

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/atiende/atiende/escalation"
	"github.com/atiende/atiende/tickets"
)

// SurveyAnswers is the survey store the follow-up needs (*postgres.DB):
// recording scores (keypad and page), reading an answer back with its
// ticket's queue and service, and keeping the follow-up ticket's number.
type SurveyAnswers interface {
	SurveyStore
	RecordKeypadSurvey(ctx context.Context, callID, ticketNumber, agent, language string, score int, at time.Time) error
	WebSurveyAnswer(ctx context.Context, hash []byte) (*tickets.SurveyAnswer, error)
	KeypadSurveyAnswer(ctx context.Context, callID string) (*tickets.SurveyAnswer, error)
	SurveyAnswerByID(ctx context.Context, id string) (*tickets.SurveyAnswer, error)
	SetSurveyFollowUp(ctx context.Context, id, number string) error
}

// FollowUpTickets is what a follow-up is opened with: the SLA store, so the
// follow-up has due times, escalations and its confirmation like any
// ticket.
type FollowUpTickets interface {
	Ticket(ctx context.Context, number string) (*tickets.Ticket, error)
	CreateTicket(ctx context.Context, t *tickets.Ticket, actor string) error
	AddNote(ctx context.Context, number string, n *tickets.Note) error
}

// Surveys records satisfaction scores from both channels (the keypad after
// the call, through intake; the survey page, through SurveyHandler) and acts
// on each one recorded:
//   - OnAnswer sees it (the metrics count it by score and channel; the hub
//     tells the wallboards, whose survey panel redraws);
//   - a low score (1 or 2) opens a follow-up for the supervisors: a
//     complaint ticket at level 2 in the same queue and service, with the
//     caller, the score, the comment and the original ticket, and an internal
//     note on the original pointing to it.
//
// A help desk treats a dissatisfied caller as a complaint to recover: it
// must be owned, have a due time and be closed with what was done, which is
// what a ticket already has (SLA clock, escalation, history, the
// supervisor's lists and the wallboard's SLA panel). A flag on a closed
// ticket would be seen by no one. The complaint starts at level 2 (the
// supervisors') and unassigned, so the first supervisor who takes it owns
// it.
type Surveys struct {
	Store   SurveyAnswers
	Tickets FollowUpTickets
	// Timers, if set, makes each follow-up a durable action
	// (SurveyFollowUp, performed by Execute through the escalation worker):
	// retried until it is opened, once, even with two processes. Nil opens
	// it at once, in the request that recorded the score.
	Timers escalation.TimerStore
	Clock  escalation.Clock // nil: the system clock
	// OnAnswer, if set, is called with every recorded answer (FollowUp set
	// when it was opened at once). It must not block.
	OnAnswer func(tickets.SurveyAnswer)
	// OnFollowUp, if set, is called with an answer whose follow-up was
	// just opened by Execute. It must not block.
	OnFollowUp func(tickets.SurveyAnswer)
	Log        *slog.Logger
}

// SurveyFollowUp is the durable action that opens the follow-up of a low
// score; Ref is the answer's ID.
const SurveyFollowUp escalation.ActionKind = "survey_follow_up"

var _ escalation.Executor = (*Surveys)(nil)

var _ SurveyStore = (*Surveys)(nil)

func (s *Surveys) CreateSurvey(ctx context.Context, hash []byte, ticketNumber, agent, language string, at time.Time) error {
	return s.Store.CreateSurvey(ctx, hash, ticketNumber, agent, language, at)
}

func (s *Surveys) Survey(ctx context.Context, hash []byte) (string, string, bool, error) {
	return s.Store.Survey(ctx, hash)
}

// AnswerSurvey records the page's answer, then acts on it.
func (s *Surveys) AnswerSurvey(ctx context.Context, hash []byte, score int, comment string, at time.Time) error {
	if err := s.Store.AnswerSurvey(ctx, hash, score, comment, at); err != nil {
		return err
	}
	a, err := s.Store.WebSurveyAnswer(ctx, hash)
	s.recorded(ctx, a, err)
	return nil
}

// RecordKeypadSurvey records the keypad score of a call, then acts on it.
func (s *Surveys) RecordKeypadSurvey(ctx context.Context, callID, ticketNumber, agent, language string, score int, at time.Time) error {
	if err := s.Store.RecordKeypadSurvey(ctx, callID, ticketNumber, agent, language, score, at); err != nil {
		return err
	}
	a, err := s.Store.KeypadSurveyAnswer(ctx, callID)
	s.recorded(ctx, a, err)
	return nil
}

func (s *Surveys) log() *slog.Logger {
	if s.Log == nil {
		return slog.New(slog.DiscardHandler)
	}
	return s.Log
}

// recorded acts on an answer just stored. The answer stands whatever
// happens here: a follow-up that cannot be opened is logged with the
// ticket, and the answer keeps no follow-up number (the wallboard lists it
// as a low score without one).
func (s *Surveys) recorded(ctx context.Context, a *tickets.SurveyAnswer, err error) {
	if err != nil {
		s.log().Error("survey: reading the answer back", "error", err)
		return
	}
	if a.Low() && s.Tickets != nil && s.Timers != nil {
		clock := s.Clock
		if clock == nil {
			clock = escalation.SystemClock{}
		}
		err := s.Timers.Schedule(ctx, escalation.Action{Kind: SurveyFollowUp, TicketNumber: a.TicketNumber, Level: 2,
			DueAt: clock.Now(), Key: "survey/" + a.ID + "/follow-up", Ref: a.ID, Actor: SystemActor,
			Reason: fmt.Sprintf("satisfaction score %d of 5", a.Score)})
		if err == nil {
			if s.OnAnswer != nil {
				s.OnAnswer(*a)
			}
			return
		}
		s.log().Warn("survey: follow-up not scheduled; opening it now", "ticket", a.TicketNumber, "error", err)
	}
	if a.Low() && s.Tickets != nil {
		if n, err := s.followUp(ctx, a); err != nil {
			s.log().Error("survey: low score follow-up not opened", "ticket", a.TicketNumber, "score", a.Score, "error", err)
		} else {
			a.FollowUp = n
			s.log().Info("survey: low score follow-up opened", "ticket", a.TicketNumber, "score", a.Score, "follow_up", n)
		}
	}
	if s.OnAnswer != nil {
		s.OnAnswer(*a)
	}
}

// Execute performs a SurveyFollowUp action: it opens the follow-up of the
// answer Ref unless the answer already has one.
func (s *Surveys) Execute(ctx context.Context, c escalation.Claimed) error {
	if c.Kind != SurveyFollowUp {
		return escalation.Permanent(fmt.Errorf("survey: unknown action kind %q", c.Kind))
	}
	a, err := s.Store.SurveyAnswerByID(ctx, c.Ref)
	if err != nil {
		if tickets.ErrorCode(err) == tickets.ENOTFOUND || tickets.ErrorCode(err) == tickets.EINVALID {
			return escalation.Permanent(err)
		}
		return err
	}
	if a.FollowUp != "" || !a.Low() {
		return nil
	}
	n, err := s.followUp(ctx, a)
	if err != nil {
		return err
	}
	a.FollowUp = n
	s.log().Info("survey: low score follow-up opened", "ticket", a.TicketNumber, "score", a.Score, "follow_up", n)
	if s.OnFollowUp != nil {
		s.OnFollowUp(*a)
	}
	return nil
}

// followUp opens the complaint of a low score and returns its number.
func (s *Surveys) followUp(ctx context.Context, a *tickets.SurveyAnswer) (string, error) {
	orig, err := s.Tickets.Ticket(ctx, a.TicketNumber)
	if err != nil {
		return "", fmt.Errorf("ticket %s: %w", a.TicketNumber, err)
	}
	en := a.Language == "en"
	channel := map[string][2]string{tickets.SurveyKeypad: {"teclado al final de la llamada", "keypad after the call"},
		tickets.SurveyWeb: {"encuesta web", "web survey"}}[a.Channel]
	var subject, desc string
	if en {
		subject = fmt.Sprintf("Survey follow-up: score %d of 5 on ticket %s", a.Score, orig.Number)
		desc = fmt.Sprintf("The caller scored ticket %s %d of 5 (%s). Agent: %s.\nContact the caller, find out what went wrong and record what was done.",
			orig.Number, a.Score, channel[1], orDash(a.Agent))
		if a.Comment != "" {
			desc += "\n\nCaller's comment: " + a.Comment
		}
	} else {
		subject = fmt.Sprintf("Seguimiento de encuesta: calificación %d de 5 en el ticket %s", a.Score, orig.Number)
		desc = fmt.Sprintf("El usuario calificó el ticket %s con %d de 5 (%s). Agente: %s.\nComuníquese con el usuario, averigüe qué falló y registre lo que se hizo.",
			orig.Number, a.Score, channel[0], orDash(a.Agent))
		if a.Comment != "" {
			desc += "\n\nComentario del usuario: " + a.Comment
		}
	}
	if len(desc) > 20000 {
		desc = desc[:20000]
	}
	t := &tickets.Ticket{Kind: tickets.Complaint, Service: orig.Service, Impact: tickets.Low, Urgency: tickets.Medium,
		Priority: tickets.P3, Level: 2, Channel: orig.Channel, Caller: orig.Caller, Subject: subject, Description: desc,
		Queue: orig.Queue}
	if err := s.Tickets.CreateTicket(ctx, t, SystemActor); err != nil {
		return "", fmt.Errorf("create: %w", err)
	}
	if err := s.Store.SetSurveyFollowUp(ctx, a.ID, t.Number); err != nil {
		s.log().Warn("survey: follow-up number not kept on the answer", "follow_up", t.Number, "error", err)
	}
	note := fmt.Sprintf("Calificación %d de 5 (%s). Seguimiento del supervisor: ticket %s.", a.Score, channel[0], t.Number)
	if err := s.Tickets.AddNote(ctx, orig.Number, &tickets.Note{Author: SystemActor, Body: note, Internal: true}); err != nil {
		s.log().Warn("survey: note on the scored ticket", "ticket", orig.Number, "error", err)
	}
	return t.Number, nil
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
