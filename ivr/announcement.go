package ivr

import (
	"context"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/atiende/atiende/tickets"
)

// Announcement is a recording a supervisor uploaded for the IVR: either the
// help desk's own recording of one of the flow's prompts in one language
// (its own voice saying the welcome), or a notice (Prompt NoticePrompt: a
// contingency message such as "we know email is down") that the default flow
// plays right after the welcome. Each has an optional window and can be
// switched off without deleting it. The audio is stored beside it and
// fetched on its own (AnnouncementStore.AnnouncementAudio).
//
// Which recordings callers hear at a time is PlayingAnnouncements' rule.
type Announcement struct {
	ID       int64  `json:"id"`
	Language string `json:"language"` // "es" or "en"
	Prompt   string `json:"prompt"`   // a prompt name ("welcome"), or NoticePrompt
	Title    string `json:"title"`    // what it says, for the list
	// Start and End bound when it plays (Start <= t < End); nil: from
	// creation, and until switched off.
	Start      *time.Time `json:"start,omitempty"`
	End        *time.Time `json:"end,omitempty"`
	Enabled    bool       `json:"enabled"`
	AudioBytes int64      `json:"audio_bytes"` // the stored WAV file
	DurationMS int64      `json:"duration_ms"`
	CreatedBy  string     `json:"created_by"`
	CreatedAt  time.Time  `json:"created_at"`
	UpdatedBy  string     `json:"updated_by"`
	UpdatedAt  time.Time  `json:"updated_at"`
}

// NoticePrompt is the prompt name of notices. It has no recording of its
// own in the product: a flow plays it only while a notice is active (the
// `notice` condition).
const NoticePrompt = "notice"

// MaxAnnouncementTitle bounds a title, in characters.
const MaxAnnouncementTitle = 200

var announcementPromptRe = regexp.MustCompile(`^[a-z0-9_-]{1,64}$`)

// AnnouncementWindow is what can change on an announcement once it is
// uploaded: its audio and what it replaces never change (upload a new one).
type AnnouncementWindow struct {
	Title   string     `json:"title"`
	Start   *time.Time `json:"start"`
	End     *time.Time `json:"end"`
	Enabled bool       `json:"enabled"`
}

// Normalize trims the text fields and keeps times in UTC to the
// microsecond, as stored.
func (a *Announcement) Normalize() {
	a.Language = strings.TrimSpace(a.Language)
	a.Prompt = strings.TrimSpace(a.Prompt)
	a.Title = strings.TrimSpace(a.Title)
	a.CreatedBy = strings.TrimSpace(a.CreatedBy)
	a.Start, a.End = normTime(a.Start), normTime(a.End)
}

func normTime(t *time.Time) *time.Time {
	if t == nil || t.IsZero() {
		return nil
	}
	u := t.UTC().Truncate(time.Microsecond)
	return &u
}

// Validate checks the fields a store can check by itself; whether Prompt is
// one the IVR plays is for the caller, which knows the flow. Errors are
// EINVALID naming the field.
func (a *Announcement) Validate() error {
	bad := func(format string, args ...any) error {
		return tickets.Errorf(tickets.EINVALID, "announcement: "+format, args...)
	}
	switch {
	case a.Language != "es" && a.Language != "en":
		return bad("language must be es or en, not %q", clipText(a.Language))
	case !announcementPromptRe.MatchString(a.Prompt):
		return bad("prompt %q is not a prompt name like welcome", clipText(a.Prompt))
	case len([]rune(a.Title)) > MaxAnnouncementTitle:
		return bad("title is limited to %d characters", MaxAnnouncementTitle)
	case a.Start != nil && a.End != nil && !a.End.After(*a.Start):
		return bad("end (%s) must be after start (%s)", a.End.Format(time.RFC3339), a.Start.Format(time.RFC3339))
	case a.CreatedBy == "":
		return bad("created_by is required")
	}
	return nil
}

func clipText(s string) string {
	if r := []rune(s); len(r) > 40 {
		return string(r[:40]) + "…"
	}
	return s
}

// Notice reports whether a is a notice rather than a prompt's recording.
func (a *Announcement) Notice() bool { return a.Prompt == NoticePrompt }

// Active reports whether a plays at t: enabled, and t within its window.
func (a *Announcement) Active(t time.Time) bool {
	return a.Enabled && (a.Start == nil || !t.Before(*a.Start)) && (a.End == nil || t.Before(*a.End))
}

// Over reports whether a's window has ended at t: it will never play again.
func (a *Announcement) Over(t time.Time) bool { return a.End != nil && !t.Before(*a.End) }

// since is when a began to apply: its start, or its creation.
func (a *Announcement) since() time.Time {
	if a.Start != nil {
		return *a.Start
	}
	return a.CreatedAt
}

// PlayingAnnouncements returns what callers hear at t for prompt in lang,
// from list:
//
//   - for NoticePrompt, every active notice, in the order they began (their
//     start, or their upload when they have none), one after the other;
//   - for any other prompt, the one active recording that began last (so a
//     recording for a holiday window takes over from the usual one while the
//     window lasts, and a new upload takes over from an old one), or none:
//     the product's own prompt plays.
func PlayingAnnouncements(list []Announcement, lang, prompt string, t time.Time) []Announcement {
	var out []Announcement
	for _, a := range list {
		if a.Language == lang && a.Prompt == prompt && a.Active(t) {
			out = append(out, a)
		}
	}
	slices.SortStableFunc(out, func(x, y Announcement) int {
		if c := x.since().Compare(y.since()); c != 0 {
			return c
		}
		return compareID(x.ID, y.ID)
	})
	if prompt != NoticePrompt && len(out) > 1 {
		out = out[len(out)-1:]
	}
	return out
}

func compareID(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// AnnouncementStore keeps announcements and their audio. tickets/postgres
// implements it; its errors carry tickets' codes.
type AnnouncementStore interface {
	// CreateAnnouncement stores a (normalised and validated) with its audio,
	// a WAV file the caller has checked, and sets its ID, AudioBytes and
	// timestamps; UpdatedBy is CreatedBy.
	CreateAnnouncement(ctx context.Context, a *Announcement, audio []byte) error
	// Announcement returns one (ENOTFOUND if none).
	Announcement(ctx context.Context, id int64) (*Announcement, error)
	// AnnouncementAudio returns its WAV file (ENOTFOUND if none).
	AnnouncementAudio(ctx context.Context, id int64) ([]byte, error)
	// ListAnnouncements returns every announcement, by language, prompt,
	// then upload.
	ListAnnouncements(ctx context.Context) ([]Announcement, error)
	// LiveAnnouncements returns the enabled announcements whose window has
	// not ended at t (those playing now or later), without their audio.
	LiveAnnouncements(ctx context.Context, t time.Time) ([]Announcement, error)
	// UpdateAnnouncement changes an announcement's title, window and switch,
	// recording actor as UpdatedBy.
	UpdateAnnouncement(ctx context.Context, id int64, w AnnouncementWindow, actor string) (*Announcement, error)
	// DeleteAnnouncement removes it and its audio (ENOTFOUND if none).
	DeleteAnnouncement(ctx context.Context, id int64) error
}
