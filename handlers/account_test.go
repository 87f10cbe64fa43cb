package handlers_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"myaccount/internal/testapp"
	"myaccount/models"
	"myaccount/store"
)

// labelFor is the visible text of the label of the input with id, without
// the "(optional)" marker.
func labelFor(doc *goquery.Document, id string) string {
	text := doc.Find(`label[for="` + id + `"]`).First().Text()
	text = strings.Replace(text, "(optional)", "", 1)
	return strings.Join(strings.Fields(text), " ")
}

// profileForm is the edit form as a browser would submit it unchanged.
func profileForm(t *testing.T, c *testapp.Client) url.Values {
	t.Helper()
	res := c.Get("/account/profile/edit")
	testapp.Want(t, res, http.StatusOK)
	form := url.Values{}
	res.Doc(t).Find("#profile-form form").Find("input, select").Each(func(_ int, s *goquery.Selection) {
		name, _ := s.Attr("name")
		typ, _ := s.Attr("type")
		switch {
		case name == "" || name == "_csrf":
		case typ == "checkbox" || typ == "radio":
			if _, checked := s.Attr("checked"); checked {
				v, _ := s.Attr("value")
				form.Set(name, v)
			}
		case goquery.NodeName(s) == "select":
			v, _ := s.Find("option[selected]").Attr("value")
			form.Set(name, v)
		default:
			v, _ := s.Attr("value")
			form.Set(name, v)
		}
	})
	return form
}

func TestAccountPageShowsEverySection(t *testing.T) {
	testapp.ForEach(t, func(t *testing.T, b testapp.Backend) {
		app := testapp.New(t, b)
		c := app.Client(t)
		c.SignInGuest()
		res := c.Get("/account")
		testapp.Want(t, res, http.StatusOK)
		doc := res.Doc(t)
		for _, section := range []string{"personal", "contact", "address", "preferences", "loyalty", "security"} {
			if doc.Find(`[data-testid="section-`+section+`"]`).Length() != 1 {
				t.Errorf("section %q: got none, want one", section)
			}
		}
		want := map[string]string{
			`[data-field="first_name"]`: "Maya", `[data-field="last_name"]`: "Thompson",
			`[data-field="mobile"]`: "+1 415-555-0188", `[data-field="country"]`: "United States",
			`[data-field="birthday"]`: "1986-01-30", `[data-field="language"]`: "American English (en-US)",
		}
		for sel, v := range want {
			if got := strings.TrimSpace(doc.Find(sel).Text()); got != v {
				t.Errorf("%s: got %q, want %q", sel, got, v)
			}
		}
		loyalty := doc.Find(`[data-testid="section-loyalty"]`).Text()
		for _, v := range []string{"1000000001", "6000301001234321", "Gold", "2480"} {
			if !strings.Contains(loyalty, v) {
				t.Errorf("loyalty card: %q missing", v)
			}
		}
		if !strings.Contains(doc.Find(`[data-field="email"]`).Text(), "demo.guest@example.com") {
			t.Errorf("email not shown")
		}
		// The loyalty card is read-only: it has no form and no edit link.
		if doc.Find(`[data-testid="section-loyalty"] a, [data-testid="section-loyalty"] input`).Length() != 0 {
			t.Errorf("loyalty card: got editable elements, want none")
		}
	})
}

func TestProfileEditLabels(t *testing.T) {
	testapp.ForEach(t, func(t *testing.T, b testapp.Backend) {
		app := testapp.New(t, b)
		c := app.Client(t)
		c.SignInGuest()
		res := c.Get("/account/profile/edit")
		testapp.Want(t, res, http.StatusOK)
		doc := res.Doc(t)
		for id, label := range map[string]string{
			"first_name": "First name", "last_name": "Last name", "mobile": "Mobile phone", "phone": "Phone",
			"birthday": "Birthday", "country": "Country", "language": "Language",
		} {
			if got := labelFor(doc, id); got != label {
				t.Errorf("label for %s: got %q, want %q", id, got, label)
			}
		}
		if v, _ := doc.Find(`#profile-form input[name="_csrf"]`).Attr("value"); v == "" {
			t.Errorf("profile form: got no _csrf field, want one")
		}
		if v, _ := doc.Find("#profile-form form").Attr("hx-post"); v != "/account/profile" {
			t.Errorf("hx-post: got %q, want /account/profile", v)
		}
		if typ, _ := doc.Find("#birthday").Attr("type"); typ != "date" {
			t.Errorf("birthday input type: got %q, want date", typ)
		}
		for _, name := range []string{"status", "roles", "points_balance", "member_number", "email", "username"} {
			if doc.Find(`#profile-form [name="`+name+`"]`).Length() != 0 {
				t.Errorf("profile form: got a %q input, want none", name)
			}
		}
	})
}

func TestProfileUpdate(t *testing.T) {
	testapp.ForEach(t, func(t *testing.T, b testapp.Backend) {
		app := testapp.New(t, b)
		c := app.Client(t)
		c.SignInGuest()
		before := app.User(t, "demo.guest")

		form := profileForm(t, c)
		form.Set("first_name", "  Maia ")
		form.Set("mobile", "(415) 555-0111")
		form.Set("address_line2", "")
		form.Set("language", "nl-be")
		form.Set("opt_in_secondary", "false") // shown and left unticked
		form.Set("printed_mailing_list_subscribed", "true")
		res := c.Post("/account/profile", form)
		testapp.Want(t, res, http.StatusSeeOther)
		if loc := res.Header.Get("Location"); loc != "/account" {
			t.Fatalf("Location: got %q, want /account", loc)
		}

		after := app.User(t, "demo.guest")
		if after.FirstName != "Maia" || after.Mobile != "+14155550111" || after.MobileCountry != "US" || after.AddressLine2 != "" || after.Language != "nl-BE" || !after.PrintedMailingListSubscribed {
			t.Errorf("stored: got first=%q mobile=%q/%q line2=%q lang=%q printed=%v", after.FirstName, after.Mobile, after.MobileCountry, after.AddressLine2, after.Language, after.PrintedMailingListSubscribed)
		}
		if after.LastName != before.LastName || after.Phone != before.Phone || after.Version != before.Version+1 {
			t.Errorf("untouched fields or version: got last=%q phone=%q version=%d, want %q %q %d", after.LastName, after.Phone, after.Version, before.LastName, before.Phone, before.Version+1)
		}
		if after.UpdatedBy == nil || *after.UpdatedBy != before.ID {
			t.Errorf("updated_by: got %v, want %s", after.UpdatedBy, before.ID)
		}

		page := c.Get("/account")
		doc := page.Doc(t)
		if got := strings.TrimSpace(doc.Find(`[data-testid="notice"]`).Text()); got != "Your profile has been updated successfully." {
			t.Errorf("notice: got %q, want the success message", got)
		}
		if got := strings.TrimSpace(doc.Find(`[data-field="first_name"]`).Text()); got != "Maia" {
			t.Errorf("first name shown: got %q, want Maia", got)
		}
		// The message is shown once.
		if c.Get("/account").Doc(t).Find(`[data-testid="notice"]`).Length() != 0 {
			t.Errorf("notice: got it again on the next page, want once")
		}

		// The consent given is recorded on its own, with the update that
		// carried it.
		evs := app.Audit(t, before.ID)
		if len(evs) < 2 || evs[0].Action != models.ActionConsentGiven || evs[1].Action != models.ActionProfileUpdated {
			t.Fatalf("audit: got %+v, want a consent given, then a profile update", evs)
		}
		if got, want := evs[0].Changes, (models.Changes{{Field: "printed_mailing_list_subscribed", Old: "false", New: "true"}}); len(got) != 1 || got[0] != want[0] {
			t.Errorf("consent event: got %+v, want %+v", got, want)
		}
		if !evs[0].CreatedAt.Equal(evs[1].CreatedAt) || evs[0].ActorID == nil || *evs[0].ActorID != before.ID {
			t.Errorf("consent event: got time %v actor %v, want the update's time %v and the guest", evs[0].CreatedAt, evs[0].ActorID, evs[1].CreatedAt)
		}
		changed := map[string]models.Change{}
		for _, ch := range evs[1].Changes {
			changed[ch.Field] = ch
		}
		if len(changed) != 5 {
			t.Errorf("audit changes: got %v, want 5 fields", evs[0].Changes)
		}
		if ch := changed["first_name"]; ch.Old != "Maya" || ch.New != "Maia" {
			t.Errorf("audit first_name: got %q → %q, want Maya → Maia", ch.Old, ch.New)
		}
		if ch := changed["address_line2"]; ch.Old != "Suite 200" || ch.New != "" {
			t.Errorf("audit address_line2: got %q → %q", ch.Old, ch.New)
		}
		if *evs[0].ActorID != before.ID {
			t.Errorf("audit actor: got %v, want the guest", evs[0].ActorID)
		}
	})
}

func TestProfileUpdateHTMX(t *testing.T) {
	testapp.ForEach(t, func(t *testing.T, b testapp.Backend) {
		app := testapp.New(t, b)
		c := app.Client(t)
		c.SignInGuest()
		form := profileForm(t, c)
		c.HTMX = true

		form.Set("city", "Savannah")
		res := c.Post("/account/profile", form)
		testapp.Want(t, res, http.StatusOK)
		if strings.Contains(res.Body, "<html") {
			t.Errorf("htmx answer: got a full page, want a fragment")
		}
		doc := res.Doc(t)
		if doc.Find("#account-overview").Length() != 1 || !strings.Contains(doc.Find(`[data-field="city"]`).Text(), "Savannah") {
			t.Errorf("htmx answer: got %s, want the updated account overview", res.Body[:min(len(res.Body), 300)])
		}
		if got := res.Header.Get("HX-Push-Url"); got != "/account" {
			t.Errorf("HX-Push-Url: got %q, want /account", got)
		}
		if vary := strings.Join(res.Header.Values("Vary"), ","); !strings.Contains(vary, "HX-Request") {
			t.Errorf("Vary: got %q, want HX-Request", vary)
		}

		form = profileForm(t, c) // the saved form is stale now
		form.Set("birthday", "3000-01-01")
		res = c.Post("/account/profile", form)
		testapp.Want(t, res, http.StatusUnprocessableEntity)
		if strings.Contains(res.Body, "<html") {
			t.Errorf("htmx 422: got a full page, want a fragment")
		}
		doc = res.Doc(t)
		if doc.Find("section#profile-form").Length() != 1 || doc.Find("#birthday-error").Length() != 1 {
			t.Errorf("htmx 422: got no form section with the birthday error")
		}
	})
}

func TestProfileUpdateInvalid(t *testing.T) {
	testapp.ForEach(t, func(t *testing.T, b testapp.Backend) {
		app := testapp.New(t, b)
		c := app.Client(t)
		c.SignInGuest()
		before := app.User(t, "demo.guest")
		form := profileForm(t, c)
		form.Set("first_name", "M4ya")
		form.Set("last_name", "")
		form.Set("mobile", "12")
		form.Set("birthday", "1986-02-30")
		form.Set("country", "XX")
		form.Set("language", "not a language")
		form.Set("city", "Johns Creek\x07") // a NUL would be refused at the edge, with 400
		res := c.Post("/account/profile", form)
		testapp.Want(t, res, http.StatusUnprocessableEntity)
		doc := res.Doc(t)
		if doc.Find("html").Length() != 1 {
			t.Errorf("plain 422: got a fragment, want the full page")
		}
		want := map[string]string{
			"first_name": "First name must only include letters, spaces, hyphens, apostrophes and full stops",
			"last_name":  "Enter your last name",
			"mobile":     "Enter a mobile phone like +1 415 555 0132, or a number of your country",
			"birthday":   "Birthday must be a real date, like 1986-01-30",
			"country":    "Select a country from the list",
			"language":   "Language must be a language code like en, nl-BE or pt-BR",
			"city":       "Town or city must not contain control characters",
		}
		summary := doc.Find(`[data-testid="error-summary"]`)
		if summary.Length() != 1 {
			t.Fatalf("error summary: got none, want one")
		}
		for field, msg := range want {
			link := summary.Find(`a[href="#` + field + `"]`)
			if strings.TrimSpace(link.Text()) != msg {
				t.Errorf("summary link to #%s: got %q, want %q", field, link.Text(), msg)
			}
			input := doc.Find("#" + field)
			if input.Length() != 1 {
				t.Errorf("#%s: got no input, want one", field)
				continue
			}
			if v, _ := input.Attr("aria-invalid"); v != "true" {
				t.Errorf("#%s aria-invalid: got %q, want true", field, v)
			}
			if v, _ := input.Attr("aria-describedby"); !strings.Contains(v, field+"-error") {
				t.Errorf("#%s aria-describedby: got %q, want it to name %s-error", field, v, field)
			}
			if got := doc.Find("#" + field + "-error").Text(); !strings.Contains(got, msg) {
				t.Errorf("#%s-error: got %q, want %q", field, got, msg)
			}
		}
		// What the user typed is kept.
		if v, _ := doc.Find("#first_name").Attr("value"); v != "M4ya" {
			t.Errorf("first_name kept: got %q, want M4ya", v)
		}
		if v, _ := doc.Find("#mobile").Attr("value"); v != "12" {
			t.Errorf("mobile kept: got %q, want 12", v)
		}
		if v, _ := doc.Find("#address_line1").Attr("value"); v != "12000 Findley Road" {
			t.Errorf("valid field kept: got %q", v)
		}
		after := app.User(t, "demo.guest")
		if after.Version != before.Version || after.FirstName != before.FirstName {
			t.Errorf("stored: got version %d first %q, want unchanged", after.Version, after.FirstName)
		}
		if n := len(app.Audit(t, before.ID)); n != 1 { // the sign-in
			t.Errorf("audit events: got %d, want only the sign-in", n)
		}
	})
}

func TestProfileNoChangeAndClearing(t *testing.T) {
	testapp.ForEach(t, func(t *testing.T, b testapp.Backend) {
		app := testapp.New(t, b)
		c := app.Client(t)
		c.SignInGuest()
		before := app.User(t, "demo.guest")
		res := c.Post("/account/profile", profileForm(t, c))
		testapp.Want(t, res, http.StatusSeeOther)
		notice := c.Get("/account").Doc(t).Find(`[data-testid="notice"]`).Text()
		if !strings.Contains(notice, "You did not change anything") {
			t.Errorf("notice: got %q, want the nothing-changed message", notice)
		}
		if after := app.User(t, "demo.guest"); after.Version != before.Version {
			t.Errorf("version: got %d, want %d (nothing written)", after.Version, before.Version)
		}

		form := profileForm(t, c)
		form.Set("phone", "")
		form.Set("birthday", "")
		testapp.Want(t, c.Post("/account/profile", form), http.StatusSeeOther)
		after := app.User(t, "demo.guest")
		if after.Phone != "" || after.PhoneCountry != "" || after.Birthday != nil {
			t.Errorf("cleared: got phone %q/%q birthday %v, want empty", after.Phone, after.PhoneCountry, after.Birthday)
		}
	})
}

func TestProfileIgnoresFieldsGuestsMayNotSet(t *testing.T) {
	testapp.ForEach(t, func(t *testing.T, b testapp.Backend) {
		app := testapp.New(t, b)
		c := app.Client(t)
		c.SignInGuest()
		before := app.User(t, "demo.guest")
		harbor := app.Merchant(t, "harbor")
		form := profileForm(t, c)
		form.Set("city", "Savannah")
		for k, v := range map[string]string{
			"status": "INACTIVE", "roles": models.RoleMerchantAdmin, "points_balance": "999999", "loyalty_tier": "Platinum",
			"email": "x@example.com", "username": "admin", "merchant_id": harbor.ID, "password_hash": "$2a$04$abc",
			"member_number": "1", "failed_login_count": "9", "must_change_password": "true", "id": store.NewID(),
		} {
			form.Set(k, v)
		}
		testapp.Want(t, c.Post("/account/profile", form), http.StatusSeeOther)
		after := app.User(t, "demo.guest")
		if after.City != "Savannah" {
			t.Errorf("city: got %q, want Savannah", after.City)
		}
		if after.Status != before.Status || after.Roles.Contains(models.RoleMerchantAdmin) || after.PointsBalance != before.PointsBalance ||
			after.LoyaltyTier != before.LoyaltyTier || after.Email != before.Email || after.Username != before.Username ||
			after.MerchantID != before.MerchantID || after.PasswordHash != before.PasswordHash || after.MemberNumber != before.MemberNumber ||
			after.MustChangePassword || after.ID != before.ID {
			t.Errorf("a field guests may not set changed: before %+v\nafter %+v", before, after)
		}
	})
}

func TestProfileUniqueMobileWithinMerchant(t *testing.T) {
	testapp.ForEach(t, func(t *testing.T, b testapp.Backend) {
		app := testapp.New(t, b)
		var other models.User
		sandpiper := app.Merchant(t, "sandpiper")
		if err := app.DB.Where("merchant_id = ? AND mobile <> '' AND username <> 'demo.guest'", sandpiper.ID).Take(&other).Error; err != nil {
			t.Fatal(err)
		}
		c := app.Client(t)
		c.SignInGuest()
		form := profileForm(t, c)
		form.Set("mobile", other.Mobile)
		res := c.Post("/account/profile", form)
		testapp.Want(t, res, http.StatusUnprocessableEntity)
		if got := res.Doc(t).Find("#mobile-error").Text(); !strings.Contains(got, "Another account already uses this mobile phone number") {
			t.Errorf("mobile error: got %q", got)
		}
	})
}

func TestProfileMerchantRules(t *testing.T) {
	testapp.ForEach(t, func(t *testing.T, b testapp.Backend) {
		app := testapp.New(t, b)
		harbor := app.Merchant(t, "harbor")
		var guest models.User
		if err := app.DB.Where("merchant_id = ? AND status = ?", harbor.ID, models.StatusActive).Order("username").Take(&guest).Error; err != nil {
			t.Fatal(err)
		}
		c := app.Client(t)
		c.SignIn(guest.Username, store.DemoGuestPassword)
		edit := c.Get("/account/profile/edit").Doc(t)
		if got := labelFor(edit, "custom_favourite_drink"); got != "Favourite drink" {
			t.Errorf("custom field label: got %q, want Favourite drink", got)
		}
		if typ, _ := edit.Find("#custom_first_visit").Attr("type"); typ != "date" {
			t.Errorf("custom date input: got type %q, want date", typ)
		}

		form := profileForm(t, c)
		form.Set("birthday", "")
		form.Set("custom_favourite_drink", "Whisky")
		form.Set("custom_first_visit", "14-07-2024")
		res := c.Post("/account/profile", form)
		testapp.Want(t, res, http.StatusUnprocessableEntity)
		doc := res.Doc(t)
		for field, msg := range map[string]string{
			"birthday":               "Enter your birthday",
			"custom_favourite_drink": "Select favourite drink from the list",
			"custom_first_visit":     "First visit must be a real date, like 1986-01-30",
		} {
			if got := doc.Find("#" + field + "-error").Text(); !strings.Contains(got, msg) {
				t.Errorf("%s error: got %q, want %q", field, got, msg)
			}
		}

		form = profileForm(t, c)
		form.Set("custom_favourite_drink", "Flat white")
		form.Set("custom_first_visit", "2024-07-14")
		testapp.Want(t, c.Post("/account/profile", form), http.StatusSeeOther)
		after := app.User(t, guest.Username)
		if after.CustomFields["favourite_drink"] != "Flat white" || after.CustomFields["first_visit"] != "2024-07-14" {
			t.Errorf("custom values: got %v", after.CustomFields)
		}
		overview := c.Get("/account").Doc(t)
		if got := strings.TrimSpace(overview.Find(`[data-field="custom_favourite_drink"]`).Text()); got != "Flat white" {
			t.Errorf("custom value shown: got %q, want Flat white", got)
		}
	})
}
