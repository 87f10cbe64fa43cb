package mailer

import (
	"fmt"
	"net/url"
	"time"

	"myaccount/models"
)

// content is what a message says, once: the HTML part (message.templ)
// and the plain text part (text.go) are both rendered from it.
type content struct {
	Subject string
	// Merchant names the programme in the header and the footer.
	Merchant string
	Greeting string
	// Lead is what happened, or what the link is for.
	Lead []string
	// Action is the one button, or nil.
	Action *action
	// After follows the button: how long the link works, what to do if
	// it was not them.
	After []string
	// Details are when and where from, for a security notice.
	Details []detail
	// Why says why the reader got this message.
	Why string
}

type action struct {
	Label string
	URL   string
}

type detail struct {
	Label, Value string
}

// Writer writes letters into messages. It implements the store's
// MailWriter.
type Writer struct {
	// BaseURL is the site's public URL, which links start with.
	BaseURL string
}

// Write writes l into a message with a plain text and an HTML part.
func (w Writer) Write(l models.Letter) (models.Mail, error) {
	c, err := w.content(l)
	if err != nil {
		return models.Mail{}, err
	}
	html, err := renderHTML(c)
	if err != nil {
		return models.Mail{}, fmt.Errorf("write %s: %w", l.Kind, err)
	}
	return models.Mail{Kind: l.Kind, To: l.To, FromName: c.Merchant, Subject: c.Subject, Text: renderText(c), HTML: html}, nil
}

func (w Writer) content(l models.Letter) (content, error) {
	if l.Merchant == nil || l.User == nil || l.To == "" {
		return content{}, fmt.Errorf("write %s: a letter needs a merchant, a user and an address", l.Kind)
	}
	write, ok := letters[l.Kind]
	if !ok {
		return content{}, fmt.Errorf("write %s: no such letter", l.Kind)
	}
	c := write(w, l)
	c.Merchant = l.Merchant.Name
	c.Greeting = "Hello " + l.User.DisplayName() + ","
	return c, nil
}

// letters write each kind of message.
var letters = map[string]func(Writer, models.Letter) content{
	models.MailPasswordReset:        Writer.passwordReset,
	models.MailInvitation:           Writer.invitation,
	models.MailVerifyEmail:          Writer.verifyEmail,
	models.MailEmailChangeRequested: Writer.emailChangeRequested,
	models.MailEmailChanged:         Writer.emailChanged,
	models.MailPasswordChanged:      Writer.passwordChanged,
	models.MailLocked:               Writer.locked,
}

func (w Writer) passwordReset(l models.Letter) content {
	m := l.Merchant.Name
	lead := "Someone asked to reset the password of your " + m + " account (username " + l.User.Username + "). Choose a new one with this link:"
	details := where(l)
	if l.By != "" {
		lead = l.By + ", an administrator of " + m + ", sent you a link to choose a new password for your account (username " + l.User.Username + "):"
		details = nil
	}
	return content{
		Subject: "Choose a new password for " + m,
		Lead:    []string{lead},
		Action:  &action{"Choose a new password", w.link("/password/reset", l.Token)},
		After: []string{
			"The link works once, until " + When(l.ExpiresAt) + ". A newer link or a password change ends it sooner.",
			"If you did not ask for this, ignore this email: your password stays as it is.",
		},
		Details: details,
		Why:     "You received this email because a new password was asked for the " + m + " account with this address.",
	}
}

func (w Writer) invitation(l models.Letter) content {
	m := l.Merchant.Name
	by := "An administrator of " + m
	if l.By != "" {
		by = l.By + ", an administrator of " + m + ","
	}
	return content{
		Subject: "Your " + m + " account is ready",
		Lead:    []string{by + " made you an account. Your username is " + l.User.Username + ". Choose your password with this link to start using it:"},
		Action:  &action{"Choose your password", w.link("/password/reset", l.Token)},
		After: []string{
			"The link works once, until " + When(l.ExpiresAt) + ". If it has expired, ask for a new one on the sign-in page with “Forgot your password?”.",
			"If you did not expect this, ignore this email.",
		},
		Why: "You received this email because an account with this address was made at " + m + ".",
	}
}

func (w Writer) verifyEmail(l models.Letter) content {
	m := l.Merchant.Name
	c := content{
		Action: &action{"Confirm this address", w.link("/email/confirm", l.Token)},
		Why:    "You received this email because this address was given for an account at " + m + ".",
	}
	if l.NewEmail != "" && l.NewEmail != l.User.Email {
		c.Subject = "Confirm your new email address for " + m
		c.Lead = []string{"You asked to change the email address of your " + m + " account (username " + l.User.Username + ") to this one. Confirm it with this link:"}
		c.After = []string{
			"Your email address stays as it is until you confirm. The link works until " + When(l.ExpiresAt) + ".",
			"If you did not ask for this, ignore this email: nothing changes.",
		}
		return c
	}
	c.Subject = "Confirm your email address for " + m
	c.Lead = []string{"Please confirm that this address belongs to you, for your " + m + " account (username " + l.User.Username + "):"}
	c.After = []string{"The link works until " + When(l.ExpiresAt) + ". If you do not have an account at " + m + ", ignore this email."}
	return c
}

func (w Writer) emailChangeRequested(l models.Letter) content {
	m := l.Merchant.Name
	return content{
		Subject: "Your " + m + " email address is about to change",
		Lead: []string{
			"Someone asked to change the email address of your " + m + " account (username " + l.User.Username + ") from " + l.OldEmail + " to " + l.NewEmail + ".",
			"It changes only when the link sent to " + l.NewEmail + " is followed. If that was you, you need not do anything.",
		},
		Action: &action{"Cancel this change", w.link("/email/cancel", l.Token)},
		After: []string{
			"If it was not you, cancel the change, then choose a new password: someone may know yours. The link works until " + When(l.ExpiresAt) + ".",
		},
		Details: where(l),
		Why:     "You received this email because it is the address of your " + m + " account.",
	}
}

func (w Writer) emailChanged(l models.Letter) content {
	m := l.Merchant.Name
	lead := "The email address of your " + m + " account (username " + l.User.Username + ") was changed from " + l.OldEmail + " to " + l.NewEmail + "."
	switch {
	case l.By != "":
		lead = l.By + ", an administrator of " + m + ", changed the email address of your account (username " + l.User.Username + ") from " + l.OldEmail + " to " + l.NewEmail + "."
	case l.Via != "":
		lead = "A system of " + m + " (“" + l.Via + "”) changed the email address of your account (username " + l.User.Username + ") from " + l.OldEmail + " to " + l.NewEmail + "."
	}
	return content{
		Subject: "Your " + m + " email address was changed",
		Lead:    []string{lead, "Messages about your account now go to the new address."},
		After:   []string{"If this was not you, choose a new password at " + w.link("/password/forgot", "") + " and contact " + m + " at once."},
		Details: where(l),
		Why:     "You received this email because this was the address of your " + m + " account until now.",
	}
}

func (w Writer) passwordChanged(l models.Letter) content {
	m := l.Merchant.Name
	lead := "The password of your " + m + " account (username " + l.User.Username + ") was changed."
	if l.By != "" {
		lead = l.By + ", an administrator of " + m + ", reset the password of your account (username " + l.User.Username + "). You will choose a new one when you next sign in."
	}
	return content{
		Subject: "Your " + m + " password was changed",
		Lead:    []string{lead, "Every other session of your account has ended."},
		After:   []string{"If this was not you, choose a new password at once at " + w.link("/password/forgot", "") + ", and contact " + m + "."},
		Details: where(l),
		Why:     "You received this email because it is the address of your " + m + " account.",
	}
}

func (w Writer) locked(l models.Letter) content {
	m := l.Merchant.Name
	lead := "After several wrong passwords, signing in to your " + m + " account (username " + l.User.Username + ") is paused until " + When(l.LockedUntil) + "."
	if l.Permanent {
		lead = "After several wrong passwords, your " + m + " account (username " + l.User.Username + ") is locked until an administrator of " + m + " unlocks it."
	}
	return content{
		Subject: "Your " + m + " account was locked after wrong passwords",
		Lead:    []string{lead, "Browsers you have signed in with before keep their own count, so you may still be able to sign in from those."},
		After: []string{
			"If it was you, wait, or choose a new password at " + w.link("/password/forgot", "") + ".",
			"If it was not you, someone may be guessing your password: choose a strong one that you use nowhere else.",
		},
		Details: where(l),
		Why:     "You received this email because it is the address of your " + m + " account.",
	}
}

// where are a notice's details: when, from which device and address.
func where(l models.Letter) []detail {
	out := []detail{{"When", When(l.At)}}
	if l.UserAgent != "" {
		out = append(out, detail{"Device", models.DescribeUserAgent(l.UserAgent)})
	}
	if l.IP != "" {
		out = append(out, detail{"IP address", l.IP})
	}
	return out
}

// link is the site's URL for path, with token as its query when given.
// The token travels in the query, which the request log never writes.
func (w Writer) link(path, token string) string {
	u := w.BaseURL + path
	if token != "" {
		u += "?token=" + url.QueryEscape(token)
	}
	return u
}

// When is a time as messages give it: "2 December 2026 at 16:40 UTC".
func When(t time.Time) string { return t.UTC().Format("2 January 2006 at 15:04 MST") }
