package migrations

import (
	"context"
	"database/sql"

	"github.com/pressly/goose/v3"
)

// UserSearchText is the text the admin search looks in: one lower-cased
// string per user. The query uses this exact expression so PostgreSQL can
// answer "contains" with the trigram index built on it.
const UserSearchText = "lower(username || ' ' || email || ' ' || first_name || ' ' || last_name || ' ' || member_number || ' ' || card_number || ' ' || phone || ' ' || mobile)"

// Go lists the migrations written in Go because they differ by database:
// PostgreSQL gets pg_trgm indexes for partial matching, SQLite has no such
// thing and scans (its databases are demo-sized).
func Go(postgres bool) []*goose.Migration {
	pgOnly := func(stmts ...string) *goose.GoFunc {
		return &goose.GoFunc{RunTx: func(ctx context.Context, tx *sql.Tx) error {
			if !postgres {
				return nil
			}
			for _, s := range stmts {
				if _, err := tx.ExecContext(ctx, s); err != nil {
					return err
				}
			}
			return nil
		}}
	}
	return []*goose.Migration{
		goose.NewGoMigration(2,
			pgOnly(
				"CREATE EXTENSION IF NOT EXISTS pg_trgm",
				"CREATE INDEX users_search_trgm ON users USING gin ("+UserSearchText+" gin_trgm_ops)",
				"CREATE INDEX users_merchant_username ON users (merchant_id, lower(username), id)",
				"CREATE INDEX users_merchant_name ON users (merchant_id, lower(last_name || ' ' || first_name), id)",
			),
			pgOnly(
				"DROP INDEX IF EXISTS users_merchant_name",
				"DROP INDEX IF EXISTS users_merchant_username",
				"DROP INDEX IF EXISTS users_search_trgm",
			),
		),
		// The sort orders that had no index (last sign-in, status) read and
		// sorted all of a merchant's users for every page: 1 s over 900,000
		// (docs/PERFORMANCE.md). The expression is the query's sort key
		// exactly, neverSignedIn included.
		goose.NewGoMigration(4,
			pgOnly(
				"CREATE INDEX users_merchant_last_login ON users (merchant_id, COALESCE(last_login_at, '1900-01-01 00:00:00'::timestamp), id)",
				"CREATE INDEX users_merchant_status ON users (merchant_id, status, id)",
			),
			pgOnly(
				"DROP INDEX IF EXISTS users_merchant_status",
				"DROP INDEX IF EXISTS users_merchant_last_login",
			),
		),
	}
}
