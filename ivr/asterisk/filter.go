package asterisk

import (
	"context"
	"fmt"
)

// usedEvents are the ARI event types the engine acts on: handle's cases
// and ApplicationReplaced (read). The app asks Asterisk for these only
// (PUT /applications/{app}/eventFilter): an IVR call otherwise brings about
// twice as many events (ChannelVarset, PlaybackStarted, ChannelDialplan,
// ChannelEnteredBridge, ...), each one serialised by Asterisk and decoded
// here for nothing. TestUsedEventsCoverHandle keeps this list and handle
// in step.
var usedEvents = []string{
	"ApplicationReplaced",
	"BridgeDestroyed",
	"ChannelDestroyed",
	"ChannelDtmfReceived",
	"ChannelHangupRequest",
	"ChannelLeftBridge",
	"ChannelStateChange",
	"ContactStatusChange",
	"Dial",
	"EndpointStateChange",
	"PlaybackFinished",
	"StasisEnd",
	"StasisStart",
}

// setEventFilter asks Asterisk to send the app only usedEvents. An
// Asterisk without event filters (before 16.x/13.x backports) answers 4xx:
// the engine then works as before, decoding and ignoring the rest.
func (e *Engine) setEventFilter(ctx context.Context) error {
	type evType struct {
		Type string `json:"type"`
	}
	allowed := make([]evType, len(usedEvents))
	for i, t := range usedEvents {
		allowed[i] = evType{t}
	}
	body := map[string]any{"allowed": allowed, "disallowed": []evType{}}
	err := e.rest.doJSON(ctx, "PUT", "/applications/"+pathEsc(e.cfg.App)+"/eventFilter", body, nil)
	if st := statusOf(err); st >= 400 && st <= 501 && st != 401 && st != 403 {
		e.filterOff.Do(func() {
			e.log.Info("Asterisk does not filter ARI events; every event of the app's channels is received", "error", err)
		})
		return nil
	}
	if err != nil {
		return fmt.Errorf("event filter: %w", err)
	}
	return nil
}
