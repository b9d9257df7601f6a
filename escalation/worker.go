package escalation

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"
)

// WorkerConfig tunes a Worker; zero fields take the defaults.
type WorkerConfig struct {
	Batch       int           // actions claimed at once (100)
	Concurrency int           // actions executed at once (4)
	Lease       time.Duration // how long a claim lasts (2m); an action must finish within it
	MaxSleep    time.Duration // longest idle wait without a wake-up (1m)
	MinSleep    time.Duration // shortest wait when work seems due but none could be claimed (100ms)
	RetryBase   time.Duration // first retry delay, doubled per attempt (10s)
	RetryMax    time.Duration // longest retry delay (10m)
}

func (c *WorkerConfig) defaults() {
	def := func(v *time.Duration, d time.Duration) {
		if *v <= 0 {
			*v = d
		}
	}
	if c.Batch <= 0 {
		c.Batch = 100
	}
	if c.Concurrency <= 0 {
		c.Concurrency = 4
	}
	def(&c.Lease, 2*time.Minute)
	def(&c.MaxSleep, time.Minute)
	def(&c.MinSleep, 100*time.Millisecond)
	def(&c.RetryBase, 10*time.Second)
	def(&c.RetryMax, 10*time.Minute)
}

// Worker executes due actions: it claims them from Store, runs them through
// Exec, and marks them done or retries them with backoff. Between batches
// it sleeps until the next due time, or until Wake says something was
// scheduled (the Postgres adapter feeds Wake from LISTEN/NOTIFY), so an idle
// worker costs one indexed query per MaxSleep.
type Worker struct {
	Store  TimerStore
	Exec   Executor
	Clock  Clock           // nil: SystemClock
	Wake   <-chan struct{} // optional
	Log    *slog.Logger    // nil: discard
	Config WorkerConfig
}

// Run works until ctx ends, then returns ctx.Err(). Actions being executed
// when ctx ends are not marked; their lease expires and another worker (or
// the next start) claims them again.
func (w *Worker) Run(ctx context.Context) error {
	w.init()
	for {
		n, err := w.drain(ctx)
		if ctx.Err() != nil {
			return ctx.Err()
		}
		wait := w.Config.MaxSleep
		if err != nil {
			w.Log.Warn("escalation worker: claim failed", "error", err)
			wait = w.Config.MinSleep * 10
		} else if at, ok, err := w.Store.NextDue(ctx); err != nil {
			w.Log.Warn("escalation worker: next due", "error", err)
			wait = w.Config.MinSleep * 10
		} else if ok {
			wait = min(wait, at.Sub(w.Clock.Now()))
		}
		if wait < w.Config.MinSleep && n == 0 {
			wait = w.Config.MinSleep
		}
		if wait <= 0 {
			continue
		}
		ch, stop := w.Clock.After(wait)
		select {
		case <-ctx.Done():
			stop()
			return ctx.Err()
		case <-w.Wake:
		case <-ch:
		}
		stop()
	}
}

func (w *Worker) init() {
	w.Config.defaults()
	if w.Clock == nil {
		w.Clock = SystemClock{}
	}
	if w.Log == nil {
		w.Log = slog.New(slog.DiscardHandler)
	}
}

// drain runs batches until fewer than a full batch is due; it returns the
// number of actions executed.
func (w *Worker) drain(ctx context.Context) (int, error) {
	total := 0
	for ctx.Err() == nil {
		n, err := w.RunOnce(ctx)
		total += n
		if err != nil || n < w.Config.Batch {
			return total, err
		}
	}
	return total, nil
}

// RunOnce claims one batch of due actions and executes it.
func (w *Worker) RunOnce(ctx context.Context) (int, error) {
	w.init()
	batch, err := w.Store.Claim(ctx, w.Clock.Now(), w.Config.Batch, w.Config.Lease)
	if err != nil {
		return 0, err
	}
	sem := make(chan struct{}, w.Config.Concurrency)
	var wg sync.WaitGroup
	for _, c := range batch {
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			w.execute(ctx, c)
		})
	}
	wg.Wait()
	return len(batch), nil
}

func (w *Worker) execute(ctx context.Context, c Claimed) {
	log := w.Log.With("key", c.Key, "kind", string(c.Kind), "ticket", c.TicketNumber, "attempt", c.Attempt)
	// The effect must end before the lease does, or another worker could
	// claim the action while it is still running.
	ectx, cancel := context.WithTimeout(ctx, w.Config.Lease*9/10)
	err := w.Exec.Execute(ectx, c)
	cancel()
	if ctx.Err() != nil && err != nil {
		return // shutting down: the lease expires and the action is claimed again
	}
	// Whatever happened must be recorded even if ctx ends now.
	mctx, mcancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer mcancel()
	var perm *PermanentError
	switch {
	case err == nil:
		err = w.Store.Done(mctx, c.Key, c.Token, w.Clock.Now())
	case errors.As(err, &perm):
		log.Warn("escalation: action dropped", "error", err)
		err = w.Store.Done(mctx, c.Key, c.Token, w.Clock.Now())
	default:
		at := w.Clock.Now().Add(w.backoff(c.Attempt))
		log.Warn("escalation: action failed, will retry", "error", err, "retry_at", at)
		err = w.Store.Retry(mctx, c.Key, c.Token, at, err.Error())
	}
	if err != nil {
		log.Error("escalation: recording the outcome failed", "error", err)
	}
}

// backoff returns RetryBase doubled per previous attempt, at most RetryMax.
func (w *Worker) backoff(attempt int) time.Duration {
	d := w.Config.RetryBase
	for i := 1; i < attempt && d < w.Config.RetryMax; i++ {
		d *= 2
	}
	return min(d, w.Config.RetryMax)
}
