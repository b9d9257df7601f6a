package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func noEnv(string) string { return "" }

func TestLoadConfigInvalidNamesKeyAndReason(t *testing.T) {
	cases := map[string][]string{
		"invalid-unknown-key.yml": {"line 3", "adress", "not a known key"},
		"invalid-engine.yml":      {"engine", "freeswitch"},
		"invalid-matrix.yml":      {"priority_matrix", "row 2", "9"},
		"invalid-duration.yml":    {"line 2", "twelve hours", "duration"},
		"invalid-rtp.yml":         {"sip.rtp_ports", "20000"},
		"invalid-type.yml":        {"line 2", "many"},
		"invalid-strategy.yml":    {"queues.overrides.network.strategy", "random"},
		"invalid-no-agents.yml":   {"queues.overrides.network.no_agents", "drop"},
		"invalid-overflow.yml":    {"queues.overrides.network.overflow", "overflow"},
		"invalid-ext-rule.yml":    {"extensions.rules", "1002", "forward to 1009, which is not an extension"},
		"invalid-ack-timeout.yml": {"sip.ack_timeout", "positive"},
		"invalid-qualify.yml":     {"sip.qualify_interval", "at least 1s"},
	}
	files, _ := filepath.Glob("testdata/invalid-*.yml")
	if len(files) != len(cases) {
		t.Fatalf("%d invalid fixtures, %d cases", len(files), len(cases))
	}
	for _, f := range files {
		want := cases[filepath.Base(f)]
		_, err := LoadConfig(f, noEnv)
		if err == nil {
			t.Errorf("%s: accepted", f)
			continue
		}
		for _, w := range want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s: error %q does not mention %q", f, err, w)
			}
		}
	}
}

func TestLoadConfigValidAndEnvOverrides(t *testing.T) {
	secret := filepath.Join(t.TempDir(), "ari")
	if err := os.WriteFile(secret, []byte("s3cret-from-file\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{
		"ATIENDE_HTTP_ADDR":         "127.0.0.1:7000",
		"ATIENDE_DATABASE_URL":      "postgres://u@127.0.0.1:5432/atiende",
		"ATIENDE_ENGINE":            "asterisk",
		"ATIENDE_ARI_USER":          "helpdesk",
		"ATIENDE_ARI_PASSWORD_FILE": secret,
		"ATIENDE_ADMIN_PASSWORD":    "correct horse",
	}
	cfg, err := LoadConfig("testdata/valid.yml", func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	if cfg.HTTP.Addr != "127.0.0.1:7000" || cfg.Engine != "asterisk" || cfg.Asterisk.Password != "s3cret-from-file" ||
		cfg.Admin.Password != "correct horse" || cfg.Phones.Region != "VE" || cfg.SIP.Extensions["1001"] != "secret1001" {
		t.Fatalf("unexpected config: %+v", cfg)
	}
	if q := cfg.Queues.For("network"); q.Strategy != "ring_all" || q.RingTimeout != Duration(20*time.Second) {
		t.Errorf("network queue %+v", q)
	}
	if q := cfg.Queues.For("email"); q.Strategy != "" || q.RingTimeout != Duration(12*time.Second) {
		t.Errorf("email queue %+v", q)
	}
	if _, err := LoadConfig("", func(k string) string {
		if k == "ATIENDE_ENGINE" {
			return "asterisk"
		}
		return ""
	}); err == nil || !strings.Contains(err.Error(), "ATIENDE_ARI_USER") {
		t.Fatalf("asterisk without credentials: %v", err)
	}
	if _, err := LoadConfig("", func(k string) string {
		if k == "ATIENDE_ADMIN_PASSWORD" {
			return "short"
		}
		return ""
	}); err == nil || !strings.Contains(err.Error(), "admin.password") {
		t.Fatalf("short admin password: %v", err)
	}
}

func TestDefaultConfigIsValid(t *testing.T) {
	c := DefaultConfig()
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
}
