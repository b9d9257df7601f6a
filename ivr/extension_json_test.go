package ivr_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/atiende/atiende/ivr"
)

// The websocket gives an extension's RTT in milliseconds, as the REST API
// does (rtt_ms), and leaves it out when unknown.
func TestExtensionStatusRTTInMillis(t *testing.T) {
	b, err := json.Marshal(ivr.ExtensionStatus{Extension: "1001", State: ivr.ExtRegistered, RTT: 12500 * time.Microsecond})
	if err != nil {
		t.Fatal(err)
	}
	if s := string(b); !strings.Contains(s, `"rtt_ms":12.5`) || strings.Contains(s, "rtt_ns") || !strings.Contains(s, `"extension":"1001"`) {
		t.Errorf("%s", b)
	}
	b, _ = json.Marshal(&ivr.ExtensionStatus{Extension: "1002"})
	if strings.Contains(string(b), "rtt") {
		t.Errorf("unknown RTT written: %s", b)
	}
}

// What the websocket writes reads back the same: the RTT survives rtt_ms.
func TestExtensionStatusJSONRoundTrip(t *testing.T) {
	in := ivr.ExtensionStatus{Extension: "1002", State: ivr.ExtRegistered, Contact: "sip:1002@127.0.0.1:5070",
		UserAgent: "baresip", RTT: 1234 * time.Microsecond, Reason: "registered"}
	b, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	var out ivr.ExtensionStatus
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	if out.RTT != in.RTT || out.Extension != in.Extension || out.State != in.State || out.UserAgent != in.UserAgent {
		t.Errorf("%s read back as %+v, want %+v", b, out, in)
	}
}
