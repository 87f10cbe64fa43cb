package store

import (
	"time"

	"gorm.io/gorm"

	"myaccount/models"
)

// letter starts a letter of kind about u, of m, to u's address, for a
// change made at now from where meta says.
func letter(kind string, m *models.Merchant, u *models.User, meta Meta, now time.Time) models.Letter {
	return models.Letter{Kind: kind, Merchant: m, User: u, To: u.Email, At: now, IP: meta.IP, UserAgent: meta.UserAgent}
}

// notify queues the security notice l in tx. An account without an
// address gets none.
func (s *Users) notify(tx *gorm.DB, l models.Letter) error {
	if l.To == "" {
		return nil
	}
	return s.mail.queue(tx, l)
}

// adminName is how a notice names the admin who acted, or "" when the
// user acted themselves.
func adminName(actor, subject *models.User) string {
	if actor == nil || actor.ID == subject.ID {
		return ""
	}
	return actor.DisplayName()
}

// signed puts on l who acted on its user: an admin other than the user
// (By), or an integration's key (Via).
func signed(l models.Letter, actor models.Actor) models.Letter {
	if actor.Key != nil {
		l.Via = actor.Key.Name
		return l
	}
	l.By = adminName(actor.User, l.User)
	return l
}

// passwordChanged ends u's password links, which a password change
// makes stale, and queues the notice that the password changed, by
// actor (an admin) or by u.
func (s *Users) passwordChanged(tx *gorm.DB, m *models.Merchant, actor, u *models.User, meta Meta, now time.Time) error {
	if err := revokeTokens(tx, u.ID, now, passwordLinks...); err != nil {
		return err
	}
	l := letter(models.MailPasswordChanged, m, u, meta, now)
	l.By = adminName(actor, u)
	return s.notify(tx, l)
}
