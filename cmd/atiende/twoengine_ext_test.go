package main

// The extension rows of the two-engine call-path table (twoengine_test.go):
// a baresip phone registers as an extension where phones register on each
// engine (Atiende's SIP port, or Asterisk's PJSIP), and network staff
// follow it as the network page does (its websocket, /api/v1/extensions
// and the stored history): registered with contact, user agent and round
// trip, unregistered when it signs off, unreachable when it vanishes, and
// one automatic ticket when it stays down.
//
// Unreachable takes a failed qualify: on the embedded engine the rows set
// sip.qualify_interval and sip.qualify_timeout short (extQualify); on
// Asterisk it is deploy/asterisk's own qualify_frequency 15 +
// qualify_timeout 3, up to 18 s.

import (
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/atiende/atiende/ivr"
	"github.com/atiende/atiende/ivr/sipengine/sippeer"
	"github.com/atiende/atiende/tickets"
)

// extQualify: the embedded engine qualifies every 2 s and gives up after
// 1 s, so that a phone gone is unreachable within seconds.
const extQualify = "  qualify_interval: 2s\n  qualify_timeout: 1s\n"

// extUnreachableWithin bounds how long a vanished phone takes to show as
// unreachable: Asterisk's 18 s, with room for a loaded machine.
const extUnreachableWithin = 40 * time.Second

// extFeed is the network page's websocket as network staff (redes) see
// it: the list sent on connect and every change after it.
type extFeed struct {
	mu      sync.Mutex
	initial []ivr.ExtensionStatus
	changes []ivr.ExtensionStatus
}

func (d *helpDesk) watchExtensions(t *testing.T) *extFeed {
	t.Helper()
	conn := sessWS(t, d.Base, d.login(t, "redes", DemoPassword), "")
	f := &extFeed{}
	got := make(chan struct{})
	go func() {
		first := true
		for {
			_, data, err := conn.ReadMessage()
			if err != nil {
				return
			}
			var m struct {
				Type       string                `json:"type"`
				Extension  *ivr.ExtensionStatus  `json:"extension"`
				Extensions []ivr.ExtensionStatus `json:"extensions"`
			}
			if json.Unmarshal(data, &m) != nil {
				continue
			}
			f.mu.Lock()
			switch {
			case m.Type == "extensions":
				f.initial = append(f.initial, m.Extensions...)
			case m.Type == "extension" && m.Extension != nil:
				f.changes = append(f.changes, *m.Extension)
			}
			f.mu.Unlock()
			if first && m.Type == "extensions" {
				first = false
				close(got)
			}
		}
	}()
	select {
	case <-got:
	case <-time.After(10 * time.Second):
		t.Fatal("the network page's websocket sent no extension list")
	}
	return f
}

// wait returns the first change of ext after its first skip ones that
// satisfies cond, waiting up to dur.
func (f *extFeed) wait(dur time.Duration, ext string, skip int, cond func(ivr.ExtensionStatus) bool) (ivr.ExtensionStatus, bool) {
	var got ivr.ExtensionStatus
	ok := waitFor(dur, func() bool {
		all := f.of(ext)
		for _, st := range all[min(skip, len(all)):] {
			if cond(st) {
				got = st
				return true
			}
		}
		return false
	})
	return got, ok
}

// of is every change of ext so far.
func (f *extFeed) of(ext string) []ivr.ExtensionStatus {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []ivr.ExtensionStatus
	for _, st := range f.changes {
		if st.Extension == ext {
			out = append(out, st)
		}
	}
	return out
}

// apiExtension is one row of GET /api/v1/extensions.
type apiExtension struct {
	Extension string     `json:"extension"`
	Owner     string     `json:"owner"`
	State     string     `json:"state"`
	Contact   string     `json:"contact"`
	UserAgent string     `json:"user_agent"`
	RTTMillis float64    `json:"rtt_ms"`
	Since     time.Time  `json:"since"`
	DownSince *time.Time `json:"down_since"`
	Reason    string     `json:"reason"`
	Ticket    string     `json:"ticket"`
}

// apiExtEvent is one row of GET /api/v1/extensions/{ext}/history.
type apiExtEvent struct {
	State     string    `json:"state"`
	Contact   string    `json:"contact"`
	UserAgent string    `json:"user_agent"`
	RTTMillis float64   `json:"rtt_ms"`
	Reason    string    `json:"reason"`
	At        time.Time `json:"at"`
}

func (c *apiClient) extension(ext string) apiExtension {
	c.t.Helper()
	var list struct {
		Extensions []apiExtension `json:"extensions"`
	}
	if code := c.do("GET", "/api/v1/extensions", nil, &list); code != 200 {
		c.t.Fatalf("GET /api/v1/extensions: %d", code)
	}
	for _, x := range list.Extensions {
		if x.Extension == ext {
			return x
		}
	}
	return apiExtension{}
}

// waitExtension polls GET /api/v1/extensions until ext satisfies cond,
// and returns its last row.
func (c *apiClient) waitExtension(d time.Duration, ext string, cond func(apiExtension) bool) (apiExtension, bool) {
	var x apiExtension
	ok := waitFor(d, func() bool {
		x = c.extension(ext)
		return cond(x)
	})
	return x, ok
}

// history is ext's stored history, oldest first.
func (c *apiClient) history(ext string) []apiExtEvent {
	c.t.Helper()
	var h []apiExtEvent
	if code := c.do("GET", "/api/v1/extensions/"+ext+"/history?limit=500", nil, &h); code != 200 {
		c.t.Fatalf("GET history of %s: %d", ext, code)
	}
	slices.Reverse(h)
	return h
}

// checkHistory: the rows stored for ext after the first skip ones are
// exactly the states want, one row per change (no row repeats the one
// before it, no state in between), and every reason is one the pages
// translate (ivr.ExtReasons).
func checkHistory(t *testing.T, h []apiExtEvent, skip int, ext string, want ...string) {
	t.Helper()
	var got []string
	for i, e := range h {
		if e.Reason != "" && !slices.Contains(ivr.ExtReasons, e.Reason) {
			t.Errorf("history of %s: reason %q is not one the pages translate (row %+v)", ext, e.Reason, e)
		}
		if i < skip {
			continue
		}
		got = append(got, e.State)
		if p := h[i-1]; i > 0 && p.State == e.State {
			t.Errorf("history of %s: two %s rows in a row: %+v then %+v", ext, e.State, p, e)
		}
	}
	if !slices.Equal(got, want) {
		t.Errorf("history of %s: %q, want %q (rows %+v)", ext, got, want, h)
	}
}

// watchedPhone registers a baresip phone as ext (d.agent) and waits until
// network staff see it registered with its contact, user agent and round
// trip, on /api/v1/extensions and on the page's websocket.
func (d *helpDesk) watchedPhone(t *testing.T, net *apiClient, feed *extFeed, ext string) (*sippeer.Baresip, apiExtension) {
	t.Helper()
	seen := len(feed.of(ext))
	b := d.agent(t, ext, true)
	port := ":" + strconv.Itoa(b.SIPPort)
	x, ok := net.waitExtension(20*time.Second, ext, func(x apiExtension) bool {
		return x.State == "registered" && x.UserAgent != "" && x.RTTMillis > 0
	})
	if !ok {
		t.Fatalf("network staff do not see %s registered with user agent and round trip: %+v", ext, x)
	}
	if !strings.Contains(x.Contact, ext) || !strings.Contains(x.Contact, port) || !strings.HasPrefix(x.UserAgent, "baresip") {
		t.Errorf("%s on /api/v1/extensions: contact %q user agent %q, want the phone's (port %s, baresip)", ext, x.Contact, x.UserAgent, port)
	}
	st, ok := feed.wait(10*time.Second, ext, seen, func(st ivr.ExtensionStatus) bool {
		return st.State == ivr.ExtRegistered && st.UserAgent != "" && st.RTT > 0
	})
	if !ok {
		t.Errorf("the network page's websocket never showed %s registered with user agent and round trip: %+v", ext, feed.of(ext))
	} else if st.Contact != x.Contact || st.UserAgent != x.UserAgent {
		t.Errorf("%s on the websocket %+v, on the API %+v", ext, st, x)
	}
	t.Logf("%s registered: contact %s, user agent %q, round trip %.3f ms", ext, x.Contact, x.UserAgent, x.RTTMillis)
	return b, x
}

// ExtensionRegisteredUnregistered: beto's phone (1002) registers: network
// staff see it registered with contact, user agent and round trip; the
// phone signs off (baresip unregisters as it quits): unregistered. The
// history has one row for each.
func scExtensionRegisteredUnregistered(t *testing.T, d *helpDesk) {
	net := d.login(t, "redes", DemoPassword)
	feed := d.watchExtensions(t)
	skip := len(net.history("1002"))
	b, _ := d.watchedPhone(t, net, feed, "1002")
	if err := b.Command("quit", ""); err != nil {
		t.Fatal(err)
	}
	st, ok := feed.wait(15*time.Second, "1002", 0, func(st ivr.ExtensionStatus) bool { return st.State == ivr.ExtUnregistered })
	if !ok {
		t.Fatalf("1002 never unregistered on the websocket: %+v", feed.of("1002"))
	}
	if st.Reason != "unregistered" || st.Contact != "" || st.UserAgent != "" || st.RTT != 0 {
		t.Errorf("1002 after signing off: %+v, want reason unregistered and no contact", st)
	}
	x, ok := net.waitExtension(5*time.Second, "1002", func(x apiExtension) bool { return x.State == "unregistered" })
	if !ok || x.DownSince == nil || x.Ticket != "" || x.Owner != "Alberto Ruiz" {
		t.Errorf("1002 on /api/v1/extensions after signing off: %+v", x)
	}
	time.Sleep(time.Second) // a late status would land now
	checkHistory(t, net.history("1002"), skip, "1002", "registered", "unregistered")
	for _, st := range feed.of("1002") {
		if st.State == ivr.ExtUnreachable {
			t.Errorf("1002 shown unreachable while it signed off: %+v", feed.of("1002"))
		}
	}
}

// ExtensionUnreachable: beto's phone (1002) registers, then vanishes
// without signing off (killed): the failed qualify makes it unreachable,
// never unregistered in between; its last contact is kept, its round trip
// cleared; no ticket before extensions.down_after (5 min).
func scExtensionUnreachable(t *testing.T, d *helpDesk) {
	net := d.login(t, "redes", DemoPassword)
	feed := d.watchExtensions(t)
	skip := len(net.history("1002"))
	b, reg := d.watchedPhone(t, net, feed, "1002")
	b.Kill()
	st, ok := feed.wait(extUnreachableWithin, "1002", 0, func(st ivr.ExtensionStatus) bool { return st.State != ivr.ExtRegistered })
	if !ok {
		t.Fatalf("1002 still registered %v after its phone died: %+v", extUnreachableWithin, feed.of("1002"))
	}
	if st.State != ivr.ExtUnreachable || st.Reason != "qualify timeout" || st.Contact != reg.Contact || st.RTT != 0 {
		t.Errorf("1002 after its phone died: %+v, want unreachable (qualify timeout) at %s", st, reg.Contact)
	}
	x, ok := net.waitExtension(5*time.Second, "1002", func(x apiExtension) bool { return x.State == "unreachable" })
	if !ok || x.DownSince == nil || x.Contact != reg.Contact || x.UserAgent != reg.UserAgent || x.RTTMillis != 0 || x.Ticket != "" {
		t.Errorf("1002 on /api/v1/extensions once unreachable: %+v (registered: %+v)", x, reg)
	}
	time.Sleep(time.Second) // a late status would land now
	checkHistory(t, net.history("1002"), skip, "1002", "registered", "unreachable")
	if n := len(d.extensionTickets(t, "1002")); n != 0 {
		t.Errorf("%d extension tickets before down_after", n)
	}
}

// extensionTickets are the tickets of the extension_failure service for
// ext (the demo data has one for another extension).
func (d *helpDesk) extensionTickets(t *testing.T, ext string) []*tickets.Ticket {
	t.Helper()
	list, _, err := d.store().ListTickets(t.Context(), tickets.Filter{Service: "extension_failure", Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	var out []*tickets.Ticket
	for _, tk := range list {
		if tk.Caller.Extension == ext {
			out = append(out, tk)
		}
	}
	return out
}

// ExtensionDownTicket: with extensions.down_after 10s, beto's phone
// (1002) vanishes and stays unreachable: one ticket is opened for network
// staff, in the telephony queue, for Alberto Ruiz's extension, in Spanish
// and English words (no codes), and linked on the network page. The phone
// comes back: the ticket gets a note of the recovery and stays open for
// network staff to validate; no second ticket.
func scExtensionDownTicket(t *testing.T, d *helpDesk) {
	net := d.login(t, "redes", DemoPassword)
	feed := d.watchExtensions(t)
	skip := len(net.history("1002"))
	b, reg := d.watchedPhone(t, net, feed, "1002")
	b.Kill()
	if _, ok := feed.wait(extUnreachableWithin, "1002", 0, func(st ivr.ExtensionStatus) bool { return st.State == ivr.ExtUnreachable }); !ok {
		t.Fatalf("1002 never unreachable after its phone died: %+v", feed.of("1002"))
	}
	line, ok := d.waitLog(30*time.Second, `msg="extensions: down too long"`, "extension=1002")
	if !ok {
		t.Fatalf("no ticket for 1002 down past extensions.down_after\n%s", tail(d.Logs.String(), 4000))
	}
	if !strings.Contains(line, "ticket_action=opened") {
		t.Errorf("down too long: %q, want a new ticket", line)
	}
	list := d.extensionTickets(t, "1002")
	if len(list) != 1 {
		t.Fatalf("%d extension tickets, want 1", len(list))
	}
	tk := list[0]
	if tk.Queue != "telephony" || tk.Kind != tickets.Incident || tk.Caller.Extension != "1002" || tk.Caller.Name != "Alberto Ruiz" ||
		!tk.State.Open() {
		t.Errorf("ticket %s: queue %s kind %s caller %+v state %s", tk.Number, tk.Queue, tk.Kind, tk.Caller, tk.State)
	}
	text := tk.Subject + "\n" + tk.Description
	t.Logf("ticket %s:\n%s", tk.Number, text)
	checkExtText(t, "the ticket", text, reg)
	if !strings.Contains(tk.Description, reg.Contact) || !strings.Contains(tk.Description, "Alberto Ruiz") ||
		!strings.Contains(tk.Description, "inalcanzable") {
		t.Errorf("ticket %s does not name the owner, the state and the last contact %s:\n%s", tk.Number, reg.Contact, tk.Description)
	}
	x, ok := net.waitExtension(5*time.Second, "1002", func(x apiExtension) bool { return x.Ticket == tk.Number })
	if !ok || x.State != "unreachable" || x.DownSince == nil {
		t.Errorf("1002 on /api/v1/extensions: %+v, want unreachable with ticket %s", x, tk.Number)
	} else if early := tk.CreatedAt.Sub(*x.DownSince); early < 10*time.Second {
		t.Errorf("ticket %s opened %v after 1002 went down (%v), before extensions.down_after (10s)", tk.Number, early, *x.DownSince)
	}

	// The phone is back.
	_, back := d.watchedPhone(t, net, feed, "1002")
	if _, ok := d.waitLog(15*time.Second, `msg="extensions: recovered, noted on ticket"`, "extension=1002", "ticket="+tk.Number); !ok {
		t.Fatalf("the recovery of 1002 was not noted on %s", tk.Number)
	}
	notes, err := d.store().Notes(t.Context(), tk.Number, true)
	if err != nil {
		t.Fatal(err)
	}
	if len(notes) != 1 || !strings.Contains(notes[0].Body, "recuperada") || !strings.Contains(notes[0].Body, "recovered") {
		t.Fatalf("notes on %s after the recovery: %+v, want one recovery note", tk.Number, notes)
	}
	checkExtText(t, "the recovery note", notes[0].Body, back)
	if st := d.ticket(t, tk.Number).State; !st.Open() {
		t.Errorf("ticket %s is %s after the recovery; network staff close it", tk.Number, st)
	}
	time.Sleep(time.Second) // a late status or ticket would land now
	if n := len(d.extensionTickets(t, "1002")); n != 1 {
		t.Errorf("%d extension tickets after the recovery, want 1", n)
	}
	checkHistory(t, net.history("1002"), skip, "1002", "registered", "unreachable", "registered")
}

// checkExtText: text a person reads (a ticket, a note) is in Spanish then
// English words: no engine reason code, no "_" code, nothing English in
// the Spanish half. The phone's own words (its contact and user agent,
// quoted as they are) are left out of the check.
func checkExtText(t *testing.T, what, text string, reg apiExtension) {
	t.Helper()
	text = strings.ReplaceAll(strings.ReplaceAll(text, reg.UserAgent, "UA"), reg.Contact, "CONTACT")
	for _, code := range []string{"qualify", "offline", "()"} { // "qualify timeout", Asterisk's "offline", an empty reason
		if strings.Contains(text, code) {
			t.Errorf("%s says %q, an internal code:\n%s", what, code, text)
		}
	}
	for _, w := range strings.Fields(text) {
		if strings.Contains(w, "_") {
			t.Errorf("%s says %q, an internal code:\n%s", what, w, text)
		}
	}
	es := text
	if i := strings.Index(text, "\nExtension"); i >= 0 {
		es = text[:i]
	}
	for _, w := range []string{"unreachable", "unregistered", "timeout", "expired"} {
		if strings.Contains(es, w) {
			t.Errorf("the Spanish of %s says %q:\n%s", what, w, es)
		}
	}
}
