package testapp

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"maps"
	"mime/multipart"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"
)

// The media types an API test sends bodies as.
const (
	JSON      = "application/json"
	Form      = "application/x-www-form-urlencoded"
	Multipart = "multipart/form-data"
)

// API is a client of the JSON API. Every request it sends and every answer
// it gets is checked against the OpenAPI document the app serves at
// /api/v1/openapi.json: a request the document does not allow, a status
// it does not list for the operation, a missing or extra key, a wrong type
// or a missing header fails the test, saying what and where.
//
//	api := app.API(t).WithKey(key)
//	res := api.Patch("/api/v1/users/"+id, map[string]any{"first_name": "Ada"}, testapp.JSON, nil).Want(http.StatusOK)
//	res.User()["first_name"] // "Ada"
//
// A test that sends what the document does not allow on purpose (an
// unknown field, a body of another type) says so with OffContract(); the
// answer must then be a documented 4xx failure.
type API struct {
	t        testing.TB
	base     string
	http     *http.Client
	contract *Contract
	header   http.Header
	off      bool
}

// API returns a client of a's JSON API, with no credentials and no
// cookies.
func (a *App) API(t testing.TB) *API {
	t.Helper()
	hc := &http.Client{Timeout: time.Minute, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	return &API{t: t, base: a.URL, http: hc, contract: a.Contract(t), header: http.Header{}}
}

// API returns a client of the JSON API that sends c's cookies: the session
// of the guest c signed in, for /api/v1/me. PATCH needs the CSRF token
// too: c.API().WithHeader("X-CSRF-Token", c.CSRF()).
func (c *Client) API() *API {
	c.t.Helper()
	return &API{t: c.t, base: c.app.URL, http: c.http, contract: c.app.Contract(c.t), header: http.Header{}}
}

// Contract is the document a serves, loaded once for the app.
func (a *App) Contract(t testing.TB) *Contract {
	t.Helper()
	a.contractMu.Lock()
	defer a.contractMu.Unlock()
	if a.contract == nil {
		c, err := LoadContract(context.Background(), http.DefaultClient, a.URL)
		if err != nil {
			t.Fatalf("the API's document: %v", err)
		}
		a.contract = c
	}
	return a.contract
}

// NewAPI returns a client of the JSON API at baseURL, checked against the
// document baseURL serves: for a server other than the App.
func NewAPI(t testing.TB, baseURL string, hc *http.Client) *API {
	t.Helper()
	contract, err := LoadContract(context.Background(), hc, baseURL)
	if err != nil {
		t.Fatalf("the API's document: %v", err)
	}
	return &API{t: t, base: baseURL, http: hc, contract: contract, header: http.Header{}}
}

func (c *API) with(f func(*API)) *API {
	out := *c
	out.header = c.header.Clone()
	f(&out)
	return &out
}

// WithKey is a copy of the client that authenticates with the API key.
func (c *API) WithKey(key string) *API {
	return c.with(func(a *API) { a.header.Set("Authorization", "Bearer "+key) })
}

// WithHeader is a copy of the client that sends the header with every
// request.
func (c *API) WithHeader(name, value string) *API {
	return c.with(func(a *API) { a.header.Set(name, value) })
}

// OffContract is a copy of the client for requests that break the document
// on purpose. Each must break it (else the test is told to send it
// plainly), and its answer must be a 4xx failure: one the operation
// documents, or for a path or method the document lacks, a Failure.
func (c *API) OffContract() *API {
	return c.with(func(a *API) { a.off = true })
}

// Get sends GET path.
func (c *API) Get(path string, header http.Header) *APIResponse {
	c.t.Helper()
	return c.Do(http.MethodGet, path, nil, "", header)
}

// Head sends HEAD path.
func (c *API) Head(path string, header http.Header) *APIResponse {
	c.t.Helper()
	return c.Do(http.MethodHead, path, nil, "", header)
}

// Patch sends body to path as contentType (JSON, Form or Multipart).
func (c *API) Patch(path string, body any, contentType string, header http.Header) *APIResponse {
	c.t.Helper()
	return c.Do(http.MethodPatch, path, body, contentType, header)
}

// Post sends body to path as contentType (JSON, Form or Multipart).
func (c *API) Post(path string, body any, contentType string, header http.Header) *APIResponse {
	c.t.Helper()
	return c.Do(http.MethodPost, path, body, contentType, header)
}

// Do sends a request and checks it and its answer against the document.
// body is sent as contentType: url.Values as a form (Form or Multipart),
// anything else as JSON; a string or []byte is sent as it is, for bodies
// that are not what they say. header adds to the client's headers.
func (c *API) Do(method, path string, body any, contentType string, header http.Header) *APIResponse {
	c.t.Helper()
	b, ct := c.encode(body, contentType)
	req, err := http.NewRequest(method, c.base+path, bytes.NewReader(b))
	if err != nil {
		c.t.Fatalf("%s %s: %v", method, path, err)
	}
	if body == nil {
		req.Body, req.ContentLength = http.NoBody, 0
	}
	for k, v := range c.header {
		req.Header[k] = slices.Clone(v)
	}
	for k, v := range header {
		req.Header[k] = slices.Clone(v)
	}
	if ct != "" {
		req.Header.Set("Content-Type", ct)
	}
	res, err := c.http.Do(req)
	if err != nil {
		c.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	got, err := io.ReadAll(res.Body)
	if err != nil {
		c.t.Fatalf("%s %s: read the answer: %v", method, path, err)
	}
	ex := Exchange{Request: req, RequestBody: b, Status: res.StatusCode, Header: res.Header, Body: got}
	if err := c.contract.Check(ex, c.off); err != nil {
		c.t.Errorf("%v", err)
	}
	return &APIResponse{Response: res, Body: got, t: c.t}
}

// encode writes body as contentType, and says the Content-Type to send.
func (c *API) encode(body any, contentType string) ([]byte, string) {
	c.t.Helper()
	switch b := body.(type) {
	case nil:
		return nil, contentType
	case []byte:
		return b, contentType
	case string:
		return []byte(b), contentType
	case url.Values:
		switch contentType {
		case Form:
			return []byte(b.Encode()), Form
		case Multipart:
			return multipartBody(b)
		}
		c.t.Fatalf("a form (url.Values) is sent as %s or %s, not %q", Form, Multipart, contentType)
	}
	if contentType != JSON {
		c.t.Fatalf("send a %s body as url.Values, or as a string or []byte", contentType)
	}
	out, err := json.Marshal(body)
	if err != nil {
		c.t.Fatalf("encode the body as JSON: %v", err)
	}
	return out, JSON
}

func multipartBody(form url.Values) ([]byte, string) {
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	for _, name := range slices.Sorted(maps.Keys(form)) {
		for _, v := range form[name] {
			_ = w.WriteField(name, v)
		}
	}
	_ = w.Close()
	return buf.Bytes(), w.FormDataContentType()
}

// APIResponse is an answer of the JSON API, its body read.
type APIResponse struct {
	*http.Response
	Body []byte
	t    testing.TB
}

// Want fails the test unless the answer has status want.
func (r *APIResponse) Want(want int) *APIResponse {
	r.t.Helper()
	if r.StatusCode != want {
		r.t.Fatalf("%s %s: got status %d, want %d\n%s", r.Request.Method, r.Request.URL.Path, r.StatusCode, want, firstBytes(string(r.Body), 3000))
	}
	return r
}

// Decode reads the JSON body into v.
func (r *APIResponse) Decode(v any) {
	r.t.Helper()
	if err := json.Unmarshal(r.Body, v); err != nil {
		r.t.Fatalf("%s %s: the body is not JSON: %v\n%s", r.Request.Method, r.Request.URL.Path, err, firstBytes(string(r.Body), 3000))
	}
}

// User is the answer's "user" object.
func (r *APIResponse) User() map[string]any {
	r.t.Helper()
	var body struct {
		User map[string]any `json:"user"`
	}
	r.Decode(&body)
	return body.User
}

// Code is the failure's error code, such as "validation_failed".
func (r *APIResponse) Code() string {
	r.t.Helper()
	var body struct {
		Error struct {
			Code string `json:"code"`
		} `json:"error"`
	}
	r.Decode(&body)
	return body.Error.Code
}

// FieldErrors is the failure's errors_by_field.
func (r *APIResponse) FieldErrors() map[string][]string {
	r.t.Helper()
	var body struct {
		Fields map[string][]string `json:"errors_by_field"`
	}
	r.Decode(&body)
	return body.Fields
}

// String is the body, for failure messages.
func (r *APIResponse) String() string { return strings.TrimSpace(string(r.Body)) }
