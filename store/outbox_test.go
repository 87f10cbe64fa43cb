package store_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"myaccount/internal/testapp"
	"myaccount/models"
	"myaccount/store"
)

// queueFuture puts n messages in the outbox that fall due at due, beyond
// what the app's own worker sees as due.
func queueFuture(t *testing.T, app *testapp.App, n int, due time.Time) []string {
	t.Helper()
	m := app.Merchant(t, "sandpiper")
	ids := make([]string, n)
	for i := range ids {
		ids[i] = store.NewID()
		row := models.OutboxMessage{ID: ids[i], MerchantID: m.ID, Kind: models.MailLocked, ToAddress: fmt.Sprintf("u%d@example.com", i),
			Subject: "s", TextBody: "secret link", HTMLBody: "<p>secret link</p>", CreatedAt: due, NextAttemptAt: due}
		if err := app.DB.Create(&row).Error; err != nil {
			t.Fatal(err)
		}
	}
	return ids
}

// Workers claiming at once, as several instances on one database do,
// never hold the same message: each is claimed exactly once.
func TestOutboxClaimsEachMessageOnce(t *testing.T) {
	testapp.ForEach(t, func(t *testing.T, b testapp.Backend) {
		app := testapp.New(t, b)
		due := time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC)
		ids := queueFuture(t, app, 40, due)
		var mu sync.Mutex
		seen := map[string]string{}
		var wg sync.WaitGroup
		for w := range 4 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				o := store.NewOutbox(app.DB, nil)
				o.SetNow(func() time.Time { return due.Add(time.Second) })
				name := fmt.Sprintf("w%d", w)
				for {
					msgs, err := o.Claim(context.Background(), name, 3, time.Minute)
					if err != nil {
						t.Error(err)
						return
					}
					if len(msgs) == 0 {
						return
					}
					mu.Lock()
					for _, m := range msgs {
						if other, ok := seen[m.ID]; ok {
							t.Errorf("message %s claimed by %s and %s", m.ID, other, name)
						}
						seen[m.ID] = name
					}
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
		if len(seen) != len(ids) {
			t.Errorf("claimed %d messages, want %d", len(seen), len(ids))
		}
	})
}

// A claim that runs out passes the message on; the worker that lost it
// can no longer record it, and the one that holds it can. A sent message
// keeps no body.
func TestOutboxLeaseAndOutcome(t *testing.T) {
	testapp.ForEach(t, func(t *testing.T, b testapp.Backend) {
		app := testapp.New(t, b)
		ctx := context.Background()
		due := time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC)
		id := queueFuture(t, app, 1, due)[0]
		now := due
		o := store.NewOutbox(app.DB, nil)
		o.SetNow(func() time.Time { return now })
		if msgs, err := o.Claim(ctx, "a", 5, time.Minute); err != nil || len(msgs) != 1 || msgs[0].TextBody != "secret link" {
			t.Fatalf("first claim: %v %v", msgs, err)
		}
		if msgs, _ := o.Claim(ctx, "b", 5, time.Minute); len(msgs) != 0 {
			t.Fatalf("a held message was claimed again: %v", msgs)
		}
		now = now.Add(2 * time.Minute)
		if msgs, _ := o.Claim(ctx, "b", 5, time.Minute); len(msgs) != 1 {
			t.Fatalf("a message whose claim ran out was not claimed again: %v", msgs)
		}
		if err := o.Sent(ctx, id, "a"); err == nil {
			t.Fatal("the worker that lost the claim recorded the message as sent")
		}
		if err := o.Retry(ctx, id, "b", now.Add(time.Hour), "451 try later"); err != nil {
			t.Fatal(err)
		}
		if msgs, _ := o.Claim(ctx, "c", 5, time.Minute); len(msgs) != 0 {
			t.Fatalf("a message was claimed before its retry was due: %v", msgs)
		}
		now = now.Add(time.Hour)
		msgs, _ := o.Claim(ctx, "c", 5, time.Minute)
		if len(msgs) != 1 || msgs[0].Attempts != 1 || msgs[0].LastError != "451 try later" {
			t.Fatalf("retry: got %+v", msgs)
		}
		if err := o.Sent(ctx, id, "c"); err != nil {
			t.Fatal(err)
		}
		var row models.OutboxMessage
		app.DB.Where("id = ?", id).Take(&row)
		if row.SentAt == nil || row.TextBody != "" || row.HTMLBody != "" || row.ToAddress == "" {
			t.Errorf("sent row: got %+v, want sent, without its body, with its address", row)
		}
		if msgs, _ := o.Claim(ctx, "d", 5, time.Minute); len(msgs) != 0 {
			t.Fatalf("a sent message was claimed: %v", msgs)
		}
		if err := o.Fail(ctx, id, "c", "x"); !errors.Is(err, store.ErrClaimLost) {
			t.Errorf("recording a sent message again: got %v", err)
		}
	})
}
