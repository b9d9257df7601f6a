package postgres_test

import (
	"context"
	"path/filepath"
	"sync"
	"testing"

	"github.com/atiende/atiende/tickets"
	"github.com/atiende/atiende/tickets/postgres"
	"github.com/atiende/atiende/tickets/postgres/pgtest"
)

func TestMigrateTwice(t *testing.T) {
	db := newDB(t, postgres.Options{}) // migrated once
	mustCreate(t, db, sampleTicket())
	if err := db.Migrate(context.Background()); err != nil {
		t.Fatalf("second migrate: %v", err)
	}
	if n := rawInt(t, db, "SELECT count(*) FROM tickets"); n != 1 {
		t.Fatalf("%d tickets after migrating again", n)
	}
	if err := db.Ping(context.Background()); err != nil {
		t.Fatal(err)
	}
}

func TestMigrateConcurrently(t *testing.T) {
	ctx := context.Background()
	url := pgtest.DB(t)
	const procs = 4
	dbs := make([]*postgres.DB, procs)
	for i := range dbs {
		db, err := postgres.Open(ctx, url, postgres.Options{MaxConns: 2})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(db.Close)
		dbs[i] = db
	}
	errs := make([]error, procs)
	var wg sync.WaitGroup
	for i, db := range dbs {
		wg.Go(func() { errs[i] = db.Migrate(ctx) })
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("migrator %d: %v", i, err)
		}
	}
	files, _ := filepath.Glob("migrations/*.sql")
	if n := rawInt(t, dbs[0], "SELECT count(*) FROM schema_migrations"); n != len(files) || n < 2 {
		t.Fatalf("schema_migrations has %d rows, want one per migration file (%d)", n, len(files))
	}
	mustCreate(t, dbs[1], sampleTicket())
}

func TestPingDown(t *testing.T) {
	db, err := postgres.Open(context.Background(), "postgres://nobody@127.0.0.1:1/none?connect_timeout=1", postgres.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	wantCode(t, db.Ping(context.Background()), tickets.EUNAVAILABLE)
}
