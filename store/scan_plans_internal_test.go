package store

import (
	"context"
	"os"
	"testing"

	"github.com/jackc/pgx/v5"
)

// A scanPlans plans again when the columns' types or the targets' types
// are not those it planned for, and keeps plans that fit.
func TestScanPlansFollowTheColumns(t *testing.T) {
	url := os.Getenv("TEST_DATABASE_URL")
	if url == "" {
		t.Skip("TEST_DATABASE_URL is not set: the plans are pgx's")
	}
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var plans scanPlans
	scan := func(sql string, targets ...any) {
		t.Helper()
		rows, err := conn.Query(ctx, sql)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		if !rows.Next() {
			t.Fatalf("%s: no row: %v", sql, rows.Err())
		}
		if err := plans.scan(rows, targets); err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
	}
	var n int64
	var s string
	var p *string
	scan("SELECT 7::int8, 'a'::text", &n, &s)
	first := plans.cur.Load()
	scan("SELECT 8::int8, 'b'::text", &n, &s)
	if n != 8 || s != "b" || plans.cur.Load() != first {
		t.Errorf("same columns: got %d %q, plans kept %v; want 8 \"b\", kept", n, s, plans.cur.Load() == first)
	}
	scan("SELECT 'c'::text, 9::int8", &s, &n)
	if n != 9 || s != "c" {
		t.Errorf("other column types: got %d %q, want 9 \"c\"", n, s)
	}
	scan("SELECT 'd'::text, NULL::text", &s, &p)
	if s != "d" || p != nil {
		t.Errorf("other targets: got %q %v, want \"d\" nil", s, p)
	}
	rows, err := conn.Query(ctx, "SELECT 1, 2")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	rows.Next()
	if err := plans.scan(rows, []any{&n}); err == nil {
		t.Error("two columns into one target: no error")
	}
}
