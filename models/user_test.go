package models_test

import (
	"testing"
	"time"

	"myaccount/models"
)

func TestPasswordChangeDue(t *testing.T) {
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	ago := func(days int) *time.Time {
		at := now.AddDate(0, 0, -days)
		return &at
	}
	expiring := &models.Merchant{PasswordPolicy: models.PasswordPolicy{MaxAgeDays: 30}}
	never := &models.Merchant{PasswordPolicy: models.PasswordPolicy{MaxAgeDays: 0}}
	cases := []struct {
		name string
		m    *models.Merchant
		u    models.User
		want string
	}{
		{"fresh", expiring, models.User{PasswordChangedAt: ago(1)}, ""},
		{"one day short", expiring, models.User{PasswordChangedAt: ago(29)}, ""},
		{"exactly the maximum age", expiring, models.User{PasswordChangedAt: ago(30)}, models.PasswordChangeExpired},
		{"older", expiring, models.User{PasswordChangedAt: ago(31)}, models.PasswordChangeExpired},
		{"never changed: dates from creation", expiring, models.User{CreatedAt: *ago(31)}, models.PasswordChangeExpired},
		{"never changed, created recently", expiring, models.User{CreatedAt: *ago(2)}, ""},
		{"password never expires", expiring, models.User{PasswordChangedAt: ago(400), PasswordNeverExpires: true}, ""},
		{"the merchant has no maximum age", never, models.User{PasswordChangedAt: ago(4000)}, ""},
		{"flagged by an admin", never, models.User{PasswordChangedAt: ago(1), MustChangePassword: true}, models.PasswordChangeRequired},
		{"flagged and expired: the flag is the reason", expiring, models.User{PasswordChangedAt: ago(90), MustChangePassword: true}, models.PasswordChangeRequired},
		{"flagged although it never expires", expiring, models.User{PasswordNeverExpires: true, MustChangePassword: true}, models.PasswordChangeRequired},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.u.PasswordChangeDue(tc.m, now); got != tc.want {
				t.Errorf("PasswordChangeDue: got %q, want %q", got, tc.want)
			}
			if got := tc.u.MustChangePasswordNow(tc.m, now); got != (tc.want != "") {
				t.Errorf("MustChangePasswordNow: got %v, want %v", got, tc.want != "")
			}
		})
	}
}
