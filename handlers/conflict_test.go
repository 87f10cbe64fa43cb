package handlers_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"testing"

	"myaccount/internal/testapp"
)

// A submit from a stale form (the record changed in another tab, or by an
// admin) is refused with 409, names what changed, keeps what the user
// typed, and leaves the stored record untouched. Saving again from the
// refreshed form works.
func TestStaleProfileFormIsRefused(t *testing.T) {
	testapp.ForEach(t, func(t *testing.T, b testapp.Backend) {
		app := testapp.New(t, b)
		guest := app.User(t, "demo.guest")
		tab1 := app.Client(t)
		tab1.SignInGuest()
		stale := profileForm(t, tab1)

		admin := adminClient(t, app)
		adminForm := url.Values{}
		for k, v := range stale {
			adminForm[k] = v
		}
		// The admin opens the edit page and changes the city.
		editDoc := admin.Get("/admin/users/" + guest.ID + "/edit").Doc(t)
		v, _ := editDoc.Find(`input[name="version"]`).Attr("value")
		o, _ := editDoc.Find(`input[name="original"]`).Attr("value")
		testapp.Want(t, admin.Post("/admin/users/"+guest.ID, url.Values{"city": {"Savannah"}, "version": {v}, "original": {o}, "roles": {"CUSTOMER"}}), http.StatusSeeOther)
		before := app.User(t, "demo.guest")

		stale.Set("first_name", "Maia")
		for _, htmx := range []bool{false, true} {
			// The message names what changed; the user's input is kept.
			refused := testapp.Scenario{Name: fmt.Sprintf("htmx=%v", htmx), Method: http.MethodPost, Path: "/account/profile", Form: stale, HTMX: htmx,
				Status: http.StatusConflict, Fragment: htmx, InBody: []string{"<html"}, Text: map[string]string{"#first_name@value": "Maia"},
				Contains: map[string][]string{`#profile-form [data-testid="notice"]`: {"Someone else changed this profile", "Town or city (now Savannah)"}}}
			if htmx {
				refused.InBody = nil
			}
			refused.Send(t, tab1)
		}
		after := app.User(t, "demo.guest")
		if after.Version != before.Version || after.FirstName != "Maya" || after.City != "Savannah" {
			t.Errorf("stored record changed: version %d→%d first %q city %q", before.Version, after.Version, after.FirstName, after.City)
		}

		// The refused form carries the current version: saving it again
		// (the user has seen what changed) works.
		res := tab1.Post("/account/profile", stale)
		doc := res.Doc(t)
		again := url.Values{}
		for k, v := range stale {
			again[k] = v
		}
		again.Set("version", doc.Find(`input[name="version"]`).AttrOr("value", ""))
		again.Set("original", doc.Find(`input[name="original"]`).AttrOr("value", ""))
		testapp.Want(t, tab1.Post("/account/profile", again), http.StatusSeeOther)
		if u := app.User(t, "demo.guest"); u.FirstName != "Maia" {
			t.Errorf("resubmit: got first name %q, want Maia", u.FirstName)
		}
	})
}

func TestStaleAdminFormIsRefused(t *testing.T) {
	testapp.ForEach(t, func(t *testing.T, b testapp.Backend) {
		app := testapp.New(t, b)
		guest := app.User(t, "demo.guest")
		admin := adminClient(t, app)
		doc := admin.Get("/admin/users/" + guest.ID + "/edit").Doc(t)
		stale := url.Values{
			"version": {doc.Find(`input[name="version"]`).AttrOr("value", "")}, "original": {doc.Find(`input[name="original"]`).AttrOr("value", "")},
			"job_title": {"Manager"}, "roles": {"CUSTOMER"},
		}
		// Meanwhile the guest changes their own last name.
		gc := app.Client(t)
		gc.SignInGuest()
		form := profileForm(t, gc)
		form.Set("last_name", "Rivera")
		testapp.Want(t, gc.Post("/account/profile", form), http.StatusSeeOther)

		testapp.Scenario{Method: http.MethodPost, Path: "/admin/users/" + guest.ID, Form: stale, Status: http.StatusConflict,
			Contains: map[string][]string{`[data-testid="notice"]`: {"Last name (now Rivera)"}}}.Send(t, admin)
		if u := app.User(t, "demo.guest"); u.JobTitle != "" || u.LastName != "Rivera" {
			t.Errorf("stored: job %q last %q", u.JobTitle, u.LastName)
		}
	})
}

// A profile or admin form posted without a usable version (left out, 0,
// negative or not a number) could overwrite changes made since: it is
// refused like a stale one, with the input kept, and nothing is saved.
// The form it comes back in carries the current version.
func TestFormWithoutVersionIsRefused(t *testing.T) {
	testapp.ForEach(t, func(t *testing.T, b testapp.Backend) {
		app := testapp.New(t, b)
		guest := app.User(t, "demo.guest")
		c := app.Client(t)
		c.SignInGuest()
		admin := adminClient(t, app)
		forms := []struct {
			name   string
			client *testapp.Client
			path   string
			form   func() url.Values
		}{
			{"guest", c, "/account/profile", func() url.Values { return profileForm(t, c) }},
			{"admin", admin, "/admin/users/" + guest.ID, func() url.Values {
				f := url.Values{"roles": {"CUSTOMER"}}
				for k, v := range profileForm(t, c) {
					f[k] = v
				}
				return f
			}},
		}
		for _, f := range forms {
			for _, version := range []string{"", "0", "-3", "abc", "1.5", "none"} {
				before := app.User(t, "demo.guest")
				form := f.form()
				if version == "none" {
					form.Del("version")
				} else {
					form.Set("version", version)
				}
				form.Set("city", "Nowhere Without A Version")
				// The input is kept, and the form carries the current version.
				testapp.Scenario{Name: fmt.Sprintf("%s version %q", f.name, version), Method: http.MethodPost, Path: f.path, Form: form, Status: http.StatusConflict,
					Contains: map[string][]string{`[data-testid="notice"]`: {"did not say which version"}},
					Text:     map[string]string{"#city@value": "Nowhere Without A Version", `input[name="version"]@value`: strconv.Itoa(before.Version)}}.Send(t, f.client)
				if after := app.User(t, "demo.guest"); after.Version != before.Version || after.City != before.City {
					t.Errorf("%s version %q: saved: version %d → %d, city %q", f.name, version, before.Version, after.Version, after.City)
				}
			}
		}
	})
}
