package handlers_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"myaccount/internal/testapp"
	"myaccount/models"
)

// A page nobody has is still a page of the site: signed in, it has the nav
// of every other page, and its sign-out form carries a CSRF token.
func TestNotFoundSignedInHasNav(t *testing.T) {
	testapp.RunScenarios(t, []testapp.Scenario{
		{Name: "guest", As: "guest", Path: "/no-such-page", Shared: true, Status: http.StatusNotFound,
			Count: map[string]int{`nav.site-nav a[href="/account"]`: 1, `nav.site-nav a[href="/admin/users"]`: 0, `[data-testid=error-page]`: 1},
			After: func(t *testing.T, _ *testapp.App, res *testapp.Response) {
				if tok, _ := res.Doc(t).Find(`form[action="/logout"] input[name="_csrf"]`).Attr("value"); tok == "" {
					t.Errorf("sign-out form on the 404 page: got no CSRF token, want one")
				}
			}},
		{Name: "admin", As: "admin", Path: "/nowhere/at/all", Shared: true, Status: http.StatusNotFound,
			Count: map[string]int{`nav.site-nav a[href="/admin/users"]`: 1}},
		{Name: "signed out", Path: "/no-such-page", Shared: true, Status: http.StatusNotFound,
			Count: map[string]int{`nav.site-nav`: 0, `[data-testid=error-page]`: 1}},
	})
}

// The user list says how many users match, which column sorts it and which
// way (aria-sort and a visible mark), and shows each status as a badge of
// its own.
func TestAdminUserListSortCountAndBadges(t *testing.T) {
	lockGuest := func(t *testing.T, app *testapp.App, c *testapp.Client) {
		testapp.Want(t, c.Post("/admin/users/"+app.User(t, guestLogin).ID+"/lock", url.Values{}), http.StatusSeeOther)
	}
	testapp.RunScenarios(t, []testapp.Scenario{
		{Name: "default order is username, ascending", As: "admin", Path: "/admin/users", Shared: true, Status: http.StatusOK,
			Text: map[string]string{`th[data-col="username"]@aria-sort`: "ascending", `th[data-col="name"]@aria-sort`: "none",
				`th[data-col="username"] .sort-mark`: "▲"},
			Count: map[string]int{`.sort-mark`: 1, `th[data-col="username"] .sr-only`: 1},
			After: func(t *testing.T, _ *testapp.App, res *testapp.Response) {
				got := res.Doc(t).Find(`[data-testid="result-count"]`).Text()
				if !regexp.MustCompile(`^([0-9,]+ users|More than 1,000 users)$`).MatchString(got) {
					t.Errorf("result count: got %q, want such as \"243 users\"", got)
				}
			}},
		{Name: "descending by name", As: "admin", Path: "/admin/users?sort=name&dir=desc", Shared: true, Status: http.StatusOK,
			Text: map[string]string{`th[data-col="name"]@aria-sort`: "descending", `th[data-col="username"]@aria-sort`: "none",
				`th[data-col="name"] .sort-mark`: "▼", `caption`: "Users, by name (sorted Z to A)"},
			// Clicking the sorted column again turns it round.
			Contains: map[string][]string{`th[data-col="name"] a@href`: {"sort=name"}},
			Absent:   []string{`th[data-col="name"] a[href*="dir=desc"]`}},
		{Name: "one match", As: "admin", Path: "/admin/users?q=demo.guest", Shared: true, Status: http.StatusOK,
			Text: map[string]string{`[data-testid="result-count"]`: "1 user matches"}},
		{Name: "htmx results carry the count", As: "admin", Path: "/admin/users?q=demo.guest", HTMX: true, Shared: true, Status: http.StatusOK,
			Fragment: true, Text: map[string]string{`[data-testid="result-count"]`: "1 user matches"}},
		{Name: "a locked user's badge", As: "admin", Path: "/admin/users?q=demo.guest", Before: lockGuest, Status: http.StatusOK,
			Text:  map[string]string{`[data-testid="status-badge"]`: "Locked"},
			Count: map[string]int{`[data-testid="status-badge"].badge-locked`: 1, `.badge-active`: 0},
			After: func(t *testing.T, app *testapp.App, res *testapp.Response) {
				if u := app.User(t, guestLogin); u.Status != models.StatusLocked {
					t.Fatalf("status: got %s, want %s", u.Status, models.StatusLocked)
				}
			}},
		{Name: "cells name their column for the phone layout", As: "admin", Path: "/admin/users", Shared: true, Status: http.StatusOK,
			Count: map[string]int{`table.table-stack`: 1, `tr[data-testid="user-row"] td:not([data-label])`: 0}},
	})
}

// Lock, reset password and sign out all sessions ask again first: the
// record links to a confirm step whose form posts the action, which then
// sends the browser back to the record, so a reload does not repeat it.
func TestAdminDestructiveActionsConfirm(t *testing.T) {
	record := func(t *testing.T, app *testapp.App) string { return "/admin/users/" + app.User(t, guestLogin).ID }
	var scenarios []testapp.Scenario
	for _, action := range []string{"lock", "reset-password", "revoke-sessions"} {
		scenarios = append(scenarios, testapp.Scenario{
			Name: "the record links to the confirm step of " + action, As: "admin", Path: "/admin/users/{demo.guest}", Shared: true,
			Status: http.StatusOK,
			Count:  map[string]int{`a.btn-danger[data-action="` + action + `"]`: 1, `form[action$="/` + action + `"]`: 0},
		}, testapp.Scenario{
			Name: "the confirm step of " + action, As: "admin", Path: "/admin/users/{demo.guest}/" + action, Shared: true,
			Status: http.StatusOK,
			Count:  map[string]int{`[data-testid="confirm-step"] form[method="post"] button.btn-danger`: 1},
			After: func(t *testing.T, app *testapp.App, res *testapp.Response) {
				doc := res.Doc(t)
				if got, _ := doc.Find(`[data-testid="confirm-step"] form`).Attr("action"); got != record(t, app)+"/"+action {
					t.Errorf("confirm form action: got %q, want %q", got, record(t, app)+"/"+action)
				}
				if tok, _ := doc.Find(`[data-testid="confirm-step"] input[name="_csrf"]`).Attr("value"); tok == "" {
					t.Errorf("confirm form: got no CSRF token")
				}
				// Opening the step changes nothing.
				if u := app.User(t, guestLogin); u.Status != models.StatusActive || u.MustChangePassword {
					t.Errorf("after the confirm step: got status %s must change %v, want the account untouched", u.Status, u.MustChangePassword)
				}
			}})
	}
	scenarios = append(scenarios,
		testapp.Scenario{Name: "lock goes back to the record", As: "admin", Method: http.MethodPost, Path: "/admin/users/{demo.guest}/lock",
			Status: http.StatusSeeOther,
			After: func(t *testing.T, app *testapp.App, res *testapp.Response) {
				if got := res.Header.Get("Location"); got != record(t, app) {
					t.Errorf("Location: got %q, want the record %q", got, record(t, app))
				}
			}},
		testapp.Scenario{Name: "with htmx, lock sends the browser to the record", As: "admin", Method: http.MethodPost, Path: "/admin/users/{demo.guest}/revoke-sessions",
			HTMX: true, Status: http.StatusOK,
			After: func(t *testing.T, app *testapp.App, res *testapp.Response) {
				if got := res.Header.Get("HX-Redirect"); got != record(t, app) {
					t.Errorf("HX-Redirect: got %q, want the record %q", got, record(t, app))
				}
			}},
		testapp.Scenario{Name: "with htmx, a reset shows the password at the record's address", As: "admin", Method: http.MethodPost,
			Path: "/admin/users/{demo.guest}/reset-password", HTMX: true, Status: http.StatusOK, Fragment: true,
			// The title is the record's, as the address.
			Count: map[string]int{`[data-testid="temp-password"]`: 1, "title": 1},
			After: func(t *testing.T, app *testapp.App, res *testapp.Response) {
				if got := res.Header.Get("HX-Push-Url"); got != record(t, app) {
					t.Errorf("HX-Push-Url: got %q, want the record %q", got, record(t, app))
				}
				if got := res.Header.Get("Cache-Control"); got != "no-store" {
					t.Errorf("Cache-Control: got %q, want no-store", got)
				}
			}},
	)
	testapp.RunScenarios(t, scenarios)
}

// A user's history and the audit log name changed fields by their labels,
// and write days and times in the one format people read everywhere.
func TestHistoryLabelsAndDates(t *testing.T) {
	move := func(t *testing.T, app *testapp.App, _ *testapp.Client) {
		testapp.Scenario{Method: http.MethodPost, Path: "/account/profile", FormFunc: profileWith(map[string]string{"city": "Savannah", "address_line3": "Floor 3"}),
			Status: http.StatusSeeOther}.Send(t, app.ClientAs(t, "guest"))
	}
	// The demo admin reads American English: month first.
	when := regexp.MustCompile(`^(January|February|March|April|May|June|July|August|September|October|November|December) \d{1,2}, \d{4}, \d\d:\d\d:\d\d UTC$`)
	checkRows := func(t *testing.T, _ *testapp.App, res *testapp.Response) {
		doc := res.Doc(t)
		for field, label := range map[string]string{"city": "Town or city", "address_line3": "Address line 3"} {
			got := strings.TrimSpace(doc.Find(`li[data-field="` + field + `"] .font-semibold`).First().Text())
			if got != label {
				t.Errorf("%s change: got label %q, want %q", field, got, label)
			}
		}
		if got := strings.TrimSpace(doc.Find(`td[data-col="when"] time`).First().Text()); !when.MatchString(got) {
			t.Errorf("when: got %q, want such as \"December 3, 2026, 11:04:05 UTC\"", got)
		}
	}
	testapp.RunScenarios(t, []testapp.Scenario{
		{Name: "the record's history", As: "admin", Path: "/admin/users/{demo.guest}", Before: move, Status: http.StatusOK,
			NotInBody: []string{">address_line3<", ">city<"}, After: checkRows},
		{Name: "the audit log", As: "admin", Path: "/admin/audit", Before: move, Status: http.StatusOK,
			NotInBody: []string{">address_line3<", ">city<"}, After: checkRows},
		{Name: "a birthday reads as a day, for an American English reader", As: "admin", Path: "/admin/users/{demo.guest}", Shared: true, Status: http.StatusOK,
			Text: map[string]string{`dd[data-field="birthday"]`: "January 30, 1986"}},
		{Name: "the guest's own overview", As: "guest", Path: "/account", Shared: true, Status: http.StatusOK,
			Text: map[string]string{`dd[data-field="birthday"]`: "January 30, 1986"}},
		{Name: "in British English, day first", As: "guest", Path: "/account", Status: http.StatusOK,
			Before: func(t *testing.T, app *testapp.App, c *testapp.Client) {
				testapp.Scenario{Method: http.MethodPost, Path: "/account/profile", FormFunc: profileWith(map[string]string{"language": "en-GB"}),
					Status: http.StatusSeeOther}.Send(t, c)
			},
			Text: map[string]string{`dd[data-field="birthday"]`: "30 January 1986", `dd[data-field="language"]`: "British English (en-GB)"},
			After: func(t *testing.T, _ *testapp.App, res *testapp.Response) {
				got := res.Doc(t).Find(`[data-testid="section-security"] dd`).Last().Text()
				if !regexp.MustCompile(`^\d{1,2} [A-Z][a-z]+ \d{4}, \d\d:\d\d UTC$`).MatchString(strings.TrimSpace(got)) {
					t.Errorf("last sign-in: got %q, want day first, such as \"3 December 2026, 11:04 UTC\"", got)
				}
			}},
	})
}
