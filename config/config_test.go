package config_test

import (
	"bytes"
	"errors"
	"flag"
	"io"
	"log/slog"
	"runtime"
	"strings"
	"testing"
	"time"

	"myaccount/config"
)

// env is an environment holding only vars.
func env(vars map[string]string) func(string) string {
	return func(k string) string { return vars[k] }
}

const (
	secret      = "0123456789abcdef0123456789abcdef"
	otherSecret = "fedcba9876543210fedcba9876543210-other"
)

// defaults is what Parse gives with only SESSION_SECRET set.
func defaults() config.Config {
	return config.Config{
		Addr:               ":8080",
		DatabaseURL:        "",
		SessionSecret:      secret,
		BaseURL:            "http://localhost:8080",
		BcryptCost:         11,
		Demo:               false,
		LogLevel:           "info",
		LogFormat:          "json",
		SessionIdleTimeout: 30 * time.Minute,
		SessionMaxAge:      12 * time.Hour,
		BcryptConcurrency:  runtime.NumCPU(),
		SearchConcurrency:  2 * runtime.NumCPU(),
		ReadConcurrency:    2 * runtime.NumCPU(),
		ShutdownTimeout:    15 * time.Second,
		ReauthAfter:        10 * time.Minute,
		DBTimeout:          5 * time.Second,
		MaxBodyBytes:       1 << 20,
		SignInRateIP:       30,
		SignInRateAccount:  10,
		APIRateKey:         600,
		MailFrom:           "no-reply@localhost",
		MailDir:            "mail",
		MailRetryWait:      30 * time.Second,
		ResetLinkValidFor:  30 * time.Minute,
		InviteLinkValidFor: 7 * 24 * time.Hour,
		EmailLinkValidFor:  24 * time.Hour,
		ResetRateIP:        10,
		ResetRateAccount:   3,
	}
}

// allEnv sets every variable Parse reads.
var allEnv = map[string]string{
	"MYACCOUNT_ADDR":        ":9090",
	"DATABASE_URL":          "postgres://app:hunter2@db:5432/myaccount",
	"SESSION_SECRET":        secret,
	"BASE_URL":              "https://account.example.com",
	"BCRYPT_COST":           "12",
	"MYACCOUNT_DEMO":        "true",
	"LOG_LEVEL":             "debug",
	"LOG_FORMAT":            "text",
	"METRICS_ADDR":          "127.0.0.1:9100",
	"PPROF_ADDR":            "127.0.0.1:6060",
	"SESSION_IDLE_TIMEOUT":  "10m",
	"SESSION_MAX_AGE":       "2h",
	"BCRYPT_CONCURRENCY":    "3",
	"SEARCH_CONCURRENCY":    "6",
	"READ_CONCURRENCY":      "5",
	"SHUTDOWN_TIMEOUT":      "5s",
	"REAUTH_AFTER":          "5m",
	"DB_TIMEOUT":            "2s",
	"SMTP_URL":              "smtps://mailer:smtp-pass-42@smtp.example.com:465",
	"MAIL_FROM":             "Accounts <accounts@example.com>",
	"MAIL_DIR":              "/var/spool/myaccount",
	"MAIL_RETRY_WAIT":       "1m",
	"RESET_LINK_VALID_FOR":  "15m",
	"INVITE_LINK_VALID_FOR": "48h",
	"EMAIL_LINK_VALID_FOR":  "12h",
	"RESET_RATE_IP":         "5",
	"RESET_RATE_ACCOUNT":    "2",
}

// parseCase is a command line and environment Parse accepts; want edits
// the defaults into what it gives.
type parseCase struct {
	name string
	args []string
	env  map[string]string
	want func(c *config.Config)
}

var parseCases = []parseCase{
	{
		name: "defaults",
		env:  map[string]string{"SESSION_SECRET": secret},
		want: func(c *config.Config) {},
	},
	{
		name: "environment",
		env:  allEnv,
		want: func(c *config.Config) {
			c.Addr = ":9090"
			c.DatabaseURL = "postgres://app:hunter2@db:5432/myaccount"
			c.BaseURL = "https://account.example.com"
			c.BcryptCost = 12
			c.Demo = true
			c.LogLevel = "debug"
			c.LogFormat, c.MetricsAddr, c.PprofAddr = "text", "127.0.0.1:9100", "127.0.0.1:6060"
			c.SessionIdleTimeout = 10 * time.Minute
			c.SessionMaxAge = 2 * time.Hour
			c.BcryptConcurrency = 3
			c.SearchConcurrency = 6
			c.ReadConcurrency = 5
			c.ShutdownTimeout = 5 * time.Second
			c.ReauthAfter = 5 * time.Minute
			c.DBTimeout = 2 * time.Second
			c.SMTPURL = "smtps://mailer:smtp-pass-42@smtp.example.com:465"
			c.MailFrom = "Accounts <accounts@example.com>"
			c.MailDir = "/var/spool/myaccount"
			c.MailRetryWait = time.Minute
			c.ResetLinkValidFor = 15 * time.Minute
			c.InviteLinkValidFor = 48 * time.Hour
			c.EmailLinkValidFor = 12 * time.Hour
			c.ResetRateIP, c.ResetRateAccount = 5, 2
		},
	},
	{
		name: "flags",
		args: []string{"--addr", "127.0.0.1:7070", "--database-url", "postgres://other/db", "--session-secret", otherSecret,
			"--base-url", "http://127.0.0.1:7070", "--bcrypt-cost", "4", "--demo", "--log-level", "warn",
			"--session-idle-timeout", "1h", "--session-max-age", "24h", "--bcrypt-concurrency", "1", "--search-concurrency", "2", "--read-concurrency", "0", "--shutdown-timeout", "1s",
			"--reauth-after", "2m", "--db-timeout", "1500ms", "--smtp-url", "smtp://127.0.0.1:1025?tls=none", "--mail-dir", "out",
			"--mail-retry-wait", "5s", "--reset-link-valid-for", "10m", "--invite-link-valid-for", "72h", "--email-link-valid-for", "1h",
			"--reset-rate-ip", "0", "--reset-rate-account", "0", "--log-format", "text", "--metrics-addr", "127.0.0.1:9101"},
		want: func(c *config.Config) {
			c.Addr = "127.0.0.1:7070"
			c.DatabaseURL = "postgres://other/db"
			c.SessionSecret = otherSecret
			c.BaseURL = "http://127.0.0.1:7070"
			c.BcryptCost = 4
			c.Demo = true
			c.LogLevel = "warn"
			c.LogFormat, c.MetricsAddr = "text", "127.0.0.1:9101"
			c.SessionIdleTimeout = time.Hour
			c.SessionMaxAge = 24 * time.Hour
			c.BcryptConcurrency = 1
			c.SearchConcurrency = 2
			c.ReadConcurrency = 0
			c.ShutdownTimeout = time.Second
			c.ReauthAfter = 2 * time.Minute
			c.DBTimeout = 1500 * time.Millisecond
			c.MailFrom = "no-reply@127.0.0.1"
			c.SMTPURL = "smtp://127.0.0.1:1025?tls=none"
			c.MailDir = "out"
			c.MailRetryWait = 5 * time.Second
			c.ResetLinkValidFor, c.InviteLinkValidFor, c.EmailLinkValidFor = 10*time.Minute, 72*time.Hour, time.Hour
			c.ResetRateIP, c.ResetRateAccount = 0, 0
		},
	},
	{
		name: "flags win over the environment",
		args: []string{"-addr=:7070", "-database-url=postgres://flag/db", "-session-secret=" + otherSecret,
			"-base-url=http://flag.example.com", "-bcrypt-cost=13", "-demo=false", "-log-level=error",
			"-session-idle-timeout=5m", "-session-max-age=1h", "-bcrypt-concurrency=8", "-search-concurrency=1", "-read-concurrency=3", "-shutdown-timeout=30s", "-reauth-after=1m", "-db-timeout=10s",
			"-mail-from=me@flag.example.com", "-reset-link-valid-for=1h", "-log-format=json", "-pprof-addr="},
		env: allEnv,
		want: func(c *config.Config) {
			c.Addr = ":7070"
			c.DatabaseURL = "postgres://flag/db"
			c.SessionSecret = otherSecret
			c.BaseURL = "http://flag.example.com"
			c.BcryptCost = 13
			c.Demo = false
			c.LogLevel = "error"
			c.MetricsAddr = "127.0.0.1:9100"
			c.SessionIdleTimeout = 5 * time.Minute
			c.SessionMaxAge = time.Hour
			c.BcryptConcurrency = 8
			c.SearchConcurrency = 1
			c.ReadConcurrency = 3
			c.ShutdownTimeout = 30 * time.Second
			c.ReauthAfter = time.Minute
			c.DBTimeout = 10 * time.Second
			c.SMTPURL = "smtps://mailer:smtp-pass-42@smtp.example.com:465"
			c.MailFrom = "me@flag.example.com"
			c.MailDir = "/var/spool/myaccount"
			c.MailRetryWait = time.Minute
			c.ResetLinkValidFor = time.Hour
			c.InviteLinkValidFor = 48 * time.Hour
			c.EmailLinkValidFor = 12 * time.Hour
			c.ResetRateIP, c.ResetRateAccount = 5, 2
		},
	},
	{
		name: "one flag, the rest from the environment",
		args: []string{"--bcrypt-cost", "10"},
		env:  map[string]string{"SESSION_SECRET": secret, "MYACCOUNT_ADDR": ":9191", "BCRYPT_COST": "14"},
		want: func(c *config.Config) {
			c.Addr = ":9191"
			c.BcryptCost = 10
		},
	},
	{
		name: "demo from 1",
		env:  map[string]string{"SESSION_SECRET": secret, "MYACCOUNT_DEMO": "1"},
		want: func(c *config.Config) { c.Demo = true },
	},
	{
		name: "demo false",
		env:  map[string]string{"SESSION_SECRET": secret, "MYACCOUNT_DEMO": "false"},
		want: func(c *config.Config) {},
	},
	{
		name: "bcrypt cost bounds",
		args: []string{"--bcrypt-cost", "31"},
		env:  map[string]string{"SESSION_SECRET": secret},
		want: func(c *config.Config) { c.BcryptCost = 31 },
	},
	{
		name: "log level in upper case",
		env:  map[string]string{"SESSION_SECRET": secret, "LOG_LEVEL": "WARN"},
		want: func(c *config.Config) { c.LogLevel = "WARN" },
	},
}

func TestParse(t *testing.T) {
	for _, tc := range parseCases {
		t.Run(tc.name, func(t *testing.T) {
			var out bytes.Buffer
			got, err := config.Parse(tc.args, env(tc.env), &out)
			if err != nil {
				t.Fatalf("Parse: got error %v, want none (output %q)", err, out.String())
			}
			want := defaults()
			tc.want(&want)
			if got != want {
				t.Errorf("Parse:\n got %+v\nwant %+v", got, want)
			}
			if out.Len() != 0 {
				t.Errorf("output: got %q, want none", out.String())
			}
		})
	}
}

func TestParseInvalid(t *testing.T) {
	withSecret := func(kv ...string) map[string]string {
		m := map[string]string{"SESSION_SECRET": secret}
		for i := 0; i+1 < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return m
	}
	cases := []struct {
		name    string
		args    []string
		env     map[string]string
		wantErr string
	}{
		{"bcrypt cost 3", []string{"--bcrypt-cost", "3"}, withSecret(), "bcrypt cost must be between 4 and 31, not 3"},
		{"bcrypt cost 32", []string{"--bcrypt-cost", "32"}, withSecret(), "bcrypt cost must be between 4 and 31, not 32"},
		{"BCRYPT_COST 3", nil, withSecret("BCRYPT_COST", "3"), "bcrypt cost must be between 4 and 31, not 3"},
		{"BCRYPT_COST abc", nil, withSecret("BCRYPT_COST", "abc"), `BCRYPT_COST: "abc" is not a whole number`},
		{"BCRYPT_COST abc under a flag", []string{"--bcrypt-cost", "11"}, withSecret("BCRYPT_COST", "abc"), `BCRYPT_COST: "abc" is not a whole number`},
		{"bcrypt cost flag abc", []string{"--bcrypt-cost", "abc"}, withSecret(), `invalid value "abc" for flag -bcrypt-cost`},
		{"bcrypt concurrency 0", []string{"--bcrypt-concurrency", "0"}, withSecret(), "bcrypt concurrency must be at least 1"},
		{"BCRYPT_CONCURRENCY x", nil, withSecret("BCRYPT_CONCURRENCY", "x"), `BCRYPT_CONCURRENCY: "x" is not a whole number`},
		{"search concurrency 0", []string{"--search-concurrency", "0"}, withSecret(), "search concurrency must be at least 1"},
		{"read concurrency -1", []string{"--read-concurrency", "-1"}, withSecret(), "read concurrency must be 0 (no turns) or more"},
		{"base URL ftp", []string{"--base-url", "ftp://x"}, withSecret(), `base URL must be an http:// or https:// URL, not "ftp://x"`},
		{"BASE_URL ftp", nil, withSecret("BASE_URL", "ftp://x"), `base URL must be an http:// or https:// URL, not "ftp://x"`},
		{"base URL without scheme", []string{"--base-url", "account.example.com"}, withSecret(), `base URL must be an http:// or https:// URL, not "account.example.com"`},
		{"base URL without host", []string{"--base-url", "https://"}, withSecret(), `base URL must be an http:// or https:// URL, not "https://"`},
		{"base URL unparsable", []string{"--base-url", "http://[::1"}, withSecret(), `base URL must be an http:// or https:// URL, not "http://[::1"`},
		{"log level loud", []string{"--log-level", "loud"}, withSecret(), `log level must be debug, info, warn or error, not "loud"`},
		{"LOG_LEVEL loud", nil, withSecret("LOG_LEVEL", "loud"), `log level must be debug, info, warn or error, not "loud"`},
		{"log format xml", []string{"--log-format", "xml"}, withSecret(), `log format must be json or text, not "xml"`},
		{"metrics on the site's address", []string{"--addr", ":9000", "--metrics-addr", ":9000"}, withSecret(), "metrics, profiles and the site need addresses of their own"},
		{"short secret flag", []string{"--session-secret", "too-short"}, nil, "session secret must be at least 32 bytes"},
		{"31-byte SESSION_SECRET", nil, map[string]string{"SESSION_SECRET": secret[:31]}, "session secret must be at least 32 bytes"},
		{"MYACCOUNT_DEMO maybe", nil, withSecret("MYACCOUNT_DEMO", "maybe"), `MYACCOUNT_DEMO: "maybe" is not true or false`},
		{"SESSION_IDLE_TIMEOUT soon", nil, withSecret("SESSION_IDLE_TIMEOUT", "soon"), `SESSION_IDLE_TIMEOUT: "soon" is not a duration like 30m`},
		{"SESSION_MAX_AGE 12", nil, withSecret("SESSION_MAX_AGE", "12"), `SESSION_MAX_AGE: "12" is not a duration like 30m`},
		{"session max age 0", []string{"--session-max-age", "0s"}, withSecret(), "session timeouts must be positive"},
		{"session idle timeout negative", []string{"--session-idle-timeout", "-1m"}, withSecret(), "session timeouts must be positive"},
		{"REAUTH_AFTER soon", nil, withSecret("REAUTH_AFTER", "soon"), `REAUTH_AFTER: "soon" is not a duration like 30m`},
		{"reauth after 0", []string{"--reauth-after", "0s"}, withSecret(), "re-authentication window must be positive"},
		{"DB_TIMEOUT 5", nil, withSecret("DB_TIMEOUT", "5"), `DB_TIMEOUT: "5" is not a duration like 30m`},
		{"db timeout 0", []string{"--db-timeout", "0s"}, withSecret(), "database timeout must be positive"},
		{"db timeout negative", []string{"--db-timeout", "-1s"}, withSecret(), "database timeout must be positive"},
		{"unknown flag", []string{"--port", "80"}, withSecret(), "flag provided but not defined: -port"},
		{"mail from not an address", []string{"--mail-from", "nobody"}, withSecret(), `mail from must be an address like no-reply@example.com`},
		{"MAIL_RETRY_WAIT soon", nil, withSecret("MAIL_RETRY_WAIT", "soon"), `MAIL_RETRY_WAIT: "soon" is not a duration like 30m`},
		{"reset link valid for 0", []string{"--reset-link-valid-for", "0s"}, withSecret(), "link lifetimes must be positive"},
		{"no SMTP and no mail directory", []string{"--mail-dir", ""}, withSecret(), "give --smtp-url, or a --mail-dir"},
		{"reset rate negative", []string{"--reset-rate-ip", "-1"}, withSecret(), "rate limits must be 0 (off) or more"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := config.Parse(tc.args, env(tc.env), io.Discard)
			if err == nil {
				t.Fatalf("Parse: got no error, want %q", tc.wantErr)
			}
			if !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("Parse: got error %q, want one containing %q", err, tc.wantErr)
			}
		})
	}
}

func TestParseHelp(t *testing.T) {
	flags := []string{"-addr", "-database-url", "-session-secret", "-base-url", "-bcrypt-cost", "-demo", "-log-level",
		"-session-idle-timeout", "-session-max-age", "-bcrypt-concurrency", "-shutdown-timeout", "-reauth-after", "-db-timeout",
		"-smtp-url", "-mail-from", "-mail-dir", "-mail-retry-wait", "-reset-link-valid-for", "-invite-link-valid-for", "-email-link-valid-for",
		"-reset-rate-ip", "-reset-rate-account", "-log-format", "-metrics-addr", "-pprof-addr"}
	envs := []string{"$MYACCOUNT_ADDR", "$DATABASE_URL", "$SESSION_SECRET", "$BASE_URL", "$BCRYPT_COST", "$MYACCOUNT_DEMO", "$LOG_LEVEL",
		"$SESSION_IDLE_TIMEOUT", "$SESSION_MAX_AGE", "$BCRYPT_CONCURRENCY", "$SHUTDOWN_TIMEOUT", "$REAUTH_AFTER", "$DB_TIMEOUT",
		"$SMTP_URL", "$MAIL_FROM", "$MAIL_DIR", "$MAIL_RETRY_WAIT", "$RESET_LINK_VALID_FOR", "$INVITE_LINK_VALID_FOR", "$EMAIL_LINK_VALID_FOR",
		"$RESET_RATE_IP", "$RESET_RATE_ACCOUNT", "$LOG_FORMAT", "$METRICS_ADDR", "$PPROF_ADDR"}
	for _, args := range [][]string{{"--help"}, {"-h"}, {"-help"}} {
		t.Run(args[0], func(t *testing.T) {
			var out bytes.Buffer
			_, err := config.Parse(args, env(allEnv), &out)
			if !errors.Is(err, flag.ErrHelp) {
				t.Fatalf("Parse(%q): got error %v, want flag.ErrHelp", args, err)
			}
			help := out.String()
			for _, name := range append(flags, envs...) {
				if !strings.Contains(help, name) {
					t.Errorf("help does not mention %s:\n%s", name, help)
				}
			}
			// The environment's values show as the defaults a flag would override.
			for _, want := range []string{`(default ":9090")`, `(default 12)`, `(default "https://account.example.com")`} {
				if !strings.Contains(help, want) {
					t.Errorf("help does not show the value from the environment %s:\n%s", want, help)
				}
			}
			// Secrets from the environment are never echoed.
			for _, leak := range []string{secret, "hunter2", "smtp-pass-42"} {
				if strings.Contains(help, leak) {
					t.Errorf("help shows the secret %q:\n%s", leak, help)
				}
			}
		})
	}
}

func TestParseGeneratesSecret(t *testing.T) {
	a, err := config.Parse(nil, env(nil), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	b, err := config.Parse(nil, env(nil), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []config.Config{a, b} {
		if !c.SecretGenerated || len(c.SessionSecret) != 32 {
			t.Errorf("got SecretGenerated %v and a %d-byte secret, want true and 32", c.SecretGenerated, len(c.SessionSecret))
		}
	}
	if a.SessionSecret == b.SessionSecret {
		t.Errorf("two starts made the same secret")
	}
	if a.SessionSecret == strings.Repeat("\x00", 32) {
		t.Errorf("secret is all zero bytes")
	}
	given, err := config.Parse(nil, env(map[string]string{"SESSION_SECRET": secret}), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if given.SecretGenerated || given.SessionSecret != secret {
		t.Errorf("with SESSION_SECRET: got SecretGenerated %v, secret %q; want false, %q", given.SecretGenerated, given.SessionSecret, secret)
	}
}

func TestConfigSecure(t *testing.T) {
	cases := []struct {
		baseURL string
		want    bool
	}{
		{"https://account.example.com", true},
		{"https://localhost:8443/", true},
		{"HTTPS://account.example.com", true},
		{"http://localhost:8080", false},
		{"http://https.example.com", false},
		{"", false},
	}
	for _, tc := range cases {
		t.Run(tc.baseURL, func(t *testing.T) {
			if got := (config.Config{BaseURL: tc.baseURL}).Secure(); got != tc.want {
				t.Errorf("Secure() for %q: got %v, want %v", tc.baseURL, got, tc.want)
			}
		})
	}
	t.Run("through Parse", func(t *testing.T) {
		for _, base := range []string{"https://account.example.com", "HTTPS://account.example.com"} {
			c, err := config.Parse([]string{"--base-url", base}, env(map[string]string{"SESSION_SECRET": secret}), io.Discard)
			if err != nil || !c.Secure() {
				t.Errorf("Parse with base URL %q: got Secure() %v, error %v; want true, nil", base, c.Secure(), err)
			}
		}
	})
}

func TestConfigSlogLevel(t *testing.T) {
	cases := []struct {
		level string
		want  slog.Level
	}{
		{"debug", slog.LevelDebug},
		{"info", slog.LevelInfo},
		{"warn", slog.LevelWarn},
		{"error", slog.LevelError},
		{"ERROR", slog.LevelError},
	}
	for _, tc := range cases {
		t.Run(tc.level, func(t *testing.T) {
			c, err := config.Parse([]string{"--log-level", tc.level}, env(map[string]string{"SESSION_SECRET": secret}), io.Discard)
			if err != nil {
				t.Fatal(err)
			}
			if got := c.SlogLevel(); got != tc.want {
				t.Errorf("SlogLevel(): got %v, want %v", got, tc.want)
			}
		})
	}
}
