package handlers_test

import (
	"encoding/json"
	"net/http"
	"testing"

	"myaccount/internal/testapp"
)

// The document is served to anyone, as JSON, without a session.
func TestOpenAPIServed(t *testing.T) {
	app := testapp.New(t, testapp.Backend{Name: "sqlite"})
	res := app.Client(t).Get("/api/v1/openapi.json")
	testapp.Want(t, res, http.StatusOK)
	if got, want := res.Header.Get("Content-Type"), "application/json; charset=utf-8"; got != want {
		t.Errorf("Content-Type: got %q, want %q", got, want)
	}
	if got := res.Header.Get("Set-Cookie"); got != "" {
		t.Errorf("Set-Cookie: got %q, want none: the document needs no session", got)
	}
	var doc struct {
		OpenAPI string `json:"openapi"`
	}
	if err := json.Unmarshal([]byte(res.Body), &doc); err != nil {
		t.Fatalf("body: %v", err)
	}
	if doc.OpenAPI != "3.1.0" {
		t.Errorf("openapi: got %q, want 3.1.0", doc.OpenAPI)
	}
}
