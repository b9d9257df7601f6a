package hub_test

import (
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/atiende/atiende/agentdesk"
	"github.com/atiende/atiende/agentdesk/hub"
	"github.com/atiende/atiende/metrics/benchload"
	"github.com/gorilla/websocket"
)

// BenchmarkWallboardFanOut1000 measures, for 1,000 connected wallboards and
// one stalled page that never reads, the time from Publish to each page's
// socket read of the event. One op is one event delivered to all 1,000.
func BenchmarkWallboardFanOut1000(b *testing.B) {
	b.Run("stalled=0", func(b *testing.B) { benchFanOut(b, 0) })
	b.Run("stalled=1", func(b *testing.B) { benchFanOut(b, 1) })
}

func benchFanOut(b *testing.B, stalled int) {
	defer benchload.Report(b)
	const n = 1000
	f := newFixture(b, hub.Config{RefreshInterval: -1})
	for range stalled {
		dialStalled(b, f)
	}
	var (
		sent sync.Map // seq -> time published
		mu   sync.Mutex
		lats []time.Duration
		got  = make(chan struct{}, n)
		stop atomic.Bool
	)
	for range n {
		c := f.mustDial(b, "sup", -1)
		read(b, c) // the snapshot
		_ = c.SetReadDeadline(time.Time{})
		go func() {
			var mine []time.Duration
			defer func() {
				mu.Lock()
				lats = append(lats, mine...)
				mu.Unlock()
			}()
			var m struct {
				Event struct{ Seq uint64 } `json:"event"`
			}
			for {
				_, data, err := c.ReadMessage()
				if err != nil {
					return
				}
				now := time.Now()
				if json.Unmarshal(data, &m) != nil || m.Event.Seq == 0 {
					continue
				}
				if t0, ok := sent.Load(m.Event.Seq); ok {
					mine = append(mine, now.Sub(t0.(time.Time)))
				}
				got <- struct{}{}
				if stop.Load() {
					return
				}
			}
		}()
	}
	waitFor(b, "all clients", func() bool { return f.hub.Clients() == n+stalled })
	ev := agentdesk.Event{Kind: agentdesk.AgentStateChanged, Agent: "ana", AgentName: "Ana López",
		Extension: "1001", State: agentdesk.StatePaused, PrevState: agentdesk.StateAvailable, PauseReason: "capacitación"}
	for b.Loop() {
		f.desk.mu.Lock()
		f.desk.seq++
		e := ev
		e.Seq, e.At = f.desk.seq, time.Now()
		sent.Store(e.Seq, time.Now())
		f.hub.Publish(e)
		f.desk.mu.Unlock()
		for range n {
			<-got
		}
	}
	b.StopTimer()
	stop.Store(true)
	// One more event lets every reader see stop and hand in its numbers.
	f.desk.publish(ev)
	for range n {
		<-got
	}
	waitFor(b, "latencies", func() bool { mu.Lock(); defer mu.Unlock(); return len(lats) >= n*b.N })
	mu.Lock()
	defer mu.Unlock()
	slices.Sort(lats)
	pct := func(p float64) float64 { return float64(lats[int(p*float64(len(lats)-1))]) / 1e6 }
	b.ReportMetric(pct(0.50), "p50-ms")
	b.ReportMetric(pct(0.99), "p99-ms")
	b.ReportMetric(pct(1), "max-ms")
	st := f.hub.Stats()
	b.ReportMetric(float64(st.SlowDropped), "slow-dropped")
	b.Logf("N=%d deliveries=%d stats=%+v", b.N, len(lats), st)
}

// dialStalled connects a wallboard that never reads, with a tiny socket
// receive buffer so that the hub's writes to it block after a few events,
// as with a frozen browser.
func dialStalled(b *testing.B, f *fixture) {
	d := websocket.Dialer{NetDialContext: (&net.Dialer{Control: func(_, _ string, c syscall.RawConn) error {
		var serr error
		err := c.Control(func(fd uintptr) { serr = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, 2048) })
		return errors.Join(err, serr)
	}}).DialContext}
	c, _, err := d.Dial("ws"+strings.TrimPrefix(f.srv.URL, "http")+"/ws", http.Header{"X-Test-User": {"sup"}})
	if err != nil {
		b.Fatalf("dial stalled client: %v", err)
	}
	b.Cleanup(func() { _ = c.Close() })
}
