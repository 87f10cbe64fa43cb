// Command refpage is the floor the load command (cmd/load) measures
// GET /account against: a bare account page in net/http, pgx and
// html/template, with none of the application's middleware.
//
//	go run ./cmd/refpage --addr 127.0.0.1:8090 --database-url postgres://postgres@127.0.0.1:5432/myaccount_load --session-secret "$SECRET"
//
// It reads the application's own session cookie, signed with the same
// secret, and answers GET /account with one query: the session joined to
// its user and the user's merchant, the rows the application's page reads
// (in three statements). It has no CSRF, no security headers, no request
// log and no session touch, so the ratio of the two pages is the cost of
// everything the application adds. GET /readyz answers 200 while the
// database answers.
package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"html/template"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/gorilla/securecookie"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"myaccount/internal/tokencookie"
)

// sessionCookie is the application's session cookie over http.
const sessionCookie = "myaccount_session"

func main() {
	fs := flag.NewFlagSet("refpage", flag.ContinueOnError)
	addr := fs.String("addr", "127.0.0.1:8090", "address to listen on")
	dbURL := fs.String("database-url", os.Getenv("DATABASE_URL"), "postgres:// URL of the application's database ($DATABASE_URL)")
	secret := fs.String("session-secret", os.Getenv("SESSION_SECRET"), "the application's --session-secret ($SESSION_SECRET)")
	maxAge := fs.Duration("session-max-age", 12*time.Hour, "the application's --session-max-age")
	idle := fs.Duration("session-idle-timeout", 30*time.Minute, "the application's --session-idle-timeout")
	maxConns := fs.Int("max-conns", 32, "database connections at most (the application's pool has 32)")
	if err := fs.Parse(os.Args[1:]); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return
		}
		os.Exit(2)
	}
	if err := run(*addr, *dbURL, *secret, *maxAge, *idle, *maxConns); err != nil {
		fmt.Fprintln(os.Stderr, "refpage:", err)
		os.Exit(1)
	}
}

func run(addr, dbURL, secret string, maxAge, idle time.Duration, maxConns int) error {
	if len(secret) < 32 {
		return errors.New("--session-secret must be the application's, 32 bytes or more")
	}
	cfg, err := pgxpool.ParseConfig(dbURL)
	if err != nil {
		return fmt.Errorf("--database-url: %w", err)
	}
	cfg.MaxConns = int32(maxConns)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	db, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return err
	}
	defer db.Close()

	codec := securecookie.New([]byte(secret), nil)
	codec.SetSerializer(tokencookie.Serializer{})
	codec.MaxAge(int(maxAge.Seconds()))
	p := &page{db: db, codec: codec, idle: idle}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /account", p.account)
	mux.HandleFunc("GET /readyz", p.ready)
	srv := &http.Server{Addr: addr, Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- srv.ListenAndServe() }()
	slog.Info("refpage listening", "addr", addr)
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return srv.Shutdown(shutdown)
}

type page struct {
	db    *pgxpool.Pool
	codec *securecookie.SecureCookie
	idle  time.Duration
}

// accountView is what the page shows.
type accountView struct {
	Merchant, FirstName, LastName, Email string
	MemberNumber, CardNumber, City       string
	Country, Tier                        string
	Points                               int64
}

// The session's row is keyed by the SHA-256 of the cookie's token, as the
// application stores it.
const accountQuery = `SELECT m.name, u.first_name, u.last_name, u.email, u.member_number, u.card_number,
	u.city, u.country, u.loyalty_tier, u.points_balance
FROM sessions s JOIN users u ON u.id = s.user_id JOIN merchants m ON m.id = u.merchant_id
WHERE s.id = $1 AND s.expires_at > $2 AND s.last_seen_at > $3 AND u.status = 'ACTIVE'`

// GET /account — the signed-in user's account, or a redirect to sign in.
func (p *page) account(w http.ResponseWriter, r *http.Request) {
	var token string
	c, err := r.Cookie(sessionCookie)
	if err == nil {
		err = p.codec.Decode(sessionCookie, c.Value, &token)
	}
	if err != nil {
		http.Redirect(w, r, "/login", http.StatusSeeOther)
		return
	}
	sum := sha256.Sum256([]byte(token))
	now := time.Now().UTC()
	var v accountView
	err = p.db.QueryRow(r.Context(), accountQuery, hex.EncodeToString(sum[:]), now, now.Add(-p.idle)).
		Scan(&v.Merchant, &v.FirstName, &v.LastName, &v.Email, &v.MemberNumber, &v.CardNumber, &v.City, &v.Country, &v.Tier, &v.Points)
	if errors.Is(err, pgx.ErrNoRows) {
		http.Redirect(w, r, "/login", http.StatusSeeOther)
		return
	}
	if err != nil {
		slog.Error("account", "err", err)
		http.Error(w, "temporarily unavailable", http.StatusServiceUnavailable)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	if err := accountPage.Execute(w, v); err != nil {
		slog.Error("render account", "err", err)
	}
}

// GET /readyz — 200 while the database answers.
func (p *page) ready(w http.ResponseWriter, r *http.Request) {
	if err := p.db.Ping(r.Context()); err != nil {
		http.Error(w, "database unavailable", http.StatusServiceUnavailable)
		return
	}
	w.WriteHeader(http.StatusOK)
}

var accountPage = template.Must(template.New("account").Parse(`<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Your account · {{.Merchant}}</title></head>
<body>
<main>
<h1>Your account</h1>
<section>
<h2>Personal details</h2>
<dl>
<dt>First name</dt><dd>{{.FirstName}}</dd>
<dt>Last name</dt><dd>{{.LastName}}</dd>
<dt>Email</dt><dd>{{.Email}}</dd>
</dl>
</section>
<section>
<h2>Address</h2>
<dl>
<dt>City</dt><dd>{{.City}}</dd>
<dt>Country</dt><dd>{{.Country}}</dd>
</dl>
</section>
<section>
<h2>Loyalty card</h2>
<dl>
<dt>Member number</dt><dd>{{.MemberNumber}}</dd>
<dt>Card number</dt><dd>{{.CardNumber}}</dd>
<dt>Tier</dt><dd>{{.Tier}}</dd>
<dt>Points</dt><dd>{{.Points}}</dd>
</dl>
</section>
</main>
</body>
</html>
`))
