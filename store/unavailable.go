package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"io"
	"net"
	"strings"
	"syscall"

	sqlite "github.com/glebarez/go-sqlite"
	"github.com/jackc/pgx/v5/pgconn"
	sqlite3 "modernc.org/sqlite/lib"

	"myaccount/internal/slots"
)

// Unavailable reports whether err means the database did not answer: it
// cannot be reached, the connection broke, the request's deadline passed,
// or the server is refusing work (shutting down, too many connections, a
// statement cancelled by statement_timeout, another writer holding
// SQLite's lock). The request can do nothing about it but try again
// later; an answer such as a constraint violation is not one.
//
// A client that went away (context.Canceled) is not an outage either, nor
// work that waited its turn past its deadline (slots.ErrBusy: a password
// hash, a search), which never reached the database. SQLite interrupts a statement whose context ended without saying why, so
// callers that hold the context tell a client that left by the context.
func Unavailable(err error) bool {
	if err == nil || errors.Is(err, context.Canceled) || errors.Is(err, slots.ErrBusy) {
		return false
	}
	var (
		connectErr *pgconn.ConnectError
		pgErr      *pgconn.PgError
		sqliteErr  *sqlite.Error
		netErr     net.Error
	)
	switch {
	case errors.As(err, &connectErr):
		// Refused, timed out, or turned away by the server while
		// connecting (starting up, too many clients): no connection.
		return true
	case errors.As(err, &pgErr):
		return unavailableState(pgErr.Code)
	case errors.As(err, &sqliteErr):
		switch sqliteErr.Code() & 0xff { // the primary code of an extended one
		case sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED, sqlite3.SQLITE_INTERRUPT:
			return true
		}
		return false
	}
	return errors.Is(err, context.DeadlineExceeded) || pgconn.Timeout(err) ||
		errors.Is(err, driver.ErrBadConn) || errors.Is(err, sql.ErrConnDone) || errors.Is(err, pgconn.ErrConnClosed) ||
		errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE) ||
		errors.Is(err, net.ErrClosed) || errors.As(err, &netErr)
}

// unavailableState reports whether a PostgreSQL SQLSTATE says the server
// did not do the work rather than refused it: class 08 (connection
// exception), class 57 (operator intervention: 57014 query_canceled, as
// statement_timeout ends a statement, and 57P01–57P03 shutting down or
// starting up) and 53300 too_many_connections.
func unavailableState(code string) bool {
	return strings.HasPrefix(code, "08") || strings.HasPrefix(code, "57") || code == "53300"
}
