package auth

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"

	"myaccount/models"
	"myaccount/store"
)

// Sign-in outcomes besides success.
var (
	// ErrInvalidCredentials is the one answer for an unknown account and a
	// wrong password alike, so accounts cannot be discovered.
	ErrInvalidCredentials = errors.New("invalid credentials")
	// ErrAccountLocked and ErrAccountInactive are told only to someone who
	// gave the right password.
	ErrAccountLocked   = errors.New("account locked")
	ErrAccountInactive = errors.New("account inactive")
)

// SignInStore is what sign-in needs from the user store.
type SignInStore interface {
	ForSignIn(ctx context.Context, login string) (*models.User, error)
	RecordSignIn(ctx context.Context, u *models.User, meta store.Meta) error
	RecordFailedSignIn(ctx context.Context, u *models.User, limit int, meta store.Meta) (bool, error)
	RecordReauthentication(ctx context.Context, u *models.User, meta store.Meta) error
}

// Authenticator checks a username-or-email and password.
type Authenticator struct {
	users     SignInStore
	merchants MerchantLoader
	hasher    *Hasher
	dummy     string
}

// NewAuthenticator returns an Authenticator. It hashes a random password at
// the hasher's cost once, to compare against when no account matches, so an
// unknown account takes as long as a wrong password.
func NewAuthenticator(users SignInStore, merchants MerchantLoader, hasher *Hasher) (*Authenticator, error) {
	b := make([]byte, 24)
	if _, err := rand.Read(b); err != nil {
		return nil, err
	}
	dummy, err := hasher.Hash(context.Background(), fmt.Sprintf("%x", b))
	if err != nil {
		return nil, fmt.Errorf("dummy hash: %w", err)
	}
	return &Authenticator{users: users, merchants: merchants, hasher: hasher, dummy: dummy}, nil
}

// SignIn returns the user that login and password name. Failed attempts
// are counted, and the account locks at the merchant's limit.
func (a *Authenticator) SignIn(ctx context.Context, login, password string, meta store.Meta) (*models.User, error) {
	user, err := a.users.ForSignIn(ctx, login)
	if errors.Is(err, models.ErrNotFound) {
		a.hasher.Compare(ctx, a.dummy, password)
		return nil, ErrInvalidCredentials
	}
	if err != nil {
		return nil, err
	}
	ok := a.hasher.Compare(ctx, user.PasswordHash, password) && password != ""
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	switch {
	case ok && user.Status == models.StatusLocked:
		return nil, ErrAccountLocked
	case ok && user.Status == models.StatusInactive:
		return nil, ErrAccountInactive
	case ok:
		if err := a.users.RecordSignIn(ctx, user, meta); err != nil {
			return nil, err
		}
		return user, nil
	case user.Status != models.StatusActive:
		return nil, ErrInvalidCredentials
	}
	m, err := a.merchants.ByID(ctx, user.MerchantID)
	if err != nil {
		return nil, fmt.Errorf("merchant of %s: %w", user.ID, err)
	}
	if _, err := a.users.RecordFailedSignIn(ctx, user, m.MaxFailedLogins, meta); err != nil {
		return nil, err
	}
	return nil, ErrInvalidCredentials
}

// Confirm checks the password of the signed-in user u again, before a
// sensitive change. A wrong password counts as a failed sign-in, so whoever
// holds a stolen session cannot guess at the password for ever: at the
// merchant's limit the account locks (ErrAccountLocked, and the lock ends
// its sessions). Otherwise a wrong password is ErrInvalidCredentials.
func (a *Authenticator) Confirm(ctx context.Context, u *models.User, password string, meta store.Meta) error {
	ok := password != "" && a.hasher.Compare(ctx, u.PasswordHash, password)
	if err := ctx.Err(); err != nil {
		return err
	}
	if ok {
		return a.users.RecordReauthentication(ctx, u, meta)
	}
	m, err := a.merchants.ByID(ctx, u.MerchantID)
	if err != nil {
		return fmt.Errorf("merchant of %s: %w", u.ID, err)
	}
	locked, err := a.users.RecordFailedSignIn(ctx, u, m.MaxFailedLogins, meta)
	if err != nil {
		return err
	}
	if locked {
		return ErrAccountLocked
	}
	return ErrInvalidCredentials
}
