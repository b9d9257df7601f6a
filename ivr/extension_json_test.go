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
