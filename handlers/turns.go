package handlers

import (
	"errors"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"myaccount/internal/slots"
)

// ErrReadsBusy is a page read whose deadline passed while it waited for
// its turn (Deps.Reads).
var ErrReadsBusy = errors.New("every read turn is busy")

// takeTurns makes page reads (GET and HEAD) take turns on reads: at most
// its size are worked on at once and the rest wait in the order they
// came, within the request's database deadline (databaseDeadline runs
// first), else 503. Under load each read then waits about as long as the
// others: without turns, the Go scheduler and the processes competing for
// the CPU let a few wait several times as long (docs/PERFORMANCE.md).
//
// A read gives its turn up as its answer starts to be written (every
// answer is made whole first), so a client slow to read it keeps no other
// read waiting, and while it waits for a slot of its own kind, a search
// (internal/slots). Writes are not in turn: they read a body from the
// client first. The health checks and the static files never wait.
func takeTurns(reads *slots.Slots) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		if reads == nil {
			return next
		}
		return func(c echo.Context) error {
			r := c.Request()
			if (r.Method != http.MethodGet && r.Method != http.MethodHead) || !inTurn(r.URL.Path) {
				return next(c)
			}
			ctx, err := reads.Take(r.Context())
			if err != nil {
				return err
			}
			c.Response().Before(func() { slots.Leave(ctx) })
			defer func() {
				slots.Leave(ctx)
				c.SetRequest(r)
			}()
			c.SetRequest(r.WithContext(ctx))
			return next(c)
		}
	}
}

// inTurn reports whether a read of path takes a turn: all but the health
// checks and the static files.
func inTurn(path string) bool {
	return path != "/healthz" && path != "/readyz" && !strings.HasPrefix(path, "/static/")
}
