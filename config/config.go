// Package config reads My Account's settings from flags and environment
// variables; a flag given on the command line wins over its variable.
package config

import (
	"crypto/rand"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/mail"
	"net/url"
	"runtime"
	"strconv"
	"strings"
	"time"
)

// Config is every setting.
type Config struct {
	Addr          string
	DatabaseURL   string
	SessionSecret string
	BaseURL       string
	BcryptCost    int
	Demo          bool
	LogLevel      string
	// LogFormat is "json" (one object a line) or "text".
	LogFormat string
	// MetricsAddr serves Prometheus metrics at /metrics, PprofAddr Go's
	// profiles at /debug/pprof/; each is off when empty.
	MetricsAddr        string
	PprofAddr          string
	SessionIdleTimeout time.Duration
	SessionMaxAge      time.Duration
	BcryptConcurrency  int
	// SearchConcurrency is how many admin user searches run at once.
	SearchConcurrency int
	// ReadConcurrency is how many page reads (GET, HEAD) are worked on
	// at once; the rest wait their turn. 0 is no turns.
	ReadConcurrency   int
	ShutdownTimeout   time.Duration
	MaxBodyBytes      int
	SignInRateIP      int
	SignInRateAccount int
	// APIRateKey limits JSON API calls a minute per key (or session).
	APIRateKey int
	// ReauthAfter is how old a password check may be before a password or
	// email change asks for the password again.
	ReauthAfter time.Duration
	// DBTimeout bounds a request's database work, and every statement on
	// the database server.
	DBTimeout time.Duration

	// SMTPURL is the SMTP server messages are sent through; empty writes
	// them as .eml files into MailDir.
	SMTPURL  string
	MailFrom string
	MailDir  string
	// MailRetryWait is the wait after a message's first failed send; it
	// doubles with each further failure, up to an hour.
	MailRetryWait time.Duration
	// How long each kind of emailed link works.
	ResetLinkValidFor  time.Duration
	InviteLinkValidFor time.Duration
	EmailLinkValidFor  time.Duration
	// ResetRateIP limits forgotten-password requests a minute from one IP
	// address, ResetRateAccount the links sent to one account an hour.
	ResetRateIP      int
	ResetRateAccount int

	// SecretGenerated is set when no secret was given and one was made up.
	SecretGenerated bool
}

// Secure reports whether the site is served over https: cookies are
// then Secure and HSTS is sent.
// The scheme is case-insensitive (RFC 3986), as the check in finish is.
func (c Config) Secure() bool { return strings.HasPrefix(strings.ToLower(c.BaseURL), "https://") }

// SlogLevel is the configured log level.
func (c Config) SlogLevel() slog.Level {
	var l slog.Level
	_ = l.UnmarshalText([]byte(c.LogLevel))
	return l
}

// Parse reads args (without the program name) and the environment through
// getenv. It writes usage to out on --help and returns flag.ErrHelp.
func Parse(args []string, getenv func(string) string, out io.Writer) (Config, error) {
	var c Config
	fs := flag.NewFlagSet("myaccount", flag.ContinueOnError)
	fs.SetOutput(out)
	f := &envFlags{fs: fs, getenv: getenv}
	var cost, conc int
	c.define(f, &cost, &conc)
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	if f.err != nil {
		return c, f.err
	}
	c.BcryptCost, c.BcryptConcurrency = cost, conc
	return c, c.finish()
}

// define defines every flag into c, the bcrypt cost and concurrency into
// cost and conc.
func (c *Config) define(f *envFlags, cost, conc *int) {
	f.str(&c.Addr, "addr", "MYACCOUNT_ADDR", ":8080", "address to listen on")
	f.str(&c.DatabaseURL, "database-url", "DATABASE_URL", "", "postgres:// URL; empty uses the embedded SQLite file myaccount.db")
	f.str(&c.SessionSecret, "session-secret", "SESSION_SECRET", "", "secret that signs session cookies, 32 bytes or more; empty makes a random one per start (demo only)")
	// --help must not print the secret or the database password it was
	// given through the environment as the flag's default.
	f.str(&c.SMTPURL, "smtp-url", "SMTP_URL", "", "SMTP server to send mail through: smtp://user:pass@host:587 (STARTTLS required), smtps://user:pass@host:465 (TLS), or smtp://host:1025?tls=none for a local relay or mail catcher; empty writes .eml files into --mail-dir")
	for _, name := range []string{"database-url", "session-secret", "smtp-url"} {
		f.fs.Lookup(name).DefValue = ""
	}
	f.str(&c.BaseURL, "base-url", "BASE_URL", "http://localhost:8080", "public URL of the site; https:// turns on Secure cookies and HSTS")
	f.integer(cost, "bcrypt-cost", "BCRYPT_COST", 11, "bcrypt cost for new password hashes")
	f.boolean(&c.Demo, "demo", "MYACCOUNT_DEMO", false, "create the demo data on a new database, also on PostgreSQL")
	f.str(&c.LogLevel, "log-level", "LOG_LEVEL", "info", "debug, info, warn or error")
	f.str(&c.LogFormat, "log-format", "LOG_FORMAT", "json", "json (one object a line) or text")
	f.str(&c.MetricsAddr, "metrics-addr", "METRICS_ADDR", "", "address to serve Prometheus metrics on, at /metrics, apart from the site (empty: off)")
	f.str(&c.PprofAddr, "pprof-addr", "PPROF_ADDR", "", "address to serve Go's profiles on, at /debug/pprof/, for operators only (empty: off)")
	f.duration(&c.SessionIdleTimeout, "session-idle-timeout", "SESSION_IDLE_TIMEOUT", 30*time.Minute, "end a session unused this long")
	f.duration(&c.SessionMaxAge, "session-max-age", "SESSION_MAX_AGE", 12*time.Hour, "end a session this long after sign-in")
	f.integer(conc, "bcrypt-concurrency", "BCRYPT_CONCURRENCY", runtime.NumCPU(), "password hashes run at once at most")
	f.integer(&c.ReadConcurrency, "read-concurrency", "READ_CONCURRENCY", 2*runtime.NumCPU(), "page reads (GET, HEAD) worked on at once on this instance; more wait their turn, in the order they came (0: no turns)")
	f.integer(&c.SearchConcurrency, "search-concurrency", "SEARCH_CONCURRENCY", 2*runtime.NumCPU(), "admin user searches run at once at most, on this instance; more wait their turn")
	f.duration(&c.ShutdownTimeout, "shutdown-timeout", "SHUTDOWN_TIMEOUT", 15*time.Second, "how long SIGTERM waits for requests in flight")
	f.duration(&c.ReauthAfter, "reauth-after", "REAUTH_AFTER", 10*time.Minute, "ask for the password again before a password or email change when the last check is older")
	f.duration(&c.DBTimeout, "db-timeout", "DB_TIMEOUT", 5*time.Second, "deadline for a request's database work; past it, pages answer 503 and PostgreSQL cancels the statement")
	f.integer(&c.MaxBodyBytes, "max-body-bytes", "MAX_BODY_BYTES", 1<<20, "largest request body accepted; larger ones get 413")
	f.integer(&c.SignInRateIP, "signin-rate-ip", "SIGNIN_RATE_IP", 30, "sign-in attempts a minute from one IP address (0 turns the limit off)")
	f.integer(&c.APIRateKey, "api-rate-key", "API_RATE_KEY", 600, "JSON API calls a minute per API key, or per session for /api/v1/me (0 turns the limit off)")
	f.integer(&c.SignInRateAccount, "signin-rate-account", "SIGNIN_RATE_ACCOUNT", 10, "sign-in attempts a minute for one account (0 turns the limit off)")
	f.str(&c.MailFrom, "mail-from", "MAIL_FROM", "", `address mail comes from, as "Name <addr>" or addr (the merchant's name is added); empty is no-reply@ the base URL's host`)
	f.str(&c.MailDir, "mail-dir", "MAIL_DIR", "mail", "directory mail is written into as .eml files when no --smtp-url is given")
	f.duration(&c.MailRetryWait, "mail-retry-wait", "MAIL_RETRY_WAIT", 30*time.Second, "wait before sending a message again after a failure; it doubles with each further one, up to an hour")
	f.duration(&c.ResetLinkValidFor, "reset-link-valid-for", "RESET_LINK_VALID_FOR", 30*time.Minute, "how long a forgotten-password link works")
	f.duration(&c.InviteLinkValidFor, "invite-link-valid-for", "INVITE_LINK_VALID_FOR", 7*24*time.Hour, "how long an invitation link works")
	f.duration(&c.EmailLinkValidFor, "email-link-valid-for", "EMAIL_LINK_VALID_FOR", 24*time.Hour, "how long a link that confirms an email address works")
	f.integer(&c.ResetRateIP, "reset-rate-ip", "RESET_RATE_IP", 10, "forgotten-password requests a minute from one IP address (0 turns the limit off)")
	f.integer(&c.ResetRateAccount, "reset-rate-account", "RESET_RATE_ACCOUNT", 3, "password links sent to one account an hour; more requests get the same page and send nothing (0 turns the limit off)")
}

// envFlags defines flags whose defaults come from environment variables.
// err is the last variable that does not read as its flag's type.
type envFlags struct {
	fs     *flag.FlagSet
	getenv func(string) string
	err    error
}

func (f *envFlags) str(p *string, name, env, def, usage string) {
	if v := f.getenv(env); v != "" {
		def = v
	}
	f.fs.StringVar(p, name, def, usage+" ($"+env+")")
}

func (f *envFlags) integer(p *int, name, env string, def int, usage string) {
	if v := f.getenv(env); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			f.err = fmt.Errorf("%s: %q is not a whole number", env, v)
		}
		def = n
	}
	f.fs.IntVar(p, name, def, usage+" ($"+env+")")
}

func (f *envFlags) duration(p *time.Duration, name, env string, def time.Duration, usage string) {
	if v := f.getenv(env); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil {
			f.err = fmt.Errorf("%s: %q is not a duration like 30m", env, v)
		}
		def = d
	}
	f.fs.DurationVar(p, name, def, usage+" ($"+env+")")
}

func (f *envFlags) boolean(p *bool, name, env string, def bool, usage string) {
	if v := f.getenv(env); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			f.err = fmt.Errorf("%s: %q is not true or false", env, v)
		}
		def = b
	}
	f.fs.BoolVar(p, name, def, usage+" ($"+env+")")
}

func (c *Config) finish() error {
	if c.BcryptCost < 4 || c.BcryptCost > 31 {
		return fmt.Errorf("bcrypt cost must be between 4 and 31, not %d", c.BcryptCost)
	}
	if c.MaxBodyBytes < 1024 {
		return errors.New("max body bytes must be at least 1024")
	}
	if c.SignInRateIP < 0 || c.SignInRateAccount < 0 || c.APIRateKey < 0 || c.ResetRateIP < 0 || c.ResetRateAccount < 0 {
		return errors.New("rate limits must be 0 (off) or more")
	}
	if c.MailRetryWait <= 0 || c.ResetLinkValidFor <= 0 || c.InviteLinkValidFor <= 0 || c.EmailLinkValidFor <= 0 {
		return errors.New("mail retry wait and link lifetimes must be positive")
	}
	if c.SMTPURL == "" && c.MailDir == "" {
		return errors.New("give --smtp-url, or a --mail-dir to write mail into")
	}
	if c.BcryptConcurrency < 1 {
		return errors.New("bcrypt concurrency must be at least 1")
	}
	if c.SearchConcurrency < 1 {
		return errors.New("search concurrency must be at least 1")
	}
	if c.ReadConcurrency < 0 {
		return errors.New("read concurrency must be 0 (no turns) or more")
	}
	u, err := url.Parse(c.BaseURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("base URL must be an http:// or https:// URL, not %q", c.BaseURL)
	}
	c.BaseURL = strings.TrimRight(c.BaseURL, "/")
	if c.MailFrom == "" {
		c.MailFrom = "no-reply@" + u.Hostname()
	}
	if _, err := mail.ParseAddress(c.MailFrom); err != nil {
		return fmt.Errorf("mail from must be an address like no-reply@example.com or \"Name <no-reply@example.com>\", not %q", c.MailFrom)
	}
	var l slog.Level
	if err := l.UnmarshalText([]byte(c.LogLevel)); err != nil {
		return fmt.Errorf("log level must be debug, info, warn or error, not %q", c.LogLevel)
	}
	if c.LogFormat != "json" && c.LogFormat != "text" {
		return fmt.Errorf("log format must be json or text, not %q", c.LogFormat)
	}
	if c.MetricsAddr != "" && (c.MetricsAddr == c.Addr || c.MetricsAddr == c.PprofAddr) {
		return errors.New("metrics, profiles and the site need addresses of their own")
	}
	if c.SessionIdleTimeout <= 0 || c.SessionMaxAge <= 0 {
		return errors.New("session timeouts must be positive")
	}
	if c.ReauthAfter <= 0 {
		return errors.New("re-authentication window must be positive")
	}
	if c.DBTimeout <= 0 {
		return errors.New("database timeout must be positive")
	}
	if c.SessionSecret == "" {
		b := make([]byte, 32)
		if _, err := rand.Read(b); err != nil {
			return err
		}
		c.SessionSecret = string(b)
		c.SecretGenerated = true
	} else if len(c.SessionSecret) < 32 {
		return errors.New("session secret must be at least 32 bytes")
	}
	return nil
}
