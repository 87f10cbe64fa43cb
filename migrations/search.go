package migrations

import (
	"context"
	"database/sql"
	"strings"
	"unicode/utf8"

	"github.com/pressly/goose/v3"
)

// userText is each user's searchable columns in one lower-cased string.
// Migrations 2 and 4 indexed it as it is (their down steps still do).
const userText = "lower(username || ' ' || email || ' ' || first_name || ' ' || last_name || ' ' || member_number || ' ' || card_number || ' ' || phone || ' ' || mobile)"

// SearchPunctuation are the marks the admin search does not tell apart:
// in the text and in what the admin types, each becomes SearchMark, so
// "james.sm" also finds james_smith. SearchMark counts as a letter for
// the trigram index, so a mark takes part in trigrams: "g@yahoo.co" is
// found by "g@y" instead of by every address at yahoo.
const (
	SearchPunctuation      = "@._-+'’"
	SearchMark        rune = 'ǂ'
)

// userSearchExpr is userText with each of SearchPunctuation made
// SearchMark, on PostgreSQL.
var userSearchExpr = "translate(" + userText + ", '" + strings.ReplaceAll(SearchPunctuation, "'", "''") + "', '" +
	strings.Repeat(string(SearchMark), utf8.RuneCountInString(SearchPunctuation)) + "')"

// UserSearchText is the text the admin search looks in on PostgreSQL: the
// column search_text, which the database computes when a user is written
// (migration 12), since computing it on every row a search reads took
// 20 µs a row. It is userSearchExpr after a space (migration 15): the
// start of the text is then the start of a word like any other, and the
// start of any word is one pattern ("% li%") that the trigram index reads
// once. The trigram index is built on it, and the username index carries
// it.
const UserSearchText = "search_text"

// UserSearchTextSQLite is the same text on SQLite, which has no translate
// and computes it as it searches (its databases are demo-sized).
var UserSearchTextSQLite = func() string {
	expr := userText
	for _, r := range SearchPunctuation {
		expr = "replace(" + expr + ", '" + strings.ReplaceAll(string(r), "'", "''") + "', '" + string(SearchMark) + "')"
	}
	return "(' ' || " + expr + ")"
}()

// Go lists the migrations written in Go because they differ by database:
// PostgreSQL gets pg_trgm indexes for partial matching, SQLite has no such
// thing and scans (its databases are demo-sized).
func Go(postgres bool) []*goose.Migration {
	return []*goose.Migration{
		searchIndexes(postgres),
		searchPlans(postgres),
		storedSearchText(postgres),
		searchUpkeep(postgres),
		searchWordStarts(postgres),
	}
}

// searchIndexes (migration 2) adds the trigram index of the search and the
// indexes of the user list's orders.
func searchIndexes(postgres bool) *goose.Migration {
	return goose.NewGoMigration(2,
		inTx(postgres,
			"CREATE EXTENSION IF NOT EXISTS pg_trgm",
			"CREATE INDEX users_search_trgm ON users USING gin ("+userText+" gin_trgm_ops)",
			"CREATE INDEX users_merchant_username ON users (merchant_id, lower(username), id)",
			"CREATE INDEX users_merchant_name ON users (merchant_id, lower(last_name || ' ' || first_name), id)",
		),
		inTx(postgres,
			"DROP INDEX IF EXISTS users_merchant_name",
			"DROP INDEX IF EXISTS users_merchant_username",
			"DROP INDEX IF EXISTS users_search_trgm",
		),
	)
}

// searchPlans (migration 4) gives each order of the user list and the
// search in username order an index of its own. What the benchmark over
// 1,000,000 users found (docs/PERFORMANCE.md):
//
//   - Sorting by last sign-in or status, or listing the staff (a role
//     filter), read all of a merchant's users for every page (0.4 to
//     1.2 s over 900,000). Their indexes hold the query's expressions
//     exactly (neverSignedIn; Search adds roles <> 'CUSTOMER' for any
//     other role).
//   - A search in username order walks the username index until a page
//     matches, or sorts every match the trigram index finds; either way
//     it read each user it looked at from the table. The username index
//     now carries every column the search reads (userText's,
//     status and roles), so the walk is an index-only scan.
//   - The planner picks between the two from the share of users it
//     expects to match. With 100 histogram buckets anything rarer than
//     1% looked like 90 rows, so a surname matching 5,000 users took the
//     trigram path and read them all; 1,000 buckets tell 0.1% apart.
func searchPlans(postgres bool) *goose.Migration {
	return goose.NewGoMigration(4,
		eachInTx(postgres,
			"CREATE INDEX IF NOT EXISTS users_merchant_username_search ON users (merchant_id, lower(username), id)"+
				" INCLUDE (username, email, first_name, last_name, member_number, card_number, phone, mobile, status, roles)",
			"DROP INDEX IF EXISTS users_merchant_username",
			"CREATE INDEX IF NOT EXISTS users_merchant_last_login ON users (merchant_id, COALESCE(last_login_at, '1900-01-01 00:00:00'::timestamp), id)",
			"CREATE INDEX IF NOT EXISTS users_merchant_status ON users (merchant_id, status, id)",
			"CREATE INDEX IF NOT EXISTS users_merchant_staff ON users (merchant_id, lower(username), id) WHERE roles <> 'CUSTOMER'",
			"ALTER INDEX users_search_trgm ALTER COLUMN 1 SET STATISTICS 1000",
			"ANALYZE users",
		),
		eachInTx(postgres,
			"ALTER INDEX users_search_trgm ALTER COLUMN 1 SET STATISTICS -1",
			"DROP INDEX IF EXISTS users_merchant_staff",
			"DROP INDEX IF EXISTS users_merchant_status",
			"DROP INDEX IF EXISTS users_merchant_last_login",
			"CREATE INDEX IF NOT EXISTS users_merchant_username ON users (merchant_id, lower(username), id)",
			"DROP INDEX IF EXISTS users_merchant_username_search",
		),
	)
}

// storedSearchText (migration 12) stores the search's text in a column
// and indexes it. Two searches had no cheap plan over 900,000 users
// (docs/PERFORMANCE.md):
//
//   - An email fragment whose distinctive part is a letter beside
//     punctuation ("g@yahoo.co") gave the trigram index only the
//     words around it: 113,000 candidates read from the table,
//     0.4 to 0.7 s. The trigram index is now built on the text with
//     punctuation as a mark that trigrams keep ("g@y").
//   - A term of one or two characters has no trigram inside, so the
//     search walked every user in the page's order: 0.6 to 2 s for
//     a rare one ("xu"). Such a term now matches the start of a
//     field or name, which the trigram index finds by the trigrams
//     that pad a word's start ("  x", " xu").
//   - That text is now a stored column, search_text, computed when a
//     user is written: translate() on every row a walk passes took
//     20 µs a row. The username index carries it instead of the eight
//     columns it is made of.
func storedSearchText(postgres bool) *goose.Migration {
	return goose.NewGoMigration(12,
		eachInTx(postgres,
			// Writes every row again: about a minute over 1,000,000 users.
			"ALTER TABLE users ADD COLUMN IF NOT EXISTS search_text text GENERATED ALWAYS AS ("+userSearchExpr+") STORED",
			"ALTER TABLE users ALTER COLUMN search_text SET STATISTICS 1000",
			"CREATE INDEX IF NOT EXISTS users_search_text_trgm ON users USING gin (search_text gin_trgm_ops)",
			"DROP INDEX IF EXISTS users_search_trgm",
			// username too: an index-only scan of an index on lower(username)
			// needs the column itself.
			"CREATE INDEX IF NOT EXISTS users_merchant_username_walk ON users (merchant_id, lower(username), id) INCLUDE (username, search_text, status, roles)",
			"DROP INDEX IF EXISTS users_merchant_username_search",
			"ANALYZE users",
		),
		eachInTx(postgres,
			"CREATE INDEX IF NOT EXISTS users_merchant_username_search ON users (merchant_id, lower(username), id)"+
				" INCLUDE (username, email, first_name, last_name, member_number, card_number, phone, mobile, status, roles)",
			"CREATE INDEX IF NOT EXISTS users_search_trgm ON users USING gin ("+userText+" gin_trgm_ops)",
			"ALTER INDEX users_search_trgm ALTER COLUMN 1 SET STATISTICS 1000",
			"ALTER TABLE users DROP COLUMN IF EXISTS search_text",
			"ANALYZE users",
		),
	)
}

// searchPendingList is the trigram index's pending list, in kB: the
// longer it may grow, the more every search reads, the shorter, the more
// often a write merges it into the index. Over 1,000,000 users, 5,000
// users written (docs/PERFORMANCE.md): four searches at a time took
// 8.6 ms each with PostgreSQL's 4 MB (496 pages), 7.4 ms with 1 MB (102
// pages) and 7.6 ms with 256 kB (6 pages); the writes took 0.23, 0.34
// and 0.44 ms a row.
const searchPendingList = "1024"

// searchUpkeep (migration 14) keeps what the search reads from growing
// between two runs of autovacuum, on PostgreSQL. Every sign-in and save
// writes a new version of the user's row, with new entries in every
// index (docs/PERFORMANCE.md, over 1,000,000 users, four searches at a
// time):
//
//   - The trigram index puts new entries in a pending list, up to 4 MB,
//     that every search reads whole: at 504 pages, after 5,000 users
//     were written, the searches served a quarter fewer. It is now kept
//     to 1 MB (searchPendingList).
//   - The search's walk reads the username index alone only on pages
//     VACUUM has marked all-visible, and autovacuum comes after a fifth
//     of the table has changed. With 6% of the pages written since (and
//     the pending list merged), the searches served 15-20% fewer; over
//     a day of sign-ins most pages would be. Autovacuum now comes after
//     0.5% of the users are written or added.
func searchUpkeep(postgres bool) *goose.Migration {
	return goose.NewGoMigration(14,
		inTx(postgres,
			"ALTER INDEX users_search_text_trgm SET (gin_pending_list_limit = "+searchPendingList+")",
			"ALTER TABLE users SET (autovacuum_vacuum_scale_factor = 0.005, autovacuum_vacuum_insert_scale_factor = 0.005)",
		),
		inTx(postgres,
			"ALTER TABLE users RESET (autovacuum_vacuum_scale_factor, autovacuum_vacuum_insert_scale_factor)",
			"ALTER INDEX users_search_text_trgm RESET (gin_pending_list_limit)",
		),
	)
}

// searchWordStarts (migration 15) stores the search text after a space
// (UserSearchText). A term of one or two characters, which matches the
// start of a word, was two patterns, the start of the text ("li%") and
// the start of a later word ("% li%"); both have the same trigrams, and
// the trigram index read them twice, 10-14 ms each over 1,000,000 users
// for "li". After a space, "% li%" is both. Trigrams ignore the space,
// so the index holds what it held. The column is computed again, in one
// transaction with its two indexes: it writes every row again, about two
// minutes over 1,000,000 users, while users cannot be read.
func searchWordStarts(postgres bool) *goose.Migration {
	return goose.NewGoMigration(15, storeSearchText(postgres, "' ' || "+userSearchExpr), storeSearchText(postgres, userSearchExpr))
}

// storeSearchText computes users.search_text as expr, then builds its
// indexes again (dropping the column drops them) and analyzes users.
func storeSearchText(postgres bool, expr string) *goose.GoFunc {
	if !postgres {
		return inTx(false)
	}
	stmts := inTx(true,
		"ALTER TABLE users DROP COLUMN IF EXISTS search_text",
		"ALTER TABLE users ADD COLUMN search_text text GENERATED ALWAYS AS ("+expr+") STORED",
		"ALTER TABLE users ALTER COLUMN search_text SET STATISTICS 1000",
		"CREATE INDEX users_search_text_trgm ON users USING gin (search_text gin_trgm_ops) WITH (gin_pending_list_limit = "+searchPendingList+")",
		"CREATE INDEX users_merchant_username_walk ON users (merchant_id, lower(username), id) INCLUDE (username, search_text, status, roles)",
	)
	return &goose.GoFunc{RunDB: func(ctx context.Context, db *sql.DB) error {
		tx, err := db.BeginTx(ctx, nil)
		if err != nil {
			return err
		}
		defer tx.Rollback()
		if err := stmts.RunTx(ctx, tx); err != nil {
			return err
		}
		if err := tx.Commit(); err != nil {
			return err
		}
		// After the commit: an ANALYZE in the same transaction would use
		// the column's old statistics target.
		_, err = db.ExecContext(ctx, "ANALYZE users")
		return err
	}}
}

// inTx runs stmts in one transaction on PostgreSQL, and nothing on SQLite.
func inTx(postgres bool, stmts ...string) *goose.GoFunc {
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

// eachInTx runs each statement in a transaction of its own, for ANALYZE
// after ALTER ... SET STATISTICS: an ANALYZE in the same transaction still
// uses the old target. Its statements must be safe to run again, as a
// failure leaves the earlier ones done. On SQLite it is an empty
// transaction: goose runs a migration without one on a second connection,
// which SQLite's single connection would wait for forever.
func eachInTx(postgres bool, stmts ...string) *goose.GoFunc {
	if !postgres {
		return inTx(false)
	}
	return &goose.GoFunc{RunDB: func(ctx context.Context, db *sql.DB) error {
		for _, s := range stmts {
			if _, err := db.ExecContext(ctx, s); err != nil {
				return err
			}
		}
		return nil
	}}
}
