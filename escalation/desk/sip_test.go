package desk_test

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/atiende/atiende/escalation"
	"github.com/atiende/atiende/escalation/desk"
	"github.com/atiende/atiende/ivr"
	"github.com/atiende/atiende/ivr/prompts"
	"github.com/atiende/atiende/ivr/sipengine"
	"github.com/atiende/atiende/ivr/sipengine/sippeer"
)

// The P1 alert through the embedded SIP engine to a real softphone
// (baresip, registered as extension 1001, auto-answering) that presses 1.
func TestPhoneCallerBaresipAcknowledges(t *testing.T) {
	sippeer.Need(t, "baresip")
	cfg := sipengine.DefaultConfig()
	cfg.Addr = "127.0.0.1:0"
	cfg.Extensions = map[string]string{"1001": "secret1"}
	cfg.RTPPortMin, cfg.RTPPortMax = 0, 0
	cfg.Prompts = prompts.FS // the prompts the product plays
	eng, err := sipengine.New(cfg, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- eng.Serve(ctx, ivr.HandlerFunc(func(context.Context, ivr.Call) {})) }()
	t.Cleanup(func() { cancel(); <-served })
	select {
	case <-eng.Ready():
	case <-time.After(5 * time.Second):
		t.Fatal("engine not ready")
	}
	events := eng.WatchExtensions(ctx)
	phone := sippeer.StartBaresip(t, sippeer.BaresipConfig{Account: "1001", Password: "secret1",
		Registrar: eng.Addr().String(), AutoAnswer: true})
	for st := range events {
		if st.Extension == "1001" && st.State == ivr.ExtRegistered {
			break
		}
	}
	go func() {
		if _, err := phone.WaitEvent("CALL_ESTABLISHED", 10*time.Second); err == nil {
			time.Sleep(500 * time.Millisecond) // into the alert
			_ = phone.SendDTMF("1")
		}
	}()
	caller := &desk.PhoneCaller{Engine: eng, CallerID: "5000"}
	actx, acancel := context.WithTimeout(ctx, 15*time.Second)
	defer acancel()
	acked, err := caller.Alert(actx, escalation.Alert{To: "1001", TicketNumber: "260042", Level: 2, Language: "es", Key: "k"})
	if err != nil || !acked {
		t.Fatalf("acked %v, err %v\n%s", acked, err, phone.Output())
	}
}
