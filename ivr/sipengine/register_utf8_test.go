package sipengine

import (
	"context"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/atiende/atiende/ivr"
)

// A phone whose User-Agent is Latin-1 (as Spanish phones send "José")
// registers, and its status carries the name as valid UTF-8: the
// extension's history (PostgreSQL, SQLSTATE 22021) and pages can take it.
func TestRegisterUserAgentLatin1(t *testing.T) {
	e := startEngine(t, testConfig(t), nil)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	events := e.WatchExtensions(ctx)
	u := newRawUA(t, e)
	ua := "User-Agent: Tel\xe9fono de Jos\xe9\r\n"
	res := u.register("1001", ua, 60)
	if got := status(res); got != "SIP/2.0 401 Unauthorized" {
		t.Fatalf("first answer %q", got)
	}
	if got := status(u.register("1001", authorize(t, res, "1001", "secret1")+ua, 60)); got != "SIP/2.0 200 OK" {
		t.Fatalf("REGISTER: %q", got)
	}
	st := waitStatus(t, events, "1001", ivr.ExtRegistered, 5*time.Second)
	if !utf8.ValidString(st.UserAgent) || st.UserAgent != "Teléfono de José" {
		t.Errorf("user agent %q, want %q", st.UserAgent, "Teléfono de José")
	}
}
