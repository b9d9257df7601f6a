package postgres_test

import (
	"context"
	"crypto/sha256"
	"math"
	"testing"
	"time"

	"github.com/atiende/atiende/tickets"
	"github.com/atiende/atiende/tickets/postgres"
)

// Keypad scores are kept per ticket and per agent, counted by SurveyScores
// with the emailed surveys, once per call.
func TestKeypadSurvey(t *testing.T) {
	db := newDB(t, postgres.Options{})
	ctx := context.Background()
	tk := mustCreate(t, db, sampleTicket())
	at := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)

	if err := db.RecordKeypadSurvey(ctx, "call-1", tk.Number, "ana", "es", 4, at); err != nil {
		t.Fatal(err)
	}
	if err := db.RecordKeypadSurvey(ctx, "call-2", tk.Number, "ana", "en", 2, at); err != nil {
		t.Fatal(err)
	}
	// An emailed survey answered for another agent on the same ticket.
	hash := sha256.Sum256([]byte("token"))
	if err := db.CreateSurvey(ctx, hash[:], tk.Number, "beto", "es", at); err != nil {
		t.Fatal(err)
	}
	if err := db.AnswerSurvey(ctx, hash[:], 5, "bien", at); err != nil {
		t.Fatal(err)
	}

	check := func(by, value string, count int, mean float64) {
		t.Helper()
		n, m, err := db.SurveyScores(ctx, by, value)
		if err != nil || n != count || math.Abs(m-mean) > 1e-9 {
			t.Errorf("scores by %s %s: %d %v %v, want %d %v", by, value, n, m, err, count, mean)
		}
	}
	check("ticket", tk.Number, 3, 11.0/3)
	check("agent", "ana", 2, 3)
	check("agent", "beto", 1, 5)

	// Once per call.
	wantCode(t, db.RecordKeypadSurvey(ctx, "call-1", tk.Number, "ana", "es", 5, at), tickets.ECONFLICT)
	check("agent", "ana", 2, 3)
	// Bad input.
	wantCode(t, db.RecordKeypadSurvey(ctx, "call-3", tk.Number, "ana", "es", 0, at), tickets.EINVALID)
	wantCode(t, db.RecordKeypadSurvey(ctx, "call-3", tk.Number, "ana", "es", 6, at), tickets.EINVALID)
	wantCode(t, db.RecordKeypadSurvey(ctx, "", tk.Number, "ana", "es", 3, at), tickets.EINVALID)
	wantCode(t, db.RecordKeypadSurvey(ctx, "call-3", "", "ana", "es", 3, at), tickets.EINVALID)
	wantCode(t, db.RecordKeypadSurvey(ctx, "call-3", "NOPE-1", "ana", "es", 3, at), tickets.EINVALID)

	// No token leads to a keypad survey on the survey page.
	for _, token := range []string{"keypad:call-1", "call-1"} {
		h := sha256.Sum256([]byte(token))
		_, _, _, err := db.Survey(ctx, h[:])
		wantCode(t, err, tickets.ENOTFOUND)
	}
}
