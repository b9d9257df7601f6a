package main

import (
	"testing"
	"time"

	"github.com/atiende/atiende/agentdesk/hub/browsertest"
	"github.com/atiende/atiende/ivr/asterisk/asterisklab"
)

// The wallboard says when the telephone system is down, and stops saying
// it when Asterisk is back.
func TestAsteriskWallboardEngineDown(t *testing.T) {
	ctx := browsertest.Browser(t)
	ast := asterisklab.Start(t, asterisklab.Options{})
	a := startAtiende(t, harnessOptions{Env: asteriskEnv(ast)})
	brLogin(t, ctx, a.Base, "supervisora", "/wallboard.html")
	if brEval[bool](t, ctx, `!document.getElementById("engine-down").hidden`) {
		t.Fatal("the engine-down banner shows with Asterisk up")
	}
	ast.Stop()
	brWaitJS(t, ctx, 15*time.Second, "the engine-down banner", `!document.getElementById("engine-down").hidden`)
	text := brEval[string](t, ctx, `document.getElementById("engine-down").textContent`)
	if text != "La telefonía no está disponible: las llamadas nuevas no entran." {
		t.Errorf("banner %q", text)
	}
	browsertest.Screenshot(t, ctx, "wallboard-engine-down")
	ast.Start()
	brWaitJS(t, ctx, 15*time.Second, "the banner gone", `document.getElementById("engine-down").hidden`)
}
