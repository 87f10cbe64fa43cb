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

// GET /account — the read-only account overview.
func (a *App) handleAccount(c echo.Context) error {
	u, m := auth.CurrentUser(c), auth.CurrentMerchant(c)
	return render(c, http.StatusOK, views.AccountPage(a.page(c, "Your account", "account"), m, u), nil)
}

// GET /account/profile/edit — the profile form with the stored values.
func (a *App) handleProfileEdit(c echo.Context) error {
	u, m := auth.CurrentUser(c), auth.CurrentMerchant(c)
	fields := models.GuestProfileFields(m)
	form := views.NewProfileForm("/account/profile", fields, u)
	return render(c, http.StatusOK, views.ProfilePage(a.page(c, "Edit your profile", "profile"), m, fields, form), nil)
}

// POST /account/profile — partial update of the signed-in guest's profile.
func (a *App) handleProfileUpdate(c echo.Context) error {
	u, m := auth.CurrentUser(c), auth.CurrentMerchant(c)
	fields := models.GuestProfileFields(m)
	input, err := profileInput(c, fields)
	if err != nil {
		return err
	}
	return a.updateProfile(c, u, m, u, fields, input, "/account/profile", "/account")
}

// updateProfile runs a profile update and answers it: the form again with
// 422 on invalid input, else the account with a message.
func (a *App) updateProfile(c echo.Context, actor *models.User, m *models.Merchant, u *models.User, fields []models.ProfileField, input map[string]string, action, done string) error {
	updated, _, err := a.Users.UpdateProfile(c.Request().Context(), actor, m, u, fields, input, meta(c))
	invalid, isInvalid := asFieldErrors(err)
	switch {
	case isInvalid:
		form := views.NewProfileForm(action, fields, u)
		for k, v := range input {
			form.Values[k] = v
		}
		form.Errors = invalid
		p := a.page(c, "Edit your profile", "profile")
		p.Title = "Error: " + p.Title
		return render(c, http.StatusUnprocessableEntity, views.ProfilePage(p, m, fields, form), views.ProfileSection(p.CSRF, m, fields, form))
	case errors.Is(err, models.ErrNoChanges):
		return a.saved(c, done, "info", "You did not change anything, so nothing was saved.", func(p layout.Page) templ.Component {
			return views.AccountOverview(p, m, u)
		})
	case err != nil:
		return err
	}
	return a.saved(c, done, "success", "Your profile has been updated successfully.", func(p layout.Page) templ.Component {
		p.User = updated
		return views.AccountOverview(p, m, updated)
	})
}

// profileInput reads the submitted values of fields. A checkbox that is
// not sent is unchecked; any other field that is not sent is left alone.
func profileInput(c echo.Context, fields []models.ProfileField) (map[string]string, error) {
	form, err := c.FormParams()
	if err != nil {
		return nil, echo.NewHTTPError(http.StatusBadRequest, "form")
	}
	input := make(map[string]string, len(fields))
	for _, f := range fields {
		switch {
		case f.Kind == models.KindBool:
			input[f.Name] = form.Get(f.Name)
		case form.Has(f.Name):
			input[f.Name] = form.Get(f.Name)
		}
	}
	return input, nil
}
