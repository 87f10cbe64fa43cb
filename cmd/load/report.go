package main

import (
	"cmp"
	"fmt"
	"maps"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"
)

// tally collects the answers of one load.
type tally struct {
	latencies []time.Duration
	codes     map[int]int    // by status; 0 is a request with no answer
	failures  map[string]int // why requests had no answer
	first     time.Time
	end       time.Time
	elapsed   time.Duration // of merged tallies, their sum
	parts     map[string]*tally
}

func newTally() *tally { return &tally{codes: map[int]int{}, failures: map[string]int{}} }

// part is the tally of the part name of the load.
func (t *tally) part(name string) *tally {
	if t.parts == nil {
		t.parts = map[string]*tally{}
	}
	p, ok := t.parts[name]
	if !ok {
		p = newTally()
		t.parts[name] = p
	}
	return p
}

func (t *tally) add(r *vegeta.Result) {
	t.latencies = append(t.latencies, r.Latency)
	t.codes[int(r.Code)]++
	if r.Code == 0 {
		t.failures[r.Error]++
	}
	if t.first.IsZero() || r.Timestamp.Before(t.first) {
		t.first = r.Timestamp
	}
	if e := r.End(); e.After(t.end) {
		t.end = e
	}
}

// span is how long the load ran: from its first request to its last answer.
func (t *tally) span() time.Duration {
	if t.elapsed > 0 {
		return t.elapsed
	}
	return t.end.Sub(t.first)
}

// result sums the tally up.
func (t *tally) result(name string, connections int) result {
	r := result{Name: name, Connections: connections, Requests: len(t.latencies), Elapsed: t.span(), Codes: t.codes, Failures: t.failures, tally: t}
	ok := 0
	for code, n := range t.codes {
		if success(code) {
			ok += n
		} else {
			r.Errors += n
		}
	}
	if s := r.Elapsed.Seconds(); s > 0 {
		r.Throughput = float64(ok) / s
	}
	sorted := slices.Clone(t.latencies)
	slices.Sort(sorted)
	r.P50, r.P95, r.P99 = percentile(sorted, 0.50), percentile(sorted, 0.95), percentile(sorted, 0.99)
	for name, p := range t.parts {
		r.Parts = append(r.Parts, p.result(name, 0))
	}
	// The slowest part first.
	slices.SortFunc(r.Parts, func(a, b result) int { return cmp.Or(cmp.Compare(b.P95, a.P95), cmp.Compare(a.Name, b.Name)) })
	return r
}

// success is an answer that is not an error: 2xx, or a redirect.
func success(code int) bool { return code >= 200 && code < 400 }

// percentile is the nearest-rank q-quantile of sorted latencies.
func percentile(sorted []time.Duration, q float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(math.Ceil(q*float64(len(sorted)))) - 1
	return sorted[min(max(i, 0), len(sorted)-1)]
}

// mergeTallies is the tally of loads run one after another.
func mergeTallies(ts ...*tally) *tally {
	m := newTally()
	for _, t := range ts {
		m.latencies = append(m.latencies, t.latencies...)
		for k, v := range t.codes {
			m.codes[k] += v
		}
		for k, v := range t.failures {
			m.failures[k] += v
		}
		m.elapsed += t.span()
	}
	return m
}

// result is one scenario's figures.
type result struct {
	Name          string
	Connections   int
	Requests      int
	Elapsed       time.Duration
	Throughput    float64 // answers that are not errors, a second
	P50, P95, P99 time.Duration
	Errors        int
	Codes         map[int]int
	Failures      map[string]int
	Parts         []result // of the load's parts, the slowest first
	PeakRSS       int64    // kB, of the process driven
	CPUs          float64  // CPUs the process driven kept busy
	tally         *tally
}

// errorText is the error count with the statuses seen, most first:
// "0", or "12 (409 ×10, no answer ×2)".
func (r result) errorText() string {
	if r.Errors == 0 {
		return "0"
	}
	failed := map[int]int{}
	for code, n := range r.Codes {
		if !success(code) {
			failed[code] = n
		}
	}
	var parts []string
	for _, code := range mostFirst(failed) {
		name := strconv.Itoa(code)
		if code == 0 {
			name = "no answer"
		}
		parts = append(parts, fmt.Sprintf("%s ×%d", name, failed[code]))
	}
	return fmt.Sprintf("%d (%s)", r.Errors, strings.Join(parts, ", "))
}

// mostFirst is the keys of counts, the largest count first, then in order.
func mostFirst[K cmp.Ordered](counts map[K]int) []K {
	keys := slices.Collect(maps.Keys(counts))
	slices.SortFunc(keys, func(a, b K) int {
		if c := cmp.Compare(counts[b], counts[a]); c != 0 {
			return c
		}
		return cmp.Compare(a, b)
	})
	return keys
}

// tableHeader and row are one scenario a line of a markdown table.
const tableHeader = "| scenario | connections | requests | req/s | p50 | p95 | p99 | errors | peak RSS | CPUs |\n" +
	"|---|---:|---:|---:|---:|---:|---:|---|---:|---:|\n"

func (r result) row() string {
	return fmt.Sprintf("| %s | %d | %s | %s | %s | %s | %s | %s | %s | %.2f |\n", r.Name, r.Connections, thousands(float64(r.Requests)),
		thousands(r.Throughput), ms(r.P50), ms(r.P95), ms(r.P99), r.errorText(), mb(r.PeakRSS), r.CPUs)
}

// partHeader and partRow are one part of a load a line.
const partHeader = "| part | requests | p50 | p95 | p99 | errors |\n|---|---:|---:|---:|---:|---|\n"

func (r result) partRow() string {
	return fmt.Sprintf("| %s | %s | %s | %s | %s | %s |\n", r.Name, thousands(float64(r.Requests)), ms(r.P50), ms(r.P95), ms(r.P99), r.errorText())
}

// thousands writes n rounded, with a comma between thousands.
func thousands(n float64) string {
	s := strconv.FormatInt(int64(math.Round(n)), 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	if neg {
		s = "-" + s
	}
	return s
}

// ms writes a latency in milliseconds: 0.42 ms, 3.1 ms, 127 ms.
func ms(d time.Duration) string {
	v := float64(d) / float64(time.Millisecond)
	switch {
	case v < 1:
		return fmt.Sprintf("%.2f ms", v)
	case v < 100:
		return fmt.Sprintf("%.1f ms", v)
	default:
		return thousands(v) + " ms"
	}
}

// mb writes kB as MB.
func mb(kb int64) string {
	if kb == 0 {
		return "–"
	}
	return fmt.Sprintf("%.0f MB", float64(kb)/1024)
}

// check is one budget of SPEC §8 against what the run measured.
type check struct {
	budget, measured string
	met              bool
	na               bool // not measured at this size
}

func (c check) row() string {
	verdict := "missed"
	switch {
	case c.na:
		verdict = "n/a"
	case c.met:
		verdict = "met"
	}
	return fmt.Sprintf("| %s | %s | %s |\n", c.budget, c.measured, verdict)
}

// Sections of docs/PERFORMANCE.md that the command writes are marked
// per number of users, so each size's latest run replaces its last one.
func sectionBegin(users int) string { return fmt.Sprintf("<!-- load: %d users -->", users) }
func sectionEnd(users int) string   { return fmt.Sprintf("<!-- /load: %d users -->", users) }

// replaceSection puts body between the markers of users in doc: in place
// of what is there, or after the last section of another size, or at the
// end of doc.
func replaceSection(doc string, users int, body string) string {
	begin, end := sectionBegin(users), sectionEnd(users)
	block := begin + "\n" + strings.TrimSpace(body) + "\n" + end
	if i := strings.Index(doc, begin); i >= 0 {
		if j := strings.Index(doc[i:], end); j >= 0 {
			return doc[:i] + block + doc[i+j+len(end):]
		}
	}
	if m := lastSectionEnd.FindAllStringIndex(doc, -1); len(m) > 0 {
		at := m[len(m)-1][1]
		return doc[:at] + "\n\n" + block + doc[at:]
	}
	return strings.TrimRight(doc, "\n") + "\n\n" + block + "\n"
}

var lastSectionEnd = regexp.MustCompile(`<!-- /load: \d+ users -->`)

// accountMark records GET /account's throughput and its ratio to the
// reference page's in a section, for a run of another size to compare
// with.
func accountMark(f accountFigures) string {
	return fmt.Sprintf("<!-- GET /account req/s: %.1f, to the reference page: %.3f -->", f.rate, f.toReference)
}

// accountFigures are GET /account's throughput and its ratio to the
// reference page's in the same run.
type accountFigures struct{ rate, toReference float64 }

var accountMarkRe = regexp.MustCompile(`<!-- GET /account req/s: ([0-9.]+), to the reference page: ([0-9.]+) -->`)

// sectionAccount is what the section of users in doc recorded of
// GET /account, if there is such a section.
func sectionAccount(doc string, users int) (accountFigures, bool) {
	i := strings.Index(doc, sectionBegin(users))
	if i < 0 {
		return accountFigures{}, false
	}
	j := strings.Index(doc[i:], sectionEnd(users))
	if j < 0 {
		return accountFigures{}, false
	}
	m := accountMarkRe.FindStringSubmatch(doc[i : i+j])
	if m == nil {
		return accountFigures{}, false
	}
	rate, err1 := strconv.ParseFloat(m[1], 64)
	toRef, err2 := strconv.ParseFloat(m[2], 64)
	return accountFigures{rate, toRef}, err1 == nil && err2 == nil
}
