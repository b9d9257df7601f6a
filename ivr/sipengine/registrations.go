package sipengine

import (
	"context"
	"log/slog"
	"strings"
	"time"

	"github.com/emiago/sipgo/sip"

	"github.com/atiende/atiende/ivr/coalesce"
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

// newPersister writes registrar changes to store off the SIP handlers'
// path: the latest change per extension wins (nil: delete), one writer, in
// the order of the changes of each extension.
func newPersister(store RegistrationStore, log *slog.Logger) *coalesce.Writer[string, *Registration] {
	return coalesce.New(func(ctx context.Context, ext string, r *Registration) error {
		if r == nil {
			return store.DeleteRegistration(ctx, ext)
		}
		return store.SaveRegistration(ctx, *r)
	}, func(ext string, _ *Registration, err error) {
		// The binding stays valid in memory; only a restart before the
		// phone's next refresh forgets it.
		log.Warn("registration not saved", "extension", ext, "error", err)
	})
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
			e.reg.persist.Put(r.Extension, nil)
			continue
		}
		if e.reg.restore(r.Extension, uri, strings.ToLower(r.Transport), r.Source, r.UserAgent, r.CallID, r.Expires) {
			n++
		}
	}
	e.log.Info("registrations restored", "count", n)
}
