package handlers_test

import (
	"context"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"myaccount/internal/testapp"
	"myaccount/models"
	"myaccount/store"
)

// recorder keeps every answer a client got, headers included.
type recorder struct {
	c    *testapp.Client
	seen []string
}

func (r *recorder) keep(res *testapp.Response) *testapp.Response {
	var b strings.Builder
	b.WriteString(res.Request.Method + " " + res.Request.URL.RequestURI() + "\n")
	for k, vs := range res.Header {
		if k == "Set-Cookie" {
			continue // cookies carry the session token by design
		}
		b.WriteString(k + ": " + strings.Join(vs, ", ") + "\n")
	}
	b.WriteString(res.Body)
	r.seen = append(r.seen, b.String())
	return res
}

func (r *recorder) get(path string) *testapp.Response { return r.keep(r.c.Get(path)) }
func (r *recorder) post(path string, form url.Values) *testapp.Response {
	return r.keep(r.c.Post(path, form))
}

var hashPattern = regexp.MustCompile(`\$2[aby]\$`)

// secretPart is an API key's part after its public prefix: no page but
// the one that creates the key may show it.
func secretPart(t *testing.T, key string) string {
	t.Helper()
	if len(key) != 60 {
		t.Fatalf("API key %q: got %d characters, want 60", key, len(key))
	}
	return key[16:]
}

// A full guest session and a full admin session, pages and htmx fragments,
// good and bad input: no page, fragment, header or log line holds a
// password, a password hash, the session secret, a session token, an API
// key or its hash. The exceptions are the temporary password a reset shows
// its admin once, and a new API key, shown once in the answer that
// creates it.
func TestNoSecretInAnyPageOrLog(t *testing.T) {
	testapp.ForEach(t, func(t *testing.T, b testapp.Backend) {
		app := testapp.New(t, b)
		guestUser := app.User(t, "demo.guest")
		const newPassword = "Harbour!Lights77"
		g, guestCookie := walkAsGuest(t, app, newPassword)
		a, adminCookie, temp, newKeys := walkAsAdmin(t, app, guestUser)

		// The demo API key is in no page and no log line: only main.go logs
		// it, on the embedded database (TestDemoAPIKeyLogged).
		secrets := map[string]string{
			"demo guest password": store.DemoGuestPassword, "demo admin password": store.DemoAdminPassword,
			"new password": newPassword, "wrong password": "Wrong#Guess2026", "initial password": "Initial!Tide42",
			"session secret": strings.Repeat("s", 32), "guest session token": guestCookie, "admin session token": adminCookie,
			"demo API key": secretPart(t, app.DemoAPIKey),
		}
		l := &leaks{t: t, secrets: secrets, temp: temp, newKeys: newKeys}
		app.DB.Find(&l.hashes)
		var keyRows []models.APIKey
		app.DB.Find(&keyRows)
		for _, k := range keyRows {
			secrets["hash of API key "+k.Name] = k.Hash
		}
		l.checkAnswers(append(g.seen, a.seen...))
		l.checkLog(app.Log.String())
		var audit []models.AuditEvent
		app.DB.Find(&audit)
		l.checkAudit(audit)
		if len(g.seen)+len(a.seen) < 45 {
			t.Errorf("walked only %d answers", len(g.seen)+len(a.seen))
		}
	})
}

// walkAsGuest signs the demo guest in and walks their pages and fragments,
// with good and bad input, then changes their email and password to
// newPassword and signs out. It returns the answers and the session token.
func walkAsGuest(t *testing.T, app *testapp.App, newPassword string) (*recorder, string) {
	const newerEmail = "maya.t@example.org"
	g := &recorder{c: app.Client(t)}
	g.get("/login")
	g.post("/login", url.Values{"login": {"demo.guest"}, "password": {"Wrong#Guess2026"}})
	g.post("/login", url.Values{"login": {"demo.guest"}, "password": {store.DemoGuestPassword}})
	for _, p := range []string{"/account", "/account/profile/edit", "/account/password", "/account/email", "/account/sessions"} {
		g.get(p)
	}
	for _, htmx := range []bool{false, true} {
		g.c.HTMX = htmx
		g.post("/account/password/check", url.Values{"new_password": {newPassword}})
		form := profileForm(t, g.c)
		form.Set("first_name", "M4ya")
		g.post("/account/profile", form)
		form.Set("first_name", "Maya")
		form.Set("city", map[bool]string{false: "Savannah", true: "Athens"}[htmx])
		g.post("/account/profile", form)
		g.post("/account/password", url.Values{"current_password": {store.DemoGuestPassword}, "new_password": {"short"}, "confirm_password": {"other"}})
		g.post("/account/email", url.Values{"new_email": {"bad@"}, "confirm_email": {"bad@"}, "current_password": {store.DemoGuestPassword}})
	}
	g.c.HTMX = false
	g.post("/account/email", url.Values{"new_email": {newerEmail}, "confirm_email": {newerEmail}, "current_password": {store.DemoGuestPassword}})
	g.post("/account/password", url.Values{"current_password": {store.DemoGuestPassword}, "new_password": {newPassword}, "confirm_password": {newPassword}})
	g.get("/account")
	g.get("/account/sessions")
	g.post("/account/sessions/revoke-others", url.Values{})
	guestCookie := g.c.SessionCookie()
	g.post("/logout", url.Values{})
	return g, guestCookie
}

// walkAsAdmin signs the demo admin in and walks the admin pages over
// guestUser: edits, a new user, every account action, a password reset,
// the settings and API keys, then signs out. It returns the answers, the
// session token, the temporary password the reset showed and the new API
// keys.
func walkAsAdmin(t *testing.T, app *testapp.App, guestUser *models.User) (a *recorder, adminCookie, temp string, newKeys []string) {
	a = &recorder{c: app.Client(t)}
	a.post("/login", url.Values{"login": {"demo.admin"}, "password": {store.DemoAdminPassword}})
	adminCookie = a.c.SessionCookie()
	for _, p := range []string{"/admin/users", "/admin/users?q=maya", "/admin/users?status=LOCKED&sort=last_login&dir=desc",
		"/admin/users/" + guestUser.ID, "/admin/users/" + guestUser.ID + "/edit", "/admin/users/new", "/admin/audit",
		"/admin/audit?subject=demo.guest", "/admin/settings"} {
		a.get(p)
	}
	a.c.HTMX = true
	a.get("/admin/users?q=thomp")
	a.get("/admin/audit?action=" + models.ActionPasswordChange)
	a.c.HTMX = false
	a.post("/admin/users/"+guestUser.ID, url.Values{"job_title": {"Chef"}, "roles": {models.RoleCustomer}})
	a.post("/admin/users/"+guestUser.ID, url.Values{"first_name": {"9"}, "roles": {models.RoleCustomer}})
	a.post("/admin/users", url.Values{"username": {"leak.check"}, "password": {"Initial!Tide42"}, "first_name": {"Lee"}, "last_name": {"Kay"}, "roles": {models.RoleCustomer}})
	a.post("/admin/users", url.Values{"username": {"leak.check2"}, "password": {"weak"}, "roles": {models.RoleCustomer}})
	for _, act := range []string{"lock", "unlock", "force-password-change", "revoke-sessions"} {
		a.post("/admin/users/"+guestUser.ID+"/"+act, url.Values{})
	}
	reset := a.post("/admin/users/"+guestUser.ID+"/reset-password", url.Values{})
	temp = strings.TrimSpace(reset.Doc(t).Find(`[data-testid="temp-password"] strong`).Text())
	if temp == "" {
		t.Fatalf("reset: no temporary password shown")
	}
	a.get("/admin/users/" + guestUser.ID)
	a.get("/admin/audit")
	a.post("/admin/settings", url.Values{"password_min_length": {"x"}})
	newKeys = walkAPIKeys(t, app, a, guestUser.MerchantID)
	a.post("/logout", url.Values{})
	return a, adminCookie, temp, newKeys
}

// walkAPIKeys creates two API keys as the admin a, without and with htmx,
// is refused two more, and revokes one; it returns the two keys shown.
func walkAPIKeys(t *testing.T, app *testapp.App, a *recorder, merchantID string) []string {
	a.get("/admin/api-keys")
	shownKey := func(res *testapp.Response) string {
		key := strings.TrimSpace(res.Doc(t).Find("#new-api-key").Text())
		if len(key) < 60 {
			t.Fatalf("%s: no API key shown", res.Request.URL.Path)
		}
		return key
	}
	newKeys := []string{shownKey(a.post("/admin/api-keys", url.Values{"name": {"Leak check"}}))}
	a.c.HTMX = true
	newKeys = append(newKeys, shownKey(a.post("/admin/api-keys", url.Values{"name": {"Leak check htmx"}})))
	a.post("/admin/api-keys", url.Values{"name": {""}})
	a.c.HTMX = false
	a.post("/admin/api-keys", url.Values{"name": {"Leak check"}})
	keys, err := app.Deps.APIKeys.List(context.Background(), merchantID)
	if err != nil {
		t.Fatal(err)
	}
	a.post("/admin/api-keys/"+keys[0].ID+"/revoke", url.Values{})
	a.get("/admin/api-keys")
	a.get("/admin/audit?action=" + models.ActionAPIKeyCreated)
	return newKeys
}

// leaks looks for secrets in what the app showed, logged and audited.
type leaks struct {
	t       *testing.T
	secrets map[string]string
	hashes  []models.User // every user, for their password hash
	temp    string        // the temporary password, shown once by its reset
	newKeys []string      // the new API keys, each shown once by its creation
}

// check fails if text, found where, holds a bcrypt hash, a secret or a
// user's password hash.
func (l *leaks) check(where, text string) {
	t := l.t
	t.Helper()
	if hashPattern.MatchString(text) {
		t.Errorf("%s: holds a bcrypt hash", where)
	}
	for name, s := range l.secrets {
		if s != "" && strings.Contains(text, s) {
			t.Errorf("%s: holds the %s", where, name)
		}
	}
	for _, u := range l.hashes {
		if strings.Contains(text, u.PasswordHash) {
			t.Errorf("%s: holds %s's hash", where, u.Username)
		}
	}
}

// checkAnswers checks every answer, and that the temporary password and
// each new API key were shown exactly once, by the answer that made them.
func (l *leaks) checkAnswers(pages []string) {
	t := l.t
	tempShown := 0
	keyShown := make([]int, len(l.newKeys))
	for _, page := range pages {
		where := strings.SplitN(page, "\n", 2)[0]
		if strings.Contains(page, l.temp) {
			tempShown++
			if !strings.HasSuffix(strings.Fields(where)[1], "/reset-password") {
				t.Errorf("%s: shows the temporary password", where)
			}
		}
		for i, key := range l.newKeys {
			if strings.Contains(page, secretPart(t, key)) {
				keyShown[i]++
				if where != "POST /admin/api-keys" {
					t.Errorf("%s: shows a new API key", where)
				}
			}
		}
		l.check(where, page)
	}
	if tempShown != 1 {
		t.Errorf("the temporary password was shown %d times, want once", tempShown)
	}
	for i, n := range keyShown {
		if n != 1 {
			t.Errorf("new API key %d was shown %d times, want once", i+1, n)
		}
	}
}

// checkLog checks every line of the log, which must hold the requests.
func (l *leaks) checkLog(logs string) {
	t := l.t
	if !strings.Contains(logs, "path=/admin/users") {
		t.Fatalf("the log is empty or missing requests: %q", logs[:min(200, len(logs))])
	}
	for i, line := range strings.Split(logs, "\n") {
		l.check("log line "+strconv.Itoa(i+1), line)
		if strings.Contains(line, l.temp) {
			t.Errorf("a log line holds the temporary password")
		}
		for _, key := range l.newKeys {
			if strings.Contains(line, secretPart(t, key)) {
				t.Errorf("log line %d holds a new API key", i+1)
			}
		}
	}
}

// checkAudit checks every change the audit trail recorded.
func (l *leaks) checkAudit(audit []models.AuditEvent) {
	t := l.t
	for _, ev := range audit {
		for _, ch := range ev.Changes {
			l.check("audit "+ev.Action, ch.Old+" "+ch.New)
			if strings.Contains(ch.Old+ch.New, l.temp) {
				t.Errorf("audit %s holds the temporary password", ev.Action)
			}
			for _, key := range l.newKeys {
				if strings.Contains(ch.Old+ch.New, secretPart(t, key)) {
					t.Errorf("audit %s holds a new API key", ev.Action)
				}
			}
		}
	}
}
