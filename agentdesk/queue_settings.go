package agentdesk

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/atiende/atiende/tickets"
)

// QueueSettings is one queue's tuning as a supervisor or an admin saved it
// from the admin page. While saved it overrides the configuration file's
// values for that queue; deleting it (Reverted) puts the queue back on
// them. Durations are kept to the millisecond.
type QueueSettings struct {
	Queue string // the queue's name: its catalog support group
	// Strategy is one of Strategies.
	Strategy    string
	RingTimeout time.Duration // how long an agent's phone rings
	// WrapUp is the after-call time before the agent is offered another
	// call; 0: none.
	WrapUp time.Duration
	// MaxWait is how long a caller waits before the callback offer.
	MaxWait time.Duration
	// AnnounceInterval spaces the position and expected-wait
	// announcements; 0: none.
	AnnounceInterval time.Duration
	// ServiceLevel: a call answered within it counts towards the service
	// level.
	ServiceLevel time.Duration
	// AutoPause pauses an agent whose phone rang out; nil: the desk's
	// default (pause).
	AutoPause *bool
	// NoAgents is what a caller gets when nobody is logged in to the queue:
	// one of NoAgentsChoices; "": the configuration file's choice.
	NoAgents string
	// Overflow is the queue a caller goes to when NoAgents is "overflow".
	Overflow string

	UpdatedBy string
	UpdatedAt time.Time
	// Version counts every save and revert of the queue's settings, from 1;
	// a change names the version it was based on (0: never saved).
	Version int
	// Reverted marks settings deleted from the admin page: the queue runs on
	// its configured values again. The record stays (nothing is deleted)
	// with who reverted it and when, and Version goes on counting, so a page
	// that is out of date cannot overwrite a later change.
	Reverted bool
}

// The ranges a supervisor may set. They are wider than anyone needs and
// narrow enough that a typo (seconds for minutes) is refused.
const (
	MinQueueRingTimeout      = 5 * time.Second
	MaxQueueRingTimeout      = 2 * time.Minute
	MaxQueueWrapUp           = 10 * time.Minute
	MinQueueMaxWait          = 10 * time.Second
	MaxQueueMaxWait          = time.Hour
	MinQueueAnnounceInterval = 10 * time.Second
	MaxQueueAnnounceInterval = 10 * time.Minute
	MinQueueServiceLevel     = 5 * time.Second
	MaxQueueServiceLevel     = 10 * time.Minute
	// MaxQueueName bounds a queue's name, in bytes.
	MaxQueueName = 100
)

// QueueSettingError is an EINVALID error about one field of QueueSettings.
// Field is the field's name in snake case ("ring_timeout") and Reason what
// is wrong with it; errors.As finds the *tickets.Error inside for the code
// and message (the codes every store and the API share).
type QueueSettingError struct {
	Field  string
	Reason string
	Err    *tickets.Error
}

func (e *QueueSettingError) Error() string { return e.Err.Error() }
func (e *QueueSettingError) Unwrap() error { return e.Err }

// QueueSettingField returns the field named by a QueueSettingError in err's
// chain, or "".
func QueueSettingField(err error) string {
	var fe *QueueSettingError
	if errors.As(err, &fe) {
		return fe.Field
	}
	return ""
}

func badQueueSetting(field, format string, args ...any) error {
	reason := fmt.Sprintf(format, args...)
	return &QueueSettingError{Field: field, Reason: reason, Err: tickets.Errorf(tickets.EINVALID, "queue settings: %s: %s", field, reason)}
}

// Normalize trims the text fields and keeps durations to the millisecond.
func (s *QueueSettings) Normalize() {
	s.Queue = strings.TrimSpace(s.Queue)
	s.Strategy = strings.TrimSpace(s.Strategy)
	s.UpdatedBy = strings.TrimSpace(s.UpdatedBy)
	s.NoAgents = strings.TrimSpace(s.NoAgents)
	s.Overflow = strings.TrimSpace(s.Overflow)
	if s.NoAgents != string(NoAgentsOverflow) {
		s.Overflow = ""
	}
	for _, d := range []*time.Duration{&s.RingTimeout, &s.WrapUp, &s.MaxWait, &s.AnnounceInterval, &s.ServiceLevel} {
		*d = d.Round(time.Millisecond)
	}
}

// Validate checks the values a supervisor may set. Each error is a
// *QueueSettingError naming the first field that is wrong. It does not
// check that the queue exists, nor who saves.
func (s *QueueSettings) Validate() error {
	switch {
	case s.Queue == "":
		return badQueueSetting("queue", "the queue's name is required")
	case len(s.Queue) > MaxQueueName:
		return badQueueSetting("queue", "the queue's name is longer than %d bytes", MaxQueueName)
	case s.Strategy == "":
		return badQueueSetting("strategy", "is required: one of %s", joinNames(Strategies))
	}
	if !slices.Contains(Strategies, Strategy(s.Strategy)) {
		return badQueueSetting("strategy", "%q is not one of %s", s.Strategy, joinNames(Strategies))
	}
	if s.NoAgents != "" && !slices.Contains(NoAgentsChoices, NoAgents(s.NoAgents)) {
		return badQueueSetting("no_agents", "%q is not one of %s", s.NoAgents, joinNames(NoAgentsChoices))
	}
	if s.NoAgents == string(NoAgentsOverflow) {
		switch {
		case s.Overflow == "":
			return badQueueSetting("overflow", "the queue to overflow to is required")
		case s.Overflow == s.Queue:
			return badQueueSetting("overflow", "a queue cannot overflow to itself")
		case len(s.Overflow) > MaxQueueName:
			return badQueueSetting("overflow", "the queue's name is longer than %d bytes", MaxQueueName)
		}
	}
	for _, r := range []struct {
		field    string
		d        time.Duration
		min, max time.Duration
		zeroOff  bool
	}{
		{"ring_timeout", s.RingTimeout, MinQueueRingTimeout, MaxQueueRingTimeout, false},
		{"wrap_up", s.WrapUp, 0, MaxQueueWrapUp, false},
		{"max_wait", s.MaxWait, MinQueueMaxWait, MaxQueueMaxWait, false},
		{"announce_interval", s.AnnounceInterval, MinQueueAnnounceInterval, MaxQueueAnnounceInterval, true},
		{"service_level", s.ServiceLevel, MinQueueServiceLevel, MaxQueueServiceLevel, false},
	} {
		if r.zeroOff && r.d == 0 {
			continue
		}
		if r.d < r.min || r.d > r.max {
			off := ""
			if r.zeroOff {
				off = " (or 0: off)"
			}
			return badQueueSetting(r.field, "must be from %s to %s seconds%s, not %s", seconds(r.min), seconds(r.max), off, seconds(r.d))
		}
	}
	return nil
}

// joinNames writes a list of names as "a, b, c".
func joinNames[T ~string](v []T) string {
	out := make([]string, len(v))
	for i, x := range v {
		out[i] = string(x)
	}
	return strings.Join(out, ", ")
}

// seconds writes d in seconds without a trailing ".0" ("90", "1.5").
func seconds(d time.Duration) string {
	return strconv.FormatFloat(d.Seconds(), 'f', -1, 64)
}

// QueueSettingsStore keeps the queue settings saved from the admin page.
// tickets/postgres implements it.
type QueueSettingsStore interface {
	// ListQueueSettings returns the settings of every queue that has ever
	// had some saved, reverted ones included, by queue name.
	ListQueueSettings(ctx context.Context) ([]QueueSettings, error)
	// PutQueueSettings saves s (normalised and validated; UpdatedBy
	// required) if the queue's settings are still at version expected (0:
	// none ever saved), and sets s's Version and UpdatedAt. A stale
	// expected version is ECONFLICT.
	PutQueueSettings(ctx context.Context, s *QueueSettings, expected int) error
	// DeleteQueueSettings reverts the queue to its configured values if its
	// settings are still at version expected, and returns the reverted
	// record. Reverting settings already reverted returns them unchanged;
	// a queue that never had any is ENOTFOUND; a stale version ECONFLICT.
	DeleteQueueSettings(ctx context.Context, queue string, expected int, actor string) (*QueueSettings, error)
}
