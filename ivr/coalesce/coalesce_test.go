package coalesce_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/atiende/atiende/ivr/coalesce"
)

// store records writes; a write blocks while gate is held, so the test
// controls what is pending.
type store struct {
	mu     sync.Mutex
	writes []string
	gate   sync.Mutex
	fail   map[string]bool
}

func (s *store) write(_ context.Context, k string, v int) error {
	s.gate.Lock()
	defer s.gate.Unlock()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.writes = append(s.writes, fmt.Sprintf("%s=%d", k, v))
	if s.fail[k] {
		return errors.New("down")
	}
	return nil
}

func (s *store) got() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return fmt.Sprint(s.writes)
}

// Keys changed while the writer is busy are written once each, with their
// last value, in the order they first changed; what is pending when Run's
// context ends is still written.
func TestLatestValuePerKeyInOrder(t *testing.T) {
	s := &store{fail: map[string]bool{"b": true}}
	var failed []string
	w := coalesce.New(s.write, func(k string, v int, err error) { failed = append(failed, fmt.Sprintf("%s=%d: %v", k, v, err)) })
	s.gate.Lock() // nothing is written yet
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); w.Run(ctx) }()
	w.Put("a", 1)
	w.Put("b", 1)
	w.Put("a", 2)
	w.Put("c", 1)
	w.Put("b", 2)
	cancel()
	s.gate.Unlock()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		t.Fatal("Run did not return after its context ended")
	}
	// The first Put may have been taken before the others arrived.
	if got := s.got(); got != "[a=2 b=2 c=1]" && got != "[a=1 b=2 a=2 c=1]" {
		t.Errorf("writes %s", got)
	}
	if fmt.Sprint(failed) != "[b=2: down]" {
		t.Errorf("failed %v", failed)
	}
}

func TestNilWriterDropsPuts(t *testing.T) {
	var w *coalesce.Writer[string, int]
	w.Put("a", 1) // no panic
}
