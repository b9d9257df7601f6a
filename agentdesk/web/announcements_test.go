package web

import (
	"bytes"
	"context"
	"encoding/binary"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/atiende/atiende/ivr"
	"github.com/atiende/atiende/ivr/prompts"
	"github.com/atiende/atiende/tickets"
)

// newAnnouncementEnv is a server with the announcement routes over the
// test database and the default flow's prompt names; changed counts the
// Changed calls.
func newAnnouncementEnv(t *testing.T, enginePlays bool, maxBytes int64) (*env, *atomic.Int32) {
	t.Helper()
	changed := &atomic.Int32{}
	e := newEnv(t, func(_ *Config, d *Deps) {
		d.Announcements = &Announcements{Store: d.Store.(ivr.AnnouncementStore),
			Prompts:     func(lang string) []string { return ivr.PromptNames(ivr.DefaultFlow(), prompts.FS, lang) },
			Changed:     func(context.Context) { changed.Add(1) },
			EnginePlays: enginePlays, MaxBytes: maxBytes}
	})
	return e, changed
}

// wavFile is a WAV file of d of silence in any format.
func wavFile(rate, channels, bits int, d time.Duration, extra ...string) []byte {
	n := int(d.Seconds()*float64(rate)) * channels * bits / 8
	var b []byte
	b = append(b, "RIFF"...)
	b = binary.LittleEndian.AppendUint32(b, 0)
	b = append(b, "WAVE"...)
	for _, chunk := range extra { // id + body, e.g. a LIST chunk
		b = append(b, chunk[:4]...)
		b = binary.LittleEndian.AppendUint32(b, uint32(len(chunk)-4))
		b = append(b, chunk[4:]...)
	}
	b = append(b, "fmt "...)
	b = binary.LittleEndian.AppendUint32(b, 16)
	b = binary.LittleEndian.AppendUint16(b, 1)
	b = binary.LittleEndian.AppendUint16(b, uint16(channels))
	b = binary.LittleEndian.AppendUint32(b, uint32(rate))
	b = binary.LittleEndian.AppendUint32(b, uint32(rate*channels*bits/8))
	b = binary.LittleEndian.AppendUint16(b, uint16(channels*bits/8))
	b = binary.LittleEndian.AppendUint16(b, uint16(bits))
	b = append(b, "data"...)
	b = binary.LittleEndian.AppendUint32(b, uint32(n))
	pcm := make([]byte, n)
	for i := range pcm {
		pcm[i] = byte(i * 7) // not silence: a recognisable pattern
	}
	return append(b, pcm...)
}

func (c *client) upload(query string, wav []byte) resp {
	c.e.t.Helper()
	return c.do("POST", "/api/v1/announcements?"+query, wav, "Content-Type", "audio/wav")
}

type annList struct {
	Items       []ivr.Announcement  `json:"items"`
	Playing     []int64             `json:"playing"`
	Prompts     map[string][]string `json:"prompts"`
	EnginePlays bool                `json:"engine_plays"`
	MaxBytes    int64               `json:"max_bytes"`
}

func TestAnnouncementsAPI(t *testing.T) {
	t.Parallel()
	e, changed := newAnnouncementEnv(t, true, 0)
	sup := e.login("sup1", tickets.RoleSupervisor)
	adm := e.login("root", tickets.RoleAdmin)

	var l annList
	sup.must(200, "GET", "/api/v1/announcements", nil, &l)
	if len(l.Items) != 0 || len(l.Playing) != 0 || !l.EnginePlays || l.MaxBytes != ivr.MaxPromptBytes ||
		!slices.Contains(l.Prompts["es"], "welcome") || !slices.Contains(l.Prompts["en"], "notice") || slices.Contains(l.Prompts["es"], "nonsense") {
		t.Fatalf("empty list %+v", l)
	}

	// A notice for this morning, with a title.
	wav := wavFile(8000, 1, 16, 1500*time.Millisecond, "LIST\x04\x00\x00\x00INFO")
	start, end := e.clock.Now().Add(-time.Hour), e.clock.Now().Add(3*time.Hour)
	r := sup.upload("language=es&prompt=notice&title=Correo+ca%C3%ADdo&start="+start.Format(time.RFC3339)+"&end="+end.Format(time.RFC3339), wav)
	if r.status != 201 {
		t.Fatalf("upload: %d %s", r.status, r.body)
	}
	var notice ivr.Announcement
	r.decode(t, &notice)
	if notice.ID == 0 || notice.Language != "es" || notice.Prompt != "notice" || notice.Title != "Correo caído" || !notice.Enabled ||
		notice.DurationMS != 1500 || notice.CreatedBy != "sup1" || !notice.Start.Equal(start) || !notice.End.Equal(end) ||
		r.header.Get("Location") != "/api/v1/announcements/"+itoa(int(notice.ID)) || changed.Load() != 1 {
		t.Fatalf("uploaded %+v (Location %q, changed %d)", notice, r.header.Get("Location"), changed.Load())
	}

	// Listening: the stored file is the plain WAV of the samples, in ranges too.
	_, pcm, err := ivr.ParseWAV(wav)
	if err != nil {
		t.Fatal(err)
	}
	a := sup.do("GET", "/api/v1/announcements/"+itoa(int(notice.ID))+"/audio", nil)
	if a.status != 200 || a.header.Get("Content-Type") != "audio/wav" || !bytes.Equal(a.body, ivr.PromptWAV(pcm)) ||
		notice.AudioBytes != int64(len(a.body)) || !strings.Contains(a.header.Get("Content-Disposition"), "inline") {
		t.Fatalf("audio: %d %q %d bytes (%s)", a.status, a.header.Get("Content-Type"), len(a.body), a.header.Get("Content-Disposition"))
	}
	part := sup.do("GET", "/api/v1/announcements/"+itoa(int(notice.ID))+"/audio", nil, "Range", "bytes=0-43")
	if part.status != 206 || !bytes.Equal(part.body, a.body[:44]) {
		t.Errorf("range: %d, %d bytes", part.status, len(part.body))
	}

	// Two recordings of the welcome: the newer one plays; an admin may upload.
	old := sup.upload("language=es&prompt=welcome&title=Antigua", wavFile(8000, 1, 16, 200*time.Millisecond))
	e.clock.Add(time.Minute)
	newer := adm.upload("language=es&prompt=welcome&title=Nueva", wavFile(8000, 1, 16, 300*time.Millisecond))
	off := sup.upload("language=en&prompt=welcome&enabled=false", wavFile(8000, 1, 16, 300*time.Millisecond))
	var o, n, f ivr.Announcement
	if old.status != 201 || newer.status != 201 || off.status != 201 {
		t.Fatalf("uploads: %d %s / %d %s / %d %s", old.status, old.body, newer.status, newer.body, off.status, off.body)
	}
	old.decode(t, &o)
	newer.decode(t, &n)
	off.decode(t, &f)
	sup.must(200, "GET", "/api/v1/announcements", nil, &l)
	if len(l.Items) != 4 || !slices.Equal(l.Playing, []int64{notice.ID, n.ID}) || f.Enabled {
		t.Fatalf("list %d items, playing %v (want %d and %d)", len(l.Items), l.Playing, notice.ID, n.ID)
	}

	// Switch the newer one off: the old one plays again. Then a window for it.
	var got ivr.Announcement
	sup.must(200, "PUT", "/api/v1/announcements/"+itoa(int(n.ID)), map[string]any{"title": "Nueva", "enabled": false}, &got)
	if got.Enabled || got.UpdatedBy != "sup1" || got.Title != "Nueva" {
		t.Fatalf("switched off: %+v", got)
	}
	sup.must(200, "GET", "/api/v1/announcements", nil, &l)
	if !slices.Equal(l.Playing, []int64{notice.ID, o.ID}) {
		t.Errorf("playing %v after switching %d off, want %d and %d", l.Playing, n.ID, notice.ID, o.ID)
	}
	later := e.clock.Now().Add(24 * time.Hour)
	sup.must(200, "PUT", "/api/v1/announcements/"+itoa(int(n.ID)), map[string]any{"title": "Nueva", "enabled": true,
		"start": later.Format(time.RFC3339), "end": nil}, &got)
	if !got.Enabled || got.Start == nil || !got.Start.Equal(later) || got.End != nil {
		t.Fatalf("window: %+v", got)
	}
	for _, tc := range []struct {
		body   any
		status int
		msg    string
	}{
		{map[string]any{"enabled": true, "start": later.Format(time.RFC3339), "end": e.clock.Now().Format(time.RFC3339)}, 422, "must be after start"},
		{map[string]any{"enabled": "yes"}, 400, `"enabled" must be a boolean`},
		{map[string]any{"language": "en"}, 400, "unknown field"},
	} {
		r := sup.do("PUT", "/api/v1/announcements/"+itoa(int(n.ID)), tc.body)
		if _, msg := r.errCode(); r.status != tc.status || !strings.Contains(msg, tc.msg) {
			t.Errorf("PUT %v: %d %s, want %d %q", tc.body, r.status, r.body, tc.status, tc.msg)
		}
	}

	// Delete: gone, with its recording.
	if r := sup.do("DELETE", "/api/v1/announcements/"+itoa(int(o.ID)), nil); r.status != 204 {
		t.Fatalf("delete: %d %s", r.status, r.body)
	}
	for _, p := range []string{"", "/audio"} {
		if r := sup.do("GET", "/api/v1/announcements/"+itoa(int(o.ID))+p, nil); r.status != 404 {
			t.Errorf("GET deleted%s: %d", p, r.status)
		}
	}
	if r := sup.do("DELETE", "/api/v1/announcements/"+itoa(int(o.ID)), nil); r.status != 404 {
		t.Errorf("second delete: %d", r.status)
	}
	if r := sup.do("GET", "/api/v1/announcements/x1", nil); r.status != 404 {
		t.Errorf("GET x1: %d", r.status)
	}
	if n := changed.Load(); n != 7 { // 4 uploads, 2 PUTs, 1 delete
		t.Errorf("Changed called %d times, want 7", n)
	}
}

// Every refusal says what is wrong; nothing is stored.
func TestAnnouncementUploadRefusals(t *testing.T) {
	t.Parallel()
	e, changed := newAnnouncementEnv(t, true, 100_000)
	sup := e.login("sup1", tickets.RoleSupervisor)
	good := wavFile(8000, 1, 16, time.Second)
	truncated := good[:len(good)-100]
	for _, tc := range []struct {
		name, query string
		body        []byte
		ctype       string
		status      int
		msg         []string
	}{
		{"stereo", "language=es&prompt=welcome", wavFile(8000, 2, 16, time.Second), "", 422,
			[]string{"8000 Hz, stereo, 16-bit PCM", "sox in.wav -r 8000 -c 1 -b 16 out.wav"}},
		{"44.1 kHz", "language=es&prompt=welcome", wavFile(44100, 1, 16, 500*time.Millisecond), "", 422,
			[]string{"44100 Hz, mono", "8000 Hz, mono, 16-bit PCM", "sox in.wav"}},
		{"not a WAV", "language=es&prompt=welcome", []byte("ID3\x04 an mp3 file, really"), "", 422, []string{"not a WAV file", "sox"}},
		{"truncated", "language=es&prompt=welcome", truncated, "", 422, []string{"truncated"}},
		{"too big", "language=es&prompt=welcome", wavFile(8000, 1, 16, 7*time.Second), "", 413, []string{"larger than"}},
		{"unknown prompt", "language=es&prompt=teleport", good, "", 422, []string{`prompt "teleport" is not one the IVR plays in es`}},
		{"bad prompt name", "language=es&prompt=../etc", good, "", 422, []string{"not a prompt name"}},
		{"no language", "prompt=welcome", good, "", 422, []string{"language must be es or en"}},
		{"French", "language=fr&prompt=welcome", good, "", 422, []string{"language must be es or en"}},
		{"bad start", "language=es&prompt=welcome&start=tomorrow", good, "", 400, []string{"start must be an RFC 3339 time"}},
		{"end before start", "language=es&prompt=welcome&start=2026-03-03T10:00:00Z&end=2026-03-03T09:00:00Z", good, "", 422, []string{"end", "after start"}},
		{"bad switch", "language=es&prompt=welcome&enabled=maybe", good, "", 400, []string{"enabled must be true or false"}},
		{"JSON body", "language=es&prompt=welcome", []byte(`{"audio":"..."}`), "application/json", 415, []string{"audio/wav"}},
	} {
		ctype := tc.ctype
		if ctype == "" {
			ctype = "audio/wav"
		}
		r := sup.do("POST", "/api/v1/announcements?"+tc.query, tc.body, "Content-Type", ctype)
		_, msg := r.errCode()
		if r.status != tc.status {
			t.Errorf("%s: %d %s, want %d", tc.name, r.status, r.body, tc.status)
			continue
		}
		for _, m := range tc.msg {
			if !strings.Contains(msg, m) {
				t.Errorf("%s: message %q does not say %q", tc.name, msg, m)
			}
		}
	}
	// audio/x-wav (what some browsers send) is a WAV too.
	if r := sup.do("POST", "/api/v1/announcements?language=en&prompt=goodbye", good, "Content-Type", "audio/x-wav"); r.status != 201 {
		t.Errorf("audio/x-wav: %d %s", r.status, r.body)
	}
	var l annList
	sup.must(200, "GET", "/api/v1/announcements", nil, &l)
	if len(l.Items) != 1 || changed.Load() != 1 {
		t.Errorf("%d stored, %d changes after the refusals, want 1 and 1", len(l.Items), changed.Load())
	}
}

func TestAnnouncementRoles(t *testing.T) {
	t.Parallel()
	e, _ := newAnnouncementEnv(t, true, 0)
	good := wavFile(8000, 1, 16, 100*time.Millisecond)
	for _, role := range []tickets.Role{tickets.RoleAgent, tickets.RoleTechnician, tickets.RoleNetwork} {
		c := e.login("u-"+string(role), role)
		for _, r := range []resp{
			c.do("GET", "/api/v1/announcements", nil),
			c.upload("language=es&prompt=welcome", good),
			c.do("GET", "/api/v1/announcements/1/audio", nil),
			c.do("DELETE", "/api/v1/announcements/1", nil),
		} {
			if r.status != 403 {
				t.Errorf("%s: %d %s", role, r.status, r.body)
			}
		}
	}
	anon := e.anon()
	if r := anon.do("GET", "/api/v1/announcements/1/audio", nil); r.status != 401 {
		t.Errorf("anonymous listening: %d", r.status)
	}
	// A browser session must send its CSRF token to upload.
	sup := e.login("sup1", tickets.RoleSupervisor)
	sup.csrf = ""
	if r := sup.upload("language=es&prompt=welcome", good); r.status != 403 {
		t.Errorf("upload without CSRF token: %d", r.status)
	}
}

// On an engine that cannot play uploads, they are kept but none plays.
func TestAnnouncementsOnAnEngineThatCannotPlayThem(t *testing.T) {
	t.Parallel()
	e, _ := newAnnouncementEnv(t, false, 0)
	sup := e.login("sup1", tickets.RoleSupervisor)
	if r := sup.upload("language=es&prompt=notice", wavFile(8000, 1, 16, 100*time.Millisecond)); r.status != 201 {
		t.Fatalf("upload: %d %s", r.status, r.body)
	}
	var l annList
	sup.must(200, "GET", "/api/v1/announcements", nil, &l)
	if len(l.Items) != 1 || len(l.Playing) != 0 || l.EnginePlays {
		t.Errorf("list %+v", l)
	}
}

// The routes are in the OpenAPI document, the upload as an audio/wav body
// with its query.
func TestAnnouncementsOpenAPI(t *testing.T) {
	t.Parallel()
	e, _ := newAnnouncementEnv(t, true, 0)
	var doc struct {
		Paths map[string]map[string]struct {
			Parameters  []struct{ Name string } `json:"parameters"`
			RequestBody struct {
				Content map[string]any `json:"content"`
			} `json:"requestBody"`
			Roles []string `json:"x-roles"`
		} `json:"paths"`
	}
	e.anon().must(200, "GET", "/api/v1/openapi.json", nil, &doc)
	n := 0
	for _, r := range e.s.Routes() {
		method, path, _ := strings.Cut(r, " ")
		if !strings.Contains(path, "/announcements") {
			continue
		}
		n++
		op, ok := doc.Paths[path][strings.ToLower(method)]
		if !ok {
			t.Errorf("%s is not documented", r)
			continue
		}
		if !slices.Equal(op.Roles, []string{"supervisor", "admin"}) {
			t.Errorf("%s: roles %v", r, op.Roles)
		}
	}
	up := doc.Paths["/api/v1/announcements"]["post"]
	if _, ok := up.RequestBody.Content["audio/wav"]; !ok || len(up.Parameters) != 6 || n != 6 {
		t.Errorf("upload documented as %+v; %d routes", up, n)
	}
}

// Without Deps.Announcements there are no routes.
func TestNoAnnouncementRoutesWithoutDeps(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	for _, r := range e.s.Routes() {
		if strings.Contains(r, "/announcements") {
			t.Errorf("route %s", r)
		}
	}
}
