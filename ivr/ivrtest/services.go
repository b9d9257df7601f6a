package ivrtest

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/atiende/atiende/ivr"
	"github.com/atiende/atiende/tickets"
)

var (
	_ ivr.FlowServices   = (*Services)(nil)
	_ ivr.SurveyRecorder = (*Services)(nil)
)

// Services is a scripted ivr.FlowServices that records what a flow asks of
// Atiende. Set the script fields before placing calls; read what happened
// with the methods (safe while calls run).
type Services struct {
	Callers    map[string]ivr.CallerInfo    // by caller number
	Incident   *ivr.Incident                // matches a call on its Area or Service
	Maintained map[string]bool              // services under maintenance
	Open       map[string]*ivr.TicketRef    // by OpenKey(phone, service)
	Statuses   map[string]*ivr.TicketStatus // by number; others are not found
	Hours      bool                         // what BusinessHours answers
	// EnqueueFunc, if set, runs inside Enqueue (e.g. to block until the
	// caller hangs up); by default Enqueue returns at once.
	EnqueueFunc func(ctx context.Context, c ivr.Call, s ivr.CallSession) (answeredBy string, err error)
	// TransferFunc, if set, runs inside Transfer; by default it returns nil.
	TransferFunc func(ctx context.Context, c ivr.Call, ext string, s ivr.CallSession) error
	// SurveyErr is what RecordSurvey returns (after recording the score).
	SurveyErr error

	mu        sync.Mutex
	created   []ivr.CallSession
	attached  map[string][]ivr.CallSession
	enqueued  []ivr.CallSession
	transfers []string
	surveys   []Survey
}

// Survey is a keypad survey score RecordSurvey received.
type Survey struct {
	Session ivr.CallSession
	Score   int
}

// NewServices returns Services with empty scripts. Created tickets are
// numbered 100001, 100002...
func NewServices() *Services {
	return &Services{
		Callers: map[string]ivr.CallerInfo{}, Maintained: map[string]bool{},
		Open: map[string]*ivr.TicketRef{}, Statuses: map[string]*ivr.TicketStatus{},
		attached: map[string][]ivr.CallSession{},
	}
}

// OpenKey is the key of Services.Open.
func OpenKey(phone, service string) string { return phone + "|" + service }

func (f *Services) LookupCaller(ctx context.Context, from ivr.Party) (ivr.CallerInfo, error) {
	return f.Callers[from.Number], nil
}

func (f *Services) BusinessHours(ctx context.Context, at time.Time) bool { return f.Hours }

func (f *Services) MajorIncident(ctx context.Context, service, area string) (*ivr.Incident, error) {
	if i := f.Incident; i != nil && (area != "" && i.Area == area || service != "" && i.Service == service) {
		return i, nil
	}
	return nil, nil
}

func (f *Services) Maintenance(ctx context.Context, service, area string) (*ivr.Maintenance, error) {
	if f.Maintained[service] {
		return &ivr.Maintenance{ID: "m1", Services: []string{service}, Summary: "test"}, nil
	}
	return nil, nil
}

func (f *Services) OpenTicket(ctx context.Context, phone, service string, since time.Time) (*ivr.TicketRef, error) {
	return f.Open[OpenKey(phone, service)], nil
}

func (f *Services) CreateTicket(ctx context.Context, s ivr.CallSession) (*ivr.TicketRef, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.created = append(f.created, s)
	return &ivr.TicketRef{Number: fmt.Sprint(100000 + len(f.created)), Service: s.Service, State: tickets.Registered}, nil
}

func (f *Services) AttachCall(ctx context.Context, number string, s ivr.CallSession) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.attached[number] = append(f.attached[number], s)
	return nil
}

func (f *Services) TicketStatus(ctx context.Context, number string) (*ivr.TicketStatus, error) {
	if st := f.Statuses[number]; st != nil {
		return st, nil
	}
	return nil, tickets.Errorf(tickets.ENOTFOUND, "no ticket %s", number)
}

func (f *Services) Enqueue(ctx context.Context, c ivr.Call, s ivr.CallSession) (string, error) {
	f.mu.Lock()
	f.enqueued = append(f.enqueued, s)
	f.mu.Unlock()
	if f.EnqueueFunc != nil {
		return f.EnqueueFunc(ctx, c, s)
	}
	return "", nil
}

func (f *Services) Transfer(ctx context.Context, c ivr.Call, ext string, s ivr.CallSession) error {
	f.mu.Lock()
	f.transfers = append(f.transfers, ext)
	f.mu.Unlock()
	if f.TransferFunc != nil {
		return f.TransferFunc(ctx, c, ext, s)
	}
	return nil
}

func (f *Services) RecordSurvey(ctx context.Context, s ivr.CallSession, score int) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.surveys = append(f.surveys, Survey{Session: s, Score: score})
	return f.SurveyErr
}

// Surveys returns the keypad survey scores recorded, in order.
func (f *Services) Surveys() []Survey {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.surveys)
}

// Created returns the sessions of the tickets created, in order.
func (f *Services) Created() []ivr.CallSession {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.created)
}

// Attached returns the sessions attached to ticket number.
func (f *Services) Attached(number string) []ivr.CallSession {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.attached[number])
}

// Enqueued returns the sessions of the calls enqueued, in order.
func (f *Services) Enqueued() []ivr.CallSession {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.enqueued)
}

// Transfers returns the extensions transferred to, in order.
func (f *Services) Transfers() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.transfers)
}
