package ivr

import (
	"encoding/json"
	"time"
)

// RTTMillis is a round-trip time in milliseconds, the one unit every RTT
// the API and the websocket give is in.
func RTTMillis(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// MarshalJSON writes the RTT as rtt_ms (RTTMillis), omitted when unknown.
func (s ExtensionStatus) MarshalJSON() ([]byte, error) {
	type plain ExtensionStatus
	return json.Marshal(struct {
		plain
		RTTMillis float64 `json:"rtt_ms,omitempty"`
	}{plain(s), RTTMillis(s.RTT)})
}
