package handlers

import (
	"context"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"myaccount/store"
)

// GET /healthz — the process is up.
func (a *App) handleHealthz(c echo.Context) error {
	return c.String(http.StatusOK, "ok")
}

// GET /readyz — the database answers.
func (a *App) handleReadyz(c echo.Context) error {
	ctx, cancel := context.WithTimeout(c.Request().Context(), 2*time.Second)
	defer cancel()
	if err := store.Ping(ctx, a.DB); err != nil {
		a.Log.Warn("readiness: database does not answer", "err", err)
		return c.String(http.StatusServiceUnavailable, "database unavailable")
	}
	return c.String(http.StatusOK, "ready")
}
