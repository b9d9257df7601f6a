// Package escalation keeps the help desk's promises by itself: business-hours
// calendars, SLA policies per priority and service, the due times of a ticket
// (the clock pauses in Pending user and On hold), the automatic actions that
// follow from them (escalations through the four levels of the directory,
// reminders, rejection after 48 business hours without an answer, closing of
// resolved tickets), the email templates, and a worker that executes due
// actions from a durable TimerStore exactly once.
//
// The package is pure: no database, no SMTP, no telephony. Those are ports
// (TimerStore, Notifier, Caller, Executor) implemented by adapters; the
// in-memory TimerStore in escalation/memstore is the test double.
package escalation

// Calendars need zone data (DST rules, historical offsets) on every machine,
// including minimal containers without /usr/share/zoneinfo.
import _ "time/tzdata"
