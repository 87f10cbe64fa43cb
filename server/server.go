// Package server assembles My Account from its configuration: it opens and
// migrates the database, adds demo data when due, and wires the stores,
// the security plumbing and the handlers together. main.go and the tests
// build the application the same way, through Build.
package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/labstack/echo/v4"
	"gorm.io/gorm"

	"myaccount/auth"
	"myaccount/config"
	"myaccount/handlers"
	"myaccount/store"
)

// Server is the assembled application.
type Server struct {
	Echo *echo.Echo
	DB   *gorm.DB
	Deps handlers.Deps
	// Demo lists the demo accounts created at this start, if any.
	Demo []store.DemoAccount
	// DemoAPIKey is the demo API key created at this start, if any. main.go
	// logs it on an embedded database only.
	DemoAPIKey string
	// Embedded is set when the database is SQLite, not PostgreSQL.
	Embedded bool
}

// Build assembles the application. Demo data is created on a new embedded
// database, or on any database when cfg.Demo is set.
func Build(ctx context.Context, cfg config.Config, log *slog.Logger) (*Server, error) {
	wasNew, err := migrate(ctx, cfg.DatabaseURL, log)
	if err != nil {
		return nil, err
	}
	db, err := store.Open(cfg.DatabaseURL, log, cfg.DBTimeout)
	if err != nil {
		return nil, err
	}
	outages := store.NewOutages(log)
	if err := outages.Watch(db); err != nil {
		return nil, fmt.Errorf("watch the database: %w", err)
	}
	hasher := auth.NewHasher(cfg.BcryptCost, cfg.BcryptConcurrency)
	users, merchants, rows := store.NewUsers(db), store.NewMerchants(db), store.NewSessions(db)

	var demo []store.DemoAccount
	var demoKey string
	embedded := !store.IsPostgres(cfg.DatabaseURL)
	if cfg.Demo || (wasNew && embedded) {
		if demo, demoKey, err = store.SeedDemo(ctx, db, hasher); err != nil {
			return nil, err
		}
	}
	audit := store.NewAudit(db)
	devices := auth.NewDeviceCookies([]byte(cfg.SessionSecret), cfg.Secure())
	guard, err := auth.NewGuard(users, audit, merchants, hasher, devices, cfg.SignInRateIP, cfg.SignInRateAccount)
	if err != nil {
		return nil, fmt.Errorf("password guard: %w", err)
	}
	sessionStore := auth.NewSessionStore(rows, auth.SessionConfig{
		Secret: []byte(cfg.SessionSecret), Secure: cfg.Secure(),
		IdleTimeout: cfg.SessionIdleTimeout, MaxAge: cfg.SessionMaxAge,
	})
	deps := handlers.Deps{
		DB: db, Users: users, Merchants: merchants, Audit: audit, APIKeys: store.NewAPIKeys(db),
		Sessions: auth.NewManager(sessionStore, rows, users, merchants, log),
		Guard:    guard, Hasher: hasher,
		Flash: auth.NewFlash([]byte(cfg.SessionSecret), cfg.Secure()),
		Log:   log, Secure: cfg.Secure(), MaxBodyBytes: cfg.MaxBodyBytes,
		ReauthAfter: cfg.ReauthAfter,
		// Typing a long password fast sends a few checks a second.
		PasswordChecks: auth.NewKeyedLimiter(passwordChecksPerMinute),
		APICalls:       auth.NewKeyedLimiter(cfg.APIRateKey),
		DBTimeout:      cfg.DBTimeout,
		Outages:        outages,
	}
	return &Server{Echo: handlers.New(deps), DB: db, Deps: deps, Demo: demo, DemoAPIKey: demoKey, Embedded: embedded}, nil
}

// migrate applies the pending migrations through connections of their own,
// without the statement timeout: building an index over a million users
// takes longer than any request may (docs/PERFORMANCE.md).
func migrate(ctx context.Context, url string, log *slog.Logger) (wasNew bool, err error) {
	db, err := store.Open(url, log, 0)
	if err != nil {
		return false, err
	}
	defer func() {
		if sqlDB, dbErr := db.DB(); dbErr == nil {
			err = errors.Join(err, sqlDB.Close())
		}
	}()
	return store.Migrate(ctx, db)
}

// Close closes the database.
func (s *Server) Close() error {
	sqlDB, err := s.DB.DB()
	if err != nil {
		return err
	}
	return sqlDB.Close()
}

// passwordChecksPerMinute is how many live password checks one user may
// ask for a minute, in bursts of as many.
const passwordChecksPerMinute = 120
