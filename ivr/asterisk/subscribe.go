package asterisk

import (
	"context"
	"fmt"
	"net/url"
	"slices"
	"strings"

	"github.com/CyCoreSystems/ari/v6"
)

// Extension status comes from endpoint events (EndpointStateChange,
// ContactStatusChange), which the app receives only for the endpoints it
// subscribes to. Asterisk also forwards, through such a subscription,
// every event of every channel of the endpoint; subscribing to the whole
// technology (endpoint:PJSIP) therefore doubled every caller's events
// (each key press counted twice) and cost Asterisk CPU on every PJSIP call,
// Atiende's or not. So the app subscribes to each extension's endpoint
// (endpoint:PJSIP/<ext>), once: the callers' trunk endpoints are left out,
// and what still comes twice (an agent's channel) is dropped by the
// reader (recentFrames).

// subscribeChunk bounds the event sources per request (URL length).
const subscribeChunk = 40

// resetSubscriptions records what the app is subscribed to after a
// (re)connect, and drops a whole-technology subscription an older
// Atiende left (each POST added one reference to it).
func (e *Engine) resetSubscriptions(ctx context.Context, have []string) error {
	appPath := "/applications/" + pathEsc(e.cfg.App) + "/subscription"
	for i := 0; slices.Contains(have, "PJSIP") && i < 64; i++ {
		if err := e.rest.do(ctx, "DELETE", appPath, url.Values{"eventSource": {"endpoint:PJSIP"}}, nil); err != nil {
			return fmt.Errorf("unsubscribe endpoint:PJSIP: %w", err)
		}
		var app ari.ApplicationData
		if err := e.rest.do(ctx, "GET", "/applications/"+pathEsc(e.cfg.App), nil, &app); err != nil {
			return fmt.Errorf("get app: %w", err)
		}
		have = app.EndpointIDs
	}
	e.mu.Lock()
	e.subscribed = map[string]bool{}
	for _, id := range have {
		e.subscribed[id] = true
	}
	e.mu.Unlock()
	return nil
}

// subscribe subscribes the app to the extensions among eps it is not
// subscribed to yet.
func (e *Engine) subscribe(ctx context.Context, eps []ari.EndpointData) error {
	var want []string
	e.mu.Lock()
	for _, ep := range eps {
		if id := "PJSIP/" + ep.Resource; e.isExtension(ep) && !e.subscribed[id] {
			want = append(want, id)
		}
	}
	e.mu.Unlock()
	for len(want) > 0 {
		n := min(len(want), subscribeChunk)
		src := make([]string, n)
		for i, id := range want[:n] {
			src[i] = "endpoint:" + id
		}
		q := url.Values{"eventSource": {strings.Join(src, ",")}}
		if err := e.rest.do(ctx, "POST", "/applications/"+pathEsc(e.cfg.App)+"/subscription", q, nil); err != nil {
			return fmt.Errorf("subscribe to %s: %w", strings.Join(src, ","), err)
		}
		e.mu.Lock()
		for _, id := range want[:n] {
			e.subscribed[id] = true
		}
		e.mu.Unlock()
		want = want[n:]
	}
	return nil
}

// isSubscribed reports whether the app gets the events of PJSIP endpoint
// resource (and so those of its channels twice).
func (e *Engine) isSubscribed(resource string) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.subscribed["PJSIP/"+resource]
}
