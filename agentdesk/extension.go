package agentdesk

import (
	"time"

	"github.com/atiende/atiende/ivr"
)

// ExtensionView is an extension as the network page shows it: its status
// from the engine with what the extension monitor (agentdesk/extmon) knows
// of it. The web layer renders it without importing the monitor.
type ExtensionView struct {
	ivr.ExtensionStatus
	Owner string `json:"owner,omitempty"`
	// Ticket is the ticket opened for the extension's last long outage,
	// while the monitor knows it; it may be resolved or closed since.
	Ticket string `json:"ticket,omitempty"`
	// DownSince is when the current outage began (nil when registered).
	DownSince *time.Time `json:"down_since,omitempty"`
	// Calls are the internal calls the extension is on: the other
	// extension of each ("" for a queue or the help-desk menu).
	Calls []string `json:"calls,omitempty"`
	// CallsSince is when the oldest of them began.
	CallsSince *time.Time `json:"calls_since,omitempty"`
}
