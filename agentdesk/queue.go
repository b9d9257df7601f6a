package agentdesk

import (
	"fmt"
	"slices"
	"time"
)

// Strategy chooses which available agent is offered the next call.
type Strategy string

const (
	// LongestIdle offers the call to the agent whose last call ended
	// longest ago (or who logged in longest ago, if they took none).
	LongestIdle Strategy = "longest_idle"
	// RingAll rings every available agent at once; the first to answer
	// wins and the other rings are cancelled.
	RingAll Strategy = "ring_all"
	// RoundRobin takes agents in turn, remembering where it stopped.
	RoundRobin Strategy = "round_robin"
	// FewestCalls offers the call to the agent who took fewest calls.
	FewestCalls Strategy = "fewest_calls"
)

// Strategies lists the valid strategies: the one list the configuration
// file, the admin page's settings and the ACD check against.
var Strategies = []Strategy{LongestIdle, RingAll, RoundRobin, FewestCalls}

// Queue defaults, as issue 3 and the seeds give them.
const (
	DefaultRingTimeout      = 15 * time.Second
	DefaultWrapUp           = 10 * time.Second
	DefaultMaxWait          = 120 * time.Second
	DefaultAnnounceInterval = 30 * time.Second
	DefaultServiceLevel     = 20 * time.Second
	DefaultShortAbandon     = 5 * time.Second
)

// QueueConfig configures one queue (one per service group). Zero durations
// take the defaults; a negative duration turns the feature off (no wrap-up,
// no callback offer, no announcements, no timeout).
type QueueConfig struct {
	Name string `yaml:"name" json:"name"`
	// Skill is what an agent needs to take this queue's calls; default Name.
	Skill            string        `yaml:"skill" json:"skill,omitempty"`
	Strategy         Strategy      `yaml:"strategy" json:"strategy"`
	RingTimeout      time.Duration `yaml:"ring_timeout" json:"ring_timeout_ns"`
	WrapUp           time.Duration `yaml:"wrap_up" json:"wrap_up_ns"`
	MaxWait          time.Duration `yaml:"max_wait" json:"max_wait_ns"` // then a callback is offered
	AnnounceInterval time.Duration `yaml:"announce_interval" json:"announce_interval_ns"`
	ServiceLevel     time.Duration `yaml:"service_level" json:"service_level_ns"` // answered within this counts
	// ShortAbandon: a caller who hangs up sooner is a short abandon, left
	// out of the service level (default 5 s).
	ShortAbandon time.Duration `yaml:"short_abandon" json:"short_abandon_ns"`
	// Timeout ends the wait with outcome timeout; default none.
	Timeout time.Duration `yaml:"timeout" json:"timeout_ns,omitempty"`
	// AutoPause pauses an agent whose phone rang out (ring no answer) or is
	// unreachable; nil means true.
	AutoPause *bool `yaml:"auto_pause" json:"auto_pause,omitempty"`
	// NoAgents is what a caller gets when nobody with the skill is logged
	// in; default NoAgentsCallback.
	NoAgents NoAgents `yaml:"no_agents" json:"no_agents,omitempty"`
	// Overflow is the queue a caller goes to under NoAgentsOverflow.
	Overflow string `yaml:"overflow" json:"overflow,omitempty"`
}

// NoAgents is what happens to a caller who reaches a queue where no agent
// with its skill is logged in. The caller is never dropped in silence.
type NoAgents string

const (
	// NoAgentsCallback (the default): the caller hears that no agent is
	// available, that the report is registered with its number, and that
	// they will be called back; a callback request keeps their place.
	NoAgentsCallback NoAgents = "callback"
	// NoAgentsWait: the caller waits anyway, with music and announcements,
	// like app_queue's joinempty=yes.
	NoAgentsWait NoAgents = "wait"
	// NoAgentsOverflow: the caller goes to the queue named by Overflow.
	NoAgentsOverflow NoAgents = "overflow"
)

// NoAgentsChoices lists the valid NoAgents values.
var NoAgentsChoices = []NoAgents{NoAgentsCallback, NoAgentsWait, NoAgentsOverflow}

// WithDefaults returns c with zero values replaced by the defaults.
func (c QueueConfig) WithDefaults() QueueConfig {
	if c.Skill == "" {
		c.Skill = c.Name
	}
	if c.Strategy == "" {
		c.Strategy = LongestIdle
	}
	def := func(d *time.Duration, v time.Duration) {
		if *d == 0 {
			*d = v
		}
	}
	def(&c.RingTimeout, DefaultRingTimeout)
	def(&c.WrapUp, DefaultWrapUp)
	def(&c.MaxWait, DefaultMaxWait)
	def(&c.AnnounceInterval, DefaultAnnounceInterval)
	def(&c.ServiceLevel, DefaultServiceLevel)
	def(&c.ShortAbandon, DefaultShortAbandon)
	if c.AutoPause == nil {
		t := true
		c.AutoPause = &t
	}
	if c.NoAgents == "" {
		c.NoAgents = NoAgentsCallback
	}
	return c
}

// AutoPauses reports whether a silent agent is paused (default true).
func (c QueueConfig) AutoPauses() bool { return c.AutoPause == nil || *c.AutoPause }

// Validate checks c after defaults.
func (c QueueConfig) Validate() error {
	switch {
	case c.Name == "":
		return fmt.Errorf("%w: queue without a name", ErrInvalid)
	case c.RingTimeout < 0:
		return fmt.Errorf("%w: queue %s: negative ring timeout", ErrInvalid, c.Name)
	case c.ServiceLevel < 0:
		return fmt.Errorf("%w: queue %s: negative service level", ErrInvalid, c.Name)
	}
	if c.Strategy != "" && !slices.Contains(Strategies, c.Strategy) {
		return fmt.Errorf("%w: queue %s: unknown strategy %q", ErrInvalid, c.Name, c.Strategy)
	}
	switch c.NoAgents {
	case "", NoAgentsCallback, NoAgentsWait:
	case NoAgentsOverflow:
		if c.Overflow == "" || c.Overflow == c.Name {
			return fmt.Errorf("%w: queue %s: no_agents overflow needs another queue in overflow", ErrInvalid, c.Name)
		}
	default:
		return fmt.Errorf("%w: queue %s: no_agents %q is not callback, wait or overflow", ErrInvalid, c.Name, c.NoAgents)
	}
	return nil
}

// Outcome is how a call left the queue. Metrics use it as a bounded label.
type Outcome string

const (
	OutcomeAnswered  Outcome = "answered"
	OutcomeAbandoned Outcome = "abandoned"
	// OutcomeShortAbandoned marks, on CallAbandoned events only, a caller
	// who left within the queue's ShortAbandon (Result says abandoned).
	OutcomeShortAbandoned Outcome = "short_abandoned"
	OutcomeCallback       Outcome = "callback" // the caller hung up keeping their place
	OutcomeTimeout        Outcome = "timeout"
	OutcomeNoAgents       Outcome = "no_agents" // nobody logged in with the skill
	// OutcomeCallbackFailed: a callback's agent answered but the caller
	// did not.
	OutcomeCallbackFailed Outcome = "callback_failed"
)

// WaitingCall is a call in a queue, as a wallboard shows it.
type WaitingCall struct {
	CallID         string    `json:"call_id"`
	Queue          string    `json:"queue"`
	TicketNumber   string    `json:"ticket_number,omitempty"`
	CallerNumber   string    `json:"caller_number"`
	CallerName     string    `json:"caller_name,omitempty"`
	IVRPath        []string  `json:"ivr_path,omitempty"` // for a screen-pop after reconnect
	Lang           string    `json:"lang,omitempty"`
	Priority       int       `json:"priority"`
	Position       int       `json:"position"` // 1 is next
	EnteredQueueAt time.Time `json:"entered_queue_at"`
	// Callback is a virtual entry: the caller hung up and is called back
	// when the entry reaches the front.
	Callback bool `json:"callback,omitempty"`
	// Ringing lists the agents being offered the call right now.
	Ringing []string `json:"ringing,omitempty"`
}
