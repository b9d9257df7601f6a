// Command atiende runs the Atiende help desk: the IVR on the embedded SIP
// engine or on Asterisk, the ticket store, the queue and the desk.
//
//	atiende serve        -config FILE   run the service
//	atiende migrate      -config FILE   apply database migrations
//	atiende check-config -config FILE   validate the configuration and exit
//	atiende demo-data    -config FILE   load demo users, contacts and tickets
//	atiende version
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"
)

// version is set with -ldflags "-X main.version=..."; otherwise the module's.
var version = ""

func main() {
	os.Exit(Main(context.Background(), os.Args[1:], os.Getenv, os.Stdout, os.Stderr))
}

// Main is main without process globals, so end-to-end tests can run it.
func Main(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprintln(stderr, usage)
		return 2
	}
	cmd, args := args[0], args[1:]
	fs := flag.NewFlagSet("atiende "+cmd, flag.ContinueOnError)
	fs.SetOutput(stderr)
	configPath := fs.String("config", getenv("ATIENDE_CONFIG"), "YAML configuration file")
	banner := fs.Bool("banner", false, "serve: print URLs and demo credentials once listening")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if cmd == "version" {
		fmt.Fprintln(stdout, "atiende", buildVersion())
		return 0
	}
	cfg, err := LoadConfig(*configPath, getenv)
	if err != nil {
		fmt.Fprintln(stderr, "atiende:", err)
		return 1
	}
	log := newLogger(cfg.Log, stderr)
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	switch cmd {
	case "check-config":
		fmt.Fprintf(stdout, "configuration ok (engine %s, http %s)\n", cfg.Engine, cfg.HTTP.Addr)
		return 0
	case "migrate":
		err = runMigrate(ctx, cfg, log)
	case "demo-data":
		err = runDemoData(ctx, cfg, log, stdout)
	case "serve":
		err = runServe(ctx, cfg, log, stdout, *banner)
	default:
		fmt.Fprintf(stderr, "atiende: unknown command %q\n%s\n", cmd, usage)
		return 2
	}
	if err != nil && !errors.Is(err, context.Canceled) {
		log.Error("atiende "+cmd+" failed", "error", err)
		return 1
	}
	return 0
}

const usage = `usage: atiende serve|migrate|check-config|demo-data|version [-config FILE]

Environment: ATIENDE_DATABASE_URL, ATIENDE_HTTP_ADDR (127.0.0.1:8080),
ATIENDE_SIP_ADDR, ATIENDE_ENGINE (sip|asterisk), ATIENDE_ARI_URL,
ATIENDE_ARI_USER, ATIENDE_ARI_PASSWORD, ATIENDE_ARI_APP, ATIENDE_ARI_MAX_CONNS,
ATIENDE_ASTERISK_SOUNDS_DIR,
ATIENDE_ADMIN_PASSWORD (creates the first admin), ATIENDE_LOG_LEVEL.
Secrets may also be read from a file named by NAME_FILE.`

func buildVersion() string {
	if version != "" {
		return version
	}
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, s := range bi.Settings {
			if s.Key == "vcs.revision" && len(s.Value) >= 12 {
				return "dev-" + s.Value[:12]
			}
		}
		return bi.Main.Version
	}
	return "dev"
}

func newLogger(c LogConfig, w io.Writer) *slog.Logger {
	var lvl slog.Level
	_ = lvl.UnmarshalText([]byte(c.Level))
	opts := &slog.HandlerOptions{Level: lvl}
	if c.Format == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}
