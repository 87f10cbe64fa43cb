package store_test

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"gorm.io/gorm"

	"myaccount/internal/testapp"
	"myaccount/store"
)

// lines are the log lines holding want.
func lines(log *testapp.LogBuffer, want string) []string {
	var out []string
	for _, l := range strings.Split(log.String(), "\n") {
		if strings.Contains(l, want) {
			out = append(out, l)
		}
	}
	return out
}

// Requests failing at once start one outage, logged once with the first
// error; the database answering again, seen by many at once, ends it
// once, with the number of requests refused. A client that went away
// starts nothing.
func TestOutagesLogOnce(t *testing.T) {
	log := &testapp.LogBuffer{}
	o := store.NewOutages(slog.New(slog.NewTextHandler(log, nil)))
	all := func(n int, fn func(i int)) {
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() { fn(i) })
		}
		wg.Wait()
	}

	o.Failed(context.Canceled)
	o.Refused(fmt.Errorf("load session: %w", context.Canceled))
	o.Answered()
	if got := log.String(); got != "" {
		t.Fatalf("client went away: got log %q, want none", got)
	}

	for outage := 1; outage <= 2; outage++ {
		all(40, func(i int) {
			if i%2 == 0 {
				o.Failed(context.DeadlineExceeded) // a statement, seen by the callback
			}
			o.Refused(context.DeadlineExceeded) // the request's answer
		})
		if !o.Down() {
			t.Fatalf("outage %d: got Down false, want true", outage)
		}
		all(40, func(int) { o.Answered() })
		if o.Down() {
			t.Fatalf("outage %d over: got Down true, want false", outage)
		}
		warn, back := lines(log, "level=WARN"), lines(log, "database available again")
		if len(warn) != outage || len(back) != outage {
			t.Fatalf("outage %d: got %d warnings and %d recoveries, want %d of each:\n%s", outage, len(warn), len(back), outage, log)
		}
		if w := warn[outage-1]; !strings.Contains(w, "database unavailable") || !strings.Contains(w, `err="context deadline exceeded"`) {
			t.Errorf("warning: got %q, want database unavailable with the error", w)
		}
		if b := back[outage-1]; !strings.Contains(b, "level=INFO") || !strings.Contains(b, "refused=40") || !strings.Contains(b, "down_for=") {
			t.Errorf("recovery: got %q, want INFO with down_for and refused=40", b)
		}
	}
}

// Statements report to the tracker: one that works ends an outage.
func TestOutagesWatchStatements(t *testing.T) {
	log := &testapp.LogBuffer{}
	o := store.NewOutages(slog.New(slog.NewTextHandler(log, nil)))
	db := open(t, filepath.Join(t.TempDir(), "watch.db"), time.Second)
	if err := o.Watch(db); err != nil {
		t.Fatalf("watch: %v", err)
	}
	// A statement past its deadline starts an outage.
	ctx, cancel := context.WithTimeout(context.Background(), time.Nanosecond)
	defer cancel()
	<-ctx.Done()
	var n int
	if err := db.WithContext(ctx).Raw("SELECT 1").Scan(&n).Error; err == nil {
		t.Fatalf("statement past its deadline: got no error, want one")
	}
	if !o.Down() {
		t.Fatalf("after a statement past its deadline: got Down false, want true\n%s", log)
	}
	// One that the client gave up on changes nothing.
	gone, stop := context.WithCancel(context.Background())
	stop()
	db.WithContext(gone).Raw("SELECT 1").Scan(&n)
	if !o.Down() {
		t.Fatalf("after a cancelled statement: got Down false, want true")
	}
	// An ordinary answer, even "no rows", ends it.
	if err := db.Raw("SELECT 1 WHERE 1 = 0").Scan(&n).Error; err != nil {
		t.Fatalf("statement: %v", err)
	}
	if o.Down() {
		t.Fatalf("after a statement that worked: got Down true, want false")
	}
	if w, b := lines(log, "database unavailable"), lines(log, "database available again"); len(w) != 1 || len(b) != 1 {
		t.Errorf("got %d warnings and %d recoveries, want one of each:\n%s", len(w), len(b), log)
	}
}

// A statement that runs out of a timeout of its own on purpose (the
// search's walk gives way to another plan) is no outage; the same
// timeout without that mark is.
func TestOutagesIgnoreOwnPatience(t *testing.T) {
	base := os.Getenv("TEST_DATABASE_URL")
	if base == "" {
		t.Skip("TEST_DATABASE_URL is not set: statement timeouts are PostgreSQL's")
	}
	log := &testapp.LogBuffer{}
	o := store.NewOutages(slog.New(slog.NewTextHandler(log, nil)))
	db := open(t, testapp.FreshSchema(t, base), 5*time.Second)
	if err := o.Watch(db); err != nil {
		t.Fatalf("watch: %v", err)
	}
	walk := func(ctx context.Context) error {
		return db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
			tx.Exec("SELECT set_config('statement_timeout', '10ms', true)")
			return tx.Exec("SELECT pg_sleep(0.2)").Error
		})
	}
	if err := walk(store.WithPatience(context.Background())); err == nil {
		t.Fatal("the walk did not time out")
	}
	if o.Down() || len(lines(log, "database unavailable")) != 0 {
		t.Fatalf("a walk out of patience was taken for an outage:\n%s", log)
	}
	if err := walk(context.Background()); err == nil {
		t.Fatal("the statement did not time out")
	}
	if !o.Down() {
		t.Errorf("a statement timeout without the mark: got Down false, want true")
	}
}
