package handlers

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"myaccount/auth"
	"myaccount/models"
	"myaccount/views"
	"myaccount/views/layout"
)

// POST /admin/users/{id}/lock — lock the account until an admin unlocks it.
func (a *App) handleAdminUserLock(c echo.Context) error {
	return a.accountAction(c, models.ActLock, func(admin, u *models.User) (string, error) {
		return "The account is locked. Its sessions end at their next request.", a.Users.Lock(c.Request().Context(), admin, u, meta(c))
	})
}

// POST /admin/users/{id}/unlock — lift the lock and every pause, and
// forget the failed sign-ins.
func (a *App) handleAdminUserUnlock(c echo.Context) error {
	return a.accountAction(c, models.ActUnlock, func(admin, u *models.User) (string, error) {
		return "The account is unlocked: its failed sign-ins and pauses are reset.", a.Users.Unlock(c.Request().Context(), admin, u, meta(c))
	})
}

// POST /admin/users/{id}/force-password-change — the user must change
// their password at their next request.
func (a *App) handleAdminUserForcePasswordChange(c echo.Context) error {
	return a.accountAction(c, models.ActForcePasswordChange, func(admin, u *models.User) (string, error) {
		return "The user must change their password at their next request.", a.Users.ForcePasswordChange(c.Request().Context(), admin, u, meta(c))
	})
}

// POST /admin/users/{id}/revoke-sessions — sign the user out everywhere.
func (a *App) handleAdminUserRevokeSessions(c echo.Context) error {
	return a.accountAction(c, models.ActRevokeSessions, func(admin, u *models.User) (string, error) {
		n, err := a.Users.RevokeSessions(c.Request().Context(), admin, u, meta(c))
		return "Signed out of all sessions (" + strconv.FormatInt(n, 10) + " ended).", err
	})
}

// POST /admin/users/{id}/send-reset-link — mail the user a link to choose
// a new password. Their password stays as it is until they do.
func (a *App) handleAdminUserSendResetLink(c echo.Context) error {
	return a.accountAction(c, models.ActSendResetLink, func(admin, u *models.User) (string, error) {
		err := a.Users.SendResetLink(c.Request().Context(), auth.CurrentMerchant(c), admin, u, meta(c))
		return "A link to choose a new password has been sent to " + u.Email + ".", err
	})
}

// POST /admin/users/{id}/resend-invitation — mail an invited user who has
// not chosen a password yet a new invitation; the older link ends.
func (a *App) handleAdminUserResendInvitation(c echo.Context) error {
	return a.accountAction(c, models.ActResendInvitation, func(admin, u *models.User) (string, error) {
		err := a.Users.ResendInvitation(c.Request().Context(), auth.CurrentMerchant(c), admin, u, meta(c))
		return "A new invitation has been sent to " + u.Email + ". The link of the earlier one no longer works.", err
	})
}

// actionRefusals are what the admin is told when the domain refuses an
// account action.
var actionRefusals = []struct {
	err error
	msg string
}{
	{models.ErrNoEmail, "This user has no email address, so no link can be sent. Add one with Edit first."},
	{models.ErrNotInvited, "This user is not waiting for an invitation: they have a password. To help them sign in, send a password reset link."},
	{models.ErrTooManyLinks, tooManyLinks + "."},
}

// accountAction runs do, the account action act, on the user the path
// names, within the admin's merchant, then goes back to the user's page
// with the message do returns. An action the rules refuse
// (models.CheckAccountAction) is not run, and a refusal of the domain is
// told in the words of actionRefusals.
func (a *App) accountAction(c echo.Context, act models.AccountAction, do func(admin, u *models.User) (string, error)) error {
	u, err := a.subject(c)
	if err != nil {
		return err
	}
	admin := auth.CurrentUser(c)
	if a.refuseAction(c, act, admin, u) {
		return redirect(c, "/admin/users/"+u.ID)
	}
	msg, err := do(admin, u)
	for _, r := range actionRefusals {
		if errors.Is(err, r.err) {
			a.Flash.Set(c, models.NoticeError, r.msg)
			return redirect(c, "/admin/users/"+u.ID)
		}
	}
	if err != nil {
		return err
	}
	a.Flash.Set(c, models.NoticeSuccess, msg)
	return redirect(c, "/admin/users/"+u.ID)
}

// refuseAction tells the admin why the rules refuse act on u, if they do.
func (a *App) refuseAction(c echo.Context, act models.AccountAction, admin, u *models.User) bool {
	var refused *models.RefusedAction
	if !errors.As(models.CheckAccountAction(admin, u, act), &refused) {
		return false
	}
	a.Flash.Set(c, models.NoticeError, refused.Reason)
	return true
}

// POST /admin/users/{id}/reset-password — a temporary password, shown to
// the admin once in this answer (never in a redirect, cookie or log).
func (a *App) handleAdminUserResetPassword(c echo.Context) error {
	u, err := a.subject(c)
	if err != nil {
		return err
	}
	admin, m := auth.CurrentUser(c), auth.CurrentMerchant(c)
	if a.refuseAction(c, models.ActResetPassword, admin, u) {
		return redirect(c, "/admin/users/"+u.ID)
	}
	password, err := a.Users.ResetPassword(c.Request().Context(), a.Hasher, admin, m, u, meta(c))
	if err != nil {
		return err
	}
	if u, err = a.subject(c); err != nil {
		return err
	}
	v, err := a.userView(c, u)
	if err != nil {
		return err
	}
	v.TempPassword = password
	c.Response().Header().Set("Cache-Control", "no-store")
	if isHTMX(c) {
		// The address bar shows the record, so a reload reads it again
		// (without the password) instead of resetting again.
		c.Response().Header().Set("HX-Push-Url", "/admin/users/"+u.ID)
	}
	p := a.page(c, u.DisplayName(), "admin-users")
	p.NoticeKind, p.Notice = models.NoticeSuccess, "The password has been reset and the user's sessions have ended."
	// htmx gets the record with its title, as the page the address bar
	// now names.
	return render(c, http.StatusOK, views.AdminUserPage(p, m, v), layout.Fragment(p, views.AdminUserDetail(p, m, v)))
}

// destructiveActions are the account actions that ask again first, with
// the words of their confirm step.
var destructiveActions = map[models.AccountAction]struct{ title, explain, button string }{
	models.ActLock: {"Lock this account?",
		"They will not be able to sign in until an admin unlocks the account, and their sessions end at their next request.",
		"Lock the account"},
	models.ActResetPassword: {"Reset this password?",
		"Their password stops working now and their sessions end. You will see a temporary password once, to give them; they must change it when they next sign in.",
		"Reset the password"},
	models.ActRevokeSessions: {"Sign out all sessions?",
		"Every browser and device signed in to this account is signed out at its next request. Their password stays as it is.",
		"Sign out all sessions"},
}

// GET /admin/users/{id}/{lock|reset-password|revoke-sessions} — the
// confirm step of a destructive action; its form posts to the same
// address, so the step works without JavaScript.
func (a *App) handleAdminUserConfirm(action models.AccountAction) echo.HandlerFunc {
	d := destructiveActions[action]
	return func(c echo.Context) error {
		u, err := a.subject(c)
		if err != nil {
			return err
		}
		p := a.page(c, d.title, "admin-users")
		return render(c, http.StatusOK, views.AdminActionConfirmPage(p, views.ActionConfirm{User: u, Action: string(action), Explain: d.explain, Button: d.button}), nil)
	}
}
