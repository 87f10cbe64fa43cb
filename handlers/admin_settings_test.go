package handlers_test

import (
	"net/http"
	"net/url"
	"reflect"
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

// settingsAdmin is a client signed in as the demo admin of Sandpiper Bay.
func settingsAdmin(t *testing.T, app *testapp.App) *testapp.Client {
	t.Helper()
	c := app.Client(t)
	c.SignIn("demo.admin", "Admin#2026")
	return c
}

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

// saveSettings submits the settings form after edit and wants it saved.
func saveSettings(t *testing.T, c *testapp.Client, edit func(form url.Values)) {
	t.Helper()
	form := settingsForm(t, c)
	edit(form)
	res := c.Post("/admin/settings", form)
	testapp.Want(t, res, http.StatusSeeOther)
	if loc := res.Header.Get("Location"); loc != "/admin/settings" {
		t.Fatalf("Location: got %q, want /admin/settings", loc)
	}
}

func settingsNotice(doc *goquery.Document) string {
	return strings.TrimSpace(doc.Find(`[data-testid="notice"]`).Text())
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
	testapp.ForEach(t, func(t *testing.T, b testapp.Backend) {
		app := testapp.New(t, b)
		c := settingsAdmin(t, app)
		res := c.Get("/admin/settings")
		testapp.Want(t, res, http.StatusOK)
		doc := res.Doc(t)
		m := app.Merchant(t, "sandpiper")

		numbers := map[string]string{
			"password_min_length":   "Minimum password length",
			"password_min_lower":    "Minimum lowercase letters",
			"password_min_upper":    "Minimum uppercase letters",
			"password_min_digits":   "Minimum digits",
			"password_min_special":  "Minimum special characters",
			"password_min_score":    "Lowest password strength accepted (0–4, 0 = any)",
			"password_history":      "Previous passwords that may not be reused",
			"password_max_age_days": "Password expires after (days, 0 = never)",
			"max_failed_logins":     "Failed sign-ins before a lock",
		}
		for id, label := range numbers {
			if got := testapp.Label(doc, id); got != label {
				t.Errorf("label for %s: got %q, want %q", id, got, label)
			}
			input := doc.Find("#" + id)
			if typ, _ := input.Attr("type"); typ != "number" {
				t.Errorf("#%s type: got %q, want number", id, typ)
			}
			if mode, _ := input.Attr("inputmode"); mode != "numeric" {
				t.Errorf("#%s inputmode: got %q, want numeric", id, mode)
			}
		}
		if got := testapp.Label(doc, "password_preset"); got != "Password policy" {
			t.Errorf("label for password_preset: got %q, want Password policy", got)
		}
		var presets []string
		doc.Find("#password_preset option").Each(func(_ int, s *goquery.Selection) {
			v, _ := s.Attr("value")
			presets = append(presets, v+"="+strings.SplitN(strings.TrimSpace(s.Text()), ":", 2)[0])
		})
		if got := strings.Join(presets, ","); got != "=Custom,vela=VELA,nist=NIST SP 800-63B" {
			t.Errorf("password policy options: got %s", got)
		}
		if v, _ := doc.Find("#password_preset option[selected]").Attr("value"); v != "vela" {
			t.Errorf("password policy: got %q selected, want vela (the demo merchant's numbers)", v)
		}
		for id, want := range map[string]string{"password_min_length": "6", "password_min_score": "0", "password_history": "5", "max_failed_logins": "5"} {
			if v, _ := doc.Find("#" + id).Attr("value"); v != want {
				t.Errorf("#%s value: got %q, want %q", id, v, want)
			}
		}
		for id, label := range map[string]string{"unique_email": "Email must be unique", "unique_mobile": "Mobile phone must be unique"} {
			if got := testapp.Label(doc, id); got != label {
				t.Errorf("label for %s: got %q, want %q", id, got, label)
			}
			if _, on := doc.Find("#" + id).Attr("checked"); !on {
				t.Errorf("#%s: got unchecked, want checked (the demo merchant enforces it)", id)
			}
		}
		required := doc.Find("fieldset#required_fields")
		if got := strings.TrimSpace(required.Find("legend").First().Text()); got != "Required fields" {
			t.Errorf("required fields legend: got %q", got)
		}
		for _, f := range models.RequirableFields() {
			id := models.RequiredInputName(f.Name)
			if required.Find("#"+id).Length() != 1 || testapp.Label(doc, id) != f.Label {
				t.Errorf("required checkbox %s: got label %q, want %q inside the fieldset", id, testapp.Label(doc, id), f.Label)
			}
			_, on := doc.Find("#" + id).Attr("checked")
			if on != m.Requires(f.Name) {
				t.Errorf("#%s checked: got %v, want %v", id, on, m.Requires(f.Name))
			}
		}
		// Sandpiper has no custom fields: one blank row to add one.
		if n := doc.Find(`[data-testid="custom-field"]`).Length(); n != 1 {
			t.Errorf("custom field rows: got %d, want the blank one", n)
		}
		for id, label := range map[string]string{"custom_key_0": "Key", "custom_label_0": "Label", "custom_type_0": "Type", "custom_options_0": "Options", "custom_required_0": "Required"} {
			if got := testapp.Label(doc, id); got != label {
				t.Errorf("label for %s: got %q, want %q", id, got, label)
			}
		}
		if goquery.NodeName(doc.Find("#custom_options_0")) != "textarea" {
			t.Errorf("options: got a %s, want a textarea", goquery.NodeName(doc.Find("#custom_options_0")))
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

		// Every visible input has a label; the form posts itself with htmx.
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
		form := doc.Find("#settings-form form")
		if v, _ := form.Attr("hx-post"); v != "/admin/settings" {
			t.Errorf("hx-post: got %q", v)
		}
		if v, _ := form.Attr("hx-target"); v != "#settings-form" {
			t.Errorf("hx-target: got %q", v)
		}
		if v, _ := form.Find(`input[name="version"]`).Attr("value"); v != strconv.Itoa(m.Version) {
			t.Errorf("version field: got %q, want %d", v, m.Version)
		}
		if v, _ := form.Find(`input[name="_csrf"]`).Attr("value"); v == "" {
			t.Errorf("_csrf: got none")
		}
		if got := strings.TrimSpace(doc.Find(`nav a[aria-current="page"]`).Text()); got != "Settings" {
			t.Errorf("current nav item: got %q, want Settings", got)
		}

		// Harbor Coffee's custom fields are listed with fixed keys.
		harbor := app.Merchant(t, "harbor")
		if err := app.DB.Model(&models.User{}).Where("username = ?", "demo.admin").Update("merchant_id", harbor.ID).Error; err != nil {
			t.Fatal(err)
		}
		doc = c.Get("/admin/settings").Doc(t)
		if n := doc.Find(`[data-testid="custom-field"]`).Length(); n != 3 {
			t.Errorf("harbor custom field rows: got %d, want 2 and a blank one", n)
		}
		if v, _ := doc.Find("#custom_key_0").Attr("value"); v != "favourite_drink" {
			t.Errorf("custom_key_0: got %q", v)
		}
		if _, ro := doc.Find("#custom_key_0").Attr("readonly"); !ro {
			t.Errorf("a saved key: got editable, want readonly")
		}
		if _, ro := doc.Find("#custom_key_2").Attr("readonly"); ro {
			t.Errorf("the new row's key: got readonly, want editable")
		}
		if got := doc.Find("#custom_options_0").Text(); got != "Espresso\nFlat white\nLatte\nTea" {
			t.Errorf("options: got %q", got)
		}
		if v, _ := doc.Find("#custom_type_1 option[selected]").Attr("value"); v != "date" {
			t.Errorf("custom_type_1: got %q, want date", v)
		}
		if got := testapp.Label(doc, "custom_remove_0"); got != "Remove" {
			t.Errorf("remove label: got %q", got)
		}
	})
}

// Guests may not see or change the settings; visitors are sent to sign in.
func TestAdminSettingsAccess(t *testing.T) {
	testapp.ForEach(t, func(t *testing.T, b testapp.Backend) {
		app := testapp.New(t, b)
		before := app.Merchant(t, "sandpiper")
		guest := app.Client(t)
		guest.SignInGuest()
		testapp.Want(t, guest.Get("/admin/settings"), http.StatusForbidden)
		testapp.Want(t, guest.Post("/admin/settings", url.Values{"password_min_length": {"3"}, "version": {strconv.Itoa(before.Version)}}), http.StatusForbidden)

		anon := app.Client(t)
		res := anon.Get("/admin/settings")
		testapp.Want(t, res, http.StatusSeeOther)
		if loc := res.Header.Get("Location"); !strings.HasPrefix(loc, "/login") {
			t.Errorf("signed out GET: got Location %q, want /login", loc)
		}
		res = anon.Post("/admin/settings", url.Values{"password_min_length": {"3"}})
		testapp.Want(t, res, http.StatusSeeOther)
		if loc := res.Header.Get("Location"); !strings.HasPrefix(loc, "/login") {
			t.Errorf("signed out POST: got Location %q, want /login", loc)
		}
		if after := app.Merchant(t, "sandpiper"); after.Version != before.Version || after.PasswordPolicy != before.PasswordPolicy {
			t.Errorf("settings changed by a guest or visitor: got %+v", after)
		}
	})
}

func TestAdminSettingsInvalid(t *testing.T) {
	testapp.ForEach(t, func(t *testing.T, b testapp.Backend) {
		app := testapp.New(t, b)
		before := app.Merchant(t, "sandpiper")
		c := settingsAdmin(t, app)
		form := settingsForm(t, c)
		form.Set("password_min_length", "abc")
		form.Set("password_min_digits", "4")
		form.Set("max_failed_logins", "0")
		form.Set("password_history", "7")
		form.Set("unique_email", "false") // shown and left unticked
		form.Set("custom_key_0", "Bad Key")
		form.Set("custom_label_0", "Shoe size")
		form.Set("custom_type_0", "number")
		form.Set("custom_options_0", "38\n39")
		res := c.Post("/admin/settings", form)
		testapp.Want(t, res, http.StatusUnprocessableEntity)
		doc := res.Doc(t)
		if doc.Find("html").Length() != 1 {
			t.Errorf("plain 422: got a fragment, want the page")
		}
		want := map[string]string{
			"password_min_length": "Minimum password length must be a whole number from 1 to 64",
			"max_failed_logins":   "Failed sign-ins before a lock must be a whole number from 1 to 100",
			"custom_key_0":        "Key of custom field 1 must start with a lowercase letter and have only lowercase letters, digits and underscores, up to 30, like favourite_drink",
			"custom_options_0":    "Only lists have options: clear the options of custom field 1, or make it a list of options",
		}
		for field, msg := range want {
			if got := testapp.FieldError(doc, field); got != msg {
				t.Errorf("#%s-error: got %q, want %q", field, got, msg)
			}
			input := doc.Find("#" + field)
			if v, _ := input.Attr("aria-invalid"); v != "true" {
				t.Errorf("#%s aria-invalid: got %q, want true", field, v)
			}
			if v, _ := input.Attr("aria-describedby"); !strings.Contains(v, field+"-error") {
				t.Errorf("#%s aria-describedby: got %q, want it to name %s-error", field, v, field)
			}
		}
		wantSummary := []string{want["password_min_length"], want["max_failed_logins"], want["custom_key_0"], want["custom_options_0"]}
		if got := testapp.SummaryMessages(doc); strings.Join(got, "|") != strings.Join(wantSummary, "|") {
			t.Errorf("summary: got %q, want %q in form order", got, wantSummary)
		}
		if href, _ := doc.Find(`[data-testid="error-summary"] a`).First().Attr("href"); href != "#password_min_length" {
			t.Errorf("first summary link: got %q", href)
		}
		// What the admin typed is kept.
		kept := settingsValues(doc)
		for _, name := range []string{"password_min_length", "password_min_digits", "password_history", "custom_key_0", "custom_label_0", "custom_type_0", "custom_options_0", "version"} {
			if kept.Get(name) != form.Get(name) {
				t.Errorf("%s kept: got %q, want %q", name, kept.Get(name), form.Get(name))
			}
		}
		if last(kept, "unique_email") != "false" || last(kept, "unique_mobile") != "true" {
			t.Errorf("checkboxes kept: got email %q mobile %q, want unticked and ticked", kept["unique_email"], kept["unique_mobile"])
		}
		if !strings.HasPrefix(doc.Find("title").Text(), "Error: ") {
			t.Errorf("title: got %q, want it to start with Error:", doc.Find("title").Text())
		}

		// The sum of the class minimums is checked against the length.
		form = settingsForm(t, c)
		form.Set("password_min_digits", "5")
		res = c.Post("/admin/settings", form)
		testapp.Want(t, res, http.StatusUnprocessableEntity)
		if got := testapp.FieldError(res.Doc(t), "password_min_length"); !strings.HasPrefix(got, "Minimum password length must be at least 8,") {
			t.Errorf("sum rule: got %q", got)
		}

		// htmx gets the section alone.
		c.HTMX = true
		res = c.Post("/admin/settings", form)
		testapp.Want(t, res, http.StatusUnprocessableEntity)
		if strings.Contains(res.Body, "<html") || res.Doc(t).Find("section#settings-form").Length() != 1 {
			t.Errorf("htmx 422: got %.200s, want the settings section alone", res.Body)
		}

		after := app.Merchant(t, "sandpiper")
		if after.Version != before.Version || after.PasswordPolicy != before.PasswordPolicy || !after.UniqueEmail {
			t.Errorf("stored after refusals: got %+v, want unchanged", after)
		}
		if n := len(settingsEvents(t, app, before.ID)); n != 0 {
			t.Errorf("audit events: got %d, want none", n)
		}
	})
}

func TestAdminSettingsSave(t *testing.T) {
	testapp.ForEach(t, func(t *testing.T, b testapp.Backend) {
		app := testapp.New(t, b)
		before := app.Merchant(t, "sandpiper")
		admin := app.User(t, "demo.admin")
		c := settingsAdmin(t, app)
		saveSettings(t, c, func(form url.Values) {
			form.Set("password_min_length", "8")
			form.Set("password_min_score", "2")
			form.Set("password_history", "10")
			form.Set("unique_mobile", "false") // shown and left unticked
			form.Set("required_birthday", "true")
			form.Set("custom_key_0", "shirt_size")
			form.Set("custom_label_0", "Shirt size")
			form.Set("custom_type_0", "list")
			form.Set("custom_options_0", "S\r\nM\r\nL")
			form.Set("custom_required_0", "true")
		})

		after := app.Merchant(t, "sandpiper")
		wantDefs := models.CustomFieldDefs{{Key: "shirt_size", Label: "Shirt size", Type: models.CustomList, Options: []string{"S", "M", "L"}, Required: true}}
		if after.PasswordPolicy.MinLength != 8 || after.PasswordPolicy.MinScore != 2 || after.PasswordPolicy.History != 10 || after.UniqueMobile || !after.UniqueEmail ||
			!after.Requires("birthday") || !after.Requires("last_name") || len(after.CustomFields) != 1 ||
			after.CustomFields[0].Key != wantDefs[0].Key || strings.Join(after.CustomFields[0].Options, ",") != "S,M,L" || !after.CustomFields[0].Required ||
			after.Version != before.Version+1 || after.Name != before.Name || after.Code != before.Code {
			t.Errorf("stored: got %+v", after)
		}

		page := c.Get("/admin/settings").Doc(t)
		if got := settingsNotice(page); got != settingsSaved {
			t.Errorf("notice: got %q, want %q", got, settingsSaved)
		}
		if v, _ := page.Find("#password_min_length").Attr("value"); v != "8" {
			t.Errorf("min length shown: got %q, want 8", v)
		}
		if v, _ := page.Find("#password_min_score").Attr("value"); v != "2" {
			t.Errorf("lowest strength shown: got %q, want 2", v)
		}
		if v, _ := page.Find(`input[name="version"]`).Attr("value"); v != strconv.Itoa(after.Version) {
			t.Errorf("version field: got %q, want %d", v, after.Version)
		}
		if page.Find(`[data-testid="custom-field"]`).Length() != 2 {
			t.Errorf("custom rows: got %d, want the new field and a blank row", page.Find(`[data-testid="custom-field"]`).Length())
		}

		evs := settingsEvents(t, app, before.ID)
		if len(evs) != 1 {
			t.Fatalf("audit events: got %d, want 1", len(evs))
		}
		ev := evs[0]
		if ev.ActorID == nil || *ev.ActorID != admin.ID || ev.SubjectID != nil || ev.MerchantID != before.ID {
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
		res := c.Post("/admin/settings", settingsForm(t, c))
		testapp.Want(t, res, http.StatusSeeOther)
		if got := settingsNotice(c.Get("/admin/settings").Doc(t)); got != settingsUnchanged {
			t.Errorf("notice: got %q, want %q", got, settingsUnchanged)
		}
		if again := app.Merchant(t, "sandpiper"); again.Version != after.Version {
			t.Errorf("version after an unchanged submit: got %d, want %d", again.Version, after.Version)
		}
		if n := len(settingsEvents(t, app, before.ID)); n != 1 {
			t.Errorf("audit events after an unchanged submit: got %d, want 1", n)
		}

		// A field is removed with its checkbox.
		saveSettings(t, c, func(form url.Values) { form.Set("custom_remove_0", "true") })
		if defs := app.Merchant(t, "sandpiper").CustomFields; len(defs) != 0 {
			t.Errorf("after removing: got %+v, want none", defs)
		}
	})
}

func TestAdminSettingsSaveHTMX(t *testing.T) {
	testapp.ForEach(t, func(t *testing.T, b testapp.Backend) {
		app := testapp.New(t, b)
		c := settingsAdmin(t, app)
		form := settingsForm(t, c)
		c.HTMX = true
		form.Set("max_failed_logins", "7")
		res := c.Post("/admin/settings", form)
		testapp.Want(t, res, http.StatusOK)
		doc := res.Doc(t)
		if strings.Contains(res.Body, "<html") || doc.Find("section#settings-form").Length() != 1 {
			t.Fatalf("htmx answer: got %.200s, want the settings section", res.Body)
		}
		if got := settingsNotice(doc); got != settingsSaved {
			t.Errorf("notice: got %q, want %q", got, settingsSaved)
		}
		if v, _ := doc.Find("#max_failed_logins").Attr("value"); v != "7" {
			t.Errorf("value shown: got %q, want 7", v)
		}
		m := app.Merchant(t, "sandpiper")
		if v, _ := doc.Find(`input[name="version"]`).Attr("value"); v != strconv.Itoa(m.Version) {
			t.Errorf("version field: got %q, want the new %d", v, m.Version)
		}
		if got := res.Header.Get("HX-Push-Url"); got != "/admin/settings" {
			t.Errorf("HX-Push-Url: got %q", got)
		}

		// The section it returned can be submitted again straight away.
		res = c.Post("/admin/settings", settingsValues(doc))
		testapp.Want(t, res, http.StatusOK)
		if got := settingsNotice(res.Doc(t)); got != settingsUnchanged {
			t.Errorf("notice: got %q, want %q", got, settingsUnchanged)
		}
	})
}

// A form made before someone else saved the settings is refused, and the
// admin's input stays on screen.
func TestAdminSettingsStaleVersion(t *testing.T) {
	testapp.ForEach(t, func(t *testing.T, b testapp.Backend) {
		app := testapp.New(t, b)
		first := settingsAdmin(t, app)
		second := settingsAdmin(t, app)
		stale := settingsForm(t, first)
		saveSettings(t, second, func(form url.Values) { form.Set("max_failed_logins", "9") })
		saved := app.Merchant(t, "sandpiper")

		stale.Set("password_min_length", "12")
		res := first.Post("/admin/settings", stale)
		testapp.Want(t, res, http.StatusConflict)
		doc := res.Doc(t)
		if got := doc.Find(`[data-testid="conflict"]`).Text(); !strings.Contains(got, "Your changes were not saved") || !strings.Contains(got, "Someone else changed these settings") {
			t.Errorf("conflict message: got %q", got)
		}
		if doc.Find(`[data-testid="error-summary"]`).Length() != 0 {
			t.Errorf("conflict: got field errors, want none")
		}
		if v, _ := doc.Find("#password_min_length").Attr("value"); v != "12" {
			t.Errorf("input kept: got %q, want 12", v)
		}
		if v, _ := doc.Find("#max_failed_logins").Attr("value"); v != "5" {
			t.Errorf("stale value kept: got %q, want the admin's 5", v)
		}
		after := app.Merchant(t, "sandpiper")
		if after.Version != saved.Version || after.PasswordPolicy.MinLength != 6 || after.MaxFailedLogins != 9 {
			t.Errorf("stored: got version %d min length %d lock %d, want %d 6 9", after.Version, after.PasswordPolicy.MinLength, after.MaxFailedLogins, saved.Version)
		}
		if n := len(settingsEvents(t, app, saved.ID)); n != 1 {
			t.Errorf("audit events: got %d, want only the other admin's", n)
		}

		// Resubmitting the refused form is refused again; a form without a
		// version is refused too.
		testapp.Want(t, first.Post("/admin/settings", settingsValues(doc)), http.StatusConflict)
		stale.Del("version")
		testapp.Want(t, first.Post("/admin/settings", stale), http.StatusConflict)

		// htmx swaps the refusal into the section.
		first.HTMX = true
		res = first.Post("/admin/settings", settingsValues(doc))
		testapp.Want(t, res, http.StatusConflict)
		if strings.Contains(res.Body, "<html") || res.Doc(t).Find(`section#settings-form [data-testid="conflict"]`).Length() != 1 {
			t.Errorf("htmx 409: got %.200s, want the section with the conflict message", res.Body)
		}
		if app.Merchant(t, "sandpiper").PasswordPolicy.MinLength != 6 {
			t.Errorf("a stale form was stored")
		}
	})
}

// The guest pages follow the settings from the next request on.
func TestAdminSettingsDriveGuestRules(t *testing.T) {
	testapp.ForEach(t, func(t *testing.T, b testapp.Backend) {
		t.Run("minimum length", func(t *testing.T) {
			app := testapp.New(t, b)
			guest := app.Client(t)
			guest.SignInGuest()
			saveSettings(t, settingsAdmin(t, app), func(form url.Values) { form.Set("password_min_length", "10") })

			res := guest.Post("/account/password", url.Values{"current_password": {"Guest#2026"}, "new_password": {"Short#1a"}, "confirm_password": {"Short#1a"}})
			testapp.Want(t, res, http.StatusUnprocessableEntity)
			if got := testapp.FieldError(res.Doc(t), "new_password"); got != "New password must have at least 10 characters" {
				t.Errorf("new password error: got %q", got)
			}
			rules := guest.Get("/account/password").Doc(t).Find(`[data-rule="length"]`).Text()
			if !strings.Contains(rules, "At least 10 characters") {
				t.Errorf("checklist: got %q, want At least 10 characters", rules)
			}
			res = guest.Post("/account/password", url.Values{"current_password": {"Guest#2026"}, "new_password": {"Longer#2026x"}, "confirm_password": {"Longer#2026x"}})
			testapp.Want(t, res, http.StatusSeeOther)
		})

		t.Run("NIST preset", func(t *testing.T) {
			app := testapp.New(t, b)
			guest := app.Client(t)
			guest.SignInGuest()
			admin := settingsAdmin(t, app)
			saveSettings(t, admin, func(form url.Values) {
				form.Set("password_preset", "nist")
				form.Set("password_min_upper", "3") // the preset wins over the numbers
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
			page := admin.Get("/admin/settings").Doc(t)
			if v, _ := page.Find("#password_preset option[selected]").Attr("value"); v != "nist" {
				t.Errorf("password policy shown: got %q, want nist", v)
			}
			if v, _ := page.Find("#password_min_score").Attr("value"); v != "3" {
				t.Errorf("lowest strength shown: got %q, want 3", v)
			}

			var rules []string
			guest.Get("/account/password").Doc(t).Find(`[data-testid="password-rules"] li`).Each(func(_ int, s *goquery.Selection) {
				rules = append(rules, s.Contents().First().Text())
			})
			wantRules := []string{"At least 15 characters", "Not a commonly used password", "Does not contain your username or email", "Hard to guess"}
			if !reflect.DeepEqual(rules, wantRules) {
				t.Errorf("checklist: got %q, want %q", rules, wantRules)
			}
			res := guest.Post("/account/password", url.Values{"current_password": {"Guest#2026"}, "new_password": {"Tq8#vL2m!Rz5"}, "confirm_password": {"Tq8#vL2m!Rz5"}})
			testapp.Want(t, res, http.StatusUnprocessableEntity)
			if got := testapp.FieldError(res.Doc(t), "new_password"); got != "New password must have at least 15 characters" {
				t.Errorf("short password: got %q", got)
			}
			res = guest.Post("/account/password", url.Values{"current_password": {"Guest#2026"}, "new_password": {"1qaz2wsx3edc4rfv"}, "confirm_password": {"1qaz2wsx3edc4rfv"}})
			testapp.Want(t, res, http.StatusUnprocessableEntity)
			if got := testapp.FieldError(res.Doc(t), "new_password"); got != "New password is too common: choose one that is harder to guess" {
				t.Errorf("common password: got %q", got)
			}
			// Long but easy to guess: refused with zxcvbn's warning.
			res = guest.Post("/account/password", url.Values{"current_password": {"Guest#2026"}, "new_password": {"Abcdefghijklmno"}, "confirm_password": {"Abcdefghijklmno"}})
			testapp.Want(t, res, http.StatusUnprocessableEntity)
			if got := testapp.FieldError(res.Doc(t), "new_password"); got != "New password is too easy to guess: Sequences like abc or 6543 are easy to guess" {
				t.Errorf("sequence: got %q", got)
			}
			// No composition rules: lowercase letters and spaces will do.
			testapp.Want(t, guest.Post("/account/password", url.Values{"current_password": {"Guest#2026"}, "new_password": {"tuesday kite harbour"}, "confirm_password": {"tuesday kite harbour"}}), http.StatusSeeOther)

			// Back to VELA from the list.
			saveSettings(t, admin, func(form url.Values) { form.Set("password_preset", "vela") })
			if got := app.Merchant(t, "sandpiper").PasswordPolicy; got != models.VELAPolicy {
				t.Errorf("after choosing VELA: got %+v, want %+v", got, models.VELAPolicy)
			}
		})

		t.Run("required birthday", func(t *testing.T) {
			app := testapp.New(t, b)
			guest := app.Client(t)
			guest.SignInGuest()
			if testapp.Label(guest.Get("/account/profile/edit").Doc(t), "birthday") != "Birthday" {
				t.Fatalf("birthday label before")
			}
			saveSettings(t, settingsAdmin(t, app), func(form url.Values) { form.Set("required_birthday", "true") })

			doc := guest.Get("/account/profile/edit").Doc(t)
			if got := strings.Join(strings.Fields(doc.Find(`label[for="birthday"]`).Text()), " "); got != "Birthday" {
				t.Errorf("birthday label: got %q, want Birthday without (optional)", got)
			}
			form := profileForm(t, guest)
			form.Set("birthday", "")
			res := guest.Post("/account/profile", form)
			testapp.Want(t, res, http.StatusUnprocessableEntity)
			if got := testapp.FieldError(res.Doc(t), "birthday"); got != "Enter your birthday" {
				t.Errorf("birthday error: got %q, want Enter your birthday", got)
			}
		})

		t.Run("custom date field", func(t *testing.T) {
			app := testapp.New(t, b)
			guest := app.Client(t)
			guest.SignInGuest()
			saveSettings(t, settingsAdmin(t, app), func(form url.Values) {
				form.Set("custom_key_0", "anniversary")
				form.Set("custom_label_0", "Anniversary")
				form.Set("custom_type_0", "date")
			})

			doc := guest.Get("/account/profile/edit").Doc(t)
			if got := testapp.Label(doc, "custom_anniversary"); got != "Anniversary" {
				t.Errorf("label: got %q, want Anniversary", got)
			}
			if typ, _ := doc.Find("#custom_anniversary").Attr("type"); typ != "date" {
				t.Errorf("input type: got %q, want date", typ)
			}
			form := profileForm(t, guest)
			form.Set("custom_anniversary", "14/07/2024")
			res := guest.Post("/account/profile", form)
			testapp.Want(t, res, http.StatusUnprocessableEntity)
			if got := testapp.FieldError(res.Doc(t), "custom_anniversary"); got != "Anniversary must be a real date, like 1986-01-30" {
				t.Errorf("error: got %q", got)
			}
			form.Set("custom_anniversary", "2024-07-14")
			testapp.Want(t, guest.Post("/account/profile", form), http.StatusSeeOther)
			if got := app.User(t, "demo.guest").CustomFields["anniversary"]; got != "2024-07-14" {
				t.Errorf("stored: got %q, want 2024-07-14", got)
			}
		})

		t.Run("list field", func(t *testing.T) {
			app := testapp.New(t, b)
			guest := app.Client(t)
			guest.SignInGuest()
			saveSettings(t, settingsAdmin(t, app), func(form url.Values) {
				form.Set("custom_key_0", "shirt_size")
				form.Set("custom_label_0", "Shirt size")
				form.Set("custom_type_0", "list")
				form.Set("custom_options_0", "S\nM\nL")
			})

			doc := guest.Get("/account/profile/edit").Doc(t)
			var options []string
			doc.Find("select#custom_shirt_size option").Each(func(_ int, s *goquery.Selection) {
				if v, _ := s.Attr("value"); v != "" {
					options = append(options, v)
				}
			})
			if strings.Join(options, ",") != "S,M,L" {
				t.Errorf("options: got %v, want S, M, L", options)
			}
			form := profileForm(t, guest)
			form.Set("custom_shirt_size", "XL")
			res := guest.Post("/account/profile", form)
			testapp.Want(t, res, http.StatusUnprocessableEntity)
			if got := testapp.FieldError(res.Doc(t), "custom_shirt_size"); got != "Select shirt size from the list" {
				t.Errorf("error: got %q", got)
			}
			form.Set("custom_shirt_size", "M")
			testapp.Want(t, guest.Post("/account/profile", form), http.StatusSeeOther)
			if got := app.User(t, "demo.guest").CustomFields["shirt_size"]; got != "M" {
				t.Errorf("stored: got %q, want M", got)
			}
		})

		t.Run("failed sign-ins before a lock, its waits and a permanent lock", func(t *testing.T) {
			app := testapp.New(t, b)
			saveSettings(t, settingsAdmin(t, app), func(form url.Values) {
				form.Set("max_failed_logins", "2")
				form.Set("lockout_first_wait_minutes", "7")
				form.Set("lockout_max_wait_minutes", "9")
				form.Set("lockout_permanent_after", "2")
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
		})
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
