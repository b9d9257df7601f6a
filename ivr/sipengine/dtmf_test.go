package sipengine

import (
	"testing"
	"time"
)

func ev(event uint8, end bool, dur uint16) []byte {
	b := []byte{event, 10, byte(dur >> 8), byte(dur)}
	if end {
		b[1] |= 0x80
	}
	return b
}

func TestDTMFDecoder(t *testing.T) {
	t0 := time.Unix(0, 0)
	type pkt struct {
		ts      uint32
		payload []byte
		at      time.Duration
	}
	cases := []struct {
		name string
		pkts []pkt
		want string
	}{
		{"duration 0 first packet", []pkt{{100, ev(1, false, 0), 0}, {100, ev(1, false, 160), 20}, {100, ev(1, true, 800), 100}, {100, ev(1, true, 800), 120}, {100, ev(1, true, 800), 140}}, "1"},
		{"no end packet", []pkt{{100, ev(5, false, 160), 0}, {100, ev(5, false, 320), 20}, {900, ev(5, false, 0), 400}}, "55"},
		{"only end packets", []pkt{{100, ev(11, true, 800), 0}, {100, ev(11, true, 800), 20}}, "#"},
		{"two keys", []pkt{{100, ev(1, false, 0), 0}, {100, ev(1, true, 800), 100}, {2000, ev(2, false, 0), 300}, {2000, ev(2, true, 800), 400}}, "12"},
		{"replayed recording", []pkt{{100, ev(1, false, 0), 0}, {100, ev(1, true, 800), 100}, {100, ev(1, false, 0), 1100}, {100, ev(1, true, 800), 1200}}, "11"},
		{"short and unknown", []pkt{{100, []byte{1, 2}, 0}, {200, ev(99, false, 0), 10}, {300, ev(10, false, 0), 20}}, "*"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var d dtmfDecoder
			got := ""
			for _, p := range tc.pkts {
				if k, ok := d.feed(7, p.ts, p.payload, t0.Add(p.at*time.Millisecond)); ok {
					got += string(k)
				}
			}
			if got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

func TestParseInfoDTMF(t *testing.T) {
	cases := []struct {
		ct, body string
		want     rune
		ok       bool
	}{
		{"application/dtmf-relay", "Signal=5\r\nDuration=160\r\n", '5', true},
		{"application/dtmf-relay", "Signal= *\r\nDuration=160", '*', true},
		{"application/dtmf-relay", "Signal=11\r\n", '#', true},
		{"Application/DTMF-Relay; x=y", "signal=b", 'B', true},
		{"application/dtmf", "9", '9', true},
		{"application/dtmf", "#\r\n", '#', true},
		{"application/dtmf", "x", 0, false},
		{"text/plain", "Signal=5", 0, false},
		{"application/dtmf-relay", "Duration=160", 0, false},
	}
	for _, tc := range cases {
		got, ok := parseInfoDTMF(tc.ct, []byte(tc.body))
		if got != tc.want || ok != tc.ok {
			t.Errorf("parseInfoDTMF(%q, %q) = %q %v, want %q %v", tc.ct, tc.body, got, ok, tc.want, tc.ok)
		}
	}
}

// FuzzDTMFEvent feeds arbitrary packets: the decoder must never panic, only
// report valid keys, and never report a repeated packet twice.
func FuzzDTMFEvent(f *testing.F) {
	f.Add(uint32(100), []byte{1, 0, 0, 0}, []byte{1, 0x80, 3, 32})
	f.Add(uint32(0), []byte{}, []byte{255, 255})
	f.Add(uint32(1<<31), []byte{11, 0x8a, 0, 160, 11, 0x8a, 0, 160}, []byte{15})
	f.Fuzz(func(t *testing.T, ts uint32, a, b []byte) {
		var d dtmfDecoder
		now := time.Unix(0, 0)
		for _, p := range [][]byte{a, a, b, b} {
			now = now.Add(20 * time.Millisecond)
			k, ok := d.feed(1, ts, p, now)
			if ok {
				if _, valid := dtmfKey(p[0]); !valid || k == 0 {
					t.Fatalf("invalid key %q from %x", k, p)
				}
			}
			if _, again := d.feed(1, ts, p, now); again {
				t.Fatalf("repeated packet %x reported twice", p)
			}
		}
		parseInfoDTMF("application/dtmf-relay", a)
		parseInfoDTMF("application/dtmf", b)
	})
}
