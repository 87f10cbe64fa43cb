package handlers_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"

	"myaccount/internal/slots"
	"myaccount/internal/testapp"
)

// readWaits is how many page reads have waited for their turn, from the
// metrics.
func readWaits(t *testing.T, app *testapp.App) int {
	t.Helper()
	metrics := metricsText(app)
	m := regexp.MustCompile(`(?m)^myaccount_read_queue_wait_seconds_count (\d+)$`).FindStringSubmatch(metrics)
	if m == nil {
		t.Fatalf("metrics lack myaccount_read_queue_wait_seconds_count:\n%s", strings.Join(linesWith(metrics, "read_queue"), "\n"))
	}
	n, _ := strconv.Atoi(m[1])
	return n
}

// With one turn, many guests and admins reading at once are all served,
// each read taking its turn, searches included. (That a search gives its
// turn up while it waits for a search slot is TestTurns in
// internal/slots.)
func TestReadsTakeTurns(t *testing.T) {
	app := testapp.New(t, testapp.Backend{Name: "sqlite"}, "--read-concurrency", "1", "--search-concurrency", "1")
	var clients []*testapp.Client
	for range 4 {
		c := app.Client(t)
		c.SignInGuest()
		clients = append(clients, c)
	}
	admins := []*testapp.Client{adminClient(t, app), adminClient(t, app)}
	before := readWaits(t, app)
	var wg sync.WaitGroup
	for _, c := range clients {
		wg.Go(func() { testapp.Want(t, c.Get("/account"), http.StatusOK) })
	}
	for _, c := range admins {
		wg.Go(func() { testapp.Want(t, c.Get("/admin/users?q=demo"), http.StatusOK) })
	}
	wg.Wait()
	if got := readWaits(t, app) - before; got != len(clients)+len(admins) {
		t.Errorf("reads that took a turn: got %d, want %d", got, len(clients)+len(admins))
	}
}

// A read that cannot have its turn before the database deadline is told
// the service is busy (503, Retry-After). Health checks, static files and
// writes do not wait for a turn.
func TestReadsBusy(t *testing.T) {
	app := testapp.New(t, testapp.Backend{Name: "sqlite"}, "--read-concurrency", "1", "--db-timeout", "300ms")
	c := app.Client(t)
	c.SignInGuest()
	other := app.Client(t)
	token := other.CSRF()
	held, err := app.Deps.Reads.Take(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	res := c.Get("/account")
	testapp.Want(t, res, http.StatusServiceUnavailable)
	if !strings.Contains(res.Body, "Too many pages are being loaded at once") || res.Header.Get("Retry-After") == "" {
		t.Errorf("busy page: Retry-After %q, body:\n%s", res.Header.Get("Retry-After"), res.Body)
	}
	api := c.Do(http.MethodGet, "/api/v1/me", nil, nil)
	testapp.Want(t, api, http.StatusServiceUnavailable)
	if !strings.Contains(api.Body, `"unavailable"`) {
		t.Errorf("API read while busy: %s", api.Body)
	}
	for _, path := range []string{"/healthz", "/readyz", "/static/css/app.css"} {
		testapp.Want(t, c.Get(path), http.StatusOK)
	}
	// A write is not in turn: the wrong password is refused as usual.
	res = other.Do(http.MethodPost, "/login", url.Values{"_csrf": {token}, "login": {"demo.guest"}, "password": {"wrong"}}, nil)
	testapp.Want(t, res, http.StatusUnprocessableEntity)
	slots.Leave(held)
	testapp.Want(t, c.Get("/account"), http.StatusOK)
}
