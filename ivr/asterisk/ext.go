package asterisk

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/CyCoreSystems/ari/v6"

	"github.com/atiende/atiende/ivr"
)

// watchBuffer is how many changes wait for a slow watcher before drops.
const watchBuffer = 64

// Extensions lists the PJSIP endpoints that are not trunks (GET
// /endpoints/PJSIP), with what the events said about their contacts.
func (e *Engine) Extensions(ctx context.Context) ([]ivr.ExtensionStatus, error) {
	var eps []ari.EndpointData
	if err := e.rest.do(ctx, "GET", "/endpoints/PJSIP", nil, &eps); err != nil {
		return nil, fmt.Errorf("asterisk: extensions: %w", err)
	}
	if err := e.subscribe(ctx, eps); err != nil {
		return nil, fmt.Errorf("asterisk: extensions: %w", err)
	}
	for _, ep := range eps {
		e.endpointState(ep)
	}
	e.mu.Lock()
	out := make([]ivr.ExtensionStatus, 0, len(e.exts))
	for _, st := range e.exts {
		out = append(out, st)
	}
	e.mu.Unlock()
	slices.SortFunc(out, func(a, b ivr.ExtensionStatus) int { return strings.Compare(a.Extension, b.Extension) })
	return out, nil
}

// WatchExtensions delivers every change until ctx is done, then closes the
// channel. A watcher that falls behind by more than 64 changes loses the
// excess (counted in Dropped).
func (e *Engine) WatchExtensions(ctx context.Context) <-chan ivr.ExtensionStatus {
	ch := make(chan ivr.ExtensionStatus, watchBuffer)
	e.mu.Lock()
	e.watchers[ch] = struct{}{}
	e.mu.Unlock()
	go func() {
		<-ctx.Done()
		e.mu.Lock()
		delete(e.watchers, ch)
		close(ch)
		e.mu.Unlock()
	}()
	return ch
}

func (e *Engine) isExtension(ep ari.EndpointData) bool {
	return ep.Technology == "PJSIP" && ep.Resource != "" && !slices.Contains(e.cfg.Trunks, ep.Resource)
}

// endpointState applies an endpoint's state (online, offline, unknown).
func (e *Engine) endpointState(ep ari.EndpointData) {
	if !e.isExtension(ep) {
		return
	}
	e.update(ep.Resource, func(st *ivr.ExtensionStatus) {
		switch ep.State {
		case "online":
			if st.State != ivr.ExtRegistered {
				st.State, st.Reason = ivr.ExtRegistered, ""
			}
		case "offline":
			if st.State != ivr.ExtUnreachable { // a qualify failure stays unreachable
				st.State, st.Reason, st.Contact = ivr.ExtUnregistered, "offline", ""
			}
		default:
			st.State, st.Reason = ivr.ExtUnregistered, ep.State
		}
	})
}

// contactStatus applies a contact change: Reachable/NonQualified after a
// REGISTER, Unreachable when qualify fails, Removed at unregister/expiry.
func (e *Engine) contactStatus(ev *ari.ContactStatusChange) {
	if !e.isExtension(ev.Endpoint) {
		return
	}
	ci := ev.ContactInfo
	e.update(ev.Endpoint.Resource, func(st *ivr.ExtensionStatus) {
		switch ci.ContactStatus {
		case "Reachable", "NonQualified":
			st.Contact = ci.Uri
			if us, err := strconv.Atoi(ci.RoundtripUsec); err == nil && us > 0 {
				st.RTT = time.Duration(us) * time.Microsecond
			}
			if ev.Endpoint.State == "online" || st.State == ivr.ExtUnreachable {
				st.State, st.Reason = ivr.ExtRegistered, ""
			}
		case "Unreachable":
			st.State, st.Reason = ivr.ExtUnreachable, "qualify timeout"
		case "Removed":
			st.State, st.Reason, st.Contact, st.RTT = ivr.ExtUnregistered, "unregistered", "", 0
		}
	})
}

// update changes one extension and fans the change out if it is one.
func (e *Engine) update(ext string, f func(*ivr.ExtensionStatus)) {
	e.mu.Lock()
	defer e.mu.Unlock()
	prev, seen := e.exts[ext]
	st := prev
	st.Extension = ext
	if !seen {
		st.State = ivr.ExtUnregistered
	}
	f(&st)
	if seen && st.State == prev.State && st.Contact == prev.Contact && st.Reason == prev.Reason {
		return
	}
	if !seen || st.State != prev.State {
		st.Since = time.Now()
	}
	e.exts[ext] = st
	for w := range e.watchers {
		select {
		case w <- st:
		default:
			e.dropped.Add(1)
		}
	}
}
