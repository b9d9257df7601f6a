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

// Keypad and web scores of a period, by agent, queue and service, with the
// latest comments and low scores; answers outside the period are left out.
func TestSurveyStats(t *testing.T) {
	db := newDB(t, postgres.Options{})
	ctx := context.Background()
	net := sampleTicket()
	net.Queue = "network"
	mustCreate(t, db, net)
	mail := sampleTicket()
	mail.Service, mail.Queue = "email", "general"
	mustCreate(t, db, mail)
	day := time.Date(2026, 11, 23, 15, 0, 0, 0, time.UTC)

	// ana: keypad 5 and 1 on the network ticket; beto: web 4 with a
	// comment on the email ticket; carla: yesterday (out of the period).
	if err := db.RecordKeypadSurvey(ctx, "c1", net.Number, "ana", "es", 5, day); err != nil {
		t.Fatal(err)
	}
	if err := db.RecordKeypadSurvey(ctx, "c2", net.Number, "ana", "es", 1, day.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	hash := sha256.Sum256([]byte("web-token"))
	if err := db.CreateSurvey(ctx, hash[:], mail.Number, "beto", "en", day); err != nil {
		t.Fatal(err)
	}
	if err := db.AnswerSurvey(ctx, hash[:], 4, "Rápido y amable", day.Add(2*time.Minute)); err != nil {
		t.Fatal(err)
	}
	if err := db.RecordKeypadSurvey(ctx, "c0", mail.Number, "carla", "es", 3, day.Add(-24*time.Hour)); err != nil {
		t.Fatal(err)
	}
	unanswered := sha256.Sum256([]byte("open"))
	if err := db.CreateSurvey(ctx, unanswered[:], mail.Number, "beto", "es", day); err != nil {
		t.Fatal(err)
	}

	st, err := db.SurveyStats(ctx, day.Add(-time.Hour), day.Add(time.Hour), 10)
	if err != nil {
		t.Fatal(err)
	}
	fig := func(name string, f tickets.SurveyFigure, key string, count int, mean float64, low int) {
		t.Helper()
		if f.Key != key || f.Count != count || f.Mean == nil || math.Abs(*f.Mean-mean) > 1e-9 || f.Low != low {
			t.Errorf("%s: %+v (mean %v), want key %q count %d mean %v low %d", name, f, f.Mean, key, count, mean, low)
		}
	}
	fig("total", st.Total, "", 3, 10.0/3, 1)
	if st.Total.Scores != [5]int{1, 0, 0, 1, 1} {
		t.Errorf("total scores %v", st.Total.Scores)
	}
	if len(st.ByAgent) != 2 || len(st.ByQueue) != 2 || len(st.ByService) != 2 {
		t.Fatalf("groups: %+v", st)
	}
	fig("agent ana", st.ByAgent[0], "ana", 2, 3, 1)
	fig("agent beto", st.ByAgent[1], "beto", 1, 4, 0)
	fig("queue general", st.ByQueue[0], "general", 1, 4, 0)
	fig("queue network", st.ByQueue[1], "network", 2, 3, 1)
	fig("service email", st.ByService[0], "email", 1, 4, 0)
	fig("service internet", st.ByService[1], "internet", 2, 3, 1)

	// Comments and low scores, newest first; the 5 without comment is not one.
	if len(st.Comments) != 2 {
		t.Fatalf("comments %+v", st.Comments)
	}
	c := st.Comments[0]
	if c.TicketNumber != mail.Number || c.Agent != "beto" || c.Queue != "general" || c.Service != "email" ||
		c.Channel != tickets.SurveyWeb || c.Score != 4 || c.Comment != "Rápido y amable" || c.Language != "en" {
		t.Errorf("comment 0: %+v", c)
	}
	if c := st.Comments[1]; c.Channel != tickets.SurveyKeypad || c.Score != 1 || c.Agent != "ana" || !c.Low() {
		t.Errorf("comment 1: %+v", c)
	}

	// An empty period has zero counts and no mean.
	st, err = db.SurveyStats(ctx, day.Add(time.Hour), day.Add(2*time.Hour), 10)
	if err != nil {
		t.Fatal(err)
	}
	if st.Total.Count != 0 || len(st.ByAgent) != 0 || len(st.Comments) != 0 {
		t.Errorf("empty period: %+v", st)
	}

	// The answer of a call, and its follow-up, once.
	a, err := db.KeypadSurveyAnswer(ctx, "c2")
	if err != nil || a.Score != 1 || a.Queue != "network" || a.Channel != tickets.SurveyKeypad {
		t.Fatalf("keypad answer: %+v %v", a, err)
	}
	wa, err := db.WebSurveyAnswer(ctx, hash[:])
	if err != nil || wa.Score != 4 || wa.Channel != tickets.SurveyWeb || wa.Comment != "Rápido y amable" {
		t.Fatalf("web answer: %+v %v", wa, err)
	}
	_, err = db.WebSurveyAnswer(ctx, unanswered[:])
	wantCode(t, err, tickets.ENOTFOUND)
	if err := db.SetSurveyFollowUp(ctx, a.ID, mail.Number); err != nil {
		t.Fatal(err)
	}
	wantCode(t, db.SetSurveyFollowUp(ctx, a.ID, net.Number), tickets.ECONFLICT)
	if a, _ := db.KeypadSurveyAnswer(ctx, "c2"); a.FollowUp != mail.Number {
		t.Errorf("follow-up %q", a.FollowUp)
	}
}
