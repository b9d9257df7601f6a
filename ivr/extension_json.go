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

// UnmarshalJSON reads what MarshalJSON writes: the RTT from rtt_ms.
func (s *ExtensionStatus) UnmarshalJSON(b []byte) error {
	type plain ExtensionStatus
	var v struct {
		plain
		RTTMillis float64 `json:"rtt_ms"`
	}
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	*s = ExtensionStatus(v.plain)
	s.RTT = time.Duration(v.RTTMillis * float64(time.Millisecond))
	return nil
}
