// Command bareuas is the bare engine BenchmarkCallPath compares Atiende
// with: a minimal diago UAS that answers, plays one prompt (decoded and
// encoded by diago as it plays), reads one RFC 4733 key and hangs up. No
// database, no IVR flow, no queue. It lives under testdata so that
// `go build ./...` and `go vet ./...` leave it out; the benchmark builds it.
//
//	bareuas -addr 127.0.0.1:5090 -prompt es/welcome.wav -rtp 20000-29999
package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/atiende/atiende/ivr/prompts"
	"github.com/emiago/diago"
	"github.com/emiago/diago/media"
	"github.com/emiago/sipgo"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:5090", "UDP address to listen on")
	prompt := flag.String("prompt", "es/welcome.wav", "prompt of ivr/prompts to play")
	rtp := flag.String("rtp", "20000-29999", "RTP port range")
	flag.Parse()
	if err := run(*addr, *prompt, *rtp); err != nil {
		fmt.Fprintln(os.Stderr, "bareuas:", err)
		os.Exit(1)
	}
}

func run(addr, prompt, rtp string) error {
	wav, err := prompts.FS.ReadFile(prompt)
	if err != nil {
		return err
	}
	lo, hi, _ := strings.Cut(rtp, "-")
	media.RTPPortStart, _ = strconv.Atoi(lo)
	media.RTPPortEnd, _ = strconv.Atoi(hi)
	host, port, err := splitHostPort(addr)
	if err != nil {
		return err
	}
	ua, err := sipgo.NewUA(sipgo.WithUserAgent("bareuas"))
	if err != nil {
		return err
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError}))
	slog.SetDefault(log)
	dg := diago.NewDiago(ua, diago.WithLogger(log),
		diago.WithTransport(diago.Transport{Transport: "udp", BindHost: host, BindPort: port}),
		diago.WithMediaConfig(diago.MediaConfig{Codecs: []media.Codec{
			media.CodecAudioUlaw, media.CodecAudioAlaw, media.CodecTelephoneEvent8000}}))
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err = dg.ServeBackground(ctx, func(d *diago.DialogServerSession) { serve(d, wav) })
	if err != nil {
		return err
	}
	fmt.Println("listening on", addr)
	<-ctx.Done()
	return nil
}

// serve answers, plays the prompt while it listens for a key (a key stops
// the prompt) and hangs up after the key (or after 10 s).
func serve(d *diago.DialogServerSession, wav []byte) {
	_ = d.Trying()
	if err := d.Answer(); err != nil {
		return
	}
	key := make(chan struct{}, 1)
	var pressed atomic.Bool
	// The first RFC 4733 packet (payload type 101) is the key: diago's
	// DTMF reader misses the stock sipp pcaps' presses (their packets
	// repeat a sequence number), and a bare engine needs no more.
	go func() {
		r := d.RTPPacketReader
		buf := make([]byte, media.RTPBufSize)
		for {
			if _, err := r.Read(buf); err != nil {
				return
			}
			if r.PacketHeader.PayloadType == 101 && !pressed.Swap(true) {
				key <- struct{}{}
			}
		}
	}()
	if pb, err := d.PlaybackCreate(); err == nil {
		_, _ = pb.Play(&bargeIn{r: bytes.NewReader(wav), pressed: &pressed}, "audio/wav")
	}
	select {
	case <-key:
	case <-d.Context().Done():
		return
	case <-time.After(10 * time.Second):
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = d.Hangup(ctx)
}

// bargeIn ends the prompt once a key is pressed.
type bargeIn struct {
	r       io.Reader
	pressed *atomic.Bool
}

func (b *bargeIn) Read(p []byte) (int, error) {
	if b.pressed.Load() {
		return 0, io.EOF
	}
	return b.r.Read(p)
}

func splitHostPort(addr string) (string, int, error) {
	i := strings.LastIndexByte(addr, ':')
	if i < 0 {
		return "", 0, fmt.Errorf("address %q has no port", addr)
	}
	p, err := strconv.Atoi(addr[i+1:])
	return addr[:i], p, err
}
