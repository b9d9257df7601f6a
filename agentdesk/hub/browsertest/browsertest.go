// Package browsertest starts Debian's Chromium for browser tests with
// chromedp: allocator options that work headless as root on small CI
// machines, a Browser helper that skips when Chromium is absent (and fails
// under CI=true), dialog and console watchers, and screenshots saved as
// artifacts.
package browsertest

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// ExecPath returns the Chromium binary: $ATIENDE_CHROMIUM, else the first of
// chromium, chromium-browser, google-chrome found on PATH or in /usr/bin;
// "" when there is none.
func ExecPath() string {
	if p := os.Getenv("ATIENDE_CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "headless-shell"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
		if p := "/usr/bin/" + name; fileExists(p) {
			return p
		}
	}
	return ""
}

func fileExists(p string) bool {
	st, err := os.Stat(p)
	return err == nil && !st.IsDir()
}

// AllocatorOptions are chromedp's defaults plus what Debian's Chromium needs
// headless as root in a container: no sandbox, no GPU, no /dev/shm, nothing
// phoning home.
func AllocatorOptions(execPath string) []chromedp.ExecAllocatorOption {
	opts := append([]chromedp.ExecAllocatorOption{}, chromedp.DefaultExecAllocatorOptions[:]...)
	return append(opts,
		chromedp.ExecPath(execPath),
		chromedp.NoSandbox,
		chromedp.Headless,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.WindowSize(1366, 900),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("disable-features", "Translate,MediaRouter,OptimizationHints"),
	)
}

// Browser starts Chromium and returns the context of its first tab, ended at
// cleanup. It skips the test when Chromium is missing, unless CI=true, where
// a missing browser is a failure. Use it from the test goroutine only.
func Browser(t testing.TB) context.Context {
	t.Helper()
	path := ExecPath()
	if path == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("browsertest: Chromium not found (apt-get install -y chromium) and CI=true")
		}
		t.Skip("browsertest: Chromium not found; apt-get install -y chromium")
	}
	actx, acancel := chromedp.NewExecAllocator(context.Background(), AllocatorOptions(path)...)
	ctx, cancel := chromedp.NewContext(actx, chromedp.WithLogf(t.Logf))
	t.Cleanup(func() { cancel(); acancel() })
	// The first Run starts the browser; it must not carry a timeout.
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("browsertest: start %s: %v", path, err)
	}
	return ctx
}

// Tab opens another tab in the browser of ctx, closed at cleanup.
func Tab(t testing.TB, ctx context.Context) context.Context {
	t.Helper()
	tctx, cancel := chromedp.NewContext(ctx)
	t.Cleanup(cancel)
	if err := chromedp.Do(tctx); err != nil {
		t.Fatalf("browsertest: new tab: %v", err)
	}
	return tctx
}

// Dialogs records every JavaScript dialog (alert, confirm, prompt) a tab
// opens, and dismisses it so the page does not hang.
type Dialogs struct {
	mu   sync.Mutex
	msgs []string
}

// WatchDialogs starts recording the dialogs of the tab of ctx.
func WatchDialogs(ctx context.Context) *Dialogs {
	d := &Dialogs{}
	evs := chromedp.Events(ctx, page.JavascriptDialogOpening)
	go func() {
		for ev, err := range evs {
			if err != nil {
				return
			}
			d.mu.Lock()
			d.msgs = append(d.msgs, string(ev.Type)+": "+ev.Message)
			d.mu.Unlock()
			_, _ = chromedp.Call(ctx, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{Accept: false})
		}
	}()
	return d
}

// Opened returns the dialogs seen so far.
func (d *Dialogs) Opened() []string {
	d.mu.Lock()
	defer d.mu.Unlock()
	return append([]string(nil), d.msgs...)
}

// Console records a tab's console errors and uncaught exceptions (a CSP
// violation is reported there too).
type Console struct {
	mu   sync.Mutex
	msgs []string
}

// WatchConsole starts recording the console of the tab of ctx.
func WatchConsole(ctx context.Context) *Console {
	c := &Console{}
	msgs := chromedp.Console(ctx)
	go func() {
		for m, err := range msgs {
			if err != nil {
				return
			}
			if m.Type == chromedp.ConsoleError || m.Type == chromedp.ConsoleException {
				c.mu.Lock()
				c.msgs = append(c.msgs, string(m.Type)+": "+m.Text)
				c.mu.Unlock()
			}
		}
	}()
	return c
}

// Errors returns the errors seen so far.
func (c *Console) Errors() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]string(nil), c.msgs...)
}

// ArtifactDir is $ATIENDE_ARTIFACTS, or atiende-artifacts in the temporary
// directory; it is created if needed.
func ArtifactDir(t testing.TB) string {
	t.Helper()
	dir := os.Getenv("ATIENDE_ARTIFACTS")
	if dir == "" {
		dir = filepath.Join(os.TempDir(), "atiende-artifacts")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatalf("browsertest: artifacts: %v", err)
	}
	return dir
}

// Screenshot saves a full-page PNG of the tab as <test>-<name>.png in
// ArtifactDir and logs its path. A failure is logged, not fatal: a missing
// screenshot must not hide the real result.
func Screenshot(t testing.TB, ctx context.Context, name string) string {
	t.Helper()
	sctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	png, err := chromedp.Run(sctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Logf("browsertest: screenshot %s: %v", name, err)
		return ""
	}
	file := strings.NewReplacer("/", "_", " ", "_").Replace(t.Name()) + "-" + name + ".png"
	path := filepath.Join(ArtifactDir(t), file)
	if err := os.WriteFile(path, png, 0o644); err != nil {
		t.Logf("browsertest: write %s: %v", path, err)
		return ""
	}
	t.Logf("screenshot: %s", path)
	return path
}

// Incognito opens a tab in a new browser context of the browser of ctx:
// it shares no cookies or storage with other tabs, so two users can be
// logged in at once. Closed at cleanup.
func Incognito(t testing.TB, ctx context.Context) context.Context {
	t.Helper()
	tctx, cancel := chromedp.NewContext(ctx, chromedp.WithNewBrowserContext())
	t.Cleanup(cancel)
	if err := chromedp.Do(tctx); err != nil {
		t.Fatalf("browsertest: new browser context: %v", err)
	}
	return tctx
}

// WaitJS waits up to d until the expression js is true, evaluating it in
// a loop (chromedp.Poll fails when the page navigates meanwhile); at the
// deadline it takes a screenshot and fails the test with what it waited for.
func WaitJS(t testing.TB, ctx context.Context, d time.Duration, what, js string) {
	t.Helper()
	deadline := time.Now().Add(d)
	var last error
	for time.Now().Before(deadline) {
		ectx, cancel := context.WithTimeout(ctx, 2*time.Second)
		ok, err := chromedp.Run(ectx, chromedp.Evaluate[bool]("!!("+js+")", chromedp.EvalIgnoreExceptions))
		cancel()
		if err == nil && ok {
			return
		}
		last = err
		time.Sleep(20 * time.Millisecond)
	}
	Screenshot(t, ctx, "failed")
	t.Fatalf("timed out after %v waiting for %s (last error: %v)", d, what, last)
}
