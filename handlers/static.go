package handlers

import (
	"mime"
	"net/http"
	"path"

	"github.com/labstack/echo/v4"

	"myaccount/models"
	"myaccount/static"
)

// GET /static/* — embedded CSS and scripts. A request naming the current
// content hash (?v=) may be cached for a year.
func serveStatic(c echo.Context) error {
	name := c.Param("*")
	v := static.Version(name)
	if v == "" {
		return models.ErrNotFound
	}
	if c.QueryParam("v") == v {
		c.Response().Header().Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		c.Response().Header().Set("Cache-Control", "public, max-age=300")
	}
	c.Response().Header().Set("ETag", `"`+v+`"`)
	if c.Request().Header.Get("If-None-Match") == `"`+v+`"` {
		return c.NoContent(http.StatusNotModified)
	}
	b, err := static.Files.ReadFile(name)
	if err != nil {
		return models.ErrNotFound
	}
	return c.Blob(http.StatusOK, mime.TypeByExtension(path.Ext(name)), b)
}
