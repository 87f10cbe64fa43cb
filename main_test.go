package main

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"
	"time"

	"myaccount/config"
	"myaccount/internal/testapp"
)

// serve runs the server with args until it answers /readyz, then ends its
// context as SIGTERM does and waits for run to return. It returns where
// the server listened.
func serve(t *testing.T, log io.Writer, args ...string) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	cfg, err := config.Parse(append([]string{"--addr", addr, "--bcrypt-cost", "4"}, args...), func(string) string { return "" }, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- run(ctx, cfg, slog.New(slog.NewTextHandler(log, nil))) }()

	ready := false
	for range 200 {
		res, err := http.Get("http://" + addr + "/readyz")
		if err == nil {
			res.Body.Close()
			ready = res.StatusCode == http.StatusOK
			break
		}
		time.Sleep(25 * time.Millisecond)
	}
	if !ready {
		cancel()
		t.Fatalf("/readyz: never answered 200")
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("run: got %v, want a clean stop", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatalf("run did not return after the context ended")
	}
	return addr
}

// The server answers /readyz once started, and when its context ends (as
// on SIGTERM) it drains and run returns nil.
func TestRunServesAndStopsCleanly(t *testing.T) {
	addr := serve(t, io.Discard, "--database-url", filepath.Join(t.TempDir(), "run.db"))
	if _, err := http.Get("http://" + addr + "/healthz"); err == nil {
		t.Errorf("the server still answers after stopping")
	}
}

var demoKeyLine = regexp.MustCompile(`msg="demo API key \(demo only, never in production\)" key=(mak_[0-9A-Za-z]{12}_[0-9A-Za-z_-]{43})$`)

// The demo API key is logged once, in one line of its own, when the demo
// data is created on the embedded database; not at the next start, and
// never on PostgreSQL, even with --demo.
func TestDemoAPIKeyLogged(t *testing.T) {
	embedded := filepath.Join(t.TempDir(), "demo.db")
	postgres := os.Getenv("TEST_DATABASE_URL")
	tests := []struct {
		name     string
		postgres bool
		args     func(t *testing.T) []string
		// seeded says the start creates the demo data; want that it logs
		// the demo key.
		seeded, want bool
	}{
		{"a new embedded database", false, func(*testing.T) []string { return []string{"--database-url", embedded} }, true, true},
		{"the same database again", false, func(*testing.T) []string { return []string{"--database-url", embedded, "--demo"} }, false, false},
		{"PostgreSQL with --demo", true, func(t *testing.T) []string {
			return []string{"--database-url", testapp.FreshSchema(t, postgres), "--demo"}
		}, true, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if tc.postgres && postgres == "" {
				t.Skip("TEST_DATABASE_URL is not set")
			}
			logs := &testapp.LogBuffer{}
			serve(t, logs, tc.args(t)...)
			if !strings.Contains(logs.String(), "listening") {
				t.Fatalf("the log is empty or incomplete: %q", logs.String())
			}
			if seeded := strings.Contains(logs.String(), "demo account"); seeded != tc.seeded {
				t.Fatalf("demo data created: got %v, want %v", seeded, tc.seeded)
			}
			var keyLines []string
			for _, line := range strings.Split(logs.String(), "\n") {
				if strings.Contains(line, "demo API key") || strings.Contains(line, "mak_") {
					keyLines = append(keyLines, line)
				}
			}
			if !tc.want {
				if len(keyLines) != 0 {
					t.Errorf("got %q, want no demo key in the log", keyLines)
				}
				return
			}
			if len(keyLines) != 1 || !demoKeyLine.MatchString(keyLines[0]) {
				t.Fatalf("got %q, want one line: demo API key … key=mak_…", keyLines)
			}
			key := demoKeyLine.FindStringSubmatch(keyLines[0])[1]
			if n := strings.Count(logs.String(), key[16:]); n != 1 {
				t.Errorf("the log holds the demo key %d times, want once", n)
			}
		})
	}
}

// The password hashes get processors of their own on top of the CPUs,
// unless the operator set GOMAXPROCS.
func TestSchedulePages(t *testing.T) {
	before := runtime.GOMAXPROCS(0)
	t.Cleanup(func() { runtime.GOMAXPROCS(before) })
	schedulePages(2, true)
	if got := runtime.GOMAXPROCS(0); got != before {
		t.Errorf("operator's GOMAXPROCS: got %d, want %d kept", got, before)
	}
	schedulePages(2, false)
	if got := runtime.GOMAXPROCS(0); got != before+2 {
		t.Errorf("GOMAXPROCS: got %d, want %d + 2 for the hashes", got, before)
	}
}
