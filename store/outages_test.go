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

// clock is a fake time that tests move on by hand; safe for concurrent
// use.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func newClock(o *store.Outages) *clock {
	c := &clock{now: time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC)}
	store.SetOutagesClock(o, c.Now)
	return c
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// Requests failing at once start one outage, logged once with the first
// error; the database answering again, seen by many at once once the
// quiet while has passed, ends it once, with the number of requests
// refused. A client that went away starts nothing.
func TestOutagesLogOnce(t *testing.T) {
	log := &testapp.LogBuffer{}
	o := store.NewOutages(slog.New(slog.NewTextHandler(log, nil)), 5*time.Second)
	clk := newClock(o)
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
		clk.Add(6 * time.Second)
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

// A partial hang, where some statements time out while others answer,
// is one outage: answers end it only once no statement has failed for the
// quiet while, so it logs one warning and one recovery, with every refused
// request counted, and how long it lasted until the database answered for
// good. A failure after that starts the next outage.
func TestOutagesPartialHangIsOneOutage(t *testing.T) {
	log := &testapp.LogBuffer{}
	o := store.NewOutages(slog.New(slog.NewTextHandler(log, nil)), 10*time.Second)
	clk := newClock(o)

	// For a minute, each second one request times out and another
	// gets its answer.
	for range 60 {
		o.Refused(context.DeadlineExceeded)
		o.Answered()
		clk.Add(time.Second)
	}
	// Answers alone, for less than the quiet while.
	for range 9 {
		o.Answered()
		clk.Add(time.Second)
		if !o.Down() {
			t.Fatalf("answers for under 10 s after the last failure ended the outage:\n%s", log)
		}
	}
	if w, b := lines(log, "database unavailable"), lines(log, "database available again"); len(w) != 1 || len(b) != 0 {
		t.Fatalf("during the partial hang: got %d warnings and %d recoveries, want 1 and 0:\n%s", len(w), len(b), log)
	}
	clk.Add(time.Second)
	o.Answered()
	if o.Down() {
		t.Fatalf("answers 10 s after the last failure: got Down true, want the outage over")
	}
	back := lines(log, "database available again")
	if len(back) != 1 || !strings.Contains(back[0], "refused=60") || !strings.Contains(back[0], "down_for=59s") {
		t.Fatalf("recovery: got %q, want one line with refused=60 and down_for=59s (until the first answer after the last failure)", back)
	}

	// A statement failing once the outage is over starts another.
	o.Failed(context.DeadlineExceeded)
	if !o.Down() || len(lines(log, "database unavailable")) != 2 {
		t.Errorf("a failure after the recovery: got Down %v and %d warnings, want a second outage", o.Down(), len(lines(log, "database unavailable")))
	}
}

// Statements report to the tracker: one that works ends an outage (here
// at once, with no quiet while).
func TestOutagesWatchStatements(t *testing.T) {
	log := &testapp.LogBuffer{}
	o := store.NewOutages(slog.New(slog.NewTextHandler(log, nil)), 0)
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
	o := store.NewOutages(slog.New(slog.NewTextHandler(log, nil)), 0)
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
