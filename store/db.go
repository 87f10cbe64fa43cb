// Package store keeps My Account's data in SQLite or PostgreSQL through
// GORM: it opens and migrates the database and implements the domain
// operations that read or write it, each in one transaction with its audit
// event.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	neturl "net/url"
	"strconv"
	"strings"
	"time"

	"github.com/glebarez/sqlite"
	"github.com/google/uuid"
	"github.com/pressly/goose/v3"
	"gorm.io/driver/postgres"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"myaccount/migrations"
	"myaccount/models"
)

// DefaultSQLitePath is the embedded database used when no URL is given.
const DefaultSQLitePath = "myaccount.db"

// Open connects to url: a postgres:// URL, or else a SQLite file path
// (empty means DefaultSQLitePath). SQL is logged only when slow, and never
// with its parameters, so no hash can reach a log line.
//
// timeout bounds every statement on the database's side too, so one that
// a request has given up on does not go on running there: on PostgreSQL
// it is statement_timeout and connect_timeout (unless the URL sets them),
// on SQLite the busy timeout, how long a write waits for another one.
// Zero sets no bound on PostgreSQL, for migrations and bulk loads, and
// leaves SQLite's wait at defaultBusyTimeout.
func Open(url string, log *slog.Logger, timeout time.Duration) (*gorm.DB, error) {
	cfg := &gorm.Config{
		Logger: quietLogger{logger.New(slogWriter{log}, logger.Config{
			SlowThreshold:             500 * time.Millisecond,
			LogLevel:                  logger.Warn,
			IgnoreRecordNotFoundError: true,
			ParameterizedQueries:      true,
		})},
		NowFunc:                func() time.Time { return time.Now().UTC() },
		SkipDefaultTransaction: true,
		// Not prepared by GORM: pgx caches each statement's preparation
		// itself, and sends a statement without arguments by the simple
		// protocol, which the search relies on to send several at once
		// (searchStart).
		PrepareStmt: false,
	}
	if IsPostgres(url) {
		db, err := gorm.Open(postgres.Open(withServerTimeouts(url, timeout)), cfg)
		if err != nil {
			return nil, fmt.Errorf("open postgres: %w", err)
		}
		// After an outage the pool holds no broken connection: pgx closes
		// one whose statement outlived its context (the deadline it puts on
		// the socket breaks the read), database/sql then discards it
		// (stdlib's IsValid), and one that broke while idle fails the ping
		// stdlib sends before reusing it after a second, and is replaced.
		sqlDB, _ := db.DB()
		sqlDB.SetMaxOpenConns(32)
		sqlDB.SetMaxIdleConns(32)
		sqlDB.SetConnMaxIdleTime(5 * time.Minute)
		return db, nil
	}
	path := url
	if path == "" {
		path = DefaultSQLitePath
	}
	busy := defaultBusyTimeout
	if timeout > 0 {
		busy = timeout
	}
	dsn := path
	if !strings.Contains(dsn, "?") {
		dsn += "?"
	} else {
		dsn += "&"
	}
	dsn += fmt.Sprintf("_pragma=foreign_keys(1)&_pragma=journal_mode(WAL)&_pragma=busy_timeout(%d)&_pragma=synchronous(NORMAL)", busy.Milliseconds())
	db, err := gorm.Open(sqlite.Open(dsn), cfg)
	if err != nil {
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	// SQLite takes one writer at a time; one connection makes every
	// transaction wait its turn instead of failing with SQLITE_BUSY.
	sqlDB, _ := db.DB()
	sqlDB.SetMaxOpenConns(1)
	return db, nil
}

// defaultBusyTimeout is how long a SQLite write waits for another
// process's write when Open is given no timeout.
const defaultBusyTimeout = 5 * time.Second

// withServerTimeouts adds statement_timeout and connect_timeout to a
// postgres:// URL unless it sets them already. pgx sends every URL
// parameter it does not know itself to the server as a run-time setting
// (pgconn.ParseConfig), so statement_timeout becomes the session default;
// connect_timeout pgx reads itself, in whole seconds.
func withServerTimeouts(rawURL string, timeout time.Duration) string {
	u, err := neturl.Parse(rawURL)
	if timeout <= 0 || err != nil {
		// A URL that does not parse is left for pgx to refuse, with the
		// password masked in its message.
		return rawURL
	}
	q := u.Query()
	if !q.Has("statement_timeout") {
		q.Set("statement_timeout", strconv.FormatInt(timeout.Milliseconds(), 10))
	}
	if !q.Has("connect_timeout") {
		q.Set("connect_timeout", strconv.FormatInt(int64((timeout+time.Second-1)/time.Second), 10))
	}
	u.RawQuery = q.Encode()
	return u.String()
}

// IsPostgres reports whether url names a PostgreSQL database.
func IsPostgres(url string) bool {
	return strings.HasPrefix(url, "postgres://") || strings.HasPrefix(url, "postgresql://")
}

// Migrate applies every pending migration and reports whether the database
// was empty before, so the caller knows to add demo data.
func Migrate(ctx context.Context, db *gorm.DB) (wasNew bool, err error) {
	sqlDB, err := db.DB()
	if err != nil {
		return false, err
	}
	dialect, postgres := goose.DialectSQLite3, db.Dialector.Name() == "postgres"
	if postgres {
		dialect = goose.DialectPostgres
	}
	if postgres {
		// Instances that start at once on one database migrate one after
		// the other: each holds PostgreSQL's advisory lock for the schema
		// while it migrates, and the next finds nothing left to do.
		unlock, err := lockMigrations(ctx, sqlDB)
		if err != nil {
			return false, err
		}
		defer unlock()
	}
	p, err := goose.NewProvider(dialect, sqlDB, migrations.Files, goose.WithGoMigrations(migrations.Go(postgres)...))
	if err != nil {
		return false, fmt.Errorf("migrations: %w", err)
	}
	before, err := p.GetDBVersion(ctx)
	if err != nil {
		return false, fmt.Errorf("migrations: read version: %w", err)
	}
	if _, err := p.Up(ctx); err != nil {
		return false, fmt.Errorf("migrations: %w", err)
	}
	return before == 0, nil
}

// lockMigrations waits for, then holds, the lock on migrating the
// connection's schema, on a connection of its own, until unlock.
func lockMigrations(ctx context.Context, db *sql.DB) (unlock func(), err error) {
	conn, err := db.Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("migrations: lock: %w", err)
	}
	const key = "hashtextextended('myaccount:migrate:' || current_schema(), 0)"
	if _, err := conn.ExecContext(ctx, "SELECT pg_advisory_lock("+key+")"); err != nil {
		conn.Close()
		return nil, fmt.Errorf("migrations: lock: %w", err)
	}
	return func() {
		_, _ = conn.ExecContext(context.Background(), "SELECT pg_advisory_unlock("+key+")")
		conn.Close()
	}, nil
}

// Ping reports whether the database answers.
func Ping(ctx context.Context, db *gorm.DB) error {
	sqlDB, err := db.DB()
	if err != nil {
		return err
	}
	return sqlDB.PingContext(ctx)
}

// NewID returns a new time-ordered id (UUIDv7): ids sort by creation and
// index well, and reveal nothing about how many rows exist.
func NewID() string {
	return uuid.Must(uuid.NewV7()).String()
}

// validID reports whether s can be an id, so a malformed one is "not found"
// rather than a database error.
func validID(s string) bool {
	_, err := uuid.Parse(s)
	return err == nil && len(s) == 36
}

func notFound(err error) error {
	if errors.Is(err, gorm.ErrRecordNotFound) || errors.Is(err, sql.ErrNoRows) {
		return models.ErrNotFound
	}
	return err
}

// quietLogger leaves out the statements that failed because the database
// did not answer or the client went away: Outages reports an outage once,
// where this would log every statement it stopped.
type quietLogger struct{ logger.Interface }

func (l quietLogger) LogMode(level logger.LogLevel) logger.Interface {
	return quietLogger{l.Interface.LogMode(level)}
}

// ParamsFilter passes on the wrapped logger's, which keeps parameters
// (password hashes among them) out of logged SQL: without it GORM would
// write them into the statement.
func (l quietLogger) ParamsFilter(ctx context.Context, sql string, params ...any) (string, []any) {
	if f, ok := l.Interface.(gorm.ParamsFilter); ok {
		return f.ParamsFilter(ctx, sql, params...)
	}
	return sql, nil
}

func (l quietLogger) Trace(ctx context.Context, begin time.Time, fc func() (string, int64), err error) {
	if err != nil && (Unavailable(err) || errors.Is(err, context.Canceled)) {
		return
	}
	l.Interface.Trace(ctx, begin, fc, err)
}

type slogWriter struct{ log *slog.Logger }

func (w slogWriter) Printf(format string, args ...any) {
	w.log.Warn("database", "detail", fmt.Sprintf(format, args...))
}
