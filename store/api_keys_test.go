package store_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"myaccount/internal/testapp"
	"myaccount/models"
	"myaccount/store"
)

var keyShape = regexp.MustCompile(`^mak_[0-9A-Za-z]{12}_[0-9A-Za-z_-]{43}$`)

// newKey creates a key of merchant code named name, failing the test
// unless it worked.
func newKey(t *testing.T, app *testapp.App, code, name string) (string, *models.APIKey) {
	t.Helper()
	m := app.Merchant(t, code)
	var admin models.User
	if err := app.DB.Where("merchant_id = ?", m.ID).Order("username").Take(&admin).Error; err != nil {
		t.Fatalf("a user of %s: %v", code, err)
	}
	key, row, err := store.NewAPIKeys(app.DB).Create(context.Background(), &admin, m, name, meta)
	if err != nil {
		t.Fatalf("create key %q: %v", name, err)
	}
	return key, row
}

// keyEvents are the merchant's audit events of action, oldest first.
func keyEvents(t *testing.T, app *testapp.App, merchantID, action string) []models.AuditEvent {
	t.Helper()
	var evs []models.AuditEvent
	if err := app.DB.Where("merchant_id = ? AND action = ?", merchantID, action).Order("created_at, id").Find(&evs).Error; err != nil {
		t.Fatal(err)
	}
	return evs
}

// A key is made of crypto/rand in the documented shape, stored only as
// its SHA-256 and prefix, audited by name and prefix, listed newest first,
// opens the API until it is revoked, and is revoked only by its own
// merchant, once.
func TestAPIKeyLifecycle(t *testing.T) {
	testapp.ForEach(t, func(t *testing.T, b testapp.Backend) {
		app := testapp.New(t, b)
		keys := store.NewAPIKeys(app.DB)
		admin, sandpiper := app.User(t, "demo.admin"), app.Merchant(t, "sandpiper")

		first, _ := newKey(t, app, "sandpiper", "Point of sale")
		key, row := newKey(t, app, "sandpiper", "Kiosk")
		checkNewKey(t, app, admin, sandpiper, first, key, row)
		checkKeyOpens(t, keys, sandpiper, key, row)
		checkKeyRevoke(t, app, keys, admin, sandpiper, first, key, row)
		checkNoKeyAudited(t, app, key, first)
	})
}

// checkNewKey checks a new key's shape, its row, which holds neither the
// key nor its secret part, and its audit event.
func checkNewKey(t *testing.T, app *testapp.App, admin *models.User, sandpiper *models.Merchant, first, key string, row *models.APIKey) {
	t.Helper()
	if !keyShape.MatchString(key) || first == key {
		t.Fatalf("keys: got %q and %q, want two different keys like mak_<12 base62>_<43 base64url>", first, key)
	}
	sum := sha256.Sum256([]byte(key))
	if row.Prefix != key[:16] || row.Hash != hex.EncodeToString(sum[:]) || row.Name != "Kiosk" || row.MerchantID != sandpiper.ID ||
		row.CreatedBy == nil || *row.CreatedBy != admin.ID || !row.Active() || row.LastUsedAt != nil {
		t.Errorf("row: got %+v, want prefix %s, the SHA-256, name Kiosk, made by the admin, active, never used", row, key[:16])
	}

	// The stored row holds neither the key nor its secret part.
	var stored map[string]any
	if err := app.DB.Table("api_keys").Where("id = ?", row.ID).Take(&stored).Error; err != nil {
		t.Fatal(err)
	}
	for col, v := range stored {
		if s := fmt.Sprint(v); strings.Contains(s, key) || strings.Contains(s, key[17:]) {
			t.Errorf("column %s holds the key", col)
		}
	}

	created := keyEvents(t, app, sandpiper.ID, models.ActionAPIKeyCreated)
	last := created[len(created)-1]
	wantChanges := models.Changes{{Field: "name", New: "Kiosk"}, {Field: "prefix", New: row.Prefix}}
	if last.ActorID == nil || *last.ActorID != admin.ID || last.ActorKeyID != nil || last.SubjectID != nil || fmt.Sprint(last.Changes) != fmt.Sprint(wantChanges) || last.IP != meta.IP {
		t.Errorf("created event: got %+v, want the admin as actor and changes %v", last, wantChanges)
	}
}

// checkKeyOpens checks that the merchant's list shows the key, newest
// first, and that only the key itself authenticates.
func checkKeyOpens(t *testing.T, keys *store.APIKeys, sandpiper *models.Merchant, key string, row *models.APIKey) {
	t.Helper()
	ctx := context.Background()
	list, err := keys.List(ctx, sandpiper.ID)
	if err != nil || len(list) < 2 || list[0].Name != "Kiosk" || list[1].Name != "Point of sale" {
		t.Fatalf("list: got %v (%v), want Kiosk, then Point of sale, newest first", list, err)
	}
	for _, k := range list {
		if k.MerchantID != sandpiper.ID {
			t.Errorf("list: got a key of merchant %s", k.MerchantID)
		}
	}

	got, err := keys.Authenticate(ctx, key)
	if err != nil || got.ID != row.ID {
		t.Fatalf("authenticate: got %v, %v; want key %s", got, err, row.ID)
	}
	flipped := []byte(key)
	flipped[len(flipped)-1] ^= 1
	for name, token := range map[string]string{
		"empty": "", "the prefix": row.Prefix, "the hash": row.Hash, "one character changed": string(flipped),
		"a space after it": key + " ", "upper case": strings.ToUpper(key), "the right shape, unknown": "mak_" + strings.Repeat("A", 12) + "_" + strings.Repeat("B", 43),
	} {
		if k, err := keys.Authenticate(ctx, token); !errors.Is(err, models.ErrNotFound) {
			t.Errorf("authenticate %s: got %v, %v; want ErrNotFound", name, k, err)
		}
	}
}

// checkKeyRevoke checks that only the key's merchant revokes it, once,
// and that the other key, first, stays active.
func checkKeyRevoke(t *testing.T, app *testapp.App, keys *store.APIKeys, admin *models.User, sandpiper *models.Merchant, first, key string, row *models.APIKey) {
	t.Helper()
	ctx := context.Background()
	// Another merchant's admin cannot revoke it, nor can an unknown id.
	harbor := app.Merchant(t, "harbor")
	for name, id := range map[string]string{"another merchant's key": row.ID, "an unknown id": store.NewID(), "not an id": "not-an-id"} {
		m := sandpiper
		if name == "another merchant's key" {
			m = harbor
		}
		if err := keys.Revoke(ctx, admin, m, id, meta); !errors.Is(err, models.ErrNotFound) {
			t.Errorf("revoke %s: got %v, want ErrNotFound", name, err)
		}
	}
	if _, err := keys.Authenticate(ctx, key); err != nil {
		t.Fatalf("after refused revokes: got %v, want the key still active", err)
	}

	// Revoked, it opens nothing; revoking again changes nothing.
	for range 2 {
		if err := keys.Revoke(ctx, admin, sandpiper, row.ID, meta); err != nil {
			t.Fatalf("revoke: %v", err)
		}
	}
	if k, err := keys.Authenticate(ctx, key); !errors.Is(err, models.ErrNotFound) {
		t.Errorf("authenticate a revoked key: got %v, %v; want ErrNotFound", k, err)
	}
	list, _ := keys.List(ctx, sandpiper.ID)
	if r := list[0]; r.ID != row.ID || r.Active() || r.RevokedBy == nil || *r.RevokedBy != admin.ID {
		t.Errorf("revoked row: got %+v, want revoked by the admin", r)
	}
	revoked := keyEvents(t, app, sandpiper.ID, models.ActionAPIKeyRevoked)
	if len(revoked) != 1 || fmt.Sprint(revoked[0].Changes) != fmt.Sprint(models.Changes{{Field: "name", Old: "Kiosk"}, {Field: "prefix", Old: row.Prefix}}) {
		t.Errorf("revoked events: got %+v, want one naming Kiosk", revoked)
	}
	if _, err := keys.Authenticate(ctx, first); err != nil {
		t.Errorf("the other key after a revoke: got %v, want it still active", err)
	}
}

// checkNoKeyAudited checks that no audit event holds key or first.
func checkNoKeyAudited(t *testing.T, app *testapp.App, key, first string) {
	t.Helper()
	var all []models.AuditEvent
	app.DB.Find(&all)
	for _, ev := range all {
		if s := fmt.Sprint(ev.Changes); strings.Contains(s, key[17:]) || strings.Contains(s, first[17:]) {
			t.Errorf("audit %s holds a key", ev.Action)
		}
	}
}

// A name (as models.NewAPIKey.Validate cleaned it) is unique among the
// merchant's active keys, whatever its case; a revoked key's name is free again, and
// other merchants' names do not count.
func TestAPIKeyNames(t *testing.T) {
	testapp.ForEach(t, func(t *testing.T, b testapp.Backend) {
		app := testapp.New(t, b)
		ctx := context.Background()
		keys := store.NewAPIKeys(app.DB)
		admin, sandpiper := app.User(t, "demo.admin"), app.Merchant(t, "sandpiper")
		newKey(t, app, "sandpiper", "Point of sale")
		_, old := newKey(t, app, "sandpiper", "Old kiosk")
		if err := keys.Revoke(ctx, admin, sandpiper, old.ID, meta); err != nil {
			t.Fatal(err)
		}
		newKey(t, app, "harbor", "Loyalty app")

		for _, tc := range []struct {
			name, in, want string // want is the message on "name", or ""
		}{
			{"a new name", "Website", ""},
			{"an active key's name", "Point of sale", models.KeyNameTaken},
			{"in another case", "POINT OF SALE", models.KeyNameTaken},
			{"a revoked key's name", "Old kiosk", ""},
			{"another merchant's key's name", "Loyalty app", ""},
		} {
			t.Run(tc.name, func(t *testing.T) {
				before := len(keyEvents(t, app, sandpiper.ID, models.ActionAPIKeyCreated))
				_, row, err := keys.Create(ctx, admin, sandpiper, tc.in, meta)
				var fe models.FieldErrors
				switch {
				case tc.want == "" && err != nil:
					t.Fatalf("create %q: got %v, want a key", tc.in, err)
				case tc.want == "":
					if row.Name != strings.TrimSpace(tc.in) {
						t.Errorf("name: got %q, want %q", row.Name, strings.TrimSpace(tc.in))
					}
				case !errors.As(err, &fe) || strings.Join(fe["name"], "; ") != tc.want:
					t.Errorf("create %q: got %v, want name: %s", tc.in, err, tc.want)
				default:
					if after := len(keyEvents(t, app, sandpiper.ID, models.ActionAPIKeyCreated)); after != before {
						t.Errorf("a refused name was audited")
					}
				}
			})
		}
	})
}

// Authenticate records when a key was last used, at most once a minute.
func TestAPIKeyLastUsedThrottled(t *testing.T) {
	testapp.ForEach(t, func(t *testing.T, b testapp.Backend) {
		app := testapp.New(t, b)
		ctx := context.Background()
		keys := store.NewAPIKeys(app.DB)
		key, row := newKey(t, app, "sandpiper", "Point of sale")
		for _, tc := range []struct {
			name    string
			ago     time.Duration // last used that long ago; 0 never
			touched bool
		}{
			{"never used", 0, true},
			{"a second ago", time.Second, false},
			{"30 seconds ago", 30 * time.Second, false},
			{"59 seconds ago", 59 * time.Second, false},
			{"61 seconds ago", 61 * time.Second, true},
			{"a day ago", 24 * time.Hour, true},
		} {
			t.Run(tc.name, func(t *testing.T) {
				var then *time.Time
				if tc.ago > 0 {
					at := time.Now().UTC().Add(-tc.ago).Truncate(time.Millisecond)
					then = &at
				}
				if err := app.DB.Model(&models.APIKey{}).Where("id = ?", row.ID).Update("last_used_at", then).Error; err != nil {
					t.Fatal(err)
				}
				start := time.Now().UTC().Add(-time.Second)
				if _, err := keys.Authenticate(ctx, key); err != nil {
					t.Fatalf("authenticate: %v", err)
				}
				var got models.APIKey
				app.DB.Where("id = ?", row.ID).Take(&got)
				touched := got.LastUsedAt != nil && !got.LastUsedAt.Before(start)
				if touched != tc.touched {
					t.Errorf("last used %v ago: got last_used_at %v (touched=%v), want touched=%v", tc.ago, got.LastUsedAt, touched, tc.touched)
				}
				if !tc.touched && (got.LastUsedAt == nil || !got.LastUsedAt.Equal(*then)) {
					t.Errorf("last_used_at: got %v, want %v kept", got.LastUsedAt, then)
				}
			})
		}
	})
}

// An event an integration caused names its key as the actor: the audit
// log and the user's history show it as API key “name”, never as system.
func TestAuditByKey(t *testing.T) {
	testapp.ForEach(t, func(t *testing.T, b testapp.Backend) {
		app := testapp.New(t, b)
		ctx := context.Background()
		sandpiper, guest := app.Merchant(t, "sandpiper"), app.User(t, "demo.guest")
		_, row := newKey(t, app, "sandpiper", "Point of sale")
		changes := models.Changes{{Field: "city", Old: "Johns Creek", New: "Savannah"}}
		if err := store.AuditByKey(app.DB, sandpiper.ID, row, &guest.ID, models.ActionProfileUpdated, changes, meta); err != nil {
			t.Fatalf("audit by key: %v", err)
		}
		if err := store.AuditByKey(app.DB, app.Merchant(t, "harbor").ID, row, nil, models.ActionProfileUpdated, nil, meta); err == nil {
			t.Errorf("an event of another merchant by this key: got none refused, want an error")
		}

		page, err := app.Deps.Audit.Search(ctx, store.AuditQuery{MerchantID: sandpiper.ID, Action: models.ActionProfileUpdated})
		if err != nil || len(page.Events) != 1 {
			t.Fatalf("search: got %d events (%v), want 1", len(page.Events), err)
		}
		history, err := app.Deps.Audit.ForSubject(ctx, sandpiper.ID, guest.ID, 10)
		if err != nil || len(history) == 0 {
			t.Fatalf("history: got %d events (%v), want some", len(history), err)
		}
		for where, e := range map[string]models.AuditEntry{"audit log": page.Events[0], "history": history[0]} {
			if e.ActorID != nil || e.ActorKeyID == nil || *e.ActorKeyID != row.ID || e.ActorName != "API key “Point of sale”" || e.SubjectName != "demo.guest" {
				t.Errorf("%s: got actor %v key %v named %q, subject %q; want the key named API key “Point of sale”, subject demo.guest",
					where, e.ActorID, e.ActorKeyID, e.ActorName, e.SubjectName)
			}
		}
	})
}

// The demo data has one key, Sandpiper Bay's "Demo integration", made by
// the demo admin with the rest of the demo data (which is not audited),
// and it opens the API.
func TestDemoAPIKey(t *testing.T) {
	testapp.ForEach(t, func(t *testing.T, b testapp.Backend) {
		app := testapp.New(t, b)
		sandpiper, admin := app.Merchant(t, "sandpiper"), app.User(t, "demo.admin")
		if !keyShape.MatchString(app.DemoAPIKey) {
			t.Fatalf("demo key: got %q, want a key", app.DemoAPIKey)
		}
		k, err := store.NewAPIKeys(app.DB).Authenticate(context.Background(), app.DemoAPIKey)
		if err != nil {
			t.Fatalf("authenticate the demo key: %v", err)
		}
		if k.MerchantID != sandpiper.ID || k.Name != store.DemoAPIKeyName || k.CreatedBy == nil || *k.CreatedBy != admin.ID {
			t.Errorf("demo key: got %+v, want Sandpiper Bay's %q made by demo.admin", k, store.DemoAPIKeyName)
		}
		var n int64
		app.DB.Model(&models.APIKey{}).Count(&n)
		if n != 1 {
			t.Errorf("keys in the demo data: got %d, want 1", n)
		}
		if evs := keyEvents(t, app, sandpiper.ID, models.ActionAPIKeyCreated); len(evs) != 0 {
			t.Errorf("the demo key was audited: %+v", evs)
		}
	})
}
