package postgres_test

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/atiende/atiende/ivr"
	"github.com/atiende/atiende/tickets"
	"github.com/atiende/atiende/tickets/postgres"
)

// fakeWAV stands for a checked recording: the store keeps bytes as given.
func fakeWAV(n int, fill byte) []byte {
	return append([]byte("RIFF\x00\x00\x00\x00WAVE"), bytes.Repeat([]byte{fill}, n)...)
}

func TestAnnouncementsCreateListUpdateDelete(t *testing.T) {
	ctx := context.Background()
	clk := &fakeClock{now: time.Date(2026, 3, 2, 16, 0, 0, 0, time.UTC)}
	db := newDB(t, postgres.Options{Clock: clk.Now})

	welcome := &ivr.Announcement{Language: "es", Prompt: "welcome", Title: "  Bienvenida grabada  ",
		Enabled: true, DurationMS: 2500, CreatedBy: "supervisora"}
	audio := fakeWAV(40000, 7)
	if err := db.CreateAnnouncement(ctx, welcome, audio); err != nil {
		t.Fatal(err)
	}
	if welcome.ID == 0 || welcome.Title != "Bienvenida grabada" || welcome.AudioBytes != int64(len(audio)) ||
		!welcome.CreatedAt.Equal(clk.now) || welcome.UpdatedBy != "supervisora" || !welcome.UpdatedAt.Equal(clk.now) ||
		welcome.Start != nil || welcome.End != nil {
		t.Fatalf("created %+v", welcome)
	}
	clk.Add(time.Minute)
	start := clk.now.Add(time.Hour)
	notice := &ivr.Announcement{Language: "es", Prompt: ivr.NoticePrompt, Title: "Correo caído",
		Start: &start, End: new(start.Add(4 * time.Hour)), Enabled: true, DurationMS: 4000, CreatedBy: "supervisora"}
	if err := db.CreateAnnouncement(ctx, notice, fakeWAV(100, 1)); err != nil {
		t.Fatal(err)
	}
	english := &ivr.Announcement{Language: "en", Prompt: "welcome", Enabled: false, CreatedBy: "admin"}
	if err := db.CreateAnnouncement(ctx, english, fakeWAV(100, 2)); err != nil {
		t.Fatal(err)
	}

	got, err := db.AnnouncementAudio(ctx, welcome.ID)
	if err != nil || !bytes.Equal(got, audio) {
		t.Fatalf("audio: %d bytes, %v", len(got), err)
	}
	a, err := db.Announcement(ctx, notice.ID)
	if err != nil || !a.Start.Equal(start) || !a.End.Equal(start.Add(4*time.Hour)) || a.Title != "Correo caído" || !a.Notice() {
		t.Fatalf("read back %+v, %v", a, err)
	}
	list, err := db.ListAnnouncements(ctx)
	if err != nil || len(list) != 3 || list[0].ID != english.ID || list[1].ID != notice.ID || list[2].ID != welcome.ID {
		t.Fatalf("list %+v, %v", list, err)
	}

	// Live: enabled and not over. The English one is off.
	live := func(at time.Time) []int64 {
		t.Helper()
		l, err := db.LiveAnnouncements(ctx, at)
		if err != nil {
			t.Fatal(err)
		}
		var ids []int64
		for _, a := range l {
			ids = append(ids, a.ID)
		}
		return ids
	}
	if ids := live(clk.now); len(ids) != 2 || ids[0] != welcome.ID || ids[1] != notice.ID {
		t.Errorf("live now %v", ids)
	}
	if ids := live(start.Add(4 * time.Hour)); len(ids) != 1 || ids[0] != welcome.ID {
		t.Errorf("live once the notice is over %v", ids)
	}

	// Switch the notice off and move its window; the audio stays.
	clk.Add(time.Minute)
	newEnd := start.Add(8 * time.Hour)
	up, err := db.UpdateAnnouncement(ctx, notice.ID, ivr.AnnouncementWindow{Title: "Correo caído (todo el día)",
		Start: &start, End: &newEnd, Enabled: false}, "admin")
	if err != nil || up.Enabled || !up.End.Equal(newEnd) || up.UpdatedBy != "admin" || !up.UpdatedAt.Equal(clk.now) ||
		up.CreatedBy != "supervisora" || up.AudioBytes != int64(len(fakeWAV(100, 1))) {
		t.Fatalf("updated %+v, %v", up, err)
	}
	if ids := live(clk.now); len(ids) != 1 || ids[0] != welcome.ID {
		t.Errorf("live after switching the notice off %v", ids)
	}
	// No window at all is fine.
	if up, err = db.UpdateAnnouncement(ctx, notice.ID, ivr.AnnouncementWindow{Enabled: true}, "admin"); err != nil || up.Start != nil || up.End != nil {
		t.Fatalf("window cleared: %+v, %v", up, err)
	}

	// Refusals.
	_, err = db.UpdateAnnouncement(ctx, notice.ID, ivr.AnnouncementWindow{Start: &newEnd, End: &start, Enabled: true}, "admin")
	wantCode(t, err, tickets.EINVALID)
	_, err = db.UpdateAnnouncement(ctx, 999, ivr.AnnouncementWindow{}, "admin")
	wantCode(t, err, tickets.ENOTFOUND)
	_, err = db.UpdateAnnouncement(ctx, notice.ID, ivr.AnnouncementWindow{}, " ")
	wantCode(t, err, tickets.EINVALID)
	for name, a := range map[string]*ivr.Announcement{
		"language":  {Language: "fr", Prompt: "welcome", CreatedBy: "x"},
		"prompt":    {Language: "es", Prompt: "../welcome", CreatedBy: "x"},
		"no author": {Language: "es", Prompt: "welcome"},
		"window":    {Language: "es", Prompt: "welcome", CreatedBy: "x", Start: &newEnd, End: &start},
	} {
		if err := db.CreateAnnouncement(ctx, a, fakeWAV(10, 0)); tickets.ErrorCode(err) != tickets.EINVALID {
			t.Errorf("%s: %v, want invalid", name, err)
		}
	}
	wantCode(t, db.CreateAnnouncement(ctx, &ivr.Announcement{Language: "es", Prompt: "welcome", CreatedBy: "x"}, nil), tickets.EINVALID)
	wantCode(t, db.CreateAnnouncement(ctx, &ivr.Announcement{Language: "es", Prompt: "welcome", CreatedBy: "x"}, fakeWAV(5<<20, 0)), tickets.EINVALID)
	_, err = db.Announcement(ctx, 999)
	wantCode(t, err, tickets.ENOTFOUND)
	_, err = db.AnnouncementAudio(ctx, 999)
	wantCode(t, err, tickets.ENOTFOUND)

	// Delete: gone with its audio.
	if err := db.DeleteAnnouncement(ctx, welcome.ID); err != nil {
		t.Fatal(err)
	}
	wantCode(t, db.DeleteAnnouncement(ctx, welcome.ID), tickets.ENOTFOUND)
	_, err = db.AnnouncementAudio(ctx, welcome.ID)
	wantCode(t, err, tickets.ENOTFOUND)
	if n := rawInt(t, db, "SELECT count(*) FROM ivr_announcements"); n != 2 {
		t.Errorf("%d rows after the delete, want 2", n)
	}
}
