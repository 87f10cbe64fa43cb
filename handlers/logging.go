package handlers

import (
	"time"

	"github.com/labstack/echo/v4"
)

// logRequests logs one line per request: never the query string or body,
// which could carry what a user typed.
func (a *App) logRequests(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		start := time.Now()
		err := next(c)
		if err != nil {
			c.Error(err)
		}
		r := c.Request()
		a.Log.Info("request", "method", r.Method, "path", r.URL.Path, "status", c.Response().Status,
			"duration_ms", time.Since(start).Milliseconds(), "request_id", c.Response().Header().Get(echo.HeaderXRequestID))
		return nil
	}
}
