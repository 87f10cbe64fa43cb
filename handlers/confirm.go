package handlers

import (
	"errors"
	"net/http"

	"github.com/labstack/echo/v4"

	"myaccount/auth"
	"myaccount/models"
	"myaccount/views"
)

// GET /account/confirm — ask for the password again before a sensitive
// change, then go back to next.
func (a *App) handleConfirm(c echo.Context) error {
	form := views.ConfirmForm{Next: auth.SafeNext(c.QueryParam("next"), "/account")}
	return render(c, http.StatusOK, views.ConfirmPage(a.page(c, "Confirm your password", "confirm"), form), nil)
}

// POST /account/confirm — check the password; a new session id and a fresh
// auth_at on success. Wrong passwords count as failed sign-ins.
func (a *App) handleConfirmPost(c echo.Context) error {
	u := auth.CurrentUser(c)
	form := views.ConfirmForm{Next: auth.SafeNext(c.FormValue("next"), "/account"), Errors: models.FieldErrors{}}
	password := c.FormValue("password")
	if password == "" {
		form.Errors.Add("password", "Enter your password")
	} else {
		err := a.Authenticator.Confirm(c.Request().Context(), u, password, meta(c))
		switch {
		case errors.Is(err, auth.ErrInvalidCredentials):
			form.Errors.Add("password", "Your password is incorrect")
		case errors.Is(err, auth.ErrAccountLocked):
			if err := a.Sessions.SignOut(c); err != nil {
				return err
			}
			a.Flash.Set(c, "error", "This account is locked after too many failed sign-ins. Contact the programme's support to unlock it")
			return redirect(c, "/login")
		case err != nil:
			return err
		}
	}
	if len(form.Errors) > 0 {
		p := a.page(c, "Error: Confirm your password", "confirm")
		return render(c, http.StatusUnprocessableEntity, views.ConfirmPage(p, form), views.ConfirmSection(p.CSRF, form))
	}
	if err := a.Sessions.Reauthenticate(c); err != nil {
		return a.sessionEnded(c, err)
	}
	return redirect(c, form.Next)
}
