package ivr_test

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/atiende/atiende/ivr"
)

func TestDigitSounds(t *testing.T) {
	got := ivr.DigitSounds("en", "10-*#x")
	want := []string{"en/digit-1", "en/digit-0", "en/digit-star", "en/digit-pound"}
	if !slices.Equal(got, want) {
		t.Errorf("DigitSounds = %v", got)
	}
	if got := ivr.DigitSounds("fr", "7"); !slices.Equal(got, []string{"es/digit-7"}) {
		t.Errorf("unknown language: %v", got)
	}
}

func TestNumberAndAgoSounds(t *testing.T) {
	for _, tc := range []struct {
		n    int
		want []string
	}{
		{-3, []string{"es/num-0"}}, {7, []string{"es/num-7"}}, {20, []string{"es/num-20"}},
		{30, []string{"es/num-30"}}, {35, []string{"es/digit-3", "es/digit-5"}},
	} {
		if got := ivr.NumberSounds("es", tc.n); !slices.Equal(got, tc.want) {
			t.Errorf("NumberSounds(%d) = %v", tc.n, got)
		}
	}
	for _, tc := range []struct {
		d    time.Duration
		want []string
	}{
		{10 * time.Second, []string{"es/updated-just-now"}},
		{time.Minute, []string{"es/updated", "es/one-minute-ago"}},
		{7 * time.Minute, []string{"es/updated", "es/num-7", "es/minutes-ago"}},
		{47 * time.Minute, []string{"es/updated", "es/num-40", "es/minutes-ago"}},
		{time.Hour, []string{"es/updated", "es/one-hour-ago"}},
		{20 * time.Hour, []string{"es/updated", "es/num-20", "es/hours-ago"}},
		{22 * time.Hour, []string{"es/updated", "es/one-day-ago"}},
		{80 * time.Hour, []string{"es/updated", "es/num-3", "es/days-ago"}},
	} {
		if got := ivr.AgoSounds("es", tc.d); !slices.Equal(got, tc.want) {
			t.Errorf("AgoSounds(%v) = %v, want %v", tc.d, got, tc.want)
		}
	}
}

func TestDigitCollector(t *testing.T) {
	for _, tc := range []struct {
		name     string
		max, min int
		term     rune
		events   string // keys; '.' is a timeout
		want     ivr.CollectResult
		digits   string
	}{
		{"terminator", 8, 1, '#', "123#", ivr.CollectOK, "123"},
		{"max", 3, 1, '#', "1234", ivr.CollectOK, "123"},
		{"inter-digit timeout", 8, 1, '#', "12.", ivr.CollectOK, "12"},
		{"first-digit timeout", 8, 1, '#', ".", ivr.CollectNoInput, ""},
		{"terminator alone", 8, 1, '#', "#", ivr.CollectNoInput, ""},
		{"too short", 8, 4, '#', "12#", ivr.CollectTooShort, "12"},
		{"star ignored", 8, 1, '#', "1*2#", ivr.CollectOK, "12"},
		{"no terminator", 8, 1, 0, "12#3.", ivr.CollectOK, "123"},
		{"after the end", 2, 1, '#', "12345", ivr.CollectOK, "12"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := ivr.NewDigitCollector(tc.max, tc.min, tc.term, time.Second, 2*time.Second)
			if d.Wait() != time.Second {
				t.Errorf("first wait %v", d.Wait())
			}
			for _, e := range tc.events {
				if e == '.' {
					d.Timeout()
				} else {
					d.Key(e)
				}
			}
			if d.Result() != tc.want || d.Digits() != tc.digits {
				t.Errorf("%v %q, want %v %q", d.Result(), d.Digits(), tc.want, tc.digits)
			}
		})
	}
}

func FuzzCollectDigits(f *testing.F) {
	f.Add(uint8(8), uint8(1), true, []byte("123#"))
	f.Add(uint8(3), uint8(3), false, []byte{'1', 0xff, '2'})
	f.Add(uint8(0), uint8(40), true, []byte("*#ABCD0"))
	f.Fuzz(func(t *testing.T, maxDigits, minDigits uint8, hash bool, events []byte) {
		term := rune(0)
		if hash {
			term = '#'
		}
		d := ivr.NewDigitCollector(int(maxDigits), int(minDigits), term, time.Second, time.Second)
		limit := min(max(int(maxDigits), 1), ivr.MaxCollectDigits)
		var final ivr.CollectResult
		for _, b := range events {
			var r ivr.CollectResult
			if b == 0xff {
				r = d.Timeout()
				if r == ivr.CollectPending {
					t.Fatal("pending after a timeout")
				}
			} else {
				r = d.Key(rune("0123456789*#ABCD"[b%16]))
			}
			if final != ivr.CollectPending && r != final {
				t.Fatalf("result changed from %v to %v", final, r)
			}
			final = r
			if len(d.Digits()) > limit {
				t.Fatalf("%d digits, max %d", len(d.Digits()), limit)
			}
			for _, c := range d.Digits() {
				if c < '0' || c > '9' {
					t.Fatalf("non-digit %q collected", c)
				}
			}
		}
		if d.Result() == ivr.CollectOK && (len(d.Digits()) == 0 || len(d.Digits()) < min(int(minDigits), limit)) {
			t.Fatalf("ok with %q (min %d)", d.Digits(), minDigits)
		}
	})
}

// FuzzParseFlow: run with -fuzzminimizetime 2s; the default minimisation of
// a new input (60 s) looks like a stall on a busy machine.
func FuzzParseFlow(f *testing.F) {
	f.Add(ivr.DefaultFlowYAML())
	files, _ := filepath.Glob("testdata/*.yaml")
	for _, file := range files {
		if b, err := os.ReadFile(file); err == nil {
			f.Add(b)
		}
	}
	f.Add([]byte("a: &a [*a, *a]\nnodes: *a"))
	f.Fuzz(func(t *testing.T, data []byte) {
		fl, err := ivr.ParseFlow("fuzz.yaml", data)
		if err == nil {
			// An accepted flow is consistent: its start and every target exist.
			if fl.Nodes[fl.Start] == nil {
				t.Fatalf("accepted a flow whose start %q is missing", fl.Start)
			}
			for _, n := range fl.Nodes {
				for _, to := range []string{n.Next, n.Then, n.Else, n.OnFail, n.OnError, n.NotFound, n.Attached} {
					if to != "" && fl.Nodes[to] == nil {
						t.Fatalf("accepted node %q going to missing %q", n.Name, to)
					}
				}
			}
		}
	})
}
