package store

import (
	"context"
	"crypto/rand"
	"fmt"
	"math/big"

	"gorm.io/gorm"

	"myaccount/models"
)

// Lock locks u's account on an admin's order (models.LockAccount).
func (s *Users) Lock(ctx context.Context, actor, u *models.User, meta Meta) error {
	if u.Status == models.StatusLocked {
		return nil
	}
	return s.accountUpdate(ctx, actor, u, models.LockAccount(models.ByUser(actor), u, s.now()), models.ActionLocked, meta)
}

// Unlock makes a locked account active again and forgets its failed
// sign-ins (models.UnlockAccount): the permanent lock, the temporary lock
// of the account's own budget and those of its devices.
func (s *Users) Unlock(ctx context.Context, actor, u *models.User, meta Meta) error {
	return s.accountUpdate(ctx, actor, u, models.UnlockAccount(u), models.ActionUnlocked, meta)
}

// accountUpdate saves upd, an account action's change of u, as action.
func (s *Users) accountUpdate(ctx context.Context, actor, u *models.User, upd models.ProfileUpdate, action string, meta Meta) error {
	return s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		return s.saveUpdate(tx, models.ByUser(actor), u, &upd, action, meta, s.now())
	})
}

// ForcePasswordChange makes u change their password at their next request.
func (s *Users) ForcePasswordChange(ctx context.Context, actor, u *models.User, meta Meta) error {
	now := s.now()
	next := *u
	next.MustChangePassword = true
	return s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		return s.save(tx, models.ByUser(actor), &next, u.Version, []string{"must_change_password"}, models.ActionForceChange,
			models.Changes{{Field: "must_change_password", Old: fmt.Sprint(u.MustChangePassword), New: "true"}}, meta, now)
	})
}

// ResetPassword gives u a new random password that meets the merchant's
// policy and must be changed at the next sign-in, ends u's sessions and
// password links, and tells u by email.
// The password is returned once, for the admin to pass on.
func (s *Users) ResetPassword(ctx context.Context, hasher PasswordHasher, actor *models.User, m *models.Merchant, u *models.User, meta Meta) (string, error) {
	password, err := temporaryPasswordFor(m, u)
	if err != nil {
		return "", err
	}
	hash, err := hasher.Hash(ctx, password)
	if err != nil {
		return "", fmt.Errorf("hash password: %w", err)
	}
	now := s.now()
	next := *u
	next.PasswordHash, next.MustChangePassword = hash, true
	err = s.withMail(ctx, func(tx *gorm.DB) error {
		if err := endSessions(tx, u.ID); err != nil {
			return err
		}
		return s.setPassword(tx, m, u, &next, passwordSet{actor: actor, action: models.ActionPasswordReset}, meta, now)
	})
	if err != nil {
		return "", err
	}
	return password, nil
}

// RevokeSessions signs u out everywhere and reports how many sessions ended.
func (s *Users) RevokeSessions(ctx context.Context, actor, u *models.User, meta Meta) (int64, error) {
	var n int64
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		res := tx.Where("user_id = ?", u.ID).Delete(&models.Session{})
		if res.Error != nil {
			return fmt.Errorf("end sessions: %w", res.Error)
		}
		n = res.RowsAffected
		return audit(tx, u.MerchantID, &actor.ID, &u.ID, models.ActionSessionsEnded,
			models.Changes{{Field: "sessions", Old: fmt.Sprint(n), New: "0"}}, meta, s.now())
	})
	return n, err
}

// temporaryPasswordFor makes a temporary password for u, of m, that
// passes every check a password u chose would: random characters all but
// never make a common password, contain a username or score below the
// policy's lowest strength, and the rare one that does is drawn again.
func temporaryPasswordFor(m *models.Merchant, u *models.User) (string, error) {
	p := m.PasswordPolicy
	for range 10 {
		pw, err := TemporaryPassword(p)
		if err != nil {
			return "", err
		}
		if len(p.CheckNew("Temporary password", pw, u.PasswordOwner(m))) == 0 {
			return pw, nil
		}
	}
	return "", fmt.Errorf("no temporary password passed the password rules in 10 tries")
}

// TemporaryPassword makes a random password that meets policy: at least
// 14 characters, with the policy's classes and a margin, from an alphabet
// without look-alike characters (no 0/O, 1/l/I).
func TemporaryPassword(p models.PasswordPolicy) (string, error) {
	const (
		lower   = "abcdefghijkmnopqrstuvwxyz"
		upper   = "ABCDEFGHJKLMNPQRSTUVWXYZ"
		digits  = "23456789"
		special = "#%+=?@!"
	)
	length := max(14, p.MinLength, p.MinLower+p.MinUpper+p.MinDigits+p.MinSpecial+4)
	var out []byte
	pick := func(set string, n int) error {
		for range n {
			i, err := rand.Int(rand.Reader, big.NewInt(int64(len(set))))
			if err != nil {
				return err
			}
			out = append(out, set[i.Int64()])
		}
		return nil
	}
	for _, part := range []struct {
		set string
		n   int
	}{{lower, max(p.MinLower, 1)}, {upper, max(p.MinUpper, 1)}, {digits, max(p.MinDigits, 1)}, {special, max(p.MinSpecial, 1)}} {
		if err := pick(part.set, part.n); err != nil {
			return "", err
		}
	}
	if err := pick(lower+upper+digits, length-len(out)); err != nil {
		return "", err
	}
	// Shuffle so the classes are not in a guessable order.
	for i := len(out) - 1; i > 0; i-- {
		j, err := rand.Int(rand.Reader, big.NewInt(int64(i+1)))
		if err != nil {
			return "", err
		}
		out[i], out[j.Int64()] = out[j.Int64()], out[i]
	}
	return string(out), nil
}
