package mailer

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	netmail "net/mail"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	gomail "github.com/wneessen/go-mail"

	"myaccount/models"
)

// Sender delivers one message. It returns the file it wrote, if it
// writes files.
type Sender interface {
	Send(ctx context.Context, msg *gomail.Msg) (file string, err error)
	// Where describes where messages go, for the start-up log line.
	Where() string
}

// SMTP sends over SMTP with github.com/wneessen/go-mail.
type SMTP struct {
	opts []gomail.Option
	host string
	desc string
}

// sendTimeout bounds one SMTP conversation: connecting, greeting, sending.
const sendTimeout = 30 * time.Second

// ParseSMTPURL reads an --smtp-url:
//
//   - smtp://user:pass@host:587 requires STARTTLS (port 587 by default);
//   - smtps://user:pass@host:465 is TLS from the first byte (port 465);
//   - smtp://host:1025?tls=none sends in clear, for a relay on the same
//     machine or a mail catcher such as Mailpit; it takes no password,
//     which it would send in clear.
//
// tlsConfig, when not nil, replaces the system's roots and settings (tests).
func ParseSMTPURL(raw string, tlsConfig *tls.Config) (*SMTP, error) {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || u.Hostname() == "" {
		return nil, errors.New("SMTP URL must look like smtp://user:password@host:587 or smtps://host:465")
	}
	q := u.Query()
	for k := range q {
		if k != "tls" {
			return nil, fmt.Errorf("SMTP URL: unknown setting %q (only tls=none is known)", k)
		}
	}
	clear := false
	switch v := q.Get("tls"); v {
	case "":
	case "none":
		clear = true
	default:
		return nil, fmt.Errorf("SMTP URL: tls=%s is not known: leave it out (TLS is required) or give tls=none for a local relay", v)
	}
	host := u.Hostname()
	opts := []gomail.Option{gomail.WithTimeout(sendTimeout), gomail.WithHELO(helo())}
	tc := &tls.Config{ServerName: host, MinVersion: tls.VersionTLS12}
	if tlsConfig != nil {
		tc = tlsConfig.Clone()
	}
	opts = append(opts, gomail.WithTLSConfig(tc))
	port, desc := 0, ""
	switch {
	case u.Scheme == "smtps" && !clear:
		port, desc = 465, "implicit TLS"
		opts = append(opts, gomail.WithSSL())
	case u.Scheme == "smtp" && !clear:
		port, desc = 587, "STARTTLS required"
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSMandatory))
	case u.Scheme == "smtp" && clear:
		port, desc = 25, "no TLS"
		opts = append(opts, gomail.WithTLSPolicy(gomail.NoTLS))
	case u.Scheme == "smtps":
		return nil, errors.New("SMTP URL: smtps:// is TLS: tls=none does not go with it")
	default:
		return nil, fmt.Errorf("SMTP URL must start with smtp:// or smtps://, not %s://", u.Scheme)
	}
	if p := u.Port(); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > 65535 {
			return nil, fmt.Errorf("SMTP URL: %q is not a port", p)
		}
		port = n
	}
	opts = append(opts, gomail.WithPort(port))
	if user := u.User.Username(); user != "" {
		if clear {
			return nil, errors.New("SMTP URL: tls=none would send the password in clear: use it only for a relay that needs none")
		}
		pass, _ := u.User.Password()
		opts = append(opts, gomail.WithSMTPAuth(gomail.SMTPAuthAutoDiscover), gomail.WithUsername(user), gomail.WithPassword(pass))
	}
	// The description names the server, never the credentials.
	return &SMTP{opts: opts, host: host, desc: u.Scheme + "://" + host + ":" + strconv.Itoa(port) + " (" + desc + ")"}, nil
}

// Send delivers msg in one SMTP conversation of its own.
func (s *SMTP) Send(ctx context.Context, msg *gomail.Msg) (string, error) {
	c, err := gomail.NewClient(s.host, s.opts...)
	if err != nil {
		return "", fmt.Errorf("SMTP client: %w", err)
	}
	return "", c.DialAndSendWithContext(ctx, msg)
}

// Where names the server.
func (s *SMTP) Where() string { return "SMTP " + s.desc }

// helo is the name this machine greets the server with.
func helo() string {
	if h, err := os.Hostname(); err == nil && h != "" && !strings.ContainsAny(h, " \t\r\n") {
		return h
	}
	return "localhost"
}

// Dir writes each message as an .eml file into a directory, for a
// machine with no SMTP server: a developer's, or a demo (Django's file
// e-mail backend does the same).
type Dir struct {
	Path string
}

// Send writes msg into a new file, whole or not at all.
func (d Dir) Send(_ context.Context, msg *gomail.Msg) (string, error) {
	if err := os.MkdirAll(d.Path, 0o700); err != nil {
		return "", fmt.Errorf("mail directory: %w", err)
	}
	id := strings.Trim(strings.Join(msg.GetGenHeader(gomail.HeaderMessageID), ""), "<>")
	name := filepath.Join(d.Path, time.Now().UTC().Format("20060102-150405")+"-"+strings.SplitN(id, "@", 2)[0]+".eml")
	tmp, err := os.CreateTemp(d.Path, ".writing-*")
	if err != nil {
		return "", fmt.Errorf("mail file: %w", err)
	}
	_, werr := msg.WriteTo(tmp)
	if err := errors.Join(werr, tmp.Close()); err != nil {
		_ = os.Remove(tmp.Name())
		return "", fmt.Errorf("write mail file: %w", err)
	}
	if err := os.Rename(tmp.Name(), name); err != nil {
		return "", fmt.Errorf("mail file: %w", err)
	}
	return name, nil
}

// Where names the directory.
func (d Dir) Where() string { return "files in " + d.Path }

// Compose builds the message row m becomes on the wire: from the address
// from (with the merchant's name when from has none), with a Message-ID
// made from the row's id, so a message sent again after a crash carries
// the same one and mail programs show it once.
func Compose(m models.OutboxMessage, from, domain string) (*gomail.Msg, error) {
	msg := gomail.NewMsg(gomail.WithNoDefaultUserAgent())
	if err := msg.From(fromAddress(from, m.FromName)); err != nil {
		return nil, composeError{fmt.Errorf("from address %q: %w", from, err)}
	}
	if err := msg.To(m.ToAddress); err != nil {
		return nil, composeError{fmt.Errorf("to address: %w", err)}
	}
	msg.Subject(m.Subject)
	msg.SetMessageIDWithValue(m.ID + "@" + domain)
	msg.SetDateWithValue(m.CreatedAt)
	// RFC 3834: no vacation replies to a machine's message.
	msg.SetGenHeader("Auto-Submitted", "auto-generated")
	msg.SetGenHeader(gomail.HeaderXAutoResponseSuppress, "All")
	msg.SetBodyString(gomail.TypeTextPlain, m.TextBody)
	msg.AddAlternativeString(gomail.TypeTextHTML, m.HTMLBody)
	return msg, nil
}

// fromAddress is from with name as its display name when from has none.
func fromAddress(from, name string) string {
	if strings.Contains(from, "<") || name == "" {
		return from
	}
	return (&netmail.Address{Name: name, Address: from}).String()
}
