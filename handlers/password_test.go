package handlers_test

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"golang.org/x/crypto/bcrypt"

	"myaccount/internal/testapp"
	"myaccount/models"
)

func TestPasswordPage(t *testing.T) {
	testapp.RunScenarios(t, []testapp.Scenario{{
		Name: "the demo guest", As: "guest", Path: "/account/password", Status: http.StatusOK,
		Labels: map[string]string{"current_password": "Current password", "new_password": "New password", "confirm_password": "Re-enter new password"},
		Text: map[string]string{"#current_password@type": "password", "#new_password@type": "password", "#confirm_password@type": "password",
			// The live check.
			"#new_password@hx-post": "/account/password/check"},
		// The 5 VELA rules, the blocklist and the context rule, unmet.
		Count: map[string]int{`[data-testid="password-rules"] li[data-met="false"]`: 7},
		// A change is not due.
		Absent: []string{`[data-testid="password-due"]`},
		After: func(t *testing.T, _ *testapp.App, res *testapp.Response) {
			for rule, label := range map[string]string{"common": "Not a commonly used password", "personal": "Does not contain your username or email"} {
				if got := res.Doc(t).Find(`li[data-rule="` + rule + `"]`).Contents().First().Text(); got != label {
					t.Errorf("rule %s: got %q, want %q", rule, got, label)
				}
			}
		},
	}})
}

func TestPasswordCheck(t *testing.T) {
	var scenarios []testapp.Scenario
	for _, tt := range []struct {
		pw         string
		met, unmet []string
		label      string
		warning    string
	}{
		{"", nil, []string{"length", "lower", "upper", "digits", "special", "common", "personal"}, "not rated yet", ""},
		{"abc", []string{"lower", "common", "personal"}, []string{"length", "upper", "digits", "special"}, "Very weak", "Sequences like abc or 6543 are easy to guess"},
		{"Abcdef1!", []string{"length", "lower", "upper", "digits", "special", "common", "personal"}, nil, "Weak", ""},
		{"Password1!", []string{"length", "lower", "upper", "digits", "special", "personal"}, []string{"common"}, "Weak", "This is similar to a commonly used password"},
		{"Demo.guest#1", []string{"length", "lower", "upper", "digits", "special", "common"}, []string{"personal"}, "Weak", ""},
		{"Maya#2026x", []string{"length", "lower", "upper", "digits", "special", "common", "personal"}, nil, "Strong", ""},
		{"Tq8#vL2m!Rz5@Wk9$Np3", []string{"length", "lower", "upper", "digits", "special", "common", "personal"}, nil, "Very strong", ""},
	} {
		s := checked(tt.pw, tt.pw)
		s.Text = map[string]string{`[data-testid="strength-label"]`: tt.label,
			// zxcvbn's feedback is read out with the checklist.
			`[aria-live="polite"] [data-testid="password-warning"]`: tt.warning}
		for _, rule := range tt.met {
			s.Text[`li[data-rule="`+rule+`"]@data-met`] = "true"
		}
		for _, rule := range tt.unmet {
			s.Text[`li[data-rule="`+rule+`"]@data-met`] = "false"
		}
		// No strength rule under VELA (no lowest strength).
		s.Absent = []string{`[data-rule="strength"]`}
		if len(tt.pw) > 3 {
			s.NotInBody = []string{tt.pw}
		}
		s.After = func(t *testing.T, app *testapp.App, res *testapp.Response) {
			// The meter is the estimate for this guest: their username,
			// email, names and merchant count as easy words.
			want := models.EstimateStrength(tt.pw, app.User(t, guestLogin).PasswordOwner(app.Merchant(t, "sandpiper")))
			doc := res.Doc(t)
			if v, _ := doc.Find("meter#password-strength").Attr("value"); v != strconv.Itoa(want.Meter) {
				t.Errorf("strength: got %s, want %d", v, want.Meter)
			}
			if n := doc.Find(`[aria-live="polite"] [data-testid="password-suggestions"] li`).Length(); (n > 0) != (want.Score <= 2 && tt.pw != "") {
				t.Errorf("suggestions: got %d, want some for a score of 2 or less (score %d)", n, want.Score)
			}
		}
		scenarios = append(scenarios, s)
	}
	testapp.RunScenarios(t, scenarios)
}

// useNIST puts Sandpiper Bay on the NIST SP 800-63B preset.
func useNIST(t *testing.T, app *testapp.App) {
	t.Helper()
	err := app.DB.Model(&models.Merchant{}).Where("code = ?", "sandpiper").Updates(map[string]any{
		"password_min_length": 15, "password_min_lower": 0, "password_min_upper": 0, "password_min_digits": 0, "password_min_special": 0, "password_min_score": 3,
	}).Error
	if err != nil {
		t.Fatal(err)
	}
}

// Under a lowest strength, the live check shows whether the password is
// hard to guess, with zxcvbn's warning and suggestions inside the live
// region, and the meter and its label from the same estimate.
func TestPasswordCheckStrength(t *testing.T) {
	var scenarios []testapp.Scenario
	for _, tt := range []struct {
		name                string
		pw                  string
		met                 bool
		label               string
		meterMin, meterMax  int
		warning, suggestion string
	}{
		{"nothing typed", "", false, "not rated yet", 0, 0, "", ""},
		{"repeats", "aaaaaaaaaaaaaaaa", false, "Very weak", 0, 19, `Repeats like "aaa" are easy to guess`, "Avoid repeated words and characters"},
		{"a common word and digits", "password12345678", false, "Weak", 20, 39, "This is similar to a commonly used password", "Add another word or two. Uncommon words are better."},
		{"a sequence", "abcdefghijklmnop", false, "Very weak", 0, 19, "Sequences like abc or 6543 are easy to guess", "Avoid sequences"},
		{"the merchant's name repeated", "SandpiperBaySandpiperBay", false, "Weak", 20, 39, "", "Add another word or two. Uncommon words are better."},
		{"a passphrase", "tuesday kite harbour", true, "Very strong", 80, 100, "", ""},
	} {
		s := checked(tt.name, tt.pw)
		s.Before = func(t *testing.T, app *testapp.App, _ *testapp.Client) { useNIST(t, app) }
		live := `[data-testid="password-rules"] [aria-live="polite"]`
		s.Text = map[string]string{`li[data-rule="strength"]@data-met`: strconv.FormatBool(tt.met), `[data-testid="strength-label"]`: tt.label,
			live + ` [data-testid="password-warning"]`: tt.warning}
		// The checklist is inside the live region.
		s.Count = map[string]int{live + ` li[data-rule="strength"]`: 1}
		s.After = func(t *testing.T, _ *testapp.App, res *testapp.Response) {
			doc := res.Doc(t)
			if got := doc.Find(`li[data-rule="strength"]`).Contents().First().Text(); got != "Hard to guess" {
				t.Errorf("strength rule: got %q, want Hard to guess", got)
			}
			v, _ := doc.Find("meter#password-strength").Attr("value")
			if meter, err := strconv.Atoi(v); err != nil || meter < tt.meterMin || meter > tt.meterMax {
				t.Errorf("meter: got %q, want %d to %d", v, tt.meterMin, tt.meterMax)
			}
			var suggestions []string
			doc.Find(live + ` [data-testid="password-suggestions"] li`).Each(func(_ int, s *goquery.Selection) {
				suggestions = append(suggestions, strings.TrimSpace(s.Text()))
			})
			if tt.suggestion == "" && len(suggestions) > 0 || tt.suggestion != "" && !slices.Contains(suggestions, tt.suggestion) {
				t.Errorf("suggestions in the live region: got %q, want %q among them", suggestions, tt.suggestion)
			}
		}
		scenarios = append(scenarios, s)
	}
	testapp.RunScenarios(t, scenarios)
}

// Under the NIST preset, long passwords that are easy to guess are refused
// with zxcvbn's warning, and a passphrase of plain words is accepted.
func TestPasswordChangeNIST(t *testing.T) {
	const tooEasy = "New password is too easy to guess: "
	var scenarios []testapp.Scenario
	for _, tt := range []struct {
		name, pw string
		want     []string
	}{
		{"a common word and digits", "password12345678", []string{tooEasy + "This is similar to a commonly used password"}},
		{"digits in a row", "1234567890123456", []string{tooEasy + "This is similar to a commonly used password"}},
		{"a repeated character", "aaaaaaaaaaaaaaaa", []string{tooEasy + `Repeats like "aaa" are easy to guess`}},
		{"a repeated word", "passwordpassword", []string{tooEasy + `Repeats like "abcabcabc" are only slightly harder to guess than "abc"`}},
		{"the username and digits", "demo.guest12345678", []string{"New password must not contain your username", tooEasy + "Add another word or two. Uncommon words are better."}},
		{"the merchant's name repeated", "SandpiperBaySandpiperBay", []string{tooEasy + "Add another word or two. Uncommon words are better."}},
		{"a line break", "tuesday kite\nharbour", []string{"New password must not contain control characters such as tabs or line breaks"}},
		{"a passphrase", "tuesday kite harbour", nil},
	} {
		s := testapp.Scenario{Name: tt.name, As: "guest", Method: http.MethodPost, Path: "/account/password", Form: passwordChange(guestPassword, tt.pw), Shared: true,
			Before: func(t *testing.T, app *testapp.App, _ *testapp.Client) { useNIST(t, app) },
			Status: http.StatusUnprocessableEntity, Contains: map[string][]string{"#new_password-error": tt.want}, Summary: tt.want}
		if tt.want == nil {
			s.Status, s.Contains = http.StatusSeeOther, nil
		}
		scenarios = append(scenarios, s)
	}
	testapp.RunScenarios(t, scenarios)
}

func TestPasswordChangeErrors(t *testing.T) {
	long := strings.Repeat("Aa1!", 18) + "x" // 73 bytes
	change := func(next string) url.Values { return passwordChange(guestPassword, next) }
	var before *models.User
	var scenarios []testapp.Scenario
	for _, tt := range []struct {
		name string
		form url.Values
		want map[string][]string
	}{
		{"empty", url.Values{}, map[string][]string{
			"current_password": {"Enter your current password"},
			"new_password":     {"Enter a new password"},
		}},
		{"wrong current password", passwordChange("Wrong#2026", "Better#2027"), map[string][]string{"current_password": {"Your current password is incorrect"}}},
		{"mismatch", url.Values{"current_password": {"Guest#2026"}, "new_password": {"Better#2027"}, "confirm_password": {"Better#2028"}},
			map[string][]string{"confirm_password": {"The passwords do not match"}}},
		{"every rule unmet", change("kqz"), map[string][]string{"new_password": {
			"New password must have at least 6 characters",
			"New password must have at least 1 uppercase letter",
			"New password must have at least 1 digit",
			"New password must have at least 1 special character (like ! # or ?)",
		}}},
		{"too long for bcrypt", change(long), map[string][]string{"new_password": {"New password must be 72 bytes or fewer (accented letters and emoji take more than one)"}}},
		{"same as current", change("Guest#2026"), map[string][]string{"new_password": {"New password must be different from your current password"}}},
		{"common password meeting the VELA rules", change("Password1!"), map[string][]string{"new_password": {"New password is too common: choose one that is harder to guess"}}},
		{"common password in capitals", change("PASSWORD1!"), map[string][]string{"new_password": {"New password is too common: choose one that is harder to guess"}}},
		{"contains the username", change("Demo.guest#1"), map[string][]string{"new_password": {"New password must not contain your username"}}},
		{"a tab", change("Maya#2026\tx"), map[string][]string{"new_password": {"New password must not contain control characters such as tabs or line breaks"}}},
	} {
		s := testapp.Scenario{Name: tt.name, As: "guest", Method: http.MethodPost, Path: "/account/password", Form: tt.form, Shared: true,
			Before: func(t *testing.T, app *testapp.App, _ *testapp.Client) { before = app.User(t, guestLogin) },
			Status: http.StatusUnprocessableEntity, Contains: map[string][]string{},
			After: func(t *testing.T, app *testapp.App, res *testapp.Response) {
				summary := res.Doc(t).Find(`[data-testid="error-summary"] a`)
				for field, msgs := range tt.want {
					for _, msg := range msgs {
						if summary.FilterFunction(func(_ int, s *goquery.Selection) bool {
							return s.AttrOr("href", "") == "#"+field && strings.TrimSpace(s.Text()) == msg
						}).Length() != 1 {
							t.Errorf("summary: got no link to #%s saying %q", field, msg)
						}
					}
				}
				if after := app.User(t, guestLogin); after.PasswordHash != before.PasswordHash || after.Version != before.Version {
					t.Errorf("a refused change was stored")
				}
			}}
		for field, msgs := range tt.want {
			s.Contains["#"+field+"-error"] = msgs
		}
		for _, v := range tt.form {
			if v[0] != "" {
				s.NotInBody = append(s.NotInBody, v[0])
			}
		}
		scenarios = append(scenarios, s)
	}
	testapp.RunScenarios(t, scenarios)
}

func TestPasswordChange(t *testing.T) {
	testapp.ForEach(t, func(t *testing.T, b testapp.Backend) {
		app := testapp.New(t, b)
		c := app.ClientAs(t, "guest")
		before := app.User(t, "demo.guest")
		testapp.Want(t, c.Post("/account/password", passwordChange("Guest#2026", "Better#2027")), http.StatusSeeOther)
		after := app.User(t, "demo.guest")
		if cost, err := bcrypt.Cost([]byte(after.PasswordHash)); err != nil || cost != 4 {
			t.Errorf("hash cost: got %d (%v), want the configured 4", cost, err)
		}
		if bcrypt.CompareHashAndPassword([]byte(after.PasswordHash), []byte("Better#2027")) != nil {
			t.Errorf("stored hash does not match the new password")
		}
		if after.PasswordChangedAt == nil || (before.PasswordChangedAt != nil && !after.PasswordChangedAt.After(*before.PasswordChangedAt)) {
			t.Errorf("password_changed_at: got %v, want now", after.PasswordChangedAt)
		}
		var history []models.PasswordHistory
		app.DB.Where("user_id = ?", before.ID).Find(&history)
		if len(history) != 1 || history[0].Hash != before.PasswordHash {
			t.Errorf("password history: got %d rows, want the previous hash", len(history))
		}
		evs := app.Audit(t, before.ID)
		if evs[0].Action != models.ActionPasswordChange || len(evs[0].Changes) != 1 || evs[0].Changes[0].Old != models.Secret || evs[0].Changes[0].New != models.Secret {
			t.Errorf("audit: got %+v, want password changed → changed", evs[0])
		}
		testapp.Scenario{Path: "/account", Contains: map[string][]string{`[data-testid="notice"]`: {"Your password has been changed."}}}.Send(t, c)

		testapp.Scenario{Name: "the old password", Method: http.MethodPost, Path: "/login", Form: url.Values{"login": {"demo.guest"}, "password": {"Guest#2026"}},
			Status: http.StatusUnprocessableEntity}.Run(t, app)
		app.Client(t).SignIn("demo.guest", "Better#2027")

		// With htmx the section answers itself, cleared, with the message.
		testapp.Scenario{Method: http.MethodPost, Path: "/account/password", HTMX: true, Form: passwordChange("Better#2027", "Best#20288"),
			Status: http.StatusOK, Fragment: true, Count: map[string]int{"section#password-form [data-testid=notice]": 1}}.Send(t, c)
	})
}

func TestForcedPasswordChange(t *testing.T) {
	testapp.ForEach(t, func(t *testing.T, b testapp.Backend) {
		app := testapp.New(t, b)
		app.DB.Model(&models.User{}).Where("username = ?", "demo.guest").Update("must_change_password", true)
		c := app.Client(t)
		testapp.Scenario{Method: http.MethodPost, Path: "/login", Form: url.Values{"login": {"demo.guest"}, "password": {"Guest#2026"}},
			Status: http.StatusSeeOther, Headers: location("/account/password")}.Send(t, c)
		for _, path := range []string{"/account", "/account/profile/edit", "/account/email"} {
			testapp.Scenario{Path: path, Status: http.StatusSeeOther, Headers: location("/account/password")}.Send(t, c)
		}
		testapp.Want(t, c.Post("/account/profile", url.Values{"city": {"Elsewhere"}}), http.StatusSeeOther)
		if app.User(t, "demo.guest").City == "Elsewhere" {
			t.Errorf("a profile change went through before the password change")
		}
		testapp.Scenario{Path: "/account/password", Text: map[string]string{`[data-testid="password-due"]@data-reason`: models.PasswordChangeRequired}}.Send(t, c)
		testapp.Want(t, c.Post("/account/password/check", url.Values{"new_password": {"abc"}}), http.StatusOK)
		testapp.Want(t, c.Post("/account/password", passwordChange("Guest#2026", "Better#2027")), http.StatusSeeOther)
		if app.User(t, "demo.guest").MustChangePassword {
			t.Errorf("must_change_password: still set after the change")
		}
		testapp.Want(t, c.Get("/account"), http.StatusOK)
	})
}

func TestEmailChange(t *testing.T) {
	// other is the first user by username of the guest's merchant (in)
	// or of another (not in).
	other := func(t *testing.T, app *testapp.App, in bool) *models.User {
		guest := app.User(t, guestLogin)
		var u models.User
		if in {
			app.DB.Where("merchant_id = ? AND id <> ?", guest.MerchantID, guest.ID).Order("username").Take(&u)
		} else {
			app.DB.Where("merchant_id <> ?", guest.MerchantID).Order("username").Take(&u)
		}
		return &u
	}
	emailForm := func(next, confirm, password string) url.Values {
		return url.Values{"new_email": {next}, "confirm_email": {confirm}, "current_password": {password}}
	}
	var sent url.Values
	refused := func(name string, form url.Values, field, msg string) testapp.Scenario {
		return testapp.Scenario{Name: name, As: "guest", Method: http.MethodPost, Path: "/account/email", Shared: true,
			FormFunc: func(*testing.T, *testapp.App, *testapp.Client) url.Values { sent = form; return form },
			Status:   http.StatusUnprocessableEntity, Contains: map[string][]string{"#" + field + "-error": {msg}},
			// The new email is kept, the password is not.
			NotInBody: []string{"Guest#2026"},
			After: func(t *testing.T, app *testapp.App, res *testapp.Response) {
				if v := res.Doc(t).Find("#new_email").AttrOr("value", ""); v != sent.Get("new_email") {
					t.Errorf("new email kept: got %q, want %q", v, sent.Get("new_email"))
				}
				if app.User(t, "demo.guest").Email != "demo.guest@example.com" {
					t.Fatalf("a refused email change was stored")
				}
			}}
	}
	taken := refused("taken in the merchant", nil, "new_email", "Another account already uses this email address")
	taken.FormFunc = func(t *testing.T, app *testapp.App, _ *testapp.Client) url.Values {
		email := strings.ToUpper(other(t, app, true).Email)
		sent = emailForm(email, email, "Guest#2026")
		return sent
	}
	testapp.RunScenarios(t, []testapp.Scenario{
		{Name: "the form", As: "guest", Path: "/account/email", Shared: true, Status: http.StatusOK,
			Labels: map[string]string{"new_email": "New email", "confirm_email": "Re-enter email", "current_password": "Current password"}},
		refused("bad format", emailForm("maya@", "maya@", "Guest#2026"), "new_email", "Enter an email address in the correct format, like name@example.com"),
		refused("mismatch", emailForm("maya@example.org", "maya@example.net", "Guest#2026"), "confirm_email", "The email addresses do not match"),
		refused("wrong password", emailForm("maya@example.org", "maya@example.org", "nope"), "current_password", "Your current password is incorrect"),
		refused("no password", url.Values{"new_email": {"maya@example.org"}, "confirm_email": {"maya@example.org"}}, "current_password", "Enter your current password"),
		refused("same as now", emailForm("Demo.Guest@example.com", "Demo.Guest@example.com", "Guest#2026"), "new_email", "New email must be different from your current email"),
		taken,
		// Uniqueness is per merchant: another merchant's address is fine.
		{Name: "another merchant's address", As: "guest", Method: http.MethodPost, Path: "/account/email", Shared: true,
			FormFunc: func(t *testing.T, app *testapp.App, _ *testapp.Client) url.Values {
				email := other(t, app, false).Email
				return emailForm(email, email, "Guest#2026")
			},
			Status: http.StatusSeeOther,
			After: func(t *testing.T, app *testapp.App, res *testapp.Response) {
				email := other(t, app, false).Email
				// It waits for the link mailed to it (TestEmailChangeByLink).
				after := app.User(t, "demo.guest")
				if after.Email != "demo.guest@example.com" || after.PendingEmail != email {
					t.Errorf("stored: got email %q pending %q", after.Email, after.PendingEmail)
				}
				ev := app.Audit(t, after.ID)[0]
				if ev.Action != models.ActionEmailChangeRequested || ev.Changes[0].Old != "" || ev.Changes[0].New != email {
					t.Errorf("audit: got %+v", ev)
				}
				testapp.Scenario{Path: "/account", Contains: map[string][]string{`[data-testid="notice"]`: {email}}}.Send(t, res.Client)
			}},
	})
}

// A password older than the merchant's maximum age must be changed before
// anything else, unless the account's password never expires.
func TestPasswordExpiry(t *testing.T) {
	expire := func(t *testing.T, app *testapp.App, user string, neverExpire bool) {
		app.DB.Model(&models.Merchant{}).Where("code = ?", "sandpiper").Update("password_max_age_days", 30)
		app.DB.Model(&models.User{}).Where("username = ?", user).Updates(map[string]any{
			"password_changed_at": time.Now().UTC().AddDate(0, 0, -31), "password_never_expires": neverExpire,
		})
	}
	var scenarios []testapp.Scenario
	for _, tt := range []struct {
		name        string
		user        string
		password    string
		neverExpire bool
		home        string // a page the user may otherwise open
		wantDue     bool
	}{
		{"guest, expired", "demo.guest", "Guest#2026", false, "/account", true},
		{"admin, expired", "demo.admin", "Admin#2026", false, "/admin/users", true},
		{"guest, password never expires", "demo.guest", "Guest#2026", true, "/account", false},
	} {
		wantLoc := "/account"
		if tt.wantDue {
			wantLoc = "/account/password"
		}
		scenarios = append(scenarios, testapp.Scenario{
			Name: tt.name, Method: http.MethodPost, Path: "/login", Form: url.Values{"login": {tt.user}, "password": {tt.password}},
			Before: func(t *testing.T, app *testapp.App, _ *testapp.Client) { expire(t, app, tt.user, tt.neverExpire) },
			Status: http.StatusSeeOther, Headers: location(wantLoc),
			After: func(t *testing.T, app *testapp.App, res *testapp.Response) {
				c := res.Client
				if !tt.wantDue {
					testapp.Want(t, c.Get(tt.home), http.StatusOK)
					return
				}
				testapp.Scenario{Path: tt.home, Status: http.StatusSeeOther, Headers: location("/account/password")}.Send(t, c)
				// The expired notice naming 30 days, and no Cancel link while
				// a change is due.
				testapp.Scenario{Path: "/account/password", Status: http.StatusOK,
					Text:     map[string]string{`[data-testid="password-due"]@data-reason`: models.PasswordChangeExpired},
					Contains: map[string][]string{`[data-testid="password-due"]`: {"every 30 days"}},
					Absent:   []string{`#password-form a[href="/account"]`}}.Send(t, c)
				testapp.Want(t, c.Post("/account/password", passwordChange(tt.password, "Fresh#Pass42")), http.StatusSeeOther)
				testapp.Want(t, c.Get(tt.home), http.StatusOK)
			},
		})
	}
	testapp.RunScenarios(t, append(scenarios, testapp.Scenario{
		Name: "sign-out while a change is due", Method: http.MethodPost, Path: "/logout",
		Before: func(t *testing.T, app *testapp.App, c *testapp.Client) {
			expire(t, app, "demo.guest", false)
			c.SignInGuest()
		},
		Status: http.StatusSeeOther, Headers: location("/login"),
	}))
}

// The reuse rule and the blocklist through the real router: back to an
// earlier password is refused under the merchant's history.
func TestPasswordReuse(t *testing.T) {
	testapp.ForEach(t, func(t *testing.T, b testapp.Backend) {
		app := testapp.New(t, b)
		c := app.Client(t)
		c.SignInGuest()
		change := func(current, next string) *testapp.Response {
			return c.Post("/account/password", passwordChange(current, next))
		}
		testapp.Want(t, change("Guest#2026", "Better#2027"), http.StatusSeeOther)
		testapp.Want(t, change("Better#2027", "Fresh#Pass42"), http.StatusSeeOther)
		res := change("Fresh#Pass42", "Guest#2026")
		testapp.Want(t, res, http.StatusUnprocessableEntity)
		if got := testapp.FieldError(res.Doc(t), "new_password"); got != "New password must not be one of your last 5 passwords" {
			t.Errorf("reuse: got %q", got)
		}
		var rows int64
		app.DB.Model(&models.PasswordHistory{}).Where("user_id = ?", app.User(t, "demo.guest").ID).Count(&rows)
		if rows != 2 {
			t.Errorf("history rows: got %d, want 2", rows)
		}
	})
}

// POST /account/password/check — past a typing pace the checklist stands
// still (204, which htmx leaves alone) instead of estimating again: a
// crafted password costs a fifth of a second of CPU to estimate.
func TestPasswordCheckIsLimited(t *testing.T) {
	app := testapp.New(t, testapp.Backend{Name: "sqlite"})
	c := app.Client(t)
	c.SignInGuest()
	c.HTMX = true
	start := time.Now()
	for i := 1; i <= 120; i++ {
		res := c.Post("/account/password/check", url.Values{"new_password": {"Sandbar#Kite-48"}})
		if res.StatusCode != http.StatusOK {
			t.Fatalf("check %d: got %d, want 200", i, res.StatusCode)
		}
	}
	// The bucket refills at 2 a second while the checks run: the next
	// few may still pass, then the checklist stands still.
	refilled := 2*int(time.Since(start).Seconds()+1) + 1
	res := c.Post("/account/password/check", url.Values{"new_password": {"Sandbar#Kite-482"}})
	for i := 0; res.StatusCode == http.StatusOK && i < refilled; i++ {
		res = c.Post("/account/password/check", url.Values{"new_password": {"Sandbar#Kite-482"}})
	}
	testapp.Want(t, res, http.StatusNoContent)
	if res.Body != "" || res.Header.Get("Retry-After") == "" {
		t.Errorf("check over the limit: got body %q, Retry-After %q; want none and a wait", res.Body, res.Header.Get("Retry-After"))
	}
	// Another user is not held up.
	admin := adminClient(t, app)
	admin.HTMX = true
	testapp.Want(t, admin.Post("/account/password/check", url.Values{"new_password": {"x"}}), http.StatusOK)
}

// checked is the live check of password, as htmx asks for it.
func checked(name, password string) testapp.Scenario {
	return testapp.Scenario{Name: name, As: "guest", Method: http.MethodPost, Path: "/account/password/check", HTMX: true, Shared: true,
		Form: url.Values{"new_password": {password}}, Status: http.StatusOK}
}

// A password with a tab is refused by the form, and the live checklist
// says so on both pages that choose a password: the account's and a
// mailed link's. It shows an unmet rule of its own even where every
// other rule is met and the meter says the rest is strong.
func TestPasswordCheckShowsControlCharacters(t *testing.T) {
	const pw = "Tq8#vL2m!Rz5\t@Wk9$Np3"
	const rule = `[data-testid="password-rules"] li[data-rule="control"]`
	label := "No tabs, line breaks or other control characters"
	s := checked("a tab", pw)
	s.Text = map[string]string{rule + "@data-met": "false", `li[data-rule="common"]@data-met`: "true", `li[data-rule="personal"]@data-met`: "true"}
	s.Contains = map[string][]string{rule: {label}}
	plain := checked("no tab", "Tq8#vL2m!Rz5@Wk9$Np3")
	plain.Absent = []string{rule}
	refused := testapp.Scenario{Name: "the form", As: "guest", Method: http.MethodPost, Path: "/account/password", Form: passwordChange(guestPassword, pw),
		Status: http.StatusUnprocessableEntity, Errors: map[string]string{"new_password": "New password must not contain control characters such as tabs or line breaks"}}
	testapp.RunScenarios(t, []testapp.Scenario{s, plain, refused})

	testapp.ForEach(t, func(t *testing.T, b testapp.Backend) {
		app, mb := mailingApp(t, b)
		c := app.Client(t)
		followLink(t, c, mailedLink(t, app, mb, guestLogin))
		testapp.Scenario{Name: "the link's live checklist", Method: http.MethodPost, Path: resetCheckPath, Form: url.Values{"new_password": {pw}}, HTMX: true,
			Status: http.StatusOK, Text: map[string]string{rule + "@data-met": "false"}, Contains: map[string][]string{rule: {label}}}.Send(t, c)
		testapp.Scenario{Name: "the link's form", Method: http.MethodPost, Path: resetPagePath, Form: chooseOnLink(pw),
			Status: http.StatusUnprocessableEntity, Errors: map[string]string{"new_password": "New password must not contain control characters such as tabs or line breaks"}}.Send(t, c)
	})
}
