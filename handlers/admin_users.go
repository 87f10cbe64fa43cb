package handlers

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"

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
	q := views.UserListQuery{Text: c.QueryParam("q"), Status: c.QueryParam("status"), Role: c.QueryParam("role"), Sort: c.QueryParam("sort"), Desc: c.QueryParam("dir") == "desc"}
	p := a.page(c, "Users", "admin-users")
	p.Wide = true
	if _, q.Error = models.CleanSearch("Search", q.Text); q.Error != "" {
		p.Title = "Error: " + p.Title
		return render(c, http.StatusUnprocessableEntity, views.AdminUsersPage(p, q, models.UserPage{}), views.AdminUserResults(q, models.UserPage{}))
	}
	page, err := a.Users.Search(c.Request().Context(), store.UserQuery{
		MerchantID: m.ID, Text: q.Text, Status: q.Status, Role: q.Role, Sort: q.Sort, Desc: q.Desc,
		After: c.QueryParam("after"), Before: c.QueryParam("before"),
	})
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
	v := views.AdminUserView{User: u}
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
	form := views.NewUserForm{Roles: []string{models.RoleCustomer}}
	return render(c, http.StatusOK, views.AdminUserNewPage(a.page(c, "Create a user", "admin-users"), auth.CurrentMerchant(c), form), nil)
}

// POST /admin/users — create a user with an initial password.
func (a *App) handleAdminUserCreate(c echo.Context) error {
	admin, m := auth.CurrentUser(c), auth.CurrentMerchant(c)
	params, err := c.FormParams()
	if err != nil {
		return echo.NewHTTPError(http.StatusBadRequest, "form")
	}
	roles, _ := checkboxes(params, "roles")
	form := views.NewUserForm{
		Username: params.Get("username"), Email: params.Get("email"), FirstName: params.Get("first_name"), LastName: params.Get("last_name"),
		Roles: roles, MemberNumber: params.Get("member_number"), CardNumber: params.Get("card_number"),
		GenerateMember: params.Get("generate_member"), GenerateCard: params.Get("generate_card"),
	}
	in := store.NewUser{
		Username: form.Username, Email: form.Email, FirstName: form.FirstName, LastName: form.LastName,
		Roles: strings.Join(form.Roles, ","), Password: params.Get("password"), MemberNumber: form.MemberNumber, CardNumber: form.CardNumber,
	}
	in.GenerateMember, _ = strconv.Atoi(form.GenerateMember)
	in.GenerateCard, _ = strconv.Atoi(form.GenerateCard)
	u, err := a.Users.CreateUser(c.Request().Context(), a.Hasher, admin, m, in, meta(c))
	if invalid, ok := asFieldErrors(err); ok {
		form.Errors = invalid
		p := a.page(c, "Error: Create a user", "admin-users")
		return render(c, http.StatusUnprocessableEntity, views.AdminUserNewPage(p, m, form), views.AdminUserNewSection(p.CSRF, m, form))
	}
	if err != nil {
		return err
	}
	a.Flash.Set(c, "success", "The user "+u.Username+" has been created. They must change the password when they first sign in.")
	return redirect(c, "/admin/users/"+u.ID)
}

// POST /admin/users/{id}/lock, /unlock, /force-password-change,
// /revoke-sessions — an account action, audited, then back to the user.
func (a *App) handleAdminUserAction(action string) echo.HandlerFunc {
	return func(c echo.Context) error {
		u, err := a.subject(c)
		if err != nil {
			return err
		}
		admin, ctx, md := auth.CurrentUser(c), c.Request().Context(), meta(c)
		var msg string
		switch action {
		case "lock":
			err, msg = a.Users.Lock(ctx, admin, u, md), "The account is locked. Its sessions end at their next request."
		case "unlock":
			err, msg = a.Users.Unlock(ctx, admin, u, md), "The account is unlocked: its failed sign-ins and pauses are reset."
		case "force-password-change":
			err, msg = a.Users.ForcePasswordChange(ctx, admin, u, md), "The user must change their password at their next request."
		case "revoke-sessions":
			var n int64
			n, err = a.Users.RevokeSessions(ctx, admin, u, md)
			msg = "Signed out of all sessions (" + strconv.FormatInt(n, 10) + " ended)."
		}
		if errors.Is(err, store.ErrSelf) {
			a.Flash.Set(c, "error", "You cannot do this to your own account.")
			return redirect(c, "/admin/users/"+u.ID)
		}
		if err != nil {
			return err
		}
		a.Flash.Set(c, "success", msg)
		return redirect(c, "/admin/users/"+u.ID)
	}
}

// POST /admin/users/{id}/reset-password — a temporary password, shown to
// the admin once in this answer (never in a redirect, cookie or log).
func (a *App) handleAdminUserResetPassword(c echo.Context) error {
	u, err := a.subject(c)
	if err != nil {
		return err
	}
	admin, m := auth.CurrentUser(c), auth.CurrentMerchant(c)
	password, err := a.Users.ResetPassword(c.Request().Context(), a.Hasher, admin, m, u, meta(c))
	if errors.Is(err, store.ErrSelf) {
		a.Flash.Set(c, "error", "You cannot reset your own password here: change it on your password page.")
		return redirect(c, "/admin/users/"+u.ID)
	}
	if err != nil {
		return err
	}
	if u, err = a.subject(c); err != nil {
		return err
	}
	v, err := a.userView(c, u)
	if err != nil {
		return err
	}
	v.TempPassword = password
	c.Response().Header().Set("Cache-Control", "no-store")
	p := a.page(c, u.DisplayName(), "admin-users")
	p.NoticeKind, p.Notice = "success", "The password has been reset and the user's sessions have ended."
	return render(c, http.StatusOK, views.AdminUserPage(p, m, v), views.AdminUserDetail(p, m, v))
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
	return views.AuditTable(entries), nil
}
