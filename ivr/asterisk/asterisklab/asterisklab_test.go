package asterisklab_test

import (
	"strings"
	"testing"

	"github.com/atiende/atiende/ivr/asterisk/asterisklab"
)

// The deploy/asterisk configuration loads on a real Asterisk as the
// README's checks say: ARI user, the app's dialplan, the extensions.
func TestDeployConfigLoads(t *testing.T) {
	a := asterisklab.Start(t, asterisklab.Options{})
	var info struct {
		System struct{ Version string } `json:"system"`
	}
	if err := a.ARI("GET", "/asterisk/info", &info); err != nil {
		t.Fatal(err)
	}
	if info.System.Version != "22.10.1" {
		t.Errorf("version %q", info.System.Version)
	}
	var eps []struct{ Resource string }
	if err := a.ARI("GET", "/endpoints/PJSIP", &eps); err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range eps {
		names = append(names, e.Resource)
	}
	got := strings.Join(names, ",")
	for _, want := range []string{"1001", "1002", "trunk"} {
		if !strings.Contains(got, want) {
			t.Errorf("endpoint %s missing from %s", want, got)
		}
	}
	for cmd, want := range map[string]string{
		"dialplan show 6000@helpdesk": "Stasis(atiende)",
		"http show status":            "/ari",
		"ari show users":              "atiende",
		"moh show classes":            "Class: default",
		"rtp show settings":           "Port start:",
	} {
		out, err := a.CLI(cmd)
		if err != nil || !strings.Contains(out, want) {
			t.Errorf("%s: %v\n%s", cmd, err, out)
		}
	}
	// Errors and warnings at load are configuration problems.
	for _, l := range strings.Split(a.Log(), "\n") {
		if strings.Contains(l, "WARNING") || strings.Contains(l, "ERROR") {
			t.Log(l)
		}
	}
	a.CheckClean(t)
}
