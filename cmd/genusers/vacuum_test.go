package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"net/url"
	"os"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// TestVacuumWaitsForOlderTransaction: VACUUM cannot mark new rows
// all-visible while a transaction older than them is open; vacuum says
// so, and once that transaction ends its next VACUUM marks every page.
// It runs in a database of its own, as any open transaction in the same
// database (another package's tests) would hold VACUUM back too.
func TestVacuumWaitsForOlderTransaction(t *testing.T) {
	base := os.Getenv("TEST_DATABASE_URL")
	if base == "" {
		t.Skip("TEST_DATABASE_URL is not set")
	}
	ctx := context.Background()
	conn := connect(t, ownDatabase(t, base))
	holder := connect(t, conn.Config().ConnString())
	mustExec(t, conn, "CREATE TABLE users (id integer, name text)")
	older, err := holder.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead})
	if err != nil {
		t.Fatal(err)
	}
	mustExec(t, holder, "SELECT 1") // takes the older transaction's snapshot
	mustExec(t, conn, "INSERT INTO users SELECT i, repeat('x', 100) FROM generate_series(1, 5000) i")

	visible, pages, err := vacuum(ctx, conn, 2, 50*time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	if pages < 10 || visible != 0 {
		t.Fatalf("with an older transaction open: %d of %d pages all-visible, want 0 of 10 or more", visible, pages)
	}

	ended := make(chan error, 1)
	go func() {
		time.Sleep(300 * time.Millisecond)
		ended <- older.Commit(ctx)
	}()
	visible, pages, err = vacuum(ctx, conn, 20, 100*time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	if err := <-ended; err != nil {
		t.Fatal(err)
	}
	if visible != pages {
		t.Fatalf("after the older transaction ended: %d of %d pages all-visible, want all", visible, pages)
	}
}

// ownDatabase creates a database for the test on base's server, dropped
// afterwards, and returns its URL.
func ownDatabase(t *testing.T, base string) string {
	t.Helper()
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	name := "genusers_" + hex.EncodeToString(b)
	admin := connect(t, base)
	if _, err := admin.Exec(context.Background(), "CREATE DATABASE "+name); err != nil {
		var pgErr *pgconn.PgError
		if errors.As(err, &pgErr) && pgErr.Code == "42501" {
			t.Skipf("cannot create a database: %v", err)
		}
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if _, err := admin.Exec(context.Background(), "DROP DATABASE "+name+" WITH (FORCE)"); err != nil {
			t.Errorf("drop database %s: %v", name, err)
		}
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	u.Path = "/" + name
	return u.String()
}

// connect opens a connection closed at the end of the test.
func connect(t *testing.T, dbURL string) *pgx.Conn {
	t.Helper()
	conn, err := pgx.Connect(context.Background(), dbURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	return conn
}

func mustExec(t *testing.T, conn *pgx.Conn, sql string) {
	t.Helper()
	if _, err := conn.Exec(context.Background(), sql); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
}
