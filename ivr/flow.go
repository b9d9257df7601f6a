package ivr

import (
	"fmt"
	"io/fs"
	"sort"
	"strings"
	"time"
)

// NodeType is what a flow node does.
type NodeType string

const (
	NodePlay             NodeType = "play"              // prompts, then next
	NodeMenu             NodeType = "menu"              // prompt, a key chooses the next node
	NodeCollect          NodeType = "collect"           // digits into a variable
	NodeLookupCaller     NodeType = "lookup_caller"     // who is calling
	NodeSayDigits        NodeType = "say_digits"        // speak a variable's digits
	NodeCondition        NodeType = "condition"         // then or else
	NodeSet              NodeType = "set"               // ticket fields, language, variables
	NodeCreateTicket     NodeType = "create_ticket"     // the call's ticket, whose number is spoken
	NodeTicketStatus     NodeType = "ticket_status"     // speak a keyed ticket's state and last update
	NodeOfferExisting    NodeType = "offer_existing"    // add the call to a recent open ticket?
	NodeAnnounceIncident NodeType = "announce_incident" // a major incident, and attaching to it
	NodeEnqueue          NodeType = "enqueue"           // wait for an agent
	NodeTransfer         NodeType = "transfer"          // to an extension
	NodeHangup           NodeType = "hangup"            // prompts, then hang up
	NodeSurvey           NodeType = "survey"            // a 1-to-5 key scores the agent who answered
)

// Condition names of a condition node's `if`.
const (
	CondBusinessHours = "business_hours"
	CondKnownCaller   = "known_caller"
	CondOpenTickets   = "open_tickets" // an open ticket on the chosen service within `within`
	CondMajorIncident = "major_incident"
	CondMaintenance   = "maintenance"
	CondNotice        = "notice" // a notice uploaded on the admin page plays now in the call's language (FlowRunner.Notices)
	CondVar           = "var"    // vars[var] == equals
)

// Flow is a parsed, checked IVR flow. It is read-only once parsed and may be
// shared by every call.
type Flow struct {
	Source   string // file name, for messages
	Name     string
	Start    string
	Language string // the language calls start in: "es" (default) or "en"
	Nodes    map[string]*Node
}

// Node is one step of a flow. Which fields apply depends on Type; the parser
// refuses keys a type does not take.
type Node struct {
	Name string   `yaml:"-"`
	Line int      `yaml:"-"`
	Type NodeType `yaml:"type"`

	// Prompts are sound names without language ("welcome"), or with it
	// ("en/welcome") to force one.
	Prompts []string `yaml:"prompts"`
	Next    string   `yaml:"next"`
	BargeIn bool     `yaml:"barge_in"` // play: a key ends the prompt and is kept

	// menu and collect
	Keys              map[string]string `yaml:"keys"`
	Tries             int               `yaml:"tries"`    // attempts before on_fail (default 3)
	Timeout           time.Duration     `yaml:"timeout"`  // menu: wait for a key after the prompt
	Invalid           []string          `yaml:"invalid"`  // prompts after a wrong key or too few digits
	NoInput           []string          `yaml:"no_input"` // prompts after a timeout
	OnFail            string            `yaml:"on_fail"`  // after the last try; default: hang up
	Var               string            `yaml:"var"`      // collect, say_digits, ticket_status, condition var
	MaxDigits         int               `yaml:"max_digits"`
	MinDigits         int               `yaml:"min_digits"`
	Terminator        string            `yaml:"terminator"` // "#" by default, "none" for none
	FirstDigitTimeout time.Duration     `yaml:"first_digit_timeout"`
	InterDigitTimeout time.Duration     `yaml:"inter_digit_timeout"`

	// condition
	If     string `yaml:"if"`
	Equals string `yaml:"equals"`
	Then   string `yaml:"then"`
	Else   string `yaml:"else"`

	// set (and enqueue's queue)
	Service  string            `yaml:"service"`
	Kind     string            `yaml:"kind"`
	Queue    string            `yaml:"queue"`
	Language string            `yaml:"language"`
	Vars     map[string]string `yaml:"vars"`

	SayNumber bool          `yaml:"say_number"` // create_ticket
	OnError   string        `yaml:"on_error"`   // create_ticket, enqueue, transfer
	NotFound  string        `yaml:"not_found"`  // ticket_status
	Within    time.Duration `yaml:"within"`     // offer_existing, open_tickets (default 24h)
	Attached  string        `yaml:"attached"`   // offer_existing, announce_incident: after attaching
	Answered  string        `yaml:"answered"`   // enqueue: after the agent hung up first (Enqueue says who)
	Extension string        `yaml:"extension"`  // transfer: digits, or $var
}

// nodeKeys lists the keys each type takes besides `type`; the parser refuses
// the others so a typo or a misplaced key is not silently ignored.
var nodeKeys = map[NodeType][]string{
	NodePlay:             {"prompts", "next", "barge_in"},
	NodeMenu:             {"prompts", "keys", "tries", "timeout", "invalid", "no_input", "on_fail"},
	NodeCollect:          {"prompts", "next", "var", "max_digits", "min_digits", "terminator", "first_digit_timeout", "inter_digit_timeout", "tries", "invalid", "no_input", "on_fail"},
	NodeLookupCaller:     {"next"},
	NodeSayDigits:        {"prompts", "var", "next"},
	NodeCondition:        {"if", "var", "equals", "within", "then", "else"},
	NodeSet:              {"service", "kind", "queue", "language", "vars", "next"},
	NodeCreateTicket:     {"say_number", "next", "on_error"},
	NodeTicketStatus:     {"var", "next", "not_found"},
	NodeOfferExisting:    {"within", "timeout", "next", "attached"},
	NodeAnnounceIncident: {"prompts", "timeout", "next", "attached"},
	NodeEnqueue:          {"prompts", "queue", "next", "on_error", "answered"},
	NodeTransfer:         {"prompts", "extension", "next", "on_error"},
	NodeHangup:           {"prompts"},
	NodeSurvey:           {"prompts", "next", "tries", "timeout", "invalid", "no_input", "on_fail"},
}

// Defaults of node settings left out of the YAML.
const (
	DefaultTries             = 3
	DefaultMenuTimeout       = 5 * time.Second
	DefaultFirstDigitTimeout = 8 * time.Second
	DefaultInterDigitTimeout = 4 * time.Second
	DefaultOfferWithin       = 24 * time.Hour
	DefaultOfferTimeout      = 6 * time.Second
)

// targets lists the nodes n can go to, by the key that names each.
func (n *Node) targets() [][2]string {
	var t [][2]string
	add := func(key, to string) {
		if to != "" {
			t = append(t, [2]string{key, to})
		}
	}
	add("next", n.Next)
	add("on_fail", n.OnFail)
	add("then", n.Then)
	add("else", n.Else)
	add("on_error", n.OnError)
	add("not_found", n.NotFound)
	add("attached", n.Attached)
	add("answered", n.Answered)
	keys := make([]string, 0, len(n.Keys))
	for k := range n.Keys {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		add("keys."+k, n.Keys[k])
	}
	return t
}

// Sounds returns every sound name the flow plays, in language lang, sorted:
// its prompts and those the runner plays by itself.
func (f *Flow) Sounds(lang string) []string {
	seen := map[string]bool{}
	for _, p := range builtinPrompts {
		seen[soundName(lang, p)] = true
	}
	for _, n := range f.Nodes {
		for _, list := range [][]string{n.Prompts, n.Invalid, n.NoInput} {
			for _, p := range list {
				seen[soundName(lang, p)] = true
			}
		}
	}
	out := make([]string, 0, len(seen))
	for s := range seen {
		out = append(out, s)
	}
	sort.Strings(out)
	return out
}

// CheckPrompts reports the sounds the flow names, in each language, that
// fsys (e.g. prompts.FS) has no WAV file for. The notice prompt is not
// looked for: it is uploaded on the admin page (PromptOverlay), and a flow
// plays it only while the notice condition holds.
func (f *Flow) CheckPrompts(fsys fs.FS, langs ...string) error {
	var missing []string
	for _, lang := range langs {
		for _, s := range f.Sounds(lang) {
			if strings.HasSuffix(s, "/notice") {
				continue
			}
			if _, err := fs.Stat(fsys, s+".wav"); err != nil {
				missing = append(missing, s)
			}
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("%s: no prompt file for %s", f.Source, strings.Join(missing, ", "))
	}
	return nil
}

// soundName qualifies a prompt name with a language unless it has one.
func soundName(lang, p string) string {
	if strings.Contains(p, "/") {
		return p
	}
	return lang + "/" + p
}
