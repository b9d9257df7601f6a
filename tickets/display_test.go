package tickets

import (
	"strings"
	"testing"
)

// Every group of the default catalog has a name in each language, and a
// catalog file may name (or rename) its queues.
func TestQueueNames(t *testing.T) {
	def := DefaultCatalog()
	for _, g := range def.Groups() {
		for _, lang := range catalogLanguages() {
			if n := def.QueueNameIn(g, lang); n == "" || n == g {
				t.Errorf("default queue %s has no %s name (%q)", g, lang, n)
			}
		}
	}
	const yml = `queues:
  - code: printers
    name: {es: Impresoras, en: Printers}
  - code: network
    name: {es: Red de datos, en: Data network}
services:
  - code: printer_jam
    name: {es: Atasco de papel, en: Paper jam}
    group: printers
    default_kind: incident
    level: 1
  - code: internet_failure
    name: {es: Sin Internet, en: No Internet}
    group: network
    default_kind: incident
    level: 1
`
	c, err := LoadCatalog(strings.NewReader(yml))
	if err != nil {
		t.Fatal(err)
	}
	for _, x := range []struct{ code, lang, want string }{
		{"printers", "es", "Impresoras"}, {"printers", "en", "Printers"}, {"network", "en", "Data network"},
		{"general", "es", "Atención general"}, {"printers", "fr", "Impresoras"},
	} {
		if got := c.QueueNameIn(x.code, x.lang); got != x.want {
			t.Errorf("QueueNameIn(%s, %s) = %q, want %q", x.code, x.lang, got, x.want)
		}
	}
	named := c.WithQueueNames()
	if len(named.Queues) != 2 || named.Queues[0].Code != "printers" || named.Queues[1].Name["en"] != "Data network" {
		t.Errorf("WithQueueNames: %+v", named.Queues)
	}
	if _, err := LoadCatalog(strings.NewReader(strings.Replace(yml, "en: Printers", "fr: Imprimantes", 1))); err == nil ||
		!strings.Contains(err.Error(), `queue "printers": field name: the en name is missing`) {
		t.Errorf("a queue without its English name: %v", err)
	}
}
