package postgres_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/atiende/atiende/escalation"
	"github.com/atiende/atiende/tickets"
	"github.com/atiende/atiende/tickets/postgres"
)

// Concurrent creations are committed together, and each is acknowledged
// only after its commit: at commit, a deferred trigger makes every commit
// slow, so an answer given before the commit would name a ticket that
// another connection cannot see yet. A bad ticket in a batch gets its own
// error; the others are created, with distinct numbers.
func TestCreateTicketGroupCommit(t *testing.T) {
	db := newDB(t, postgres.Options{MaxConns: 24})
	mustCreate(t, db, sampleTicket()) // this year's number sequence
	rawExec(t, db, `CREATE FUNCTION slow_commit() RETURNS trigger LANGUAGE plpgsql AS
		$$ BEGIN PERFORM pg_sleep(CASE WHEN NEW.caller_name = 'Lento' THEN 0.3 ELSE 0.01 END); RETURN NULL; END $$`)
	rawExec(t, db, `CREATE CONSTRAINT TRIGGER slow_commit AFTER INSERT ON tickets
		DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION slow_commit()`)

	const n, blockers = 16, 4
	// A ticket whose caller is "Rechazo" fails only at commit (a deferred
	// check), after the statements of its batch have returned their rows.
	rawExec(t, db, `CREATE FUNCTION refuse_at_commit() RETURNS trigger LANGUAGE plpgsql AS
		$$ BEGIN IF NEW.caller_name = 'Rechazo' THEN RAISE check_violation USING MESSAGE = 'refused'; END IF; RETURN NULL; END $$`)
	rawExec(t, db, `CREATE CONSTRAINT TRIGGER refuse_at_commit AFTER INSERT ON tickets
		DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION refuse_at_commit()`)

	// Odd creations of a mixed round carry a plan (a timer each): they
	// have their own statements in the batch, the others share one.
	mixed := false
	plan := postgres.CreatePlan(func(tk *tickets.Ticket, _ []tickets.HistoryEntry) ([]escalation.Action, error) {
		return []escalation.Action{{Kind: escalation.Escalate, TicketNumber: tk.Number, Level: 2,
			DueAt: time.Now().Add(time.Hour), Key: tk.Number + "/esc"}}, nil
	})
	round := func(bad int, atCommit bool) (numbers []string, errs []error) {
		numbers, errs = make([]string, n), make([]error, n)
		var wg sync.WaitGroup
		// Slow creations first keep the committers busy, so that the
		// round's creations queue and are committed together.
		for range blockers {
			wg.Go(func() {
				tk := sampleTicket()
				tk.Caller.Name = "Lento"
				if err := db.CreateTicket(context.Background(), tk, "agent1"); err != nil {
					t.Error(err)
				}
			})
		}
		time.Sleep(50 * time.Millisecond)
		for i := range n {
			wg.Go(func() {
				tk := sampleTicket()
				if i == bad && atCommit {
					tk.Caller.Name = "Rechazo"
				} else if i == bad {
					tk.ParentNumber = "269999" // no such ticket: the foreign key fails
				}
				var p postgres.CreatePlan
				if mixed && i%2 == 1 {
					p = plan
				}
				if errs[i] = db.CreatePlannedTicket(context.Background(), tk, "agent1", p); errs[i] != nil {
					return
				}
				numbers[i] = tk.Number
				// Acknowledged: committed, so visible to any connection.
				if got := rawInt(t, db, "SELECT count(*) FROM tickets WHERE number = $1", tk.Number); got != 1 {
					t.Errorf("ticket %s acknowledged but not committed (%d rows visible)", tk.Number, got)
				}
			})
		}
		wg.Wait()
		return numbers, errs
	}

	numbers, errs := round(-1, false)
	for i, err := range errs {
		if err != nil {
			t.Fatalf("creation %d: %v", i, err)
		}
	}
	if txs := rawInt(t, db, "SELECT count(DISTINCT xmin::text) FROM tickets WHERE number = ANY($1)", numbers); txs > 4 {
		t.Errorf("%d concurrent creations took %d transactions; want them committed together (at most 4)", n, txs)
	}
	if postgres.GroupCommits(db) == 0 {
		t.Error("no batch was committed")
	}
	seen := map[string]bool{}
	for _, num := range numbers {
		if seen[num] {
			t.Errorf("number %s given twice", num)
		}
		seen[num] = true
	}

	mixed = true
	commits := postgres.GroupCommits(db)
	numbers, errs = round(-1, false)
	for i, err := range errs {
		if err != nil {
			t.Fatalf("mixed creation %d: %v", i, err)
		}
		if seen[numbers[i]] {
			t.Errorf("number %s given twice", numbers[i])
		}
		seen[numbers[i]] = true
		want := i % 2
		if got := rawInt(t, db, "SELECT count(*) FROM timers WHERE ticket_number = $1 AND key = $1 || '/esc'", numbers[i]); got != want {
			t.Errorf("ticket %s (creation %d) has %d timers, want %d", numbers[i], i, got, want)
		}
	}
	if txs := rawInt(t, db, "SELECT count(DISTINCT xmin::text) FROM tickets WHERE number = ANY($1)", numbers); txs > 4 || postgres.GroupCommits(db) == commits {
		t.Errorf("mixed creations took %d transactions, %d batches", txs, postgres.GroupCommits(db)-commits)
	}
	mixed = false

	for _, atCommit := range []bool{false, true} {
		numbers, errs = round(5, atCommit)
		wantCode(t, errs[5], tickets.EINVALID)
		for i, err := range errs {
			if i == 5 {
				continue
			}
			if err != nil {
				t.Errorf("creation %d failed with the bad one: %v", i, err)
				continue
			}
			if seen[numbers[i]] {
				t.Errorf("number %s given twice", numbers[i])
			}
			seen[numbers[i]] = true
		}
	}
	if got := rawInt(t, db, "SELECT count(*) FROM tickets"); got != 1+4*(n+blockers)-2 {
		t.Errorf("%d tickets stored, want %d", got, 1+4*(n+blockers)-2)
	}
	if got := rawInt(t, db, "SELECT count(*) FROM ticket_history WHERE field = 'created'"); got != 1+4*(n+blockers)-2 {
		t.Errorf("%d created history entries, want %d", got, 1+4*(n+blockers)-2)
	}
}
