package handlers_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"myaccount/internal/testapp"
	"myaccount/models"
)

// apiCall is one JSON API request and what must come back.
type apiCall struct {
	name   string
	method string
	path   string
	ctype  string // "json", "form", "multipart" or a content type
	body   any    // a JSON value, url.Values for the form types, or a string sent as it is
	header http.Header
	status int
	// code is the failure's error code, message a part of its message;
	// fields the errors_by_field keys and a part of each message.
	code    string
	message string
	fields  map[string]string
	// user checks the answer's user.
	user func(t *testing.T, u map[string]any)
	// off marks a request that breaks the OpenAPI document on purpose.
	off bool
}

// send sends the call as c (its cookies, and the CSRF header a page would
// send on /me) through the client that checks the request and the answer
// against the OpenAPI document, and checks the answer.
func (a apiCall) send(t *testing.T, c *testapp.Client) (*testapp.APIResponse, map[string]any) {
	t.Helper()
	method := a.method
	if method == "" {
		method = http.MethodGet
	}
	api := c.API()
	if a.off {
		api = api.OffContract()
	}
	header := http.Header{}
	for k, v := range a.header {
		header[k] = v
	}
	if method != http.MethodGet && method != http.MethodHead && strings.HasPrefix(a.path, "/api/v1/me") && header.Get("X-Csrf-Token") == "" {
		header.Set("X-CSRF-Token", c.CSRF())
	}
	var body any
	ctype := ""
	switch a.ctype {
	case "json":
		body, ctype = a.body, testapp.JSON
	case "form":
		body, ctype = a.body, testapp.Form
	case "multipart":
		body, ctype = a.body, testapp.Multipart
	case "":
	default:
		body, ctype = a.body, a.ctype
	}
	res := api.Do(method, a.path, body, ctype, header)
	where := a.name + ": " + method + " " + a.path
	if res.StatusCode != a.status {
		t.Fatalf("%s: got status %d, want %d\n%s", where, res.StatusCode, a.status, res.Body)
	}
	if method == http.MethodHead {
		return res, nil
	}
	var out map[string]any
	if err := json.Unmarshal(res.Body, &out); err != nil {
		t.Fatalf("%s: not JSON: %v\n%s", where, err, res.Body)
	}
	if a.status < 300 {
		u, _ := out["user"].(map[string]any)
		if got := res.Header.Get("ETag"); got != `"`+strconv.Itoa(int(u["version"].(float64)))+`"` {
			t.Errorf("%s: ETag %q, want the user's version %v", where, got, u["version"])
		}
		if a.user != nil {
			a.user(t, u)
		}
		return res, out
	}
	if a.code != "" && res.Code() != a.code {
		t.Errorf("%s: code %v, want %s", where, res.Code(), a.code)
	}
	if e, _ := out["error"].(map[string]any); a.message != "" && !strings.Contains(fmt.Sprint(e["message"]), a.message) {
		t.Errorf("%s: message %q, want %q in it", where, e["message"], a.message)
	}
	byField := res.FieldErrors()
	if len(byField) != len(a.fields) {
		t.Errorf("%s: errors_by_field %v, want the fields %v", where, byField, a.fields)
	}
	for field, want := range a.fields {
		if msgs := byField[field]; len(msgs) == 0 || !strings.Contains(msgs[0], want) {
			t.Errorf("%s: errors_by_field[%s] = %v, want %q in it", where, field, msgs, want)
		}
	}
	return res, out
}

// form is url.Values from pairs.
func form(pairs ...string) url.Values {
	v := url.Values{}
	for i := 0; i+1 < len(pairs); i += 2 {
		v.Add(pairs[i], pairs[i+1])
	}
	return v
}

func userHas(want map[string]any) func(*testing.T, map[string]any) {
	return func(t *testing.T, u map[string]any) {
		t.Helper()
		for k, v := range want {
			if got := u[k]; got != v {
				t.Errorf("user.%s: got %#v, want %#v", k, got, v)
			}
		}
	}
}

// The /me routes: the signed-in guest's own profile, through the same
// rules as the profile form, in JSON, urlencoded and multipart bodies.
func TestAPIMe(t *testing.T) {
	testapp.ForEach(t, func(t *testing.T, b testapp.Backend) {
		app := testapp.New(t, b)
		c := app.Client(t)
		apiCall{name: "signed out", path: "/api/v1/me", status: http.StatusUnauthorized, code: "unauthorized"}.send(t, c)
		c.SignInGuest()
		meReadAndPatch(t, app, c)
		meRefusals(t, app, c)
		meBirthdaysAndClearing(t, app, c)
		meDoors(t, c)
	})
}

// meReadAndPatch reads the guest's own record, without a secret, and
// patches it in each body type, each change audited.
func meReadAndPatch(t *testing.T, app *testapp.App, c *testapp.Client) {
	t.Helper()
	guest := app.User(t, guestLogin)
	res, _ := apiCall{name: "read", path: "/api/v1/me", status: http.StatusOK, user: userHas(map[string]any{
		"id": guest.ID, "username": guestLogin, "mobile_phone": "+14155550188", "birthday": "1986-01-30", "programme_opted_in": true,
	})}.send(t, c)
	for _, secret := range []string{guest.PasswordHash, "password", "hash", "failed_login", c.SessionCookie()} {
		if strings.Contains(string(res.Body), secret) {
			t.Errorf("GET /api/v1/me holds %q", secret)
		}
	}
	apiCall{name: "HEAD", method: http.MethodHead, path: "/api/v1/me", status: http.StatusOK}.send(t, c)

	for _, ctype := range []string{"json", "form", "multipart"} {
		var body any = map[string]any{"city": "Savannah " + ctype, "mailing_list_subscribed": false, "custom_fields": map[string]any{}}
		if ctype != "json" {
			body = form("city", "Savannah "+ctype, "mailing_list_subscribed", "false")
		}
		apiCall{name: "patch as " + ctype, method: http.MethodPatch, path: "/api/v1/me", ctype: ctype, body: body, status: http.StatusOK,
			user: userHas(map[string]any{"city": "Savannah " + ctype, "mailing_list_subscribed": false, "first_name": "Maya"})}.send(t, c)
		if got := app.User(t, guestLogin).City; got != "Savannah "+ctype {
			t.Errorf("%s: stored city %q", ctype, got)
		}
	}
	if n := auditCounts(t, app, guest.ID)[models.ActionProfileUpdated]; n != 3 {
		t.Errorf("profile updates audited: got %d, want 3", n)
	}

}

// meRefusals sends edits the rules refuse, each with its status and code,
// and wants the record unchanged.
func meRefusals(t *testing.T, app *testapp.App, c *testapp.Client) {
	t.Helper()
	v := app.User(t, guestLogin).Version
	for _, tc := range []apiCall{
		{name: "every refusal at once", off: true, body: map[string]any{"mobile_phone": "12", "roles": []any{"MERCHANT_ADMIN"}, "status": "LOCKED",
			"points_balance": 1000000, "nope": 1, "email": "x@example.com", "first_name": map[string]any{}},
			status: http.StatusUnprocessableEntity, code: "validation_failed", fields: map[string]string{
				"mobile_phone": "Enter a mobile phone like +1 415 555 0132", "roles": "cannot be changed here", "status": "cannot be changed here",
				"points_balance": "cannot be changed here", "nope": "Unknown field", "email": "cannot be changed here", "first_name": "First name must be text"}},
		{name: "a required field cleared", body: map[string]any{"last_name": nil}, status: http.StatusUnprocessableEntity,
			fields: map[string]string{"last_name": "Enter your last name"}},
		{name: "no field", body: map[string]any{}, status: http.StatusBadRequest, code: "no_fields"},
		{name: "only control fields", body: map[string]any{"version": v}, status: http.StatusBadRequest, code: "no_fields"},
		{name: "stale version", body: map[string]any{"city": "Old", "version": v - 1}, status: http.StatusConflict, code: "conflict"},
		{name: "stale If-Match", body: map[string]any{"city": "Old"}, header: http.Header{"If-Match": {`"` + strconv.Itoa(v-1) + `"`}},
			status: http.StatusPreconditionFailed, code: "precondition_failed"},
		{name: "not JSON", off: true, body: `{"city":`, status: http.StatusBadRequest, code: "bad_request"},
		{name: "a list", off: true, body: `[1,2]`, status: http.StatusBadRequest, code: "bad_request"},
		{name: "NUL in JSON", off: true, body: `{"city":"a\u0000b"}`, status: http.StatusBadRequest, code: "bad_request"},
		{name: "not UTF-8", off: true, body: "{\"city\":\"\xff\"}", status: http.StatusBadRequest, code: "bad_request"},
		{name: "unknown custom field", body: map[string]any{"custom_fields": map[string]any{"nope": "x"}}, status: http.StatusUnprocessableEntity,
			fields: map[string]string{"custom_fields.nope": "Unknown custom field"}},
		{name: "enforce a field that cannot be", off: true, body: map[string]any{"city": "X", "enforce_unique_fields": []any{"city"}}, status: http.StatusUnprocessableEntity,
			fields: map[string]string{"enforce_unique_fields": "may name only"}},
	} {
		tc.method, tc.path = http.MethodPatch, "/api/v1/me"
		if tc.ctype == "" {
			tc.ctype = "json"
		}
		tc.send(t, c)
	}
	if after := app.User(t, guestLogin); after.Version != v || after.Status != models.StatusActive || after.IsAdmin() {
		t.Fatalf("refused edits changed the record: version %d → %d", v, after.Version)
	}

}

// meBirthdaysAndClearing sends birthdays in each format the API takes,
// clears fields with null and "", and wants an unchanged value to answer
// without a new version.
func meBirthdaysAndClearing(t *testing.T, app *testapp.App, c *testapp.Client) {
	t.Helper()
	// Birthday formats (Spaaza's birthday_field_format) and ISO date-times.
	for _, tc := range []struct{ in, format, want string }{
		{"1986-01-30T23:30:00-05:00", "", "1986-01-31"},
		{"1987-02-03", "", "1987-02-03"},
		{"04-05-1988", "DD-MM-YYYY", "1988-05-04"},
		{"4/5/1989", "D/M/YYYY", "1989-05-04"},
	} {
		body := map[string]any{"birthday": tc.in}
		if tc.format != "" {
			body["birthday_field_format"] = tc.format
		}
		apiCall{name: "birthday " + tc.in, method: http.MethodPatch, path: "/api/v1/me", ctype: "json", body: body, status: http.StatusOK,
			user: userHas(map[string]any{"birthday": tc.want})}.send(t, c)
	}
	// An empty value or null clears a field that is not required.
	apiCall{name: "clear with null and \"\"", method: http.MethodPatch, path: "/api/v1/me", ctype: "json",
		body: map[string]any{"address_line2": nil, "name_prefix": ""}, status: http.StatusOK,
		user: userHas(map[string]any{"address_line2": "", "name_prefix": ""})}.send(t, c)
	apiCall{name: "birthday not in its format", method: http.MethodPatch, path: "/api/v1/me", ctype: "json",
		body: map[string]any{"birthday": "1988-05-04", "birthday_field_format": "DD/MM/YYYY"}, status: http.StatusUnprocessableEntity,
		fields: map[string]string{"birthday": "Birthday must be a real date written DD/MM/YYYY"}}.send(t, c)

	// Unchanged values answer the user, with no new version.
	now := app.User(t, guestLogin)
	apiCall{name: "no change", method: http.MethodPatch, path: "/api/v1/me", ctype: "json", body: map[string]any{"city": now.City},
		header: http.Header{"If-Match": {`"` + strconv.Itoa(now.Version) + `"`}}, status: http.StatusOK,
		user: userHas(map[string]any{"version": float64(now.Version)})}.send(t, c)

}

// meDoors: the CSRF header, no key on /me, a body type, a method and a
// path the API does not take.
func meDoors(t *testing.T, c *testapp.Client) {
	t.Helper()
	// Doors: the CSRF header, no key on /me, a body type the API does not take.
	noCSRF, _ := http.NewRequest(http.MethodPatch, c.URL()+"/api/v1/me", strings.NewReader(`{"city":"X"}`))
	noCSRF.Header.Set("Content-Type", "application/json")
	testapp.Want(t, c.Send(noCSRF), http.StatusForbidden)
	apiCall{name: "a key on /me", path: "/api/v1/me", header: http.Header{"Authorization": {"Bearer mak_x"}}, status: http.StatusForbidden, code: "forbidden"}.send(t, c)
	apiCall{name: "XML", off: true, method: http.MethodPatch, path: "/api/v1/me", ctype: "application/xml", body: "<city/>", status: http.StatusUnsupportedMediaType,
		code: "unsupported_media_type"}.send(t, c)
	apiCall{name: "DELETE", off: true, method: http.MethodDelete, path: "/api/v1/me", status: http.StatusMethodNotAllowed, code: "method_not_allowed"}.send(t, c)
	apiCall{name: "NUL in a query", off: true, path: "/api/v1/me?x=%00", status: http.StatusBadRequest, code: "bad_request"}.send(t, c)
	apiCall{name: "unknown path", off: true, path: "/api/v1/nothing", status: http.StatusNotFound, code: "not_found"}.send(t, c)
}

// A body over --max-body-bytes gets 413 in the failure shape; a guest who
// must change their password cannot use the API until they have.
func TestAPIMeLimits(t *testing.T) {
	app := testapp.New(t, testapp.Backend{Name: "sqlite"}, "--max-body-bytes", "2048", "--api-rate-key", "3")
	c := app.Client(t)
	c.SignInGuest()
	apiCall{name: "too large", method: http.MethodPatch, path: "/api/v1/me", ctype: "json", body: map[string]any{"city": strings.Repeat("a", 4000)},
		status: http.StatusRequestEntityTooLarge, code: "too_large"}.send(t, c)
	// The refused body spent no call: three are allowed, the fourth not.
	for i := range 3 {
		apiCall{name: "call " + strconv.Itoa(i+1), path: "/api/v1/me", status: http.StatusOK}.send(t, c)
	}
	res, _ := apiCall{name: "over the rate", path: "/api/v1/me", status: http.StatusTooManyRequests, code: "rate_limited"}.send(t, c)
	if res.Header.Get("Retry-After") == "" {
		t.Errorf("429 without Retry-After")
	}

	d := app.Client(t)
	app.DB.Model(&models.User{}).Where("username = ?", "demo.admin").Update("must_change_password", true)
	d.SignIn("demo.admin", "Admin#2026")
	apiCall{name: "password change due", path: "/api/v1/me", status: http.StatusForbidden, code: "forbidden"}.send(t, d)
}
