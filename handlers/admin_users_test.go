package handlers_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"myaccount/internal/testapp"
	"myaccount/models"
	"myaccount/store"
)

func adminClient(t *testing.T, app *testapp.App) *testapp.Client {
	t.Helper()
	return app.ClientAs(t, "admin")
}

func listed(doc *goquery.Document) []string {
	var names []string
	doc.Find(`[data-testid="user-row"]`).Each(func(_ int, s *goquery.Selection) {
		names = append(names, s.AttrOr("data-username", ""))
	})
	return names
}

func TestAdminUserSearch(t *testing.T) {
	var scenarios []testapp.Scenario
	for _, tt := range []struct{ name, query string }{
		{"username part, other case", "O.GUE"},
		{"email part", "guest@EXAMPLE"},
		{"first name", "maya"},
		{"last name part", "THOMPS"},
		{"member number part", "00000001"},
		{"card number part", "1001234321"},
		{"mobile as E.164", "+14155550188"},
		{"mobile typed nationally", "(415) 555-0188"},
		{"mobile with dots", "415.555.0188"},
		{"phone typed with spaces", "+1 415 555 0132"},
		{"two words", "maya thompson"},
	} {
		scenarios = append(scenarios, testapp.Scenario{Name: tt.name, As: "admin", Path: "/admin/users?q=" + url.QueryEscape(tt.query), Shared: true,
			Status: http.StatusOK, Contains: map[string][]string{`[data-testid="user-row"][data-username="demo.guest"]`: nil}})
	}
	testapp.RunScenarios(t, append(scenarios,
		// LIKE wildcards are literal.
		testapp.Scenario{Name: "wildcards", As: "admin", Path: "/admin/users?q=" + url.QueryEscape("%_%"), Shared: true, Absent: []string{`[data-testid="user-row"]`}},
		// No result says so, with a link to clear the filters.
		testapp.Scenario{Name: "nobody", As: "admin", Path: "/admin/users?q=nobody-like-this", Shared: true,
			Count: map[string]int{`[data-testid="no-results"]`: 1, `#user-results a[href="/admin/users"]`: 1}},
	))
}

func TestAdminUserFiltersSortAndPages(t *testing.T) {
	testapp.ForEach(t, func(t *testing.T, b testapp.Backend) {
		app := testapp.New(t, b)
		c := adminClient(t, app)
		doc := c.Get("/admin/users?status=LOCKED").Doc(t)
		rows := doc.Find(`[data-testid="user-row"]`)
		if rows.Length() == 0 {
			t.Fatalf("status filter: got no locked users, want some")
		}
		rows.Each(func(_ int, s *goquery.Selection) {
			if status := s.Find("td").Eq(4).Text(); status != "Locked" {
				t.Errorf("status filter: got a %q user", status)
			}
		})
		if names := listed(c.Get("/admin/users?role=MERCHANT_ADMIN").Doc(t)); len(names) != 1 || names[0] != "demo.admin" {
			t.Errorf("role filter: got %v, want [demo.admin]", names)
		}

		// Walk every page forward, then back, sorted by name descending:
		// each user once, in order, and the same pages backwards.
		forward := pagesForward(t, c, "/admin/users?sort=name&dir=desc")
		checkEveryUserOnceInOrder(t, app, forward)
		// Back from the last page.
		checkPagesBackward(t, c, "/admin/users?sort=name&dir=desc", forward)
		// Every column sorts both ways.
		for _, col := range store.SortColumns {
			for _, dir := range []string{"", "desc"} {
				testapp.Want(t, c.Get("/admin/users?sort="+col+"&dir="+dir), http.StatusOK)
			}
		}
	})
}

// pagesForward follows the next-page links from path to the last page,
// and returns the usernames of each page.
func pagesForward(t *testing.T, c *testapp.Client, path string) [][]string {
	t.Helper()
	var forward [][]string
	for path != "" {
		doc := c.Get(path).Doc(t)
		forward = append(forward, listed(doc))
		next, ok := doc.Find(`[data-testid="next-page"]`).Attr("href")
		path = ""
		if ok {
			path = next
		}
		if len(forward) > 50 {
			t.Fatalf("more than 50 pages: the cursor does not advance")
		}
	}
	return forward
}

// checkEveryUserOnceInOrder checks that the pages list each of Sandpiper
// Bay's users once, by name descending.
func checkEveryUserOnceInOrder(t *testing.T, app *testapp.App, forward [][]string) {
	t.Helper()
	var all []string
	seen := map[string]bool{}
	for _, p := range forward {
		for _, n := range p {
			if seen[n] {
				t.Fatalf("%s listed twice", n)
			}
			seen[n] = true
			all = append(all, n)
		}
	}
	sandpiper := app.Merchant(t, "sandpiper")
	var total int64
	app.DB.Model(&models.User{}).Where("merchant_id = ?", sandpiper.ID).Count(&total)
	if int64(len(all)) != total || total < 200 {
		t.Errorf("pages: got %d users, want all %d (at least 200)", len(all), total)
	}
	var names []models.User
	app.DB.Where("merchant_id = ?", sandpiper.ID).Order("lower(last_name || ' ' || first_name) DESC, id DESC").Find(&names)
	for i, u := range names {
		if all[i] != u.Username {
			t.Fatalf("order at %d: got %s, want %s", i, all[i], u.Username)
		}
	}
}

// checkPagesBackward walks from first to the last page, then back by the
// previous-page links, and checks each page is the one forward found.
func checkPagesBackward(t *testing.T, c *testapp.Client, first string, forward [][]string) {
	t.Helper()
	doc := c.Get(first).Doc(t)
	for i := 1; i < len(forward); i++ {
		next, _ := doc.Find(`[data-testid="next-page"]`).Attr("href")
		doc = c.Get(next).Doc(t)
	}
	for i := len(forward) - 2; i >= 0; i-- {
		prev, ok := doc.Find(`[data-testid="prev-page"]`).Attr("href")
		if !ok {
			t.Fatalf("page %d: no previous link", i+2)
		}
		doc = c.Get(prev).Doc(t)
		if got := strings.Join(listed(doc), ","); got != strings.Join(forward[i], ",") {
			t.Fatalf("page %d backwards: got %s, want %s", i+1, got, strings.Join(forward[i], ","))
		}
	}
	if _, ok := doc.Find(`[data-testid="prev-page"]`).Attr("href"); ok {
		t.Errorf("first page: got a previous link")
	}
}

func TestAdminUserSearchHTMX(t *testing.T) {
	testapp.RunScenarios(t, []testapp.Scenario{
		// A debounced, URL-pushing live search that is a plain GET form
		// without JavaScript.
		{Name: "the search form", As: "admin", Path: "/admin/users", Shared: true,
			Text: map[string]string{`form[role="search"]@hx-get`: "/admin/users", `form[role="search"]@hx-push-url`: "true",
				`form[role="search"]@method`: "get", `form[role="search"]@action`: "/admin/users"},
			Contains: map[string][]string{`form[role="search"]@hx-trigger`: {"delay:"}}},
		{Name: "htmx gets only the results", As: "admin", Path: "/admin/users?q=maya", HTMX: true, Shared: true,
			Status: http.StatusOK, Fragment: true, Count: map[string]int{"#user-results": 1}},
		// The back button: htmx asks for the whole page.
		{Name: "history restore", As: "admin", Path: "/admin/users?q=maya", HTMX: true, Header: http.Header{"Hx-History-Restore-Request": {"true"}}, Shared: true,
			InBody: []string{"<html"}},
	})
}

func TestAdminUserPage(t *testing.T) {
	testapp.RunScenarios(t, []testapp.Scenario{{
		Name: "after the guest moved", As: "admin", Path: "/admin/users/{demo.guest}",
		Before: func(t *testing.T, app *testapp.App, _ *testapp.Client) {
			testapp.Scenario{Method: http.MethodPost, Path: "/account/profile", FormFunc: profileWith(map[string]string{"city": "Savannah"}),
				Status: http.StatusSeeOther}.Send(t, app.ClientAs(t, "guest"))
		},
		Status: http.StatusOK,
		Contains: map[string][]string{
			`[data-testid="section-security"]`: {"Failed sign-ins", "Must change password", "Last sign-in", "Password last changed", "Account created"},
			`[data-testid="record-status"]`:    {"Active"},
			// The city change, old → new.
			`[data-testid="section-history"]`: {"Johns Creek", "Savannah"},
		},
		Count: map[string]int{`[data-testid="section-identity"]`: 1, `[data-testid="section-personal"]`: 1, `[data-testid="section-contact"]`: 1,
			`[data-testid="section-address"]`: 1, `[data-testid="section-preferences"]`: 1, `[data-testid="section-history"]`: 1},
		NotInBody: []string{"$2a$"},
		After: func(t *testing.T, app *testapp.App, res *testapp.Response) {
			if strings.Contains(res.Body, app.User(t, guestLogin).PasswordHash) {
				t.Errorf("the user page contains a password hash")
			}
		},
	}})
}

func TestAdminUserEdit(t *testing.T) {
	// edit posts fields to the demo guest's edit form, with its version.
	edit := func(fields url.Values) func(*testing.T, *testapp.App, *testapp.Client) url.Values {
		return func(t *testing.T, app *testapp.App, _ *testapp.Client) url.Values {
			form := url.Values{"version": {version(t, app, "demo.guest")}}
			for k, v := range fields {
				form[k] = v
			}
			return form
		}
	}
	testapp.RunScenarios(t, []testapp.Scenario{
		{Name: "the form", As: "admin", Path: "/admin/users/{demo.guest}/edit", Shared: true, Status: http.StatusOK,
			Labels: map[string]string{"first_name": "First name", "last_name": "Last name", "mobile_phone": "Mobile phone", "country": "Country", "status": "Status", "email": "Email"},
			After: func(t *testing.T, app *testapp.App, res *testapp.Response) {
				if res.Doc(t).Find(`#profile-form form[action="/admin/users/`+app.User(t, guestLogin).ID+`"]`).Length() != 1 {
					t.Errorf("edit form: wrong action")
				}
			}},
		// The same rules and messages as the guest's own form.
		{Name: "the guest's rules", As: "admin", Method: http.MethodPost, Path: "/admin/users/{demo.guest}", Shared: true,
			FormFunc: edit(url.Values{"first_name": {"M4ya"}, "mobile_phone": {"12"}, "roles": {""}}),
			Status:   http.StatusUnprocessableEntity,
			Contains: map[string][]string{
				"#first_name-error":   {"First name must only include letters, spaces, hyphens, apostrophes and full stops"},
				"#mobile_phone-error": {"Enter a mobile phone like +1 415 555 0132, or a number of your country"},
				"#roles-error":        {"Select at least one role"},
				`[data-testid="error-summary"] a[href="#first_name"]`: nil, `[data-testid="error-summary"] a[href="#mobile_phone"]`: nil,
				`[data-testid="error-summary"] a[href="#roles"]`: nil,
			}},
		{Name: "saved", As: "admin", Method: http.MethodPost, Path: "/admin/users/{demo.guest}", Shared: true,
			FormFunc: edit(url.Values{"city": {"Savannah"}, "status": {models.StatusInactive}, "roles": {models.RoleCustomer}, "job_title": {"Chef"}}),
			Status:   http.StatusSeeOther,
			After: func(t *testing.T, app *testapp.App, _ *testapp.Response) {
				after := app.User(t, "demo.guest")
				if after.City != "Savannah" || after.Status != models.StatusInactive || after.JobTitle != "Chef" || after.FirstName != "Maya" {
					t.Errorf("stored: got city %q status %q job %q first %q", after.City, after.Status, after.JobTitle, after.FirstName)
				}
				ev := app.Audit(t, after.ID)[0]
				if ev.Action != models.ActionProfileUpdated || ev.ActorID == nil || *ev.ActorID != app.User(t, "demo.admin").ID {
					t.Errorf("audit: got %+v, want a profile update by the admin", ev)
				}
			}},
		// Unique identifiers within the merchant.
		{Name: "taken identifiers", As: "admin", Method: http.MethodPost, Path: "/admin/users/{demo.guest}", Shared: true,
			FormFunc: func(t *testing.T, app *testapp.App, c *testapp.Client) url.Values {
				guest, admin := app.User(t, "demo.guest"), app.User(t, "demo.admin")
				var other models.User
				app.DB.Where("merchant_id = ? AND id NOT IN ?", guest.MerchantID, []string{guest.ID, admin.ID}).Order("username").Take(&other)
				return edit(url.Values{"member_number": {other.MemberNumber}, "email": {other.Email}, "roles": {models.RoleCustomer}})(t, app, c)
			},
			Status: http.StatusUnprocessableEntity,
			Contains: map[string][]string{
				"#member_number-error": {"Another account already has this member number"},
				"#email-error":         {"Another account already uses this email address"},
			}},
		// An admin cannot lock, deactivate or demote themselves.
		{Name: "on oneself", As: "admin", Method: http.MethodPost, Path: "/admin/users/{demo.admin}", Shared: true,
			FormFunc: func(t *testing.T, app *testapp.App, _ *testapp.Client) url.Values {
				return url.Values{"status": {models.StatusLocked}, "roles": {models.RoleCustomer}, "version": {version(t, app, "demo.admin")}}
			},
			Status: http.StatusUnprocessableEntity,
			Contains: map[string][]string{
				"#status-error": {"You cannot lock or deactivate your own account"},
				"#roles-error":  {"You cannot remove your own merchant admin role"},
			},
			After: func(t *testing.T, app *testapp.App, _ *testapp.Response) {
				if a := app.User(t, "demo.admin"); a.Status != models.StatusActive || !a.IsAdmin() {
					t.Errorf("the admin locked or demoted themselves")
				}
			}},
	})
}

func TestAdminCreateUser(t *testing.T) {
	newUser := url.Values{"username": {"new.member"}, "email": {"new.member@example.com"}, "password": {"Start#2026"}, "first_name": {"Sam"}, "last_name": {"New"},
		"roles": {models.RoleCustomer}, "generate_member": {"10"}, "generate_card": {"16"}}
	testapp.RunScenarios(t, []testapp.Scenario{
		{Name: "the form", As: "admin", Path: "/admin/users/new", Shared: true,
			Labels: map[string]string{"username": "Username", "password": "Initial password", "generate_card": "Or generate a card number"}},
		{Name: "refused", As: "admin", Method: http.MethodPost, Path: "/admin/users", Shared: true,
			Form:   url.Values{"username": {"demo.GUEST"}, "password": {"weak"}, "email": {"bad@"}, "member_number": {"1"}, "generate_member": {"10"}},
			Status: http.StatusUnprocessableEntity,
			Contains: map[string][]string{
				"#roles-error":         {"Select at least one role"},
				"#email-error":         {"Enter an email in the correct format, like name@example.com"},
				"#password-error":      {"Initial password must have at least 6 characters"},
				"#member_number-error": {"Either type a number or generate one, not both"},
				"#first_name-error":    {"Enter your first name"},
			},
			// The page does not repeat the typed password.
			NotInBody: []string{"weak"}},
		{Name: "a length not offered", As: "admin", Method: http.MethodPost, Path: "/admin/users", Shared: true,
			Form:   url.Values{"username": {"sam.new"}, "password": {"Start#2026"}, "first_name": {"Sam"}, "last_name": {"New"}, "roles": {models.RoleCustomer}, "generate_card": {"7"}},
			Status: http.StatusUnprocessableEntity, Invalid: []string{"generate_card"}},
		{Name: "taken username", As: "admin", Method: http.MethodPost, Path: "/admin/users", Shared: true,
			Form:   url.Values{"username": {"demo.GUEST"}, "password": {"Start#2026"}, "first_name": {"Sam"}, "last_name": {"New"}, "roles": {models.RoleCustomer}},
			Status: http.StatusUnprocessableEntity, Contains: map[string][]string{"#username-error": {"This username is taken"}}},
		{Name: "created", As: "admin", Method: http.MethodPost, Path: "/admin/users", Form: newUser, Shared: true,
			Status: http.StatusSeeOther,
			After: func(t *testing.T, app *testapp.App, res *testapp.Response) {
				u := app.User(t, "new.member")
				if loc := res.Header.Get("Location"); loc != "/admin/users/"+u.ID {
					t.Errorf("Location: got %q", loc)
				}
				if !regexp.MustCompile(`^[1-9][0-9]{9}$`).MatchString(u.MemberNumber) || !regexp.MustCompile(`^[1-9][0-9]{15}$`).MatchString(u.CardNumber) {
					t.Errorf("generated numbers: got member %q card %q", u.MemberNumber, u.CardNumber)
				}
				if !u.MustChangePassword || u.Status != models.StatusActive || u.MerchantID != app.Merchant(t, "sandpiper").ID {
					t.Errorf("new user: got must change %v status %s", u.MustChangePassword, u.Status)
				}
				if app.Audit(t, u.ID)[0].Action != models.ActionCreated {
					t.Errorf("audit: no creation event")
				}
				// The new user signs in and must change the password first.
				testapp.Scenario{Name: "the first sign-in", Method: http.MethodPost, Path: "/login", Form: url.Values{"login": {"new.member"}, "password": {"Start#2026"}},
					Headers: location("/account/password")}.Run(t, app)
			}},
	})
}

func TestAdminAccountActions(t *testing.T) {
	testapp.ForEach(t, func(t *testing.T, b testapp.Backend) {
		app := testapp.New(t, b)
		guest := app.User(t, "demo.guest")
		admin := app.User(t, "demo.admin")
		gc := app.Client(t)
		gc.SignInGuest()
		c := adminClient(t, app)

		if msg := accountAction(t, c, guest.ID, "lock"); !strings.Contains(msg, "The account is locked") {
			t.Errorf("lock: got %q", msg)
		}
		u := app.User(t, "demo.guest")
		if u.Status != models.StatusLocked || u.LockedAt == nil || u.LockedBy == nil || *u.LockedBy != admin.ID {
			t.Errorf("lock: got status %s locked_by %v", u.Status, u.LockedBy)
		}
		if res := gc.Get("/account"); res.StatusCode != http.StatusSeeOther {
			t.Errorf("a locked user's session: got %d, want it ended", res.StatusCode)
		}
		if !strings.Contains(c.Get("/admin/users/"+guest.ID).Doc(t).Find(`[data-testid="section-security"]`).Text(), "demo.admin") {
			t.Errorf("locked by: the admin's username is not shown")
		}

		app.DB.Model(&models.User{}).Where("id = ?", guest.ID).Update("failed_login_count", 4)
		if msg := accountAction(t, c, guest.ID, "unlock"); !strings.Contains(msg, "unlocked") {
			t.Errorf("unlock: got %q", msg)
		}
		if u := app.User(t, "demo.guest"); u.Status != models.StatusActive || u.FailedLoginCount != 0 || u.LockedAt != nil {
			t.Errorf("unlock: got status %s failed %d", u.Status, u.FailedLoginCount)
		}

		if msg := accountAction(t, c, guest.ID, "force-password-change"); !strings.Contains(msg, "must change their password") {
			t.Errorf("force: got %q", msg)
		}
		if !app.User(t, "demo.guest").MustChangePassword {
			t.Errorf("force: flag not set")
		}

		gc = app.Client(t)
		gc.SignInGuest()
		if msg := accountAction(t, c, guest.ID, "revoke-sessions"); !strings.Contains(msg, "Signed out of all sessions") {
			t.Errorf("revoke: got %q", msg)
		}
		if res := gc.Get("/account/password"); res.StatusCode != http.StatusSeeOther {
			t.Errorf("after revoke: the guest's session still works (%d)", res.StatusCode)
		}

		gc = app.Client(t)
		gc.SignInGuest()
		checkPasswordReset(t, app, c, gc, guest.ID)
		checkActionsAudited(t, app, guest.ID, admin.ID)

		// Not on oneself.
		checkNotOnOneself(t, app, c, admin)
	})
}

// accountAction posts action on the user id as the admin c, follows the
// redirect and returns the notice shown.
func accountAction(t *testing.T, c *testapp.Client, id, action string) string {
	t.Helper()
	res := c.Post("/admin/users/"+id+"/"+action, url.Values{})
	testapp.Want(t, res, http.StatusSeeOther)
	return strings.TrimSpace(c.Get(res.Header.Get("Location")).Doc(t).Find(`[data-testid="notice"]`).Text())
}

// checkPasswordReset resets the guest's password as the admin c: the
// temporary password is shown once, kept out of the log, ends the guest's
// session gc and signs in to the password change.
func checkPasswordReset(t *testing.T, app *testapp.App, c, gc *testapp.Client, guestID string) {
	t.Helper()
	res := c.Post("/admin/users/"+guestID+"/reset-password", url.Values{})
	testapp.Want(t, res, http.StatusOK)
	if cc := res.Header.Get("Cache-Control"); cc != "no-store" {
		t.Errorf("reset answer Cache-Control: got %q, want no-store", cc)
	}
	temp := strings.TrimSpace(res.Doc(t).Find(`[data-testid="temp-password"] strong`).Text())
	if len(temp) < 14 {
		t.Fatalf("temporary password: got %q", temp)
	}
	if strings.Contains(c.Get("/admin/users/"+guestID).Body, temp) {
		t.Errorf("the temporary password is shown again")
	}
	if strings.Contains(app.Log.String(), temp) {
		t.Errorf("the temporary password is in the log")
	}
	if res := gc.Get("/account/password"); res.StatusCode != http.StatusSeeOther {
		t.Errorf("after reset: the guest's old session still works")
	}
	nc := app.Client(t)
	res = nc.Post("/login", url.Values{"login": {"demo.guest"}, "password": {temp}})
	if loc := res.Header.Get("Location"); loc != "/account/password" {
		t.Errorf("sign-in with the temporary password: got %q, want /account/password", loc)
	}
}

// checkActionsAudited checks that every action the admin took on the
// guest is audited as theirs, and that no audit change holds a hash.
func checkActionsAudited(t *testing.T, app *testapp.App, guestID, adminID string) {
	t.Helper()
	actions := map[string]bool{}
	for _, ev := range app.Audit(t, guestID) {
		if ev.ActorID != nil && *ev.ActorID == adminID {
			actions[ev.Action] = true
		}
		for _, ch := range ev.Changes {
			if strings.Contains(ch.Old+ch.New, "$2") {
				t.Errorf("audit holds a hash")
			}
		}
	}
	for _, want := range []string{models.ActionLocked, models.ActionUnlocked, models.ActionForceChange, models.ActionSessionsEnded, models.ActionPasswordReset} {
		if !actions[want] {
			t.Errorf("audit: no %s by the admin", want)
		}
	}
}

// checkNotOnOneself checks that the admin cannot lock, force a password
// change on or reset the password of their own account.
func checkNotOnOneself(t *testing.T, app *testapp.App, c *testapp.Client, admin *models.User) {
	t.Helper()
	for _, action := range []string{"lock", "force-password-change", "reset-password"} {
		res := c.Post("/admin/users/"+admin.ID+"/"+action, url.Values{})
		testapp.Want(t, res, http.StatusSeeOther)
		if msg := c.Get(res.Header.Get("Location")).Doc(t).Find(`[data-testid="notice"]`).Text(); !strings.Contains(msg, "own") {
			t.Errorf("%s on oneself: got %q", action, msg)
		}
	}
	if a := app.User(t, "demo.admin"); a.Status != models.StatusActive || a.MustChangePassword || a.PasswordHash != admin.PasswordHash {
		t.Errorf("an admin acted on themselves")
	}
}

// An initial password passes the same checks as one a guest chooses: the
// blocklist and the new user's username and email, not only the policy,
// and under the NIST preset its strength, for which the new user's names
// and the merchant's name count as easy words.
func TestAdminCreateUserPasswordRules(t *testing.T) {
	const tooEasy = "Initial password is too easy to guess: "
	form := func(password string) url.Values {
		return url.Values{"username": {"new.member"}, "email": {"sam.new@example.com"}, "password": {password},
			"first_name": {"Sam"}, "last_name": {"Quillfeather"}, "roles": {models.RoleCustomer}}
	}
	var scenarios []testapp.Scenario
	for _, tt := range []struct {
		name           string
		nist           bool
		password, want string
	}{
		{"common password meeting the policy", false, "Password1!", "Initial password is too common: choose one that is harder to guess"},
		{"contains the username", false, "New.Member#1", "Initial password must not contain the username"},
		{"contains the email's local part", false, "Sam.New#2026", "Initial password must not contain the email address"},
		{"NIST: the merchant's name repeated", true, "SandpiperBaySandpiperBay", tooEasy + "Add another word or two. Uncommon words are better."},
		{"NIST: the new user's last name", true, "Quillfeather#42", tooEasy + "Add another word or two. Uncommon words are better."},
		{"NIST: a repeated character", true, "zzzzzzzzzzzzzzzz", tooEasy + `Repeats like "aaa" are easy to guess`},
	} {
		s := testapp.Scenario{Name: tt.name, As: "admin", Method: http.MethodPost, Path: "/admin/users", Form: form(tt.password), Shared: true,
			Status: http.StatusUnprocessableEntity, Errors: map[string]string{"password": tt.want},
			// The page does not repeat the typed password.
			NotInBody: []string{tt.password}}
		if tt.nist {
			s.Before = func(t *testing.T, app *testapp.App, _ *testapp.Client) { useNIST(t, app) }
		}
		scenarios = append(scenarios, s)
	}
	testapp.RunScenarios(t, append(scenarios, testapp.Scenario{
		Name: "NIST: a passphrase", As: "admin", Method: http.MethodPost, Path: "/admin/users", Form: form("tuesday kite harbour"), Shared: true,
		Before: func(t *testing.T, app *testapp.App, _ *testapp.Client) {
			useNIST(t, app)
			var n int64
			app.DB.Model(&models.User{}).Where("username = ?", "new.member").Count(&n)
			if n != 0 {
				t.Fatalf("a refused user was created")
			}
		},
		Status: http.StatusSeeOther,
	}))
}

// version is the user's stored version, as their edit form carries it.
func version(t *testing.T, app *testapp.App, username string) string {
	t.Helper()
	return strconv.Itoa(app.User(t, username).Version)
}

// The admins' searches take turns, as many at once as --search-concurrency
// allows: every one is answered, and each turn taken is counted in the
// metrics.
func TestSearchesTakeTurns(t *testing.T) {
	app := testapp.New(t, testapp.Backend{Name: "sqlite"}, "--search-concurrency", "1")
	const admins = 6
	clients := make([]*testapp.Client, admins)
	for i := range clients {
		clients[i] = adminClient(t, app)
	}
	var wg sync.WaitGroup
	for _, c := range clients {
		wg.Go(func() { testapp.Want(t, c.Get("/admin/users?q=demo"), http.StatusOK) })
	}
	wg.Wait()
	metrics := metricsText(app)
	if want := "myaccount_search_queue_wait_seconds_count " + strconv.Itoa(admins) + "\n"; !strings.Contains(metrics, want) {
		t.Errorf("metrics lack %q:\n%s", want, strings.Join(linesWith(metrics, "search_queue"), "\n"))
	}
}
