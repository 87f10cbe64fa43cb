package handlers_test

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"

	"myaccount/internal/testapp"
	"myaccount/models"
	"myaccount/store"
)

// newKey makes an API key for the merchant code, as its first admin.
// revokedKey is a key of the demo merchant that its admin revoked.
func revokedKey(t *testing.T, app *testapp.App) string {
	t.Helper()
	key, row := newKey(t, app, "sandpiper", "Old till")
	if err := app.Deps.APIKeys.Revoke(context.Background(), app.User(t, "demo.admin"), app.Merchant(t, "sandpiper"), row.ID, store.Meta{}); err != nil {
		t.Fatal(err)
	}
	return key
}

func newKey(t *testing.T, app *testapp.App, code, name string) (string, *models.APIKey) {
	t.Helper()
	m := app.Merchant(t, code)
	var admin models.User
	if err := app.DB.Where("merchant_id = ? AND roles LIKE ?", m.ID, "%MERCHANT_ADMIN%").Order("username").Take(&admin).Error; err != nil {
		// A merchant without an admin gets one for the test.
		admin = *app.User(t, "demo.admin")
		admin.MerchantID = m.ID
	}
	key, row, err := app.Deps.APIKeys.Create(context.Background(), &admin, m, name, store.Meta{IP: "127.0.0.1"})
	if err != nil {
		t.Fatalf("create key: %v", err)
	}
	return key, row
}

func bearerHeader(key string) map[string][]string {
	return http.Header{"Authorization": {"Bearer " + key}}
}

// Who may call the integration routes: an active key of the user's
// merchant only. Everyone else gets the same shapes, and another
// merchant's user is not found, exactly like no user.
func TestAPIUsersDoors(t *testing.T) {
	testapp.ForEach(t, func(t *testing.T, b testapp.Backend) {
		app := testapp.New(t, b)
		guest := app.User(t, guestLogin)
		key, _ := newKey(t, app, "sandpiper", "Point of sale")
		harborKey, _ := newKey(t, app, "harbor", "Harbor till")
		revoked := revokedKey(t, app)
		c := app.Client(t)
		path := "/api/v1/users/" + guest.ID
		res, _ := apiCall{name: "no key", path: path, status: http.StatusUnauthorized, code: "unauthorized"}.send(t, c)
		if !strings.HasPrefix(res.Header.Get("WWW-Authenticate"), "Bearer") {
			t.Errorf("401 without WWW-Authenticate: Bearer")
		}
		for name, k := range map[string]string{"made-up key": "mak_nothing", "revoked key": revoked, "not a bearer": ""} {
			h := bearerHeader(k)
			if k == "" {
				h = http.Header{"Authorization": {"Basic " + key}}
			}
			apiCall{name: name, path: path, header: h, status: http.StatusUnauthorized, code: "unauthorized"}.send(t, c)
		}
		apiCall{name: "another merchant's key", path: path, header: bearerHeader(harborKey), status: http.StatusNotFound, code: "not_found"}.send(t, c)
		apiCall{name: "another merchant's key, lookup", path: "/api/v1/users?username=demo.guest", header: bearerHeader(harborKey),
			status: http.StatusNotFound, code: "not_found"}.send(t, c)
		apiCall{name: "no such id", path: "/api/v1/users/" + store.NewID(), header: bearerHeader(key), status: http.StatusNotFound, code: "not_found"}.send(t, c)
		apiCall{name: "not an id", path: "/api/v1/users/nope", header: bearerHeader(key), status: http.StatusNotFound, code: "not_found"}.send(t, c)
		c.SignInGuest()
		apiCall{name: "a guest's session", path: path, status: http.StatusForbidden, code: "forbidden"}.send(t, c)
		apiCall{name: "a guest's session, create", method: http.MethodPost, path: "/api/v1/users", ctype: "json",
			body: map[string]any{"username": "made.by.guest", "password": "Sandbar#Kite-4821"}, status: http.StatusForbidden, code: "forbidden"}.send(t, c)
		anon := app.Client(t)
		res, _ = apiCall{name: "the key", path: path, header: bearerHeader(key), status: http.StatusOK,
			user: userHas(map[string]any{"id": guest.ID, "username": guestLogin})}.send(t, anon)
		for _, secret := range []string{key, guest.PasswordHash, "password", "session"} {
			if strings.Contains(string(res.Body), secret) {
				t.Errorf("the answer holds %q", secret)
			}
		}
		var n int64
		app.DB.Model(&models.User{}).Where("username = ?", "made.by.guest").Count(&n)
		if n != 0 {
			t.Errorf("a guest created a user")
		}
	})
}

// GET /api/v1/users?… finds exactly one user by one identifier.
func TestAPIUserLookup(t *testing.T) {
	testapp.ForEach(t, func(t *testing.T, b testapp.Backend) {
		app := testapp.New(t, b)
		guest := app.User(t, guestLogin)
		key, _ := newKey(t, app, "sandpiper", "CRM")
		c := app.Client(t)
		for _, q := range []string{
			"username=DEMO.GUEST", "email=Demo.Guest@Example.com", "member_number=" + guest.MemberNumber, "card_number=" + guest.CardNumber,
			"external_id=" + guest.ExternalID, "referral_code=" + guest.ReferralCode,
		} {
			apiCall{name: q, path: "/api/v1/users?" + q, header: bearerHeader(key), status: http.StatusOK, user: userHas(map[string]any{"id": guest.ID})}.send(t, c)
		}
		for name, q := range map[string]string{"none": "", "two": "username=demo.guest&email=demo.guest@example.com", "another": "city=Johns+Creek"} {
			apiCall{name: name, off: name == "another", path: "/api/v1/users?" + q, header: bearerHeader(key), status: http.StatusBadRequest, code: "bad_request"}.send(t, c)
		}
		apiCall{name: "no match", path: "/api/v1/users?member_number=0", header: bearerHeader(key), status: http.StatusNotFound, code: "not_found"}.send(t, c)
		// An email two accounts share names neither.
		twin := *app.User(t, "demo.admin")
		app.DB.Model(&models.User{}).Where("id = ?", twin.ID).Update("email", guest.Email)
		apiCall{name: "shared email", path: "/api/v1/users?email=" + guest.Email, header: bearerHeader(key), status: http.StatusNotFound}.send(t, c)
	})
}

// PATCH /api/v1/users/{id}: an integration edits the guest's and the
// admin's fields, in JSON, urlencoded and multipart bodies, audited with
// the key as actor; never roles, the username or anything security-related.
func TestAPIUserPatch(t *testing.T) {
	testapp.ForEach(t, func(t *testing.T, b testapp.Backend) {
		app := testapp.New(t, b)
		guest := app.User(t, guestLogin)
		key, row := newKey(t, app, "sandpiper", "Point of sale")
		c := app.Client(t)
		path := "/api/v1/users/" + guest.ID
		h := bearerHeader(key)
		for i, ctype := range []string{"json", "form", "multipart"} {
			city := "Savannah " + ctype
			var body any = map[string]any{"city": city, "job_title": "Chef", "custom_fields": map[string]any{}}
			if ctype != "json" {
				body = form("city", city, "job_title", "Chef")
			}
			apiCall{name: ctype, method: http.MethodPatch, path: path, ctype: ctype, body: body, header: h, status: http.StatusOK,
				user: userHas(map[string]any{"city": city, "job_title": "Chef", "version": float64(guest.Version + 1 + i)})}.send(t, c)
		}
		evs := app.Audit(t, guest.ID)
		if evs[0].Action != models.ActionProfileUpdated || evs[0].ActorKeyID == nil || *evs[0].ActorKeyID != row.ID || evs[0].ActorID != nil {
			t.Errorf("audit: got %+v, want a profile update by the key", evs[0])
		}
		entries, err := app.Deps.Audit.ForSubject(context.Background(), guest.MerchantID, guest.ID, 1)
		if err != nil || len(entries) != 1 || entries[0].ActorName != "API key “Point of sale”" {
			t.Errorf("audit entry: got %+v %v, want the key named as actor", entries, err)
		}

		other := someGuestOf(t, app, "sandpiper")
		app.DB.Model(&models.User{}).Where("id = ?", other.ID).Update("external_id", "pos-taken")
		v := app.User(t, guestLogin).Version
		for _, tc := range []apiCall{
			{name: "admin fields", body: map[string]any{"email": "maya@example.org", "status": "INACTIVE", "member_number": "9900001"}, status: http.StatusOK,
				user: userHas(map[string]any{"email": "maya@example.org", "status": "INACTIVE", "member_number": "9900001"})},
			{name: "what no integration sets", off: true, body: map[string]any{"roles": []any{"MERCHANT_ADMIN"}, "username": "x", "points_balance": 5, "password": "x", "id": "y"},
				status: http.StatusUnprocessableEntity, code: "validation_failed", fields: map[string]string{"roles": "cannot be changed here",
					"username": "cannot be changed here", "points_balance": "cannot be changed here", "password": "cannot be changed here", "id": "cannot be changed here"}},
			{name: "unique on request", body: map[string]any{"external_id": "pos-taken", "enforce_unique_fields": []any{"external_id"}},
				status: http.StatusUnprocessableEntity, fields: map[string]string{"external_id": "Another account already has this external id"}},
			{name: "the merchant's own unique rules", body: map[string]any{"email": other.Email}, status: http.StatusUnprocessableEntity,
				fields: map[string]string{"email": "Another account already uses this email address"}},
			{name: "stale version", body: map[string]any{"city": "X", "version": v}, status: http.StatusConflict, code: "conflict"},
			{name: "stale If-Match", body: map[string]any{"city": "X"}, header: http.Header{"If-Match": {`"` + strconv.Itoa(v) + `"`}},
				status: http.StatusPreconditionFailed, code: "precondition_failed"},
		} {
			tc.method, tc.path, tc.ctype = http.MethodPatch, path, "json"
			if tc.header == nil {
				tc.header = http.Header{}
			}
			tc.header["Authorization"] = h["Authorization"]
			tc.send(t, c)
		}
		after := app.User(t, guestLogin)
		if after.IsAdmin() || after.Username != guestLogin || after.ExternalID == "pos-taken" || after.PointsBalance != guest.PointsBalance {
			t.Errorf("refused fields were applied: %+v", after)
		}
		// Without the enforce list, an external id may be shared.
		apiCall{name: "external id without the rule", method: http.MethodPatch, path: path, ctype: "json", body: map[string]any{"external_id": "pos-taken"},
			header: h, status: http.StatusOK}.send(t, c)
	})
}

// someGuestOf is an active guest of merchant code other than the demo ones.
func someGuestOf(t *testing.T, app *testapp.App, code string) *models.User {
	t.Helper()
	var u models.User
	if err := app.DB.Where("status = ? AND username LIKE ? AND email <> ''", models.StatusActive, code+".%").Order("username").Take(&u).Error; err != nil {
		t.Fatal(err)
	}
	return &u
}

// POST /api/v1/users creates a customer, with generated numbers on
// request; an Idempotency-Key makes a retry answer the first answer.
func TestAPIUserCreate(t *testing.T) {
	testapp.ForEach(t, func(t *testing.T, b testapp.Backend) {
		app := testapp.New(t, b)
		key, row := newKey(t, app, "sandpiper", "Website")
		c := app.Client(t)
		h := bearerHeader(key)
		body := map[string]any{"username": "new.member", "password": "Sandbar#Kite-4821", "email": "new.member@example.com",
			"first_name": "Ana", "last_name": "Silva", "card_number_generate": 16}
		res, out := apiCall{name: "create", method: http.MethodPost, path: "/api/v1/users", ctype: "json", body: body,
			header: http.Header{"Authorization": h["Authorization"], "Idempotency-Key": {"order-1"}}, status: http.StatusCreated,
			user: userHas(map[string]any{"username": "new.member", "status": "ACTIVE", "first_name": "Ana"})}.send(t, c)
		u := out["user"].(map[string]any)
		if roles, _ := u["roles"].([]any); len(roles) != 1 || roles[0] != models.RoleCustomer {
			t.Errorf("roles: got %v, want a customer only", u["roles"])
		}
		if res.Header.Get("Location") != "/api/v1/users/"+u["id"].(string) || len(u["card_number"].(string)) != 16 {
			t.Errorf("created: Location %q, card %v", res.Header.Get("Location"), u["card_number"])
		}
		created := app.User(t, "new.member")
		if !created.MustChangePassword || !created.HasRole(models.RoleCustomer) || created.IsAdmin() || created.CreatedBy != nil {
			t.Errorf("created user: %+v", created)
		}
		evs := app.Audit(t, created.ID)
		if len(evs) != 1 || evs[0].Action != models.ActionCreated || evs[0].ActorKeyID == nil || *evs[0].ActorKeyID != row.ID {
			t.Errorf("audit: got %+v, want the creation by the key", evs)
		}
		// The same key and body: the first answer again, no second user.
		again, _ := apiCall{name: "retry", method: http.MethodPost, path: "/api/v1/users", ctype: "json", body: body,
			header: http.Header{"Authorization": h["Authorization"], "Idempotency-Key": {"order-1"}}, status: http.StatusCreated}.send(t, c)
		if string(again.Body) != string(res.Body) || again.Header.Get("Idempotent-Replayed") != "true" {
			t.Errorf("retry: got %s (replayed %q), want the first answer", again.Body, again.Header.Get("Idempotent-Replayed"))
		}
		body["first_name"] = "Other"
		apiCall{name: "the key, another body", method: http.MethodPost, path: "/api/v1/users", ctype: "json", body: body,
			header: http.Header{"Authorization": h["Authorization"], "Idempotency-Key": {"order-1"}}, status: http.StatusConflict, code: "idempotency_key_reused"}.send(t, c)
		var n int64
		app.DB.Model(&models.User{}).Where("lower(username) = ?", "new.member").Count(&n)
		if n != 1 {
			t.Errorf("users named new.member: got %d, want 1", n)
		}

		for _, tc := range []apiCall{
			{name: "nothing", off: true, body: map[string]any{}, fields: map[string]string{"username": "Enter a username", "password": "Enter an initial password",
				"first_name": "Enter your first name", "last_name": "Enter your last name"}},
			{name: "roles and unknown names", off: true, body: map[string]any{"username": "x.member", "password": "Sandbar#Kite-4821", "first_name": "A", "last_name": "B",
				"roles": []any{"MERCHANT_ADMIN"}, "shoe": "42"}, fields: map[string]string{"roles": "cannot be set here", "shoe": "Unknown field"}},
			{name: "taken username", body: map[string]any{"username": "DEMO.GUEST", "password": "Sandbar#Kite-4821", "first_name": "A", "last_name": "B"},
				fields: map[string]string{"username": "This username is taken"}},
			{name: "a form body", ctype: "form", body: form("username", "f.member", "password", "weak", "first_name", "A", "last_name", "B"),
				fields: map[string]string{"password": "Initial password"}},
		} {
			tc.method, tc.path, tc.header, tc.status, tc.code = http.MethodPost, "/api/v1/users", h, http.StatusUnprocessableEntity, "validation_failed"
			if tc.ctype == "" {
				tc.ctype = "json"
			}
			tc.send(t, c)
		}
	})
}

// Two integrations claiming the same email at the same moment: exactly
// one wins, the other gets a field error, on both databases.
func TestAPIUniqueUnderConcurrency(t *testing.T) {
	testapp.ForEach(t, func(t *testing.T, b testapp.Backend) {
		app := testapp.New(t, b)
		key, _ := newKey(t, app, "sandpiper", "CRM")
		a, b2 := someGuestOf(t, app, "sandpiper"), app.User(t, guestLogin)
		for round := range 10 {
			email := "claimed" + strconv.Itoa(round) + "@example.com"
			var wg sync.WaitGroup
			statuses := make([]int, 2)
			for i, u := range []*models.User{a, b2} {
				wg.Add(1)
				go func() {
					defer wg.Done()
					res := app.API(t).WithKey(key).Patch("/api/v1/users/"+u.ID, map[string]any{"email": email}, testapp.JSON, nil)
					statuses[i] = res.StatusCode
				}()
			}
			wg.Wait()
			ok, refused := 0, 0
			for _, s := range statuses {
				switch s {
				case http.StatusOK:
					ok++
				case http.StatusUnprocessableEntity:
					refused++
				}
			}
			var n int64
			app.DB.Model(&models.User{}).Where("lower(email) = ?", email).Count(&n)
			if ok != 1 || refused != 1 || n != 1 {
				t.Fatalf("round %d: got statuses %v and %d users with the email, want one 200, one 422 and 1", round, statuses, n)
			}
		}
	})
}

// The rate limit is per key.
func TestAPIRatePerKey(t *testing.T) {
	app := testapp.New(t, testapp.Backend{Name: "sqlite"}, "--api-rate-key", "2")
	guest := app.User(t, guestLogin)
	key, _ := newKey(t, app, "sandpiper", "One")
	other, _ := newKey(t, app, "sandpiper", "Two")
	c := app.Client(t)
	for range 2 {
		apiCall{name: "within", path: "/api/v1/users/" + guest.ID, header: bearerHeader(key), status: http.StatusOK}.send(t, c)
	}
	res, _ := apiCall{name: "over", path: "/api/v1/users/" + guest.ID, header: bearerHeader(key), status: http.StatusTooManyRequests, code: "rate_limited"}.send(t, c)
	if res.Header.Get("Retry-After") == "" {
		t.Errorf("429 without Retry-After")
	}
	apiCall{name: "another key", path: "/api/v1/users/" + guest.ID, header: bearerHeader(other), status: http.StatusOK}.send(t, c)
}
