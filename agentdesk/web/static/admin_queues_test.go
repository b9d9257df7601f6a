package static_test

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/atiende/atiende/agentdesk"
	"github.com/atiende/atiende/agentdesk/web/static"
)

// jsList reads `const NAME = ['a', 'b'];` from a script.
func jsList(t *testing.T, src, name string) []string {
	t.Helper()
	m := regexp.MustCompile(`(?m)^const ` + name + ` = \[([^\]]*)\];`).FindStringSubmatch(src)
	if m == nil {
		t.Fatalf("no const %s = [...] in the script", name)
	}
	var out []string
	for _, s := range strings.Split(m[1], ",") {
		out = append(out, strings.Trim(strings.TrimSpace(s), `'"`))
	}
	return out
}

// The admin page offers the ACD's strategies and no-agents choices, the
// lists QueueSettings.Validate and QueueConfig.Validate check against.
func TestAdminQueuesListsAreTheACDs(t *testing.T) {
	raw, err := static.FS.ReadFile("js/admin-queues.js")
	if err != nil {
		t.Fatal(err)
	}
	src := string(raw)
	for _, c := range []struct {
		js   string
		want []string
	}{
		{"STRATEGIES", names(agentdesk.Strategies)},
		{"NO_AGENTS", names(agentdesk.NoAgentsChoices)},
	} {
		if got := jsList(t, src, c.js); !slices.Equal(got, c.want) {
			t.Errorf("admin-queues.js %s = %v, the ACD's %v", c.js, got, c.want)
		}
	}
}

func names[T ~string](v []T) []string {
	out := make([]string, len(v))
	for i, x := range v {
		out[i] = fmt.Sprint(x)
	}
	return out
}
