package handlers_test

import (
	"net/http"
	"net/url"
	"reflect"
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
	testapp.ForEach(t, func(t *testing.T, b testapp.Backend) {
		app := testapp.New(t, b)
		c := app.Client(t)
		c.SignInGuest()
		res := c.Get("/account/password")
		testapp.Want(t, res, http.StatusOK)
		doc := res.Doc(t)
		for id, label := range map[string]string{"current_password": "Current password", "new_password": "New password", "confirm_password": "Re-enter new password"} {
			if got := testapp.Label(doc, id); got != label {
				t.Errorf("label for %s: got %q, want %q", id, got, label)
			}
			if typ, _ := doc.Find("#" + id).Attr("type"); typ != "password" {
				t.Errorf("#%s type: got %q, want password", id, typ)
			}
		}
		if n := doc.Find(`[data-testid="password-rules"] li[data-met="false"]`).Length(); n != 7 {
			t.Errorf("checklist: got %d unmet rules, want the 5 VELA rules, the blocklist and the context rule", n)
		}
		for rule, label := range map[string]string{"common": "Not a commonly used password", "personal": "Does not contain your username or email"} {
			if got := doc.Find(`li[data-rule="` + rule + `"]`).Contents().First().Text(); got != label {
				t.Errorf("rule %s: got %q, want %q", rule, got, label)
			}
		}
		if doc.Find(`[data-testid="password-due"]`).Length() != 0 {
			t.Errorf("a change is not due: got the notice that it is")
		}
		if v, _ := doc.Find("#new_password").Attr("hx-post"); v != "/account/password/check" {
			t.Errorf("live check: got hx-post %q, want /account/password/check", v)
		}
	})
}

func TestPasswordCheck(t *testing.T) {
	testapp.ForEach(t, func(t *testing.T, b testapp.Backend) {
		app := testapp.New(t, b)
		c := app.Client(t)
		c.SignInGuest()
		c.HTMX = true
		owner := app.User(t, "demo.guest").PasswordOwner(app.Merchant(t, "sandpiper"))
		tests := []struct {
			pw      string
			met     []string
			unmet   []string
			label   string
			warning string
		}{
			{"", nil, []string{"length", "lower", "upper", "digits", "special", "common", "personal"}, "Very weak", ""},
			{"abc", []string{"lower", "common", "personal"}, []string{"length", "upper", "digits", "special"}, "Very weak", "Sequences like abc or 6543 are easy to guess"},
			{"Abcdef1!", []string{"length", "lower", "upper", "digits", "special", "common", "personal"}, nil, "Weak", ""},
			{"Password1!", []string{"length", "lower", "upper", "digits", "special", "personal"}, []string{"common"}, "Weak", "This is similar to a commonly used password"},
			{"Demo.guest#1", []string{"length", "lower", "upper", "digits", "special", "common"}, []string{"personal"}, "Weak", ""},
			{"Maya#2026x", []string{"length", "lower", "upper", "digits", "special", "common", "personal"}, nil, "Strong", ""},
			{"Tq8#vL2m!Rz5@Wk9$Np3", []string{"length", "lower", "upper", "digits", "special", "common", "personal"}, nil, "Very strong", ""},
		}
		for _, tt := range tests {
			res := c.Post("/account/password/check", url.Values{"new_password": {tt.pw}})
			testapp.Want(t, res, http.StatusOK)
			doc := res.Doc(t)
			for _, rule := range tt.met {
				if v, _ := doc.Find(`li[data-rule="` + rule + `"]`).Attr("data-met"); v != "true" {
					t.Errorf("%q rule %s: got met=%q, want true", tt.pw, rule, v)
				}
			}
			for _, rule := range tt.unmet {
				if v, _ := doc.Find(`li[data-rule="` + rule + `"]`).Attr("data-met"); v != "false" {
					t.Errorf("%q rule %s: got met=%q, want false", tt.pw, rule, v)
				}
			}
			// The meter is the estimate for this guest: their username,
			// email, names and merchant count as easy words.
			want := models.EstimateStrength(tt.pw, owner)
			if v, _ := doc.Find("meter#password-strength").Attr("value"); v != strconv.Itoa(want.Meter) {
				t.Errorf("%q strength: got %s, want %d", tt.pw, v, want.Meter)
			}
			if got := doc.Find(`[data-testid="strength-label"]`).Text(); got != tt.label {
				t.Errorf("%q strength label: got %q, want %q", tt.pw, got, tt.label)
			}
			if doc.Find(`[data-rule="strength"]`).Length() != 0 {
				t.Errorf("%q: got the strength rule, want none under VELA (no lowest strength)", tt.pw)
			}
			// zxcvbn's feedback is read out with the checklist.
			if got := strings.TrimSpace(doc.Find(`[aria-live="polite"] [data-testid="password-warning"]`).Text()); got != tt.warning {
				t.Errorf("%q warning: got %q, want %q", tt.pw, got, tt.warning)
			}
			if n := doc.Find(`[aria-live="polite"] [data-testid="password-suggestions"] li`).Length(); (n > 0) != (want.Score <= 2 && tt.pw != "") {
				t.Errorf("%q suggestions: got %d, want some for a score of 2 or less (score %d)", tt.pw, n, want.Score)
			}
			if tt.pw != "" && strings.Contains(res.Body, tt.pw) && len(tt.pw) > 3 {
				t.Errorf("the checklist echoes the password")
			}
		}
	})
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
	tests := []struct {
		name       string
		pw         string
		met        bool
		label      string
		meterMin   int
		meterMax   int
		warning    string
		suggestion string
	}{
		{"nothing typed", "", false, "Very weak", 0, 0, "", ""},
		{"repeats", "aaaaaaaaaaaaaaaa", false, "Very weak", 0, 19, `Repeats like "aaa" are easy to guess`, "Avoid repeated words and characters"},
		{"a common word and digits", "password12345678", false, "Weak", 20, 39, "This is similar to a commonly used password", "Add another word or two. Uncommon words are better."},
		{"a sequence", "abcdefghijklmnop", false, "Very weak", 0, 19, "Sequences like abc or 6543 are easy to guess", "Avoid sequences"},
		{"the merchant's name repeated", "SandpiperBaySandpiperBay", false, "Weak", 20, 39, "", "Add another word or two. Uncommon words are better."},
		{"a passphrase", "tuesday kite harbour", true, "Very strong", 80, 100, "", ""},
	}
	testapp.ForEach(t, func(t *testing.T, b testapp.Backend) {
		app := testapp.New(t, b)
		useNIST(t, app)
		c := app.Client(t)
		c.SignInGuest()
		c.HTMX = true
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				res := c.Post("/account/password/check", url.Values{"new_password": {tt.pw}})
				testapp.Want(t, res, http.StatusOK)
				doc := res.Doc(t)
				rule := doc.Find(`li[data-rule="strength"]`)
				if got := rule.Contents().First().Text(); got != "Hard to guess" {
					t.Errorf("strength rule: got %q, want Hard to guess", got)
				}
				if v, _ := rule.Attr("data-met"); v != strconv.FormatBool(tt.met) {
					t.Errorf("strength rule met: got %q, want %v", v, tt.met)
				}
				if got := doc.Find(`[data-testid="strength-label"]`).Text(); got != tt.label {
					t.Errorf("strength label: got %q, want %q", got, tt.label)
				}
				v, _ := doc.Find("meter#password-strength").Attr("value")
				if meter, err := strconv.Atoi(v); err != nil || meter < tt.meterMin || meter > tt.meterMax {
					t.Errorf("meter: got %q, want %d to %d", v, tt.meterMin, tt.meterMax)
				}
				live := doc.Find(`[data-testid="password-rules"] [aria-live="polite"]`)
				if live.Find(`li[data-rule="strength"]`).Length() != 1 {
					t.Errorf("the checklist is not inside the live region")
				}
				if got := strings.TrimSpace(live.Find(`[data-testid="password-warning"]`).Text()); got != tt.warning {
					t.Errorf("warning in the live region: got %q, want %q", got, tt.warning)
				}
				var suggestions []string
				live.Find(`[data-testid="password-suggestions"] li`).Each(func(_ int, s *goquery.Selection) {
					suggestions = append(suggestions, strings.TrimSpace(s.Text()))
				})
				if tt.suggestion == "" && len(suggestions) > 0 || tt.suggestion != "" && !slices.Contains(suggestions, tt.suggestion) {
					t.Errorf("suggestions in the live region: got %q, want %q among them", suggestions, tt.suggestion)
				}
			})
		}
	})
}

// Under the NIST preset, long passwords that are easy to guess are refused
// with zxcvbn's warning, and a passphrase of plain words is accepted.
func TestPasswordChangeNIST(t *testing.T) {
	const tooEasy = "New password is too easy to guess: "
	tests := []struct {
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
	}
	testapp.ForEach(t, func(t *testing.T, b testapp.Backend) {
		app := testapp.New(t, b)
		useNIST(t, app)
		c := app.Client(t)
		c.SignInGuest()
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				res := c.Post("/account/password", url.Values{"current_password": {"Guest#2026"}, "new_password": {tt.pw}, "confirm_password": {tt.pw}})
				testapp.Want(t, res, http.StatusUnprocessableEntity)
				doc := res.Doc(t)
				got := testapp.FieldError(doc, "new_password")
				for _, msg := range tt.want {
					if !strings.Contains(got, msg) {
						t.Errorf("new password error: got %q, want %q", got, msg)
					}
				}
				if got := testapp.SummaryMessages(doc); !reflect.DeepEqual(got, tt.want) {
					t.Errorf("error summary: got %q, want %q", got, tt.want)
				}
			})
		}
		testapp.Want(t, c.Post("/account/password", url.Values{"current_password": {"Guest#2026"}, "new_password": {"tuesday kite harbour"}, "confirm_password": {"tuesday kite harbour"}}), http.StatusSeeOther)
	})
}

func TestPasswordChangeErrors(t *testing.T) {
	long := strings.Repeat("Aa1!", 18) + "x" // 73 bytes
	tests := []struct {
		name string
		form url.Values
		want map[string][]string
	}{
		{"empty", url.Values{}, map[string][]string{
			"current_password": {"Enter your current password"},
			"new_password":     {"Enter a new password"},
		}},
		{"wrong current password", url.Values{"current_password": {"Wrong#2026"}, "new_password": {"Better#2027"}, "confirm_password": {"Better#2027"}},
			map[string][]string{"current_password": {"Your current password is incorrect"}}},
		{"mismatch", url.Values{"current_password": {"Guest#2026"}, "new_password": {"Better#2027"}, "confirm_password": {"Better#2028"}},
			map[string][]string{"confirm_password": {"The passwords do not match"}}},
		{"every rule unmet", url.Values{"current_password": {"Guest#2026"}, "new_password": {"abc"}, "confirm_password": {"abc"}},
			map[string][]string{"new_password": {
				"New password must have at least 6 characters",
				"New password must have at least 1 uppercase letter",
				"New password must have at least 1 digit",
				"New password must have at least 1 special character (like ! # or ?)",
			}}},
		{"too long for bcrypt", url.Values{"current_password": {"Guest#2026"}, "new_password": {long}, "confirm_password": {long}},
			map[string][]string{"new_password": {"New password must be 72 bytes or fewer (accented letters and emoji take more than one)"}}},
		{"same as current", url.Values{"current_password": {"Guest#2026"}, "new_password": {"Guest#2026"}, "confirm_password": {"Guest#2026"}},
			map[string][]string{"new_password": {"New password must be different from your current password"}}},
		{"common password meeting the VELA rules", url.Values{"current_password": {"Guest#2026"}, "new_password": {"Password1!"}, "confirm_password": {"Password1!"}},
			map[string][]string{"new_password": {"New password is too common: choose one that is harder to guess"}}},
		{"common password in capitals", url.Values{"current_password": {"Guest#2026"}, "new_password": {"PASSWORD1!"}, "confirm_password": {"PASSWORD1!"}},
			map[string][]string{"new_password": {"New password is too common: choose one that is harder to guess"}}},
		{"contains the username", url.Values{"current_password": {"Guest#2026"}, "new_password": {"Demo.guest#1"}, "confirm_password": {"Demo.guest#1"}},
			map[string][]string{"new_password": {"New password must not contain your username"}}},
		{"a tab", url.Values{"current_password": {"Guest#2026"}, "new_password": {"Maya#2026\tx"}, "confirm_password": {"Maya#2026\tx"}},
			map[string][]string{"new_password": {"New password must not contain control characters such as tabs or line breaks"}}},
	}
	testapp.ForEach(t, func(t *testing.T, b testapp.Backend) {
		app := testapp.New(t, b)
		c := app.Client(t)
		c.SignInGuest()
		before := app.User(t, "demo.guest")
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				res := c.Post("/account/password", tt.form)
				testapp.Want(t, res, http.StatusUnprocessableEntity)
				doc := res.Doc(t)
				for field, msgs := range tt.want {
					got := doc.Find("#" + field + "-error").Text()
					for _, msg := range msgs {
						if !strings.Contains(got, msg) {
							t.Errorf("#%s-error: got %q, want %q", field, got, msg)
						}
						if doc.Find(`[data-testid="error-summary"] a[href="#`+field+`"]`).FilterFunction(func(_ int, s *goquery.Selection) bool {
							return strings.TrimSpace(s.Text()) == msg
						}).Length() != 1 {
							t.Errorf("summary: got no link to #%s saying %q", field, msg)
						}
					}
				}
				for _, v := range tt.form {
					if v[0] != "" && strings.Contains(res.Body, v[0]) {
						t.Errorf("the page contains a typed password %q", v[0])
					}
				}
			})
		}
		if after := app.User(t, "demo.guest"); after.PasswordHash != before.PasswordHash || after.Version != before.Version {
			t.Errorf("a refused change was stored")
		}
	})
}

func TestPasswordChange(t *testing.T) {
	testapp.ForEach(t, func(t *testing.T, b testapp.Backend) {
		app := testapp.New(t, b)
		c := app.Client(t)
		c.SignInGuest()
		before := app.User(t, "demo.guest")
		res := c.Post("/account/password", url.Values{"current_password": {"Guest#2026"}, "new_password": {"Better#2027"}, "confirm_password": {"Better#2027"}})
		testapp.Want(t, res, http.StatusSeeOther)
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
		if notice := c.Get("/account").Doc(t).Find(`[data-testid="notice"]`).Text(); !strings.Contains(notice, "Your password has been changed.") {
			t.Errorf("notice: got %q", notice)
		}

		fresh := app.Client(t)
		res = fresh.Post("/login", url.Values{"login": {"demo.guest"}, "password": {"Guest#2026"}})
		testapp.Want(t, res, http.StatusUnprocessableEntity)
		fresh.SignIn("demo.guest", "Better#2027")

		// With htmx the section answers itself, cleared, with the message.
		c.HTMX = true
		res = c.Post("/account/password", url.Values{"current_password": {"Better#2027"}, "new_password": {"Best#20288"}, "confirm_password": {"Best#20288"}})
		testapp.Want(t, res, http.StatusOK)
		if strings.Contains(res.Body, "<html") || res.Doc(t).Find("section#password-form [data-testid=notice]").Length() != 1 {
			t.Errorf("htmx success: got %q, want the password section with a notice", res.Body[:min(300, len(res.Body))])
		}
	})
}

func TestForcedPasswordChange(t *testing.T) {
	testapp.ForEach(t, func(t *testing.T, b testapp.Backend) {
		app := testapp.New(t, b)
		app.DB.Model(&models.User{}).Where("username = ?", "demo.guest").Update("must_change_password", true)
		c := app.Client(t)
		res := c.Post("/login", url.Values{"login": {"demo.guest"}, "password": {"Guest#2026"}})
		testapp.Want(t, res, http.StatusSeeOther)
		if loc := res.Header.Get("Location"); loc != "/account/password" {
			t.Fatalf("after sign-in: got %q, want /account/password", loc)
		}
		for _, path := range []string{"/account", "/account/profile/edit", "/account/email"} {
			res := c.Get(path)
			testapp.Want(t, res, http.StatusSeeOther)
			if loc := res.Header.Get("Location"); loc != "/account/password" {
				t.Errorf("GET %s: got %q, want /account/password", path, loc)
			}
		}
		res = c.Post("/account/profile", url.Values{"city": {"Elsewhere"}})
		testapp.Want(t, res, http.StatusSeeOther)
		if app.User(t, "demo.guest").City == "Elsewhere" {
			t.Errorf("a profile change went through before the password change")
		}
		doc := c.Get("/account/password").Doc(t)
		if reason, _ := doc.Find(`[data-testid="password-due"]`).Attr("data-reason"); reason != models.PasswordChangeRequired {
			t.Errorf("notice: got reason %q, want %q", reason, models.PasswordChangeRequired)
		}
		testapp.Want(t, c.Post("/account/password/check", url.Values{"new_password": {"abc"}}), http.StatusOK)
		testapp.Want(t, c.Post("/account/password", url.Values{"current_password": {"Guest#2026"}, "new_password": {"Better#2027"}, "confirm_password": {"Better#2027"}}), http.StatusSeeOther)
		if app.User(t, "demo.guest").MustChangePassword {
			t.Errorf("must_change_password: still set after the change")
		}
		testapp.Want(t, c.Get("/account"), http.StatusOK)
	})
}

func TestEmailChange(t *testing.T) {
	testapp.ForEach(t, func(t *testing.T, b testapp.Backend) {
		app := testapp.New(t, b)
		c := app.Client(t)
		c.SignInGuest()
		res := c.Get("/account/email")
		testapp.Want(t, res, http.StatusOK)
		doc := res.Doc(t)
		for id, label := range map[string]string{"new_email": "New email", "confirm_email": "Re-enter email", "current_password": "Current password"} {
			if got := testapp.Label(doc, id); got != label {
				t.Errorf("label for %s: got %q, want %q", id, got, label)
			}
		}

		var sandpiperOther, harborUser models.User
		guest := app.User(t, "demo.guest")
		app.DB.Where("merchant_id = ? AND id <> ?", guest.MerchantID, guest.ID).Order("username").Take(&sandpiperOther)
		app.DB.Where("merchant_id <> ?", guest.MerchantID).Order("username").Take(&harborUser)

		tests := []struct {
			name         string
			form         url.Values
			field, error string
		}{
			{"bad format", url.Values{"new_email": {"maya@"}, "confirm_email": {"maya@"}, "current_password": {"Guest#2026"}}, "new_email", "Enter an email address in the correct format, like name@example.com"},
			{"mismatch", url.Values{"new_email": {"maya@example.org"}, "confirm_email": {"maya@example.net"}, "current_password": {"Guest#2026"}}, "confirm_email", "The email addresses do not match"},
			{"wrong password", url.Values{"new_email": {"maya@example.org"}, "confirm_email": {"maya@example.org"}, "current_password": {"nope"}}, "current_password", "Your current password is incorrect"},
			{"no password", url.Values{"new_email": {"maya@example.org"}, "confirm_email": {"maya@example.org"}}, "current_password", "Enter your current password"},
			{"same as now", url.Values{"new_email": {"Demo.Guest@example.com"}, "confirm_email": {"Demo.Guest@example.com"}, "current_password": {"Guest#2026"}}, "new_email", "New email must be different from your current email"},
			{"taken in the merchant", url.Values{"new_email": {strings.ToUpper(sandpiperOther.Email)}, "confirm_email": {strings.ToUpper(sandpiperOther.Email)}, "current_password": {"Guest#2026"}}, "new_email", "Another account already uses this email address"},
		}
		for _, tt := range tests {
			res := c.Post("/account/email", tt.form)
			testapp.Want(t, res, http.StatusUnprocessableEntity)
			doc := res.Doc(t)
			if got := doc.Find("#" + tt.field + "-error").Text(); !strings.Contains(got, tt.error) {
				t.Errorf("%s: #%s-error got %q, want %q", tt.name, tt.field, got, tt.error)
			}
			if v, _ := doc.Find("#new_email").Attr("value"); v != tt.form.Get("new_email") {
				t.Errorf("%s: new email kept: got %q, want %q", tt.name, v, tt.form.Get("new_email"))
			}
			if strings.Contains(res.Body, "Guest#2026") {
				t.Errorf("%s: the page contains the password", tt.name)
			}
		}
		if app.User(t, "demo.guest").Email != "demo.guest@example.com" {
			t.Fatalf("a refused email change was stored")
		}

		// Uniqueness is per merchant: another merchant's address is fine.
		res = c.Post("/account/email", url.Values{"new_email": {harborUser.Email}, "confirm_email": {harborUser.Email}, "current_password": {"Guest#2026"}})
		testapp.Want(t, res, http.StatusSeeOther)
		after := app.User(t, "demo.guest")
		if after.Email != harborUser.Email || after.PreviousEmail != "demo.guest@example.com" {
			t.Errorf("stored: got email %q previous %q", after.Email, after.PreviousEmail)
		}
		ev := app.Audit(t, after.ID)[0]
		if ev.Action != models.ActionEmailChange || ev.Changes[0].Old != "demo.guest@example.com" || ev.Changes[0].New != harborUser.Email {
			t.Errorf("audit: got %+v", ev)
		}
		if notice := c.Get("/account").Doc(t).Find(`[data-testid="notice"]`).Text(); !strings.Contains(notice, harborUser.Email) {
			t.Errorf("notice: got %q", notice)
		}
	})
}

// A password older than the merchant's maximum age must be changed before
// anything else, unless the account's password never expires.
func TestPasswordExpiry(t *testing.T) {
	tests := []struct {
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
	}
	testapp.ForEach(t, func(t *testing.T, b testapp.Backend) {
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				app := testapp.New(t, b)
				app.DB.Model(&models.Merchant{}).Where("code = ?", "sandpiper").Update("password_max_age_days", 30)
				app.DB.Model(&models.User{}).Where("username = ?", tt.user).Updates(map[string]any{
					"password_changed_at": time.Now().UTC().AddDate(0, 0, -31), "password_never_expires": tt.neverExpire,
				})
				c := app.Client(t)
				res := c.Post("/login", url.Values{"login": {tt.user}, "password": {tt.password}})
				testapp.Want(t, res, http.StatusSeeOther)
				wantLoc := "/account"
				if tt.wantDue {
					wantLoc = "/account/password"
				}
				if loc := res.Header.Get("Location"); loc != wantLoc {
					t.Fatalf("after sign-in: got %q, want %q", loc, wantLoc)
				}
				res = c.Get(tt.home)
				if !tt.wantDue {
					testapp.Want(t, res, http.StatusOK)
					return
				}
				testapp.Want(t, res, http.StatusSeeOther)
				if loc := res.Header.Get("Location"); loc != "/account/password" {
					t.Errorf("GET %s: got %q, want /account/password", tt.home, loc)
				}
				page := c.Get("/account/password")
				testapp.Want(t, page, http.StatusOK)
				notice := page.Doc(t).Find(`[data-testid="password-due"]`)
				if reason, _ := notice.Attr("data-reason"); reason != models.PasswordChangeExpired || !strings.Contains(notice.Text(), "every 30 days") {
					t.Errorf("notice: got %q (%s), want the expired notice naming 30 days", strings.TrimSpace(notice.Text()), reason)
				}
				if page.Doc(t).Find(`#password-form a[href="/account"]`).Length() != 0 {
					t.Errorf("a Cancel link: got one, want none while a change is due")
				}
				testapp.Want(t, c.Post("/account/password", url.Values{"current_password": {tt.password}, "new_password": {"Fresh#Pass42"}, "confirm_password": {"Fresh#Pass42"}}), http.StatusSeeOther)
				testapp.Want(t, c.Get(tt.home), http.StatusOK)
			})
		}
		t.Run("sign-out while a change is due", func(t *testing.T) {
			app := testapp.New(t, b)
			app.DB.Model(&models.Merchant{}).Where("code = ?", "sandpiper").Update("password_max_age_days", 30)
			app.DB.Model(&models.User{}).Where("username = ?", "demo.guest").Update("password_changed_at", time.Now().UTC().AddDate(0, 0, -31))
			c := app.Client(t)
			c.SignInGuest()
			res := c.Post("/logout", url.Values{})
			testapp.Want(t, res, http.StatusSeeOther)
			if loc := res.Header.Get("Location"); loc != "/login" {
				t.Errorf("sign-out: got %q, want /login", loc)
			}
		})
	})
}

// The reuse rule and the blocklist through the real router: back to an
// earlier password is refused under the merchant's history.
func TestPasswordReuse(t *testing.T) {
	testapp.ForEach(t, func(t *testing.T, b testapp.Backend) {
		app := testapp.New(t, b)
		c := app.Client(t)
		c.SignInGuest()
		change := func(current, next string) *testapp.Response {
			return c.Post("/account/password", url.Values{"current_password": {current}, "new_password": {next}, "confirm_password": {next}})
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
	for i := 1; i <= 120; i++ {
		res := c.Post("/account/password/check", url.Values{"new_password": {"Sandbar#Kite-48"}})
		if res.StatusCode != http.StatusOK {
			t.Fatalf("check %d: got %d, want 200", i, res.StatusCode)
		}
	}
	res := c.Post("/account/password/check", url.Values{"new_password": {"Sandbar#Kite-482"}})
	testapp.Want(t, res, http.StatusNoContent)
	if res.Body != "" || res.Header.Get("Retry-After") == "" {
		t.Errorf("check over the limit: got body %q, Retry-After %q; want none and a wait", res.Body, res.Header.Get("Retry-After"))
	}
	// Another user is not held up.
	admin := adminClient(t, app)
	admin.HTMX = true
	testapp.Want(t, admin.Post("/account/password/check", url.Values{"new_password": {"x"}}), http.StatusOK)
}
