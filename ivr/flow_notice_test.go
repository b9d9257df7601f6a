package ivr_test

import (
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/atiende/atiende/ivr"
	"github.com/atiende/atiende/ivr/prompts"
)

// noticeAsk records what the runner asked its Notices option.
type noticeAsk struct {
	mu    sync.Mutex
	langs []string
	times []time.Time
}

func (n *noticeAsk) option(active ...string) func(string, time.Time) bool {
	return func(lang string, at time.Time) bool {
		n.mu.Lock()
		defer n.mu.Unlock()
		n.langs, n.times = append(n.langs, lang), append(n.times, at)
		return slices.Contains(active, lang)
	}
}

// With a notice active, the default flow plays it right after the welcome,
// then goes on to the menu.
func TestDefaultFlowPlaysTheNoticeAfterTheWelcome(t *testing.T) {
	h := newHarness(t, fastFlow(t))
	ask := &noticeAsk{}
	h.runner.Notices = ask.option("es")
	c := h.call()
	expect(t, c, "es/welcome", "es/notice", "es/main-menu")
	c.Press("0")
	handled(t, c)
	if s := c.Sounds(); strings.Count(strings.Join(s, " "), "notice") != 1 {
		t.Errorf("played %v, want the notice once", s)
	}
	ask.mu.Lock()
	defer ask.mu.Unlock()
	if !slices.Equal(ask.langs, []string{"es"}) || !ask.times[0].Equal(h.runner.Now()) {
		t.Errorf("asked %v at %v, want es at the runner's clock", ask.langs, ask.times)
	}
}

// Without one (or without the option: an engine that cannot play uploads),
// the caller goes straight from the welcome to the menu.
func TestDefaultFlowWithoutNoticeGoesStraightOn(t *testing.T) {
	for name, opt := range map[string]func(string, time.Time) bool{
		"no option":        nil,
		"none active":      (&noticeAsk{}).option(),
		"only for English": (&noticeAsk{}).option("en"),
	} {
		t.Run(name, func(t *testing.T) {
			h := newHarness(t, fastFlow(t))
			h.runner.Notices = opt
			c := h.call()
			expect(t, c, "es/welcome", "es/main-menu")
			c.CallerHangup()
			handled(t, c)
			if s := c.Sounds(); len(s) < 2 || s[0] != "es/welcome" || s[1] != "es/main-menu" {
				t.Errorf("played %v, want the welcome then the menu", s)
			}
		})
	}
}

// A caller who switches to English hears the English notice, then the
// English menu.
func TestDefaultFlowEnglishNotice(t *testing.T) {
	h := newHarness(t, fastFlow(t))
	h.runner.Notices = (&noticeAsk{}).option("en")
	c := h.call()
	expect(t, c, "es/welcome", "es/main-menu")
	c.Press("9")
	expect(t, c, "en/notice", "en/main-menu")
	c.CallerHangup()
	handled(t, c)
	if slices.Contains(c.Sounds(), "es/notice") {
		t.Errorf("played %v: no Spanish notice is active", c.Sounds())
	}
}

// A custom flow may use the condition; notice needs no prompt file.
func TestNoticeConditionParsesAndNeedsNoFile(t *testing.T) {
	src := `start: n
nodes:
  n:
    type: condition
    if: notice
    then: say
    else: bye
  say:
    type: play
    prompts: [notice]
    next: bye
  bye:
    type: hangup
    prompts: [goodbye]
`
	f, err := ivr.ParseFlow("notice.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	if err := f.CheckPrompts(prompts.FS, "es", "en"); err != nil {
		t.Errorf("CheckPrompts: %v", err)
	}
	_, err = ivr.ParseFlow("bad.yaml", []byte(strings.Replace(src, "if: notice", "if: notices", 1)))
	if err == nil || !strings.Contains(err.Error(), "notice, var") {
		t.Errorf("an unknown condition: %v, want the list with notice", err)
	}
	if err := ivr.DefaultFlow().CheckPrompts(prompts.FS, "es", "en"); err != nil {
		t.Errorf("default flow: %v", err)
	}
}
