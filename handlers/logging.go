package handlers

import (
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
		a.Log.InfoContext(c.Request().Context(), "request", "method", r.Method, "path", r.URL.Path, "status", status,
			"duration_ms", took.Milliseconds())
		return nil
	}
}
