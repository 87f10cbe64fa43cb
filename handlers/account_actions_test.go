package handlers_test

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"myaccount/internal/testapp"
	"myaccount/models"
)

// lockWithPausedDevice locks the demo guest's account on an admin's order
// after their devices' budget was paused by failures.
func lockWithPausedDevice(t *testing.T, app *testapp.App, c *testapp.Client) {
	t.Helper()
	guest := app.User(t, guestLogin)
	until := time.Now().Add(time.Hour)
	device := models.Device{ID: "paused-device", UserID: guest.ID, Failures: 5, LockedUntil: &until, Locks: 1, CreatedAt: time.Now(), LastUsedAt: time.Now()}
	if err := app.DB.Create(&device).Error; err != nil {
		t.Fatal(err)
	}
	app.DB.Model(&models.User{}).Where("id = ?", guest.ID).Update("failed_login_count", 3)
	testapp.Want(t, c.Post("/admin/users/"+guest.ID+"/lock", url.Values{}), http.StatusSeeOther)
}

// wantFailuresForgotten checks that the guest's account and devices count
// no failure and no pause.
func wantFailuresForgotten(t *testing.T, app *testapp.App) {
	t.Helper()
	u := app.User(t, guestLogin)
	if u.Status != models.StatusActive || u.LockedAt != nil || u.FailedLoginCount != 0 {
		t.Errorf("account: got status %s locked_at %v failures %d", u.Status, u.LockedAt, u.FailedLoginCount)
	}
	var d models.Device
	app.DB.Where("user_id = ?", u.ID).Take(&d)
	if d.Failures != 0 || d.LockedUntil != nil || d.Locks != 0 {
		t.Errorf("device: got %+v, want its failures and pause forgotten", d.Budget())
	}
	if ev := app.Audit(t, u.ID)[0]; !slices.Contains(ev.Changes, models.Change{Field: "failed_login_count", Old: "3", New: "0"}) {
		t.Errorf("audit of the unlock: got %+v, want the failures it forgot", ev.Changes)
	}
}

// wantNotice follows res's redirect and wants the notice there to hold
// text.
func wantNotice(t *testing.T, res *testapp.Response, text string) {
	t.Helper()
	next := res.Client.Get(res.Header.Get("Location"))
	testapp.Want(t, next, http.StatusOK)
	if got := next.Doc(t).Find(`[data-testid="notice"]`).Text(); !strings.Contains(got, text) {
		t.Errorf("notice: got %q, want %q", strings.TrimSpace(got), text)
	}
}

// An unlock is the same step from the record's button and from the edit
// form's status: the account's and its devices' failures are forgotten.
func TestUnlockOneWay(t *testing.T) {
	testapp.RunScenarios(t, []testapp.Scenario{
		{Name: "by the button", As: "admin", Method: http.MethodPost, Path: "/admin/users/{demo.guest}/unlock",
			Before: lockWithPausedDevice, Status: http.StatusSeeOther,
			After: func(t *testing.T, app *testapp.App, _ *testapp.Response) {
				wantFailuresForgotten(t, app)
				if ev := app.Audit(t, app.User(t, guestLogin).ID)[0]; ev.Action != models.ActionUnlocked {
					t.Errorf("audit: got %s, want %s", ev.Action, models.ActionUnlocked)
				}
			}},
		{Name: "by the edit form", As: "admin", Method: http.MethodPost, Path: "/admin/users/{demo.guest}",
			Before: lockWithPausedDevice,
			FormFunc: func(t *testing.T, app *testapp.App, _ *testapp.Client) url.Values {
				return url.Values{"status": {models.StatusActive}, "roles": {models.RoleCustomer}, "version": {strconv.Itoa(app.User(t, guestLogin).Version)}}
			},
			Status: http.StatusSeeOther,
			After: func(t *testing.T, app *testapp.App, _ *testapp.Response) {
				wantFailuresForgotten(t, app)
			}},
	})
}

// The record's actions the rules refuse: on the admin's own account, and
// a new password for an account that could not use it.
func TestRefusedAccountActions(t *testing.T) {
	shut := func(status string) func(*testing.T, *testapp.App, *testapp.Client) {
		return func(t *testing.T, app *testapp.App, _ *testapp.Client) {
			app.DB.Model(&models.User{}).Where("username = ?", guestLogin).Update("status", status)
		}
	}
	unchanged := func(t *testing.T, app *testapp.App, _ *testapp.Response) {
		var mail int64
		app.DB.Model(&models.OutboxMessage{}).Count(&mail)
		if mail != 0 {
			t.Errorf("mail queued: %d", mail)
		}
		if u := app.User(t, guestLogin); u.MustChangePassword {
			t.Errorf("the password was reset")
		}
	}
	var scenarios []testapp.Scenario
	for _, action := range []string{"lock", "force-password-change", "reset-password"} {
		scenarios = append(scenarios, testapp.Scenario{Name: action + " on oneself", As: "admin", Method: http.MethodPost,
			Path: "/admin/users/{demo.admin}/" + action, Shared: true, Status: http.StatusSeeOther,
			After: func(t *testing.T, app *testapp.App, res *testapp.Response) {
				wantNotice(t, res, "your own")
				if a := app.User(t, "demo.admin"); a.Status != models.StatusActive || a.MustChangePassword {
					t.Errorf("an admin acted on themselves")
				}
			}})
	}
	for _, tt := range []struct{ action, status, want string }{
		{"reset-password", models.StatusLocked, "This account is locked, so a new password would not let them in. Unlock it first."},
		{"send-reset-link", models.StatusLocked, "This account is locked, so a new password would not let them in. Unlock it first."},
		{"send-reset-link", models.StatusInactive, "This account is inactive, so a new password would not let them in. Make it active first."},
	} {
		scenarios = append(scenarios, testapp.Scenario{Name: tt.action + " while " + tt.status, As: "admin", Method: http.MethodPost,
			Path: "/admin/users/{demo.guest}/" + tt.action, Before: shut(tt.status), Status: http.StatusSeeOther,
			After: func(t *testing.T, app *testapp.App, res *testapp.Response) {
				wantNotice(t, res, tt.want)
				unchanged(t, app, res)
			}})
	}
	scenarios = append(scenarios,
		testapp.Scenario{Name: "one's own record", As: "admin", Path: "/admin/users/{demo.admin}", Shared: true, Status: http.StatusOK,
			Absent:   []string{`[data-action="lock"]`, `[data-action="force-password-change"]`, `[data-action="reset-password"]`},
			Contains: map[string][]string{`[data-action="send-reset-link"]`: nil, `[data-action="revoke-sessions"]`: nil}},
		testapp.Scenario{Name: "a locked record", As: "admin", Path: "/admin/users/{demo.guest}", Before: shut(models.StatusLocked), Status: http.StatusOK,
			Absent:   []string{`[data-action="reset-password"]`, `[data-action="send-reset-link"]`},
			Contains: map[string][]string{`[data-action="unlock"]`: nil, `[data-action="force-password-change"]`: nil}})
	testapp.RunScenarios(t, scenarios)
}
