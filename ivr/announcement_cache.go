package ivr

import (
	"context"
	"fmt"
	"io/fs"
	"log/slog"
	"sync"
	"time"

	"github.com/atiende/atiende/tickets"
)

// AnnouncementCache is the IVR's side of the recordings uploaded on the
// admin page: the PromptOverlay over the product's prompts that the engine
// plays from, so a call never waits on the database. Reload is called at
// start, after a change made through this process, and when the database
// says another process made one.
type AnnouncementCache struct {
	store   AnnouncementStore
	flow    *Flow
	base    fs.FS
	overlay *PromptOverlay
	now     func() time.Time
	log     *slog.Logger

	mu  sync.Mutex       // one reload at a time
	pcm map[int64][]byte // samples by ID: a recording's audio never changes
}

// NewAnnouncementCache returns an empty cache over base (the prompts of
// flow); Reload fills it.
func NewAnnouncementCache(st AnnouncementStore, flow *Flow, base fs.FS, log *slog.Logger) *AnnouncementCache {
	return &AnnouncementCache{store: st, flow: flow, base: base, overlay: NewPromptOverlay(base, time.Now),
		now: time.Now, log: log, pcm: map[int64][]byte{}}
}

// Overlay is what the engine plays from.
func (a *AnnouncementCache) Overlay() *PromptOverlay { return a.overlay }

// PromptNames lists the prompts of lang an upload may replace.
func (a *AnnouncementCache) PromptNames(lang string) []string {
	return PromptNames(a.flow, a.base, lang)
}

// Reload gives the overlay every recording that plays now or later,
// fetching the audio of those it has not seen.
func (a *AnnouncementCache) Reload(ctx context.Context) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	live, err := a.store.LiveAnnouncements(ctx, a.now())
	if err != nil {
		return fmt.Errorf("announcements: %w", err)
	}
	keep := make(map[int64][]byte, len(live))
	list := make([]CustomPrompt, 0, len(live))
	for _, an := range live {
		pcm, ok := a.pcm[an.ID]
		if !ok {
			wav, err := a.store.AnnouncementAudio(ctx, an.ID)
			if tickets.ErrorCode(err) == tickets.ENOTFOUND {
				continue // deleted meanwhile
			} else if err != nil {
				return fmt.Errorf("announcements: %w", err)
			}
			if _, pcm, err = CheckPromptWAV(wav); err != nil {
				a.log.Error("announcement not playable: skipped", "id", an.ID, "error", err)
				continue
			}
		}
		keep[an.ID] = pcm
		list = append(list, CustomPrompt{Announcement: an, PCM: pcm})
	}
	a.pcm = keep
	a.overlay.Set(list)
	a.log.Debug("announcements loaded", "live", len(list))
	return nil
}

// Changed reloads after a change made through this process, even if the
// request that made it goes away; a failure is retried by the next
// notification.
func (a *AnnouncementCache) Changed(ctx context.Context) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if err := a.Reload(ctx); err != nil {
		a.log.Warn("announcements reload failed; retried in the background", "error", err)
	}
}
