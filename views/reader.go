package views

import (
	"context"
	"time"

	"myaccount/models"
)

type readerKey struct{}

// WithReader is ctx for a page read by someone whose language is lang (a
// BCP 47 tag; "" when nobody is signed in): dates on the page are written
// in the order of their language.
func WithReader(ctx context.Context, lang string) context.Context {
	return context.WithValue(ctx, readerKey{}, lang)
}

// readerLanguage is the language WithReader gave ctx.
func readerLanguage(ctx context.Context) string {
	lang, _ := ctx.Value(readerKey{}).(string)
	return lang
}

// timeText is a moment as momentText writes it for the page's reader.
func timeText(ctx context.Context, t *time.Time) string { return momentText(readerLanguage(ctx), t) }

// momentText is a moment in UTC as every page writes one for a reader of
// lang, such as "3 December 2026, 11:04 UTC"; "" when it never happened.
func momentText(lang string, t *time.Time) string {
	if t == nil {
		return ""
	}
	return t.UTC().Format(models.DateTimeLayoutFor(lang) + " UTC")
}
