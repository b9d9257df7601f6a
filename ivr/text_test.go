package ivr

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestCleanText(t *testing.T) {
	cases := []struct{ in, want string }{
		{"José", "José"},
		{"Jos\xe9", "José"},                        // Latin-1
		{"Mu\xf1oz Pe\xf1a", "Muñoz Peña"},         // Latin-1
		{"Jos\xc3\xa9 y Mar\xeda", "José y María"}, // UTF-8 with a stray Latin-1 byte
		{" Ana\x00\x07\r\n ", "Ana"},               // controls
		{"\x85hola\x9f", "hola"},                   // C1 controls from Latin-1
		{"Yealink SIP-T46S 66.86.0.15", "Yealink SIP-T46S 66.86.0.15"},
		{"", ""},
	}
	for _, c := range cases {
		if got := CleanText(c.in); got != c.want {
			t.Errorf("CleanText(%q) = %q, want %q", c.in, got, c.want)
		}
	}
	long := CleanText(strings.Repeat("\xe9", 5000))
	if !utf8.ValidString(long) || utf8.RuneCountInString(long) != MaxPartyText {
		t.Errorf("long text: %d runes, valid %v", utf8.RuneCountInString(long), utf8.ValidString(long))
	}
}
