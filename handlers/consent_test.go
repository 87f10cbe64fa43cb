package handlers_test

import (
	"net/http"
	"net/url"
	"testing"

	"myaccount/internal/testapp"
	"myaccount/models"
)

// consentFields are the profile's opt-ins.
var consentFields = []string{"mailing_list_subscribed", "printed_mailing_list_subscribed", "opt_in_secondary", "programme_opted_in"}

// A post that leaves the checkboxes out (a partial form, a script) changes
// no opt-in: only a form that showed a box can untick it. Unticking a box
// that was shown withdraws the consent, and each change is its own audit
// event with its time.
func TestConsentIsNeverChangedByOmission(t *testing.T) {
	testapp.ForEach(t, func(t *testing.T, b testapp.Backend) {
		app := testapp.New(t, b)
		c := app.ClientAs(t, "guest")
		before := app.User(t, guestLogin)
		if !before.MailingListSubscribed || !before.ProgrammeOptedIn {
			t.Fatalf("demo guest: want subscribed and in the programme, got %+v", before)
		}

		// The form marks every box it shows.
		markers := map[string]int{}
		for _, name := range consentFields {
			markers[`#profile-form input[type="hidden"][name="`+name+`"][value="false"]`] = 1
		}
		testapp.Scenario{Path: "/account/profile/edit", Count: markers}.Send(t, c)

		// A partial post: only the city.
		testapp.Want(t, c.Post("/account/profile", url.Values{"city": {"Savannah"}, "version": {version(t, app, guestLogin)}}), http.StatusSeeOther)
		after := app.User(t, guestLogin)
		if after.City != "Savannah" {
			t.Fatalf("city: got %q, want Savannah", after.City)
		}
		if after.MailingListSubscribed != before.MailingListSubscribed || after.ProgrammeOptedIn != before.ProgrammeOptedIn ||
			after.PrintedMailingListSubscribed != before.PrintedMailingListSubscribed || after.OptInSecondary != before.OptInSecondary {
			t.Errorf("opt-ins changed by a post that did not show them: before %+v after %+v", before, after)
		}
		if n := auditCounts(t, app, before.ID)[models.ActionConsentWithdrawn]; n != 0 {
			t.Errorf("consents withdrawn: got %d, want 0", n)
		}

		// The whole form with the mailing list unticked, as a browser sends it.
		testapp.Want(t, c.Post("/account/profile", profileWith(map[string]string{"mailing_list_subscribed": "false"})(t, app, c)), http.StatusSeeOther)
		after = app.User(t, guestLogin)
		if after.MailingListSubscribed || !after.ProgrammeOptedIn {
			t.Errorf("after unticking the mailing list: got subscribed %v, programme %v; want false, true", after.MailingListSubscribed, after.ProgrammeOptedIn)
		}
		evs := app.Audit(t, before.ID)
		if evs[0].Action != models.ActionConsentWithdrawn || len(evs[0].Changes) != 1 ||
			evs[0].Changes[0] != (models.Change{Field: "mailing_list_subscribed", Old: "true", New: "false"}) {
			t.Fatalf("latest audit event: got %+v, want the mailing list consent withdrawn", evs[0])
		}
		if evs[0].CreatedAt.IsZero() || evs[0].IP == "" || evs[0].ActorID == nil || *evs[0].ActorID != before.ID {
			t.Errorf("consent event: got time %v, IP %q, actor %v; want when, where and who", evs[0].CreatedAt, evs[0].IP, evs[0].ActorID)
		}

		// Ticking it again, even without the marker (a box sent ticked
		// was shown), gives it.
		testapp.Want(t, c.Post("/account/profile", profileWith(map[string]string{"mailing_list_subscribed": "true"})(t, app, c)), http.StatusSeeOther)
		if !app.User(t, guestLogin).MailingListSubscribed {
			t.Errorf("ticking the mailing list again: not subscribed")
		}
		if n := auditCounts(t, app, before.ID)[models.ActionConsentGiven]; n != 1 {
			t.Errorf("consents given: got %d, want 1", n)
		}
	})
}

// The admin's edit works the same way, for the opt-ins and the roles.
func TestAdminEditKeepsWhatItDoesNotShow(t *testing.T) {
	testapp.ForEach(t, func(t *testing.T, b testapp.Backend) {
		app := testapp.New(t, b)
		c := adminClient(t, app)
		guest := app.User(t, guestLogin)
		res := c.Post("/admin/users/"+guest.ID, url.Values{"job_title": {"Chef"}, "version": {version(t, app, guestLogin)}})
		testapp.Want(t, res, http.StatusSeeOther)
		after := app.User(t, guestLogin)
		if after.JobTitle != "Chef" || !after.MailingListSubscribed || !after.ProgrammeOptedIn || !after.HasRole(models.RoleCustomer) {
			t.Errorf("after a partial admin post: got job %q subscribed %v programme %v roles %v", after.JobTitle, after.MailingListSubscribed, after.ProgrammeOptedIn, after.Roles)
		}
		// The marker alone (every role unticked) is a choice, refused as such.
		testapp.Scenario{Method: http.MethodPost, Path: "/admin/users/" + guest.ID, Form: url.Values{"roles": {""}, "version": {version(t, app, guestLogin)}},
			Status: http.StatusUnprocessableEntity, Errors: map[string]string{"roles": "Select at least one role"}}.Send(t, c)
	})
}

// A settings post without a checkbox keeps the setting; unticking it
// (the hidden "false" alone) turns it off.
func TestSettingsKeepWhatTheFormDoesNotShow(t *testing.T) {
	testapp.ForEach(t, func(t *testing.T, b testapp.Backend) {
		app := testapp.New(t, b)
		c := adminClient(t, app)
		form := settingsForm(t, c)
		form.Del("unique_email")
		form.Del("required_first_name")
		form.Set("password_min_length", "7")
		testapp.Want(t, c.Post("/admin/settings", form), http.StatusSeeOther)
		m := app.Merchant(t, "sandpiper")
		if m.PasswordPolicy.MinLength != 7 || !m.UniqueEmail || !m.Requires("first_name") {
			t.Errorf("after a post without the boxes: got min length %d, unique email %v, first name required %v; want 7, true, true",
				m.PasswordPolicy.MinLength, m.UniqueEmail, m.Requires("first_name"))
		}
		saveSettings(t, c, map[string]string{"unique_email": "false"})
		if app.Merchant(t, "sandpiper").UniqueEmail {
			t.Errorf("unticked unique email: still on")
		}
	})
}
