package sipengine

import (
	"bytes"
	"context"
	"io"
	"io/fs"
	"net"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"testing/fstest"
	"time"

	"github.com/atiende/atiende/ivr"
	"github.com/atiende/atiende/ivr/sipengine/sippeer"
	"github.com/atiende/atiende/metrics/benchload"
	"github.com/emiago/diago"
	"github.com/emiago/diago/media"
	"github.com/pion/rtp"
)

// countingFS counts the bytes read from its files.
type countingFS struct {
	fs.FS
	read atomic.Int64
}

func (c *countingFS) Open(name string) (fs.File, error) {
	f, err := c.FS.Open(name)
	if err != nil {
		return nil, err
	}
	return &countingFile{File: f, n: &c.read}, nil
}

func (c *countingFS) ReadDir(name string) ([]fs.DirEntry, error) { return fs.ReadDir(c.FS, name) }

type countingFile struct {
	fs.File
	n *atomic.Int64
}

func (f *countingFile) Read(p []byte) (int, error) {
	n, err := f.File.Read(p)
	f.n.Add(int64(n))
	return n, err
}

// Calls play a prompt from the frames encoded when the engine started: no
// call reads (decodes) the WAV file again, and every frame is sent.
func TestPromptsPlayFromEncodedFrames(t *testing.T) {
	cfg := testConfig(t)
	prompts := &countingFS{FS: fstest.MapFS{
		"es/welcome.wav": {Data: toneWAV(500 * time.Millisecond)},
		"es/short.wav":   {Data: toneWAV(300 * time.Millisecond)},
	}}
	cfg.Prompts = prompts
	const calls = 3
	var played, frames atomic.Int64
	h := ivr.HandlerFunc(func(ctx context.Context, ic ivr.Call) {
		c := ic.(*call)
		if err := c.Answer(ctx); err != nil {
			t.Errorf("answer: %v", err)
			return
		}
		if err := c.Play(ctx, ivr.Prompt{Sound: "es/short"}); err != nil {
			t.Errorf("play: %v", err)
			return
		}
		seq := c.m.writer.PacketHeader.SequenceNumber
		if err := c.Play(ctx, ivr.Prompt{Sound: "es/welcome"}); err != nil {
			t.Errorf("play: %v", err)
			return
		}
		frames.Add(int64(c.m.writer.PacketHeader.SequenceNumber - seq))
		played.Add(1)
		select {
		case <-c.DTMF():
		case <-time.After(5 * time.Second):
		}
	})
	e := startEngine(t, cfg, h)
	atStart := prompts.read.Load()
	if atStart == 0 {
		t.Fatal("the prompts were not read when the engine started")
	}
	s := sippeer.StartSipp(t, sippeer.SippOptions{
		Scenario: "testdata/caller_one_key.xml", Remote: e.Addr().String(),
		Keys: []string{"caller=5551234"},
		Args: []string{"-s", "6000", "-m", strconv.Itoa(calls), "-r", "10", "-l", strconv.Itoa(calls)},
	})
	if err := s.Wait(30 * time.Second); err != nil {
		t.Fatalf("sipp: %v", err)
	}
	if played.Load() != calls {
		t.Fatalf("%d calls played both prompts, want %d", played.Load(), calls)
	}
	if got := frames.Load(); got != calls*25 { // 500 ms in 20 ms frames
		t.Errorf("sent %d frames of the 500 ms prompt in %d calls, want %d", got, calls, calls*25)
	}
	if n := prompts.read.Load() - atStart; n != 0 {
		t.Errorf("calls read %d bytes of prompt files; want 0 (encoded once, at start)", n)
	}
	if n := e.prompts.encodes.Load(); n != 4 {
		t.Errorf("%d encodings, want 4 (2 files x PCMU, PCMA)", n)
	}
}

// A file that changes (an uploaded recording) is encoded again, once.
func TestPromptCacheFollowsChanges(t *testing.T) {
	fsys := fstest.MapFS{"es/notice.wav": {Data: toneWAV(100 * time.Millisecond)}}
	p := newPromptCache(fsys)
	a, err := p.get("es/notice.wav", 0)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := p.get("es/notice.wav", 0)
	if &a[0] != &b[0] || p.encodes.Load() != 1 {
		t.Fatalf("second get encoded again (%d encodings)", p.encodes.Load())
	}
	fsys["es/notice.wav"] = &fstest.MapFile{Data: toneWAV(200 * time.Millisecond), ModTime: time.Now()}
	c, _ := p.get("es/notice.wav", 0)
	if len(c) != 1600 || p.encodes.Load() != 2 {
		t.Fatalf("after the change: %d bytes, %d encodings; want 1600, 2", len(c), p.encodes.Load())
	}
	if _, err := p.get("es/missing.wav", 0); !os.IsNotExist(err) {
		t.Errorf("missing file: %v", err)
	}
}

// The encoded frames are exactly what diago's playback sends, in µ-law and
// A-law.
func TestEncodedFramesMatchDiagoPlayback(t *testing.T) {
	wav := toneWAV(330 * time.Millisecond) // 16.5 frames: a short last one
	for _, codec := range []media.Codec{media.CodecAudioUlaw, media.CodecAudioAlaw} {
		var old, cached packetLog
		pb := diago.NewAudioPlayback(media.NewRTPPacketWriter(&old, codec), codec)
		if err := playWAV(&pb, bytes.NewReader(wav), func() error { return nil }); err != nil {
			t.Fatal(err)
		}
		payload, err := encodeWAV(bytes.NewReader(wav), codec.PayloadType)
		if err != nil {
			t.Fatal(err)
		}
		if err := sendFrames(media.NewRTPPacketWriter(&cached, codec), payload, frameBytes(codec), func() error { return nil }); err != nil {
			t.Fatal(err)
		}
		if len(old.payloads) != 17 || len(cached.payloads) != len(old.payloads) {
			t.Fatalf("%s: %d packets from diago, %d from the cache; want 17", codec.Name, len(old.payloads), len(cached.payloads))
		}
		for i := range old.payloads {
			if !bytes.Equal(old.payloads[i], cached.payloads[i]) {
				t.Fatalf("%s: packet %d differs", codec.Name, i)
			}
		}
	}
}

type packetLog struct{ payloads [][]byte }

func (l *packetLog) WriteRTP(p *rtp.Packet) error {
	l.payloads = append(l.payloads, bytes.Clone(p.Payload))
	return nil
}

// udpRTP sends each packet over loopback UDP, as an RTP session does.
type udpRTP struct {
	conn net.Conn
	buf  []byte
}

func (u *udpRTP) WriteRTP(p *rtp.Packet) error {
	n, err := p.MarshalTo(u.buf)
	if err != nil {
		return err
	}
	_, err = u.conn.Write(u.buf[:n])
	return err
}

// BenchmarkPromptSend plays a 1 s prompt (50 paced RTP packets over
// loopback UDP) per op from PROMPT_BENCH_CALLS concurrent calls (default
// 100), two ways in the same run: decode-per-play is the way diago plays a
// WAV (read, decode and µ-law-encode every 20 ms, per call: the engine's
// path before the cache, and the baseline); pre-encoded sends the frames
// the engine encoded once. It reports CPU (user+system) and allocations per
// play, i.e. per call per second of prompt.
//
//	go test -run XXX -bench PromptSend -benchtime 400x ./ivr/sipengine
func BenchmarkPromptSend(b *testing.B) {
	conc, _ := strconv.Atoi(os.Getenv("PROMPT_BENCH_CALLS"))
	if conc <= 0 {
		conc = 100
	}
	fsys := fstest.MapFS{"es/welcome.wav": {Data: toneWAV(time.Second)}}
	cache := newPromptCache(fsys)
	if _, err := cache.warm(); err != nil {
		b.Fatal(err)
	}
	sink, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	defer sink.Close()
	go func() {
		buf := make([]byte, 1500)
		for {
			if _, _, err := sink.ReadFrom(buf); err != nil {
				return
			}
		}
	}()
	codec := media.CodecAudioUlaw
	noStop := func() error { return nil }
	plays := map[string]func(w *media.RTPPacketWriter) error{
		"decode-per-play": func(w *media.RTPPacketWriter) error {
			f, err := fsys.Open("es/welcome.wav")
			if err != nil {
				return err
			}
			defer f.Close()
			w.ResetTimestamp()
			pb := diago.NewAudioPlayback(w, codec)
			return playWAV(&pb, f, noStop)
		},
		"pre-encoded": func(w *media.RTPPacketWriter) error {
			payload, err := cache.get("es/welcome.wav", codec.PayloadType)
			if err != nil {
				return err
			}
			w.ResetTimestamp()
			return sendFrames(w, payload, frameBytes(codec), noStop)
		},
	}
	for _, name := range []string{"decode-per-play", "pre-encoded"} {
		play := plays[name]
		b.Run(name, func(b *testing.B) {
			defer benchload.Report(b)
			writers := make([]*media.RTPPacketWriter, conc)
			for i := range writers {
				conn, err := net.Dial("udp", sink.LocalAddr().String())
				if err != nil {
					b.Fatal(err)
				}
				defer conn.Close()
				writers[i] = media.NewRTPPacketWriter(&udpRTP{conn: conn, buf: make([]byte, 1500)}, codec)
			}
			var next atomic.Int64
			var failed atomic.Value
			b.ReportAllocs()
			cpu0 := cpuTime()
			b.ResetTimer()
			var wg sync.WaitGroup
			for _, w := range writers {
				wg.Go(func() {
					for next.Add(1) <= int64(b.N) {
						if err := play(w); err != nil {
							failed.Store(err)
							return
						}
					}
				})
			}
			wg.Wait()
			b.StopTimer()
			if err, _ := failed.Load().(error); err != nil {
				b.Fatal(err)
			}
			b.ReportMetric(float64((cpuTime()-cpu0).Microseconds())/float64(b.N), "cpu-µs/play")
		})
	}
}

// cpuTime is the process's user + system CPU time.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

var _ io.Writer = (*media.RTPPacketWriter)(nil)
