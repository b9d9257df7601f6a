package sipengine

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"

	"github.com/atiende/atiende/ivr"
	"github.com/emiago/diago"
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
	stop := func() error { return c.interrupted(ctx) }
	payload, err := c.e.prompts.get(name, c.m.codec.PayloadType)
	if errors.Is(err, errNotG711) {
		return c.playDecoding(ctx, name)
	}
	if errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("%w: %s", ErrPromptNotFound, name)
	}
	if err != nil {
		return fmt.Errorf("sipengine: prompt %s: %w", name, err)
	}
	c.m.writer.ResetTimestamp() // a new talk spurt: marker bit, timestamp jump
	err = sendFrames(c.m.writer, payload, frameBytes(c.m.codec), stop)
	if stop := c.interrupted(ctx); stop != nil {
		return stop
	}
	if err != nil {
		return fmt.Errorf("sipengine: play %s: %w", name, err)
	}
	return nil
}

// playDecoding plays a prompt the way diago does: it reads the WAV file and
// encodes every 20 ms as it sends it. Only a codec the cache does not hold
// takes this path (none the engine offers today); BenchmarkPromptSend
// measures it as the baseline.
func (c *call) playDecoding(ctx context.Context, name string) error {
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
	err = playWAV(&pb, f, func() error { return c.interrupted(ctx) })
	if stop := c.interrupted(ctx); stop != nil {
		return stop
	}
	if err != nil {
		return fmt.Errorf("sipengine: play %s: %w", name, err)
	}
	return nil
}

// playWAV decodes and encodes f as pb sends it.
func playWAV(pb *diago.AudioPlayback, f io.Reader, stop func() error) error {
	r := &stopReader{r: bufio.NewReaderSize(f, 16<<10), stop: stop}
	_, err := pb.Play(r, "audio/wav")
	return err
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
