package postgres

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// Group commit of ticket creations. Concurrent CreateTicket calls hand their
// statement to a few collector goroutines (committers). While the
// collectors commit, new creations queue; a collector that is free takes
// every creation waiting (up to maxGroup) and sends their statements in one
// pipeline ending with a single Sync: one round trip, one implicit
// transaction, one commit (one WAL flush with synchronous_commit=on). Each
// caller is answered only after that commit, never before. A creation that
// finds a collector free is sent alone at once: no waiting window, so a
// quiet desk pays no latency for the batching.
//
// If a statement of the batch fails, PostgreSQL rolls the whole batch back;
// each creation of it is then run again on its own, so that a bad ticket
// gets its own error and the others are created. Sequence numbers taken by
// the rolled-back batch are lost (gaps are accepted, see createTicketSQL).

// committers is how many batches may be in flight at once (PostgreSQL runs
// each batch in one backend, on one core: several keep the cores busy).
const committers = 4

// maxGroup bounds the creations committed together.
const maxGroup = 64

// groupWait bounds how long a batch may take (each caller's own ctx still
// applies while it waits for its answer).
const groupWait = 30 * time.Second

type createReq struct {
	ctx  context.Context
	sql  string
	args []any
	done chan createRes // buffered: the collector never blocks on it
}

type createRes struct {
	id     int64
	number string
	err    error
}

type groupCommit struct {
	db      *DB
	once    sync.Once
	reqs    chan *createReq
	quit    chan struct{}
	closing sync.Once
	started atomic.Bool
	running sync.WaitGroup
	off     atomic.Bool // one statement, one commit per creation (benchmark baseline)

	commits atomic.Int64 // batches committed (two or more creations), for tests
}

func newGroupCommit(db *DB) *groupCommit {
	return &groupCommit{db: db, reqs: make(chan *createReq, 4*maxGroup),
		quit: make(chan struct{})}
}

// create runs one creation statement through the collector and returns
// the new ticket's id and number once they are committed.
func (g *groupCommit) create(ctx context.Context, sql string, args []any) (int64, string, error) {
	if g.off.Load() {
		return g.db.createOne(ctx, sql, args)
	}
	g.once.Do(func() {
		g.started.Store(true)
		for range committers {
			g.running.Add(1)
			go g.run()
		}
	})
	r := &createReq{ctx: ctx, sql: sql, args: args, done: make(chan createRes, 1)}
	select {
	case g.reqs <- r:
	case <-g.quit:
		return g.db.createOne(ctx, sql, args)
	case <-ctx.Done():
		return 0, "", ctx.Err()
	}
	select {
	case res := <-r.done:
		return res.id, res.number, res.err
	case <-ctx.Done():
		// The creation may still be committed: as with any statement
		// cancelled in flight, the caller cannot know.
		return 0, "", ctx.Err()
	}
}

// close stops the collector after the creations queued are answered.
func (g *groupCommit) close() {
	g.closing.Do(func() { close(g.quit) })
	if g.started.Load() {
		g.running.Wait()
	}
}

func (g *groupCommit) run() {
	defer g.running.Done()
	batch := make([]*createReq, 0, maxGroup)
	for {
		var first *createReq
		select {
		case first = <-g.reqs:
		case <-g.quit:
			// Answer whatever is still queued, one by one.
			for {
				select {
				case r := <-g.reqs:
					g.one(r)
				default:
					return
				}
			}
		}
		batch = append(batch[:0], first)
	more:
		for len(batch) < maxGroup {
			select {
			case r := <-g.reqs:
				batch = append(batch, r)
			default:
				break more
			}
		}
		g.commit(batch)
	}
}

// one runs a creation on its own and answers it.
func (g *groupCommit) one(r *createReq) {
	id, number, err := g.db.createOne(r.ctx, r.sql, r.args)
	r.done <- createRes{id, number, err}
}

// commit sends batch in one pipeline, one transaction, and answers each
// creation after the commit; on any error it runs them one by one.
func (g *groupCommit) commit(batch []*createReq) {
	live := batch[:0]
	for _, r := range batch {
		if err := r.ctx.Err(); err != nil {
			r.done <- createRes{err: err}
			continue
		}
		live = append(live, r)
	}
	switch len(live) {
	case 0:
		return
	case 1:
		g.one(live[0])
		return
	}
	res, err := g.send(live)
	if err != nil {
		// Nothing of the batch was committed: each runs on its own and
		// gets its own answer.
		var wg sync.WaitGroup
		for _, r := range live {
			wg.Go(func() { g.one(r) })
		}
		wg.Wait()
		return
	}
	g.commits.Add(1)
	for i, r := range live {
		r.done <- res[i]
	}
}

// send runs batch as one pipeline with a single Sync: PostgreSQL runs its
// statements in one implicit transaction and commits at the Sync, or rolls
// all back. Creations without a plan share one statement (multiSQL); the
// others have their own. The results are returned only after the commit
// (Close reads up to ReadyForQuery).
func (g *groupCommit) send(batch []*createReq) ([]createRes, error) {
	ctx, cancel := context.WithTimeout(context.Background(), groupWait)
	defer cancel()
	var multi, single []int // indexes in batch
	var first *createReq
	for i, r := range batch {
		if r.sql == createTicketSQL && (first == nil || plainAlike(first, r)) && len(r.args) == 2+len(multiCols) {
			if first == nil {
				first = r
			}
			multi = append(multi, i)
			continue
		}
		single = append(single, i)
	}
	if len(multi) < 2 {
		single, multi = append(single, multi...), nil
	}
	b := &pgx.Batch{}
	if multi != nil {
		reqs := make([]*createReq, len(multi))
		for j, i := range multi {
			reqs[j] = batch[i]
		}
		b.Queue(multiSQL(len(reqs)), multiArgs(reqs)...)
	}
	for _, i := range single {
		b.Queue(batch[i].sql, batch[i].args...)
	}
	br := g.db.pool.SendBatch(ctx, b)
	res := make([]createRes, len(batch))
	err := func() error {
		if multi != nil {
			rows, err := br.Query()
			if err != nil {
				return err
			}
			got := 0
			for rows.Next() {
				var ord int
				var r createRes
				if err := rows.Scan(&ord, &r.id, &r.number); err != nil {
					rows.Close()
					return err
				}
				if ord >= 1 && ord <= len(multi) {
					res[multi[ord-1]] = r
					got++
				}
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return err
			}
			if got != len(multi) {
				return fmt.Errorf("%d tickets written for %d creations", got, len(multi))
			}
		}
		for _, i := range single {
			if err := br.QueryRow().Scan(&res[i].id, &res[i].number); err != nil {
				return err
			}
		}
		return nil
	}()
	if cerr := br.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return nil, err
	}
	return res, nil
}

// createOne runs one creation statement, making the year's number sequence
// first if it is missing.
func (db *DB) createOne(ctx context.Context, sql string, args []any) (int64, string, error) {
	var id int64
	var number string
	err := db.pool.QueryRow(ctx, sql, args...).Scan(&id, &number)
	var pe *pgconn.PgError
	if errors.As(err, &pe) && pe.Code == "42P01" { // undefined_table: first ticket of the year
		if err := db.createSequence(ctx, args[0].(string)); err != nil {
			return 0, "", err
		}
		err = db.pool.QueryRow(ctx, sql, args...).Scan(&id, &number)
	}
	return id, number, err
}
