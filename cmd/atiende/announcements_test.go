package main

// End to end: a supervisor uploads recordings through the API of a real
// Atiende, and a real SIP caller (sipp) hears them. The caller's SDP points
// its audio at a UDP socket of this test, which decodes the RTP Atiende
// sends (PCMU) and looks for the uploaded tones frame by frame.

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"math"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/atiende/atiende/ivr"
	"github.com/atiende/atiende/ivr/prompts"
	"github.com/atiende/atiende/ivr/sipengine/sippeer"
	"github.com/atiende/atiende/tickets"
)

// Tones at exact 50 Hz bins of a 20 ms frame, far from each other.
const (
	noticeHz  = 1400.0
	welcomeHz = 600.0
)

// toneWAV is a prompt WAV file of d of a sine at hz.
func toneWAV(hz float64, d time.Duration) []byte {
	n := int(d.Seconds() * ivr.PromptSampleRate)
	pcm := make([]byte, 0, 2*n)
	for i := range n {
		pcm = binary.LittleEndian.AppendUint16(pcm, uint16(int16(9000*math.Sin(2*math.Pi*hz*float64(i)/ivr.PromptSampleRate))))
	}
	return ivr.PromptWAV(pcm)
}

// uploadWAV posts a recording as the API client (its session's CSRF token).
func (c *apiClient) uploadWAV(query string, wav []byte) (int, ivr.Announcement, string) {
	c.t.Helper()
	req, err := http.NewRequest("POST", c.base+"/api/v1/announcements?"+query, bytes.NewReader(wav))
	if err != nil {
		c.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "audio/wav")
	req.Header.Set("X-CSRF-Token", c.csrf)
	resp, err := c.c.Do(req)
	if err != nil {
		c.t.Fatalf("upload: %v", err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var a ivr.Announcement
	if resp.StatusCode == 201 {
		if err := json.Unmarshal(b, &a); err != nil {
			c.t.Fatalf("upload answer %s: %v", b, err)
		}
	}
	return resp.StatusCode, a, string(b)
}

type rtpPacket struct {
	from    string // the sender's address: one per call
	payload []byte
}

// rtpSink is the caller's ear: the UDP port its SDP names.
type rtpSink struct {
	conn *net.UDPConn
	mu   sync.Mutex
	pkts []rtpPacket // PCMU payloads in arrival order
	done chan struct{}
}

func newRTPSink(t *testing.T) *rtpSink {
	t.Helper()
	conn, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	s := &rtpSink{conn: conn, done: make(chan struct{})}
	go func() {
		defer close(s.done)
		buf := make([]byte, 2048)
		for {
			n, from, err := conn.ReadFromUDP(buf)
			if err != nil {
				return
			}
			b := buf[:n]
			if n < 12 || b[0]>>6 != 2 || b[1]&0x7F != 0 { // RTP version 2, PCMU only (not telephone-event)
				continue
			}
			hl := 12 + 4*int(b[0]&0x0F)
			if b[0]&0x10 != 0 && n >= hl+4 {
				hl += 4 + 4*int(binary.BigEndian.Uint16(b[hl+2:hl+4]))
			}
			if hl > n {
				continue
			}
			s.mu.Lock()
			s.pkts = append(s.pkts, rtpPacket{from: from.String(), payload: append([]byte(nil), b[hl:]...)})
			s.mu.Unlock()
		}
	}()
	t.Cleanup(s.close)
	return s
}

func (s *rtpSink) port() int { return s.conn.LocalAddr().(*net.UDPAddr).Port }

func (s *rtpSink) close() {
	s.conn.Close()
	<-s.done
}

// frames returns what the caller heard, in 20 ms frames, in arrival order
// (loopback does not reorder; sorting by sequence number would break when a
// stream's random first number wraps), from the address that sent the most:
// a late packet of an earlier call to a reused port is left out.
func (s *rtpSink) frames() [][]float64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	count := map[string]int{}
	main := ""
	for _, p := range s.pkts {
		if count[p.from]++; count[p.from] > count[main] {
			main = p.from
		}
	}
	var out [][]float64
	for _, pk := range s.pkts {
		if pk.from != main {
			continue
		}
		p := pk.payload
		for len(p) >= 160 {
			f := make([]float64, 160)
			for i := range f {
				f[i] = float64(ulaw(p[i]))
			}
			out = append(out, f)
			p = p[160:]
		}
	}
	return out
}

// ulaw decodes one G.711 µ-law byte.
func ulaw(u byte) int16 {
	u = ^u
	v := (int(u&0x0F)<<3 + 0x84) << ((u >> 4) & 7)
	if u&0x80 != 0 {
		return int16(0x84 - v)
	}
	return int16(v - 0x84)
}

// frameKind says what a frame holds: "silence", "tone" (nearly all its
// energy at hz, by Goertzel) or "sound" (anything else: the prompts' speech).
func frameKind(f []float64, hz float64) string {
	var e float64
	for _, v := range f {
		e += v * v
	}
	if math.Sqrt(e/float64(len(f))) < 300 {
		return "silence"
	}
	c := 2 * math.Cos(2*math.Pi*hz/ivr.PromptSampleRate)
	var s1, s2 float64
	for _, v := range f {
		s1, s2 = v+c*s1-s2, s1
	}
	if 2*(s1*s1+s2*s2-c*s1*s2)/(float64(len(f))*e) > 0.8 {
		return "tone"
	}
	return "sound"
}

// heard summarises a call's audio against a tone: the longest run of tone
// frames, and how many sound frames came before and after it.
type heard struct {
	frames, toneRun, soundBefore, soundAfter int
}

func (h heard) String() string {
	return fmt.Sprintf("%d frames: %d sound, then %d of the tone (%v), then %d sound", h.frames, h.soundBefore, h.toneRun,
		time.Duration(h.toneRun)*20*time.Millisecond, h.soundAfter)
}

func listen(frames [][]float64, hz float64) heard {
	kinds := make([]string, len(frames))
	for i, f := range frames {
		kinds[i] = frameKind(f, hz)
	}
	h := heard{frames: len(frames)}
	start := len(kinds)
	for i := 0; i < len(kinds); {
		j := i
		for j < len(kinds) && kinds[j] == "tone" {
			j++
		}
		if j-i > h.toneRun {
			h.toneRun, start = j-i, i
		}
		i = max(j, i+1)
	}
	for i, k := range kinds {
		if k != "sound" {
			continue
		}
		if i < start {
			h.soundBefore++
		} else {
			h.soundAfter++
		}
	}
	return h
}

// sinkCall calls 6000 from caller with sipp, its audio going to sink, and
// hangs up after talk.
func (a *atiende) sinkCall(t *testing.T, caller string, sink *rtpSink, talk time.Duration) {
	t.Helper()
	if !strings.Contains(callerHead, "m=audio [media_port]") {
		t.Fatal("the caller scenario has no audio line to point at the sink")
	}
	sc := strings.Replace(callerHead, "m=audio [media_port]", fmt.Sprintf("m=audio %d", sink.port()), 1) +
		fmt.Sprintf("  <pause milliseconds=\"%d\"/>\n", talk.Milliseconds()) + callerHangup
	path := filepath.Join(t.TempDir(), "sink_caller.xml")
	if err := os.WriteFile(path, []byte(sc), 0o600); err != nil {
		t.Fatal(err)
	}
	p := sippeer.StartSipp(t, sippeer.SippOptions{Scenario: path, Remote: a.SIPAddr, Timeout: talk + 40*time.Second,
		Keys: []string{"caller=" + caller}, Args: []string{"-s", "6000", "-m", "1"}})
	if err := p.Wait(talk + 45*time.Second); err != nil {
		t.Fatalf("caller: %v\n%s", err, p.Output())
	}
	time.Sleep(200 * time.Millisecond) // the last packets in flight
}

// A notice uploaded by the supervisor is heard right after the welcome
// and before the menu; switched off, it is not; a recorded welcome replaces
// the product's.
func TestAnnouncementsHeardOnACall(t *testing.T) {
	sippeer.Need(t, "sipp")
	a := startAtiende(t, harnessOptions{LogLevel: "debug", KeepLogs: 32 << 20})
	sup := a.login(t, "supervisora", DemoPassword)
	const caller = "+525512349876" // unknown: the call stays in Spanish

	// A bad file first: refused, and saying how to convert it.
	if code, _, body := sup.uploadWAV("language=es&prompt=notice", []byte("ID3 not a wav")); code != 422 || !strings.Contains(body, "sox in.wav -r 8000 -c 1 -b 16 out.wav") {
		t.Fatalf("a bad file: %d %s", code, body)
	}
	code, notice, body := sup.uploadWAV("language=es&prompt=notice&title=Correo+ca%C3%ADdo", toneWAV(noticeHz, 2*time.Second))
	if code != 201 || !notice.Enabled || notice.DurationMS != 2000 || notice.CreatedBy != "supervisora" {
		t.Fatalf("upload: %d %s", code, body)
	}

	// (1) With the notice: welcome, the 2 s tone, then the menu.
	sink := newRTPSink(t)
	a.sinkCall(t, caller, sink, 8*time.Second)
	sink.close()
	h := listen(sink.frames(), noticeHz)
	t.Logf("with the notice: %v", h)
	if h.toneRun < 90 || h.toneRun > 110 || h.soundBefore < 25 || h.soundAfter < 25 {
		t.Errorf("with the notice the caller heard %v; want the welcome, about 100 frames of %v Hz, then the menu", h, noticeHz)
	}
	if _, ok := a.waitLog(5*time.Second, `msg="ivr condition"`, "node=notice", "result=true"); !ok {
		t.Error("no notice condition true in the log")
	}

	// (2) Switched off: the same call goes straight from the welcome to
	// the menu.
	var off ivr.Announcement
	if code := sup.do("PUT", fmt.Sprintf("/api/v1/announcements/%d", notice.ID), map[string]any{"title": notice.Title, "enabled": false}, &off); code != 200 || off.Enabled {
		t.Fatalf("switch off: %d %+v", code, off)
	}
	sink = newRTPSink(t)
	a.sinkCall(t, caller, sink, 6*time.Second)
	sink.close()
	h = listen(sink.frames(), noticeHz)
	t.Logf("without the notice: %v", h)
	if h.toneRun > 5 || h.soundBefore+h.soundAfter < 100 {
		t.Errorf("with the notice off the caller heard %v; want the welcome and the menu, no tone", h)
	}
	if _, ok := a.waitLog(5*time.Second, `msg="ivr condition"`, "node=notice", "result=false"); !ok {
		t.Error("no notice condition false in the log")
	}

	// (3) A recorded welcome: the caller hears it first, then the menu.
	code, welcome, body := sup.uploadWAV("language=es&prompt=welcome&title=Bienvenida+grabada", toneWAV(welcomeHz, 1500*time.Millisecond))
	if code != 201 || welcome.Prompt != "welcome" {
		t.Fatalf("upload the welcome: %d %s", code, body)
	}
	sink = newRTPSink(t)
	a.sinkCall(t, caller, sink, 5*time.Second)
	sink.close()
	h = listen(sink.frames(), welcomeHz)
	t.Logf("with a recorded welcome: %v", h)
	if h.toneRun < 65 || h.toneRun > 85 || h.soundBefore > 3 || h.soundAfter < 25 {
		t.Errorf("with a recorded welcome the caller heard %v; want about 75 frames of %v Hz first, then the menu", h, welcomeHz)
	}
}

// memAnnouncements is an in-memory ivr.AnnouncementStore that counts
// audio fetches.
type memAnnouncements struct {
	mu      sync.Mutex
	list    []ivr.Announcement
	audio   map[int64][]byte
	fetches int
}

func (m *memAnnouncements) CreateAnnouncement(_ context.Context, a *ivr.Announcement, audio []byte) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	a.ID = int64(len(m.audio) + 1)
	m.list = append(m.list, *a)
	m.audio[a.ID] = audio
	return nil
}

func (m *memAnnouncements) Announcement(context.Context, int64) (*ivr.Announcement, error) {
	return nil, tickets.Errorf(tickets.ENOTFOUND, "not in the fake")
}

func (m *memAnnouncements) AnnouncementAudio(_ context.Context, id int64) ([]byte, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.fetches++
	b, ok := m.audio[id]
	if !ok {
		return nil, tickets.Errorf(tickets.ENOTFOUND, "announcement %d does not exist", id)
	}
	return b, nil
}

func (m *memAnnouncements) ListAnnouncements(context.Context) ([]ivr.Announcement, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return slices.Clone(m.list), nil
}

func (m *memAnnouncements) LiveAnnouncements(_ context.Context, t time.Time) ([]ivr.Announcement, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []ivr.Announcement
	for _, a := range m.list {
		if a.Enabled && !a.Over(t) {
			out = append(out, a)
		}
	}
	return out, nil
}

func (m *memAnnouncements) UpdateAnnouncement(_ context.Context, id int64, w ivr.AnnouncementWindow, _ string) (*ivr.Announcement, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for i := range m.list {
		if m.list[i].ID == id {
			m.list[i].Enabled, m.list[i].Start, m.list[i].End = w.Enabled, w.Start, w.End
			a := m.list[i]
			return &a, nil
		}
	}
	return nil, tickets.Errorf(tickets.ENOTFOUND, "announcement %d does not exist", id)
}

func (m *memAnnouncements) DeleteAnnouncement(_ context.Context, id int64) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.list = slices.DeleteFunc(m.list, func(a ivr.Announcement) bool { return a.ID == id })
	delete(m.audio, id)
	return nil
}

// The cache the engine plays from: loaded from the store, each recording's
// audio fetched once, changes seen on reload; on Asterisk the notice
// condition is off and the page is told uploads do not play.
func TestAnnouncementCache(t *testing.T) {
	ctx := context.Background()
	st := &memAnnouncements{audio: map[int64][]byte{}}
	ann := ivr.NewAnnouncementCache(st, ivr.DefaultFlow(), prompts.FS, slog.New(slog.DiscardHandler))
	notice := &ivr.Announcement{Language: "es", Prompt: "notice", Enabled: true, CreatedAt: time.Now().Add(-time.Minute)}
	_ = st.CreateAnnouncement(ctx, notice, toneWAV(noticeHz, 500*time.Millisecond))
	broken := &ivr.Announcement{Language: "es", Prompt: "welcome", Enabled: true}
	_ = st.CreateAnnouncement(ctx, broken, []byte("not a wav")) // never stored by the API; skipped if it were

	if err := ann.Reload(ctx); err != nil {
		t.Fatal(err)
	}
	sip := announcementNotices(Config{Engine: "sip"}, ann)
	if sip == nil || !sip("es", time.Now()) || sip("en", time.Now()) {
		t.Fatal("on the SIP engine the Spanish notice should be active, the English one not")
	}
	if announcementNotices(Config{Engine: "asterisk"}, ann) != nil || announcementsWeb(Config{Engine: "asterisk"}, ann, st).EnginePlays ||
		!announcementsWeb(Config{Engine: "sip"}, ann, st).EnginePlays {
		t.Error("on Asterisk the notice condition must be off and the page told")
	}
	if b, _ := fs.ReadFile(ann.Overlay(), "es/welcome.wav"); !bytes.Equal(b, mustRead(t, "es/welcome.wav")) {
		t.Error("an unplayable recording replaced the welcome")
	}
	if _, pcm, err := ivr.CheckPromptWAV(mustReadFS(t, ann.Overlay(), "es/notice.wav")); err != nil || len(pcm) != 8000 {
		t.Errorf("es/notice.wav: %d bytes of audio, %v", len(pcm), err)
	}

	// Reloads fetch no audio they already have; a change through the web
	// routes' hook is seen at once.
	fetches := st.fetches
	if err := ann.Reload(ctx); err != nil || st.fetches != fetches+1 { // only the broken one again
		t.Errorf("reload fetched %d recordings, want 1 (%v)", st.fetches-fetches, err)
	}
	if _, err := st.UpdateAnnouncement(ctx, notice.ID, ivr.AnnouncementWindow{Enabled: false}, "sup"); err != nil {
		t.Fatal(err)
	}
	announcementsWeb(Config{Engine: "sip"}, ann, st).Changed(ctx)
	if sip("es", time.Now()) {
		t.Error("the notice is still active after it was switched off")
	}
	if _, err := fs.Stat(ann.Overlay(), "es/notice.wav"); err == nil {
		t.Error("es/notice.wav is still served")
	}
	names := announcementsWeb(Config{Engine: "sip"}, ann, st).Prompts("en")
	if !slices.Contains(names, "notice") || !slices.Contains(names, "welcome") {
		t.Errorf("prompt names %v", names)
	}
}

func mustRead(t *testing.T, name string) []byte { return mustReadFS(t, prompts.FS, name) }

func mustReadFS(t *testing.T, fsys fs.FS, name string) []byte {
	t.Helper()
	b, err := fs.ReadFile(fsys, name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
