package store

import (
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
)

// What pgx makes of the URL Open connects with: statement_timeout goes to
// the server as a run-time setting, connect_timeout bounds the connection
// attempt in whole seconds, and what the URL sets itself stays.
func TestWithServerTimeouts(t *testing.T) {
	const base = "postgres://app:s%40cret@db.example.com:5432/myaccount?sslmode=disable&search_path=s1"
	for _, tc := range []struct {
		name          string
		url           string
		timeout       time.Duration
		wantStatement string // "" means not sent
		wantConnect   time.Duration
	}{
		{"from the timeout", base, 1500 * time.Millisecond, "1500", 2 * time.Second},
		{"whole seconds", base, 5 * time.Second, "5000", 5 * time.Second},
		{"under a second", base, 200 * time.Millisecond, "200", time.Second},
		{"the URL's own", base + "&statement_timeout=7s&connect_timeout=9", time.Second, "7s", 9 * time.Second},
		{"no timeout", base, 0, "", 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg, err := pgconn.ParseConfig(withServerTimeouts(tc.url, tc.timeout))
			if err != nil {
				t.Fatalf("parse: %v", err)
			}
			if got := cfg.RuntimeParams["statement_timeout"]; got != tc.wantStatement {
				t.Errorf("statement_timeout: got %q, want %q", got, tc.wantStatement)
			}
			if cfg.ConnectTimeout != tc.wantConnect {
				t.Errorf("connect timeout: got %v, want %v", cfg.ConnectTimeout, tc.wantConnect)
			}
			if _, sent := cfg.RuntimeParams["connect_timeout"]; sent {
				t.Errorf("connect_timeout: sent to the server, want it read by pgx")
			}
			if cfg.Password != "s@cret" || cfg.Host != "db.example.com" || cfg.Database != "myaccount" || cfg.RuntimeParams["search_path"] != "s1" {
				t.Errorf("rest of the URL: got password %q host %q database %q search_path %q, want it unchanged",
					cfg.Password, cfg.Host, cfg.Database, cfg.RuntimeParams["search_path"])
			}
		})
	}
	if got := withServerTimeouts("postgres://a b@[::1", time.Second); got != "postgres://a b@[::1" {
		t.Errorf("unparsable URL: got %q, want it unchanged for pgx to refuse", got)
	}
}
