package mailer

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	gomail "github.com/wneessen/go-mail"

	"myaccount/models"
)

func letter(kind string) models.Letter {
	at := time.Date(2026, 12, 2, 16, 40, 0, 0, time.UTC)
	return models.Letter{
		Kind: kind, Merchant: &models.Merchant{ID: "m1", Name: "Sandpiper Bay"},
		User: &models.User{ID: "u1", Username: "dana", FirstName: "Dana", LastName: "<b>Reyes</b>", Email: "dana@example.com"},
		To:   "dana@example.com", Token: "tok_123-abc", ExpiresAt: at.Add(30 * time.Minute), At: at,
		IP: "203.0.113.9", UserAgent: "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0",
		OldEmail: "dana@example.com", NewEmail: "dana@new.example", LockedUntil: at.Add(5 * time.Minute),
	}
}

// Every letter names the merchant, greets the user, says why it was sent,
// and has the same words in both parts; a link letter carries its link in
// both, and a notice says when and from where.
func TestWriterWritesEveryKind(t *testing.T) {
	w := Writer{BaseURL: "https://account.example.com"}
	cases := []struct {
		kind, subject, link string
		notice              bool
	}{
		{models.MailPasswordReset, "Choose a new password for Sandpiper Bay", "https://account.example.com/password/reset?token=tok_123-abc", true},
		{models.MailInvitation, "Your Sandpiper Bay account is ready", "https://account.example.com/password/reset?token=tok_123-abc", false},
		{models.MailVerifyEmail, "Confirm your new email address for Sandpiper Bay", "https://account.example.com/email/confirm?token=tok_123-abc", false},
		{models.MailEmailChangeRequested, "Your Sandpiper Bay email address is about to change", "https://account.example.com/email/cancel?token=tok_123-abc", true},
		{models.MailEmailChanged, "Your Sandpiper Bay email address was changed", "", true},
		{models.MailPasswordChanged, "Your Sandpiper Bay password was changed", "", true},
		{models.MailLocked, "Your Sandpiper Bay account was locked after wrong passwords", "", true},
	}
	for _, tc := range cases {
		t.Run(tc.kind, func(t *testing.T) {
			m, err := w.Write(letter(tc.kind))
			if err != nil {
				t.Fatal(err)
			}
			if m.Subject != tc.subject || m.To != "dana@example.com" || m.FromName != "Sandpiper Bay" || m.Kind != tc.kind {
				t.Errorf("got subject %q to %q from %q kind %q", m.Subject, m.To, m.FromName, m.Kind)
			}
			for part, body := range map[string]string{"text": m.Text, "html": m.HTML} {
				for _, want := range []string{"Sandpiper Bay", "You received this email because", "dana"} {
					if !strings.Contains(body, want) {
						t.Errorf("%s part lacks %q:\n%s", part, want, body)
					}
				}
				if tc.link != "" && !strings.Contains(body, tc.link) {
					t.Errorf("%s part lacks the link %s:\n%s", part, tc.link, body)
				}
				if tc.link == "" && strings.Contains(body, "tok_123") {
					t.Errorf("%s part carries a token it has no use for:\n%s", part, body)
				}
				if tc.notice {
					for _, want := range []string{"2 December 2026 at 16:40 UTC", "Firefox 133 on Windows", "203.0.113.9"} {
						if !strings.Contains(body, want) {
							t.Errorf("%s part of a notice lacks %q:\n%s", part, want, body)
						}
					}
				}
			}
			if !strings.Contains(m.Text, "Hello Dana <b>Reyes</b>,") {
				t.Errorf("text part: want the name as typed:\n%s", m.Text)
			}
			if strings.Contains(m.HTML, "<b>Reyes</b>") || !strings.Contains(m.HTML, "&lt;b&gt;Reyes&lt;/b&gt;") {
				t.Errorf("html part: the name must be escaped:\n%s", m.HTML)
			}
		})
	}
}

// A reset an admin sent says who sent it; one the user asked for says
// from where.
func TestWriterNamesTheAdmin(t *testing.T) {
	l := letter(models.MailPasswordReset)
	l.By = "Ada Admin"
	m, err := Writer{BaseURL: "http://x"}.Write(l)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(m.Text, "Ada Admin, an administrator of Sandpiper Bay") || strings.Contains(m.Text, "203.0.113.9") {
		t.Errorf("got:\n%s", m.Text)
	}
	l = letter(models.MailLocked)
	l.Permanent = true
	if m, _ = (Writer{BaseURL: "http://x"}).Write(l); !strings.Contains(m.Text, "locked until an administrator of Sandpiper Bay unlocks it") {
		t.Errorf("permanent lock:\n%s", m.Text)
	}
}

func TestWriterRefusesAnIncompleteLetter(t *testing.T) {
	for name, l := range map[string]models.Letter{
		"no address": {Kind: models.MailLocked, Merchant: &models.Merchant{}, User: &models.User{}},
		"no user":    {Kind: models.MailLocked, Merchant: &models.Merchant{}, To: "a@b.c"},
		"no kind":    {Kind: "postcard", Merchant: &models.Merchant{}, User: &models.User{}, To: "a@b.c"},
	} {
		if _, err := (Writer{}).Write(l); err == nil {
			t.Errorf("%s: got no error", name)
		}
	}
}

func TestParseSMTPURL(t *testing.T) {
	good := map[string]string{
		"smtp://user:pass@mail.example.com:587": "SMTP smtp://mail.example.com:587 (STARTTLS required)",
		"smtp://mail.example.com":               "SMTP smtp://mail.example.com:587 (STARTTLS required)",
		"smtps://user:pass@mail.example.com":    "SMTP smtps://mail.example.com:465 (implicit TLS)",
		"smtp://127.0.0.1:1025?tls=none":        "SMTP smtp://127.0.0.1:1025 (no TLS)",
		"smtp://relay?tls=none":                 "SMTP smtp://relay:25 (no TLS)",
	}
	for raw, want := range good {
		s, err := ParseSMTPURL(raw, nil)
		if err != nil {
			t.Errorf("%s: %v", raw, err)
			continue
		}
		if s.Where() != want {
			t.Errorf("%s: got %q, want %q", raw, s.Where(), want)
		}
		if strings.Contains(s.Where(), "pass") {
			t.Errorf("%s: the description shows the password", raw)
		}
	}
	bad := map[string]string{
		"http://mail.example.com":                  "must start with smtp:// or smtps://",
		"smtp://user:secret@relay:25?tls=none":     "would send the password in clear",
		"smtps://relay?tls=none":                   "tls=none does not go with it",
		"smtp://relay?tls=maybe":                   "tls=maybe is not known",
		"smtp://relay?timeout=5":                   `unknown setting "timeout"`,
		"smtp://relay:99999":                       "is not a port",
		"mail.example.com:587":                     "must look like",
		"smtp://:25":                               "must look like",
		"smtp://user:pa ss@[::1":                   "must look like",
		"smtp://user:p%40ss@mail.example.com:2525": "",
	}
	for raw, want := range bad {
		_, err := ParseSMTPURL(raw, nil)
		if want == "" {
			if err != nil {
				t.Errorf("%s: %v", raw, err)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: got %v, want an error with %q", raw, err, want)
		}
		if err != nil && strings.Contains(err.Error(), "secret") {
			t.Errorf("%s: the error shows the password: %v", raw, err)
		}
	}
}

// Without SMTP, each message is a whole .eml file with both parts.
func TestDirWritesWholeFiles(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "mail")
	m, _ := Writer{BaseURL: "http://localhost:8080"}.Write(letter(models.MailPasswordReset))
	row := models.OutboxMessage{ID: "0193a0c4-0000-7000-8000-000000000001", ToAddress: m.To, FromName: m.FromName, Subject: m.Subject, TextBody: m.Text, HTMLBody: m.HTML, CreatedAt: time.Now()}
	msg, err := Compose(row, "no-reply@localhost", "localhost")
	if err != nil {
		t.Fatal(err)
	}
	file, err := Dir{Path: dir}.Send(context.Background(), msg)
	if err != nil {
		t.Fatal(err)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 || filepath.Join(dir, entries[0].Name()) != file || !strings.HasSuffix(file, ".eml") {
		t.Fatalf("got %v and file %s, want one .eml file", entries, file)
	}
	b, _ := os.ReadFile(file)
	for _, want := range []string{"multipart/alternative", "text/plain", "text/html", `From: "Sandpiper Bay" <no-reply@localhost>`,
		"Message-ID: <0193a0c4-0000-7000-8000-000000000001@localhost>", "Auto-Submitted: auto-generated"} {
		if !bytes.Contains(b, []byte(want)) {
			t.Errorf("file lacks %q:\n%s", want, b)
		}
	}
}

// fakeQueue is a queue of one message in memory.
type fakeQueue struct {
	mu      sync.Mutex
	msgs    []models.OutboxMessage
	events  []string
	queued  chan struct{}
	retryAt time.Time
}

func (q *fakeQueue) Claim(_ context.Context, _ string, n int, _ time.Duration) ([]models.OutboxMessage, error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	out := q.msgs
	q.msgs = nil
	return out, nil
}
func (q *fakeQueue) record(e string) { q.mu.Lock(); q.events = append(q.events, e); q.mu.Unlock() }
func (q *fakeQueue) Sent(_ context.Context, id, _ string) error {
	q.record("sent " + id)
	return nil
}
func (q *fakeQueue) Retry(_ context.Context, id, _ string, at time.Time, reason string) error {
	q.record("retry " + id)
	q.retryAt = at
	return nil
}
func (q *fakeQueue) Fail(_ context.Context, id, _ string, reason string) error {
	q.record("fail " + id + ": " + reason)
	return nil
}
func (q *fakeQueue) Purge(context.Context, time.Time) error { return nil }
func (q *fakeQueue) Queued() <-chan struct{}                { return q.queued }

type fakeSender struct{ err error }

func (s fakeSender) Send(context.Context, *gomail.Msg) (string, error) { return "", s.err }
func (s fakeSender) Where() string                                     { return "nowhere" }

// A failure is retried after a wait that doubles; a refused recipient and
// a message too old are given up.
func TestWorkerOutcomes(t *testing.T) {
	now := time.Date(2026, 12, 2, 12, 0, 0, 0, time.UTC)
	rcpt := &gomail.SendError{Reason: gomail.ErrSMTPRcptTo}
	cases := []struct {
		name    string
		err     error
		created time.Time
		want    string
	}{
		{"sent", nil, now, "sent m1"},
		{"temporary", errors.New("connection refused"), now, "retry m1"},
		{"recipient refused for good", rcpt, now, "fail m1"},
		{"too old", errors.New("connection refused"), now.Add(-73 * time.Hour), "fail m1: connection refused"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			q := &fakeQueue{msgs: []models.OutboxMessage{{ID: "m1", ToAddress: "a@example.com", CreatedAt: tc.created, Attempts: 2}}}
			w := &Worker{Queue: q, Sender: fakeSender{tc.err}, From: "x@example.com", Domain: "example.com", Log: slog.New(slog.NewTextHandler(io.Discard, nil)),
				RetryWait: time.Second, MaxWait: time.Hour, GiveUpAfter: 72 * time.Hour, now: func() time.Time { return now }}
			w.drain(context.Background())
			if len(q.events) != 1 || !strings.HasPrefix(q.events[0], tc.want) {
				t.Fatalf("got %v, want %q", q.events, tc.want)
			}
			if tc.want == "retry m1" && !q.retryAt.Equal(now.Add(4*time.Second)) {
				t.Errorf("third failure: retry at %v, want 4 s later", q.retryAt)
			}
		})
	}
}

func TestWorkerWaitDoubles(t *testing.T) {
	w := &Worker{RetryWait: 30 * time.Second, MaxWait: time.Hour}
	for n, want := range map[int]time.Duration{1: 30 * time.Second, 2: time.Minute, 3: 2 * time.Minute, 7: 32 * time.Minute, 8: time.Hour, 20: time.Hour} {
		if got := w.wait(n); got != want {
			t.Errorf("wait after %d failures: got %v, want %v", n, got, want)
		}
	}
}
