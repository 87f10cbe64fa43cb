package auth

import (
	"errors"
	"net/http"
	"net/url"
	"time"

	"github.com/gorilla/sessions"
	"github.com/labstack/echo/v4"
)

// ErrSessionEnded is returned when the request's session was ended (on
// this or another server) while the request ran; the session is then
// signed out here too.
var ErrSessionEnded = errors.New("session ended")

// ConfirmPath is the page that asks for the password again.
const ConfirmPath = "/account/confirm"

// Reauthenticate records a fresh password check in the signed-in session:
// the session gets a new id, so a copy of the cookie taken before the
// check is worthless after it, and keeps its values with auth_at now.
func (m *Manager) Reauthenticate(c echo.Context) error {
	old := session(c)
	if old == nil || old.ID == "" || CurrentUser(c) == nil {
		return ErrSessionEnded
	}
	values := map[string]any{}
	for k, v := range old.Values {
		if key, ok := k.(string); ok {
			values[key] = v
		}
	}
	values[keyAuthAt] = m.Store.now().Unix()
	return m.rotate(c, values, true)
}

// RequireRecentAuth is middleware for pages that change how the user signs
// in: it lets the request through only when the session's last password
// check is at most within old, and otherwise sends the user to confirm
// their password, then back. A POST comes back to the form as a GET, its
// input dropped: what was typed, passwords included, never goes in a URL.
//
// A user who must change their password goes through: the forced change
// follows a sign-in, and the password form asks for the current password
// itself.
func (m *Manager) RequireRecentAuth(within time.Duration) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			u := CurrentUser(c)
			if u != nil && (u.MustChangePassword || m.authAge(session(c)) <= within) {
				return next(c)
			}
			r := c.Request()
			back := r.URL.Path
			if r.Method == http.MethodGet {
				back = r.URL.RequestURI()
			}
			target := ConfirmPath + "?next=" + url.QueryEscape(back)
			if r.Header.Get("HX-Request") == "true" {
				c.Response().Header().Set("HX-Redirect", target)
				return c.NoContent(http.StatusOK)
			}
			return c.Redirect(http.StatusSeeOther, target)
		}
	}
}

// authAge is how long ago the session's password check was; very long
// when there was none.
func (m *Manager) authAge(sess *sessions.Session) time.Duration {
	const never = time.Duration(1<<63 - 1)
	if sess == nil {
		return never
	}
	var at int64
	switch v := sess.Values[keyAuthAt].(type) {
	case int64:
		at = v
	case float64:
		at = int64(v)
	default:
		return never
	}
	return m.Store.now().Sub(time.Unix(at, 0))
}
