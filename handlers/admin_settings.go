package handlers

import (
	"errors"
	"net/http"
	"strconv"

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
	form, err := parseSettingsForm(c, m)
	if err != nil {
		return err
	}
	if form.Version != m.Version {
		err = models.ErrConflict
	} else {
		var next models.Merchant
		var changes models.Changes
		if next, changes, err = form.Input.Apply(m); err == nil {
			err = a.Merchants.UpdateSettings(c.Request().Context(), admin, m, next, changes, meta(c))
		}
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
		return a.saved(c, "/admin/settings", "info", "You did not change anything, so nothing was saved.", settingsSection(m))
	case err != nil:
		return err
	}
	return a.saved(c, "/admin/settings", "success", "The settings have been saved.", settingsSection(m))
}

// settingsForm answers a refused submit with the form as the admin left it.
func (a *App) settingsForm(c echo.Context, status int, form views.AdminSettingsForm) error {
	p := a.page(c, "Error: "+settingsTitle, "admin-settings")
	return render(c, status, views.AdminSettingsPage(p, form), views.AdminSettingsSection(p, form))
}

// settingsSection is the form over m's stored settings, for htmx.
func settingsSection(m *models.Merchant) func(layout.Page) templ.Component {
	return func(p layout.Page) templ.Component {
		return views.AdminSettingsSection(p, views.NewAdminSettingsForm(m))
	}
}

// parseSettingsForm reads the submitted settings. An unticked checkbox is
// not sent, so it reads as false. Custom field rows are read from 0 until
// one is missing.
func parseSettingsForm(c echo.Context, m *models.Merchant) (views.AdminSettingsForm, error) {
	form, err := c.FormParams()
	if err != nil {
		return views.AdminSettingsForm{}, echo.NewHTTPError(http.StatusBadRequest, "form")
	}
	version, err := strconv.Atoi(form.Get("version"))
	if err != nil {
		version = -1 // not a version the merchant has: the form is refused as stale
	}
	in := models.SettingsInput{
		Preset:       form.Get(models.SettingPasswordPreset),
		Numbers:      map[string]string{},
		UniqueEmail:  ticked(form, models.SettingUniqueEmail, m.UniqueEmail),
		UniqueMobile: ticked(form, models.SettingUniqueMobile, m.UniqueMobile),
	}
	for _, n := range models.SettingsNumbers() {
		in.Numbers[n.Name] = form.Get(n.Name)
	}
	for _, f := range models.RequirableFields() {
		if ticked(form, models.RequiredInputName(f.Name), m.Requires(f.Name)) {
			in.Required = append(in.Required, f.Name)
		}
	}
	// A few rows past the limit are read so the limit is reported, not
	// silently applied.
	for i := 0; i < 2*models.MaxCustomFields; i++ {
		key, label, typ := models.CustomInputName("key", i), models.CustomInputName("label", i), models.CustomInputName("type", i)
		if !form.Has(key) && !form.Has(label) && !form.Has(typ) {
			break
		}
		// A row's boxes the form did not show keep what the stored field
		// in that place has (nothing, for a new row).
		stored := models.CustomFieldDef{}
		if i < len(m.CustomFields) {
			stored = m.CustomFields[i]
		}
		in.Custom = append(in.Custom, models.CustomFieldInput{
			Key: form.Get(key), Label: form.Get(label), Type: form.Get(typ),
			Options:  form.Get(models.CustomInputName("options", i)),
			Required: ticked(form, models.CustomInputName("required", i), stored.Required),
			Remove:   ticked(form, models.CustomInputName("remove", i), false),
		})
	}
	return views.AdminSettingsForm{Merchant: m.Name, Input: in, Version: version, Stored: m.CustomFields}, nil
}
