package sipengine

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"

	"github.com/atiende/atiende/ivr"
)

// ErrPromptNotFound is returned by Play for a sound missing from
// Config.Prompts (or when Prompts is nil).
var ErrPromptNotFound = errors.New("sipengine: prompt not found")

var errNotAnswered = errors.New("sipengine: call not answered")

// promptFiles maps a prompt to WAV files in Config.Prompts: "es/welcome" is
// "es/welcome.wav"; digits are spoken with the sounds ivr.DigitSounds names.
func promptFiles(p ivr.Prompt) ([]string, error) {
	var files []string
	if p.Sound != "" {
		files = append(files, p.Sound+".wav")
	}
	sounds := ivr.DigitSounds(p.Lang, p.Digits)
	if len(sounds) != len([]rune(p.Digits)) {
		return nil, fmt.Errorf("sipengine: cannot say digits %q", p.Digits)
	}
	for _, s := range sounds {
		files = append(files, s+".wav")
	}
	return files, nil
}

// Play plays prompts in order. It returns ctx's error when ctx is done
// (barge-in), ivr.ErrHungUp when the call ends, ErrPromptNotFound for a
// missing file.
func (c *call) Play(ctx context.Context, prompts ...ivr.Prompt) error {
	if !c.answered.Load() {
		return errNotAnswered
	}
	for _, p := range prompts {
		files, err := promptFiles(p)
		if err != nil {
			return err
		}
		for _, name := range files {
			if err := c.playFile(ctx, name); err != nil {
				return err
			}
		}
	}
	return nil
}

func (c *call) playFile(ctx context.Context, name string) error {
	if err := c.interrupted(ctx); err != nil {
		return err
	}
	if c.e.cfg.Prompts == nil {
		return fmt.Errorf("%w: %s (no prompts configured)", ErrPromptNotFound, name)
	}
	f, err := c.e.cfg.Prompts.Open(name)
	if errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("%w: %s", ErrPromptNotFound, name)
	}
	if err != nil {
		return fmt.Errorf("sipengine: prompt %s: %w", name, err)
	}
	defer f.Close()
	pb, err := c.leg.Media().PlaybackCreate()
	if err != nil {
		return fmt.Errorf("sipengine: play %s: %w", name, err)
	}
	r := &stopReader{r: bufio.NewReaderSize(f, 16<<10), stop: func() error { return c.interrupted(ctx) }}
	_, err = pb.Play(r, "audio/wav")
	if stop := c.interrupted(ctx); stop != nil {
		return stop
	}
	if err != nil {
		return fmt.Errorf("sipengine: play %s: %w", name, err)
	}
	return nil
}

// interrupted is why playing must stop now, if it must.
func (c *call) interrupted(ctx context.Context) error {
	if isClosed(c.done) || c.leg.Context().Err() != nil {
		return ivr.ErrHungUp
	}
	return ctx.Err()
}

// stopReader ends a playback between two 20 ms frames when stop says so.
type stopReader struct {
	r    io.Reader
	stop func() error
}

func (s *stopReader) Read(p []byte) (int, error) {
	if err := s.stop(); err != nil {
		return 0, err
	}
	return s.r.Read(p)
}
