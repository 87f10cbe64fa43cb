package handlers

import (
	"bytes"
	"net/http"
	"sync"

	"github.com/a-h/templ"
	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

	"myaccount/auth"
	"myaccount/models"
	"myaccount/store"
	"myaccount/views"
	"myaccount/views/layout"
)

var bufPool = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// isHTMX reports whether htmx sent the request and wants a fragment. When
// htmx restores history (the back button) it wants the whole page.
func isHTMX(c echo.Context) bool {
	h := c.Request().Header
	return h.Get("HX-Request") == "true" && h.Get("HX-Boosted") != "true" && h.Get("HX-History-Restore-Request") != "true"
}

// render writes the fragment to htmx and the full page to everyone else,
// with status. It renders into a buffer first, so a failing template
// becomes an error page instead of half a page.
func render(c echo.Context, status int, page, fragment templ.Component) error {
	c.Response().Header().Add("Vary", "HX-Request")
	comp := page
	if fragment != nil && isHTMX(c) {
		comp = fragment
	}
	buf := bufPool.Get().(*bytes.Buffer)
	buf.Reset()
	defer bufPool.Put(buf)
	ctx := c.Request().Context()
	if u := auth.CurrentUser(c); u != nil {
		ctx = views.WithReader(ctx, u.Language)
	}
	if err := comp.Render(ctx, buf); err != nil {
		return err
	}
	return c.HTMLBlob(status, buf.Bytes())
}

// success is how a POST that did its work is answered.
type success struct {
	// location is where a browser without JavaScript is sent (303), to
	// find the message as a flash.
	location string
	kind     models.NoticeKind
	msg      string
	// fragment is what htmx gets with 200: the section it posted from,
	// with the message, or the page's content that replaces it.
	fragment func(layout.Page) templ.Component
	// push is set when fragment is location's content: the address bar
	// moves there.
	push bool
	// title and nav are those of the page the user is on afterwards:
	// location's when push is set, else the form's own.
	title, nav string
}

// saved ends a successful POST, the same way for every form.
func (a *App) saved(c echo.Context, s success) error {
	if isHTMX(c) && s.fragment != nil {
		if s.push {
			c.Response().Header().Set("HX-Push-Url", s.location)
		}
		p := a.page(c, s.title, s.nav)
		p.NoticeKind, p.Notice = s.kind, s.msg
		return render(c, http.StatusOK, nil, layout.Fragment(p, s.fragment(p)))
	}
	a.Flash.Set(c, s.kind, s.msg)
	return c.Redirect(http.StatusSeeOther, s.location)
}

// refused answers a POST whose input was refused (422, 409, 429): the
// page again, titled as an error, or only its section for htmx, both
// built from the same page data.
func (a *App) refused(c echo.Context, status int, title, nav string, page, section func(layout.Page) templ.Component) error {
	p := a.page(c, "Error: "+title, nav)
	return render(c, status, page(p), layout.Fragment(p, section(p)))
}

// redirect sends htmx a full-page navigation and others a 303.
func redirect(c echo.Context, location string) error {
	if isHTMX(c) {
		c.Response().Header().Set("HX-Redirect", location)
		return c.NoContent(http.StatusOK)
	}
	return c.Redirect(http.StatusSeeOther, location)
}

// page is the shell's data for the current request, with any flash message.
func (a *App) page(c echo.Context, title, nav string) layout.Page {
	p := layout.Page{Title: title, Nav: nav, User: auth.CurrentUser(c), CSRF: csrfToken(c)}
	p.NoticeKind, p.Notice = a.Flash.Take(c)
	return p
}

func csrfToken(c echo.Context) string {
	t, _ := c.Get(middleware.DefaultCSRFConfig.ContextKey).(string)
	return t
}

// meta is where the request came from, for the audit trail.
func meta(c echo.Context) store.Meta { return auth.Meta(c) }
