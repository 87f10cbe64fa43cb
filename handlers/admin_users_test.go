package handlers_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"myaccount/internal/testapp"
	"myaccount/models"
	"myaccount/store"
)

func adminClient(t *testing.T, app *testapp.App) *testapp.Client {
	t.Helper()
	c := app.Client(t)
	c.SignIn("demo.admin", store.DemoAdminPassword)
	return c
}

func listed(doc *goquery.Document) []string {
	var names []string
	doc.Find(`[data-testid="user-row"]`).Each(func(_ int, s *goquery.Selection) {
		names = append(names, s.AttrOr("data-username", ""))
	})
	return names
}

func TestAdminUserSearch(t *testing.T) {
	testapp.ForEach(t, func(t *testing.T, b testapp.Backend) {
		app := testapp.New(t, b)
		c := adminClient(t, app)
		guest := app.User(t, "demo.guest")
		tests := []struct {
			name, query string
		}{
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
		}
		for _, tt := range tests {
			res := c.Get("/admin/users?q=" + url.QueryEscape(tt.query))
			testapp.Want(t, res, http.StatusOK)
			names := listed(res.Doc(t))
			found := false
			for _, n := range names {
				found = found || n == guest.Username
			}
			if !found {
				t.Errorf("%s (%q): got %v, want demo.guest among them", tt.name, tt.query, names)
			}
		}
		// LIKE wildcards are literal.
		if names := listed(c.Get("/admin/users?q=" + url.QueryEscape("%_%")).Doc(t)); len(names) != 0 {
			t.Errorf("%%_%%: got %v, want nothing", names)
		}
		res := c.Get("/admin/users?q=nobody-like-this")
		doc := res.Doc(t)
		if doc.Find(`[data-testid="no-results"]`).Length() != 1 || doc.Find(`#user-results a[href="/admin/users"]`).Length() != 1 {
			t.Errorf("empty result: got no message or no link to clear the filters")
		}
	})
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
		var forward [][]string
		path := "/admin/users?sort=name&dir=desc"
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
		// Back from the last page.
		doc = c.Get("/admin/users?sort=name&dir=desc").Doc(t)
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
		// Every column sorts both ways.
		for _, col := range store.SortColumns {
			for _, dir := range []string{"", "desc"} {
				testapp.Want(t, c.Get("/admin/users?sort="+col+"&dir="+dir), http.StatusOK)
			}
		}
	})
}

func TestAdminUserSearchHTMX(t *testing.T) {
	testapp.ForEach(t, func(t *testing.T, b testapp.Backend) {
		app := testapp.New(t, b)
		c := adminClient(t, app)
		page := c.Get("/admin/users").Doc(t)
		form := page.Find(`form[role="search"]`)
		if form.AttrOr("hx-get", "") != "/admin/users" || form.AttrOr("hx-push-url", "") != "true" || !strings.Contains(form.AttrOr("hx-trigger", ""), "delay:") {
			t.Errorf("search form: got hx-get=%q hx-push-url=%q hx-trigger=%q, want a debounced, URL-pushing live search",
				form.AttrOr("hx-get", ""), form.AttrOr("hx-push-url", ""), form.AttrOr("hx-trigger", ""))
		}
		if form.AttrOr("method", "") != "get" || form.AttrOr("action", "") != "/admin/users" {
			t.Errorf("search form: without JavaScript it must be a plain GET form")
		}
		c.HTMX = true
		res := c.Get("/admin/users?q=maya")
		testapp.Want(t, res, http.StatusOK)
		if strings.Contains(res.Body, "<html") || res.Doc(t).Find("#user-results").Length() != 1 {
			t.Errorf("htmx search: got %q, want only the results", res.Body[:min(200, len(res.Body))])
		}
		// The back button: htmx asks for the whole page.
		res = c.Do(http.MethodGet, "/admin/users?q=maya", nil, http.Header{"Hx-History-Restore-Request": {"true"}})
		if !strings.Contains(res.Body, "<html") {
			t.Errorf("history restore: got a fragment, want the full page")
		}
	})
}

func TestAdminUserPage(t *testing.T) {
	testapp.ForEach(t, func(t *testing.T, b testapp.Backend) {
		app := testapp.New(t, b)
		guest := app.User(t, "demo.guest")
		gc := app.Client(t)
		gc.SignInGuest()
		form := profileForm(t, gc)
		form.Set("city", "Savannah")
		testapp.Want(t, gc.Post("/account/profile", form), http.StatusSeeOther)

		c := adminClient(t, app)
		res := c.Get("/admin/users/" + guest.ID)
		testapp.Want(t, res, http.StatusOK)
		doc := res.Doc(t)
		security := doc.Find(`[data-testid="section-security"]`).Text()
		for _, want := range []string{"Status", "Failed sign-ins", "Locked at", "Locked by", "Must change password", "Last sign-in", "Password changed at"} {
			if !strings.Contains(security, want) {
				t.Errorf("security section: %q missing", want)
			}
		}
		for _, section := range []string{"identity", "personal", "contact", "address", "preferences", "history"} {
			if doc.Find(`[data-testid="section-`+section+`"]`).Length() != 1 {
				t.Errorf("section %s: missing", section)
			}
		}
		history := doc.Find(`[data-testid="section-history"]`).Text()
		if !strings.Contains(history, "Johns Creek") || !strings.Contains(history, "Savannah") {
			t.Errorf("history: got %q, want the city change old → new", history)
		}
		if strings.Contains(res.Body, "$2a$") || strings.Contains(res.Body, guest.PasswordHash) {
			t.Errorf("the user page contains a password hash")
		}
	})
}

func TestAdminUserEdit(t *testing.T) {
	testapp.ForEach(t, func(t *testing.T, b testapp.Backend) {
		app := testapp.New(t, b)
		guest := app.User(t, "demo.guest")
		admin := app.User(t, "demo.admin")
		c := adminClient(t, app)
		res := c.Get("/admin/users/" + guest.ID + "/edit")
		testapp.Want(t, res, http.StatusOK)
		doc := res.Doc(t)
		for id, label := range map[string]string{"first_name": "First name", "last_name": "Last name", "mobile": "Mobile phone", "country": "Country", "status": "Status", "email": "Email"} {
			if got := testapp.Label(doc, id); got != label {
				t.Errorf("label for %s: got %q, want %q", id, got, label)
			}
		}
		if doc.Find(`#profile-form form[action="/admin/users/`+guest.ID+`"]`).Length() != 1 {
			t.Errorf("edit form: wrong action")
		}

		// The same rules and messages as the guest's own form.
		res = c.Post("/admin/users/"+guest.ID, url.Values{"first_name": {"M4ya"}, "mobile": {"12"}, "roles": {""}, "version": {version(t, app, "demo.guest")}})
		testapp.Want(t, res, http.StatusUnprocessableEntity)
		doc = res.Doc(t)
		for field, msg := range map[string]string{
			"first_name": "First name must only include letters, spaces, hyphens, apostrophes and full stops",
			"mobile":     "Enter a mobile phone like +1 415 555 0132, or a number of your country",
			"roles":      "Select at least one role",
		} {
			if got := doc.Find("#" + field + "-error").Text(); !strings.Contains(got, msg) {
				t.Errorf("%s: got %q, want %q", field, got, msg)
			}
			if doc.Find(`[data-testid="error-summary"] a[href="#`+field+`"]`).Length() == 0 {
				t.Errorf("summary: no link to #%s", field)
			}
		}

		res = c.Post("/admin/users/"+guest.ID, url.Values{"city": {"Savannah"}, "status": {models.StatusInactive}, "roles": {models.RoleCustomer}, "job_title": {"Chef"}, "version": {version(t, app, "demo.guest")}})
		testapp.Want(t, res, http.StatusSeeOther)
		after := app.User(t, "demo.guest")
		if after.City != "Savannah" || after.Status != models.StatusInactive || after.JobTitle != "Chef" || after.FirstName != "Maya" {
			t.Errorf("stored: got city %q status %q job %q first %q", after.City, after.Status, after.JobTitle, after.FirstName)
		}
		ev := app.Audit(t, guest.ID)[0]
		if ev.Action != models.ActionProfileUpdated || ev.ActorID == nil || *ev.ActorID != admin.ID {
			t.Errorf("audit: got %+v, want a profile update by the admin", ev)
		}

		// Unique identifiers within the merchant.
		var other models.User
		app.DB.Where("merchant_id = ? AND id NOT IN ?", guest.MerchantID, []string{guest.ID, admin.ID}).Order("username").Take(&other)
		res = c.Post("/admin/users/"+guest.ID, url.Values{"member_number": {other.MemberNumber}, "email": {other.Email}, "roles": {models.RoleCustomer}, "version": {version(t, app, "demo.guest")}})
		testapp.Want(t, res, http.StatusUnprocessableEntity)
		doc = res.Doc(t)
		if !strings.Contains(doc.Find("#member_number-error").Text(), "Another account already has this member number") ||
			!strings.Contains(doc.Find("#email-error").Text(), "Another account already uses this email address") {
			t.Errorf("uniqueness: got %q / %q", doc.Find("#member_number-error").Text(), doc.Find("#email-error").Text())
		}

		// An admin cannot lock, deactivate or demote themselves.
		res = c.Post("/admin/users/"+admin.ID, url.Values{"status": {models.StatusLocked}, "roles": {models.RoleCustomer}, "version": {version(t, app, "demo.admin")}})
		testapp.Want(t, res, http.StatusUnprocessableEntity)
		doc = res.Doc(t)
		if !strings.Contains(doc.Find("#status-error").Text(), "You cannot lock or deactivate your own account") ||
			!strings.Contains(doc.Find("#roles-error").Text(), "You cannot remove your own merchant admin role") {
			t.Errorf("self-protection: got %q / %q", doc.Find("#status-error").Text(), doc.Find("#roles-error").Text())
		}
		if a := app.User(t, "demo.admin"); a.Status != models.StatusActive || !a.IsAdmin() {
			t.Errorf("the admin locked or demoted themselves")
		}
	})
}

func TestAdminCreateUser(t *testing.T) {
	testapp.ForEach(t, func(t *testing.T, b testapp.Backend) {
		app := testapp.New(t, b)
		c := adminClient(t, app)
		labels := c.Get("/admin/users/new").Doc(t)
		for id, label := range map[string]string{"username": "Username", "password": "Initial password", "generate_card": "Or generate a card number"} {
			if got := testapp.Label(labels, id); got != label {
				t.Errorf("label for %s: got %q, want %q", id, got, label)
			}
		}
		res := c.Post("/admin/users", url.Values{"username": {"demo.GUEST"}, "password": {"weak"}, "email": {"bad@"}, "member_number": {"1"}, "generate_member": {"10"}})
		testapp.Want(t, res, http.StatusUnprocessableEntity)
		doc := res.Doc(t)
		for field, msg := range map[string]string{
			"roles":         "Select at least one role",
			"email":         "Enter an email in the correct format, like name@example.com",
			"password":      "Initial password must have at least 6 characters",
			"member_number": "Either type a number or generate one, not both",
			"first_name":    "Enter a first name",
		} {
			if got := doc.Find("#" + field + "-error").Text(); !strings.Contains(got, msg) {
				t.Errorf("%s: got %q, want %q", field, got, msg)
			}
		}
		if strings.Contains(res.Body, "weak") {
			t.Errorf("the page repeats the typed password")
		}
		res = c.Post("/admin/users", url.Values{"username": {"demo.GUEST"}, "password": {"Start#2026"}, "first_name": {"Sam"}, "last_name": {"New"}, "roles": {models.RoleCustomer}})
		testapp.Want(t, res, http.StatusUnprocessableEntity)
		if got := res.Doc(t).Find("#username-error").Text(); !strings.Contains(got, "This username is taken") {
			t.Errorf("taken username: got %q", got)
		}

		res = c.Post("/admin/users", url.Values{"username": {"new.member"}, "email": {"new.member@example.com"}, "password": {"Start#2026"}, "first_name": {"Sam"}, "last_name": {"New"},
			"roles": {models.RoleCustomer}, "generate_member": {"10"}, "generate_card": {"16"}})
		testapp.Want(t, res, http.StatusSeeOther)
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
		nc := app.Client(t)
		res = nc.Post("/login", url.Values{"login": {"new.member"}, "password": {"Start#2026"}})
		if loc := res.Header.Get("Location"); loc != "/account/password" {
			t.Errorf("first sign-in: got %q, want /account/password", loc)
		}
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
		act := func(action string) string {
			t.Helper()
			res := c.Post("/admin/users/"+guest.ID+"/"+action, url.Values{})
			testapp.Want(t, res, http.StatusSeeOther)
			return strings.TrimSpace(c.Get(res.Header.Get("Location")).Doc(t).Find(`[data-testid="notice"]`).Text())
		}

		if msg := act("lock"); !strings.Contains(msg, "The account is locked") {
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
		if msg := act("unlock"); !strings.Contains(msg, "unlocked") {
			t.Errorf("unlock: got %q", msg)
		}
		if u := app.User(t, "demo.guest"); u.Status != models.StatusActive || u.FailedLoginCount != 0 || u.LockedAt != nil {
			t.Errorf("unlock: got status %s failed %d", u.Status, u.FailedLoginCount)
		}

		if msg := act("force-password-change"); !strings.Contains(msg, "must change their password") {
			t.Errorf("force: got %q", msg)
		}
		if !app.User(t, "demo.guest").MustChangePassword {
			t.Errorf("force: flag not set")
		}

		gc = app.Client(t)
		gc.SignInGuest()
		if msg := act("revoke-sessions"); !strings.Contains(msg, "Signed out of all sessions") {
			t.Errorf("revoke: got %q", msg)
		}
		if res := gc.Get("/account/password"); res.StatusCode != http.StatusSeeOther {
			t.Errorf("after revoke: the guest's session still works (%d)", res.StatusCode)
		}

		gc = app.Client(t)
		gc.SignInGuest()
		res := c.Post("/admin/users/"+guest.ID+"/reset-password", url.Values{})
		testapp.Want(t, res, http.StatusOK)
		if cc := res.Header.Get("Cache-Control"); cc != "no-store" {
			t.Errorf("reset answer Cache-Control: got %q, want no-store", cc)
		}
		temp := strings.TrimSpace(res.Doc(t).Find(`[data-testid="temp-password"] strong`).Text())
		if len(temp) < 14 {
			t.Fatalf("temporary password: got %q", temp)
		}
		if strings.Contains(c.Get("/admin/users/"+guest.ID).Body, temp) {
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

		actions := map[string]bool{}
		for _, ev := range app.Audit(t, guest.ID) {
			if ev.ActorID != nil && *ev.ActorID == admin.ID {
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

		// Not on oneself.
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
	})
}

// An initial password passes the same checks as one a guest chooses: the
// blocklist and the new user's username and email, not only the policy,
// and under the NIST preset its strength, for which the new user's names
// and the merchant's name count as easy words.
func TestAdminCreateUserPasswordRules(t *testing.T) {
	const tooEasy = "Initial password is too easy to guess: "
	tests := []struct {
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
	}
	testapp.ForEach(t, func(t *testing.T, b testapp.Backend) {
		app := testapp.New(t, b)
		c := adminClient(t, app)
		form := func(password string) url.Values {
			return url.Values{"username": {"new.member"}, "email": {"sam.new@example.com"}, "password": {password},
				"first_name": {"Sam"}, "last_name": {"Quillfeather"}, "roles": {models.RoleCustomer}}
		}
		nist := false
		for _, tt := range tests {
			if tt.nist && !nist {
				useNIST(t, app)
				nist = true
			}
			t.Run(tt.name, func(t *testing.T) {
				res := c.Post("/admin/users", form(tt.password))
				testapp.Want(t, res, http.StatusUnprocessableEntity)
				if got := testapp.FieldError(res.Doc(t), "password"); got != tt.want {
					t.Errorf("password error: got %q, want %q", got, tt.want)
				}
				if strings.Contains(res.Body, tt.password) {
					t.Errorf("the page repeats the typed password")
				}
			})
		}
		var n int64
		app.DB.Model(&models.User{}).Where("username = ?", "new.member").Count(&n)
		if n != 0 {
			t.Fatalf("a refused user was created")
		}
		testapp.Want(t, c.Post("/admin/users", form("tuesday kite harbour")), http.StatusSeeOther)
	})
}

// version is the user's stored version, as their edit form carries it.
func version(t *testing.T, app *testapp.App, username string) string {
	t.Helper()
	return strconv.Itoa(app.User(t, username).Version)
}
