// Package ops holds what an operator watches the running application
// with: Prometheus metrics, log lines that carry their request's id, and
// the opt-in profiler. It imports nothing of ours, so every layer can
// report to it.
package ops

import (
	"context"
	"database/sql"
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Metrics are the application's Prometheus metrics, in a registry of
// their own. A nil *Metrics records nothing, for tests and tools that
// build parts of the application alone.
type Metrics struct {
	registry   *prometheus.Registry
	requests   *prometheus.CounterVec
	latency    *prometheus.HistogramVec
	checks     *prometheus.CounterVec
	lockouts   *prometheus.CounterVec
	hashWait   prometheus.Histogram
	searchWait prometheus.Histogram
	readWait   prometheus.Histogram
	mailEvents *prometheus.CounterVec
}

// NewMetrics makes the metrics, with the Go runtime's and the process's.
func NewMetrics() *Metrics {
	m := &Metrics{
		registry: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "myaccount_http_requests_total", Help: "HTTP requests answered, by route pattern, method and status.",
		}, []string{"route", "method", "status"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "myaccount_http_request_duration_seconds", Help: "Time to answer an HTTP request, by route pattern and method.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5},
		}, []string{"route", "method"}),
		checks: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "myaccount_password_checks_total",
			Help: "Typed passwords the guard judged, by page (sign_in, confirm, password, email) and outcome (success, refused, locked, rate_limited, busy, error).",
		}, []string{"door", "outcome"}),
		lockouts: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "myaccount_lockouts_total", Help: "Attempt budgets locked by wrong passwords, temporary or permanent.",
		}, []string{"kind"}),
		hashWait: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "myaccount_bcrypt_queue_wait_seconds", Help: "Time a password hash waited for a free bcrypt slot.",
			Buckets: []float64{.0005, .001, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5},
		}),
		readWait: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "myaccount_read_queue_wait_seconds", Help: "Time a page read (GET, HEAD) waited for its turn (--read-concurrency).",
			Buckets: []float64{.0001, .0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5},
		}),
		searchWait: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "myaccount_search_queue_wait_seconds", Help: "Time an admin's user search waited for one of the searches running at once to end.",
			Buckets: []float64{.0005, .001, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5},
		}),
		mailEvents: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "myaccount_mail_total", Help: "Messages the mail worker handled, by outcome (sent, retry, failed).",
		}, []string{"outcome"}),
	}
	m.registry.MustRegister(m.requests, m.latency, m.checks, m.lockouts, m.hashWait, m.searchWait, m.readWait, m.mailEvents,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// WatchDatabase adds the connection pool's statistics of db.
func (m *Metrics) WatchDatabase(db *sql.DB) {
	if m == nil {
		return
	}
	m.registry.MustRegister(collectors.NewDBStatsCollector(db, "main"))
}

// WatchMailQueue adds the number of messages waiting to be sent, which
// pending reads at each scrape.
func (m *Metrics) WatchMailQueue(pending func(context.Context) (int64, error)) {
	if m == nil {
		return
	}
	m.registry.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "myaccount_mail_queue_depth", Help: "Messages queued and not yet sent or given up.",
	}, func() float64 {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		n, err := pending(ctx)
		if err != nil {
			return -1
		}
		return float64(n)
	}))
}

// Handler serves the metrics in Prometheus's text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.registry, promhttp.HandlerOpts{Registry: m.registry})
}

// Request records one answered request. route is the route's pattern
// ("/admin/users/:id"), never the path, so ids do not make new series.
func (m *Metrics) Request(route, method string, status int, took time.Duration) {
	if m == nil {
		return
	}
	m.requests.WithLabelValues(route, method, strconv.Itoa(status)).Inc()
	m.latency.WithLabelValues(route, method).Observe(took.Seconds())
}

// PasswordCheck records the guard's judgement of one typed password.
func (m *Metrics) PasswordCheck(door, outcome string) {
	if m == nil {
		return
	}
	m.checks.WithLabelValues(door, outcome).Inc()
}

// Lockout records an attempt budget locked by wrong passwords.
func (m *Metrics) Lockout(permanent bool) {
	if m == nil {
		return
	}
	kind := "temporary"
	if permanent {
		kind = "permanent"
	}
	m.lockouts.WithLabelValues(kind).Inc()
}

// HashWait records how long a hash waited for a bcrypt slot.
func (m *Metrics) HashWait(d time.Duration) {
	if m == nil {
		return
	}
	m.hashWait.Observe(d.Seconds())
}

// ReadWait records how long a page read waited for its turn.
func (m *Metrics) ReadWait(d time.Duration) {
	if m == nil {
		return
	}
	m.readWait.Observe(d.Seconds())
}

// SearchWait records how long a user search waited for its turn.
func (m *Metrics) SearchWait(d time.Duration) {
	if m == nil {
		return
	}
	m.searchWait.Observe(d.Seconds())
}

// Mail records what the mail worker did with one message: "sent",
// "retry" or "failed".
func (m *Metrics) Mail(outcome string) {
	if m == nil {
		return
	}
	m.mailEvents.WithLabelValues(outcome).Inc()
}
