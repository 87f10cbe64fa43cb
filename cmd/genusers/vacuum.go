package main

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"
)

// vacuumTries and vacuumWait are how often, and how far apart, vacuum
// runs VACUUM before it gives up on a page still not all-visible.
const (
	vacuumTries = 4
	vacuumWait  = 2 * time.Second
)

// vacuum runs VACUUM (ANALYZE) on users, then VACUUM again until every
// page of the table is all-visible or it has tried tries times, waiting
// wait in between. It returns the pages all-visible and the pages in all.
//
// The admin search's walk is an index-only scan, and a row on a page not
// marked all-visible is read from the table too: over 1,000,000 users
// whose VACUUM had marked no page, four searches at a time served 40%
// fewer searches, with p95 128 ms against 73-89 ms (docs/PERFORMANCE.md).
// VACUUM cannot mark the new rows visible to every transaction while one
// older than them is still open, and then it says nothing: this waits for
// that transaction to end.
func vacuum(ctx context.Context, conn *pgx.Conn, tries int, wait time.Duration) (visible, pages int32, err error) {
	stmt := "VACUUM (ANALYZE) users"
	for try := 1; ; try++ {
		if _, err := conn.Exec(ctx, stmt); err != nil {
			return 0, 0, err
		}
		if err := conn.QueryRow(ctx, "SELECT relallvisible, relpages FROM pg_class WHERE oid = 'users'::regclass").Scan(&visible, &pages); err != nil {
			return 0, 0, err
		}
		if visible >= pages || try >= tries {
			return visible, pages, nil
		}
		stmt = "VACUUM users"
		select {
		case <-ctx.Done():
			return visible, pages, ctx.Err()
		case <-time.After(wait):
		}
	}
}
