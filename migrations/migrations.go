// Package migrations holds the versioned SQL migrations, embedded so the
// binary migrates its database at start-up with nothing beside it. Each file
// runs unchanged on SQLite and PostgreSQL.
package migrations

import "embed"

// Files are the goose migrations, named NNNNN_title.sql.
//
//go:embed *.sql
var Files embed.FS
