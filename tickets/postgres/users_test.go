package postgres_test

import (
	"context"
	"testing"
	"time"

	"github.com/atiende/atiende/tickets"
	"github.com/atiende/atiende/tickets/postgres"
)

func TestUsers(t *testing.T) {
	ctx := context.Background()
	db := newDB(t, postgres.Options{})
	ana := &tickets.User{Username: "ana", Name: "Ana López", Role: tickets.RoleAgent, Skills: []string{"soporte", "correo"},
		Level: 1, PasswordHash: "$argon2id$x"}
	if err := db.CreateUser(ctx, ana); err != nil {
		t.Fatal(err)
	}
	if ana.ID == 0 || ana.Version != 1 {
		t.Fatalf("created user = %+v", ana)
	}
	wantCode(t, db.CreateUser(ctx, &tickets.User{Username: "ana", Role: tickets.RoleAdmin}), tickets.ECONFLICT)
	wantCode(t, db.CreateUser(ctx, &tickets.User{Username: "bob", Role: "king"}), tickets.EINVALID)
	wantCode(t, db.CreateUser(ctx, &tickets.User{Username: "bob", Role: tickets.RoleAdmin, Level: 7}), tickets.EINVALID)

	upd := *ana
	upd.PasswordHash = "" // not sent back by clients: keeps the stored hash
	upd.Role = tickets.RoleSupervisor
	if err := db.UpdateUser(ctx, &upd); err != nil || upd.Version != 2 {
		t.Fatalf("update: %v, version %d", err, upd.Version)
	}
	wantCode(t, db.UpdateUser(ctx, ana), tickets.ECONFLICT) // still at version 1
	wantCode(t, db.UpdateUser(ctx, &tickets.User{Username: "nadie", Role: tickets.RoleAgent}), tickets.ENOTFOUND)
	got, err := db.User(ctx, "ana")
	if err != nil || got.Role != tickets.RoleSupervisor || got.PasswordHash != "$argon2id$x" || len(got.Skills) != 2 {
		t.Fatalf("user = %+v, %v", got, err)
	}
	_, err = db.User(ctx, "nadie")
	wantCode(t, err, tickets.ENOTFOUND)
	if list, err := db.ListUsers(ctx); err != nil || len(list) != 1 {
		t.Fatalf("ListUsers = %v, %v", list, err)
	}
}

func TestSessionsAndTokensExpire(t *testing.T) {
	ctx := context.Background()
	clock := &fakeClock{now: time.Date(2026, 4, 1, 12, 0, 0, 0, time.UTC)}
	db := newDB(t, postgres.Options{Clock: clock.Now})
	if err := db.CreateUser(ctx, &tickets.User{Username: "ana", Role: tickets.RoleAgent}); err != nil {
		t.Fatal(err)
	}
	s := &tickets.Session{Hash: []byte{1, 2, 3}, Username: "ana", CSRFToken: "csrf", ExpiresAt: clock.now.Add(time.Hour)}
	if err := db.CreateSession(ctx, s); err != nil {
		t.Fatal(err)
	}
	wantCode(t, db.CreateSession(ctx, &tickets.Session{Hash: []byte{9}, Username: "nadie", ExpiresAt: clock.now}), tickets.EINVALID)
	never := &tickets.APIToken{Hash: []byte{4}, Username: "ana", Name: "monitor"}
	exp := clock.now.Add(2 * time.Hour)
	soon := &tickets.APIToken{Hash: []byte{5}, Username: "ana", Name: "script", ExpiresAt: &exp}
	for _, tok := range []*tickets.APIToken{never, soon} {
		if err := db.CreateToken(ctx, tok); err != nil {
			t.Fatal(err)
		}
	}
	if got, err := db.SessionByHash(ctx, []byte{1, 2, 3}); err != nil || got.Username != "ana" || got.CSRFToken != "csrf" {
		t.Fatalf("session = %+v, %v", got, err)
	}
	clock.Add(90 * time.Minute)
	_, err := db.SessionByHash(ctx, []byte{1, 2, 3})
	wantCode(t, err, tickets.ENOTFOUND)
	if got, err := db.TokenByHash(ctx, []byte{5}); err != nil || got.Name != "script" {
		t.Fatalf("token = %+v, %v", got, err)
	}
	clock.Add(time.Hour)
	_, err = db.TokenByHash(ctx, []byte{5})
	wantCode(t, err, tickets.ENOTFOUND)
	if got, err := db.TokenByHash(ctx, []byte{4}); err != nil || got.ExpiresAt != nil {
		t.Fatalf("token without expiry = %+v, %v", got, err)
	}
	_, err = db.TokenByHash(ctx, []byte{6})
	wantCode(t, err, tickets.ENOTFOUND)

	s2 := &tickets.Session{Hash: []byte{7}, Username: "ana", ExpiresAt: clock.now.Add(time.Hour)}
	if err := db.CreateSession(ctx, s2); err != nil {
		t.Fatal(err)
	}
	if err := db.DeleteSession(ctx, s2.Hash); err != nil {
		t.Fatal(err)
	}
	_, err = db.SessionByHash(ctx, s2.Hash)
	wantCode(t, err, tickets.ENOTFOUND)
	if err := db.DeleteSession(ctx, s2.Hash); err != nil {
		t.Fatalf("deleting a gone session: %v", err)
	}
}
