package main

import (
	"time"

	"github.com/atiende/atiende/agentdesk/web"
	"github.com/atiende/atiende/ivr"
	"github.com/atiende/atiende/ivr/prompts"
)

// enginePlaysUploads reports whether the engine plays the recordings
// uploaded on the admin page: the embedded engine does; Asterisk plays
// files from its own disk, so only when Atiende can write them there
// (asterisk.sounds_dir).
func (c Config) enginePlaysUploads() bool {
	return c.Engine == "sip" || (c.Engine == "asterisk" && c.Asterisk.SoundsDir != "")
}

// announcementNotices is the flow runner's Notices option. On an engine
// that does not play uploads the notice condition is always false.
func announcementNotices(cfg Config, ann *ivr.AnnouncementCache) func(lang string, at time.Time) bool {
	if !cfg.enginePlaysUploads() {
		return nil
	}
	return ann.Overlay().NoticeActive
}

// announcementsWeb is the web server's announcement routes' configuration.
func announcementsWeb(cfg Config, ann *ivr.AnnouncementCache, st ivr.AnnouncementStore) *web.Announcements {
	return &web.Announcements{Store: st, EnginePlays: cfg.enginePlaysUploads(),
		Prompts: ann.PromptNames, PromptText: prompts.Text, Changed: ann.Changed}
}
