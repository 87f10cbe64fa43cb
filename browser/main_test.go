// Package browser holds the browser tests: a real Chromium, driven by
// chromedp, against the real application on 127.0.0.1 over a fresh
// database, acting as a person does, by labels and the names of buttons
// and links. Every page and htmx state a test reaches is checked with
// axe-core, and all of them at the end with the Nu HTML Checker.
//
//	go test ./browser/                               # the browser tests alone
//	go test ./browser/ -args -screenshots            # and write docs/screenshots/
package browser

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"strconv"
	"testing"

	"myaccount/internal/browsertest"
	"myaccount/internal/testapp"
)

var screenshots = flag.Bool("screenshots", false, "write a screenshot of every checked page and state, at desktop and phone sizes, into docs/screenshots/")

// suite is the browser every test opens its tabs in, or why there is none.
type suite struct {
	browser *browsertest.Browser
	skip    string
}

var shared suite

func TestMain(m *testing.M) {
	flag.Parse()
	os.Exit(run(m))
}

func run(m *testing.M) int {
	b, err := browsertest.Launch()
	switch {
	case errors.Is(err, browsertest.ErrNoChromium):
		shared.skip = err.Error()
		return m.Run()
	case err != nil:
		fmt.Fprintln(os.Stderr, "browser tests:", err)
		return 1
	}
	defer b.Close()
	shared.browser = b
	if *screenshots {
		if err := os.MkdirAll("../docs/screenshots", 0o755); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		b.Shots = &browsertest.Screenshots{Dir: "../docs/screenshots"}
	}
	code := m.Run()
	if b.HTML.Len() == 0 {
		return code
	}
	return max(code, validate(b))
}

// validate runs the Nu HTML Checker over every state the tests checked.
func validate(b *browsertest.Browser) int {
	errs, err := b.HTML.Validate(context.Background())
	switch {
	case errors.Is(err, browsertest.ErrNoChecker):
		fmt.Fprintln(os.Stderr, "Nu HTML Checker skipped:", err)
		return 0
	case err != nil:
		fmt.Fprintln(os.Stderr, "Nu HTML Checker:", err)
		return 1
	case len(errs) > 0:
		fmt.Fprintf(os.Stderr, "Nu HTML Checker: %d errors in the %d pages and states checked:\n", len(errs), b.HTML.Len())
		for _, e := range errs {
			fmt.Fprintln(os.Stderr, "\t"+e)
		}
		return 1
	}
	fmt.Printf("Nu HTML Checker: no errors in the %d pages and states checked\n", b.HTML.Len())
	return 0
}

// backend is the one database the browser tests run on, to keep them
// quick: PostgreSQL when TEST_DATABASE_URL is set, else SQLite.
func backend() testapp.Backend {
	all := testapp.Backends()
	return all[len(all)-1]
}

// start starts the application over a fresh database and opens a tab on
// it, or skips the test when no Chromium is installed.
func start(t *testing.T, opts ...browsertest.Option) (*testapp.App, *browsertest.Page) {
	t.Helper()
	return startWith(t, nil, opts...)
}

// startWith is start with the application's flags besides.
func startWith(t *testing.T, flags []string, opts ...browsertest.Option) (*testapp.App, *browsertest.Page) {
	t.Helper()
	if shared.browser == nil {
		t.Skip("browser tests skipped: " + shared.skip)
	}
	app := testapp.New(t, backend(), flags...)
	return app, shared.browser.Open(t, app.URL, opts...)
}

// startMailing is start with the application's mail sent to a mailbox
// the test reads the links from.
func startMailing(t *testing.T) (*testapp.App, *testapp.Mailbox, *browsertest.Page) {
	t.Helper()
	mb := testapp.NewMailbox(t)
	app, p := startWith(t, mb.Flags())
	return app, mb, p
}

// another opens a second tab on app with cookies of its own: another
// person, or the same person in another browser.
func another(t *testing.T, app *testapp.App) *browsertest.Page {
	t.Helper()
	return shared.browser.Open(t, app.URL)
}

// signIn signs in through the sign-in form.
func signIn(t *testing.T, p *browsertest.Page, login, password string) {
	t.Helper()
	p.Go("/login")
	p.CheckOnce(state(p, "sign-in"))
	p.Fill("Username or email", login)
	p.Fill("Password", password)
	p.Follow("button", "Sign in")
	p.WaitFor("nav[aria-label] [aria-current=page]")
}

// want fails the test unless got is want.
func want[T comparable](t *testing.T, what string, got, want T) {
	t.Helper()
	if got != want {
		t.Errorf("%s: got %v, want %v", what, got, want)
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

// jsString quotes s for a JavaScript expression.
func jsString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}
