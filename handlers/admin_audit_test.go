package handlers_test

import (
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
		res := s.admin.Get("/admin/audit")
		testapp.Want(t, res, http.StatusOK)
		doc := res.Doc(t)

		for id, label := range map[string]string{
			"actor": "Actor (username)", "subject": "Subject (username)", "action": "Action", "from": "From", "to": "To",
		} {
			if got := testapp.Label(doc, id); got != label {
				t.Errorf("label for %s: got %q, want %q", id, got, label)
			}
		}
		for _, id := range []string{"from", "to"} {
			if typ := doc.Find("#"+id).AttrOr("type", ""); typ != "date" {
				t.Errorf("#%s type: got %q, want date", id, typ)
			}
		}
		if doc.Find(`#action option[value="user.profile_updated"]`).Text() != "Profile updated" {
			t.Errorf("action select: got no readable %q option", "Profile updated")
		}
		if got := doc.Find(`#action option`).First().Text(); got != "Any action" {
			t.Errorf("action select first option: got %q, want Any action", got)
		}
		formSel := doc.Find("#audit-filter form")
		for attr, want := range map[string]string{
			"method": "get", "action": "/admin/audit", "hx-get": "/admin/audit", "hx-target": "#audit-results", "hx-push-url": "true",
		} {
			if got := formSel.AttrOr(attr, ""); got != want {
				t.Errorf("filter form %s: got %q, want %q", attr, got, want)
			}
		}
		if doc.Find(`#audit-results .overflow-x-auto > table.table`).Length() != 1 {
			t.Errorf("results: got no .table inside .overflow-x-auto in #audit-results")
		}
		if got := doc.Find(`.site-nav a[aria-current="page"]`).Text(); got != "Audit log" {
			t.Errorf("current nav: got %q, want Audit log", got)
		}

		rows := auditRows(doc)
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
		if got := profile.changes["first_name"]; got != "first_name: Maya → Maia" {
			t.Errorf("first_name change: got %q, want %q", got, "first_name: Maya → Maia")
		}
		if got := profile.changes["address_line2"]; got != "address_line2: Suite 200 → (empty)" {
			t.Errorf("address_line2 change: got %q, want %q", got, "address_line2: Suite 200 → (empty)")
		}
		if profile.ip != "127.0.0.1" {
			t.Errorf("from: got %q, want 127.0.0.1", profile.ip)
		}
		if _, err := time.Parse("2006-01-02 15:04:05", profile.when); err != nil {
			t.Errorf("when: got %q, want YYYY-MM-DD hh:mm:ss", profile.when)
		}
		password := find(models.ActionPasswordChange)
		if got := password.changes["password"]; got != "password: changed" {
			t.Errorf("password change: got %q, want %q", got, "password: changed")
		}
		failed := find(models.ActionSignInFailed)
		if failed.who != "system" {
			t.Errorf("failed sign-in: got who %q, want system", failed.who)
		}
		for _, bad := range []string{"$2a$", "$2b$", "Tide&amp;Harbour42", "Tide&Harbour42"} {
			if strings.Contains(res.Body, bad) {
				t.Errorf("page contains %q", bad)
			}
		}
		if strings.Contains(res.Body, s.hbUsr.Username) {
			t.Errorf("page names Harbor Coffee's %s", s.hbUsr.Username)
		}
	})
}

// Filters narrow the log and are kept in the form; a bad date is an error
// next to its field with 422; htmx gets only the results.
func TestAdminAuditFilters(t *testing.T) {
	testapp.ForEach(t, func(t *testing.T, b testapp.Backend) {
		s := newAuditScene(t, b)
		admin := s.admin
		today := time.Now().UTC().Format(time.DateOnly)
		guestEvents := len(s.app.Audit(t, s.guest.ID))

		tests := []struct {
			name      string
			query     url.Values
			status    int
			wantRows  func(t *testing.T, rows []auditRow)
			wantEmpty bool
			// wantErrors maps a field to the start of its message.
			wantErrors map[string]string
		}{
			{name: "subject", query: url.Values{"subject": {"demo.guest"}}, status: http.StatusOK, wantRows: func(t *testing.T, rows []auditRow) {
				if len(rows) != guestEvents {
					t.Errorf("rows: got %d, want the guest's %d events", len(rows), guestEvents)
				}
				for _, r := range rows {
					if r.subject != "demo.guest" {
						t.Errorf("row %s: got subject %q, want demo.guest", r.id, r.subject)
					}
				}
			}},
			{name: "subject in capitals", query: url.Values{"subject": {" DEMO.GUEST "}}, status: http.StatusOK, wantRows: func(t *testing.T, rows []auditRow) {
				if len(rows) != guestEvents {
					t.Errorf("rows: got %d, want %d", len(rows), guestEvents)
				}
			}},
			{name: "actor", query: url.Values{"actor": {"demo.admin"}}, status: http.StatusOK, wantRows: func(t *testing.T, rows []auditRow) {
				if len(rows) != 1 || rows[0].action != models.ActionSignIn || rows[0].who != "demo.admin" {
					t.Errorf("rows: got %+v, want the admin's sign-in", rows)
				}
			}},
			{name: "action", query: url.Values{"action": {models.ActionProfileUpdated}}, status: http.StatusOK, wantRows: func(t *testing.T, rows []auditRow) {
				if len(rows) != 1 || rows[0].subject != "demo.guest" {
					t.Errorf("rows: got %+v, want the guest's profile update only", rows)
				}
				for _, r := range rows {
					if r.action != models.ActionProfileUpdated {
						t.Errorf("row %s: got action %q", r.id, r.action)
					}
				}
			}},
			{name: "today", query: url.Values{"from": {today}, "to": {today}, "subject": {"demo.guest"}}, status: http.StatusOK, wantRows: func(t *testing.T, rows []auditRow) {
				if len(rows) != guestEvents {
					t.Errorf("rows: got %d, want %d", len(rows), guestEvents)
				}
			}},
			{name: "days without events", query: url.Values{"from": {"2000-01-01"}, "to": {"2000-01-31"}}, status: http.StatusOK, wantEmpty: true},
			{name: "unknown user", query: url.Values{"subject": {"nobody"}}, status: http.StatusOK, wantEmpty: true},
			{name: "Harbor Coffee's user as subject", query: url.Values{"subject": {s.hbUsr.Username}}, status: http.StatusOK, wantEmpty: true},
			{name: "Harbor Coffee's user as actor", query: url.Values{"actor": {s.hbUsr.Username}}, status: http.StatusOK, wantEmpty: true},
			{name: "not a date", query: url.Values{"from": {"yesterday"}, "subject": {"demo.guest"}, "action": {models.ActionSignIn}}, status: http.StatusUnprocessableEntity,
				wantErrors: map[string]string{"from": "From must be a real date"}},
			{name: "no such day", query: url.Values{"to": {"2026-02-30"}}, status: http.StatusUnprocessableEntity,
				wantErrors: map[string]string{"to": "To must be a real date"}},
			{name: "To before From", query: url.Values{"from": {"2026-03-02"}, "to": {"2026-03-01"}}, status: http.StatusUnprocessableEntity,
				wantErrors: map[string]string{"to": "To must be the same as or after From"}},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				res := admin.Get("/admin/audit?" + tc.query.Encode())
				testapp.Want(t, res, tc.status)
				doc := res.Doc(t)
				// Every filter is shown again as it was typed.
				for name := range tc.query {
					sel := doc.Find("#" + name)
					got := sel.AttrOr("value", "")
					if goquery.NodeName(sel) == "select" {
						got = sel.Find("option[selected]").AttrOr("value", "")
					}
					if want := strings.TrimSpace(tc.query.Get(name)); got != want {
						t.Errorf("filter %s: got %q, want %q kept", name, got, want)
					}
				}
				empty := doc.Find(`[data-testid="audit-empty"]`)
				if tc.wantEmpty {
					if !strings.Contains(empty.Text(), "No events match these filters.") || empty.Find(`a[href="/admin/audit"]`).Length() != 1 {
						t.Errorf("empty result: got %q, want the message with a link to clear the filters", empty.Text())
					}
					if n := len(auditRows(doc)); n != 0 {
						t.Errorf("rows: got %d, want none", n)
					}
				} else if empty.Length() != 0 {
					t.Errorf("got the empty message, want events")
				}
				if tc.wantRows != nil {
					tc.wantRows(t, auditRows(doc))
				}
				for field, msg := range tc.wantErrors {
					if got := doc.Find("#" + field + "-error").Text(); !strings.Contains(got, msg) {
						t.Errorf("%s error: got %q, want %q", field, got, msg)
					}
					input := doc.Find("#" + field)
					if input.AttrOr("aria-invalid", "") != "true" || !strings.Contains(input.AttrOr("aria-describedby", ""), field+"-error") {
						t.Errorf("%s: got aria-invalid=%q aria-describedby=%q, want the error tied to the field", field, input.AttrOr("aria-invalid", ""), input.AttrOr("aria-describedby", ""))
					}
					if doc.Find(`[data-testid="error-summary"] a[href="#`+field+`"]`).Length() != 1 {
						t.Errorf("error summary: got no link to #%s", field)
					}
				}
				if tc.wantErrors == nil && doc.Find(".field-error").Length() != 0 {
					t.Errorf("got field errors %q, want none", doc.Find(".field-error").Text())
				}
			})
		}
	})
}

// htmx gets the results and the filter form (out of band), never a page.
func TestAdminAuditHTMX(t *testing.T) {
	testapp.ForEach(t, func(t *testing.T, b testapp.Backend) {
		s := newAuditScene(t, b)
		s.admin.HTMX = true
		res := s.admin.Get("/admin/audit?subject=demo.guest")
		testapp.Want(t, res, http.StatusOK)
		if strings.Contains(res.Body, "<html") || strings.Contains(res.Body, "site-header") {
			t.Errorf("htmx response: got a whole page, want the fragment")
		}
		doc := res.Doc(t)
		if doc.Find("#audit-results").Length() != 1 || len(auditRows(doc)) == 0 {
			t.Errorf("htmx response: got no results region with rows")
		}
		if doc.Find(`#audit-filter[hx-swap-oob="true"]`).Length() != 1 {
			t.Errorf("htmx response: got no out-of-band filter form")
		}

		res = s.admin.Get("/admin/audit?from=2026-13-01")
		testapp.Want(t, res, http.StatusUnprocessableEntity)
		doc = res.Doc(t)
		if strings.Contains(res.Body, "<html") {
			t.Errorf("htmx 422: got a whole page, want the fragment")
		}
		if !strings.Contains(doc.Find(`#audit-filter[hx-swap-oob] #from-error`).Text(), "From must be a real date") {
			t.Errorf("htmx 422: got no error next to From in the out-of-band form")
		}

		// Restoring history after the back button wants the whole page.
		res = s.admin.Do(http.MethodGet, "/admin/audit?subject=demo.guest", nil, http.Header{"Hx-History-Restore-Request": {"true"}})
		testapp.Want(t, res, http.StatusOK)
		if !strings.Contains(res.Body, "<html") {
			t.Errorf("history restore: got a fragment, want the whole page")
		}
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
	testapp.ForEach(t, func(t *testing.T, b testapp.Backend) {
		app := testapp.New(t, b)
		guest := app.Client(t)
		guest.SignInGuest()
		testapp.Want(t, guest.Get("/admin/audit"), http.StatusForbidden)

		res := app.Client(t).Get("/admin/audit?subject=demo.guest")
		testapp.Want(t, res, http.StatusSeeOther)
		if loc := res.Header.Get("Location"); !strings.HasPrefix(loc, "/login") {
			t.Errorf("Location: got %q, want /login", loc)
		}
	})
}
