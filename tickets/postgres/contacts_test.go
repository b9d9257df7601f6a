package postgres_test

import (
	"context"
	"testing"

	"github.com/atiende/atiende/tickets"
	"github.com/atiende/atiende/tickets/postgres"
)

func TestContacts(t *testing.T) {
	ctx := context.Background()
	db := newDB(t, postgres.Options{})
	maria := &tickets.Contact{Name: "María Pérez", Department: "Finanzas", Email: "maria@example.org",
		Phones: []string{"+525512345678", "+525587654321"}, Extensions: []string{"60100"}}
	jose := &tickets.Contact{Name: "José Núñez", Department: "Recursos Humanos", Email: "jose@example.org"}
	for _, c := range []*tickets.Contact{maria, jose} {
		if err := db.SaveContact(ctx, c); err != nil {
			t.Fatal(err)
		}
	}
	if maria.ID == 0 || maria.Language != "es" || maria.CreatedAt.IsZero() {
		t.Fatalf("saved contact = %+v", maria)
	}
	for _, s := range []string{"+525587654321", "60100"} {
		c, err := db.ContactByPhone(ctx, s)
		if err != nil || c.ID != maria.ID {
			t.Fatalf("by %s: %+v, %v", s, c, err)
		}
	}
	_, err := db.ContactByPhone(ctx, "+525500000000")
	wantCode(t, err, tickets.ENOTFOUND)
	_, err = db.ContactByPhone(ctx, "6010") // whole entries only
	wantCode(t, err, tickets.ENOTFOUND)

	jose.Extensions = []string{"60200"}
	jose.Area = "Edificio B"
	if err := db.SaveContact(ctx, jose); err != nil {
		t.Fatal(err)
	}
	got, err := db.Contact(ctx, jose.ID)
	if err != nil || got.Area != "Edificio B" || len(got.Extensions) != 1 || len(got.Phones) != 0 {
		t.Fatalf("updated contact = %+v, %v", got, err)
	}
	if c, err := db.ContactByPhone(ctx, "60200"); err != nil || c.ID != jose.ID {
		t.Fatalf("by new extension: %+v, %v", c, err)
	}
	wantCode(t, db.SaveContact(ctx, &tickets.Contact{ID: 999, Name: "x"}), tickets.ENOTFOUND)
	_, err = db.Contact(ctx, 999)
	wantCode(t, err, tickets.ENOTFOUND)

	for _, c := range []struct {
		q    string
		want int
	}{{"", 2}, {"perez", 1}, {"NÚÑEZ", 1}, {"recursos", 1}, {"example.org", 2}, {"%", 0}, {"_", 0}, {`\`, 0}} {
		list, err := db.ListContacts(ctx, c.q, 0, 0)
		if err != nil || len(list) != c.want {
			t.Errorf("ListContacts(%q) = %d contacts, %v; want %d", c.q, len(list), err, c.want)
		}
	}
	if list, _ := db.ListContacts(ctx, "", 1, 1); len(list) != 1 || list[0].ID != maria.ID {
		t.Errorf("second page of one = %+v, want María", list)
	}
}
