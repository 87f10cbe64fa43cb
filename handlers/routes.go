package handlers

import (
	"net/http"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

	"myaccount/auth"
	"myaccount/models"
)

// New builds the Echo application with every route and middleware.
func New(d Deps) *echo.Echo {
	a := &App{Deps: d, forgotPace: newEvenPace(forgotFloor)}
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.HTTPErrorHandler = a.HandleError
	// The client address is the connection's: a header a client sets
	// must not decide what the audit trail records.
	e.IPExtractor = echo.ExtractIPDirect()

	e.Pre(headAsGet)
	e.Use(restoreHead)
	e.Use(middleware.RecoverWithConfig(middleware.RecoverConfig{LogErrorFunc: logRecovered(a.Log)}))
	e.Use(clientRequestID, middleware.RequestID())
	e.Use(a.logRequests)
	e.Use(securityHeaders(a.Secure))
	e.Use(limitBody(int64(a.MaxBodyBytes)))
	e.Use(textQuery)
	e.Use(databaseDeadline(a.DBTimeout))
	e.Use(takeTurns(a.Reads))

	e.GET("/healthz", a.handleHealthz)
	e.GET("/readyz", a.handleReadyz)
	e.GET("/static/*", serveStatic)
	a.apiRoutes(e)
	e.GET("/api/v1/openapi.json", handleOpenAPI) // the API's contract: no session, no CSRF
	e.GET("/api/docs", handleAPIDocs)            // the same, as a page

	// Everything else is a page: it has a session and CSRF protection.
	pages := e.Group("", formBody, fetchMetadata, csrf(a.Secure), a.Sessions.Load)

	pages.GET("/", func(c echo.Context) error { return c.Redirect(http.StatusSeeOther, "/account") })
	pages.GET("/login", a.handleLogin)
	pages.POST("/login", a.handleLoginPost)
	pages.POST("/logout", a.handleLogout)

	account := pages.Group("/account", auth.RequireUser, requirePasswordChange)
	account.GET("", a.handleAccount)
	account.GET("/profile/edit", a.handleProfileEdit)
	account.POST("/profile", a.handleProfileUpdate)
	// Changing how the user signs in needs a recent password check.
	recent := a.Sessions.RequireRecentAuth(a.ReauthAfter)
	account.GET("/password", a.handlePassword, recent)
	account.POST("/password", a.handlePasswordPost, recent)
	account.POST("/password/check", a.handlePasswordCheck)
	account.GET("/email", a.handleEmail, recent)
	account.POST("/email", a.handleEmailPost, recent)
	account.GET("/sessions", a.handleSessions)
	account.POST("/sessions/revoke-others", a.handleSessionsRevokeOthers)
	account.POST("/sessions/:id/revoke", a.handleSessionRevoke)
	// Outside the group: a user who must change their password is kept on
	// the password page, and must still be able to confirm it on the way.
	pages.GET("/account/confirm", a.handleConfirm, auth.RequireUser)
	pages.POST("/account/confirm", a.handleConfirmPost, auth.RequireUser)

	a.linkRoutes(pages)
	a.emailRoutes(pages, account)
	a.adminRoutes(pages)

	e.RouteNotFound("/*", a.handleNotFound())
	return e
}

// handleNotFound answers an address no route has. A page read (GET) gets
// the session and CSRF token a page has, so a signed-in visitor sees the
// nav as on every other page; anything else is refused as it is, and the
// API says it has no such route.
func (a *App) handleNotFound() echo.HandlerFunc {
	notFound := func(echo.Context) error { return models.ErrNotFound }
	page := csrf(a.Secure)(a.Sessions.Load(notFound))
	return func(c echo.Context) error {
		if isAPI(c) {
			return errNoRoute
		}
		if c.Request().Method != http.MethodGet {
			return notFound(c)
		}
		return page(c)
	}
}

// linkRoutes registers the pages of the links we mail, and the page that
// asks for one: open to everyone, signed in or not.
func (a *App) linkRoutes(pages *echo.Group) {
	pages.GET("/password/forgot", a.handleForgot)
	pages.POST("/password/forgot", a.handleForgotPost)
	pages.GET("/password/reset", a.handleReset)
	pages.POST("/password/reset", a.handleResetPost)
	pages.POST("/password/reset/check", a.handleResetCheck)
}

// adminRoutes registers the merchant admin console: admins of the
// signed-in user's merchant only; a guest gets 403, and a user of another
// merchant is 404.
func (a *App) adminRoutes(pages *echo.Group) {
	admin := pages.Group("/admin", auth.RequireUser, requirePasswordChange, auth.RequireAdmin)
	admin.GET("", func(c echo.Context) error { return c.Redirect(http.StatusSeeOther, "/admin/users") })
	admin.GET("/users", a.handleAdminUsers)
	admin.GET("/users/new", a.handleAdminUserNew)
	admin.POST("/users", a.handleAdminUserCreate)
	admin.GET("/users/:id", a.handleAdminUser)
	admin.GET("/users/:id/edit", a.handleAdminUserEdit)
	admin.POST("/users/:id", a.handleAdminUserUpdate)
	for action := range destructiveActions {
		admin.GET("/users/:id/"+string(action), a.handleAdminUserConfirm(action))
	}
	admin.POST("/users/:id/lock", a.handleAdminUserLock)
	admin.POST("/users/:id/unlock", a.handleAdminUserUnlock)
	admin.POST("/users/:id/force-password-change", a.handleAdminUserForcePasswordChange)
	admin.POST("/users/:id/reset-password", a.handleAdminUserResetPassword)
	admin.POST("/users/:id/send-reset-link", a.handleAdminUserSendResetLink)
	admin.POST("/users/:id/resend-invitation", a.handleAdminUserResendInvitation)
	admin.POST("/users/:id/revoke-sessions", a.handleAdminUserRevokeSessions)
	admin.POST("/users/:id/send-verification", a.handleAdminUserSendVerification)

	// admin: audit
	admin.GET("/audit", a.handleAdminAudit)

	// admin: settings
	admin.GET("/settings", a.handleAdminSettings)
	admin.POST("/settings", a.handleAdminSettingsPost)

	// admin: API keys
	admin.GET("/api-keys", a.handleAdminAPIKeys)
	admin.POST("/api-keys", a.handleAdminAPIKeyCreate)
	admin.POST("/api-keys/:id/revoke", a.handleAdminAPIKeyRevoke)
}

// emailRoutes are the buttons of the overview's email row, and the pages
// of the two mailed email links, which work signed in or not.
func (a *App) emailRoutes(pages, account *echo.Group) {
	account.POST("/email/resend", a.handleEmailResend)
	account.POST("/email/verify", a.handleEmailResend)
	account.POST("/email/cancel", a.handleEmailCancel)
	for _, path := range []string{confirmLinkPath, cancelLinkPath} {
		pages.GET(path, a.handleEmailLink)
		pages.POST(path, a.handleEmailLinkPost)
	}
}
