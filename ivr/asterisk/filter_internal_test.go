package asterisk

import (
	"os"
	"regexp"
	"slices"
	"testing"
)

// Every event type handle acts on is in the app's event filter: a type
// added to handle but not to usedEvents would never arrive from Asterisk.
func TestUsedEventsCoverHandle(t *testing.T) {
	var handled []string
	for _, f := range []string{"engine.go", "ws.go"} {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range regexp.MustCompile(`(?:case|\.\()\s*\*ari\.([A-Za-z]+)`).FindAllSubmatch(src, -1) {
			handled = append(handled, string(m[1]))
		}
	}
	if len(handled) < 10 {
		t.Fatalf("found only %v in handle; the pattern is out of date", handled)
	}
	for _, h := range handled {
		if !slices.Contains(usedEvents, h) {
			t.Errorf("handle acts on %s, which the event filter does not allow", h)
		}
	}
}
