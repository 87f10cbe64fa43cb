package handlers

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/a-h/templ"
	"github.com/labstack/echo/v4"

	"myaccount/auth"
	"myaccount/models"
	"myaccount/views"
	"myaccount/views/layout"
)

// GET /login — the sign-in form.
func (a *App) handleLogin(c echo.Context) error {
	next := auth.SafeNext(c.QueryParam("next"), "")
	if auth.CurrentUser(c) != nil {
		return c.Redirect(http.StatusSeeOther, auth.SafeNext(next, "/account"))
	}
	return render(c, http.StatusOK, views.LoginPage(a.page(c, "Sign in", "login"), views.LoginForm{Next: next}), nil)
}

// POST /login — sign in with username or email and password. Every
// refusal but a rate limit gets the same message, in the same time: an
// unknown account, a wrong password, and a locked or inactive account.
func (a *App) handleLoginPost(c echo.Context) error {
	var in models.SignIn
	if err := bindForm(c, &in); err != nil {
		return err
	}
	form := views.LoginForm{Login: strings.TrimSpace(in.Login), Next: auth.SafeNext(c.FormValue("next"), ""), Errors: in.Validate()}
	status := http.StatusUnprocessableEntity
	var signed *auth.SignedIn
	if len(form.Errors) == 0 {
		var err error
		signed, err = a.Guard.SignIn(c, form.Login, in.Password)
		var limited *auth.LimitedError
		switch {
		case errors.As(err, &limited):
			c.Response().Header().Set("Retry-After", strconv.Itoa(limited.RetryAfter()))
			form.Errors.Add("login", "Too many sign-in attempts. Wait "+views.WaitText(limited.Wait)+", then try again")
			status = http.StatusTooManyRequests
		case errors.Is(err, auth.ErrInvalidCredentials):
			form.Errors.Add("login", "The username or email and password do not match an account")
			form.Failed = true
		case err != nil:
			return err
		}
	}
	if len(form.Errors) > 0 {
		return a.refused(c, status, "Sign in", "login",
			func(p layout.Page) templ.Component { return views.LoginPage(p, form) },
			func(p layout.Page) templ.Component { return views.LoginSection(p.CSRF, form) })
	}
	user := signed.User
	if err := a.Sessions.SignIn(c, user); err != nil {
		return err
	}
	a.renewCSRF(c)
	if signed.FailedAttempts > 0 {
		a.Flash.Set(c, models.NoticeInfo, views.FailedAttemptsNotice(user.Language, signed.FailedAttempts, signed.LastFailedAt))
	}
	target := auth.SafeNext(form.Next, "/account")
	merchant, err := a.Merchants.ByID(c.Request().Context(), user.MerchantID)
	if err != nil {
		return err
	}
	if user.MustChangePasswordNow(merchant, time.Now()) {
		target = "/account/password"
	}
	return redirect(c, target)
}

// POST /logout — end the session on the server.
func (a *App) handleLogout(c echo.Context) error {
	if u := auth.CurrentUser(c); u != nil {
		if err := a.Users.Record(c.Request().Context(), u, models.ActionSignOut, meta(c)); err != nil {
			a.Log.WarnContext(c.Request().Context(), "audit sign-out", "err", err)
		}
	}
	if err := a.Sessions.SignOut(c); err != nil {
		return err
	}
	a.renewCSRF(c)
	a.Flash.Set(c, models.NoticeInfo, "You have signed out.")
	return redirect(c, "/login")
}

// renewCSRF drops the CSRF cookie so the next page gets a fresh token:
// a token seen before sign-in is not the one used after it.
func (a *App) renewCSRF(c echo.Context) {
	c.SetCookie(&http.Cookie{Name: csrfCookieName(a.Secure), Value: "", Path: "/", MaxAge: -1, HttpOnly: true, Secure: a.Secure, SameSite: http.SameSiteLaxMode})
}
