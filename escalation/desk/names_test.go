package desk_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/atiende/atiende/escalation/memstore"
	"github.com/atiende/atiende/escalation/smtp/smtptest"
	"github.com/atiende/atiende/tickets"
	"github.com/atiende/atiende/tickets/postgres/pgtest"
)

// The confirmation email names the service as the catalog does, in the
// caller's language: never its code (issue 16, point 11).
func TestEmailNamesTheService(t *testing.T) {
	clock := memstore.NewClock(time.Date(2026, 11, 23, 9, 0, 0, 0, mx(t)))
	mp := smtptest.Start(t, 0)
	e := newEnv(t, pgtest.DB(t), clock, newSLA(t, 0), mp.SMTPAddr, nil)
	cat := tickets.DefaultCatalog()
	e.exec.Catalog = cat
	tk := &tickets.Ticket{Kind: tickets.Incident, Service: "internet_failure", Priority: tickets.P3, Level: 1, Channel: tickets.Phone,
		Caller:  tickets.Caller{Name: "María Pérez", Email: "maria@example.org", Phone: "+525512345678"},
		Subject: "Sin conexión", Description: "Sin conexión desde la mañana"}
	if err := e.desk.CreateTicket(context.Background(), tk, "agent1"); err != nil {
		t.Fatal(err)
	}
	e.drain(t)
	msgs := mp.WaitMessages(t, 1, 2*time.Second)
	created := bySubject(msgs, "registrado")
	if len(created) != 1 {
		t.Fatalf("messages: %+v", msgs)
	}
	svc, _ := cat.Service("internet_failure")
	for part, body := range map[string]string{"text": created[0].Text, "html": created[0].HTML} {
		if !strings.Contains(body, "Servicio: "+svc.NameIn("es")) {
			t.Errorf("%s part does not name the service %q:\n%s", part, svc.NameIn("es"), body)
		}
		for _, s := range cat.Services {
			if strings.Contains(body, s.Code) {
				t.Errorf("%s part shows the service code %q:\n%s", part, s.Code, body)
			}
		}
		for _, g := range cat.Groups() {
			if strings.Contains(body, "Cola: "+g) || strings.Contains(body, "Queue: "+g) {
				t.Errorf("%s part shows the queue code %q", part, g)
			}
		}
	}
}
