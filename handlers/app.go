// Package handlers turns HTTP requests into calls on the domain and renders
// the answers: full pages for browsers, fragments for htmx.
package handlers

import (
	"log/slog"
	"time"

	"gorm.io/gorm"

	"myaccount/auth"
	"myaccount/internal/slots"
	"myaccount/ops"
	"myaccount/store"
)

// Deps are what the handlers are built from; main.go assembles them.
type Deps struct {
	DB        *gorm.DB
	Users     *store.Users
	Merchants *store.Merchants
	Audit     *store.Audit
	APIKeys   *store.APIKeys
	Sessions  *auth.Manager
	// Guard checks every password a user types.
	Guard  *auth.Guard
	Hasher *auth.Hasher
	Flash  *auth.Flash
	Log    *slog.Logger
	// Secure is set when the site is served over https.
	Secure bool
	// ReauthAfter is how old the session's password check may be before
	// a password or email change asks for the password again.
	ReauthAfter time.Duration
	// MaxBodyBytes bounds every request body.
	MaxBodyBytes int
	// PasswordChecks limits the live password checklist per user.
	PasswordChecks *auth.KeyedLimiter
	// ResetRequests limits the requests for a link to choose a new
	// password, per IP address, over every instance.
	ResetRequests auth.Limiter
	// ResetLinksPerHour is how many such links one account is sent an
	// hour at most; past it, a request sends nothing and is told the
	// same. 0 is no limit.
	ResetLinksPerHour int
	// APICalls limits JSON API calls per key, or per session for /me,
	// over every instance.
	APICalls auth.Limiter
	// Reads are the turns page reads take (takeTurns); nil, none.
	Reads *slots.Slots
	// DBTimeout is how long a request may wait for the database in all.
	DBTimeout time.Duration
	// Outages logs an outage of the database once and counts what it
	// refused.
	Outages *store.Outages
	// Metrics counts requests; nil counts nothing.
	Metrics *ops.Metrics
}

// App holds the handlers' dependencies.
type App struct {
	Deps
	// forgotPace evens out the time a request for a reset link takes.
	forgotPace evenPace
}
