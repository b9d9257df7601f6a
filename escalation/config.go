package escalation

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"
	"time"

	"github.com/atiende/atiende/tickets"
	"gopkg.in/yaml.v3"
)

// Config is the YAML form of the escalation settings. DefaultConfig holds
// the numbers of DOMAIN.md; a file only needs what it changes.
type Config struct {
	// Calendars add to, or replace by name, the built-in "office" and "24x7".
	Calendars []CalendarConfig `yaml:"calendars"`
	// Policies add to, or replace by priority and service, the defaults.
	Policies  []PolicyConfig `yaml:"policies"`
	Rules     Rules          `yaml:"rules"`
	Directory Directory      `yaml:"directory"`
}

// CalendarConfig is a Calendar in YAML.
type CalendarConfig struct {
	Name     string `yaml:"name"`
	TimeZone string `yaml:"time_zone"`
	Always   bool   `yaml:"always"`
	// Hours by weekday name (monday ... sunday): one or more "HH:MM-HH:MM".
	Hours    map[string][]Span `yaml:"hours"`
	Holidays []Date            `yaml:"holidays"`
	// FederalHolidays "mx" adds MexicanFederalHolidays for 2020-2045.
	FederalHolidays string `yaml:"federal_holidays"`
}

// PolicyConfig is a Policy in YAML; priority is "P1" to "P4".
type PolicyConfig struct {
	Priority      string        `yaml:"priority"`
	Service       string        `yaml:"service"`
	Calendar      string        `yaml:"calendar"`
	FirstResponse time.Duration `yaml:"first_response"`
	Resolution    time.Duration `yaml:"resolution"`
	// Steps default to 75% -> level 2, 100% -> level 3.
	Steps []Step `yaml:"steps"`
}

// DefaultConfig returns the defaults: no calendars or policies beyond the
// built-in ones, DefaultRules, an empty directory.
func DefaultConfig() Config { return Config{Rules: DefaultRules()} }

const maxConfigBytes = 1 << 20

var unknownKeyRE = regexp.MustCompile(`field (\S+) not found in type escalation\.(\w+)`)

var yamlPlaces = map[string]string{
	"Config": "the top level", "CalendarConfig": "a calendar", "PolicyConfig": "a policy",
	"Step": "a step", "Rules": "rules", "Contact": "a directory entry",
}

// LoadConfig decodes YAML strictly (unknown keys are errors) over
// DefaultConfig and builds the SLA. Errors are EINVALID with the key and
// the reason.
func LoadConfig(r io.Reader) (*SLA, []Warning, error) {
	data, err := io.ReadAll(io.LimitReader(r, maxConfigBytes+1))
	if err != nil {
		return nil, nil, fmt.Errorf("escalation: read config: %w", err)
	}
	if len(data) > maxConfigBytes {
		return nil, nil, tickets.Errorf(tickets.EINVALID, "escalation config: larger than %d bytes", maxConfigBytes)
	}
	cfg := DefaultConfig()
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&cfg); err != nil && !errors.Is(err, io.EOF) {
		msg := strings.TrimPrefix(err.Error(), "yaml: ")
		msg = strings.TrimPrefix(msg, "unmarshal errors:\n  ")
		msg = unknownKeyRE.ReplaceAllStringFunc(msg, func(m string) string {
			sub := unknownKeyRE.FindStringSubmatch(m)
			return fmt.Sprintf("unknown key %q in %s", sub[1], yamlPlaces[sub[2]])
		})
		return nil, nil, tickets.Errorf(tickets.EINVALID, "escalation config: %s", strings.ReplaceAll(msg, "\n  ", "; "))
	}
	return New(cfg)
}

// SLA is a checked configuration: what ComputeDue and Plan need.
type SLA struct {
	Calendars map[string]*Calendar
	Policies  []Policy
	Rules     Rules
	Directory Directory
}

// New checks cfg and builds the SLA. Warnings flag directory entries that
// are allowed but unreachable.
func New(cfg Config) (*SLA, []Warning, error) {
	s := &SLA{Calendars: map[string]*Calendar{}, Rules: cfg.Rules, Directory: cfg.Directory}
	office, err := DefaultCalendar()
	if err != nil {
		return nil, nil, fmt.Errorf("escalation: default calendar: %w", err)
	}
	s.Calendars[OfficeCalendar] = office
	s.Calendars[AlwaysCalendar] = Always24x7(office.Location)
	seen := map[string]bool{}
	for i, cc := range cfg.Calendars {
		c, err := cc.build(fmt.Sprintf("calendars[%d]", i))
		if err != nil {
			return nil, nil, err
		}
		if seen[c.Name] {
			return nil, nil, tickets.Errorf(tickets.EINVALID, "calendars[%d]: name: %q is defined twice", i, c.Name)
		}
		seen[c.Name] = true
		s.Calendars[c.Name] = c
	}

	s.Policies = DefaultPolicies()
	seenPolicy := map[string]bool{}
	for i, pc := range cfg.Policies {
		key := fmt.Sprintf("policies[%d]", i)
		p, err := pc.build(key)
		if err != nil {
			return nil, nil, err
		}
		if err := p.validate(key, s.Calendars); err != nil {
			return nil, nil, err
		}
		id := p.Priority.String() + "/" + p.Service
		if seenPolicy[id] {
			return nil, nil, tickets.Errorf(tickets.EINVALID, "%s: %s for service %q is defined twice", key, p.Priority, p.Service)
		}
		seenPolicy[id] = true
		s.setPolicy(p)
	}
	if err := s.Rules.validate(s.Calendars); err != nil {
		return nil, nil, err
	}
	warns, err := s.Directory.Validate()
	if err != nil {
		return nil, nil, err
	}
	return s, warns, nil
}

func (s *SLA) setPolicy(p Policy) {
	for i := range s.Policies {
		if s.Policies[i].Priority == p.Priority && s.Policies[i].Service == p.Service {
			s.Policies[i] = p
			return
		}
	}
	s.Policies = append(s.Policies, p)
}

// Policy returns the policy for a ticket: the one for its priority and
// service, else the one for its priority.
func (s *SLA) Policy(t *tickets.Ticket) (*Policy, error) {
	var general *Policy
	for i := range s.Policies {
		p := &s.Policies[i]
		if p.Priority != t.Priority {
			continue
		}
		if p.Service == t.Service && p.Service != "" {
			return p, nil
		}
		if p.Service == "" {
			general = p
		}
	}
	if general == nil {
		return nil, tickets.Errorf(tickets.EINVALID, "no SLA policy for priority %s", t.Priority)
	}
	return general, nil
}

func (cc CalendarConfig) build(key string) (*Calendar, error) {
	bad := func(field, format string, args ...any) error {
		return tickets.Errorf(tickets.EINVALID, "%s (%s): %s: "+format, append([]any{key, cc.Name, field}, args...)...)
	}
	if strings.TrimSpace(cc.Name) == "" {
		return nil, tickets.Errorf(tickets.EINVALID, "%s: name: required", key)
	}
	c := &Calendar{Name: cc.Name, Always: cc.Always, Holidays: cc.Holidays}
	switch {
	case cc.TimeZone == "" && !cc.Always:
		return nil, bad("time_zone", "required")
	case cc.TimeZone != "":
		loc, err := time.LoadLocation(cc.TimeZone)
		if err != nil || cc.TimeZone == "Local" {
			return nil, bad("time_zone", "unknown time zone %q", cc.TimeZone)
		}
		c.Location = loc
	}
	if cc.Always && len(cc.Hours) > 0 {
		return nil, bad("hours", "a calendar that is always open has no hours")
	}
	for name, spans := range cc.Hours {
		wd := -1
		for i, k := range weekdayKeys {
			if k == strings.ToLower(name) {
				wd = i
			}
		}
		if wd < 0 {
			return nil, bad("hours", "%q is not a weekday (monday ... sunday)", name)
		}
		if c.Hours == nil {
			c.Hours = map[time.Weekday][]Span{}
		}
		c.Hours[time.Weekday(wd)] = append(c.Hours[time.Weekday(wd)], spans...)
	}
	switch cc.FederalHolidays {
	case "":
	case "mx":
		for y := defaultHolidayFrom; y <= defaultHolidayTo; y++ {
			c.Holidays = append(c.Holidays, MexicanFederalHolidays(y)...)
		}
	default:
		return nil, bad("federal_holidays", "%q is not known (mx)", cc.FederalHolidays)
	}
	if err := c.Validate(); err != nil {
		return nil, tickets.Errorf(tickets.EINVALID, "%s: %s", key, tickets.ErrorMessage(err))
	}
	return c, nil
}

func (pc PolicyConfig) build(key string) (Policy, error) {
	var pr tickets.Priority
	switch strings.ToUpper(strings.TrimSpace(pc.Priority)) {
	case "P1", "1":
		pr = tickets.P1
	case "P2", "2":
		pr = tickets.P2
	case "P3", "3":
		pr = tickets.P3
	case "P4", "4":
		pr = tickets.P4
	default:
		return Policy{}, tickets.Errorf(tickets.EINVALID, "%s: priority: %q is not P1 to P4", key, pc.Priority)
	}
	p := Policy{Priority: pr, Service: pc.Service, Calendar: pc.Calendar,
		FirstResponse: pc.FirstResponse, Resolution: pc.Resolution, Steps: pc.Steps}
	if p.Calendar == "" {
		p.Calendar = OfficeCalendar
	}
	if p.Steps == nil {
		p.Steps = DefaultSteps()
	}
	return p, nil
}
