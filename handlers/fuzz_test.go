package handlers_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"myaccount/internal/testapp"
)

// FuzzFormPosts sends arbitrary bodies to the form handlers, signed in as
// the guest and as the admin: whatever arrives, the answer is never a
// server error, and nothing stored carries a control character. `go test`
// runs the seeds; `go test -fuzz=FuzzFormPosts ./handlers/` explores.
func FuzzFormPosts(f *testing.F) {
	seeds := []string{
		"first_name=Maya", "first_name=%00", "mobile_phone=%2B1+415+555+0132&country=US", "birthday=1986-02-30",
		"language=%F0%9F%98%80", "city=a%0Ab", "gender=X&programme_opted_in=maybe", "version=abc&original=%%%",
		"version=999999999999999999999", "roles=MERCHANT_ADMIN&status=LOCKED", "login=demo.guest&password=x",
		"new_email=a%40b.c&confirm_email=a%40b.c&current_password=Guest%232026", "a=b&a=c&a=d", "%ZZ", "=&=&",
		"custom_favourite_drink=Latte", "original=" + strings.Repeat("A", 5000),
	}
	for _, s := range seeds {
		f.Add(s, uint8(0))
	}
	app := testapp.New(f, testapp.Backend{Name: "sqlite"})
	target := app.User(f, "demo.guest")
	routes := []struct{ who, path string }{
		{"guest", "/account/profile"}, {"guest", "/account/email"}, {"guest", "/account/password/check"},
		{"admin", "/admin/users/" + target.ID}, {"admin", "/admin/users"}, {"admin", "/admin/settings"}, {"", "/login"},
	}
	f.Fuzz(func(t *testing.T, body string, which uint8) {
		r := routes[int(which)%len(routes)]
		c := app.Client(t)
		switch r.who {
		case "guest":
			c.SignInGuest()
		case "admin":
			c.SignIn("demo.admin", "Admin#2026")
		}
		form, err := url.ParseQuery(body)
		if err != nil {
			form = url.Values{"raw": {body}}
		}
		res := c.Post(r.path, form)
		if res.StatusCode >= 500 {
			t.Fatalf("POST %s %q: got %d", r.path, body, res.StatusCode)
		}
		u := app.User(t, "demo.guest")
		for _, v := range []string{u.FirstName, u.LastName, u.City, u.AddressLine1, u.Email, u.Language} {
			for _, ch := range v {
				if ch < 0x20 || ch == 0x7f {
					t.Fatalf("stored a control character: %q", v)
				}
			}
		}
	})
}

// The same for query strings on the pages that read them.
func FuzzQueries(f *testing.F) {
	for _, s := range []string{"q=maya", "q=%25_%25", "sort=../../etc&dir=up", "after=!!!&before=e30", "status=X&role=%00", "from=2026-13-01&to=x", "actor=%F0", "next=//evil"} {
		f.Add(s)
	}
	app := testapp.New(f, testapp.Backend{Name: "sqlite"})
	f.Fuzz(func(t *testing.T, query string) {
		values, err := url.ParseQuery(query)
		if err != nil {
			return // not a query string a browser would send
		}
		admin := app.Client(t)
		admin.SignIn("demo.admin", "Admin#2026")
		for _, path := range []string{"/admin/users?", "/admin/audit?", "/login?"} {
			res := admin.Do(http.MethodGet, path+values.Encode(), nil, nil)
			if res.StatusCode >= 500 {
				t.Fatalf("GET %s%s: got %d", path, query, res.StatusCode)
			}
		}
	})
}
