package extmon

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/atiende/atiende/ivr"
	"github.com/atiende/atiende/tickets"
)

// opTimeout bounds each call to the ticket store.
const opTimeout = 10 * time.Second

// What alert did.
const (
	opened  = "opened"  // a new ticket
	adopted = "adopted" // an open ticket of the service for this extension, not linked yet
	noted   = "noted"   // the linked ticket, still open
)

// fire handles an outage's deadline: open its ticket, or note the outage on
// the extension's ticket if there is one still open.
func (m *Monitor) fire(ctx context.Context, d due) {
	m.mu.RLock()
	e := m.exts[d.ext]
	if e == nil || e.gen != d.gen || e.downSince.IsZero() || e.alerted {
		m.mu.RUnlock()
		return
	}
	snap := *e
	m.mu.RUnlock()
	log := m.d.Log.With("extension", d.ext)
	number, did, err := m.alert(ctx, &snap)
	if err != nil {
		if ctx.Err() == nil {
			log.Error("extensions: open ticket for outage", "error", err, "retry_in", m.cfg.Retry)
			m.retry(d.ext, d.gen)
		}
		return
	}
	m.mu.Lock()
	e.ticket, e.alerted = number, true // only this goroutine writes e
	view := m.viewLocked(e)
	m.mu.Unlock()
	log.Warn("extensions: down too long", "ticket", number, "ticket_action", did, "down_since", snap.downSince)
	if did == noted {
		return
	}
	// The ticket exists: link it even if Run is being stopped.
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), opTimeout)
	defer cancel()
	if err := m.d.Store.SetExtensionTicket(sctx, d.ext, number); err != nil {
		log.Error("extensions: link ticket", "ticket", number, "error", err)
	}
	m.publish(view)
}

// alert notes e's outage on its ticket when that is still open, else on an
// open ticket of the service already filed for the extension (by an agent,
// or by a run that could not link it), else opens a ticket: one ticket per
// fault until network staff resolve it.
func (m *Monitor) alert(ctx context.Context, e *ext) (number, did string, err error) {
	ctx, cancel := context.WithTimeout(ctx, opTimeout)
	defer cancel()
	if e.ticket != "" {
		t, err := m.d.Tickets.Ticket(ctx, e.ticket)
		switch {
		case err == nil && t.State.Open():
			return e.ticket, noted, m.note(ctx, e.ticket, m.downAgainText(e))
		case err != nil && tickets.ErrorCode(err) != tickets.ENOTFOUND:
			return "", "", err
		}
	}
	if n, err := m.openTicketOf(ctx, e.status.Extension); err != nil {
		return "", "", err
	} else if n != "" {
		return n, adopted, m.note(ctx, n, m.downText(e, ""))
	}
	t := m.newTicket(ctx, e)
	if err := m.d.Tickets.CreateTicket(ctx, t, m.cfg.Actor); err != nil {
		return "", "", err
	}
	return t.Number, opened, nil
}

// openTicketOf returns the newest open ticket of the service whose caller
// is the extension, or "".
func (m *Monitor) openTicketOf(ctx context.Context, name string) (string, error) {
	var open []tickets.State
	for _, s := range tickets.States {
		if s.Open() {
			open = append(open, s)
		}
	}
	list, _, err := m.d.Tickets.ListTickets(ctx, tickets.Filter{Service: m.cfg.Service, States: open, Query: name, Limit: 50})
	if err != nil {
		return "", err
	}
	for _, t := range list { // the query also matches text: check the caller
		if t.Caller.Extension == name {
			return t.Number, nil
		}
	}
	return "", nil
}

func (m *Monitor) note(ctx context.Context, number, body string) error {
	return m.d.Tickets.AddNote(ctx, number, &tickets.Note{Author: m.cfg.Actor, Internal: true, Body: body})
}

// noteRecovery notes on the outage's ticket that e is up again, if the
// outage had one and it is still open. e is the state before recovery.
func (m *Monitor) noteRecovery(ctx context.Context, e *ext, st ivr.ExtensionStatus) {
	if !e.alerted || e.ticket == "" {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, opTimeout)
	defer cancel()
	log := m.d.Log.With("extension", st.Extension, "ticket", e.ticket)
	t, err := m.d.Tickets.Ticket(ctx, e.ticket)
	if err != nil {
		log.Error("extensions: note recovery", "error", err)
		return
	}
	if !t.State.Open() {
		return
	}
	if err := m.note(ctx, e.ticket, m.recoveredText(e, st)); err != nil {
		log.Error("extensions: note recovery", "error", err)
		return
	}
	log.Info("extensions: recovered, noted on ticket")
}

func (m *Monitor) newTicket(ctx context.Context, e *ext) *tickets.Ticket {
	name := e.status.Extension
	caller := m.owner(ctx, name)
	caller.Extension = name
	t := &tickets.Ticket{
		Kind: tickets.Incident, Service: m.cfg.Service, Impact: m.cfg.Impact, Urgency: m.cfg.Urgency,
		Priority: m.cfg.Matrix.Priority(m.cfg.Impact, m.cfg.Urgency), Level: m.cfg.Level,
		Channel: tickets.Web, Queue: m.cfg.Queue, Caller: caller,
		Subject:     clip(fmt.Sprintf("Extensión %s sin servicio / Extension %s down", name, name), 300),
		Description: clip(m.downText(e, caller.Name), 20000),
	}
	m.service().NewTicketDefaults(t) // queue and level, unless configured
	return t
}

// service is the catalog's entry for the tickets' service, or
// extension_failure's defaults without one.
func (m *Monitor) service() tickets.Service {
	if m.d.Catalog != nil {
		if svc, ok := m.d.Catalog.Current().Service(m.cfg.Service); ok {
			return svc
		}
	}
	return tickets.Service{Code: m.cfg.Service, Group: DefaultQueue, DefaultKind: tickets.Incident, Level: 1}
}

func (m *Monitor) at(t time.Time) string { return t.In(m.cfg.Zone).Format("2006-01-02 15:04:05 MST") }

// downText describes the outage, in Spanish then English.
func (m *Monitor) downText(e *ext, owner string) string {
	st := e.status
	who := ""
	if owner != "" {
		who = " (" + owner + ")"
	}
	var b strings.Builder
	es, en := reasonText(st.Reason)
	fmt.Fprintf(&b, "La extensión %s%s está caída desde %s: %s.", st.Extension, who, m.at(e.downSince), stateES(st.State))
	if es != "" {
		fmt.Fprintf(&b, " Motivo: %s.", es)
	}
	fmt.Fprintf(&b, " Último contacto: %s.\n", contact(e, "ninguno"))
	fmt.Fprintf(&b, "Extension %s%s has been down since %s: %s.", st.Extension, who, m.at(e.downSince), stateEN(st.State))
	if en != "" {
		fmt.Fprintf(&b, " Reason: %s.", en)
	}
	fmt.Fprintf(&b, " Last contact: %s.", contact(e, "none"))
	return b.String()
}

func (m *Monitor) downAgainText(e *ext) string {
	st, at := e.status, m.at(e.downSince)
	es, en := reasonText(st.Reason)
	if es != "" {
		es, en = " ("+es+")", " ("+en+")"
	}
	return fmt.Sprintf("La extensión %s volvió a caer desde %s: %s%s.\nExtension %s went down again at %s: %s%s.",
		st.Extension, at, stateES(st.State), es, st.Extension, at, stateEN(st.State), en)
}

func (m *Monitor) recoveredText(e *ext, st ivr.ExtensionStatus) string {
	at := m.at(st.Since)
	down := st.Since.Sub(e.downSince).Round(time.Second)
	return fmt.Sprintf("Extensión %s recuperada el %s (registrada, contacto %s); estuvo caída %s. Validar con el usuario antes de cerrar.\n"+
		"Extension %s recovered at %s (registered, contact %s); it was down for %s. Validate with the user before closing.",
		st.Extension, at, orNone(st.Contact, "ninguno"), down, st.Extension, at, orNone(st.Contact, "none"), down)
}

func stateES(s ivr.ExtState) string {
	switch s {
	case ivr.ExtRegistered:
		return "registrada"
	case ivr.ExtUnregistered:
		return "sin registro"
	case ivr.ExtUnreachable:
		return "inalcanzable (no responde)"
	}
	return "estado desconocido"
}

func stateEN(s ivr.ExtState) string {
	switch s {
	case ivr.ExtRegistered:
		return "registered"
	case ivr.ExtUnregistered:
		return "not registered"
	case ivr.ExtUnreachable:
		return "unreachable (not answering)"
	}
	return "state unknown"
}

// reasonText says why an extension is down, in Spanish and English; ""
// for a reason that says nothing more than the state, or that the engine
// gave in its own terms (the reasons are codes: ivr.ExtReasons).
func reasonText(reason string) (es, en string) {
	switch reason {
	case "unregistered":
		return "el teléfono se dio de baja", "the phone signed off"
	case "expired":
		return "su registro venció sin renovarse", "its registration expired and was not renewed"
	case "qualify timeout":
		return "dejó de responder a las verificaciones periódicas", "it stopped answering the periodic checks"
	case "unknown":
		return "la central no puede saber su estado", "the phone system cannot tell its state"
	}
	return "", ""
}

func contact(e *ext, none string) string {
	if e.lastContact == "" {
		return none
	}
	if e.lastAgent != "" {
		return e.lastContact + " (" + e.lastAgent + ")"
	}
	return e.lastContact
}

func orNone(s, none string) string {
	if s == "" {
		return none
	}
	return s
}

func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8Start(s[n]) {
		n--
	}
	return s[:n]
}

func utf8Start(b byte) bool { return b&0xC0 != 0x80 }
