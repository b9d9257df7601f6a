// Package atiende_test holds the tests of the tree itself: the layering of
// STYLE.md and docs/architecture.md. They need no PostgreSQL, no Asterisk and
// no network: only the go command.
package atiende_test

import (
	"encoding/json"
	"errors"
	"io"
	"os"
	"os/exec"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
)

const mod = "github.com/atiende/atiende"

// The layers, from the bottom. A package may import the packages of the
// layers below it as the rules in TestLayering say, never one above.
const (
	asset   = "asset"   // embedded files; imports nothing of ours
	root    = "root"    // domain types and ports; stdlib and lower roots
	service = "service" // application logic over the roots, no technology
	adapter = "adapter" // one technology (SIP, ARI, PostgreSQL, HTTP, SMTP)
	testkit = "testkit" // test doubles and peers for the tests of others
	command = "cmd"     // reads configuration and wires everything
)

// layer is where a package sits and what of ours it may import beyond the
// rule of its layer.
type layer struct {
	kind string
	// rank orders the domain roots: a root imports only roots of a lower
	// rank (tickets is at the bottom, metrics observes all the others).
	rank int
	// also lists the packages of ours it may import besides the rule of
	// its layer, each for a reason written beside it.
	also []string
}

// packages is every package of the module. A package that is not here
// fails TestLayering: a new package is placed on purpose.
var packages = map[string]layer{
	"tickets":    {kind: root, rank: 0},
	"ivr":        {kind: root, rank: 1},
	"escalation": {kind: root, rank: 1},
	"agentdesk":  {kind: root, rank: 2},
	"metrics":    {kind: root, rank: 3},

	"ivr/prompts":          {kind: asset},
	"agentdesk/web/static": {kind: asset},

	"agentdesk/acd":    {kind: service},
	"agentdesk/intake": {kind: service, also: []string{"agentdesk/acd"}}, // it enqueues the calls it takes in
	"agentdesk/extmon": {kind: service},
	"escalation/desk":  {kind: service},

	"ivr/sipengine":       {kind: adapter},
	"ivr/asterisk":        {kind: adapter},
	"tickets/postgres":    {kind: adapter},
	"agentdesk/hub":       {kind: adapter},
	"agentdesk/web":       {kind: adapter},
	"escalation/smtp":     {kind: adapter},
	"escalation/memstore": {kind: adapter},

	"ivr/ivrtest":               {kind: testkit},
	"ivr/asterisk/aritest":      {kind: testkit},
	"ivr/asterisk/asterisklab":  {kind: testkit},
	"ivr/sipengine/sippeer":     {kind: testkit},
	"tickets/postgres/pgtest":   {kind: testkit},
	"agentdesk/hub/browsertest": {kind: testkit},
	"escalation/smtp/smtptest":  {kind: testkit},
	"metrics/benchload":         {kind: testkit},

	"cmd/atiende": {kind: command},

	"": {kind: testkit}, // this package: tests of the tree, no code
}

// vendors maps an import prefix to the packages (and their subpackages)
// that may use it, in code or in tests: a vendor type stops at its adapter.
var vendors = map[string][]string{
	"github.com/jackc/pgx":            {"tickets/postgres"},
	"github.com/emiago/":              {"ivr/sipengine"},
	"github.com/pion/":                {"ivr/sipengine"},
	"github.com/icholy/digest":        {"ivr/sipengine", "cmd/atiende"},
	"github.com/CyCoreSystems/ari":    {"ivr/asterisk"},
	"github.com/prometheus/":          {"metrics", "cmd/atiende"},
	"github.com/gorilla/websocket":    {"agentdesk/hub", "ivr/asterisk", "cmd/atiende"},
	"github.com/chromedp/":            {"agentdesk/hub/browsertest", "agentdesk/web/static", "cmd/atiende"},
	"github.com/nyaruka/phonenumbers": {"tickets"},
	"golang.org/x/crypto":             {"tickets"},
	"gopkg.in/yaml.v3":                {"tickets", "ivr", "escalation", "metrics", "cmd/atiende"},
	"github.com/atiende/atiende/cmd/": {}, // nothing imports a command
}

type goPackage struct {
	ImportPath   string
	Imports      []string
	TestImports  []string
	XTestImports []string
}

// listPackages runs go list over the module.
func listPackages(t *testing.T) []goPackage {
	t.Helper()
	cmd := exec.Command("go", "list", "-e", "-json", "./...")
	out, err := cmd.Output()
	if err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			t.Fatalf("go list: %v\n%s", err, ee.Stderr)
		}
		t.Fatalf("go list: %v", err)
	}
	var pkgs []goPackage
	dec := json.NewDecoder(strings.NewReader(string(out)))
	for {
		var p goPackage
		if err := dec.Decode(&p); err == io.EOF {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		pkgs = append(pkgs, p)
	}
	if len(pkgs) < len(packages)/2 {
		t.Fatalf("go list saw only %d packages", len(pkgs))
	}
	return pkgs
}

func rel(importPath string) (string, bool) {
	if importPath == mod {
		return "", true
	}
	return strings.CutPrefix(importPath, mod+"/")
}

func within(pkg, dir string) bool { return pkg == dir || strings.HasPrefix(pkg, dir+"/") }

// allowed reports whether pkg (in layer l) may import dep, one of ours, in
// its code (not its tests).
func allowed(pkg string, l layer, dep string) bool {
	d, ok := packages[dep]
	if !ok || slices.Contains(l.also, dep) {
		return ok
	}
	switch l.kind {
	case asset:
		return false
	case root:
		return d.kind == root && d.rank < l.rank
	case service, adapter:
		// An adapter may use its own subpackages (none has any today
		// but test kits); nothing else but roots and assets.
		return d.kind == root || d.kind == asset
	case testkit:
		// A test kit drives a root's ports or its own adapter.
		return d.kind == root || d.kind == asset || within(pkg, dep)
	case command:
		return d.kind != testkit
	}
	return false
}

// TestLayering checks the layering of STYLE.md over every package of the
// module with go list: each package is in packages, imports only what its
// layer allows, and each vendor library stays in the packages that own it.
func TestLayering(t *testing.T) {
	seen := map[string]bool{}
	for _, p := range listPackages(t) {
		pkg, ours := rel(p.ImportPath)
		if !ours {
			t.Errorf("go list: %s is outside the module", p.ImportPath)
			continue
		}
		seen[pkg] = true
		l, known := packages[pkg]
		if !known {
			t.Errorf("package %q is not placed in a layer: add it to packages in architecture_test.go (and to docs/architecture.md)", pkg)
			continue
		}
		for _, imp := range p.Imports {
			if dep, ours := rel(imp); ours && !allowed(pkg, l, dep) {
				t.Errorf("%s (%s) imports %s (%s), which its layer may not", pkg, l.kind, dep, packages[dep].kind)
			}
		}
		tests := slices.Concat(p.Imports, p.TestImports, p.XTestImports)
		for _, imp := range tests {
			for prefix, owners := range vendors {
				if !strings.HasPrefix(imp, prefix) {
					continue
				}
				if !slices.ContainsFunc(owners, func(o string) bool { return within(pkg, o) }) {
					t.Errorf("%s imports %s, which only %v may use", pkg, imp, owners)
				}
			}
		}
	}
	var gone []string
	for pkg := range packages {
		if !seen[pkg] {
			gone = append(gone, pkg)
		}
	}
	sort.Strings(gone)
	for _, pkg := range gone {
		t.Errorf("package %q is in the layering table but not in the module", pkg)
	}
}

// pathLike is a code span of docs/architecture.md that names a package or a
// file: lowercase, no spaces. Spans with capitals (Engine, web.Deps) are
// identifiers and are not checked.
var pathLike = regexp.MustCompile(`^[a-z0-9_.-]+(/[a-z0-9_.-]+)*$`)

// TestArchitectureDoc checks docs/architecture.md against the tree: every
// package or file it names in a code span exists, and it names every
// package of the module.
func TestArchitectureDoc(t *testing.T) {
	raw, err := os.ReadFile("docs/architecture.md")
	if err != nil {
		t.Fatal(err)
	}
	named := map[string]bool{}
	for _, m := range regexp.MustCompile("`([^`]+)`").FindAllStringSubmatch(string(raw), -1) {
		span := m[1]
		if !pathLike.MatchString(span) {
			continue
		}
		named[span] = true
		if _, err := os.Stat(span); err != nil {
			t.Errorf("docs/architecture.md names %s, which does not exist", span)
		}
	}
	if len(named) < 20 {
		t.Fatalf("docs/architecture.md names only %d paths: %v", len(named), named)
	}
	for pkg := range packages {
		if pkg != "" && !named[pkg] {
			t.Errorf("docs/architecture.md does not name the package %s", pkg)
		}
	}
}
