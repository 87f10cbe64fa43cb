package handlers_test

import (
	"net/http"
	"net/url"
	"os"
	"sync"
	"testing"

	"myaccount/internal/testapp"
	"myaccount/models"
)

// twoInstances starts two instances of the app on one fresh PostgreSQL
// database at the same moment, as a deployment rolling out does: they
// migrate one after the other, and seed the demo data once.
func twoInstances(t *testing.T, extra ...string) (a, b *testapp.App) {
	t.Helper()
	base := os.Getenv("TEST_DATABASE_URL")
	if base == "" {
		t.Skip("TEST_DATABASE_URL is not set: several instances need a shared PostgreSQL database")
	}
	dbURL := testapp.FreshSchema(t, base)
	apps := make([]*testapp.App, 2)
	var wg sync.WaitGroup
	for i := range apps {
		wg.Go(func() { apps[i] = testapp.Start(t, dbURL, extra...) })
	}
	wg.Wait()
	if apps[0] == nil || apps[1] == nil {
		t.FailNow()
	}
	return apps[0], apps[1]
}

// Two instances behind a load balancer are one application: a session
// made on one works on the other, and signing out, ending a session, a
// lock and wrong passwords made on one hold on the other at once.
func TestSeveralInstancesShareState(t *testing.T) {
	a, b := twoInstances(t)
	var merchants int64
	a.DB.Model(&models.Merchant{}).Where("code = ?", "sandpiper").Count(&merchants)
	if merchants != 1 {
		t.Fatalf("demo merchants after two starts: %d, want 1", merchants)
	}

	// Signed in on A, the same browser is signed in on B.
	onA := a.Client(t)
	onA.SignInGuest()
	onB := onA.On(b)
	testapp.Want(t, onB.Get("/account"), http.StatusOK)
	// Signed out on B, it is signed out on A.
	testapp.Want(t, onB.Post("/logout", url.Values{}), http.StatusSeeOther)
	testapp.Want(t, onA.Get("/account"), http.StatusSeeOther)

	// A session ended from another device on A ends on B.
	phone, laptop := a.Client(t), a.Client(t)
	phone.SignInGuest()
	laptop.SignInGuest()
	testapp.Want(t, laptop.Post("/account/sessions/revoke-others", url.Values{}), http.StatusSeeOther)
	testapp.Want(t, phone.On(b).Get("/account"), http.StatusSeeOther)

	// A lock made on A refuses the sign-in on B.
	guest := a.User(t, guestLogin)
	admin := a.ClientAs(t, "admin")
	testapp.Want(t, admin.Post("/admin/users/"+guest.ID+"/lock", url.Values{}), http.StatusSeeOther)
	res := b.Client(t).Post("/login", url.Values{"login": {guestLogin}, "password": {guestPassword}})
	testapp.Want(t, res, http.StatusUnprocessableEntity)
	testapp.Want(t, admin.On(b).Post("/admin/users/"+guest.ID+"/unlock", url.Values{}), http.StatusSeeOther)

	// Wrong passwords count once, wherever they were typed: 3 on A and
	// 2 on B spend the budget of 5, and the right one is refused on A.
	for i := range 5 {
		app := []*testapp.App{a, b}[i%2]
		app.Client(t).Post("/login", url.Values{"login": {guestLogin}, "password": {"Wrong#Guess2026"}})
	}
	if got := a.User(t, guestLogin); got.LockedUntil == nil {
		t.Errorf("5 wrong passwords over two instances did not pause sign-in: failed count %d", got.FailedLoginCount)
	}
	testapp.Want(t, a.Client(t).Post("/login", url.Values{"login": {guestLogin}, "password": {guestPassword}}), http.StatusUnprocessableEntity)
}

// Rate limits are kept in the database: attempts spread over two
// instances count against one limit.
func TestSeveralInstancesShareRateLimits(t *testing.T) {
	a, b := twoInstances(t, "--signin-rate-ip", "4", "--api-rate-key", "3")
	for i := range 4 {
		app := []*testapp.App{a, b}[i%2]
		testapp.Want(t, app.Client(t).Post("/login", url.Values{"login": {"nobody"}, "password": {"Wrong#Guess2026"}}), http.StatusUnprocessableEntity)
	}
	res := b.Client(t).Post("/login", url.Values{"login": {"nobody"}, "password": {"Wrong#Guess2026"}})
	testapp.Want(t, res, http.StatusTooManyRequests)
	if res.Header.Get("Retry-After") == "" {
		t.Error("no Retry-After on the refusal")
	}

	// The demo key is told by the instance that seeded the demo data.
	guest, key := a.User(t, guestLogin), a.DemoAPIKey+b.DemoAPIKey
	for i := range 3 {
		app := []*testapp.App{a, b}[i%2]
		app.API(t).WithKey(key).Get("/api/v1/users/"+guest.ID, nil).Want(http.StatusOK)
	}
	b.API(t).WithKey(key).Get("/api/v1/users/"+guest.ID, nil).Want(http.StatusTooManyRequests)
}
