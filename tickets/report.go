package tickets

import (
	"cmp"
	"context"
	"maps"
	"slices"
	"strings"
	"sync"
	"time"
)

// The weekly fault report (seed 004: "reporte semanal de averías") is
// computed from the database, never from Prometheus, so its counts are exact.
//
// Definitions, for a week [From, To) (ISO week, Monday 00:00 to the next
// Monday 00:00 in ReportOptions.Location):
//
//   - Opened: tickets created in the week.
//   - Resolved: tickets whose ResolvedAt falls in the week (whatever their
//     state now: Resolved or Closed). Rejected tickets are not resolved.
//   - Resolution time of a resolved ticket: from CreatedAt to ResolvedAt, in
//     business time when ReportOptions.BusinessTime is set (e.g. the SLA
//     calendar's Between), else wall-clock time. Pauses (Pending user, On
//     hold) are not subtracted: it is the time the caller waited.
//   - Mean: the arithmetic mean. P90: the 90th percentile with linear
//     interpolation between the closest ranks, exactly PostgreSQL's
//     percentile_cont(0.9): for n sorted values v, position 0.9*(n-1),
//     v[floor] + (v[ceil]-v[floor]) * fraction. Both are null when nothing
//     was resolved.
//   - Resolution SLA: among tickets resolved in the week that carry a
//     ResolutionDue, the share resolved at or before it. Response SLA: among
//     tickets first responded to in the week that carry a ResponseDue, the
//     share responded to at or before it. Tickets without a due time are
//     not measured (Total says how many were). The due times are the ones
//     stored on the ticket, which already account for the calendar and the
//     pauses.
//   - Repeated faults: a caller phone number, or an extension, with two or
//     more incident tickets opened in the trailing window of RepeatDays days
//     (default 30) that ends with the week, at least one of them in the week.
//     Figures.Repeated counts the incident tickets opened in the week that
//     belong to such a repetition (a ticket matching by both phone and
//     extension counts once).
//   - Previous: the same figures for the week before; Delta is this week
//     minus the previous one (percentage points for the SLA shares), null
//     when either side is.

// ReportTicket is what the report reads of a ticket.
type ReportTicket struct {
	Number          string
	Kind            Kind
	Service         string
	State           State
	CallerPhone     string // E.164 or as received; "" if unknown
	CallerExtension string
	CreatedAt       time.Time
	FirstResponseAt *time.Time
	ResolvedAt      *time.Time
	ResponseDue     *time.Time
	ResolutionDue   *time.Time
}

// ReportStore gives the report its rows. tickets/postgres implements it.
type ReportStore interface {
	// WeekTickets returns every ticket created, first responded to or
	// resolved in [from, to), in any order.
	WeekTickets(ctx context.Context, from, to time.Time) ([]ReportTicket, error)
}

// DefaultReportZone is the report's time zone unless told otherwise.
const DefaultReportZone = "America/Mexico_City"

// DefaultRepeatDays is the trailing window for repeated faults.
const DefaultRepeatDays = 30

// ReportOptions tune the report. The zero value is valid.
type ReportOptions struct {
	// Location where weeks start and end; nil is America/Mexico_City.
	Location *time.Location
	// BusinessTime measures resolution time between two instants, e.g. the
	// SLA calendar's (*escalation.Calendar).Between. Nil: wall-clock time.
	BusinessTime func(from, to time.Time) time.Duration
	// RepeatDays is the trailing window for repeated faults, ending with the
	// week; default 30; values under 7 mean the week itself.
	RepeatDays int
}

// Zone returns the report's time zone: Location, or America/Mexico_City.
func (o ReportOptions) Zone() *time.Location {
	if o.Location != nil {
		return o.Location
	}
	return defaultReportLocation()
}

func (o ReportOptions) withDefaults() ReportOptions {
	o.Location = o.Zone()
	if o.RepeatDays <= 0 {
		o.RepeatDays = DefaultRepeatDays
	}
	o.RepeatDays = max(o.RepeatDays, 7)
	return o
}

// defaultReportLocation loads America/Mexico_City; without a time zone
// database it falls back to UTC-6, the city's offset since it dropped DST
// in October 2022.
var defaultReportLocation = sync.OnceValue(func() *time.Location {
	if loc, err := time.LoadLocation(DefaultReportZone); err == nil {
		return loc
	}
	return time.FixedZone(DefaultReportZone, -6*3600)
})

// WeeklyReport is the weekly fault report of one week, with the week before
// for comparison.
type WeeklyReport struct {
	Week         string    `json:"week"` // 2026-W47
	From         time.Time `json:"from"` // Monday 00:00, in TimeZone
	To           time.Time `json:"to"`   // the next Monday 00:00 (exclusive)
	PreviousWeek string    `json:"previous_week"`
	TimeZone     string    `json:"time_zone"`
	// ResolutionTime is "business" (the SLA calendar) or "wall_clock".
	ResolutionTime string `json:"resolution_time"`
	RepeatDays     int    `json:"repeat_window_days"`
	// Total covers every ticket; ByService and ByKind are the subtotals;
	// Groups crosses service and kind. Only combinations with some activity
	// in either week are listed.
	Total     ReportGroup     `json:"total"`
	ByService []ReportGroup   `json:"by_service"`
	ByKind    []ReportGroup   `json:"by_kind"`
	Groups    []ReportGroup   `json:"groups"`
	Repeated  []RepeatedFault `json:"repeated_faults"`
	// Surveys are the satisfaction scores of the week and the week
	// before; null when the store keeps no surveys.
	Surveys *WeekSurveys `json:"surveys"`
}

// ReportGroup is the figures of one service, kind or (service, kind); an
// empty Service or Kind means all of them.
type ReportGroup struct {
	Service  string      `json:"service,omitempty"`
	Kind     Kind        `json:"kind,omitempty"`
	Week     Figures     `json:"week"`
	Previous Figures     `json:"previous"`
	Delta    FigureDelta `json:"delta"`
}

// Figures are the numbers of one group in one week. Times are in seconds.
type Figures struct {
	Opened         int       `json:"opened"`
	Resolved       int       `json:"resolved"`
	MeanResolution *float64  `json:"mean_resolution_seconds"`
	P90Resolution  *float64  `json:"p90_resolution_seconds"`
	ResolutionSLA  SLAFigure `json:"resolution_sla"`
	ResponseSLA    SLAFigure `json:"response_sla"`
	Repeated       int       `json:"repeated"`
}

// SLAFigure is how many measured tickets met their due time.
type SLAFigure struct {
	Met     int      `json:"met"`
	Total   int      `json:"total"`
	Percent *float64 `json:"percent"` // 100*Met/Total; null when Total is 0
}

// FigureDelta is this week minus the week before.
type FigureDelta struct {
	Opened         int      `json:"opened"`
	Resolved       int      `json:"resolved"`
	MeanResolution *float64 `json:"mean_resolution_seconds"`
	P90Resolution  *float64 `json:"p90_resolution_seconds"`
	ResolutionSLA  *float64 `json:"resolution_sla_points"`
	ResponseSLA    *float64 `json:"response_sla_points"`
	Repeated       int      `json:"repeated"`
}

// RepeatedFault is a phone number or extension with repeated incidents.
type RepeatedFault struct {
	By       string   `json:"by"` // "phone" or "extension"
	Value    string   `json:"value"`
	Tickets  []string `json:"tickets"` // incident tickets in the window, oldest first
	InWeek   int      `json:"in_week"` // how many of them were opened in the week
	Services []string `json:"services"`
}

// BuildWeeklyReport reads the rows of week and the week before (and of the
// repeated-fault window) from st and computes the report.
func BuildWeeklyReport(ctx context.Context, st ReportStore, week ISOWeek, o ReportOptions) (*WeeklyReport, error) {
	o = o.withDefaults()
	to := week.End(o.Location)
	from := week.Prev().Start(o.Location)
	if rs := week.Prev().End(o.Location).AddDate(0, 0, -o.RepeatDays); rs.Before(from) {
		from = rs
	}
	rows, err := st.WeekTickets(ctx, from, to)
	if err != nil {
		return nil, err
	}
	return ComputeWeeklyReport(week, rows, o), nil
}

// ComputeWeeklyReport computes the report of week from rows, which must hold
// every ticket created, first responded to or resolved in the week and the
// week before, and every ticket created in either week's repeated-fault
// window. Other rows are ignored.
func ComputeWeeklyReport(week ISOWeek, rows []ReportTicket, o ReportOptions) *WeeklyReport {
	o = o.withDefaults()
	prev := week.Prev()
	r := &WeeklyReport{
		Week: week.String(), From: week.Start(o.Location), To: week.End(o.Location),
		PreviousWeek: prev.String(), TimeZone: o.Location.String(),
		ResolutionTime: "wall_clock", RepeatDays: o.RepeatDays,
	}
	if o.BusinessTime != nil {
		r.ResolutionTime = "business"
	}
	cur := newReportWeekData(week, rows, o)
	old := newReportWeekData(prev, rows, o)
	r.Repeated = cur.repeats

	type key struct {
		service string
		kind    Kind
	}
	keys := map[key]bool{}
	for _, d := range []*reportWeekData{cur, old} {
		for _, t := range d.rows {
			if d.opened(t) || d.resolved(t) || d.responded(t) {
				keys[key{t.Service, t.Kind}] = true
			}
		}
	}
	group := func(k key) ReportGroup {
		match := func(t *ReportTicket) bool {
			return (k.service == "" || t.Service == k.service) && (k.kind == "" || t.Kind == k.kind)
		}
		g := ReportGroup{Service: k.service, Kind: k.kind, Week: cur.figures(match), Previous: old.figures(match)}
		g.Delta = figureDelta(g.Week, g.Previous)
		return g
	}
	r.Total = group(key{})
	services, kinds := map[string]bool{}, map[Kind]bool{}
	var pairs []key
	for k := range keys {
		services[k.service], kinds[k.kind] = true, true
		pairs = append(pairs, k)
	}
	slices.SortFunc(pairs, func(a, b key) int {
		return cmp.Or(strings.Compare(a.service, b.service), cmp.Compare(reportKindRank(a.kind), reportKindRank(b.kind)), strings.Compare(string(a.kind), string(b.kind)))
	})
	r.Groups, r.ByService, r.ByKind = []ReportGroup{}, []ReportGroup{}, []ReportGroup{}
	for _, k := range pairs {
		r.Groups = append(r.Groups, group(k))
	}
	for _, s := range slices.Sorted(maps.Keys(services)) {
		r.ByService = append(r.ByService, group(key{service: s}))
	}
	ks := slices.Collect(maps.Keys(kinds))
	slices.SortFunc(ks, func(a, b Kind) int {
		return cmp.Or(cmp.Compare(reportKindRank(a), reportKindRank(b)), strings.Compare(string(a), string(b)))
	})
	for _, k := range ks {
		r.ByKind = append(r.ByKind, group(key{kind: k}))
	}
	return r
}

// reportKindRank orders kinds as Kinds lists them; unknown kinds last.
func reportKindRank(k Kind) int {
	if i := slices.Index(Kinds, k); i >= 0 {
		return i
	}
	return len(Kinds)
}

// reportWeekData is one week's view of the rows.
type reportWeekData struct {
	from, to time.Time
	rows     []*ReportTicket
	o        ReportOptions
	repeated map[string]bool // numbers of the week's repeated-fault tickets
	repeats  []RepeatedFault
	took     map[*ReportTicket]int64 // resolution time of the week's resolved tickets, in microseconds
}

func newReportWeekData(w ISOWeek, rows []ReportTicket, o ReportOptions) *reportWeekData {
	d := &reportWeekData{from: w.Start(o.Location), to: w.End(o.Location), o: o,
		repeated: map[string]bool{}, took: map[*ReportTicket]int64{}}
	for i := range rows {
		t := &rows[i]
		d.rows = append(d.rows, t)
		if d.resolved(t) {
			// Computed once: a ticket is in four groups. A resolution
			// stamped before the creation (clock skew) counts as zero.
			took := t.ResolvedAt.Sub(t.CreatedAt)
			if o.BusinessTime != nil {
				took = o.BusinessTime(t.CreatedAt, *t.ResolvedAt)
			}
			d.took[t] = int64(max(took, 0) / time.Microsecond)
		}
	}
	d.findRepeats()
	return d
}

func (d *reportWeekData) in(t time.Time) bool   { return !t.Before(d.from) && t.Before(d.to) }
func (d *reportWeekData) inp(t *time.Time) bool { return t != nil && d.in(*t) }

func (d *reportWeekData) opened(t *ReportTicket) bool    { return d.in(t.CreatedAt) }
func (d *reportWeekData) resolved(t *ReportTicket) bool  { return d.inp(t.ResolvedAt) }
func (d *reportWeekData) responded(t *ReportTicket) bool { return d.inp(t.FirstResponseAt) }

// findRepeats finds phones and extensions with 2+ incidents in the window
// ending with the week, at least one in the week.
func (d *reportWeekData) findRepeats() {
	start := d.to.AddDate(0, 0, -d.o.RepeatDays)
	type fkey struct{ by, value string }
	byKey := map[fkey][]*ReportTicket{}
	for _, t := range d.rows {
		if t.Kind != Incident || t.CreatedAt.Before(start) || !t.CreatedAt.Before(d.to) {
			continue
		}
		if p := strings.TrimSpace(t.CallerPhone); p != "" {
			byKey[fkey{"phone", p}] = append(byKey[fkey{"phone", p}], t)
		}
		if e := strings.TrimSpace(t.CallerExtension); e != "" {
			byKey[fkey{"extension", e}] = append(byKey[fkey{"extension", e}], t)
		}
	}
	for k, list := range byKey {
		inWeek := 0
		for _, t := range list {
			if d.opened(t) {
				inWeek++
			}
		}
		if len(list) < 2 || inWeek == 0 {
			continue
		}
		slices.SortFunc(list, func(a, b *ReportTicket) int {
			return cmp.Or(a.CreatedAt.Compare(b.CreatedAt), strings.Compare(a.Number, b.Number))
		})
		f := RepeatedFault{By: k.by, Value: k.value, InWeek: inWeek, Tickets: []string{}, Services: []string{}}
		for _, t := range list {
			f.Tickets = append(f.Tickets, t.Number)
			if !slices.Contains(f.Services, t.Service) {
				f.Services = append(f.Services, t.Service)
			}
			if d.opened(t) {
				d.repeated[t.Number] = true
			}
		}
		slices.Sort(f.Services)
		d.repeats = append(d.repeats, f)
	}
	slices.SortFunc(d.repeats, func(a, b RepeatedFault) int {
		return cmp.Or(cmp.Compare(len(b.Tickets), len(a.Tickets)), strings.Compare(a.By, b.By), strings.Compare(a.Value, b.Value))
	})
	if d.repeats == nil {
		d.repeats = []RepeatedFault{}
	}
}

// figures computes the week's numbers over the rows that match.
func (d *reportWeekData) figures(match func(*ReportTicket) bool) Figures {
	var f Figures
	var times []int64 // resolution times in microseconds
	for _, t := range d.rows {
		if !match(t) {
			continue
		}
		if d.opened(t) {
			f.Opened++
			if d.repeated[t.Number] {
				f.Repeated++
			}
		}
		if d.resolved(t) {
			f.Resolved++
			times = append(times, d.took[t])
			if t.ResolutionDue != nil {
				f.ResolutionSLA.Total++
				if !t.ResolvedAt.After(*t.ResolutionDue) {
					f.ResolutionSLA.Met++
				}
			}
		}
		if d.responded(t) && t.ResponseDue != nil {
			f.ResponseSLA.Total++
			if !t.FirstResponseAt.After(*t.ResponseDue) {
				f.ResponseSLA.Met++
			}
		}
	}
	f.ResolutionSLA.Percent = slaPercent(f.ResolutionSLA)
	f.ResponseSLA.Percent = slaPercent(f.ResponseSLA)
	if len(times) > 0 {
		slices.Sort(times)
		var sum int64
		for _, v := range times {
			sum += v
		}
		mean := float64(sum) / float64(len(times)) / 1e6
		p90 := PercentileCont(times, 9, 10) / 1e6
		f.MeanResolution, f.P90Resolution = &mean, &p90
	}
	return f
}

func slaPercent(s SLAFigure) *float64 {
	if s.Total == 0 {
		return nil
	}
	p := 100 * float64(s.Met) / float64(s.Total)
	return &p
}

// PercentileCont returns the num/den percentile of sorted (ascending, not
// empty) values by linear interpolation between the closest ranks, as
// PostgreSQL's percentile_cont does. The rank is computed in integers so
// that no rounding creeps in before the final division.
func PercentileCont(sorted []int64, num, den int64) float64 {
	n := int64(len(sorted))
	pos := num * (n - 1) // rank times den
	lo, frac := pos/den, pos%den
	v := sorted[lo]
	if frac == 0 {
		return float64(v)
	}
	return float64(v*den+(sorted[lo+1]-v)*frac) / float64(den)
}

func figureDelta(cur, prev Figures) FigureDelta {
	sub := func(a, b *float64) *float64 {
		if a == nil || b == nil {
			return nil
		}
		v := *a - *b
		return &v
	}
	return FigureDelta{
		Opened: cur.Opened - prev.Opened, Resolved: cur.Resolved - prev.Resolved,
		MeanResolution: sub(cur.MeanResolution, prev.MeanResolution),
		P90Resolution:  sub(cur.P90Resolution, prev.P90Resolution),
		ResolutionSLA:  sub(cur.ResolutionSLA.Percent, prev.ResolutionSLA.Percent),
		ResponseSLA:    sub(cur.ResponseSLA.Percent, prev.ResponseSLA.Percent),
		Repeated:       cur.Repeated - prev.Repeated,
	}
}
