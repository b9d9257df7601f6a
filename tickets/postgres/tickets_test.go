package postgres_test

import (
	"context"
	"fmt"
	"reflect"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/atiende/atiende/tickets"
	"github.com/atiende/atiende/tickets/postgres"
)

func TestCreateAndReadTicket(t *testing.T) {
	ctx := context.Background()
	clock := &fakeClock{now: time.Date(2026, 3, 4, 10, 0, 0, 123456789, time.UTC)}
	db := newDB(t, postgres.Options{Clock: clock.Now})
	due := clock.now.Add(24 * time.Hour).Truncate(time.Microsecond)
	in := sampleTicket()
	in.ResolutionDue = &due
	mustCreate(t, db, in)
	if in.Number != "260001" || in.Version != 1 || in.ID == 0 || in.State != tickets.Registered {
		t.Fatalf("created ticket: number %q version %d id %d state %s", in.Number, in.Version, in.ID, in.State)
	}
	got, err := db.Ticket(ctx, in.Number)
	if err != nil {
		t.Fatal(err)
	}
	if !got.CreatedAt.Equal(in.CreatedAt) || !got.ResolutionDue.Equal(due) {
		t.Fatalf("times: got %v/%v, want %v/%v", got.CreatedAt, got.ResolutionDue, in.CreatedAt, due)
	}
	got.CreatedAt, got.UpdatedAt, got.ResolutionDue = in.CreatedAt, in.UpdatedAt, in.ResolutionDue
	if !reflect.DeepEqual(got, in) {
		t.Fatalf("read back:\n got %+v\nwant %+v", got, in)
	}
	h, err := db.History(ctx, in.Number)
	if err != nil {
		t.Fatal(err)
	}
	if len(h) != 1 || h[0].Field != "created" || h[0].Actor != "agent1" || h[0].To != "registered" {
		t.Fatalf("history = %+v", h)
	}
}

func TestTicketNotFoundNamesNumber(t *testing.T) {
	db := newDB(t, postgres.Options{})
	_, err := db.Ticket(context.Background(), "269999")
	wantCode(t, err, tickets.ENOTFOUND)
	if !strings.Contains(tickets.ErrorMessage(err), "269999") {
		t.Fatalf("message %q does not name the number", tickets.ErrorMessage(err))
	}
	_, err = db.Transition(context.Background(), "269999", tickets.InProgress, tickets.Change{Actor: "a"})
	wantCode(t, err, tickets.ENOTFOUND)
}

func TestCreateTicketInvalid(t *testing.T) {
	db := newDB(t, postgres.Options{})
	tk := sampleTicket()
	tk.Kind = "gossip"
	wantCode(t, db.CreateTicket(context.Background(), tk, "a"), tickets.EINVALID)
	tk = sampleTicket()
	tk.Impact = "huge" // only the database checks this
	wantCode(t, db.CreateTicket(context.Background(), tk, "a"), tickets.EINVALID)
	tk = sampleTicket()
	tk.ParentNumber = "260999"
	wantCode(t, db.CreateTicket(context.Background(), tk, "a"), tickets.EINVALID)
}

func TestTicketNumbersPerYearAndUnique(t *testing.T) {
	ctx := context.Background()
	var mu sync.Mutex
	now := time.Date(2025, 12, 31, 23, 0, 0, 0, time.UTC)
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	db := newDB(t, postgres.Options{Clock: clock, MaxConns: 8})
	if n := mustCreate(t, db, sampleTicket()).Number; n != "250001" {
		t.Fatalf("first 2025 number = %s", n)
	}
	mu.Lock()
	now = time.Date(2026, 1, 1, 0, 0, 1, 0, time.UTC)
	mu.Unlock()

	const workers, each = 8, 25
	numbers := make(chan string, workers*each)
	errs := make(chan error, workers*each)
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for range each {
				tk := sampleTicket()
				if err := db.CreateTicket(ctx, tk, "a"); err != nil {
					errs <- err
					continue
				}
				numbers <- tk.Number
			}
		})
	}
	wg.Wait()
	close(numbers)
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	format := regexp.MustCompile(`^26[0-9]{4}$`)
	seen := map[string]bool{}
	for n := range numbers {
		if !format.MatchString(n) {
			t.Fatalf("number %q is not 26 + 4 digits", n)
		}
		if seen[n] {
			t.Fatalf("number %s given twice", n)
		}
		seen[n] = true
	}
	if len(seen) != workers*each {
		t.Fatalf("%d numbers, want %d", len(seen), workers*each)
	}
}

func TestTicketNumberGrowsPastFourDigits(t *testing.T) {
	clock := func() time.Time { return time.Date(2027, 5, 1, 0, 0, 0, 0, time.UTC) }
	db := newDB(t, postgres.Options{Clock: clock})
	mustCreate(t, db, sampleTicket()) // creates the 2027 sequence
	rawExec(t, db, "SELECT setval('ticket_number_2027', 9999)")
	if n := mustCreate(t, db, sampleTicket()).Number; n != "2710000" {
		t.Fatalf("number after 9999 = %s, want 2710000", n)
	}
}

func TestListTicketsFilters(t *testing.T) {
	ctx := context.Background()
	clock := &fakeClock{now: time.Date(2026, 6, 1, 8, 0, 0, 0, time.UTC)}
	db := newDB(t, postgres.Options{Clock: clock.Now})
	var all []*tickets.Ticket
	for i := range 7 {
		tk := sampleTicket()
		tk.Assignee = []string{"ana", "luis"}[i%2]
		tk.Level = 1 + i%3
		tk.Service = fmt.Sprintf("svc%d", i%2)
		tk.MajorIncident = i == 3
		all = append(all, mustCreate(t, db, tk))
		clock.Add(time.Minute)
	}
	if _, err := db.Transition(ctx, all[0].Number, tickets.InProgress, tickets.Change{Actor: "ana"}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Link(ctx, all[2].Number, all[1].Number, tickets.Change{Actor: "ana"}); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name  string
		f     tickets.Filter
		want  []int // indexes into all, newest first
		total int
	}{
		{"all newest first", tickets.Filter{}, []int{6, 5, 4, 3, 2, 1, 0}, 7},
		{"page", tickets.Filter{Limit: 2, Offset: 1}, []int{5, 4}, 7},
		{"past the end", tickets.Filter{Offset: 50}, nil, 7},
		{"state", tickets.Filter{States: []tickets.State{tickets.InProgress}}, []int{0}, 1},
		{"assignee", tickets.Filter{Assignee: "luis"}, []int{5, 3, 1}, 3},
		{"level and service", tickets.Filter{Level: 2, Service: "svc0"}, []int{4}, 1},
		{"parent", tickets.Filter{Parent: all[1].Number}, []int{2}, 1},
		{"caller phone", tickets.Filter{CallerPhone: "+525512345678", Limit: 1}, []int{6}, 7},
		{"priority none", tickets.Filter{Priority: tickets.P4}, nil, 0},
		{"major incidents", tickets.Filter{MajorOnly: true}, []int{3}, 1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			list, total, err := db.ListTickets(ctx, c.f)
			if err != nil {
				t.Fatal(err)
			}
			var got []int
			for _, tk := range list {
				for i, a := range all {
					if a.Number == tk.Number {
						got = append(got, i)
					}
				}
			}
			if !reflect.DeepEqual(got, c.want) || total != c.total {
				t.Fatalf("got %v total %d, want %v total %d", got, total, c.want, c.total)
			}
		})
	}
}

func TestNotesAndCalls(t *testing.T) {
	ctx := context.Background()
	db := newDB(t, postgres.Options{})
	tk := mustCreate(t, db, sampleTicket())
	for _, n := range []tickets.Note{{Author: "ana", Body: "Llamé al usuario"}, {Author: "ana", Body: "Router reiniciado", Internal: true}} {
		if err := db.AddNote(ctx, tk.Number, &n); err != nil {
			t.Fatal(err)
		}
	}
	wantCode(t, db.AddNote(ctx, tk.Number, &tickets.Note{Author: "ana", Body: "  "}), tickets.EINVALID)
	wantCode(t, db.AddNote(ctx, "260999", &tickets.Note{Author: "ana", Body: "x"}), tickets.ENOTFOUND)
	pub, err := db.Notes(ctx, tk.Number, false)
	if err != nil || len(pub) != 1 || pub[0].Body != "Llamé al usuario" {
		t.Fatalf("public notes = %+v, %v", pub, err)
	}
	all, err := db.Notes(ctx, tk.Number, true)
	if err != nil || len(all) != 2 || !all[1].Internal {
		t.Fatalf("all notes = %+v, %v", all, err)
	}

	start := time.Date(2026, 1, 2, 9, 0, 0, 0, time.UTC)
	if err := db.AddCall(ctx, tk.Number, tickets.CallRecord{CallID: "c-1", Queue: "soporte", CallerID: "+525512345678", StartedAt: start}); err != nil {
		t.Fatal(err)
	}
	wantCode(t, db.AddCall(ctx, tk.Number, tickets.CallRecord{CallID: "c-1", StartedAt: start}), tickets.ECONFLICT)
	answered, ended := start.Add(20*time.Second), start.Add(5*time.Minute)
	if err := db.UpdateCall(ctx, tickets.CallRecord{CallID: "c-1", Agent: "ana", AnsweredAt: &answered}); err != nil {
		t.Fatal(err)
	}
	if err := db.UpdateCall(ctx, tickets.CallRecord{CallID: "c-1", EndedAt: &ended, Outcome: "answered"}); err != nil {
		t.Fatal(err)
	}
	wantCode(t, db.UpdateCall(ctx, tickets.CallRecord{CallID: "nope"}), tickets.ENOTFOUND)
	calls, err := db.Calls(ctx, tk.Number)
	if err != nil || len(calls) != 1 {
		t.Fatalf("calls = %+v, %v", calls, err)
	}
	c := calls[0]
	if c.Queue != "soporte" || c.Agent != "ana" || c.Outcome != "answered" || !c.AnsweredAt.Equal(answered) || !c.EndedAt.Equal(ended) || !c.StartedAt.Equal(start) {
		t.Fatalf("call = %+v", c)
	}
	h, _ := db.History(ctx, tk.Number)
	var fields []string
	for _, e := range h {
		fields = append(fields, e.Field)
	}
	if strings.Join(fields, ",") != "created,note,note,call" {
		t.Fatalf("history fields = %v", fields)
	}
}

func TestHistoryAndNotesAreAppendOnly(t *testing.T) {
	db := newDB(t, postgres.Options{})
	tk := mustCreate(t, db, sampleTicket())
	if err := db.AddNote(context.Background(), tk.Number, &tickets.Note{Author: "a", Body: "b"}); err != nil {
		t.Fatal(err)
	}
	for _, sql := range []string{
		"UPDATE ticket_history SET actor = 'x'",
		"DELETE FROM ticket_history",
		"TRUNCATE ticket_history CASCADE",
		"DELETE FROM ticket_notes",
		"UPDATE ticket_notes SET body = 'x'",
		"DELETE FROM tickets",
	} {
		if err := rawExecErr(db, sql); err == nil {
			t.Errorf("%s succeeded", sql)
		}
	}
}

func TestTicketNumberUsesLocalYear(t *testing.T) {
	cst := time.FixedZone("CST", -6*3600)
	clock := func() time.Time { return time.Date(2026, 12, 31, 23, 30, 0, 0, cst) } // 2027 in UTC
	db := newDB(t, postgres.Options{Clock: clock})
	tk := mustCreate(t, db, sampleTicket())
	if tk.Number != "260001" || tk.CreatedAt.Year() != 2027 {
		t.Fatalf("number %s created %v, want 260001 stamped in UTC", tk.Number, tk.CreatedAt)
	}
}
