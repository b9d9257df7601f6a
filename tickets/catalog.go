package tickets

import (
	"bytes"
	_ "embed"
	"errors"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// Service is one entry of the service catalog (seeds 001 and 002): what a
// ticket is about, which support group works it, and how it starts.
type Service struct {
	Code        string            `yaml:"code" json:"code"`
	Name        map[string]string `yaml:"name" json:"name"`   // by language: "es", "en"
	Group       string            `yaml:"group" json:"group"` // support group, the queue a call is routed to
	DefaultKind Kind              `yaml:"default_kind" json:"default_kind"`
	Level       int               `yaml:"level" json:"level"` // escalation level a new ticket starts at, 1-4
	// Checklist holds, by language, the administrator steps of the procedure
	// (seed 001), in order.
	Checklist   map[string][]string `yaml:"checklist,omitempty" json:"checklist,omitempty"`
	Keywords    []string            `yaml:"keywords,omitempty" json:"keywords,omitempty"`
	Support24x7 bool                `yaml:"support_24x7" json:"support_24x7"`
	// Inactive hides the service from new tickets and the pickers of the
	// pages. It stays in the catalog (codes are never removed: tickets and
	// the IVR flow refer to them): its tickets keep their name and
	// checklist, and an IVR menu key that names it still opens tickets on
	// it and queues to its group, since the phone flow is configured apart
	// (flow_file) and callers must not hit a dead key.
	Inactive bool `yaml:"inactive,omitempty" json:"inactive,omitempty"`
}

// NameIn returns the service name in lang, falling back to Spanish.
func (s Service) NameIn(lang string) string {
	if n, ok := s.Name[lang]; ok && n != "" {
		return n
	}
	return s.Name["es"]
}

// ChecklistIn returns the checklist in lang, falling back to Spanish.
func (s Service) ChecklistIn(lang string) []string {
	if c, ok := s.Checklist[lang]; ok && len(c) > 0 {
		return c
	}
	return s.Checklist["es"]
}

// Catalog is the list of services the help desk gives. A catalog in use is
// never modified: an edit builds a new one (see CatalogEditor), so readers
// may share it without locks.
type Catalog struct {
	Services []Service `yaml:"services" json:"services"`
	// Queues names the support groups (the queues) in each language; a
	// group not named here takes DefaultQueueNames' name (see QueueNameIn).
	Queues []QueueName `yaml:"queues,omitempty" json:"queues,omitempty"`
	// Version is the stored version this catalog is; 0 is the seed (the
	// catalog_file or the default), never edited. EditedBy and EditedAt say
	// who saved that version and when. None of them is part of a file.
	Version  int        `yaml:"-" json:"version"`
	EditedBy string     `yaml:"-" json:"edited_by,omitempty"`
	EditedAt *time.Time `yaml:"-" json:"edited_at,omitempty"`
}

// Current returns c itself: a fixed catalog is its own CatalogSource.
func (c *Catalog) Current() *Catalog { return c }

// Service returns the service with the given code.
func (c *Catalog) Service(code string) (Service, bool) {
	for _, s := range c.Services {
		if s.Code == code {
			return s, true
		}
	}
	return Service{}, false
}

// ByGroup returns the services worked by a support group, in catalog order.
func (c *Catalog) ByGroup(group string) []Service {
	var out []Service
	for _, s := range c.Services {
		if s.Group == group {
			out = append(out, s)
		}
	}
	return out
}

// Groups returns the support groups in order of first appearance.
func (c *Catalog) Groups() []string {
	var out []string
	for _, s := range c.Services {
		if !slices.Contains(out, s.Group) {
			out = append(out, s.Group)
		}
	}
	return out
}

// Validate checks a catalog built in code the way LoadCatalog checks a file.
func (c *Catalog) Validate() error {
	return c.validate(func(int, string) int { return 0 })
}

// catalogLanguages must all be present in every name and checklist.
func catalogLanguages() []string { return []string{"es", "en"} }

const maxCatalogBytes = 4 << 20

var (
	codeRE = regexp.MustCompile(`^[a-z][a-z0-9_]{0,63}$`)
	langRE = regexp.MustCompile(`^[a-z]{2}$`)
	// yaml.v3 reports unknown keys with Go type names; say it in YAML terms.
	unknownFieldRE = regexp.MustCompile(`field (\S+) not found in type tickets\.Service`)
	unknownTopRE   = regexp.MustCompile(`field (\S+) not found in type tickets\.Catalog`)
)

//go:embed catalog_default.yaml
var defaultCatalogYAML []byte

// DefaultCatalog returns a fresh copy of the catalog shipped with Atiende:
// the services of seeds 001 and 002 in Spanish and English.
func DefaultCatalog() *Catalog {
	c, err := LoadCatalog(bytes.NewReader(defaultCatalogYAML))
	if err != nil {
		panic("tickets: embedded catalog_default.yaml is invalid: " + err.Error())
	}
	return c
}

// LoadCatalog decodes a catalog strictly (unknown keys are errors) and
// validates it. Errors are EINVALID and name the YAML line and field.
func LoadCatalog(r io.Reader) (*Catalog, error) {
	data, err := io.ReadAll(io.LimitReader(r, maxCatalogBytes+1))
	if err != nil {
		return nil, fmt.Errorf("catalog: read: %w", err)
	}
	if len(data) > maxCatalogBytes {
		return nil, Errorf(EINVALID, "catalog: larger than %d bytes", maxCatalogBytes)
	}
	var c Catalog
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&c); errors.Is(err, io.EOF) {
		return nil, Errorf(EINVALID, "catalog: the file is empty")
	} else if err != nil {
		msg := strings.TrimPrefix(err.Error(), "yaml: ")
		msg = strings.TrimPrefix(msg, "unmarshal errors:\n  ")
		msg = unknownFieldRE.ReplaceAllString(msg, `unknown key "$1" in a service`)
		msg = unknownTopRE.ReplaceAllString(msg, `unknown top-level key "$1"`)
		return nil, Errorf(EINVALID, "catalog: %s", strings.ReplaceAll(msg, "\n  ", "; "))
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); !errors.Is(err, io.EOF) {
		return nil, Errorf(EINVALID, "catalog: line %d: only one YAML document is allowed", extra.Line)
	}
	// The strict decode above loses positions; a second pass as nodes finds
	// the line of each field for the validation messages.
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return nil, Errorf(EINVALID, "catalog: %v", err)
	}
	if err := c.validate(serviceLines(&root)); err != nil {
		return nil, err
	}
	return &c, nil
}

// serviceLines returns a function giving the line of field in service i, or
// of the service itself when the field is absent.
func serviceLines(root *yaml.Node) func(i int, field string) int {
	var items []*yaml.Node
	if doc := root; doc.Kind == yaml.DocumentNode && len(doc.Content) == 1 {
		if m := doc.Content[0]; m.Kind == yaml.MappingNode {
			for k := 0; k+1 < len(m.Content); k += 2 {
				if m.Content[k].Value == "services" && m.Content[k+1].Kind == yaml.SequenceNode {
					items = m.Content[k+1].Content
				}
			}
		}
	}
	return func(i int, field string) int {
		if i < 0 || i >= len(items) {
			return 0
		}
		item := items[i]
		if item.Kind == yaml.MappingNode {
			for k := 0; k+1 < len(item.Content); k += 2 {
				if item.Content[k].Value == field {
					return item.Content[k].Line
				}
			}
		}
		return item.Line
	}
}

func (c *Catalog) validate(line func(i int, field string) int) error {
	fail := func(i int, field, format string, args ...any) error {
		where := fmt.Sprintf("service %d", i+1)
		if code := c.Services[i].Code; code != "" {
			where = fmt.Sprintf("service %q", code)
		}
		if l := line(i, field); l > 0 {
			where = fmt.Sprintf("line %d: %s", l, where)
		}
		return Errorf(EINVALID, "catalog: %s: field %s: %s", where, field, fmt.Sprintf(format, args...))
	}
	if len(c.Services) == 0 {
		return Errorf(EINVALID, "catalog: field services: no services")
	}
	for i, q := range c.Queues {
		if !codeRE.MatchString(q.Code) {
			return Errorf(EINVALID, "catalog: queue %d: field code: %q is not a group name of lowercase letters, digits and _", i+1, q.Code)
		}
		for _, lang := range catalogLanguages() {
			if strings.TrimSpace(q.Name[lang]) == "" {
				return Errorf(EINVALID, "catalog: queue %q: field name: the %s name is missing", q.Code, lang)
			}
		}
	}
	seen := map[string]int{}
	for i, s := range c.Services {
		switch {
		case s.Code == "":
			return fail(i, "code", "is required")
		case !codeRE.MatchString(s.Code):
			return fail(i, "code", "%q is not a code of lowercase letters, digits and _", s.Code)
		case strings.TrimSpace(s.Group) == "":
			return fail(i, "group", "is required")
		case !codeRE.MatchString(s.Group):
			return fail(i, "group", "%q is not a group name of lowercase letters, digits and _", s.Group)
		case s.DefaultKind == "":
			return fail(i, "default_kind", "is required (one of %s)", joinKinds())
		case !s.DefaultKind.Valid():
			return fail(i, "default_kind", "%q is not one of %s", s.DefaultKind, joinKinds())
		case s.Level < 1 || s.Level > 4:
			return fail(i, "level", "%d is not between 1 and 4", s.Level)
		}
		if j, dup := seen[s.Code]; dup {
			if l := line(j, "code"); l > 0 {
				return fail(i, "code", "%q is already used on line %d", s.Code, l)
			}
			return fail(i, "code", "%q is already used by service %d", s.Code, j+1)
		}
		seen[s.Code] = i
		for lang, name := range s.Name {
			if !langRE.MatchString(lang) {
				return fail(i, "name", "%q is not a two-letter language code", lang)
			} else if strings.TrimSpace(name) == "" {
				return fail(i, "name", "the %s name is empty", lang)
			}
		}
		for _, lang := range catalogLanguages() {
			if s.Name[lang] == "" {
				return fail(i, "name", "the %s name is missing", lang)
			}
		}
		if len(s.Checklist) > 0 {
			for lang, steps := range s.Checklist {
				if !langRE.MatchString(lang) {
					return fail(i, "checklist", "%q is not a two-letter language code", lang)
				}
				for n, step := range steps {
					if strings.TrimSpace(step) == "" {
						return fail(i, "checklist", "step %d in %s is empty", n+1, lang)
					}
				}
			}
			es := len(s.Checklist["es"])
			for _, lang := range catalogLanguages() {
				if len(s.Checklist[lang]) == 0 {
					return fail(i, "checklist", "the %s checklist is missing", lang)
				} else if len(s.Checklist[lang]) != es {
					return fail(i, "checklist", "the %s checklist has %d steps, es has %d", lang, len(s.Checklist[lang]), es)
				}
			}
		}
		for _, k := range s.Keywords {
			if strings.TrimSpace(k) == "" {
				return fail(i, "keywords", "empty keyword")
			}
		}
	}
	return nil
}
