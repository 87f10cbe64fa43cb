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
	"net/url"
	"time"

	"github.com/labstack/echo/v4"
	"gorm.io/gorm"

	"myaccount/auth"
	"myaccount/config"
	"myaccount/handlers"
	"myaccount/internal/slots"
	"myaccount/mailer"
	"myaccount/models"
	"myaccount/ops"
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
	// Outbox is the queue of messages the mail worker sends.
	Outbox *store.Outbox

	stopMail func()
}

// Build assembles the application. Demo data is created on a new embedded
// database, or on any database when cfg.Demo is set.
func Build(ctx context.Context, cfg config.Config, log *slog.Logger) (*Server, error) {
	sender, err := mailSender(cfg)
	if err != nil {
		return nil, err
	}
	wasNew, err := Migrate(ctx, cfg.DatabaseURL, log)
	if err != nil {
		return nil, err
	}
	db, err := store.Open(cfg.DatabaseURL, log, cfg.DBTimeout)
	if err != nil {
		return nil, err
	}
	// An outage ends when the database has answered with no statement
	// failing for twice the database timeout: statements that began
	// before it came back can still time out that long after, and a
	// partial hang keeps failing some of them meanwhile.
	outages := store.NewOutages(log, 2*cfg.DBTimeout)
	if err := outages.Watch(db); err != nil {
		return nil, fmt.Errorf("watch the database: %w", err)
	}
	metrics := ops.NewMetrics()
	if sqlDB, err := db.DB(); err == nil {
		metrics.WatchDatabase(sqlDB)
	}
	hasher := auth.NewHasher(cfg.BcryptCost, cfg.BcryptConcurrency)
	hasher.ObserveWait(metrics.HashWait)
	outbox := store.NewOutbox(db, mailer.Writer{BaseURL: cfg.BaseURL})
	metrics.WatchMailQueue(outbox.Pending)
	links := models.LinkLifetimes{Reset: cfg.ResetLinkValidFor, Invite: cfg.InviteLinkValidFor, Email: cfg.EmailLinkValidFor}
	users, merchants, rows := store.NewUsers(db, outbox, links), store.NewMerchants(db), store.NewSessions(db)
	users.LimitSearches(cfg.SearchConcurrency, metrics.SearchWait)
	var reads *slots.Slots
	if cfg.ReadConcurrency > 0 {
		reads = slots.New(cfg.ReadConcurrency, handlers.ErrReadsBusy)
		reads.ObserveWait(metrics.ReadWait)
	}

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
	// Limits every instance shares live in the database; the live
	// password check's guards this process's CPU, and stays in it.
	limits := store.NewRateLimits(db)
	guard, err := auth.NewGuard(users, audit, merchants, hasher, devices,
		limits.Limiter("signin-ip", cfg.SignInRateIP), limits.Limiter("signin-account", cfg.SignInRateAccount))
	if err != nil {
		return nil, fmt.Errorf("password guard: %w", err)
	}
	guard.Observe(metrics)
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
		APICalls:       limits.Limiter("api", cfg.APIRateKey),
		// Asking for a link to choose a new password: per address a
		// minute, and links per account an hour.
		ResetRequests:     limits.Limiter("reset-ip", cfg.ResetRateIP),
		ResetLinksPerHour: cfg.ResetRateAccount,
		DBTimeout:         cfg.DBTimeout,
		Reads:             reads,
		Outages:           outages,
		Metrics:           metrics,
	}
	srv := &Server{Echo: handlers.New(deps), DB: db, Deps: deps, Demo: demo, DemoAPIKey: demoKey, Embedded: embedded, Outbox: outbox}
	srv.stopMail = startMail(cfg, outbox, sender, log, metrics)
	return srv, nil
}

// mailSender is where messages go: the SMTP server of --smtp-url, or else
// .eml files in --mail-dir.
func mailSender(cfg config.Config) (mailer.Sender, error) {
	if cfg.SMTPURL == "" {
		return mailer.Dir{Path: cfg.MailDir}, nil
	}
	s, err := mailer.ParseSMTPURL(cfg.SMTPURL, nil)
	if err != nil {
		return nil, fmt.Errorf("--smtp-url: %w", err)
	}
	return s, nil
}

// startMail starts the worker that sends the outbox's messages, and
// returns what stops it, after the message it is sending.
func startMail(cfg config.Config, outbox *store.Outbox, sender mailer.Sender, log *slog.Logger, metrics *ops.Metrics) func() {
	domain := "localhost"
	if u, err := url.Parse(cfg.BaseURL); err == nil && u.Hostname() != "" {
		domain = u.Hostname()
	}
	w := &mailer.Worker{
		Queue: outbox, Sender: sender, From: cfg.MailFrom, Domain: domain, Log: log,
		RetryWait: cfg.MailRetryWait, MaxWait: max(cfg.MailRetryWait, time.Hour), GiveUpAfter: 72 * time.Hour,
		Poll: min(5*time.Second, cfg.MailRetryWait), Keep: 30 * 24 * time.Hour, Observe: metrics.Mail,
	}
	log.Info("mail", "to", sender.Where(), "from", cfg.MailFrom)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		w.Run(ctx)
	}()
	return func() {
		cancel()
		<-done
	}
}

// Migrate applies the pending migrations through connections of their own,
// without the statement timeout: building an index over a million users
// takes longer than any request may (docs/PERFORMANCE.md).
func Migrate(ctx context.Context, url string, log *slog.Logger) (wasNew bool, err error) {
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

// Close stops the mail worker, then closes the database.
func (s *Server) Close() error {
	if s.stopMail != nil {
		s.stopMail()
		s.stopMail = nil
	}
	sqlDB, err := s.DB.DB()
	if err != nil {
		return err
	}
	return sqlDB.Close()
}

// passwordChecksPerMinute is how many live password checks one user may
// ask for a minute, in bursts of as many.
const passwordChecksPerMinute = 120
