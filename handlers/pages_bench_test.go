package handlers_test

import (
	"io"
	"net/http"
	"os"
	"strconv"
	"testing"

	"myaccount/internal/testapp"
)

// The page hot paths, through the real server over loopback, from as
// many goroutines as GOMAXPROCS, signed in as the demo guest. On
// PostgreSQL when TEST_DATABASE_URL is set, else SQLite:
//
//	TEST_DATABASE_URL=… go test ./handlers -run '^$' -bench 'Benchmark(SessionLoad|AccountPage)' -benchtime 5s
//
// BenchmarkSessionLoad is GET /, which loads the session, its user and
// merchant and redirects; BenchmarkAccountPage is GET /account, that and
// the page's render. docs/PERFORMANCE.md has the figures.
func BenchmarkSessionLoad(b *testing.B) { benchPage(b, "/", http.StatusSeeOther) }

func BenchmarkAccountPage(b *testing.B) { benchPage(b, "/account", http.StatusOK) }

func benchPage(b *testing.B, path string, want int) {
	app := testapp.New(b, benchBackend())
	c := app.Client(b)
	c.SignInGuest()
	cookies := c.Cookies()
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			req, _ := http.NewRequest(http.MethodGet, app.URL+path, nil)
			for _, ck := range cookies {
				req.AddCookie(ck)
			}
			res, err := client.Do(req)
			if err != nil {
				b.Error(err)
				return
			}
			_, _ = io.Copy(io.Discard, res.Body)
			res.Body.Close()
			if res.StatusCode != want {
				b.Errorf("GET %s: got %d, want %d", path, res.StatusCode, want)
				return
			}
		}
	})
}

// BenchmarkProfileSave is POST /account/profile with a real change (the
// city, back and forth), one save after the other as one guest makes
// them, through the real server.
//
//	TEST_DATABASE_URL=… go test ./handlers -run '^$' -bench BenchmarkProfileSave -benchtime 2000x
func BenchmarkProfileSave(b *testing.B) {
	app := testapp.New(b, benchBackend())
	c := app.Client(b)
	c.SignInGuest()
	form := profileFormOf(b, c)
	version, _ := strconv.Atoi(form.Get("version"))
	cities := []string{"Savannah", "Athens"}
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		form.Set("city", cities[i%2])
		form.Set("version", strconv.Itoa(version+i))
		if res := c.Post("/account/profile", form); res.StatusCode != http.StatusSeeOther {
			b.Fatalf("save %d: got %d\n%s", i, res.StatusCode, res.Body)
		}
	}
}

// benchBackend is PostgreSQL when TEST_DATABASE_URL is set, else SQLite.
func benchBackend() testapp.Backend {
	if u := os.Getenv("TEST_DATABASE_URL"); u != "" {
		return testapp.Backend{Name: "postgres", URL: u}
	}
	return testapp.Backend{Name: "sqlite"}
}
