// Command load measures My Account under load on PostgreSQL, with a bare
// reference page (cmd/refpage) measured in the same run as its floor:
//
//	go run ./cmd/load                          # 1,000 users, 8 s per scenario, 32 connections
//	go run ./cmd/load --users 1000000 --write-docs
//
// It drops and recreates a database of its own (--database, on the
// server of --database-url), fills it with cmd/genusers, builds the
// application, cmd/genusers and cmd/refpage into a temporary directory,
// starts the application and the reference page on free loopback ports,
// signs --sessions guests and one merchant admin in as a browser does,
// creates an API key, and drives each scenario for --duration at
// --connections with vegeta: the reference page and GET /account in
// alternating rounds, the profile form, sign-ins alone and beside page
// loads, the admin search (again at --search-connections: admins are
// few) and the JSON API. It also measures what bcrypt
// allows on this machine. Every phase has a time limit; Ctrl-C stops the
// servers and drops the database.
//
// Each scenario prints its throughput, p50/p95/p99, errors with their
// status codes and the application's peak resident memory. --write-docs
// puts the run into docs/PERFORMANCE.md, between markers of its own for
// this number of users, so a rerun replaces it.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"
)

type options struct {
	databaseURL string
	database    string
	users       int
	sessions    int
	duration    time.Duration
	connections int
	// searchConnections is the admin search's second run: a few admins.
	searchConnections int
	rounds            int
	bcryptCost        int
	writeDocs         bool
	docs              string
	keep              bool
	// profiles, when set, is a directory for a CPU profile of the
	// application during each of its scenarios.
	profiles string
}

func main() {
	var o options
	fs := flag.NewFlagSet("load", flag.ContinueOnError)
	fs.StringVar(&o.databaseURL, "database-url", "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable",
		"PostgreSQL server to use: its database is only where --database is dropped and created")
	fs.StringVar(&o.database, "database", "myaccount_load", "the database of the run, dropped and created again at the start; its name must contain \"load\"")
	fs.IntVar(&o.users, "users", 1000, "users to generate with cmd/genusers")
	fs.IntVar(&o.sessions, "sessions", 200, "guests to sign in; the scenarios rotate over their sessions")
	fs.DurationVar(&o.duration, "duration", 8*time.Second, "how long each scenario runs")
	fs.IntVar(&o.connections, "connections", 32, "connections (and requests in flight) of each scenario")
	fs.IntVar(&o.searchConnections, "search-connections", 4, "connections of the admin search's second run, a few admins at a time")
	fs.IntVar(&o.rounds, "rounds", 3, "rounds of the reference page and GET /account, alternating")
	fs.IntVar(&o.bcryptCost, "bcrypt-cost", 11, "the application's --bcrypt-cost, also given to the signed-in users' passwords")
	fs.BoolVar(&o.writeDocs, "write-docs", false, "write the run into --docs, replacing the section of a run with as many users")
	fs.StringVar(&o.docs, "docs", "docs/PERFORMANCE.md", "file --write-docs writes into")
	fs.BoolVar(&o.keep, "keep", false, "keep the database and the temporary directory (binaries, server logs) afterwards")
	fs.StringVar(&o.profiles, "profiles", "", "directory to write a CPU profile of the application into for each of its scenarios (go tool pprof DIR/NAME.pprof); the profiler's own cost is in that run's figures")
	if err := fs.Parse(os.Args[1:]); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return
		}
		os.Exit(2)
	}
	if err := o.check(); err != nil {
		fmt.Fprintln(os.Stderr, "load:", err)
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, o, "go run ./cmd/load "+strings.Join(quoteArgs(os.Args[1:]), " ")); err != nil {
		fmt.Fprintln(os.Stderr, "load:", err)
		os.Exit(1)
	}
}

func (o options) check() error {
	switch {
	case o.users < 3:
		return errors.New("--users must be at least 3")
	case o.sessions < 1:
		return errors.New("--sessions must be at least 1")
	case o.connections < 1:
		return errors.New("--connections must be at least 1")
	case o.searchConnections < 1:
		return errors.New("--search-connections must be at least 1")
	case o.rounds < 1:
		return errors.New("--rounds must be at least 1")
	case o.duration < 100*time.Millisecond || o.duration > 5*time.Minute:
		return errors.New("--duration must be between 100ms and 5m")
	case o.bcryptCost < 4 || o.bcryptCost > 31:
		return errors.New("--bcrypt-cost must be between 4 and 31")
	case !strings.Contains(o.database, "load"):
		// It is dropped: a slip of the finger must not name another one.
		return errors.New("--database must contain \"load\" in its name")
	}
	return nil
}

// quoteArgs quotes each argument that the shell would split or expand.
func quoteArgs(args []string) []string {
	out := make([]string, len(args))
	for i, a := range args {
		if a == "" || strings.ContainsAny(a, " \t\n'\"\\$`*?[]{}()<>|&;#~!") {
			a = "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
		}
		out[i] = a
	}
	return out
}
