package ivr

import (
	"bytes"
	"fmt"
	"io"
	"io/fs"
	"path"
	"slices"
	"sort"
	"strings"
	"sync/atomic"
	"time"
)

// PromptOverlay is the prompts an engine plays (an fs.FS of
// "<lang>/<name>.wav" files, as sipengine.Config.Prompts wants): the
// recordings uploaded on the admin page that play now, over the product's own
// prompts. It never asks a database: Set gives it every recording that may
// play (cmd reloads it when they change), and Open picks by the clock
// (PlayingAnnouncements). Safe for concurrent use.
type PromptOverlay struct {
	base fs.FS
	now  func() time.Time
	set  atomic.Pointer[[]CustomPrompt]
}

// CustomPrompt is one uploaded recording with its samples.
type CustomPrompt struct {
	Announcement
	PCM []byte // 8000 Hz mono 16-bit samples (CheckPromptWAV's)
}

// NoticeGap is the silence between two notices played one after the other.
const NoticeGap = 600 * time.Millisecond

var _ fs.FS = (*PromptOverlay)(nil)

// NewPromptOverlay serves base (e.g. prompts.FS) until Set gives it
// recordings; now is the clock (nil: time.Now).
func NewPromptOverlay(base fs.FS, now func() time.Time) *PromptOverlay {
	if now == nil {
		now = time.Now
	}
	o := &PromptOverlay{base: base, now: now}
	o.set.Store(&[]CustomPrompt{})
	return o
}

// Set replaces the recordings the overlay may serve.
func (o *PromptOverlay) Set(list []CustomPrompt) {
	cp := slices.Clone(list)
	o.set.Store(&cp)
}

// Playing returns the recordings callers hear at t for a sound name
// ("es/welcome", "en/notice"); none means the base prompt plays.
func (o *PromptOverlay) Playing(sound string, t time.Time) []CustomPrompt {
	lang, name, ok := strings.Cut(sound, "/")
	if !ok {
		return nil
	}
	list := *o.set.Load()
	metas := make([]Announcement, len(list))
	for i := range list {
		metas[i] = list[i].Announcement
	}
	var out []CustomPrompt
	for _, a := range PlayingAnnouncements(metas, lang, name, t) {
		for _, c := range list {
			if c.ID == a.ID {
				out = append(out, c)
				break
			}
		}
	}
	return out
}

// NoticeActive reports whether a notice plays at t for callers in lang: the
// `notice` condition of flows (FlowRunner.Notices).
func (o *PromptOverlay) NoticeActive(lang string, t time.Time) bool {
	return len(o.Playing(lang+"/"+NoticePrompt, t)) > 0
}

// Open serves "<lang>/<name>.wav": the recording that plays now (several
// notices play one after the other, NoticeGap apart, as one file), else the
// base file.
func (o *PromptOverlay) Open(name string) (fs.File, error) {
	if !fs.ValidPath(name) {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrInvalid}
	}
	if sound, ok := strings.CutSuffix(name, ".wav"); ok {
		if list := o.Playing(sound, o.now()); len(list) > 0 {
			return newPromptFile(path.Base(name), list), nil
		}
	}
	if o.base == nil {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
	}
	return o.base.Open(name)
}

// promptFile is a WAV file assembled in memory from recordings.
type promptFile struct {
	name    string
	size    int64
	mod     time.Time
	version string // the recordings and their update times: FileInfo.Sys
	r       io.Reader
}

func newPromptFile(name string, list []CustomPrompt) *promptFile {
	gap := make([]byte, int(NoticeGap.Seconds()*PromptSampleRate)*PromptBits/8)
	var parts []io.Reader
	n := 0
	for i, c := range list {
		if i > 0 {
			parts = append(parts, bytes.NewReader(gap))
			n += len(gap)
		}
		parts = append(parts, bytes.NewReader(c.PCM))
		n += len(c.PCM)
	}
	hdr := PromptWAVHeader(n)
	f := &promptFile{name: name, size: int64(len(hdr) + n), r: io.MultiReader(append([]io.Reader{bytes.NewReader(hdr)}, parts...)...)}
	var version strings.Builder
	for _, c := range list {
		if c.UpdatedAt.After(f.mod) {
			f.mod = c.UpdatedAt
		}
		fmt.Fprintf(&version, "%d@%d;", c.ID, c.UpdatedAt.UnixNano())
	}
	f.version = version.String()
	return f
}

func (f *promptFile) Read(p []byte) (int, error) { return f.r.Read(p) }
func (f *promptFile) Close() error               { return nil }
func (f *promptFile) Stat() (fs.FileInfo, error) { return promptInfo{f}, nil }

type promptInfo struct{ f *promptFile }

func (i promptInfo) Name() string       { return i.f.name }
func (i promptInfo) Size() int64        { return i.f.size }
func (i promptInfo) Mode() fs.FileMode  { return 0o444 }
func (i promptInfo) ModTime() time.Time { return i.f.mod }
func (i promptInfo) IsDir() bool        { return false }

// Sys names the recordings in the file and their versions, so that an
// engine caching encoded prompts tells this file from another of the same
// size (sipengine's prompt cache).
func (i promptInfo) Sys() any { return i.f.version }

// PromptNames lists the prompt names (without language) a recording may
// replace in lang: every sound flow plays and every file of base in that
// language, sorted, with NoticePrompt when flow plays notices.
func PromptNames(flow *Flow, base fs.FS, lang string) []string {
	seen := map[string]bool{}
	for _, s := range flow.Sounds(lang) {
		if l, name, ok := strings.Cut(s, "/"); ok && l == lang {
			seen[name] = true
		}
	}
	if base != nil {
		files, _ := fs.Glob(base, lang+"/*.wav")
		for _, f := range files {
			seen[strings.TrimSuffix(path.Base(f), ".wav")] = true
		}
	}
	out := make([]string, 0, len(seen))
	for s := range seen {
		out = append(out, s)
	}
	sort.Strings(out)
	return out
}
