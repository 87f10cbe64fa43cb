// Command myaccount serves My Account: guests of a loyalty program keep
// their profile up to date, and the program's admins look after their
// accounts. `go run .` serves on :8080 with an embedded SQLite database and
// demo data; `go run . migrate` only migrates the database; --help lists
// every setting.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"runtime"
	"syscall"
	"time"

	"myaccount/config"
	"myaccount/ops"
	"myaccount/server"
)

func main() {
	args := os.Args[1:]
	migrateOnly := len(args) > 0 && args[0] == "migrate"
	if migrateOnly {
		args = args[1:]
	}
	cfg, err := config.Parse(args, os.Getenv, os.Stderr)
	if errors.Is(err, flag.ErrHelp) {
		return
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "myaccount:", err)
		os.Exit(2)
	}
	log := ops.NewLogger(os.Stderr, cfg.LogFormat, cfg.SlogLevel())
	schedulePages(cfg.BcryptConcurrency, os.Getenv("GOMAXPROCS") != "")
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	if migrateOnly {
		// `myaccount migrate`: bring the database's schema up to date and
		// stop, for a deployment that migrates before it starts servers.
		if _, err := server.Migrate(ctx, cfg.DatabaseURL, log); err != nil {
			log.Error("migrate", "err", err)
			os.Exit(1)
		}
		log.Info("database schema up to date")
		return
	}
	if err := run(ctx, cfg, log); err != nil {
		log.Error("stopped", "err", err)
		os.Exit(1)
	}
}

// run serves until ctx ends (SIGTERM or SIGINT), then stops taking new
// connections, lets requests in flight finish and returns.
func run(ctx context.Context, cfg config.Config, log *slog.Logger) error {
	if cfg.SecretGenerated {
		log.Warn("no session secret given: using a random one, so sessions end at every restart (set SESSION_SECRET in production)")
	}
	app, err := server.Build(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer app.Close()
	for _, d := range app.Demo {
		log.Info("demo account (its password is in README.md)", "username", d.Username, "role", d.Role, "merchant", d.Merchant)
	}
	// The one secret the log ever holds, and on purpose: the product asks
	// that a new local demo can call the API at once, and the key is
	// stored hashed, so this is the only time it can be told. Only on the
	// embedded SQLite database, never on PostgreSQL (even with --demo),
	// whose logs a deployment keeps.
	if app.DemoAPIKey != "" && app.Embedded {
		log.Info("demo API key (demo only, never in production)", "key", app.DemoAPIKey)
	}

	// The operators' addresses, apart from the site's.
	for _, side := range []struct {
		addr, name string
		handler    http.Handler
	}{{cfg.MetricsAddr, "metrics", metricsOnly(app.Deps.Metrics.Handler())}, {cfg.PprofAddr, "profiles", ops.Profiler()}} {
		if side.addr == "" {
			continue
		}
		stop, err := serveSide(side.addr, side.handler)
		if err != nil {
			return fmt.Errorf("%s address: %w", side.name, err)
		}
		defer stop()
		log.Info("serving "+side.name, "addr", side.addr)
	}

	srv := &http.Server{
		Addr:              cfg.Addr,
		Handler:           app.Echo,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       2 * time.Minute,
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.ListenAndServe() }()
	log.Info("listening", "addr", cfg.Addr, "base_url", cfg.BaseURL)

	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down: draining requests in flight", "timeout", cfg.ShutdownTimeout)
	shutdownCtx, cancel := context.WithTimeout(context.Background(), cfg.ShutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	log.Info("stopped cleanly")
	return nil
}

// metricsOnly serves h at /metrics and nothing else.
func metricsOnly(h http.Handler) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", h)
	return mux
}

// serveSide serves h on addr until the returned stop is called.
func serveSide(addr string, h http.Handler) (stop func(), err error) {
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second, WriteTimeout: time.Minute}
	go func() { _ = srv.Serve(l) }()
	return func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(ctx)
	}, nil
}

// schedulePages gives the password hashes processors of their own. A
// bcrypt hash keeps its processor (P) for the whole 60 to 100 ms it runs,
// so with as many hashes as Ps a page's goroutine waits for the runtime's
// 10 ms preemption at each step it takes (read the request, query, write).
// With GOMAXPROCS raised by the hash limit, a page that wakes finds a P at
// once, and the kernel shares the CPUs between the hashes' threads and
// the pages', as it shares them between any busy and waking threads. An
// operator's own GOMAXPROCS is left as it is.
func schedulePages(bcryptConcurrency int, operatorSet bool) {
	if operatorSet {
		return
	}
	runtime.GOMAXPROCS(runtime.GOMAXPROCS(0) + bcryptConcurrency)
}
