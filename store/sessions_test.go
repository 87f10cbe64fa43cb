package store_test

import (
	"context"
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
