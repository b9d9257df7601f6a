package escalation

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/atiende/atiende/tickets"
)

// Maintenance is a planned maintenance window (seed 004): the services it
// affects are announced to their contacts ahead of time, and while it is in
// progress the IVR tells callers of those services before they queue.
// Windows are never deleted: a window called off is Cancelled.
type Maintenance struct {
	ID       int64    `json:"id"`
	Services []string `json:"services"` // catalog service codes, at least one
	// Areas narrow the window to callers and contacts of these sites or
	// areas (Contact.Area); empty means every area.
	Areas       []string   `json:"areas"`
	Start       time.Time  `json:"start"`
	End         time.Time  `json:"end"`
	SummaryES   string     `json:"summary_es"`
	SummaryEN   string     `json:"summary_en,omitempty"`
	CreatedBy   string     `json:"created_by"`
	CreatedAt   time.Time  `json:"created_at"`
	NotifiedAt  *time.Time `json:"notified_at,omitempty"` // when the notice emails were queued
	Cancelled   bool       `json:"cancelled"`
	CancelledAt *time.Time `json:"cancelled_at,omitempty"`
	CancelledBy string     `json:"cancelled_by,omitempty"`
}

// MaxMaintenanceSummary bounds each summary, in characters.
const MaxMaintenanceSummary = 2000

// Normalize trims the text fields and drops empty and repeated services
// and areas.
func (m *Maintenance) Normalize() {
	m.Services = cleanList(m.Services, false)
	m.Areas = cleanList(m.Areas, true)
	m.SummaryES = strings.TrimSpace(m.SummaryES)
	m.SummaryEN = strings.TrimSpace(m.SummaryEN)
	m.CreatedBy = strings.TrimSpace(m.CreatedBy)
}

func cleanList(in []string, fold bool) []string {
	out := []string{}
	for _, s := range in {
		s = strings.TrimSpace(s)
		if s == "" || slices.ContainsFunc(out, func(o string) bool { return o == s || fold && strings.EqualFold(o, s) }) {
			continue
		}
		out = append(out, s)
	}
	return out
}

// Validate checks a new window: end after start, at least one service and
// each one in cat, a summary, and sizes. Errors are EINVALID naming the
// field. It does not check the notice period: that is business time, kept
// by the escalation rules.
func (m *Maintenance) Validate(cat *tickets.Catalog) error {
	bad := func(format string, args ...any) error {
		return tickets.Errorf(tickets.EINVALID, "maintenance: "+format, args...)
	}
	switch {
	case m.Start.IsZero() || m.End.IsZero():
		return bad("start and end are required")
	case !m.End.After(m.Start):
		return bad("end (%s) must be after start (%s)", m.End.Format(time.RFC3339), m.Start.Format(time.RFC3339))
	case len(m.Services) == 0:
		return bad("services: at least one affected service is required")
	case m.SummaryES == "" && m.SummaryEN == "":
		return bad("summary_es: a summary of the work is required")
	case len([]rune(m.SummaryES)) > MaxMaintenanceSummary || len([]rune(m.SummaryEN)) > MaxMaintenanceSummary:
		return bad("summaries are limited to %d characters", MaxMaintenanceSummary)
	case m.CreatedBy == "":
		return bad("created_by is required")
	}
	if cat != nil {
		var unknown []string
		for _, s := range m.Services {
			if _, ok := cat.Service(s); !ok {
				unknown = append(unknown, s)
			}
		}
		if len(unknown) > 0 {
			return bad("services: %s not in the service catalog", strings.Join(unknown, ", "))
		}
	}
	return nil
}

// Active reports whether the window is in progress at t: not cancelled,
// Start <= t < End.
func (m *Maintenance) Active(t time.Time) bool {
	return !m.Cancelled && !t.Before(m.Start) && t.Before(m.End)
}

// Affects reports whether a caller of service in area is concerned: the
// service is one of the window's ("" matches any), and the window has no
// areas, the area is unknown (""), or it is one of them (ignoring case).
func (m *Maintenance) Affects(service, area string) bool {
	if service != "" && !slices.Contains(m.Services, service) {
		return false
	}
	if len(m.Areas) == 0 || strings.TrimSpace(area) == "" {
		return true
	}
	return slices.ContainsFunc(m.Areas, func(a string) bool { return strings.EqualFold(a, strings.TrimSpace(area)) })
}

// Summary returns the summary in lang ("es" or "en"), falling back to the
// other language.
func (m *Maintenance) Summary(lang string) string {
	if lang == "en" && m.SummaryEN != "" || m.SummaryES == "" {
		return m.SummaryEN
	}
	return m.SummaryES
}

// MaintenanceFilter selects windows for listing.
type MaintenanceFilter struct {
	// Since keeps the windows still upcoming or in progress at Since (End
	// after it); zero keeps every window, past ones included.
	Since            time.Time
	IncludeCancelled bool
	Limit            int // default 100, at most 500
}

// NoticeError refuses a window that starts too soon for its contacts to be
// told Notice business time ahead. Its code is EINVALID; Earliest is the
// first start that would be accepted now.
type NoticeError struct {
	Earliest time.Time
	Notice   time.Duration // business time
}

func (e *NoticeError) Error() string { return e.Unwrap().Error() }

// Unwrap gives the domain error, so ErrorCode and ErrorMessage see EINVALID.
func (e *NoticeError) Unwrap() error {
	return tickets.Errorf(tickets.EINVALID, "maintenance: contacts must be told %s business hours ahead; the earliest allowed start is %s",
		noticeHours(e.Notice), e.Earliest.Format(time.RFC3339))
}

func noticeHours(d time.Duration) string {
	if d%time.Hour == 0 {
		return fmt.Sprint(int64(d / time.Hour))
	}
	return fmt.Sprintf("%.2f", d.Hours())
}
