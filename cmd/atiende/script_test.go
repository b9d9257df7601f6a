package main

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/atiende/atiende/escalation/smtp/smtptest"
)

// runAsAtiende, set to 1 in a child's environment, makes the test binary
// run Main with its arguments: the real command, with no separate build.
const runAsAtiende = "ATIENDE_TEST_RUN_MAIN"

// atiendeBinary returns a path that runs as bin/atiende when the
// environment has runAsAtiende=1.
func atiendeBinary(t testing.TB) string {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	return exe
}

// needOrSkip skips when a tool is missing, except under CI=true.
func needOrSkip(t testing.TB, format string, args ...any) {
	t.Helper()
	if os.Getenv("CI") == "true" {
		t.Fatalf(format, args...)
	}
	t.Skipf(format, args...)
}

// mailpitBinary installs mailpit once into the user's cache directory (the
// demo script's own `go install`, shared between runs).
func mailpitBinary(t testing.TB) string {
	t.Helper()
	cache, err := os.UserCacheDir()
	if err != nil {
		cache = os.TempDir()
	}
	dir := filepath.Join(cache, "atiende-test")
	bin := filepath.Join(dir, "mailpit")
	if _, err := os.Stat(bin); err == nil {
		return bin
	}
	cmd := exec.Command("go", "install", smtptest.Module)
	cmd.Dir = os.TempDir() // outside the module
	cmd.Env = append(os.Environ(), "GOBIN="+dir)
	if out, err := cmd.CombinedOutput(); err != nil {
		needOrSkip(t, "go install mailpit: %v\n%s", err, out)
	}
	return bin
}

// scratchDir is a directory under /tmp that the postgres system user can
// enter (pg.sh runs the server as postgres when the tests run as root).
func scratchDir(t testing.TB) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "atiende-run-")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.RemoveAll(dir) })
	return dir
}

func alive(pid int) bool {
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}

func readPid(t testing.TB, path string) int {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	line, _, _ := strings.Cut(string(b), "\n")
	pid, err := strconv.Atoi(strings.TrimSpace(line))
	if err != nil {
		t.Fatalf("%s: %q is not a pid", path, line)
	}
	return pid
}

// TestMakeRunCtrlCStopsEverything runs `make run`'s script with the demo
// configuration on free ports, presses Ctrl-C (SIGINT to its process group,
// as a terminal does) once Atiende listens, and checks that Atiende, mailpit
// and the PostgreSQL the script started are all gone, the data kept. Then
// the same with `make stop` after the script itself was killed.
func TestMakeRunCtrlCStopsEverything(t *testing.T) {
	t.Run("CtrlC", func(t *testing.T) { testMakeRunStops(t, false) })
	t.Run("MakeStop", func(t *testing.T) { testMakeRunStops(t, true) })
}

func testMakeRunStops(t *testing.T, makeStop bool) {
	if _, err := exec.LookPath("bash"); err != nil {
		needOrSkip(t, "bash: %v", err)
	}
	if m, _ := filepath.Glob("/usr/lib/postgresql/*/bin/initdb"); len(m) == 0 {
		needOrSkip(t, "PostgreSQL is not installed")
	}
	mailpit := mailpitBinary(t)
	data := scratchDir(t)
	smtpAddr := fmt.Sprintf("127.0.0.1:%d", smtptest.FreePort(t))
	demo, err := os.ReadFile("../../deploy/demo.yml")
	if err != nil {
		t.Fatal(err)
	}
	cfg := filepath.Join(data, "demo.yml")
	esc, _ := filepath.Abs("../../deploy/escalation-demo.yml")
	conf := strings.ReplaceAll(string(demo), "127.0.0.1:1025", smtpAddr)
	conf = strings.ReplaceAll(conf, "file: escalation-demo.yml", "file: "+esc)
	if err := os.WriteFile(cfg, []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = exec.Command("../../.ci/pg.sh", "stop", filepath.Join(data, "pg")).Run() })

	cmd := exec.Command("bash", "../../.ci/run-demo.sh")
	env := []string{}
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "ATIENDE_") {
			env = append(env, kv)
		}
	}
	cmd.Env = append(env, "DATA="+data, "PGPORT="+strconv.Itoa(smtptest.FreePort(t)), "CONFIG="+cfg,
		"ATIENDE_BIN="+atiendeBinary(t), runAsAtiende+"=1", "MAILPIT_BIN="+mailpit,
		"MAILPIT_SMTP="+smtpAddr, "MAILPIT_HTTP="+fmt.Sprintf("127.0.0.1:%d", smtptest.FreePort(t)),
		"ATIENDE_HTTP_ADDR=127.0.0.1:0", "ATIENDE_SIP_ADDR=127.0.0.1:0", "ATIENDE_LOG_LEVEL=warn")
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true} // its own group, like a terminal's foreground job
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	listening := make(chan bool, 1)
	go func() {
		sc := bufio.NewScanner(out)
		said := false
		for sc.Scan() {
			if !said && strings.HasPrefix(sc.Text(), "listening on ") {
				said = true
				listening <- true
			}
		}
		exited <- cmd.Wait()
	}()
	t.Cleanup(func() { _ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) })
	select {
	case <-listening:
	case err := <-exited:
		t.Fatalf("run-demo.sh ended before Atiende listened: %v\n%s", err, tail(stderr.String(), 4000))
	case <-time.After(3 * time.Minute):
		t.Fatalf("Atiende never listened:\n%s", tail(stderr.String(), 4000))
	}
	pids := map[string]int{
		"postgres": readPid(t, filepath.Join(data, "pg", "data", "postmaster.pid")),
		"mailpit":  readPid(t, filepath.Join(data, "mailpit.pid")),
		"atiende":  readPid(t, filepath.Join(data, "atiende.pid")),
	}
	for name, pid := range pids {
		if !alive(pid) {
			t.Fatalf("%s (pid %d) is not running before Ctrl-C", name, pid)
		}
	}

	if makeStop {
		// The terminal of `make run` is gone (the script killed, its
		// children and PostgreSQL orphaned): `make stop` ends them.
		if err := cmd.Process.Kill(); err != nil {
			t.Fatal(err)
		}
		stop := exec.Command("bash", "../../.ci/run-demo.sh", "stop")
		stop.Env = cmd.Env
		if out, err := stop.CombinedOutput(); err != nil {
			t.Fatalf("run-demo.sh stop: %v\n%s", err, out)
		}
	} else if err := syscall.Kill(-cmd.Process.Pid, syscall.SIGINT); err != nil { // Ctrl-C
		t.Fatal(err)
	}
	select {
	case <-exited:
	case <-time.After(60 * time.Second):
		t.Fatalf("run-demo.sh still running 60 s after it was stopped:\n%s", tail(stderr.String(), 4000))
	}
	deadline := time.Now().Add(10 * time.Second)
	for name, pid := range pids {
		for alive(pid) && time.Now().Before(deadline) {
			time.Sleep(50 * time.Millisecond)
		}
		if alive(pid) {
			t.Errorf("%s (pid %d) still running after the stop", name, pid)
		}
	}
	if _, err := os.Stat(filepath.Join(data, "pg", "data", "PG_VERSION")); err != nil {
		t.Errorf("the PostgreSQL data is gone after the stop: %v", err)
	}
}
