package models_test

import (
	"errors"
	"reflect"
	"strconv"
	"testing"
	"time"

	"myaccount/models"
)

// A new merchant forgets failed sign-ins after 12 quiet hours, as
// Keycloak's "Failure reset time" does by default.
func TestDefaultLockoutForgetsAfter12Hours(t *testing.T) {
	if got := models.DefaultLockout.ResetMinutes; got != 12*60 {
		t.Errorf("DefaultLockout.ResetMinutes: got %d, want 720", got)
	}
	now := time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC)
	if got, want := models.DefaultLockout.ForgetsBefore(now), now.Add(-12*time.Hour); !got.Equal(want) {
		t.Errorf("ForgetsBefore: got %v, want %v", got, want)
	}
	if got := (models.LockoutPolicy{}).ForgetsBefore(now); !got.IsZero() {
		t.Errorf("no reset time: got %v, want the zero time (nothing is forgotten)", got)
	}
}

// Failures and locks in a row whose last wrong password is older than the
// reset time count for nothing; a lock still on stays on, and a budget
// that does not know when it last failed forgets nothing.
func TestAttemptBudgetForgetsOldFailures(t *testing.T) {
	now := time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC)
	p := models.LockoutPolicy{FirstWaitMinutes: 5, MaxWaitMinutes: 60, ResetMinutes: 60}
	at := func(d time.Duration) *time.Time { t := now.Add(-d); return &t }
	until := now.Add(time.Minute)
	for _, tc := range []struct {
		name        string
		budget      models.AttemptBudget
		failures    int
		locks       int
		lockedUntil *time.Time
		policy      models.LockoutPolicy
	}{
		{"recent", models.AttemptBudget{Failures: 4, Locks: 2, LastFailedAt: at(59 * time.Minute)}, 4, 2, nil, p},
		{"exactly the reset time ago", models.AttemptBudget{Failures: 4, Locks: 2, LastFailedAt: at(time.Hour)}, 4, 2, nil, p},
		{"older", models.AttemptBudget{Failures: 4, Locks: 2, LastFailedAt: at(61 * time.Minute)}, 0, 0, nil, p},
		{"unknown time", models.AttemptBudget{Failures: 4, Locks: 2}, 4, 2, nil, p},
		{"lock still on", models.AttemptBudget{Locks: 1, LockedUntil: &until, LastFailedAt: at(2 * time.Hour)}, 0, 0, &until, p},
		{"policy that forgets nothing", models.AttemptBudget{Failures: 4, Locks: 2, LastFailedAt: at(1000 * time.Hour)}, 4, 2, nil, models.LockoutPolicy{}},
	} {
		got := tc.budget.At(tc.policy, now)
		if got.Failures != tc.failures || got.Locks != tc.locks || got.LockedUntil != tc.lockedUntil {
			t.Errorf("%s: got %d failures, %d locks, until %v; want %d, %d, %v", tc.name, got.Failures, got.Locks, got.LockedUntil, tc.failures, tc.locks, tc.lockedUntil)
		}
	}
	if got := (&models.User{FailedLoginCount: 3, LastFailedLoginAt: at(2 * time.Hour)}).Budget().At(p, now); got.Failures != 0 {
		t.Errorf("account budget: got %d failures, want them forgotten", got.Failures)
	}
	if got := (&models.Device{Failures: 3, LastFailedAt: at(2 * time.Hour)}).Budget().At(p, now); got.Failures != 0 {
		t.Errorf("device budget: got %d failures, want them forgotten", got.Failures)
	}
}

// "Forget failed sign-ins after" is a whole number of minutes from 1 to
// 30 days, at least the longest lock (else each lock's wait would forget
// the locks before it, and locks would never grow nor turn permanent); a
// change is audited.
func TestSettingsLockoutReset(t *testing.T) {
	const field = "lockout_reset_minutes"
	for _, tc := range []struct {
		name, reset, longest string
		want                 []string
	}{
		{"empty", "", "60", []string{"Enter after how many minutes failed sign-ins are forgotten"}},
		{"zero", "0", "60", []string{"Forget failed sign-ins after (minutes) must be a whole number from 1 to 43200"}},
		{"over 30 days", "43201", "60", []string{"Forget failed sign-ins after (minutes) must be a whole number from 1 to 43200"}},
		{"not a number", "12h", "60", []string{"Forget failed sign-ins after (minutes) must be a whole number from 1 to 43200"}},
		{"shorter than the longest lock", "59", "60", []string{"Forget failed sign-ins after must be at least the longest lock, 60 minutes"}},
		{"the longest lock itself", "60", "60", nil},
		{"a week", "10080", "60", nil},
		{"longest lock refused: not compared", "30", "x", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := settingsMerchant()
			in := models.NewSettingsInput(m)
			in.Numbers[field], in.Numbers["lockout_max_wait_minutes"] = tc.reset, tc.longest
			next, changes, err := in.Validate(m)
			var fe models.FieldErrors
			if err != nil && !errors.As(err, &fe) {
				t.Fatalf("Apply: %v", err)
			}
			if got := fe[field]; !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("%s errors: got %q, want %q", field, got, tc.want)
			}
			if err != nil {
				return
			}
			want := models.Change{Field: field, Old: "720", New: tc.reset}
			if strconv.Itoa(next.Lockout.ResetMinutes) != tc.reset || len(changes) != 1 || changes[0] != want {
				t.Errorf("saved: got %d with changes %+v, want %s and the one change %+v", next.Lockout.ResetMinutes, changes, tc.reset, want)
			}
		})
	}
	if got := models.NewSettingsInput(settingsMerchant()).Numbers[field]; got != "720" {
		t.Errorf("the form of the default policy: got %q, want 720", got)
	}
}
