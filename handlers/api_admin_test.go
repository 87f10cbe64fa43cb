package handlers_test

import (
	"net/http"
	"strings"
	"testing"

	"myaccount/internal/testapp"
	"myaccount/models"
)

// An integration's key manages guests: it may read a merchant admin, but
// not change their record. Changing the admin's email to the attacker's,
// then asking for a password reset, would hand over the merchant's
// console; locking or deactivating them would shut the merchant out. Each
// is refused with 403 admin_record, before anything sent is looked at,
// and nothing is applied.
func TestAPIKeyCannotChangeAnAdmin(t *testing.T) {
	testapp.ForEach(t, func(t *testing.T, b testapp.Backend) {
		app, mb := mailingApp(t, b)
		admin := app.User(t, "demo.admin")
		key, _ := newKey(t, app, "sandpiper", "Point of sale")
		c, h := app.Client(t), bearerHeader(key)
		path := "/api/v1/users/" + admin.ID
		apiCall{name: "read the admin", path: path, header: h, status: http.StatusOK,
			user: userHas(map[string]any{"id": admin.ID, "email": admin.Email})}.send(t, c)
		apiCall{name: "look the admin up", path: "/api/v1/users?username=demo.admin", header: h, status: http.StatusOK}.send(t, c)
		refusals := []apiCall{
			{name: "the email", body: map[string]any{"email": "attacker@example.net"}},
			{name: "the status", body: map[string]any{"status": models.StatusLocked}},
			{name: "deactivate", body: map[string]any{"status": models.StatusInactive}},
			{name: "a harmless field", body: map[string]any{"city": "Savannah"}},
			{name: "as a form", ctype: "form", body: form("email", "attacker@example.net")},
			{name: "as multipart", ctype: "multipart", body: form("status", models.StatusLocked)},
			{name: "with a stale If-Match", body: map[string]any{"email": "attacker@example.net"}, header: http.Header{"If-Match": {`"99"`}}},
			{name: "with nothing else valid", off: true, body: map[string]any{"roles": []any{"CUSTOMER"}, "nope": 1}},
			{name: "with no field", body: map[string]any{}},
		}
		for i := range refusals {
			refusals[i].status, refusals[i].code = http.StatusForbidden, "admin_record"
			refusals[i].message = "An API key cannot change a merchant admin's record"
		}
		patchAs(t, c, path, h, refusals)
		after := app.User(t, "demo.admin")
		if after.Email != admin.Email || after.Status != models.StatusActive || after.City != admin.City || after.Version != admin.Version {
			t.Errorf("the admin's record changed: email %q, status %s, city %q, version %d → %d", after.Email, after.Status, after.City, admin.Version, after.Version)
		}
		if n := auditCounts(t, app, admin.ID)[models.ActionProfileUpdated]; n != 0 {
			t.Errorf("profile updates of the admin audited: got %d, want 0", n)
		}
		// A password reset still goes to the admin's own address.
		askForLink(t, app.Client(t), "attacker@example.net")
		mb.None(t, noMail)
		askForLink(t, app.Client(t), "demo.admin")
		if msg := mb.Next(t); len(msg.To) != 1 || msg.To[0] != admin.Email {
			t.Errorf("reset link mailed to %v, want the admin's own %s", msg.To, admin.Email)
		}
		mb.None(t, noMail)
		// The same key still edits a guest.
		guest := app.User(t, guestLogin)
		apiCall{name: "a guest", method: http.MethodPatch, path: "/api/v1/users/" + guest.ID, ctype: "json", header: h,
			body: map[string]any{"city": "Savannah"}, status: http.StatusOK, user: userHas(map[string]any{"city": "Savannah"})}.send(t, c)
	})
}

// A customer who is also a merchant admin is an admin: the rule reads
// the record as it is when the key writes, not as the key last read it.
func TestAPIKeyCannotChangeACustomerWhoIsAdmin(t *testing.T) {
	app := testapp.New(t, testapp.Backend{Name: "sqlite"})
	key, _ := newKey(t, app, "sandpiper", "CRM")
	guest := app.User(t, guestLogin)
	c, h := app.Client(t), bearerHeader(key)
	path := "/api/v1/users/" + guest.ID
	apiCall{name: "before", path: path, header: h, status: http.StatusOK}.send(t, c)
	app.DB.Model(&models.User{}).Where("id = ?", guest.ID).Update("roles", models.StringList{models.RoleCustomer, models.RoleMerchantAdmin})
	apiCall{name: "after the promotion", method: http.MethodPatch, path: path, ctype: "json", header: h, body: map[string]any{"email": "attacker@example.net"},
		status: http.StatusForbidden, code: "admin_record"}.send(t, c)
	if got := app.User(t, guestLogin); got.Email != guest.Email || got.Version != guest.Version {
		t.Errorf("the promoted guest changed: email %q, version %d → %d", got.Email, guest.Version, got.Version)
	}
	if strings.Contains(app.Log.String(), "level=ERROR") {
		t.Errorf("an error was logged:\n%s", app.Log)
	}
}
