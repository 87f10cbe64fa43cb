package handlers_test

import (
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

// adminRoutes lists every /admin route, with {id} where a user id goes.
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
	{http.MethodPost, "/admin/users/{id}/revoke-sessions", url.Values{}},
	{http.MethodGet, "/admin/audit", nil},
	{http.MethodGet, "/admin/settings", nil},
	{http.MethodPost, "/admin/settings", url.Values{"password_min_length": {"3"}}},
}

func (r adminRoute) at(id string) string { return strings.ReplaceAll(r.path, "{id}", id) }

func (r adminRoute) send(c *testapp.Client, id string) *testapp.Response {
	if r.method == http.MethodGet {
		return c.Get(r.at(id))
	}
	return c.Post(r.at(id), r.form)
}

// A guest is refused every admin route with 403; a visitor who is not
// signed in is sent to sign in. Nothing changes either way.
func TestAdminRoutesRefuseGuests(t *testing.T) {
	testapp.ForEach(t, func(t *testing.T, b testapp.Backend) {
		app := testapp.New(t, b)
		target := app.User(t, "demo.admin")
		guest := app.Client(t)
		guest.SignInGuest()
		anon := app.Client(t)
		for _, r := range adminRoutes {
			res := r.send(guest, target.ID)
			testapp.Want(t, res, http.StatusForbidden)
			if res.Doc(t).Find(`[data-testid="error-page"]`).Length() != 1 {
				t.Errorf("guest %s %s: got no error page", r.method, r.path)
			}
			res = r.send(anon, target.ID)
			testapp.Want(t, res, http.StatusSeeOther)
			if loc := res.Header.Get("Location"); !strings.HasPrefix(loc, "/login") {
				t.Errorf("signed out %s %s: got Location %q, want /login", r.method, r.path, loc)
			}
		}
		after := app.User(t, "demo.admin")
		if after.Version != target.Version || after.Status != models.StatusActive {
			t.Errorf("the admin's record changed: version %d → %d", target.Version, after.Version)
		}
		if m := app.Merchant(t, "sandpiper"); m.PasswordPolicy.MinLength != 6 {
			t.Errorf("settings changed: min length %d", m.PasswordPolicy.MinLength)
		}
		var n int64
		app.DB.Model(&models.User{}).Where("username = ?", "intruder.made").Count(&n)
		if n != 0 {
			t.Errorf("a guest created a user")
		}
	})
}

// An admin asking for, editing or acting on a user of another merchant
// gets 404, exactly as for an id that does not exist, on every route that
// names a user, GET and POST alike; and the user is untouched.
func TestAdminIsolationBetweenMerchants(t *testing.T) {
	testapp.ForEach(t, func(t *testing.T, b testapp.Backend) {
		app := testapp.New(t, b)
		harbor := app.Merchant(t, "harbor")
		var other models.User
		if err := app.DB.Where("merchant_id = ?", harbor.ID).Order("username").Take(&other).Error; err != nil {
			t.Fatal(err)
		}
		admin := app.Client(t)
		admin.SignIn("demo.admin", store.DemoAdminPassword)
		for _, r := range adminRoutes {
			if !strings.Contains(r.path, "{id}") {
				continue
			}
			for _, id := range []string{other.ID, store.NewID(), "not-an-id"} {
				res := r.send(admin, id)
				testapp.Want(t, res, http.StatusNotFound)
				if title := res.Doc(t).Find("h1").Text(); title != "Page not found" {
					t.Errorf("%s %s with %s: got title %q, want the plain not-found page", r.method, r.path, id, title)
				}
			}
		}
		after := app.User(t, other.Username)
		if after.Version != other.Version || after.Status != other.Status || after.MustChangePassword != other.MustChangePassword || after.PasswordHash != other.PasswordHash {
			t.Errorf("the other merchant's user changed")
		}
		if n := len(app.Audit(t, other.ID)); n != 0 {
			t.Errorf("audit events about the other merchant's user: got %d, want 0", n)
		}
	})
}

// The user list never shows another merchant's users, whatever the search.
func TestAdminUserListIsolation(t *testing.T) {
	testapp.ForEach(t, func(t *testing.T, b testapp.Backend) {
		app := testapp.New(t, b)
		harbor := app.Merchant(t, "harbor")
		var other models.User
		app.DB.Where("merchant_id = ?", harbor.ID).Order("username").Take(&other)
		admin := app.Client(t)
		admin.SignIn("demo.admin", store.DemoAdminPassword)
		for _, q := range []string{"", other.Username, "harbor", other.Email, other.MemberNumber} {
			res := admin.Get("/admin/users?q=" + url.QueryEscape(q))
			testapp.Want(t, res, http.StatusOK)
			if strings.Contains(res.Body, other.ID) || res.Doc(t).Find(`[data-username^="harbor."]`).Length() != 0 {
				t.Errorf("search %q: a Harbor Coffee user is listed", q)
			}
		}
	})
}
