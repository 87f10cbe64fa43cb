package handlers

import (
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/a-h/templ"
	"github.com/labstack/echo/v4"

	"myaccount/auth"
	"myaccount/models"
	"myaccount/views"
	"myaccount/views/layout"
)

// GET /account/confirm — ask for the password again before a sensitive
// change, then go back to next.
func (a *App) handleConfirm(c echo.Context) error {
	form := views.ConfirmForm{Next: auth.SafeNext(c.QueryParam("next"), "/account")}
	return render(c, http.StatusOK, views.ConfirmPage(a.page(c, "Confirm your password", "confirm"), form), nil)
}

// POST /account/confirm — check the password through the guard; a new
// session id and a fresh auth_at on success.
func (a *App) handleConfirmPost(c echo.Context) error {
	u := auth.CurrentUser(c)
	var in models.Confirmation
	if err := bindForm(c, &in); err != nil {
		return err
	}
	form := views.ConfirmForm{Next: auth.SafeNext(c.FormValue("next"), "/account"), Errors: in.Validate()}
	status, signedOut, err := a.checkPassword(c, auth.DoorConfirm, in.Password, "password", "Your password is incorrect", form.Errors)
	if err != nil || signedOut {
		return signedOutOr(c, err)
	}
	if len(form.Errors) > 0 {
		return a.refused(c, status, "Confirm your password", "confirm",
			func(p layout.Page) templ.Component { return views.ConfirmPage(p, form) },
			func(p layout.Page) templ.Component { return views.ConfirmSection(p.CSRF, form) })
	}
	if err := a.Users.Record(c.Request().Context(), u, models.ActionReauthenticated, meta(c)); err != nil {
		return err
	}
	if err := a.Sessions.Reauthenticate(c); err != nil {
		return a.sessionEnded(c, err)
	}
	return redirect(c, form.Next)
}

// checkPassword runs the signed-in user's password, typed into field at
// door, through the guard, unless errs already refuse that field. A wrong password adds wrong under field, with
// 422; a rate limit or a locked budget adds when to try again, with 429 and
// Retry-After, whether the password was right or not. When this attempt
// spent the budget, the session that spent it is signed out (it may be a
// stolen one) and signedOut is set: the caller then sends the user to
// sign in, where a message waits.
func (a *App) checkPassword(c echo.Context, door auth.Door, password, field, wrong string, errs models.FieldErrors) (status int, signedOut bool, err error) {
	if errs.Has(field) {
		return http.StatusUnprocessableEntity, false, nil // nothing to check
	}
	err = a.Guard.Check(c, door, auth.CurrentUser(c), password)
	var limited *auth.LimitedError
	var locked *auth.LockedError
	now := time.Now()
	switch {
	case err == nil:
		return http.StatusOK, false, nil
	case errors.Is(err, auth.ErrInvalidCredentials):
		errs.Add(field, wrong)
		return http.StatusUnprocessableEntity, false, nil
	case errors.As(err, &limited):
		c.Response().Header().Set("Retry-After", strconv.Itoa(limited.RetryAfter()))
		errs.Add(field, "Too many attempts. Wait "+views.WaitText(limited.Wait)+", then try again")
		return http.StatusTooManyRequests, false, nil
	case errors.As(err, &locked) && locked.Now:
		if err := a.Sessions.SignOut(c); err != nil {
			return 0, false, err
		}
		a.renewCSRF(c)
		a.Flash.Set(c, models.NoticeError, views.LockedNotice(locked.Permanent, locked.Until))
		return 0, true, nil
	case errors.As(err, &locked) && !locked.Permanent:
		c.Response().Header().Set("Retry-After", strconv.Itoa(locked.RetryAfter(now)))
		errs.Add(field, views.LockedNotice(false, locked.Until))
		return http.StatusTooManyRequests, false, nil
	}
	return 0, false, err
}

// signedOutOr ends a request checkPassword signed out, or returns err.
func signedOutOr(c echo.Context, err error) error {
	if err != nil {
		return err
	}
	return redirect(c, "/login")
}
