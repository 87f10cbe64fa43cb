package handlers

import (
	"errors"
	"net/http"

	"github.com/a-h/templ"
	"github.com/labstack/echo/v4"

	"myaccount/models"
	"myaccount/views"
	"myaccount/views/layout"
)

// resetPath is the page the reset and invitation links open.
const resetPath = "/password/reset"

// resetForm is the empty form of l, a reset or an invitation link.
func resetForm(l *mailedLink) views.ResetForm {
	return views.ResetForm{Invitation: l.token.Purpose == models.TokenInvite, Owner: l.user.PasswordOwner(l.merchant)}
}

// passwordLinks are the kinds of link the reset page opens.
var passwordLinks = []string{models.TokenReset, models.TokenInvite}

// openPasswordLink is the live password link the request carries. When
// it is nil with a nil error, the answer is written already: the
// redirect that takes the token out of the URL, or the page of a link
// that does not work.
func (a *App) openPasswordLink(c echo.Context) (*mailedLink, error) {
	token, moved, err := a.linkToken(c, resetPath)
	if moved || err != nil {
		return nil, err
	}
	l, err := a.findLink(c, token, passwordLinks...)
	if errors.Is(err, models.ErrLinkInvalid) {
		return nil, a.deadPasswordLink(c)
	}
	return l, err
}

// GET /password/reset — the page a reset or invitation link opens: the
// form to choose a password, with the merchant's live checklist.
func (a *App) handleReset(c echo.Context) error {
	l, err := a.openPasswordLink(c)
	if l == nil {
		return err
	}
	form := resetForm(l)
	return render(c, http.StatusOK, views.ResetPage(a.page(c, form.Title(), "login"), l.merchant.PasswordPolicy, form), nil)
}

// POST /password/reset — set the password the link's holder chose, with
// the rules of a password change. The link is spent and every session of
// the account ends (SetPasswordByLink); then the holder is signed in
// here, or sent to sign in, as the merchant chose.
func (a *App) handleResetPost(c echo.Context) error {
	l, err := a.openPasswordLink(c)
	if l == nil {
		return err
	}
	var in models.PasswordReset
	if err := bindForm(c, &in); err != nil {
		return err
	}
	form := resetForm(l)
	err = in.Validate(l.merchant.PasswordPolicy, form.Owner).Err()
	if err == nil {
		err = a.Users.SetPasswordByLink(c.Request().Context(), a.Hasher, l.merchant, l.token, l.user, in.New, meta(c))
	}
	if errors.Is(err, models.ErrLinkInvalid) {
		return a.deadPasswordLink(c)
	}
	if invalid, ok := asFieldErrors(err); ok {
		form.Errors, form.Typed = invalid, in.New
		return a.refused(c, http.StatusUnprocessableEntity, form.Title(), "login",
			func(p layout.Page) templ.Component { return views.ResetPage(p, l.merchant.PasswordPolicy, form) },
			func(p layout.Page) templ.Component {
				return views.ResetSection(p.CSRF, l.merchant.PasswordPolicy, form)
			})
	}
	if err != nil {
		return err
	}
	a.dropLinkToken(c, resetPath)
	return a.passwordChosen(c, l)
}

// passwordChosen ends the visit of a link whose password was set: where
// the merchant asks for it (SignInAfterReset), the holder is signed in on
// this device, if the account is active; otherwise this device is signed
// out too, and the holder is sent to sign in with the new password.
func (a *App) passwordChosen(c echo.Context, l *mailedLink) error {
	if l.merchant.SignInAfterReset && l.user.Status == models.StatusActive {
		if err := a.Users.RecordSignIn(c.Request().Context(), l.user, nil, "", meta(c)); err != nil {
			return err
		}
		if err := a.Sessions.SignIn(c, l.user); err != nil {
			return err
		}
		a.renewCSRF(c)
		a.Flash.Set(c, models.NoticeSuccess, "Your password has been changed. You are signed in.")
		return redirect(c, "/account")
	}
	if err := a.Sessions.SignOut(c); err != nil {
		return err
	}
	a.renewCSRF(c)
	a.Flash.Set(c, models.NoticeSuccess, "Your password has been changed. Sign in with your new password.")
	return redirect(c, "/login")
}

// POST /password/reset/check — the live checklist of the link's page,
// for the link's user. The link's cookie is the only credential: without
// a live link the checklist stays as it is (204, which htmx does not
// swap). It is limited per user as the password page's is.
func (a *App) handleResetCheck(c echo.Context) error {
	token, moved, err := a.linkToken(c, resetPath)
	if moved || err != nil {
		return err
	}
	l, err := a.findLink(c, token, passwordLinks...)
	if errors.Is(err, models.ErrLinkInvalid) {
		return c.NoContent(http.StatusNoContent)
	}
	if err != nil {
		return err
	}
	return a.passwordRules(c, l.user, l.merchant)
}

// deadPasswordLink answers a reset or invitation link that does not
// work, leading to asking for a new one.
func (a *App) deadPasswordLink(c echo.Context) error {
	return a.deadLink(c, resetPath,
		"The link has expired or was already used. Each link works once, for a limited time, and a newer link or a change of the password ends it.",
		"/password/forgot", "Ask for a new link")
}
