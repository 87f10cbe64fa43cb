package store

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	"gorm.io/gorm"

	"myaccount/models"
)

// MailWriter writes letters into messages; the mailer package's Writer is
// the real one.
type MailWriter interface {
	Write(models.Letter) (models.Mail, error)
}

// Outbox is the queue of messages to send: the store writes each in the
// transaction of the change that causes it, and the mail worker sends
// them (mailer.Worker). It is the mailer package's Queue.
//
// Several workers, in one process or several on one database, share it:
// a claim holds a message for a lease, taken with FOR UPDATE SKIP LOCKED
// on PostgreSQL (SQLite writes one transaction at a time), and only the
// worker that holds it can record what came of it.
type Outbox struct {
	db     *gorm.DB
	writer MailWriter
	queued chan struct{}
	now    func() time.Time
}

// NewOutbox returns the outbox over db, writing messages with writer.
func NewOutbox(db *gorm.DB, writer MailWriter) *Outbox {
	return &Outbox{db: db, writer: writer, queued: make(chan struct{}, 1), now: func() time.Time { return time.Now().UTC() }}
}

// errNoMail is a change that would send a message from a store that has
// no outbox.
var errNoMail = errors.New("this store sends no mail: it was made without an outbox")

// queue writes l and queues it in tx, to be sent once tx commits.
func (o *Outbox) queue(tx *gorm.DB, l models.Letter) error {
	if o == nil || o.writer == nil {
		return errNoMail
	}
	m, err := o.writer.Write(l)
	if err != nil {
		return err
	}
	now := o.now()
	row := models.OutboxMessage{
		ID: NewID(), MerchantID: l.Merchant.ID, UserID: &l.User.ID, Kind: m.Kind, ToAddress: m.To, FromName: m.FromName,
		Subject: m.Subject, TextBody: m.Text, HTMLBody: m.HTML, CreatedAt: now, NextAttemptAt: now,
	}
	if err := tx.Create(&row).Error; err != nil {
		return fmt.Errorf("queue %s mail: %w", l.Kind, err)
	}
	if queued, ok := tx.Statement.Context.Value(mailQueuedKey{}).(*atomic.Bool); ok {
		queued.Store(true)
	}
	return nil
}

// mailQueuedKey holds, in the context of a transaction of Users.withMail,
// whether it queued mail: the worker is woken only then, not after every
// profile save.
type mailQueuedKey struct{}

// poke wakes the worker of this process: a change queued mail.
func (o *Outbox) poke() {
	if o == nil {
		return
	}
	select {
	case o.queued <- struct{}{}:
	default:
	}
}

// Queued is signalled after a change of this process queued mail.
func (o *Outbox) Queued() <-chan struct{} { return o.queued }

// Claim takes up to n messages that are due and unclaimed (or whose claim
// ran out), oldest first, for worker until lease from now.
func (o *Outbox) Claim(ctx context.Context, worker string, n int, lease time.Duration) ([]models.OutboxMessage, error) {
	now := o.now()
	lock := ""
	if o.db.Dialector.Name() == "postgres" {
		lock = " FOR UPDATE SKIP LOCKED"
	}
	// The outer condition repeats the inner one: on PostgreSQL a row
	// another claim updated meanwhile is checked again as it is now.
	const free = "sent_at IS NULL AND failed_at IS NULL AND (claimed_until IS NULL OR claimed_until < @now)"
	var out []models.OutboxMessage
	err := o.db.WithContext(ctx).Raw(`UPDATE mail_outbox SET claimed_by = @worker, claimed_until = @until
		WHERE id IN (SELECT id FROM mail_outbox WHERE `+free+` AND next_attempt_at <= @now
			ORDER BY next_attempt_at, id LIMIT @n`+lock+`) AND `+free+`
		RETURNING *`,
		map[string]any{"worker": worker, "until": now.Add(lease), "now": now, "n": n}).Scan(&out).Error
	if err != nil {
		return nil, fmt.Errorf("claim mail: %w", err)
	}
	return out, nil
}

// Sent records message id as sent by worker, and forgets its body: its
// links are secrets, and the message is the recipient's now.
func (o *Outbox) Sent(ctx context.Context, id, worker string) error {
	return o.finish(ctx, id, worker, map[string]any{"sent_at": o.now(), "text_body": "", "html_body": "", "last_error": ""})
}

// Retry puts message id back, to be tried again at at.
func (o *Outbox) Retry(ctx context.Context, id, worker string, at time.Time, reason string) error {
	return o.finish(ctx, id, worker, map[string]any{"attempts": gorm.Expr("attempts + 1"), "next_attempt_at": at, "last_error": reason})
}

// Fail gives message id up, and forgets its body.
func (o *Outbox) Fail(ctx context.Context, id, worker string, reason string) error {
	return o.finish(ctx, id, worker, map[string]any{"attempts": gorm.Expr("attempts + 1"), "failed_at": o.now(), "last_error": reason, "text_body": "", "html_body": ""})
}

// ErrClaimLost is a worker recording the outcome of a message it no
// longer holds.
var ErrClaimLost = errors.New("the claim on this message ran out and passed on")

func (o *Outbox) finish(ctx context.Context, id, worker string, set map[string]any) error {
	set["claimed_until"] = nil
	res := o.db.WithContext(ctx).Model(&models.OutboxMessage{}).Where("id = ? AND claimed_by = ? AND sent_at IS NULL AND failed_at IS NULL", id, worker).Updates(set)
	if res.Error != nil {
		return fmt.Errorf("record mail %s: %w", id, res.Error)
	}
	if res.RowsAffected == 0 {
		return ErrClaimLost
	}
	return nil
}

// Purge forgets sent and failed messages created before before, and the
// links that expired before it.
func (o *Outbox) Purge(ctx context.Context, before time.Time) error {
	db := o.db.WithContext(ctx)
	if err := db.Where("created_at < ? AND (sent_at IS NOT NULL OR failed_at IS NOT NULL)", before).Delete(&models.OutboxMessage{}).Error; err != nil {
		return fmt.Errorf("forget old mail: %w", err)
	}
	if err := db.Where("expires_at < ?", before).Delete(&models.UserToken{}).Error; err != nil {
		return fmt.Errorf("forget old links: %w", err)
	}
	return nil
}

// Pending counts the messages waiting to be sent.
func (o *Outbox) Pending(ctx context.Context) (int64, error) {
	var n int64
	err := o.db.WithContext(ctx).Model(&models.OutboxMessage{}).Where("sent_at IS NULL AND failed_at IS NULL").Count(&n).Error
	return n, err
}
