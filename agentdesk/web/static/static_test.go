package static_test

import (
	"io/fs"
	"regexp"
	"strings"
	"testing"

	"github.com/atiende/atiende/agentdesk/web/static"
)

var scriptTag = regexp.MustCompile(`(?i)<script[^>]*>`)

// The pages must run under "default-src 'self'" and never turn text into
// markup. These checks catch the easy mistakes before a browser runs.
func TestPagesFollowTheRules(t *testing.T) {
	forbidden := []struct {
		re   *regexp.Regexp
		what string
	}{
		{regexp.MustCompile(`\.innerHTML|\.outerHTML|insertAdjacentHTML|document\.write`), "markup from strings"},
		{regexp.MustCompile(`\beval\(|new Function\(|setTimeout\(\s*['"]`), "eval"},
		{regexp.MustCompile(`(?i)<script(?:\s[^>]*)?>\s*[^<\s]`), "inline script"},
		{regexp.MustCompile(`(?i)\sstyle\s*=|<style`), "inline style"},
		{regexp.MustCompile(`(?i)\son[a-z]+\s*=\s*["']`), "inline event handler"},
		{regexp.MustCompile(`(?i)(?:src|href)\s*=\s*["']?(?:https?:)?//`), "resource from another site"},
		{regexp.MustCompile(`(?i)@import\s+url\(\s*["']?https?:|url\(\s*["']?https?:`), "CSS from another site"},
	}
	n := 0
	err := fs.WalkDir(static.FS, ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(static.FS, path)
		if err != nil {
			return err
		}
		n++
		src := string(b)
		for _, tag := range scriptTag.FindAllString(src, -1) {
			if !strings.Contains(tag, "src=") {
				t.Errorf("%s: script without src: %s", path, tag)
			}
		}
		for _, f := range forbidden {
			if strings.HasSuffix(path, ".js") && f.what == "inline event handler" {
				continue // el({onclick: fn}) is addEventListener
			}
			if loc := f.re.FindStringIndex(src); loc != nil {
				t.Errorf("%s: %s: %q", path, f.what, src[loc[0]:min(loc[1]+20, len(src))])
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, page := range []string{"index.html", "agent.html", "wallboard.html", "report.html", "network.html", "tickets.html", "css/app.css", "js/i18n.js"} {
		if _, err := fs.Stat(static.FS, page); err != nil {
			t.Errorf("missing %s", page)
		}
	}
	t.Logf("%d files checked", n)
}
