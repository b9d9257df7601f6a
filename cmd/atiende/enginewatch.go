package main

import (
	"context"
	"log/slog"
	"time"

	"github.com/atiende/atiende/ivr"
	"github.com/atiende/atiende/metrics"
)

// engineWatchEvery is how often the engine's state is looked at.
const engineWatchEvery = 500 * time.Millisecond

// watchEngine notes each time the engine goes down (it could take calls
// and no longer can, e.g. Asterisk stopped): logged, and counted in
// atiende_engine_down_total. It looks every engineWatchEvery: an outage
// shorter than that (a websocket blip) may go uncounted, which is the
// resolution wanted for an alert. /readyz and the wallboard ask engine.Up
// themselves.
func watchEngine(ctx context.Context, engine ivr.Engine, m *metrics.Metrics, log *slog.Logger) {
	t := time.NewTicker(engineWatchEvery)
	defer t.Stop()
	was := engine.Up()
	var downAt time.Time
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		up := engine.Up()
		switch {
		case was && !up:
			downAt = time.Now()
			m.EngineDown(engine.Name())
			log.Error("telephony engine down: new calls are not taken", "engine", engine.Name())
		case !was && up && !downAt.IsZero():
			log.Info("telephony engine up again", "engine", engine.Name(), "down_for", time.Since(downAt).Round(time.Second))
		}
		was = up
	}
}

// watchExtensions hands every extension status, first the current list and
// then each change until ctx ends, to each of sinks.
func watchExtensions(ctx context.Context, e ivr.Engine, log *slog.Logger, sinks ...func(ivr.ExtensionStatus)) {
	changes := e.WatchExtensions(ctx)
	if list, err := e.Extensions(ctx); err == nil {
		for _, st := range list {
			for _, f := range sinks {
				f(st)
			}
		}
	} else {
		log.Warn("extensions: initial list", "error", err)
	}
	for st := range changes {
		for _, f := range sinks {
			f(st)
		}
	}
}
