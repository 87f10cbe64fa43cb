package handlers

import (
	"context"
	"time"

	"github.com/labstack/echo/v4"
)

// retryAfterSeconds is what a page refused during an outage of the
// database asks the browser to wait before trying again.
const retryAfterSeconds = "5"

// databaseDeadline gives the request's context a deadline of d before
// anything touches the database, so the session, user and merchant
// lookups and all a handler does wait at most that long for it, for a
// pooled connection and a transaction's start too: a hung database
// costs a request d, not as long as it hangs. The error handler runs after
// this, with the request's own context again: it can still render the
// error page once the deadline has passed, and tell a client that went
// away from a database that did not answer.
func databaseDeadline(d time.Duration) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			r := c.Request()
			ctx, cancel := context.WithTimeout(r.Context(), d)
			defer func() {
				cancel()
				c.SetRequest(r)
			}()
			c.SetRequest(r.WithContext(ctx))
			return next(c)
		}
	}
}
