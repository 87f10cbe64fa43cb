package store

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"math/big"
	"regexp"
	"slices"
	"strings"
	"time"

	"gorm.io/gorm"

	"myaccount/models"
)

// ErrSelf refuses an account action an admin may not take on their own
// account (locking themselves out).
var ErrSelf = errors.New("not on your own account")

// Lock locks u's account on an admin's order.
func (s *Users) Lock(ctx context.Context, actor, u *models.User, meta Meta) error {
	if actor.ID == u.ID {
		return ErrSelf
	}
	if u.Status == models.StatusLocked {
		return nil
	}
	now := s.now()
	next := *u
	next.Status, next.LockedAt, next.LockedBy = models.StatusLocked, &now, &actor.ID
	return s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		return s.save(tx, actor, &next, u.Version, []string{"status", "locked_at", "locked_by"}, models.ActionLocked,
			models.Changes{{Field: "status", Old: u.Status, New: models.StatusLocked}}, meta, now)
	})
}

// Unlock makes a locked account active again and forgets its failed
// sign-ins: the permanent lock, the temporary lock of the account's own
// budget and those of its devices.
func (s *Users) Unlock(ctx context.Context, actor, u *models.User, meta Meta) error {
	now := s.now()
	next := *u
	next.Status, next.LockedAt, next.LockedBy, next.FailedLoginCount = models.StatusActive, nil, nil, 0
	next.LockedUntil, next.LockoutCount = nil, 0
	changes := models.Changes{{Field: "failed_login_count", Old: fmt.Sprint(u.FailedLoginCount), New: "0"}}
	if u.LockedUntil != nil {
		changes = append(changes, models.Change{Field: "locked_until", Old: u.LockedUntil.UTC().Format(time.RFC3339), New: ""})
	}
	if u.Status != models.StatusActive {
		changes = append(models.Changes{{Field: "status", Old: u.Status, New: models.StatusActive}}, changes...)
	}
	return s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := clearLocks(tx, u); err != nil {
			return err
		}
		return s.save(tx, actor, &next, u.Version, []string{"status", "locked_at", "locked_by", "failed_login_count", "locked_until", "lockout_count"},
			models.ActionUnlocked, changes, meta, now)
	})
}

// ForcePasswordChange makes u change their password at their next request.
func (s *Users) ForcePasswordChange(ctx context.Context, actor, u *models.User, meta Meta) error {
	if actor.ID == u.ID {
		return ErrSelf
	}
	now := s.now()
	next := *u
	next.MustChangePassword = true
	return s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		return s.save(tx, actor, &next, u.Version, []string{"must_change_password"}, models.ActionForceChange,
			models.Changes{{Field: "must_change_password", Old: fmt.Sprint(u.MustChangePassword), New: "true"}}, meta, now)
	})
}

// ResetPassword gives u a new random password that meets the merchant's
// policy and must be changed at the next sign-in, and ends u's sessions.
// The password is returned once, for the admin to pass on.
func (s *Users) ResetPassword(ctx context.Context, hasher PasswordHasher, actor *models.User, m *models.Merchant, u *models.User, meta Meta) (string, error) {
	if actor.ID == u.ID {
		return "", ErrSelf
	}
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
	next.PasswordHash, next.PasswordChangedAt, next.MustChangePassword = hash, &now, true
	err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Create(&models.PasswordHistory{ID: NewID(), UserID: u.ID, Hash: u.PasswordHash, CreatedAt: now}).Error; err != nil {
			return fmt.Errorf("password history: %w", err)
		}
		if err := tx.Where("user_id = ?", u.ID).Delete(&models.Session{}).Error; err != nil {
			return fmt.Errorf("end sessions: %w", err)
		}
		return s.save(tx, actor, &next, u.Version, []string{"password_hash", "password_changed_at", "must_change_password"}, models.ActionPasswordReset,
			models.Changes{{Field: "password", Old: models.Secret, New: models.Secret}}, meta, now)
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

// NewUser is what an admin fills in to create a user.
type NewUser struct {
	Username, Email, FirstName, LastName string
	Roles                                string
	Password                             string
	MemberNumber, CardNumber             string
	// GenerateMember and GenerateCard ask for a unique random number of
	// that many digits instead (the loyalty API's card_number_generate).
	GenerateMember, GenerateCard int
}

var usernamePattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._@-]{2,63}$`)

// CreateUser adds a user to m with an initial password that must be
// changed at the first sign-in.
func (s *Users) CreateUser(ctx context.Context, hasher PasswordHasher, actor *models.User, m *models.Merchant, in NewUser, meta Meta) (*models.User, error) {
	errs := models.FieldErrors{}
	username := strings.TrimSpace(in.Username)
	if username == "" {
		errs.Add("username", "Enter a username")
	} else if !usernamePattern.MatchString(username) {
		errs.Add("username", "Username must be 3 to 64 letters, numbers, dots, hyphens, underscores or @, starting with a letter or number")
	}
	email, msg := models.CleanEmail("Email", in.Email)
	if msg != "" {
		errs.Add("email", msg)
	}
	first, msg := models.CleanName("First name", in.FirstName, 50)
	if msg != "" {
		errs.Add("first_name", msg)
	} else if first == "" && m.Requires("first_name") {
		errs.Add("first_name", "Enter a first name")
	}
	last, msg := models.CleanName("Last name", in.LastName, 50)
	if msg != "" {
		errs.Add("last_name", msg)
	} else if last == "" && m.Requires("last_name") {
		errs.Add("last_name", "Enter a last name")
	}
	roles, msg := models.ProfileField{Label: "Roles", Kind: models.KindRoles}.Clean(in.Roles, "", s.now())
	if msg != "" {
		errs.Add("roles", msg)
	}
	member, msg := models.CleanCode("Member number", in.MemberNumber, 32)
	if msg != "" {
		errs.Add("member_number", msg)
	}
	card, msg := models.CleanCode("Card number", in.CardNumber, 32)
	if msg != "" {
		errs.Add("card_number", msg)
	}
	for _, g := range []struct {
		field string
		n     int
		typed string
	}{{"member_number", in.GenerateMember, member}, {"card_number", in.GenerateCard, card}} {
		if g.n != 0 && !slices.Contains(models.GeneratedLengths, g.n) {
			errs.Add(g.field, "Choose a length from the list")
		} else if g.n != 0 && g.typed != "" {
			errs.Add(g.field, "Either type a number or generate one, not both")
		}
	}
	if in.Password == "" {
		errs.Add("password", "Enter an initial password")
	} else {
		owner := models.PasswordOwner{Username: username, Email: email, FirstName: first, LastName: last, Merchant: m.Name, Whose: "the"}
		for _, msg := range m.PasswordPolicy.CheckNew("Initial password", in.Password, owner) {
			errs.Add("password", msg)
		}
	}
	if err := errs.Err(); err != nil {
		return nil, err
	}
	hash, err := hasher.Hash(ctx, in.Password)
	if err != nil {
		return nil, fmt.Errorf("hash password: %w", err)
	}
	now := s.now()
	u := &models.User{
		ID: NewID(), MerchantID: m.ID, Username: username, Email: email, FirstName: first, LastName: last,
		MemberNumber: member, CardNumber: card, PasswordHash: hash, Status: models.StatusActive,
		Roles: strings.Split(roles, ","), MustChangePassword: true, CreatedAt: now, CreatedBy: &actor.ID,
		UpdatedAt: now, UpdatedBy: &actor.ID, Version: 1,
	}
	err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var n int64
		if err := tx.Model(&models.User{}).Where("lower(username) = lower(?)", username).Count(&n).Error; err != nil {
			return err
		}
		if n > 0 {
			return models.FieldErrors{"username": {"This username is taken: choose another"}}
		}
		if in.GenerateMember != 0 {
			if u.MemberNumber, err = s.uniqueNumber(tx, m.ID, "member_number", in.GenerateMember); err != nil {
				return err
			}
		}
		if in.GenerateCard != 0 {
			if u.CardNumber, err = s.uniqueNumber(tx, m.ID, "card_number", in.GenerateCard); err != nil {
				return err
			}
		}
		if err := s.checkUnique(tx, m, nil, u); err != nil {
			return err
		}
		if err := tx.Create(u).Error; err != nil {
			return fmt.Errorf("create user: %w", err)
		}
		changes := models.Changes{{Field: "username", New: u.Username}, {Field: "password", Old: "", New: models.Secret}}
		for _, c := range []models.Change{{Field: "email", New: u.Email}, {Field: "member_number", New: u.MemberNumber}, {Field: "card_number", New: u.CardNumber}, {Field: "roles", New: roles}} {
			if c.New != "" {
				changes = append(changes, c)
			}
		}
		return audit(tx, m.ID, &actor.ID, &u.ID, models.ActionCreated, changes, meta, now)
	})
	if err != nil {
		return nil, err
	}
	return u, nil
}

// uniqueNumber draws random numbers of n digits (no leading zero) until
// one is unused in the merchant.
func (s *Users) uniqueNumber(tx *gorm.DB, merchantID, column string, n int) (string, error) {
	for range 20 {
		v, err := randomDigits(n)
		if err != nil {
			return "", err
		}
		taken, err := s.taken(tx, merchantID, "", column+" = ?", v)
		if err != nil {
			return "", err
		}
		if !taken {
			return v, nil
		}
	}
	return "", fmt.Errorf("no free %d-digit %s after 20 tries", n, column)
}

func randomDigits(n int) (string, error) {
	var b strings.Builder
	for i := range n {
		lo := int64(0)
		if i == 0 {
			lo = 1
		}
		d, err := rand.Int(rand.Reader, big.NewInt(10-lo))
		if err != nil {
			return "", err
		}
		b.WriteByte(byte('0' + lo + d.Int64()))
	}
	return b.String(), nil
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
