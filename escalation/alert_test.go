package escalation_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/atiende/atiende/escalation"
)

// fakeCaller acknowledges on the numbers in acks, fails on those in fail,
// and otherwise rings until the deadline.
type fakeCaller struct {
	mu    sync.Mutex
	acks  map[string]bool
	fail  map[string]bool
	calls []escalation.Alert
}

func (f *fakeCaller) Alert(ctx context.Context, a escalation.Alert) (bool, error) {
	f.mu.Lock()
	f.calls = append(f.calls, a)
	f.mu.Unlock()
	switch {
	case f.acks[a.To]:
		return true, nil
	case f.fail[a.To]:
		return false, errors.New("sip: 503 service unavailable")
	}
	<-ctx.Done()
	return false, ctx.Err()
}

func TestAlertChain(t *testing.T) {
	contacts := []escalation.Contact{
		{Level: 3, Name: "Sin teléfono", Email: "a@example.org"},
		{Level: 3, Name: "Especialista", Extension: "201", Mobile: "+525511112222"},
		{Level: 3, Name: "Suplente", OfficePhone: "+525550000000"},
	}
	alert := escalation.Alert{TicketNumber: "MS-1", Level: 3, Language: "es", Key: "MS-1/escalate/x"}

	f := &fakeCaller{acks: map[string]bool{"+525550000000": true}, fail: map[string]bool{"201": true}}
	who, attempts, err := escalation.AlertChain(context.Background(), f, contacts, alert, 20*time.Millisecond)
	if err != nil || who == nil || who.Name != "Suplente" {
		t.Fatalf("acked by %v, err %v", who, err)
	}
	if len(attempts) != 3 || attempts[0].To != "201" || attempts[0].Err == nil || attempts[1].To != "+525511112222" ||
		attempts[1].Err != nil || attempts[1].Acked || !attempts[2].Acked {
		t.Errorf("attempts = %+v", attempts)
	}
	if f.calls[2].TicketNumber != "MS-1" || f.calls[2].Level != 3 {
		t.Errorf("alert = %+v", f.calls[2])
	}

	nobody := &fakeCaller{}
	who, attempts, err = escalation.AlertChain(context.Background(), nobody, contacts, alert, 10*time.Millisecond)
	if who != nil || err != nil || len(attempts) != 3 {
		t.Errorf("nobody acked: %v %+v %v", who, attempts, err)
	}
	if _, _, err := escalation.AlertChain(context.Background(), nobody, contacts[:1], alert, time.Millisecond); !errors.Is(err, escalation.ErrNoPhone) {
		t.Errorf("no phone: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, _, err := escalation.AlertChain(ctx, nobody, contacts, alert, time.Second); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v", err)
	}
}
