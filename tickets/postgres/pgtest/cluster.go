package pgtest

import (
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strings"
	"testing"
)

// Cluster is a private PostgreSQL server that a test may stop and start
// again (outage tests). It is removed when the test ends.
type Cluster struct {
	t    testing.TB
	bin  string
	dir  string
	port int
	root bool
}

// NewCluster initialises and starts a throwaway cluster on a free loopback
// port. Without PostgreSQL the test is skipped, except under CI=true.
func NewCluster(t testing.TB) *Cluster {
	t.Helper()
	bin := findBin()
	if bin == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("pgtest: PostgreSQL is required under CI: initdb not found")
		}
		t.Skip("pgtest: no PostgreSQL: initdb not found")
	}
	dir, err := os.MkdirTemp("", "atiende-pgc-")
	if err != nil {
		t.Fatal(err)
	}
	port, err := freePort()
	if err != nil {
		t.Fatal(err)
	}
	c := &Cluster{t: t, bin: bin, dir: dir, port: port, root: os.Geteuid() == 0}
	t.Cleanup(func() {
		_ = c.run("pg_ctl", "-D", c.data(), "-m", "immediate", "stop")
		_ = os.RemoveAll(dir)
	})
	if c.root {
		if _, err := user.Lookup("postgres"); err != nil {
			t.Fatalf("pgtest: running as root needs the postgres user: %v", err)
		}
		if out, err := exec.Command("chown", "-R", "postgres:postgres", dir).CombinedOutput(); err != nil {
			t.Fatalf("pgtest: chown: %v: %s", err, out)
		}
	}
	if err := c.run("initdb", "-D", c.data(), "-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C.UTF-8", "--no-sync"); err != nil {
		t.Fatal(err)
	}
	c.Start()
	return c
}

// URL is the cluster's maintenance database.
func (c *Cluster) URL() string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable", c.port)
}

// Start starts the server (again) on the same port and waits until it
// accepts connections.
func (c *Cluster) Start() {
	c.t.Helper()
	opts := fmt.Sprintf("-c listen_addresses=127.0.0.1 -p %d -k %s -c fsync=off -c synchronous_commit=off -c full_page_writes=off", c.port, c.dir)
	if err := c.run("pg_ctl", "-D", c.data(), "-w", "-l", filepath.Join(c.dir, "log"), "-o", opts, "start"); err != nil {
		c.t.Fatal(err)
	}
}

// Stop stops the server with mode "fast" (sessions are ended: clients see
// 57P01 admin shutdown, then refused connections) or "immediate".
func (c *Cluster) Stop(mode string) {
	c.t.Helper()
	if err := c.run("pg_ctl", "-D", c.data(), "-w", "-m", mode, "stop"); err != nil {
		c.t.Fatal(err)
	}
}

func (c *Cluster) data() string { return filepath.Join(c.dir, "data") }

func (c *Cluster) run(name string, args ...string) error {
	cmd := exec.Command(filepath.Join(c.bin, name), args...)
	if c.root {
		cmd = exec.Command("runuser", append([]string{"-u", "postgres", "--", filepath.Join(c.bin, name)}, args...)...)
	}
	out, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("pgtest: %s: %v: %s", name, err, strings.TrimSpace(string(out)))
	}
	return nil
}
