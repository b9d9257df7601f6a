package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"

	"github.com/atiende/atiende/tickets"
	"github.com/atiende/atiende/tickets/postgres"
)

func openStore(ctx context.Context, cfg Config, log *slog.Logger) (*postgres.DB, error) {
	if cfg.Database.URL == "" {
		return nil, errors.New("database.url is not set: set ATIENDE_DATABASE_URL or database.url in the config file")
	}
	db, err := postgres.Open(ctx, cfg.Database.URL, postgres.Options{MaxConns: cfg.Database.MaxConns, Logger: log})
	if err != nil {
		return nil, fmt.Errorf("database: %w", err)
	}
	return db, nil
}

// openMigrated opens the store, applies the migrations and creates the
// first administrator (ensureAdmin).
func openMigrated(ctx context.Context, cfg Config, log *slog.Logger) (*postgres.DB, error) {
	db, err := openStore(ctx, cfg, log)
	if err != nil {
		return nil, err
	}
	if err := db.Migrate(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("migrate: %w", err)
	}
	if err := ensureAdmin(ctx, db, cfg); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

func runMigrate(ctx context.Context, cfg Config, log *slog.Logger) error {
	db, err := openStore(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := db.Migrate(ctx); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	log.Info("migrations applied")
	return nil
}

func runDemoData(ctx context.Context, cfg Config, log *slog.Logger, out io.Writer) error {
	db, err := openMigrated(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer db.Close()
	// Through the SLA store, so demo tickets carry due times and timers.
	sla, err := loadSLA(cfg.Escalation.File, log)
	if err != nil {
		return err
	}
	esc, err := newEscalation(cfg, sla, db, nil, nil, nil, log)
	if err != nil {
		return err
	}
	return loadDemoData(ctx, esc.store, cfg.phonePlan(), priorityMatrix(cfg), log, out)
}

// ensureAdmin creates the first administrator when ATIENDE_ADMIN_PASSWORD is
// given and no user of that name exists. An existing admin is left alone.
func ensureAdmin(ctx context.Context, st tickets.Store, cfg Config) error {
	if cfg.Admin.Password == "" {
		return nil
	}
	if _, err := st.User(ctx, cfg.Admin.Username); err == nil {
		return nil
	} else if tickets.ErrorCode(err) != tickets.ENOTFOUND {
		return fmt.Errorf("admin user: %w", err)
	}
	hash, err := tickets.HashPassword(cfg.Admin.Password)
	if err != nil {
		return fmt.Errorf("admin password: %w", err)
	}
	u := &tickets.User{Username: cfg.Admin.Username, Role: tickets.RoleAdmin, Language: "es", Level: 4, PasswordHash: hash}
	if err := st.CreateUser(ctx, u); err != nil && tickets.ErrorCode(err) != tickets.ECONFLICT {
		return fmt.Errorf("admin user: %w", err)
	}
	return nil
}

// phonePlan is how phone numbers are read (phones.region).
func (c Config) phonePlan() tickets.PhonePlan { return tickets.PhonePlan{Region: c.Phones.Region} }

func priorityMatrix(cfg Config) tickets.PriorityMatrix {
	var m tickets.PriorityMatrix
	for i, row := range cfg.priorityCells() {
		for j, p := range row {
			m[i][j] = tickets.Priority(p)
		}
	}
	return m
}

func loadCatalog(cfg Config) (*tickets.Catalog, error) {
	if cfg.CatalogFile == "" {
		return tickets.DefaultCatalog(), nil
	}
	f, err := os.Open(cfg.CatalogFile)
	if err != nil {
		return nil, fmt.Errorf("catalog_file: %w", err)
	}
	defer f.Close()
	c, err := tickets.LoadCatalog(f)
	if err != nil {
		return nil, fmt.Errorf("catalog_file %s: %w", cfg.CatalogFile, err)
	}
	return c, nil
}
