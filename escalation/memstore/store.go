// Package memstore is an in-memory escalation.TimerStore with the same
// semantics the Postgres store must have, and a fake clock. It is the test
// double of the escalation ports.
package memstore

import (
	"context"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/atiende/atiende/escalation"
)

// State of a stored action.
type State string

const (
	Pending   State = "pending"
	Done      State = "done"
	Cancelled State = "cancelled"
)

// Entry is a stored action as the store sees it.
type Entry struct {
	Action      escalation.Action
	State       State
	Attempts    int
	Token       string
	LockedUntil time.Time
	LastError   string
	DoneAt      time.Time
}

// Store is safe for concurrent use.
type Store struct {
	mu     sync.Mutex
	items  map[string]*Entry
	serial int
	subs   []chan struct{}
}

var _ escalation.TimerStore = (*Store)(nil)

// New returns an empty store.
func New() *Store { return &Store{items: map[string]*Entry{}} }

// Subscribe returns a channel signalled when actions are scheduled: give it
// to a Worker as Wake, as the Postgres store does with LISTEN/NOTIFY.
func (s *Store) Subscribe() <-chan struct{} {
	s.mu.Lock()
	defer s.mu.Unlock()
	ch := make(chan struct{}, 1)
	s.subs = append(s.subs, ch)
	return ch
}

func (s *Store) notify() {
	for _, ch := range s.subs {
		select {
		case ch <- struct{}{}:
		default:
		}
	}
}

func (s *Store) Schedule(ctx context.Context, actions ...escalation.Action) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, a := range actions {
		s.put(a)
	}
	s.notify()
	return ctx.Err()
}

func (s *Store) put(a escalation.Action) {
	e, ok := s.items[a.Key]
	switch {
	case !ok:
		s.items[a.Key] = &Entry{Action: a, State: Pending}
	case e.State == Pending:
		e.Action = a
	case e.State == Cancelled:
		*e = Entry{Action: a, State: Pending}
	}
}

func (s *Store) Sync(ctx context.Context, ticket string, actions []escalation.Action) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	keep := map[string]bool{}
	for _, a := range actions {
		keep[a.Key] = true
		s.put(a)
	}
	for k, e := range s.items {
		if e.Action.TicketNumber == ticket && e.State == Pending && e.Action.Planned() && !keep[k] {
			e.State = Cancelled
		}
	}
	s.notify()
	return ctx.Err()
}

func (s *Store) Claim(ctx context.Context, now time.Time, limit int, lease time.Duration) ([]escalation.Claimed, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var due []*Entry
	for _, e := range s.items {
		if e.State == Pending && !e.Action.DueAt.After(now) && !e.LockedUntil.After(now) {
			due = append(due, e)
		}
	}
	slices.SortFunc(due, func(a, b *Entry) int {
		if c := a.Action.DueAt.Compare(b.Action.DueAt); c != 0 {
			return c
		}
		return compareStrings(a.Action.Key, b.Action.Key)
	})
	if len(due) > limit {
		due = due[:limit]
	}
	out := make([]escalation.Claimed, 0, len(due))
	for _, e := range due {
		s.serial++
		e.Token = strconv.Itoa(s.serial)
		e.Attempts++
		e.LockedUntil = now.Add(lease)
		out = append(out, escalation.Claimed{Action: e.Action, Attempt: e.Attempts, Token: e.Token, LastError: e.LastError})
	}
	return out, nil
}

func compareStrings(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func (s *Store) claimed(key, token string) (*Entry, error) {
	e, ok := s.items[key]
	if !ok || e.Token != token || e.State != Pending {
		return nil, escalation.ErrLeaseLost
	}
	return e, nil
}

func (s *Store) Done(ctx context.Context, key, token string, now time.Time) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	e, err := s.claimed(key, token)
	if err != nil {
		return err
	}
	e.State, e.DoneAt, e.Token, e.LockedUntil = Done, now, "", time.Time{}
	return nil
}

func (s *Store) Retry(ctx context.Context, key, token string, at time.Time, reason string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	e, err := s.claimed(key, token)
	if err != nil {
		return err
	}
	e.Action.DueAt, e.LastError, e.Token, e.LockedUntil = at, reason, "", time.Time{}
	return nil
}

func (s *Store) NextDue(ctx context.Context) (time.Time, bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var next time.Time
	for _, e := range s.items {
		if e.State != Pending {
			continue
		}
		at := e.Action.DueAt
		if e.LockedUntil.After(at) {
			at = e.LockedUntil
		}
		if next.IsZero() || at.Before(next) {
			next = at
		}
	}
	return next, !next.IsZero(), ctx.Err()
}

// Get returns the stored entry of key.
func (s *Store) Get(key string) (Entry, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.items[key]
	if !ok {
		return Entry{}, false
	}
	return *e, true
}

// Entries returns every entry in state st, ordered by due time and key.
func (s *Store) Entries(st State) []Entry {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Entry
	for _, e := range s.items {
		if e.State == st {
			out = append(out, *e)
		}
	}
	slices.SortFunc(out, func(a, b Entry) int {
		if c := a.Action.DueAt.Compare(b.Action.DueAt); c != 0 {
			return c
		}
		return compareStrings(a.Action.Key, b.Action.Key)
	})
	return out
}
