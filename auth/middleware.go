package auth

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/gorilla/sessions"
	"github.com/labstack/echo/v4"

	"myaccount/models"
	"myaccount/store"
)

// Context keys for what the middleware loads.
const (
	ctxSession  = "auth.session"
	ctxUser     = "auth.user"
	ctxMerchant = "auth.merchant"
)

// touchEvery throttles last-seen writes: a busy session costs one write a
// minute, not one per request, or more often when the idle timeout is so
// short that a minute's lag could end an active session.
func (m *Manager) touchEvery() time.Duration {
	if idle := m.Store.cfg.IdleTimeout; idle > 0 && idle/4 < time.Minute {
		return idle / 4
	}
	return time.Minute
}

// UserLoader is what the middleware needs to know who is signed in.
type UserLoader interface {
	ByID(ctx context.Context, id string) (*models.User, error)
}

// MerchantLoader loads the signed-in user's merchant and its rules.
type MerchantLoader interface {
	ByID(ctx context.Context, id string) (*models.Merchant, error)
}

// Manager ties sessions to users: it loads the signed-in user for every
// request and signs users in and out.
type Manager struct {
	Store     *SessionStore
	rows      *store.Sessions
	users     UserLoader
	merchants MerchantLoader
	log       *slog.Logger
}

// NewManager returns a Manager.
func NewManager(st *SessionStore, rows *store.Sessions, users UserLoader, merchants MerchantLoader, log *slog.Logger) *Manager {
	return &Manager{Store: st, rows: rows, users: users, merchants: merchants, log: log}
}

// Load is middleware that reads the session and, when it names an active
// user, puts the user and their merchant in the context.
func (m *Manager) Load(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		r := c.Request()
		*r = *r.WithContext(context.WithValue(r.Context(), realIPKey{}, c.RealIP()))
		sess, err := m.Store.Get(r, m.Store.CookieName())
		if err != nil {
			return fmt.Errorf("session: %w", err)
		}
		c.Set(ctxSession, sess)
		uid, _ := sess.Values[keyUserID].(string)
		if uid == "" {
			return next(c)
		}
		user, merchant, err := m.signedIn(r.Context(), sess, uid)
		if errors.Is(err, models.ErrNotFound) || (err == nil && user.Status != models.StatusActive) {
			// The account is gone, locked or deactivated: its sessions end.
			if err := m.end(c, sess); err != nil {
				return err
			}
			return next(c)
		}
		if err != nil {
			return err
		}
		c.Set(ctxUser, user)
		c.Set(ctxMerchant, merchant)
		if row, ok := sess.Values[rowKey{}].(*models.Session); ok && m.Store.now().Sub(row.LastSeenAt) > m.touchEvery() {
			if err := m.rows.Touch(r.Context(), row.ID, m.Store.now()); err != nil {
				m.log.WarnContext(r.Context(), "touch session", "err", err)
			}
		}
		return next(c)
	}
}

// signedIn is the session's user, uid, and their merchant: as read with
// the session row, or else (a session saved in this request) read now.
func (m *Manager) signedIn(ctx context.Context, sess *sessions.Session, uid string) (*models.User, *models.Merchant, error) {
	if s, ok := sess.Values[signedKey{}].(signed); ok && s.user.ID == uid && s.merchant != nil {
		return s.user, s.merchant, nil
	}
	user, err := m.users.ByID(ctx, uid)
	if errors.Is(err, models.ErrNotFound) {
		return nil, nil, err
	}
	if err != nil {
		return nil, nil, fmt.Errorf("load signed-in user: %w", err)
	}
	merchant, err := m.merchants.ByID(ctx, user.MerchantID)
	if err != nil {
		return nil, nil, fmt.Errorf("load merchant of %s: %w", user.ID, err)
	}
	return user, merchant, nil
}

// CurrentUser is the signed-in user, or nil.
func CurrentUser(c echo.Context) *models.User {
	u, _ := c.Get(ctxUser).(*models.User)
	return u
}

// CurrentMerchant is the signed-in user's merchant, or nil.
func CurrentMerchant(c echo.Context) *models.Merchant {
	m, _ := c.Get(ctxMerchant).(*models.Merchant)
	return m
}

func session(c echo.Context) *sessions.Session {
	s, _ := c.Get(ctxSession).(*sessions.Session)
	return s
}

// RequireUser is middleware that sends a signed-out visitor to the sign-in
// page, then back to where they were going.
func RequireUser(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if CurrentUser(c) != nil {
			return next(c)
		}
		target := "/login"
		if r := c.Request(); r.Method == http.MethodGet && r.URL.Path != "/" {
			target += "?next=" + url.QueryEscape(r.URL.RequestURI())
		}
		if c.Request().Header.Get("HX-Request") == "true" {
			c.Response().Header().Set("HX-Redirect", target)
			return c.NoContent(http.StatusUnauthorized)
		}
		return c.Redirect(http.StatusSeeOther, target)
	}
}

// RequireAdmin is middleware that lets only merchant admins through; use it
// after RequireUser. Anyone else is refused with 403.
func RequireAdmin(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if u := CurrentUser(c); u == nil || !u.IsAdmin() {
			return models.ErrForbidden
		}
		return next(c)
	}
}

// SafeNext returns next when it is a path on this site, else fallback, so
// the sign-in page cannot be used to send people elsewhere. Control
// characters are refused: browsers drop tabs and newlines from a URL, so
// "/\t/evil.example" would be followed as "//evil.example". What a URL may
// not hold as it is (non-ASCII letters, spaces) comes back percent-encoded,
// ready for a Location header.
func SafeNext(next, fallback string) string {
	if next == "" || !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.HasPrefix(next, "/\\") ||
		strings.ContainsFunc(next, unicode.IsControl) || !utf8.ValidString(next) {
		return fallback
	}
	return escapeURL(next)
}

// escapeURL percent-encodes every byte RFC 3986 does not allow in a URL
// as it is; what is already encoded stays as it was.
func escapeURL(s string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x80 && (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("-._~:/?#[]@!$&'()*+,;=%", c) >= 0) {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&15])
	}
	return b.String()
}

// SignIn starts a new session for user: the old session (and its id) is
// ended, so an id planted before sign-in is worthless after it.
func (m *Manager) SignIn(c echo.Context, user *models.User) error {
	return m.rotate(c, map[string]any{keyUserID: user.ID, keyAuthAt: m.Store.now().Unix()}, false)
}

// rotate replaces the request's session with a new one holding values: a
// new token, row and cookie, the old row deleted. With live set, the old
// session must still have been in the table: one revoked while this
// request ran is not brought back under a new id, but signed out, and
// rotate returns ErrSessionEnded.
func (m *Manager) rotate(c echo.Context, values map[string]any, live bool) error {
	old := session(c)
	existed := false
	if old != nil && old.ID != "" {
		var err error
		if existed, err = m.rows.End(c.Request().Context(), hashToken(old.ID)); err != nil {
			return fmt.Errorf("end previous session: %w", err)
		}
	}
	if live && !existed {
		if old != nil {
			if err := m.end(c, old); err != nil {
				return err
			}
		}
		return ErrSessionEnded
	}
	sess := sessions.NewSession(m.Store, m.Store.CookieName())
	sess.Options = m.Store.options()
	sess.IsNew = true
	for k, v := range values {
		sess.Values[k] = v
	}
	if err := sess.Save(c.Request(), c.Response()); err != nil {
		return err
	}
	c.Set(ctxSession, sess)
	return nil
}

// SignOut ends the current session server-side and clears its cookie.
func (m *Manager) SignOut(c echo.Context) error {
	sess := session(c)
	if sess == nil {
		return nil
	}
	return m.end(c, sess)
}

func (m *Manager) end(c echo.Context, sess *sessions.Session) error {
	sess.Options = m.Store.options()
	sess.Options.MaxAge = -1
	if err := sess.Save(c.Request(), c.Response()); err != nil {
		return err
	}
	sess.Values = map[any]any{}
	sess.ID = ""
	sess.Options = m.Store.options()
	return nil
}
