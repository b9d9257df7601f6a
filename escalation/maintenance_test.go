package escalation

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/atiende/atiende/tickets"
)

func TestMaintenanceValidate(t *testing.T) {
	start := time.Date(2026, 3, 5, 22, 0, 0, 0, time.UTC)
	ok := func() *Maintenance {
		return &Maintenance{Services: []string{"internet_failure"}, Start: start, End: start.Add(time.Hour),
			SummaryES: "Cambio de router", CreatedBy: "sup1"}
	}
	if err := ok().Validate(tickets.DefaultCatalog()); err != nil {
		t.Fatal(err)
	}
	for name, tc := range map[string]struct {
		edit func(*Maintenance)
		want string
	}{
		"end before start": {func(m *Maintenance) { m.End = m.Start.Add(-time.Minute) }, "end"},
		"end at start":     {func(m *Maintenance) { m.End = m.Start }, "end"},
		"no start":         {func(m *Maintenance) { m.Start = time.Time{} }, "start and end"},
		"no services":      {func(m *Maintenance) { m.Services = nil }, "services"},
		"unknown service":  {func(m *Maintenance) { m.Services = []string{"internet_failure", "teleport"} }, "teleport not in the service catalog"},
		"no summary":       {func(m *Maintenance) { m.SummaryES = "" }, "summary"},
		"long summary":     {func(m *Maintenance) { m.SummaryEN = strings.Repeat("x", MaxMaintenanceSummary+1) }, "limited"},
		"no author":        {func(m *Maintenance) { m.CreatedBy = "" }, "created_by"},
	} {
		m := ok()
		tc.edit(m)
		err := m.Validate(tickets.DefaultCatalog())
		if tickets.ErrorCode(err) != tickets.EINVALID || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want tickets.EINVALID about %q", name, err, tc.want)
		}
	}
}

func TestMaintenanceNormalizeAffectsSummary(t *testing.T) {
	m := &Maintenance{Services: []string{" internet_failure", "", "internet_failure"}, Areas: []string{"Piso 3 ", "piso 3", " "},
		SummaryES: " Cambio ", SummaryEN: ""}
	m.Normalize()
	if len(m.Services) != 1 || len(m.Areas) != 1 || m.Areas[0] != "Piso 3" || m.SummaryES != "Cambio" {
		t.Fatalf("normalised: %+v", m)
	}
	for _, tc := range []struct {
		service, area string
		want          bool
	}{
		{"internet_failure", "", true}, {"internet_failure", "PISO 3", true}, {"internet_failure", "Piso 5", false},
		{"", "piso 3", true}, {"email_failure", "Piso 3", false},
	} {
		if got := m.Affects(tc.service, tc.area); got != tc.want {
			t.Errorf("Affects(%q, %q) = %v", tc.service, tc.area, got)
		}
	}
	if m.Summary("en") != "Cambio" || m.Summary("es") != "Cambio" {
		t.Error("summary falls back to the other language")
	}
	m.SummaryEN = "Change"
	if m.Summary("en") != "Change" || m.Summary("es") != "Cambio" {
		t.Error("summary by language")
	}
	now := time.Date(2026, 3, 5, 12, 0, 0, 0, time.UTC)
	m.Start, m.End = now, now.Add(time.Hour)
	if !m.Active(now) || m.Active(m.End) || m.Active(now.Add(-time.Nanosecond)) {
		t.Error("Active is [Start, End)")
	}
	m.Cancelled = true
	if m.Active(now) {
		t.Error("a cancelled window is not active")
	}
}

func TestNoticeErrorIsInvalid(t *testing.T) {
	at := time.Date(2026, 3, 4, 16, 0, 0, 0, time.UTC)
	var err error = &NoticeError{Earliest: at, Notice: 16 * time.Hour}
	if tickets.ErrorCode(err) != tickets.EINVALID || !strings.Contains(tickets.ErrorMessage(err), "2026-03-04T16:00:00Z") ||
		!strings.Contains(tickets.ErrorMessage(err), "16 business hours") {
		t.Errorf("%v: code %s, message %q", err, tickets.ErrorCode(err), tickets.ErrorMessage(err))
	}
	var ne *NoticeError
	if !errors.As(err, &ne) || !ne.Earliest.Equal(at) {
		t.Error("errors.As")
	}
}
