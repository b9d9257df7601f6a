package sipengine

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/emiago/sipgo/sip"
)

func TestWatchDropsForSlowReaders(t *testing.T) {
	r := newRegistrar(map[string]string{"1001": "x"}, slog.New(slog.DiscardHandler), time.Now)
	ctx, cancel := context.WithCancel(context.Background())
	slow := r.watch(ctx)
	uri := sip.Uri{Scheme: "sip", User: "1001", Host: "127.0.0.1", Port: 5062}
	for range 100 {
		r.bind("1001", uri, "udp", "127.0.0.1:5062", "ua", "cid", time.Minute)
		r.unbind("1001", "unregistered")
	}
	if got, want := r.dropped.Load(), uint64(200-cap(slow)); got != want {
		t.Errorf("dropped %d, want %d", got, want)
	}
	if len(slow) != cap(slow) {
		t.Errorf("slow watcher holds %d of %d", len(slow), cap(slow))
	}
	cancel()
	n := 0
	for range slow {
		n++
	}
	if n != cap(slow) {
		t.Errorf("drained %d after cancel", n)
	}
}
