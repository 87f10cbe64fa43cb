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

// GET /readyz — the database answers. A failed ping counts towards an
// outage, logged once; a ping that works ends it.
func (a *App) handleReadyz(c echo.Context) error {
	ctx, cancel := context.WithTimeout(c.Request().Context(), 2*time.Second)
	defer cancel()
	if err := store.Ping(ctx, a.DB); err != nil {
		a.Outages.Failed(err)
		return c.String(http.StatusServiceUnavailable, "database unavailable")
	}
	a.Outages.Answered()
	return c.String(http.StatusOK, "ready")
}
