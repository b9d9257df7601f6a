package asterisk_test

import (
	"context"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/atiende/atiende/agentdesk"
	"github.com/atiende/atiende/agentdesk/acd"
	"github.com/atiende/atiende/agentdesk/intake"
	"github.com/atiende/atiende/ivr"
	"github.com/atiende/atiende/ivr/asterisk"
	"github.com/atiende/atiende/ivr/asterisk/aritest"
	"github.com/atiende/atiende/ivr/prompts"
	"github.com/atiende/atiende/tickets"
	"github.com/atiende/atiende/tickets/postgres"
	"github.com/atiende/atiende/tickets/postgres/pgtest"
)

// The call-path scenarios of agentdesk/intake's tests (written there over
// the ivrtest engine) run here over the Asterisk engine and the test ARI
// server: the default IVR flow, the real ACD and intake, and PostgreSQL.
// Every request Atiende sends is checked against Asterisk's ARI models by
// aritest (a violation fails the test at cleanup, and is checked again at
// the end of each scenario).

func TestMain(m *testing.M) { pgtest.Main(m) }

// callPath is the whole desk over a fake Asterisk.
type callPath struct {
	t    *testing.T
	srv  *aritest.Server
	eng  *asterisk.Engine
	db   *postgres.DB
	desk *acd.ACD

	mu      sync.Mutex
	events  []agentdesk.Event
	handled map[string]chan struct{} // by call id, closed when its handler returned
}

// newCallPath wires PostgreSQL (with a known contact), the default flow
// with short menu timeouts, the ACD with every catalog queue (ringTimeout
// when not zero) and agents, intake, and the Asterisk engine serving the
// test ARI server; it returns once the engine is up.
func newCallPath(t *testing.T, ringTimeout time.Duration, agents ...agentdesk.Agent) *callPath {
	t.Helper()
	ctx := context.Background()
	cp := &callPath{t: t, handled: map[string]chan struct{}{}}
	cp.srv = aritest.New(t, aritest.Options{PlayItem: 5 * time.Millisecond})

	db, err := postgres.Open(ctx, pgtest.DB(t), postgres.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(db.Close)
	if err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	if err := db.SaveContact(ctx, &tickets.Contact{Name: "María López", Department: "Finanzas",
		Email: "maria@example.mx", Phones: []string{"+527222769600"}}); err != nil {
		t.Fatal(err)
	}
	cp.db = db

	flow, err := ivr.ParseFlow("default.yaml", ivr.DefaultFlowYAML())
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range flow.Nodes {
		if n.Type == ivr.NodeMenu || n.Type == ivr.NodeOfferExisting || n.Type == ivr.NodeAnnounceIncident {
			n.Timeout = 2 * time.Second
		}
	}

	bus := agentdesk.NewBus()
	events, unsub := bus.Subscribe(1000)
	t.Cleanup(unsub)
	go func() {
		for e := range events {
			cp.mu.Lock()
			cp.events = append(cp.events, e)
			cp.mu.Unlock()
		}
	}()

	cp.eng, err = asterisk.New(asterisk.Config{
		URL: cp.srv.URL, User: "atiende", Password: "secret", App: "atiende",
		RequestTimeout: 2 * time.Second, PlayGuard: 2 * time.Second,
		ReconnectMin: 50 * time.Millisecond, ReconnectMax: 400 * time.Millisecond,
	}, testLogger(t))
	if err != nil {
		t.Fatal(err)
	}
	cp.desk = acd.New(acd.Config{}, cp.eng, bus, nil, nil)
	t.Cleanup(func() { _ = cp.desk.Close() })
	for _, q := range tickets.DefaultCatalog().Groups() {
		if err := cp.desk.AddQueue(agentdesk.QueueConfig{Name: q, WrapUp: -1, AnnounceInterval: -1, RingTimeout: ringTimeout}); err != nil {
			t.Fatal(err)
		}
	}
	for _, a := range agents {
		if err := cp.desk.AddAgent(a); err != nil {
			t.Fatal(err)
		}
	}
	svc := intake.New(intake.Deps{Store: db, Catalog: tickets.DefaultCatalog(), Phones: tickets.PhonePlan{Region: "MX"},
		Matrix: tickets.DefaultMatrix, Queue: cp.desk, Engine: cp.eng, Publish: bus})
	runner := ivr.NewFlowRunner(flow, svc, nil)
	runner.Surveys = svc
	handler := ivr.HandlerFunc(func(ctx context.Context, c ivr.Call) {
		defer close(cp.handledCh(c.ID()))
		runner.HandleCall(ctx, c)
	})

	sctx, cancel := context.WithCancel(ctx)
	served := make(chan error, 1)
	go func() { served <- cp.eng.Serve(sctx, handler) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-served:
			if err != nil {
				t.Errorf("Serve: %v", err)
			}
		case <-time.After(10 * time.Second):
			t.Errorf("Serve did not return after cancel")
		}
	})
	waitFor(t, "engine up", cp.eng.Up)
	return cp
}

func (cp *callPath) handledCh(id string) chan struct{} {
	cp.mu.Lock()
	defer cp.mu.Unlock()
	ch := cp.handled[id]
	if ch == nil {
		ch = make(chan struct{})
		cp.handled[id] = ch
	}
	return ch
}

// waitHandled waits until the flow's handler for call id has returned.
func (cp *callPath) waitHandled(id string) {
	cp.t.Helper()
	select {
	case <-cp.handledCh(id):
	case <-time.After(10 * time.Second):
		cp.t.Fatalf("the handler of call %s did not return; media %v", id, cp.media(id))
	}
}

func (cp *callPath) setState(user string, st agentdesk.AgentState, reason string) {
	cp.t.Helper()
	if err := cp.desk.SetAgentState(user, st, reason); err != nil {
		cp.t.Fatal(err)
	}
}

// call places a call to the help desk as the dialplan's Stasis(atiende).
func (cp *callPath) call(number, name string) string {
	cp.t.Helper()
	id, err := cp.srv.Inbound(number, name, "6000")
	if err != nil {
		cp.t.Fatalf("inbound: %v", err)
	}
	return id
}

// media lists the media URIs played on channel id, in request order.
func (cp *callPath) media(id string) []string {
	var out []string
	for _, r := range cp.srv.Find("POST /channels/" + id + "/play") {
		out = append(out, strings.Split(r.Query.Get("media"), ",")...)
	}
	return out
}

// waitPlayed waits until a prompt was played on channel id n times.
func (cp *callPath) waitPlayed(id, sound string, n int) {
	cp.t.Helper()
	want := "sound:atiende/" + sound
	deadline := time.Now().Add(10 * time.Second)
	for {
		got := 0
		for _, m := range cp.media(id) {
			if m == want {
				got++
			}
		}
		if got >= n {
			return
		}
		if time.Now().After(deadline) {
			cp.t.Fatalf("%s played %d times on %s, want %d; media %v", sound, got, id, n, cp.media(id))
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// walkToInternetFailure calls and keys 1 (failures), 1 (internet).
func (cp *callPath) walkToInternetFailure(number, name string) string {
	cp.t.Helper()
	id := cp.call(number, name)
	cp.waitPlayed(id, "es/main-menu", 1)
	if st := cp.srv.Channel(id); st.State != "Up" {
		cp.t.Fatalf("the flow did not answer: %+v", st)
	}
	cp.srv.Press(id, "1")
	cp.waitPlayed(id, "es/failures-menu", 1)
	cp.srv.Press(id, "1")
	return id
}

// heardDigits is what the caller heard spoken digit by digit.
func (cp *callPath) heardDigits(id string) string {
	var out string
	for _, m := range cp.media(id) {
		if d, ok := strings.CutPrefix(m, "sound:atiende/es/digit-"); ok {
			out += d
		}
	}
	return out
}

// originated returns the channel ids originated to endpoint, in order.
func (cp *callPath) originated(endpoint string) []string {
	var ids []string
	for _, r := range cp.srv.Find("POST /channels") {
		if r.Path == "/channels" && r.Query.Get("endpoint") == endpoint {
			ids = append(ids, r.Query.Get("channelId"))
		}
	}
	return ids
}

func (cp *callPath) waitOriginated(endpoint string) string {
	cp.t.Helper()
	var ids []string
	waitFor(cp.t, "originate to "+endpoint, func() bool {
		ids = cp.originated(endpoint)
		return len(ids) > 0
	})
	return ids[0]
}

// waitBridged waits until both channels are in one mixing bridge in
// Asterisk, and only they.
func (cp *callPath) waitBridged(a, b string) {
	cp.t.Helper()
	waitFor(cp.t, "caller and agent in one bridge", func() bool {
		x, y := cp.srv.Channel(a), cp.srv.Channel(b)
		return x.Bridge != "" && x.Bridge == y.Bridge
	})
	br := cp.srv.Bridge(cp.srv.Channel(a).Bridge)
	slices.Sort(br.Channels)
	want := []string{a, b}
	slices.Sort(want)
	if br.Type != "mixing" || !slices.Equal(br.Channels, want) {
		cp.t.Fatalf("bridge %+v, want a mixing bridge with %v", br, want)
	}
	for _, id := range want {
		if st := cp.srv.Channel(id); st.State != "Up" || !st.InStasis || st.MOH {
			cp.t.Fatalf("channel %s in the bridge: %+v", id, st)
		}
	}
}

// waitEvent returns the first desk event that matches.
func (cp *callPath) waitEvent(what string, match func(agentdesk.Event) bool) agentdesk.Event {
	cp.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		cp.mu.Lock()
		for _, e := range cp.events {
			if match(e) {
				cp.mu.Unlock()
				return e
			}
		}
		cp.mu.Unlock()
		if time.Now().After(deadline) {
			cp.t.Fatalf("no %s event", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func isEvent(kind agentdesk.EventKind, callID, agent string) func(agentdesk.Event) bool {
	return func(e agentdesk.Event) bool { return e.Kind == kind && e.CallID == callID && e.Agent == agent }
}

func (cp *callPath) onlyTicket() *tickets.Ticket {
	cp.t.Helper()
	list, total, err := cp.db.ListTickets(context.Background(), tickets.Filter{})
	if err != nil || total != 1 {
		cp.t.Fatalf("tickets: %d, %v", total, err)
	}
	return list[0]
}

// finish checks that every channel is gone, every prompt played is one
// Atiende installs in Asterisk's sounds folder, and every request fit the
// ARI models.
func (cp *callPath) finish() {
	cp.t.Helper()
	for _, r := range cp.srv.Find("POST /channels/") {
		if !strings.Contains(r.Path, "/play") {
			continue
		}
		for _, m := range strings.Split(r.Query.Get("media"), ",") {
			name, ok := strings.CutPrefix(m, "sound:atiende/")
			if !ok || !prompts.Exists(name) {
				cp.t.Errorf("played %q: not one of Atiende's prompts", m)
			}
		}
	}
	waitFor(cp.t, "no channels left in Asterisk", func() bool { return len(cp.srv.Channels()) == 0 })
	waitFor(cp.t, "no bridges left in Asterisk", func() bool { return cp.srv.Bridges() == 0 })
	if len(cp.srv.Requests()) == 0 {
		cp.t.Fatal("aritest saw no requests")
	}
	for _, v := range cp.srv.Violations() {
		cp.t.Errorf("ARI model violation: %s", v)
	}
}

var ana = agentdesk.Agent{Username: "ana", Name: "Ana", Extension: "1001", Skills: map[string]int{"network": 0}}

// A known caller walks 1, 1: the ticket carries the contact's data and the
// IVR path, agent 1001 is originated, answers and is bridged with the
// caller in a mixing bridge; when the agent hangs up the ticket is assigned
// to them and the call record says answered.
func TestCallPathTicketAndAgent(t *testing.T) {
	cp := newCallPath(t, 0, ana)
	cp.srv.Register("1001")
	cp.srv.SetAgent("1001", aritest.Agent{Answer: true, Delay: 50 * time.Millisecond})
	cp.setState("ana", agentdesk.StateAvailable, "")

	caller := cp.walkToInternetFailure("7222769600", "Maria L")
	agentLeg := cp.waitOriginated("PJSIP/1001")
	cp.waitBridged(caller, agentLeg)
	var orig aritestQuery
	for _, r := range cp.srv.Find("POST /channels") {
		if r.Path == "/channels" {
			orig = aritestQuery{r.Query.Get("app"), r.Query.Get("appArgs"), r.Query.Get("callerId")}
		}
	}
	if orig.app != "atiende" || orig.args != "dial" || orig.callerID != `"María López" <7222769600>` {
		t.Errorf("originate %+v", orig)
	}
	cp.srv.RemoteHangup(agentLeg) // the agent hangs up
	cp.waitHandled(caller)

	tk := cp.onlyTicket()
	if tk.Service != "internet_failure" || tk.Kind != tickets.Incident || tk.Channel != tickets.Phone ||
		tk.Caller.Name != "María López" || tk.Caller.Department != "Finanzas" || tk.Caller.Phone != "+527222769600" ||
		!slices.Equal(tk.IVRPath, []string{"main:1", "failures:1"}) || tk.Queue != "network" {
		t.Fatalf("ticket %+v", tk)
	}
	if heard := cp.heardDigits(caller); heard != tk.Number {
		t.Errorf("caller heard digits %q, ticket is %s", heard, tk.Number)
	}
	if tk.Assignee != "ana" {
		t.Errorf("assignee %q, want ana", tk.Assignee)
	}
	calls, err := cp.db.Calls(context.Background(), tk.Number)
	if err != nil || len(calls) != 1 {
		t.Fatalf("calls %v %v", calls, err)
	}
	cr := calls[0]
	if cr.CallID != caller || cr.Outcome != "answered" || cr.Agent != "ana" || cr.Queue != "network" ||
		cr.QueuedAt == nil || cr.AnsweredAt == nil || cr.EndedAt == nil || cr.AnsweredAt.Before(*cr.QueuedAt) {
		t.Errorf("call record %+v", cr)
	}
	offer := cp.waitEvent("call_offered", isEvent(agentdesk.CallOffered, caller, "ana"))
	if offer.TicketNumber != tk.Number || offer.CallerName != "María López" || offer.Queue != "network" {
		t.Errorf("offer event %+v", offer)
	}
	cp.finish()
}

type aritestQuery struct{ app, args, callerID string }

// Agent 1001's phone fails as Asterisk 22 reports it: it rings out
// (ChannelDestroyed cause 19, no final Dial event), is busy (Dial BUSY,
// cause 17) or is not registered (originate: 500 Allocation failed, no
// events). The ACD ends her offer with the same reason as on the embedded
// engine, pauses her for a silent or unreachable phone, and rings 1002, who
// answers and gets the ticket.
func TestCallPathAgentFailsNextAgent(t *testing.T) {
	tests := []struct {
		name     string
		register bool
		phone    aritest.Agent
		reason   string
		state    agentdesk.AgentState
		pause    string
	}{
		{"ring no answer", true, aritest.Agent{}, agentdesk.OfferNoAnswer, agentdesk.StatePaused, agentdesk.ReasonRingNoAnswer},
		{"busy", true, aritest.Agent{Busy: true}, agentdesk.OfferBusy, agentdesk.StateAvailable, ""},
		{"unreachable", false, aritest.Agent{}, agentdesk.OfferUnreachable, agentdesk.StatePaused, agentdesk.ReasonUnreachable},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			beto := agentdesk.Agent{Username: "beto", Name: "Beto", Extension: "1002", Skills: map[string]int{"network": 1}}
			cp := newCallPath(t, time.Second, ana, beto)
			if tt.register {
				cp.srv.Register("1001")
			}
			cp.srv.SetAgent("1001", tt.phone)
			cp.srv.Register("1002")
			cp.srv.SetAgent("1002", aritest.Agent{Answer: true, Delay: 50 * time.Millisecond})
			cp.setState("ana", agentdesk.StateAvailable, "")
			cp.setState("beto", agentdesk.StateAvailable, "")

			caller := cp.walkToInternetFailure("7222769600", "Maria L")
			anaLeg := cp.waitOriginated("PJSIP/1001")
			offerAna := cp.waitEvent("offer to ana", isEvent(agentdesk.CallOffered, caller, "ana"))
			ended := cp.waitEvent("offer to ana ended", isEvent(agentdesk.CallOfferEnded, caller, "ana"))
			if ended.Reason != tt.reason {
				t.Fatalf("offer to ana ended %+v, want reason %s", ended, tt.reason)
			}
			// Ended by what Asterisk reported (at the 1 s ring timeout at
			// most), not by the ACD's own deadline (ring timeout + 2 s).
			if d := ended.At.Sub(offerAna.At); d > 2500*time.Millisecond {
				t.Errorf("ana's offer lasted %s", d)
			}
			destroyed := slices.Contains(cp.srv.Sent(), "ChannelDestroyed "+anaLeg)
			if destroyed != tt.register {
				t.Errorf("ChannelDestroyed for ana's leg: %v; sent %v", destroyed, cp.srv.Sent())
			}
			after := cp.waitEvent("ana's next state", func(e agentdesk.Event) bool {
				return e.Kind == agentdesk.AgentStateChanged && e.Agent == "ana" && e.Seq > ended.Seq
			})
			if after.State != tt.state || after.PauseReason != tt.pause {
				t.Fatalf("ana went to %s (%q), want %s (%q)", after.State, after.PauseReason, tt.state, tt.pause)
			}
			betoLeg := cp.waitOriginated("PJSIP/1002")
			offerBeto := cp.waitEvent("offer to beto", isEvent(agentdesk.CallOffered, caller, "beto"))
			if offerBeto.Seq < ended.Seq {
				t.Fatalf("beto offered (seq %d) while ana still rang (ended at %d)", offerBeto.Seq, ended.Seq)
			}
			cp.waitBridged(caller, betoLeg)
			cp.srv.RemoteHangup(betoLeg)
			cp.waitHandled(caller)

			tk := cp.onlyTicket()
			if tk.Assignee != "beto" {
				t.Errorf("assignee %q, want beto", tk.Assignee)
			}
			calls, err := cp.db.Calls(context.Background(), tk.Number)
			if err != nil || len(calls) != 1 || calls[0].Outcome != "answered" || calls[0].Agent != "beto" {
				t.Fatalf("calls %+v %v", calls, err)
			}
			if n := len(cp.originated("PJSIP/1001")); n != 1 {
				t.Errorf("ana rung %d times", n)
			}
			cp.finish()
		})
	}
}

// The caller hangs up while agent 1001 rings: the ringing leg is hung up in
// Asterisk, the offer ends as abandoned, the agent is available again and
// the call is recorded as abandoned.
func TestCallPathHangUpWhileRinging(t *testing.T) {
	cp := newCallPath(t, 0, ana)
	cp.srv.Register("1001")
	cp.srv.SetAgent("1001", aritest.Agent{}) // rings
	cp.setState("ana", agentdesk.StateAvailable, "")

	caller := cp.walkToInternetFailure("7222769600", "Maria L")
	anaLeg := cp.waitOriginated("PJSIP/1001")
	waitFor(t, "agent phone ringing", func() bool { return cp.srv.Channel(anaLeg).State == "Ringing" })
	cp.srv.RemoteHangup(caller)
	cp.waitHandled(caller)
	waitFor(t, "ringing leg hung up", func() bool { return !cp.srv.Channel(anaLeg).Exists })
	if len(cp.srv.Find("DELETE /channels/"+anaLeg)) != 1 {
		t.Errorf("the ringing leg was not hung up by Atiende")
	}
	ended := cp.waitEvent("offer to ana ended", isEvent(agentdesk.CallOfferEnded, caller, "ana"))
	if ended.Reason != agentdesk.OfferAbandoned {
		t.Errorf("offer ended %+v", ended)
	}
	after := cp.waitEvent("ana's next state", func(e agentdesk.Event) bool {
		return e.Kind == agentdesk.AgentStateChanged && e.Agent == "ana" && e.Seq > ended.Seq
	})
	if after.State != agentdesk.StateAvailable {
		t.Errorf("ana went to %s (%q)", after.State, after.PauseReason)
	}
	tk := cp.onlyTicket()
	calls, err := cp.db.Calls(context.Background(), tk.Number)
	if err != nil || len(calls) != 1 || calls[0].Outcome != "abandoned" || calls[0].Agent != "" {
		t.Fatalf("calls %+v %v", calls, err)
	}
	cp.finish()
}

// The caller hangs up while talking to the agent: the agent's leg is hung up
// by Atiende, the ticket is assigned and the call record says answered.
func TestCallPathCallerHangsUpWhileBridged(t *testing.T) {
	cp := newCallPath(t, 0, ana)
	cp.srv.Register("1001")
	cp.srv.SetAgent("1001", aritest.Agent{Answer: true, Delay: 50 * time.Millisecond, EventsFirst: true})
	cp.setState("ana", agentdesk.StateAvailable, "")

	caller := cp.walkToInternetFailure("7222769600", "Maria L")
	agentLeg := cp.waitOriginated("PJSIP/1001")
	cp.waitBridged(caller, agentLeg)
	cp.srv.RemoteHangup(caller)
	cp.waitHandled(caller)
	if len(cp.srv.Find("DELETE /channels/"+agentLeg)) != 1 {
		t.Errorf("the agent's leg was not hung up by Atiende")
	}
	tk := cp.onlyTicket()
	if tk.Assignee != "ana" {
		t.Errorf("assignee %q, want ana", tk.Assignee)
	}
	calls, err := cp.db.Calls(context.Background(), tk.Number)
	if err != nil || len(calls) != 1 || calls[0].Outcome != "answered" || calls[0].Agent != "ana" {
		t.Fatalf("calls %+v %v", calls, err)
	}
	cp.waitEvent("call_ended", isEvent(agentdesk.CallEnded, caller, "ana"))
	cp.finish()
}

// The caller hangs up while waiting with music on hold: the ticket stays,
// the call is recorded as abandoned, nobody was rung.
func TestCallPathHangUpInQueue(t *testing.T) {
	cp := newCallPath(t, 0, ana)
	cp.srv.Register("1001")
	cp.setState("ana", agentdesk.StatePaused, "break")

	caller := cp.walkToInternetFailure("+52 722 555 0101", "Maria L") // unknown caller
	cp.waitEvent("call_queued", isEvent(agentdesk.CallQueued, caller, ""))
	waitFor(t, "music on hold", func() bool { return cp.srv.Channel(caller).MOH })
	cp.srv.RemoteHangup(caller)
	cp.waitHandled(caller)

	tk := cp.onlyTicket()
	if tk.State != tickets.Registered || tk.Caller.Phone != "+527225550101" || tk.Caller.Name != "Maria L" || tk.Assignee != "" {
		t.Fatalf("ticket %+v", tk)
	}
	calls, err := cp.db.Calls(context.Background(), tk.Number)
	if err != nil || len(calls) != 1 || calls[0].Outcome != "abandoned" || calls[0].EndedAt == nil {
		t.Fatalf("calls %+v %v", calls, err)
	}
	ab := cp.waitEvent("call_abandoned", isEvent(agentdesk.CallAbandoned, caller, ""))
	if ab.TicketNumber != tk.Number {
		t.Errorf("abandon event %+v", ab)
	}
	if o := cp.originated("PJSIP/1001"); len(o) != 0 {
		t.Errorf("a paused agent was rung: %v", o)
	}
	cp.finish()
}

// A known caller with an open ticket on the same service is offered to add
// the call to it; pressing 1 adds it instead of opening a new one.
func TestCallPathRecentTicketOffered(t *testing.T) {
	cp := newCallPath(t, 0, ana)
	cp.setState("ana", agentdesk.StatePaused, "break")

	first := cp.walkToInternetFailure("7222769600", "Maria L")
	cp.waitEvent("call_queued", isEvent(agentdesk.CallQueued, first, ""))
	cp.srv.RemoteHangup(first)
	cp.waitHandled(first)
	tk := cp.onlyTicket()

	c := cp.walkToInternetFailure("+527222769600", "Maria L")
	cp.waitPlayed(c, "es/existing-offer", 1)
	cp.srv.Press(c, "1")
	cp.waitEvent("call_queued", isEvent(agentdesk.CallQueued, c, ""))
	cp.srv.RemoteHangup(c)
	cp.waitHandled(c)
	if got := cp.onlyTicket(); got.Number != tk.Number {
		t.Fatalf("a new ticket %s was opened", got.Number)
	}
	calls, err := cp.db.Calls(context.Background(), tk.Number)
	if err != nil || len(calls) != 2 {
		t.Fatalf("calls on the ticket: %+v %v", calls, err)
	}
	cp.finish()
}

// A caller asks for a real ticket's status: 3, the number, #. The state
// and the number are spoken, and the flow returns to the main menu.
func TestCallPathTicketStatusByDTMF(t *testing.T) {
	cp := newCallPath(t, 0, ana)
	tk := &tickets.Ticket{Kind: tickets.Incident, Service: "internet_failure", Priority: tickets.P3, Level: 1,
		Channel: tickets.Phone, Caller: tickets.Caller{Name: "María López", Phone: "+527222769600"},
		Subject: "Sin internet", Description: "Sin internet en Finanzas", Queue: "network"}
	if err := cp.db.CreateTicket(context.Background(), tk, "agent1"); err != nil {
		t.Fatal(err)
	}
	if _, err := cp.db.Transition(context.Background(), tk.Number, tickets.InProgress,
		tickets.Change{Actor: "agent1", Version: tk.Version, Reason: "working on it"}); err != nil {
		t.Fatal(err)
	}

	c := cp.call("+15551230001", "Lab Caller")
	cp.waitPlayed(c, "es/main-menu", 1)
	cp.srv.Press(c, "3")
	cp.waitPlayed(c, "es/enter-ticket", 1)
	cp.srv.Press(c, tk.Number+"#")
	cp.waitPlayed(c, ivr.StateSound("es", tickets.InProgress), 1)
	if heard := cp.heardDigits(c); heard != tk.Number {
		t.Errorf("caller heard digits %q, ticket is %s", heard, tk.Number)
	}
	cp.waitPlayed(c, "es/main-menu", 2) // back to the main menu
	cp.srv.RemoteHangup(c)
	cp.waitHandled(c)
	if got := cp.onlyTicket(); got.Number != tk.Number {
		t.Fatalf("a ticket %s was opened", got.Number)
	}
	cp.finish()
}
