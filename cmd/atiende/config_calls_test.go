package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// calls.* and http.pprof: parsed strictly, checked, and the call limit's
// default is what the RTP ports hold.
func TestConfigCallsAndPprof(t *testing.T) {
	load := func(yml string, env map[string]string) (Config, error) {
		p := filepath.Join(t.TempDir(), "c.yml")
		if err := os.WriteFile(p, []byte(yml), 0o600); err != nil {
			t.Fatal(err)
		}
		return LoadConfig(p, func(k string) string { return env[k] })
	}
	cfg, err := load("http:\n  pprof: true\ncalls:\n  max_concurrent: 2\n  retry_after: 7s\n", nil)
	if err != nil {
		t.Fatal(err)
	}
	if !cfg.HTTP.Pprof || cfg.CallLimit() != 2 || cfg.Calls.RetryAfter != Duration(7*time.Second) {
		t.Errorf("pprof %v, limit %d, retry after %v", cfg.HTTP.Pprof, cfg.CallLimit(), cfg.Calls.RetryAfter)
	}
	def := DefaultConfig()
	if def.HTTP.Pprof {
		t.Error("pprof is on by default")
	}
	if got := def.CallLimit(); got != 5000 { // 20000-29999: 10000 ports, two a call
		t.Errorf("default call limit %d, want 5000", got)
	}
	if cfg, err := load("sip:\n  rtp_ports: 30000-30099\n", nil); err != nil || cfg.CallLimit() != 50 {
		t.Errorf("rtp_ports 30000-30099: limit %d (%v), want 50", cfg.CallLimit(), err)
	}
	def.Engine = "asterisk"
	if got := def.CallLimit(); got != 0 {
		t.Errorf("asterisk default call limit %d, want 0 (none)", got)
	}
	for yml, key := range map[string]string{
		"calls:\n  max_concurrent: -1\n": "calls.max_concurrent",
		"calls:\n  retry_after: -5s\n":   "calls.retry_after",
		"calls:\n  max_calls: 3\n":       "max_calls",
	} {
		if _, err := load(yml, nil); err == nil || !strings.Contains(err.Error(), key) {
			t.Errorf("%q: error %v, want one naming %s", yml, err, key)
		}
	}
}
