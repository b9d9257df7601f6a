package pgtest

import (
	"os/exec"
	"strings"
	"testing"
)

func TestMain(m *testing.M) { Main(m) }

func TestDBIsFreshAndUsable(t *testing.T) {
	a, b := DB(t), DB(t)
	if a == b {
		t.Fatalf("two calls returned the same database %s", a)
	}
	out, err := exec.Command("psql", "-X", "-At", "-d", a, "-c", "SELECT count(*) FROM pg_tables WHERE schemaname='public'").CombinedOutput()
	if err != nil {
		t.Fatalf("psql: %v: %s", err, out)
	}
	if strings.TrimSpace(string(out)) != "0" {
		t.Fatalf("new database has tables: %s", out)
	}
}

func TestBackendPIDs(t *testing.T) {
	pids, err := BackendPIDs(DB(t))
	if err != nil {
		t.Fatal(err)
	}
	// The server's own workers (checkpointer, WAL writer, ...) are there
	// whatever the load; each is a positive process ID.
	if len(pids) == 0 {
		t.Fatal("no backend pids")
	}
	for _, p := range pids {
		if p <= 0 {
			t.Errorf("pid %d", p)
		}
	}
	if _, err := BackendPIDs("postgres://nobody@127.0.0.1:1/none?connect_timeout=2"); err == nil {
		t.Error("an unreachable server gave no error")
	}
}
