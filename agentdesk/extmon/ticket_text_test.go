package extmon

import (
	"strings"
	"testing"
	"time"

	"github.com/atiende/atiende/ivr"
)

// The ticket and its notes are read by network staff: the engine's state
// and reason codes ("qualify timeout", "expired", Asterisk's "offline")
// are said in Spanish and English words, never copied in, and a status
// without a reason leaves no empty "()".
func TestTicketTextsSayNoCodes(t *testing.T) {
	m := &Monitor{cfg: Config{}.withDefaults()}
	codes := append([]string{"offline", "unreachable"}, ivr.ExtReasons...)
	for _, state := range []ivr.ExtState{ivr.ExtUnregistered, ivr.ExtUnreachable} {
		for _, reason := range append([]string{"", "offline"}, ivr.ExtReasons...) {
			e := &ext{status: ivr.ExtensionStatus{Extension: "1001", State: state, Reason: reason},
				downSince: time.Date(2026, 5, 4, 10, 0, 0, 0, time.UTC), lastContact: "sip:1001@192.0.2.10:5060", lastAgent: "baresip"}
			for name, text := range map[string]string{"ticket": m.downText(e, "Ana"), "down-again note": m.downAgainText(e)} {
				es, en, ok := strings.Cut(text, "\n")
				if !ok {
					t.Fatalf("%s for %s/%q is not Spanish then English:\n%s", name, state, reason, text)
				}
				for _, c := range codes {
					if strings.Contains(es, c) {
						t.Errorf("the Spanish of the %s for %s/%q says %q:\n%s", name, state, reason, c, es)
					}
					for _, form := range []string{"Reason: " + c + ".", "(" + c + ")", ": " + c + "."} {
						if c != "" && strings.Contains(en, form) {
							t.Errorf("the English of the %s for %s/%q says the code %q:\n%s", name, state, reason, c, en)
						}
					}
				}
				if strings.Contains(text, "()") || strings.Contains(text, "qualify") {
					t.Errorf("the %s for %s/%q:\n%s", name, state, reason, text)
				}
			}
		}
	}
}
