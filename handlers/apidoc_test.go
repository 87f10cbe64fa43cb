package handlers_test

import (
	"bytes"
	"encoding/json"
	"maps"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"myaccount/handlers"
	"myaccount/internal/testapp"
)

// The document is served to anyone, as JSON, without a session, and is
// what it says it is: its own check passes on it.
func TestOpenAPIServed(t *testing.T) {
	app := testapp.New(t, testapp.Backend{Name: "sqlite"})
	res := app.API(t).Get("/api/v1/openapi.json", nil).Want(http.StatusOK)
	if got, want := res.Header.Get("Content-Type"), "application/json; charset=utf-8"; got != want {
		t.Errorf("Content-Type: got %q, want %q", got, want)
	}
	if got := res.Header.Get("Set-Cookie"); got != "" {
		t.Errorf("Set-Cookie: got %q, want none: the document needs no session", got)
	}
	app.API(t).Head("/api/v1/openapi.json", nil).Want(http.StatusOK)
}

// userKeys are the keys of the user object, in the contract's order.
var userKeys = []string{
	"id", "username", "email", "email_verified", "member_number", "card_number", "external_id", "referral_code",
	"name_prefix", "first_name", "middle_initial", "last_name", "name_suffix", "gender", "birthday",
	"mobile_phone", "mobile_carrier", "phone", "fax",
	"address_line1", "address_line2", "address_line3", "city", "state", "postal_code", "country",
	"language", "mailing_list_subscribed", "printed_mailing_list_subscribed", "opt_in_secondary",
	"programme_opted_in", "programme_joined_at", "organization", "job_title", "department",
	"status", "roles", "loyalty_status", "loyalty_tier", "points_balance", "home_store",
	"custom_fields", "version", "created_at", "updated_at",
}

// The document is valid OpenAPI 3.1 (LoadContract refuses one that is
// not, examples included), and its user object has every key of the
// contract, all required, and nothing else.
func TestOpenAPIDocument(t *testing.T) {
	app := testapp.New(t, testapp.Backend{Name: "sqlite"})
	contract := app.Contract(t)
	if err := contract.CheckSchemaExamples(); err != nil {
		t.Error(err)
	}
	var doc struct {
		OpenAPI    string `json:"openapi"`
		Components struct {
			Schemas map[string]struct {
				Required             []string                   `json:"required"`
				Properties           map[string]json.RawMessage `json:"properties"`
				AdditionalProperties *bool                      `json:"additionalProperties"`
			} `json:"schemas"`
		} `json:"components"`
	}
	app.API(t).Get("/api/v1/openapi.json", nil).Decode(&doc)
	if doc.OpenAPI != "3.1.0" {
		t.Errorf("openapi: got %q, want 3.1.0", doc.OpenAPI)
	}
	user := doc.Components.Schemas["User"]
	if !slices.Equal(user.Required, userKeys) {
		t.Errorf("User.required:\ngot  %v\nwant %v", user.Required, userKeys)
	}
	if got := slices.Sorted(maps.Keys(user.Properties)); !slices.Equal(got, slices.Sorted(slices.Values(userKeys))) {
		t.Errorf("User.properties:\ngot  %v\nwant %v", got, slices.Sorted(slices.Values(userKeys)))
	}
	for _, name := range []string{"User", "Success", "Failure", "ProfilePatch", "UserPatch", "UserCreate"} {
		if s := doc.Components.Schemas[name]; s.AdditionalProperties == nil || *s.AdditionalProperties {
			t.Errorf("%s: additionalProperties must be false: a key the document does not name is a mistake", name)
		}
	}
	if _, ok := doc.Components.Schemas["Failure"].Properties["errors_by_field"]; !ok {
		t.Errorf("Failure has no errors_by_field")
	}
}

// Every /api route the app registers is in the document, and every
// operation of the document is registered.
func TestOpenAPIRoutes(t *testing.T) {
	app := testapp.New(t, testapp.Backend{Name: "sqlite"})
	documented := app.Contract(t).Operations()
	registered := apiRoutes(app)
	for _, r := range registered {
		if !slices.Contains(documented, r) {
			t.Errorf("%s is registered but not in handlers/openapi.json", r)
		}
	}
	var missing []string
	for _, op := range documented {
		if !slices.Contains(registered, op) {
			missing = append(missing, op)
		}
	}
	for _, op := range missing {
		t.Errorf("%s is in handlers/openapi.json but not registered", op)
	}
}

// apiRoutes lists the app's routes under /api as "METHOD /path", with
// Echo's :param written {param}. HEAD is GET's (the app answers HEAD as
// GET), and a handler on every method of a path (an Any route answering
// 405) is not an operation.
func apiRoutes(app *testapp.App) []string {
	methods := []string{http.MethodGet, http.MethodPut, http.MethodPost, http.MethodDelete, http.MethodOptions, http.MethodPatch, http.MethodTrace}
	byHandler := map[string]int{} // path and handler name → methods
	for _, r := range app.Echo.Routes() {
		if slices.Contains(methods, r.Method) {
			byHandler[r.Path+" "+r.Name]++
		}
	}
	var out []string
	for _, r := range app.Echo.Routes() {
		if (r.Path != "/api" && !strings.HasPrefix(r.Path, "/api/")) || strings.Contains(r.Path, "*") || r.Name == handlers.MethodNotAllowed {
			continue
		}
		method := r.Method
		if method == http.MethodHead {
			method = http.MethodGet
		}
		if !slices.Contains(methods, method) || byHandler[r.Path+" "+r.Name] == len(methods) {
			continue
		}
		parts := strings.Split(r.Path, "/")
		for i, p := range parts {
			if name, ok := strings.CutPrefix(p, ":"); ok {
				parts[i] = "{" + name + "}"
			}
		}
		if op := method + " " + strings.Join(parts, "/"); !slices.Contains(out, op) {
			out = append(out, op)
		}
	}
	slices.Sort(out)
	return out
}

// The reference page shows every operation of the document with its
// parameters, body fields and responses, and the User and Failure
// schemas, to anyone, in tables with headers.
func TestAPIDocsPage(t *testing.T) {
	app := testapp.New(t, testapp.Backend{Name: "sqlite"})
	res := app.API(t).Get("/api/docs", nil).Want(http.StatusOK)
	if got := res.Header.Get("Set-Cookie"); got != "" {
		t.Errorf("Set-Cookie: got %q, want none: the page needs no session", got)
	}
	doc, err := goquery.NewDocumentFromReader(bytes.NewReader(res.Body))
	if err != nil {
		t.Fatal(err)
	}
	text := func(s *goquery.Selection) string { return strings.Join(strings.Fields(s.Text()), " ") }

	if got, want := text(doc.Find("h1")), "My Account API"; got != want {
		t.Errorf("h1: got %q, want %q", got, want)
	}
	var shown []string
	doc.Find("[data-testid=api-operation]").Each(func(_ int, op *goquery.Selection) {
		shown = append(shown, text(op.Find("[data-testid=api-method]"))+" "+text(op.Find("[data-testid=api-path]")))
		if text(op.Find("[data-testid=api-summary]")) == "" {
			t.Errorf("%s has no summary", shown[len(shown)-1])
		}
	})
	slices.Sort(shown)
	if want := app.Contract(t).Operations(); !slices.Equal(shown, want) {
		t.Errorf("operations shown:\ngot  %v\nwant %v", shown, want)
	}

	for _, tc := range []struct{ selector, want string }{
		{"#op-findUser-parameters tr[data-field=referral_code] td:nth-of-type(1)", "query"},
		{"#op-createUser-parameters tr[data-field=Idempotency-Key] td:nth-of-type(1)", "header"},
		{"#op-updateMe-parameters tr[data-field=If-Match] td:nth-of-type(1)", "header"},
		{"#op-updateUser-body tr[data-field=custom_fields] [data-col=type]", "object of string or null"},
		{"#op-updateUser-body tr[data-field=status] [data-col=values]", `One of: "ACTIVE", "INACTIVE", "LOCKED"`},
		{"#op-createUser-body tr[data-field=username] [data-col=required]", "Yes"},
		// Not with invite: true.
		{"#op-createUser-body tr[data-field=password] [data-col=required]", "No"},
		{"#op-createUser-body tr[data-field=invite] [data-col=type]", "boolean"},
		{"#op-getUser-responses tr[data-status='401'] td:nth-of-type(2) code", "WWW-Authenticate"},
		{"#op-createUser-responses tr[data-status='201'] td:nth-of-type(3) a", "Success"},
		{"#schema-User-fields tr[data-field=birthday] [data-col=type]", "string (date) or null"},
		{"#schema-User-fields tr[data-field=roles] [data-col=values]", `One of: "CUSTOMER", "MERCHANT_ADMIN"`},
		{"#schema-Failure-fields tr[data-field='error.code'] [data-col=required]", "Yes"},
		{"#schema-Failure-fields tr[data-field=errors_by_field] [data-col=type]", "object of array of string"},
	} {
		if got := text(doc.Find(tc.selector).First()); got != tc.want {
			t.Errorf("%s: got %q, want %q", tc.selector, got, tc.want)
		}
	}
	// The PATCH body of /me is the guest's profile: no email, status or roles.
	for _, name := range []string{"email", "status", "roles"} {
		if doc.Find("#op-updateMe-body tr[data-field="+name+"]").Length() > 0 {
			t.Errorf("PATCH /api/v1/me lists %s, which a guest may not change here", name)
		}
	}
	var userFields []string
	doc.Find("#schema-User-fields tbody tr").Each(func(_ int, tr *goquery.Selection) {
		userFields = append(userFields, tr.AttrOr("data-field", ""))
	})
	if !slices.Equal(userFields, userKeys) {
		t.Errorf("User fields:\ngot  %v\nwant %v", userFields, userKeys)
	}
	doc.Find("table").Each(func(_ int, table *goquery.Selection) {
		if text(table.Find("caption")) == "" || table.Find("thead th[scope=col]").Length() == 0 {
			t.Errorf("table #%s needs a caption and column headers", table.AttrOr("id", "?"))
		}
	})
}
