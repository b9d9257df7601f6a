package asterisk

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"
)

// customDir is where, under Asterisk's sounds folder (Config.SoundsDir),
// the engine writes the recordings uploaded on the admin page.
const customDir = "atiende-custom"

// customMedia is the media URI of the recording that plays now instead of
// prompt name ("es/welcome"), and its length; ok is false when the
// product's own prompt plays. The recording (or the notices played one
// after the other) is written once, named by its content, into
// SoundsDir/atiende-custom, where Asterisk reads it: Asterisk has no API to
// receive a sound, so Atiende must run where it can write that folder.
func (e *Engine) customMedia(name string) (media string, d time.Duration, ok bool, err error) {
	if e.cfg.Prompts == nil || e.cfg.SoundsDir == "" || len(e.cfg.Prompts.Playing(name, time.Now())) == 0 {
		return "", 0, false, nil
	}
	f, err := e.cfg.Prompts.Open(name + ".wav")
	if err != nil {
		return "", 0, false, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, 64<<20))
	if err != nil {
		return "", 0, false, err
	}
	sum := sha256.Sum256(b)
	base := hex.EncodeToString(sum[:12])
	dir := filepath.Join(e.cfg.SoundsDir, customDir)
	path := filepath.Join(dir, base+".wav")
	if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return "", 0, false, err
		}
		tmp := path + ".tmp"
		if err := os.WriteFile(tmp, b, 0o644); err != nil {
			return "", 0, false, err
		}
		if err := os.Rename(tmp, path); err != nil {
			return "", 0, false, err
		}
	} else if err != nil {
		return "", 0, false, err
	}
	return "sound:" + customDir + "/" + base, time.Duration(max(len(b)-44, 0)) * time.Second / 16000, true, nil
}

// checkSoundsDir reports whether the engine can write uploaded recordings
// where Asterisk reads sounds.
func checkSoundsDir(dir string) error {
	if dir == "" {
		return nil
	}
	st, err := os.Stat(dir)
	if err != nil {
		return fmt.Errorf("sounds dir: %w", err)
	}
	if !st.IsDir() {
		return fmt.Errorf("sounds dir %s: not a folder", dir)
	}
	return nil
}
