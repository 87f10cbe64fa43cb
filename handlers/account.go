package handlers

import (
	"errors"
	"net/http"
	"strings"
	"time"

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
	return a.updateProfile(c, profileEdit{
		actor: u, merchant: m, user: u, fields: models.GuestProfileFields(m),
		title: "Edit your profile", nav: "profile", action: "/account/profile", done: "/account", doneTitle: "Your account", doneNav: "account",
		saved:    "Your profile has been updated successfully.",
		overview: func(p layout.Page, u *models.User) templ.Component { return views.AccountOverview(p, m, u) },
	})
}

// profileEdit is one profile form: the guest's own, or an admin's edit
// of a user. Both run the same validation and the same update.
type profileEdit struct {
	actor, user  *models.User
	merchant     *models.Merchant
	fields       []models.ProfileField
	title, nav   string
	action, done string
	// doneTitle and doneNav are the title and nav item of done, the page
	// a save leads to.
	doneTitle, doneNav string
	saved              string
	overview           func(layout.Page, *models.User) templ.Component
}

// updateProfile reads the form, runs the edit through the models and the
// save through the store, and answers it: the form again with 422 on
// invalid input or 409 when it is stale, else the overview with a
// message.
func (a *App) updateProfile(c echo.Context, e profileEdit) error {
	in := models.ProfileInput{Fields: e.fields}
	if err := bindForm(c, &in); err != nil {
		return err
	}
	version := in.FormVersion()
	var updated *models.User
	upd, err := in.Validate(models.ByUser(e.actor), e.merchant, e.user, time.Now().UTC())
	if err == nil {
		updated, err = a.Users.SaveProfile(c.Request().Context(), models.ByUser(e.actor), e.merchant, e.user, upd, version, meta(c))
	}
	invalid, isInvalid := asFieldErrors(err)
	switch {
	case errors.Is(err, models.ErrNoVersion):
		// Refused like a stale form, never saved over newer data.
		return a.profileFormAgain(c, e, e.user, in, http.StatusConflict, func(f *views.ProfileForm) {
			f.Conflict = "This form did not say which version of the profile it was made from, so your changes have not been saved: " +
				"they could have replaced changes made since. Your changes are still in the form below: check them and save again."
		})
	case isInvalid:
		return a.profileFormAgain(c, e, e.user, in, http.StatusUnprocessableEntity, func(f *views.ProfileForm) {
			f.Errors = invalid
			// Keep the version the user started from: fixing a typo must
			// not hide someone else's change.
			f.Version, f.Original = version, in.Original
		})
	case errors.Is(err, models.ErrConflict):
		current, err := a.Users.ByID(c.Request().Context(), e.user.ID)
		if err != nil {
			return err
		}
		return a.profileFormAgain(c, e, current, in, http.StatusConflict, func(f *views.ProfileForm) {
			f.Conflict = "Someone else changed this profile since you opened this page, so your changes have not been saved."
			if changed := views.ChangedSince(auth.CurrentUser(c).Language, e.fields, in.Original, current); len(changed) > 0 {
				f.Conflict += " Changed meanwhile: " + strings.Join(changed, ", ") + "."
			}
			f.Conflict += " Your changes are still in the form below: check them and save again."
		})
	case errors.Is(err, models.ErrNoChanges):
		return a.saved(c, success{location: e.done, kind: models.NoticeInfo, msg: "You did not change anything, so nothing was saved.", push: true,
			title: e.doneTitle, nav: e.doneNav, fragment: func(p layout.Page) templ.Component { return e.overview(p, e.user) }})
	case err != nil:
		return err
	}
	return a.saved(c, success{location: e.done, kind: models.NoticeSuccess, msg: e.saved, push: true, title: e.doneTitle, nav: e.doneNav, fragment: func(p layout.Page) templ.Component {
		if e.actor.ID == updated.ID {
			p.User = updated
		}
		return e.overview(p, updated)
	}})
}

// profileFormAgain shows the form again with what the user typed over
// the values of u, with status and whatever adjust sets.
func (a *App) profileFormAgain(c echo.Context, e profileEdit, u *models.User, in models.ProfileInput, status int, adjust func(*views.ProfileForm)) error {
	form := views.NewProfileForm(e.action, e.fields, u)
	form.Title = e.title
	for k, v := range in.Values {
		form.Values[k] = v
	}
	adjust(&form)
	return a.refused(c, status, e.title, e.nav,
		func(p layout.Page) templ.Component { return views.ProfilePage(p, e.merchant, e.fields, form) },
		func(p layout.Page) templ.Component { return views.ProfileSection(p.CSRF, e.merchant, e.fields, form) })
}
