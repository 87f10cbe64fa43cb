package testapp

import (
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
)

// recorder keeps the failures the API client reports instead of failing
// the test, so a test can check that a departure is caught.
type recorder struct {
	testing.TB
	mu     sync.Mutex
	errors []string
}

func (r *recorder) Helper() {}

func (r *recorder) Errorf(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.errors = append(r.errors, fmt.Sprintf(format, args...))
}

// fakeAPI serves the real document and handcrafted answers: the user of
// the document's own example, and that user broken in one way each.
func fakeAPI(t *testing.T) *httptest.Server {
	doc, err := os.ReadFile("../../handlers/openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	example := documentExample(t, doc)
	user := func(change func(u map[string]any)) map[string]any {
		u := maps.Clone(example)
		if change != nil {
			change(u)
		}
		return u
	}
	etag := map[string]string{"ETag": `"3"`}

	mux := http.NewServeMux()
	mux.HandleFunc("GET /api/v1/openapi.json", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		_, _ = w.Write(doc)
	})
	mux.HandleFunc("GET /api/v1/users", func(w http.ResponseWriter, _ *http.Request) { answer(w, 200, etag, ok(user(nil))) })
	mux.HandleFunc("GET /api/v1/users/{case}", fakeUserAnswers(user))
	mux.HandleFunc("PATCH /api/v1/users/{case}", func(w http.ResponseWriter, r *http.Request) {
		if r.PathValue("case") == "refuse" {
			answer(w, 422, nil, map[string]any{"result": "failure", "error": map[string]any{"code": "validation_failed", "message": "Some fields are not valid"},
				"errors_by_field": map[string]any{"favourite_colour": []string{"Unknown field"}}})
			return
		}
		answer(w, 200, etag, ok(user(nil)))
	})
	mux.HandleFunc("POST /api/v1/users", func(w http.ResponseWriter, _ *http.Request) {
		answer(w, 201, map[string]string{"ETag": `"1"`, "Location": "/api/v1/users/" + example["id"].(string)}, ok(user(nil)))
	})
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && strings.HasPrefix(r.URL.Path, "/api/v1/users") {
			answer(w, 405, nil, failure("method_not_allowed"))
			return
		}
		answer(w, 404, nil, failure("not_found"))
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

// documentExample is the first example of the document's User schema.
func documentExample(t *testing.T, doc []byte) map[string]any {
	t.Helper()
	var parsed struct {
		Components struct {
			Schemas struct {
				User struct {
					Examples []map[string]any `json:"examples"`
				} `json:"User"`
			} `json:"schemas"`
		} `json:"components"`
	}
	if err := json.Unmarshal(doc, &parsed); err != nil || len(parsed.Components.Schemas.User.Examples) == 0 {
		t.Fatalf("the document's User example: %v", err)
	}
	return parsed.Components.Schemas.User.Examples[0]
}

// fakeUserAnswers answers GET /api/v1/users/{case}: the example user
// (made by user) as the document has it, or broken in the way case names.
func fakeUserAnswers(user func(change func(u map[string]any)) map[string]any) http.HandlerFunc {
	etag := map[string]string{"ETag": `"3"`}
	return func(w http.ResponseWriter, r *http.Request) {
		switch r.PathValue("case") {
		case "good":
			answer(w, 200, etag, ok(user(nil)))
		case "missing-key":
			answer(w, 200, etag, ok(user(func(u map[string]any) { delete(u, "email") })))
		case "wrong-type":
			answer(w, 200, etag, ok(user(func(u map[string]any) { u["points_balance"] = "1234" })))
		case "leak":
			answer(w, 200, etag, ok(user(func(u map[string]any) { u["password_hash"] = "$2a$04$..." })))
		case "no-etag":
			answer(w, 200, nil, ok(user(nil)))
		case "teapot":
			answer(w, http.StatusTeapot, nil, failure("internal"))
		case "bad-code":
			answer(w, 404, nil, failure("gone"))
		case "no-charset":
			w.Header().Set("Content-Type", "application/json")
			w.Header().Set("ETag", `"3"`)
			_ = json.NewEncoder(w).Encode(ok(user(nil)))
		case "html":
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			w.Header().Set("ETag", `"3"`)
			_, _ = w.Write([]byte("<p>Hello</p>"))
		default:
			answer(w, 404, nil, failure("not_found"))
		}
	}
}

// answer writes body as JSON with status and header.
func answer(w http.ResponseWriter, status int, header map[string]string, body any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	for k, v := range header {
		w.Header().Set(k, v)
	}
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(body)
}

// ok is the API's success envelope around user u.
func ok(u map[string]any) map[string]any { return map[string]any{"result": "success", "user": u} }

// failure is the API's failure envelope with code.
func failure(code string) map[string]any {
	return map[string]any{"result": "failure", "error": map[string]any{"code": code, "message": "No."}}
}

// contractProfile is a profile patch sent as a form or a multipart body.
var contractProfile = url.Values{"first_name": {"Ada"}, "mailing_list_subscribed": {"false"}, "custom_fields[favourite_drink]": {"Tea"},
	"enforce_unique_fields": {"email,mobile_phone"}, "version": {"3"}}

// contractCase is a request through the API client, and the failures it
// must report.
type contractCase struct {
	name        string
	method      string
	path        string
	body        any
	contentType string
	header      http.Header
	off         bool
	// want are texts the failure must hold; none: no failure.
	want []string
}

var contractCases = []contractCase{
	{name: "a documented answer", path: "/api/v1/users/good"},
	{name: "a documented failure", path: "/api/v1/users/nobody"},
	{name: "a missing user key", path: "/api/v1/users/missing-key", want: []string{"200 answer does not match", "missing property 'email'"}},
	{name: "a wrong type", path: "/api/v1/users/wrong-type", want: []string{"/user/points_balance", "want integer"}},
	{name: "a key that must never be sent", path: "/api/v1/users/leak", want: []string{"'password_hash' not allowed"}},
	{name: "an undocumented status", path: "/api/v1/users/teapot", want: []string{"status 418 is not documented (documented: 200, 400, 401, 403, 404, 429, 500, 503)"}},
	{name: "a missing header", path: "/api/v1/users/no-etag", want: []string{`"ETag" missing`}},
	{name: "an unknown error code", path: "/api/v1/users/bad-code", want: []string{"404 answer does not match", "/error/code"}},
	{name: "HTML instead of JSON", path: "/api/v1/users/html", want: []string{"the 200 answer is text/html, which the document does not list for it"}},
	{name: "JSON without its charset", path: "/api/v1/users/no-charset", want: []string{`Content-Type has unexpected value: "application/json"`}},
	{name: "HEAD as GET", method: "HEAD", path: "/api/v1/users/good"},
	{name: "HEAD without its header", method: "HEAD", path: "/api/v1/users/no-etag", want: []string{`"ETag" missing`}},
	{name: "a path the document lacks", path: "/api/v1/nope", want: []string{"GET /api/v1/nope is not in the document", "OffContract()"}},
	{name: "a query parameter the document lacks", path: "/api/v1/users?username=demo.guest&page=2", want: []string{`query parameter "page" is not in the document`}},
	{name: "a NUL in the query", path: "/api/v1/users?username=a%00b", want: []string{"holds a NUL"}},
	{name: "a query parameter sent twice", path: "/api/v1/users?username=a&username=b", want: []string{`query parameter "username" is sent 2 times`}},

	{name: "a JSON patch", method: "PATCH", path: "/api/v1/users/good", body: map[string]any{"first_name": "Ada", "birthday": nil, "custom_fields": map[string]any{"favourite_drink": "Tea"}}, contentType: JSON},
	{name: "a form patch", method: "PATCH", path: "/api/v1/users/good", body: contractProfile, contentType: Form},
	{name: "a multipart patch", method: "PATCH", path: "/api/v1/users/good", body: contractProfile, contentType: Multipart, header: http.Header{"If-Match": {`"3"`}}},
	{name: "an unknown JSON field", method: "PATCH", path: "/api/v1/users/good", body: map[string]any{"favourite_colour": "red"}, contentType: JSON,
		want: []string{"request does not match the document", "'favourite_colour' not allowed"}},
	{name: "an unknown form field", method: "PATCH", path: "/api/v1/users/good", body: url.Values{"favourite_colour": {"red"}}, contentType: Form,
		want: []string{"'favourite_colour' not allowed"}},
	{name: "a field a key may not change", method: "PATCH", path: "/api/v1/users/good", body: map[string]any{"roles": []string{"MERCHANT_ADMIN"}}, contentType: JSON,
		want: []string{"'roles' not allowed"}},
	{name: "a form boolean that is not one", method: "PATCH", path: "/api/v1/users/good", body: url.Values{"mailing_list_subscribed": {"maybe"}}, contentType: Form,
		want: []string{"/mailing_list_subscribed", "want boolean"}},
	{name: "a NUL in a JSON body", method: "PATCH", path: "/api/v1/users/good", body: `{"first_name":"A\u0000"}`, contentType: JSON, want: []string{"holds a NUL"}},
	{name: "a body of another type", method: "PATCH", path: "/api/v1/users/good", body: "first_name=Ada", contentType: "text/plain",
		want: []string{`Content-Type "text/plain" is not one the document accepts`}},
	{name: "a create", method: "POST", path: "/api/v1/users", body: map[string]any{"username": "sam", "password": "Welcome#2026"}, contentType: JSON,
		header: http.Header{"Idempotency-Key": {"create-sam"}}},
	{name: "a create without a password", method: "POST", path: "/api/v1/users", body: map[string]any{"username": "sam"}, contentType: JSON,
		want: []string{"missing property 'password'"}},
	{name: "an idempotency key too long", method: "POST", path: "/api/v1/users", body: map[string]any{"username": "sam", "password": "Welcome#2026"}, contentType: JSON,
		header: http.Header{"Idempotency-Key": {strings.Repeat("k", 256)}}, want: []string{`"Idempotency-Key"`}},

	{name: "off contract and refused", off: true, method: "PATCH", path: "/api/v1/users/refuse", body: map[string]any{"favourite_colour": "red"}, contentType: JSON},
	{name: "off contract but accepted", off: true, method: "PATCH", path: "/api/v1/users/good", body: map[string]any{"favourite_colour": "red"}, contentType: JSON,
		want: []string{"must be refused with a 4xx: got status 200"}},
	{name: "off contract but allowed", off: true, path: "/api/v1/users/good", want: []string{"sent OffContract() but matches the document"}},
	{name: "a method the document lacks", off: true, method: "DELETE", path: "/api/v1/users/good"},
}

// The API client fails a test for every answer the document does not
// describe, and for every request it does not allow unless sent so on
// purpose; it lets documented ones through.
func TestAPIChecksAgainstTheDocument(t *testing.T) {
	srv := fakeAPI(t)
	for _, tc := range contractCases {
		t.Run(tc.name, func(t *testing.T) {
			rec := &recorder{TB: t}
			api := NewAPI(rec, srv.URL, srv.Client()).WithKey("mak_abcdefghijkl_" + strings.Repeat("A", 43))
			if tc.off {
				api = api.OffContract()
			}
			method := tc.method
			if method == "" {
				method = http.MethodGet
			}
			api.Do(method, tc.path, tc.body, tc.contentType, tc.header)
			got := strings.Join(rec.errors, "\n")
			if got != "" {
				t.Log(got)
			}
			if len(tc.want) == 0 && got != "" {
				t.Errorf("got failures, want none:\n%s", got)
			}
			if len(tc.want) > 0 && got == "" {
				t.Errorf("got no failure, want one holding %q", tc.want)
			}
			for _, w := range tc.want {
				if got != "" && !strings.Contains(got, w) {
					t.Errorf("failure does not hold %q:\n%s", w, got)
				}
			}
		})
	}
}
