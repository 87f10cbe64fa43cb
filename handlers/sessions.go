package handlers

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/a-h/templ"
	"github.com/labstack/echo/v4"

	"myaccount/auth"
	"myaccount/models"
	"myaccount/views"
	"myaccount/views/layout"
)

// GET /account/sessions — where the user is signed in, this device first.
func (a *App) handleSessions(c echo.Context) error {
	list, err := a.Sessions.Sessions(c)
	if err != nil {
		return a.sessionEnded(c, err)
	}
	p := a.page(c, "Your sessions", "sessions")
	return render(c, http.StatusOK, views.SessionsPage(p, list), views.SessionsSection(p.CSRF, p.Kind(), p.Notice, list))
}

// POST /account/sessions/{id}/revoke — sign out one other session.
func (a *App) handleSessionRevoke(c echo.Context) error {
	if err := a.Sessions.Revoke(c, c.Param("id")); err != nil {
		return a.sessionEnded(c, err)
	}
	return a.sessionsRevoked(c, 1)
}

// POST /account/sessions/revoke-others — sign out every session but this one.
func (a *App) handleSessionsRevokeOthers(c echo.Context) error {
	n, err := a.Sessions.RevokeOthers(c)
	if err != nil {
		return a.sessionEnded(c, err)
	}
	return a.sessionsRevoked(c, n)
}

// sessionsRevoked records that the user ended n of their sessions and
// answers with the list and a message.
func (a *App) sessionsRevoked(c echo.Context, n int64) error {
	if n > 0 {
		if err := a.Users.Record(c.Request().Context(), auth.CurrentUser(c), models.ActionSessionsEnded, meta(c)); err != nil {
			a.Log.WarnContext(c.Request().Context(), "audit sessions ended", "err", err)
		}
	}
	msg := "There were no other sessions to sign out of."
	switch {
	case n == 1:
		msg = "Signed out of 1 other session."
	case n > 1:
		msg = fmt.Sprintf("Signed out of %d other sessions.", n)
	}
	var list []models.ActiveSession
	if isHTMX(c) {
		var err error
		if list, err = a.Sessions.Sessions(c); err != nil {
			return a.sessionEnded(c, err)
		}
	}
	return a.saved(c, success{location: "/account/sessions", kind: models.NoticeSuccess, msg: msg, push: true, title: "Your sessions", nav: "sessions", fragment: func(p layout.Page) templ.Component {
		return views.SessionsSection(p.CSRF, p.Kind(), p.Notice, list)
	}})
}

// sessionEnded sends a user whose own session ended during the request
// (revoked from another device, on any server) to sign in again; other
// errors go to the error handler.
func (a *App) sessionEnded(c echo.Context, err error) error {
	if errors.Is(err, auth.ErrSessionEnded) {
		return redirect(c, "/login")
	}
	return err
}

// otherSessionsEnded adds to a password change's message how many other
// sessions it ended.
func otherSessionsEnded(n int64) string {
	switch {
	case n == 1:
		return " 1 other session was signed out."
	case n > 1:
		return fmt.Sprintf(" %d other sessions were signed out.", n)
	}
	return ""
}
