package handlers_test

import (
	"maps"
	"net/http"
	"net/url"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"myaccount/internal/testapp"
	"myaccount/models"
)

const (
	settingsSaved     = "The settings have been saved."
	settingsUnchanged = "You did not change anything, so nothing was saved."
)

// settingsValues is the form in doc as a browser would submit it.
func settingsValues(doc *goquery.Document) url.Values {
	form := url.Values{}
	doc.Find("#settings-form form").Find("input, select, textarea").Each(func(_ int, s *goquery.Selection) {
		name, _ := s.Attr("name")
		typ, _ := s.Attr("type")
		switch {
		case name == "" || name == "_csrf":
		case typ == "checkbox":
			if _, on := s.Attr("checked"); on {
				v, _ := s.Attr("value")
				form.Add(name, v)
			}
		case goquery.NodeName(s) == "select":
			v, _ := s.Find("option[selected]").Attr("value")
			form.Set(name, v)
		case goquery.NodeName(s) == "textarea":
			form.Set(name, s.Text())
		default:
			v, _ := s.Attr("value")
			form.Set(name, v)
		}
	})
	return form
}

// settingsForm is the settings form as a browser would submit it unchanged.
func settingsForm(t *testing.T, c *testapp.Client) url.Values {
	t.Helper()
	res := c.Get("/admin/settings")
	testapp.Want(t, res, http.StatusOK)
	return settingsValues(res.Doc(t))
}

// settingsWith is the admin's settings form with the fields in set changed.
func settingsWith(set map[string]string) func(*testing.T, *testapp.App, *testapp.Client) url.Values {
	return edited(settingsForm, set)
}

// saveSettings submits the settings form after edit and wants it saved.
func saveSettings(t *testing.T, c *testapp.Client, set map[string]string) {
	t.Helper()
	testapp.Scenario{Method: http.MethodPost, Path: "/admin/settings", FormFunc: settingsWith(set),
		Status: http.StatusSeeOther, Headers: location("/admin/settings")}.Send(t, c)
}

func settingsEvents(t *testing.T, app *testapp.App, merchantID string) []models.AuditEvent {
	t.Helper()
	var evs []models.AuditEvent
	if err := app.DB.Where("merchant_id = ? AND action = ?", merchantID, models.ActionSettingsUpdated).Order("created_at DESC, id DESC").Find(&evs).Error; err != nil {
		t.Fatal(err)
	}
	return evs
}

func TestAdminSettingsPage(t *testing.T) {
	page := testapp.Scenario{Name: "Sandpiper Bay", As: "admin", Path: "/admin/settings", Shared: true, Status: http.StatusOK,
		Labels: map[string]string{
			"password_min_length":   "Minimum password length",
			"password_min_lower":    "Minimum lowercase letters",
			"password_min_upper":    "Minimum uppercase letters",
			"password_min_digits":   "Minimum digits",
			"password_min_special":  "Minimum special characters",
			"password_min_score":    "Lowest password strength accepted (0–4, 0 = any)",
			"password_history":      "Previous passwords that may not be reused",
			"password_max_age_days": "Password expires after (days, 0 = never)",
			"max_failed_logins":     "Failed sign-ins before a lock",
			"password_preset":       "Password policy",
			"unique_email":          "Email must be unique", "unique_mobile": "Mobile phone must be unique",
			"custom_key_0": "Key", "custom_label_0": "Label", "custom_type_0": "Type", "custom_options_0": "Options", "custom_required_0": "Required",
		},
		Text: map[string]string{
			// The demo merchant's numbers are VELA's.
			"#password_preset option[selected]@value": "vela",
			"#password_min_length@value":              "6", "#password_min_score@value": "0", "#password_history@value": "5", "#max_failed_logins@value": "5",
			"fieldset#required_fields > legend": "Required fields",
			"#settings-form form@hx-post":       "/admin/settings", "#settings-form form@hx-target": "#settings-form",
			`nav a[aria-current="page"]`: "Settings",
		},
		// The demo merchant enforces both.
		Contains: map[string][]string{"#unique_email@checked": nil, "#unique_mobile@checked": nil},
		// Sandpiper has no custom fields: one blank row to add one, with
		// options in a textarea.
		Count: map[string]int{`[data-testid="custom-field"]`: 1, "textarea#custom_options_0": 1,
			`#settings-form form input[name="_csrf"]:not([value=""])`: 1},
		After: checkSettingsForm,
	}
	for _, id := range []string{"password_min_length", "password_min_lower", "password_min_upper", "password_min_digits", "password_min_special",
		"password_min_score", "password_history", "password_max_age_days", "max_failed_logins"} {
		page.Text["#"+id+"@type"], page.Text["#"+id+"@inputmode"] = "number", "numeric"
	}
	testapp.RunScenarios(t, []testapp.Scenario{page, {
		// Harbor Coffee's custom fields are listed with fixed keys.
		Name: "Harbor Coffee", As: "admin", Path: "/admin/settings", Shared: true,
		Before: func(t *testing.T, app *testapp.App, _ *testapp.Client) {
			if err := app.DB.Model(&models.User{}).Where("username = ?", "demo.admin").Update("merchant_id", app.Merchant(t, "harbor").ID).Error; err != nil {
				t.Fatal(err)
			}
		},
		// Two fields and a blank row.
		Count: map[string]int{`[data-testid="custom-field"]`: 3},
		Text: map[string]string{"#custom_key_0@value": "favourite_drink", "#custom_options_0": "Espresso\nFlat white\nLatte\nTea",
			"#custom_type_1 option[selected]@value": "date"},
		Labels: map[string]string{"custom_remove_0": "Remove"},
		// A saved key is read-only; the new row's is not.
		Contains: map[string][]string{"#custom_key_0@readonly": nil},
		Absent:   []string{"#custom_key_2[readonly]"},
	}})
}

// checkSettingsForm checks the settings form of Sandpiper Bay: the policy
// presets, a labelled checkbox per requirable field checked as the
// merchant requires it, the custom field types, a label for every visible
// input and the merchant's version.
func checkSettingsForm(t *testing.T, app *testapp.App, res *testapp.Response) {
	doc := res.Doc(t)
	var presets []string
	doc.Find("#password_preset option").Each(func(_ int, s *goquery.Selection) {
		v, _ := s.Attr("value")
		presets = append(presets, v+"="+strings.SplitN(strings.TrimSpace(s.Text()), ":", 2)[0])
	})
	if got := strings.Join(presets, ","); got != "=Custom,vela=VELA,nist=NIST SP 800-63B" {
		t.Errorf("password policy options: got %s", got)
	}
	m := app.Merchant(t, "sandpiper")
	for _, f := range models.RequirableFields() {
		id := models.RequiredInputName(f.Name)
		if doc.Find("fieldset#required_fields #"+id).Length() != 1 || testapp.Label(doc, id) != f.Label {
			t.Errorf("required checkbox %s: got label %q, want %q inside the fieldset", id, testapp.Label(doc, id), f.Label)
		}
		if _, on := doc.Find("#" + id).Attr("checked"); on != m.Requires(f.Name) {
			t.Errorf("#%s checked: got %v, want %v", id, on, m.Requires(f.Name))
		}
	}
	var types []string
	doc.Find("#custom_type_0 option").Each(func(_ int, s *goquery.Selection) {
		if v, _ := s.Attr("value"); v != "" {
			types = append(types, v)
		}
	})
	if strings.Join(types, ",") != "text,number,date,datetime,list" {
		t.Errorf("types: got %v", types)
	}
	// Every visible input has a label.
	doc.Find("#settings-form form").Find("input, select, textarea").Each(func(_ int, s *goquery.Selection) {
		id, _ := s.Attr("id")
		if typ, _ := s.Attr("type"); typ == "hidden" {
			return
		}
		if id == "" || doc.Find(`label[for="`+id+`"]`).Length() != 1 {
			name, _ := s.Attr("name")
			t.Errorf("input %q: got no label, want one", name)
		}
	})
	if v, _ := doc.Find(`#settings-form form input[name="version"]`).Attr("value"); v != strconv.Itoa(m.Version) {
		t.Errorf("version field: got %q, want %d", v, m.Version)
	}
}

// Guests may not see or change the settings; visitors are sent to sign in.
func TestAdminSettingsAccess(t *testing.T) {
	var before *models.Merchant
	snap := func(t *testing.T, app *testapp.App, _ *testapp.Client) { before = app.Merchant(t, "sandpiper") }
	unchanged := func(t *testing.T, app *testapp.App, _ *testapp.Response) {
		if after := app.Merchant(t, "sandpiper"); after.Version != before.Version || after.PasswordPolicy != before.PasswordPolicy {
			t.Errorf("settings changed by a guest or visitor: got %+v", after)
		}
	}
	lower := func(t *testing.T, app *testapp.App, _ *testapp.Client) url.Values {
		return url.Values{"password_min_length": {"3"}, "version": {strconv.Itoa(app.Merchant(t, "sandpiper").Version)}}
	}
	testapp.RunScenarios(t, []testapp.Scenario{
		{Name: "guest GET", As: "guest", Path: "/admin/settings", Shared: true, Before: snap, Status: http.StatusForbidden, After: unchanged},
		{Name: "guest POST", As: "guest", Method: http.MethodPost, Path: "/admin/settings", FormFunc: lower, Shared: true, Before: snap,
			Status: http.StatusForbidden, After: unchanged},
		{Name: "signed out GET", Path: "/admin/settings", Shared: true, Before: snap, Status: http.StatusSeeOther, Headers: location("/login*"), After: unchanged},
		{Name: "signed out POST", Method: http.MethodPost, Path: "/admin/settings", Form: url.Values{"password_min_length": {"3"}}, Shared: true, Before: snap,
			Status: http.StatusSeeOther, Headers: location("/login*"), After: unchanged},
	})
}

func TestAdminSettingsInvalid(t *testing.T) {
	var before *models.Merchant
	var sent url.Values
	snap := func(t *testing.T, app *testapp.App, _ *testapp.Client) { before = app.Merchant(t, "sandpiper") }
	unchanged := func(t *testing.T, app *testapp.App, _ *testapp.Response) {
		after := app.Merchant(t, "sandpiper")
		if after.Version != before.Version || after.PasswordPolicy != before.PasswordPolicy || !after.UniqueEmail {
			t.Errorf("stored after refusals: got %+v, want unchanged", after)
		}
		if n := len(settingsEvents(t, app, before.ID)); n != 0 {
			t.Errorf("audit events: got %d, want none", n)
		}
	}
	want := map[string]string{
		"password_min_length": "Minimum password length must be a whole number from 1 to 64",
		"max_failed_logins":   "Failed sign-ins before a lock must be a whole number from 1 to 100",
		"custom_key_0":        "Key of custom field 1 must start with a lowercase letter and have only lowercase letters, digits and underscores, up to 30, like favourite_drink",
		"custom_options_0":    "Only lists have options: clear the options of custom field 1, or make it a list of options",
	}
	// The sum of the class minimums is checked against the length.
	sum := settingsWith(map[string]string{"password_min_digits": "5"})
	testapp.RunScenarios(t, []testapp.Scenario{
		{Name: "four fields wrong", As: "admin", Method: http.MethodPost, Path: "/admin/settings", Shared: true,
			Before: snap,
			FormFunc: func(t *testing.T, app *testapp.App, c *testapp.Client) url.Values {
				sent = settingsWith(map[string]string{
					"password_min_length": "abc", "password_min_digits": "4", "max_failed_logins": "0", "password_history": "7",
					"unique_email": "false", // shown and left unticked
					"custom_key_0": "Bad Key", "custom_label_0": "Shoe size", "custom_type_0": "number", "custom_options_0": "38\n39",
				})(t, app, c)
				return sent
			},
			// Plain, the 422 is the page, its title saying so.
			Status: http.StatusUnprocessableEntity, InBody: []string{"<html", "<title>Error: "},
			Errors: want, Invalid: slices.Sorted(maps.Keys(want)),
			// In form order.
			Summary: []string{want["password_min_length"], want["max_failed_logins"], want["custom_key_0"], want["custom_options_0"]},
			Text:    map[string]string{`[data-testid="error-summary"] a@href`: "#password_min_length"},
			After: func(t *testing.T, app *testapp.App, res *testapp.Response) {
				// What the admin typed is kept.
				kept := settingsValues(res.Doc(t))
				for _, name := range []string{"password_min_length", "password_min_digits", "password_history", "custom_key_0", "custom_label_0", "custom_type_0", "custom_options_0", "version"} {
					if kept.Get(name) != sent.Get(name) {
						t.Errorf("%s kept: got %q, want %q", name, kept.Get(name), sent.Get(name))
					}
				}
				if last(kept, "unique_email") != "false" || last(kept, "unique_mobile") != "true" {
					t.Errorf("checkboxes kept: got email %q mobile %q, want unticked and ticked", kept["unique_email"], kept["unique_mobile"])
				}
				unchanged(t, app, res)
			}},
		{Name: "class minimums longer than the length", As: "admin", Method: http.MethodPost, Path: "/admin/settings", FormFunc: sum, Before: snap, Shared: true,
			Status: http.StatusUnprocessableEntity, Contains: map[string][]string{"#password_min_length-error": {"Minimum password length must be at least 8,"}}, After: unchanged},
		// htmx gets the section alone.
		{Name: "htmx", As: "admin", Method: http.MethodPost, Path: "/admin/settings", FormFunc: sum, HTMX: true, Before: snap, Shared: true,
			Status: http.StatusUnprocessableEntity, Fragment: true, Count: map[string]int{"section#settings-form": 1}, After: unchanged},
	})
}

func TestAdminSettingsSave(t *testing.T) {
	testapp.ForEach(t, func(t *testing.T, b testapp.Backend) {
		app := testapp.New(t, b)
		before := app.Merchant(t, "sandpiper")
		c := adminClient(t, app)
		saveSettings(t, c, map[string]string{
			"password_min_length": "8", "password_min_score": "2", "password_history": "10",
			"unique_mobile":     "false", // shown and left unticked
			"required_birthday": "true",
			"custom_key_0":      "shirt_size", "custom_label_0": "Shirt size", "custom_type_0": "list", "custom_options_0": "S\r\nM\r\nL", "custom_required_0": "true",
		})
		after := app.Merchant(t, "sandpiper")
		wantDefs := models.CustomFieldDefs{{Key: "shirt_size", Label: "Shirt size", Type: models.CustomList, Options: []string{"S", "M", "L"}, Required: true}}
		if after.PasswordPolicy.MinLength != 8 || after.PasswordPolicy.MinScore != 2 || after.PasswordPolicy.History != 10 || after.UniqueMobile || !after.UniqueEmail ||
			!after.Requires("birthday") || !after.Requires("last_name") || len(after.CustomFields) != 1 ||
			after.CustomFields[0].Key != wantDefs[0].Key || strings.Join(after.CustomFields[0].Options, ",") != "S,M,L" || !after.CustomFields[0].Required ||
			after.Version != before.Version+1 || after.Name != before.Name || after.Code != before.Code {
			t.Errorf("stored: got %+v", after)
		}
		testapp.Scenario{Path: "/admin/settings",
			Text: map[string]string{`[data-testid="notice"]`: settingsSaved, "#password_min_length@value": "8", "#password_min_score@value": "2",
				`input[name="version"]@value`: strconv.Itoa(after.Version)},
			// The new field and a blank row.
			Count: map[string]int{`[data-testid="custom-field"]`: 2}}.Send(t, c)

		evs := settingsEvents(t, app, before.ID)
		if len(evs) != 1 {
			t.Fatalf("audit events: got %d, want 1", len(evs))
		}
		ev := evs[0]
		if ev.ActorID == nil || *ev.ActorID != app.User(t, "demo.admin").ID || ev.SubjectID != nil || ev.MerchantID != before.ID {
			t.Errorf("audit event: got actor %v subject %v merchant %s", ev.ActorID, ev.SubjectID, ev.MerchantID)
		}
		wantChanges := models.Changes{
			{Field: "password_min_length", Old: "6", New: "8"},
			{Field: "password_min_score", Old: "0", New: "2"},
			{Field: "password_history", Old: "5", New: "10"},
			{Field: "unique_mobile", Old: "true", New: "false"},
			{Field: "required_fields", Old: "first_name, last_name", New: "first_name, last_name, birthday"},
			{Field: "custom_fields", Old: "none", New: `shirt_size "Shirt size" (list of options: S, M, L; required)`},
		}
		if len(ev.Changes) != len(wantChanges) {
			t.Fatalf("audit changes: got %+v, want %+v", ev.Changes, wantChanges)
		}
		for i, ch := range ev.Changes {
			if ch != wantChanges[i] {
				t.Errorf("audit change %d: got %+v, want %+v", i, ch, wantChanges[i])
			}
		}

		// Submitting the form again unchanged saves nothing and says so.
		testapp.Want(t, c.Post("/admin/settings", settingsForm(t, c)), http.StatusSeeOther)
		testapp.Scenario{Path: "/admin/settings", Text: map[string]string{`[data-testid="notice"]`: settingsUnchanged}}.Send(t, c)
		if again := app.Merchant(t, "sandpiper"); again.Version != after.Version {
			t.Errorf("version after an unchanged submit: got %d, want %d", again.Version, after.Version)
		}
		if n := len(settingsEvents(t, app, before.ID)); n != 1 {
			t.Errorf("audit events after an unchanged submit: got %d, want 1", n)
		}

		// A field is removed with its checkbox.
		saveSettings(t, c, map[string]string{"custom_remove_0": "true"})
		if defs := app.Merchant(t, "sandpiper").CustomFields; len(defs) != 0 {
			t.Errorf("after removing: got %+v, want none", defs)
		}
	})
}

func TestAdminSettingsSaveHTMX(t *testing.T) {
	testapp.ForEach(t, func(t *testing.T, b testapp.Backend) {
		app := testapp.New(t, b)
		c := adminClient(t, app)
		res := testapp.Scenario{Method: http.MethodPost, Path: "/admin/settings", HTMX: true, FormFunc: settingsWith(map[string]string{"max_failed_logins": "7"}),
			Status: http.StatusOK, Fragment: true, Count: map[string]int{"section#settings-form": 1}, Headers: map[string]string{"HX-Push-Url": "/admin/settings"},
			Text: map[string]string{`[data-testid="notice"]`: settingsSaved, "#max_failed_logins@value": "7"}}.Send(t, c)
		doc := res.Doc(t)
		if v, _ := doc.Find(`input[name="version"]`).Attr("value"); v != strconv.Itoa(app.Merchant(t, "sandpiper").Version) {
			t.Errorf("version field: got %q, want the new one", v)
		}

		// The section it returned can be submitted again straight away.
		testapp.Scenario{Method: http.MethodPost, Path: "/admin/settings", HTMX: true, Form: settingsValues(doc),
			Status: http.StatusOK, Text: map[string]string{`[data-testid="notice"]`: settingsUnchanged}}.Send(t, c)
	})
}

// A form made before someone else saved the settings is refused, and the
// admin's input stays on screen.
func TestAdminSettingsStaleVersion(t *testing.T) {
	testapp.ForEach(t, func(t *testing.T, b testapp.Backend) {
		app := testapp.New(t, b)
		first, second := adminClient(t, app), adminClient(t, app)
		stale := settingsForm(t, first)
		saveSettings(t, second, map[string]string{"max_failed_logins": "9"})
		saved := app.Merchant(t, "sandpiper")

		stale.Set("password_min_length", "12")
		res := testapp.Scenario{Method: http.MethodPost, Path: "/admin/settings", Form: stale, Status: http.StatusConflict,
			Contains: map[string][]string{`[data-testid="conflict"]`: {"Your changes were not saved", "Someone else changed these settings"}},
			// No field errors; the input kept, the stale value too.
			Absent: []string{`[data-testid="error-summary"]`},
			Text:   map[string]string{"#password_min_length@value": "12", "#max_failed_logins@value": "5"}}.Send(t, first)
		after := app.Merchant(t, "sandpiper")
		if after.Version != saved.Version || after.PasswordPolicy.MinLength != 6 || after.MaxFailedLogins != 9 {
			t.Errorf("stored: got version %d min length %d lock %d, want %d 6 9", after.Version, after.PasswordPolicy.MinLength, after.MaxFailedLogins, saved.Version)
		}
		if n := len(settingsEvents(t, app, saved.ID)); n != 1 {
			t.Errorf("audit events: got %d, want only the other admin's", n)
		}

		// Resubmitting the refused form is refused again; a form without a
		// version is refused too.
		refused := settingsValues(res.Doc(t))
		testapp.Want(t, first.Post("/admin/settings", refused), http.StatusConflict)
		stale.Del("version")
		testapp.Want(t, first.Post("/admin/settings", stale), http.StatusConflict)

		// htmx swaps the refusal into the section.
		testapp.Scenario{Method: http.MethodPost, Path: "/admin/settings", Form: refused, HTMX: true,
			Status: http.StatusConflict, Fragment: true, Count: map[string]int{`section#settings-form [data-testid="conflict"]`: 1}}.Send(t, first)
		if app.Merchant(t, "sandpiper").PasswordPolicy.MinLength != 6 {
			t.Errorf("a stale form was stored")
		}
	})
}

// The guest pages follow the settings from the next request on.
func TestAdminSettingsDriveGuestRules(t *testing.T) {
	testapp.ForEach(t, func(t *testing.T, b testapp.Backend) {
		t.Run("minimum length", func(t *testing.T) { minimumLengthDrivesPasswords(t, b) })
		t.Run("NIST preset", func(t *testing.T) { nistPresetDrivesPasswords(t, b) })
		t.Run("required birthday", func(t *testing.T) { requiredBirthdayDrivesProfile(t, b) })
		t.Run("custom date field", func(t *testing.T) { customDateDrivesProfile(t, b) })
		t.Run("list field", func(t *testing.T) { listFieldDrivesProfile(t, b) })
		t.Run("failed sign-ins before a lock, its waits and a permanent lock", func(t *testing.T) { lockoutSettingsDriveSignIn(t, b) })
	})
}

// refusedPost posts the guest's form to path and wants it refused, with
// msg next to field.
func refusedPost(t *testing.T, c *testapp.Client, path string, form func(*testing.T, *testapp.App, *testapp.Client) url.Values, field, msg string) {
	t.Helper()
	testapp.Scenario{Method: http.MethodPost, Path: path, FormFunc: form, Status: http.StatusUnprocessableEntity, Errors: map[string]string{field: msg}}.Send(t, c)
}

// newPasswordForm is the guest's password change to password.
func newPasswordForm(password string) func(*testing.T, *testapp.App, *testapp.Client) url.Values {
	return func(*testing.T, *testapp.App, *testapp.Client) url.Values {
		return passwordChange(guestPassword, password)
	}
}

// minimumLengthDrivesPasswords checks that a longer minimum is what the
// guest's password form asks for and checks.
func minimumLengthDrivesPasswords(t *testing.T, b testapp.Backend) {
	app := testapp.New(t, b)
	guest := app.ClientAs(t, "guest")
	saveSettings(t, adminClient(t, app), map[string]string{"password_min_length": "10"})

	refusedPost(t, guest, "/account/password", newPasswordForm("Short#1a"), "new_password", "New password must have at least 10 characters")
	testapp.Scenario{Path: "/account/password", Contains: map[string][]string{`[data-rule="length"]`: {"At least 10 characters"}}}.Send(t, guest)
	testapp.Want(t, guest.Post("/account/password", passwordChange(guestPassword, "Longer#2026x")), http.StatusSeeOther)
}

// nistPresetDrivesPasswords checks that the NIST preset wins over the
// typed numbers, is audited, shown to the admin and checked on the guest's
// password form, and that choosing VELA again restores its policy.
func nistPresetDrivesPasswords(t *testing.T, b testapp.Backend) {
	app := testapp.New(t, b)
	guest := app.ClientAs(t, "guest")
	admin := adminClient(t, app)
	saveSettings(t, admin, map[string]string{
		"password_preset":    "nist",
		"password_min_upper": "3", // the preset wins over the numbers
	})
	m := app.Merchant(t, "sandpiper")
	want := models.PasswordPolicy{MinLength: 15, MinScore: 3, History: 5}
	if m.PasswordPolicy != want {
		t.Errorf("stored policy: got %+v, want %+v", m.PasswordPolicy, want)
	}
	ev := settingsEvents(t, app, m.ID)[0]
	wantChanges := models.Changes{
		{Field: "password_min_length", Old: "6", New: "15"},
		{Field: "password_min_lower", Old: "1", New: "0"},
		{Field: "password_min_upper", Old: "1", New: "0"},
		{Field: "password_min_digits", Old: "1", New: "0"},
		{Field: "password_min_special", Old: "1", New: "0"},
		{Field: "password_min_score", Old: "0", New: "3"},
	}
	if !reflect.DeepEqual(ev.Changes, wantChanges) {
		t.Errorf("audit changes: got %+v, want %+v", ev.Changes, wantChanges)
	}
	testapp.Scenario{Path: "/admin/settings", Text: map[string]string{"#password_preset option[selected]@value": "nist", "#password_min_score@value": "3"}}.Send(t, admin)

	var rules []string
	guest.Get("/account/password").Doc(t).Find(`[data-testid="password-rules"] li`).Each(func(_ int, s *goquery.Selection) {
		rules = append(rules, s.Contents().First().Text())
	})
	wantRules := []string{"At least 15 characters", "Not a commonly used password", "Does not contain your username or email", "Hard to guess"}
	if !reflect.DeepEqual(rules, wantRules) {
		t.Errorf("checklist: got %q, want %q", rules, wantRules)
	}
	refusedPost(t, guest, "/account/password", newPasswordForm("Tq8#vL2m!Rz5"), "new_password", "New password must have at least 15 characters")
	refusedPost(t, guest, "/account/password", newPasswordForm("1qaz2wsx3edc4rfv"), "new_password", "New password is too common: choose one that is harder to guess")
	// Long but easy to guess: refused with zxcvbn's warning.
	refusedPost(t, guest, "/account/password", newPasswordForm("Abcdefghijklmno"), "new_password", "New password is too easy to guess: Sequences like abc or 6543 are easy to guess")
	// No composition rules: lowercase letters and spaces will do.
	testapp.Want(t, guest.Post("/account/password", passwordChange(guestPassword, "tuesday kite harbour")), http.StatusSeeOther)

	// Back to VELA from the list.
	saveSettings(t, admin, map[string]string{"password_preset": "vela"})
	if got := app.Merchant(t, "sandpiper").PasswordPolicy; got != models.VELAPolicy {
		t.Errorf("after choosing VELA: got %+v, want %+v", got, models.VELAPolicy)
	}
}

// requiredBirthdayDrivesProfile checks that a required birthday loses its
// (optional) and may not be cleared.
func requiredBirthdayDrivesProfile(t *testing.T, b testapp.Backend) {
	app := testapp.New(t, b)
	guest := app.ClientAs(t, "guest")
	if testapp.Label(guest.Get("/account/profile/edit").Doc(t), "birthday") != "Birthday" {
		t.Fatalf("birthday label before")
	}
	saveSettings(t, adminClient(t, app), map[string]string{"required_birthday": "true"})

	// Birthday, without (optional).
	testapp.Scenario{Path: "/account/profile/edit", Text: map[string]string{`label[for="birthday"]`: "Birthday"}}.Send(t, guest)
	refusedPost(t, guest, "/account/profile", profileWith(map[string]string{"birthday": ""}), "birthday", "Enter your birthday")
}

// customDateDrivesProfile checks that a custom date field is a date input
// on the guest's profile, checked and stored.
func customDateDrivesProfile(t *testing.T, b testapp.Backend) {
	app := testapp.New(t, b)
	guest := app.ClientAs(t, "guest")
	saveSettings(t, adminClient(t, app), map[string]string{"custom_key_0": "anniversary", "custom_label_0": "Anniversary", "custom_type_0": "date"})

	testapp.Scenario{Path: "/account/profile/edit", Labels: map[string]string{"custom_anniversary": "Anniversary"},
		Text: map[string]string{"#custom_anniversary@type": "date"}}.Send(t, guest)
	refusedPost(t, guest, "/account/profile", profileWith(map[string]string{"custom_anniversary": "14/07/2024"}), "custom_anniversary", "Anniversary must be a real date, like 1986-01-30")
	testapp.Want(t, guest.Post("/account/profile", profileWith(map[string]string{"custom_anniversary": "2024-07-14"})(t, app, guest)), http.StatusSeeOther)
	if got := app.User(t, "demo.guest").CustomFields["anniversary"]; got != "2024-07-14" {
		t.Errorf("stored: got %q, want 2024-07-14", got)
	}
}

// listFieldDrivesProfile checks that a custom list field is a select of
// its options on the guest's profile, checked and stored.
func listFieldDrivesProfile(t *testing.T, b testapp.Backend) {
	app := testapp.New(t, b)
	guest := app.ClientAs(t, "guest")
	saveSettings(t, adminClient(t, app), map[string]string{"custom_key_0": "shirt_size", "custom_label_0": "Shirt size", "custom_type_0": "list", "custom_options_0": "S\nM\nL"})

	var options []string
	guest.Get("/account/profile/edit").Doc(t).Find("select#custom_shirt_size option").Each(func(_ int, s *goquery.Selection) {
		if v, _ := s.Attr("value"); v != "" {
			options = append(options, v)
		}
	})
	if strings.Join(options, ",") != "S,M,L" {
		t.Errorf("options: got %v, want S, M, L", options)
	}
	refusedPost(t, guest, "/account/profile", profileWith(map[string]string{"custom_shirt_size": "XL"}), "custom_shirt_size", "Select shirt size from the list")
	testapp.Want(t, guest.Post("/account/profile", profileWith(map[string]string{"custom_shirt_size": "M"})(t, app, guest)), http.StatusSeeOther)
	if got := app.User(t, "demo.guest").CustomFields["shirt_size"]; got != "M" {
		t.Errorf("stored: got %q, want M", got)
	}
}

// lockoutSettingsDriveSignIn checks that the failed sign-ins before a
// lock, the waits and the permanent lock apply to the next sign-ins.
func lockoutSettingsDriveSignIn(t *testing.T, b testapp.Backend) {
	app := testapp.New(t, b)
	saveSettings(t, adminClient(t, app), map[string]string{
		"max_failed_logins": "2", "lockout_first_wait_minutes": "7", "lockout_max_wait_minutes": "9", "lockout_permanent_after": "2",
	})
	c := app.Client(t)
	for lock, wait := range []time.Duration{7 * time.Minute, 9 * time.Minute} {
		for i := 1; i <= 2; i++ {
			testapp.Want(t, c.Post("/login", url.Values{"login": {"demo.guest"}, "password": {"Wrong#2026"}}), http.StatusUnprocessableEntity)
		}
		u := app.User(t, "demo.guest")
		if u.Status != models.StatusActive || u.LockoutCount != lock+1 || u.LockedUntil == nil {
			t.Fatalf("lock %d: got status %s, locks %d, until %v", lock+1, u.Status, u.LockoutCount, u.LockedUntil)
		}
		if got := time.Until(*u.LockedUntil); got < wait-time.Minute || got > wait {
			t.Errorf("lock %d: lasts %v, want %v", lock+1, got, wait)
		}
		testapp.Want(t, c.Post("/login", url.Values{"login": {"demo.guest"}, "password": {"Guest#2026"}}), http.StatusUnprocessableEntity)
		app.DB.Model(&models.User{}).Where("id = ?", u.ID).Update("locked_until", time.Now().UTC().Add(-time.Second))
	}
	for i := 1; i <= 2; i++ {
		testapp.Want(t, c.Post("/login", url.Values{"login": {"demo.guest"}, "password": {"Wrong#2026"}}), http.StatusUnprocessableEntity)
	}
	if u := app.User(t, "demo.guest"); u.Status != models.StatusLocked {
		t.Errorf("third lock: got status %s, want LOCKED for good", u.Status)
	}
}

// "Forget failed sign-ins after" may not be shorter than the longest
// lock; saved, it is audited with its label, and sign-in follows it:
// failures older than it are forgotten, on the admin's page too.
func TestAdminSettingsForgetFailedSignIns(t *testing.T) {
	testapp.ForEach(t, func(t *testing.T, b testapp.Backend) {
		app := testapp.New(t, b)
		admin := adminClient(t, app)
		// Forgetting before the longest lock is over is refused.
		testapp.Scenario{Method: http.MethodPost, Path: "/admin/settings", FormFunc: settingsWith(map[string]string{"lockout_reset_minutes": "30"}),
			Status:   http.StatusUnprocessableEntity,
			Errors:   map[string]string{"lockout_reset_minutes": "Forget failed sign-ins after must be at least the longest lock, 60 minutes"},
			Contains: map[string][]string{`label[for="lockout_reset_minutes"]`: {"Forget failed sign-ins after (minutes)"}}}.Send(t, admin)
		saveSettings(t, admin, map[string]string{"max_failed_logins": "3", "lockout_reset_minutes": "90"})
		m := app.Merchant(t, "sandpiper")
		if m.Lockout.ResetMinutes != 90 {
			t.Fatalf("stored: got %d minutes, want 90", m.Lockout.ResetMinutes)
		}
		if evs := settingsEvents(t, app, m.ID); len(evs) != 1 || !slices.Contains(evs[0].Changes, models.Change{Field: "lockout_reset_minutes", Old: "720", New: "90"}) {
			t.Errorf("audit: got %+v, want the change 720 → 90", evs)
		}
		testapp.Scenario{Path: "/admin/audit", Contains: map[string][]string{"main": {"Forget failed sign-ins after (minutes)"}}}.Send(t, admin)

		c := app.Client(t)
		wrong := func() {
			testapp.Want(t, c.Post("/login", url.Values{"login": {"demo.guest"}, "password": {"Wrong#2026"}}), http.StatusUnprocessableEntity)
		}
		wrong()
		wrong()
		u := app.User(t, "demo.guest")
		app.DB.Model(&models.User{}).Where("id = ?", u.ID).Update("last_failed_login_at", time.Now().UTC().Add(-91*time.Minute))
		// The two old ones are forgotten: the admin's page counts
		// none, and two more do not pause.
		doc := admin.Get("/admin/users/" + u.ID).Doc(t)
		if got := strings.TrimSpace(doc.Find(`[data-testid="section-security"] dt:contains("Failed sign-ins") + dd`).Text()); got != "0" {
			t.Errorf("admin's page: got %q failed sign-ins, want 0", got)
		}
		if n := doc.Find(`button:contains("Reset failed sign-ins")`).Length(); n != 0 {
			t.Errorf("admin's page: got a reset button for forgotten failures, want none")
		}
		wrong()
		wrong()
		if u := app.User(t, "demo.guest"); u.FailedLoginCount != 2 || u.Budget().LockedAt(time.Now()) {
			t.Fatalf("two old failures and two new: got %d counted, paused %v; want 2, not paused", u.FailedLoginCount, u.LockedUntil)
		}
		wrong()
		if u := app.User(t, "demo.guest"); !u.Budget().LockedAt(time.Now()) {
			t.Errorf("third new failure: got no pause, want one")
		}
	})
}

// last is the value a form field ends with: a ticked checkbox comes after
// its hidden "false".
func last(form url.Values, name string) string {
	vals := form[name]
	if len(vals) == 0 {
		return ""
	}
	return vals[len(vals)-1]
}

// "Sign in after choosing a new password from a link" is off until an
// admin ticks it; ticking and unticking it are saved and audited like
// every setting.
func TestAdminSettingsSignInAfterReset(t *testing.T) {
	testapp.ForEach(t, func(t *testing.T, b testapp.Backend) {
		app := testapp.New(t, b)
		c := adminClient(t, app)
		testapp.Scenario{Name: "off by default", Path: "/admin/settings", Status: http.StatusOK,
			Labels: map[string]string{models.SettingSignInAfterReset: "Sign in after choosing a new password from a link"},
			Count:  map[string]int{"fieldset#sign-in-settings #sign_in_after_reset": 1, "#sign_in_after_reset[checked]": 0}}.Send(t, c)
		m := app.Merchant(t, "sandpiper")
		saveSettings(t, c, map[string]string{models.SettingSignInAfterReset: "true"})
		if !app.Merchant(t, "sandpiper").SignInAfterReset {
			t.Fatalf("ticked: not stored")
		}
		testapp.Scenario{Name: "ticked", Path: "/admin/settings", Count: map[string]int{"#sign_in_after_reset[checked]": 1}}.Send(t, c)
		saveSettings(t, c, map[string]string{models.SettingSignInAfterReset: "false"})
		if app.Merchant(t, "sandpiper").SignInAfterReset {
			t.Fatalf("unticked: still on")
		}
		evs := settingsEvents(t, app, m.ID)
		want := []models.Changes{
			{{Field: models.SettingSignInAfterReset, Old: "true", New: "false"}},
			{{Field: models.SettingSignInAfterReset, Old: "false", New: "true"}},
		}
		if len(evs) != 2 || !reflect.DeepEqual(evs[0].Changes, want[0]) || !reflect.DeepEqual(evs[1].Changes, want[1]) {
			t.Errorf("audit: got %+v, want %+v", evs, want)
		}
	})
}
