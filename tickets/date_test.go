package tickets

import "testing"

func TestParseDate(t *testing.T) {
	for _, s := range []string{"2026-11-23", "2024-02-29"} {
		d, err := ParseDate(s)
		if err != nil || d.String() != s {
			t.Errorf("ParseDate(%q) = %v, %v", s, d, err)
		}
	}
	for _, s := range []string{"", "2026-11-31", "2025-02-29", "2026-1-5", "23/11/2026", "2026-11-23T00:00:00Z", " 2026-11-23"} {
		if _, err := ParseDate(s); ErrorCode(err) != EINVALID {
			t.Errorf("ParseDate(%q): %v, want EINVALID", s, err)
		}
	}
}
