package handlers_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"myaccount/auth"
	"myaccount/handlers"
	"myaccount/internal/testapp"
	"myaccount/models"
	"myaccount/store"
)

const (
	uaFirefox = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0"
	uaChrome  = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"
	uaSafari  = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.6 Mobile/15E148 Safari/604.1"
)

// signInFrom signs c in as login from a browser that sends ua.
func signInFrom(t *testing.T, c *testapp.Client, login, password, ua string) {
	t.Helper()
	res := c.Do(http.MethodPost, "/login", url.Values{"login": {login}, "password": {password}, "_csrf": {c.CSRF()}}, http.Header{"User-Agent": {ua}})
	testapp.Want(t, res, http.StatusSeeOther)
}

// listedSession is one session as the sessions page shows it.
type listedSession struct {
	id, device, ip, signedIn, lastActive string
	current, thisDevice, signOut         bool
	action, hxPost                       string
}

func listedSessions(doc *goquery.Document) []listedSession {
	var out []listedSession
	doc.Find("[data-testid=session]").Each(func(_ int, s *goquery.Selection) {
		form := s.Find("form")
		out = append(out, listedSession{
			id:         s.AttrOr("data-session-id", ""),
			device:     strings.TrimSpace(s.Find("[data-testid=session-device]").Text()),
			ip:         strings.TrimSpace(s.Find("[data-field=ip]").Text()),
			signedIn:   strings.TrimSpace(s.Find("[data-field=signed-in]").Text()),
			lastActive: strings.TrimSpace(s.Find("[data-field=last-active]").Text()),
			current:    s.AttrOr("data-current", "") == "true",
			thisDevice: strings.TrimSpace(s.Find("[data-testid=this-device]").Text()) == "This device",
			signOut:    form.Find("button[type=submit]").Length() == 1 && form.Find("input[type=hidden][name=_csrf]").AttrOr("value", "") != "",
			action:     form.AttrOr("action", ""),
			hxPost:     form.AttrOr("hx-post", ""),
		})
	})
	return out
}

// timeShown is a moment as the demo guest, who reads American English,
// sees one: month first.
var timeShown = regexp.MustCompile(`^[A-Z][a-z]+ \d{1,2}, \d{4}, \d{2}:\d{2} UTC$`)

// GET /account/sessions — every active session of the user, this device
// first and marked, with device, address and times; idle sessions and
// other users' are left out, and no token or row key is in the page.
func TestSessionsPage(t *testing.T) {
	testapp.ForEach(t, func(t *testing.T, b testapp.Backend) {
		app := testapp.New(t, b)
		guest := app.User(t, guestLogin)
		here, there, idle := app.Client(t), app.Client(t), app.Client(t)
		signInFrom(t, here, guestLogin, guestPassword, uaFirefox)
		signInFrom(t, there, guestLogin, guestPassword, uaChrome)
		signInFrom(t, idle, guestLogin, guestPassword, uaSafari)
		admin := app.Client(t)
		signInFrom(t, admin, "demo.admin", "Admin#2026", uaSafari)
		// The Safari session went idle: it is over, though its row is still there.
		res := app.DB.Model(&models.Session{}).Where("user_id = ? AND user_agent = ?", guest.ID, uaSafari).
			Update("last_seen_at", time.Now().UTC().Add(-31*time.Minute))
		if res.Error != nil || res.RowsAffected != 1 {
			t.Fatalf("age the Safari session: got %d rows, %v", res.RowsAffected, res.Error)
		}

		for _, tc := range []struct {
			name          string
			c             *testapp.Client
			current, peer string
		}{
			{"from Firefox", here, "Firefox 133 on Windows", "Chrome 131 on macOS"},
			{"from Chrome", there, "Chrome 131 on macOS", "Firefox 133 on Windows"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				res := testapp.Scenario{Path: "/account/sessions", Status: http.StatusOK,
					Text: map[string]string{"h1": "Your sessions", `.site-nav a[href="/account/sessions"]@aria-current`: "page"}}.Send(t, tc.c)
				checkSessionList(t, res.Doc(t), tc.current, tc.peer)

				// Neither the cookies nor the row keys are in the page.
				checkNoSessionKeys(t, app, res.Body, here, there, idle, admin)
			})
		}

		// Alone, there is nothing else to sign out.
		alone := app.Client(t)
		signInFrom(t, alone, "demo.admin", "Admin#2026", uaFirefox)
		admin.Post("/logout", nil)
		doc := alone.Get("/account/sessions").Doc(t)
		if n := len(listedSessions(doc)); n != 1 {
			t.Errorf("admin's sessions: got %d, want 1", n)
		}
		if doc.Find("[data-testid=revoke-others]").Length() != 0 || doc.Find("[data-testid=no-other-sessions]").Length() != 1 {
			t.Errorf("alone: got a sign-out-others button or no message, want the message only")
		}
	})
}

// checkSessionList checks the sessions page doc of a guest signed in from
// two browsers: this one (current) first, marked, then the peer with its
// sign-out form, each with its address, times and id, and the form that
// signs out all others.
func checkSessionList(t *testing.T, doc *goquery.Document, current, peer string) {
	t.Helper()
	list := listedSessions(doc)
	if len(list) != 2 {
		t.Fatalf("sessions listed: got %d (%+v), want 2", len(list), list)
	}
	cur, other := list[0], list[1]
	if !cur.current || !cur.thisDevice || cur.device != current || cur.signOut {
		t.Errorf("first session: got %+v, want the current one (%s), marked This device, with no sign-out form", cur, current)
	}
	if other.current || other.thisDevice || other.device != peer || !other.signOut {
		t.Errorf("second session: got %+v, want %s, not marked, with a sign-out form", other, peer)
	}
	for _, s := range list {
		if s.ip != "127.0.0.1" {
			t.Errorf("%s IP: got %q, want 127.0.0.1", s.device, s.ip)
		}
		if !timeShown.MatchString(s.signedIn) {
			t.Errorf("%s signed in: got %q, want a time like January 2, 2026, 15:04 UTC", s.device, s.signedIn)
		}
		if !regexp.MustCompile(`^[0-9a-f]{16}$`).MatchString(s.id) {
			t.Errorf("%s id: got %q, want 16 hex digits", s.device, s.id)
		}
	}
	if cur.lastActive != "Now" {
		t.Errorf("current last active: got %q, want Now", cur.lastActive)
	}
	if !timeShown.MatchString(other.lastActive) {
		t.Errorf("other last active: got %q, want a time", other.lastActive)
	}
	want := "/account/sessions/" + other.id + "/revoke"
	if other.action != want || other.hxPost != want {
		t.Errorf("sign-out form: got action %q hx-post %q, want %q", other.action, other.hxPost, want)
	}
	all := doc.Find("form[action='/account/sessions/revoke-others']")
	if all.Length() != 1 || strings.TrimSpace(all.Find("button").Text()) != "Sign out all other sessions" || all.Find("input[name=_csrf]").AttrOr("value", "") == "" {
		t.Errorf("sign out all other sessions: got %d forms, want 1 with its button and a token", all.Length())
	}
}

// checkNoSessionKeys checks that body holds none of the clients' session
// cookies and no session's row key.
func checkNoSessionKeys(t *testing.T, app *testapp.App, body string, clients ...*testapp.Client) {
	t.Helper()
	var rows []models.Session
	app.DB.Find(&rows)
	var secrets []string
	for _, c := range clients {
		secrets = append(secrets, c.SessionCookie())
	}
	for _, r := range rows {
		secrets = append(secrets, r.ID, r.ID[:16])
	}
	for _, s := range secrets {
		if s != "" && strings.Contains(body, s) {
			t.Errorf("page contains a session token or row key %q", s)
		}
	}
}

// GET /account/sessions signed out goes to sign in, and back.
func TestSessionsPageNeedsSignIn(t *testing.T) {
	testapp.RunScenarios(t, []testapp.Scenario{
		{Name: "the page", Path: "/account/sessions", Shared: true, Status: http.StatusSeeOther, Headers: location("/login?next=" + url.QueryEscape("/account/sessions"))},
		{Name: "signing out the others", Method: http.MethodPost, Path: "/account/sessions/revoke-others", Shared: true, Status: http.StatusSeeOther},
	})
}

// POST /account/sessions/{id}/revoke — the other session ends at once:
// its next request is signed out; the page says so after a redirect.
func TestSessionRevoke(t *testing.T) {
	testapp.ForEach(t, func(t *testing.T, b testapp.Backend) {
		app := testapp.New(t, b)
		guest := app.User(t, guestLogin)
		here, there := app.Client(t), app.Client(t)
		signInFrom(t, here, guestLogin, guestPassword, uaFirefox)
		signInFrom(t, there, guestLogin, guestPassword, uaChrome)
		testapp.Want(t, there.Get("/account"), http.StatusOK)
		thereCookie := there.SessionCookie()

		list := listedSessions(here.Get("/account/sessions").Doc(t))
		testapp.Scenario{Method: http.MethodPost, Path: list[1].action, Status: http.StatusSeeOther, Headers: location("/account/sessions")}.Send(t, here)
		if liveSession(t, app, thereCookie) {
			t.Errorf("revoked session: got live, want ended")
		}
		testapp.Scenario{Name: "the revoked session's next request", Path: "/account", Status: http.StatusSeeOther, Headers: location("/login*")}.Send(t, there)

		doc := testapp.Scenario{Path: "/account/sessions", Text: map[string]string{"#sessions [data-testid=notice]": "Signed out of 1 other session."}}.Send(t, here).Doc(t)
		if got := listedSessions(doc); len(got) != 1 || !got[0].current {
			t.Errorf("sessions after revoking: got %+v, want only this one", got)
		}
		testapp.Want(t, here.Get("/account"), http.StatusOK)
		if n := countSessions(t, app, guest.ID); n != 1 {
			t.Errorf("guest's sessions: got %d, want 1", n)
		}
		if counts := auditCounts(t, app, guest.ID); counts[models.ActionSessionsEnded] != 1 {
			t.Errorf("%s events: got %d, want 1", models.ActionSessionsEnded, counts[models.ActionSessionsEnded])
		}

		// The same id again, an unknown id and this session's own id are not found.
		for _, id := range []string{list[1].id, "0123456789abcdef", "not-an-id", list[0].id} {
			res := here.Post("/account/sessions/"+id+"/revoke", nil)
			testapp.Want(t, res, http.StatusNotFound)
		}
		testapp.Want(t, here.Get("/account"), http.StatusOK)
	})
}

// Another user's session cannot be revoked, even by its right id: 404,
// and it stays signed in.
func TestSessionRevokeOtherUsersSession(t *testing.T) {
	testapp.ForEach(t, func(t *testing.T, b testapp.Backend) {
		app := testapp.New(t, b)
		guestClient, adminClient := app.Client(t), app.Client(t)
		signInFrom(t, guestClient, guestLogin, guestPassword, uaFirefox)
		signInFrom(t, adminClient, "demo.admin", "Admin#2026", uaChrome)
		admin := app.User(t, "demo.admin")
		var row models.Session
		if err := app.DB.Where("user_id = ?", admin.ID).Take(&row).Error; err != nil {
			t.Fatalf("admin's session: %v", err)
		}
		id := auth.PublicSessionID(row.ID)
		if got := listedSessions(adminClient.Get("/account/sessions").Doc(t)); len(got) != 1 || got[0].id != id {
			t.Fatalf("admin's own page: got %+v, want their session as %s", got, id)
		}

		res := guestClient.Post("/account/sessions/"+id+"/revoke", nil)
		testapp.Want(t, res, http.StatusNotFound)
		testapp.Want(t, adminClient.Get("/account"), http.StatusOK)
		if n := countSessions(t, app, admin.ID); n != 1 {
			t.Errorf("admin's sessions: got %d, want 1", n)
		}
		// The row key itself is no better.
		testapp.Want(t, guestClient.Post("/account/sessions/"+row.ID+"/revoke", nil), http.StatusNotFound)
		testapp.Want(t, adminClient.Get("/account"), http.StatusOK)
	})
}

// POST /account/sessions/revoke-others — every other session ends, this
// one stays.
func TestSessionsRevokeOthers(t *testing.T) {
	testapp.ForEach(t, func(t *testing.T, b testapp.Backend) {
		app := testapp.New(t, b)
		guest := app.User(t, guestLogin)
		here, others := app.Client(t), []*testapp.Client{app.Client(t), app.Client(t)}
		signInFrom(t, here, guestLogin, guestPassword, uaFirefox)
		for _, c := range others {
			signInFrom(t, c, guestLogin, guestPassword, uaChrome)
		}
		admin := app.Client(t)
		signInFrom(t, admin, "demo.admin", "Admin#2026", uaSafari)
		before := here.SessionCookie()

		testapp.Scenario{Method: http.MethodPost, Path: "/account/sessions/revoke-others", Status: http.StatusSeeOther, Headers: location("/account/sessions")}.Send(t, here)
		for i, c := range others {
			testapp.Scenario{Name: fmt.Sprintf("other session %d", i), Path: "/account", Status: http.StatusSeeOther, Headers: location("/login*")}.Send(t, c)
		}
		testapp.Scenario{Path: "/account/sessions", Text: map[string]string{"#sessions [data-testid=notice]": "Signed out of 2 other sessions."}}.Send(t, here)
		if here.SessionCookie() != before {
			t.Errorf("this session's cookie: changed, want kept")
		}
		if n := countSessions(t, app, guest.ID); n != 1 {
			t.Errorf("guest's sessions: got %d, want 1", n)
		}
		testapp.Want(t, admin.Get("/account"), http.StatusOK)

		// Nothing left to end.
		testapp.Want(t, here.Post("/account/sessions/revoke-others", nil), http.StatusSeeOther)
		testapp.Scenario{Path: "/account/sessions", Text: map[string]string{"#sessions [data-testid=notice]": "There were no other sessions to sign out of."}}.Send(t, here)
	})
}

// Sign-out forms without the CSRF token are refused and end nothing.
func TestSessionRevokeNeedsCSRF(t *testing.T) {
	testapp.ForEach(t, func(t *testing.T, b testapp.Backend) {
		app := testapp.New(t, b)
		guest := app.User(t, guestLogin)
		here, there := app.Client(t), app.Client(t)
		signInFrom(t, here, guestLogin, guestPassword, uaFirefox)
		signInFrom(t, there, guestLogin, guestPassword, uaChrome)
		other := listedSessions(here.Get("/account/sessions").Doc(t))[1]
		for _, path := range []string{other.action, "/account/sessions/revoke-others"} {
			testapp.Want(t, here.PostNoCSRF(path, nil), http.StatusForbidden)
			testapp.Want(t, here.PostNoCSRF(path, url.Values{"_csrf": {"forged"}}), http.StatusForbidden)
		}
		if n := countSessions(t, app, guest.ID); n != 2 {
			t.Errorf("guest's sessions: got %d, want 2", n)
		}
		testapp.Want(t, there.Get("/account"), http.StatusOK)
	})
}

// With htmx the list answers as a fragment, and a sign-out swaps in the
// updated list with its message.
func TestSessionsHTMX(t *testing.T) {
	testapp.ForEach(t, func(t *testing.T, b testapp.Backend) {
		app := testapp.New(t, b)
		here, there := app.Client(t), app.Client(t)
		signInFrom(t, here, guestLogin, guestPassword, uaFirefox)
		signInFrom(t, there, guestLogin, guestPassword, uaChrome)

		full := testapp.Scenario{Name: "plain GET", Path: "/account/sessions", InBody: []string{"<html"}}.Send(t, here)
		other := listedSessions(full.Doc(t))[1]

		testapp.Scenario{Name: "htmx GET", Path: "/account/sessions", HTMX: true, Status: http.StatusOK, Fragment: true,
			Count: map[string]int{"section#sessions": 1}, Headers: map[string]string{"Vary": "*HX-Request*"}}.Send(t, here)
		doc := testapp.Scenario{Name: "htmx revoke", Method: http.MethodPost, Path: other.action, HTMX: true, Status: http.StatusOK, Fragment: true,
			Count: map[string]int{"section#sessions": 1}, Text: map[string]string{"#sessions [data-testid=notice]": "Signed out of 1 other session."}}.Send(t, here).Doc(t)
		if got := listedSessions(doc); len(got) != 1 || !got[0].current {
			t.Errorf("list after revoking: got %+v, want only this one", got)
		}
		if got := doc.Find("input[name=_csrf]").Length(); got != 0 {
			// With one session left there is no form, so no token either.
			t.Errorf("forms left: got %d tokens, want none", got)
		}
		testapp.Want(t, there.Get("/account"), http.StatusSeeOther)
	})
}

// Sessions live in the database: a session revoked through one server is
// refused at once by another server over the same database.
func TestSessionRevokeReachesEveryServer(t *testing.T) {
	testapp.ForEach(t, func(t *testing.T, b testapp.Backend) {
		app := testapp.New(t, b)
		deps := app.Deps
		rows := store.NewSessions(app.DB)
		second := auth.NewSessionStore(rows, auth.SessionConfig{Secret: []byte(strings.Repeat("s", 32)), IdleTimeout: 30 * time.Minute, MaxAge: 12 * time.Hour})
		deps.Sessions = auth.NewManager(second, rows, deps.Users, deps.Merchants, deps.Log)
		other := httptest.NewServer(handlers.New(deps))
		t.Cleanup(other.Close)
		get := func(cookie string) *http.Response {
			t.Helper()
			req, _ := http.NewRequest(http.MethodGet, other.URL+"/account", nil)
			req.AddCookie(&http.Cookie{Name: "myaccount_session", Value: cookie})
			res, err := (&http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}).Do(req)
			if err != nil {
				t.Fatalf("GET /account on the second server: %v", err)
			}
			res.Body.Close()
			return res
		}

		here, there := app.Client(t), app.Client(t)
		signInFrom(t, here, guestLogin, guestPassword, uaFirefox)
		signInFrom(t, there, guestLogin, guestPassword, uaChrome)
		if res := get(there.SessionCookie()); res.StatusCode != http.StatusOK {
			t.Fatalf("second server before revoking: got %d, want 200", res.StatusCode)
		}
		other2 := listedSessions(here.Get("/account/sessions").Doc(t))[1]
		testapp.Want(t, here.Post(other2.action, nil), http.StatusSeeOther)
		if res := get(there.SessionCookie()); res.StatusCode != http.StatusSeeOther {
			t.Errorf("second server after revoking: got %d, want 303 to /login", res.StatusCode)
		}
	})
}

// A password change ends every other session of the user, keeps this one
// under a new id, and says how many ended.
func TestPasswordChangeEndsOtherSessions(t *testing.T) {
	testapp.ForEach(t, func(t *testing.T, b testapp.Backend) {
		app := testapp.New(t, b)
		guest := app.User(t, guestLogin)
		for _, htmx := range []bool{false, true} {
			name := "plain"
			if htmx {
				name = "htmx"
			}
			t.Run(name, func(t *testing.T) {
				app.DB.Where("user_id = ?", guest.ID).Delete(&models.Session{})
				password := guestPassword
				if htmx {
					password = "Sandbar#Kite-4821"
				}
				here, there := app.Client(t), app.Client(t)
				signInFrom(t, here, guestLogin, password, uaFirefox)
				signInFrom(t, there, guestLogin, password, uaChrome)
				admin := app.Client(t)
				signInFrom(t, admin, "demo.admin", "Admin#2026", uaSafari)
				before := here.SessionCookie()

				next := map[bool]string{false: "Sandbar#Kite-4821", true: "Dune#Lantern-7305"}[htmx]
				const changed = "Your password has been changed. 1 other session was signed out."
				change := testapp.Scenario{Method: http.MethodPost, Path: "/account/password", Form: passwordChange(password, next), HTMX: htmx, Status: http.StatusSeeOther}
				if htmx {
					change.Status, change.Text = http.StatusOK, map[string]string{"#password-form [data-testid=notice]": changed}
				}
				change.Send(t, here)
				after := here.SessionCookie()
				if after == "" || after == before {
					t.Errorf("this session's cookie: got %q, want a new value", after)
				}
				if liveSession(t, app, before) {
					t.Errorf("this session's old id: got live, want ended")
				}
				testapp.Scenario{Name: "other session", Path: "/account", Status: http.StatusSeeOther, Headers: location("/login*")}.Send(t, there)
				page := testapp.Scenario{Path: "/account", Status: http.StatusOK}
				if !htmx {
					page.Text = map[string]string{"[data-testid=notice]": changed}
				}
				page.Send(t, here)
				if n := countSessions(t, app, guest.ID); n != 1 {
					t.Errorf("guest's sessions: got %d, want 1", n)
				}
				testapp.Want(t, admin.Get("/account"), http.StatusOK)
			})
		}
	})
}
