package handlers_test

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
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
			tab1.HTMX = htmx
			res := tab1.Post("/account/profile", stale)
			testapp.Want(t, res, http.StatusConflict)
			doc := res.Doc(t)
			notice := doc.Find(`#profile-form [data-testid="notice"]`).Text()
			if !strings.Contains(notice, "Someone else changed this profile") || !strings.Contains(notice, "Town or city (now Savannah)") {
				t.Errorf("htmx=%v conflict message: got %q", htmx, notice)
			}
			if v, _ := doc.Find("#first_name").Attr("value"); v != "Maia" {
				t.Errorf("htmx=%v: the user's input was lost: first name %q", htmx, v)
			}
			if htmx == strings.Contains(res.Body, "<html") {
				t.Errorf("htmx=%v: wrong page/fragment", htmx)
			}
		}
		after := app.User(t, "demo.guest")
		if after.Version != before.Version || after.FirstName != "Maya" || after.City != "Savannah" {
			t.Errorf("stored record changed: version %d→%d first %q city %q", before.Version, after.Version, after.FirstName, after.City)
		}

		// The refused form carries the current version: saving it again
		// (the user has seen what changed) works.
		tab1.HTMX = false
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

		res := admin.Post("/admin/users/"+guest.ID, stale)
		testapp.Want(t, res, http.StatusConflict)
		if notice := res.Doc(t).Find(`[data-testid="notice"]`).Text(); !strings.Contains(notice, "Last name (now Rivera)") {
			t.Errorf("conflict message: got %q", notice)
		}
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
				res := f.client.Post(f.path, form)
				testapp.Want(t, res, http.StatusConflict)
				doc := res.Doc(t)
				if notice := doc.Find(`[data-testid="notice"]`).Text(); !strings.Contains(notice, "did not say which version") {
					t.Errorf("%s version %q: got notice %q", f.name, version, notice)
				}
				if v := doc.Find("#city").AttrOr("value", ""); v != "Nowhere Without A Version" {
					t.Errorf("%s version %q: the input was lost: city %q", f.name, version, v)
				}
				if got, want := doc.Find(`input[name="version"]`).AttrOr("value", ""), strconv.Itoa(before.Version); got != want {
					t.Errorf("%s version %q: the form carries version %q, want the current %q", f.name, version, got, want)
				}
				if after := app.User(t, "demo.guest"); after.Version != before.Version || after.City != before.City {
					t.Errorf("%s version %q: saved: version %d → %d, city %q", f.name, version, before.Version, after.Version, after.City)
				}
			}
		}
	})
}
