package postgres_test

import (
	"context"
	"testing"
	"time"

	"github.com/atiende/atiende/escalation"
	"github.com/atiende/atiende/tickets"
	"github.com/atiende/atiende/tickets/postgres"
)

func TestSetDueKeepsVersionAndHistory(t *testing.T) {
	ctx := context.Background()
	db := newDB(t, postgres.Options{})
	tk := mustCreate(t, db, sampleTicket())
	resp, res := tt0.Add(time.Hour), tt0.Add(40*time.Hour)
	if err := db.SetDue(ctx, tk.Number, &resp, &res); err != nil {
		t.Fatal(err)
	}
	got, _ := db.Ticket(ctx, tk.Number)
	if !got.ResponseDue.Equal(resp) || !got.ResolutionDue.Equal(res) || got.Version != 1 {
		t.Errorf("after SetDue: %v %v version %d", got.ResponseDue, got.ResolutionDue, got.Version)
	}
	if err := db.SetDue(ctx, tk.Number, nil, nil); err != nil { // paused
		t.Fatal(err)
	}
	if got, _ := db.Ticket(ctx, tk.Number); got.ResponseDue != nil || got.ResolutionDue != nil {
		t.Errorf("not cleared: %+v", got)
	}
	if h, _ := db.History(ctx, tk.Number); len(h) != 1 {
		t.Errorf("history grew: %+v", h)
	}
	wantCode(t, db.SetDue(ctx, "269999", nil, nil), tickets.ENOTFOUND)
}

func TestDirectoryRoundTrip(t *testing.T) {
	ctx := context.Background()
	db := newDB(t, postgres.Options{})
	if d, err := db.Directory(ctx); err != nil || len(d) != 0 {
		t.Fatalf("empty directory: %v %v", d, err)
	}
	dir := escalation.Directory{
		{Level: 2, Name: "Ana", Email: "ana@example.org", Extension: "2001"},
		{Level: 2, Name: "Beto", Mobile: "+525511112222", Language: "en"},
		{Level: 3, Name: "Sin datos"},
	}
	warns, err := db.SaveDirectory(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(warns) != 2 { // Sin datos unreachable; nobody at level 4
		t.Errorf("warnings = %v", warns)
	}
	got, _ := db.Directory(ctx)
	if len(got) != 3 || got[0] != dir[0] || got[1] != dir[1] || got[2] != dir[2] {
		t.Errorf("read back %+v", got)
	}
	_, err = db.SaveDirectory(ctx, escalation.Directory{{Level: 5, Name: "x"}})
	wantCode(t, err, tickets.EINVALID)
	if got, _ := db.Directory(ctx); len(got) != 3 {
		t.Errorf("a refused directory replaced the stored one")
	}
}
