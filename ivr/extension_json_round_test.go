package ivr

import (
	"encoding/json"
	"testing"
	"time"
)

// What the websocket writes reads back the same: the RTT survives rtt_ms.
func TestExtensionStatusJSONRoundTrip(t *testing.T) {
	in := ExtensionStatus{Extension: "1002", State: ExtRegistered, Contact: "sip:1002@127.0.0.1:5070",
		UserAgent: "baresip", RTT: 1234 * time.Microsecond, Reason: "registered"}
	b, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	var out ExtensionStatus
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	if out.RTT != in.RTT || out.Extension != in.Extension || out.State != in.State || out.UserAgent != in.UserAgent {
		t.Errorf("%s read back as %+v, want %+v", b, out, in)
	}
}
