package handlers_test

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"myaccount/internal/testapp"
	"myaccount/models"
	"myaccount/store"
)

var apiKeyShape = regexp.MustCompile(`^mak_[0-9A-Za-z]{12}_[0-9A-Za-z_-]{43}$`)

// storedKey creates a key of merchant code through the store, as made by
// the merchant's first user, and returns the key and its row.
func storedKey(t *testing.T, app *testapp.App, code, name string) (string, *models.APIKey) {
	t.Helper()
	m := app.Merchant(t, code)
	var by models.User
	if err := app.DB.Where("merchant_id = ?", m.ID).Order("username").Take(&by).Error; err != nil {
		t.Fatal(err)
	}
	key, row, err := app.Deps.APIKeys.Create(context.Background(), &by, m, name, store.Meta{})
	if err != nil {
		t.Fatalf("create key %q: %v", name, err)
	}
	return key, row
}

// keyActive reports whether key still opens the API.
func keyActive(t *testing.T, app *testapp.App, key string) bool {
	t.Helper()
	_, err := app.Deps.APIKeys.Authenticate(context.Background(), key)
	if err != nil && !errors.Is(err, models.ErrNotFound) {
		t.Fatal(err)
	}
	return err == nil
}

// keyCount is how many keys merchant code has.
func keyCount(t *testing.T, app *testapp.App, code string) int {
	t.Helper()
	keys, err := app.Deps.APIKeys.List(context.Background(), app.Merchant(t, code).ID)
	if err != nil {
		t.Fatal(err)
	}
	return len(keys)
}

// shownKey is the key a creation answer shows.
func shownKey(t *testing.T, res *testapp.Response) string {
	t.Helper()
	key := strings.TrimSpace(res.Doc(t).Find("code#new-api-key").Text())
	if !apiKeyShape.MatchString(key) {
		t.Fatalf("#new-api-key: got %q, want a key like mak_<12>_<43>", key)
	}
	return key
}

// The page lists the keys with their prefix, never the key, and has a
// create form with one field, "Key name".
func TestAdminAPIKeysPage(t *testing.T) {
	var key string
	var row *models.APIKey
	testapp.RunScenarios(t, []testapp.Scenario{
		{Name: "the page", As: "admin", Path: "/admin/api-keys", Status: http.StatusOK,
			Before: func(t *testing.T, app *testapp.App, _ *testapp.Client) {
				key, row = storedKey(t, app, "sandpiper", "Point of sale")
			},
			Labels: map[string]string{"name": "Key name"},
			Text: map[string]string{
				"h1": "API keys", `.site-nav a[aria-current="page"]`: "API keys",
				`#api-keys form[action="/admin/api-keys"]@method`: "post", `#api-keys form[action="/admin/api-keys"]@hx-post`: "/admin/api-keys",
				"#name@value": "",
			},
			Count:  map[string]int{`#api-keys form[action="/admin/api-keys"] input:not([type="hidden"])`: 1},
			Absent: []string{"#new-api-key"},
			After: func(t *testing.T, _ *testapp.App, res *testapp.Response) {
				tr := res.Doc(t).Find(`tr[data-key-id="` + row.ID + `"]`)
				cell := func(col string) string {
					return strings.Join(strings.Fields(tr.Find(`[data-col="`+col+`"]`).Text()), " ")
				}
				if cell("name") != "Point of sale" || cell("prefix") != key[:16] || cell("last-used") != "Never" || !strings.HasSuffix(cell("created"), "UTC") {
					t.Errorf("row: got name %q prefix %q created %q last used %q, want Point of sale, %s, a time, Never",
						cell("name"), cell("prefix"), cell("created"), cell("last-used"), key[:16])
				}
				if got := tr.Find(`form[action="/admin/api-keys/` + row.ID + `/revoke"] button`).Text(); got != "Revoke Point of sale" {
					t.Errorf("revoke button: got %q, want Revoke (and the key's name for screen readers)", got)
				}
				if strings.Contains(res.Body, key[16:]) {
					t.Errorf("the list shows more of the key than its prefix")
				}
			}},
		// A guest is refused, and a visitor sent to sign in.
		{Name: "a guest", As: "guest", Path: "/admin/api-keys", Shared: true, Status: http.StatusForbidden},
		{Name: "a visitor", Path: "/admin/api-keys", Shared: true, Status: http.StatusSeeOther, Headers: location("/login*")},
	})
}

// A created key is shown once, in a no-store answer, in #new-api-key;
// it works at once, and afterwards the page shows only its prefix.
func TestAdminAPIKeyCreate(t *testing.T) {
	created := func(t *testing.T, app *testapp.App, res *testapp.Response) {
		key := shownKey(t, res)
		if n := strings.Count(res.Body, key); n != 1 {
			t.Errorf("the answer holds the key %d times, want once", n)
		}
		if !keyActive(t, app, key) {
			t.Errorf("the key shown does not open the API")
		}
		testapp.Scenario{Path: "/admin/api-keys", Status: http.StatusOK, Absent: []string{"#new-api-key"}, NotInBody: []string{key, key[16:]},
			Contains: map[string][]string{`[data-testid="api-key-table"]`: {"Point of sale", key[:16]}}}.Send(t, res.Client)
	}
	testapp.RunScenarios(t, []testapp.Scenario{
		{Name: "create", As: "admin", Method: http.MethodPost, Path: "/admin/api-keys", Form: url.Values{"name": {"  Point of sale "}},
			Status: http.StatusOK, Headers: map[string]string{"Cache-Control": "no-store", "Location": ""},
			Text:     map[string]string{"#name@value": "", `[data-testid="new-api-key-notice"] p:first-child`: "The new key “Point of sale” is:"},
			Contains: map[string][]string{`[data-testid="new-api-key-notice"]`: {"will not be shown again"}, `[data-testid="api-key-table"]`: {"Point of sale"}},
			InBody:   []string{"<html"}, After: created},
		{Name: "create with htmx", As: "admin", Method: http.MethodPost, Path: "/admin/api-keys", Form: url.Values{"name": {"Point of sale"}}, HTMX: true,
			Status: http.StatusOK, Fragment: true, Headers: map[string]string{"Cache-Control": "no-store", "Hx-Redirect": ""},
			Count: map[string]int{"section#api-keys": 1, "code#new-api-key": 1}, After: created},
	})
}

// A refused name re-renders the form with 422, the message next to the
// field and in the summary, and what was typed; no key is made.
func TestAdminAPIKeyCreateRefused(t *testing.T) {
	long := strings.Repeat("k", 61)
	var keys int // the merchant's, before the post
	count := func(t *testing.T, app *testapp.App, _ *testapp.Client) { keys = keyCount(t, app, "sandpiper") }
	refused := func(name, msg string) testapp.Scenario {
		return testapp.Scenario{As: "admin", Method: http.MethodPost, Path: "/admin/api-keys", Form: url.Values{"name": {name}}, Shared: true, Before: count,
			Status: http.StatusUnprocessableEntity, Errors: map[string]string{"name": msg}, Invalid: []string{"name"}, Summary: []string{msg},
			Text: map[string]string{"title": "Error: API keys – My Account", "#name@value": name}, Absent: []string{"#new-api-key"},
			After: func(t *testing.T, app *testapp.App, _ *testapp.Response) {
				if n := keyCount(t, app, "sandpiper"); n != keys {
					t.Errorf("keys: got %d, want %d: none made", n, keys)
				}
			}}
	}
	taken := refused("point of SALE", models.KeyNameTaken)
	taken.Before = func(t *testing.T, app *testapp.App, c *testapp.Client) {
		storedKey(t, app, "sandpiper", "Point of sale")
		count(t, app, c)
	}
	htmx := refused("", "Enter a key name")
	htmx.HTMX, htmx.Fragment = true, true
	delete(htmx.Text, "title")
	scenarios := []testapp.Scenario{refused("", "Enter a key name"), refused("   ", "Enter a key name"), refused(long, "Key name must be 60 characters or fewer"),
		refused("Point\tof sale", "Key name must not contain control characters"), taken, htmx}
	for i, name := range []string{"empty", "blank", "too long", "a tab", "the name of an active key", "empty, with htmx"} {
		scenarios[i].Name = name
	}
	testapp.RunScenarios(t, scenarios)
}

// Creating and revoking need the CSRF token, as every form does.
func TestAdminAPIKeysNeedCSRF(t *testing.T) {
	var key string
	var row *models.APIKey
	testapp.RunScenarios(t, []testapp.Scenario{
		{Name: "create", As: "admin", Method: http.MethodPost, Path: "/admin/api-keys", Form: url.Values{"name": {"Sneaky"}}, NoCSRF: true, Shared: true,
			Status: http.StatusForbidden, Absent: []string{"#new-api-key"},
			After: func(t *testing.T, app *testapp.App, _ *testapp.Response) {
				keys, _ := app.Deps.APIKeys.List(context.Background(), app.Merchant(t, "sandpiper").ID)
				for _, k := range keys {
					if k.Name == "Sneaky" {
						t.Errorf("a key was made without the CSRF token")
					}
				}
			}},
		{Name: "revoke", As: "admin", Method: http.MethodPost, NoCSRF: true, Shared: true,
			Before: func(t *testing.T, app *testapp.App, _ *testapp.Client) {
				key, row = storedKey(t, app, "sandpiper", "Point of sale")
			},
			PathFunc: func(*testing.T, *testapp.App) string { return "/admin/api-keys/" + row.ID + "/revoke" },
			Status:   http.StatusForbidden,
			After: func(t *testing.T, app *testapp.App, _ *testapp.Response) {
				if !keyActive(t, app, key) {
					t.Errorf("the key was revoked without the CSRF token")
				}
			}},
	})
}

// Revoking ends a key at once and says so; the list then shows it as
// revoked without a button. Another merchant's key, or an id that is no
// key, is 404, and stays as it was.
func TestAdminAPIKeyRevoke(t *testing.T) {
	var key string
	var row *models.APIKey
	ofSandpiper := func(t *testing.T, app *testapp.App, _ *testapp.Client) {
		key, row = storedKey(t, app, "sandpiper", "Point of sale")
	}
	ofHarbor := func(t *testing.T, app *testapp.App, _ *testapp.Client) {
		key, row = storedKey(t, app, "harbor", "Loyalty app")
	}
	revokePath := func(*testing.T, *testapp.App) string { return "/admin/api-keys/" + row.ID + "/revoke" }
	revoked := func(t *testing.T, app *testapp.App, res *testapp.Response) {
		if keyActive(t, app, key) {
			t.Errorf("the key still opens the API")
		}
		var evs []models.AuditEvent
		app.DB.Where("action = ?", models.ActionAPIKeyRevoked).Find(&evs)
		admin := app.User(t, "demo.admin")
		if len(evs) != 1 || evs[0].ActorID == nil || *evs[0].ActorID != admin.ID || evs[0].IP != "127.0.0.1" {
			t.Errorf("revoked events: got %+v, want one by the admin from 127.0.0.1", evs)
		}
	}
	listed := func(t *testing.T, res *testapp.Response) {
		t.Helper()
		tr := res.Doc(t).Find(`tr[data-key-id="` + row.ID + `"]`)
		if status := strings.TrimSpace(tr.Find(`[data-col="status"]`).Text()); !strings.HasPrefix(status, "Revoked ") || tr.Find("form").Length() != 0 {
			t.Errorf("the revoked key's row: got status %q and %d forms, want Revoked <time> and none", status, tr.Find("form").Length())
		}
	}
	untouched := func(t *testing.T, app *testapp.App, _ *testapp.Response) {
		if !keyActive(t, app, key) {
			t.Errorf("the key was revoked")
		}
		var n int64
		app.DB.Model(&models.AuditEvent{}).Where("action = ?", models.ActionAPIKeyRevoked).Count(&n)
		if n != 0 {
			t.Errorf("revoked events: got %d, want 0", n)
		}
	}
	notFound := func(name string, before func(*testing.T, *testapp.App, *testapp.Client), path func(*testing.T, *testapp.App) string) testapp.Scenario {
		return testapp.Scenario{Name: name, As: "admin", Method: http.MethodPost, Before: before, PathFunc: path,
			Status: http.StatusNotFound, Text: map[string]string{"h1": "Page not found"}, After: untouched}
	}
	testapp.RunScenarios(t, []testapp.Scenario{
		{Name: "revoke", As: "admin", Method: http.MethodPost, Before: ofSandpiper, PathFunc: revokePath,
			Status: http.StatusSeeOther, Headers: location("/admin/api-keys"),
			After: func(t *testing.T, app *testapp.App, res *testapp.Response) {
				revoked(t, app, res)
				page := testapp.Scenario{Path: "/admin/api-keys", Status: http.StatusOK,
					Text: map[string]string{`[data-testid="notice"]`: "The key has been revoked: calls made with it are refused."}}.Send(t, res.Client)
				listed(t, page)
			}},
		{Name: "revoke with htmx", As: "admin", Method: http.MethodPost, HTMX: true, Before: ofSandpiper, PathFunc: revokePath,
			Status: http.StatusOK, Fragment: true, Headers: map[string]string{"Hx-Push-Url": "/admin/api-keys"},
			Text: map[string]string{`#api-keys [data-testid="notice"]`: "The key has been revoked: calls made with it are refused."},
			After: func(t *testing.T, app *testapp.App, res *testapp.Response) {
				revoked(t, app, res)
				listed(t, res)
			}},
		{Name: "revoke twice", As: "admin", Method: http.MethodPost, Before: ofSandpiper, PathFunc: revokePath, Status: http.StatusSeeOther,
			After: func(t *testing.T, app *testapp.App, res *testapp.Response) {
				testapp.Scenario{Method: http.MethodPost, PathFunc: revokePath, Status: http.StatusSeeOther}.Send(t, res.Client)
				revoked(t, app, res)
			}},
		notFound("another merchant's key", ofHarbor, revokePath),
		notFound("an unknown id", ofSandpiper, func(*testing.T, *testapp.App) string { return "/admin/api-keys/" + store.NewID() + "/revoke" }),
		notFound("not an id", ofSandpiper, func(*testing.T, *testapp.App) string { return "/admin/api-keys/not-an-id/revoke" }),
		// A guest cannot revoke even their own merchant's key.
		{Name: "a guest", As: "guest", Method: http.MethodPost, Before: ofSandpiper, PathFunc: revokePath, Status: http.StatusForbidden, After: untouched},
	})
}

// Creating a key through the page is audited with the admin as actor,
// naming the key by name and prefix, never by the key.
func TestAdminAPIKeyAudited(t *testing.T) {
	testapp.RunScenarios(t, []testapp.Scenario{{
		Name: "create", As: "admin", Method: http.MethodPost, Path: "/admin/api-keys", Form: url.Values{"name": {"Point of sale"}}, Status: http.StatusOK,
		After: func(t *testing.T, app *testapp.App, res *testapp.Response) {
			key := shownKey(t, res)
			var evs []models.AuditEvent
			app.DB.Where("action = ?", models.ActionAPIKeyCreated).Find(&evs)
			want := models.Changes{{Field: "name", New: "Point of sale"}, {Field: "prefix", New: key[:16]}}
			admin := app.User(t, "demo.admin")
			if len(evs) != 1 || evs[0].ActorID == nil || *evs[0].ActorID != admin.ID || evs[0].MerchantID != admin.MerchantID || evs[0].IP != "127.0.0.1" ||
				len(evs[0].Changes) != 2 || evs[0].Changes[0] != want[0] || evs[0].Changes[1] != want[1] {
				t.Fatalf("created events: got %+v, want one by the admin with %v", evs, want)
			}
			testapp.Scenario{Path: "/admin/audit?action=" + models.ActionAPIKeyCreated, Status: http.StatusOK,
				Contains:  map[string][]string{`[data-testid="audit-table"] tbody`: {"API key created", "demo.admin", "Point of sale", key[:16]}},
				NotInBody: []string{key[16:]}}.Send(t, res.Client)
		},
	}})
}
