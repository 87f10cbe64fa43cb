package testapp

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
)

// Mailbox is an SMTP server in the test process (github.com/emersion/
// go-smtp) that the app sends its mail to over real SMTP: start the app
// with its Flags, then Wait for what it sent.
type Mailbox struct {
	// URL is the --smtp-url that reaches it.
	URL string

	mu      sync.Mutex
	msgs    []*Message
	taken   int
	refuse  int
	refused int
	arrived chan struct{}
}

// Message is one message the mailbox received.
type Message struct {
	From    string
	To      []string
	Header  mail.Header
	Subject string
	// Text and HTML are the decoded parts of a multipart message.
	Text, HTML string
	// Parts lists the content types of the parts, in order.
	Parts []string
}

// NewMailbox starts a mailbox on 127.0.0.1; it stops when the test ends.
func NewMailbox(t testing.TB) *Mailbox {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("mailbox: %v", err)
	}
	mb := &Mailbox{URL: "smtp://" + l.Addr().String() + "?tls=none", arrived: make(chan struct{}, 1)}
	s := smtp.NewServer(mb)
	s.Domain = "mailbox.test"
	s.ReadTimeout, s.WriteTimeout = 10*time.Second, 10*time.Second
	s.ErrorLog = quietSMTPLog{}
	go func() { _ = s.Serve(l) }()
	t.Cleanup(func() { _ = s.Close() })
	return mb
}

// Flags are the app's flags to send its mail here, retrying after a
// failure within a fraction of a second.
func (mb *Mailbox) Flags() []string {
	return []string{"--smtp-url", mb.URL, "--mail-retry-wait", "50ms"}
}

// Refuse makes the next n messages fail with a temporary error (451), as
// a server that is down for a while does.
func (mb *Mailbox) Refuse(n int) {
	mb.mu.Lock()
	defer mb.mu.Unlock()
	mb.refuse = n
}

// Refused counts the messages refused so far.
func (mb *Mailbox) Refused() int {
	mb.mu.Lock()
	defer mb.mu.Unlock()
	return mb.refused
}

// All is every message received so far.
func (mb *Mailbox) All() []*Message {
	mb.mu.Lock()
	defer mb.mu.Unlock()
	return append([]*Message(nil), mb.msgs...)
}

// Next waits, up to ten seconds, for the next message not taken yet, and
// takes it.
func (mb *Mailbox) Next(t testing.TB) *Message {
	t.Helper()
	deadline := time.After(10 * time.Second)
	for {
		mb.mu.Lock()
		if mb.taken < len(mb.msgs) {
			m := mb.msgs[mb.taken]
			mb.taken++
			mb.mu.Unlock()
			return m
		}
		mb.mu.Unlock()
		select {
		case <-mb.arrived:
		case <-deadline:
			t.Fatalf("mailbox: no message arrived in 10 s (%d received before)", len(mb.All()))
			return nil
		}
	}
}

// ByRecipient takes the next n messages, each to one address, and files
// them by address.
func (mb *Mailbox) ByRecipient(t testing.TB, n int) map[string]*Message {
	t.Helper()
	out := map[string]*Message{}
	for range n {
		m := mb.Next(t)
		if len(m.To) != 1 {
			t.Fatalf("message %q to %v: want one recipient", m.Subject, m.To)
		}
		out[m.To[0]] = m
	}
	return out
}

// None fails the test if a message arrives within wait, or one is waiting.
func (mb *Mailbox) None(t testing.TB, wait time.Duration) {
	t.Helper()
	time.Sleep(wait)
	mb.mu.Lock()
	defer mb.mu.Unlock()
	if mb.taken < len(mb.msgs) {
		m := mb.msgs[mb.taken]
		t.Fatalf("mailbox: want no message, got %q to %v", m.Subject, m.To)
	}
}

// NewSession implements smtp.Backend.
func (mb *Mailbox) NewSession(*smtp.Conn) (smtp.Session, error) {
	return &mailboxSession{mb: mb}, nil
}

type mailboxSession struct {
	mb   *Mailbox
	from string
	to   []string
}

func (s *mailboxSession) Reset()        { s.from, s.to = "", nil }
func (s *mailboxSession) Logout() error { return nil }

func (s *mailboxSession) Mail(from string, _ *smtp.MailOptions) error {
	s.from = from
	return nil
}

func (s *mailboxSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.to = append(s.to, to)
	return nil
}

func (s *mailboxSession) Data(r io.Reader) error {
	raw, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	mb := s.mb
	mb.mu.Lock()
	if mb.refuse > 0 {
		mb.refuse--
		mb.refused++
		mb.mu.Unlock()
		return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "Try again later"}
	}
	mb.mu.Unlock()
	m, err := parseMessage(raw)
	if err != nil {
		return &smtp.SMTPError{Code: 554, EnhancedCode: smtp.EnhancedCode{5, 6, 0}, Message: err.Error()}
	}
	m.From, m.To = s.from, append([]string(nil), s.to...)
	mb.mu.Lock()
	mb.msgs = append(mb.msgs, m)
	mb.mu.Unlock()
	select {
	case mb.arrived <- struct{}{}:
	default:
	}
	return nil
}

// parseMessage reads a message's header and its plain text and HTML
// parts, decoded.
func parseMessage(raw []byte) (*Message, error) {
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		return nil, err
	}
	dec := new(mime.WordDecoder)
	subject, err := dec.DecodeHeader(msg.Header.Get("Subject"))
	if err != nil {
		return nil, err
	}
	out := &Message{Header: msg.Header, Subject: subject}
	err = readParts(out, msg.Header.Get("Content-Type"), msg.Header.Get("Content-Transfer-Encoding"), msg.Body)
	return out, err
}

func readParts(out *Message, contentType, encoding string, body io.Reader) error {
	mt, params, err := mime.ParseMediaType(contentType)
	if err != nil {
		return fmt.Errorf("content type %q: %w", contentType, err)
	}
	if strings.HasPrefix(mt, "multipart/") {
		r := multipart.NewReader(body, params["boundary"])
		for {
			p, err := r.NextRawPart()
			if errors.Is(err, io.EOF) {
				return nil
			}
			if err != nil {
				return err
			}
			if err := readParts(out, p.Header.Get("Content-Type"), p.Header.Get("Content-Transfer-Encoding"), p); err != nil {
				return err
			}
		}
	}
	if strings.EqualFold(encoding, "quoted-printable") {
		body = quotedprintable.NewReader(body)
	}
	b, err := io.ReadAll(body)
	if err != nil {
		return err
	}
	out.Parts = append(out.Parts, mt)
	switch mt {
	case "text/plain":
		out.Text = string(b)
	case "text/html":
		out.HTML = string(b)
	}
	return nil
}

var linkPattern = regexp.MustCompile(`https?://[^\s<>"]+`)

// Link is the path and query of the first link in the plain text part
// whose path starts with path, for a client of the app to follow.
func (m *Message) Link(t testing.TB, path string) string {
	t.Helper()
	for _, l := range linkPattern.FindAllString(m.Text, -1) {
		u, err := url.Parse(l)
		if err == nil && strings.HasPrefix(u.Path, path) {
			return u.RequestURI()
		}
	}
	t.Fatalf("message %q: no link to %s in\n%s", m.Subject, path, m.Text)
	return ""
}

type quietSMTPLog struct{}

func (quietSMTPLog) Printf(string, ...any) {}
func (quietSMTPLog) Println(...any)        {}
