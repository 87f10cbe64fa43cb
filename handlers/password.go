package handlers

import (
	"net/http"
	"strconv"
	"time"

	"github.com/a-h/templ"
	"github.com/labstack/echo/v4"

	"myaccount/auth"
	"myaccount/models"
	"myaccount/store"
	"myaccount/views"
	"myaccount/views/layout"
)

// GET /account/password — the password form.
func (a *App) handlePassword(c echo.Context) error {
	u, m := auth.CurrentUser(c), auth.CurrentMerchant(c)
	form := passwordForm(u, m)
	return render(c, http.StatusOK, views.PasswordPage(a.page(c, "Change your password", "password"), m.PasswordPolicy, form), nil)
}

// POST /account/password — change the password after checking the
// current one through the guard.
func (a *App) handlePasswordPost(c echo.Context) error {
	u, m := auth.CurrentUser(c), auth.CurrentMerchant(c)
	var in models.PasswordChange
	if err := bindForm(c, &in); err != nil {
		return err
	}
	errs := in.Validate(m.PasswordPolicy, u.PasswordOwner(m))
	status, signedOut, err := a.checkPassword(c, auth.DoorPassword, in.Current, "current_password", "Your current password is incorrect", errs)
	if err != nil || signedOut {
		return signedOutOr(c, err)
	}
	var ended int64
	if err = errs.Err(); err == nil {
		ended, err = a.Users.ChangePassword(c.Request().Context(), a.Hasher, m, u, store.PasswordChange{PasswordChange: in, KeepSession: a.Sessions.CurrentKey(c)}, meta(c))
	}
	if invalid, ok := asFieldErrors(err); ok {
		form := passwordForm(u, m)
		form.Errors, form.Typed = invalid, in.New
		return a.refused(c, max(status, http.StatusUnprocessableEntity), "Change your password", "password",
			func(p layout.Page) templ.Component { return views.PasswordPage(p, m.PasswordPolicy, form) },
			func(p layout.Page) templ.Component { return views.PasswordSection(p.CSRF, m.PasswordPolicy, form) })
	}
	if err != nil {
		return err
	}
	// The other sessions ended with the change; this one gets a new id.
	if err := a.Sessions.Reauthenticate(c); err != nil {
		return a.sessionEnded(c, err)
	}
	msg := "Your password has been changed." + otherSessionsEnded(ended)
	return a.saved(c, success{location: "/account", kind: models.NoticeSuccess, msg: msg, title: "Change your password", nav: "password", fragment: func(p layout.Page) templ.Component {
		return views.PasswordSection(p.CSRF, m.PasswordPolicy, views.PasswordForm{Notice: msg, Owner: u.PasswordOwner(m)})
	}})
}

// POST /account/password/check — the policy checklist and strength meter
// for what the user has typed so far, so the live checklist and the final
// check use the same rules.
func (a *App) handlePasswordCheck(c echo.Context) error {
	return a.passwordRules(c, auth.CurrentUser(c), auth.CurrentMerchant(c))
}

// passwordRules answers a live check of the password u, of m, has typed
// so far. An estimate costs up to a fifth of a second of CPU for a
// crafted password: past a typing pace, the checklist stands still (204:
// htmx keeps it), and the form's own check still runs on submit.
func (a *App) passwordRules(c echo.Context, u *models.User, m *models.Merchant) error {
	if ok, wait := a.PasswordChecks.Allow(u.ID); !ok {
		c.Response().Header().Set("Retry-After", strconv.Itoa(max(1, int(wait.Seconds()+0.999))))
		return c.NoContent(http.StatusNoContent)
	}
	return render(c, http.StatusOK, views.PasswordRules(m.PasswordPolicy, u.PasswordOwner(m), c.FormValue("new_password")), nil)
}

// passwordChangeDue says why the signed-in user must change their password
// before anything else (models.PasswordChangeRequired or
// models.PasswordChangeExpired), or "" when they need not.
func passwordChangeDue(c echo.Context) string {
	u, m := auth.CurrentUser(c), auth.CurrentMerchant(c)
	if u == nil || m == nil {
		return ""
	}
	return u.PasswordChangeDue(m, time.Now())
}

// passwordForm is u's empty password form: the checklist checks against
// their username and email, and it says why a change is due, if it is.
func passwordForm(u *models.User, m *models.Merchant) views.PasswordForm {
	return views.PasswordForm{Owner: u.PasswordOwner(m), Due: u.PasswordChangeDue(m, time.Now())}
}
