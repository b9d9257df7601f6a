package smtp_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/atiende/atiende/escalation"
	"github.com/atiende/atiende/escalation/smtp"
	"github.com/atiende/atiende/escalation/smtp/smtptest"
)

func TestConfigRefused(t *testing.T) {
	for _, c := range []smtp.Config{
		{Addr: "nohost", From: "a@b.c"},
		{Addr: "127.0.0.1:25", From: "not an address"},
		{Addr: "127.0.0.1:25", From: "a@b.c", TLS: "sometimes"},
	} {
		if _, err := smtp.New(c); err == nil {
			t.Errorf("%+v accepted", c)
		}
	}
}

// SMTP down: Send fails fast with an error (the worker retries); once the
// server is up the same email goes out, multipart, UTF-8, with the
// Message-ID derived from the action key.
func TestSendDownThenUp(t *testing.T) {
	port := smtptest.FreePort(t)
	n, err := smtp.New(smtp.Config{Addr: "127.0.0.1:" + itoa(port), From: "Mesa de Servicio <mesa@atiende.test>", Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	subj, text, html, err := escalation.Render(escalation.CreatedTemplate, "es", escalation.Data{
		TicketNumber: "260042", Subject: "Falla de conexión", CallerName: "María Pérez"})
	if err != nil {
		t.Fatal(err)
	}
	e := escalation.Email{To: []string{"María Pérez <maria@example.org>"}, Subject: subj, Text: text, HTML: html, Language: "es", Key: "260042/notify/created/x"}
	if err := n.Send(context.Background(), e); err == nil {
		t.Fatal("Send succeeded with no server")
	}
	mp := smtptest.Start(t, port)
	if err := n.Send(context.Background(), e); err != nil {
		t.Fatal(err)
	}
	msgs := mp.WaitMessages(t, 1, 5*time.Second)
	if len(msgs) != 1 {
		t.Fatalf("%d messages", len(msgs))
	}
	m := msgs[0]
	if m.Subject != subj || !strings.Contains(m.Subject, "260042") || len(m.To) != 1 || m.To[0].Address != "maria@example.org" ||
		m.From.Address != "mesa@atiende.test" {
		t.Errorf("headers: %+v", m)
	}
	if !strings.Contains(m.Text, "260042") || !strings.Contains(m.Text, "María Pérez") || !strings.Contains(m.HTML, "<strong>260042</strong>") {
		t.Errorf("bodies:\n%s\n%s", m.Text, m.HTML)
	}
	if "<"+m.MessageID+">" != smtp.MessageID(e.Key, "mesa@atiende.test") {
		t.Errorf("Message-ID %q", m.MessageID)
	}
}

func itoa(i int) string {
	const d = "0123456789"
	s := ""
	for ; i > 0; i /= 10 {
		s = string(d[i%10]) + s
	}
	return s
}
