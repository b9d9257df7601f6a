package agentdesk

import "time"

// What the admin and supervisor pages see of the desk (agentdesk/acd
// answers, agentdesk/web shows).

// QueueInfo is one queue as the admin page shows it.
type QueueInfo struct {
	Name string
	// Effective holds the values the queue runs with, Config those of the
	// configuration file (defaults filled in). Only the strategy, the
	// durations and AutoPause (never nil) are set.
	Effective, Config QueueSettings
	// Saved is the queue's latest record from the admin page, Reverted when
	// the queue is back on Config; nil when it never had one.
	Saved *QueueSettings
	Live  QueueLive
}

// QueueLive is how the desk runs a queue right now.
type QueueLive struct {
	Strategy        string        // as the desk applies it
	WrapUp          time.Duration // 0: none
	ServiceLevel    time.Duration
	Waiting         int // calls waiting, callbacks included
	LongestWait     time.Duration
	AgentsStaffed   int // agents with the queue's skill who are logged in
	AgentsAvailable int // of those, available for a call now
}

// AgentStatus is one agent as the desk sees it.
type AgentStatus struct {
	Username  string    `json:"username"`
	Name      string    `json:"name,omitempty"`
	Extension string    `json:"extension,omitempty"`
	State     string    `json:"state"`
	Reason    string    `json:"reason,omitempty"`
	Since     time.Time `json:"since"`
	Queues    []string  `json:"queues,omitempty"`
	// InternalCall: the agent's phone is on calls between extensions (an
	// available agent then gets no queue call); nil when on none.
	InternalCall *InternalCall `json:"internal_call,omitempty"`
}
