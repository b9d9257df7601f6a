package asterisk

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/CyCoreSystems/ari/v6"

	"github.com/atiende/atiende/ivr/asterisk/aritest"
)

// Every event a real Asterisk 22 sent in the recordings decodes and goes
// through the dispatcher without harm.
func TestRecordedEventsDecodeAndDispatch(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join(aritest.DefaultAPIDocs(), "..", "transcripts", "*.jsonl"))
	if len(files) == 0 {
		t.Skip("transcripts not available")
	}
	e, err := New(Config{URL: "http://127.0.0.1:9/ari", User: "u", Password: "p", RequestTimeout: 100 * time.Millisecond}, nil)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, f := range files {
		fh, err := os.Open(f)
		if err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(fh)
		sc.Buffer(nil, 1<<20)
		for sc.Scan() {
			var l struct {
				Kind  string          `json:"kind"`
				Event json.RawMessage `json:"event"`
			}
			if err := json.Unmarshal(sc.Bytes(), &l); err != nil || l.Kind != "ws_event" {
				continue
			}
			ev, err := ari.DecodeEvent(l.Event)
			if err != nil {
				t.Errorf("%s: %v: %s", filepath.Base(f), err, l.Event)
				continue
			}
			e.handle(ev)
			n++
		}
		fh.Close()
	}
	if n < 200 {
		t.Fatalf("only %d events", n)
	}
}
