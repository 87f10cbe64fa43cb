package auth_test

import (
	"crypto/sha256"
	"encoding/hex"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/securecookie"
	"github.com/gorilla/sessions"
	"github.com/labstack/echo/v4"

	"myaccount/auth"
	"myaccount/internal/testapp"
	"myaccount/models"
	"myaccount/store"
)

var testSecret = []byte(strings.Repeat("k", 32))

func newStore(app *testapp.App, mod ...func(*auth.SessionConfig)) *auth.SessionStore {
	cfg := auth.SessionConfig{Secret: testSecret, IdleTimeout: 30 * time.Minute, MaxAge: 12 * time.Hour}
	for _, m := range mod {
		m(&cfg)
	}
	return auth.NewSessionStore(store.NewSessions(app.DB), cfg)
}

func hashOf(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// save stores sess and returns the cookie it set.
func save(t *testing.T, st *auth.SessionStore, sess *sessions.Session) *http.Cookie {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, "/", nil)
	rec := httptest.NewRecorder()
	if err := st.Save(req, rec, sess); err != nil {
		t.Fatalf("save: %v", err)
	}
	for _, ck := range rec.Result().Cookies() {
		if ck.Name == st.CookieName() {
			return ck
		}
	}
	t.Fatalf("save: got no %s cookie", st.CookieName())
	return nil
}

// load reads the session a request carrying value would get.
func load(t *testing.T, st *auth.SessionStore, value string) *sessions.Session {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, "/", nil)
	if value != "" {
		req.AddCookie(&http.Cookie{Name: st.CookieName(), Value: value})
	}
	sess, err := st.New(req, st.CookieName())
	if err != nil {
		t.Fatalf("load: %v", err)
	}
	return sess
}

func sessionRow(t *testing.T, app *testapp.App, id string) (models.Session, bool) {
	t.Helper()
	var rows []models.Session
	if err := app.DB.Where("id = ?", id).Find(&rows).Error; err != nil {
		t.Fatalf("session row: %v", err)
	}
	if len(rows) == 0 {
		return models.Session{}, false
	}
	return rows[0], true
}

// A saved session comes back from its cookie; the table holds only the
// token's hash, and the cookie only a signed token.
func TestSessionStoreRoundTrip(t *testing.T) {
	testapp.ForEach(t, func(t *testing.T, b testapp.Backend) {
		app := testapp.New(t, b)
		guest := app.User(t, "demo.guest")
		st := newStore(app)
		if got := st.CookieName(); got != "myaccount_session" {
			t.Errorf("cookie name: got %q, want myaccount_session", got)
		}

		sess := load(t, st, "")
		if !sess.IsNew || len(sess.Values) != 0 {
			t.Fatalf("no cookie: got IsNew=%v values=%v, want a new empty session", sess.IsNew, sess.Values)
		}
		sess.Values["user_id"] = guest.ID
		sess.Values["note"] = "hello"
		ck := save(t, st, sess)
		token := sess.ID
		if token == "" {
			t.Fatalf("session id after save: got empty, want a token")
		}
		if !ck.HttpOnly || ck.SameSite != http.SameSiteLaxMode || ck.Path != "/" || ck.Secure || ck.MaxAge != 0 {
			t.Errorf("cookie: got HttpOnly=%v SameSite=%v Path=%q Secure=%v MaxAge=%d, want HttpOnly, Lax, /, not Secure, a browser-session cookie",
				ck.HttpOnly, ck.SameSite, ck.Path, ck.Secure, ck.MaxAge)
		}
		if strings.Contains(ck.Value, token) || ck.Value == token {
			t.Errorf("cookie value: got the bare token, want it signed")
		}
		if _, found := sessionRow(t, app, token); found {
			t.Errorf("row keyed by the bare token: got one, want none")
		}
		row, found := sessionRow(t, app, hashOf(token))
		if !found {
			t.Fatalf("row keyed by the token's hash: got none, want one")
		}
		if row.UserID == nil || *row.UserID != guest.ID {
			t.Errorf("row user_id: got %v, want %s", row.UserID, guest.ID)
		}
		if strings.Contains(row.Data, token) {
			t.Errorf("row data: got the token in it, want not")
		}
		if d := row.ExpiresAt.Sub(row.CreatedAt); d < 12*time.Hour-time.Second || d > 12*time.Hour+time.Second {
			t.Errorf("row lifetime: got %v, want 12h", d)
		}

		back := load(t, st, ck.Value)
		if back.IsNew || back.ID != token {
			t.Fatalf("load: got IsNew=%v id match=%v, want the saved session", back.IsNew, back.ID == token)
		}
		if back.Values["user_id"] != guest.ID || back.Values["note"] != "hello" {
			t.Errorf("values: got %v, want user_id and note back", back.Values)
		}

		// Saving again keeps the id and the row.
		back.Values["note"] = "again"
		if again := save(t, st, back); again.Value == "" || back.ID != token {
			t.Errorf("re-save: got a new id, want the same session")
		}
		if got := load(t, st, ck.Value).Values["note"]; got != "again" {
			t.Errorf("note after re-save: got %v, want again", got)
		}
		var n int64
		app.DB.Model(&models.Session{}).Count(&n)
		if n != 1 {
			t.Errorf("rows: got %d, want 1", n)
		}

		// MaxAge < 0 ends it: row gone, cookie cleared.
		back.Options.MaxAge = -1
		cleared := save(t, st, back)
		if cleared.MaxAge >= 0 || cleared.Value != "" {
			t.Errorf("cleared cookie: got MaxAge=%d value=%q, want deleted", cleared.MaxAge, cleared.Value)
		}
		if _, found := sessionRow(t, app, hashOf(token)); found {
			t.Errorf("row after ending: got one, want none")
		}
		if !load(t, st, ck.Value).IsNew {
			t.Errorf("ended session: got loaded, want a new one")
		}
	})
}

// The row's data holds only what its columns do not: the user and the
// time of the password check are columns, so a signed-in session's data
// is {} and reading it decodes no JSON.
func TestSessionDataLeavesOutTheColumns(t *testing.T) {
	testapp.ForEach(t, func(t *testing.T, b testapp.Backend) {
		app := testapp.New(t, b)
		guest := app.User(t, "demo.guest")
		st := newStore(app)
		sess := load(t, st, "")
		sess.Values["user_id"] = guest.ID
		sess.Values["auth_at"] = time.Now().Unix()
		ck := save(t, st, sess)
		row, _ := sessionRow(t, app, hashOf(sess.ID))
		if row.Data != "{}" || row.UserID == nil || *row.UserID != guest.ID || row.AuthenticatedAt == nil {
			t.Errorf("row: got data %q, user %v, authenticated at %v; want {}, the guest and a time", row.Data, row.UserID, row.AuthenticatedAt)
		}
		back := load(t, st, ck.Value)
		if back.Values["user_id"] != guest.ID || back.Values["auth_at"] != row.AuthenticatedAt.Unix() {
			t.Errorf("values: got %v, want the guest and the column's time", back.Values)
		}
		back.Values["note"] = "hello"
		save(t, st, back)
		if row, _ := sessionRow(t, app, hashOf(sess.ID)); row.Data != `{"note":"hello"}` {
			t.Errorf("data with a note: got %q, want only the note", row.Data)
		}
	})
}

// A session saved before: its cookie's token in a gob stream, its data a
// copy of the user and the time. It still reads, and the columns decide.
func TestSessionStoreReadsEarlierSessions(t *testing.T) {
	testapp.ForEach(t, func(t *testing.T, b testapp.Backend) {
		app := testapp.New(t, b)
		guest, admin := app.User(t, "demo.guest"), app.User(t, "demo.admin")
		st := newStore(app)
		sess := load(t, st, "")
		sess.Values["user_id"] = guest.ID
		sess.Values["auth_at"] = int64(1000)
		save(t, st, sess)
		// The copy in the data disagrees with the columns: the columns win.
		stale := `{"auth_at":5,"user_id":"` + admin.ID + `","note":"kept"}`
		if err := app.DB.Model(&models.Session{}).Where("id = ?", hashOf(sess.ID)).Update("data", stale).Error; err != nil {
			t.Fatal(err)
		}
		gob, err := securecookie.New(testSecret, nil).Encode(st.CookieName(), sess.ID)
		if err != nil {
			t.Fatal(err)
		}
		back := load(t, st, gob)
		if back.IsNew || back.Values["user_id"] != guest.ID || back.Values["auth_at"] != int64(1000) || back.Values["note"] != "kept" {
			t.Errorf("earlier session: got IsNew=%v values %v, want the guest, 1000 and the note", back.IsNew, back.Values)
		}
	})
}

// A cookie that was tampered with, signed with another secret, past its
// maximum age or idle too long gives a fresh, empty session, not an error.
func TestSessionStoreRefusesBadCookies(t *testing.T) {
	testapp.ForEach(t, func(t *testing.T, b testapp.Backend) {
		app := testapp.New(t, b)
		st := newStore(app, func(c *auth.SessionConfig) { c.IdleTimeout = time.Minute })
		other := newStore(app, func(c *auth.SessionConfig) { c.Secret = []byte(strings.Repeat("o", 32)) })

		fresh := func() (*sessions.Session, *http.Cookie) {
			sess := load(t, st, "")
			sess.Values["user_id"] = app.User(t, "demo.guest").ID
			return sess, save(t, st, sess)
		}
		age := func(token, column string, ago time.Duration) {
			res := app.DB.Model(&models.Session{}).Where("id = ?", hashOf(token)).Update(column, time.Now().UTC().Add(-ago))
			if res.Error != nil || res.RowsAffected != 1 {
				t.Fatalf("age %s: got %d rows, %v", column, res.RowsAffected, res.Error)
			}
		}

		tests := []struct {
			name    string
			cookie  func() string
			gone    bool // the row is deleted on sight
			wantNew bool
		}{
			{"valid", func() string { _, ck := fresh(); return ck.Value }, false, false},
			{"seen 30s ago", func() string { s, ck := fresh(); age(s.ID, "last_seen_at", 30*time.Second); return ck.Value }, false, false},
			{"tampered", func() string { _, ck := fresh(); return flip(ck.Value) }, false, true},
			{"garbage", func() string { return "not-a-cookie" }, false, true},
			{"other secret", func() string {
				sess := load(t, other, "")
				return save(t, other, sess).Value
			}, false, true},
			{"idle too long", func() string { s, ck := fresh(); age(s.ID, "last_seen_at", 2*time.Minute); return ck.Value }, true, true},
			{"past maximum age", func() string { s, ck := fresh(); age(s.ID, "expires_at", time.Second); return ck.Value }, false, true},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				app.DB.Where("1 = 1").Delete(&models.Session{})
				value := tc.cookie()
				got := load(t, st, value)
				if got.IsNew != tc.wantNew {
					t.Fatalf("IsNew: got %v, want %v", got.IsNew, tc.wantNew)
				}
				if tc.wantNew && (len(got.Values) != 0 || got.ID != "") {
					t.Errorf("refused session: got id %q values %v, want empty", got.ID, got.Values)
				}
				if tc.gone {
					var n int64
					app.DB.Model(&models.Session{}).Count(&n)
					if n != 0 {
						t.Errorf("rows after an idle session was seen: got %d, want 0", n)
					}
				}
			})
		}
	})
}

// Behind https the cookie is Secure and __Host- prefixed.
func TestSessionStoreSecure(t *testing.T) {
	testapp.ForEach(t, func(t *testing.T, b testapp.Backend) {
		app := testapp.New(t, b)
		st := newStore(app, func(c *auth.SessionConfig) { c.Secure = true })
		if got := st.CookieName(); got != "__Host-myaccount_session" {
			t.Errorf("cookie name: got %q, want __Host-myaccount_session", got)
		}
		ck := save(t, st, load(t, st, ""))
		if ck.Name != "__Host-myaccount_session" || !ck.Secure || ck.Path != "/" || ck.Domain != "" {
			t.Errorf("cookie: got %s Secure=%v Path=%q Domain=%q, want __Host-myaccount_session, Secure, / and no Domain", ck.Name, ck.Secure, ck.Path, ck.Domain)
		}
	})
}

// newManager builds the Manager over the app's stores with st.
func newManager(app *testapp.App, st *auth.SessionStore) *auth.Manager {
	return auth.NewManager(st, store.NewSessions(app.DB), app.Deps.Users, app.Deps.Merchants, slog.New(slog.NewTextHandler(io.Discard, nil)))
}

// serve runs one request with cookie through Load and then h.
func serve(t *testing.T, m *auth.Manager, cookie *http.Cookie, h echo.HandlerFunc) *httptest.ResponseRecorder {
	t.Helper()
	e := echo.New()
	req := httptest.NewRequest(http.MethodGet, "/", nil)
	if cookie != nil {
		req.AddCookie(cookie)
	}
	rec := httptest.NewRecorder()
	c := e.NewContext(req, rec)
	if err := m.Load(h)(c); err != nil {
		t.Fatalf("request: %v", err)
	}
	return rec
}

func cookieNamed(rec *httptest.ResponseRecorder, name string) *http.Cookie {
	for _, ck := range rec.Result().Cookies() {
		if ck.Name == name {
			return ck
		}
	}
	return nil
}

// Manager.SignIn replaces whatever session the request had; SignOut ends
// it; Load puts only an active user in the context.
func TestManagerSignInAndOut(t *testing.T) {
	testapp.ForEach(t, func(t *testing.T, b testapp.Backend) {
		app := testapp.New(t, b)
		guest := app.User(t, "demo.guest")
		st := newStore(app)
		m := newManager(app, st)

		planted := load(t, st, "")
		planted.Values["planted"] = true
		plantedCookie := save(t, st, planted)

		var signedIn *http.Cookie
		rec := serve(t, m, plantedCookie, func(c echo.Context) error {
			if auth.CurrentUser(c) != nil {
				t.Errorf("before sign-in: got a user, want none")
			}
			return m.SignIn(c, guest)
		})
		signedIn = cookieNamed(rec, st.CookieName())
		if signedIn == nil || signedIn.Value == plantedCookie.Value {
			t.Fatalf("sign-in cookie: got %v, want a new session", signedIn)
		}
		if _, found := sessionRow(t, app, hashOf(planted.ID)); found {
			t.Errorf("planted row after sign-in: got one, want none")
		}
		s := load(t, st, signedIn.Value)
		if s.IsNew || s.Values["user_id"] != guest.ID || s.Values["planted"] != nil {
			t.Errorf("signed-in session: got IsNew=%v values=%v, want the guest and nothing planted", s.IsNew, s.Values)
		}
		row, _ := sessionRow(t, app, hashOf(s.ID))
		if row.AuthenticatedAt == nil || time.Since(*row.AuthenticatedAt) > time.Minute {
			t.Errorf("authenticated_at: got %v, want about now", row.AuthenticatedAt)
		}

		serve(t, m, signedIn, func(c echo.Context) error {
			if u := auth.CurrentUser(c); u == nil || u.ID != guest.ID {
				t.Errorf("current user: got %v, want the guest", u)
			}
			if mc := auth.CurrentMerchant(c); mc == nil || mc.ID != guest.MerchantID {
				t.Errorf("current merchant: got %v, want the guest's", mc)
			}
			return nil
		})

		rec = serve(t, m, signedIn, func(c echo.Context) error { return m.SignOut(c) })
		if ck := cookieNamed(rec, st.CookieName()); ck == nil || ck.MaxAge >= 0 {
			t.Errorf("sign-out cookie: got %v, want it cleared", ck)
		}
		var n int64
		app.DB.Model(&models.Session{}).Count(&n)
		if n != 0 {
			t.Errorf("rows after sign-out: got %d, want 0", n)
		}
		serve(t, m, signedIn, func(c echo.Context) error {
			if u := auth.CurrentUser(c); u != nil {
				t.Errorf("after sign-out: got user %s, want none", u.Username)
			}
			return nil
		})
	})
}

// Load ends the session of a user who is no longer active or no longer
// exists, and records use at most once a minute.
func TestManagerLoad(t *testing.T) {
	testapp.ForEach(t, func(t *testing.T, b testapp.Backend) {
		app := testapp.New(t, b)
		guest := app.User(t, "demo.guest")
		st := newStore(app)
		m := newManager(app, st)

		signIn := func(userID string) (*sessions.Session, *http.Cookie) {
			sess := load(t, st, "")
			sess.Values["user_id"] = userID
			return sess, save(t, st, sess)
		}
		currentUser := func(ck *http.Cookie) *models.User {
			var u *models.User
			serve(t, m, ck, func(c echo.Context) error { u = auth.CurrentUser(c); return nil })
			return u
		}

		for _, status := range []string{models.StatusLocked, models.StatusInactive} {
			sess, ck := signIn(guest.ID)
			app.DB.Model(&models.User{}).Where("id = ?", guest.ID).Update("status", status)
			if u := currentUser(ck); u != nil {
				t.Errorf("%s user: got signed in, want not", status)
			}
			if _, found := sessionRow(t, app, hashOf(sess.ID)); found {
				t.Errorf("%s user: got the session row kept, want it deleted", status)
			}
			app.DB.Model(&models.User{}).Where("id = ?", guest.ID).Update("status", models.StatusActive)
			if u := currentUser(ck); u != nil {
				t.Errorf("%s user reactivated: got the old session back, want not", status)
			}
		}

		// A deleted account's sessions go with it.
		gone := *guest
		gone.ID, gone.Username = store.NewID(), "gone.soon"
		if err := app.DB.Create(&gone).Error; err != nil {
			t.Fatalf("create user: %v", err)
		}
		_, ck := signIn(gone.ID)
		if u := currentUser(ck); u == nil || u.ID != gone.ID {
			t.Fatalf("before delete: got %v, want the user", u)
		}
		if err := app.DB.Delete(&models.User{}, "id = ?", gone.ID).Error; err != nil {
			t.Fatalf("delete user: %v", err)
		}
		if u := currentUser(ck); u != nil {
			t.Errorf("deleted user: got signed in, want not")
		}

		// Use is recorded, but not more than once a minute.
		sess, ck := signIn(guest.ID)
		for _, tc := range []struct {
			ago     time.Duration
			touched bool
		}{{20 * time.Second, false}, {5 * time.Minute, true}} {
			then := time.Now().UTC().Add(-tc.ago).Truncate(time.Second)
			app.DB.Model(&models.Session{}).Where("id = ?", hashOf(sess.ID)).Update("last_seen_at", then)
			if u := currentUser(ck); u == nil || u.ID != guest.ID {
				t.Fatalf("seen %v ago: got %v, want the guest", tc.ago, u)
			}
			row, _ := sessionRow(t, app, hashOf(sess.ID))
			touched := row.LastSeenAt.After(then.Add(time.Second))
			if touched != tc.touched {
				t.Errorf("seen %v ago: got last_seen_at %v (touched=%v), want touched=%v", tc.ago, row.LastSeenAt, touched, tc.touched)
			}
		}
	})
}

// flip changes one character of a signed value, keeping it well-formed.
func flip(s string) string {
	i := len(s) / 2
	c := byte('A')
	if s[i] == 'A' {
		c = 'B'
	}
	return s[:i] + string(c) + s[i+1:]
}
