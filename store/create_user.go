package store

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"math/big"
	"strings"

	"gorm.io/gorm"

	"myaccount/models"
)

// usernameTaken refuses a username another account has, in any case:
// usernames are unique across merchants, as sign-in needs.
const usernameTaken = "This username is taken: choose another"

// CreateUser adds in (from models.NewUser.Validate) to m, made by actor
// (an admin, or an integration's key), with an initial password that must
// be changed at the first sign-in, or with an invitation: the account
// gets a password nobody knows, and in the same transaction a link to
// choose one is mailed to its address (signed by the admin) and audited.
// It keeps the rules that need the database: the username is free in the
// whole deployment, generated numbers are unused, and the identifiers the
// merchant keeps unique (and those in.Unique names) are. The profile
// fields in holds are audited with the creation, each consent on its own.
func (s *Users) CreateUser(ctx context.Context, hasher PasswordHasher, actor models.Actor, m *models.Merchant, in models.UserToCreate, meta Meta) (*models.User, error) {
	return s.CreateUserOnce(ctx, hasher, actor, m, in, meta, nil)
}

// CreateUserOnce is CreateUser that keeps once's answer in the same
// transaction, so a retry under the same idempotency key finds it (see
// Replay). When another create under that key commits first, nothing is
// created and the error is *Replayed, with the kept answer.
func (s *Users) CreateUserOnce(ctx context.Context, hasher PasswordHasher, actor models.Actor, m *models.Merchant, in models.UserToCreate, meta Meta, once *Once) (*models.User, error) {
	hash, err := initialHash(ctx, hasher, in)
	if err != nil {
		return nil, err
	}
	now := s.now()
	u := in.User
	u.ID, u.MerchantID, u.PasswordHash, u.Status, u.MustChangePassword = NewID(), m.ID, hash, models.StatusActive, !in.Invite
	u.CreatedAt, u.CreatedBy, u.UpdatedAt, u.UpdatedBy, u.Version = now, actor.UserID(), now, actor.UserID(), 1
	err = s.withMail(ctx, func(tx *gorm.DB) error {
		if err := s.claimIdentifiers(tx, m, &u, in); err != nil {
			return err
		}
		if err := tx.Create(&u).Error; err != nil {
			if isDuplicate(err) {
				// Taken by a create that committed after the check.
				return models.FieldErrors{"username": {usernameTaken}}
			}
			return fmt.Errorf("create user: %w", err)
		}
		if err := auditBy(tx, m.ID, actor, &u.ID, models.ActionCreated, append(creationChanges(&u), in.Changes...), meta, now); err != nil {
			return err
		}
		if err := auditConsents(tx, actor, &u, in.Consents, meta, now); err != nil {
			return err
		}
		if in.Invite {
			if err := s.mailLink(tx, m, actor, &u, s.inviteLink(), u.Email, u.Email, meta, now); err != nil {
				return err
			}
		}
		if once != nil {
			return keep(tx, once, &u, now)
		}
		return nil
	})
	if err != nil && once != nil {
		// A create under the same key may have committed meanwhile: its
		// answer is the answer (whichever step this one failed at).
		status, body, ok, rerr := s.Replay(ctx, once)
		if ok && rerr == nil {
			return nil, &Replayed{Status: status, Body: body}
		}
	}
	if err != nil {
		return nil, err
	}
	return &u, nil
}

// initialHash is the hash a new account starts with: of the initial
// password, or for an invitation of 32 random bytes, a password nobody
// knows, until the invited user chooses theirs.
func initialHash(ctx context.Context, hasher PasswordHasher, in models.UserToCreate) (string, error) {
	password := in.Password
	if in.Invite {
		b := make([]byte, 32)
		if _, err := rand.Read(b); err != nil {
			return "", err
		}
		password = hex.EncodeToString(b)
	}
	hash, err := hasher.Hash(ctx, password)
	if err != nil {
		return "", fmt.Errorf("hash password: %w", err)
	}
	return hash, nil
}

// Replayed is a create that was already made under the same idempotency
// key: its kept answer.
type Replayed struct {
	Status int
	Body   []byte
}

func (r *Replayed) Error() string { return "answered before under the same idempotency key" }

// claimIdentifiers checks that u's username is free, draws the numbers in
// asks for, and checks the merchant's unique identifiers, in tx.
func (s *Users) claimIdentifiers(tx *gorm.DB, m *models.Merchant, u *models.User, in models.UserToCreate) error {
	var n int64
	if err := tx.Model(&models.User{}).Where("lower(username) = lower(?)", u.Username).Count(&n).Error; err != nil {
		return fmt.Errorf("username check: %w", err)
	}
	if n > 0 {
		return models.FieldErrors{"username": {usernameTaken}}
	}
	var err error
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
	return s.checkUnique(tx, m, nil, u, in.Unique...)
}

// creationChanges is what the audit trail records of a new account.
func creationChanges(u *models.User) models.Changes {
	changes := models.Changes{{Field: "username", New: u.Username}, {Field: "password", Old: "", New: models.Secret}}
	for _, c := range []models.Change{{Field: "email", New: u.Email}, {Field: "member_number", New: u.MemberNumber}, {Field: "card_number", New: u.CardNumber}, {Field: "roles", New: strings.Join(u.Roles, ",")}} {
		if c.New != "" {
			changes = append(changes, c)
		}
	}
	return changes
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
