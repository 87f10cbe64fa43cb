package handlers

import (
	"errors"
	"net/http"

	"github.com/a-h/templ"
	"github.com/labstack/echo/v4"

	"myaccount/auth"
	"myaccount/models"
	"myaccount/views"
	"myaccount/views/layout"
)

// GET /account/email — the email form.
func (a *App) handleEmail(c echo.Context) error {
	u := auth.CurrentUser(c)
	return render(c, http.StatusOK, views.EmailPage(a.page(c, "Change your email", "email"), views.EmailForm{Current: u.Email, Pending: u.PendingEmail}), nil)
}

// POST /account/email — ask for a new address after checking the
// password through the guard. It takes effect when the link mailed to it
// is followed; the current address is told, with a link that cancels.
func (a *App) handleEmailPost(c echo.Context) error {
	u, m := auth.CurrentUser(c), auth.CurrentMerchant(c)
	var in models.EmailChange
	if err := bindForm(c, &in); err != nil {
		return err
	}
	email, errs := in.Validate(u.Email)
	status, signedOut, err := a.checkPassword(c, auth.DoorEmail, in.Password, "current_password", "Your current password is incorrect", errs)
	if err != nil || signedOut {
		return signedOutOr(c, err)
	}
	if err = errs.Err(); err == nil {
		err = a.Users.RequestEmailChange(c.Request().Context(), m, u, email, meta(c))
	}
	if errors.Is(err, models.ErrTooManyLinks) {
		err, status = models.FieldErrors{"new_email": {tooManyLinks}}, http.StatusTooManyRequests
	}
	if invalid, ok := asFieldErrors(err); ok {
		form := views.EmailForm{Current: u.Email, Pending: u.PendingEmail, New: in.New, Confirm: in.Confirm, Errors: invalid}
		return a.refused(c, max(status, http.StatusUnprocessableEntity), "Change your email", "email",
			func(p layout.Page) templ.Component { return views.EmailPage(p, form) },
			func(p layout.Page) templ.Component { return views.EmailSection(p.CSRF, form) })
	}
	if err != nil {
		return err
	}
	msg := "We have sent a link to " + u.PendingEmail + ". Your email changes when you follow it; until then it stays " + u.Email + "."
	if u.Email == "" {
		msg = "We have sent a link to " + u.PendingEmail + ". It becomes your email when you follow it."
	}
	return a.saved(c, success{location: "/account", kind: models.NoticeSuccess, msg: msg, title: "Change your email", nav: "email", fragment: func(p layout.Page) templ.Component {
		return views.EmailSection(p.CSRF, views.EmailForm{Current: u.Email, Pending: u.PendingEmail, Notice: msg})
	}})
}

// tooManyLinks is the answer past models.MaxEmailLinksPerHour.
const tooManyLinks = "We have sent several links to this account in the last hour. Wait a while, then ask again"

// POST /account/email/resend — mail the pending address's link again.
// POST /account/email/verify — mail the current address a link that
// proves it. Both answer on the overview.
func (a *App) handleEmailResend(c echo.Context) error {
	u, m := auth.CurrentUser(c), auth.CurrentMerchant(c)
	err := a.Users.SendVerification(c.Request().Context(), m, u, u, meta(c))
	return a.emailOutcome(c, err, func() string {
		address := u.PendingEmail
		if address == "" {
			address = u.Email
		}
		return "We have sent a new link to " + address + ". Earlier links no longer work."
	})
}

// POST /account/email/cancel — drop the pending address.
func (a *App) handleEmailCancel(c echo.Context) error {
	u := auth.CurrentUser(c)
	pending := u.PendingEmail
	err := a.Users.CancelEmailChange(c.Request().Context(), nil, u, meta(c))
	return a.emailOutcome(c, err, func() string {
		return "The change to " + pending + " was cancelled. Your email stays " + u.Email + "."
	})
}

// emailOutcome answers a button of the overview's email row with a
// message there: what happened, or why nothing did.
func (a *App) emailOutcome(c echo.Context, err error, done func() string) error {
	kind, msg := models.NoticeSuccess, ""
	switch {
	case errors.Is(err, models.ErrNothingPending):
		kind, msg = models.NoticeInfo, "No change of email is waiting."
	case errors.Is(err, models.ErrNoEmail):
		kind, msg = models.NoticeError, "Your account has no email address to confirm."
	case errors.Is(err, models.ErrTooManyLinks):
		kind, msg = models.NoticeError, tooManyLinks+"."
	case err != nil:
		return err
	default:
		msg = done()
	}
	a.Flash.Set(c, kind, msg)
	return redirect(c, "/account#contact")
}

// The pages of the two mailed email links.
const (
	confirmLinkPath = "/email/confirm"
	cancelLinkPath  = "/email/cancel"
)

// GET /email/confirm and GET /email/cancel — the mailed link's page: it
// says what the click will do, and changes nothing itself.
func (a *App) handleEmailLink(c echo.Context) error {
	v, _, err := a.emailLink(c)
	if v == nil {
		return err
	}
	return render(c, http.StatusOK, views.EmailLinkPage(a.page(c, emailLinkTitle(*v), ""), *v), nil)
}

// POST /email/confirm and POST /email/cancel — the click: apply or drop
// the change the link is about.
func (a *App) handleEmailLinkPost(c echo.Context) error {
	v, l, err := a.emailLink(c)
	if v == nil {
		return err
	}
	ctx := c.Request().Context()
	if v.Cancel {
		err = a.Users.CancelEmailChange(ctx, l.token, l.user, meta(c))
	} else {
		err = a.Users.ConfirmEmail(ctx, l.merchant, l.token, l.user, meta(c))
	}
	if invalid, ok := asFieldErrors(err); ok && invalid.Has("email") {
		p := a.page(c, "This address cannot be used", "")
		return render(c, http.StatusConflict, views.ErrorPage(p, http.StatusConflict,
			"Another account now uses "+v.Address+", so your email address stays "+v.Current+"."), nil)
	}
	if errors.Is(err, models.ErrLinkInvalid) || errors.Is(err, models.ErrNothingPending) {
		return a.deadEmailLink(c, v.Cancel)
	}
	if err != nil {
		return err
	}
	a.dropLinkToken(c, c.Path())
	v.Done = true
	return render(c, http.StatusOK, views.EmailLinkPage(a.page(c, emailLinkTitle(*v), ""), *v), nil)
}

// emailLink finds the live link the request's page is for, and what it
// is about. When v is nil the answer is already written (the token moved
// out of the URL, or the dead-link page), or err says why not.
func (a *App) emailLink(c echo.Context) (*views.EmailLink, *mailedLink, error) {
	path := c.Path()
	cancel := path == cancelLinkPath
	token, moved, err := a.linkToken(c, path)
	if moved || err != nil {
		return nil, nil, err
	}
	purpose := models.TokenVerifyEmail
	if cancel {
		purpose = models.TokenCancelEmail
	}
	l, err := a.findLink(c, token, purpose)
	var proof models.EmailLink
	if err == nil {
		proof, err = l.user.ProvesEmail(l.token)
	}
	if errors.Is(err, models.ErrLinkInvalid) {
		return nil, nil, a.deadEmailLink(c, cancel)
	}
	if err != nil {
		return nil, nil, err
	}
	u := l.user
	return &views.EmailLink{Cancel: cancel, Merchant: l.merchant.Name, Username: u.Username, Address: proof.Address, Current: u.Email,
		Change: proof.Change, SignedIn: auth.CurrentUser(c) != nil}, l, nil
}

// deadEmailLink answers a confirm or cancel link that does not work,
// leading back to the account.
func (a *App) deadEmailLink(c echo.Context, cancel bool) error {
	label := "Go to your account to ask for a new link"
	if cancel {
		label = "Go to your account to see its email address"
	}
	return a.deadLink(c, c.Path(), "The link may have expired, been used already, or been replaced by a newer one.", "/account", label)
}

// emailLinkTitle is a link page's title, before and after the click.
func emailLinkTitle(v views.EmailLink) string {
	switch {
	case v.Cancel && v.Done:
		return "Email change cancelled"
	case v.Cancel:
		return "Cancel the email change"
	case v.Done:
		return "Email address confirmed"
	}
	return "Confirm your email address"
}

// POST /admin/users/{id}/send-verification — mail the user a link that
// proves their address: the pending one when a change waits, else the
// current one.
func (a *App) handleAdminUserSendVerification(c echo.Context) error {
	return a.accountAction(c, models.ActSendVerification, func(admin, u *models.User) (string, error) {
		address := u.PendingEmail
		if address == "" {
			address = u.Email
		}
		err := a.Users.SendVerification(c.Request().Context(), auth.CurrentMerchant(c), admin, u, meta(c))
		return "A link to confirm the address has been sent to " + address + ".", err
	})
}
