package ivr

import (
	"regexp"
	"sort"

	"github.com/atiende/atiende/tickets"
)

var (
	nodeNameRe = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)
	varNameRe  = regexp.MustCompile(`^[a-z_][a-z0-9_]{0,63}$`)
	promptRe   = regexp.MustCompile(`^([a-z]{2}/)?[a-z0-9_-]{1,64}$`)
	extRe      = regexp.MustCompile(`^([0-9*#]{1,32}|\$[a-z_][a-z0-9_]{0,63})$`)
	dtmfKeyRe  = regexp.MustCompile(`^[0-9*#A-D]$`)
)

// check validates every node and every reference between nodes.
func (c *checker) check(f *Flow) {
	switch f.Language {
	case "":
		f.Language = "es"
	case "es", "en":
	default:
		c.errorf(c.langLine, "language %q is not es or en", f.Language)
	}
	if len(f.Nodes) == 0 {
		c.errorf(0, "the flow has no nodes")
	}
	if f.Start == "" {
		c.errorf(c.startLine, "start is required")
	} else if f.Nodes[f.Start] == nil && len(f.Nodes) > 0 {
		c.errorf(c.startLine, "start goes to missing node %q", f.Start)
	}
	names := make([]string, 0, len(f.Nodes))
	for name := range f.Nodes {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		n := f.Nodes[name]
		line := c.nodeLines[name]
		if !nodeNameRe.MatchString(name) {
			c.errorf(line, "node name %q: use letters, digits, _ and - (at most 64)", name)
		}
		if n == nil {
			c.errorf(line, "node %q is empty", name)
			delete(f.Nodes, name)
			continue
		}
		n.Name, n.Line = name, line
		c.checkNode(n)
	}
	for _, name := range names {
		n := f.Nodes[name]
		if n == nil {
			continue
		}
		for _, t := range n.targets() {
			if _, ok := f.Nodes[t[1]]; !ok {
				c.errorf(c.line(name, t[0]), "node %q goes to missing node %q", name, t[1])
			}
		}
	}
}

// checkNode checks what each type requires and the values of its fields.
func (c *checker) checkNode(n *Node) {
	name := n.Name
	need := func(key string, ok bool) {
		if !ok {
			c.errorf(n.Line, "node %q: a %s node needs %s", name, n.Type, key)
		}
	}
	if _, ok := nodeKeys[n.Type]; !ok {
		if n.Type == "" {
			c.errorf(n.Line, "node %q has no type", name)
		} else {
			c.errorf(c.line(name, "type"), "node %q has unknown type %q", name, n.Type)
		}
		return
	}
	for _, list := range [][]string{n.Prompts, n.Invalid, n.NoInput} {
		for _, p := range list {
			if !promptRe.MatchString(p) {
				c.errorf(n.Line, "node %q: prompt %q is not a sound name like welcome or en/welcome", name, p)
			}
		}
	}
	if n.Tries < 0 || n.Tries > 10 {
		c.errorf(c.line(name, "tries"), "node %q: tries %d is not between 0 and 10", name, n.Tries)
	}
	if n.Timeout < 0 || n.FirstDigitTimeout < 0 || n.InterDigitTimeout < 0 || n.Within < 0 {
		c.errorf(n.Line, "node %q: durations cannot be negative", name)
	}
	if n.Var != "" && !varNameRe.MatchString(n.Var) {
		c.errorf(c.line(name, "var"), "node %q: variable name %q: use a-z, 0-9 and _", name, n.Var)
	}
	switch n.Type {
	case NodePlay:
		need("prompts", len(n.Prompts) > 0)
		need("next", n.Next != "")
	case NodeMenu:
		need("prompts", len(n.Prompts) > 0)
		need("keys", len(n.Keys) > 0)
		for k := range n.Keys {
			if !dtmfKeyRe.MatchString(k) {
				c.errorf(c.line(name, "keys."+k), "node %q: %q is not a phone key (0-9, *, #, A-D)", name, k)
			}
		}
	case NodeCollect:
		need("var", n.Var != "")
		need("next", n.Next != "")
		if n.MaxDigits < 1 || n.MaxDigits > MaxCollectDigits {
			c.errorf(c.line(name, "max_digits"), "node %q: max_digits %d is not between 1 and %d", name, n.MaxDigits, MaxCollectDigits)
		}
		if n.MinDigits < 0 || n.MinDigits > n.MaxDigits {
			c.errorf(c.line(name, "min_digits"), "node %q: min_digits %d is not between 0 and max_digits", name, n.MinDigits)
		}
		switch n.Terminator {
		case "", "#", "*", "none":
		default:
			c.errorf(c.line(name, "terminator"), "node %q: terminator %q is not #, * or none", name, n.Terminator)
		}
	case NodeLookupCaller, NodeCreateTicket:
		need("next", n.Next != "")
	case NodeSayDigits, NodeTicketStatus:
		need("var", n.Var != "")
		need("next", n.Next != "")
	case NodeCondition:
		c.checkCondition(n)
	case NodeSet:
		need("next", n.Next != "")
		if n.Kind != "" && !tickets.Kind(n.Kind).Valid() {
			c.errorf(c.line(name, "kind"), "node %q: kind %q is not a ticket kind", name, n.Kind)
		}
		if n.Language != "" && n.Language != "es" && n.Language != "en" {
			c.errorf(c.line(name, "language"), "node %q: language %q is not es or en", name, n.Language)
		}
		for k := range n.Vars {
			if !varNameRe.MatchString(k) {
				c.errorf(c.line(name, "vars"), "node %q: variable name %q: use a-z, 0-9 and _", name, k)
			}
		}
	case NodeOfferExisting, NodeAnnounceIncident:
		need("next", n.Next != "")
		need("attached", n.Attached != "")
	case NodeSurvey:
		need("prompts", len(n.Prompts) > 0)
		need("next", n.Next != "")
	case NodeTransfer:
		need("extension", n.Extension != "")
		if n.Extension != "" && !extRe.MatchString(n.Extension) {
			c.errorf(c.line(name, "extension"), "node %q: extension %q is not digits or $variable", name, n.Extension)
		}
	}
}

func (c *checker) checkCondition(n *Node) {
	switch n.If {
	case CondBusinessHours, CondKnownCaller, CondOpenTickets, CondMajorIncident, CondMaintenance, CondNotice:
	case CondVar:
		if n.Var == "" {
			c.errorf(n.Line, "node %q: if: var needs var", n.Name)
		}
	case "":
		c.errorf(n.Line, "node %q: a condition node needs if", n.Name)
	default:
		c.errorf(c.line(n.Name, "if"), "node %q: unknown condition %q (business_hours, known_caller, open_tickets, major_incident, maintenance, notice, var)", n.Name, n.If)
	}
	if n.Then == "" || n.Else == "" {
		c.errorf(n.Line, "node %q: a condition node needs then and else", n.Name)
	}
}
