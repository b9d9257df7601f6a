package main

import (
	"encoding/json"
	"io"
	"os/exec"
	"strings"
	"testing"
)

const mod = "github.com/atiende/atiende/"

// TestDependenciesPointOneWay checks the layering of STYLE.md with go list:
// domain roots import no adapter, adapters import no other adapter, and each
// vendor library stays inside the adapter that owns it.
func TestDependenciesPointOneWay(t *testing.T) {
	out, err := exec.Command("go", "list", "-json", "../../...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	adapters := []string{"ivr/sipengine", "ivr/asterisk", "tickets/postgres", "agentdesk/web", "agentdesk/hub"}
	roots := []string{"ivr", "agentdesk", "tickets", "escalation"}
	owners := map[string][]string{ // vendor import prefix -> packages allowed to import it
		"github.com/jackc/pgx":                {"tickets/postgres"},
		"github.com/emiago/":                  {"ivr/sipengine"},
		"github.com/CyCoreSystems/ari":        {"ivr/asterisk"},
		"github.com/prometheus/client_golang": {"metrics", "cmd/atiende"},
		"github.com/gorilla/websocket":        {"agentdesk/hub", "ivr/asterisk"},
		"github.com/chromedp/":                {"agentdesk/hub", "cmd/atiende"},
	}
	within := func(pkg string, list []string) bool {
		for _, p := range list {
			if pkg == p || strings.HasPrefix(pkg, p+"/") {
				return true
			}
		}
		return false
	}
	dec := json.NewDecoder(strings.NewReader(string(out)))
	seen := 0
	for {
		var p struct {
			ImportPath string
			Imports    []string
		}
		if err := dec.Decode(&p); err == io.EOF {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		pkg := strings.TrimPrefix(p.ImportPath, mod)
		seen++
		isRoot := false
		for _, r := range roots {
			isRoot = isRoot || pkg == r
		}
		for _, imp := range p.Imports {
			for prefix, allowed := range owners {
				if strings.HasPrefix(imp, prefix) && !within(pkg, allowed) {
					t.Errorf("%s imports %s, which only %v may use", pkg, imp, allowed)
				}
			}
			dep, ours := strings.CutPrefix(imp, mod)
			if !ours || !within(dep, adapters) || strings.HasSuffix(pkg, "test") {
				continue
			}
			if isRoot {
				t.Errorf("domain root %s imports adapter %s", pkg, dep)
			}
			if within(pkg, adapters) && !within(pkg, []string{dep}) && !strings.HasPrefix(dep, pkg) {
				// An adapter's own subpackages (pgtest, sippeer, aritest) are fine.
				t.Errorf("adapter %s imports another adapter %s", pkg, dep)
			}
		}
	}
	if seen < 10 {
		t.Fatalf("go list saw only %d packages", seen)
	}
}
