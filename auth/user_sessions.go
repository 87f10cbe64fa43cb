package auth

import (
	"crypto/sha256"
	"encoding/hex"
	"slices"

	"github.com/labstack/echo/v4"

	"myaccount/models"
)

// PublicSessionID is the id a session row is shown under: the first 16
// hex digits of SHA-256("display:" + row key). The row key is already a
// hash of the token, useless as a cookie, but it still stays out of pages.
func PublicSessionID(rowID string) string {
	sum := sha256.Sum256([]byte("display:" + rowID))
	return hex.EncodeToString(sum[:8])
}

// Sessions lists the signed-in user's active sessions, this one first,
// then by most recent use.
func (m *Manager) Sessions(c echo.Context) ([]models.ActiveSession, error) {
	u, sess := CurrentUser(c), session(c)
	if u == nil || sess == nil || sess.ID == "" {
		return nil, ErrSessionEnded
	}
	now := m.Store.now()
	rows, err := m.rows.ForUser(c.Request().Context(), u.ID, now, m.Store.cfg.IdleTimeout)
	if err != nil {
		return nil, err
	}
	current := hashToken(sess.ID)
	out := make([]models.ActiveSession, 0, len(rows))
	for _, row := range rows {
		s := models.ActiveSession{
			ID: PublicSessionID(row.ID), Device: models.DescribeUserAgent(row.UserAgent), IP: row.IP,
			SignedInAt: row.CreatedAt, LastActiveAt: row.LastSeenAt, Current: row.ID == current,
		}
		if s.Current {
			s.LastActiveAt = now // this request; the column is only written once a minute
		}
		out = append(out, s)
	}
	slices.SortStableFunc(out, func(a, b models.ActiveSession) int {
		switch {
		case a.Current == b.Current:
			return 0
		case a.Current:
			return -1
		}
		return 1
	})
	return out, nil
}

// Revoke ends the signed-in user's other session shown as id. Only the
// user's own active sessions can be named; any other id, and the current
// session (signing out is its own action), is models.ErrNotFound.
func (m *Manager) Revoke(c echo.Context, id string) error {
	u, sess := CurrentUser(c), session(c)
	if u == nil || sess == nil || sess.ID == "" {
		return ErrSessionEnded
	}
	ctx := c.Request().Context()
	rows, err := m.rows.ForUser(ctx, u.ID, m.Store.now(), m.Store.cfg.IdleTimeout)
	if err != nil {
		return err
	}
	current := hashToken(sess.ID)
	for _, row := range rows {
		if row.ID == current || PublicSessionID(row.ID) != id {
			continue
		}
		ended, err := m.rows.DeleteOfUser(ctx, u.ID, row.ID)
		if err != nil {
			return err
		}
		if !ended {
			break // ended a moment ago by someone else
		}
		return nil
	}
	return models.ErrNotFound
}

// RevokeOthers ends every session of the signed-in user but this one and
// reports how many ended.
func (m *Manager) RevokeOthers(c echo.Context) (int64, error) {
	u, sess := CurrentUser(c), session(c)
	if u == nil || sess == nil || sess.ID == "" {
		return 0, ErrSessionEnded
	}
	return m.rows.DeleteOthers(c.Request().Context(), u.ID, hashToken(sess.ID))
}

// CurrentKey is the key of the request's session row, or "" when there is
// none, for changes that must end every session but this one.
func (m *Manager) CurrentKey(c echo.Context) string {
	if sess := session(c); sess != nil && sess.ID != "" {
		return hashToken(sess.ID)
	}
	return ""
}
