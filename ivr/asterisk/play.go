package asterisk

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"strings"
	"time"

	"github.com/atiende/atiende/ivr"
	"github.com/atiende/atiende/ivr/prompts"
)

// Errors of Play besides the port's.
var (
	ErrPlaybackFailed  = errors.New("asterisk: playback failed")
	ErrPlaybackTimeout = errors.New("asterisk: playback did not finish in time")
)

// soundDir is where the prompts live under Asterisk's sounds folder.
const soundDir = "atiende/"

type playback struct {
	id    string
	done  chan struct{}
	state string
}

func (p *playback) finish(state string) {
	select {
	case <-p.done:
	default:
		p.state = state
		close(p.done)
	}
}

// Play plays the prompts as one playlist (one comma-separated media
// value). A "<lang>/moh" prompt starts music on hold instead, until ctx is
// done: that is how the queue keeps a caller waiting.
func (c *call) Play(ctx context.Context, ps ...ivr.Prompt) error {
	var media []string
	var expect time.Duration
	for _, p := range ps {
		if strings.HasSuffix(p.Sound, "/moh") {
			if err := c.playMedia(ctx, media, expect); err != nil {
				return err
			}
			media, expect = nil, 0
			if err := c.hold(ctx); err != nil {
				return err
			}
			continue
		}
		m, d := c.mediaOf(p)
		media = append(media, m...)
		expect += d
	}
	return c.playMedia(ctx, media, expect)
}

// mediaOf maps a prompt to media URIs and their expected length.
func (c *call) mediaOf(p ivr.Prompt) ([]string, time.Duration) {
	var names []string
	switch {
	case p.Sound != "" && strings.Contains(p.Sound, ":"):
		return []string{p.Sound}, 0 // already a media URI
	case p.Sound != "":
		names = []string{p.Sound}
	case p.Digits != "":
		lang := p.Lang
		if lang == "" {
			lang = c.lang
		}
		names = ivr.DigitSounds(lang, p.Digits)
	}
	var out []string
	var d time.Duration
	for _, n := range names {
		if m, md, ok, err := c.e.customMedia(n); ok {
			out = append(out, m)
			d += md
			continue
		} else if err != nil {
			c.log.Warn("uploaded recording not playable; the product's prompt plays", "prompt", n, "error", err)
		}
		out = append(out, "sound:"+soundDir+n)
		d += soundLength(n)
	}
	return out, d
}

// soundLength is the length of an embedded prompt (8 kHz 16-bit mono).
func soundLength(name string) time.Duration {
	st, err := fs.Stat(prompts.FS, prompts.Path(name))
	if err != nil {
		return 0
	}
	return time.Duration(st.Size()-44) * time.Second / 16000
}

func (c *call) playMedia(ctx context.Context, media []string, expect time.Duration) error {
	if len(media) == 0 {
		return nil
	}
	if c.ended() {
		return ivr.ErrHungUp
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	e := c.e
	p := &playback{id: newID("atiende-pb-"), done: make(chan struct{})}
	// Registered before the request: its events may beat the response.
	e.mu.Lock()
	e.playbacks[p.id] = p
	e.mu.Unlock()
	defer func() {
		e.mu.Lock()
		delete(e.playbacks, p.id)
		e.mu.Unlock()
	}()
	q := url.Values{"media": {strings.Join(media, ",")}}
	if err := e.rest.do(ctx, "POST", "/channels/"+pathEsc(c.id)+"/play/"+pathEsc(p.id), q, nil); err != nil {
		if ctx.Err() != nil {
			c.stopPlayback(p.id) // the request may have reached Asterisk
			return ctx.Err()
		}
		return fmt.Errorf("asterisk: play on %s: %w", c.id, c.fail(err))
	}
	guard := time.NewTimer(expect + e.cfg.PlayGuard)
	defer guard.Stop()
	select {
	case <-p.done:
		switch {
		case p.state == "done":
			return nil
		case c.ended():
			return ivr.ErrHungUp
		}
		return fmt.Errorf("%w: %s on %s (%s)", ErrPlaybackFailed, q.Get("media"), c.id, p.state)
	case <-c.done:
		return ivr.ErrHungUp
	case <-ctx.Done():
		c.stopPlayback(p.id)
		return ctx.Err()
	case <-guard.C:
		c.stopPlayback(p.id)
		c.log.Warn("playback guard expired", "media", q.Get("media"))
		return fmt.Errorf("%w: %s on %s", ErrPlaybackTimeout, q.Get("media"), c.id)
	}
}

func (c *call) stopPlayback(id string) {
	ctx, cancel := context.WithTimeout(context.Background(), c.e.cfg.RequestTimeout)
	defer cancel()
	err := c.e.rest.do(ctx, "DELETE", "/playbacks/"+pathEsc(id), nil, nil)
	if err != nil && statusOf(err) != 404 {
		c.log.Warn("stop playback", "playback", id, "error", err)
	}
}

// hold plays music on hold until ctx is done or the call ends.
func (c *call) hold(ctx context.Context) error {
	if c.ended() {
		return ivr.ErrHungUp
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	path := "/channels/" + pathEsc(c.id) + "/moh"
	if err := c.e.rest.do(ctx, "POST", path, url.Values{"mohClass": {c.e.cfg.MOHClass}}, nil); err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return fmt.Errorf("asterisk: moh on %s: %w", c.id, c.fail(err))
	}
	select {
	case <-c.done:
		return ivr.ErrHungUp
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), c.e.cfg.RequestTimeout)
	defer cancel()
	if err := c.e.rest.do(sctx, "DELETE", path, nil, nil); err != nil && statusOf(err) != 404 {
		c.log.Warn("stop moh", "error", err)
	}
	return ctx.Err()
}
