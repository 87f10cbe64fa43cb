package models_test

import (
	"errors"
	"slices"
	"testing"
	"time"

	"myaccount/models"
)

func TestCheckAccountAction(t *testing.T) {
	admin := &models.User{ID: "a", Status: models.StatusActive}
	active := &models.User{ID: "b", Status: models.StatusActive}
	locked := &models.User{ID: "c", Status: models.StatusLocked}
	inactive := &models.User{ID: "d", Status: models.StatusInactive}
	for _, tt := range []struct {
		subject *models.User
		act     models.AccountAction
		want    error
	}{
		{admin, models.ActLock, models.ErrSelf},
		{admin, models.ActForcePasswordChange, models.ErrSelf},
		{admin, models.ActResetPassword, models.ErrSelf},
		{admin, models.ActUnlock, nil},
		{admin, models.ActRevokeSessions, nil},
		{admin, models.ActSendResetLink, nil},
		{active, models.ActLock, nil},
		{active, models.ActResetPassword, nil},
		{locked, models.ActResetPassword, models.ErrAccountShut},
		{locked, models.ActSendResetLink, models.ErrAccountShut},
		{inactive, models.ActSendResetLink, models.ErrAccountShut},
		{locked, models.ActUnlock, nil},
		{inactive, models.ActRevokeSessions, nil},
	} {
		err := models.CheckAccountAction(admin, tt.subject, tt.act)
		var refused *models.RefusedAction
		if tt.want == nil && err != nil || tt.want != nil && (!errors.Is(err, tt.want) || !errors.As(err, &refused) || refused.Reason == "") {
			t.Errorf("%s on %s (%s): got %v, want %v", tt.act, tt.subject.ID, tt.subject.Status, err, tt.want)
		}
	}
}

// A lock and an unlock are one step whether they come from the record's
// buttons or from the edit form's status.
func TestLockAndUnlock(t *testing.T) {
	now := time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC)
	admin := &models.User{ID: "a"}
	until := now.Add(time.Hour)
	before := &models.User{ID: "b", Status: models.StatusActive, FailedLoginCount: 3, LockedUntil: &until, LockoutCount: 1}

	lock := models.LockAccount(models.ByUser(admin), before, now)
	if u := lock.User; u.Status != models.StatusLocked || u.LockedAt == nil || !u.LockedAt.Equal(now) || u.LockedBy == nil || *u.LockedBy != "a" {
		t.Errorf("lock: got %+v", u)
	}
	if !slices.Equal(lock.Columns, []string{"status", "locked_at", "locked_by"}) || lock.ForgetsDeviceFailures {
		t.Errorf("lock: columns %v, forgets devices %v", lock.Columns, lock.ForgetsDeviceFailures)
	}

	for name, unlock := range map[string]models.ProfileUpdate{"button": models.UnlockAccount(&lock.User), "edit form": editStatus(t, admin, &lock.User, models.StatusActive)} {
		u := unlock.User
		if u.Status != models.StatusActive || u.LockedAt != nil || u.LockedBy != nil || u.FailedLoginCount != 0 || u.LockedUntil != nil || u.LockoutCount != 0 || !unlock.ForgetsDeviceFailures {
			t.Errorf("unlock by the %s: got %+v", name, unlock)
		}
		if !slices.Contains(unlock.Changes, models.Change{Field: "failed_login_count", Old: "3", New: "0"}) ||
			!slices.Contains(unlock.Changes, models.Change{Field: "status", Old: models.StatusLocked, New: models.StatusActive}) {
			t.Errorf("unlock by the %s: changes %+v", name, unlock.Changes)
		}
	}
	if paused := models.UnlockAccount(before); paused.User.LockedUntil != nil || slices.Contains(paused.Columns, "status") {
		t.Errorf("unlock of a paused active account: got %+v", paused)
	}
}

// editStatus is the admin's edit form setting u's status.
func editStatus(t *testing.T, admin, u *models.User, status string) models.ProfileUpdate {
	t.Helper()
	m := &models.Merchant{}
	upd, err := models.EditProfile(models.ByUser(admin), m, u, models.AdminProfileFields(m), map[string]string{"status": status}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	return upd
}

// An admin cannot lock, deactivate or demote themselves; anyone else can
// be.
func TestCheckSelfEdit(t *testing.T) {
	admin := &models.User{ID: "a", Status: models.StatusActive, Roles: models.StringList{models.RoleMerchantAdmin}}
	locked, demoted := *admin, *admin
	locked.Status, demoted.Roles = models.StatusLocked, models.StringList{models.RoleCustomer}
	if got := models.CheckSelfEdit(admin, admin, &locked); !got.Has("status") {
		t.Errorf("locking oneself: got %v", got)
	}
	if got := models.CheckSelfEdit(admin, admin, &demoted); !got.Has("roles") {
		t.Errorf("demoting oneself: got %v", got)
	}
	other := &models.User{ID: "b"}
	if got := models.CheckSelfEdit(other, admin, &locked); len(got) != 0 {
		t.Errorf("another admin locking: got %v", got)
	}
}

// An unlock records the failed sign-ins it forgets, and none when there
// were none: the history shows no "0 → 0".
func TestUnlockRecordsOnlyWhatItForgets(t *testing.T) {
	locked := &models.User{ID: "b", Status: models.StatusLocked}
	for _, ch := range models.UnlockAccount(locked).Changes {
		if ch.Field == "failed_login_count" {
			t.Errorf("unlock without failures: got the change %+v", ch)
		}
	}
}
