package store_test

import (
	"context"
	"log/slog"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pressly/goose/v3"

	"myaccount/internal/testapp"
	"myaccount/migrations"
	"myaccount/store"
)

// Migration 5 adds the lowest password strength: 3 for merchants whose
// numbers are the NIST preset's, so they stay on it, and 0 (off) for the
// rest; down drops it again.
func TestMigrationPasswordMinScore(t *testing.T) {
	testapp.ForEach(t, func(t *testing.T, bk testapp.Backend) {
		app := testapp.New(t, bk)
		ctx := context.Background()
		sqlDB, err := app.DB.DB()
		if err != nil {
			t.Fatal(err)
		}
		postgres := app.DB.Dialector.Name() == "postgres"
		dialect := goose.DialectSQLite3
		if postgres {
			dialect = goose.DialectPostgres
		}
		p, err := goose.NewProvider(dialect, sqlDB, migrations.Files, goose.WithGoMigrations(migrations.Go(postgres)...))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := p.DownTo(ctx, 4); err != nil {
			t.Fatalf("down to 4: %v", err)
		}
		if app.DB.Migrator().HasColumn("merchants", "password_min_score") {
			t.Fatalf("after down: password_min_score is still there")
		}
		nist := map[string]any{"password_min_length": 15, "password_min_lower": 0, "password_min_upper": 0, "password_min_digits": 0, "password_min_special": 0}
		if err := app.DB.Table("merchants").Where("code = ?", "sandpiper").Updates(nist).Error; err != nil {
			t.Fatal(err)
		}
		if _, err := p.UpTo(ctx, 5); err != nil {
			t.Fatalf("up to 5: %v", err)
		}
		for code, want := range map[string]struct {
			score  int
			preset string
		}{"sandpiper": {3, "nist"}, "harbor": {0, "vela"}} {
			m := app.Merchant(t, code)
			if m.PasswordPolicy.MinScore != want.score || m.PasswordPolicy.Preset() != want.preset {
				t.Errorf("%s: got min score %d, preset %q, want %d, %q", code, m.PasswordPolicy.MinScore, m.PasswordPolicy.Preset(), want.score, want.preset)
			}
		}
		// A merchant added without it gets the column's default: off.
		now := time.Now().UTC()
		if err := app.DB.Exec("INSERT INTO merchants (id, code, name, created_at, updated_at) VALUES (?, ?, ?, ?, ?)",
			store.NewID(), "new", "New Merchant", now, now).Error; err != nil {
			t.Fatal(err)
		}
		if m := app.Merchant(t, "new"); m.PasswordPolicy.MinScore != 0 {
			t.Errorf("new merchant: got min score %d, want 0", m.PasswordPolicy.MinScore)
		}
	})
}

// Migration 8 renames a required "mobile" to "mobile_phone", and only that
// name: mobile_carrier and the others stay.
func TestMigrationRenamesRequiredMobile(t *testing.T) {
	testapp.ForEach(t, func(t *testing.T, b testapp.Backend) {
		app := testapp.New(t, b)
		m := app.Merchant(t, "sandpiper")
		for _, tc := range []struct{ before, after string }{
			{"mobile", "mobile_phone"},
			{"first_name,mobile,mobile_carrier", "first_name,mobile_phone,mobile_carrier"},
			{"mobile_carrier", "mobile_carrier"},
			{"", ""},
		} {
			app.DB.Exec("UPDATE merchants SET required_fields = ? WHERE id = ?", tc.before, m.ID)
			if err := app.DB.Exec(migrationUp(t, "00008_mobile_phone.sql")).Error; err != nil {
				t.Fatal(err)
			}
			var got string
			app.DB.Raw("SELECT required_fields FROM merchants WHERE id = ?", m.ID).Scan(&got)
			if got != tc.after {
				t.Errorf("%q: got %q, want %q", tc.before, got, tc.after)
			}
		}
	})
}

// migrationUp is the Up part of a SQL migration file.
func migrationUp(t *testing.T, name string) string {
	t.Helper()
	b, err := migrations.Files.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	_, up, _ := strings.Cut(string(b), "-- +goose Up")
	up, _, _ = strings.Cut(up, "-- +goose Down")
	return up
}

// Instances that start at once on one PostgreSQL database migrate one at
// a time: every one succeeds, and each migration is applied once.
func TestConcurrentMigrations(t *testing.T) {
	base := os.Getenv("TEST_DATABASE_URL")
	if base == "" {
		t.Skip("TEST_DATABASE_URL is not set")
	}
	dbURL := testapp.FreshSchema(t, base)
	const instances = 4
	start := make(chan struct{})
	errs := make([]error, instances)
	news := make([]bool, instances)
	var wg sync.WaitGroup
	for i := range instances {
		db, err := store.Open(dbURL, slog.New(slog.DiscardHandler), 0)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			if sqlDB, err := db.DB(); err == nil {
				sqlDB.Close()
			}
		})
		wg.Go(func() {
			<-start
			news[i], errs[i] = store.Migrate(context.Background(), db)
		})
	}
	close(start)
	wg.Wait()
	fresh := 0
	for i, err := range errs {
		if err != nil {
			t.Errorf("instance %d: %v", i, err)
		}
		if news[i] {
			fresh++
		}
	}
	if fresh != 1 {
		t.Errorf("%d instances found the database new, want 1", fresh)
	}
	db, err := store.Open(dbURL, slog.New(slog.DiscardHandler), 0)
	if err != nil {
		t.Fatal(err)
	}
	var dup int64
	db.Raw("SELECT count(*) FROM (SELECT version_id FROM goose_db_version GROUP BY version_id HAVING count(*) > 1) d").Scan(&dup)
	if dup != 0 {
		t.Errorf("%d migrations applied more than once", dup)
	}
}

// Migration 14 keeps the trigram index's pending list short and has
// autovacuum come sooner to users on PostgreSQL; migration 15 stores the
// search text after a space and builds its indexes again, with the same
// pending list; down takes the space away, then PostgreSQL's defaults.
func TestMigrationSearchUpkeep(t *testing.T) {
	base := os.Getenv("TEST_DATABASE_URL")
	if base == "" {
		t.Skip("TEST_DATABASE_URL is not set: the settings are PostgreSQL's")
	}
	app := testapp.New(t, testapp.Backend{Name: "postgres", URL: base})
	sqlDB, err := app.DB.DB()
	if err != nil {
		t.Fatal(err)
	}
	// options are rel's storage options, or "none" for no such relation.
	options := func(rel string) string {
		var opts *string
		if err := app.DB.Raw("SELECT COALESCE(array_to_string(reloptions, ' '), '') FROM pg_class WHERE oid = to_regclass(?)", rel).Scan(&opts).Error; err != nil {
			t.Fatal(err)
		}
		if opts == nil {
			return "none"
		}
		return *opts
	}
	const vacuum, pending = "autovacuum_vacuum_scale_factor=0.005 autovacuum_vacuum_insert_scale_factor=0.005", "gin_pending_list_limit=1024"
	p, err := goose.NewProvider(goose.DialectPostgres, sqlDB, migrations.Files, goose.WithGoMigrations(migrations.Go(true)...))
	if err != nil {
		t.Fatal(err)
	}
	for _, step := range []struct {
		version int64
		want    map[string]string
	}{
		{15, map[string]string{"users": vacuum, "users_search_text_trgm": pending, "users_merchant_username_walk": ""}},
		{14, map[string]string{"users": vacuum, "users_search_text_trgm": pending, "users_merchant_username_walk": ""}},
		{13, map[string]string{"users": "", "users_search_text_trgm": "", "users_merchant_username_walk": ""}},
	} {
		if _, err := p.DownTo(context.Background(), step.version); err != nil {
			t.Fatalf("down to %d: %v", step.version, err)
		}
		for rel, want := range step.want {
			if got := options(rel); got != want {
				t.Errorf("at %d: %s has options %q, want %q", step.version, rel, got, want)
			}
		}
		var text string
		if err := app.DB.Raw("SELECT search_text FROM users WHERE username = 'demo.guest'").Scan(&text).Error; err != nil {
			t.Fatal(err)
		}
		if spaced := strings.HasPrefix(text, " demo"); spaced != (step.version >= 15) {
			t.Errorf("at %d: search text %q", step.version, text)
		}
	}
}
