package handlers

import (
	"errors"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"myaccount/auth"
	"myaccount/models"
	"myaccount/views"
)

// GET /login — the sign-in form.
func (a *App) handleLogin(c echo.Context) error {
	next := auth.SafeNext(c.QueryParam("next"), "")
	if auth.CurrentUser(c) != nil {
		return c.Redirect(http.StatusSeeOther, auth.SafeNext(next, "/account"))
	}
	return render(c, http.StatusOK, views.LoginPage(a.page(c, "Sign in", "login"), views.LoginForm{Next: next}), nil)
}

// POST /login — sign in with username or email and password.
func (a *App) handleLoginPost(c echo.Context) error {
	form := views.LoginForm{Login: strings.TrimSpace(c.FormValue("login")), Next: auth.SafeNext(c.FormValue("next"), ""), Errors: models.FieldErrors{}}
	password := c.FormValue("password")
	if form.Login == "" {
		form.Errors.Add("login", "Enter your username or email")
	}
	if password == "" {
		form.Errors.Add("password", "Enter your password")
	}
	var user *models.User
	var err error
	status := http.StatusUnprocessableEntity
	if len(form.Errors) == 0 {
		if wait, limited := a.signInLimited(c, form.Login); limited {
			secs := int(math.Ceil(wait.Seconds()))
			c.Response().Header().Set("Retry-After", strconv.Itoa(secs))
			form.Errors.Add("login", fmt.Sprintf("Too many sign-in attempts. Wait %d seconds, then try again", secs))
			status = http.StatusTooManyRequests
		}
	}
	if len(form.Errors) == 0 {
		user, err = a.Authenticator.SignIn(c.Request().Context(), form.Login, password, meta(c))
		switch {
		case errors.Is(err, auth.ErrInvalidCredentials):
			form.Errors.Add("login", "The username or email and password do not match an account")
		case errors.Is(err, auth.ErrAccountLocked):
			form.Errors.Add("login", "This account is locked after too many failed sign-ins. Contact the programme's support to unlock it")
		case errors.Is(err, auth.ErrAccountInactive):
			form.Errors.Add("login", "This account is not active. Contact the programme's support")
		case err != nil:
			return err
		}
	}
	if len(form.Errors) > 0 {
		p := a.page(c, "Sign in", "login")
		return render(c, status, views.LoginPage(p, form), views.LoginSection(p.CSRF, form))
	}
	if err := a.Sessions.SignIn(c, user); err != nil {
		return err
	}
	a.renewCSRF(c)
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

// signInLimited takes a token from the caller's address and from the
// account named, and reports how long to wait when either has none left.
// Both apply on top of the account lock: the address limit slows guessing
// across many accounts, the account limit slows guessing from many
// addresses, and neither reveals whether the account exists.
func (a *App) signInLimited(c echo.Context, login string) (time.Duration, bool) {
	if ok, wait := a.SignInByIP.Allow(c.RealIP()); !ok {
		return wait, true
	}
	if ok, wait := a.SignInByAccount.Allow(strings.ToLower(login)); !ok {
		return wait, true
	}
	return 0, false
}

// POST /logout — end the session on the server.
func (a *App) handleLogout(c echo.Context) error {
	if u := auth.CurrentUser(c); u != nil {
		if err := a.Users.Record(c.Request().Context(), u, models.ActionSignOut, meta(c)); err != nil {
			a.Log.Warn("audit sign-out", "err", err)
		}
	}
	if err := a.Sessions.SignOut(c); err != nil {
		return err
	}
	a.renewCSRF(c)
	a.Flash.Set(c, "info", "You have signed out.")
	return redirect(c, "/login")
}

// renewCSRF drops the CSRF cookie so the next page gets a fresh token:
// a token seen before sign-in is not the one used after it.
func (a *App) renewCSRF(c echo.Context) {
	c.SetCookie(&http.Cookie{Name: csrfCookieName(a.Secure), Value: "", Path: "/", MaxAge: -1, HttpOnly: true, Secure: a.Secure, SameSite: http.SameSiteLaxMode})
}
