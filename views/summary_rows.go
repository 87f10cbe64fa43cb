package views

import (
	"context"
	"io"

	"github.com/a-h/templ"

	"myaccount/models"
	"myaccount/views/layout"
)

// The rows of a summary list (<dl class="summary-list">) are written here
// in Go, with the markup templ wrote for them. A page has twenty or more,
// and templ writes every { value } through fmt.Sprint: two allocations a
// value, and with the attributes a third of all GET /account allocated
// (docs/PERFORMANCE.md). Values are escaped as templ escapes them.

// notProvided stands for a value the user has not given.
const notProvided = "Not provided"

// summaryRow is one term and its value, notProvided when it is empty.
func summaryRow(term, value string) templ.Component {
	if value == "" {
		value = notProvided
	}
	return templ.ComponentFunc(func(_ context.Context, w io.Writer) error {
		return writeSummaryRow(w, term, "", value)
	})
}

// fieldRows are the rows of u's fields, named by data-field, each value
// as the page's reader reads it.
func fieldRows(fields []models.ProfileField, u *models.User) templ.Component {
	return templ.ComponentFunc(func(ctx context.Context, w io.Writer) error {
		lang := readerLanguage(ctx)
		for _, f := range fields {
			if err := writeSummaryRow(w, f.Label, f.Name, displayFor(lang, f, f.Value(u))); err != nil {
				return err
			}
		}
		return nil
	})
}

// writeSummaryRow writes <div><dt>term</dt><dd data-field="field">value</dd></div>,
// without data-field when field is "".
func writeSummaryRow(w io.Writer, term, field, value string) error {
	if field == "" {
		return layout.WriteStrings(w, "<div><dt>", templ.EscapeString(term), "</dt><dd>", templ.EscapeString(value), "</dd></div>")
	}
	return layout.WriteStrings(w, "<div><dt>", templ.EscapeString(term), `</dt><dd data-field="`, templ.EscapeString(field), `">`,
		templ.EscapeString(value), "</dd></div>")
}
