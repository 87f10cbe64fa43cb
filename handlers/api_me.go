package handlers

import (
	"errors"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"myaccount/auth"
	"myaccount/models"
)

// GET /api/v1/me — the signed-in user, as the API shows every user.
func (a *App) handleAPIMe(c echo.Context) error {
	return userAnswer(c, http.StatusOK, auth.CurrentUser(c), auth.CurrentMerchant(c))
}

// PATCH /api/v1/me — partial update of the signed-in user's own profile,
// with the rules and messages of the profile form.
func (a *App) handleAPIMePatch(c echo.Context) error {
	u, m := auth.CurrentUser(c), auth.CurrentMerchant(c)
	updated, err := a.patchUser(c, models.ByUser(u), m, u, models.GuestProfileFields(m), false)
	if err != nil {
		return err
	}
	return userAnswer(c, http.StatusOK, updated, m)
}

// patchUser runs an API edit of u by actor over fields: the same models
// and store as the forms, after the API's own preconditions (If-Match, the
// version field, at least one field). byKey says whether an integration's
// key makes it: a key may write the admin-only fields too, and only of a
// user who is not an admin (models.CheckKeyEdit).
func (a *App) patchUser(c echo.Context, actor models.Actor, m *models.Merchant, u *models.User, fields []models.ProfileField, byKey bool) (*models.User, error) {
	// Who may edit this record at all comes before anything sent.
	if err := models.CheckKeyEdit(actor, u); err != nil {
		return nil, err
	}
	p := body(c).patch()
	if err := ifMatch(c, u.Version); err != nil {
		return nil, err
	}
	if p.NoFields() {
		return nil, errNoFields
	}
	values, errs := p.Input(fields, byKey)
	upd, err := models.EditProfile(actor, m, u, fields, values, time.Now().UTC())
	// Every refusal at once: the names, then each value's own rule, each
	// under the name the request gave it.
	if invalid, ok := asFieldErrors(err); ok {
		errs.Merge(models.APINames(invalid, fields))
	}
	switch {
	case len(errs) > 0:
		return nil, errs
	case p.FormVersion() != 0 && p.FormVersion() != u.Version:
		return nil, models.ErrConflict
	case errors.Is(err, models.ErrNoChanges):
		return u, nil
	case err != nil:
		return nil, err
	}
	return a.Users.SaveProfile(c.Request().Context(), actor, m, u, upd, p.FormVersion(), meta(c), p.EnforceUnique...)
}
