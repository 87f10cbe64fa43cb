package store_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"math/rand/v2"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"myaccount/internal/testapp"
	"myaccount/models"
	"myaccount/store"
)

// BenchmarkSearch measures the admin user search on a PostgreSQL database
// filled by cmd/genusers (docs/PERFORMANCE.md). It runs only when
// BENCH_DATABASE_URL names that database (BENCH_MERCHANT is the merchant
// code, "bench" by default). Without it, but with TEST_DATABASE_URL, it
// runs on 3,000 users that cmd/genusers puts in a schema of its own, so
// that `go test -bench` in CI keeps it working; those timings say nothing:
//
//	go run ./cmd/genusers --database-url $BENCH_DATABASE_URL --users 1000000 --merchant-code bench
//	go test ./store -run '^$' -bench 'BenchmarkSearch$' -benchtime 100x
//	go test ./store -run '^$' -bench 'BenchmarkSearchCounted$' -benchtime 100x
//	go test ./store -run '^$' -bench BenchmarkSearchMixed -benchtime 2000x -v
//	go test ./store -run '^$' -bench 'BenchmarkSearchAtOnce$' -benchtime 1000x
//
// The first run migrates the database, as the application would.
//
// Each sub-benchmark is one query shape, repeated. Besides the mean
// (ns/op) each reports its p50, p95 and p99 in milliseconds and the rows
// of its page. Nothing here asserts anything about time.
func BenchmarkSearch(b *testing.B) {
	f := benchSetup(b)
	benchShapes(b, f, f.users.Search)
}

// BenchmarkSearchCounted is BenchmarkSearch as the user list runs it: each
// page with its count (Users.SearchCounted).
func BenchmarkSearchCounted(b *testing.B) {
	f := benchSetup(b)
	benchShapes(b, f, f.users.SearchCounted)
}

// benchShapes runs each of f's query shapes through search.
func benchShapes(b *testing.B, f *benchFixture, search func(context.Context, store.UserQuery) (models.UserPage, error)) {
	ctx := context.Background()
	for _, c := range f.cases() {
		b.Run(c.name, func(b *testing.B) {
			// One untimed run first: the first query of a shape plans it
			// and reads what the previous shape evicted.
			if _, err := search(ctx, c.q); err != nil {
				b.Fatal(err)
			}
			durs := make([]time.Duration, 0, b.N)
			var rows int
			b.ResetTimer()
			for range b.N {
				start := time.Now()
				page, err := search(ctx, c.q)
				durs = append(durs, time.Since(start))
				if err != nil {
					b.Fatal(err)
				}
				rows = len(page.Users)
			}
			b.StopTimer()
			reportPercentiles(b, durs)
			b.ReportMetric(float64(rows), "rows")
		})
	}
}

// BenchmarkSearchAtOnce is the load command's admin search, four at a
// time (cmd/load, "admin search, 4 at a time"), without HTTP: its terms
// in turn, with the member numbers of four sampled users, each with its
// count as the user list runs it, from four goroutines that take the
// next search as each finishes. It reports the p50, p95 and p99 over all
// of them:
//
//	go test ./store -run '^$' -bench 'BenchmarkSearchAtOnce$' -benchtime 1000x
func BenchmarkSearchAtOnce(b *testing.B) {
	f := benchSetup(b)
	// cmd/load's searchTerms.
	terms := []string{"xu", "li", "an", "thomp", "smith", "garc", "nguyen", "müller", "g@yahoo.co", "james.sm", "gmail", "@hotmail", "rustyf"}
	for _, u := range f.sample[:4] {
		terms = append(terms, u.MemberNumber[:min(8, len(u.MemberNumber))])
	}
	const searchers = 4
	ctx := context.Background()
	durs := make([]time.Duration, b.N)
	var next atomic.Int64
	var wg sync.WaitGroup
	b.ResetTimer()
	for range searchers {
		wg.Go(func() {
			for i := int(next.Add(1) - 1); i < b.N; i = int(next.Add(1) - 1) {
				start := time.Now()
				_, err := f.users.SearchCounted(ctx, store.UserQuery{MerchantID: f.merchant, Text: terms[i%len(terms)]})
				durs[i] = time.Since(start)
				if err != nil {
					b.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	b.StopTimer()
	reportPercentiles(b, durs)
}

// BenchmarkSearchMixed runs varied queries of every kind, drawn as an
// admin's day might (see mixed), each with its count as the user list
// shows it (SearchCounted), and reports the p50, p95 and p99 over all
// of them; it logs them by kind, and the slowest queries (all of the
// log with -v). Run it with more iterations than BenchmarkSearch,
// -benchtime 2000x, for a stable p99.
func BenchmarkSearchMixed(b *testing.B) {
	f := benchSetup(b)
	ctx := context.Background()
	r := rand.New(rand.NewPCG(7, 11))
	durs := make([]time.Duration, 0, b.N)
	byKind := map[string][]time.Duration{}
	type slow struct {
		d    time.Duration
		kind string
		q    store.UserQuery
	}
	var slowest []slow
	b.ResetTimer()
	for range b.N {
		kind, q := f.mixed(r)
		start := time.Now()
		_, err := f.users.SearchCounted(ctx, q)
		d := time.Since(start)
		if err != nil {
			b.Fatalf("%+v: %v", q, err)
		}
		durs = append(durs, d)
		byKind[kind] = append(byKind[kind], d)
		slowest = append(slowest, slow{d, kind, q})
		slices.SortFunc(slowest, func(a, b slow) int { return int(b.d - a.d) })
		slowest = slowest[:min(len(slowest), 10)]
	}
	b.StopTimer()
	reportPercentiles(b, durs)
	if b.N < 100 {
		return
	}
	for _, kind := range slices.Sorted(maps.Keys(byKind)) {
		d := byKind[kind]
		slices.Sort(d)
		b.Logf("%-14s %5d queries  p50 %6.1f ms  p95 %6.1f ms  max %7.1f ms", kind, len(d), ms(d[len(d)/2]), ms(d[len(d)*95/100]), ms(d[len(d)-1]))
	}
	for _, s := range slowest {
		b.Logf("slow: %7.1f ms  %s: text=%q status=%q sort=%s desc=%v", ms(s.d), s.kind, s.q.Text, s.q.Status, s.q.Sort, s.q.Desc)
	}
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

func reportPercentiles(b *testing.B, durs []time.Duration) {
	slices.Sort(durs)
	at := func(p float64) float64 {
		i := min(len(durs)-1, int(float64(len(durs))*p))
		return ms(durs[i])
	}
	b.ReportMetric(at(0.50), "p50-ms")
	b.ReportMetric(at(0.95), "p95-ms")
	b.ReportMetric(at(0.99), "p99-ms")
}

type benchFixture struct {
	users    *store.Users
	merchant string
	// sample are users of the merchant picked deterministically: the
	// generator numbers them in external_id.
	sample []models.User
	// page40 is the cursor after page 39 of the unfiltered list by
	// username; middle is one half way down it.
	page40, middle string
}

type benchCase struct {
	name string
	q    store.UserQuery
}

var (
	benchOnce sync.Once
	benchFix  *benchFixture
	benchErr  error
)

func benchSetup(b *testing.B) *benchFixture {
	if url := os.Getenv("BENCH_DATABASE_URL"); url != "" {
		// The 200 sampled users spread over 1,000,000 generated.
		benchOnce.Do(func() { benchFix, benchErr = newBenchFixture(url, 4409) })
		if benchErr != nil {
			b.Fatal(benchErr)
		}
		return benchFix
	}
	base := os.Getenv("TEST_DATABASE_URL")
	if base == "" {
		b.Skip("neither BENCH_DATABASE_URL nor TEST_DATABASE_URL is set: see docs/PERFORMANCE.md")
	}
	const users = 3000
	url := testapp.FreshSchema(b, base)
	gen := exec.Command("go", "run", "../cmd/genusers", "--database-url", url, "--users", strconv.Itoa(users), "--merchant-code", "bench")
	if out, err := gen.CombinedOutput(); err != nil {
		b.Fatalf("cmd/genusers: %v\n%s", err, out)
	}
	f, err := newBenchFixture(url, users/227)
	if err != nil {
		b.Fatal(err)
	}
	return f
}

// newBenchFixture reads the merchant's sample from the database at url:
// 200 users, every spacing-th generated.
func newBenchFixture(url string, spacing int) (*benchFixture, error) {
	ctx := context.Background()
	db, err := store.Open(url, slog.New(slog.NewTextHandler(io.Discard, nil)), 0)
	if err != nil {
		return nil, err
	}
	// New migrations (indexes) apply to the benchmark database too.
	if _, err := store.Migrate(ctx, db); err != nil {
		return nil, err
	}
	code := os.Getenv("BENCH_MERCHANT")
	if code == "" {
		code = "bench"
	}
	var m models.Merchant
	if err := db.Where("code = ?", code).Take(&m).Error; err != nil {
		return nil, fmt.Errorf("merchant %s: %w (fill the database with cmd/genusers)", code, err)
	}
	f := &benchFixture{users: store.NewUsers(db, nil, models.LinkLifetimes{}), merchant: m.ID}
	var ext []string
	for i := range 200 {
		ext = append(ext, fmt.Sprintf("pos-%08d", 1+i*spacing))
	}
	if err := db.Where("merchant_id = ? AND external_id IN ?", m.ID, ext).Order("external_id").Find(&f.sample).Error; err != nil {
		return nil, err
	}
	if len(f.sample) < 100 {
		return nil, fmt.Errorf("merchant %s: found %d sample users, want 200: fill the database with cmd/genusers", code, len(f.sample))
	}
	q := store.UserQuery{MerchantID: m.ID}
	for range 39 {
		page, err := f.users.Search(ctx, q)
		if err != nil {
			return nil, err
		}
		q.After = page.Next
	}
	f.page40 = q.After
	var mid models.User
	if err := db.Where("merchant_id = ? AND lower(username) >= 'm'", m.ID).Order("lower(username), id").Take(&mid).Error; err != nil {
		return nil, err
	}
	f.middle = store.BenchCursor(strings.ToLower(mid.Username), mid.ID)
	return f, nil
}

// cases are the typical admin queries, one shape each.
func (f *benchFixture) cases() []benchCase {
	q := func(text string) store.UserQuery { return store.UserQuery{MerchantID: f.merchant, Text: text} }
	u := f.sample[17]
	member := u.MemberNumber[3:9]
	var card string
	for _, s := range f.sample[40:] {
		if s.CardNumber != "" {
			card = s.CardNumber[8:]
			break
		}
	}
	sorted := func(sort string, desc bool) store.UserQuery {
		return store.UserQuery{MerchantID: f.merchant, Sort: sort, Desc: desc}
	}
	return []benchCase{
		{"empty", q("")},
		{"name-thomp", q("thomp")},
		{"email-gmail", q("gmail")},
		{"email-local", q("james.sm")},
		{"username-part", q("rustyf")},
		{"member-number", q(member)},
		{"card-number", q(card)},
		{"card-last4", q(card[4:])},
		{"phone-national", q("(415) 555-01")},
		{"no-match", q("zqxjv")},
		{"status-locked", store.UserQuery{MerchantID: f.merchant, Status: models.StatusLocked}},
		{"status-inactive-thomp", store.UserQuery{MerchantID: f.merchant, Status: models.StatusInactive, Text: "thomp"}},
		{"role-admin", store.UserQuery{MerchantID: f.merchant, Role: models.RoleMerchantAdmin}},
		{"page-40", store.UserQuery{MerchantID: f.merchant, After: f.page40}},
		{"page-middle", store.UserQuery{MerchantID: f.merchant, After: f.middle}},
		{"last-login-desc", sorted("last_login", true)},
		{"sort-name", sorted("name", false)},
		{"sort-email", sorted("email", false)},
		{"sort-status", sorted("status", false)},
		{"name-thomp-by-name", store.UserQuery{MerchantID: f.merchant, Text: "thomp", Sort: "name"}},
		{"name-smith-by-name", store.UserQuery{MerchantID: f.merchant, Text: "smith", Sort: "name"}},
		{"username-common", q("rusty")},
		{"two-words", q("james thomp")},
		{"short-2-common", q("an")},
		{"short-2-rare", q("xu")},
		{"short-1", q("x")},
	}
}

// mixed draws one query of a plausible admin's day: mostly names and
// numbers of the sampled users, in part, some lists and filters.
func (f *benchFixture) mixed(r *rand.Rand) (kind string, q store.UserQuery) {
	q = store.UserQuery{MerchantID: f.merchant}
	u := &f.sample[r.IntN(len(f.sample))]
	frag := func(s string, lo, hi int) string { return fragment(r, s, lo, hi) }
	switch x := r.IntN(100); {
	case x < 13: // browse a list
		kind = "list"
		q.Sort = store.SortColumns[r.IntN(len(store.SortColumns))]
		q.Desc = r.IntN(2) == 0
	case x < 20: // a later page
		kind = "page"
		q.After = store.BenchCursor(strings.ToLower(u.Username), u.ID)
	case x < 37: // a surname, as typed so far
		kind = "surname"
		q.Text = strings.ToLower(u.LastName[:min(len(u.LastName), 3+r.IntN(4))])
	case x < 44: // first name and surname
		kind = "full-name"
		q.Text = u.FirstName + " " + u.LastName[:min(len(u.LastName), 3+r.IntN(4))]
	case x < 52: // part of the email
		kind = "email"
		q.Text = frag(u.Email, 5, 12)
	case x < 59: // part of the username
		kind = "username"
		q.Text = frag(u.Username, 4, 10)
	case x < 67: // part of the member number
		kind = "member-number"
		q.Text = frag(u.MemberNumber, 5, 10)
	case x < 75: // part of the card number, often its last four digits
		kind = "card-number"
		switch {
		case u.CardNumber == "":
			q.Text = u.LastName
		case r.IntN(2) == 0:
			q.Text = u.CardNumber[12:]
		default:
			q.Text = frag(u.CardNumber, 6, 16)
		}
	case x < 85: // a phone number, typed as people say it
		kind = "phone"
		p := u.Mobile
		if p == "" {
			p = "+12125550123"
		}
		if strings.HasPrefix(p, "+1") && len(p) == 12 {
			q.Text = fmt.Sprintf("(%s) %s-%s", p[2:5], p[5:8], p[8:])
		} else {
			q.Text = p[:3] + " " + p[3:6] + " " + p[6:]
		}
	case x < 92: // a status, maybe with a name
		kind = "status"
		q.Status = []string{models.StatusLocked, models.StatusInactive}[r.IntN(2)]
		if r.IntN(2) == 0 {
			q.Text = strings.ToLower(u.LastName[:min(len(u.LastName), 4)])
		}
	case x < 97: // one or two letters: the start of a name, or a short surname
		kind = "short"
		if r.IntN(2) == 0 {
			q.Text = strings.ToLower(u.LastName[:1+r.IntN(2)])
		} else {
			q.Text = []string{"li", "wu", "xu", "ng", "le", "yu", "ko", "oh"}[r.IntN(8)]
		}
	default: // nothing matches
		kind = "no-match"
		q.Text = fmt.Sprintf("zq%dxv", r.IntN(1000))
	}
	if q.Text != "" {
		kind, q = sortedSometimes(r, kind, q)
	}
	return kind, q
}

// fragment is a piece of s, lo to hi bytes long, as an admin types part of
// a value.
func fragment(r *rand.Rand, s string, lo, hi int) string {
	n := lo + r.IntN(hi-lo+1)
	if n >= len(s) {
		return s
	}
	i := r.IntN(len(s) - n + 1)
	return s[i : i+n]
}

// sortedSometimes sorts one search in ten by the latest sign-ins, and one
// by name, where a surname's matches lie together.
func sortedSometimes(r *rand.Rand, kind string, q store.UserQuery) (string, store.UserQuery) {
	switch r.IntN(10) {
	case 0: // the latest sign-ins first
		q.Sort, q.Desc = "last_login", true
		kind += "/login"
	case 1: // by name, where a surname's matches lie together
		q.Sort = "name"
		kind += "/name"
	}
	return kind, q
}
