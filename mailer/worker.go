// Package mailer writes My Account's messages (a plain text and an HTML
// part, from one content, with templ) and sends the queued ones: over SMTP
// with github.com/wneessen/go-mail, or as .eml files into a directory when
// no SMTP server is set. The store queues each message in the transaction
// of the change that causes it (store.Outbox); the Worker here sends them,
// retrying with a growing wait.
package mailer

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"log/slog"
	"strings"
	"time"

	gomail "github.com/wneessen/go-mail"

	"myaccount/models"
)

// Queue is the outbox as the worker uses it; store.Outbox is the real one.
// Every change but Claim names the worker, so a worker whose claim ran out
// and passed to another changes nothing.
type Queue interface {
	// Claim takes up to n messages that are due and that no one holds,
	// for lease.
	Claim(ctx context.Context, worker string, n int, lease time.Duration) ([]models.OutboxMessage, error)
	// Sent records a message as sent, and forgets its body.
	Sent(ctx context.Context, id, worker string) error
	// Retry puts a message back for another attempt at at.
	Retry(ctx context.Context, id, worker string, at time.Time, reason string) error
	// Fail gives a message up.
	Fail(ctx context.Context, id, worker string, reason string) error
	// Purge forgets sent and failed messages, and links, older than
	// before.
	Purge(ctx context.Context, before time.Time) error
	// Queued is signalled when a change queued a message.
	Queued() <-chan struct{}
}

// Worker sends the queued messages.
type Worker struct {
	Queue  Queue
	Sender Sender
	// From is the address messages come from; Domain ends their
	// Message-IDs.
	From   string
	Domain string
	Log    *slog.Logger
	// RetryWait is the wait after the first failure; each further one
	// doubles it, up to MaxWait. A message still not sent GiveUpAfter
	// its creation is given up, and logged as an error.
	RetryWait   time.Duration
	MaxWait     time.Duration
	GiveUpAfter time.Duration
	// Poll is how often the worker looks for messages other instances
	// queued, and for retries that are due.
	Poll time.Duration
	// Keep is how long sent messages and used links are kept.
	Keep time.Duration
	// Observe, if set, hears what came of each message: "sent", "retry"
	// or "failed".
	Observe func(outcome string)

	name string
	now  func() time.Time
}

// batch is how many messages one claim takes; the lease covers sending
// them all, each within sendTimeout, with a margin.
const batch = 5

var lease = batch*sendTimeout + time.Minute

// Run sends messages until ctx ends. A message being sent when it ends is
// finished first (at most sendTimeout), so it is not sent twice.
func (w *Worker) Run(ctx context.Context) {
	if w.name == "" {
		b := make([]byte, 8)
		_, _ = rand.Read(b)
		w.name = hex.EncodeToString(b)
	}
	if w.now == nil {
		w.now = func() time.Time { return time.Now().UTC() }
	}
	poll := time.NewTicker(w.Poll)
	defer poll.Stop()
	purged := time.Time{}
	for {
		w.drain(ctx)
		if now := w.now(); now.Sub(purged) > time.Hour {
			if err := w.Queue.Purge(ctx, now.Add(-w.Keep)); err != nil && ctx.Err() == nil {
				w.Log.Warn("mail: forget old messages", "err", err)
			}
			purged = now
		}
		select {
		case <-ctx.Done():
			return
		case <-w.Queue.Queued():
		case <-poll.C:
		}
	}
}

// drain sends what is due until nothing is, or ctx ends.
func (w *Worker) drain(ctx context.Context) {
	for ctx.Err() == nil {
		msgs, err := w.Queue.Claim(ctx, w.name, batch, lease)
		if err != nil {
			if ctx.Err() == nil {
				w.Log.Warn("mail: claim queued messages", "err", err)
			}
			return
		}
		if len(msgs) == 0 {
			return
		}
		for _, m := range msgs {
			w.send(context.WithoutCancel(ctx), m)
		}
	}
}

// send sends m and records what came of it.
func (w *Worker) send(ctx context.Context, m models.OutboxMessage) {
	log := w.Log.With("mail_id", m.ID, "kind", m.Kind)
	file, err := w.deliver(ctx, m)
	if err == nil {
		if err := w.Queue.Sent(ctx, m.ID, w.name); err != nil {
			log.Error("mail: sent, but not recorded as sent: it may be sent again", "err", err)
			return
		}
		if file != "" {
			log.Info("mail written", "file", file)
		} else {
			log.Info("mail sent", "attempts", m.Attempts+1)
		}
		w.observe("sent")
		return
	}
	reason := errorText(err)
	if permanent(err) || w.now().Sub(m.CreatedAt) > w.GiveUpAfter {
		log.Error("mail: given up", "attempts", m.Attempts+1, "err", reason)
		w.observe("failed")
		if err := w.Queue.Fail(ctx, m.ID, w.name, reason); err != nil {
			log.Error("mail: record failure", "err", err)
		}
		return
	}
	at := w.now().Add(w.wait(m.Attempts + 1))
	log.Warn("mail: not sent, will retry", "attempts", m.Attempts+1, "retry_at", at.Format(time.RFC3339), "err", reason)
	w.observe("retry")
	if err := w.Queue.Retry(ctx, m.ID, w.name, at, reason); err != nil {
		log.Error("mail: record failure", "err", err)
	}
}

func (w *Worker) observe(outcome string) {
	if w.Observe != nil {
		w.Observe(outcome)
	}
}

func (w *Worker) deliver(ctx context.Context, m models.OutboxMessage) (string, error) {
	msg, err := Compose(m, w.From, w.Domain)
	if err != nil {
		return "", err
	}
	ctx, cancel := context.WithTimeout(ctx, sendTimeout)
	defer cancel()
	return w.Sender.Send(ctx, msg)
}

// wait is the wait before attempt n+1, after n failures.
func (w *Worker) wait(n int) time.Duration {
	d := w.RetryWait
	for i := 1; i < n && d < w.MaxWait; i++ {
		d *= 2
	}
	return min(d, w.MaxWait)
}

// permanent reports a refusal that no retry will change: the server
// refused the recipient for good (a 5xx to RCPT TO), or the message
// cannot be built.
func permanent(err error) bool {
	var se *gomail.SendError
	if errors.As(err, &se) {
		return !se.IsTemp() && se.Reason == gomail.ErrSMTPRcptTo
	}
	var ce composeError
	return errors.As(err, &ce)
}

// composeError is a message that cannot be built: a bad address.
type composeError struct{ error }

func (e composeError) Unwrap() error { return e.error }

// errorText is err as the outbox keeps it: short, on one line.
func errorText(err error) string {
	s := strings.Join(strings.Fields(err.Error()), " ")
	if len(s) > 500 {
		s = s[:500]
	}
	return strings.ToValidUTF8(s, "")
}
