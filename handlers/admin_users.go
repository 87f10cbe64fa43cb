package handlers

import (
	"context"
	"io"
	"net/http"
	"time"

	"github.com/a-h/templ"
	"github.com/labstack/echo/v4"

	"myaccount/auth"
	"myaccount/models"
	"myaccount/store"
	"myaccount/views"
	"myaccount/views/layout"
)

// GET /admin/users — search, filter, sort and page through the merchant's users.
func (a *App) handleAdminUsers(c echo.Context) error {
	m := auth.CurrentMerchant(c)
	var q views.UserListQuery
	if err := bindQuery(c, &q.UserListFilter); err != nil {
		return err
	}
	if errs := q.Validate(); len(errs) > 0 {
		q.Errors = errs
		return a.refused(c, http.StatusUnprocessableEntity, "Users", "admin-users",
			func(p layout.Page) templ.Component {
				p.Wide = true
				return views.AdminUsersPage(p, q, models.UserPage{})
			},
			func(layout.Page) templ.Component { return views.AdminUserResults(q, models.UserPage{}) })
	}
	p := a.page(c, "Users", "admin-users")
	p.Wide = true
	sq := store.UserQuery{
		MerchantID: m.ID, Text: q.Text, Status: q.Status, Role: q.Role, Sort: q.Sort, Desc: q.Desc(),
		After: q.After, Before: q.Before,
	}
	page, err := a.Users.SearchCounted(c.Request().Context(), sq)
	if err != nil {
		return err
	}
	return render(c, http.StatusOK, views.AdminUsersPage(p, q, page), views.AdminUserResults(q, page))
}

// subject loads the user named in the path, within the admin's merchant:
// anyone else is "not found".
func (a *App) subject(c echo.Context) (*models.User, error) {
	return a.Users.InMerchant(c.Request().Context(), auth.CurrentMerchant(c).ID, c.Param("id"))
}

// GET /admin/users/{id} — the full record with its security state and history.
func (a *App) handleAdminUser(c echo.Context) error {
	u, err := a.subject(c)
	if err != nil {
		return err
	}
	p := a.page(c, u.DisplayName(), "admin-users")
	v, err := a.userView(c, u)
	if err != nil {
		return err
	}
	return render(c, http.StatusOK, views.AdminUserPage(p, auth.CurrentMerchant(c), v), nil)
}

// userView gathers what the user page shows besides the user.
func (a *App) userView(c echo.Context, u *models.User) (views.AdminUserView, error) {
	v := views.AdminUserView{User: u, Admin: auth.CurrentUser(c)}
	if u.LockedBy != nil {
		if by, err := a.Users.ByID(c.Request().Context(), *u.LockedBy); err == nil {
			v.LockedBy = by.Username
		}
	} else if u.LockedAt != nil {
		v.LockedBy = "Too many failed sign-ins"
	}
	history, err := a.history(c, u)
	if err != nil {
		return v, err
	}
	v.History = history
	if v.LockedDevices, err = a.Users.LockedDevices(c.Request().Context(), u.ID); err != nil {
		return v, err
	}
	if v.AwaitsInvitation, err = a.Users.AwaitsInvitation(c.Request().Context(), u); err != nil {
		return v, err
	}
	return v, nil
}

// GET /admin/users/{id}/edit — the same profile form guests use, plus
// identifiers, work details, status and roles.
func (a *App) handleAdminUserEdit(c echo.Context) error {
	u, err := a.subject(c)
	if err != nil {
		return err
	}
	m := auth.CurrentMerchant(c)
	fields := models.AdminProfileFields(m)
	form := views.NewProfileForm("/admin/users/"+u.ID, fields, u)
	form.Title = "Edit " + u.Username
	return render(c, http.StatusOK, views.ProfilePage(a.page(c, form.Title, "admin-users"), m, fields, form), nil)
}

// POST /admin/users/{id} — partial update of a user by an admin, with the
// guest form's validation.
func (a *App) handleAdminUserUpdate(c echo.Context) error {
	u, err := a.subject(c)
	if err != nil {
		return err
	}
	admin, m := auth.CurrentUser(c), auth.CurrentMerchant(c)
	return a.updateProfile(c, profileEdit{
		actor: admin, merchant: m, user: u, fields: models.AdminProfileFields(m),
		title: "Edit " + u.Username, nav: "admin-users", action: "/admin/users/" + u.ID, done: "/admin/users/" + u.ID,
		doneTitle: u.DisplayName(), doneNav: "admin-users",
		saved: "The user's profile has been updated successfully.",
		overview: func(p layout.Page, updated *models.User) templ.Component {
			v, err := a.userView(c, updated)
			if err != nil {
				return templ.ComponentFunc(func(_ context.Context, _ io.Writer) error { return err })
			}
			return views.AdminUserDetail(p, m, v)
		},
	})
}

// GET /admin/users/new — the create-user form.
func (a *App) handleAdminUserNew(c echo.Context) error {
	form := a.newUserForm(models.NewUser{Roles: []string{models.RoleCustomer}, FirstSignIn: models.FirstSignInInvite}, nil)
	return render(c, http.StatusOK, views.AdminUserNewPage(a.page(c, "Create a user", "admin-users"), auth.CurrentMerchant(c), form), nil)
}

// POST /admin/users — create a user with an invitation by email, or with
// an initial password.
func (a *App) handleAdminUserCreate(c echo.Context) error {
	admin, m := auth.CurrentUser(c), auth.CurrentMerchant(c)
	var in models.NewUser
	if err := bindForm(c, &in); err != nil {
		return err
	}
	create, errs := in.Validate(m, time.Now().UTC())
	err := errs.Err()
	var u *models.User
	if err == nil {
		u, err = a.Users.CreateUser(c.Request().Context(), a.Hasher, models.ByUser(admin), m, create, meta(c))
	}
	if invalid, ok := asFieldErrors(err); ok {
		form := a.newUserForm(in, invalid)
		return a.refused(c, http.StatusUnprocessableEntity, "Create a user", "admin-users",
			func(p layout.Page) templ.Component { return views.AdminUserNewPage(p, m, form) },
			func(p layout.Page) templ.Component { return views.AdminUserNewSection(p.CSRF, m, form) })
	}
	if err != nil {
		return err
	}
	msg := "The user " + u.Username + " has been created. They must change the password when they first sign in."
	if create.Invite {
		msg = "The user " + u.Username + " has been created and an invitation sent to " + u.Email + "."
	}
	a.Flash.Set(c, models.NoticeSuccess, msg)
	return redirect(c, "/admin/users/"+u.ID)
}

// newUserForm is the create form over in, with errs, naming how long an
// invitation works.
func (a *App) newUserForm(in models.NewUser, errs models.FieldErrors) views.NewUserForm {
	return views.NewUserForm{NewUser: in, Errors: errs, InviteFor: views.LifetimeText(a.Users.Lifetimes().Invite)}
}

// historyLimit is how many of a user's audit events their page shows; the
// audit log has the rest.
const historyLimit = 100

// history is the user's audit trail, newest first.
func (a *App) history(c echo.Context, u *models.User) (templ.Component, error) {
	entries, err := a.Audit.ForSubject(c.Request().Context(), u.MerchantID, u.ID, historyLimit)
	if err != nil {
		return nil, err
	}
	return views.AuditTable(entries, views.LabelsFor(auth.CurrentMerchant(c))), nil
}
