package main

import (
	"bytes"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/atiende/atiende/ivr/sipengine/sippeer"
)

// TestLatin1CallerGetsTicket: sipp calls the help desk as SIP user "alice"
// with the display name "José Pérez" in Latin-1 bytes (E9), as Spanish
// phones send it, and keys 1 1 (internet failure); with no agent, Atiende ends the call.
// The ticket is created,
// with the name decoded and no phone (alice is not a number). Before the
// fix PostgreSQL refused the name (SQLSTATE 22021) and the call went on
// with no ticket.
func TestLatin1CallerGetsTicket(t *testing.T) {
	sippeer.Need(t, "sipp")
	t.Parallel()
	a := startAtiende(t, harnessOptions{Queues: testQueues})
	path := callerScenario(t, keys(1500*time.Millisecond, 700*time.Millisecond, "11"), 0)
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	b = bytes.ReplaceAll(b, []byte(`"sipp caller"`), []byte("\"Jos\xe9 P\xe9rez\""))
	b = bytes.ReplaceAll(b, []byte("User-Agent: sipp-caller"), []byte("User-Agent: Tel\xe9fono"))
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	caller := sippeer.StartSipp(t, sippeer.SippOptions{Scenario: path, Remote: a.SIPAddr, Timeout: 60 * time.Second,
		Keys: []string{"caller=alice"}, Args: []string{"-s", "6000", "-m", "1"}})
	if err := caller.Wait(45 * time.Second); err != nil {
		t.Fatalf("caller: %v\n%s", err, caller.Output())
	}
	tk := a.waitPhoneTickets(t, 1, 10*time.Second)[0]
	if tk.Caller.Name != "José Pérez" || tk.Caller.Phone != "" || !strings.Contains(tk.Description, "alice") {
		t.Errorf("ticket %s: caller %+v, description %q; want name José Pérez, no phone, alice in the description",
			tk.Number, tk.Caller, tk.Description)
	}
	if tk.Service != "internet_failure" {
		t.Errorf("ticket %s: service %s", tk.Number, tk.Service)
	}
}
