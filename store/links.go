package store

import (
	"context"
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

// mailLink makes a link of l's kind for u, queues the letter that carries
// it to u's address and records the sending, in tx; an older link of the
// same kind ends. actor is the admin (or the integration) who sent it;
// the zero Actor is someone asking for it on a page, who is not signed
// in. An account without an address is models.ErrNoEmail.
func (s *Users) mailLink(tx *gorm.DB, m *models.Merchant, actor models.Actor, u *models.User, l linkMail, meta Meta, now time.Time) error {
	if u.Email == "" {
		return models.ErrNoEmail
	}
	token, expires, err := issue(tx, u, l.purpose, u.Email, actor.UserID(), now, l.ttl)
	if err != nil {
		return err
	}
	out := letter(l.kind, m, u, meta, now)
	out.Token, out.ExpiresAt, out.By = token, expires, adminName(actor.User, u)
	if err := s.mail.queue(tx, out); err != nil {
		return err
	}
	return auditBy(tx, m.ID, actor, &u.ID, l.action, models.Changes{{Field: "sent_to", New: u.Email}}, meta, now)
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
		return s.mailLink(tx, m, by, u, s.resetLink(), meta, now)
	})
}

// Lifetimes say how long each kind of link this store mails works.
func (s *Users) Lifetimes() models.LinkLifetimes { return s.links }
