package auth

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"myaccount/models"
	"myaccount/store"
)

// Door names a place where a user types their password. Every door goes
// through the Guard.
type Door string

// The doors.
const (
	DoorSignIn   Door = "sign_in"
	DoorConfirm  Door = "confirm"
	DoorPassword Door = "password_form"
	DoorEmail    Door = "email_form"
)

// ErrInvalidCredentials is the one answer at sign-in for an unknown
// account, a wrong password and a locked or inactive account alike, so
// accounts can be neither discovered nor probed through a lock. On a
// signed-in page it means a wrong password.
var ErrInvalidCredentials = errors.New("invalid credentials")

// LimitedError is a refusal before any password was checked: too many
// attempts from one address, or for one account, in a short time.
type LimitedError struct {
	// Wait is how long until an attempt is allowed again.
	Wait time.Duration
}

func (e *LimitedError) Error() string { return "too many attempts: wait " + e.Wait.String() }

// RetryAfter is Wait in whole seconds, for a Retry-After header.
func (e *LimitedError) RetryAfter() int { return retryAfter(e.Wait) }

// LockedError says the attempt budget in use is locked: the password was
// not checked, so the answer is the same whether it was right or wrong.
type LockedError struct {
	// Until is when a temporary lock ends; zero for a permanent one.
	Until time.Time
	// Permanent is set when the account is locked until an admin
	// unlocks it, or is not active.
	Permanent bool
	// Now is set when this very attempt spent the budget.
	Now bool
}

func (e *LockedError) Error() string {
	if e.Permanent {
		return "account locked"
	}
	return "locked until " + e.Until.Format(time.RFC3339)
}

// RetryAfter is the wait until the lock ends in whole seconds, from now.
func (e *LockedError) RetryAfter(now time.Time) int { return retryAfter(e.Until.Sub(now)) }

func retryAfter(d time.Duration) int {
	return max(1, int((d+time.Second-1)/time.Second))
}

// GuardStore is what the guard needs from the user store.
type GuardStore interface {
	ForSignIn(ctx context.Context, login string) (*models.User, error)
	Device(ctx context.Context, userID, id string) (*models.Device, error)
	RecordSignIn(ctx context.Context, u *models.User, device *models.Device, newDevice string, meta store.Meta) error
	RecordFailedPasswordCheck(ctx context.Context, u *models.User, m *models.Merchant, device *models.Device, action string, changes models.Changes, meta store.Meta) (models.PasswordCheckOutcome, error)
	RecordPasswordChecked(ctx context.Context, u *models.User, device *models.Device) error
	RecordRefusedPasswordCheck(ctx context.Context, u *models.User, changes models.Changes, meta store.Meta) error
}

// FailureCounter counts the wrong passwords typed for a user.
type FailureCounter interface {
	FailedChecksSince(ctx context.Context, userID string, since *time.Time) (int, *time.Time, error)
}

// Guard is the one door every typed password goes through: sign-in, the
// confirm page, and the current password on the password and email forms
// (and any later one). For each attempt it applies, in this order:
//
//  1. a rate limit per IP address and one per account (per device for a
//     browser that signed in to the account before), before any lookup
//     or hash: over either, LimitedError;
//  2. the attempt budget: a locked budget, a locked or inactive account
//     answer LockedError without looking at the password; the attempt is
//     audited, so the owner hears of it, but spends no budget;
//  3. bcrypt, against a dummy hash when no account matches, so every
//     answer takes the same time;
//  4. the count: a wrong password spends the budget of the device the
//     browser is, else the account's own, and at the merchant's limit it
//     locks for a wait that grows with each lock in a row.
type Guard struct {
	users     GuardStore
	failures  FailureCounter
	merchants MerchantLoader
	hasher    *Hasher
	devices   *DeviceCookies
	byIP      Limiter
	byAccount Limiter
	dummy     string
	now       func() time.Time
	observer  Observer
}

// Observer is told what the guard judged and locked, for metrics
// (ops.Metrics is one).
type Observer interface {
	// PasswordCheck: one typed password at door, and its outcome:
	// success, refused, locked, rate_limited, busy or error.
	PasswordCheck(door, outcome string)
	// Lockout: wrong passwords locked an attempt budget.
	Lockout(permanent bool)
}

type noObserver struct{}

func (noObserver) PasswordCheck(string, string) {}
func (noObserver) Lockout(bool)                 {}

// Observe makes o the guard's observer.
func (g *Guard) Observe(o Observer) { g.observer = o }

// observed tells the observer the outcome err is of a check at door.
func (g *Guard) observed(door Door, err error) {
	outcome := "error"
	var limited *LimitedError
	var locked *LockedError
	switch {
	case err == nil:
		outcome = "success"
	case errors.Is(err, ErrInvalidCredentials):
		outcome = "refused"
	case errors.As(err, &locked):
		outcome = "locked"
	case errors.As(err, &limited):
		outcome = "rate_limited"
	case errors.Is(err, ErrBusy):
		outcome = "busy"
	}
	g.observer.PasswordCheck(string(door), outcome)
}

// NewGuard returns a Guard whose attempts are limited by byIP, per
// address, and byAccount, per account or device. It hashes a random
// password once, to compare against when no account matches or a budget
// is locked.
func NewGuard(users GuardStore, failures FailureCounter, merchants MerchantLoader, hasher *Hasher, devices *DeviceCookies, byIP, byAccount Limiter) (*Guard, error) {
	b := make([]byte, 24)
	if _, err := rand.Read(b); err != nil {
		return nil, err
	}
	dummy, err := hasher.Hash(context.Background(), fmt.Sprintf("%x", b))
	if err != nil {
		return nil, fmt.Errorf("dummy hash: %w", err)
	}
	return &Guard{
		users: users, failures: failures, merchants: merchants, hasher: hasher, devices: devices,
		byIP: byIP, byAccount: byAccount, dummy: dummy,
		now: func() time.Time { return time.Now().UTC() }, observer: noObserver{},
	}, nil
}

// SignedIn is a successful sign-in.
type SignedIn struct {
	User *models.User
	// FailedAttempts are the wrong passwords typed for the account since
	// its previous sign-in, the last at LastFailedAt.
	FailedAttempts int
	LastFailedAt   *time.Time
}

// SignIn checks a username-or-email and password at the sign-in door.
// Every refusal but a rate limit is ErrInvalidCredentials.
func (g *Guard) SignIn(c echo.Context, login, password string) (*SignedIn, error) {
	out, err := g.signIn(c, login, password)
	g.observed(DoorSignIn, err)
	if errors.As(err, new(*LockedError)) {
		return nil, ErrInvalidCredentials
	}
	return out, err
}

// signIn is SignIn, with a locked budget told apart as LockedError.
func (g *Guard) signIn(c echo.Context, login, password string) (*SignedIn, error) {
	ctx := c.Request().Context()
	if err := g.limit(c, g.byIP, "ip:"+c.RealIP()); err != nil {
		return nil, err
	}
	u, err := g.users.ForSignIn(ctx, login)
	if errors.Is(err, models.ErrNotFound) {
		// No account: its bucket is the text typed, so unknown names are
		// limited as known ones are.
		if err := g.limit(c, g.byAccount, "login:"+strings.ToLower(strings.TrimSpace(login))); err != nil {
			return nil, err
		}
		if _, err := g.hasher.Check(ctx, g.dummy, password); err != nil {
			return nil, err
		}
		return nil, ErrInvalidCredentials
	}
	if err != nil {
		return nil, err
	}
	device, err := g.verify(c, DoorSignIn, u, password)
	if err != nil {
		return nil, err
	}
	out := &SignedIn{User: u}
	if out.FailedAttempts, out.LastFailedAt, err = g.failures.FailedChecksSince(ctx, u.ID, u.LastLoginAt); err != nil {
		return nil, err
	}
	token, newDevice := "", ""
	if device == nil {
		if token, err = newToken(); err != nil {
			return nil, err
		}
		newDevice = hashToken(token)
	}
	if err := g.users.RecordSignIn(ctx, u, device, newDevice, Meta(c)); err != nil {
		return nil, err
	}
	if token != "" {
		if err := g.devices.Remember(c, u.ID, token); err != nil {
			return nil, fmt.Errorf("device cookie: %w", err)
		}
	}
	return out, nil
}

// Check checks the password the signed-in user u typed at door (the
// confirm page, the password or email form). A wrong one is
// ErrInvalidCredentials; a locked budget is LockedError, whatever was
// typed; too many attempts is LimitedError. A right one starts the
// budget again.
func (g *Guard) Check(c echo.Context, door Door, u *models.User, password string) (err error) {
	defer func() { g.observed(door, err) }()
	if err := g.limit(c, g.byIP, "ip:"+c.RealIP()); err != nil {
		return err
	}
	device, err := g.verify(c, door, u, password)
	if err != nil {
		return err
	}
	return g.users.RecordPasswordChecked(c.Request().Context(), u, device)
}

// verify is steps 1 (per account) to 4 for u's account. It returns the
// device whose budget a right password spent, or nil for the account's.
func (g *Guard) verify(c echo.Context, door Door, u *models.User, password string) (*models.Device, error) {
	ctx := c.Request().Context()
	device, err := g.device(c, u)
	if err != nil {
		return nil, err
	}
	key := "user:" + u.ID
	if device != nil {
		key = "device:" + device.ID
	}
	if err := g.limit(c, g.byAccount, key); err != nil {
		return nil, err
	}
	budget := u.Budget()
	if device != nil {
		budget = device.Budget()
	}
	if u.Status != models.StatusActive || budget.LockedAt(g.now()) {
		return nil, g.refuse(c, door, u, budget, password)
	}
	ok, err := g.hasher.Check(ctx, u.PasswordHash, password)
	if err != nil {
		return nil, err
	}
	if ok && password != "" {
		return device, nil
	}
	m, err := g.merchants.ByID(ctx, u.MerchantID)
	if err != nil {
		return nil, fmt.Errorf("merchant of %s: %w", u.ID, err)
	}
	action, changes := models.ActionSignInFailed, models.Changes(nil)
	if door != DoorSignIn {
		action, changes = models.ActionPasswordCheckFailed, models.Changes{{Field: "page", New: string(door)}}
	}
	out, err := g.users.RecordFailedPasswordCheck(ctx, u, m, device, action, changes, Meta(c))
	if err != nil {
		return nil, err
	}
	if out.Locked {
		g.observer.Lockout(out.Permanent)
		return nil, &LockedError{Until: out.Until, Permanent: out.Permanent, Now: true}
	}
	return nil, ErrInvalidCredentials
}

// refuse answers a password typed at door for u while budget is locked or
// the account is not active: the password is not looked at, so right and
// wrong get the same answer, in the same time. The attempt is audited, so
// the owner's next sign-in counts it, but spends no budget, so attempts
// cannot make the pause longer.
func (g *Guard) refuse(c echo.Context, door Door, u *models.User, budget models.AttemptBudget, password string) error {
	ctx := c.Request().Context()
	if _, err := g.hasher.Check(ctx, g.dummy, password); err != nil {
		return err
	}
	if err := g.users.RecordRefusedPasswordCheck(ctx, u, models.Changes{{Field: "page", New: string(door)}}, Meta(c)); err != nil {
		return err
	}
	if u.Status != models.StatusActive {
		return &LockedError{Permanent: true}
	}
	return &LockedError{Until: *budget.LockedUntil}
}

// device is the device the browser is for u, if its cookie names one
// that is still trusted.
func (g *Guard) device(c echo.Context, u *models.User) (*models.Device, error) {
	token := g.devices.Token(c, u.ID)
	if token == "" {
		return nil, nil
	}
	d, err := g.users.Device(c.Request().Context(), u.ID, hashToken(token))
	if errors.Is(err, models.ErrNotFound) {
		return nil, nil
	}
	return d, err
}

func (g *Guard) limit(c echo.Context, l Limiter, key string) error {
	return Limit(c.Request().Context(), l, key)
}

// Meta is where the request came from, for the audit trail.
func Meta(c echo.Context) store.Meta {
	return store.Meta{IP: c.RealIP(), UserAgent: c.Request().UserAgent()}
}
