package aritest_test

import (
	"bufio"
	"encoding/json"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/atiende/atiende/ivr/asterisk/aritest"
)

// line is one line of a recorded transcript.
type line struct {
	Seq    int             `json:"seq"`
	Kind   string          `json:"kind"`
	Method string          `json:"method"`
	Path   string          `json:"path"`
	Query  url.Values      `json:"query"`
	Status int             `json:"status"`
	Event  json.RawMessage `json:"event"`
}

func transcript(t *testing.T, name string) []line {
	t.Helper()
	dir := filepath.Join(aritest.DefaultAPIDocs(), "..", "transcripts")
	f, err := os.Open(filepath.Join(dir, name))
	if err != nil {
		t.Skipf("transcripts not available: %v", err)
	}
	defer f.Close()
	var out []line
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var l line
		if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		out = append(out, l)
	}
	return out
}

// The validator accepts what real Asterisk accepted and flags the requests
// Asterisk refused or silently misread.
func TestModelsAgreeWithRecordedRequests(t *testing.T) {
	api, err := aritest.LoadAPI(aritest.DefaultAPIDocs())
	if err != nil {
		t.Skip(err)
	}
	files, _ := filepath.Glob(filepath.Join(aritest.DefaultAPIDocs(), "..", "transcripts", "*.jsonl"))
	checked := 0
	for _, f := range files {
		for _, l := range transcript(t, filepath.Base(f)) {
			if l.Kind != "rest" || l.Status == 401 {
				continue
			}
			path := strings.TrimPrefix(l.Path, "/ari")
			q := url.Values{}
			for k, v := range l.Query {
				if k != "api_key" {
					q[k] = v
				}
			}
			bad := api.Check(l.Method, path, q)
			repeated := len(q["media"]) > 1
			switch {
			case l.Status < 300 && !repeated && len(bad) > 0:
				t.Errorf("%s seq %d: accepted by Asterisk, flagged: %v", filepath.Base(f), l.Seq, bad)
			case repeated && len(bad) == 0:
				t.Errorf("%s seq %d: repeated media not flagged", filepath.Base(f), l.Seq)
			case (l.Status == 405 || (l.Status == 400 && path == "/channels" && q.Get("endpoint") == "") ||
				path == "/nosuchresource") && len(bad) == 0:
				t.Errorf("%s seq %d: %s %s (%d) not flagged", filepath.Base(f), l.Seq, l.Method, path, l.Status)
			}
			checked++
		}
	}
	if checked < 100 {
		t.Fatalf("only %d recorded requests checked", checked)
	}
}

// recorded is the event types of one channel in a transcript, without the
// ChannelVarset noise.
func recorded(t *testing.T, name, channel string) []string {
	var out []string
	for _, l := range transcript(t, name) {
		if l.Kind != "ws_event" {
			continue
		}
		var ev struct {
			Type     string `json:"type"`
			Channel  struct{ ID string }
			Peer     struct{ ID string }
			Playback struct {
				Target string `json:"target_uri"`
			}
		}
		_ = json.Unmarshal(l.Event, &ev)
		id := ev.Channel.ID + ev.Peer.ID + strings.TrimPrefix(ev.Playback.Target, "channel:")
		if id == channel && ev.Type != "ChannelVarset" {
			out = append(out, ev.Type)
		}
	}
	return out
}

func emitted(s *aritest.Server, channel string) []string {
	var out []string
	for _, e := range s.Sent() {
		typ, id, _ := strings.Cut(e, " ")
		if id == channel && typ != "ChannelVarset" {
			out = append(out, typ)
		}
	}
	return out
}

// client is a bare ARI client for driving the server in these tests.
type client struct {
	t   *testing.T
	s   *aritest.Server
	ws  *websocket.Conn
	hc  http.Client
	app string
}

func connect(t *testing.T, s *aritest.Server) *client {
	u := strings.Replace(s.URL, "http://", "ws://", 1) + "/events?app=atiende"
	h := http.Header{}
	h.Set("Authorization", "Basic YXRpZW5kZTpzZWNyZXQ=") // atiende:secret
	ws, _, err := websocket.DefaultDialer.Dial(u, h)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ws.Close() })
	go func() {
		for {
			if _, _, err := ws.ReadMessage(); err != nil {
				return
			}
		}
	}()
	return &client{t: t, s: s, ws: ws}
}

func (c *client) do(method, path string, q url.Values) int {
	req, _ := http.NewRequest(method, c.s.URL+path+"?"+q.Encode(), nil)
	req.SetBasicAuth("atiende", "secret")
	resp, err := c.hc.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

func waitSent(t *testing.T, s *aritest.Server, channel, typ string, n int) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		got := 0
		for _, e := range emitted(s, channel) {
			if e == typ {
				got++
			}
		}
		if got >= n {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("no %d× %s for %s: %v", n, typ, channel, emitted(s, channel))
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// The server's event sequences are the recorded ones.
func TestSequencesMatchRecordings(t *testing.T) {
	s := aritest.New(t, aritest.Options{})
	c := connect(t, s)
	s.Register("1001")
	s.SetAgent("1001", aritest.Agent{Answer: true, Delay: 10 * time.Millisecond})
	s.Register("1002")
	s.SetAgent("1002", aritest.Agent{})
	s.Register("1004")
	s.SetAgent("1004", aritest.Agent{Busy: true})
	orig := func(ext, id string) {
		q := url.Values{"endpoint": {"PJSIP/" + ext}, "app": {"atiende"}, "appArgs": {"agent"}, "channelId": {id}, "timeout": {"1"}}
		if st := c.do("POST", "/channels", q); st != 200 {
			t.Fatalf("originate %s: %d", ext, st)
		}
	}
	orig("1001", "answer")
	orig("1002", "noanswer")
	orig("1004", "busy")
	waitSent(t, s, "answer", "StasisStart", 1)
	waitSent(t, s, "noanswer", "ChannelDestroyed", 1)
	waitSent(t, s, "busy", "ChannelDestroyed", 1)

	in, err := s.Inbound("+15551230001", "Lab Caller", "6000")
	if err != nil {
		t.Fatal(err)
	}
	c.do("POST", "/channels/"+in+"/answer", nil)
	c.do("POST", "/channels/"+in+"/play", url.Values{"media": {"sound:hello-world,sound:queue-periodic-announce"}})
	waitSent(t, s, in, "PlaybackStarted", 2)
	s.RemoteHangup(in)

	cases := []struct{ file, recChan, ourChan string }{
		{"02-bridge-agent.jsonl", "1795453078.34", "answer"},
		{"06-originate-failures.jsonl", "1795453177.38", "noanswer"},
		{"06-originate-failures.jsonl", "1795453203.40", "busy"},
		{"03-hangup-during-ivr.jsonl", "1795453091.35", in},
	}
	for _, tc := range cases {
		want := recorded(t, tc.file, tc.recChan)
		got := emitted(s, tc.ourChan)
		if tc.ourChan == "answer" { // the recording continues with the bridge
			want = want[:slices.Index(want, "StasisStart")+1]
		}
		if !slices.Equal(got, want) {
			t.Errorf("%s %s:\n got %v\nwant %v", tc.file, tc.recChan, got, want)
		}
	}
}

// Transcript 07: the error statuses and bodies.
func TestErrorResponses(t *testing.T) {
	s := aritest.New(t, aritest.Options{})
	c := connect(t, s)
	checks := []struct {
		method, path string
		q            url.Values
		want         int
	}{
		{"GET", "/channels/no-such-channel", nil, 404},
		{"POST", "/channels/no-such-channel/answer", nil, 404},
		{"POST", "/channels", url.Values{"endpoint": {"PJSIP/9999"}, "app": {"atiende"}}, 500},
		{"POST", "/channels", url.Values{"endpoint": {"PJSIP/1003"}, "app": {"atiende"}}, 500},
		{"DELETE", "/bridges/no-such-bridge", nil, 404},
		{"GET", "/playbacks/no-such-playback", nil, 404},
		{"GET", "/endpoints/PJSIP/9999", nil, 404},
		{"GET", "/applications/no-such-app", nil, 404},
		{"POST", "/applications/atiende/subscription", url.Values{"eventSource": {"endpoint:PJSIP/9999"}}, 422},
		{"POST", "/applications/atiende/subscription", url.Values{"eventSource": {"bogus:x"}}, 400},
	}
	for _, ck := range checks {
		if got := c.do(ck.method, ck.path, ck.q); got != ck.want {
			t.Errorf("%s %s: %d, want %d", ck.method, ck.path, got, ck.want)
		}
	}
	id, _ := s.Inbound("+15551230001", "", "6000")
	s.LeaveStasis(id)
	if got := c.do("POST", "/channels/"+id+"/play", url.Values{"media": {"sound:x"}}); got != 409 {
		t.Errorf("play not in Stasis: %d", got)
	}
	if got := c.do("POST", "/bridges", url.Values{"type": {"mixing"}, "bridgeId": {"b1"}}); got != 200 {
		t.Errorf("create bridge: %d", got)
	}
	if got := c.do("POST", "/bridges/b1/addChannel", url.Values{"channel": {id}}); got != 422 {
		t.Errorf("addChannel not in Stasis: %d", got)
	}
	if got := c.do("DELETE", "/channels/"+id, nil); got != 204 {
		t.Errorf("hang up a channel not in Stasis: %d", got)
	}
	for _, e := range emitted(s, "") {
		t.Errorf("unexpected event %s", e)
	}
}
