package handlers

import (
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
)

// csrf checks the token of every state-changing request: the _csrf form
// field, or the X-CSRF-Token header htmx sends. The token lives in a
// cookie of its own (__Host- behind https).
func csrf(secure bool) echo.MiddlewareFunc { return csrfFrom(secure, "header:X-CSRF-Token,form:_csrf") }

// csrfFrom is the CSRF check with the token looked up in lookup (Echo's
// TokenLookup): pages take the form field or the header, the JSON API
// the header only.
func csrfFrom(secure bool, lookup string) echo.MiddlewareFunc {
	return middleware.CSRFWithConfig(middleware.CSRFConfig{
		TokenLookup:    lookup,
		CookieName:     csrfCookieName(secure),
		CookiePath:     "/",
		CookieHTTPOnly: true,
		CookieSecure:   secure,
		CookieSameSite: http.SameSiteLaxMode,
		ErrorHandler:   csrfError,
	})
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
