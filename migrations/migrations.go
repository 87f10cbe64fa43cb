// Package migrations holds the versioned migrations, embedded so the
// binary migrates its database at start-up with nothing beside it. The SQL
// files (NNNNN_title.sql) run unchanged on SQLite and PostgreSQL; the
// migrations that must differ by database, the PostgreSQL search indexes,
// are written in Go (search.go) and do nothing on SQLite. goose applies
// both kinds in the order of their numbers.
package migrations

import "embed"

// Files are the goose migrations, named NNNNN_title.sql.
//
//go:embed *.sql
var Files embed.FS
