package main

import (
	"encoding/binary"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/atiende/atiende/agentdesk/hub/browsertest"
	"github.com/chromedp/chromedp"
)

// The supervisor manages announcements from the admin page of a real
// Atiende: a wrong file is refused with how to convert it; a notice is
// uploaded, listed as playing, listened to in the page, and switched off.
func TestAnnouncementsBrowser(t *testing.T) {
	ctx := browsertest.Browser(t)
	a := startAtiende(t, harnessOptions{})
	dialogs := browsertest.WatchDialogs(ctx)
	console := browsertest.WatchConsole(ctx)

	dir := t.TempDir()
	good := filepath.Join(dir, "aviso-correo.wav")
	if err := os.WriteFile(good, toneWAV(noticeHz, 2*time.Second), 0o600); err != nil {
		t.Fatal(err)
	}
	// The same file marked 44.1 kHz stereo, as a phone recorder saves it.
	cd := toneWAV(noticeHz, time.Second)
	binary.LittleEndian.PutUint16(cd[22:], 2)
	binary.LittleEndian.PutUint32(cd[24:], 44100)
	bad := filepath.Join(dir, "grabacion-cd.wav")
	if err := os.WriteFile(bad, cd, 0o600); err != nil {
		t.Fatal(err)
	}

	brLogin(t, ctx, a.Base, "supervisora", "/wallboard.html")
	brStep(t, ctx, "open the announcements tab", chromedp.Navigate(a.Base+"/admin.html#announcements"))
	brWaitJS(t, ctx, 10*time.Second, "the empty list and the prompt picker",
		`!document.getElementById("panel-announcements").hidden && document.querySelector("#ann-rows td.muted") !== null &&
		 document.querySelector('#ann-form select[name=prompt] option[value="notice"]') !== null &&
		 document.querySelector('#ann-form select[name=prompt] option[value="welcome"]') !== null`)
	if got := brEval[string](t, ctx, `document.querySelector('#ann-form select[name=prompt]').value`); got != "notice" {
		t.Errorf("the picker starts on %q, want notice", got)
	}
	if brEval[bool](t, ctx, `!document.getElementById("ann-engine").hidden`) {
		t.Error("the page says the engine cannot play uploads; the embedded engine can")
	}

	// A 44.1 kHz stereo file: refused, and the page says why and how.
	brStep(t, ctx, "upload the stereo file",
		chromedp.SetUploadFiles(chromedp.CSS(`#ann-form input[name=file]`), []string{bad}),
		chromedp.Click(chromedp.ID("ann-submit")))
	brWaitJS(t, ctx, 10*time.Second, "the refusal", `document.getElementById("flash").classList.contains("error")`)
	msg := brEval[string](t, ctx, `document.getElementById("flash").textContent`)
	if !strings.Contains(msg, "44100 Hz, stereo") || !strings.Contains(msg, "sox in.wav -r 8000 -c 1 -b 16 out.wav") {
		t.Errorf("refusal %q", msg)
	}
	browsertest.Screenshot(t, ctx, "refused")

	// The notice: uploaded, listed as playing now.
	brStep(t, ctx, "upload the notice",
		chromedp.SetUploadFiles(chromedp.CSS(`#ann-form input[name=file]`), []string{good}),
		chromedp.SendKeys(chromedp.CSS(`#ann-form input[name=title]`), "Correo caído <b>hoy</b>"),
		chromedp.Click(chromedp.ID("ann-submit")))
	row := `document.querySelector("#ann-rows tr[data-announcement]")`
	brWaitJS(t, ctx, 10*time.Second, "the notice in the list, playing", row+` !== null && `+row+`.querySelector(".badge").dataset.status === "playing"`)
	for js, want := range map[string]string{
		row + `.querySelector(".title span").textContent`: "Correo caído <b>hoy</b>",
		row + `.querySelector(".prompt").textContent`:     "Aviso tras la bienvenida",
		row + `.querySelector(".lang").textContent`:       "Español",
		row + `.querySelector(".badge").textContent`:      "Suena ahora",
		row + `.querySelector(".by span").textContent`:    "supervisora",
		row + `.querySelector(".window").textContent`:     "Siempre",
	} {
		if got := brEval[string](t, ctx, js); got != want {
			t.Errorf("%s = %q, want %q", js, got, want)
		}
	}
	// The page's player loads the recording from this site (CSP allows it).
	src := brEval[string](t, ctx, row+`.querySelector("audio").getAttribute("src")`)
	dur := brEval[float64](t, ctx, `new Promise((resolve) => {
		const a = document.querySelector("#ann-rows audio");
		a.addEventListener("loadedmetadata", () => resolve(a.duration), { once: true });
		a.addEventListener("error", () => resolve(-1), { once: true });
		a.preload = "auto"; a.load();
	})`)
	if !strings.HasPrefix(src, "/api/v1/announcements/") || dur < 1.9 || dur > 2.1 {
		t.Errorf("player %q: duration %v s, want 2", src, dur)
	}
	browsertest.Screenshot(t, ctx, "listed")

	// Switched off from the page: shown so, and so in the database.
	brStep(t, ctx, "switch it off", chromedp.Click(chromedp.CSS(`#ann-rows button.toggle`)))
	brWaitJS(t, ctx, 10*time.Second, "switched off", row+`.querySelector(".badge").dataset.status === "off" && `+row+`.classList.contains("disabled")`)
	var list struct {
		Items []struct {
			ID      int64  `json:"id"`
			Title   string `json:"title"`
			Enabled bool   `json:"enabled"`
		} `json:"items"`
		Playing []int64 `json:"playing"`
	}
	if code := a.login(t, "supervisora", DemoPassword).do("GET", "/api/v1/announcements", nil, &list); code != 200 ||
		len(list.Items) != 1 || list.Items[0].Enabled || len(list.Playing) != 0 || list.Items[0].Title != "Correo caído <b>hoy</b>" {
		t.Errorf("after switching off: %d %+v", code, list)
	}
	if got := brEval[string](t, ctx, row+`.querySelector("button.toggle").textContent`); got != "Activar" {
		t.Errorf("toggle says %q, want Activar", got)
	}
	browsertest.Screenshot(t, ctx, "switched-off")

	if d := dialogs.Opened(); len(d) != 0 {
		t.Errorf("dialogs: %v", d)
	}
	// Expected: the login page's /me probe (401), resources the demo pages
	// probe (404), and the refused upload (422, once). A CSP violation (the
	// player's source) would show here.
	var errs []string
	refusals := 0
	for _, e := range console.Errors() {
		switch {
		case strings.Contains(e, "Failed to load resource") && (strings.Contains(e, "401") || strings.Contains(e, "404")):
		case strings.Contains(e, "Failed to load resource") && strings.Contains(e, "422") && refusals == 0:
			refusals++
		default:
			errs = append(errs, e)
		}
	}
	if len(errs) != 0 {
		t.Errorf("console errors: %s", fmt.Sprint(errs))
	}
}
