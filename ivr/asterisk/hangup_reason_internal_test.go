package asterisk

import (
	"testing"

	"github.com/atiende/atiende/ivr"
)

// A call refused at capacity (ivr.Admission) is hung up with the congestion
// cause, which Asterisk answers 503 on SIP (cause 34).
func TestHangupReasons(t *testing.T) {
	for cause, want := range map[ivr.HangupCause]string{
		ivr.CauseCongestion: "congestion", ivr.CauseUnavailable: "congestion", ivr.CauseBusy: "busy",
		ivr.CauseNoAnswer: "no_answer", ivr.CauseRejected: "rejected", ivr.CauseNormal: "normal",
	} {
		if got := hangupReason(cause); got != want {
			t.Errorf("hangupReason(%s) = %q, want %q", cause, got, want)
		}
	}
}
