// Command genusers fills a PostgreSQL database with generated users for the
// admin search benchmark (docs/PERFORMANCE.md):
//
//	go run ./cmd/genusers --database-url postgres://postgres@127.0.0.1:5432/bench --users 1000000 --merchant-code bench
//
// It migrates the database first, then creates three merchants: CODE with
// 90% of the users, and CODE-east and CODE-west with 5% each, so the
// merchant filter does not make the search trivially small. The values are
// varied and realistic: names drawn from frequency-skewed lists (so a
// surname fragment matches about as often as in real data), usernames and
// emails derived from them, sequential member numbers, Luhn-valid card
// numbers, unique E.164 mobiles and phones from seven countries, mostly
// ACTIVE users with some LOCKED and INACTIVE, and a recent sign-in for most.
// The same seed gives the same users (ids and timestamps aside). Every one
// has the password Bench#2026, hashed once at bcrypt cost 4.
//
// Rows go in with COPY in one transaction that drops the users table's
// secondary indexes first and builds them again afterwards from their own
// definitions and statistics targets, rather than maintaining them, the
// trigram index among them, row by row; a failure rolls everything back.
// VACUUM (ANALYZE) runs at the end, and VACUUM again until every page of
// the table is all-visible (vacuum). It refuses to add users to a merchant
// that already has some.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math"
	"math/rand/v2"
	"os"
	"strings"
	"time"
	"unicode"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"golang.org/x/crypto/bcrypt"
	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"

	"myaccount/models"
	"myaccount/store"
)

func main() {
	fs := flag.NewFlagSet("genusers", flag.ContinueOnError)
	dbURL := fs.String("database-url", os.Getenv("BENCH_DATABASE_URL"), "PostgreSQL URL (default $BENCH_DATABASE_URL)")
	n := fs.Int("users", 1_000_000, "how many users to generate in all")
	code := fs.String("merchant-code", "bench", "code of the main merchant; CODE-east and CODE-west get 5% of the users each")
	seed := fs.Uint64("seed", 2026, "random seed")
	if err := fs.Parse(os.Args[1:]); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return
		}
		os.Exit(2)
	}
	if err := run(context.Background(), *dbURL, *n, *code, *seed); err != nil {
		fmt.Fprintln(os.Stderr, "genusers:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, dbURL string, total int, code string, seed uint64) error {
	if !store.IsPostgres(dbURL) {
		return errors.New("--database-url must be a postgres:// URL")
	}
	if total < 3 {
		return errors.New("--users must be at least 3")
	}
	start := time.Now()
	step := func(format string, args ...any) {
		fmt.Printf("%7.1fs  %s\n", time.Since(start).Seconds(), fmt.Sprintf(format, args...))
	}

	if err := migrate(ctx, dbURL); err != nil {
		return err
	}
	step("migrated")

	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		return err
	}
	defer conn.Close(ctx)

	now := time.Now().UTC().Truncate(time.Second)
	merchants, err := ensureMerchants(ctx, conn, code, total, now)
	if err != nil {
		return err
	}
	hash, err := bcrypt.GenerateFromPassword([]byte("Bench#2026"), 4)
	if err != nil {
		return err
	}
	taken, err := takenUsernames(ctx, conn)
	if err != nil {
		return err
	}

	tx, err := conn.Begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback(ctx)
	if _, err := tx.Exec(ctx, "SET LOCAL maintenance_work_mem = '1GB'"); err != nil {
		return err
	}
	indexes, err := dropIndexes(ctx, tx)
	if err != nil {
		return err
	}
	step("dropped %d secondary indexes of users", len(indexes))

	g := newGenerator(seed, merchants, string(hash), now, taken)
	copied, err := tx.CopyFrom(ctx, pgx.Identifier{"users"}, columns, g)
	if err != nil {
		return fmt.Errorf("copy: %w", err)
	}
	step("copied %d users", copied)
	for _, ix := range indexes {
		t := time.Now()
		for _, def := range ix.defs {
			if _, err := tx.Exec(ctx, def); err != nil {
				return fmt.Errorf("%s: %w", ix.name, err)
			}
		}
		step("built %s in %.1fs", ix.name, time.Since(t).Seconds())
	}
	if err := tx.Commit(ctx); err != nil {
		return err
	}
	step("committed")
	visible, pages, err := vacuum(ctx, conn, vacuumTries, vacuumWait)
	if err != nil {
		return err
	}
	step("vacuumed and analyzed users: %d of %d pages all-visible", visible, pages)
	if visible < pages {
		fmt.Fprintf(os.Stderr, "genusers: %d pages of users are not all-visible yet, as a transaction older than the new users is still open:"+
			" until VACUUM marks them, the admin search reads their rows from the table (end that transaction and run VACUUM users)\n", pages-visible)
	}
	for _, m := range merchants {
		fmt.Printf("merchant %-12s %s  %d users\n", m.code, m.id, m.users)
	}
	return nil
}

type merchant struct {
	id, code     string
	users        int
	memberPrefix byte
}

// ensureMerchant returns the id of the merchant with code, creating it when
// missing, and refuses a merchant that already has users.
// migrate brings the database's schema up to date.
func migrate(ctx context.Context, dbURL string) error {
	gdb, err := store.Open(dbURL, slog.New(slog.NewTextHandler(io.Discard, nil)), 0)
	if err != nil {
		return err
	}
	if sqlDB, err := gdb.DB(); err == nil {
		defer sqlDB.Close()
	}
	_, err = store.Migrate(ctx, gdb)
	return err
}

// ensureMerchants finds or creates the three benchmark merchants and
// shares total users among them: 90% to the first, 5% to each other.
func ensureMerchants(ctx context.Context, conn *pgx.Conn, code string, total int, now time.Time) ([]merchant, error) {
	east, west := total/20, total/20
	shares := []struct {
		code, name string
		users      int
	}{
		{code, "Benchmark Stores", total - east - west},
		{code + "-east", "Benchmark East", east},
		{code + "-west", "Benchmark West", west},
	}
	merchants := make([]merchant, len(shares))
	for i, s := range shares {
		id, err := ensureMerchant(ctx, conn, s.code, s.name, now)
		if err != nil {
			return nil, err
		}
		merchants[i] = merchant{id: id, code: s.code, users: s.users, memberPrefix: byte('1' + i)}
	}
	return merchants, nil
}

// takenUsernames are the usernames already in use, in lower case.
func takenUsernames(ctx context.Context, conn *pgx.Conn) (map[string]bool, error) {
	taken := map[string]bool{}
	rows, err := conn.Query(ctx, "SELECT lower(username) FROM users")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var u string
		if err := rows.Scan(&u); err != nil {
			return nil, err
		}
		taken[u] = true
	}
	return taken, rows.Err()
}

func ensureMerchant(ctx context.Context, conn *pgx.Conn, code, name string, now time.Time) (string, error) {
	var id string
	err := conn.QueryRow(ctx, "SELECT id::text FROM merchants WHERE code = $1", code).Scan(&id)
	if errors.Is(err, pgx.ErrNoRows) {
		id = store.NewID()
		p := models.VELAPolicy
		_, err = conn.Exec(ctx, `INSERT INTO merchants (id, code, name, password_min_length, password_min_lower,
			password_min_upper, password_min_digits, password_min_special, password_history, max_failed_logins,
			created_at, updated_at, version) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 5, $10, $10, 1)`,
			id, code, name, p.MinLength, p.MinLower, p.MinUpper, p.MinDigits, p.MinSpecial, p.History, now)
		return id, err
	}
	if err != nil {
		return "", err
	}
	var users int64
	if err := conn.QueryRow(ctx, "SELECT count(*) FROM users WHERE merchant_id = $1", id).Scan(&users); err != nil {
		return "", err
	}
	if users > 0 {
		return "", fmt.Errorf("merchant %s already has %d users: use another --merchant-code or a fresh database", code, users)
	}
	return id, nil
}

// index is a secondary index of users: its name, the statements that
// create it again (its definition, then any statistics target a migration
// set on its columns, which the definition does not carry).
type index struct {
	name string
	defs []string
}

// dropIndexes drops the users table's indexes except those behind a
// constraint (the primary key) and returns how to create them again.
func dropIndexes(ctx context.Context, tx pgx.Tx) ([]index, error) {
	rows, err := tx.Query(ctx, `SELECT c.relname, pg_get_indexdef(i.indexrelid),
			COALESCE((SELECT array_agg(format('ALTER INDEX %I ALTER COLUMN %s SET STATISTICS %s', c.relname, a.attnum, a.attstattarget))
				FROM pg_attribute a WHERE a.attrelid = i.indexrelid AND a.attstattarget >= 0), '{}')
		FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
		WHERE i.indrelid = 'users'::regclass
		  AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid)
		ORDER BY c.relname`)
	if err != nil {
		return nil, err
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (index, error) {
		var ix index
		var def string
		var stats []string
		err := r.Scan(&ix.name, &def, &stats)
		ix.defs = append([]string{def}, stats...)
		return ix, err
	})
	if err != nil {
		return nil, err
	}
	for _, ix := range out {
		if _, err := tx.Exec(ctx, "DROP INDEX "+pgx.Identifier{ix.name}.Sanitize()); err != nil {
			return nil, err
		}
	}
	return out, nil
}

var columns = []string{
	"id", "merchant_id", "username", "email", "member_number", "card_number", "external_id", "referral_code",
	"name_prefix", "first_name", "middle_initial", "last_name",
	"phone", "phone_country", "mobile", "mobile_country",
	"country", "address_line1", "city", "state", "postal_code",
	"organization", "job_title", "department",
	"language", "gender", "birthday", "mailing_list_offered", "mailing_list_subscribed",
	"programme_opted_in", "programme_joined_at", "terms_accepted", "privacy_accepted",
	"loyalty_status", "loyalty_tier", "points_balance", "home_store",
	"password_hash", "status", "roles", "failed_login_count", "locked_at",
	"password_changed_at", "first_login_at", "last_login_at",
	"created_at", "updated_at", "version",
}

// generator is a pgx.CopyFromSource making the users one at a time.
type generator struct {
	rng        *rand.Rand
	merchants  []merchant
	m, left    int // current merchant and users still to make for it
	seq        int // member number sequence within the merchant
	hash       string
	now        time.Time
	usernames  map[string]bool
	phones     map[string]bool
	row        []any
	referrals  int
	generation int
}

func newGenerator(seed uint64, merchants []merchant, hash string, now time.Time, taken map[string]bool) *generator {
	return &generator{
		rng: rand.New(rand.NewPCG(seed, 0x9e3779b97f4a7c15)), merchants: merchants, m: -1,
		hash: hash, now: now, usernames: taken, phones: map[string]bool{},
	}
}

func (g *generator) Err() error { return nil }

func (g *generator) Values() ([]any, error) { return g.row, nil }

func (g *generator) Next() bool {
	for g.left == 0 {
		g.m++
		if g.m == len(g.merchants) {
			return false
		}
		g.left, g.seq = g.merchants[g.m].users, 100_000+g.rng.IntN(50_000)
	}
	g.left--
	g.generation++
	g.row = g.user(&g.merchants[g.m])
	return true
}

// pick returns an index below n skewed towards 0, like the frequency of
// names: with n=250 the first is about 1.4%, the 20th about 0.5%.
func (g *generator) pick(n int) int {
	return min(n-1, int(float64(n)*math.Pow(g.rng.Float64(), 1.3)))
}

func (g *generator) chance(p float64) bool { return g.rng.Float64() < p }

func (g *generator) digits(n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte('0' + g.rng.IntN(10))
	}
	return string(b)
}

func (g *generator) user(m *merchant) []any {
	r := g.rng
	first := firstNames[g.pick(len(firstNames))]
	last := lastNames[g.pick(len(lastNames))]
	reg := &regions[weighted(r, regionWeights)]
	place := reg.places[r.IntN(len(reg.places))]
	f, l := ascii(first), ascii(last)

	email := g.email(f, l, reg)
	username := g.username(f, l, email)

	created := g.now.Add(-time.Duration(r.Int64N(int64(6 * 365 * 24 * time.Hour))))
	a := g.account(created)
	var joined, birthday any
	if g.chance(0.8) {
		birthday = time.Date(1940+r.IntN(66), time.Month(1+r.IntN(12)), 1+r.IntN(28), 0, 0, 0, 0, time.UTC)
	}
	optedIn := g.chance(0.7)
	if optedIn {
		joined = created
	}
	mobile, mobileCountry := "", ""
	if g.chance(0.85) {
		mobile, mobileCountry = g.unique(reg.mobile), reg.country
	}
	phone, phoneCountry := "", ""
	if g.chance(0.3) {
		phone, phoneCountry = g.unique(reg.phone), reg.country
	}
	card := ""
	if g.chance(0.85) {
		card = luhn("600030" + g.digits(9))
	}
	prefix, middle := "", ""
	if g.chance(0.15) {
		prefix = []string{"Mr", "Ms", "Mrs", "Dr", "Mx"}[r.IntN(5)]
	}
	if g.chance(0.3) {
		middle = string(rune('A' + r.IntN(26)))
	}
	referral := ""
	if g.chance(0.2) {
		g.referrals++
		referral = fmt.Sprintf("%s-%04d", strings.ToUpper(f[:min(4, len(f))]), g.referrals%10000)
	}
	g.seq += 1 + r.IntN(3)
	member := fmt.Sprintf("%c%09d", m.memberPrefix, g.seq)
	genders := []string{"", models.GenderFemale, models.GenderMale}

	return []any{
		uuid.Must(uuid.NewV7()).String(), m.id, username, email, member, card, fmt.Sprintf("pos-%08d", g.generation), referral,
		prefix, first, middle, last,
		phone, phoneCountry, mobile, mobileCountry,
		reg.country, fmt.Sprintf("%d %s", 1+r.IntN(9800), streets[r.IntN(len(streets))]), place.city, place.state, place.postal(r),
		a.org, a.job, a.dept,
		reg.languages[r.IntN(len(reg.languages))], genders[r.IntN(3)], birthday, true, g.chance(0.45),
		optedIn, joined, true, true,
		"Enrolled", tiers[g.pick(len(tiers))], r.Int64N(25_000), fmt.Sprintf("%s %s", place.city, []string{"Central", "Mall", "Airport", "Downtown"}[r.IntN(4)]),
		g.hash, a.status, a.roles, a.failed, a.lockedAt,
		created, a.firstLogin, a.lastLogin,
		created, created, int32(1),
	}
}

// email makes a plausible address: a name-based local part, often with
// digits, at a common mail provider or one of the region's.
// accountState is a generated user's standing: status, staff role and
// sign-ins.
type accountState struct {
	status, roles, org, job, dept string
	lastLogin, firstLogin         any
	lockedAt                      any
	failed                        int32
}

// account draws a user's standing. The draws are in a fixed order, so a
// seed always makes the same users.
func (g *generator) account(created time.Time) accountState {
	r := g.rng
	a := accountState{status: models.StatusActive, roles: models.RoleCustomer}
	switch x := r.Float64(); {
	case x < 0.045:
		a.status = models.StatusLocked
	case x < 0.07:
		a.status = models.StatusInactive
	}
	if g.chance(0.00005) {
		a.roles, a.org, a.job, a.dept = models.RoleMerchantAdmin, "Benchmark Stores", "Guest services", "Guest services"
	}
	if a.status != models.StatusInactive && g.chance(0.88) {
		// Most sign-ins are recent: skew towards now.
		span := g.now.Sub(created)
		ll := g.now.Add(-time.Duration(float64(span) * math.Pow(r.Float64(), 3)))
		fl := created.Add(time.Duration(float64(ll.Sub(created)) * r.Float64() * 0.2))
		a.lastLogin, a.firstLogin = ll, fl
	}
	if a.status == models.StatusLocked {
		a.lockedAt, a.failed = g.now.Add(-time.Duration(r.Int64N(int64(90*24*time.Hour)))), 5
	}
	return a
}

func (g *generator) email(f, l string, reg *region) string {
	r := g.rng
	var local string
	switch r.IntN(7) {
	case 0, 1:
		local = f + "." + l
	case 2:
		local = f + l
	case 3:
		local = f[:1] + l
	case 4:
		local = f + "_" + l
	case 5:
		local = l + "." + f
	default:
		local = f + "." + l[:1]
	}
	if g.chance(0.6) {
		local += fmt.Sprint(r.IntN([]int{10, 100, 10000}[r.IntN(3)]))
	}
	domain := domains[weighted(r, domainWeights)]
	if g.chance(0.25) {
		domain = reg.domains[r.IntN(len(reg.domains))]
	}
	return local + "@" + domain
}

// username makes a unique username (unique whatever the case across the
// whole table): the email, its local part, a name or a handle, with a
// number when the plain one is taken.
func (g *generator) username(f, l, email string) string {
	r := g.rng
	var base string
	switch x := r.IntN(100); {
	case x < 12:
		base = email
	case x < 40:
		base = email[:strings.IndexByte(email, '@')]
	case x < 60:
		base = f + "." + l
	case x < 72:
		base = f[:1] + l
	case x < 80:
		base = cases(f) + cases(l[:1])
	default:
		base = adjectives[r.IntN(len(adjectives))] + nouns[r.IntN(len(nouns))]
		if g.chance(0.3) {
			base = cases(base)
		}
	}
	try := func(s string) bool {
		if g.usernames[strings.ToLower(s)] {
			return false
		}
		g.usernames[strings.ToLower(s)] = true
		return true
	}
	if try(base) {
		return base
	}
	if at := strings.IndexByte(base, '@'); at >= 0 {
		base = base[:at] // an email taken as username: use a name instead
	}
	for _, n := range []int{100, 10_000, 1_000_000} {
		for range 3 {
			if s := fmt.Sprint(base, r.IntN(n)); try(s) {
				return s
			}
		}
	}
	s := fmt.Sprintf("%s.%d", base, g.generation)
	try(s)
	return s
}

// unique draws numbers from gen until one is new and passes the
// application's own phone rule, so that every generated user can save
// their profile form as it comes back.
func (g *generator) unique(gen func(*rand.Rand, func(int) string) string) string {
	for {
		s := gen(g.rng, g.digits)
		if g.phones[s] {
			continue
		}
		if e164, _, err := models.CleanPhone("Phone", s, ""); err != nil || e164 != s {
			continue
		}
		g.phones[s] = true
		return s
	}
}

func luhn(s string) string {
	sum := 0
	for i := len(s) - 1; i >= 0; i-- {
		d := int(s[i] - '0')
		if (len(s)-i)%2 == 1 {
			d *= 2
			if d > 9 {
				d -= 9
			}
		}
		sum += d
	}
	return s + fmt.Sprint((10-sum%10)%10)
}

func weighted(r *rand.Rand, weights []int) int {
	total := 0
	for _, w := range weights {
		total += w
	}
	x := r.IntN(total)
	for i, w := range weights {
		if x < w {
			return i
		}
		x -= w
	}
	return len(weights) - 1
}

var fold = transform.Chain(norm.NFD, runes.Remove(runes.Predicate(func(r rune) bool {
	return unicode.Is(unicode.Mn, r) || r == '\'' || r == ' ' || r == '-'
})), runes.Map(func(r rune) rune {
	switch r {
	case 'ß':
		return 's'
	case 'ø':
		return 'o'
	case 'ł':
		return 'l'
	}
	return unicode.ToLower(r)
}))

// ascii is a name as it appears in an email address.
func ascii(name string) string {
	s, _, _ := transform.String(fold, name)
	return s
}

func cases(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

type place struct {
	city, state string
	postal      func(*rand.Rand) string
}

type region struct {
	country       string
	languages     []string
	places        []place
	domains       []string
	mobile, phone func(r *rand.Rand, digits func(int) string) string
}

func zip(prefix string, n int) func(*rand.Rand) string {
	return func(r *rand.Rand) string { return prefix + fmt.Sprintf("%0*d", n, r.IntN(int(math.Pow10(n)))) }
}

func usNumber(areas []string) func(*rand.Rand, func(int) string) string {
	return func(r *rand.Rand, d func(int) string) string {
		return "+1" + areas[r.IntN(len(areas))] + fmt.Sprint(200+r.IntN(800)) + d(4)
	}
}

var (
	usAreas = []string{"201", "202", "206", "212", "213", "214", "215", "224", "248", "267", "281", "301", "303", "305", "310", "312", "313",
		"314", "317", "323", "404", "407", "408", "412", "415", "425", "469", "503", "512", "602", "614", "615", "617", "619", "646",
		"650", "678", "702", "704", "713", "718", "720", "770", "773", "786", "813", "832", "858", "901", "917", "919", "925", "949", "972"}
	caAreas = []string{"416", "647", "604", "778", "514", "438", "403", "613", "780", "905"}

	regions = []region{
		{"US", []string{"en-US", "en-US", "en-US", "es-US"}, []place{
			{"New York", "NY", zip("100", 2)}, {"Brooklyn", "NY", zip("112", 2)}, {"Los Angeles", "CA", zip("900", 2)},
			{"San Francisco", "CA", zip("941", 2)}, {"Chicago", "IL", zip("606", 2)}, {"Houston", "TX", zip("770", 2)},
			{"Austin", "TX", zip("787", 2)}, {"Phoenix", "AZ", zip("850", 2)}, {"Philadelphia", "PA", zip("191", 2)},
			{"Seattle", "WA", zip("981", 2)}, {"Portland", "OR", zip("972", 2)}, {"Denver", "CO", zip("802", 2)},
			{"Boston", "MA", zip("021", 2)}, {"Atlanta", "GA", zip("303", 2)}, {"Johns Creek", "GA", zip("300", 2)},
			{"Miami", "FL", zip("331", 2)}, {"Orlando", "FL", zip("328", 2)}, {"Nashville", "TN", zip("372", 2)},
			{"Minneapolis", "MN", zip("554", 2)}, {"Columbus", "OH", zip("432", 2)}, {"Las Vegas", "NV", zip("891", 2)},
		}, []string{"comcast.net", "att.net", "verizon.net", "sbcglobal.net", "cox.net", "charter.net"},
			usNumber(usAreas), usNumber(usAreas)},
		{"CA", []string{"en-CA", "fr-CA"}, []place{
			{"Toronto", "ON", func(r *rand.Rand) string { return fmt.Sprintf("M%dV %dT%d", r.IntN(10), r.IntN(10), r.IntN(10)) }},
			{"Vancouver", "BC", func(r *rand.Rand) string { return fmt.Sprintf("V%dB %dK%d", r.IntN(10), r.IntN(10), r.IntN(10)) }},
			{"Montréal", "QC", func(r *rand.Rand) string { return fmt.Sprintf("H%dA %dB%d", r.IntN(10), r.IntN(10), r.IntN(10)) }},
		}, []string{"rogers.com", "shaw.ca", "videotron.ca", "sympatico.ca"}, usNumber(caAreas), usNumber(caAreas)},
		{"GB", []string{"en-GB"}, []place{
			{"London", "", func(r *rand.Rand) string { return fmt.Sprintf("SW%d %dAA", 1+r.IntN(20), r.IntN(10)) }},
			{"Manchester", "", func(r *rand.Rand) string { return fmt.Sprintf("M%d %dAE", 1+r.IntN(40), r.IntN(10)) }},
			{"Leeds", "", func(r *rand.Rand) string { return fmt.Sprintf("LS%d %dBH", 1+r.IntN(29), r.IntN(10)) }},
		}, []string{"btinternet.com", "sky.com", "virginmedia.com", "talktalk.net"},
			func(r *rand.Rand, d func(int) string) string { return "+447" + fmt.Sprint(4+r.IntN(6)) + d(8) },
			func(r *rand.Rand, d func(int) string) string {
				return []string{"+4420", "+44161", "+44113"}[r.IntN(3)] + fmt.Sprint(2+r.IntN(7)) + d(6)
			}},
		{"BE", []string{"nl-BE", "fr-BE"}, []place{
			{"Brussel", "", zip("10", 2)}, {"Antwerpen", "", zip("20", 2)}, {"Gent", "", zip("90", 2)}, {"Liège", "", zip("40", 2)},
		}, []string{"telenet.be", "skynet.be", "proximus.be"},
			func(r *rand.Rand, d func(int) string) string { return "+324" + fmt.Sprint(6+r.IntN(4)) + d(7) },
			func(r *rand.Rand, d func(int) string) string {
				return []string{"+322", "+323", "+329"}[r.IntN(3)] + d(7)
			}},
		{"FR", []string{"fr-FR"}, []place{
			{"Paris", "", zip("750", 2)}, {"Lyon", "", zip("6900", 1)}, {"Lille", "", zip("5900", 1)}, {"Nantes", "", zip("4400", 1)},
		}, []string{"orange.fr", "free.fr", "sfr.fr", "laposte.net"},
			func(r *rand.Rand, d func(int) string) string { return "+33" + fmt.Sprint(6+r.IntN(2)) + d(8) },
			func(r *rand.Rand, d func(int) string) string { return "+33" + fmt.Sprint(1+r.IntN(5)) + d(8) }},
		{"NL", []string{"nl-NL"}, []place{
			{"Amsterdam", "", func(r *rand.Rand) string { return fmt.Sprintf("10%02d AB", r.IntN(100)) }},
			{"Rotterdam", "", func(r *rand.Rand) string { return fmt.Sprintf("30%02d CD", r.IntN(100)) }},
			{"Utrecht", "", func(r *rand.Rand) string { return fmt.Sprintf("35%02d EF", r.IntN(100)) }},
		}, []string{"ziggo.nl", "kpnmail.nl", "xs4all.nl"},
			func(r *rand.Rand, d func(int) string) string { return "+316" + d(8) },
			func(r *rand.Rand, d func(int) string) string {
				return []string{"+3120", "+3110", "+3130"}[r.IntN(3)] + d(7)
			}},
		{"DE", []string{"de-DE"}, []place{
			{"Berlin", "", zip("10", 3)}, {"München", "", zip("80", 3)}, {"Hamburg", "", zip("20", 3)}, {"Köln", "", zip("50", 3)},
		}, []string{"gmx.de", "web.de", "t-online.de"},
			func(r *rand.Rand, d func(int) string) string {
				return "+49" + []string{"151", "160", "170", "171", "172", "176"}[r.IntN(6)] + d(8)
			},
			func(r *rand.Rand, d func(int) string) string {
				return []string{"+4930", "+4989", "+4940"}[r.IntN(3)] + d(8)
			}},
	}
	regionWeights = []int{70, 6, 8, 5, 4, 4, 3}

	domains       = []string{"gmail.com", "yahoo.com", "hotmail.com", "outlook.com", "icloud.com", "aol.com", "msn.com", "live.com", "me.com", "protonmail.com", "mail.com", "ymail.com"}
	domainWeights = []int{34, 13, 10, 9, 8, 3, 2, 2, 2, 1, 1, 1}

	// Names roughly in order of frequency: pick favours the first.
	firstNames = []string{"James", "Mary", "Michael", "Patricia", "John", "Jennifer", "Robert", "Linda", "David", "Elizabeth",
		"William", "Barbara", "Richard", "Susan", "Joseph", "Jessica", "Thomas", "Sarah", "Christopher", "Karen",
		"Charles", "Lisa", "Daniel", "Nancy", "Matthew", "Betty", "Anthony", "Sandra", "Mark", "Margaret",
		"Donald", "Ashley", "Steven", "Kimberly", "Andrew", "Emily", "Paul", "Donna", "Joshua", "Michelle",
		"Kenneth", "Carol", "Kevin", "Amanda", "Brian", "Melissa", "Timothy", "Deborah", "Ronald", "Stephanie",
		"George", "Rebecca", "Jason", "Sharon", "Edward", "Laura", "Jeffrey", "Cynthia", "Ryan", "Dorothy",
		"Jacob", "Amy", "Nicholas", "Kathleen", "Gary", "Angela", "Eric", "Shirley", "Jonathan", "Emma",
		"Olivia", "Liam", "Noah", "Sophia", "Mateo", "Isabella", "Lucas", "Mia", "Ethan", "Charlotte",
		"Maya", "Aiden", "Chloé", "Sofía", "José", "María", "Luis", "Ana", "Carlos", "Lucía",
		"Wei", "Mei", "Hiroshi", "Yuki", "Arjun", "Priya", "Mohammed", "Fatima", "Yusuf", "Aisha",
		"Kofi", "Amara", "Oskar", "Ingrid", "Lars", "Astrid", "Jonas", "Léa", "Hugo", "Camille",
		"Lukas", "Hanna", "Finn", "Zoë", "Elif", "Emre", "Nadia", "Ravi", "Tomás", "Inês",
		"Sven", "Björn", "Søren", "Małgorzata", "Piotr", "Dmitri", "Olga", "Giulia", "Marco", "Chiara",
		"Siobhán", "Seán", "Niamh", "Kwame", "Chidi", "Ngozi", "Thanh", "Minh", "Jae", "Seo-yeon"}
	lastNames = []string{"Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Rodriguez", "Martinez",
		"Hernandez", "Lopez", "Gonzalez", "Wilson", "Anderson", "Thomas", "Taylor", "Moore", "Jackson", "Martin",
		"Lee", "Perez", "Thompson", "White", "Harris", "Sanchez", "Clark", "Ramirez", "Lewis", "Robinson",
		"Walker", "Young", "Allen", "King", "Wright", "Scott", "Torres", "Nguyen", "Hill", "Flores",
		"Green", "Adams", "Nelson", "Baker", "Hall", "Rivera", "Campbell", "Mitchell", "Carter", "Roberts",
		"Gomez", "Phillips", "Evans", "Turner", "Diaz", "Parker", "Cruz", "Edwards", "Collins", "Reyes",
		"Stewart", "Morris", "Morales", "Murphy", "Cook", "Rogers", "Gutierrez", "Ortiz", "Morgan", "Cooper",
		"Peterson", "Bailey", "Reed", "Kelly", "Howard", "Ramos", "Kim", "Cox", "Ward", "Richardson",
		"Watson", "Brooks", "Chavez", "Wood", "James", "Bennett", "Gray", "Mendoza", "Ruiz", "Hughes",
		"Price", "Alvarez", "Castillo", "Sanders", "Patel", "Myers", "Long", "Ross", "Foster", "Jimenez",
		"Powell", "Jenkins", "Perry", "Russell", "Sullivan", "Bell", "Coleman", "Butler", "Henderson", "Barnes",
		"Gonzales", "Fisher", "Vasquez", "Simmons", "Romero", "Jordan", "Patterson", "Alexander", "Hamilton", "Graham",
		"Reynolds", "Griffin", "Wallace", "Moreno", "West", "Cole", "Hayes", "Bryant", "Herrera", "Gibson",
		"Ellis", "Tran", "Medina", "Aguilar", "Stevens", "Murray", "Ford", "Castro", "Marshall", "Owens",
		"O'Brien", "O'Connor", "McCarthy", "MacDonald", "Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer",
		"Wagner", "Becker", "Schäfer", "Koch", "Dubois", "Martin", "Bernard", "Lefèvre", "Moreau", "Laurent",
		"Fournier", "Girard", "Rossi", "Russo", "Ferrari", "Esposito", "Bianchi", "Romano", "Colombo", "Ricci",
		"Janssen", "De Vries", "Van den Berg", "Bakker", "Visser", "Peeters", "Maes", "Jacobs", "Mertens", "Willems",
		"Kowalski", "Nowak", "Wiśniewski", "Wójcik", "Novák", "Svoboda", "Andersen", "Nielsen", "Hansen", "Jensen",
		"Lindqvist", "Johansson", "Karlsson", "Nilsson", "Eriksson", "Virtanen", "Korhonen", "Silva", "Santos", "Ferreira",
		"Pereira", "Oliveira", "Costa", "Rodrigues", "Almeida", "Tanaka", "Suzuki", "Takahashi", "Watanabe", "Yamamoto",
		"Wang", "Li", "Zhang", "Liu", "Chen", "Yang", "Huang", "Zhao", "Wu", "Zhou",
		"Park", "Choi", "Jung", "Kang", "Pham", "Le", "Hoang", "Khan", "Ahmed", "Ali",
		"Hussain", "Haddad", "Nasser", "Yilmaz", "Kaya", "Demir", "Okafor", "Adeyemi", "Mensah", "Okonkwo",
		"Singh", "Kumar", "Sharma", "Gupta", "Reddy", "Iyer", "Cohen", "Levi", "Friedman", "Goldberg"}

	tiers      = []string{"Bronze", "Silver", "Gold", "Platinum"}
	streets    = []string{"Main Street", "Oak Avenue", "Maple Drive", "Cedar Lane", "Park Road", "Elm Street", "Lake View", "High Street", "Church Road", "Mill Lane", "Station Road", "Sunset Boulevard"}
	adjectives = []string{"blue", "happy", "sunny", "quiet", "brave", "lucky", "swift", "clever", "golden", "silver", "wild", "cosy", "jolly", "misty", "rusty"}
	nouns      = []string{"falcon", "otter", "panda", "fox", "tiger", "maple", "river", "comet", "pixel", "biscuit", "mango", "pepper", "harbor", "rocket", "willow"}
)
