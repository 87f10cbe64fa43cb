package auth

import (
	"github.com/labstack/echo/v4"

	"myaccount/models"
)

// RequireAdmin is middleware that lets only merchant admins through; use it
// after RequireUser. Anyone else is refused with 403.
func RequireAdmin(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if u := CurrentUser(c); u == nil || !u.IsAdmin() {
			return models.ErrForbidden
		}
		return next(c)
	}
}
