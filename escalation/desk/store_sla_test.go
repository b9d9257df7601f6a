package desk

import (
	"testing"

	"github.com/atiende/atiende/tickets"
)

func TestAffectsSLA(t *testing.T) {
	who, lvl, subj := "ana", 2, "x"
	p := tickets.P1
	for _, c := range []struct {
		name  string
		patch tickets.Patch
		want  bool
	}{
		{"assign", tickets.Patch{Assignee: &who}, false},
		{"subject", tickets.Patch{Subject: &subj}, false},
		{"level", tickets.Patch{Level: &lvl}, true},
		{"priority and assignee", tickets.Patch{Priority: &p, Assignee: &who}, true},
	} {
		if got := affectsSLA(c.patch); got != c.want {
			t.Errorf("%s: affectsSLA = %v, want %v", c.name, got, c.want)
		}
	}
}
