package handlers

import (
	"errors"
	"net/http"

	"github.com/a-h/templ"
	"github.com/labstack/echo/v4"

	"myaccount/auth"
	"myaccount/models"
	"myaccount/views"
	"myaccount/views/layout"
)

const settingsTitle = "Programme settings"

// GET /admin/settings — the merchant's rules: password policy, sign-in
// lock, unique, required and custom fields.
func (a *App) handleAdminSettings(c echo.Context) error {
	m := auth.CurrentMerchant(c)
	p := a.page(c, settingsTitle, "admin-settings")
	return render(c, http.StatusOK, views.AdminSettingsPage(p, views.NewAdminSettingsForm(m)), nil)
}

// POST /admin/settings — save the merchant's rules. Guest pages read them
// on every request, so they apply at once.
func (a *App) handleAdminSettingsPost(c echo.Context) error {
	admin, m := auth.CurrentUser(c), auth.CurrentMerchant(c)
	in := models.NewSettingsInput(m)
	if err := bindForm(c, &in); err != nil {
		return err
	}
	form := views.AdminSettingsForm{Merchant: m.Name, Input: in, Version: in.Version, Stored: m.CustomFields}
	next, changes, err := in.Validate(m)
	if err == nil {
		err = a.Merchants.UpdateSettings(c.Request().Context(), admin, m, in.Version, next, changes, meta(c))
	}
	invalid, isInvalid := asFieldErrors(err)
	switch {
	case isInvalid:
		form.Errors = invalid
		return a.settingsForm(c, http.StatusUnprocessableEntity, form)
	case errors.Is(err, models.ErrConflict):
		form.Conflict = true
		return a.settingsForm(c, http.StatusConflict, form)
	case errors.Is(err, models.ErrNoChanges):
		return a.saved(c, success{location: "/admin/settings", kind: models.NoticeInfo, msg: "You did not change anything, so nothing was saved.", push: true, title: settingsTitle, nav: "admin-settings", fragment: settingsSection(m)})
	case err != nil:
		return err
	}
	return a.saved(c, success{location: "/admin/settings", kind: models.NoticeSuccess, msg: "The settings have been saved.", push: true, title: settingsTitle, nav: "admin-settings", fragment: settingsSection(m)})
}

// settingsForm answers a refused submit with the form as the admin left it.
func (a *App) settingsForm(c echo.Context, status int, form views.AdminSettingsForm) error {
	return a.refused(c, status, settingsTitle, "admin-settings",
		func(p layout.Page) templ.Component { return views.AdminSettingsPage(p, form) },
		func(p layout.Page) templ.Component { return views.AdminSettingsSection(p, form) })
}

// settingsSection is the form over m's stored settings, for htmx.
func settingsSection(m *models.Merchant) func(layout.Page) templ.Component {
	return func(p layout.Page) templ.Component {
		return views.AdminSettingsSection(p, views.NewAdminSettingsForm(m))
	}
}
