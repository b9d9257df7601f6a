package asterisk

import (
	"context"
	"crypto/md5"
	"encoding/hex"
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
// /endpoints/PJSIP), with what the contact events said about them. An
// extension whose contact is not known yet (at start, after a reconnect)
// gets it from Asterisk's registrar (the AOR's contact, and the contact's
// user agent).
func (e *Engine) Extensions(ctx context.Context) ([]ivr.ExtensionStatus, error) {
	var eps []ari.EndpointData
	if err := e.rest.do(ctx, "GET", "/endpoints/PJSIP", nil, &eps); err != nil {
		return nil, fmt.Errorf("asterisk: extensions: %w", err)
	}
	if err := e.subscribe(ctx, eps); err != nil {
		return nil, fmt.Errorf("asterisk: extensions: %w", err)
	}
	for _, ep := range eps {
		if !e.isExtension(ep) {
			continue
		}
		e.mu.Lock()
		st, seen := e.exts[ep.Resource]
		e.mu.Unlock()
		known := seen && st.Contact != "" && e.detailed(ep.Resource, st.Contact)
		switch {
		case ep.State == "online" && !known:
			e.refreshContact(ctx, ep.Resource, ivr.ExtRegistered)
		case ep.State == "offline" && (!seen || st.State == ivr.ExtRegistered):
			// Offline with a contact is a phone that stopped answering
			// qualify; without one, it is not registered.
			e.refreshContact(ctx, ep.Resource, ivr.ExtUnreachable)
		case ep.State != "online" && ep.State != "offline":
			e.update(ep.Resource, func(st *ivr.ExtensionStatus) {
				st.State, st.Reason = ivr.ExtUnregistered, ep.State
			})
		}
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

// endpointState applies an EndpointStateChange. The contact events that
// follow it say why (Reachable, Removed, Unreachable), so "offline" alone
// changes nothing: taking it for "unregistered" showed a phone that stops
// answering as unregistered for a moment before unreachable. Nor does
// "online": it comes as a contact is added, before that contact's
// Reachable, and taking it showed a phone registered without its contact,
// or at its old address when it registered again from another. When no
// contact is known, the registrar is asked (confirmOnline).
func (e *Engine) endpointState(ep ari.EndpointData) {
	if !e.isExtension(ep) || ep.State == "offline" {
		return
	}
	if ep.State == "online" {
		e.mu.Lock()
		st := e.exts[ep.Resource]
		e.mu.Unlock()
		if st.State != ivr.ExtRegistered && st.Contact == "" {
			go e.confirmOnline(ep.Resource)
		}
		return
	}
	e.update(ep.Resource, func(st *ivr.ExtensionStatus) {
		st.State, st.Reason = ivr.ExtUnregistered, ep.State
	})
}

// confirmOnline reads the contact of ext, which Asterisk says is online
// before any contact event said so, and its user agent from the registrar,
// and applies them in order with the events: unless a contact event came
// first, ext is registered once, with both.
func (e *Engine) confirmOnline(ext string) {
	ctx, cancel := context.WithTimeout(context.Background(), e.cfg.RequestTimeout)
	defer cancel()
	uri, ua := e.registrarContact(ctx, ext)
	e.inOrder(func() {
		e.update(ext, func(st *ivr.ExtensionStatus) {
			if st.State == ivr.ExtRegistered || st.Contact != "" {
				return // a contact event came first
			}
			st.State, st.Reason, st.Contact, st.UserAgent = ivr.ExtRegistered, "", uri, ua
		})
		if uri != "" {
			e.mu.Lock()
			if e.exts[ext].Contact == uri {
				e.details[ext] = uri
			}
			e.mu.Unlock()
		}
	})
}

// registrarContact reads ext's contact URI from Asterisk's registrar and,
// with one, its user agent; "" for what cannot be read (logged).
func (e *Engine) registrarContact(ctx context.Context, ext string) (uri, ua string) {
	uri, err := e.aorContact(ctx, ext)
	if err != nil {
		e.log.Debug("AOR contact", "extension", ext, "error", err)
	}
	if uri != "" {
		if ua, err = e.contactUserAgent(ctx, ext, uri); err != nil {
			e.log.Debug("contact details", "extension", ext, "error", err)
		}
	}
	return uri, ua
}

// inOrder runs fn in order with Asterisk's events: on the dispatcher, or
// at once on an engine that is not serving (a test handing it events).
func (e *Engine) inOrder(fn func()) {
	e.mu.Lock()
	ctx := e.serveCtx
	e.mu.Unlock()
	if ctx == nil {
		fn()
		return
	}
	e.enqueue(ctx, item{fn: fn})
}

// contactStatus applies a contact change: Reachable/NonQualified after a
// REGISTER (with the qualify round trip, roundtrip_usec), Unreachable when
// qualify fails, Removed at unregister/expiry.
func (e *Engine) contactStatus(ev *ari.ContactStatusChange) {
	if !e.isExtension(ev.Endpoint) {
		return
	}
	ci := ev.ContactInfo
	ext := ev.Endpoint.Resource
	switch ci.ContactStatus {
	case "Reachable", "NonQualified":
		fetch := !e.detailed(ext, ci.Uri)
		if fetch {
			e.mu.Lock()
			if e.awaitUA[ext].uri != ci.Uri {
				e.awaitUA[ext] = awaitUA{uri: ci.Uri}
			}
			e.mu.Unlock()
		}
		e.update(ext, func(st *ivr.ExtensionStatus) {
			if st.Contact != ci.Uri {
				st.UserAgent = ""
			}
			st.Contact = ci.Uri
			if us, err := strconv.Atoi(ci.RoundtripUsec); err == nil && us > 0 {
				st.RTT = time.Duration(us) * time.Microsecond
			}
			st.State, st.Reason = ivr.ExtRegistered, ""
		})
		if fetch {
			go e.fetchUserAgent(ext, ci.Uri)
		}
	case "Unreachable":
		e.update(ext, func(st *ivr.ExtensionStatus) {
			if st.Contact != "" && st.Contact != ci.Uri {
				return // a contact the phone has replaced
			}
			st.State, st.Reason, st.RTT = ivr.ExtUnreachable, "qualify timeout", 0
		})
	case "Removed":
		e.update(ext, func(st *ivr.ExtensionStatus) {
			if st.Contact != "" && st.Contact != ci.Uri {
				// The old contact of a phone that registered again from
				// another address (remove_existing): it is not gone.
				return
			}
			st.State, st.Reason, st.Contact, st.UserAgent, st.RTT = ivr.ExtUnregistered, "unregistered", "", "", 0
		})
	}
}

// awaitUA is a registration whose user agent is being read: update keeps
// its changes unannounced (held) until the user agent is there, so that
// the history gets one row for it, not one without the user agent and
// another with it.
type awaitUA struct {
	uri  string
	held bool // a change is waiting to be announced
}

// detailed reports whether the user agent of ext's contact uri was asked
// for already (a phone may send none).
func (e *Engine) detailed(ext, uri string) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.details[ext] == uri
}

// fetchUserAgent asks Asterisk for the user agent of a contact (ARI's
// events do not carry it) and applies it in order with the events.
func (e *Engine) fetchUserAgent(ext, uri string) {
	ctx, cancel := context.WithTimeout(context.Background(), e.cfg.RequestTimeout)
	defer cancel()
	ua, err := e.contactUserAgent(ctx, ext, uri)
	if err != nil {
		e.log.Debug("contact details", "extension", ext, "error", err)
		e.inOrder(func() { e.release(ext, uri) }) // announced without it
		return
	}
	e.inOrder(func() { e.setUserAgent(ext, uri, ua) })
}

func (e *Engine) setUserAgent(ext, uri, ua string) {
	e.mu.Lock()
	e.details[ext] = uri
	e.mu.Unlock()
	e.update(ext, func(st *ivr.ExtensionStatus) {
		if st.Contact == uri {
			st.UserAgent = ua
		}
	})
	e.release(ext, uri) // a phone that sends no user agent
}

// release ends the wait for the user agent of ext's contact uri, and
// announces what it held.
func (e *Engine) release(ext, uri string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if a, ok := e.awaitUA[ext]; ok && a.uri == uri {
		delete(e.awaitUA, ext)
		if a.held {
			e.fanOutLocked(e.exts[ext])
		}
	}
}

// refreshContact reads ext's contact from Asterisk's registrar: with one,
// the extension is in state withContact (registered, or unreachable when
// the endpoint is offline); without, unregistered.
func (e *Engine) refreshContact(ctx context.Context, ext string, withContact ivr.ExtState) {
	uri, ua := e.registrarContact(ctx, ext)
	if uri != "" {
		e.mu.Lock()
		e.details[ext] = uri
		e.mu.Unlock()
	}
	e.update(ext, func(st *ivr.ExtensionStatus) {
		switch {
		case uri == "" && withContact == ivr.ExtRegistered:
			st.State, st.Reason = ivr.ExtRegistered, "" // online, contact not readable
		case uri == "":
			// No reason: Asterisk's "offline" is no code of ivr.ExtReasons
			// (the pages show those translated), and no phone said why.
			st.State, st.Reason, st.Contact, st.UserAgent, st.RTT = ivr.ExtUnregistered, "", "", "", 0
		default:
			if st.State != withContact {
				st.State, st.Reason = withContact, ""
				if withContact == ivr.ExtUnreachable {
					st.Reason = "qualify timeout"
				}
			}
			st.Contact, st.UserAgent = uri, ua
		}
	})
}

// aorContact is the first contact of AOR ext (GET
// /asterisk/config/dynamic/res_pjsip/aor/<ext>), "" if none.
func (e *Engine) aorContact(ctx context.Context, ext string) (string, error) {
	var tuples []struct{ Attribute, Value string }
	if err := e.rest.do(ctx, "GET", "/asterisk/config/dynamic/res_pjsip/aor/"+pathEsc(ext), nil, &tuples); err != nil {
		return "", err
	}
	for _, t := range tuples {
		if t.Attribute == "contact" && t.Value != "" {
			uri, _, _ := strings.Cut(t.Value, ",")
			return strings.TrimSpace(uri), nil
		}
	}
	return "", nil
}

// contactUserAgent is the User-Agent of the REGISTER that made contact uri
// of AOR ext. Asterisk names a contact "<aor>;@<md5 of its URI>".
func (e *Engine) contactUserAgent(ctx context.Context, ext, uri string) (string, error) {
	sum := md5.Sum([]byte(uri))
	id := ext + ";@" + hex.EncodeToString(sum[:])
	var tuples []struct{ Attribute, Value string }
	if err := e.rest.do(ctx, "GET", "/asterisk/config/dynamic/res_pjsip/contact/"+pathEsc(id), nil, &tuples); err != nil {
		return "", err
	}
	for _, t := range tuples {
		if t.Attribute == "user_agent" {
			return t.Value, nil
		}
	}
	return "", nil
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
	if seen && st.State == prev.State && st.Contact == prev.Contact && st.Reason == prev.Reason &&
		st.UserAgent == prev.UserAgent && !ivr.RTTNews(prev.RTT, st.RTT) {
		e.exts[ext] = st // a new round trip time alone is kept, not announced
		return
	}
	if !seen || st.State != prev.State {
		st.Since = time.Now()
	}
	e.exts[ext] = st
	if a, ok := e.awaitUA[ext]; ok {
		if st.State == ivr.ExtRegistered && st.Contact == a.uri && st.UserAgent == "" {
			e.awaitUA[ext] = awaitUA{uri: a.uri, held: true} // announced with its user agent
			return
		}
		delete(e.awaitUA, ext)
		if a.held && (st.State != ivr.ExtRegistered || st.Contact != a.uri) {
			e.fanOutLocked(prev) // it left that registration before the user agent came
		}
	}
	e.fanOutLocked(st)
}

// fanOutLocked delivers st to every watcher without blocking. Holds e.mu.
func (e *Engine) fanOutLocked(st ivr.ExtensionStatus) {
	for w := range e.watchers {
		select {
		case w <- st:
		default:
			e.dropped.Add(1)
		}
	}
}
