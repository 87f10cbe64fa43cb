package mailer

import (
	"bytes"
	"context"
	"strings"
)

// renderHTML renders c as the message's HTML part.
func renderHTML(c content) (string, error) {
	var b bytes.Buffer
	if err := message(c).Render(context.Background(), &b); err != nil {
		return "", err
	}
	return b.String(), nil
}

// renderText renders c as the message's plain text part: the same words
// as the HTML, with the link on a line of its own.
func renderText(c content) string {
	var b strings.Builder
	para := func(s string) {
		b.WriteString(s)
		b.WriteString("\n\n")
	}
	para(c.Greeting)
	for _, p := range c.Lead {
		para(p)
	}
	if c.Action != nil {
		para(c.Action.Label + ":\n" + c.Action.URL)
	}
	for _, p := range c.After {
		para(p)
	}
	if len(c.Details) > 0 {
		width := 0
		for _, d := range c.Details {
			width = max(width, len(d.Label))
		}
		for _, d := range c.Details {
			b.WriteString(d.Label + ":" + strings.Repeat(" ", width-len(d.Label)+1) + d.Value + "\n")
		}
		b.WriteString("\n")
	}
	b.WriteString("-- \n")
	b.WriteString(c.Merchant + "\n")
	b.WriteString(c.Why + "\n")
	return b.String()
}
