package tickets

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestDefaultCatalog(t *testing.T) {
	c := DefaultCatalog()
	// The codes the IVR menus map keys to, and their queues.
	want := map[string]string{
		"internet_failure":  "network",
		"email_failure":     "email",
		"extension_failure": "telephony",
		"ftp_failure":       "servers",
		"server_failure":    "servers",
		"other_failure":     "general",
		"videoconference":   "telephony",
		"email_account":     "email",
		"new_connection":    "network",
		"other_request":     "general",
	}
	for code, group := range want {
		s, ok := c.Service(code)
		if !ok {
			t.Errorf("default catalog has no %s", code)
			continue
		}
		if s.Group != group {
			t.Errorf("%s: group %q, want %q", code, s.Group, group)
		}
	}
	// Seed 001 services and the DGSEI list of seed 002 are all there.
	for _, code := range []string{
		"email_account_deletion", "network_change", "technical_opinion",
		"payroll", "high_volume_printing", "website_admin", "bulk_email", "infrastructure_consulting",
		"institutional_email", "e_signature", "application_hosting", "process_automation", "connectivity",
		"it_consulting", "application_development", "telephony_radio_outsourcing", "infrastructure_hosting",
		"backup_custody", "interactive_media", "it_equipment_verification",
	} {
		if _, ok := c.Service(code); !ok {
			t.Errorf("default catalog has no %s", code)
		}
	}
	if _, ok := c.Service("nope"); ok {
		t.Error("Service(nope) found something")
	}

	// Seed 001 checklists, in both languages.
	inet, _ := c.Service("internet_failure")
	if got := inet.ChecklistIn("es"); len(got) != 5 || got[1] != "Verificación física de la conexión." {
		t.Errorf("internet_failure es checklist = %q", got)
	}
	if got := inet.ChecklistIn("en"); len(got) != 5 || got[0] != "Receive the fault report." {
		t.Errorf("internet_failure en checklist = %q", got)
	}
	for _, code := range []string{"email_failure", "extension_failure", "ftp_failure", "email_account", "email_account_deletion", "new_connection", "network_change", "technical_opinion", "videoconference"} {
		s, _ := c.Service(code)
		if len(s.Checklist["es"]) == 0 || len(s.Checklist["en"]) != len(s.Checklist["es"]) {
			t.Errorf("%s: checklist es %d steps, en %d", code, len(s.Checklist["es"]), len(s.Checklist["en"]))
		}
	}
	if ftp, _ := c.Service("ftp_failure"); len(ftp.Checklist["es"]) != 6 {
		t.Errorf("ftp_failure has %d steps, seed 001 has 6", len(ftp.Checklist["es"]))
	}
	if inet.NameIn("en") != "Internet connection failure" || inet.NameIn("fr") != "Falla de conexión a Internet" {
		t.Errorf("NameIn: %q, %q", inet.NameIn("en"), inet.NameIn("fr"))
	}

	// Every group needs a queue (and agents with that skill): adding one is
	// a deployment change, not just a catalog edit.
	groups := c.Groups()
	slices.Sort(groups)
	if want := []string{"email", "general", "network", "servers", "telephony"}; !slices.Equal(groups, want) {
		t.Errorf("groups %q, want %q", groups, want)
	}
	for _, g := range groups {
		if len(c.ByGroup(g)) == 0 {
			t.Errorf("ByGroup(%q) is empty", g)
		}
	}
	for _, s := range c.ByGroup("email") {
		if s.Group != "email" {
			t.Errorf("ByGroup(email) returned %s of group %s", s.Code, s.Group)
		}
	}
	if err := c.Validate(); err != nil {
		t.Errorf("Validate: %v", err)
	}

	// Each call gives a fresh copy: changing one does not change the next.
	c.Services[0].Name["es"] = "cambiado"
	if DefaultCatalog().Services[0].Name["es"] == "cambiado" {
		t.Error("DefaultCatalog shares state between calls")
	}
}

func TestLoadCatalogInvalid(t *testing.T) {
	// Each bad file must be refused with a message naming the line and the
	// field, so that an administrator can fix it.
	want := map[string][]string{
		"invalid-unknown-key.yaml":        {"line 9", "priority"},
		"invalid-unknown-top-key.yaml":    {"line 1", "version"},
		"invalid-duplicate-code.yaml":     {"line 7", "code", "internet_failure", "line 2"},
		"invalid-bad-kind.yaml":           {"line 5", "default_kind", "outage"},
		"invalid-missing-language.yaml":   {"line 8", "name", "en name is missing"},
		"invalid-bad-level.yaml":          {"line 6", "level", "5"},
		"invalid-missing-group.yaml":      {"line 2", "group", "required"},
		"invalid-checklist-mismatch.yaml": {"line 7", "checklist", "en checklist has 2 steps"},
		"invalid-level-type.yaml":         {"line 6", "one"},
		"invalid-empty.yaml":              {"empty"},
	}
	files, err := filepath.Glob(filepath.Join("testdata", "invalid-*.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != len(want) {
		t.Errorf("testdata has %d invalid catalogs, the test knows %d", len(files), len(want))
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			r, err := os.Open(f)
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			c, err := LoadCatalog(r)
			if err == nil {
				t.Fatalf("loaded %d services, want an error", len(c.Services))
			}
			if ErrorCode(err) != EINVALID {
				t.Errorf("code %q, want %q: %v", ErrorCode(err), EINVALID, err)
			}
			parts, ok := want[filepath.Base(f)]
			if !ok {
				t.Fatalf("no expectation for %s: %v", f, err)
			}
			for _, p := range parts {
				if !strings.Contains(err.Error(), p) {
					t.Errorf("error %q does not mention %q", err, p)
				}
			}
		})
	}
}

func TestLoadCatalogMinimal(t *testing.T) {
	c, err := LoadCatalog(strings.NewReader(`
services:
  - code: internet_failure
    name: {es: Falla de Internet, en: Internet failure}
    group: network
    default_kind: incident
    level: 1
`))
	if err != nil {
		t.Fatal(err)
	}
	if s, ok := c.Service("internet_failure"); !ok || s.Level != 1 || s.DefaultKind != Incident || s.Support24x7 {
		t.Errorf("got %+v", s)
	}
}

func TestCatalogValidateInCode(t *testing.T) {
	c := &Catalog{Services: []Service{{Code: "x", Name: map[string]string{"es": "X"}, Group: "general", DefaultKind: Incident, Level: 1}}}
	err := c.Validate()
	if ErrorCode(err) != EINVALID || !strings.Contains(err.Error(), "en name is missing") {
		t.Errorf("got %v", err)
	}
	if err := (&Catalog{}).Validate(); ErrorCode(err) != EINVALID {
		t.Errorf("empty catalog: got %v", err)
	}
}
