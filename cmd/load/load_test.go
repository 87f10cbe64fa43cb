package main

import (
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	vegeta "github.com/tsenart/vegeta/v12/lib"
)

func parse(t *testing.T, html string) *goquery.Document {
	t.Helper()
	doc, err := goquery.NewDocumentFromReader(strings.NewReader(html))
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

func TestProfileFormIsWhatABrowserSubmits(t *testing.T) {
	doc := parse(t, `<div id="profile-form"><form>
		<input type="hidden" name="_csrf" value="tok">
		<input type="hidden" name="version" value="7">
		<input type="hidden" name="original" value="{&#34;city&#34;:&#34;Austin&#34;}">
		<input name="city" value="Austin">
		<input type="hidden" name="mailing_list_subscribed_shown" value="1">
		<input type="checkbox" name="mailing_list_subscribed" value="true" checked>
		<input type="checkbox" name="programme_opted_in" value="true">
		<select name="country"><option value="GB">UK</option><option value="US" selected>US</option></select>
		<button name="">Save</button>
	</form></div><form><input name="_csrf" value="other"></form>`)
	form, csrf, err := profileForm(doc)
	if err != nil {
		t.Fatal(err)
	}
	if csrf != "tok" {
		t.Errorf("csrf: got %q, want tok", csrf)
	}
	want := map[string]string{"version": "7", "original": `{"city":"Austin"}`, "city": "Austin", "mailing_list_subscribed_shown": "1",
		"mailing_list_subscribed": "true", "country": "US"}
	for k, v := range want {
		if got := form.Get(k); got != v {
			t.Errorf("%s: got %q, want %q", k, got, v)
		}
	}
	if form.Has("programme_opted_in") || form.Has("_csrf") {
		t.Errorf("got %v, want neither the unchecked box nor the token", form)
	}

	if _, _, err := profileForm(parse(t, `<div id="profile-form"><form><input name="city"></form></div>`)); err == nil {
		t.Error("a form without version or token: got no error")
	}
}

func TestCSRFToken(t *testing.T) {
	got, err := csrfToken(parse(t, `<form method="post"><input type="hidden" name="_csrf" value="abc"><input name="login"></form>`))
	if err != nil || got != "abc" {
		t.Errorf("got %q, %v, want abc", got, err)
	}
	if _, err := csrfToken(parse(t, `<form><input name="login"></form>`)); err == nil {
		t.Error("a page without a token: got no error")
	}
}

func TestTallySumsUp(t *testing.T) {
	tl := newTally()
	start := time.Date(2026, 12, 2, 12, 0, 0, 0, time.UTC)
	for i := range 100 {
		code := uint16(200)
		switch {
		case i < 3:
			code = 409
		case i == 3:
			code = 0
		case i < 10:
			code = 303
		}
		tl.add(&vegeta.Result{Code: code, Error: map[bool]string{true: "connection refused"}[code == 0],
			Timestamp: start.Add(time.Duration(i) * 10 * time.Millisecond), Latency: time.Duration(i+1) * time.Millisecond})
	}
	r := tl.result("GET /account", 32)
	// 100 requests from 12:00:00.000 to the end of the last, at .990 + 100 ms.
	if r.Requests != 100 || r.Elapsed != 1090*time.Millisecond {
		t.Errorf("got %d requests over %s, want 100 over 1.09s", r.Requests, r.Elapsed)
	}
	if want := 96 / 1.09; r.Throughput < want-0.01 || r.Throughput > want+0.01 {
		t.Errorf("throughput: got %.2f, want %.2f", r.Throughput, want)
	}
	if r.P50 != 50*time.Millisecond || r.P95 != 95*time.Millisecond || r.P99 != 99*time.Millisecond {
		t.Errorf("got p50 %s p95 %s p99 %s, want 50, 95, 99 ms", r.P50, r.P95, r.P99)
	}
	if got, want := r.errorText(), "4 (409 ×3, no answer ×1)"; got != want {
		t.Errorf("errors: got %q, want %q", got, want)
	}
	if r.Failures["connection refused"] != 1 {
		t.Errorf("failures: got %v", r.Failures)
	}

	m := mergeTallies(tl, tl).result("all rounds", 32)
	if m.Requests != 200 || m.Elapsed != 2180*time.Millisecond || m.Errors != 8 {
		t.Errorf("merged: got %d requests over %s with %d errors, want 200 over 2.18s with 8", m.Requests, m.Elapsed, m.Errors)
	}
}

func TestTallyParts(t *testing.T) {
	tl := newTally()
	start := time.Date(2026, 12, 2, 12, 0, 0, 0, time.UTC)
	for i, term := range []string{"xu", "thomp", "xu", "thomp", "xu"} {
		r := &vegeta.Result{Code: 200, Timestamp: start, Latency: time.Duration(10*i+1) * time.Millisecond}
		if term == "xu" {
			r.Latency *= 100
		}
		tl.add(r)
		tl.part(term).add(r)
	}
	r := tl.result("admin search", 32)
	if len(r.Parts) != 2 || r.Parts[0].Name != "xu" || r.Parts[0].Requests != 3 || r.Parts[1].Requests != 2 {
		t.Fatalf("got parts %+v, want xu (3 requests) then thomp (2)", r.Parts)
	}
	if got, want := r.Parts[1].partRow(), "| thomp | 2 | 11.0 ms | 31.0 ms | 31.0 ms | 0 |\n"; got != want {
		t.Errorf("part row: got %q, want %q", got, want)
	}
}

func TestPercentile(t *testing.T) {
	for _, c := range []struct {
		n    int
		q    float64
		want time.Duration
	}{{0, 0.5, 0}, {1, 0.99, 1}, {2, 0.5, 1}, {3, 0.5, 2}, {10, 0.95, 10}, {1000, 0.99, 990}} {
		sorted := make([]time.Duration, c.n)
		for i := range sorted {
			sorted[i] = time.Duration(i + 1)
		}
		if got := percentile(sorted, c.q); got != c.want {
			t.Errorf("p%.0f of 1..%d: got %d, want %d", c.q*100, c.n, got, c.want)
		}
	}
}

func TestFormatting(t *testing.T) {
	for got, want := range map[string]string{
		thousands(0): "0", thousands(999.4): "999", thousands(1234.5): "1,235", thousands(1234567): "1,234,567", thousands(-1500): "-1,500",
		ms(420 * time.Microsecond): "0.42 ms", ms(3140 * time.Microsecond): "3.1 ms", ms(1234 * time.Millisecond): "1,234 ms",
		mb(0): "–", mb(71 * 1024): "71 MB",
		strings.Join(quoteArgs([]string{"--users", "1000", "--docs", "my docs.md", "it's"}), " "): `--users 1000 --docs 'my docs.md' 'it'\''s'`,
	} {
		if got != want {
			t.Errorf("got %q, want %q", got, want)
		}
	}
	r := result{Name: "sign-in", Connections: 8, Requests: 1234, Throughput: 12.3, P50: 2 * time.Millisecond, P95: 30 * time.Millisecond,
		P99: 150 * time.Millisecond, Codes: map[int]int{303: 1234}, PeakRSS: 80 * 1024, CPUs: 1.914}
	if got, want := r.row(), "| sign-in | 8 | 1,234 | 12 | 2.0 ms | 30.0 ms | 150 ms | 0 | 80 MB | 1.91 |\n"; got != want {
		t.Errorf("row: got %q, want %q", got, want)
	}
}

func TestReplaceSection(t *testing.T) {
	doc := "# Performance\n\nAdmin search figures.\n"
	once := replaceSection(doc, 1000, "## 1,000 users\nfirst\n")
	if want := doc + "\n" + sectionBegin(1000) + "\n## 1,000 users\nfirst\n" + sectionEnd(1000) + "\n"; once != want {
		t.Fatalf("new section: got %q, want %q", once, want)
	}
	again := replaceSection(once, 1000, "## 1,000 users\nsecond")
	if strings.Contains(again, "first") || strings.Count(again, sectionBegin(1000)) != 1 || !strings.HasPrefix(again, doc) {
		t.Errorf("rerun: got %q, want the section replaced and the rest kept", again)
	}
	big := replaceSection(again+"\n# Later part\n", 1000000, "## 1,000,000 users")
	if i, j, k := strings.Index(big, sectionEnd(1000)), strings.Index(big, sectionBegin(1000000)), strings.Index(big, "# Later part"); i < 0 || j < i || k < j {
		t.Errorf("a second size: got %q, want it after the first size's section and before what follows", big)
	}
	if !strings.Contains(big, "second") {
		t.Errorf("a second size replaced the first: %q", big)
	}
}

func TestSectionAccount(t *testing.T) {
	doc := replaceSection("", 1000, "figures\n"+accountMark(accountFigures{4321.56, 0.4567}))
	doc = replaceSection(doc, 1000000, "figures\n"+accountMark(accountFigures{3000, 0.31}))
	if got, ok := sectionAccount(doc, 1000); !ok || got != (accountFigures{4321.6, 0.457}) {
		t.Errorf("1,000 users: got %v, %t, want 4321.6 and 0.457", got, ok)
	}
	if got, ok := sectionAccount(doc, 1000000); !ok || got != (accountFigures{3000, 0.31}) {
		t.Errorf("1,000,000 users: got %v, %t, want 3000 and 0.31", got, ok)
	}
	if _, ok := sectionAccount(doc, 5000); ok {
		t.Error("a size with no section: got a figure")
	}
}

func TestProcessFigures(t *testing.T) {
	if _, err := os.Stat("/proc/self/stat"); err != nil {
		t.Skip("no /proc")
	}
	// The kernel counts CPU time in ticks: spin until one is counted (on
	// a busy machine 50 ms of the clock may hold no tick of ours).
	var cpu time.Duration
	var err error
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); {
		if cpu, err = cpuTime(os.Getpid()); err != nil || cpu > 0 {
			break
		}
	}
	if err != nil || cpu <= 0 {
		t.Errorf("CPU time of this test: got %s, %v, want more than 0", cpu, err)
	}
	if kb, err := procField(fmt.Sprintf("/proc/%d/status", os.Getpid()), "VmRSS"); err != nil || kb <= 0 {
		t.Errorf("VmRSS of this test: got %d kB, %v", kb, err)
	}
	if _, err := procField("/proc/self/status", "NoSuchField"); err == nil {
		t.Error("a missing field: got no error")
	}
}

func TestFileName(t *testing.T) {
	for name, want := range map[string]string{
		"round 1: GET /account":        "round-1-get-account",
		"PATCH /api/v1/users/{id}":     "patch-api-v1-users-id",
		"sign-ins beside GET /account": "sign-ins-beside-get-account",
		"admin search, 4 at a time":    "admin-search-4-at-a-time",
		"  Über…":                      "ber",
	} {
		if got := fileName(name); got != want {
			t.Errorf("fileName(%q) = %q, want %q", name, got, want)
		}
	}
}
