package main

import (
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestConfigTrustedProxies(t *testing.T) {
	load := func(list string) (Config, error) {
		p := filepath.Join(t.TempDir(), "atiende.yml")
		if err := os.WriteFile(p, []byte("http:\n  trusted_proxies: "+list+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		return LoadConfig(p, noEnv)
	}
	cfg, err := load(`["10.0.0.5", "192.168.1.77/24", "fd00::/8", "::ffff:172.16.0.1"]`)
	if err != nil {
		t.Fatal(err)
	}
	got, err := cfg.HTTP.TrustedProxyPrefixes()
	want := []netip.Prefix{netip.MustParsePrefix("10.0.0.5/32"), netip.MustParsePrefix("192.168.1.0/24"),
		netip.MustParsePrefix("fd00::/8"), netip.MustParsePrefix("172.16.0.1/32")}
	if err != nil || !slices.Equal(got, want) {
		t.Errorf("prefixes = %v, %v; want %v", got, err, want)
	}
	for _, bad := range []string{`["10.0.0.0/33"]`, `["proxy.example.org"]`, `["10.0.0.1, 10.0.0.2"]`} {
		_, err := load(bad)
		if err == nil || !strings.Contains(err.Error(), "http.trusted_proxies") {
			t.Errorf("%s: error %v, want one naming http.trusted_proxies", bad, err)
		}
	}
	// Default: none, X-Forwarded-For is ignored.
	if p, err := (&HTTPConfig{}).TrustedProxyPrefixes(); err != nil || len(p) != 0 {
		t.Errorf("default = %v, %v", p, err)
	}
}
