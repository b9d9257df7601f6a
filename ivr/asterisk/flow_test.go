package asterisk_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/atiende/atiende/ivr"
	"github.com/atiende/atiende/ivr/asterisk"
	"github.com/atiende/atiende/ivr/asterisk/aritest"
	"github.com/atiende/atiende/tickets"
)

// flowServices is the least a flow needs: one known ticket.
type flowServices struct{ now time.Time }

func (f flowServices) LookupCaller(context.Context, ivr.Party) (ivr.CallerInfo, error) {
	return ivr.CallerInfo{}, nil
}
func (f flowServices) BusinessHours(context.Context, time.Time) bool { return true }
func (f flowServices) MajorIncident(context.Context, string, string) (*ivr.Incident, error) {
	return nil, nil
}
func (f flowServices) Maintenance(context.Context, string, string) (*ivr.Maintenance, error) {
	return nil, nil
}
func (f flowServices) OpenTicket(context.Context, string, string, time.Time) (*ivr.TicketRef, error) {
	return nil, nil
}
func (f flowServices) CreateTicket(context.Context, ivr.CallSession) (*ivr.TicketRef, error) {
	return &ivr.TicketRef{Number: "4521"}, nil
}
func (f flowServices) AttachCall(context.Context, string, ivr.CallSession) error { return nil }
func (f flowServices) TicketStatus(_ context.Context, n string) (*ivr.TicketStatus, error) {
	if n != "4500" {
		return nil, nil
	}
	return &ivr.TicketStatus{Number: n, State: tickets.InProgress, UpdatedAt: f.now.Add(-3 * time.Hour)}, nil
}
func (f flowServices) Enqueue(ctx context.Context, c ivr.Call, s ivr.CallSession) (string, error) {
	return "", c.Play(ctx, ivr.Prompt{Sound: s.Language + "/moh"})
}
func (f flowServices) Transfer(context.Context, ivr.Call, string, ivr.CallSession) error { return nil }

// The default IVR flow, unchanged, over the Asterisk engine: the caller
// asks for a ticket's status with DTMF and hangs up.
func TestDefaultFlowOverAsterisk(t *testing.T) {
	srv := aritest.New(t, aritest.Options{})
	now := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	runner := ivr.NewFlowRunner(ivr.DefaultFlow(), flowServices{now: now}, nil)
	runner.Now = func() time.Time { return now }
	r := &rig{t: t, srv: srv}
	r.start(asterisk.Config{URL: srv.URL, User: "atiende", Password: "secret"}, runner)

	id, err := srv.Inbound("+15551230001", "Lab Caller", "6000")
	if err != nil {
		t.Fatal(err)
	}
	played := func(sound string) {
		t.Helper()
		waitFor(t, "prompt "+sound, func() bool {
			for _, req := range srv.Find("POST /channels/" + id + "/play/") {
				if strings.Contains(req.Query.Get("media"), "sound:atiende/"+sound) {
					return true
				}
			}
			return false
		})
	}
	played("es/main-menu")
	if srv.Channel(id).State != "Up" {
		t.Fatal("the flow did not answer")
	}
	srv.Press(id, "3")
	played("es/enter-ticket")
	srv.Press(id, "4500#")
	played("es/hours-ago")
	var media string
	for _, req := range srv.Find("POST /channels/" + id + "/play/") {
		media += req.Query.Get("media") + ","
	}
	if !strings.Contains(media, "sound:atiende/es/digit-4,sound:atiende/es/digit-5,sound:atiende/es/digit-0,sound:atiende/es/digit-0") ||
		!strings.Contains(media, "sound:atiende/es/state-in_progress") {
		t.Fatalf("ticket status not spoken: %s", media)
	}
	srv.RemoteHangup(id)
	waitFor(t, "channel gone", func() bool { return !srv.Channel(id).Exists })
}
