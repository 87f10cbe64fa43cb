package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"
	vegeta "github.com/tsenart/vegeta/v12/lib"
	"golang.org/x/crypto/bcrypt"
)

// searchTerms are the admin search's mix: one and two letters, surnames
// as typed so far, email fragments and usernames; member number prefixes
// of the signed-in guests are added.
var searchTerms = []string{"xu", "li", "an", "thomp", "smith", "garc", "nguyen", "müller", "g@yahoo.co", "james.sm", "gmail", "@hotmail", "rustyf"}

// cities alternate in the writes, so that every save changes something.
var cities = [2]string{"Savannah", "Tybee Island"}

func otherCity(c string) string {
	if c == cities[0] {
		return cities[1]
	}
	return cities[0]
}

// report is what a run measured, in the order it is shown.
type report struct {
	opts        options
	command     string
	date        time.Time
	machine     machine
	loadBefore  string
	loadAfter   string
	took        time.Duration
	generated   time.Duration
	bcrypt      [2]bcryptFigures // before and after the sign-ins
	admin       string
	promoted    bool
	rounds      [][2]result // reference page, GET /account
	reference   result      // all rounds
	account     result      // all rounds
	profile     result
	profileSave int64          // how much the guests' versions rose
	writable    int            // guests whose profile form saves
	refused     map[string]int // fields flagged in the others' forms
	signIn      result
	mixedSignIn result
	mixedPage   result
	search      result
	searchFew   result
	apiGet      result
	apiPatch    result
	apiSave     int64
	peakRSS     int64 // VmHWM of the application at the end, kB
	searchTerms []string
}

func run(ctx context.Context, o options, command string) (err error) {
	rep := &report{opts: o, command: command, date: time.Now().UTC(), machine: describeMachine(), loadBefore: loadAverage()}
	started := time.Now()
	root, err := moduleRoot(ctx)
	if err != nil {
		return err
	}
	tmp, err := os.MkdirTemp("", "myaccount-load-")
	if err != nil {
		return err
	}
	defer func() {
		if o.keep || err != nil {
			fmt.Printf("kept %s (binaries and server logs)\n", tmp)
			return
		}
		os.RemoveAll(tmp)
	}()
	dbURL, err := databaseURL(o.databaseURL, o.database)
	if err != nil {
		return err
	}

	bin, err := phase(ctx, "build the application, cmd/genusers and cmd/refpage", 5*time.Minute, func(ctx context.Context) (binaries, error) {
		return build(ctx, root, tmp)
	})
	if err != nil {
		return err
	}
	if _, err := phase(ctx, "create database "+o.database, 30*time.Second, func(ctx context.Context) (any, error) {
		return nil, recreateDatabase(ctx, o.databaseURL, o.database)
	}); err != nil {
		return err
	}
	if !o.keep {
		defer func() {
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			if err := dropDatabase(ctx, o.databaseURL, o.database); err != nil {
				fmt.Fprintln(os.Stderr, "load: drop database:", err)
			}
		}()
	}
	genStart := time.Now()
	if _, err := phase(ctx, fmt.Sprintf("generate %s users", thousands(float64(o.users))), 3*time.Minute+time.Duration(o.users)*600*time.Microsecond,
		func(ctx context.Context) (any, error) { return nil, generate(ctx, bin.genusers, dbURL, o.users) }); err != nil {
		return err
	}
	rep.generated = time.Since(genStart)

	db, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		return err
	}
	defer db.Close(context.Background())
	if err := db.QueryRow(ctx, "SELECT version()").Scan(&rep.machine.postgres); err != nil {
		return err
	}
	hash, err := bcrypt.GenerateFromPassword([]byte(password), o.bcryptCost)
	if err != nil {
		return err
	}
	var guests []*account
	var admin *account
	if _, err := phase(ctx, "choose the accounts", time.Minute, func(ctx context.Context) (any, error) {
		guests, admin, rep.promoted, err = pickAccounts(ctx, db, o.sessions, string(hash))
		return nil, err
	}); err != nil {
		return err
	}
	rep.admin = admin.username

	// The application and the reference page, on ports of their own.
	appAddr, err := freeAddr()
	if err != nil {
		return err
	}
	refAddr, err := freeAddr()
	if err != nil {
		return err
	}
	secret := make([]byte, 32)
	if _, err := rand.Read(secret); err != nil {
		return err
	}
	app, ref := "http://"+appAddr, "http://"+refAddr
	server, err := start("the application", bin.server, []string{
		"--addr", appAddr, "--base-url", app, "--database-url", dbURL, "--session-secret", hex.EncodeToString(secret),
		"--signin-rate-ip", "0", "--signin-rate-account", "0", "--api-rate-key", "0",
		"--bcrypt-cost", strconv.Itoa(o.bcryptCost), "--mail-dir", filepath.Join(tmp, "mail"),
	}, filepath.Join(tmp, "server.log"))
	if err != nil {
		return err
	}
	defer server.stop(20 * time.Second)
	refpage, err := start("the reference page", bin.refpage, []string{
		"--addr", refAddr, "--database-url", dbURL, "--session-secret", hex.EncodeToString(secret),
	}, filepath.Join(tmp, "refpage.log"))
	if err != nil {
		return err
	}
	defer refpage.stop(10 * time.Second)
	if _, err := phase(ctx, "start the application and the reference page", time.Minute, func(ctx context.Context) (any, error) {
		if err := waitReady(ctx, server, app+"/readyz"); err != nil {
			return nil, err
		}
		return nil, waitReady(ctx, refpage, ref+"/readyz")
	}); err != nil {
		return err
	}
	fmt.Printf("   the application on %s (pid %d), the reference page on %s (pid %d)\n", app, server.pid(), ref, refpage.pid())

	var key string
	var pairs [][2]string
	if _, err := phase(ctx, fmt.Sprintf("sign %d guests and the admin in, create an API key", len(guests)), 3*time.Minute, func(ctx context.Context) (any, error) {
		if err := signInAll(ctx, app, guests); err != nil {
			return nil, err
		}
		if key, err = adminKey(ctx, app, admin); err != nil {
			return nil, err
		}
		pairs, err = signInPairs(ctx, app, o.connections)
		return nil, err
	}); err != nil {
		return err
	}
	rep.searchTerms = slices.Clone(searchTerms)
	for _, g := range guests[:min(4, len(guests))] {
		if prefix := g.member[:min(8, len(g.member))]; !slices.Contains(rep.searchTerms, prefix) {
			rep.searchTerms = append(rep.searchTerms, prefix)
		}
	}

	s := scenarios{ctx: ctx, o: o, appPID: server.pid(), refPID: refpage.pid(), app: app, ref: ref, guests: guests, admin: admin, key: key, pairs: pairs, terms: rep.searchTerms, hash: hash}
	if err := s.runAll(rep, db); err != nil {
		return err
	}
	rep.peakRSS, _ = procField(fmt.Sprintf("/proc/%d/status", server.pid()), "VmHWM")
	rep.loadAfter = loadAverage()
	rep.took = time.Since(started)

	doc, _ := os.ReadFile(filepath.Join(root, o.docs))
	body := rep.markdown(string(doc))
	fmt.Println()
	fmt.Println(body)
	if o.writeDocs {
		path := filepath.Join(root, o.docs)
		if err := os.WriteFile(path, []byte(replaceSection(string(doc), o.users, body)), 0o644); err != nil {
			return err
		}
		fmt.Printf("wrote the run into %s\n", path)
	}
	return nil
}

// scenarios drives the application and the reference page.
type scenarios struct {
	ctx    context.Context
	o      options
	appPID int
	refPID int
	app    string
	ref    string
	guests []*account
	admin  *account
	key    string
	pairs  [][2]string
	terms  []string
	hash   []byte
}

// bcryptFigures are what bcrypt allows: checks a second, and checks per
// second of CPU time.
type bcryptFigures struct{ perSecond, perCPUSecond float64 }

// bcrypt measures what bcrypt at the run's cost allows, while the servers
// wait: the bound of sign-ins.
func (s scenarios) bcrypt() (bcryptFigures, error) {
	return phase(s.ctx, fmt.Sprintf("bcrypt at cost %d on %d goroutines", s.o.bcryptCost, runtime.NumCPU()), 30*time.Second,
		func(ctx context.Context) (bcryptFigures, error) {
			var f bcryptFigures
			f.perSecond, f.perCPUSecond = bcryptRate(ctx, s.hash, 3*time.Second)
			fmt.Printf("   %.1f checks/s, %.1f per CPU second\n", f.perSecond, f.perCPUSecond)
			return f, ctx.Err()
		})
}

// drive runs the loads against the process pid side by side, as one
// phase with a time limit.
func (s scenarios) drive(name string, pid int, loads ...load) ([]result, error) {
	return phase(s.ctx, name, s.o.duration+requestTimeout+20*time.Second, func(ctx context.Context) ([]result, error) {
		out := drive(ctx, s.o.duration, pid, loads...)
		for _, r := range out {
			fmt.Print("   " + r.row())
		}
		return out, ctx.Err()
	})
}

// pages are GETs of path on base, rotating over the guests' sessions.
func (s scenarios) pages(name, base, path string) load {
	return load{name: name, connections: s.o.connections, target: rotate(func(n int, t *vegeta.Target) {
		t.Method, t.URL = http.MethodGet, base+path
		t.Header = http.Header{"Cookie": {s.guests[n%len(s.guests)].cookies}}
	})}
}

// signIns post the sign-in form of the guests in turn, each connection's
// worth of requests with a CSRF pair of its own.
// search looks the terms up in turn, as the merchant admin.
func (s scenarios) search(name string, connections int) load {
	return load{name: name, connections: connections, target: rotate(func(n int, t *vegeta.Target) {
		t.Method, t.URL = http.MethodGet, s.app+"/admin/users?q="+url.QueryEscape(s.terms[n%len(s.terms)])
		t.Header = http.Header{"Cookie": {s.admin.cookies}}
	}), part: func(r *vegeta.Result) string {
		u, err := url.Parse(r.URL)
		if err != nil {
			return r.URL
		}
		return "`" + u.Query().Get("q") + "`"
	}}
}

func (s scenarios) signIns(name string, connections int) load {
	return load{name: name, connections: connections, target: rotate(func(n int, t *vegeta.Target) {
		pair := s.pairs[n%len(s.pairs)]
		form := url.Values{"login": {s.guests[n%len(s.guests)].username}, "password": {password}, "_csrf": {pair[1]}}
		t.Method, t.URL, t.Body = http.MethodPost, s.app+"/login", []byte(form.Encode())
		t.Header = http.Header{"Cookie": {pair[0]}, "Content-Type": {"application/x-www-form-urlencoded"}}
	})}
}

// profileSaves post the profile form of each guest whose form saves,
// with the city changed, from the version its last save left.
func (s scenarios) profileSaves(guests []*account) load {
	pending := make([]string, len(guests))
	l := newLending(s.ctx, len(guests), func(i int, t *vegeta.Target) error {
		a := guests[i]
		if a.stale {
			_ = a.readProfile(s.ctx) // if it fails, the post below is refused and counted
		}
		var form url.Values
		form, pending[i] = a.changedForm()
		t.Method, t.URL, t.Body = http.MethodPost, s.app+"/account/profile", []byte(form.Encode())
		t.Header = http.Header{"Cookie": {a.cookies}, "Content-Type": {"application/x-www-form-urlencoded"}}
		return nil
	}, func(i, status int) { guests[i].answered(status, pending[i]) })
	return load{name: "POST /account/profile", connections: s.o.connections, target: l.target, answered: l.answered}
}

// apiPatches change each guest's city through the JSON API, one request
// per guest at a time.
func (s scenarios) apiPatches() load {
	pending := make([]string, len(s.guests))
	l := newLending(s.ctx, len(s.guests), func(i int, t *vegeta.Target) error {
		pending[i] = otherCity(s.guests[i].apiCity)
		body, err := json.Marshal(map[string]string{"city": pending[i]})
		t.Method, t.URL, t.Body = http.MethodPatch, s.app+"/api/v1/users/"+s.guests[i].id, body
		t.Header = http.Header{"Authorization": {"Bearer " + s.key}, "Content-Type": {"application/json"}}
		return err
	}, func(i, status int) {
		if status == http.StatusOK {
			s.guests[i].apiCity = pending[i]
		}
	})
	return load{name: "PATCH /api/v1/users/{id}", connections: s.o.connections, target: l.target, answered: l.answered}
}

func (s scenarios) runAll(rep *report, db *pgx.Conn) error {
	var refs, pages []*tally
	for round := 1; round <= s.o.rounds; round++ {
		r, err := s.drive(fmt.Sprintf("round %d: the reference page", round), s.refPID, s.pages(fmt.Sprintf("reference page, round %d", round), s.ref, "/account"))
		if err != nil {
			return err
		}
		a, err := s.drive(fmt.Sprintf("round %d: GET /account", round), s.appPID, s.pages(fmt.Sprintf("GET /account, round %d", round), s.app, "/account"))
		if err != nil {
			return err
		}
		rep.rounds = append(rep.rounds, [2]result{r[0], a[0]})
		refs, pages = append(refs, r[0].tally), append(pages, a[0].tally)
	}
	rep.reference = mergeTallies(refs...).result("reference page, all rounds", s.o.connections)
	rep.account = mergeTallies(pages...).result("GET /account, all rounds", s.o.connections)
	for _, r := range rep.rounds {
		rep.reference.PeakRSS = max(rep.reference.PeakRSS, r[0].PeakRSS)
		rep.account.PeakRSS = max(rep.account.PeakRSS, r[1].PeakRSS)
		rep.reference.CPUs += r[0].CPUs / float64(len(rep.rounds))
		rep.account.CPUs += r[1].CPUs / float64(len(rep.rounds))
	}

	var writable []*account
	rep.refused = map[string]int{}
	for _, g := range s.guests {
		if g.writable {
			writable = append(writable, g)
		}
		for _, f := range g.refused {
			rep.refused[f]++
		}
	}
	rep.writable = len(writable)
	if len(writable) == 0 {
		return fmt.Errorf("no signed-in guest's profile form saves")
	}
	before, err := versions(s.ctx, db, writable)
	if err != nil {
		return err
	}
	r, err := s.drive("POST /account/profile", s.appPID, s.profileSaves(writable))
	if err != nil {
		return err
	}
	rep.profile = r[0]
	after, err := versions(s.ctx, db, writable)
	if err != nil {
		return err
	}
	rep.profileSave = after - before

	// bcrypt's bound just before and just after the sign-ins, so that
	// what else the machine runs weighs on both alike.
	if rep.bcrypt[0], err = s.bcrypt(); err != nil {
		return err
	}
	if r, err = s.drive("sign-ins", s.appPID, s.signIns("sign-in (POST /login)", s.o.connections)); err != nil {
		return err
	}
	rep.signIn = r[0]
	if r, err = s.drive("sign-ins beside GET /account", s.appPID, s.signIns("sign-in, beside page loads", max(2, s.o.connections/4)),
		s.pages("GET /account, beside sign-ins", s.app, "/account")); err != nil {
		return err
	}
	rep.mixedSignIn, rep.mixedPage = r[0], r[1]
	if rep.bcrypt[1], err = s.bcrypt(); err != nil {
		return err
	}

	// Admins are few: the budget is for searches a handful at a time, and
	// the run at --connections shows what queueing adds.
	if r, err = s.drive("admin search", s.appPID, s.search("admin search (GET /admin/users?q=…)", s.o.connections)); err != nil {
		return err
	}
	rep.search = r[0]
	few := fmt.Sprintf("admin search, %d at a time", s.o.searchConnections)
	if r, err = s.drive(few, s.appPID, s.search(few, s.o.searchConnections)); err != nil {
		return err
	}
	rep.searchFew = r[0]

	apiGet := load{name: "GET /api/v1/users/{id}", connections: s.o.connections, target: rotate(func(n int, t *vegeta.Target) {
		t.Method, t.URL = http.MethodGet, s.app+"/api/v1/users/"+s.guests[n%len(s.guests)].id
		t.Header = http.Header{"Authorization": {"Bearer " + s.key}}
	})}
	if r, err = s.drive("GET /api/v1/users/{id}", s.appPID, apiGet); err != nil {
		return err
	}
	rep.apiGet = r[0]

	for _, g := range s.guests {
		g.apiCity = g.form.Get("city")
	}
	if before, err = versions(s.ctx, db, s.guests); err != nil {
		return err
	}
	if r, err = s.drive("PATCH /api/v1/users/{id}", s.appPID, s.apiPatches()); err != nil {
		return err
	}
	rep.apiPatch = r[0]
	if after, err = versions(s.ctx, db, s.guests); err != nil {
		return err
	}
	rep.apiSave = after - before
	return nil
}
