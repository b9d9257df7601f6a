package ivr_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/atiende/atiende/ivr"
	"github.com/atiende/atiende/ivr/prompts"
	"github.com/atiende/atiende/tickets"
)

// Each testdata/invalid-*.yaml starts with "# want: <line>: <message>" and
// must be refused with that file, line and message.
func TestInvalidFlowsAreRefusedWithTheirLine(t *testing.T) {
	files, _ := filepath.Glob("testdata/invalid-*.yaml")
	if len(files) < 10 {
		t.Fatalf("only %d invalid flows", len(files))
	}
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			b, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			first, _, _ := strings.Cut(string(b), "\n")
			want, ok := strings.CutPrefix(strings.TrimSpace(first), "# want: ")
			if !ok {
				t.Fatalf("first line %q is not # want: ...", first)
			}
			_, err = ivr.LoadFlow(file)
			if err == nil {
				t.Fatal("accepted")
			}
			name := filepath.Base(file)
			if !strings.Contains(err.Error(), name+":"+want) && !strings.Contains(err.Error(), name+": "+want) {
				t.Errorf("error %q does not contain %q", err, filepath.Base(file)+":"+want)
			}
		})
	}
}

func TestDefaultFlowIsValidAndHasItsPrompts(t *testing.T) {
	f := ivr.DefaultFlow()
	if f.Start != "lookup" || f.Language != "es" || len(f.Nodes) < 20 {
		t.Errorf("default flow: start %q, language %q, %d nodes", f.Start, f.Language, len(f.Nodes))
	}
	if err := f.CheckPrompts(prompts.FS, "es", "en"); err != nil {
		t.Error(err)
	}
	for _, lang := range []string{"es", "en"} {
		for _, s := range tickets.States {
			if !prompts.Exists(ivr.StateSound(lang, s)) {
				t.Errorf("no prompt for state %s in %s", s, lang)
			}
		}
		for _, snd := range append(ivr.DigitSounds(lang, "0123456789*#"), lang+"/moh", lang+"/callback-offer",
			lang+"/you-are-number", lang+"/in-line", lang+"/expected-wait", lang+"/minutes") {
			if !prompts.Exists(snd) {
				t.Errorf("no prompt %s", snd)
			}
		}
		for n := 0; n <= 60; n++ {
			for _, snd := range ivr.NumberSounds(lang, n) {
				if !prompts.Exists(snd) {
					t.Errorf("no prompt %s for %d", snd, n)
				}
			}
		}
	}
}

func TestParseFlowAcceptsEveryNodeType(t *testing.T) {
	f, err := ivr.LoadFlow("testdata/all-nodes.yaml")
	if err != nil {
		t.Fatal(err)
	}
	seen := map[ivr.NodeType]bool{}
	for _, n := range f.Nodes {
		seen[n.Type] = true
	}
	if len(seen) != 14 {
		t.Errorf("%d node types in all-nodes.yaml, want 14", len(seen))
	}
	if n := f.Nodes["main"]; n.Line == 0 || n.Name != "main" {
		t.Errorf("main node: line %d name %q", n.Line, n.Name)
	}
}
