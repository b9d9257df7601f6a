// Package asterisklab starts a real Asterisk 22 for tests: the build that
// .ci/asterisk.sh caches (ATIENDE_ASTERISK_PREFIX), run with the project's
// own deploy/asterisk configuration, templated only for ports, paths and
// the CHANGE-ME secrets, on free loopback ports, in a private folder. It is
// stopped in t.Cleanup.
//
// Without Asterisk the test skips, except under CI=true, where it fails.
package asterisklab

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// DefaultPrefix is where .ci/asterisk.sh builds Asterisk when
// ATIENDE_ASTERISK_PREFIX is not set.
const DefaultPrefix = "/var/cache/atiende/asterisk-22.10.1"

// The ARI user of deploy/asterisk/ari.conf and the Stasis app of
// deploy/asterisk/extensions.conf.
const (
	User = "atiende"
	App  = "atiende"
)

// Options change what the config files say beyond ports and paths.
type Options struct {
	// ARIPassword replaces ari.conf's CHANGE-ME (default "secret").
	ARIPassword string
	// Extra config: file name -> text appended to that file (or the whole
	// file if deploy/asterisk has none), e.g. a dialplan for a benchmark.
	Extra map[string]string
	// RTPPorts is the size of rtp.conf's port range (default 200: 100
	// calls); a load benchmark with hundreds of calls needs more.
	RTPPorts int
}

// Asterisk is one running (or stopped) Asterisk.
type Asterisk struct {
	t      testing.TB
	Prefix string
	Dir    string // etc/, run/, log/, ... of this instance
	// HTTPPort carries ARI; SIPPort is the PJSIP UDP transport; trunk
	// calls come from 127.0.0.1 (identify by IP), agents by username.
	HTTPPort, SIPPort int
	RTPStart, RTPEnd  int
	Password          string
	conf              string
	mu                sync.Mutex
	cmd               *exec.Cmd
	exited            chan struct{}
}

// Start runs Asterisk and waits until ARI answers.
func Start(t testing.TB, o Options) *Asterisk {
	t.Helper()
	prefix := Prefix(t)
	if o.ARIPassword == "" {
		o.ARIPassword = "secret"
	}
	dir, err := os.MkdirTemp("", "ast") // short: the CLI socket path is limited to 108 bytes
	if err != nil {
		t.Fatal(err)
	}
	a := &Asterisk{t: t, Prefix: prefix, Dir: dir, Password: o.ARIPassword,
		HTTPPort: freePort(t, "tcp"), SIPPort: freePort(t, "udp")}
	if o.RTPPorts <= 0 {
		o.RTPPorts = 200
	}
	a.RTPStart, a.RTPEnd = freeRange(t, o.RTPPorts)
	if err := a.writeConfig(o); err != nil {
		t.Fatalf("asterisklab: config: %v", err)
	}
	t.Cleanup(func() {
		a.Stop()
		if t.Failed() {
			if b, err := os.ReadFile(filepath.Join(dir, "log", "messages.log")); err == nil {
				t.Logf("asterisk messages.log (last 6000 bytes):\n%s", tail(b, 6000))
			}
		}
		os.RemoveAll(dir)
	})
	a.Start()
	return a
}

// Prefix is the Asterisk build to run, or skips the test (fails it under
// CI=true) when there is none.
func Prefix(t testing.TB) string {
	t.Helper()
	prefix := os.Getenv("ATIENDE_ASTERISK_PREFIX")
	if prefix == "" {
		prefix = DefaultPrefix
	}
	if _, err := os.Stat(filepath.Join(prefix, "sbin", "asterisk")); err != nil {
		msg := fmt.Sprintf("no Asterisk in %s (build it with .ci/asterisk.sh, or set ATIENDE_ASTERISK_PREFIX): %v", prefix, err)
		if os.Getenv("CI") == "true" {
			t.Fatal("Asterisk is required under CI=true: " + msg)
		}
		t.Skip(msg)
	}
	return prefix
}

// URL is ARI's base URL.
func (a *Asterisk) URL() string { return fmt.Sprintf("http://127.0.0.1:%d/ari", a.HTTPPort) }

// SIPAddr is the PJSIP transport, host:port.
func (a *Asterisk) SIPAddr() string { return "127.0.0.1:" + strconv.Itoa(a.SIPPort) }

// Start starts Asterisk again after Stop, on the same ports and config,
// and waits until ARI answers.
func (a *Asterisk) Start() {
	a.t.Helper()
	a.mu.Lock()
	if a.cmd != nil {
		a.mu.Unlock()
		a.t.Fatal("asterisklab: already running")
	}
	logf, err := os.OpenFile(filepath.Join(a.Dir, "log", "console.log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		a.mu.Unlock()
		a.t.Fatal(err)
	}
	cmd := exec.Command(filepath.Join(a.Prefix, "sbin", "asterisk"), "-f", "-n", "-C", a.conf)
	cmd.Env = append(os.Environ(), "LD_LIBRARY_PATH="+filepath.Join(a.Prefix, "lib"))
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		logf.Close()
		a.mu.Unlock()
		a.t.Fatalf("asterisklab: start: %v", err)
	}
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); logf.Close(); close(exited) }()
	a.cmd, a.exited = cmd, exited
	a.mu.Unlock()

	deadline := time.Now().Add(60 * time.Second) // a loaded 2-core machine
	for {
		var info struct {
			System struct{ Version string } `json:"system"`
		}
		err := a.ARI("GET", "/asterisk/info", &info)
		if err == nil {
			return
		}
		select {
		case <-exited:
			a.mu.Lock()
			a.cmd = nil
			a.mu.Unlock()
			a.t.Fatalf("asterisklab: Asterisk exited at start; see %s", filepath.Join(a.Dir, "log"))
		default:
		}
		if time.Now().After(deadline) {
			a.t.Fatalf("asterisklab: ARI did not answer within 60 s: %v", err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// Stop stops Asterisk (core stop now, then signals) and waits for it.
func (a *Asterisk) Stop() {
	a.mu.Lock()
	cmd, exited := a.cmd, a.exited
	a.cmd = nil
	a.mu.Unlock()
	if cmd == nil {
		return
	}
	_, _ = a.CLI("core stop now")
	select {
	case <-exited:
		return
	case <-time.After(10 * time.Second):
	}
	_ = cmd.Process.Kill()
	<-exited
}

// PID is the running Asterisk's process id (0 when stopped).
func (a *Asterisk) PID() int {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.cmd == nil {
		return 0
	}
	return a.cmd.Process.Pid
}

// CPU is the processor time Asterisk has used so far (user + system).
func (a *Asterisk) CPU() (time.Duration, error) { return ProcessCPU(a.PID()) }

// ProcessCPU is the user + system time of process pid, from /proc.
func ProcessCPU(pid int) (time.Duration, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	s := string(b)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+2:]) // fields from 3 on
	if len(f) < 13 {
		return 0, errors.New("short /proc stat")
	}
	ut, _ := strconv.ParseInt(f[11], 10, 64) // field 14
	st, _ := strconv.ParseInt(f[12], 10, 64) // field 15
	const clkTck = 100                       // USER_HZ on Linux
	return time.Duration(ut+st) * time.Second / clkTck, nil
}

// Log is Asterisk's messages.log so far.
func (a *Asterisk) Log() string {
	b, _ := os.ReadFile(filepath.Join(a.Dir, "log", "messages.log"))
	return string(b)
}

// CLI runs an Asterisk CLI command (asterisk -rx) and returns its output.
func (a *Asterisk) CLI(command string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, filepath.Join(a.Prefix, "sbin", "asterisk"), "-C", a.conf, "-rx", command)
	cmd.Env = append(os.Environ(), "LD_LIBRARY_PATH="+filepath.Join(a.Prefix, "lib"))
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// client opens a connection per request: the tests count Asterisk's HTTP
// sessions, and the lab's own requests must not hold any.
var client = &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}

// ARI sends one request as the ARI user and decodes a 2xx JSON answer into
// out (when not nil).
func (a *Asterisk) ARI(method, path string, out any) error {
	req, err := http.NewRequest(method, a.URL()+path, nil)
	if err != nil {
		return err
	}
	req.SetBasicAuth(User, a.Password)
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("%s %s: %s %s", method, path, resp.Status, body)
	}
	if out != nil && len(body) > 0 {
		return json.Unmarshal(body, out)
	}
	return nil
}

// CheckClean fails the test unless, within a generous 30 s of the test's
// calls ending, Asterisk has no channel left (core show channels counts 0,
// ARI /channels is empty) and no bridge (ARI /bridges); it names what is
// left.
func (a *Asterisk) CheckClean(t testing.TB) {
	t.Helper()
	var chans, bridges []struct {
		ID   string `json:"id"`
		Name string `json:"name"`
	}
	var core string
	var active int
	deadline := time.Now().Add(30 * time.Second)
	for {
		errC := a.ARI("GET", "/channels", &chans)
		errB := a.ARI("GET", "/bridges", &bridges)
		var errCore error
		core, errCore = a.CLI("core show channels")
		active, errCore = activeChannels(core, errCore)
		if errC == nil && errB == nil && errCore == nil && len(chans) == 0 && len(bridges) == 0 && active == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Errorf("Asterisk not clean 30 s after the calls: ARI channels %v, bridges %v (errors %v, %v); core show channels: %d active (%v)\n%s",
				chans, bridges, errC, errB, active, errCore, core)
			return
		}
		time.Sleep(200 * time.Millisecond)
	}
}

var activeRE = regexp.MustCompile(`(?m)^(\d+) active channels?$`)

// activeChannels reads the count of "core show channels".
func activeChannels(out string, err error) (int, error) {
	if err != nil {
		return -1, err
	}
	m := activeRE.FindStringSubmatch(out)
	if m == nil {
		return -1, fmt.Errorf("no channel count in core show channels: %q", out)
	}
	return strconv.Atoi(m[1])
}

// writeConfig puts deploy/asterisk's files, templated, and the stock
// files they rely on into Dir/etc.
func (a *Asterisk) writeConfig(o Options) error {
	deploy, err := deployDir()
	if err != nil {
		return err
	}
	prompts := filepath.Join(filepath.Dir(deploy), "..", "ivr", "prompts")
	for _, d := range []string{"etc", "run", "log", "spool", "lib/keys", "cache", "data/sounds/atiende"} {
		if err := os.MkdirAll(filepath.Join(a.Dir, d), 0o755); err != nil {
			return err
		}
	}
	// The data folder: the build's (sounds, moh, documentation, ...),
	// with Atiende's prompts installed as deploy/asterisk/README.md says.
	data := filepath.Join(a.Prefix, "var", "lib", "asterisk")
	entries, err := os.ReadDir(data)
	if err != nil {
		return err
	}
	for _, e := range entries {
		if e.Name() == "sounds" {
			continue
		}
		if err := os.Symlink(filepath.Join(data, e.Name()), filepath.Join(a.Dir, "data", e.Name())); err != nil {
			return err
		}
	}
	sounds, err := os.ReadDir(filepath.Join(data, "sounds"))
	if err != nil {
		return err
	}
	for _, e := range sounds {
		if e.Name() == "atiende" {
			continue
		}
		if err := os.Symlink(filepath.Join(data, "sounds", e.Name()), filepath.Join(a.Dir, "data", "sounds", e.Name())); err != nil {
			return err
		}
	}
	for _, lang := range []string{"es", "en"} {
		p, err := filepath.Abs(filepath.Join(prompts, lang))
		if err != nil {
			return err
		}
		if err := os.Symlink(p, filepath.Join(a.Dir, "data", "sounds", "atiende", lang)); err != nil {
			return err
		}
	}

	// A stock install (Asterisk's sample configuration), then
	// deploy/asterisk over it, as its README tells an administrator.
	files, err := stockConfig(a.Prefix)
	if err != nil {
		return err
	}
	files["asterisk.conf"] = a.asteriskConf()
	files["logger.conf"] = "[general]\ndateformat = %F %T.%3q\n[logfiles]\nmessages.log => notice,warning,error,verbose\n"
	deployFiles, err := filepath.Glob(filepath.Join(deploy, "*.conf"))
	if err != nil {
		return err
	}
	for _, p := range deployFiles {
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		files[filepath.Base(p)] = a.template(filepath.Base(p), string(b))
	}
	for name, text := range o.Extra {
		files[name] += "\n" + text
	}
	for name, text := range files {
		if err := os.WriteFile(filepath.Join(a.Dir, "etc", name), []byte(text), 0o644); err != nil {
			return err
		}
	}
	a.conf = filepath.Join(a.Dir, "etc", "asterisk.conf")
	return nil
}

// stockConfig is the sample configuration of the build: $PREFIX/samples
// (.ci/asterisk.sh copies it there) or the build tree's configs/samples.
func stockConfig(prefix string) (map[string]string, error) {
	dirs := []string{filepath.Join(prefix, "samples")}
	if m, _ := filepath.Glob(prefix + "-build/asterisk-*/configs/samples"); len(m) > 0 {
		dirs = append(dirs, m...)
	}
	for _, dir := range dirs {
		paths, _ := filepath.Glob(filepath.Join(dir, "*.conf*"))
		if len(paths) == 0 {
			continue
		}
		files := map[string]string{}
		for _, p := range paths {
			b, err := os.ReadFile(p)
			if err != nil {
				return nil, err
			}
			files[strings.TrimSuffix(filepath.Base(p), ".sample")] = string(b)
		}
		return files, nil
	}
	return nil, fmt.Errorf("no sample configuration in %s (.ci/asterisk.sh puts it there)", dirs[0])
}

func (a *Asterisk) asteriskConf() string {
	d := func(p string) string { return filepath.Join(a.Dir, p) }
	return "[directories]\n" +
		"astcachedir => " + d("cache") + "\n" +
		"astetcdir => " + d("etc") + "\n" +
		"astmoddir => " + filepath.Join(a.Prefix, "lib", "asterisk", "modules") + "\n" +
		"astvarlibdir => " + d("lib") + "\n" +
		"astdbdir => " + d("lib") + "\n" +
		"astkeydir => " + d("lib") + "\n" +
		"astdatadir => " + d("data") + "\n" +
		"astagidir => " + d("lib") + "\n" +
		"astspooldir => " + d("spool") + "\n" +
		"astrundir => " + d("run") + "\n" +
		"astlogdir => " + d("log") + "\n" +
		"astsbindir => " + filepath.Join(a.Prefix, "sbin") + "\n" +
		"[options]\nverbose = 3\ndebug = 0\ndocumentation_language = en_US\nhideconnect = yes\n"
}

// template changes what an administrator would change for a lab on one
// host: ports, the loopback address, the CHANGE-ME secrets.
func (a *Asterisk) template(name, text string) string {
	type sub struct {
		re   string
		repl string
	}
	var subs []sub
	switch name {
	case "http.conf":
		subs = []sub{{`(?m)^bindport\s*=.*$`, "bindport = " + strconv.Itoa(a.HTTPPort)}}
	case "ari.conf":
		subs = []sub{{`(?m)^password\s*=\s*CHANGE-ME.*$`, "password = " + a.Password}}
	case "rtp.conf":
		subs = []sub{{`(?m)^rtpstart\s*=.*$`, "rtpstart = " + strconv.Itoa(a.RTPStart)},
			{`(?m)^rtpend\s*=.*$`, "rtpend = " + strconv.Itoa(a.RTPEnd)}}
	case "pjsip.conf":
		subs = []sub{
			{`(?m)^bind\s*=.*$`, "bind = " + a.SIPAddr()},
			// the trunk's provider: loopback, on a port where nobody answers
			{`CHANGE-ME-provider-address:\d+`, "127.0.0.1:" + strconv.Itoa(freePort(a.t, "udp"))},
			{`CHANGE-ME-provider-address`, "127.0.0.1"},
			// agent passwords: the extension number
			{`CHANGE-ME-(\d+)`, "$1"},
		}
	}
	for _, s := range subs {
		text = regexp.MustCompile(s.re).ReplaceAllString(text, s.repl)
	}
	return text
}

// deployDir finds deploy/asterisk from the test's working directory.
func deployDir() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return filepath.Join(dir, "deploy", "asterisk"), nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no go.mod above the working directory")
		}
		dir = parent
	}
}

func freePort(t testing.TB, network string) int {
	t.Helper()
	for range 50 {
		var port int
		if network == "udp" {
			pc, err := net.ListenPacket("udp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			port = pc.LocalAddr().(*net.UDPAddr).Port
			ln, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(port))
			pc.Close()
			if err != nil {
				continue
			}
			ln.Close()
		} else {
			ln, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			port = ln.Addr().(*net.TCPAddr).Port
			ln.Close()
		}
		return port
	}
	t.Fatal("no free port")
	return 0
}

// freeRange finds n consecutive UDP ports free now, for RTP, outside the
// kernel's ephemeral range (so other tests' port-0 sockets do not land
// in it) when possible.
func freeRange(t testing.TB, n int) (int, int) {
	t.Helper()
	seed := int(time.Now().UnixNano()/1000) ^ os.Getpid()
	for try := range 200 {
		start := 20000 + ((seed+try*7919)%(12000/n))*n // 20000..31999
		ok := true
		for p := start; p < start+n && ok; p += 2 {
			pc, err := net.ListenPacket("udp", "127.0.0.1:"+strconv.Itoa(p))
			if err != nil {
				ok = false
				break
			}
			pc.Close()
		}
		if ok {
			return start, start + n - 1
		}
	}
	t.Fatal("no free RTP range")
	return 0, 0
}

func tail(b []byte, n int) []byte {
	if len(b) > n {
		return b[len(b)-n:]
	}
	return b
}
