package escalation

import (
	"fmt"
	"net/mail"
	"strings"

	"github.com/atiende/atiende/tickets"
)

// Contact is one entry of the escalation directory (seed 003): who answers
// for a level, and how to reach them.
type Contact struct {
	Level       int    `yaml:"level" json:"level"`
	Name        string `yaml:"name" json:"name"`
	OfficePhone string `yaml:"office_phone" json:"office_phone"`
	Email       string `yaml:"email" json:"email"`
	Mobile      string `yaml:"mobile" json:"mobile"`
	Extension   string `yaml:"extension" json:"extension"`
	Language    string `yaml:"language,omitempty" json:"language,omitempty"` // "es" (default) or "en"
}

// Phones returns where to call the contact, in the order to try: extension
// (free, on the PBX), office phone, mobile.
func (c Contact) Phones() []string {
	var out []string
	for _, p := range []string{c.Extension, c.OfficePhone, c.Mobile} {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// Reachable reports whether the contact can be emailed or phoned.
func (c Contact) Reachable() bool { return strings.TrimSpace(c.Email) != "" || len(c.Phones()) > 0 }

// Directory is the escalation directory, levels 1 to 4.
type Directory []Contact

// Warning flags an entry that is allowed but cannot do its job: the
// escalation is still recorded and the supervisor is told.
type Warning struct {
	Key     string // "directory[2]"
	Contact Contact
	Reason  string
}

func (w Warning) String() string { return w.Key + ": " + w.Reason }

// Validate refuses entries with no name, a level outside 1-4 or a malformed
// email, and flags contacts with neither email nor phone.
func (d Directory) Validate() ([]Warning, error) {
	var warns []Warning
	for i, c := range d {
		key := fmt.Sprintf("directory[%d]", i)
		switch {
		case c.Level < 1 || c.Level > 4:
			return warns, tickets.Errorf(tickets.EINVALID, "%s: level: %d is not 1 to 4", key, c.Level)
		case strings.TrimSpace(c.Name) == "":
			return warns, tickets.Errorf(tickets.EINVALID, "%s: name: required", key)
		case c.Language != "" && c.Language != "es" && c.Language != "en":
			return warns, tickets.Errorf(tickets.EINVALID, "%s: language: %q is not es or en", key, c.Language)
		}
		if e := strings.TrimSpace(c.Email); e != "" {
			if a, err := mail.ParseAddress(e); err != nil || a.Address != e {
				return warns, tickets.Errorf(tickets.EINVALID, "%s: email: %q is not an email address", key, c.Email)
			}
		}
		if !c.Reachable() {
			warns = append(warns, Warning{Key: key, Contact: c, Reason: fmt.Sprintf("%s (level %d) has no email and no phone", c.Name, c.Level)})
		}
	}
	for lvl := 2; lvl <= 4; lvl++ {
		if len(d.Level(lvl)) == 0 {
			warns = append(warns, Warning{Key: "directory", Reason: fmt.Sprintf("no contact for level %d", lvl)})
		}
	}
	return warns, nil
}

// Level returns the contacts of a level, in directory order (the order
// phone alerts try them).
func (d Directory) Level(level int) []Contact {
	var out []Contact
	for _, c := range d {
		if c.Level == level {
			out = append(out, c)
		}
	}
	return out
}

// Recipients splits the contacts of a level into those who can be reached
// and those who cannot (the supervisor is told about the latter).
func (d Directory) Recipients(level int) (reachable, unreachable []Contact) {
	for _, c := range d.Level(level) {
		if c.Reachable() {
			reachable = append(reachable, c)
		} else {
			unreachable = append(unreachable, c)
		}
	}
	return reachable, unreachable
}
