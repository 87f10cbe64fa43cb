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
		defer dropAtEnd(o)
	}
	if rep.generated, err = generateUsers(ctx, o, bin.genusers, dbURL); err != nil {
		return err
	}

	db, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		return err
	}
	defer db.Close(context.Background())
	if err := db.QueryRow(ctx, "SELECT version()").Scan(&rep.machine.postgres); err != nil {
		return err
	}
	s, err := chooseAccounts(ctx, o, db, rep)
	if err != nil {
		return err
	}
	srv, err := startServers(ctx, o, bin, dbURL, tmp)
	if err != nil {
		return err
	}
	defer srv.stop()
	if err := s.signIn(srv); err != nil {
		return err
	}
	rep.searchTerms = s.terms

	if err := s.runAll(rep, db); err != nil {
		return err
	}
	rep.peakRSS, _ = procField(fmt.Sprintf("/proc/%d/status", s.appPID), "VmHWM")
	rep.loadAfter = loadAverage()
	rep.took = time.Since(started)
	return rep.publish(root)
}

// dropAtEnd drops the run's database, with a time limit of its own: the
// run's context may have ended already.
func dropAtEnd(o options) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := dropDatabase(ctx, o.databaseURL, o.database); err != nil {
		fmt.Fprintln(os.Stderr, "load: drop database:", err)
	}
}

// generateUsers fills the database with cmd/genusers and says how long it
// took.
func generateUsers(ctx context.Context, o options, genusers, dbURL string) (time.Duration, error) {
	genStart := time.Now()
	_, err := phase(ctx, fmt.Sprintf("generate %s users", thousands(float64(o.users))), 3*time.Minute+time.Duration(o.users)*600*time.Microsecond,
		func(ctx context.Context) (any, error) { return nil, generate(ctx, genusers, dbURL, o.users) })
	return time.Since(genStart), err
}

// chooseAccounts picks the guests to sign in and the merchant admin, and
// gives them the run's password.
func chooseAccounts(ctx context.Context, o options, db *pgx.Conn, rep *report) (*scenarios, error) {
	hash, err := bcrypt.GenerateFromPassword([]byte(password), o.bcryptCost)
	if err != nil {
		return nil, err
	}
	s := &scenarios{ctx: ctx, o: o, hash: hash}
	if _, err := phase(ctx, "choose the accounts", time.Minute, func(ctx context.Context) (any, error) {
		s.guests, s.admin, rep.promoted, err = pickAccounts(ctx, db, o.sessions, string(hash))
		return nil, err
	}); err != nil {
		return nil, err
	}
	rep.admin = s.admin.username
	return s, nil
}

// servers are the application and the reference page, each on a port of
// its own.
type servers struct {
	app, ref        string
	pprof           string // the application's profiles, with --profiles
	server, refpage *process
}

// startServers starts the application and the reference page and waits
// until both are ready; on failure it stops what it started.
func startServers(ctx context.Context, o options, bin binaries, dbURL, tmp string) (srv servers, err error) {
	appAddr, err := freeAddr()
	if err != nil {
		return srv, err
	}
	refAddr, err := freeAddr()
	if err != nil {
		return srv, err
	}
	secret := make([]byte, 32)
	if _, err := rand.Read(secret); err != nil {
		return srv, err
	}
	srv.app, srv.ref = "http://"+appAddr, "http://"+refAddr
	args := []string{
		"--addr", appAddr, "--base-url", srv.app, "--database-url", dbURL, "--session-secret", hex.EncodeToString(secret),
		"--signin-rate-ip", "0", "--signin-rate-account", "0", "--api-rate-key", "0",
		"--bcrypt-cost", strconv.Itoa(o.bcryptCost), "--mail-dir", filepath.Join(tmp, "mail"),
	}
	if o.profiles != "" {
		if srv.pprof, err = freeAddr(); err != nil {
			return srv, err
		}
		args = append(args, "--pprof-addr", srv.pprof)
	}
	if srv.server, err = start("the application", bin.server, args, filepath.Join(tmp, "server.log")); err != nil {
		return srv, err
	}
	if srv.refpage, err = start("the reference page", bin.refpage, []string{
		"--addr", refAddr, "--database-url", dbURL, "--session-secret", hex.EncodeToString(secret),
	}, filepath.Join(tmp, "refpage.log")); err != nil {
		srv.server.stop(20 * time.Second)
		return srv, err
	}
	if _, err := phase(ctx, "start the application and the reference page", time.Minute, func(ctx context.Context) (any, error) {
		if err := waitReady(ctx, srv.server, srv.app+"/readyz"); err != nil {
			return nil, err
		}
		return nil, waitReady(ctx, srv.refpage, srv.ref+"/readyz")
	}); err != nil {
		srv.stop()
		return srv, err
	}
	fmt.Printf("   the application on %s (pid %d), the reference page on %s (pid %d)\n", srv.app, srv.server.pid(), srv.ref, srv.refpage.pid())
	return srv, nil
}

// stop stops the reference page, then the application.
func (srv servers) stop() {
	srv.refpage.stop(10 * time.Second)
	srv.server.stop(20 * time.Second)
}

// publish prints the run and, with --write-docs, writes it into --docs.
func (r *report) publish(root string) error {
	doc, _ := os.ReadFile(filepath.Join(root, r.opts.docs))
	body := r.markdown(string(doc))
	fmt.Println()
	fmt.Println(body)
	if r.opts.writeDocs {
		path := filepath.Join(root, r.opts.docs)
		if err := os.WriteFile(path, []byte(replaceSection(string(doc), r.opts.users, body)), 0o644); err != nil {
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
	pprof  string
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
		profiled := make(chan error, 1)
		if s.pprof != "" && pid == s.appPID {
			go func() {
				profiled <- profileCPU(ctx, s.pprof, s.o.duration, filepath.Join(s.o.profiles, fileName(name)+".pprof"))
			}()
		} else {
			profiled <- nil
		}
		out := drive(ctx, s.o.duration, pid, loads...)
		for _, r := range out {
			fmt.Print("   " + r.row())
		}
		if err := <-profiled; err != nil {
			return out, fmt.Errorf("profile of %s: %w", name, err)
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

// signIns post the sign-in form of the guests in turn, each connection's
// worth of requests with a CSRF pair of its own.
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

// signIn signs the guests and the admin in on the running servers, creates
// the admin's API key and the sign-in forms' CSRF pairs, and adds the first
// guests' member number prefixes to the search terms.
func (s *scenarios) signIn(srv servers) error {
	s.app, s.ref, s.appPID, s.refPID, s.pprof = srv.app, srv.ref, srv.server.pid(), srv.refpage.pid(), srv.pprof
	if _, err := phase(s.ctx, fmt.Sprintf("sign %d guests and the admin in, create an API key", len(s.guests)), 3*time.Minute, func(ctx context.Context) (any, error) {
		if err := signInAll(ctx, s.app, s.guests); err != nil {
			return nil, err
		}
		var err error
		if s.key, err = adminKey(ctx, s.app, s.admin); err != nil {
			return nil, err
		}
		s.pairs, err = signInPairs(ctx, s.app, s.o.connections)
		return nil, err
	}); err != nil {
		return err
	}
	s.terms = slices.Clone(searchTerms)
	for _, g := range s.guests[:min(4, len(s.guests))] {
		if prefix := g.member[:min(8, len(g.member))]; !slices.Contains(s.terms, prefix) {
			s.terms = append(s.terms, prefix)
		}
	}
	return nil
}

// runAll drives the scenarios in the order the report shows them.
func (s scenarios) runAll(rep *report, db *pgx.Conn) error {
	if err := s.accountPages(rep); err != nil {
		return err
	}
	if err := s.profileForm(rep, db); err != nil {
		return err
	}
	if err := s.signInScenarios(rep); err != nil {
		return err
	}
	if err := s.adminSearch(rep); err != nil {
		return err
	}
	if err := s.apiGets(rep); err != nil {
		return err
	}
	return s.apiWrites(rep, db)
}

// accountPages alternates rounds of the reference page and GET /account,
// then sums the rounds up.
func (s scenarios) accountPages(rep *report) error {
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
	return nil
}

// profileForm posts the profile form of the guests whose form saves, and
// counts the saves in the database.
func (s scenarios) profileForm(rep *report, db *pgx.Conn) error {
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
	return nil
}

// signInScenarios post the sign-in form alone, then beside page loads,
// with bcrypt's bound measured just before and just after, so that what
// else the machine runs weighs on both alike.
func (s scenarios) signInScenarios(rep *report) (err error) {
	if rep.bcrypt[0], err = s.bcrypt(); err != nil {
		return err
	}
	r, err := s.drive("sign-ins", s.appPID, s.signIns("sign-in (POST /login)", s.o.connections))
	if err != nil {
		return err
	}
	rep.signIn = r[0]
	if r, err = s.drive("sign-ins beside GET /account", s.appPID, s.signIns("sign-in, beside page loads", max(2, s.o.connections/4)),
		s.pages("GET /account, beside sign-ins", s.app, "/account")); err != nil {
		return err
	}
	rep.mixedSignIn, rep.mixedPage = r[0], r[1]
	rep.bcrypt[1], err = s.bcrypt()
	return err
}

// adminSearch runs the admin search at --connections, then a few at a
// time: admins are few, the budget is for searches a handful at a time,
// and the run at --connections shows what queueing adds.
func (s scenarios) adminSearch(rep *report) error {
	r, err := s.drive("admin search", s.appPID, s.search("admin search (GET /admin/users?q=…)", s.o.connections))
	if err != nil {
		return err
	}
	rep.search = r[0]
	few := fmt.Sprintf("admin search, %d at a time", s.o.searchConnections)
	if r, err = s.drive(few, s.appPID, s.search(few, s.o.searchConnections)); err != nil {
		return err
	}
	rep.searchFew = r[0]
	return nil
}

// apiGets read the guests in turn through the JSON API.
func (s scenarios) apiGets(rep *report) error {
	apiGet := load{name: "GET /api/v1/users/{id}", connections: s.o.connections, target: rotate(func(n int, t *vegeta.Target) {
		t.Method, t.URL = http.MethodGet, s.app+"/api/v1/users/"+s.guests[n%len(s.guests)].id
		t.Header = http.Header{"Authorization": {"Bearer " + s.key}}
	})}
	r, err := s.drive("GET /api/v1/users/{id}", s.appPID, apiGet)
	if err != nil {
		return err
	}
	rep.apiGet = r[0]
	return nil
}

// apiWrites change the guests' cities through the JSON API, and count the
// saves in the database.
func (s scenarios) apiWrites(rep *report, db *pgx.Conn) error {
	for _, g := range s.guests {
		g.apiCity = g.form.Get("city")
	}
	before, err := versions(s.ctx, db, s.guests)
	if err != nil {
		return err
	}
	r, err := s.drive("PATCH /api/v1/users/{id}", s.appPID, s.apiPatches())
	if err != nil {
		return err
	}
	rep.apiPatch = r[0]
	after, err := versions(s.ctx, db, s.guests)
	if err != nil {
		return err
	}
	rep.apiSave = after - before
	return nil
}
