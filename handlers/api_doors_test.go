package handlers_test

import (
	"bytes"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"

	"myaccount/internal/testapp"
	"myaccount/models"
	"myaccount/store"
)

// newMember is a create body of the fields every create needs, and more.
func newMember(username string, more map[string]any) map[string]any {
	body := map[string]any{"username": username, "password": "Sandbar#Kite-4821", "first_name": "Ana", "last_name": "Silva"}
	for k, v := range more {
		body[k] = v
	}
	return body
}

// The writes have the reads' doors: another merchant's key finds no user
// to change and creates in its own merchant only, a revoked key or none
// is 401, and a guest's session is not a key.
func TestAPIUsersWriteDoors(t *testing.T) {
	testapp.ForEach(t, func(t *testing.T, b testapp.Backend) {
		app := testapp.New(t, b)
		guest := app.User(t, guestLogin)
		harborKey, _ := newKey(t, app, "harbor", "Harbor till")
		revoked := revokedKey(t, app)
		c := app.Client(t)
		path := "/api/v1/users/" + guest.ID
		edit := map[string]any{"city": "Savannah"}
		for _, tc := range []apiCall{
			{name: "another merchant's key", method: http.MethodPatch, path: path, header: bearerHeader(harborKey), status: http.StatusNotFound,
				code: "not_found", message: "No such user"},
			{name: "a revoked key", method: http.MethodPatch, path: path, header: bearerHeader(revoked), status: http.StatusUnauthorized, code: "unauthorized"},
			{name: "no key", method: http.MethodPatch, path: path, status: http.StatusUnauthorized, code: "unauthorized"},
			{name: "a revoked key, create", method: http.MethodPost, path: "/api/v1/users", header: bearerHeader(revoked), body: newMember("by.revoked", nil),
				status: http.StatusUnauthorized, code: "unauthorized"},
		} {
			if tc.body == nil {
				tc.body = edit
			}
			tc.ctype = "json"
			tc.send(t, c)
		}
		// Another merchant's key creates in its own merchant.
		_, out := apiCall{name: "another merchant's key, create", method: http.MethodPost, path: "/api/v1/users", ctype: "json",
			header: bearerHeader(harborKey), body: newMember("by.harbor", nil), status: http.StatusCreated}.send(t, c)
		if u := app.User(t, "by.harbor"); u.MerchantID != app.Merchant(t, "harbor").ID || out["user"].(map[string]any)["id"] != u.ID {
			t.Errorf("created by Harbor's key: merchant %s, want Harbor Coffee's", u.MerchantID)
		}
		c.SignInGuest()
		apiCall{name: "a guest's session", method: http.MethodPatch, path: path, ctype: "json", body: edit,
			header: http.Header{"X-CSRF-Token": {c.CSRF()}}, status: http.StatusForbidden, code: "forbidden"}.send(t, c)
		if after := app.User(t, guestLogin); after.Version != guest.Version || after.City != guest.City {
			t.Errorf("the guest changed: version %d → %d, city %q", guest.Version, after.Version, after.City)
		}
		var n int64
		app.DB.Model(&models.User{}).Where("username = ?", "by.revoked").Count(&n)
		if n != 0 {
			t.Errorf("a revoked key created a user")
		}
	})
}

// multipartFile is a multipart body with one field and one file.
func multipartFile(t *testing.T) (string, string) {
	t.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	_ = w.WriteField("city", "Savannah")
	fw, err := w.CreateFormFile("photo", "me.jpg")
	if err != nil {
		t.Fatal(err)
	}
	_, _ = fw.Write([]byte("not really a photo"))
	_ = w.Close()
	return buf.String(), w.FormDataContentType()
}

// On the integration routes, a body over --max-body-bytes is 413 and one
// of a type the API does not read 415, in the API's words; an unknown
// user or route is 404, saying which.
func TestAPIUsersBodies(t *testing.T) {
	app := testapp.New(t, testapp.Backend{Name: "sqlite"}, "--max-body-bytes", "2048")
	guest := app.User(t, guestLogin)
	key, _ := newKey(t, app, "sandpiper", "Point of sale")
	c, h := app.Client(t), bearerHeader(key)
	path := "/api/v1/users/" + guest.ID
	big := map[string]any{"city": strings.Repeat("a", 4000)}
	file, fileType := multipartFile(t)
	const mediaMsg = "This API takes JSON, form or multipart bodies"
	for _, tc := range []apiCall{
		{name: "too large", method: http.MethodPatch, path: path, ctype: "json", body: big, status: http.StatusRequestEntityTooLarge, code: "too_large"},
		{name: "too large, create", method: http.MethodPost, path: "/api/v1/users", ctype: "json", body: newMember("big.one", map[string]any{"last_name": strings.Repeat("a", 4000)}),
			status: http.StatusRequestEntityTooLarge, code: "too_large"},
		{name: "XML", off: true, method: http.MethodPatch, path: path, ctype: "application/xml", body: "<city>Savannah</city>",
			status: http.StatusUnsupportedMediaType, code: "unsupported_media_type", message: mediaMsg},
		{name: "text, create", off: true, method: http.MethodPost, path: "/api/v1/users", ctype: "text/plain", body: "username=x",
			status: http.StatusUnsupportedMediaType, code: "unsupported_media_type", message: mediaMsg},
		{name: "a file", off: true, method: http.MethodPatch, path: path, ctype: fileType, body: file,
			status: http.StatusUnsupportedMediaType, code: "unsupported_media_type", message: mediaMsg},
		{name: "no such user", path: "/api/v1/users/" + store.NewID(), status: http.StatusNotFound, code: "not_found", message: "No such user"},
		{name: "no such user to change", method: http.MethodPatch, path: "/api/v1/users/" + store.NewID(), ctype: "json", body: map[string]any{"city": "X"},
			status: http.StatusNotFound, code: "not_found", message: "No such user"},
		{name: "no such route", off: true, path: "/api/v1/nothing", status: http.StatusNotFound, code: "not_found", message: "No such route"},
	} {
		tc.header = h
		tc.send(t, c)
	}
	if after := app.User(t, guestLogin); after.Version != guest.Version {
		t.Errorf("a refused body changed the guest: version %d → %d", guest.Version, after.Version)
	}
	var n int64
	app.DB.Model(&models.User{}).Where("username = ?", "big.one").Count(&n)
	if n != 0 {
		t.Errorf("a body too large created a user")
	}
}

// Writes spend the key's calls as reads do: over the rate, a PATCH or a
// create is 429 with Retry-After, and nothing is written.
func TestAPIRateOnWrites(t *testing.T) {
	app := testapp.New(t, testapp.Backend{Name: "sqlite"}, "--api-rate-key", "2")
	guest := app.User(t, guestLogin)
	key, _ := newKey(t, app, "sandpiper", "Point of sale")
	c, h := app.Client(t), bearerHeader(key)
	path := "/api/v1/users/" + guest.ID
	apiCall{name: "a write", method: http.MethodPatch, path: path, ctype: "json", header: h, body: map[string]any{"city": "Savannah"}, status: http.StatusOK}.send(t, c)
	apiCall{name: "a create", method: http.MethodPost, path: "/api/v1/users", ctype: "json", header: h, body: newMember("rate.one", nil), status: http.StatusCreated}.send(t, c)
	for _, tc := range []apiCall{
		{name: "a write over the rate", method: http.MethodPatch, path: path, body: map[string]any{"city": "Tybee Island"}},
		{name: "a create over the rate", method: http.MethodPost, path: "/api/v1/users", body: newMember("rate.two", nil)},
	} {
		tc.ctype, tc.header, tc.status, tc.code = "json", h, http.StatusTooManyRequests, "rate_limited"
		if res, _ := tc.send(t, c); res.Header.Get("Retry-After") == "" {
			t.Errorf("%s: 429 without Retry-After", tc.name)
		}
	}
	if got := app.User(t, guestLogin).City; got != "Savannah" {
		t.Errorf("city: got %q, want the write within the rate only", got)
	}
	var n int64
	app.DB.Model(&models.User{}).Where("username = ?", "rate.two").Count(&n)
	if n != 0 {
		t.Errorf("a create over the rate made a user")
	}
}
