package ivr

import (
	"strconv"
	"time"

	"github.com/atiende/atiende/tickets"
)

// MaxNumberWord is the largest number with its own prompt: num-0..num-20,
// and num-30, num-40, num-50. Other numbers are spoken digit by digit.
const MaxNumberWord = 20

// DigitSounds maps keys to their prompts in lang: "12#" -> es/digit-1,
// es/digit-2, es/digit-pound. Characters without a prompt (a dash in a
// ticket number) are skipped. Every engine speaks Prompt.Digits with it.
func DigitSounds(lang, digits string) []string {
	lang = promptLang(lang)
	out := make([]string, 0, len(digits))
	for _, r := range digits {
		switch {
		case r >= '0' && r <= '9':
			out = append(out, lang+"/digit-"+string(r))
		case r == '*':
			out = append(out, lang+"/digit-star")
		case r == '#':
			out = append(out, lang+"/digit-pound")
		}
	}
	return out
}

// NumberSounds speaks a whole number: its word up to MaxNumberWord and for
// 30, 40 and 50, else its digits. Negative numbers are spoken as 0.
func NumberSounds(lang string, n int) []string {
	lang = promptLang(lang)
	if n < 0 {
		n = 0
	}
	if n <= MaxNumberWord || n == 30 || n == 40 || n == 50 {
		return []string{lang + "/num-" + strconv.Itoa(n)}
	}
	return DigitSounds(lang, strconv.Itoa(n))
}

// StateSound is the prompt of a ticket state: "es/state-in_progress".
func StateSound(lang string, s tickets.State) string {
	return promptLang(lang) + "/state-" + string(s)
}

// AgoSounds speaks how long ago something happened: "updated" then
// "one-hour-ago", or "updated", a number and "hours-ago"; under a minute,
// "updated-just-now". It rounds as people do: 20-59 minutes down to tens,
// 21 hours or more to days.
func AgoSounds(lang string, d time.Duration) []string {
	lang = promptLang(lang)
	n, one, many := int(d/time.Minute), "one-minute-ago", "minutes-ago"
	switch {
	case d < time.Minute:
		return []string{lang + "/updated-just-now"}
	case d >= 21*time.Hour:
		n, one, many = int((d+12*time.Hour)/(24*time.Hour)), "one-day-ago", "days-ago"
	case d >= time.Hour:
		n, one, many = int(d/time.Hour), "one-hour-ago", "hours-ago"
	case n > MaxNumberWord:
		n -= n % 10
	}
	if n == 1 {
		return []string{lang + "/updated", lang + "/" + one}
	}
	return append(append([]string{lang + "/updated"}, NumberSounds(lang, n)...), lang+"/"+many)
}

// promptLang is lang when it has prompts, else Spanish.
func promptLang(lang string) string {
	if lang == "en" {
		return "en"
	}
	return "es"
}

// sounds turns sound names into prompts.
func sounds(names ...string) []Prompt {
	p := make([]Prompt, len(names))
	for i, n := range names {
		p[i] = Prompt{Sound: n}
	}
	return p
}
