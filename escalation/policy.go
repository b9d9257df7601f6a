package escalation

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/atiende/atiende/tickets"
	"gopkg.in/yaml.v3"
)

// Percent of a target, 75 meaning 75%. In YAML: 75% or 75.
type Percent float64

func (p Percent) String() string { return strconv.FormatFloat(float64(p), 'f', -1, 64) + "%" }

// Of returns p of d.
func (p Percent) Of(d time.Duration) time.Duration {
	return time.Duration(math.Round(float64(d) * float64(p) / 100))
}

func (p *Percent) UnmarshalYAML(n *yaml.Node) error {
	f, err := strconv.ParseFloat(strings.TrimSpace(strings.TrimSuffix(n.Value, "%")), 64)
	if err != nil {
		return fmt.Errorf("line %d: %q is not a percentage", n.Line, n.Value)
	}
	*p = Percent(f)
	return nil
}

func (p Percent) MarshalYAML() (any, error) { return p.String(), nil }

// Step escalates a ticket to Level when At of a target has elapsed.
type Step struct {
	At    Percent `yaml:"at"`
	Level int     `yaml:"level"`
}

// Policy is the service level of tickets of one priority, and optionally of
// one service: targets in working time on a named calendar, and the steps at
// which the ticket escalates.
type Policy struct {
	Priority tickets.Priority
	Service  string // "" for every service without a policy of its own
	Calendar string
	// FirstResponse and Resolution are working time on Calendar.
	FirstResponse time.Duration
	Resolution    time.Duration
	Steps         []Step
}

// Target names the two clocks of a policy.
type Target string

const (
	ResponseTarget   Target = "response"
	ResolutionTarget Target = "resolution"
)

// DefaultSteps escalate to level 2 at 75% of a target and to level 3 at 100%.
func DefaultSteps() []Step { return []Step{{75, 2}, {100, 3}} }

// DefaultP1Steps make a critical incident reach level 3 before it is late
// and the director (level 4) when it is.
func DefaultP1Steps() []Step { return []Step{{50, 2}, {75, 3}, {100, 4}} }

// DefaultPolicies: a reported fault is attended within 24 hours (DOMAIN.md);
// P1 runs on the 24x7 calendar and is tighter.
//
//	P1  24x7    first response 30m  resolution 8h
//	P2  office  first response 2h   resolution 16h
//	P3  office  first response 4h   resolution 24h
//	P4  office  first response 8h   resolution 40h
func DefaultPolicies() []Policy {
	return []Policy{
		{Priority: tickets.P1, Calendar: AlwaysCalendar, FirstResponse: 30 * time.Minute, Resolution: 8 * time.Hour, Steps: DefaultP1Steps()},
		{Priority: tickets.P2, Calendar: OfficeCalendar, FirstResponse: 2 * time.Hour, Resolution: 16 * time.Hour, Steps: DefaultSteps()},
		{Priority: tickets.P3, Calendar: OfficeCalendar, FirstResponse: 4 * time.Hour, Resolution: 24 * time.Hour, Steps: DefaultSteps()},
		{Priority: tickets.P4, Calendar: OfficeCalendar, FirstResponse: 8 * time.Hour, Resolution: 40 * time.Hour, Steps: DefaultSteps()},
	}
}

// validate checks p against the known calendars; key prefixes the errors.
func (p *Policy) validate(key string, cals map[string]*Calendar) error {
	bad := func(field, format string, args ...any) error {
		return tickets.Errorf(tickets.EINVALID, "%s: %s: "+format, append([]any{key, field}, args...)...)
	}
	switch {
	case p.Priority < tickets.P1 || p.Priority > tickets.P4:
		return bad("priority", "%d is not P1 to P4", int(p.Priority))
	case cals[p.Calendar] == nil:
		return bad("calendar", "unknown calendar %q", p.Calendar)
	case p.FirstResponse <= 0:
		return bad("first_response", "%s is not a positive duration", p.FirstResponse)
	case p.Resolution <= 0:
		return bad("resolution", "%s is not a positive duration", p.Resolution)
	case p.Resolution < p.FirstResponse:
		return bad("resolution", "%s is shorter than first_response %s", p.Resolution, p.FirstResponse)
	}
	for i, s := range p.Steps {
		f := fmt.Sprintf("steps[%d]", i)
		switch {
		case s.At <= 0 || s.At > 200:
			return bad(f+".at", "%s is outside (0%%, 200%%]", s.At)
		case s.Level < 2 || s.Level > 4:
			return bad(f+".level", "%d is not 2 to 4 (level 1 is where tickets start)", s.Level)
		case i > 0 && s.At <= p.Steps[i-1].At:
			return bad(f+".at", "%s does not come after %s", s.At, p.Steps[i-1].At)
		case i > 0 && s.Level < p.Steps[i-1].Level:
			return bad(f+".level", "%d is lower than the previous step's %d", s.Level, p.Steps[i-1].Level)
		}
	}
	return nil
}

// target returns the duration of a target.
func (p *Policy) target(t Target) time.Duration {
	if t == ResponseTarget {
		return p.FirstResponse
	}
	return p.Resolution
}
