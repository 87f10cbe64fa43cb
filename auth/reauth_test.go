package auth_test

import (
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/labstack/echo/v4"

	"myaccount/auth"
	"myaccount/internal/testapp"
	"myaccount/models"
)

// Reauthenticate gives the session a new id with the same values and a
// fresh auth_at; a session revoked meanwhile is not brought back.
func TestManagerReauthenticate(t *testing.T) {
	testapp.ForEach(t, func(t *testing.T, b testapp.Backend) {
		app := testapp.New(t, b)
		guest := app.User(t, "demo.guest")
		st := newStore(app)
		m := newManager(app, st)

		signedIn := cookieNamed(serve(t, m, nil, func(c echo.Context) error { return m.SignIn(c, guest) }), st.CookieName())
		old := load(t, st, signedIn.Value)
		old.Values["note"] = "kept"
		signedIn = save(t, st, old)
		then := time.Now().UTC().Add(-time.Hour).Truncate(time.Second)
		app.DB.Model(&models.Session{}).Where("id = ?", hashOf(old.ID)).Update("authenticated_at", then)
		if got := load(t, st, signedIn.Value).Values["auth_at"]; got != then.Unix() {
			t.Fatalf("auth_at from the column: got %v, want %d", got, then.Unix())
		}

		rec := serve(t, m, signedIn, func(c echo.Context) error { return m.Reauthenticate(c) })
		renewed := cookieNamed(rec, st.CookieName())
		if renewed == nil || renewed.Value == signedIn.Value || renewed.MaxAge < 0 {
			t.Fatalf("cookie after Reauthenticate: got %v, want a new session", renewed)
		}
		if !load(t, st, signedIn.Value).IsNew {
			t.Errorf("old id after Reauthenticate: got live, want ended")
		}
		s := load(t, st, renewed.Value)
		if s.IsNew || s.Values["user_id"] != guest.ID || s.Values["note"] != "kept" {
			t.Errorf("renewed session: got IsNew=%v values=%v, want the same values", s.IsNew, s.Values)
		}
		row, _ := sessionRow(t, app, hashOf(s.ID))
		if row.AuthenticatedAt == nil || time.Since(*row.AuthenticatedAt) > time.Minute {
			t.Errorf("authenticated_at: got %v, want about now", row.AuthenticatedAt)
		}

		// Revoked while the request runs: signed out, nothing comes back.
		rec = serve(t, m, renewed, func(c echo.Context) error {
			app.DB.Where("id = ?", hashOf(s.ID)).Delete(&models.Session{})
			if err := m.Reauthenticate(c); !errors.Is(err, auth.ErrSessionEnded) {
				t.Errorf("Reauthenticate of a revoked session: got %v, want ErrSessionEnded", err)
			}
			return nil
		})
		if ck := cookieNamed(rec, st.CookieName()); ck == nil || ck.MaxAge >= 0 {
			t.Errorf("cookie of a revoked session: got %v, want it cleared", ck)
		}
		var n int64
		app.DB.Model(&models.Session{}).Count(&n)
		if n != 0 {
			t.Errorf("rows after reauthenticating a revoked session: got %d, want 0", n)
		}

		// Signed out, there is nothing to re-authenticate.
		serve(t, m, nil, func(c echo.Context) error {
			if err := m.Reauthenticate(c); !errors.Is(err, auth.ErrSessionEnded) {
				t.Errorf("Reauthenticate signed out: got %v, want ErrSessionEnded", err)
			}
			return nil
		})
	})
}

// RequireRecentAuth lets a recent check through and sends an old one, or
// none, to confirm the password, back to the page asked for.
func TestRequireRecentAuth(t *testing.T) {
	testapp.ForEach(t, func(t *testing.T, b testapp.Backend) {
		app := testapp.New(t, b)
		guest := app.User(t, "demo.guest")
		st := newStore(app)
		m := newManager(app, st)
		signedIn := cookieNamed(serve(t, m, nil, func(c echo.Context) error { return m.SignIn(c, guest) }), st.CookieName())
		id := hashOf(load(t, st, signedIn.Value).ID)
		ok := func(c echo.Context) error { return c.NoContent(http.StatusNoContent) }

		for _, tc := range []struct {
			name string
			at   *time.Time
			want int
		}{
			{"just now", ptr(time.Now().UTC()), http.StatusNoContent},
			{"4 minutes ago", ptr(time.Now().UTC().Add(-4 * time.Minute)), http.StatusNoContent},
			{"6 minutes ago", ptr(time.Now().UTC().Add(-6 * time.Minute)), http.StatusSeeOther},
			{"never", nil, http.StatusSeeOther},
		} {
			t.Run(tc.name, func(t *testing.T) {
				app.DB.Model(&models.Session{}).Where("id = ?", id).Update("authenticated_at", tc.at)
				rec := serve(t, m, signedIn, m.RequireRecentAuth(5*time.Minute)(ok))
				if rec.Code != tc.want {
					t.Fatalf("status: got %d, want %d", rec.Code, tc.want)
				}
				if tc.want == http.StatusSeeOther {
					if got := rec.Header().Get("Location"); got != "/account/confirm?next=%2F" {
						t.Errorf("Location: got %q, want /account/confirm?next=%%2F", got)
					}
				}
			})
		}
		// Signed out: to the confirmation, whose own guard signs in first.
		if rec := serve(t, m, nil, m.RequireRecentAuth(5*time.Minute)(ok)); rec.Code != http.StatusSeeOther {
			t.Errorf("signed out: got %d, want 303", rec.Code)
		}
	})
}

func ptr[T any](v T) *T { return &v }
