package handlers

import (
	_ "embed"
	"net/http"

	"github.com/labstack/echo/v4"

	"myaccount/views"
	"myaccount/views/layout"
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

// GET /api/docs — the API's reference page, rendered from the same
// document, for anyone.
func handleAPIDocs(c echo.Context) error {
	docs, err := views.ParseAPIDocs(openAPIDocument)
	if err != nil {
		return err
	}
	return render(c, http.StatusOK, views.APIDocsPage(layout.Page{Title: "API reference", Wide: true}, docs), nil)
}
