package postgres

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/atiende/atiende/ivr"
	"github.com/atiende/atiende/tickets"
	"github.com/jackc/pgx/v5"
)

var _ ivr.AnnouncementStore = (*DB)(nil)

// maxAnnouncementAudio is the audio column's limit (the migration's CHECK).
const maxAnnouncementAudio = 5 << 20

// announcementCols never include the audio: lists stay small.
const announcementCols = `id, language, prompt, title, start_at, end_at, enabled, octet_length(audio), duration_ms,
	created_by, created_at, updated_by, updated_at`

func scanAnnouncement(row pgx.Row) (*ivr.Announcement, error) {
	var a ivr.Announcement
	err := row.Scan(&a.ID, &a.Language, &a.Prompt, &a.Title, &a.Start, &a.End, &a.Enabled, &a.AudioBytes, &a.DurationMS,
		&a.CreatedBy, &a.CreatedAt, &a.UpdatedBy, &a.UpdatedAt)
	return &a, err
}

func collectAnnouncements(rows pgx.Rows) ([]ivr.Announcement, error) {
	return pgx.CollectRows(rows, byValue(scanAnnouncement))
}

// CreateAnnouncement stores a new announcement with its audio (a WAV file
// the caller has checked; DurationMS is the caller's too).
func (db *DB) CreateAnnouncement(ctx context.Context, a *ivr.Announcement, audio []byte) error {
	a.Normalize()
	if err := a.Validate(); err != nil {
		return fmt.Errorf("postgres: create announcement: %w", err)
	}
	switch {
	case len(audio) < 44:
		return fmt.Errorf("postgres: create announcement: %w", tickets.Errorf(tickets.EINVALID, "announcement: the audio is missing"))
	case len(audio) > maxAnnouncementAudio:
		return fmt.Errorf("postgres: create announcement: %w",
			tickets.Errorf(tickets.EINVALID, "announcement: the audio is larger than %d bytes", maxAnnouncementAudio))
	case a.DurationMS < 0:
		return fmt.Errorf("postgres: create announcement: %w", tickets.Errorf(tickets.EINVALID, "announcement: negative duration"))
	}
	now := db.now()
	out, err := scanAnnouncement(db.pool.QueryRow(ctx, `INSERT INTO ivr_announcements
		(language, prompt, title, start_at, end_at, enabled, audio, duration_ms, created_by, created_at, updated_by, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $9, $10) RETURNING `+announcementCols,
		a.Language, a.Prompt, a.Title, a.Start, a.End, a.Enabled, audio, a.DurationMS, a.CreatedBy, now))
	if err != nil {
		return dbErr("create announcement", err)
	}
	*a = *out
	return nil
}

// Announcement returns the announcement with the given ID.
func (db *DB) Announcement(ctx context.Context, id int64) (*ivr.Announcement, error) {
	a, err := scanAnnouncement(db.pool.QueryRow(ctx, "SELECT "+announcementCols+" FROM ivr_announcements WHERE id = $1", id))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, fmt.Errorf("postgres: announcement: %w", notFound("announcement %d does not exist", id))
	} else if err != nil {
		return nil, dbErr(fmt.Sprintf("announcement %d", id), err)
	}
	return a, nil
}

// AnnouncementAudio returns the WAV file of an announcement.
func (db *DB) AnnouncementAudio(ctx context.Context, id int64) ([]byte, error) {
	var audio []byte
	err := db.pool.QueryRow(ctx, "SELECT audio FROM ivr_announcements WHERE id = $1", id).Scan(&audio)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, fmt.Errorf("postgres: announcement audio: %w", notFound("announcement %d does not exist", id))
	} else if err != nil {
		return nil, dbErr(fmt.Sprintf("announcement %d audio", id), err)
	}
	return audio, nil
}

// ListAnnouncements returns every announcement by language, prompt and ID.
func (db *DB) ListAnnouncements(ctx context.Context) ([]ivr.Announcement, error) {
	rows, err := db.pool.Query(ctx, "SELECT "+announcementCols+" FROM ivr_announcements ORDER BY language, prompt, id")
	if err != nil {
		return nil, dbErr("list announcements", err)
	}
	list, err := collectAnnouncements(rows)
	if err != nil {
		return nil, dbErr("list announcements", err)
	}
	return list, nil
}

// LiveAnnouncements returns the enabled announcements not over at t.
func (db *DB) LiveAnnouncements(ctx context.Context, t time.Time) ([]ivr.Announcement, error) {
	rows, err := db.pool.Query(ctx, "SELECT "+announcementCols+` FROM ivr_announcements
		WHERE enabled AND (end_at IS NULL OR end_at > $1) ORDER BY id`, t)
	if err != nil {
		return nil, dbErr("live announcements", err)
	}
	list, err := collectAnnouncements(rows)
	if err != nil {
		return nil, dbErr("live announcements", err)
	}
	return list, nil
}

// UpdateAnnouncement replaces an announcement's title, window and switch.
func (db *DB) UpdateAnnouncement(ctx context.Context, id int64, w ivr.AnnouncementWindow, actor string) (*ivr.Announcement, error) {
	actor = strings.TrimSpace(actor)
	if actor == "" {
		return nil, tickets.Errorf(tickets.EINVALID, "changing announcement %d requires an actor", id)
	}
	var out *ivr.Announcement
	err := db.inTx(ctx, func(tx pgx.Tx) error {
		a, err := scanAnnouncement(tx.QueryRow(ctx, "SELECT "+announcementCols+" FROM ivr_announcements WHERE id = $1 FOR UPDATE", id))
		if errors.Is(err, pgx.ErrNoRows) {
			return notFound("announcement %d does not exist", id)
		} else if err != nil {
			return err
		}
		a.Title, a.Start, a.End, a.Enabled = w.Title, w.Start, w.End, w.Enabled
		a.Normalize()
		if err := a.Validate(); err != nil {
			return err
		}
		out, err = scanAnnouncement(tx.QueryRow(ctx, `UPDATE ivr_announcements
			SET title = $2, start_at = $3, end_at = $4, enabled = $5, updated_by = $6, updated_at = $7
			WHERE id = $1 RETURNING `+announcementCols, id, a.Title, a.Start, a.End, a.Enabled, actor, db.now()))
		return err
	})
	if err != nil {
		return nil, dbErr(fmt.Sprintf("update announcement %d", id), err)
	}
	return out, nil
}

// DeleteAnnouncement removes an announcement and its audio.
func (db *DB) DeleteAnnouncement(ctx context.Context, id int64) error {
	tag, err := db.pool.Exec(ctx, "DELETE FROM ivr_announcements WHERE id = $1", id)
	if err != nil {
		return dbErr(fmt.Sprintf("delete announcement %d", id), err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("postgres: delete announcement: %w", notFound("announcement %d does not exist", id))
	}
	return nil
}
