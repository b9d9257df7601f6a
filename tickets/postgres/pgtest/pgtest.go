// Package pgtest gives tests a fresh PostgreSQL database on a real server.
//
// If ATIENDE_TEST_DATABASE_URL names a server (as `make test` does, after
// starting a throwaway cluster), each DB call creates a new database there.
// Otherwise the first DB call starts a private cluster with initdb/pg_ctl in a
// temporary directory, and Main stops it. Without PostgreSQL the test is
// skipped, except under CI=true, where that is a failure.
package pgtest

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
)

var (
	once     sync.Once
	adminURL string
	startErr error
	dataDir  string
	binDir   string
)

// Main runs the tests and then stops a cluster this process started.
func Main(m *testing.M) {
	code := m.Run()
	stop()
	os.Exit(code)
}

// DB returns the URL of a new empty database, dropped when t ends.
func DB(t testing.TB) string {
	t.Helper()
	once.Do(start)
	if startErr != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("pgtest: PostgreSQL is required under CI: %v", startErr)
		}
		t.Skipf("pgtest: no PostgreSQL: %v", startErr)
	}
	var b [6]byte
	_, _ = rand.Read(b[:])
	name := "t_" + hex.EncodeToString(b[:])
	if err := psql(adminURL, "CREATE DATABASE "+name); err != nil {
		t.Fatalf("pgtest: create database: %v", err)
	}
	t.Cleanup(func() { _ = psql(adminURL, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)") })
	u, _ := url.Parse(adminURL)
	u.Path = "/" + name
	return u.String()
}

// AdminURL returns the URL of the server's maintenance database, starting a
// cluster if needed (for benchmarks that manage their own databases).
func AdminURL(t testing.TB) string {
	t.Helper()
	once.Do(start)
	if startErr != nil {
		t.Fatalf("pgtest: %v", startErr)
	}
	return adminURL
}

func psql(dbURL, sql string) error {
	out, err := exec.Command("psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", dbURL, "-c", sql).CombinedOutput()
	if err != nil {
		return fmt.Errorf("%v: %s", err, strings.TrimSpace(string(out)))
	}
	return nil
}

func start() {
	if u := os.Getenv("ATIENDE_TEST_DATABASE_URL"); u != "" {
		adminURL = u
		startErr = psql(u, "SELECT 1")
		return
	}
	binDir = findBin()
	if binDir == "" {
		startErr = fmt.Errorf("initdb not found (install the postgresql package, or set ATIENDE_TEST_DATABASE_URL)")
		return
	}
	if _, err := exec.LookPath("psql"); err != nil {
		startErr = fmt.Errorf("psql not found: %v", err)
		return
	}
	dir, err := os.MkdirTemp("", "atiende-pg-")
	if err != nil {
		startErr = err
		return
	}
	dataDir = filepath.Join(dir, "data")
	port, err := freePort()
	if err != nil {
		startErr = err
		return
	}
	asPostgres := os.Geteuid() == 0
	if asPostgres {
		if _, err := user.Lookup("postgres"); err != nil {
			startErr = fmt.Errorf("running as root needs the postgres user: %v", err)
			return
		}
		if out, err := exec.Command("chown", "-R", "postgres:postgres", dir).CombinedOutput(); err != nil {
			startErr = fmt.Errorf("chown: %v: %s", err, out)
			return
		}
	}
	run := func(name string, args ...string) error {
		cmd := exec.Command(filepath.Join(binDir, name), args...)
		if asPostgres {
			cmd = exec.Command("runuser", append([]string{"-u", "postgres", "--", filepath.Join(binDir, name)}, args...)...)
		}
		out, err := cmd.CombinedOutput()
		if err != nil {
			return fmt.Errorf("%s: %v: %s", name, err, strings.TrimSpace(string(out)))
		}
		return nil
	}
	if err := run("initdb", "-D", dataDir, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C.UTF-8", "--no-sync"); err != nil {
		startErr = err
		return
	}
	opts := fmt.Sprintf("-c listen_addresses=127.0.0.1 -p %d -k %s -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300", port, dir)
	if err := run("pg_ctl", "-D", dataDir, "-w", "-l", filepath.Join(dir, "log"), "-o", opts, "start"); err != nil {
		startErr = err
		return
	}
	adminURL = fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable", port)
	startErr = psql(adminURL, "SELECT 1")
}

func stop() {
	if dataDir == "" {
		return
	}
	args := []string{"-D", dataDir, "-m", "immediate", "stop"}
	cmd := exec.Command(filepath.Join(binDir, "pg_ctl"), args...)
	if os.Geteuid() == 0 {
		cmd = exec.Command("runuser", append([]string{"-u", "postgres", "--", filepath.Join(binDir, "pg_ctl")}, args...)...)
	}
	_ = cmd.Run()
	_ = os.RemoveAll(filepath.Dir(dataDir))
}

func findBin() string {
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Sort(sort.Reverse(sort.StringSlice(dirs)))
	for _, d := range dirs {
		if _, err := os.Stat(filepath.Join(d, "initdb")); err == nil {
			return d
		}
	}
	if p, err := exec.LookPath("initdb"); err == nil {
		if r, err := filepath.EvalSymlinks(p); err == nil {
			return filepath.Dir(r)
		}
	}
	return ""
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// Query runs sql with psql on dbURL and returns its unaligned, tuples-only
// output (fields separated by |), for tests and benchmarks outside the
// storage adapter, which may not use pgx.
func Query(dbURL, sql string) (string, error) {
	out, err := exec.Command("psql", "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-d", dbURL, "-c", sql).Output()
	if err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			return "", fmt.Errorf("pgtest: %s: %v: %s", sql, err, strings.TrimSpace(string(ee.Stderr)))
		}
		return "", fmt.Errorf("pgtest: %s: %w", sql, err)
	}
	return strings.TrimSpace(string(out)), nil
}

// BackendPIDs returns the process IDs of the server's backends and
// background workers (WAL writer, checkpointer) as pg_stat_activity lists
// them now, leaving out the psql session that asks.
func BackendPIDs(dbURL string) ([]int, error) {
	out, err := Query(dbURL, "SELECT pid FROM pg_stat_activity WHERE pid <> pg_backend_pid()")
	if err != nil {
		return nil, err
	}
	var pids []int
	for _, f := range strings.Fields(out) {
		var pid int
		if _, err := fmt.Sscan(f, &pid); err != nil {
			return nil, fmt.Errorf("pgtest: backend pid %q: %w", f, err)
		}
		pids = append(pids, pid)
	}
	return pids, nil
}
