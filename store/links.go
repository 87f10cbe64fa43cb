package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"

	"myaccount/models"
)

// linkMail is a kind of mailed link: what it lets its holder do, the
// letter that carries it, how long it works, and the audit action that
// records its sending.
type linkMail struct {
	purpose, kind, action string
	ttl                   time.Duration
}

// resetLink is the link that chooses a new password.
func (s *Users) resetLink() linkMail {
	return linkMail{purpose: models.TokenReset, kind: models.MailPasswordReset, action: models.ActionResetLinkSent, ttl: s.links.Reset}
}

// inviteLink is the link an invited user chooses their first password
// with.
func (s *Users) inviteLink() linkMail {
	return linkMail{purpose: models.TokenInvite, kind: models.MailInvitation, action: models.ActionInvited, ttl: s.links.Invite}
}

// verifyLink is the link that proves an address is the user's.
func (s *Users) verifyLink() linkMail {
	return linkMail{purpose: models.TokenVerifyEmail, kind: models.MailVerifyEmail, action: models.ActionVerificationSent, ttl: s.links.Email}
}

// cancelLink is the link, mailed to the current address, that cancels a
// change to the pending one; the request's own event records it.
func (s *Users) cancelLink() linkMail {
	return linkMail{purpose: models.TokenCancelEmail, kind: models.MailEmailChangeRequested, ttl: s.links.Email}
}

// mailLink makes a link of l's kind for u, queues the letter that carries
// it to the address to and records the sending (when l has an action), in
// tx; an older link of the same kind ends. proves is the address the link
// is about: to itself, but for the cancel link, which is about the
// pending address. A letter about u while a change of address waits names
// both addresses. actor is the admin (or the integration) who sent it, or
// u; the zero Actor is someone asking for it on a page, who is not signed
// in. No address to send to is models.ErrNoEmail.
func (s *Users) mailLink(tx *gorm.DB, m *models.Merchant, actor models.Actor, u *models.User, l linkMail, to, proves string, meta Meta, now time.Time) error {
	if to == "" {
		return models.ErrNoEmail
	}
	var by *string
	if id := actor.UserID(); id != nil && *id != u.ID {
		by = id
	}
	token, expires, err := issue(tx, u, l.purpose, proves, by, now, l.ttl)
	if err != nil {
		return err
	}
	out := signed(letter(l.kind, m, u, meta, now), actor)
	out.To, out.Token, out.ExpiresAt = to, token, expires
	if u.PendingEmail != "" {
		out.OldEmail, out.NewEmail = u.Email, u.PendingEmail
	}
	if err := s.mail.queue(tx, out); err != nil {
		return err
	}
	if l.action == "" {
		return nil
	}
	return auditBy(tx, m.ID, actor, &u.ID, l.action, models.Changes{{Field: "sent_to", New: to}}, meta, now)
}

// SendResetLink mails u, of m, a link to choose a new password, for as
// long as the reset links last. actor is the admin who sends it, or nil
// when it was asked for on the forgotten-password page. Who may ask, and
// how often, is the caller's to decide (models.User.MayAskForResetLink,
// LinksSince).
func (s *Users) SendResetLink(ctx context.Context, m *models.Merchant, actor, u *models.User, meta Meta) error {
	var by models.Actor
	if actor != nil {
		by = models.ByUser(actor)
	}
	now := s.now()
	return s.withMail(ctx, func(tx *gorm.DB) error {
		return s.mailLink(tx, m, by, u, s.resetLink(), u.Email, u.Email, meta, now)
	})
}

// ResendInvitation mails u, of m, a new invitation, sent by actor, an
// admin: the older one ends. A user who does not await one
// (AwaitsInvitation: never invited, or with a password since) is
// models.ErrNotInvited.
func (s *Users) ResendInvitation(ctx context.Context, m *models.Merchant, actor, u *models.User, meta Meta) error {
	awaits, err := s.AwaitsInvitation(ctx, u)
	if err != nil {
		return err
	}
	if !awaits {
		return models.ErrNotInvited
	}
	now := s.now()
	return s.withMail(ctx, func(tx *gorm.DB) error {
		return s.mailLink(tx, m, models.ByUser(actor), u, s.inviteLink(), u.Email, u.Email, meta, now)
	})
}

// AwaitsInvitation reports whether u was invited and has not accepted:
// an invitation was sent, and no password was set since, through its link
// or any other way. The audit trail keeps the invitation after its link
// is forgotten.
func (s *Users) AwaitsInvitation(ctx context.Context, u *models.User) (bool, error) {
	if u.PasswordChangedAt != nil {
		return false, nil
	}
	var n int64
	err := s.db.WithContext(ctx).Model(&models.AuditEvent{}).Where("subject_id = ? AND action = ?", u.ID, models.ActionInvited).Limit(1).Count(&n).Error
	if err != nil {
		return false, fmt.Errorf("find invitation: %w", err)
	}
	return n > 0, nil
}

// Lifetimes say how long each kind of link this store mails works.
func (s *Users) Lifetimes() models.LinkLifetimes { return s.links }

// SetPasswordByLink makes pw, chosen through link t (from Link), u's
// password, after the rules that need the database: it is none of u's
// last passwords, nor the current one. In one transaction:
//
//   - the link is spent: of two uses at once, one is models.ErrLinkInvalid;
//   - the hash is stored with the history, and the notice queued;
//   - the temporary locks of the account's own attempt budget and of its
//     devices are lifted: whoever locked them, the owner has proved who
//     they are;
//   - every session of u ends, on every device;
//   - an invitation's link also marks the address it was sent to as
//     verified, as following it proved the address is u's.
//
// A LOCKED or INACTIVE status is not lifted: an admin's lock, or the
// merchant's lock after too many temporary ones, stays until an admin
// unlocks the account. The password changes, but the account stays shut.
func (s *Users) SetPasswordByLink(ctx context.Context, hasher PasswordHasher, m *models.Merchant, t *models.UserToken, u *models.User, pw string, meta Meta) error {
	hash, err := s.hashNew(ctx, hasher, m, u, pw, true)
	if err != nil {
		return err
	}
	now := s.now()
	next := *u
	next.PasswordHash, next.MustChangePassword = hash, false
	next.LockedUntil, next.FailedLoginCount, next.LockoutCount = nil, 0, 0
	set := passwordSet{actor: u, action: models.ActionPasswordSetByLink,
		columns: []string{"locked_until", "failed_login_count", "lockout_count"},
		changes: models.Changes{{Field: "link", New: t.Purpose}}}
	// The link went to the account's address: following it proves the
	// address is the user's, for a reset as for an invitation.
	if strings.EqualFold(t.Email, u.Email) && u.Email != "" && !u.EmailVerified {
		next.EmailVerified, next.EmailVerifiedAt = true, &now
		set.columns = append(set.columns, "email_verified", "email_verified_at")
		set.changes = append(set.changes, models.Change{Field: "email_verified", Old: "false", New: "true"})
	}
	err = s.withMail(ctx, func(tx *gorm.DB) error {
		if err := useToken(tx, t, now); err != nil {
			return err
		}
		if err := clearLocks(tx, u); err != nil {
			return err
		}
		if err := endSessions(tx, u.ID); err != nil {
			return err
		}
		return s.setPassword(tx, m, u, &next, set, meta, now)
	})
	if err != nil {
		return err
	}
	*u = next
	return nil
}
