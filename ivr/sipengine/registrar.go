package sipengine

import (
	"context"
	"log/slog"
	"sort"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/atiende/atiende/ivr"
	"github.com/emiago/sipgo/sip"
)

// registrar keeps the binding and reachability of every configured
// extension and fans status changes out to watchers.
type registrar struct {
	log *slog.Logger
	now func() time.Time

	mu       sync.Mutex
	exts     map[string]*binding
	watchers map[chan ivr.ExtensionStatus]struct{}
	dropped  atomic.Uint64
	// fresh names each extension bound to a new contact: registrarLoop
	// qualifies it at once, so its round trip is known from the start.
	fresh chan string

	// persist, if set, keeps the bindings across restarts.
	persist *persister
}

// binding is one extension's registration.
type binding struct {
	status    ivr.ExtensionStatus
	contact   sip.Uri // valid when registered or unreachable
	transport string
	source    string // host:port the REGISTER came from
	expires   time.Time
	callID    string
	// restored: loaded at start and not yet qualified.
	restored bool
}

func newRegistrar(exts map[string]string, log *slog.Logger, now func() time.Time) *registrar {
	r := &registrar{log: log, now: now, exts: map[string]*binding{}, watchers: map[chan ivr.ExtensionStatus]struct{}{},
		fresh: make(chan string, 64)}
	for ext := range exts {
		r.exts[ext] = &binding{status: ivr.ExtensionStatus{Extension: ext, State: ivr.ExtUnregistered, Since: now()}}
	}
	return r
}

// list returns every extension, sorted.
func (r *registrar) list() []ivr.ExtensionStatus {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]ivr.ExtensionStatus, 0, len(r.exts))
	for _, b := range r.exts {
		out = append(out, b.status)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Extension < out[j].Extension })
	return out
}

// lookup returns an extension's contact and state.
func (r *registrar) lookup(ext string) (b binding, ok bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	p, ok := r.exts[ext]
	if !ok {
		return binding{}, false
	}
	return *p, true
}

func (r *registrar) isRegistered(ext string) bool {
	b, ok := r.lookup(ext)
	return ok && b.status.State != ivr.ExtUnregistered
}

// bind registers contact for ext until expires.
func (r *registrar) bind(ext string, contact sip.Uri, transport, source, userAgent, callID string, ttl time.Duration) {
	r.mu.Lock()
	defer r.mu.Unlock()
	b := r.exts[ext]
	now := r.now()
	changed := b.status.State != ivr.ExtRegistered || b.contact.String() != contact.String()
	b.contact, b.transport, b.source, b.callID, b.expires, b.restored = contact, transport, source, callID, now.Add(ttl), false
	b.status.Contact, b.status.UserAgent = contact.String(), userAgent
	r.persist.put(ext, &Registration{Extension: ext, Contact: b.status.Contact, Transport: transport, Source: source,
		UserAgent: userAgent, CallID: callID, Expires: b.expires})
	if changed {
		b.status.State, b.status.Since, b.status.Reason, b.status.RTT = ivr.ExtRegistered, now, "registered", 0
		r.publishLocked(b.status)
		select {
		case r.fresh <- ext:
		default: // a burst of registrations: the next round qualifies them
		}
	}
}

// restore puts back a binding saved before a restart, registered until
// its expiry; the first qualify confirms it or marks it unreachable. An
// extension no longer configured, or a binding past its expiry, is dropped.
func (r *registrar) restore(ext string, contact sip.Uri, transport, source, userAgent, callID string, expires time.Time) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	b := r.exts[ext]
	now := r.now()
	if b == nil || !expires.After(now) {
		r.persist.put(ext, nil)
		return false
	}
	if b.status.State != ivr.ExtUnregistered {
		return false // registered again meanwhile
	}
	b.contact, b.transport, b.source, b.callID, b.expires, b.restored = contact, transport, source, callID, expires, true
	b.status.Contact, b.status.UserAgent = contact.String(), userAgent
	b.status.State, b.status.Since, b.status.Reason, b.status.RTT = ivr.ExtRegistered, now, "restored", 0
	r.publishLocked(b.status)
	return true
}

// unbind unregisters ext for reason, if it was registered.
func (r *registrar) unbind(ext, reason string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.unbindLocked(r.exts[ext], reason)
}

func (r *registrar) unbindLocked(b *binding, reason string) {
	if b == nil || b.status.State == ivr.ExtUnregistered {
		return
	}
	*b = binding{status: ivr.ExtensionStatus{Extension: b.status.Extension, State: ivr.ExtUnregistered, Since: r.now(), Reason: reason}}
	r.persist.put(b.status.Extension, nil)
	r.publishLocked(b.status)
}

// expire unregisters bindings past their expiry.
func (r *registrar) expire() {
	r.mu.Lock()
	defer r.mu.Unlock()
	now := r.now()
	for _, b := range r.exts {
		if b.status.State != ivr.ExtUnregistered && now.After(b.expires) {
			r.log.Info("registration expired", "extension", b.status.Extension)
			r.unbindLocked(b, "expired")
		}
	}
}

// qualified records the result of an OPTIONS to contact.
func (r *registrar) qualified(ext string, contact sip.Uri, rtt time.Duration, err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	b := r.exts[ext]
	if b == nil || b.status.State == ivr.ExtUnregistered || b.contact.String() != contact.String() {
		return // re-registered or gone meanwhile
	}
	now := r.now()
	restored := b.restored
	b.restored = false
	switch {
	case err == nil && restored && b.status.State == ivr.ExtRegistered:
		// A binding restored at start answered: say so, so that the desk
		// keeps its agent available.
		b.status.Reason, b.status.RTT = "qualify ok", rtt
		r.publishLocked(b.status)
	case err == nil && b.status.State == ivr.ExtUnreachable:
		b.status.State, b.status.Since, b.status.Reason, b.status.RTT = ivr.ExtRegistered, now, "qualify ok", rtt
		r.publishLocked(b.status)
	case err == nil:
		news := ivr.RTTNews(b.status.RTT, rtt)
		b.status.RTT = rtt
		if news { // the page shows it; the history does not record it
			r.fanOutLocked(b.status)
		}
	case b.status.State == ivr.ExtRegistered:
		r.log.Warn("extension unreachable", "extension", ext, "contact", contact.String(), "error", err)
		b.status.State, b.status.Since, b.status.Reason, b.status.RTT = ivr.ExtUnreachable, now, "qualify timeout", 0
		r.publishLocked(b.status)
	}
}

// contacts returns the extensions to qualify.
func (r *registrar) contacts() map[string]binding {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := map[string]binding{}
	for ext, b := range r.exts {
		if b.status.State != ivr.ExtUnregistered {
			out[ext] = *b
		}
	}
	return out
}

// publishLocked delivers s to every watcher without blocking.
func (r *registrar) publishLocked(s ivr.ExtensionStatus) {
	r.log.Info("extension status", "extension", s.Extension, "state", string(s.State), "reason", s.Reason, "contact", s.Contact)
	r.fanOutLocked(s)
}

// fanOutLocked delivers s to every watcher without blocking, unlogged (a
// new round trip time alone).
func (r *registrar) fanOutLocked(s ivr.ExtensionStatus) {
	for ch := range r.watchers {
		select {
		case ch <- s:
		default:
			r.dropped.Add(1)
		}
	}
}

// watch subscribes until ctx is done.
func (r *registrar) watch(ctx context.Context) <-chan ivr.ExtensionStatus {
	ch := make(chan ivr.ExtensionStatus, 64)
	r.mu.Lock()
	r.watchers[ch] = struct{}{}
	r.mu.Unlock()
	context.AfterFunc(ctx, func() {
		r.mu.Lock()
		delete(r.watchers, ch)
		r.mu.Unlock()
		close(ch)
	})
	return ch
}

// requestExpiry is the expiry a REGISTER asks for: the Contact's expires
// parameter, else the Expires header, else def.
func requestExpiry(req *sip.Request, def time.Duration) time.Duration {
	if c := req.Contact(); c != nil {
		if v, ok := c.Params.Get("expires"); ok {
			if n, err := strconv.Atoi(v); err == nil && n >= 0 {
				return time.Duration(n) * time.Second
			}
		}
	}
	if h := req.GetHeader("Expires"); h != nil {
		if n, err := strconv.Atoi(h.Value()); err == nil && n >= 0 {
			return time.Duration(n) * time.Second
		}
	}
	return def
}
