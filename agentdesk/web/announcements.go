package web

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/atiende/atiende/ivr"
	"github.com/atiende/atiende/tickets"
)

// IVR announcements (the admin page): supervisors and admins upload WAV
// recordings that replace one of the flow's prompts in one language (the
// help desk's own recorded welcome), and notices (prompt "notice": "we know
// email is down") that the flow plays right after the welcome. Each has an
// optional window and a switch. Which one callers hear is
// ivr.PlayingAnnouncements' rule: every active notice, in the order they
// began; for a prompt, the active recording that began last. The routes
// exist when Deps.Announcements is set.

// Announcements is what the announcement routes need.
type Announcements struct {
	Store ivr.AnnouncementStore
	// Prompts lists the prompt names a recording may replace in a language
	// ("es", "en"), ivr.NoticePrompt among them when the flow plays
	// notices (ivr.PromptNames).
	Prompts func(lang string) []string
	// PromptText is what a prompt says in a language, the words the page
	// names it by instead of its file name; nil or "": the page names it
	// generically.
	PromptText func(lang, name string) string
	// Changed is called after every change, before the answer, so the IVR's
	// cache holds it when the client hears back; nil: nothing to tell.
	Changed func(ctx context.Context)
	// EnginePlays is false when the telephony engine cannot play uploaded
	// recordings (Asterisk plays files from its own disk): they are kept and
	// listed, none plays, and the page says so.
	EnginePlays bool
	// MaxBytes caps an upload (413 beyond); default ivr.MaxPromptBytes.
	MaxBytes int64
}

type announcementList struct {
	Items []ivr.Announcement `json:"items"`
	// Playing are the IDs callers hear now (none when the engine cannot
	// play uploads).
	Playing []int64 `json:"playing"`
	// Prompts are, by language, the names a recording may replace.
	Prompts map[string][]string `json:"prompts"`
	// PromptTexts are, by language, what each of those prompts says.
	PromptTexts map[string]map[string]string `json:"prompt_texts"`
	EnginePlays bool                         `json:"engine_plays"`
	MaxBytes    int64                        `json:"max_bytes"`
}

func uploadQuery() []param {
	return []param{
		{Name: "language", Type: "string", Required: true, Description: "es or en"},
		{Name: "prompt", Type: "string", Required: true, Description: "the prompt it replaces (e.g. welcome), or notice for a notice played after the welcome"},
		{Name: "title", Type: "string", Description: "what it says, for the list (at most 200 characters)"},
		{Name: "start", Type: "string", Description: "RFC 3339; it plays from then (default: at once)"},
		{Name: "end", Type: "string", Description: "RFC 3339; it stops playing then (default: until switched off)"},
		{Name: "enabled", Type: "boolean", Description: "default true"},
	}
}

func (s *Server) announcementRoutes() []route {
	if s.ann == nil {
		return nil
	}
	return []route{
		{Method: "GET", Path: API + "/announcements", Roles: leadRoles, Tag: "announcements",
			Summary: "List the IVR announcements, which play now, and the prompts a recording may replace",
			Status:  200, Resp: announcementList{}, Handle: s.listAnnouncements},
		{Method: "POST", Path: API + "/announcements", Roles: leadRoles, Tag: "announcements",
			Summary: "Upload an IVR announcement: a WAV file (8000 Hz, mono, 16-bit PCM, at most 5 MiB) as the body, what it replaces in the query",
			Query:   uploadQuery(), Body: "", BodyType: "audio/wav", Status: 201, Resp: ivr.Announcement{}, Handle: s.uploadAnnouncement},
		{Method: "GET", Path: API + "/announcements/{id}", Roles: leadRoles, Tag: "announcements", Summary: "Get an IVR announcement",
			Status: 200, Resp: ivr.Announcement{}, Handle: s.getAnnouncement},
		{Method: "PUT", Path: API + "/announcements/{id}", Roles: leadRoles, Tag: "announcements",
			Summary: "Change an IVR announcement's title, window and switch (null start or end: no bound)",
			Body:    ivr.AnnouncementWindow{}, Status: 200, Resp: ivr.Announcement{}, Handle: s.putAnnouncement},
		{Method: "DELETE", Path: API + "/announcements/{id}", Roles: leadRoles, Tag: "announcements", Summary: "Delete an IVR announcement and its recording",
			Status: 204, Handle: s.deleteAnnouncement},
		{Method: "GET", Path: API + "/announcements/{id}/audio", Roles: leadRoles, Tag: "announcements",
			Summary: "Listen to an IVR announcement (audio/wav; byte ranges)", Status: 200, Handle: s.announcementAudio},
	}
}

func (s *Server) annMaxBytes() int64 {
	if s.ann.MaxBytes > 0 {
		return s.ann.MaxBytes
	}
	return ivr.MaxPromptBytes
}

func (s *Server) annChanged(ctx context.Context) {
	if s.ann.Changed != nil {
		s.ann.Changed(ctx)
	}
}

func (s *Server) listAnnouncements(w http.ResponseWriter, r *http.Request, _ *caller) error {
	items, err := s.ann.Store.ListAnnouncements(r.Context())
	if err != nil {
		return err
	}
	resp := announcementList{Items: items, Playing: []int64{}, Prompts: map[string][]string{},
		PromptTexts: map[string]map[string]string{}, EnginePlays: s.ann.EnginePlays, MaxBytes: s.annMaxBytes()}
	if resp.Items == nil {
		resp.Items = []ivr.Announcement{}
	}
	for _, lang := range []string{"es", "en"} {
		resp.Prompts[lang] = s.ann.Prompts(lang)
		resp.PromptTexts[lang] = map[string]string{}
		for _, p := range resp.Prompts[lang] {
			if s.ann.PromptText != nil {
				if txt := s.ann.PromptText(lang, p); txt != "" {
					resp.PromptTexts[lang][p] = txt
				}
			}
		}
	}
	if s.ann.EnginePlays {
		now := s.now()
		seen := map[string]bool{}
		for _, a := range items {
			key := a.Language + "/" + a.Prompt
			if seen[key] || !slices.Contains(resp.Prompts[a.Language], a.Prompt) {
				continue
			}
			seen[key] = true
			for _, p := range ivr.PlayingAnnouncements(items, a.Language, a.Prompt, now) {
				resp.Playing = append(resp.Playing, p.ID)
			}
		}
	}
	writeJSON(w, http.StatusOK, resp)
	return nil
}

// wavTypes are the media types browsers and tools give WAV files.
var wavTypes = []string{"audio/wav", "audio/x-wav", "audio/wave", "audio/vnd.wave"}

func (s *Server) uploadAnnouncement(w http.ResponseWriter, r *http.Request, c *caller) error {
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || !slices.Contains(wavTypes, mt) {
		return &httpError{status: http.StatusUnsupportedMediaType, code: codeUnsupportedMedia,
			message: "Content-Type must be audio/wav: send the WAV file itself as the body"}
	}
	q := r.URL.Query()
	a := &ivr.Announcement{Language: strings.TrimSpace(q.Get("language")), Prompt: strings.TrimSpace(q.Get("prompt")),
		Title: q.Get("title"), Enabled: true, CreatedBy: c.User.Username}
	var err error
	if a.Start, err = timeParam(q.Get("start"), "start"); err != nil {
		return err
	}
	if a.End, err = timeParam(q.Get("end"), "end"); err != nil {
		return err
	}
	if v := q.Get("enabled"); v != "" {
		if a.Enabled, err = boolParam(v, "enabled"); err != nil {
			return err
		}
	}
	a.Normalize()
	if err := a.Validate(); err != nil {
		return err
	}
	if names := s.ann.Prompts(a.Language); !slices.Contains(names, a.Prompt) {
		return tickets.Errorf(tickets.EINVALID, "prompt %q is not one the IVR plays in %s (GET %s/announcements lists them under prompts)",
			clip(a.Prompt), a.Language, API)
	}
	limit := s.annMaxBytes()
	limitBody(w, r, limit)
	body, err := io.ReadAll(r.Body)
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return &httpError{status: http.StatusRequestEntityTooLarge, code: codeTooLarge,
			message: fmt.Sprintf("the recording is larger than %d MiB (about 5 minutes at 8000 Hz): shorten it", limit>>20)}
	} else if err != nil {
		return badRequest("the recording could not be read: %v", err)
	}
	info, pcm, err := ivr.CheckPromptWAV(body)
	if err != nil {
		return tickets.Errorf(tickets.EINVALID, "the recording cannot be played: %s", strings.TrimPrefix(err.Error(), ivr.ErrBadWAV.Error()+": "))
	}
	a.DurationMS = info.Duration().Milliseconds()
	// Stored as a plain WAV file (whatever chunks it came with), exactly
	// what the engine and the browser will read.
	if err := s.ann.Store.CreateAnnouncement(r.Context(), a, ivr.PromptWAV(pcm)); err != nil {
		return err
	}
	s.log.InfoContext(r.Context(), "announcement uploaded", "id", a.ID, "language", a.Language, "prompt", a.Prompt,
		"enabled", a.Enabled, "duration_ms", a.DurationMS, "by", c.User.Username)
	s.annChanged(r.Context())
	w.Header().Set("Location", API+"/announcements/"+strconv.FormatInt(a.ID, 10))
	writeJSON(w, http.StatusCreated, a)
	return nil
}

func timeParam(v, name string) (*time.Time, error) {
	if v = strings.TrimSpace(v); v == "" {
		return nil, nil
	}
	t, err := time.Parse(time.RFC3339, v)
	if err != nil {
		return nil, badRequest("%s must be an RFC 3339 time like 2026-03-02T08:00:00-06:00", name)
	}
	return &t, nil
}

func announcementID(r *http.Request) (int64, error) { return pathID(r, "announcement") }

// pathID is the {id} of the path: a positive integer, else ENOTFOUND naming
// what (an ID that cannot exist is as missing as one that does not).
func pathID(r *http.Request, what string) (int64, error) {
	raw := r.PathValue("id")
	id, err := strconv.ParseInt(raw, 10, 64)
	if err != nil || id <= 0 {
		return 0, tickets.Errorf(tickets.ENOTFOUND, "%s %q not found", what, clip(raw))
	}
	return id, nil
}

func (s *Server) getAnnouncement(w http.ResponseWriter, r *http.Request, _ *caller) error {
	id, err := announcementID(r)
	if err != nil {
		return err
	}
	a, err := s.ann.Store.Announcement(r.Context(), id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, a)
	return nil
}

func (s *Server) putAnnouncement(w http.ResponseWriter, r *http.Request, c *caller) error {
	var req ivr.AnnouncementWindow
	if err := s.decodeJSON(w, r, &req); err != nil {
		return err
	}
	id, err := announcementID(r)
	if err != nil {
		return err
	}
	a, err := s.ann.Store.UpdateAnnouncement(r.Context(), id, req, c.User.Username)
	if err != nil {
		return err
	}
	s.log.InfoContext(r.Context(), "announcement changed", "id", a.ID, "enabled", a.Enabled, "by", c.User.Username)
	s.annChanged(r.Context())
	writeJSON(w, http.StatusOK, a)
	return nil
}

func (s *Server) deleteAnnouncement(w http.ResponseWriter, r *http.Request, c *caller) error {
	id, err := announcementID(r)
	if err != nil {
		return err
	}
	if err := s.ann.Store.DeleteAnnouncement(r.Context(), id); err != nil {
		return err
	}
	s.log.InfoContext(r.Context(), "announcement deleted", "id", id, "by", c.User.Username)
	s.annChanged(r.Context())
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// announcementAudio serves the recording to the page's <audio> element
// (same origin, so "default-src 'self'" allows it); ServeContent answers
// the byte ranges browsers ask for.
func (s *Server) announcementAudio(w http.ResponseWriter, r *http.Request, _ *caller) error {
	id, err := announcementID(r)
	if err != nil {
		return err
	}
	a, err := s.ann.Store.Announcement(r.Context(), id)
	if err != nil {
		return err
	}
	audio, err := s.ann.Store.AnnouncementAudio(r.Context(), id)
	if err != nil {
		return err
	}
	name := fmt.Sprintf("announcement-%d-%s-%s.wav", a.ID, a.Language, a.Prompt)
	w.Header().Set("Content-Type", "audio/wav")
	w.Header().Set("Content-Disposition", mime.FormatMediaType("inline", map[string]string{"filename": name}))
	http.ServeContent(w, r, name, a.UpdatedAt, bytes.NewReader(audio))
	return nil
}
