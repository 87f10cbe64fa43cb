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
