package handlers

import (
	_ "embed"
	"net/http"

	"github.com/labstack/echo/v4"
)

// openAPIDocument is the JSON API's contract as OpenAPI 3.1. The API's
// tests check every request and answer against it, as the app serves it.
//
//go:embed openapi.json
var openAPIDocument []byte

// GET /api/v1/openapi.json — the JSON API's contract as OpenAPI 3.1, for
// anyone: no session, no key.
func handleOpenAPI(c echo.Context) error {
	return c.Blob(http.StatusOK, "application/json; charset=utf-8", openAPIDocument)
}
