package main

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptrace"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"myaccount/config"
	"myaccount/internal/testapp"
	"myaccount/ops"
)

var csrfField = regexp.MustCompile(`name="_csrf" value="([^"]+)"`)

// freeAddr is a loopback address nothing listens on.
func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// started runs the server with args, logging JSON into logs, until the
// test ends; it returns once /readyz answers 200.
func started(t *testing.T, logs io.Writer, args ...string) (addr string) {
	t.Helper()
	addr = freeAddr(t)
	cfg, err := config.Parse(append([]string{"--addr", addr, "--bcrypt-cost", "4", "--mail-dir", t.TempDir(),
		"--database-url", filepath.Join(t.TempDir(), "ops.db")}, args...), func(string) string { return "" }, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- run(ctx, cfg, ops.NewLogger(logs, "json", 0)) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("run: %v", err)
		}
	})
	waitReady(t, "http://"+addr)
	return addr
}

func waitReady(t *testing.T, base string) {
	t.Helper()
	for range 1200 {
		res, err := http.Get(base + "/readyz")
		if err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return
			}
		}
		time.Sleep(25 * time.Millisecond)
	}
	t.Fatalf("%s/readyz never answered 200", base)
}

func get(t *testing.T, u string) (int, string, http.Header) {
	t.Helper()
	res, err := http.Get(u)
	if err != nil {
		t.Fatalf("GET %s: %v", u, err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b), res.Header
}

// Metrics and profiles are served on addresses of their own, not on the
// site; every log line is a JSON object, and a request's lines carry the
// id its answer names in X-Request-Id.
func TestOperatorsAddresses(t *testing.T) {
	logs := &testapp.LogBuffer{}
	metricsAddr, pprofAddr := freeAddr(t), freeAddr(t)
	addr := started(t, logs, "--metrics-addr", metricsAddr, "--pprof-addr", pprofAddr)
	site := "http://" + addr

	_, _, h := get(t, site+"/login")
	id := h.Get("X-Request-Id")
	if id == "" {
		t.Fatal("no X-Request-Id on the answer")
	}
	res, err := http.PostForm(site+"/login", url.Values{"login": {"demo.guest"}, "password": {"x"}})
	if err == nil {
		res.Body.Close()
	}
	if status, _, _ := get(t, site+"/metrics"); status != http.StatusNotFound {
		t.Errorf("the site serves /metrics: %d", status)
	}
	if status, _, _ := get(t, site+"/debug/pprof/"); status != http.StatusNotFound {
		t.Errorf("the site serves profiles: %d", status)
	}

	status, body, _ := get(t, "http://"+metricsAddr+"/metrics")
	if status != http.StatusOK {
		t.Fatalf("/metrics: %d", status)
	}
	for _, want := range []string{
		`myaccount_http_requests_total{method="GET",route="/login",status="200"} 1`,
		`myaccount_http_request_duration_seconds_bucket{method="GET",route="/login",le="+Inf"} 1`,
		`myaccount_mail_queue_depth 0`,
		`myaccount_bcrypt_queue_wait_seconds_count`,
		`myaccount_search_queue_wait_seconds_count`,
		// The site's three reads (/login and the two 404s) took turns.
		`myaccount_read_queue_wait_seconds_count 3`,
		`go_sql_open_connections{db_name="main"}`,
		`go_goroutines`,
		`process_resident_memory_bytes`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
	if status, _, _ := get(t, "http://"+pprofAddr+"/debug/pprof/"); status != http.StatusOK {
		t.Errorf("profiles: %d", status)
	}

	found := false
	sc := bufio.NewScanner(strings.NewReader(logs.String()))
	for sc.Scan() {
		var line map[string]any
		if err := json.Unmarshal(sc.Bytes(), &line); err != nil {
			t.Fatalf("a log line is not JSON: %q", sc.Text())
		}
		if line["msg"] == "request" && line["path"] == "/login" && line["request_id"] == id {
			found = true
		}
	}
	if !found {
		t.Errorf("no request line carries request_id %s:\n%s", id, logs.String())
	}
}

// The guard's judgements are counted by page and outcome.
func TestPasswordCheckMetrics(t *testing.T) {
	m := ops.NewMetrics()
	m.PasswordCheck("sign_in", "refused")
	m.PasswordCheck("sign_in", "refused")
	m.Lockout(false)
	srv := &http.Server{Handler: m.Handler()}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = srv.Serve(l) }()
	defer srv.Close()
	_, body, _ := get(t, "http://"+l.Addr().String()+"/")
	for _, want := range []string{`myaccount_password_checks_total{door="sign_in",outcome="refused"} 2`, `myaccount_lockouts_total{kind="temporary"} 1`} {
		if !strings.Contains(body, want) {
			t.Errorf("metrics lack %s", want)
		}
	}
}

// TestMain runs main() instead of the tests when TestGracefulShutdown
// starts the test binary as the server.
func TestMain(m *testing.M) {
	if os.Getenv("MYACCOUNT_RUN_MAIN") == "1" {
		main()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// SIGTERM lets the request in flight finish, refuses new connections, and
// the process exits 0.
func TestGracefulShutdown(t *testing.T) {
	addr, metricsAddr := freeAddr(t), freeAddr(t)
	cmd := exec.Command(os.Args[0])
	// A sign-in at bcrypt cost 13 takes half a second or more: long
	// enough to be in flight when the signal comes.
	cmd.Env = append(os.Environ(), "MYACCOUNT_RUN_MAIN=1", "MYACCOUNT_ADDR="+addr, "BCRYPT_COST=13", "BCRYPT_CONCURRENCY=1",
		"DATABASE_URL="+filepath.Join(t.TempDir(), "shutdown.db"), "MAIL_DIR="+t.TempDir(), "LOG_FORMAT=json", "METRICS_ADDR="+metricsAddr)
	logs := &testapp.LogBuffer{}
	cmd.Stdout, cmd.Stderr = logs, logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill() })
	site := "http://" + addr
	waitReady(t, site)

	// A browser's sign-in: the form's CSRF token, then the post.
	jar, _ := cookiejar.New(nil)
	// A connection of its own for each request: an idle kept-alive one
	// would be closed by the shutdown, as it should be.
	client := &http.Client{Jar: jar, Transport: &http.Transport{DisableKeepAlives: true}, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := client.Get(site + "/login")
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(res.Body)
	res.Body.Close()
	token := csrfField.FindStringSubmatch(string(page))
	if token == nil {
		t.Fatalf("no CSRF field on the sign-in page")
	}
	baseline, start := hashCount(t, metricsAddr), time.Now()
	answered, sent := make(chan int, 1), make(chan struct{})
	go func() {
		form := url.Values{"login": {"demo.guest"}, "password": {"Wrong#2026"}, "_csrf": {token[1]}}
		trace := &httptrace.ClientTrace{WroteRequest: func(httptrace.WroteRequestInfo) { close(sent) }}
		req, _ := http.NewRequestWithContext(httptrace.WithClientTrace(context.Background(), trace), http.MethodPost, site+"/login", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		res, err := client.Do(req)
		if err != nil {
			answered <- 0
			return
		}
		res.Body.Close()
		answered <- res.StatusCode
	}()
	// The signal comes once the server is hashing the request's
	// password: the metrics count each hash as it gets its slot.
	<-sent
	for hashes := baseline; hashes <= baseline; {
		if time.Since(start) > 20*time.Second {
			t.Fatal("the sign-in never reached its password hash")
		}
		time.Sleep(5 * time.Millisecond)
		hashes = hashCount(t, metricsAddr)
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if status := <-answered; status != http.StatusUnprocessableEntity {
		t.Fatalf("the sign-in in flight: got %d, want its answer, 422\n%s", status, logs.String())
	}
	if _, err := http.Get(site + "/healthz"); err == nil {
		t.Error("a new request was served after SIGTERM")
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("exit: %v\n%s", err, logs.String())
	}
	if !strings.Contains(logs.String(), "stopped cleanly") {
		t.Errorf("the log does not say it stopped cleanly:\n%s", logs.String())
	}
}

// hashCount is how many password hashes the server at metricsAddr has
// started.
func hashCount(t *testing.T, metricsAddr string) int {
	t.Helper()
	_, body, _ := get(t, "http://"+metricsAddr+"/metrics")
	for _, line := range strings.Split(body, "\n") {
		if v, ok := strings.CutPrefix(line, "myaccount_bcrypt_queue_wait_seconds_count "); ok {
			n, err := strconv.Atoi(strings.TrimSpace(v))
			if err != nil {
				t.Fatalf("hash count %q: %v", v, err)
			}
			return n
		}
	}
	t.Fatalf("no hash count in the metrics")
	return 0
}

// `myaccount migrate` brings a database up to date and exits 0, serving
// nothing; a second run finds nothing to do.
func TestMigrateCommand(t *testing.T) {
	dbFile := filepath.Join(t.TempDir(), "migrate.db")
	for range 2 {
		cmd := exec.Command(os.Args[0], "migrate")
		cmd.Env = append(os.Environ(), "MYACCOUNT_RUN_MAIN=1", "DATABASE_URL="+dbFile, "LOG_FORMAT=text")
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("migrate: %v\n%s", err, out)
		}
		if !strings.Contains(string(out), "database schema up to date") || strings.Contains(string(out), "listening") {
			t.Fatalf("migrate said:\n%s", out)
		}
	}
	if _, err := os.Stat(dbFile); err != nil {
		t.Fatalf("no database after migrate: %v", err)
	}
}
