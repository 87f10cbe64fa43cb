package handlers

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"myaccount/models"
	"myaccount/views"
)

// A mailed link (a password reset, an invitation, an email confirmation)
// carries its token in the URL. The first request moves it into a
// short-lived cookie scoped to the link's page and redirects to the same
// page without it, so the token leaves the address bar and the history at
// once, and no page, Referer or log line after that one holds it. Query
// strings are never logged (logRequests).

// linkCookieLife is how long a followed link's token stays in the
// browser: long enough to choose a password or read the page, and no
// longer than that; the link's own lifetime is checked on the server.
const linkCookieLife = 30 * 60

// linkCookieName is the cookie a followed link's token waits in; behind
// https it is only ever sent over https.
func linkCookieName(secure bool) string {
	if secure {
		return "__Secure-myaccount_link"
	}
	return "myaccount_link"
}

// linkToken is the token of the link whose page is path. A request that
// carries it in the URL stores it and is redirected to path itself:
// then moved is true and the response is written. Otherwise token is the
// stored one, or "" when there is none.
func (a *App) linkToken(c echo.Context, path string) (token string, moved bool, err error) {
	noReferrer(c)
	if t := c.QueryParam("token"); t != "" {
		c.SetCookie(&http.Cookie{Name: linkCookieName(a.Secure), Value: t, Path: path, MaxAge: linkCookieLife,
			HttpOnly: true, Secure: a.Secure, SameSite: http.SameSiteLaxMode})
		return "", true, c.Redirect(http.StatusSeeOther, path)
	}
	ck, err := c.Cookie(linkCookieName(a.Secure))
	if err != nil || len(ck.Value) > 128 {
		return "", false, nil
	}
	return ck.Value, false, nil
}

// dropLinkToken forgets the stored token of the link whose page is path,
// once it is spent or found dead.
func (a *App) dropLinkToken(c echo.Context, path string) {
	c.SetCookie(&http.Cookie{Name: linkCookieName(a.Secure), Value: "", Path: path, MaxAge: -1,
		HttpOnly: true, Secure: a.Secure, SameSite: http.SameSiteLaxMode})
}

// noReferrer keeps a link page's address out of the Referer of anything
// it loads or links to, and out of every cache.
func noReferrer(c echo.Context) {
	h := c.Response().Header()
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Cache-Control", "no-store")
}

// mailedLink is a live mailed link, with its user and their merchant.
type mailedLink struct {
	token    *models.UserToken
	user     *models.User
	merchant *models.Merchant
}

// findLink is the live link token is, of one of purposes, or
// models.ErrLinkInvalid.
func (a *App) findLink(c echo.Context, token string, purposes ...string) (*mailedLink, error) {
	ctx := c.Request().Context()
	t, u, err := a.Users.Link(ctx, token, purposes...)
	if err != nil {
		return nil, err
	}
	m, err := a.Merchants.ByID(ctx, u.MerchantID)
	if err != nil {
		return nil, err
	}
	return &mailedLink{token: t, user: u, merchant: m}, nil
}

// linkDeadTitle is the title of every mailed link's page once the link
// does not work.
const linkDeadTitle = "This link no longer works"

// deadLink answers a link of the page at path that does not work (any
// more), and forgets its token: 410 Gone with a page that says why it may
// have stopped and where to go next. htmx is sent to that page, as it
// does not swap a 410.
func (a *App) deadLink(c echo.Context, path, why, next, nextLabel string) error {
	a.dropLinkToken(c, path)
	if isHTMX(c) {
		return redirect(c, path)
	}
	return render(c, http.StatusGone, views.LinkDeadPage(a.page(c, linkDeadTitle, "login"), why, next, nextLabel), nil)
}
