package ivr_test

import (
	"bytes"
	"errors"
	"io"
	"io/fs"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/atiende/atiende/ivr"
	"github.com/atiende/atiende/ivr/prompts"
)

var overlayNow = time.Date(2026, 12, 20, 10, 0, 0, 0, time.UTC)

func custom(id int64, lang, prompt string, pcm []byte, mod func(*ivr.Announcement)) ivr.CustomPrompt {
	a := ivr.Announcement{ID: id, Language: lang, Prompt: prompt, Enabled: true,
		CreatedAt: overlayNow.Add(-time.Duration(100-id) * time.Hour), UpdatedAt: overlayNow.Add(-time.Hour)}
	if mod != nil {
		mod(&a)
	}
	return ivr.CustomPrompt{Announcement: a, PCM: pcm}
}

func at(t time.Time) *time.Time { return &t }

// readPrompt opens name and returns its samples, checking it is a WAV the
// engine plays.
func readPrompt(t *testing.T, fsys fs.FS, name string) []byte {
	t.Helper()
	f, err := fsys.Open(name)
	if err != nil {
		t.Fatalf("open %s: %v", name, err)
	}
	defer f.Close()
	b, err := io.ReadAll(f)
	if err != nil {
		t.Fatal(err)
	}
	if st, err := f.Stat(); err != nil || st.Size() != int64(len(b)) {
		t.Errorf("%s: stat %v, %v; read %d bytes", name, st, err, len(b))
	}
	_, pcm, err := ivr.CheckPromptWAV(b)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return pcm
}

func TestPromptOverlayFallsBackToTheProductsPrompts(t *testing.T) {
	clock := overlayNow
	o := ivr.NewPromptOverlay(prompts.FS, func() time.Time { return clock })
	want, _ := fs.ReadFile(prompts.FS, "es/welcome.wav")
	got, err := fs.ReadFile(o, "es/welcome.wav")
	if err != nil || !bytes.Equal(got, want) {
		t.Fatalf("es/welcome.wav: %d bytes, %v; want the embedded %d", len(got), err, len(want))
	}
	if _, err := fs.Stat(o, "es/notice.wav"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("es/notice.wav with no notice: %v, want not found", err)
	}
	if _, err := o.Open("../es/welcome.wav"); err == nil {
		t.Error("an invalid path was opened")
	}
	if o.NoticeActive("es", clock) {
		t.Error("a notice is active with none set")
	}
}

func TestPromptOverlayServesTheRecordingThatPlaysNow(t *testing.T) {
	clock := overlayNow
	o := ivr.NewPromptOverlay(prompts.FS, func() time.Time { return clock })
	usual, holiday, old := tone(500, 200*time.Millisecond), tone(700, 300*time.Millisecond), tone(900, 100*time.Millisecond)
	embedded := readPrompt(t, prompts.FS, "es/welcome.wav")
	o.Set([]ivr.CustomPrompt{
		custom(1, "es", "welcome", old, nil),
		custom(2, "es", "welcome", usual, nil), // uploaded after 1: it takes over
		custom(3, "es", "welcome", holiday, func(a *ivr.Announcement) {
			a.Start, a.End = at(overlayNow.Add(24*time.Hour)), at(overlayNow.Add(72*time.Hour))
		}),
		custom(4, "es", "welcome", tone(300, 100*time.Millisecond), func(a *ivr.Announcement) { a.Enabled = false }),
		custom(5, "en", "welcome", tone(1100, 100*time.Millisecond), func(a *ivr.Announcement) { a.End = at(overlayNow.Add(time.Hour)) }),
	})
	for _, tc := range []struct {
		at       time.Time
		name     string
		want     []byte
		wantFrom string
	}{
		{overlayNow, "es/welcome.wav", usual, "the newest upload"},
		{overlayNow.Add(24 * time.Hour), "es/welcome.wav", holiday, "the holiday window, begun later"},
		{overlayNow.Add(72 * time.Hour), "es/welcome.wav", usual, "the usual one after the window"},
		{overlayNow, "en/welcome.wav", tone(1100, 100*time.Millisecond), "the English upload"},
		{overlayNow.Add(time.Hour), "en/welcome.wav", readPrompt(t, prompts.FS, "en/welcome.wav"), "the product's once it ended"},
		{overlayNow, "es/main-menu.wav", readPrompt(t, prompts.FS, "es/main-menu.wav"), "the product's for another prompt"},
	} {
		clock = tc.at
		if got := readPrompt(t, o, tc.name); !bytes.Equal(got, tc.want) {
			t.Errorf("%s at %v: %d bytes, want %s (%d bytes)", tc.name, tc.at, len(got), tc.wantFrom, len(tc.want))
		}
	}
	o.Set(nil)
	clock = overlayNow
	if got := readPrompt(t, o, "es/welcome.wav"); !bytes.Equal(got, embedded) {
		t.Error("the embedded welcome is not back after Set(nil)")
	}
}

func TestPromptOverlayPlaysActiveNoticesInOrder(t *testing.T) {
	clock := overlayNow
	o := ivr.NewPromptOverlay(prompts.FS, func() time.Time { return clock })
	email, vpn := tone(600, 400*time.Millisecond), tone(800, 200*time.Millisecond)
	o.Set([]ivr.CustomPrompt{
		custom(7, "es", "notice", vpn, func(a *ivr.Announcement) { a.Start = at(overlayNow.Add(-time.Minute)) }),
		custom(6, "es", "notice", email, func(a *ivr.Announcement) { a.Start = at(overlayNow.Add(-time.Hour)) }),
		custom(8, "es", "notice", tone(1000, time.Second), func(a *ivr.Announcement) { a.Start = at(overlayNow.Add(time.Hour)) }),
	})
	if !o.NoticeActive("es", clock) || o.NoticeActive("en", clock) {
		t.Fatalf("notice active: es %v, en %v", o.NoticeActive("es", clock), o.NoticeActive("en", clock))
	}
	if o.NoticeActive("es", overlayNow.Add(-2*time.Hour)) {
		t.Error("a notice is active before any started")
	}
	gap := make([]byte, int(ivr.NoticeGap.Seconds()*8000)*2)
	want := slices.Concat(email, gap, vpn)
	if got := readPrompt(t, o, "es/notice.wav"); !bytes.Equal(got, want) {
		t.Errorf("es/notice.wav: %d bytes, want the email notice, %v of silence, the VPN notice (%d bytes)", len(got), ivr.NoticeGap, len(want))
	}
	if ids := o.Playing("es/notice", clock); len(ids) != 2 || ids[0].ID != 6 || ids[1].ID != 7 {
		t.Errorf("playing %+v", ids)
	}
}

// Calls read the overlay while the admin page changes it.
func TestPromptOverlayConcurrentSetAndOpen(t *testing.T) {
	o := ivr.NewPromptOverlay(prompts.FS, nil)
	a, b := tone(500, 100*time.Millisecond), tone(700, 100*time.Millisecond)
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for range 4 {
		wg.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				data, err := fs.ReadFile(o, "es/welcome.wav")
				if err != nil {
					t.Error(err)
					return
				}
				if _, _, err := ivr.CheckPromptWAV(data); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	for i := range 200 {
		pcm := a
		if i%2 == 1 {
			pcm = b
		}
		o.Set([]ivr.CustomPrompt{{Announcement: ivr.Announcement{ID: int64(i), Language: "es", Prompt: "welcome", Enabled: true}, PCM: pcm}})
	}
	close(stop)
	wg.Wait()
}

func TestPromptNames(t *testing.T) {
	es := ivr.PromptNames(ivr.DefaultFlow(), prompts.FS, "es")
	for _, want := range []string{"welcome", "notice", "main-menu", "moh", "digit-1", "state-registered", "you-are-number"} {
		if !slices.Contains(es, want) {
			t.Errorf("es prompt names lack %q: %v", want, es)
		}
	}
	if slices.Contains(es, "teleport") || !slices.IsSorted(es) {
		t.Errorf("es prompt names %v", es)
	}
	flow, err := ivr.ParseFlow("t.yaml", []byte("start: a\nnodes:\n  a:\n    type: hangup\n    prompts: [goodbye]\n"))
	if err != nil {
		t.Fatal(err)
	}
	if slices.Contains(ivr.PromptNames(flow, prompts.FS, "en"), "notice") {
		t.Error("notice offered for a flow that never plays it")
	}
}

// Two recordings of the same size and update time are told apart by the
// file's Sys (an engine caching encoded prompts keys on it).
func TestPromptOverlayVersionsTellRecordingsApart(t *testing.T) {
	when := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	pcm := make([]byte, 1600)
	rec := func(id int64) ivr.CustomPrompt {
		return ivr.CustomPrompt{Announcement: ivr.Announcement{ID: id, Language: "es", Prompt: "welcome",
			Enabled: true, UpdatedAt: when}, PCM: pcm}
	}
	o := ivr.NewPromptOverlay(nil, func() time.Time { return when })
	sys := func() any {
		f, err := o.Open("es/welcome.wav")
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		fi, err := f.Stat()
		if err != nil {
			t.Fatal(err)
		}
		return fi.Sys()
	}
	o.Set([]ivr.CustomPrompt{rec(1)})
	first := sys()
	o.Set([]ivr.CustomPrompt{rec(2)})
	if second := sys(); first == second || first == nil {
		t.Errorf("Sys %v and %v: the two recordings look the same", first, second)
	}
}
