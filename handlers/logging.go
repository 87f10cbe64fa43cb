package handlers

import (
	"log/slog"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"myaccount/ops"
)

// logRequests puts the request's id (middleware.RequestID, also sent as
// X-Request-Id) in its context, so every line logged for it carries the
// id, then logs one line per request and counts it in the metrics: never
// the query string or body, which could carry what a user typed or a
// link's token. The metrics name the route's pattern, not the path.
func (a *App) logRequests(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		start := time.Now()
		r := c.Request()
		c.SetRequest(r.WithContext(ops.WithRequestID(r.Context(), c.Response().Header().Get(echo.HeaderXRequestID))))
		err := next(c)
		if err != nil {
			c.Error(err)
		}
		took, status := time.Since(start), c.Response().Status
		a.Metrics.Request(c.Path(), r.Method, status, took)
		a.Log.LogAttrs(c.Request().Context(), slog.LevelInfo, "request", slog.String("method", r.Method), slog.String("path", r.URL.Path),
			slog.Int("status", status), slog.Int64("duration_ms", took.Milliseconds()))
		return nil
	}
}

// clientRequestID lets a request id sent by the client, or by a proxy in
// front, name the request in the logs and the answer only when it looks
// like one: up to 64 letters, digits and "-_.:". Any other is dropped, and
// middleware.RequestID makes one, so no client writes what it likes, or
// as much as it likes, into every log line of its request.
func clientRequestID(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		h := c.Request().Header
		if id := h.Get(echo.HeaderXRequestID); id != "" && !isRequestID(id) {
			h.Del(echo.HeaderXRequestID)
		}
		return next(c)
	}
}

func isRequestID(id string) bool {
	if len(id) > 64 {
		return false
	}
	for _, r := range id {
		if !('a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9' || strings.ContainsRune("-_.:", r)) {
			return false
		}
	}
	return true
}
