package handlers

import (
	"context"
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

// forgotTitle is the forgotten-password page's title.
const forgotTitle = "Forgot your password?"

// forgotFloor is the least time an answer to a request for a link takes:
// more than the lookup, the count and the queued mail of a known account
// take, so every answer takes the same time.
const forgotFloor = 400 * time.Millisecond

// GET /password/forgot — the form that asks for a link to choose a new
// password. A signed-in user may use it too.
func (a *App) handleForgot(c echo.Context) error {
	return render(c, http.StatusOK, views.ForgotPage(a.page(c, forgotTitle, "login"), views.ForgotForm{}), nil)
}

// POST /password/forgot — mail a link to choose a new password to the
// account named, if there is one that may have it. Every answer to a
// valid request is the same message, in the same time (forgotPace), so
// neither tells whether an account matched, had an address, or had had
// its links for the hour already.
func (a *App) handleForgotPost(c echo.Context) error {
	start := a.forgotPace.now()
	var in models.ForgotPassword
	if err := bindForm(c, &in); err != nil {
		return err
	}
	form := views.ForgotForm{Login: strings.TrimSpace(in.Login), Errors: in.Validate()}
	status := http.StatusUnprocessableEntity
	if len(form.Errors) == 0 {
		err := auth.Limit(c.Request().Context(), a.ResetRequests, "ip:"+c.RealIP())
		var limited *auth.LimitedError
		if !errors.As(err, &limited) {
			if err != nil {
				return err
			}
			return a.forgotSent(c, start, form.Login)
		}
		c.Response().Header().Set("Retry-After", strconv.Itoa(limited.RetryAfter()))
		form.Errors.Add("login", "Too many requests for a link from your network. Wait "+views.WaitText(limited.Wait)+", then try again")
		status = http.StatusTooManyRequests
	}
	return a.refused(c, status, forgotTitle, "login",
		func(p layout.Page) templ.Component { return views.ForgotPage(p, form) },
		func(p layout.Page) templ.Component { return views.ForgotSection(p, form) })
}

// forgotSent mails the link login asks for, if any, and gives the one
// answer every such request gets, once forgotFloor has passed since
// start: the known account and the unknown one take this same path.
func (a *App) forgotSent(c echo.Context, start time.Time, login string) error {
	err := a.mailResetLink(c, login)
	a.forgotPace.wait(c.Request().Context(), start)
	if err != nil {
		return err
	}
	msg := views.ForgotSentNotice(views.LifetimeText(a.Users.Lifetimes().Reset))
	return a.saved(c, success{location: "/password/forgot", kind: models.NoticeInfo, msg: msg, title: forgotTitle, nav: "login", fragment: func(p layout.Page) templ.Component {
		return views.ForgotSection(p, views.ForgotForm{})
	}})
}

// mailResetLink mails a link to choose a new password to the account
// login names, when it may have one (models.User.MayAskForResetLink) and
// has been sent fewer than ResetLinksPerHour in the last hour. It says
// nothing of which it was.
func (a *App) mailResetLink(c echo.Context, login string) error {
	ctx := c.Request().Context()
	u, err := a.Users.ForSignIn(ctx, login)
	if errors.Is(err, models.ErrNotFound) {
		return nil
	}
	if err != nil || !u.MayAskForResetLink() {
		return err
	}
	if n := a.ResetLinksPerHour; n > 0 {
		sent, err := a.Users.LinksSince(ctx, u.ID, models.TokenReset, time.Now().UTC().Add(-time.Hour))
		if err != nil || sent >= n {
			return err
		}
	}
	m, err := a.Merchants.ByID(ctx, u.MerchantID)
	if err != nil {
		return err
	}
	return a.Users.SendResetLink(ctx, m, nil, u, meta(c))
}

// evenPace holds answers back until floor has passed since they began,
// so how long one took does not tell what was found. The wait comes
// after the work, so no database connection is held through it, and
// before anything is written, so no byte of the answer leaves early.
type evenPace struct {
	floor time.Duration
	now   func() time.Time
	sleep func(ctx context.Context, d time.Duration)
}

// newEvenPace is a pace of floor on the real clock.
func newEvenPace(floor time.Duration) evenPace {
	return evenPace{floor: floor, now: time.Now, sleep: sleepFor}
}

// wait blocks until floor has passed since start. A client that goes
// away ends it early: nobody is left to time the answer.
func (p evenPace) wait(ctx context.Context, start time.Time) {
	if d := p.floor - p.now().Sub(start); d > 0 {
		p.sleep(ctx, d)
	}
}

// sleepFor waits d, or until ctx ends.
func sleepFor(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
	}
}
