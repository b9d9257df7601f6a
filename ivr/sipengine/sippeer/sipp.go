package sippeer

import (
	"errors"
	"os/exec"
	"strconv"
	"testing"
	"time"
)

// SippOptions run one sipp scenario against Remote ("127.0.0.1:5060").
type SippOptions struct {
	Scenario string   // -sf file
	Remote   string   // host:port of the engine
	Keys     []string // "name=value" for -key
	Args     []string // more sipp arguments (-m, -d, -oocsf, ...)
	Timeout  time.Duration
	Port     int // SIP port; 0 picks a free one
}

// Sipp is a running sipp.
type Sipp struct {
	*Process
	Port    int // SIP port sipp listens on
	RTPPort int
}

// StartSipp starts sipp bound to 127.0.0.1 with a global timeout; it is
// killed in t.Cleanup. Exit code 0 means every call succeeded.
func StartSipp(t testing.TB, o SippOptions) *Sipp {
	t.Helper()
	bin := Need(t, "sipp")
	if o.Timeout == 0 {
		o.Timeout = 30 * time.Second
	}
	s := &Sipp{Port: o.Port, RTPPort: FreePortPair(t)}
	if s.Port == 0 {
		s.Port = FreePort(t)
	}
	args := []string{o.Remote, "-sf", o.Scenario,
		"-i", "127.0.0.1", "-mi", "127.0.0.1", "-p", strconv.Itoa(s.Port), "-mp", strconv.Itoa(s.RTPPort),
		"-nostdin", "-timeout", strconv.Itoa(int(o.Timeout.Seconds())) + "s", "-timeout_error", "-trace_err",
		"-error_file", t.TempDir() + "/sipp_errors.log",
	}
	for _, kv := range o.Keys {
		k, v, _ := cut(kv)
		args = append(args, "-key", k, v)
	}
	args = append(args, o.Args...)
	s.Process = start(t, o.Timeout+5*time.Second, bin, args...)
	return s
}

func cut(kv string) (string, string, bool) {
	for i := 0; i < len(kv); i++ {
		if kv[i] == '=' {
			return kv[:i], kv[i+1:], true
		}
	}
	return kv, "", false
}

// Wait waits for sipp to exit and returns nil when every call succeeded:
// exit code 0, or 97 (the scenario ended itself with stop_now).
func (s *Sipp) Wait(d time.Duration) error {
	err := s.Process.Wait(d)
	var ee *exec.ExitError
	if errors.As(err, &ee) && ee.ExitCode() == 97 {
		return nil
	}
	return err
}
