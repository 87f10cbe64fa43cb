package store_test

import (
	"context"
	"io"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"myaccount/internal/testapp"
	"myaccount/store"
)

func discardLog() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

func open(t *testing.T, dbURL string, timeout time.Duration) *gorm.DB {
	t.Helper()
	db, err := store.Open(dbURL, discardLog(), timeout)
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	t.Cleanup(func() {
		if sqlDB, err := db.DB(); err == nil {
			sqlDB.Close()
		}
	})
	return db
}

// The timeout Open is given bounds statements on SQLite's side: a write
// waits that long for another one, and 5 s when no timeout is given.
func TestOpenSQLiteBusyTimeout(t *testing.T) {
	for _, tc := range []struct {
		timeout time.Duration
		want    int
	}{{1500 * time.Millisecond, 1500}, {0, 5000}} {
		db := open(t, filepath.Join(t.TempDir(), "busy.db"), tc.timeout)
		var got int
		if err := db.Raw("PRAGMA busy_timeout").Scan(&got).Error; err != nil {
			t.Fatalf("busy_timeout: %v", err)
		}
		if got != tc.want {
			t.Errorf("timeout %v: got busy_timeout %d, want %d", tc.timeout, got, tc.want)
		}
	}
}

// On PostgreSQL the timeout becomes the session's statement_timeout,
// unless the URL sets one; without a timeout the server's default stays.
func TestOpenPostgresStatementTimeout(t *testing.T) {
	base := os.Getenv("TEST_DATABASE_URL")
	if base == "" {
		t.Skip("TEST_DATABASE_URL is not set: the statement timeout is PostgreSQL's")
	}
	withParam := func(k, v string) string {
		u, err := url.Parse(base)
		if err != nil {
			t.Fatalf("TEST_DATABASE_URL: %v", err)
		}
		q := u.Query()
		q.Set(k, v)
		u.RawQuery = q.Encode()
		return u.String()
	}
	var serverDefault string
	if err := open(t, base, 0).Raw("SHOW statement_timeout").Scan(&serverDefault).Error; err != nil {
		t.Fatalf("show statement_timeout: %v", err)
	}
	for _, tc := range []struct {
		name    string
		url     string
		timeout time.Duration
		want    string
	}{
		{"from the timeout", base, 1500 * time.Millisecond, "1500ms"},
		{"whole seconds", base, 5 * time.Second, "5s"},
		{"the URL's own", withParam("statement_timeout", "7000"), time.Second, "7s"},
		{"no timeout", base, 0, serverDefault},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got string
			if err := open(t, tc.url, tc.timeout).Raw("SHOW statement_timeout").Scan(&got).Error; err != nil {
				t.Fatalf("show statement_timeout: %v", err)
			}
			if got != tc.want {
				t.Errorf("got statement_timeout %q, want %q", got, tc.want)
			}
		})
	}
}

// Logged SQL never carries its parameters, which can be password hashes,
// and a statement stopped because the database did not answer is left
// to Outages, not logged one by one.
func TestOpenLogsNoParameters(t *testing.T) {
	log := &testapp.LogBuffer{}
	db, err := store.Open(filepath.Join(t.TempDir(), "log.db"), slog.New(slog.NewTextHandler(log, nil)), time.Second)
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	t.Cleanup(func() {
		if sqlDB, err := db.DB(); err == nil {
			sqlDB.Close()
		}
	})
	const secret = "$2a$04$secret-hash-in-a-parameter"
	if err := db.Exec("INSERT INTO no_such_table (hash) VALUES (?)", secret).Error; err == nil {
		t.Fatalf("insert into a missing table: got no error, want one")
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Nanosecond)
	defer cancel()
	<-ctx.Done()
	db.WithContext(ctx).Exec("SELECT ? AS deadline_passed", secret)

	logs := log.String()
	if !strings.Contains(logs, "no_such_table") {
		t.Errorf("log: got no line for the failed statement, want one:\n%s", logs)
	}
	if strings.Contains(logs, secret) {
		t.Errorf("log: got the parameter in it, want it left out:\n%s", logs)
	}
	if strings.Contains(logs, "deadline_passed") {
		t.Errorf("log: got the statement past its deadline, want it left out:\n%s", logs)
	}
}
