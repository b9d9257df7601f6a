package ivr

import (
	_ "embed"
	"sync"
)

//go:embed flows/default.yaml
var defaultFlowYAML []byte

var defaultFlow = sync.OnceValues(func() (*Flow, error) {
	return ParseFlow("flows/default.yaml", defaultFlowYAML)
})

// DefaultFlow returns the built-in flow (ivr/flows/default.yaml): Spanish,
// English on 9; welcome, major incident, failure and request menus, ticket
// status, an agent; a ticket for every call before it queues. Flows are
// read-only, so the same *Flow is returned every time.
func DefaultFlow() *Flow {
	f, err := defaultFlow()
	if err != nil {
		panic("ivr: the embedded default flow is invalid: " + err.Error())
	}
	return f
}

// DefaultFlowYAML returns the default flow's source, a starting point for a
// custom flow.
func DefaultFlowYAML() []byte { return append([]byte(nil), defaultFlowYAML...) }

// builtinPrompts are the prompts the runner plays by itself, besides the
// digit-, num- and state- families.
var builtinPrompts = []string{
	"invalid", "timeout", "error", "your-ticket-number", "existing-ticket", "existing-offer",
	"call-added", "incident", "incident-offer", "ticket", "ticket-state-is", "ticket-not-found",
	"updated", "updated-just-now", "one-minute-ago", "minutes-ago", "one-hour-ago", "hours-ago",
	"one-day-ago", "days-ago",
}
