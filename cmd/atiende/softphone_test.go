package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/atiende/atiende/ivr/sipengine/sippeer"
)

// TestShippedSoftphoneAndMakeCall starts baresip with deploy/softphone (its
// ports moved to free ones, the registrar to this Atiende), makes ana
// available, and runs `make call`'s script: the caller goes through the
// menu, the call reaches the shipped phone, which answers it.
func TestShippedSoftphoneAndMakeCall(t *testing.T) {
	bin := sippeer.Need(t, "baresip")
	sippeer.Need(t, "sipp")
	a := startAtiende(t, harnessOptions{Queues: testQueues})

	dir := t.TempDir()
	rtp := sippeer.FreePortPair(t)
	for name, repl := range map[string][]string{
		"config": {
			"127.0.0.1:5080", fmt.Sprintf("127.0.0.1:%d", sippeer.FreePort(t)),
			"127.0.0.1:5085", fmt.Sprintf("127.0.0.1:%d", sippeer.FreePort(t)),
			"30100-30199", fmt.Sprintf("%d-%d", rtp, rtp+10),
		},
		"accounts": {"127.0.0.1:5060", a.SIPAddr},
		"contacts": nil,
	} {
		b, err := os.ReadFile(filepath.Join("../../deploy/softphone", name))
		if err != nil {
			t.Fatal(err)
		}
		s := string(b)
		for i := 0; i < len(repl); i += 2 {
			if !strings.Contains(s, repl[i]) {
				t.Fatalf("deploy/softphone/%s has no %q", name, repl[i])
			}
			s = strings.ReplaceAll(s, repl[i], repl[i+1])
		}
		if err := os.WriteFile(filepath.Join(dir, name), []byte(s), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	phone := exec.Command(bin, "-f", dir, "-t", "150")
	var out strings.Builder
	phone.Stdout, phone.Stderr = &out, &out
	if err := phone.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = phone.Process.Kill(); _ = phone.Wait() })
	if _, ok := a.waitLog(15*time.Second, `msg="extension status"`, "extension=1001", "state=registered"); !ok {
		t.Fatalf("the shipped softphone did not register:\n%s", out.String())
	}
	a.available(t, "ana")

	call := exec.Command("../../deploy/softphone/call.sh")
	call.Env = append(os.Environ(), "ATIENDE_SIP="+a.SIPAddr, "TALK_MS=12000", "TMPDIR="+t.TempDir(),
		"CALL_SIP_PORT="+strconv.Itoa(sippeer.FreePort(t)), "CALL_RTP_PORT="+strconv.Itoa(sippeer.FreePortPair(t)))
	if b, err := call.CombinedOutput(); err != nil {
		t.Fatalf("make call: %v\n%s\nsoftphone:\n%s", err, tail(string(b), 3000), tail(out.String(), 3000))
	}
	ts := a.waitPhoneTickets(t, 1, 5*time.Second)
	rec := a.waitCallOutcome(t, ts[0].Number, 10*time.Second)
	if rec.Outcome != "answered" || rec.Agent != "ana" || rec.Queue != "network" || rec.CallerID != mariaPhone {
		t.Errorf("call record %+v: want answered by ana in network from %s", rec, mariaPhone)
	}
}
