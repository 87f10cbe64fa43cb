package browser

import (
	"strconv"
	"strings"
	"testing"

	"myaccount/internal/browsertest"
	"myaccount/internal/testapp"
)

// A guest signs in, corrects their profile, changes their password and
// signs out, with htmx.
func TestGuest(t *testing.T) {
	app, p := start(t)
	guestFlow(t, app, p)
}

// The same guest, with JavaScript turned off, gets the same results from
// full pages.
func TestGuestNoScript(t *testing.T) {
	app, p := start(t, browsertest.NoScript)
	guestFlow(t, app, p)
}

func guestFlow(t *testing.T, app *testapp.App, p *browsertest.Page) {
	signIn(t, p, "demo.guest", "Guest#2026")
	want(t, "title after sign-in", p.Title(), "Your account – My Account")
	p.Check(state(p, "account"))
	profileFlow(t, app, p)
	passwordFlow(t, p)
	p.Follow("button", "Sign out")
	want(t, "after sign-out", p.Path(), "/login")
	want(t, "sign-out message", p.Text("[data-testid=notice]"), "You have signed out.")
	p.Check(state(p, "signed-out"))
	signIn(t, p, "demo.guest", "Tq8#vL2m!Rz5@Wk9")
	want(t, "signed in with the new password", p.Path(), "/account")
}

// state names a checked state, apart for pages seen without JavaScript.
func state(p *browsertest.Page, name string) string {
	if p.JS {
		return name
	}
	return name + "-nojs"
}

// focused is the data-testid (or id, or tag) of the focused element,
// once htmx has settled.
func focused(p *browsertest.Page) string {
	p.Eventually(`document.activeElement !== document.body`)
	return browsertest.Eval[string](p, `document.activeElement.dataset.testid || document.activeElement.id || document.activeElement.tagName`)
}

// wantFocus fails the test unless focus moves to the element whose
// data-testid is testid once htmx has settled: a swap can first give it
// back to the field of the same id, as it was before the submit.
func wantFocus(t *testing.T, p *browsertest.Page, when, testid string) {
	t.Helper()
	if !p.Eventually(`document.activeElement.dataset.testid === ` + jsString(testid)) {
		t.Errorf("focus %s: got %s, want %s", when, focused(p), testid)
	}
}

// markPage sets a marker on window that only the same document keeps.
func markPage(p *browsertest.Page) {
	if p.JS {
		browsertest.Eval[bool](p, `window.__samePage = true`)
	}
}

// wantSamePage fails unless the page was swapped in part, not reloaded
// (with JavaScript).
func wantSamePage(t *testing.T, p *browsertest.Page) {
	t.Helper()
	if p.JS && !browsertest.Eval[bool](p, `window.__samePage === true`) {
		t.Errorf("the page was reloaded: the marker set on window is gone")
	}
}

func profileFlow(t *testing.T, app *testapp.App, p *browsertest.Page) {
	t.Helper()
	p.Follow("link", "Edit Personal details")
	p.WaitFor("#profile-form")
	want(t, "current nav item", p.Text("[aria-current=page]"), "Profile")
	p.Check(state(p, "profile-edit"))
	markPage(p)

	p.Fill("Mobile phone", "12")
	p.Fill("Birthday", "2099-01-01")
	p.Click("button", "Save changes")
	p.WaitFor("[data-testid=error-summary]")
	wantSamePage(t, p)
	summary := p.Text("[data-testid=error-summary]")
	for _, msg := range []string{"Enter a mobile phone like +1 415 555 0132", "Birthday must be in the past"} {
		if !strings.Contains(summary, msg) {
			t.Errorf("error summary: got %q, want %q in it", summary, msg)
		}
	}
	want(t, "phone aria-invalid", p.Attr("#mobile_phone", "aria-invalid"), "true")
	want(t, "birthday aria-invalid", p.Attr("#birthday", "aria-invalid"), "true")
	if got := p.Text("#birthday-error"); !strings.Contains(got, "Birthday must be in the past") {
		t.Errorf("inline birthday message: got %q", got)
	}
	want(t, "typed phone kept", p.Value("Mobile phone"), "12")
	want(t, "focus after a failed submit", focused(p), "error-summary")
	want(t, "title after a failed submit", p.Title(), "Error: Edit your profile – My Account")
	p.Check(state(p, "profile-errors"))

	p.Fill("Mobile phone", "+1 415 555 0199")
	p.Fill("Birthday", "1990-04-12")
	p.Click("button", "Save changes")
	p.WaitFor("[data-testid=notice]")
	wantSamePage(t, p)
	want(t, "success message", p.Text("[data-testid=notice]"), "Your profile has been updated successfully.")
	if p.JS {
		want(t, "focus after a save", focused(p), "notice")
	}
	want(t, "address after a save", p.Path(), "/account")
	want(t, "title after a save", p.Title(), "Your account – My Account")
	want(t, "current nav item after a save", p.Text("[aria-current=page]"), "Overview")
	want(t, "nav items marked current", p.Count("[aria-current=page]"), 1)
	want(t, "mobile shown", p.Text(`[data-field="mobile_phone"]`), "+1 415-555-0199")
	if got := app.User(t, "demo.guest").Birthday; got == nil || got.Format("2006-01-02") != "1990-04-12" {
		t.Errorf("birthday saved: got %v, want 1990-04-12", got)
	}
	p.Check(state(p, "account-saved"))
}

// met is the data-met of each rule of the password checklist.
func met(p *browsertest.Page) map[string]string {
	return browsertest.Eval[map[string]string](p, `Object.fromEntries(Array.from(document.querySelectorAll("#password-rules li[data-rule]"), function (li) { return [li.dataset.rule, li.dataset.met]; }))`)
}

func passwordFlow(t *testing.T, p *browsertest.Page) {
	t.Helper()
	p.Follow("link", "Password")
	p.WaitFor("#password-form")
	want(t, "strength of nothing", p.Text("[data-testid=strength-label]"), "not rated yet")
	want(t, "current nav item", p.Text("[aria-current=page]"), "Password")
	p.Check(state(p, "password"))
	markPage(p)
	if p.JS {
		p.Fill("New password", "abc")
		p.WaitUntil(`document.querySelector('#password-rules li[data-rule="lower"]').dataset.met === "true"`)
		rules := met(p)
		want(t, "lowercase rule for abc", rules["lower"], "true")
		want(t, "length rule for abc", rules["length"], "false")
		want(t, "strength of abc", p.Text("[data-testid=strength-label]"), "Very weak")
		if v, err := strconv.Atoi(p.Attr("meter#password-strength", "value")); err != nil || v >= 20 {
			t.Errorf("meter for abc: got %d (%v), want under 20", v, err)
		}
		p.Check("password-typing")
	}
	// A re-entry that differs is refused; the checklist shows the
	// password typed, not all rules unmet.
	p.Fill("Current password", "Guest#2026")
	p.Fill("New password", "Abcdefg1!")
	p.Fill("Re-enter new password", "Abcdefg1?")
	p.Click("button", "Change password")
	p.WaitFor("[data-testid=error-summary]")
	wantSamePage(t, p)
	want(t, "focus after a failed submit", focused(p), "error-summary")
	for rule, v := range met(p) {
		if rule != "personal" && rule != "common" && v != "true" {
			t.Errorf("checklist after a refused submit: rule %s got data-met=%s, want true for what was typed", rule, v)
		}
	}
	if got := p.Text("[data-testid=strength-label]"); got == "not rated yet" {
		t.Errorf("strength after a refused submit: got %q, want the typed password rated", got)
	}
	p.Check(state(p, "password-errors"))

	p.Fill("Current password", "Guest#2026")
	p.Fill("New password", "Tq8#vL2m!Rz5@Wk9")
	if p.JS {
		p.WaitUntil(`document.querySelector("[data-testid=strength-label]").textContent.trim() === "Very strong"`)
	}
	p.Fill("Re-enter new password", "Tq8#vL2m!Rz5@Wk9")
	p.Click("button", "Change password")
	p.WaitFor("[data-testid=notice]")
	wantSamePage(t, p)
	if got := p.Text("[data-testid=notice]"); !strings.HasPrefix(got, "Your password has been changed.") {
		t.Errorf("success message: got %q", got)
	}
	if p.JS {
		want(t, "focus after a change", focused(p), "notice")
		want(t, "title after a change", p.Title(), "Change your password – My Account")
	}
	p.Check(state(p, "password-changed"))
}
