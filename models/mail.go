package models

import (
	"errors"
	"strings"
	"time"
)

// Why a message is sent: each kind is a letter the mailer package knows how
// to write.
const (
	// MailPasswordReset carries a link to choose a new password, asked
	// for on the forgotten-password page or sent by an admin.
	MailPasswordReset = "password_reset"
	// MailInvitation carries a link for a new member to choose their
	// first password.
	MailInvitation = "invitation"
	// MailVerifyEmail carries a link that proves an address is the
	// user's: a new address waiting to take effect, or the current one.
	MailVerifyEmail = "verify_email"
	// MailEmailChangeRequested tells the current address that a change
	// to another was asked for, with a link that cancels it.
	MailEmailChangeRequested = "email_change_requested"
	// MailEmailChanged tells the old address that the change took effect.
	MailEmailChanged = "email_changed"
	// MailPasswordChanged tells the account that its password changed.
	MailPasswordChanged = "password_changed"
	// MailLocked tells the account that wrong passwords locked it.
	MailLocked = "locked"
)

// What a link's token lets its holder do.
const (
	TokenReset       = "reset"
	TokenInvite      = "invite"
	TokenVerifyEmail = "verify_email"
	TokenCancelEmail = "cancel_email"
)

// Letter is a message to write: why it is sent, to whom, and what it must
// say. The mailer package writes it; the store queues what it wrote with
// the change that caused it.
type Letter struct {
	Kind     string
	Merchant *Merchant
	// User is the account the message is about.
	User *User
	To   string
	// Token is the link's secret, for the kinds with a link, and
	// ExpiresAt when the link stops working.
	Token     string
	ExpiresAt time.Time
	// At is when the change was made, IP and UserAgent where from.
	At        time.Time
	IP        string
	UserAgent string
	// OldEmail and NewEmail are the addresses of an email change.
	OldEmail, NewEmail string
	// By names the admin who acted; "" when the user acted, or no one.
	// Via names the integration (its API key's name) that acted instead.
	By, Via string
	// LockedUntil ends a temporary lock; Permanent is a lock until an
	// admin lifts it.
	LockedUntil time.Time
	Permanent   bool
}

// Mail is a written message, ready to queue.
type Mail struct {
	Kind string
	To   string
	// FromName is the name the message comes from: the merchant's.
	FromName string
	Subject  string
	Text     string
	HTML     string
}

// OutboxMessage is a queued message: written in the transaction of the
// change that caused it, sent by the mail worker.
type OutboxMessage struct {
	ID         string `gorm:"primaryKey"`
	MerchantID string
	UserID     *string
	Kind       string
	ToAddress  string
	FromName   string
	Subject    string
	TextBody   string
	HTMLBody   string `gorm:"column:html_body"`
	CreatedAt  time.Time
	// Attempts counts the sends that failed; NextAttemptAt is when the
	// next may start.
	Attempts      int
	NextAttemptAt time.Time
	// ClaimedBy names the worker sending it until ClaimedUntil.
	ClaimedBy    string
	ClaimedUntil *time.Time
	LastError    string
	SentAt       *time.Time
	// FailedAt is set when the worker gave up.
	FailedAt *time.Time
}

// TableName is the outbox's table.
func (OutboxMessage) TableName() string { return "mail_outbox" }

// UserToken is a link's token, stored by its SHA-256 only.
type UserToken struct {
	// ID is the token's SHA-256, in hex.
	ID      string `gorm:"primaryKey"`
	UserID  string
	Purpose string
	// Email is the address the link was sent to, for a link that proves
	// one.
	Email     string
	CreatedAt time.Time
	CreatedBy *string
	ExpiresAt time.Time
	UsedAt    *time.Time
	RevokedAt *time.Time
}

// LinkLifetimes say how long each kind of link works.
type LinkLifetimes struct {
	Reset  time.Duration
	Invite time.Duration
	Email  time.Duration
}

// Refusals of a link or a request to send one.
var (
	// ErrNothingPending: no email change waits to be confirmed or
	// cancelled.
	ErrNothingPending = errors.New("no email change is waiting")
	// ErrTooManyLinks: the account was sent MaxEmailLinksPerHour
	// confirmation links in the last hour already.
	ErrTooManyLinks = errors.New("too many links")
)

// MaxEmailLinksPerHour bounds the confirmation links one account is sent
// in an hour, whoever asks: each one mails an address, perhaps not the
// user's own.
const MaxEmailLinksPerHour = 5

// EmailLink is what a confirmation link proves for its user: that
// Address is theirs, and, when Change is set, that it should replace
// their current address.
type EmailLink struct {
	Address string
	Change  bool
}

// ProvesEmail says what link t, made for u, would prove now. A link sent
// to an address that is neither u's pending nor u's current one any more
// proves nothing: ErrLinkInvalid.
func (u *User) ProvesEmail(t *UserToken) (EmailLink, error) {
	switch {
	case t.Purpose != TokenVerifyEmail && t.Purpose != TokenCancelEmail:
		return EmailLink{}, ErrLinkInvalid
	case u.PendingEmail != "" && strings.EqualFold(t.Email, u.PendingEmail):
		return EmailLink{Address: u.PendingEmail, Change: true}, nil
	case t.Purpose == TokenVerifyEmail && u.Email != "" && strings.EqualFold(t.Email, u.Email):
		return EmailLink{Address: u.Email}, nil
	}
	return EmailLink{}, ErrLinkInvalid
}
