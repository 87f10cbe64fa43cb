package store_test

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"testing"
	"time"

	"myaccount/internal/testapp"
	"myaccount/models"
	"myaccount/store"
)

// ForUser lists a user's live sessions, most recently used first, and
// leaves out expired and idle ones and other users'; DeleteOthers and
// DeleteOfUser end only the user's own.
func TestSessionsForUser(t *testing.T) {
	testapp.ForEach(t, func(t *testing.T, b testapp.Backend) {
		app := testapp.New(t, b)
		ctx := context.Background()
		rows := store.NewSessions(app.DB)
		guest, other := app.User(t, "demo.guest"), app.User(t, "demo.admin")
		now := time.Now().UTC().Truncate(time.Second)

		add := func(id string, userID string, lastSeen, expires time.Duration) {
			t.Helper()
			uid := userID
			row := &models.Session{ID: id, UserID: &uid, Data: "{}", CreatedAt: now.Add(-2 * time.Hour),
				LastSeenAt: now.Add(-lastSeen), ExpiresAt: now.Add(expires)}
			if err := rows.Create(ctx, row); err != nil {
				t.Fatalf("create %s: %v", id, err)
			}
		}
		add("recent", guest.ID, time.Minute, time.Hour)
		add("older", guest.ID, 10*time.Minute, time.Hour)
		add("newest", guest.ID, 0, time.Hour)
		add("idle", guest.ID, 40*time.Minute, time.Hour)
		add("expired", guest.ID, time.Minute, -time.Second)
		add("admins", other.ID, 0, time.Hour)

		ids := func(list []models.Session) []string {
			var out []string
			for _, r := range list {
				out = append(out, r.ID)
			}
			return out
		}
		for _, tc := range []struct {
			name string
			idle time.Duration
			want []string
		}{
			{"with an idle timeout", 30 * time.Minute, []string{"newest", "recent", "older"}},
			{"without one", 0, []string{"newest", "recent", "older", "idle"}},
		} {
			got, err := rows.ForUser(ctx, guest.ID, now, tc.idle)
			if err != nil {
				t.Fatalf("ForUser: %v", err)
			}
			if g := ids(got); !slices.Equal(g, tc.want) {
				t.Errorf("%s: got %v, want %v", tc.name, g, tc.want)
			}
		}

		// Another user's session is not the guest's to end.
		if ok, err := rows.DeleteOfUser(ctx, guest.ID, "admins"); err != nil || ok {
			t.Errorf("DeleteOfUser of another user's session: got %v, %v; want false, nil", ok, err)
		}
		if ok, err := rows.DeleteOfUser(ctx, guest.ID, "older"); err != nil || !ok {
			t.Errorf("DeleteOfUser of the guest's own: got %v, %v; want true, nil", ok, err)
		}
		n, err := rows.DeleteOthers(ctx, guest.ID, "newest")
		if err != nil || n != 3 { // recent, idle, expired
			t.Errorf("DeleteOthers: got %d, %v; want 3, nil", n, err)
		}
		left, _ := rows.ForUser(ctx, guest.ID, now, 0)
		if g := ids(left); !slices.Equal(g, []string{"newest"}) {
			t.Errorf("after DeleteOthers: got %v, want [newest]", g)
		}
		if ok, err := rows.End(ctx, "admins"); err != nil || !ok {
			t.Errorf("End of a live session: got %v, %v; want true, nil", ok, err)
		}
		if ok, err := rows.End(ctx, "admins"); err != nil || ok {
			t.Errorf("End of an ended session: got %v, %v; want false, nil", ok, err)
		}
	})
}

// Get reads the session, its user and merchant exactly as they are
// stored: every column, NULLs included, the same as GORM reads them (on
// PostgreSQL Get scans with pgx itself, with plans it keeps).
func TestSessionGetReadsEveryColumn(t *testing.T) {
	testapp.ForEach(t, func(t *testing.T, b testapp.Backend) {
		app := testapp.New(t, b)
		ctx := context.Background()
		rows := store.NewSessions(app.DB)
		now := time.Now().UTC().Truncate(time.Second)
		// Both demo users, and the guest again with every nullable
		// column empty: each makes the plans meet other values.
		if err := app.DB.Exec("UPDATE users SET birthday = NULL, last_login_at = NULL WHERE lower(username) = 'demo.admin'").Error; err != nil {
			t.Fatal(err)
		}
		for i, name := range []string{"demo.guest", "demo.admin", "demo.guest"} {
			want := app.User(t, name)
			id := fmt.Sprintf("every-column-%d", i)
			authAt := now.Add(-time.Minute)
			row := &models.Session{ID: id, UserID: &want.ID, Data: `{"k":"v"}`, CreatedAt: now.Add(-time.Hour),
				LastSeenAt: now, AuthenticatedAt: &authAt, ExpiresAt: now.Add(time.Hour), IP: "127.0.0.1", UserAgent: "test"}
			if i == 2 {
				row.AuthenticatedAt = nil
			}
			if err := rows.Create(ctx, row); err != nil {
				t.Fatal(err)
			}
			var wantRow models.Session
			if err := app.DB.Where("id = ?", id).Take(&wantRow).Error; err != nil {
				t.Fatal(err)
			}
			var wantMerchant models.Merchant
			if err := app.DB.Where("id = ?", want.MerchantID).Take(&wantMerchant).Error; err != nil {
				t.Fatal(err)
			}
			gotRow, got, gotMerchant, err := rows.Get(ctx, id, now)
			if err != nil {
				t.Fatalf("%s: Get: %v", name, err)
			}
			sameFields(t, name+" session", reflect.ValueOf(*gotRow), reflect.ValueOf(wantRow))
			sameFields(t, name, reflect.ValueOf(*got), reflect.ValueOf(*want))
			sameFields(t, name+" merchant", reflect.ValueOf(*gotMerchant), reflect.ValueOf(wantMerchant))
		}
	})
}

// sameFields reports each field of the structs got and want that differs;
// times are compared as instants.
func sameFields(t *testing.T, what string, got, want reflect.Value) {
	t.Helper()
	for i := range got.NumField() {
		name := got.Type().Field(i).Name
		g, w := got.Field(i).Interface(), want.Field(i).Interface()
		switch gv := g.(type) {
		case time.Time:
			if !gv.Equal(w.(time.Time)) {
				t.Errorf("%s: %s = %v, want %v", what, name, gv, w)
			}
		case *time.Time:
			wv := w.(*time.Time)
			if (gv == nil) != (wv == nil) || gv != nil && !gv.Equal(*wv) {
				t.Errorf("%s: %s = %v, want %v", what, name, gv, wv)
			}
		default:
			if got.Field(i).Kind() == reflect.Struct && got.Type().Field(i).Anonymous {
				sameFields(t, what, got.Field(i), want.Field(i))
			} else if !reflect.DeepEqual(g, w) {
				t.Errorf("%s: %s = %#v, want %#v", what, name, g, w)
			}
		}
	}
}
