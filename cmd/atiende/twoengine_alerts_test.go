package main

// Two rows of the two-engine call-path table (twoengine_test.go): an IVR
// announcement a supervisor uploads is heard by callers, and a P1 ticket's
// phone alert rings the on-call technician, who acknowledges it with 1.
// Both check the audio the person on the phone received.

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/atiende/atiende/escalation/desk"
	"github.com/atiende/atiende/ivr"
	"github.com/atiende/atiende/ivr/sipengine/sippeer"
	"github.com/atiende/atiende/tickets"
	"github.com/atiende/atiende/tickets/postgres"
)

// p1AlertOpts runs a help desk whose P1 tickets escalate to level 2 after
// 2 s, and whose level 2 is Raúl Herrera (extension 1001), then Teresa
// Luna (1002): testdata/p1-alert-sla.yml.
var p1AlertOpts = harnessOptions{Queues: testQueues, Extra: "escalation:\n  file: " + absTestdata("p1-alert-sla.yml") + "\n"}

// absTestdata is the absolute path of a file of testdata/ (a relative one
// would be read beside the harness's config file).
func absTestdata(name string) string {
	p, err := filepath.Abs(filepath.Join("testdata", name))
	if err != nil {
		panic(err)
	}
	return p
}

// unknownCaller is in no directory: the call stays in Spanish and meets
// no open ticket.
const unknownCaller = "+525512349876"

// UploadedAnnouncementHeard: the supervisor uploads a notice (2 s of
// noticeHz) through the API; a caller hears the welcome, the tone, then
// the menu. Switched off, the next caller hears no tone. On Asterisk the
// upload is played from its sounds folder (asteriskEnv), and its log names
// the file.
func scUploadedAnnouncementHeard(t *testing.T, d *helpDesk) {
	sup := d.login(t, "supervisora", DemoPassword)
	code, notice, body := sup.uploadWAV("language=es&prompt=notice&title=Correo+ca%C3%ADdo", toneWAV(noticeHz, 2*time.Second))
	if code != 201 || !notice.Enabled {
		t.Fatalf("upload: %d %s", code, body)
	}

	h := listen(d.sinkHear(t, unknownCaller, 8*time.Second), noticeHz)
	t.Logf("with the notice: %v", h)
	if h.toneRun < 90 || h.toneRun > 110 || h.soundBefore < 25 || h.soundAfter < 25 {
		t.Errorf("with the notice the caller heard %v; want the welcome, about 100 frames of %v Hz, then the menu", h, noticeHz)
	}
	if _, ok := d.waitLog(5*time.Second, `msg="ivr condition"`, "node=notice", "result=true"); !ok {
		t.Error("no notice condition true in the log")
	}
	custom := 0
	if d.ast != nil {
		custom = strings.Count(d.ast.Log(), "Playing 'atiende-custom/")
		if custom != 1 {
			t.Errorf("Asterisk played %d uploaded recordings, want 1 (the notice)", custom)
		}
	}

	var off ivr.Announcement
	if code := sup.do("PUT", fmt.Sprintf("/api/v1/announcements/%d", notice.ID),
		map[string]any{"title": notice.Title, "enabled": false}, &off); code != 200 || off.Enabled {
		t.Fatalf("switch off: %d %+v", code, off)
	}
	h = listen(d.sinkHear(t, unknownCaller, 6*time.Second), noticeHz)
	t.Logf("without the notice: %v", h)
	if h.toneRun > 5 || h.soundBefore+h.soundAfter < 100 {
		t.Errorf("with the notice off the caller heard %v; want the welcome and the menu, no tone", h)
	}
	if _, ok := d.waitLog(5*time.Second, `msg="ivr condition"`, "node=notice", "result=false"); !ok {
		t.Error("no notice condition false in the log")
	}
	if d.ast != nil {
		if n := strings.Count(d.ast.Log(), "Playing 'atiende-custom/"); n != custom {
			t.Errorf("Asterisk played an uploaded recording with the notice off (%d plays, %d before)", n, custom)
		}
	}
}

// sinkHear calls 6000 from caller with sipp, stays talk, hangs up, and
// returns the audio that reached the caller's media address (a socket of
// the test).
func (d *helpDesk) sinkHear(t *testing.T, caller string, talk time.Duration) [][]float64 {
	t.Helper()
	sink := newRTPSink(t)
	sc := strings.Replace(callerHead, "m=audio [media_port]", fmt.Sprintf("m=audio %d", sink.port()), 1) +
		fmt.Sprintf("  <pause milliseconds=\"%d\"/>\n", talk.Milliseconds()) + callerHangup
	path := filepath.Join(t.TempDir(), "sink_caller.xml")
	if err := os.WriteFile(path, []byte(sc), 0o600); err != nil {
		t.Fatal(err)
	}
	p := sippeer.StartSipp(t, sippeer.SippOptions{Scenario: path, Remote: d.phones, Timeout: talk + 40*time.Second,
		Keys: []string{"caller=" + caller}, Args: []string{"-s", "6000", "-m", "1"}})
	if err := p.Wait(talk + 45*time.Second); err != nil {
		t.Fatalf("caller: %v\n%s", err, p.Output())
	}
	time.Sleep(200 * time.Millisecond) // the last packets in flight
	sink.close()
	return sink.frames()
}

// P1AlertAcknowledged: the supervisor opens a P1 ticket; 2 s later it
// escalates to level 2, whose first on-call technician (Raúl, extension
// 1001) is phoned. His phone rings, he answers, hears "ticket <number>,
// 1" and presses 1. Stored: the ticket at level 2, a note saying Raúl
// acknowledged on 1001, the alert done; the chain stops: Teresa's phone
// (1002) never rings and no further alert is scheduled.
func scP1AlertAcknowledged(t *testing.T, d *helpDesk) {
	rec := t.TempDir()
	raul := d.phone(t, "1001", sippeer.BaresipConfig{AutoAnswer: true, RecordDir: rec})
	teresa := d.phone(t, "1002", sippeer.BaresipConfig{})
	sup := d.login(t, "supervisora", DemoPassword)
	var tk tickets.Ticket
	if code := sup.do("POST", "/api/v1/tickets", map[string]any{"service": "internet_failure", "impact": "high", "urgency": "high",
		"subject": "Sin internet en todo el edificio", "description": "Caído desde las 9",
		"caller": map[string]string{"name": "María López", "phone": mariaPhone}}, &tk); code != 201 {
		t.Fatalf("create the P1 ticket: %d", code)
	}
	if tk.Priority != tickets.P1 {
		t.Fatalf("ticket %s has priority %v, want P1", tk.Number, tk.Priority)
	}
	// His phone answers by itself (it gives no CALL_INCOMING then).
	ans, err := raul.WaitEvent("CALL_ESTABLISHED", 30*time.Second)
	if err != nil {
		t.Fatalf("the on-call technician's phone: %v\n%s\n%s", err, raul.Output(), tail(d.Logs.String(), 4000))
	}
	if ans["peerdisplayname"] != "Mesa de Servicio" || !strings.HasPrefix(fmt.Sprint(ans["peeruri"]), "sip:6000@") {
		t.Errorf("the technician's phone shows the call from %q <%v>, want the help desk: Mesa de Servicio <sip:6000@...>",
			ans["peerdisplayname"], ans["peeruri"])
	}
	// "Ticket" (0.6 s), six digits (3 s), "1" (0.5 s), a pause (2 s): he
	// presses 1 while the alert is said again.
	press(t, raul, 8*time.Second, 0, "1")
	if _, err := raul.WaitEvent("CALL_CLOSED", 15*time.Second); err != nil {
		t.Errorf("the alert call was not hung up after the 1: %v", err)
	}
	alerts := func() []postgres.TimerState {
		list, err := d.store().Timers().TicketTimers(t.Context(), tk.Number)
		if err != nil {
			t.Fatal(err)
		}
		return slices.DeleteFunc(list, func(x postgres.TimerState) bool { return x.Kind != desk.PhoneAlert })
	}
	if !waitFor(10*time.Second, func() bool { a := alerts(); return len(a) == 1 && a[0].State == "done" }) {
		t.Errorf("phone alerts of ticket %s: %+v, want one, done", tk.Number, alerts())
	}
	if cur := d.ticket(t, tk.Number); cur.Level != 2 {
		t.Errorf("ticket %s at level %d, want 2", tk.Number, cur.Level)
	}
	hist, err := d.store().History(t.Context(), tk.Number)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.ContainsFunc(hist, func(h tickets.HistoryEntry) bool {
		return h.Field == "level" && h.From == "1" && h.To == "2" && h.Actor == desk.SystemActor &&
			strings.Contains(h.Reason, "25% of the response target")
	}) {
		t.Errorf("no escalation to level 2 in the history of ticket %s: %+v", tk.Number, hist)
	}
	notes, err := d.store().Notes(t.Context(), tk.Number, true)
	if err != nil {
		t.Fatal(err)
	}
	var acked []string
	for _, n := range notes {
		if strings.Contains(n.Body, "acknowledged") {
			acked = append(acked, n.Body)
		}
	}
	if len(acked) != 1 || !strings.Contains(acked[0], "Escalation to level 2 acknowledged by Raúl Herrera by phone (1001)") {
		t.Errorf("notes on the acknowledgement: %q, want one saying Raúl Herrera acknowledged on 1001", acked)
	}
	// The chain stops: an unacknowledged alert schedules the next contact
	// at once; none comes.
	time.Sleep(3 * time.Second)
	if _, err := teresa.WaitEvent("CALL_INCOMING", time.Second); err == nil {
		t.Error("Teresa's phone (the next contact) rang after Raúl acknowledged")
	}
	if a := alerts(); len(a) != 1 {
		t.Errorf("phone alerts of ticket %s after the acknowledgement: %+v, want the one", tk.Number, a)
	}
	timers, err := d.store().Timers().TicketTimers(t.Context(), tk.Number)
	if err != nil {
		t.Fatal(err)
	}
	for _, x := range timers {
		if strings.Contains(x.Key, "unacknowledged") {
			t.Errorf("the supervisor is told nobody acknowledged: %s", x.Key)
		}
	}
	d.checkAlertHeard(t, rec, tk.Number)
}

// phone starts a baresip phone registered as ext where phones register on
// this engine (d.agent's), configured by c otherwise.
func (d *helpDesk) phone(t *testing.T, ext string, c sippeer.BaresipConfig) *sippeer.Baresip {
	t.Helper()
	c.Account, c.Password, c.Registrar, c.Timeout = ext, "demo"+ext, d.phones, 150*time.Second
	if d.ast != nil {
		c.Password = ext // asterisklab: CHANGE-ME-<ext> becomes <ext>
	}
	b := sippeer.StartBaresip(t, c)
	ok := waitFor(10*time.Second, func() bool {
		if d.ast == nil {
			_, ok := d.findLog(`msg="extension status"`, "extension="+ext, "state=registered")
			return ok
		}
		var ep struct{ State string }
		return d.ast.ARI("GET", "/endpoints/PJSIP/"+ext, &ep) == nil && ep.State == "online"
	})
	if !ok {
		t.Fatalf("baresip %s did not register\n%s", ext, b.Output())
	}
	return b
}

// checkAlertHeard: the technician heard "ticket", the ticket's digits and
// "1": the loudness of what his phone received (baresip's recording)
// follows that of the prompts, 20 ms frame by frame. On Asterisk its log
// also names each sound it played.
func (d *helpDesk) checkAlertHeard(t *testing.T, dir, number string) {
	t.Helper()
	// The recording holds the packets received; the embedded engine sends
	// none between two alerts: silence.
	rec := recordedFrames(t, dir)
	got := append(loudness(rec), make([]float64, 50)...)
	want := loudness(alertFrames(t, number))
	lag, r := bestMatch(smooth(got), smooth(want))
	t.Logf("%d frames received; the alert (%d frames) matches from frame %d with correlation %.3f", len(rec), len(want), lag, r)
	if r < 0.9 {
		t.Errorf("the technician did not hear the alert for ticket %s: best correlation %.3f (at frame %d of %d)\nheard %.0f\nwant %.0f",
			number, r, lag, len(rec), got, want)
	}
	// Another number's alert matches worse: the digits were heard.
	other := []rune(number)
	slices.Reverse(other)
	if string(other) != number {
		_, ro := bestMatch(smooth(got), smooth(loudness(alertFrames(t, string(other)))))
		t.Logf("the alert of %s would match with correlation %.3f", string(other), ro)
		if ro >= r {
			t.Errorf("what the technician heard matches the alert of %s (%.3f) as well as that of %s (%.3f)", string(other), ro, number, r)
		}
	}
	if d.ast == nil {
		return
	}
	want2 := []string{"ticket"}
	for _, s := range ivr.DigitSounds("es", number) {
		want2 = append(want2, strings.TrimPrefix(s, "es/"))
	}
	want2 = append(want2, "digit-1")
	heard := d.heard()
	i := slices.Index(heard, "ticket")
	if i < 0 || len(heard) < i+len(want2) || !slices.Equal(heard[i:i+len(want2)], want2) {
		t.Errorf("Asterisk played %q; want the alert %q", heard, want2)
	}
}

// alertFrames is the alert's audio (desk.PhoneCaller's default prompts)
// in 20 ms frames.
func alertFrames(t *testing.T, number string) [][]float64 {
	t.Helper()
	out := promptFrames(t, "es/ticket.wav")
	for _, s := range ivr.DigitSounds("es", number) {
		out = append(out, promptFrames(t, s+".wav")...)
	}
	return append(out, promptFrames(t, "es/digit-1.wav")...)
}

// recordedFrames reads the one call baresip recorded in dir (what it
// received, decoded: dump-*-dec.wav) as 8 kHz mono 20 ms frames.
func recordedFrames(t *testing.T, dir string) [][]float64 {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join(dir, "dump-*-dec.wav"))
	if len(files) != 1 {
		t.Fatalf("baresip's recordings of received audio: %v, want one", files)
	}
	b, err := os.ReadFile(files[0])
	if err != nil {
		t.Fatal(err)
	}
	rate, channels, pcm, err := wavPCM16(b)
	if err != nil {
		t.Fatalf("%s: %v", files[0], err)
	}
	if rate%ivr.PromptSampleRate != 0 {
		t.Fatalf("%s: %d Hz", files[0], rate)
	}
	step := channels * rate / ivr.PromptSampleRate // keep the first channel, every step-th sample
	var samples []float64
	for i := 0; 2*i+1 < len(pcm); i += step {
		samples = append(samples, float64(int16(binary.LittleEndian.Uint16(pcm[2*i:]))))
	}
	var out [][]float64
	for len(samples) >= 160 {
		out = append(out, samples[:160])
		samples = samples[160:]
	}
	return out
}

// wavPCM16 finds the format and the samples of a 16-bit PCM WAV file; a
// data chunk whose size was never written runs to the end of the file.
func wavPCM16(b []byte) (rate, channels int, pcm []byte, err error) {
	if len(b) < 12 || !bytes.Equal(b[:4], []byte("RIFF")) || !bytes.Equal(b[8:12], []byte("WAVE")) {
		return 0, 0, nil, fmt.Errorf("not a WAV file")
	}
	for p := 12; p+8 <= len(b); {
		id, size := string(b[p:p+4]), int(binary.LittleEndian.Uint32(b[p+4:]))
		body := b[p+8:]
		switch id {
		case "fmt ":
			if len(body) < 16 || binary.LittleEndian.Uint16(body) != 1 || binary.LittleEndian.Uint16(body[14:]) != 16 {
				return 0, 0, nil, fmt.Errorf("not 16-bit PCM")
			}
			channels, rate = int(binary.LittleEndian.Uint16(body[2:])), int(binary.LittleEndian.Uint32(body[4:]))
		case "data":
			if rate == 0 {
				return 0, 0, nil, fmt.Errorf("data before fmt")
			}
			if size == 0 || size > len(body) {
				size = len(body)
			}
			return rate, channels, body[:size], nil
		}
		p += 8 + size + size%2
	}
	return 0, 0, nil, fmt.Errorf("no data chunk")
}
