package browser

import (
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"myaccount/internal/browsertest"
)

// focusShown is true when the focused element shows that it has focus:
// an outline or a box shadow (Tailwind's focus ring).
const focusShown = `(function (e) {
	var s = getComputedStyle(e);
	var outline = s.outlineStyle !== "none" && parseFloat(s.outlineWidth) > 0;
	return outline || (s.boxShadow !== "none" && s.boxShadow !== "");
})(document.activeElement)`

// describeFocus names the focused element for messages.
const describeFocus = `(function (e) { return e.tagName.toLowerCase() + (e.id ? "#" + e.id : "") + " " + (e.getAttribute("aria-label") || e.textContent || e.value || "").trim().slice(0, 40); })(document.activeElement)`

// tabTo presses Tab (Shift-Tab when back) until the focused element
// matches css, and fails the test if any element on the way shows no
// focus.
func tabTo(t *testing.T, p *browsertest.Page, css string, back bool) {
	t.Helper()
	match := fmt.Sprintf(`document.activeElement.matches(%s)`, jsString(css))
	for range 120 {
		if back {
			p.ShiftTab()
		} else {
			p.Press(kb.Tab)
		}
		if !browsertest.Eval[bool](p, focusShown) {
			t.Errorf("at %s: focus is not visible on %s", p.Path(), browsertest.Eval[string](p, describeFocus))
		}
		if browsertest.Eval[bool](p, match) {
			return
		}
	}
	t.Fatalf("at %s: Tab never reached %s", p.Path(), css)
}

// typeKeys types text into the focused element, key by key.
func typeKeys(p *browsertest.Page, text string) {
	p.Do(chromedp.KeyEvent(text))
}

// A guest signs in, fixes a profile error and saves, and changes their
// password, with the keyboard alone; focus is always visible and goes to
// what a submit produced.
func TestKeyboardGuest(t *testing.T) {
	_, p := start(t)
	p.Go("/login")
	tabTo(t, p, "#login", false)
	typeKeys(p, "demo.guest")
	p.Press(kb.Tab)
	typeKeys(p, "Guest#2026")
	p.WaitLoad(chromedp.KeyEvent(kb.Enter))
	want(t, "after signing in with Enter", p.Path(), "/account")

	tabTo(t, p, `a[href="/account/profile/edit"]`, false)
	p.WaitLoad(chromedp.KeyEvent(kb.Enter))
	tabTo(t, p, "#mobile_phone", false)
	p.Do(chromedp.KeyEvent("a", chromedp.KeyModifiers(chromedp.ModifierCtrl)))
	typeKeys(p, "12")
	// Space on the submit button submits the form.
	tabTo(t, p, "button[type=submit]", false)
	p.Press(" ")
	p.WaitFor("[data-testid=error-summary]")
	want(t, "focus after a failed submit", focused(p), "error-summary")
	if !browsertest.Eval[bool](p, focusShown) {
		t.Errorf("the focused error summary shows no focus")
	}
	// Back up to the field with Shift-Tab and correct it.
	tabTo(t, p, "#mobile_phone", false)
	p.Do(chromedp.KeyEvent("a", chromedp.KeyModifiers(chromedp.ModifierCtrl)))
	typeKeys(p, "+1 415 555 0188")
	tabTo(t, p, "#first_name", true)
	p.Press(kb.Enter)
	p.WaitFor("[data-testid=notice]")
	want(t, "focus after a save", focused(p), "notice")
	if !browsertest.Eval[bool](p, focusShown) {
		t.Errorf("the focused success message shows no focus")
	}
	if got := p.Text(`[data-field="mobile_phone"]`); !strings.Contains(got, "415-555-0188") {
		t.Errorf("mobile after a save: got %q", got)
	}
	p.Check("keyboard-account-saved")
	keyboardPassword(t, p)
	// Sign out: back up from the message to the header.
	tabTo(t, p, "nav[aria-label=Account] form button", true)
	p.WaitLoad(chromedp.KeyEvent(kb.Enter))
	want(t, "after signing out with Enter", p.Path(), "/login")
}

// keyboardPassword changes the guest's password with the keyboard: a
// re-entry that differs first, then the same one.
func keyboardPassword(t *testing.T, p *browsertest.Page) {
	t.Helper()
	tabTo(t, p, `nav a[href="/account/password"]`, true)
	p.WaitLoad(chromedp.KeyEvent(kb.Enter))
	for _, again := range []string{"Abcdefg1?x", "Tq8#vL2m!Rz5@Wk9"} {
		tabTo(t, p, "#current_password", false)
		typeKeys(p, "Guest#2026")
		tabTo(t, p, "#new_password", false)
		typeKeys(p, "Tq8#vL2m!Rz5@Wk9")
		p.WaitUntil(`document.querySelector('#password-rules li[data-rule="length"]').dataset.met === "true"`)
		tabTo(t, p, "#confirm_password", false)
		typeKeys(p, again)
		p.Press(kb.Enter)
		if again != "Tq8#vL2m!Rz5@Wk9" {
			p.WaitFor("[data-testid=error-summary]")
			wantFocus(t, p, "after a refused password", "error-summary")
		}
	}
	p.WaitFor("[data-testid=notice]")
	wantFocus(t, p, "after a password change", "notice")
	if !browsertest.Eval[bool](p, focusShown) {
		t.Errorf("the focused success message shows no focus")
	}
	p.Check("keyboard-password-changed")
}

// An admin searches, sorts and pages with the keyboard alone.
func TestKeyboardAdmin(t *testing.T) {
	_, p := start(t)
	signIn(t, p, "demo.admin", "Admin#2026")
	p.Go("/admin/users")
	tabTo(t, p, "#q", false)
	typeKeys(p, "sandpiper")
	p.WaitUntil(`location.search.indexOf("q=sandpiper") >= 0`)
	tabTo(t, p, `th a[href*="sort=name"]`, false)
	p.Press(kb.Enter)
	p.WaitUntil(`document.querySelector("th[data-col=name][aria-sort=ascending]") !== null`)
	want(t, "focus on the results after sorting", p.Eventually(focusInResults), true)
	tabTo(t, p, "[data-testid=next-page]", false)
	p.Press(kb.Enter)
	p.WaitUntil(`location.search.indexOf("after=") >= 0`)
	want(t, "focus on the results after paging", p.Eventually(focusInResults), true)
	tabTo(t, p, "[data-testid=user-row] a", false)
	p.WaitLoad(chromedp.KeyEvent(kb.Enter))
	if !strings.HasPrefix(p.Path(), "/admin/users/") {
		t.Errorf("Enter on a user: got %s, want their record", p.Path())
	}
	// Lock opens its confirm step, whose button locks.
	tabTo(t, p, `a[data-action="lock"]`, false)
	p.WaitLoad(chromedp.KeyEvent(kb.Enter))
	wantTitle(t, p, "Lock this account?")
	tabTo(t, p, `button[data-action="lock"]`, false)
	p.WaitLoad(chromedp.KeyEvent(" "))
	p.WaitFor(`button[data-action="unlock"]`)
	tabTo(t, p, `button[data-action="unlock"]`, false)
	p.WaitLoad(chromedp.KeyEvent(" "))
	p.WaitFor(`a[data-action="lock"]`)

	// Edit with an error, then fix it: the Edit link is above the message
	// that has focus now.
	wantFocus(t, p, "after Unlock", "notice")
	tabTo(t, p, `a[href$="/edit"]`, true)
	p.WaitLoad(chromedp.KeyEvent(kb.Enter))
	for _, phone := range []string{"12", "+1 415 555 0166"} {
		tabTo(t, p, "#mobile_phone", false)
		p.Do(chromedp.KeyEvent("a", chromedp.KeyModifiers(chromedp.ModifierCtrl)))
		typeKeys(p, phone)
		p.Press(kb.Enter)
		if phone == "12" {
			p.WaitFor("[data-testid=error-summary]")
			wantFocus(t, p, "after a failed submit", "error-summary")
		}
	}
	p.WaitFor("[data-testid=notice]")
	wantFocus(t, p, "after a save", "notice")
	p.Check("keyboard-admin-user-saved")
}
