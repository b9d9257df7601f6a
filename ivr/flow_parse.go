package ivr

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// MaxFlowSize bounds a flow file; real flows are a few KB.
const MaxFlowSize = 1 << 20

// FlowError is one problem of a flow file, at a line.
type FlowError struct {
	Source string
	Line   int // 0 when unknown
	Msg    string
}

func (e *FlowError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", e.Source, e.Line, e.Msg)
	}
	return fmt.Sprintf("%s: %s", e.Source, e.Msg)
}

// flowFile is the YAML document, decoded strictly.
type flowFile struct {
	Name     string           `yaml:"name"`
	Start    string           `yaml:"start"`
	Language string           `yaml:"language"`
	Nodes    map[string]*Node `yaml:"nodes"`
}

// LoadFlow reads and parses a flow file.
func LoadFlow(path string) (*Flow, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("ivr: load flow: %w", err)
	}
	return ParseFlow(filepath.Base(path), b)
}

// ParseFlow decodes a flow strictly and checks it: unknown keys, keys a node
// type does not take, unknown node types and references to missing nodes are
// refused with the line, as "flow.yaml:12: node "foo" goes to missing node
// "bar"". source names the file in messages. Several problems are joined, in
// line order.
func ParseFlow(source string, data []byte) (f *Flow, err error) {
	defer func() {
		// The YAML library is third-party code fed untrusted input: a panic
		// in it must not take the process down.
		if r := recover(); r != nil {
			f, err = nil, &FlowError{Source: source, Msg: fmt.Sprintf("cannot parse: %v", r)}
		}
	}()
	if len(data) > MaxFlowSize {
		return nil, &FlowError{Source: source, Msg: fmt.Sprintf("larger than %d bytes", MaxFlowSize)}
	}
	var ff flowFile
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&ff); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, &FlowError{Source: source, Msg: "empty flow"}
		}
		return nil, yamlErrors(source, err)
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); !errors.Is(err, io.EOF) {
		return nil, &FlowError{Source: source, Line: extra.Line, Msg: "more than one YAML document"}
	}
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return nil, yamlErrors(source, err)
	}
	c := &checker{source: source, lines: map[string]map[string]int{}}
	c.scan(&root)
	f = &Flow{Source: source, Name: ff.Name, Start: ff.Start, Language: ff.Language, Nodes: ff.Nodes}
	if f.Nodes == nil {
		f.Nodes = map[string]*Node{}
	}
	c.check(f)
	if len(c.errs) > 0 {
		sort.SliceStable(c.errs, func(i, j int) bool { return c.errs[i].Line < c.errs[j].Line })
		errs := make([]error, len(c.errs))
		for i := range c.errs {
			errs[i] = c.errs[i]
		}
		return nil, errors.Join(errs...)
	}
	return f, nil
}

var yamlLine = regexp.MustCompile(`^(?:yaml: )?line (\d+): (.*)$`)
var yamlField = regexp.MustCompile(`^field (\S+) not found in type \S+$`)

// yamlErrors turns the YAML library's errors into FlowErrors with lines.
func yamlErrors(source string, err error) error {
	var msgs []string
	var te *yaml.TypeError
	if errors.As(err, &te) {
		msgs = te.Errors
	} else {
		msgs = []string{err.Error()}
	}
	errs := make([]error, 0, len(msgs))
	for _, m := range msgs {
		fe := &FlowError{Source: source, Msg: strings.TrimPrefix(m, "yaml: ")}
		if sm := yamlLine.FindStringSubmatch(m); sm != nil {
			fe.Line, _ = strconv.Atoi(sm[1])
			fe.Msg = sm[2]
			if fm := yamlField.FindStringSubmatch(fe.Msg); fm != nil {
				fe.Msg = fmt.Sprintf("unknown key %q", fm[1])
			}
		}
		errs = append(errs, fe)
	}
	return errors.Join(errs...)
}

// checker gathers a flow's problems with their lines.
type checker struct {
	source    string
	startLine int
	langLine  int
	nodeLines map[string]int
	lines     map[string]map[string]int // node -> key (or "keys.<k>") -> line
	errs      []*FlowError
}

func (c *checker) errorf(line int, format string, args ...any) {
	c.errs = append(c.errs, &FlowError{Source: c.source, Line: line, Msg: fmt.Sprintf(format, args...)})
}

// line of key in node, or of the node itself.
func (c *checker) line(node, key string) int {
	if l := c.lines[node][key]; l > 0 {
		return l
	}
	return c.nodeLines[node]
}

// scan records the lines of the top-level keys and of every node's keys, and
// refuses keys that a node's type does not take.
func (c *checker) scan(root *yaml.Node) {
	c.nodeLines = map[string]int{}
	if root.Kind != yaml.DocumentNode || len(root.Content) == 0 || root.Content[0].Kind != yaml.MappingNode {
		c.errorf(root.Line, "a flow is a mapping with name, start, language and nodes")
		return
	}
	top := root.Content[0]
	for i := 0; i+1 < len(top.Content); i += 2 {
		k, v := top.Content[i], top.Content[i+1]
		switch k.Value {
		case "start":
			c.startLine = k.Line
		case "language":
			c.langLine = k.Line
		case "nodes":
			c.scanNodes(v)
		}
	}
}

func (c *checker) scanNodes(nodes *yaml.Node) {
	if nodes.Kind != yaml.MappingNode {
		c.errorf(nodes.Line, "nodes must be a mapping of node names to nodes")
		return
	}
	for i := 0; i+1 < len(nodes.Content); i += 2 {
		name, body := nodes.Content[i].Value, nodes.Content[i+1]
		c.nodeLines[name] = nodes.Content[i].Line
		lines := map[string]int{}
		c.lines[name] = lines
		if body.Kind != yaml.MappingNode {
			continue // check reports it
		}
		var typ NodeType
		for j := 0; j+1 < len(body.Content); j += 2 {
			k, v := body.Content[j], body.Content[j+1]
			lines[k.Value] = k.Line
			if k.Value == "type" {
				typ = NodeType(v.Value)
			}
			if k.Value == "keys" && v.Kind == yaml.MappingNode {
				for m := 0; m+1 < len(v.Content); m += 2 {
					lines["keys."+v.Content[m].Value] = v.Content[m+1].Line
				}
			}
		}
		allowed, known := nodeKeys[typ]
		if !known {
			continue
		}
		for j := 0; j+1 < len(body.Content); j += 2 {
			k := body.Content[j]
			if k.Value != "type" && !slices.Contains(allowed, k.Value) {
				c.errorf(k.Line, "node %q: a %s node does not take %q", name, typ, k.Value)
			}
		}
	}
}
