package asterisk_test

import (
	"context"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/atiende/atiende/ivr"
	"github.com/atiende/atiende/ivr/asterisk/asterisklab"
	"github.com/atiende/atiende/ivr/sipengine/sippeer"
)

// TestRealMeasure is a measurement, not a check: it runs when
// ATIENDE_ASTERISK_MEASURE=N (calls per round) is set and logs, per
// caller call, Asterisk's CPU with the extensions' subscriptions and with
// the former endpoint:PJSIP one on top, and the TIME-WAIT sockets left on
// ARI's port.
func TestRealMeasure(t *testing.T) {
	n, _ := strconv.Atoi(os.Getenv("ATIENDE_ASTERISK_MEASURE"))
	if n <= 0 {
		t.Skip("set ATIENDE_ASTERISK_MEASURE=<calls> to measure")
	}
	a := asterisklab.Start(t, asterisklab.Options{})
	h := ivr.HandlerFunc(func(ctx context.Context, c ivr.Call) {
		if err := c.Answer(ctx); err != nil {
			return
		}
		_ = c.Play(ctx, ivr.Prompt{Sound: "es/welcome"})
		select {
		case <-c.DTMF():
		case <-time.After(5 * time.Second):
		case <-ctx.Done():
		}
	})
	serveReal(t, realConfig(a), h)
	rate := os.Getenv("ATIENDE_ASTERISK_MEASURE_RATE")
	if rate == "" {
		rate = "5"
	}
	idle := func(d time.Duration) {
		cpu0, _ := a.CPU()
		time.Sleep(d)
		cpu1, _ := a.CPU()
		t.Logf("idle: Asterisk CPU %.2f ms/s", float64(cpu1-cpu0)/float64(time.Millisecond)/d.Seconds())
	}
	idle(5 * time.Second)
	round := func(name string) {
		tw0 := timeWait(t, a.HTTPPort)
		cpu0, _ := a.CPU()
		start := time.Now()
		s := sippeer.StartSipp(t, sippeer.SippOptions{
			Scenario: "testdata/caller_key2.xml", Remote: a.SIPAddr(), Timeout: time.Duration(n)*time.Second + 60*time.Second,
			Keys: []string{"caller=+15551230001"}, Args: []string{"-s", "6000", "-m", strconv.Itoa(n), "-r", rate, "-l", "200"},
		})
		if err := s.Wait(time.Duration(n)*time.Second + 70*time.Second); err != nil {
			t.Errorf("%s: sipp: %v\n%s", name, err, s.Output())
		}
		cpu1, _ := a.CPU()
		tw1 := timeWait(t, a.HTTPPort)
		t.Logf("%s: %d calls in %v: Asterisk CPU %.2f ms/call; TIME-WAIT on ARI's port %d -> %d (%.2f per call)",
			name, n, time.Since(start).Round(time.Millisecond), float64(cpu1-cpu0)/float64(time.Millisecond)/float64(n),
			tw0, tw1, float64(tw1-tw0)/float64(n))
	}
	// Alternated, so that the machine's other load weighs on both.
	for range 3 {
		round("extension subscriptions")
		if err := a.ARI("POST", "/applications/atiende/subscription?eventSource=endpoint:PJSIP", nil); err != nil {
			t.Fatal(err)
		}
		round("plus endpoint:PJSIP")
		if err := a.ARI("DELETE", "/applications/atiende/subscription?eventSource=endpoint:PJSIP", nil); err != nil {
			t.Fatal(err)
		}
	}
	a.CheckClean(t)
	for _, l := range strings.Split(a.Log(), "\n") {
		if strings.Contains(l, "WARNING") || strings.Contains(l, "ERROR") {
			t.Log(l)
		}
	}
}

// timeWait counts TCP sockets in TIME-WAIT to or from port.
func timeWait(t *testing.T, port int) int {
	out, err := exec.Command("ss", "-Htan", "state", "time-wait", "( sport = :"+strconv.Itoa(port)+" or dport = :"+strconv.Itoa(port)+" )").Output()
	if err != nil {
		t.Logf("ss: %v", err)
		return 0
	}
	return len(strings.Split(strings.TrimSpace(string(out)), "\n")) - map[bool]int{true: 1}[strings.TrimSpace(string(out)) == ""]
}
