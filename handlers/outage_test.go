package handlers_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"myaccount/internal/testapp"
	"myaccount/store"
)

// wantUnavailable fails the test unless res is the 503 page of an outage:
// Retry-After, and the plain page saying so.
func wantUnavailable(t *testing.T, res *testapp.Response) {
	t.Helper()
	testapp.Scenario{Status: http.StatusServiceUnavailable, Headers: map[string]string{"Retry-After": "*"},
		Count:    map[string]int{"[data-testid=error-page]": 1},
		Contains: map[string][]string{"[data-testid=error-page] h1": {"temporarily unavailable"}}}.Check(t, res)
}

// logLines are the lines of the application's log that contain every one
// of parts.
func logLines(app *testapp.App, parts ...string) []string {
	return linesWith(app.Log.String(), parts...)
}

// metricsText is what the application's /metrics serves now.
func metricsText(app *testapp.App) string {
	rec := httptest.NewRecorder()
	app.Deps.Metrics.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	return rec.Body.String()
}

// linesWith are the lines of text that contain every one of parts.
func linesWith(text string, parts ...string) []string {
	var out []string
next:
	for _, l := range strings.Split(text, "\n") {
		for _, p := range parts {
			if !strings.Contains(l, p) {
				continue next
			}
		}
		if l != "" {
			out = append(out, l)
		}
	}
	return out
}

// wantOneOutageLogged fails the test unless the log holds one warning that
// the database is unavailable, one line that it is back having refused
// refused requests, and no ERROR line.
func wantOneOutageLogged(t *testing.T, app *testapp.App, refused string) {
	t.Helper()
	if warn := logLines(app, "level=WARN", "database unavailable"); len(warn) != 1 {
		t.Errorf("log: got %d warnings that the database is unavailable, want 1:\n%s", len(warn), app.Log)
	}
	if back := logLines(app, "level=INFO", "database available again", "refused="+refused); len(back) != 1 {
		t.Errorf("log: got %d lines saying the database is back with refused=%s, want 1:\n%s", len(back), refused, app.Log)
	}
	if errs := logLines(app, "level=ERROR"); len(errs) != 0 {
		t.Errorf("log: got ERROR lines %q, want none", errs)
	}
}

// waitOutageOver asks /readyz, whose ping is an answer, until the outage
// is over: the database has answered with nothing failing for the quiet
// while, twice the database timeout.
func waitOutageOver(t *testing.T, app *testapp.App, c *testapp.Client) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for app.Deps.Outages.Down() {
		if time.Now().After(deadline) {
			t.Fatalf("the outage is still on 20 s after the database answered again:\n%s", app.Log)
		}
		testapp.Want(t, c.Get("/readyz"), http.StatusOK)
		time.Sleep(100 * time.Millisecond)
	}
}

// While another process holds SQLite's write lock for longer than the
// database timeout, a change answers 503, never 500, and goes through once
// the lock is gone. Reads go on working meanwhile: a partial hang. Their
// answers do not end the outage, which ends once the database has answered
// with nothing failing for a while, so it is logged once, with both
// refused changes.
func TestSQLiteBusyAnswers503(t *testing.T) {
	app := testapp.New(t, testapp.Backend{Name: "sqlite"}, "--db-timeout", "300ms")
	c := app.Client(t)
	c.SignInGuest()
	form := profileForm(t, c)
	form.Set("first_name", "Maia")

	var path string
	if err := app.DB.Raw("SELECT file FROM pragma_database_list WHERE name = 'main'").Scan(&path).Error; err != nil || path == "" {
		t.Fatalf("database file: got %q, %v", path, err)
	}
	other, err := store.Open(path, slog.New(slog.NewTextHandler(io.Discard, nil)), time.Second)
	if err != nil {
		t.Fatalf("open a second connection: %v", err)
	}
	t.Cleanup(func() {
		if sqlDB, err := other.DB(); err == nil {
			sqlDB.Close()
		}
	})
	lock := other.Begin()
	if err := lock.Exec("UPDATE merchants SET name = name").Error; err != nil {
		t.Fatalf("take the write lock: %v", err)
	}

	wantUnavailable(t, c.Post("/account/profile", form))
	c.HTMX = true
	wantUnavailable(t, c.Post("/account/profile", form))
	c.HTMX = false
	if got := app.User(t, "demo.guest").FirstName; got == "Maia" {
		t.Fatalf("first name: got %q saved while the lock was held, want unchanged", got)
	}
	// An integration's write answers 503 too, in the API's own shape.
	api := app.API(t).WithKey(app.DemoAPIKey)
	userPath := "/api/v1/users/" + app.User(t, "demo.guest").ID
	res := api.Patch(userPath, map[string]any{"city": "Savannah"}, testapp.JSON, nil).Want(http.StatusServiceUnavailable)
	if res.Code() != "unavailable" || res.Header.Get("Retry-After") == "" {
		t.Errorf("PATCH %s while locked: got code %q, Retry-After %q; want unavailable and a wait", userPath, res.Code(), res.Header.Get("Retry-After"))
	}

	if err := lock.Rollback().Error; err != nil {
		t.Fatalf("release the lock: %v", err)
	}
	testapp.Want(t, c.Post("/account/profile", form), http.StatusSeeOther)
	if got := app.User(t, "demo.guest").FirstName; got != "Maia" {
		t.Errorf("first name after the lock: got %q, want Maia", got)
	}
	api.Patch(userPath, map[string]any{"city": "Savannah"}, testapp.JSON, nil).Want(http.StatusOK)
	waitOutageOver(t, app, c)
	if warn := logLines(app, "level=WARN", "database unavailable", "SQLITE_BUSY"); len(warn) != 1 {
		t.Errorf("log: got %d warnings that the database is unavailable (SQLITE_BUSY), want one:\n%s", len(warn), app.Log)
	}
	wantOneOutageLogged(t, app, "3")
}

// A client that goes away before its answer is ready is not an outage: no
// 503, no warning, no error logged; the request log shows 499.
func TestClientGoneIsNoOutage(t *testing.T) {
	testapp.ForEach(t, func(t *testing.T, b testapp.Backend) {
		app := testapp.New(t, b)
		c := app.Client(t)
		c.SignInGuest()
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		req := httptest.NewRequest(http.MethodGet, "/account", nil).WithContext(ctx)
		req.AddCookie(&http.Cookie{Name: "myaccount_session", Value: c.SessionCookie()})
		rec := httptest.NewRecorder()
		app.Echo.ServeHTTP(rec, req)
		if rec.Code != 499 {
			t.Errorf("status: got %d, want 499", rec.Code)
		}
		if got := logLines(app, "database unavailable"); len(got) != 0 {
			t.Errorf("log: got %q, want no outage", got)
		}
		if got := logLines(app, "level=ERROR"); len(got) != 0 {
			t.Errorf("log: got errors %q, want none", got)
		}
		if got := logLines(app, `msg=request`, "path=/account ", "status=499"); len(got) != 1 {
			t.Errorf("log: got %d request lines with status 499, want 1:\n%s", len(got), app.Log)
		}
		testapp.Want(t, c.Get("/account"), http.StatusOK)
	})
}

// The link to PostgreSQL hangs, then breaks, then comes back. Meanwhile
// pages, htmx requests and the API (the guest's and an integration's)
// answer 503 with Retry-After within the database timeout (and a margin), and readiness fails; a profile saved while the
// link hangs answers 503 and is not applied, then or after. Afterwards the
// application serves again by itself, with the sessions it had. The
// outage is logged once, with how many requests it refused, and no
// request logs an error.
func TestPostgresOutageAndRecovery(t *testing.T) {
	base := os.Getenv("TEST_DATABASE_URL")
	if base == "" {
		t.Skip("TEST_DATABASE_URL is not set: this test runs the application on PostgreSQL through a proxy it holds and cuts")
	}
	schema := testapp.FreshSchema(t, base)
	link := testapp.NewProxy(t, schema)
	const dbTimeout = time.Second
	app := testapp.Start(t, link.URL(schema), "--db-timeout", dbTimeout.String())
	c := app.Client(t)
	c.SignInGuest()
	testapp.Want(t, c.Get("/account"), http.StatusOK)
	session := c.SessionCookie()
	userPath := "/api/v1/users/" + app.User(t, "demo.guest").ID
	form := profileForm(t, c)
	before := app.User(t, "demo.guest").FirstName
	form.Set("first_name", "Held")

	// Each answer comes within the deadline and a generous margin: a
	// bound on the deadline, not a speed to reach.
	bound := dbTimeout + 5*time.Second
	timed := func(what string, send func() *testapp.Response) *testapp.Response {
		t.Helper()
		start := time.Now()
		res := send()
		if took := time.Since(start); took > bound {
			t.Errorf("%s during the outage: answered after %v, want under %v (--db-timeout %v and a margin)", what, took.Round(time.Millisecond), bound, dbTimeout)
		}
		return res
	}
	refused := func() {
		t.Helper()
		wantUnavailable(t, timed("GET /account", func() *testapp.Response { return c.Get("/account") }))
		c.HTMX = true
		wantUnavailable(t, timed("htmx GET /account/profile/edit", func() *testapp.Response { return c.Get("/account/profile/edit") }))
		c.HTMX = false
		// The JSON API answers in its own failure shape, checked
		// against its document.
		start := time.Now()
		res := c.API().Get("/api/v1/me", nil).Want(http.StatusServiceUnavailable)
		if took := time.Since(start); took > bound {
			t.Errorf("GET /api/v1/me during the outage: answered after %v, want under %v", took.Round(time.Millisecond), bound)
		}
		if res.Code() != "unavailable" || res.Header.Get("Retry-After") == "" {
			t.Errorf("GET /api/v1/me during the outage: got code %q, Retry-After %q; want unavailable and a wait", res.Code(), res.Header.Get("Retry-After"))
		}
		start = time.Now()
		res = app.API(t).WithKey(app.DemoAPIKey).Get(userPath, nil).Want(http.StatusServiceUnavailable)
		if took := time.Since(start); took > bound || res.Code() != "unavailable" || res.Header.Get("Retry-After") == "" {
			t.Errorf("GET %s during the outage: got code %q, Retry-After %q after %v; want unavailable and a wait under %v", userPath, res.Code(), res.Header.Get("Retry-After"), took.Round(time.Millisecond), bound)
		}
		testapp.Want(t, timed("GET /readyz", func() *testapp.Response { return c.Get("/readyz") }), http.StatusServiceUnavailable)
	}
	link.Hold()
	refused()
	wantUnavailable(t, timed("POST /account/profile", func() *testapp.Response { return c.Post("/account/profile", form) }))
	link.Cut()
	refused()

	link.Restore()
	testapp.Want(t, c.Get("/readyz"), http.StatusOK)
	res := c.Get("/account")
	testapp.Want(t, res, http.StatusOK)
	if res.Doc(t).Find(`[data-testid="section-personal"]`).Length() != 1 {
		t.Errorf("GET /account after the outage: got no personal section, want the guest's account")
	}
	if got := c.SessionCookie(); got != session {
		t.Errorf("session cookie after the outage: got a new one, want the same session")
	}
	waitOutageOver(t, app, c)
	if got := app.User(t, "demo.guest").FirstName; got != before {
		t.Errorf("first name after the outage: got %q, want %q (the save refused while the link hung not applied)", got, before)
	}
	wantOneOutageLogged(t, app, "9")
}
