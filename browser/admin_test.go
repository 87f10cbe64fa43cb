package browser

import (
	"net/url"
	"path"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"myaccount/internal/browsertest"
)

// focusInResults is true while focus is in the results region.
const focusInResults = `document.activeElement.closest("#user-results") !== null`

// usernames are the usernames of the rows of the user list.
func usernames(p *browsertest.Page) []string {
	return browsertest.Eval[[]string](p, `Array.from(document.querySelectorAll("[data-testid=user-row]"), function (r) { return r.dataset.username; })`)
}

// An admin finds a user with live search, sorts and pages the results,
// goes back, and works on the user's record.
func TestAdminSearch(t *testing.T) {
	_, p := start(t)
	signIn(t, p, "demo.admin", "Admin#2026")
	p.Follow("link", "Users")
	p.Check("admin-users")
	all := p.Count("[data-testid=user-row]")
	markPage(p)

	p.Fill("Search", "demo.gu")
	p.WaitUntil(`document.querySelectorAll("[data-testid=user-row]").length === 1`)
	wantSamePage(t, p)
	want(t, "rows for demo.gu", strings.Join(usernames(p), ","), "demo.guest")
	if q, _ := url.ParseQuery(strings.TrimPrefix(p.Path(), "/admin/users?")); q.Get("q") != "demo.gu" {
		t.Errorf("address after a live search: got %s, want q=demo.gu in it", p.Path())
	}
	p.Check("admin-users-search")

	p.Fill("Search", "nobody-is-called-this")
	p.WaitFor("[data-testid=no-results]")
	p.Check("admin-users-empty")

	p.Back()
	p.WaitUntil(`document.querySelectorAll("[data-testid=user-row]").length === 1`)
	want(t, "value after Back", p.Value("Search"), "demo.gu")
	want(t, "rows after Back", strings.Join(usernames(p), ","), "demo.guest")

	p.Fill("Search", "")
	p.WaitUntil(`document.querySelectorAll("[data-testid=user-row]").length === ` + itoa(all))
	// The list starts in username order, and says so.
	want(t, "the default order", p.Attr(`th[data-col=username]`, "aria-sort"), "ascending")
	sortBy(p, "Username")
	p.WaitUntil(`document.querySelector("th[data-col=username][aria-sort=descending]") !== null`)
	want(t, "focus stays on the results after sorting", p.Eventually(focusInResults), true)
	descending := usernames(p)
	// The link now sorts the other way.
	sortBy(p, "Username")
	p.WaitUntil(`document.querySelector("th[data-col=username][aria-sort=ascending]") !== null`)
	ascending := usernames(p)
	if len(ascending) < 2 || ascending[0] >= ascending[1] || descending[0] <= descending[1] || descending[0] <= ascending[0] {
		t.Errorf("sorting by username: got %v, then %v", descending[:2], ascending[:2])
	}
	want(t, "address after sorting", strings.Contains(p.Path(), "sort=username"), true)
	want(t, "focus stays on the results after sorting again", p.Eventually(focusInResults), true)
	p.Check("admin-users-sorted")
	first := usernames(p)[0]
	p.Click("link", "Next page")
	p.WaitUntil(`document.querySelector("[data-testid=user-row]").dataset.username !== ` + jsString(first))
	want(t, "focus stays on the results after paging", p.Eventually(focusInResults), true)
	wantSamePage(t, p)
	p.Check("admin-users-page-2")
}

// An admin finds a user, locks and unlocks them and corrects their
// profile; the user's history shows each step.
func TestAdminUserRecord(t *testing.T) {
	_, p := start(t)
	adminRecordFlow(t, p)
}

// The same admin, with JavaScript turned off, searches with the Search
// button and gets the same results from full pages.
func TestAdminUserRecordNoScript(t *testing.T) {
	_, p := start(t, browsertest.NoScript)
	adminRecordFlow(t, p)
}

func adminRecordFlow(t *testing.T, p *browsertest.Page) {
	signIn(t, p, "demo.admin", "Admin#2026")
	p.Go("/admin/users")
	p.Fill("Search", "demo.guest")
	if p.JS {
		p.WaitUntil(`document.querySelectorAll("[data-testid=user-row]").length === 1`)
	} else {
		p.Follow("button", "Search")
		p.Check("admin-users-search-nojs")
	}
	want(t, "rows for demo.guest", strings.Join(usernames(p), ","), "demo.guest")
	p.Follow("link", "demo.guest")
	p.Check(state(p, "admin-user"))

	record := p.Path()
	confirmStep(t, p, "Lock the account", "Lock this account?", state(p, "admin-user-confirm-lock"))
	p.Follow("button", "Lock the account")
	notice(t, p, "The account is locked.")
	if p.JS {
		wantFocus(t, p, "after Lock", "notice")
	}
	want(t, "address after Lock", p.Path(), record)
	want(t, "status after Lock", p.Text("[data-testid=record-status]"), "Locked")
	if !p.Has(`button[data-action="unlock"]`) {
		t.Errorf("after Lock: no Unlock button")
	}
	p.Check(state(p, "admin-user-locked"))
	p.Follow("button", "Unlock")
	p.WaitFor(`a[data-action="lock"]`)
	if p.JS {
		wantFocus(t, p, "after Unlock", "notice")
	}

	p.Follow("link", "Edit")
	p.Check(state(p, "admin-user-edit"))
	p.Fill("Mobile phone", "12")
	p.Click("button", "Save changes")
	p.WaitFor("[data-testid=error-summary]")
	wantFocus(t, p, "after a failed submit", "error-summary")
	p.Check(state(p, "admin-user-edit-errors"))
	p.Fill("Mobile phone", "+1 415 555 0177")
	p.Click("button", "Save changes")
	p.WaitFor("[data-testid=notice]")
	want(t, "success message", p.Text("[data-testid=notice]"), "The user's profile has been updated successfully.")
	want(t, "current nav item after a save", p.Text("[aria-current=page]"), "Users")
	if title := p.Title(); !strings.HasSuffix(title, " – My Account") || strings.HasPrefix(title, "Edit") || strings.HasPrefix(title, "Error") {
		t.Errorf("title after a save: got %q, want the record's", title)
	}
	p.Check(state(p, "admin-user-saved"))
	history := p.Text("[data-testid=section-history]")
	for _, step := range []string{"Account locked", "Account unlocked", "Profile updated"} {
		if !strings.Contains(history, step) {
			t.Errorf("history: got %q, want %q in it", history, step)
		}
	}
}

// sortBy clicks the sort link in the header of the column named label:
// its text is the column's name, then the sign of the order it is in.
func sortBy(p *browsertest.Page, label string) {
	p.Do(chromedp.Click(`//th//a[normalize-space(text())=`+jsString(label)+`]`, chromedp.NodeVisible))
}

// confirmStep follows the link of a destructive action to its confirm
// step, which says what will happen and asks again, with Cancel back to
// the record, and checks the step as name.
func confirmStep(t *testing.T, p *browsertest.Page, link, heading, name string) {
	t.Helper()
	p.Follow("link", link)
	wantTitle(t, p, heading)
	want(t, "heading of the confirm step", p.Text("h1"), heading)
	want(t, "where Cancel leads", p.Attr(`[data-testid=confirm-step] form a`, "href"), path.Dir(p.Path()))
	p.Check(name)
}
