package testapp

import (
	"maps"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"myaccount/store"
)

// Scenario is one request and the answer it must get, after PocketBase's
// tests.ApiScenario: who is signed in, what they send, what must come
// back. A test of a page is a table of them run by RunScenarios; a flow of
// several steps sends each step with Send.
type Scenario struct {
	// Name names the subtest, and the request in its failures.
	Name string
	// As is who sends the request: "" a visitor, "guest" the demo guest,
	// "admin" the demo admin, or "login:password" anyone else.
	As string
	// Method is GET when empty.
	Method string
	// Path is what is asked for; "{username}" in it stands for that
	// user's id, as in /admin/users/{demo.guest}/edit.
	Path string
	// PathFunc, when set, gives the path instead, for ids and values a
	// fixed string cannot name.
	PathFunc func(t *testing.T, app *App) string
	// Form is the body. A POST carries the CSRF token a page would (and
	// htmx's header) unless NoCSRF is set or Form has a _csrf of its own.
	Form url.Values
	// FormFunc, when set, gives the form instead, once Before has run: a
	// form read from a page, or naming what Before found.
	FormFunc func(t *testing.T, app *App, c *Client) url.Values
	NoCSRF   bool
	// Header holds headers to send besides.
	Header http.Header
	// HTMX sends the request as htmx does.
	HTMX bool

	// Flags are extra command-line flags for the scenario's app.
	Flags []string
	// Shared runs the scenario on one app with the other Shared scenarios
	// of its table that have the same Flags, in table order, instead of a
	// fresh one: apps are costly to build. Only for scenarios that change
	// nothing the others read, and that need nothing the others did: -run
	// may pick one alone.
	Shared bool
	// Before runs once the client has signed in, before the request: to
	// set data up. After runs once the answer has been checked: to check
	// the database, or to go on from there with res.Client.
	Before func(t *testing.T, app *App, c *Client)
	After  func(t *testing.T, app *App, res *Response)

	// Status is the status wanted; 0 is not checked.
	Status int
	// Headers maps a header to its value, exactly; "" wants none. A "*"
	// stands for any text: "/login*", "*HX-Request*"; "*" alone wants the
	// header, whatever its value.
	Headers map[string]string
	// Text maps a CSS selector to the text of what it finds, trimmed, as
	// Headers matches; "" wants nothing there. "selector@attr" reads the
	// attribute of the first element found instead.
	Text map[string]string
	// Contains maps a selector to texts in what it finds: it must find
	// something, whose text holds each of them. "selector@attr" reads an
	// attribute, which must be there.
	Contains map[string][]string
	// Absent lists selectors that must find nothing.
	Absent []string
	// Count maps a selector to how many elements it must find.
	Count map[string]int
	// Labels maps an input's id to the words of its label, without the
	// "(optional)" marker.
	Labels map[string]string
	// Errors maps a field to the message next to it, without the "Error:"
	// read to screen readers, as Text matches; "" wants none.
	Errors map[string]string
	// Invalid lists fields that must be marked invalid: aria-invalid,
	// described by their message, and linked once from the error summary
	// (in the words of Errors, when it has the field).
	Invalid []string
	// Summary is the error summary's messages in order; nil is not
	// checked, and an empty list wants none.
	Summary []string
	// Fragment wants what htmx swaps in, not a whole page.
	Fragment bool
	// InBody and NotInBody are strings the body must and must not hold.
	InBody, NotInBody []string
}

// RunScenarios runs each scenario as a subtest on every backend, on an app
// of its own or, for Shared ones, on the app they share.
func RunScenarios(t *testing.T, scenarios []Scenario) {
	t.Helper()
	ForEach(t, func(t *testing.T, b Backend) {
		shared := map[string]*App{}
		for _, s := range scenarios {
			if key := strings.Join(s.Flags, " "); s.Shared && shared[key] == nil {
				shared[key] = New(t, b, s.Flags...)
			}
		}
		for _, s := range scenarios {
			t.Run(s.Name, func(t *testing.T) {
				app := shared[strings.Join(s.Flags, " ")]
				if !s.Shared {
					app = New(t, b, s.Flags...)
				}
				s.Run(t, app)
			})
		}
	})
}

// Run sends the scenario's request on app from a new client signed in as
// As, and checks the answer.
func (s Scenario) Run(t *testing.T, app *App) *Response {
	t.Helper()
	return s.Send(t, app.ClientAs(t, s.As))
}

// Send sends the scenario's request with c, signed in as it is, and checks
// the answer: one step of a longer flow.
func (s Scenario) Send(t *testing.T, c *Client) *Response {
	t.Helper()
	if s.Before != nil {
		s.Before(t, c.app, c)
	}
	method := s.Method
	if method == "" {
		method = http.MethodGet
	}
	path := s.Path
	if s.PathFunc != nil {
		path = s.PathFunc(t, c.app)
	}
	path = userPlaceholder.ReplaceAllStringFunc(path, func(m string) string {
		return c.app.User(t, m[1:len(m)-1]).ID
	})
	form, header := s.Form, s.Header.Clone()
	if s.FormFunc != nil {
		form = s.FormFunc(t, c.app, c)
	}
	if header == nil {
		header = http.Header{}
	}
	if s.HTMX {
		header.Set("HX-Request", "true")
	}
	if method == http.MethodPost && !s.NoCSRF {
		token := c.CSRF()
		form = maps.Clone(form)
		if form == nil {
			form = url.Values{}
		}
		if !form.Has("_csrf") {
			form.Set("_csrf", token)
		}
		if s.HTMX || c.HTMX {
			header.Set("X-CSRF-Token", token)
		}
	}
	res := c.Do(method, path, form, header)
	s.Check(t, res)
	if s.After != nil {
		s.After(t, c.app, res)
	}
	return res
}

var userPlaceholder = regexp.MustCompile(`\{[^{}/]+\}`)

// Check fails the test unless res is the answer the scenario wants.
func (s Scenario) Check(t *testing.T, res *Response) {
	t.Helper()
	where := firstBytes(res.Request.Method+" "+res.Request.URL.RequestURI(), 120)
	if s.Name != "" {
		where = s.Name + ": " + where
	}
	if s.Status != 0 && res.StatusCode != s.Status {
		t.Fatalf("%s: got status %d, want %d\n%s", where, res.StatusCode, s.Status, firstBytes(res.Body, 3000))
	}
	for _, name := range slices.Sorted(maps.Keys(s.Headers)) {
		if got, want := strings.Join(res.Header.Values(name), ", "), s.Headers[name]; !matches(got, want) || want == "*" && got == "" {
			t.Errorf("%s: %s: got %q, want %q", where, name, got, want)
		}
	}
	if s.Fragment && strings.Contains(strings.ToLower(res.Body), "<html") {
		t.Errorf("%s: got a whole page, want a fragment:\n%s", where, firstBytes(res.Body, 300))
	}
	for _, want := range s.InBody {
		if !strings.Contains(res.Body, want) {
			t.Errorf("%s: body: got no %q in it, want it", where, want)
		}
	}
	for _, unwanted := range s.NotInBody {
		if strings.Contains(res.Body, unwanted) {
			t.Errorf("%s: body: got %q in it, want none", where, unwanted)
		}
	}
	if len(s.Text)+len(s.Contains)+len(s.Absent)+len(s.Count)+len(s.Labels)+len(s.Errors)+len(s.Invalid) == 0 && s.Summary == nil {
		return
	}
	doc := res.Doc(t)
	s.checkPage(t, where, doc)
	s.checkForm(t, where, doc)
}

// checkPage checks the page's elements: texts, counts and absences.
func (s Scenario) checkPage(t *testing.T, where string, doc *goquery.Document) {
	t.Helper()
	for _, key := range slices.Sorted(maps.Keys(s.Text)) {
		if got, _ := read(doc, key); !matches(got, s.Text[key]) {
			t.Errorf("%s: %s: got %q, want %q", where, key, got, s.Text[key])
		}
	}
	for _, key := range slices.Sorted(maps.Keys(s.Contains)) {
		got, found := read(doc, key)
		if !found {
			t.Errorf("%s: %s: got nothing, want %q", where, key, s.Contains[key])
		}
		for _, want := range s.Contains[key] {
			if found && !strings.Contains(got, want) {
				t.Errorf("%s: %s: got %q, want %q in it", where, key, got, want)
			}
		}
	}
	for _, sel := range s.Absent {
		if n := doc.Find(sel).Length(); n != 0 {
			t.Errorf("%s: %s: got %d, want none", where, sel, n)
		}
	}
	for _, sel := range slices.Sorted(maps.Keys(s.Count)) {
		if got, want := doc.Find(sel).Length(), s.Count[sel]; got != want {
			t.Errorf("%s: %s: got %d, want %d", where, sel, got, want)
		}
	}
}

// checkForm checks a form's labels, field errors, invalid fields and
// error summary.
func (s Scenario) checkForm(t *testing.T, where string, doc *goquery.Document) {
	t.Helper()
	for _, id := range slices.Sorted(maps.Keys(s.Labels)) {
		if got, want := Label(doc, id), s.Labels[id]; got != want {
			t.Errorf("%s: label for %s: got %q, want %q", where, id, got, want)
		}
	}
	for _, field := range slices.Sorted(maps.Keys(s.Errors)) {
		if got, want := FieldError(doc, field), s.Errors[field]; !matches(got, want) {
			t.Errorf("%s: error next to %s: got %q, want %q", where, field, got, want)
		}
	}
	for _, field := range s.Invalid {
		input := doc.Find("#" + field)
		if got := input.AttrOr("aria-invalid", ""); got != "true" {
			t.Errorf("%s: #%s aria-invalid: got %q, want true", where, field, got)
		}
		if got := input.AttrOr("aria-describedby", ""); !slices.Contains(strings.Fields(got), field+"-error") {
			t.Errorf("%s: #%s aria-describedby: got %q, want it to name %s-error", where, field, got, field)
		}
		links := doc.Find(`[data-testid="error-summary"] a[href="#` + field + `"]`)
		if msg, ok := s.Errors[field]; ok {
			links = links.FilterFunction(func(_ int, a *goquery.Selection) bool { return matches(strings.TrimSpace(a.Text()), msg) })
		}
		if n := links.Length(); n != 1 {
			t.Errorf("%s: error summary: got %d links to #%s (saying %q), want one", where, n, field, s.Errors[field])
		}
	}
	if s.Summary != nil {
		if got := SummaryMessages(doc); !slices.Equal(got, s.Summary) {
			t.Errorf("%s: error summary: got %q, want %q", where, got, s.Summary)
		}
	}
}

// read is the text of what sel finds, trimmed, or with "sel@attr" the
// attribute of the first element; and whether there was one to read.
func read(doc *goquery.Document, key string) (string, bool) {
	sel, attr := key, ""
	if i := strings.LastIndex(key, "@"); i > strings.LastIndex(key, "]") {
		sel, attr = key[:i], key[i+1:]
	}
	found := doc.Find(sel)
	if attr == "" {
		return strings.TrimSpace(found.Text()), found.Length() > 0
	}
	return found.First().Attr(attr)
}

// matches reports whether got is want, where each "*" in want stands
// for any text.
func matches(got, want string) bool {
	parts := strings.Split(want, "*")
	if len(parts) == 1 {
		return got == want
	}
	if !strings.HasPrefix(got, parts[0]) {
		return false
	}
	got = got[len(parts[0]):]
	for _, p := range parts[1 : len(parts)-1] {
		i := strings.Index(got, p)
		if i < 0 {
			return false
		}
		got = got[i+len(p):]
	}
	return strings.HasSuffix(got, parts[len(parts)-1])
}

// ClientAs is a new client signed in as who: "" nobody, "guest" the demo
// guest, "admin" the demo admin, or "login:password" anyone.
func (a *App) ClientAs(t testing.TB, who string) *Client {
	t.Helper()
	c := a.Client(t)
	switch who {
	case "":
	case "guest":
		c.SignIn("demo.guest", store.DemoGuestPassword)
	case "admin":
		c.SignIn("demo.admin", store.DemoAdminPassword)
	default:
		login, password, ok := strings.Cut(who, ":")
		if !ok {
			t.Fatalf("sign in as %q: want guest, admin or login:password", who)
		}
		c.SignIn(login, password)
	}
	return c
}

// FieldError is the message shown next to a field, without the "Error:"
// read to screen readers; "" when there is none.
func FieldError(doc *goquery.Document, field string) string {
	el := doc.Find("#" + field + "-error")
	if el.Length() == 0 {
		return ""
	}
	return strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(el.Text()), "Error:"))
}

// Label is the words of the label of the input with id, without the
// "(optional)" marker.
func Label(doc *goquery.Document, id string) string {
	text := doc.Find(`label[for="` + id + `"]`).First().Text()
	return strings.Join(strings.Fields(strings.Replace(text, "(optional)", "", 1)), " ")
}

// SummaryMessages lists the error summary's messages in order.
func SummaryMessages(doc *goquery.Document) []string {
	var out []string
	doc.Find("[data-testid=error-summary] li").Each(func(_ int, s *goquery.Selection) {
		out = append(out, strings.TrimSpace(s.Text()))
	})
	return out
}
