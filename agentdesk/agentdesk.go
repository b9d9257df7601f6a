// Package agentdesk holds the help desk's people and queues: agents and their
// presence, queue configuration, waiting calls, the events published for
// consoles, wallboards and metrics, and the snapshot a wallboard starts from.
// It imports only the standard library and the ivr and tickets domain
// roots; queueing
// lives in agentdesk/acd, fan-out to browsers in agentdesk/hub.
package agentdesk

import "errors"

// Errors at the agentdesk boundary; adapters map them to transport codes.
var (
	ErrUnknownAgent = errors.New("agentdesk: unknown agent")
	ErrUnknownQueue = errors.New("agentdesk: unknown queue")
	ErrAgentExists  = errors.New("agentdesk: agent already exists")
	ErrInvalid      = errors.New("agentdesk: invalid")
	// ErrBadState is a state change the caller may not make, e.g. setting
	// an agent on_call from the API.
	ErrBadState = errors.New("agentdesk: state change not allowed")
)
