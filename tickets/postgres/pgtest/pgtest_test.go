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
