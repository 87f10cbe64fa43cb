package handlers_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"myaccount/internal/testapp"
	"myaccount/models"
	"myaccount/store"
)

// auditRow is one row of the audit table as an admin reads it.
type auditRow struct {
	id, when, who, action, actionLabel, subject, subjectHref, ip string
	changes                                                      map[string]string // field → "field: old → new"
}

func auditRows(doc *goquery.Document) []auditRow {
	var rows []auditRow
	doc.Find(`[data-testid="audit-table"] tbody tr`).Each(func(_ int, tr *goquery.Selection) {
		text := func(col string) string {
			return strings.Join(strings.Fields(tr.Find(`[data-col="`+col+`"]`).Text()), " ")
		}
		r := auditRow{
			id: tr.AttrOr("data-event", ""), when: text("when"), who: text("who"), actionLabel: text("action"),
			action: tr.Find(`[data-col="action"]`).AttrOr("data-action", ""), subject: text("subject"),
			subjectHref: tr.Find(`[data-col="subject"] a`).AttrOr("href", ""), ip: text("ip"),
			changes: map[string]string{},
		}
		tr.Find(`[data-col="changes"] li`).Each(func(_ int, li *goquery.Selection) {
			r.changes[li.AttrOr("data-field", "")] = strings.Join(strings.Fields(li.Text()), " ")
		})
		rows = append(rows, r)
	})
	return rows
}

// activeUserOf is an active user of the merchant with code.
func activeUserOf(t *testing.T, app *testapp.App, code string) *models.User {
	t.Helper()
	var u models.User
	err := app.DB.Where("merchant_id = ? AND status = ? AND must_change_password = ?", app.Merchant(t, code).ID, models.StatusActive, false).
		Order("username").Take(&u).Error
	if err != nil {
		t.Fatalf("an active %s user: %v", code, err)
	}
	return &u
}

// auditScene is an application whose audit trail has real events: the
// demo guest signed in, failed a sign-in, edited their profile and changed
// their password; a Harbor Coffee guest signed in and edited their profile.
type auditScene struct {
	app          *testapp.App
	admin        *testapp.Client
	guest, hbUsr *models.User
}

func newAuditScene(t *testing.T, b testapp.Backend) *auditScene {
	t.Helper()
	app := testapp.New(t, b)
	s := &auditScene{app: app, guest: app.User(t, "demo.guest"), hbUsr: activeUserOf(t, app, "harbor")}

	// A wrong password: the event has no actor.
	res := app.Client(t).Post("/login", url.Values{"login": {"demo.guest"}, "password": {"wrong"}})
	testapp.Want(t, res, http.StatusUnprocessableEntity)

	guest := app.Client(t)
	guest.SignInGuest()
	form := profileForm(t, guest)
	form.Set("first_name", "Maia")
	form.Set("address_line2", "")
	testapp.Want(t, guest.Post("/account/profile", form), http.StatusSeeOther)
	res = guest.Post("/account/password", url.Values{
		"current_password": {"Guest#2026"}, "new_password": {"Tide&Harbour42"}, "confirm_password": {"Tide&Harbour42"},
	})
	testapp.Want(t, res, http.StatusSeeOther)

	harbor := app.Client(t)
	harbor.SignIn(s.hbUsr.Username, "Guest#2026")
	form = profileForm(t, harbor)
	form.Set("city", "Harbortown")
	testapp.Want(t, harbor.Post("/account/profile", form), http.StatusSeeOther)

	s.admin = app.Client(t)
	s.admin.SignIn("demo.admin", "Admin#2026")
	return s
}

// The log lists the merchant's events, newest first, saying who did what
// to whom, which fields changed and from where, with secrets only as
// "changed".
func TestAdminAuditPage(t *testing.T) {
	testapp.ForEach(t, func(t *testing.T, b testapp.Backend) {
		s := newAuditScene(t, b)
		testapp.Scenario{Path: "/admin/audit", Status: http.StatusOK,
			Labels: map[string]string{"actor": "Actor (username)", "subject": "Subject (username)", "action": "Action", "from": "From", "to": "To"},
			Text: map[string]string{
				"#from@type": "date", "#to@type": "date",
				`#action option[value="user.profile_updated"]`: "Profile updated", "#action option:first-child": "Any action",
				"#audit-filter form@method": "get", "#audit-filter form@action": "/admin/audit", "#audit-filter form@hx-get": "/admin/audit",
				"#audit-filter form@hx-target": "#audit-results", "#audit-filter form@hx-push-url": "true",
				`.site-nav a[aria-current="page"]`: "Audit log",
			},
			Count:     map[string]int{`#audit-results .overflow-x-auto > table.table`: 1},
			NotInBody: []string{"$2a$", "$2b$", "Tide&amp;Harbour42", "Tide&Harbour42", s.hbUsr.Username},
			After: func(t *testing.T, _ *testapp.App, res *testapp.Response) {
				rows := auditRows(res.Doc(t))
				if len(rows) < 5 {
					t.Fatalf("rows: got %d, want at least 5", len(rows))
				}
				for i := 1; i < len(rows); i++ {
					if rows[i].when > rows[i-1].when {
						t.Errorf("row %d (%s) is newer than row %d (%s): want newest first", i, rows[i].when, i-1, rows[i-1].when)
					}
				}
				find := func(action string) *auditRow {
					for i := range rows {
						if rows[i].action == action && rows[i].subject == "demo.guest" {
							return &rows[i]
						}
					}
					t.Fatalf("no %s row about demo.guest in %+v", action, rows)
					return nil
				}
				profile := find(models.ActionProfileUpdated)
				if profile.who != "demo.guest" || profile.actionLabel != "Profile updated" || profile.subjectHref != "/admin/users/"+s.guest.ID {
					t.Errorf("profile row: got who=%q action=%q subject link=%q", profile.who, profile.actionLabel, profile.subjectHref)
				}
				// Changed fields read as their labels, never as raw keys.
				if got := profile.changes["first_name"]; got != "First name: Maya → Maia" {
					t.Errorf("first_name change: got %q, want %q", got, "First name: Maya → Maia")
				}
				if got := profile.changes["address_line2"]; got != "Address line 2: Suite 200 → (empty)" {
					t.Errorf("address_line2 change: got %q, want %q", got, "Address line 2: Suite 200 → (empty)")
				}
				if profile.ip != "127.0.0.1" {
					t.Errorf("from: got %q, want 127.0.0.1", profile.ip)
				}
				if _, err := time.Parse("January 2, 2006, 15:04:05 UTC", profile.when); err != nil {
					t.Errorf("when: got %q, want the people's format in the admin's American English, such as January 30, 2026, 14:05:09 UTC", profile.when)
				}
				if got := find(models.ActionPasswordChange).changes["password"]; got != "Password: changed" {
					t.Errorf("password change: got %q, want %q", got, "Password: changed")
				}
				if failed := find(models.ActionSignInFailed); failed.who != "system" {
					t.Errorf("failed sign-in: got who %q, want system", failed.who)
				}
			}}.Send(t, s.admin)
	})
}

// Filters narrow the log and are kept in the form; a bad date is an error
// next to its field with 422; htmx gets only the results.
func TestAdminAuditFilters(t *testing.T) {
	testapp.ForEach(t, func(t *testing.T, b testapp.Backend) {
		s := newAuditScene(t, b)
		today := time.Now().UTC().Format(time.DateOnly)
		guestEvents := len(s.app.Audit(t, s.guest.ID))
		rowCount := func(want int) func(*testing.T, *testapp.App, *testapp.Response) {
			return func(t *testing.T, _ *testapp.App, res *testapp.Response) {
				if n := len(auditRows(res.Doc(t))); n != want {
					t.Errorf("rows: got %d, want %d", n, want)
				}
			}
		}
		found := []string{`[data-testid="audit-empty"]`, ".field-error"}
		empty := testapp.Scenario{Status: http.StatusOK, Absent: []string{`[data-testid="audit-table"] tbody tr`, ".field-error"},
			Contains: map[string][]string{`[data-testid="audit-empty"]`: {"No events match these filters."}},
			Count:    map[string]int{`[data-testid="audit-empty"] a[href="/admin/audit"]`: 1}}
		invalid := func(field, msg string) testapp.Scenario {
			return testapp.Scenario{Status: http.StatusUnprocessableEntity, Absent: []string{`[data-testid="audit-empty"]`},
				Contains: map[string][]string{"#" + field + "-error": {msg}}, Invalid: []string{field}}
		}
		tests := []struct {
			name  string
			query url.Values
			want  testapp.Scenario
		}{
			{"subject", url.Values{"subject": {"demo.guest"}}, testapp.Scenario{Status: http.StatusOK, Absent: found,
				After: func(t *testing.T, _ *testapp.App, res *testapp.Response) {
					rowCount(guestEvents)(t, nil, res)
					for _, r := range auditRows(res.Doc(t)) {
						if r.subject != "demo.guest" {
							t.Errorf("row %s: got subject %q, want demo.guest", r.id, r.subject)
						}
					}
				}}},
			{"subject in capitals", url.Values{"subject": {" DEMO.GUEST "}}, testapp.Scenario{Status: http.StatusOK, Absent: found, After: rowCount(guestEvents)}},
			{"actor", url.Values{"actor": {"demo.admin"}}, testapp.Scenario{Status: http.StatusOK, Absent: found,
				After: func(t *testing.T, _ *testapp.App, res *testapp.Response) {
					if rows := auditRows(res.Doc(t)); len(rows) != 1 || rows[0].action != models.ActionSignIn || rows[0].who != "demo.admin" {
						t.Errorf("rows: got %+v, want the admin's sign-in", rows)
					}
				}}},
			{"action", url.Values{"action": {models.ActionProfileUpdated}}, testapp.Scenario{Status: http.StatusOK, Absent: found,
				After: func(t *testing.T, _ *testapp.App, res *testapp.Response) {
					// The guest's profile update only.
					if rows := auditRows(res.Doc(t)); len(rows) != 1 || rows[0].subject != "demo.guest" || rows[0].action != models.ActionProfileUpdated {
						t.Errorf("rows: got %+v, want the guest's profile update only", rows)
					}
				}}},
			{"today", url.Values{"from": {today}, "to": {today}, "subject": {"demo.guest"}}, testapp.Scenario{Status: http.StatusOK, Absent: found, After: rowCount(guestEvents)}},
			{"days without events", url.Values{"from": {"2000-01-01"}, "to": {"2000-01-31"}}, empty},
			{"unknown user", url.Values{"subject": {"nobody"}}, empty},
			{"Harbor Coffee's user as subject", url.Values{"subject": {s.hbUsr.Username}}, empty},
			{"Harbor Coffee's user as actor", url.Values{"actor": {s.hbUsr.Username}}, empty},
			{"not a date", url.Values{"from": {"yesterday"}, "subject": {"demo.guest"}, "action": {models.ActionSignIn}}, invalid("from", "From must be a real date")},
			{"no such day", url.Values{"to": {"2026-02-30"}}, invalid("to", "To must be a real date")},
			{"To before From", url.Values{"from": {"2026-03-02"}, "to": {"2026-03-01"}}, invalid("to", "To must be the same as or after From")},
		}
		for _, tc := range tests {
			sc := tc.want
			sc.Name, sc.Path, sc.Text = tc.name, "/admin/audit?"+tc.query.Encode(), map[string]string{}
			// Every filter is shown again as it was typed.
			for name := range tc.query {
				key := "#" + name + "@value"
				if name == "action" {
					key = "#action option[selected]@value"
				}
				sc.Text[key] = strings.TrimSpace(tc.query.Get(name))
			}
			t.Run(tc.name, func(t *testing.T) { sc.Send(t, s.admin) })
		}
	})
}

// htmx gets the results and the filter form (out of band), never a page.
func TestAdminAuditHTMX(t *testing.T) {
	testapp.ForEach(t, func(t *testing.T, b testapp.Backend) {
		s := newAuditScene(t, b)
		testapp.Scenario{Path: "/admin/audit?subject=demo.guest", HTMX: true, Status: http.StatusOK, Fragment: true, NotInBody: []string{"site-header"},
			Count:    map[string]int{"#audit-results": 1, `#audit-filter[hx-swap-oob="true"]`: 1},
			Contains: map[string][]string{`[data-testid="audit-table"] tbody tr`: nil}}.Send(t, s.admin)
		testapp.Scenario{Path: "/admin/audit?from=2026-13-01", HTMX: true, Status: http.StatusUnprocessableEntity, Fragment: true,
			Contains: map[string][]string{"#audit-filter[hx-swap-oob] #from-error": {"From must be a real date"}}}.Send(t, s.admin)
		// Restoring history after the back button wants the whole page.
		testapp.Scenario{Path: "/admin/audit?subject=demo.guest", HTMX: true, Header: http.Header{"Hx-History-Restore-Request": {"true"}},
			Status: http.StatusOK, InBody: []string{"<html"}}.Send(t, s.admin)
	})
}

// Pages of 50 walk through the log with Older and Newer links that keep
// the filters, with and without htmx.
func TestAdminAuditPagination(t *testing.T) {
	testapp.ForEach(t, func(t *testing.T, b testapp.Backend) {
		s := newAuditScene(t, b)
		m := s.app.Merchant(t, "sandpiper")
		start := time.Now().UTC().Add(-time.Hour)
		for i := range 60 {
			ev := models.AuditEvent{
				ID: store.NewID(), MerchantID: m.ID, ActorID: &s.guest.ID, SubjectID: &s.guest.ID, Action: models.ActionSignOut,
				IP: "192.0.2.9", CreatedAt: start.Add(time.Duration(i) * time.Second),
			}
			if err := s.app.DB.Create(&ev).Error; err != nil {
				t.Fatal(err)
			}
		}
		var total int64
		s.app.DB.Model(&models.AuditEvent{}).Where("merchant_id = ? AND action = ?", m.ID, models.ActionSignOut).Count(&total)

		res := s.admin.Get("/admin/audit?action=user.sign_out")
		testapp.Want(t, res, http.StatusOK)
		doc := res.Doc(t)
		first := auditRows(doc)
		if len(first) != 50 {
			t.Fatalf("page 1: got %d rows, want 50", len(first))
		}
		if doc.Find("#audit-newer").Length() != 0 {
			t.Errorf("page 1: got a Newer link, want none")
		}
		older := doc.Find("#audit-older")
		href := older.AttrOr("href", "")
		if older.Text() != "Older" || !strings.Contains(href, "action=user.sign_out") || !strings.Contains(href, "after=") || older.AttrOr("hx-get", "") != href {
			t.Fatalf("Older link: got %q href=%q hx-get=%q, want one keeping the filter", older.Text(), href, older.AttrOr("hx-get", ""))
		}

		s.admin.HTMX = true
		res = s.admin.Get(href)
		testapp.Want(t, res, http.StatusOK)
		doc = res.Doc(t)
		second := auditRows(doc)
		if len(second) != int(total)-50 {
			t.Errorf("page 2: got %d rows, want %d", len(second), total-50)
		}
		for _, r := range second {
			if r.action != models.ActionSignOut {
				t.Errorf("page 2: got action %q, want the filter kept", r.action)
			}
			for _, f := range first {
				if f.id == r.id {
					t.Errorf("page 2 repeats event %s", r.id)
				}
			}
		}
		if doc.Find("#audit-older").Length() != 0 {
			t.Errorf("page 2: got an Older link, want none")
		}
		newer := doc.Find("#audit-newer").AttrOr("href", "")
		if !strings.Contains(newer, "action=user.sign_out") || !strings.Contains(newer, "before=") {
			t.Fatalf("Newer link: got %q, want one keeping the filter", newer)
		}

		s.admin.HTMX = false
		back := auditRows(s.admin.Get(newer).Doc(t))
		if len(back) != 50 || back[0].id != first[0].id || back[49].id != first[49].id {
			t.Errorf("Newer: got %d rows, want page 1 again", len(back))
		}
	})
}

// Only the merchant's admins see the log.
func TestAdminAuditAccess(t *testing.T) {
	testapp.RunScenarios(t, []testapp.Scenario{
		{Name: "guest", As: "guest", Path: "/admin/audit", Shared: true, Status: http.StatusForbidden},
		{Name: "signed out", Path: "/admin/audit?subject=demo.guest", Shared: true, Status: http.StatusSeeOther, Headers: location("/login*")},
	})
}

// What an integration did names its API key as the actor, not a user nor
// the system; creating and revoking a key read as such.
func TestAdminAuditKeyActor(t *testing.T) {
	testapp.ForEach(t, func(t *testing.T, b testapp.Backend) {
		app := testapp.New(t, b)
		ctx := context.Background()
		admin, sandpiper, guest := app.User(t, "demo.admin"), app.Merchant(t, "sandpiper"), app.User(t, "demo.guest")
		keys := store.NewAPIKeys(app.DB)
		_, key, err := keys.Create(ctx, admin, sandpiper, "Point of sale", store.Meta{})
		if err != nil {
			t.Fatal(err)
		}
		if err := keys.Revoke(ctx, admin, sandpiper, key.ID, store.Meta{}); err != nil {
			t.Fatal(err)
		}
		ev := models.AuditEvent{ID: store.NewID(), MerchantID: sandpiper.ID, ActorKeyID: &key.ID, SubjectID: &guest.ID,
			Action: models.ActionProfileUpdated, Changes: models.Changes{{Field: "city", Old: "Johns Creek", New: "Savannah"}}, CreatedAt: time.Now().UTC()}
		if err := app.DB.Create(&ev).Error; err != nil {
			t.Fatal(err)
		}
		for _, path := range []string{"/admin/audit", "/admin/users/" + guest.ID} {
			doc := app.ClientAs(t, "admin").Get(path).Doc(t)
			if got := doc.Find(`tr[data-event="` + ev.ID + `"] [data-col="who"]`).Text(); strings.TrimSpace(got) != "API key “Point of sale”" {
				t.Errorf("%s: who: got %q, want API key “Point of sale”", path, got)
			}
		}
		rows := auditRows(app.ClientAs(t, "admin").Get("/admin/audit").Doc(t))
		labels := map[string]auditRow{}
		for _, r := range rows {
			labels[r.action] = r
		}
		for action, want := range map[string]string{models.ActionAPIKeyCreated: "API key created", models.ActionAPIKeyRevoked: "API key revoked"} {
			if r := labels[action]; r.actionLabel != want || r.who != "demo.admin" || r.changes["prefix"] == "" {
				t.Errorf("%s: got %+v, want %q by demo.admin naming the prefix", action, r, want)
			}
		}
	})
}
