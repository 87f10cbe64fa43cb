package handlers_test

import (
	"cmp"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"myaccount/internal/testapp"
	"myaccount/models"
	"myaccount/store"
)

// adminRoute is one route of the admin console; id marks routes that name
// a user.
type adminRoute struct {
	method, path string
	form         url.Values
}

// adminRoutes lists every /admin route, with {id} where a user id (or a
// key id) goes.
var adminRoutes = []adminRoute{
	{http.MethodGet, "/admin", nil},
	{http.MethodGet, "/admin/users", nil},
	{http.MethodGet, "/admin/users/new", nil},
	{http.MethodPost, "/admin/users", url.Values{"username": {"intruder.made"}, "password": {"Intruder#2026"}, "roles": {models.RoleCustomer}}},
	{http.MethodGet, "/admin/users/{id}", nil},
	{http.MethodGet, "/admin/users/{id}/edit", nil},
	{http.MethodPost, "/admin/users/{id}", url.Values{"city": {"Intruded"}, "status": {models.StatusInactive}, "roles": {models.RoleCustomer}}},
	{http.MethodPost, "/admin/users/{id}/lock", url.Values{}},
	{http.MethodPost, "/admin/users/{id}/unlock", url.Values{}},
	{http.MethodPost, "/admin/users/{id}/force-password-change", url.Values{}},
	{http.MethodPost, "/admin/users/{id}/reset-password", url.Values{}},
	{http.MethodPost, "/admin/users/{id}/send-reset-link", url.Values{}},
	{http.MethodPost, "/admin/users/{id}/resend-invitation", url.Values{}},
	{http.MethodPost, "/admin/users/{id}/revoke-sessions", url.Values{}},
	{http.MethodGet, "/admin/audit", nil},
	{http.MethodGet, "/admin/settings", nil},
	{http.MethodPost, "/admin/settings", url.Values{"password_min_length": {"3"}}},
	{http.MethodGet, "/admin/api-keys", nil},
	{http.MethodPost, "/admin/api-keys", url.Values{"name": {"Intruder key"}}},
	{http.MethodPost, "/admin/api-keys/{id}/revoke", url.Values{}},
}

func (r adminRoute) at(id string) string { return strings.ReplaceAll(r.path, "{id}", id) }

// A guest is refused every admin route with 403; a visitor who is not
// signed in is sent to sign in. Nothing changes either way.
func TestAdminRoutesRefuseGuests(t *testing.T) {
	var before *models.User
	unchanged := func(t *testing.T, app *testapp.App, _ *testapp.Response) {
		after := app.User(t, "demo.admin")
		if after.Version != before.Version || after.Status != models.StatusActive {
			t.Errorf("the admin's record changed: version %d → %d", before.Version, after.Version)
		}
		if m := app.Merchant(t, "sandpiper"); m.PasswordPolicy.MinLength != 6 {
			t.Errorf("settings changed: min length %d", m.PasswordPolicy.MinLength)
		}
		var n int64
		app.DB.Model(&models.User{}).Where("username = ?", "intruder.made").Count(&n)
		if n != 0 {
			t.Errorf("a guest created a user")
		}
		app.DB.Model(&models.APIKey{}).Where("name = ?", "Intruder key").Count(&n)
		if n != 0 {
			t.Errorf("a guest created an API key")
		}
	}
	var scenarios []testapp.Scenario
	for _, r := range adminRoutes {
		for _, as := range []string{"guest", ""} {
			s := testapp.Scenario{Name: as + " " + r.method + " " + r.path, As: as, Method: r.method, Path: r.at("{demo.admin}"), Form: r.form, Shared: true,
				Before: func(t *testing.T, app *testapp.App, _ *testapp.Client) { before = app.User(t, "demo.admin") },
				Status: http.StatusForbidden, Count: map[string]int{`[data-testid="error-page"]`: 1}, After: unchanged}
			if as == "" {
				s.Name, s.Status, s.Count, s.Headers = "signed out "+r.method+" "+r.path, http.StatusSeeOther, nil, location("/login*")
			}
			scenarios = append(scenarios, s)
		}
	}
	testapp.RunScenarios(t, scenarios)
}

// An admin asking for, editing or acting on a user of another merchant
// gets 404, exactly as for an id that does not exist, on every route that
// names a user, GET and POST alike; and the user is untouched.
func TestAdminIsolationBetweenMerchants(t *testing.T) {
	var other *models.User // as it was before
	var scenarios []testapp.Scenario
	for _, r := range adminRoutes {
		if !strings.Contains(r.path, "{id}") {
			continue
		}
		for _, id := range []struct{ name, id string }{{"another merchant's user", ""}, {"an unknown id", store.NewID()}, {"not an id", "not-an-id"}} {
			scenarios = append(scenarios, testapp.Scenario{
				Name: r.method + " " + r.path + " for " + id.name, As: "admin", Method: r.method, Form: r.form, Shared: true,
				Before:   func(t *testing.T, app *testapp.App, _ *testapp.Client) { other = firstHarborUser(t, app) },
				PathFunc: func(*testing.T, *testapp.App) string { return r.at(cmp.Or(id.id, other.ID)) },
				// The plain not-found page.
				Status: http.StatusNotFound, Text: map[string]string{"h1": "Page not found"},
				After: func(t *testing.T, app *testapp.App, _ *testapp.Response) {
					after := app.User(t, other.Username)
					if after.Version != other.Version || after.Status != other.Status || after.MustChangePassword != other.MustChangePassword || after.PasswordHash != other.PasswordHash {
						t.Errorf("the other merchant's user changed")
					}
					if n := len(app.Audit(t, other.ID)); n != 0 {
						t.Errorf("audit events about the other merchant's user: got %d, want 0", n)
					}
				},
			})
		}
	}
	testapp.RunScenarios(t, scenarios)
}

// The user list never shows another merchant's users, whatever the search.
func TestAdminUserListIsolation(t *testing.T) {
	var scenarios []testapp.Scenario
	for _, q := range []string{"", "{username}", "harbor", "{email}", "{member number}"} {
		scenarios = append(scenarios, testapp.Scenario{
			Name: "q=" + q, As: "admin", Shared: true,
			PathFunc: func(t *testing.T, app *testapp.App) string {
				u := firstHarborUser(t, app)
				return "/admin/users?q=" + url.QueryEscape(strings.NewReplacer("{username}", u.Username, "{email}", u.Email, "{member number}", u.MemberNumber).Replace(q))
			},
			Status: http.StatusOK, Absent: []string{`[data-username^="harbor."]`},
			After: func(t *testing.T, app *testapp.App, res *testapp.Response) {
				if strings.Contains(res.Body, firstHarborUser(t, app).ID) {
					t.Errorf("a Harbor Coffee user is listed")
				}
			},
		})
	}
	testapp.RunScenarios(t, scenarios)
}

// firstHarborUser is the first user of Harbor Coffee, another merchant
// than the demo admin's.
func firstHarborUser(t *testing.T, app *testapp.App) *models.User {
	t.Helper()
	var u models.User
	if err := app.DB.Where("merchant_id = ?", app.Merchant(t, "harbor").ID).Order("username").Take(&u).Error; err != nil {
		t.Fatal(err)
	}
	return &u
}
