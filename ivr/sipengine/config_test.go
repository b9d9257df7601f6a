package sipengine

import (
	"slices"
	"strings"
	"testing"

	"github.com/atiende/atiende/ivr"
)

func TestConfigValidate(t *testing.T) {
	if err := DefaultConfig().Validate(); err != nil {
		t.Fatalf("default config: %v", err)
	}
	cases := []struct {
		name string
		edit func(*Config)
		want string
	}{
		{"bad addr", func(c *Config) { c.Addr = "nope" }, "addr"},
		{"no numbers", func(c *Config) { c.HelpDeskNumbers = nil }, "help-desk"},
		{"number is extension", func(c *Config) { c.Extensions = map[string]string{"6000": "x"} }, "also an extension"},
		{"empty password", func(c *Config) { c.Extensions = map[string]string{"1001": ""} }, "empty password"},
		{"bad extension", func(c *Config) { c.Extensions = map[string]string{"sip:x": "p"} }, "extension"},
		{"rtp range", func(c *Config) { c.RTPPortMin, c.RTPPortMax = 20000, 10000 }, "rtp ports"},
		{"expiry", func(c *Config) { c.RegisterMaxExpiry = 0 }, "register expiry"},
		{"rate", func(c *Config) { c.RateLimit.Rate = 0 }, "rate limit"},
	}
	for _, tc := range cases {
		c := DefaultConfig()
		tc.edit(&c)
		err := c.Validate()
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err = %v, want it to mention %q", tc.name, err, tc.want)
		}
	}
}

func TestPromptFiles(t *testing.T) {
	got, err := promptFiles(ivr.Prompt{Sound: "es/welcome", Digits: "2*0#", Lang: "en"})
	want := []string{"es/welcome.wav", "en/digit-2.wav", "en/digit-star.wav", "en/digit-0.wav", "en/digit-pound.wav"}
	if err != nil || !slices.Equal(got, want) {
		t.Errorf("promptFiles = %v, %v; want %v", got, err, want)
	}
	if _, err := promptFiles(ivr.Prompt{Digits: "1x"}); err == nil {
		t.Error("digit x accepted")
	}
}
