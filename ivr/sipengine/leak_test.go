package sipengine

import (
	"context"
	"math/rand/v2"
	"net"
	"runtime"
	"strconv"
	"testing"
	"time"

	"github.com/atiende/atiende/ivr"
	"github.com/atiende/atiende/ivr/sipengine/sippeer"
)

// freeRange finds n consecutive free UDP ports on 127.0.0.1, starting even.
func freeRange(t *testing.T, n int) int {
	for range 50 {
		base := 20000 + 2*rand.IntN(15000)
		if portsFree(base, n) {
			return base
		}
	}
	t.Fatal("no free port range")
	return 0
}

func portsFree(base, n int) bool {
	var held []net.PacketConn
	defer func() {
		for _, c := range held {
			c.Close()
		}
	}()
	for p := base; p < base+n; p++ {
		c, err := net.ListenPacket("udp", "127.0.0.1:"+strconv.Itoa(p))
		if err != nil {
			return false
		}
		held = append(held, c)
	}
	return true
}

// TestNoLeaks runs a batch of calls hung up by the caller during a prompt
// and checks that goroutines and RTP ports come back.
func TestNoLeaks(t *testing.T) {
	cfg := testConfig(t)
	const ports = 40
	cfg.RTPPortMin = freeRange(t, ports)
	cfg.RTPPortMax = cfg.RTPPortMin + ports
	ended := make(chan error, 20)
	h := ivr.HandlerFunc(func(ctx context.Context, c ivr.Call) {
		if err := c.Answer(ctx); err != nil {
			ended <- err
			return
		}
		ended <- c.Play(ctx, ivr.Prompt{Sound: "es/long"})
	})
	e := startEngine(t, cfg, h)
	time.Sleep(200 * time.Millisecond)
	base := runtime.NumGoroutine()

	const calls = 12
	s := sippeer.StartSipp(t, sippeer.SippOptions{
		Scenario: "testdata/caller_hangup.xml", Remote: e.Addr().String(),
		Keys: []string{"caller=5551234"},
		Args: []string{"-s", "6000", "-m", strconv.Itoa(calls), "-r", "6", "-l", "12", "-d", "700"},
	})
	if err := s.Wait(20 * time.Second); err != nil {
		t.Fatalf("sipp: %v", err)
	}
	for range calls {
		select {
		case <-ended:
		case <-time.After(5 * time.Second):
			t.Fatal("a handler did not end")
		}
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		n := runtime.NumGoroutine()
		free := portsFree(cfg.RTPPortMin, ports)
		if n <= base+2 && free {
			break
		}
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<20)
			t.Fatalf("after %d calls: %d goroutines (was %d), rtp ports free: %v\n%s",
				calls, n, base, free, buf[:runtime.Stack(buf, true)])
		}
		time.Sleep(200 * time.Millisecond)
	}
}
