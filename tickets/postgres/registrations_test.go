package postgres_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/atiende/atiende/tickets"
	"github.com/atiende/atiende/tickets/postgres"
)

func TestSIPRegistrations(t *testing.T) {
	ctx := context.Background()
	db := newDB(t, postgres.Options{})
	now := time.Now().UTC().Truncate(time.Microsecond)
	r := postgres.SIPRegistration{Extension: "1001", Contact: "sip:1001@127.0.0.1:5080", Transport: "udp",
		Source: "127.0.0.1:5080", UserAgent: "baresip", CallID: "c1", Expires: now.Add(time.Hour)}
	for _, x := range []postgres.SIPRegistration{r, {Extension: "1002", Contact: "sip:1002@127.0.0.1:5090", Expires: now.Add(-time.Second)}} {
		if err := db.SaveSIPRegistration(ctx, x); err != nil {
			t.Fatal(err)
		}
	}
	r.Contact, r.CallID = "sip:1001@127.0.0.1:5082", "c2" // a refresh from a new contact replaces the binding
	if err := db.SaveSIPRegistration(ctx, r); err != nil {
		t.Fatal(err)
	}
	got, err := db.SIPRegistrations(ctx, now)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].Contact != r.Contact || got[0].CallID != "c2" || !got[0].Expires.Equal(r.Expires) || got[0].UserAgent != "baresip" {
		t.Fatalf("registrations %+v, want only %+v (1002 expired)", got, r)
	}
	if err := db.DeleteSIPRegistration(ctx, "1001"); err != nil {
		t.Fatal(err)
	}
	if got, _ := db.SIPRegistrations(ctx, now); len(got) != 0 {
		t.Fatalf("after delete: %+v", got)
	}
}

func TestAgentPresence(t *testing.T) {
	ctx := context.Background()
	db := newDB(t, postgres.Options{})
	if err := db.CreateUser(ctx, &tickets.User{Username: "ana", Name: "Ana", Role: tickets.RoleAgent, Extension: "1001", PasswordHash: "x"}); err != nil {
		t.Fatal(err)
	}
	at := time.Now().UTC().Truncate(time.Microsecond)
	for _, p := range []postgres.AgentPresence{
		{Username: "ana", State: "available", Extension: "1001", Since: at},
		{Username: "ana", State: "paused", Reason: "lunch", Extension: "1003", Since: at.Add(time.Minute)},
		{Username: "ghost", State: "available", Since: at}, // not a user: ignored
	} {
		if err := db.SaveAgentPresence(ctx, p); err != nil {
			t.Fatalf("%+v: %v", p, err)
		}
	}
	got, err := db.AgentPresences(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := []postgres.AgentPresence{{Username: "ana", State: "paused", Reason: "lunch", Extension: "1003", Since: at.Add(time.Minute)}}
	if !slices.EqualFunc(got, want, func(a, b postgres.AgentPresence) bool {
		return a.Username == b.Username && a.State == b.State && a.Reason == b.Reason && a.Extension == b.Extension && a.Since.Equal(b.Since)
	}) {
		t.Fatalf("presences %+v, want %+v", got, want)
	}
	if err := db.SaveAgentPresence(ctx, postgres.AgentPresence{Username: "ana", State: "ringing", Since: at}); err == nil {
		t.Error("state ringing was stored")
	}
}
