package store

import (
	"context"
	"errors"
	"time"

	"gorm.io/gorm"

	"myaccount/models"
)

// emailLinks are the links of an email change: the one that confirms the
// new address and the one that cancels the change from the old.
var emailLinks = []string{models.TokenVerifyEmail, models.TokenCancelEmail}

// addressLinks are every link that was sent to an address: when the
// account's address changes they all end, as the old address may no
// longer be the user's.
var addressLinks = append(append([]string{}, emailLinks...), passwordLinks...)

// RequestEmailChange makes email (from models.EmailChange.Validate, after
// the guard checked the password) u's pending address: it takes effect
// only when the link mailed to it is followed. The current address, if
// any, is told, with a link that cancels the change. An address another
// account of the merchant uses is refused now, and checked again when the
// link is followed.
func (s *Users) RequestEmailChange(ctx context.Context, m *models.Merchant, u *models.User, email string, meta Meta) error {
	now := s.now()
	return s.withMail(ctx, func(tx *gorm.DB) error {
		if err := s.emailLinkBudget(tx, u, now); err != nil {
			return err
		}
		claim := *u
		claim.Email = email
		if err := s.checkUnique(tx, m, u, &claim); err != nil {
			return asNewEmail(err)
		}
		next := *u
		next.PendingEmail, next.PendingEmailAt = email, &now
		err := s.save(tx, models.ByUser(u), &next, u.Version, []string{"pending_email", "pending_email_at"}, models.ActionEmailChangeRequested,
			models.Changes{{Field: "pending_email", Old: u.PendingEmail, New: email}}, meta, now)
		if err != nil {
			return err
		}
		// The request's own event records both links.
		verify := s.verifyLink()
		verify.action = ""
		if err := s.mailLink(tx, m, models.ByUser(u), &next, verify, email, email, meta, now); err != nil {
			return err
		}
		if next.Email != "" {
			if err := s.mailLink(tx, m, models.ByUser(u), &next, s.cancelLink(), next.Email, email, meta, now); err != nil {
				return err
			}
		}
		*u = next
		return nil
	})
}

// asNewEmail moves the uniqueness refusal of the email to the email
// form's field.
func asNewEmail(err error) error {
	var fe models.FieldErrors
	if errors.As(err, &fe) && fe.Has("email") {
		return models.FieldErrors{"new_email": fe["email"]}
	}
	return err
}

// ResendEmailChange mails the link that confirms u's pending address
// again; the earlier one stops working. models.ErrNothingPending when no
// change waits.
func (s *Users) ResendEmailChange(ctx context.Context, m *models.Merchant, u *models.User, meta Meta) error {
	if u.PendingEmail == "" {
		return models.ErrNothingPending
	}
	return s.SendVerification(ctx, m, u, u, meta)
}

// SendVerification mails a link that proves an address is u's, on u's own
// request or an admin's (actor): to the pending address when a change
// waits (only the newest confirmation link works, so it replaces that
// change's link), else to the current one. An account with neither is
// models.ErrNoEmail.
func (s *Users) SendVerification(ctx context.Context, m *models.Merchant, actor, u *models.User, meta Meta) error {
	if u.Email == "" && u.PendingEmail == "" {
		return models.ErrNoEmail
	}
	to := u.Email
	if u.PendingEmail != "" {
		to = u.PendingEmail
	}
	now := s.now()
	return s.withMail(ctx, func(tx *gorm.DB) error {
		if err := s.emailLinkBudget(tx, u, now); err != nil {
			return err
		}
		return s.mailLink(tx, m, models.ByUser(actor), u, s.verifyLink(), to, to, meta, now)
	})
}

// emailLinkBudget refuses a confirmation link past
// models.MaxEmailLinksPerHour for u.
func (s *Users) emailLinkBudget(tx *gorm.DB, u *models.User, now time.Time) error {
	n, err := linksSince(tx, u.ID, models.TokenVerifyEmail, now.Add(-time.Hour))
	if err != nil {
		return err
	}
	if n >= models.MaxEmailLinksPerHour {
		return models.ErrTooManyLinks
	}
	return nil
}

// ConfirmEmail spends confirmation link t of u and applies what it
// proves (models.User.ProvesEmail): a pending address becomes u's
// address, verified, and the old address is told; a current address
// becomes verified. A new address another account of the merchant took in
// the meantime is refused with a field error on "email", and the link
// stays unspent.
func (s *Users) ConfirmEmail(ctx context.Context, m *models.Merchant, t *models.UserToken, u *models.User, meta Meta) error {
	proof, err := u.ProvesEmail(t)
	if err != nil || t.Purpose != models.TokenVerifyEmail {
		return models.ErrLinkInvalid
	}
	now := s.now()
	return s.withMail(ctx, func(tx *gorm.DB) error {
		if err := useToken(tx, t, now); err != nil {
			return err
		}
		next := *u
		next.EmailVerified, next.EmailVerifiedAt = true, &now
		if !proof.Change {
			err := s.save(tx, models.ByUser(u), &next, u.Version, []string{"email_verified", "email_verified_at"}, models.ActionEmailVerified,
				models.Changes{{Field: "email_verified", Old: "false", New: "true"}}, meta, now)
			if err == nil {
				*u = next
			}
			return err
		}
		next.PreviousEmail, next.Email, next.PendingEmail, next.PendingEmailAt = u.Email, proof.Address, "", nil
		if err := s.checkUnique(tx, m, u, &next); err != nil {
			return err
		}
		err := s.save(tx, models.ByUser(u), &next, u.Version, []string{"email", "previous_email", "pending_email", "pending_email_at", "email_verified", "email_verified_at"},
			models.ActionEmailChange, models.Changes{{Field: "email", Old: u.Email, New: proof.Address}}, meta, now)
		if err != nil {
			return err
		}
		if err := revokeTokens(tx, u.ID, now, addressLinks...); err != nil {
			return err
		}
		if err := s.emailChanged(tx, m, models.ByUser(u), u, &next, meta, now); err != nil {
			return err
		}
		*u = next
		return nil
	})
}

// emailChanged tells the address before had that next, its account now,
// has another one, changed by actor.
func (s *Users) emailChanged(tx *gorm.DB, m *models.Merchant, actor models.Actor, before, next *models.User, meta Meta, now time.Time) error {
	l := signed(letter(models.MailEmailChanged, m, next, meta, now), actor)
	l.To, l.OldEmail, l.NewEmail = before.Email, before.Email, next.Email
	return s.notify(tx, l)
}

// CancelEmailChange drops u's pending address and ends its links: from
// the overview (t is nil) or through the cancel link t mailed to the old
// address. models.ErrNothingPending when no change waits.
func (s *Users) CancelEmailChange(ctx context.Context, t *models.UserToken, u *models.User, meta Meta) error {
	if u.PendingEmail == "" {
		return models.ErrNothingPending
	}
	if t != nil {
		if proof, err := u.ProvesEmail(t); err != nil || !proof.Change {
			return models.ErrLinkInvalid
		}
	}
	now := s.now()
	return s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if t != nil {
			if err := useToken(tx, t, now); err != nil {
				return err
			}
		}
		if err := revokeTokens(tx, u.ID, now, emailLinks...); err != nil {
			return err
		}
		next := *u
		next.PendingEmail, next.PendingEmailAt = "", nil
		err := s.save(tx, models.ByUser(u), &next, u.Version, []string{"pending_email", "pending_email_at"}, models.ActionEmailChangeCancelled,
			models.Changes{{Field: "pending_email", Old: u.PendingEmail, New: ""}}, meta, now)
		if err == nil {
			*u = next
		}
		return err
	})
}
