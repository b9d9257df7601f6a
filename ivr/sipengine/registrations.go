package sipengine

import (
	"context"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/emiago/sipgo/sip"
)

// Registration is one extension's binding as it is kept across restarts.
type Registration struct {
	Extension string
	Contact   string // the Contact URI the phone registered
	Transport string // udp, tcp
	Source    string // host:port the REGISTER came from
	UserAgent string
	CallID    string
	Expires   time.Time
}

// RegistrationStore keeps registrations across restarts (Config.Registrations;
// cmd wires PostgreSQL). The engine saves a binding when a phone registers
// or refreshes, deletes it when the phone unregisters or the binding expires,
// and leaves it alone at shutdown, so the phones stay registered through a
// restart. At start it loads the unexpired bindings and qualifies them at
// once with OPTIONS.
type RegistrationStore interface {
	LoadRegistrations(ctx context.Context, now time.Time) ([]Registration, error)
	SaveRegistration(ctx context.Context, r Registration) error
	DeleteRegistration(ctx context.Context, extension string) error
}

// persister writes registrar changes to a RegistrationStore off the SIP
// handlers' path: the latest change per extension wins, one writer, in the
// order of the changes of each extension.
type persister struct {
	store RegistrationStore
	log   *slog.Logger

	mu      sync.Mutex
	pending map[string]*Registration // nil: delete
	order   []string
	kick    chan struct{}
}

func newPersister(store RegistrationStore, log *slog.Logger) *persister {
	return &persister{store: store, log: log, pending: map[string]*Registration{}, kick: make(chan struct{}, 1)}
}

// put queues r (nil: delete ext); it never blocks.
func (p *persister) put(ext string, r *Registration) {
	if p == nil {
		return
	}
	p.mu.Lock()
	if _, ok := p.pending[ext]; !ok {
		p.order = append(p.order, ext)
	}
	p.pending[ext] = r
	p.mu.Unlock()
	select {
	case p.kick <- struct{}{}:
	default:
	}
}

// run writes until ctx is done, then writes what is left (at most 5 s).
func (p *persister) run(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			fctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			p.flush(fctx)
			cancel()
			return
		case <-p.kick:
			p.flush(ctx)
		}
	}
}

func (p *persister) flush(ctx context.Context) {
	for {
		p.mu.Lock()
		if len(p.order) == 0 {
			p.mu.Unlock()
			return
		}
		ext := p.order[0]
		p.order = p.order[1:]
		r := p.pending[ext]
		delete(p.pending, ext)
		p.mu.Unlock()
		wctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		var err error
		if r == nil {
			err = p.store.DeleteRegistration(wctx, ext)
		} else {
			err = p.store.SaveRegistration(wctx, *r)
		}
		cancel()
		if err != nil {
			// The binding stays valid in memory; only a restart before the
			// phone's next refresh forgets it.
			p.log.Warn("registration not saved", "extension", ext, "error", err)
		}
	}
}

// restore loads the unexpired registrations of configured extensions into
// the registrar; the registrar loop qualifies them at once.
func (e *Engine) restore(ctx context.Context) {
	if e.cfg.Registrations == nil {
		return
	}
	lctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	list, err := e.cfg.Registrations.LoadRegistrations(lctx, e.now())
	if err != nil {
		e.log.Warn("registrations not restored: phones appear when they register again", "error", err)
		return
	}
	n := 0
	for _, r := range list {
		var uri sip.Uri
		if err := sip.ParseUri(r.Contact, &uri); err != nil {
			e.log.Warn("stored registration ignored", "extension", r.Extension, "contact", r.Contact, "error", err)
			e.reg.persist.put(r.Extension, nil)
			continue
		}
		if e.reg.restore(r.Extension, uri, strings.ToLower(r.Transport), r.Source, r.UserAgent, r.CallID, r.Expires) {
			n++
		}
	}
	e.log.Info("registrations restored", "count", n)
}
