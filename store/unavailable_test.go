package store_test

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"gorm.io/gorm"

	"myaccount/models"
	"myaccount/store"
)

// Unavailable tells the database not answering from the database
// answering, over errors the drivers really return.
func TestUnavailable(t *testing.T) {
	cases := []unavailableCase{
		{"nil", nil, false},
		{"deadline", context.DeadlineExceeded, true},
		{"deadline, wrapped", fmt.Errorf("session: load session: %w", context.DeadlineExceeded), true},
		{"client went away", context.Canceled, false},
		{"client went away, wrapped", fmt.Errorf("load signed-in user: %w", context.Canceled), false},
		{"bad connection", driver.ErrBadConn, true},
		{"connection done", sql.ErrConnDone, true},
		{"EOF", io.EOF, true},
		{"unexpected EOF", fmt.Errorf("read: %w", io.ErrUnexpectedEOF), true},
		{"statement_timeout", &pgconn.PgError{Code: "57014"}, true},
		{"admin shutdown", &pgconn.PgError{Severity: "FATAL", Code: "57P01"}, true},
		{"crash shutdown", &pgconn.PgError{Code: "57P02"}, true},
		{"starting up", &pgconn.PgError{Code: "57P03"}, true},
		{"connection failure", &pgconn.PgError{Code: "08006"}, true},
		{"too many connections", &pgconn.PgError{Code: "53300"}, true},
		{"unique violation", &pgconn.PgError{Code: "23505"}, false},
		{"division by zero", &pgconn.PgError{Code: "22012"}, false},
		{"serialization failure", &pgconn.PgError{Code: "40001"}, false},
		{"not found", gorm.ErrRecordNotFound, false},
		{"domain not found", models.ErrNotFound, false},
		{"conflict", fmt.Errorf("save: %w", models.ErrConflict), false},
		{"anything else", errors.New("template: no such field"), false},
	}

	cases = append(cases, networkErrors(t)...)
	cases = append(cases, unavailableCase{"SQLite busy", sqliteBusy(t), true})
	cases = append(cases, unavailableCase{"SQLite constraint", sqliteConstraint(t), false})
	if base := os.Getenv("TEST_DATABASE_URL"); base != "" {
		cases = append(cases, postgresErrors(t, base)...)
	} else {
		t.Log("TEST_DATABASE_URL is not set: the errors PostgreSQL itself returns are not tried")
	}

	for _, tc := range cases {
		if got := store.Unavailable(tc.err); got != tc.want {
			t.Errorf("%s (%T %v): got %v, want %v", tc.name, tc.err, tc.err, got, tc.want)
		}
	}
}

type unavailableCase struct {
	name string
	err  error
	want bool
}

// networkErrors are what a closed port, a silent server, a server that
// hangs up and a read that times out give, directly and through pgx.
func networkErrors(t *testing.T) []unavailableCase {
	t.Helper()
	var cases []unavailableCase

	// Nothing listens on a port just closed: the connection is refused.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := ln.Addr().String()
	ln.Close()
	_, refused := net.Dial("tcp", closed)
	cases = append(cases, unavailableCase{"connection refused", refused, true})
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_, connectRefused := pgconn.Connect(ctx, "postgres://app@"+closed+"/myaccount?sslmode=disable")
	var ce *pgconn.ConnectError
	if !errors.As(connectRefused, &ce) {
		t.Fatalf("connect to a closed port: got %T %v, want a *pgconn.ConnectError", connectRefused, connectRefused)
	}
	cases = append(cases, unavailableCase{"pgx connect refused", connectRefused, true})

	// A server that accepts and says nothing: the attempt times out; one
	// that hangs up at once: the connection ends (EOF).
	silent := listen(t, func(c net.Conn) { <-t.Context().Done() })
	short, cancelShort := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancelShort()
	_, connectHung := pgconn.Connect(short, "postgres://app@"+silent+"/myaccount?sslmode=disable")
	cases = append(cases, unavailableCase{"pgx connect timeout", connectHung, true})
	hangUp := listen(t, func(c net.Conn) { c.Close() })
	_, connectEOF := pgconn.Connect(ctx, "postgres://app@"+hangUp+"/myaccount?sslmode=disable")
	cases = append(cases, unavailableCase{"pgx connect, server hangs up", connectEOF, true})
	gone, cancelGone := context.WithCancel(context.Background())
	cancelGone()
	_, connectCanceled := pgconn.Connect(gone, "postgres://app@"+silent+"/myaccount?sslmode=disable")
	cases = append(cases, unavailableCase{"pgx connect, client went away", connectCanceled, false})
	conn, err := net.Dial("tcp", silent)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetReadDeadline(time.Now().Add(50 * time.Millisecond))
	_, readTimeout := conn.Read(make([]byte, 1))
	cases = append(cases, unavailableCase{"read timeout", readTimeout, true})
	return cases
}

// listen serves every connection to a new 127.0.0.1 port with serve.
func listen(t *testing.T, serve func(net.Conn)) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go serve(c)
		}
	}()
	return ln.Addr().String()
}

// sqliteBusy is what a write gets while another connection holds the
// file's write lock for longer than the busy timeout.
func sqliteBusy(t *testing.T) error {
	t.Helper()
	path := filepath.Join(t.TempDir(), "busy.db")
	holder := open(t, path, time.Second)
	writer := open(t, path, 50*time.Millisecond)
	if err := holder.Exec("CREATE TABLE t (id INTEGER PRIMARY KEY)").Error; err != nil {
		t.Fatal(err)
	}
	tx := holder.Begin()
	if err := tx.Exec("INSERT INTO t (id) VALUES (1)").Error; err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	err := writer.Exec("INSERT INTO t (id) VALUES (2)").Error
	if err == nil {
		t.Fatalf("write beside a held lock: got no error, want SQLITE_BUSY")
	}
	return err
}

func sqliteConstraint(t *testing.T) error {
	t.Helper()
	db := open(t, filepath.Join(t.TempDir(), "unique.db"), time.Second)
	if err := db.Exec("CREATE TABLE t (id INTEGER PRIMARY KEY)").Error; err != nil {
		t.Fatal(err)
	}
	db.Exec("INSERT INTO t (id) VALUES (1)")
	err := db.Exec("INSERT INTO t (id) VALUES (1)").Error
	if err == nil {
		t.Fatalf("duplicate key: got no error, want a constraint error")
	}
	return err
}

// postgresErrors are errors the PostgreSQL server returns: a statement
// past statement_timeout, a connection an administrator ended, and
// ordinary answers.
func postgresErrors(t *testing.T, base string) []unavailableCase {
	t.Helper()
	db := open(t, base, 100*time.Millisecond)
	ctx := context.Background()
	timedOut := db.Exec("SELECT pg_sleep(2)").Error
	divide := db.Exec("SELECT 1/0").Error

	// A connection of its own, ended by pg_terminate_backend from another.
	sqlDB, _ := db.DB()
	victim, err := sqlDB.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer victim.Close()
	var pid int
	if err := victim.QueryRowContext(ctx, "SELECT pg_backend_pid()").Scan(&pid); err != nil {
		t.Fatal(err)
	}
	if err := db.Exec("SELECT pg_terminate_backend(?)", pid).Error; err != nil {
		t.Fatal(err)
	}
	_, terminated := victim.ExecContext(ctx, "SELECT 1")

	deadline, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
	defer cancel()
	slow := open(t, base, 0)
	clientDeadline := slow.WithContext(deadline).Exec("SELECT pg_sleep(2)").Error

	for name, err := range map[string]error{"statement_timeout": timedOut, "terminated": terminated, "client deadline": clientDeadline, "division by zero": divide} {
		if err == nil {
			t.Fatalf("postgres %s: got no error, want one", name)
		}
	}
	return []unavailableCase{
		{"postgres statement_timeout", timedOut, true},
		{"postgres connection terminated", terminated, true},
		{"postgres past the request's deadline", clientDeadline, true},
		{"postgres division by zero", divide, false},
	}
}
