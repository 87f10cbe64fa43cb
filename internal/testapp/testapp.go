// Package testapp starts the real application for tests: the real router,
// middleware and stores over a fresh database, served on 127.0.0.1, with a
// client that keeps cookies and sends the CSRF token like a browser form.
//
// Every test runs on SQLite, and again on PostgreSQL when TEST_DATABASE_URL
// is set, each in a schema of its own that is dropped afterwards.
package testapp

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"gorm.io/driver/postgres"
	"gorm.io/gorm"

	"myaccount/config"
	"myaccount/models"
	"myaccount/ops"
	"myaccount/server"
)

// Backend names a database the tests run on.
type Backend struct {
	Name string
	// URL is empty for SQLite; a base postgres:// URL otherwise.
	URL string
}

// Backends are the databases to run on: SQLite, and PostgreSQL when
// TEST_DATABASE_URL is set.
func Backends() []Backend {
	out := []Backend{{Name: "sqlite"}}
	if u := os.Getenv("TEST_DATABASE_URL"); u != "" {
		out = append(out, Backend{Name: "postgres", URL: u})
	}
	return out
}

// ForEach runs fn as a subtest on every backend.
func ForEach(t *testing.T, fn func(t *testing.T, b Backend)) {
	t.Helper()
	for _, b := range Backends() {
		t.Run(b.Name, func(t *testing.T) { fn(t, b) })
	}
}

// App is a running application over a fresh database with demo data.
type App struct {
	*server.Server
	URL string
	Log *LogBuffer
	// Config is the configuration the app was built with.
	Config config.Config

	contractMu sync.Mutex
	contract   *Contract // the API's document, once an API client asked
}

// LogBuffer collects every log line the application wrote.
type LogBuffer struct {
	mu  sync.Mutex
	buf strings.Builder
}

func (l *LogBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

// String is everything logged so far.
func (l *LogBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

// New starts the application on b with the demo data, at bcrypt cost 4 so
// tests stay fast. extra flags are added to the command line.
func New(t testing.TB, b Backend, extra ...string) *App {
	t.Helper()
	dbURL := filepath.Join(t.TempDir(), "test.db")
	if b.URL != "" {
		dbURL = FreshSchema(t, b.URL)
	}
	return Start(t, dbURL, extra...)
}

// Start starts the application as New does, over the database at dbURL: a
// SQLite file, or a postgres:// URL such as FreshSchema's, perhaps through
// a Proxy.
func Start(t testing.TB, dbURL string, extra ...string) *App {
	t.Helper()
	// Sign-in rate limits are off unless a test turns them on: most tests
	// sign in far more often than a person would.
	// The listener comes first: links in mail name the address the
	// tests reach the app at.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listen: %v", err)
	}
	base := "http://" + l.Addr().String()
	// Mail goes to files in a directory of the test's own unless a test
	// gives an --smtp-url (a Mailbox).
	args := append([]string{"--database-url", dbURL, "--bcrypt-cost", "4", "--demo", "--session-secret", strings.Repeat("s", 32),
		"--signin-rate-ip", "0", "--signin-rate-account", "0", "--api-rate-key", "0", "--reset-rate-ip", "0", "--reset-rate-account", "0",
		"--base-url", base, "--mail-dir", t.TempDir()}, extra...)
	cfg, err := config.Parse(args, func(string) string { return "" }, io.Discard)
	if err != nil {
		t.Fatalf("config: %v", err)
	}
	logs := &LogBuffer{}
	log := ops.NewLogger(logs, "text", slog.LevelDebug)
	srv, err := server.Build(context.Background(), cfg, log)
	if err != nil {
		l.Close()
		t.Fatalf("build: %v", err)
	}
	ts := httptest.NewUnstartedServer(srv.Echo)
	ts.Listener.Close()
	ts.Listener = l
	ts.Start()
	t.Cleanup(func() {
		ts.Close()
		_ = srv.Close()
	})
	return &App{Server: srv, URL: ts.URL, Log: logs, Config: cfg}
}

// FreshSchema creates a schema of its own for one test in the PostgreSQL
// database at base and returns a URL whose connections use it; the schema
// is dropped when the test ends.
func FreshSchema(t testing.TB, base string) string {
	t.Helper()
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	schema := "t_" + hex.EncodeToString(b)
	admin, err := gorm.Open(postgres.Open(base), &gorm.Config{})
	if err != nil {
		t.Fatalf("postgres: %v", err)
	}
	// Extensions belong to the database, not a schema: create pg_trgm once
	// in public (under a lock, as test binaries run at once) so every test
	// schema finds it through its search path.
	err = admin.Transaction(func(tx *gorm.DB) error {
		if err := tx.Exec("SELECT pg_advisory_xact_lock(20261125)").Error; err != nil {
			return err
		}
		return tx.Exec("CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA public").Error
	})
	if err != nil {
		t.Fatalf("pg_trgm: %v", err)
	}
	if err := admin.Exec("CREATE SCHEMA " + schema).Error; err != nil {
		t.Fatalf("create schema: %v", err)
	}
	t.Cleanup(func() {
		admin.Exec("DROP SCHEMA " + schema + " CASCADE")
		if sqlDB, err := admin.DB(); err == nil {
			sqlDB.Close()
		}
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("TEST_DATABASE_URL: %v", err)
	}
	q := u.Query()
	q.Set("search_path", schema+",public")
	u.RawQuery = q.Encode()
	return u.String()
}

// User loads a user by username.
func (a *App) User(t testing.TB, username string) *models.User {
	t.Helper()
	var u models.User
	if err := a.DB.Where("lower(username) = lower(?)", username).Take(&u).Error; err != nil {
		t.Fatalf("user %s: %v", username, err)
	}
	return &u
}

// Merchant loads a merchant by code.
func (a *App) Merchant(t testing.TB, code string) *models.Merchant {
	t.Helper()
	var m models.Merchant
	if err := a.DB.Where("code = ?", code).Take(&m).Error; err != nil {
		t.Fatalf("merchant %s: %v", code, err)
	}
	return &m
}

// Audit lists the audit events about a user, newest first.
func (a *App) Audit(t testing.TB, userID string) []models.AuditEvent {
	t.Helper()
	var evs []models.AuditEvent
	if err := a.DB.Where("subject_id = ?", userID).Order("created_at DESC, id DESC").Find(&evs).Error; err != nil {
		t.Fatalf("audit: %v", err)
	}
	return evs
}

// Client is a browser-like client: it keeps cookies, does not follow
// redirects (tests assert them), and can act as htmx.
type Client struct {
	t    testing.TB
	app  *App
	http *http.Client
	// HTMX makes requests as htmx does (HX-Request: true).
	HTMX bool
	// Header is sent with every request the client makes (an API key).
	Header http.Header
}

// Client returns a new client with an empty cookie jar. A request that
// hangs fails the test after a minute instead of hanging it.
func (a *App) Client(t testing.TB) *Client {
	jar, _ := cookiejar.New(nil)
	return &Client{t: t, app: a, http: &http.Client{
		Jar:           jar,
		Timeout:       time.Minute,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

// Response is a finished response with its body read.
type Response struct {
	*http.Response
	Body string
	// Client is the client that got it, to go on from there.
	Client *Client
}

// Doc parses the body as HTML.
func (r *Response) Doc(t testing.TB) *goquery.Document {
	t.Helper()
	doc, err := goquery.NewDocumentFromReader(strings.NewReader(r.Body))
	if err != nil {
		t.Fatalf("parse HTML: %v", err)
	}
	return doc
}

// Do sends a request.
func (c *Client) Do(method, path string, form url.Values, header http.Header) *Response {
	c.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, c.app.URL+path, body)
	if err != nil {
		c.t.Fatalf("request: %v", err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if c.HTMX {
		req.Header.Set("HX-Request", "true")
	}
	for k, v := range c.Header {
		req.Header[k] = v
	}
	for k, v := range header {
		req.Header[k] = v
	}
	return c.Send(req)
}

// URL is the app's base URL, for requests the caller builds.
func (c *Client) URL() string { return c.app.URL }

// Send sends a request built by the caller, with the client's cookies.
func (c *Client) Send(req *http.Request) *Response {
	c.t.Helper()
	res, err := c.http.Do(req)
	if err != nil {
		c.t.Fatalf("%s %s: %v", req.Method, req.URL.Path, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		c.t.Fatalf("read body: %v", err)
	}
	return &Response{Response: res, Body: string(b), Client: c}
}

// Get fetches path.
func (c *Client) Get(path string) *Response {
	c.t.Helper()
	return c.Do(http.MethodGet, path, nil, nil)
}

// Post submits form to path with the CSRF token a page would carry, as a
// form field (and as the X-CSRF-Token header when acting as htmx).
func (c *Client) Post(path string, form url.Values) *Response {
	c.t.Helper()
	token := c.CSRF()
	f := url.Values{}
	for k, v := range form {
		f[k] = v
	}
	if !f.Has("_csrf") {
		f.Set("_csrf", token)
	}
	h := http.Header{}
	if c.HTMX {
		h.Set("X-CSRF-Token", token)
	}
	return c.Do(http.MethodPost, path, f, h)
}

// PostNoCSRF submits form without any CSRF token.
func (c *Client) PostNoCSRF(path string, form url.Values) *Response {
	c.t.Helper()
	return c.Do(http.MethodPost, path, form, nil)
}

// CSRF returns the client's CSRF token, fetching the sign-in page first
// when the client has none yet.
func (c *Client) CSRF() string {
	c.t.Helper()
	if tok := c.cookie("myaccount_csrf"); tok != "" {
		return tok
	}
	c.Get("/login")
	tok := c.cookie("myaccount_csrf")
	if tok == "" {
		c.t.Fatalf("no CSRF cookie after GET /login")
	}
	return tok
}

func (c *Client) cookie(name string) string {
	u, _ := url.Parse(c.app.URL)
	for _, ck := range c.http.Jar.Cookies(u) {
		if ck.Name == name {
			return ck.Value
		}
	}
	return ""
}

// SessionCookie is the session cookie's value, or "".
// On is the same browser (its cookies) talking to another instance of
// the app, as a load balancer would send it there.
func (c *Client) On(other *App) *Client {
	out := *c
	out.app = other
	return &out
}

// Cookies are the cookies the client sends to the app, for requests a
// test makes with another client (a benchmark's own transport).
func (c *Client) Cookies() []*http.Cookie {
	u, _ := url.Parse(c.app.URL)
	return c.http.Jar.Cookies(u)
}

func (c *Client) SessionCookie() string { return c.cookie("myaccount_session") }

// SignIn signs in and fails the test unless it worked.
func (c *Client) SignIn(login, password string) {
	c.t.Helper()
	res := c.Post("/login", url.Values{"login": {login}, "password": {password}})
	if res.StatusCode != http.StatusSeeOther {
		c.t.Fatalf("sign in as %s: got status %d, want 303\n%s", login, res.StatusCode, res.Body)
	}
}

// SignInGuest signs in as the demo guest.
func (c *Client) SignInGuest() { c.SignIn("demo.guest", "Guest#2026") }

// Want fails the test unless res has status want.
func Want(t testing.TB, res *Response, want int) {
	t.Helper()
	if res.StatusCode != want {
		t.Fatalf("%s %s: got status %d, want %d\n%s", res.Request.Method, res.Request.URL.Path, res.StatusCode, want, firstBytes(res.Body, 3000))
	}
}

func firstBytes(s string, n int) string {
	if len(s) > n {
		return s[:n] + fmt.Sprintf("… (%d bytes)", len(s))
	}
	return s
}
