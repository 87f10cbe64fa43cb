package handlers

import (
	"net/http"

	"github.com/a-h/templ"
	"github.com/labstack/echo/v4"

	"myaccount/auth"
	"myaccount/models"
	"myaccount/views"
	"myaccount/views/layout"
)

const apiKeysTitle = "API keys"

// GET /admin/api-keys — the merchant's API keys, and a form to create one.
func (a *App) handleAdminAPIKeys(c echo.Context) error {
	v, err := a.apiKeysView(c)
	if err != nil {
		return err
	}
	return render(c, http.StatusOK, views.AdminAPIKeysPage(a.page(c, apiKeysTitle, "admin-api-keys"), v), nil)
}

// POST /admin/api-keys — create a key. The key is shown once, in this
// answer (never in a redirect, cookie or log); the list shows only its
// prefix afterwards.
func (a *App) handleAdminAPIKeyCreate(c echo.Context) error {
	admin, m := auth.CurrentUser(c), auth.CurrentMerchant(c)
	var in models.NewAPIKey
	if err := bindForm(c, &in); err != nil {
		return err
	}
	name, invalid := in.Validate()
	err := invalid.Err()
	var key string
	var row *models.APIKey
	if err == nil {
		key, row, err = a.APIKeys.Create(c.Request().Context(), admin, m, name, meta(c))
	}
	if invalid, ok := asFieldErrors(err); ok {
		v, err := a.apiKeysView(c)
		if err != nil {
			return err
		}
		v.Form, v.Errors = in, invalid
		return a.refused(c, http.StatusUnprocessableEntity, apiKeysTitle, "admin-api-keys",
			func(p layout.Page) templ.Component { return views.AdminAPIKeysPage(p, v) },
			func(p layout.Page) templ.Component { return views.AdminAPIKeysSection(p, v) })
	}
	if err != nil {
		return err
	}
	v, err := a.apiKeysView(c)
	if err != nil {
		return err
	}
	v.NewKey, v.NewName = key, row.Name
	c.Response().Header().Set("Cache-Control", "no-store")
	p := a.page(c, apiKeysTitle, "admin-api-keys")
	return render(c, http.StatusOK, views.AdminAPIKeysPage(p, v), views.AdminAPIKeysSection(p, v))
}

// POST /admin/api-keys/{id}/revoke — revoke one of the merchant's keys:
// calls with it are refused from now on.
func (a *App) handleAdminAPIKeyRevoke(c echo.Context) error {
	admin, m := auth.CurrentUser(c), auth.CurrentMerchant(c)
	if err := a.APIKeys.Revoke(c.Request().Context(), admin, m, c.Param("id"), meta(c)); err != nil {
		return err
	}
	var v views.AdminAPIKeysView
	if isHTMX(c) {
		var err error
		if v, err = a.apiKeysView(c); err != nil {
			return err
		}
	}
	return a.saved(c, success{location: "/admin/api-keys", kind: models.NoticeSuccess, msg: "The key has been revoked: calls made with it are refused.", push: true,
		title: apiKeysTitle, nav: "admin-api-keys", fragment: func(p layout.Page) templ.Component { return views.AdminAPIKeysSection(p, v) }})
}

// apiKeysView is the page over the merchant's stored keys.
func (a *App) apiKeysView(c echo.Context) (views.AdminAPIKeysView, error) {
	m := auth.CurrentMerchant(c)
	keys, err := a.APIKeys.List(c.Request().Context(), m.ID)
	if err != nil {
		return views.AdminAPIKeysView{}, err
	}
	return views.AdminAPIKeysView{Merchant: m.Name, Keys: keys}, nil
}
