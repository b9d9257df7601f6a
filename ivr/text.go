package ivr

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// MaxPartyText bounds each text of a Party (runes), as the desk bounds a
// caller's name.
const MaxPartyText = 200

// CleanText makes untrusted caller text from the network (a SIP display
// name, user part or User-Agent) safe to store and show: valid UTF-8, with
// each byte that is not part of a valid UTF-8 sequence decoded as Latin-1
// (Spanish phones send "José" as 4A 6F 73 E9), control characters dropped,
// spaces trimmed, and at most MaxPartyText runes.
func CleanText(s string) string {
	var b strings.Builder
	n := 0
	for i := 0; i < len(s) && n < MaxPartyText; {
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size <= 1 {
			r, size = rune(s[i]), 1 // Latin-1: the byte is the code point
		}
		i += size
		if unicode.IsControl(r) {
			continue
		}
		b.WriteRune(r)
		n++
	}
	return strings.TrimSpace(b.String())
}

// Clean returns p with its texts cleaned by CleanText. Engines call it where
// a caller's data enters.
func (p Party) Clean() Party {
	p.Number = CleanText(p.Number)
	p.DisplayName = CleanText(p.DisplayName)
	p.UserAgent = CleanText(p.UserAgent)
	return p
}
