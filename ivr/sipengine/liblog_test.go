package sipengine

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"strings"
	"testing"

	"github.com/emiago/diago/media"
	"github.com/emiago/sipgo/sip"
)

// TestLibraryLogsGoThroughOurLogger: what sipgo and diago log on their own
// package-level loggers comes out of ours (JSON here), with the messages
// that report nothing wrong at debug.
func TestLibraryLogsGoThroughOurLogger(t *testing.T) {
	var buf bytes.Buffer
	RouteLibraryLogs(slog.New(slog.NewJSONHandler(&buf, &slog.HandlerOptions{Level: slog.LevelInfo})))
	t.Cleanup(func() { libTarget.Store(nil) })

	// The lines of diago v0.31.0 and sipgo v1.7.2, as they write them.
	media.DefaultLogger().Warn("Internal RTCP clock skew detected", "ssrc", 1, "rtt", "18h12m15s")
	media.DefaultLogger().With("caller", "media").Warn("sequence duplicate")
	sip.DefaultLogger().Info("TransactionLayer: Unhandled sip response. Possible retransmissions. Set UnhandledResponseHandler",
		"caller", "transactionLayer", "msg", "SIP/2.0 200 OK")
	if buf.Len() != 0 {
		t.Errorf("at level info, the noise was logged:\n%s", buf.String())
	}
	media.DefaultLogger().Error("RTCP Unmarshal error. Continue listen", "error", "bad packet")
	sip.DefaultLogger().Warn("something the library warns about")
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(lines) != 2 {
		t.Fatalf("want the 2 real warnings, got:\n%s", buf.String())
	}
	for i, want := range []struct{ lib, level string }{{"diago", "ERROR"}, {"sipgo", "WARN"}} {
		var rec map[string]any
		if err := json.Unmarshal([]byte(lines[i]), &rec); err != nil {
			t.Fatalf("not JSON: %s", lines[i])
		}
		if rec["lib"] != want.lib || rec["level"] != want.level {
			t.Errorf("line %d: %s, want lib %s level %s", i, lines[i], want.lib, want.level)
		}
	}

	buf.Reset()
	RouteLibraryLogs(slog.New(slog.NewJSONHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug})))
	media.DefaultLogger().Warn("Internal RTCP clock skew detected", "ssrc", 1, "rtt", "18h12m15s")
	if !strings.Contains(buf.String(), `"level":"DEBUG","msg":"Internal RTCP clock skew detected"`) {
		t.Errorf("at level debug, the skew is kept at debug: %s", buf.String())
	}
}
