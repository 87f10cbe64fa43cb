package handlers_test

import (
	"maps"
	"net/http"
	"net/url"
	"slices"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"myaccount/internal/testapp"
	"myaccount/models"
	"myaccount/store"
)

// profileForm is the edit form as a browser would submit it unchanged.
func profileForm(t *testing.T, c *testapp.Client) url.Values {
	t.Helper()
	return profileFormOf(t, c)
}

// profileFormOf is profileForm, for a benchmark too.
func profileFormOf(t testing.TB, c *testapp.Client) url.Values {
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

// edited reads a form as the signed-in client's page has it (with
// profileForm or settingsForm) and changes the fields in set: the form a
// browser would submit.
func edited(read func(*testing.T, *testapp.Client) url.Values, set map[string]string) func(*testing.T, *testapp.App, *testapp.Client) url.Values {
	return func(t *testing.T, _ *testapp.App, c *testapp.Client) url.Values {
		t.Helper()
		form := read(t, c)
		for k, v := range set {
			form.Set(k, v)
		}
		return form
	}
}

// profileWith is the guest's profile form with the fields in set changed.
func profileWith(set map[string]string) func(*testing.T, *testapp.App, *testapp.Client) url.Values {
	return edited(profileForm, set)
}

func TestAccountPageShowsEverySection(t *testing.T) {
	testapp.RunScenarios(t, []testapp.Scenario{{
		Name: "the demo guest", As: "guest", Path: "/account", Status: http.StatusOK,
		Count: map[string]int{`[data-testid="section-personal"]`: 1, `[data-testid="section-contact"]`: 1, `[data-testid="section-address"]`: 1,
			`[data-testid="section-preferences"]`: 1, `[data-testid="section-loyalty"]`: 1, `[data-testid="section-security"]`: 1},
		Text: map[string]string{
			`[data-field="first_name"]`: "Maya", `[data-field="last_name"]`: "Thompson",
			`[data-field="mobile_phone"]`: "+1 415-555-0188", `[data-field="country"]`: "United States",
			`[data-field="birthday"]`: "January 30, 1986", `[data-field="language"]`: "American English (en-US)",
		},
		Contains: map[string][]string{
			`[data-testid="section-loyalty"]`: {"1000000001", "6000301001234321", "Gold", "2480"},
			`[data-field="email"]`:            {"demo.guest@example.com"},
		},
		// The loyalty card is read-only: it has no form and no edit link.
		Absent: []string{`[data-testid="section-loyalty"] a, [data-testid="section-loyalty"] input`},
	}})
}

func TestProfileEditLabels(t *testing.T) {
	testapp.RunScenarios(t, []testapp.Scenario{{
		Name: "the demo guest", As: "guest", Path: "/account/profile/edit", Status: http.StatusOK,
		Labels: map[string]string{
			"first_name": "First name", "last_name": "Last name", "mobile_phone": "Mobile phone", "phone": "Phone",
			"birthday": "Birthday", "country": "Country", "language": "Language",
		},
		Count: map[string]int{`#profile-form input[name="_csrf"]:not([value=""])`: 1},
		Text:  map[string]string{"#profile-form form@hx-post": "/account/profile", "#birthday@type": "date"},
		Absent: []string{`#profile-form [name="status"]`, `#profile-form [name="roles"]`, `#profile-form [name="points_balance"]`,
			`#profile-form [name="member_number"]`, `#profile-form [name="email"]`, `#profile-form [name="username"]`},
	}})
}

func TestProfileUpdate(t *testing.T) {
	var before *models.User
	testapp.RunScenarios(t, []testapp.Scenario{{
		Name: "a few fields and a consent", As: "guest", Method: http.MethodPost, Path: "/account/profile",
		Before: func(t *testing.T, app *testapp.App, _ *testapp.Client) { before = app.User(t, guestLogin) },
		FormFunc: profileWith(map[string]string{
			"first_name": "  Maia ", "mobile_phone": "(415) 555-0111", "address_line2": "", "language": "nl-be",
			"opt_in_secondary":                "false", // shown and left unticked
			"printed_mailing_list_subscribed": "true",
		}),
		Status: http.StatusSeeOther, Headers: location("/account"),
		After: func(t *testing.T, app *testapp.App, res *testapp.Response) {
			after := app.User(t, guestLogin)
			if after.FirstName != "Maia" || after.Mobile != "+14155550111" || after.MobileCountry != "US" || after.AddressLine2 != "" || after.Language != "nl-BE" || !after.PrintedMailingListSubscribed {
				t.Errorf("stored: got first=%q mobile=%q/%q line2=%q lang=%q printed=%v", after.FirstName, after.Mobile, after.MobileCountry, after.AddressLine2, after.Language, after.PrintedMailingListSubscribed)
			}
			if after.LastName != before.LastName || after.Phone != before.Phone || after.Version != before.Version+1 {
				t.Errorf("untouched fields or version: got last=%q phone=%q version=%d, want %q %q %d", after.LastName, after.Phone, after.Version, before.LastName, before.Phone, before.Version+1)
			}
			if after.UpdatedBy == nil || *after.UpdatedBy != before.ID {
				t.Errorf("updated_by: got %v, want %s", after.UpdatedBy, before.ID)
			}

			testapp.Scenario{Path: "/account", Text: map[string]string{
				`[data-testid="notice"]`: "Your profile has been updated successfully.", `[data-field="first_name"]`: "Maia",
			}}.Send(t, res.Client)
			// The message is shown once.
			testapp.Scenario{Name: "the next page", Path: "/account", Absent: []string{`[data-testid="notice"]`}}.Send(t, res.Client)

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
		},
	}})
}

func TestProfileUpdateHTMX(t *testing.T) {
	testapp.RunScenarios(t, []testapp.Scenario{
		{Name: "saved", As: "guest", Method: http.MethodPost, Path: "/account/profile", HTMX: true, Shared: true,
			FormFunc: profileWith(map[string]string{"city": "Savannah"}),
			Status:   http.StatusOK, Fragment: true, Headers: map[string]string{"HX-Push-Url": "/account", "Vary": "*HX-Request*"},
			// The updated account overview.
			Count: map[string]int{"#account-overview": 1}, Contains: map[string][]string{`[data-field="city"]`: {"Savannah"}}},
		{Name: "refused", As: "guest", Method: http.MethodPost, Path: "/account/profile", HTMX: true, Shared: true,
			FormFunc: profileWith(map[string]string{"birthday": "3000-01-01"}),
			Status:   http.StatusUnprocessableEntity, Fragment: true, Count: map[string]int{"section#profile-form": 1, "#birthday-error": 1}},
	})
}

func TestProfileUpdateInvalid(t *testing.T) {
	want := map[string]string{
		"first_name":   "First name must only include letters, spaces, hyphens, apostrophes and full stops",
		"last_name":    "Enter your last name",
		"mobile_phone": "Enter a mobile phone like +1 415 555 0132, or a number of your country",
		"birthday":     "Birthday must be a real date, like 1986-01-30",
		"country":      "Select a country from the list",
		"language":     "Language must be a language code like en, nl-BE or pt-BR",
		"city":         "Town or city must not contain control characters",
	}
	var before *models.User
	testapp.RunScenarios(t, []testapp.Scenario{{
		Name: "seven fields wrong", As: "guest", Method: http.MethodPost, Path: "/account/profile",
		Before: func(t *testing.T, app *testapp.App, _ *testapp.Client) { before = app.User(t, guestLogin) },
		FormFunc: profileWith(map[string]string{"first_name": "M4ya", "last_name": "", "mobile_phone": "12", "birthday": "1986-02-30", "country": "XX",
			"language": "not a language", "city": "Johns Creek\x07"}), // a NUL would be refused at the edge, with 400
		// Plain, the 422 is the full page.
		Status: http.StatusUnprocessableEntity, InBody: []string{"<html"},
		Count:  map[string]int{`[data-testid="error-summary"]`: 1},
		Errors: want, Invalid: slices.Sorted(maps.Keys(want)),
		// What the user typed is kept.
		Text: map[string]string{"#first_name@value": "M4ya", "#mobile_phone@value": "12", "#address_line1@value": "12000 Findley Road"},
		After: func(t *testing.T, app *testapp.App, _ *testapp.Response) {
			after := app.User(t, guestLogin)
			if after.Version != before.Version || after.FirstName != before.FirstName {
				t.Errorf("stored: got version %d first %q, want unchanged", after.Version, after.FirstName)
			}
			if n := len(app.Audit(t, before.ID)); n != 1 { // the sign-in
				t.Errorf("audit events: got %d, want only the sign-in", n)
			}
		},
	}})
}

func TestProfileNoChangeAndClearing(t *testing.T) {
	var before *models.User
	testapp.RunScenarios(t, []testapp.Scenario{
		{Name: "nothing changed", As: "guest", Method: http.MethodPost, Path: "/account/profile", Shared: true,
			Before:   func(t *testing.T, app *testapp.App, _ *testapp.Client) { before = app.User(t, guestLogin) },
			FormFunc: profileWith(nil), Status: http.StatusSeeOther,
			After: func(t *testing.T, app *testapp.App, res *testapp.Response) {
				testapp.Scenario{Path: "/account", Contains: map[string][]string{`[data-testid="notice"]`: {"You did not change anything"}}}.Send(t, res.Client)
				if after := app.User(t, guestLogin); after.Version != before.Version {
					t.Errorf("version: got %d, want %d (nothing written)", after.Version, before.Version)
				}
			}},
		{Name: "phone and birthday cleared", As: "guest", Method: http.MethodPost, Path: "/account/profile", Shared: true,
			FormFunc: profileWith(map[string]string{"phone": "", "birthday": ""}), Status: http.StatusSeeOther,
			After: func(t *testing.T, app *testapp.App, _ *testapp.Response) {
				if after := app.User(t, guestLogin); after.Phone != "" || after.PhoneCountry != "" || after.Birthday != nil {
					t.Errorf("cleared: got phone %q/%q birthday %v, want empty", after.Phone, after.PhoneCountry, after.Birthday)
				}
			}},
	})
}

func TestProfileIgnoresFieldsGuestsMayNotSet(t *testing.T) {
	var before *models.User
	testapp.RunScenarios(t, []testapp.Scenario{{
		Name: "an admin's fields in the guest's form", As: "guest", Method: http.MethodPost, Path: "/account/profile",
		Before: func(t *testing.T, app *testapp.App, _ *testapp.Client) { before = app.User(t, guestLogin) },
		FormFunc: func(t *testing.T, app *testapp.App, c *testapp.Client) url.Values {
			return profileWith(map[string]string{
				"city":   "Savannah",
				"status": "INACTIVE", "roles": models.RoleMerchantAdmin, "points_balance": "999999", "loyalty_tier": "Platinum",
				"email": "x@example.com", "username": "admin", "merchant_id": app.Merchant(t, "harbor").ID, "password_hash": "$2a$04$abc",
				"member_number": "1", "failed_login_count": "9", "must_change_password": "true", "id": store.NewID(),
			})(t, app, c)
		},
		Status: http.StatusSeeOther,
		After: func(t *testing.T, app *testapp.App, _ *testapp.Response) {
			after := app.User(t, guestLogin)
			if after.City != "Savannah" {
				t.Errorf("city: got %q, want Savannah", after.City)
			}
			if after.Status != before.Status || after.Roles.Contains(models.RoleMerchantAdmin) || after.PointsBalance != before.PointsBalance ||
				after.LoyaltyTier != before.LoyaltyTier || after.Email != before.Email || after.Username != before.Username ||
				after.MerchantID != before.MerchantID || after.PasswordHash != before.PasswordHash || after.MemberNumber != before.MemberNumber ||
				after.MustChangePassword || after.ID != before.ID {
				t.Errorf("a field guests may not set changed: before %+v\nafter %+v", before, after)
			}
		},
	}})
}

func TestProfileUniqueMobileWithinMerchant(t *testing.T) {
	testapp.RunScenarios(t, []testapp.Scenario{{
		Name: "another Sandpiper guest's mobile", As: "guest", Method: http.MethodPost, Path: "/account/profile",
		FormFunc: func(t *testing.T, app *testapp.App, c *testapp.Client) url.Values {
			var other models.User
			if err := app.DB.Where("merchant_id = ? AND mobile <> '' AND username <> 'demo.guest'", app.Merchant(t, "sandpiper").ID).Take(&other).Error; err != nil {
				t.Fatal(err)
			}
			return profileWith(map[string]string{"mobile_phone": other.Mobile})(t, app, c)
		},
		Status: http.StatusUnprocessableEntity, Contains: map[string][]string{"#mobile_phone-error": {"Another account already uses this mobile phone number"}},
	}})
}

func TestProfileMerchantRules(t *testing.T) {
	testapp.ForEach(t, func(t *testing.T, b testapp.Backend) {
		app := testapp.New(t, b)
		harbor := app.Merchant(t, "harbor")
		var guest models.User
		if err := app.DB.Where("merchant_id = ? AND status = ?", harbor.ID, models.StatusActive).Order("username").Take(&guest).Error; err != nil {
			t.Fatal(err)
		}
		c := app.ClientAs(t, guest.Username+":"+store.DemoGuestPassword)
		testapp.Scenario{Path: "/account/profile/edit", Labels: map[string]string{"custom_favourite_drink": "Favourite drink"},
			Text: map[string]string{"#custom_first_visit@type": "date"}}.Send(t, c)
		testapp.Scenario{Method: http.MethodPost, Path: "/account/profile",
			FormFunc: profileWith(map[string]string{"birthday": "", "custom_favourite_drink": "Whisky", "custom_first_visit": "14-07-2024"}),
			Status:   http.StatusUnprocessableEntity, Contains: map[string][]string{
				"#birthday-error":               {"Enter your birthday"},
				"#custom_favourite_drink-error": {"Select favourite drink from the list"},
				"#custom_first_visit-error":     {"First visit must be a real date, like 1986-01-30"},
			}}.Send(t, c)
		testapp.Scenario{Method: http.MethodPost, Path: "/account/profile",
			FormFunc: profileWith(map[string]string{"custom_favourite_drink": "Flat white", "custom_first_visit": "2024-07-14"}), Status: http.StatusSeeOther}.Send(t, c)
		after := app.User(t, guest.Username)
		if after.CustomFields["favourite_drink"] != "Flat white" || after.CustomFields["first_visit"] != "2024-07-14" {
			t.Errorf("custom values: got %v", after.CustomFields)
		}
		testapp.Scenario{Path: "/account", Text: map[string]string{`[data-field="custom_favourite_drink"]`: "Flat white"}}.Send(t, c)
	})
}
