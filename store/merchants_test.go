package store_test

import (
	"context"
	"errors"
	"testing"

	"myaccount/internal/testapp"
	"myaccount/models"
)

// UpdateSettings writes the settings and their audit event together, only
// over the version it was given, and only when something changed.
func TestUpdateSettings(t *testing.T) {
	testapp.ForEach(t, func(t *testing.T, b testapp.Backend) {
		app := testapp.New(t, b)
		ctx := context.Background()
		merchants := app.Deps.Merchants
		admin := app.User(t, "demo.admin")
		m := app.Merchant(t, "sandpiper")
		before := *m

		in := models.NewSettingsInput(m)
		in.Numbers["password_min_length"] = "10"
		in.Numbers["password_min_score"] = "2"
		in.Required = append(in.Required, "birthday")
		in.Custom[0] = models.CustomFieldInput{Key: "anniversary", Label: "Anniversary", Type: models.CustomDate}
		next, changes, err := in.Validate(m)
		if err != nil {
			t.Fatalf("Apply: %v", err)
		}

		checkSettingsRefused(t, app, admin, m, before, next, changes)

		if err := merchants.UpdateSettings(ctx, admin, m, m.Version, next, changes, meta); err != nil {
			t.Fatalf("UpdateSettings: %v", err)
		}
		if m.Version != before.Version+1 || m.PasswordPolicy.MinLength != 10 || m.ID != before.ID || m.Code != "sandpiper" {
			t.Errorf("merchant after save: got %+v", m)
		}
		got := app.Merchant(t, "sandpiper")
		if got.Version != before.Version+1 || got.PasswordPolicy.MinLength != 10 || got.PasswordPolicy.MinScore != 2 || !got.Requires("birthday") ||
			len(got.CustomFields) != 1 || got.CustomFields[0].Key != "anniversary" || got.Name != before.Name ||
			!got.UpdatedAt.After(before.UpdatedAt) {
			t.Errorf("stored: got %+v", got)
		}

		checkSettingsAudited(t, app, admin, m)

		// The form that was just saved is now stale.
		if err := merchants.UpdateSettings(ctx, admin, &before, before.Version, next, changes, meta); !errors.Is(err, models.ErrConflict) {
			t.Errorf("second save from the old version: got %v, want ErrConflict", err)
		}
	})
}

// checkSettingsRefused checks that saving next over m is refused to a
// guest, to an admin of another merchant, without changes and from a
// stale version, and that none of them writes anything.
func checkSettingsRefused(t *testing.T, app *testapp.App, admin *models.User, m *models.Merchant, before, next models.Merchant, changes models.Changes) {
	t.Helper()
	ctx := context.Background()
	merchants := app.Deps.Merchants
	// Only an admin of the merchant may save its settings.
	guest := app.User(t, "demo.guest")
	other := *admin
	other.MerchantID = app.Merchant(t, "harbor").ID
	for name, actor := range map[string]*models.User{"guest": guest, "admin of another merchant": &other} {
		copyM := *m
		if err := merchants.UpdateSettings(ctx, actor, &copyM, copyM.Version, next, changes, meta); !errors.Is(err, models.ErrForbidden) {
			t.Errorf("%s: got %v, want ErrForbidden", name, err)
		}
	}

	// Nothing changed: nothing written.
	if err := merchants.UpdateSettings(ctx, admin, m, m.Version, *m, nil, meta); !errors.Is(err, models.ErrNoChanges) {
		t.Errorf("no changes: got %v, want ErrNoChanges", err)
	}

	// A form made from an older version is refused and writes
	// nothing; so is a merchant read before another save.
	if err := merchants.UpdateSettings(ctx, admin, m, m.Version-1, next, changes, meta); !errors.Is(err, models.ErrConflict) {
		t.Errorf("form of a stale version: got %v, want ErrConflict", err)
	}
	stale := *m
	stale.Version--
	if err := merchants.UpdateSettings(ctx, admin, &stale, stale.Version, next, changes, meta); !errors.Is(err, models.ErrConflict) {
		t.Errorf("stale version: got %v, want ErrConflict", err)
	}
	if got := app.Merchant(t, "sandpiper"); got.Version != before.Version || got.PasswordPolicy.MinLength != before.PasswordPolicy.MinLength {
		t.Fatalf("after refusals: got version %d min length %d, want unchanged", got.Version, got.PasswordPolicy.MinLength)
	}
}

// checkSettingsAudited checks the one audit event of m's settings save.
func checkSettingsAudited(t *testing.T, app *testapp.App, admin *models.User, m *models.Merchant) {
	t.Helper()
	var evs []models.AuditEvent
	if err := app.DB.Where("merchant_id = ? AND action = ?", m.ID, models.ActionSettingsUpdated).Find(&evs).Error; err != nil {
		t.Fatal(err)
	}
	if len(evs) != 1 {
		t.Fatalf("audit events: got %d, want 1", len(evs))
	}
	ev := evs[0]
	if ev.ActorID == nil || *ev.ActorID != admin.ID || ev.SubjectID != nil || ev.IP != meta.IP {
		t.Errorf("audit event: got actor %v subject %v ip %q, want the admin, no subject, %s", ev.ActorID, ev.SubjectID, ev.IP, meta.IP)
	}
	fields := map[string]models.Change{}
	for _, ch := range ev.Changes {
		fields[ch.Field] = ch
	}
	if ch := fields["password_min_length"]; ch.Old != "6" || ch.New != "10" {
		t.Errorf("audit password_min_length: got %q → %q, want 6 → 10", ch.Old, ch.New)
	}
	if ch := fields["password_min_score"]; ch.Old != "0" || ch.New != "2" {
		t.Errorf("audit password_min_score: got %q → %q, want 0 → 2", ch.Old, ch.New)
	}
	if ch := fields["required_fields"]; ch.Old != "first_name, last_name" || ch.New != "first_name, last_name, birthday" {
		t.Errorf("audit required_fields: got %q → %q", ch.Old, ch.New)
	}
	if ch := fields["custom_fields"]; ch.Old != "none" || ch.New != `anniversary "Anniversary" (date)` {
		t.Errorf("audit custom_fields: got %q → %q", ch.Old, ch.New)
	}
	if len(fields) != 4 {
		t.Errorf("audit changes: got %v, want 4", ev.Changes)
	}
}
