package handlers

import (
	"errors"
	"mime"
	"net/http"
	"path"
	"strings"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

	"myaccount/auth"
	"myaccount/models"
	"myaccount/static"
)

// New builds the Echo application with every route and middleware.
func New(d Deps) *echo.Echo {
	a := &App{Deps: d}
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.HTTPErrorHandler = a.HandleError
	// The client address is the connection's: a header a client sets
	// must not decide what the audit trail records.
	e.IPExtractor = echo.ExtractIPDirect()

	e.Pre(headAsGet)
	e.Use(restoreHead)
	e.Use(middleware.RecoverWithConfig(middleware.RecoverConfig{LogErrorFunc: logRecovered(a.Log)}))
	e.Use(middleware.RequestID())
	e.Use(a.logRequests)
	e.Use(securityHeaders(a.Secure))
	e.Use(limitBody(int64(a.MaxBodyBytes)))
	e.Use(textQuery)
	e.Use(databaseDeadline(a.DBTimeout))

	e.GET("/healthz", a.handleHealthz)
	e.GET("/readyz", a.handleReadyz)
	e.GET("/static/*", serveStatic)

	// Everything else is a page: it has a session and CSRF protection.
	pages := e.Group("", formBody, fetchMetadata, middleware.CSRFWithConfig(middleware.CSRFConfig{
		TokenLookup:    "header:X-CSRF-Token,form:_csrf",
		CookieName:     csrfCookieName(a.Secure),
		CookiePath:     "/",
		CookieHTTPOnly: true,
		CookieSecure:   a.Secure,
		CookieSameSite: http.SameSiteLaxMode,
		ErrorHandler:   csrfError,
	}), a.Sessions.Load)

	pages.GET("/", func(c echo.Context) error { return c.Redirect(http.StatusSeeOther, "/account") })
	pages.GET("/login", a.handleLogin)
	pages.POST("/login", a.handleLoginPost)
	pages.POST("/logout", a.handleLogout)

	account := pages.Group("/account", auth.RequireUser, requirePasswordChange)
	account.GET("", a.handleAccount)
	account.GET("/profile/edit", a.handleProfileEdit)
	account.POST("/profile", a.handleProfileUpdate)
	// Changing how the user signs in needs a recent password check.
	recent := a.Sessions.RequireRecentAuth(a.ReauthAfter)
	account.GET("/password", a.handlePassword, recent)
	account.POST("/password", a.handlePasswordPost, recent)
	account.POST("/password/check", a.handlePasswordCheck)
	account.GET("/email", a.handleEmail, recent)
	account.POST("/email", a.handleEmailPost, recent)
	account.GET("/sessions", a.handleSessions)
	account.POST("/sessions/revoke-others", a.handleSessionsRevokeOthers)
	account.POST("/sessions/:id/revoke", a.handleSessionRevoke)
	// Outside the group: a user who must change their password is kept on
	// the password page, and must still be able to confirm it on the way.
	pages.GET("/account/confirm", a.handleConfirm, auth.RequireUser)
	pages.POST("/account/confirm", a.handleConfirmPost, auth.RequireUser)

	// The merchant admin console: admins of the signed-in user's merchant
	// only; a guest gets 403, and a user of another merchant is 404.
	admin := pages.Group("/admin", auth.RequireUser, requirePasswordChange, auth.RequireAdmin)
	admin.GET("", func(c echo.Context) error { return c.Redirect(http.StatusSeeOther, "/admin/users") })
	admin.GET("/users", a.handleAdminUsers)
	admin.GET("/users/new", a.handleAdminUserNew)
	admin.POST("/users", a.handleAdminUserCreate)
	admin.GET("/users/:id", a.handleAdminUser)
	admin.GET("/users/:id/edit", a.handleAdminUserEdit)
	admin.POST("/users/:id", a.handleAdminUserUpdate)
	admin.POST("/users/:id/lock", a.handleAdminUserLock)
	admin.POST("/users/:id/unlock", a.handleAdminUserUnlock)
	admin.POST("/users/:id/force-password-change", a.handleAdminUserForcePasswordChange)
	admin.POST("/users/:id/reset-password", a.handleAdminUserResetPassword)
	admin.POST("/users/:id/revoke-sessions", a.handleAdminUserRevokeSessions)

	// admin: audit
	admin.GET("/audit", a.handleAdminAudit)

	// admin: settings
	admin.GET("/settings", a.handleAdminSettings)
	admin.POST("/settings", a.handleAdminSettingsPost)

	e.RouteNotFound("/*", func(c echo.Context) error { return models.ErrNotFound })
	return e
}

// fetchMetadata refuses state-changing requests a browser marks as coming
// from another site (Sec-Fetch-Site), then hides the header from Echo's
// CSRF middleware, which would otherwise let same-origin requests through
// without a token. Both defences apply: the browser's word and the token.
func fetchMetadata(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		r := c.Request()
		switch r.Method {
		case http.MethodGet, http.MethodHead, http.MethodOptions:
		default:
			if site := r.Header.Get("Sec-Fetch-Site"); site == "cross-site" || site == "same-site" {
				return errCSRF
			}
		}
		r.Header.Del("Sec-Fetch-Site")
		return next(c)
	}
}

// csrfCookieName uses the __Host- prefix behind https, so no subdomain can
// plant the cookie.
func csrfCookieName(secure bool) string {
	if secure {
		return "__Host-myaccount_csrf"
	}
	return "myaccount_csrf"
}

// requirePasswordChange keeps a user who must change their password (an
// admin asked, or it expired) on the password page until they have: every
// other account and admin page redirects there. The password form and its
// live check stay reachable, and so does POST /logout, outside these groups.
func requirePasswordChange(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if passwordChangeDue(c) != "" && !strings.HasPrefix(c.Path(), "/account/password") {
			return redirect(c, "/account/password")
		}
		return next(c)
	}
}

// contentSecurityPolicy allows only this site's own scripts and styles:
// no inline script or style, no eval (htmx runs with allowEval off and
// without its inline indicator styles), no framing, no plugins.
const contentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; " +
	"connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"

// permissionsPolicy turns off browser features the site never uses.
const permissionsPolicy = "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), microphone=(), payment=(), usb=()"

// securityHeaders are sent with every response; HSTS only behind https.
func securityHeaders(secure bool) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			h := c.Response().Header()
			h.Set("Content-Security-Policy", contentSecurityPolicy)
			h.Set("Permissions-Policy", permissionsPolicy)
			h.Set("X-Content-Type-Options", "nosniff")
			h.Set("Referrer-Policy", "same-origin")
			h.Set("X-Frame-Options", "DENY")
			h.Set("Cross-Origin-Opener-Policy", "same-origin")
			if secure {
				h.Set("Strict-Transport-Security", "max-age=63072000; includeSubDomains")
			}
			return next(c)
		}
	}
}

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

// asFieldErrors reports whether err carries field errors.
func asFieldErrors(err error) (models.FieldErrors, bool) {
	var fe models.FieldErrors
	ok := errors.As(err, &fe)
	return fe, ok
}
