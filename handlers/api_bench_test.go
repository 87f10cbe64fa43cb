package handlers_test

import (
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"myaccount/internal/testapp"
)

// The JSON API's two hot calls, through the real server over loopback:
// GET /api/v1/users/{id} and a PATCH that changes one field. On
// PostgreSQL when TEST_DATABASE_URL is set, else SQLite:
//
//	TEST_DATABASE_URL=… go test ./handlers -run '^$' -bench BenchmarkAPI -benchtime 2000x
//
// Each reports its latency percentiles besides ns/op; docs/PERFORMANCE.md
// has the figures.
func BenchmarkAPIUserGet(b *testing.B) {
	benchAPI(b, func(i int) (string, string) { return http.MethodGet, "" })
}

func BenchmarkAPIUserPatch(b *testing.B) {
	benchAPI(b, func(i int) (string, string) {
		return http.MethodPatch, fmt.Sprintf(`{"city":"Savannah %d"}`, i)
	})
}

func benchAPI(b *testing.B, call func(i int) (method, body string)) {
	app := testapp.New(b, benchBackend(), "--bcrypt-cost", "4")
	guest := app.User(b, "demo.guest")
	url := app.URL + "/api/v1/users/" + guest.ID
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 4}}
	latencies := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := range b.N {
		method, body := call(i)
		req, _ := http.NewRequest(method, url, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+app.DemoAPIKey)
		if body != "" {
			req.Header.Set("Content-Type", "application/json")
		}
		start := time.Now()
		res, err := client.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, res.Body)
		res.Body.Close()
		latencies = append(latencies, time.Since(start))
		if res.StatusCode != http.StatusOK {
			b.Fatalf("%s: got %d", method, res.StatusCode)
		}
	}
	b.StopTimer()
	slices.Sort(latencies)
	at := func(q float64) float64 {
		return float64(latencies[min(len(latencies)-1, int(q*float64(len(latencies))))].Microseconds()) / 1000
	}
	b.ReportMetric(at(0.50), "p50-ms")
	b.ReportMetric(at(0.95), "p95-ms")
	b.ReportMetric(at(0.99), "p99-ms")
}
