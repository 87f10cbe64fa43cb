package handlers

import (
	"context"
	"errors"
	"log/slog"
	"net/http"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

	"myaccount/auth"
	"myaccount/models"
	"myaccount/store"
	"myaccount/views"
	"myaccount/views/layout"
)

// errCSRF is what a form with a missing or stale token gets.
var errCSRF = echo.NewHTTPError(http.StatusForbidden, "csrf")

type problem struct {
	status  int
	title   string
	message string
}

// classify maps an error to what the user is told. This is the one place
// domain errors become HTTP statuses.
func classify(err error) problem {
	var he *echo.HTTPError
	var fe models.FieldErrors
	switch {
	case errors.Is(err, context.Canceled):
		// The client went away: nobody reads the answer; the status is
		// for the request log (nginx's 499).
		return problem{statusClientClosedRequest, "Request cancelled", ""}
	case errors.Is(err, auth.ErrBusy):
		// Saturated with password checks: honest, but no database outage.
		return problem{http.StatusServiceUnavailable, "Sorry, the service is busy",
			"Too many people are signing in at once. Try again in a few seconds."}
	case errors.Is(err, ErrReadsBusy):
		return problem{http.StatusServiceUnavailable, "Sorry, the service is busy",
			"Too many pages are being loaded at once. Try again in a few seconds."}
	case errors.Is(err, store.ErrSearchBusy):
		return problem{http.StatusServiceUnavailable, "Sorry, the service is busy",
			"Too many searches are running at once. Try again in a few seconds."}
	case store.Unavailable(err):
		return problem{http.StatusServiceUnavailable, "Sorry, the service is temporarily unavailable",
			"Try again in a few seconds. If you were saving a change, check afterwards whether it was saved."}
	case errors.Is(err, errCSRF):
		return problem{http.StatusForbidden, "This form has expired", "For your security, forms expire. Go back, reload the page and submit the form again. Nothing was saved."}
	case errors.Is(err, errNotText):
		return problem{http.StatusBadRequest, "What you sent is not text", "It held a character that cannot be typed, such as a NUL byte, or bytes that are not UTF-8. Go back, check what you entered and try again."}
	case errors.Is(err, errMediaType):
		return problem{http.StatusUnsupportedMediaType, "This page takes only forms", "Send the page's own form: a body of another type is not read, and nothing was saved."}
	case errors.Is(err, models.ErrNotFound):
		return problem{http.StatusNotFound, "Page not found", "If you typed the web address, check it is correct."}
	case errors.Is(err, models.ErrForbidden):
		return problem{http.StatusForbidden, "You cannot open this page", "Your account does not have access to this page."}
	case errors.Is(err, models.ErrConflict) || errors.Is(err, store.ErrIdempotencyKeyReused):
		return problem{http.StatusConflict, "Your changes were not saved", "This record was changed by someone else since you opened it. Go back, reload the page and make your changes again."}
	case errors.As(err, new(*auth.LimitedError)):
		return problem{http.StatusTooManyRequests, "Too many attempts", "Wait a minute, then try again."}
	case errors.Is(err, models.ErrLinkInvalid):
		return problem{http.StatusGone, linkDeadTitle, "It may have expired, been used already, or been replaced by a newer one."}
	case errors.Is(err, models.ErrTooManyLinks):
		return problem{http.StatusTooManyRequests, "Too many links", "We have sent several links to this account in the last hour. Wait a while, then ask again."}
	case errors.Is(err, models.ErrNothingPending):
		return problem{http.StatusConflict, "Nothing to do", "No change of email is waiting."}
	case errors.Is(err, models.ErrNoEmail):
		return problem{http.StatusUnprocessableEntity, "No email address", "The account has no email address to send a link to."}
	case errors.As(err, &fe):
		return problem{http.StatusUnprocessableEntity, "Check your answers", "Some of what you entered needs correcting. Go back and try again."}
	case errors.As(err, &he):
		switch he.Code {
		case http.StatusNotFound, http.StatusMethodNotAllowed:
			return problem{http.StatusNotFound, "Page not found", "If you typed the web address, check it is correct."}
		case http.StatusRequestEntityTooLarge:
			return problem{he.Code, "What you sent is too large", "Go back and send less at once."}
		case http.StatusForbidden, http.StatusBadRequest:
			return problem{he.Code, "Your request could not be handled", "Go back, reload the page and try again."}
		case http.StatusTooManyRequests:
			return problem{he.Code, "Too many attempts", "Wait a minute, then try again."}
		}
		if he.Code < 500 {
			return problem{he.Code, "Your request could not be handled", "Go back, reload the page and try again."}
		}
	}
	return problem{http.StatusInternalServerError, "Sorry, there is a problem with the service", "Try again later. Nothing you entered has been lost on your side: go back to see it."}
}

// statusClientClosedRequest is what the request log shows for a client
// that went away before its answer was ready.
const statusClientClosedRequest = 499

// HandleError is Echo's error handler: it logs unexpected errors with the
// request's context and shows a plain page, never an internal message.
// While the database does not answer, pages get 503 with Retry-After and
// the outage is counted, not logged for each request.
func (a *App) HandleError(err error, c echo.Context) {
	if c.Response().Committed {
		return
	}
	if errors.Is(c.Request().Context().Err(), context.Canceled) {
		// Whatever failed, it failed for a client that is no longer there.
		err = context.Canceled
	}
	p := classify(err)
	switch {
	case p.status == statusClientClosedRequest:
		_ = c.NoContent(p.status)
		return
	case p.status == http.StatusServiceUnavailable:
		if store.Unavailable(err) {
			a.Outages.Refused(err)
		}
		c.Response().Header().Set("Retry-After", retryAfterSeconds)
	case p.status >= 500:
		attrs := []any{"err", err, "method", c.Request().Method, "path", c.Request().URL.Path}
		if u := auth.CurrentUser(c); u != nil {
			attrs = append(attrs, "user_id", u.ID)
		}
		a.Log.ErrorContext(c.Request().Context(), "request failed", attrs...)
	}
	if isAPI(c) {
		a.handleAPIError(c, err, p)
		return
	}
	if c.Request().Method == http.MethodHead {
		_ = c.NoContent(p.status)
		return
	}
	page := layout.Page{Title: p.title, User: auth.CurrentUser(c), CSRF: csrfToken(c)}
	if rerr := render(c, p.status, views.ErrorPage(page, p.status, p.message), nil); rerr != nil {
		a.Log.ErrorContext(c.Request().Context(), "render error page", "err", rerr)
		_ = c.String(p.status, p.title)
	}
}

// csrfError turns every refusal of the CSRF middleware (token missing,
// stale or forged) into errCSRF.
func csrfError(error, echo.Context) error { return errCSRF }

// logRecovered logs a panic with its stack; the user sees the 500 page.
func logRecovered(log *slog.Logger) middleware.LogErrorFunc {
	return func(c echo.Context, err error, stack []byte) error {
		log.ErrorContext(c.Request().Context(), "panic", "err", err, "path", c.Request().URL.Path, "stack", string(stack))
		return err
	}
}

// asFieldErrors reports whether err carries field errors.
func asFieldErrors(err error) (models.FieldErrors, bool) {
	var fe models.FieldErrors
	ok := errors.As(err, &fe)
	return fe, ok
}
