package main

import (
	"context"
	"fmt"
	"io/fs"
	"log/slog"
	"sync"
	"time"

	"github.com/atiende/atiende/agentdesk/web"
	"github.com/atiende/atiende/ivr"
	"github.com/atiende/atiende/ivr/prompts"
	"github.com/atiende/atiende/tickets"
)

// announcements is the IVR's side of the recordings uploaded on the admin
// page: the cache the embedded engine plays from (an ivr.PromptOverlay over
// the product's prompts, so a call never waits on the database) and what the
// web server needs to manage them. A change made through this process
// reloads it at once; one made through another process sharing the database
// reloads it when PostgreSQL notifies it (serve.go: postgres.Changes).
type announcements struct {
	store   ivr.AnnouncementStore
	flow    *ivr.Flow
	base    fs.FS
	overlay *ivr.PromptOverlay
	now     func() time.Time
	log     *slog.Logger
	// asteriskPlays: the Asterisk engine has a sounds folder to write the
	// uploads to (asterisk.sounds_dir), so Asterisk plays them too.
	asteriskPlays bool

	mu  sync.Mutex       // one reload at a time
	pcm map[int64][]byte // samples by ID: a recording's audio never changes
}

func newAnnouncements(st ivr.AnnouncementStore, flow *ivr.Flow, base fs.FS, log *slog.Logger) *announcements {
	return &announcements{store: st, flow: flow, base: base, overlay: ivr.NewPromptOverlay(base, time.Now),
		now: time.Now, log: log, pcm: map[int64][]byte{}}
}

// reload gives the overlay every recording that plays now or later,
// fetching the audio of those it has not seen.
func (a *announcements) reload(ctx context.Context) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	live, err := a.store.LiveAnnouncements(ctx, a.now())
	if err != nil {
		return fmt.Errorf("announcements: %w", err)
	}
	keep := make(map[int64][]byte, len(live))
	list := make([]ivr.CustomPrompt, 0, len(live))
	for _, an := range live {
		pcm, ok := a.pcm[an.ID]
		if !ok {
			wav, err := a.store.AnnouncementAudio(ctx, an.ID)
			if tickets.ErrorCode(err) == tickets.ENOTFOUND {
				continue // deleted meanwhile
			} else if err != nil {
				return fmt.Errorf("announcements: %w", err)
			}
			if _, pcm, err = ivr.CheckPromptWAV(wav); err != nil {
				a.log.Error("announcement not playable: skipped", "id", an.ID, "error", err)
				continue
			}
		}
		keep[an.ID] = pcm
		list = append(list, ivr.CustomPrompt{Announcement: an, PCM: pcm})
	}
	a.pcm = keep
	a.overlay.Set(list)
	a.log.Debug("announcements loaded", "live", len(list))
	return nil
}

// plays reports whether engine plays the uploads: the embedded engine
// does; Asterisk plays files from its own disk, so only when Atiende can
// write them there (asterisk.sounds_dir).
func (a *announcements) plays(engine string) bool {
	return engine == "sip" || (engine == "asterisk" && a.asteriskPlays)
}

// notices is the flow runner's Notices option. On an engine that does not
// play uploads the notice condition is always false.
func (a *announcements) notices(engine string) func(lang string, at time.Time) bool {
	if !a.plays(engine) {
		return nil
	}
	return a.overlay.NoticeActive
}

// web is the web server's announcement routes' configuration.
func (a *announcements) web(engine string) *web.Announcements {
	return &web.Announcements{Store: a.store, EnginePlays: a.plays(engine),
		Prompts:    func(lang string) []string { return ivr.PromptNames(a.flow, a.base, lang) },
		PromptText: prompts.Text,
		Changed: func(ctx context.Context) {
			ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
			defer cancel()
			if err := a.reload(ctx); err != nil {
				a.log.Warn("announcements reload failed; retried in the background", "error", err)
			}
		}}
}
