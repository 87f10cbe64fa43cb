package browser

import (
	"strconv"
	"strings"
	"testing"

	"myaccount/internal/browsertest"
)

// focusInAudit is true while focus is in the audit log's results.
const focusInAudit = `document.activeElement.closest("#audit-results") !== null`

// An admin reads the audit log a page at a time, filters it by subject
// and action, asks for an impossible range of days, and finds nothing
// for a subject with no events.
func TestAdminAudit(t *testing.T) {
	app, p := start(t)
	// More sign-ins than a page of the log holds.
	for range 50 {
		app.Client(t).SignInGuest()
	}
	signIn(t, p, "demo.admin", "Admin#2026")
	p.Follow("link", "Audit log")
	want(t, "current nav item", p.Text("[aria-current=page]"), "Audit log")
	want(t, "events on the first page", p.Count("[data-testid=audit-table] tbody tr"), 50)
	p.Check("admin-audit")
	markPage(p)
	p.Click("link", "Older")
	p.WaitFor("#audit-newer")
	wantSamePage(t, p)
	want(t, "focus on the results after paging", p.Eventually(focusInAudit), true)
	p.Check("admin-audit-older")

	p.Fill("Subject (username)", "demo.admin")
	p.Choose("Action", "Signed in")
	p.Click("button", "Filter")
	p.WaitUntil(`location.search.indexOf("subject=demo.admin") >= 0`)
	wantSamePage(t, p)
	actions := browsertest.Eval[[]string](p, `Array.from(document.querySelectorAll("[data-testid=audit-table] td[data-col=action]"), function (td) { return td.dataset.action; })`)
	if len(actions) == 0 || firstOther(actions, "user.sign_in") != "" {
		t.Errorf("actions after filtering by sign-ins: got %v", actions)
	}
	p.Check("admin-audit-filtered")

	p.Fill("From", "2026-02-01")
	p.Fill("To", "2026-01-01")
	p.Click("button", "Filter")
	p.WaitFor("[data-testid=audit-invalid]")
	want(t, "inline message", p.Attr("#to", "aria-invalid"), "true")
	p.Check("admin-audit-errors")

	p.Fill("From", "")
	p.Fill("To", "")
	p.Fill("Subject (username)", "nobody-has-this-name")
	p.Click("button", "Filter")
	p.WaitFor("[data-testid=audit-empty]")
	p.Check("admin-audit-empty")
}

// firstOther is the first of got that is not want, or "".
func firstOther(got []string, want string) string {
	for _, g := range got {
		if g != want {
			return g
		}
	}
	return ""
}

// An admin saves the programme settings after a refused submit (a number
// out of range and a malformed custom field key) and adds a custom field;
// a stale form is refused when someone else saved in between.
func TestAdminSettings(t *testing.T) {
	app, p := start(t)
	signIn(t, p, "demo.admin", "Admin#2026")
	p.Follow("link", "Settings")
	want(t, "current nav item", p.Text("[aria-current=page]"), "Settings")
	p.Check("admin-settings")
	rows := p.Count("[data-testid=custom-field]")
	newRow := p.Within("custom-field-" + strconv.Itoa(rows-1))
	length := p.Value("Minimum password length")

	p.Fill("Minimum password length", "0")
	newRow.Fill("Key", "Shoe Size")
	newRow.Fill("Label", "Shoe size")
	newRow.Choose("Type", "Number")
	p.Click("button", "Save settings")
	submitFailed(t, p)
	want(t, "length marked", p.Attr("#password_min_length", "aria-invalid"), "true")
	want(t, "custom key marked", p.Attr("#custom_key_"+strconv.Itoa(rows-1), "aria-invalid"), "true")
	p.Check("admin-settings-errors")

	p.Fill("Minimum password length", length)
	newRow.Fill("Key", "shoe_size")
	p.Click("button", "Save settings")
	notice(t, p, "The settings have been saved.")
	p.WaitUntil(`document.querySelectorAll("[data-testid=custom-field]").length === ` + itoa(rows+1))
	want(t, "the new field's key is fixed", p.Has("#custom_key_"+strconv.Itoa(rows-1)+"[readonly]"), true)
	p.Check("admin-settings-saved")

	other := another(t, app)
	signIn(t, other, "demo.admin", "Admin#2026")
	other.Go("/admin/settings")
	failed, _ := strconv.Atoi(other.Value("Failed sign-ins before a lock"))
	other.Fill("Failed sign-ins before a lock", strconv.Itoa(failed+1))
	other.Click("button", "Save settings")
	notice(t, other, "The settings have been saved.")
	p.Fill("Longest lock (minutes)", "600")
	p.Click("button", "Save settings")
	p.WaitFor("[data-testid=conflict]")
	want(t, "focus on a refused save", focused(p), "conflict")
	p.Check("admin-settings-conflict")
}

// An admin creates an API key after a refused name, sees it once, and
// revokes it.
func TestAdminAPIKeys(t *testing.T) {
	_, p := start(t)
	signIn(t, p, "demo.admin", "Admin#2026")
	p.Follow("link", "API keys")
	want(t, "current nav item", p.Text("[aria-current=page]"), "API keys")
	keys := p.Count("[data-testid=api-key]")
	p.Check("admin-api-keys")
	refuse(t, p, "Create key", "admin-api-keys-errors")
	p.Fill("Key name", "Till integration")
	p.Click("button", "Create key")
	p.WaitFor("#new-api-key")
	if key := p.Text("#new-api-key"); len(key) < 20 {
		t.Errorf("new key: got %q, want the whole key", key)
	}
	want(t, "keys listed", p.Count("[data-testid=api-key]"), keys+1)
	p.Check("admin-api-keys-created")
	p.Click("button", "Revoke Till integration")
	notice(t, p, "The key has been revoked")
	want(t, "the key is not shown again", p.Has("#new-api-key"), false)
	p.Check("admin-api-keys-revoked")
}

// An admin creates a user after a refused submit, choosing an
// invitation; the invited user opens its link and chooses a password.
func TestAdminCreateUser(t *testing.T) {
	app, mb, p := startMailing(t)
	signIn(t, p, "demo.admin", "Admin#2026")
	p.Go("/admin/users")
	p.Follow("link", "Create a user")
	p.Check("admin-user-new")
	refuse(t, p, "Create user", "admin-user-new-errors")
	p.Tick("Set an initial password")
	p.WaitFor("#password")
	p.Check("admin-user-new-password")
	p.Tick("Send an invitation by email")
	p.Fill("Username", "new.member")
	p.Fill("Email", "new.member@example.com")
	p.Fill("First name", "Sam")
	p.Fill("Last name", "New")
	p.Tick("Customer")
	p.Follow("button", "Create user")
	notice(t, p, "The user new.member has been created and an invitation sent")
	p.Check("admin-user-created")

	link := mb.ByRecipient(t, 1)["new.member@example.com"].Link(t, "/password/reset")
	invited := another(t, app)
	invited.Go(link)
	checkTitled(t, invited, "Choose your password", "invitation")
	invited.Fill("New password", "Tq8#vL2m!Rz5@Wk9")
	invited.Fill("Re-enter new password", "Tq8#vL2m!Rz5@Wk9")
	invited.Follow("button", "Save password")
	notice(t, invited, "Your password has been changed.")
}

// An admin opens a locked and an inactive user, and each one's edit
// page; is offered no lock of their own account; and resets the guest's password, so
// the guest signs in with the temporary one and must choose a new one.
func TestAdminUserStates(t *testing.T) {
	app, p := start(t)
	signIn(t, p, "demo.admin", "Admin#2026")
	for _, status := range []string{"Locked", "Inactive"} {
		name := strings.ToLower(status)
		p.Go("/admin/users")
		p.Choose("Status", status)
		p.WaitUntil(`location.search.indexOf("status=` + strings.ToUpper(status) + `") >= 0`)
		p.WaitUntil(`document.querySelector("[data-testid=user-row]") !== null`)
		p.Check("admin-users-" + name)
		p.Follow("link", usernames(p)[0])
		want(t, "status of the user", p.Text("[data-testid=record-status]"), status)
		p.Check("admin-user-" + name + "-demo")
		p.Follow("link", "Edit")
		p.Check("admin-user-" + name + "-edit")
	}

	// One's own record offers no action the rules refuse on it.
	p.Go("/admin/users?q=demo.admin")
	p.Follow("link", "demo.admin")
	for _, action := range []string{"lock", "force-password-change", "reset-password"} {
		if p.Has(`[data-action="` + action + `"]`) {
			t.Errorf("own record: offers %s", action)
		}
	}
	p.Check("admin-user-self")

	p.Go("/admin/users?q=demo.guest")
	p.Follow("link", "demo.guest")
	record, heading := p.Path(), p.Text("h1")
	confirmStep(t, p, "Sign out all sessions", "Sign out all sessions?", "admin-user-confirm-revoke-sessions")
	p.Follow("button", "Sign out all sessions")
	notice(t, p, "Signed out of all sessions")
	want(t, "address after signing out all sessions", p.Path(), record)

	confirmStep(t, p, "Reset password", "Reset this password?", "admin-user-confirm-reset-password")
	p.Click("button", "Reset the password")
	p.WaitFor("[data-testid=temp-password]")
	wantFocus(t, p, "after a reset", "notice")
	want(t, "address after a reset", p.Path(), record)
	wantTitle(t, p, heading)
	temp := p.Text("[data-testid=temp-password] strong")
	p.Check("admin-user-temp-password")

	guest := another(t, app)
	guest.Go("/login")
	guest.Fill("Username or email", "demo.guest")
	guest.Fill("Password", temp)
	guest.Follow("button", "Sign in")
	want(t, "where a reset password leads", guest.Path(), "/account/password")
	guest.Check("password-must-change")
}
