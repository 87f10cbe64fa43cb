package views

import (
	"context"
	"strings"
	"testing"
	"time"

	"myaccount/models"
)

// TestSummaryRows: the rows written in Go are the markup templ wrote, with
// every term, field name and value escaped, and an empty value said to be
// not provided, as the reader reads it.
func TestSummaryRows(t *testing.T) {
	birthday := time.Date(1986, time.January, 30, 0, 0, 0, 0, time.UTC)
	u := &models.User{FirstName: `<b>"Tom" & 'Jo'</b>`, Birthday: &birthday, Language: "en-US"}
	var fields []models.ProfileField
	for _, f := range models.GuestProfileFields(&models.Merchant{}) {
		if f.Name == "first_name" || f.Name == "city" || f.Name == "birthday" {
			fields = append(fields, f)
		}
	}
	var b strings.Builder
	if err := fieldRows(fields, u).Render(WithReader(context.Background(), u.Language), &b); err != nil {
		t.Fatal(err)
	}
	// The birthday is written in the order of the reader's language.
	american, other := displayFor("en-US", fields[1], fields[1].Value(u)), displayFor("", fields[1], fields[1].Value(u))
	if american == other {
		t.Fatalf("the birthday reads %q to an American and to others: the test cannot tell the reader's language", american)
	}
	want := `<div><dt>First name</dt><dd data-field="first_name">&lt;b&gt;&#34;Tom&#34; &amp; &#39;Jo&#39;&lt;/b&gt;</dd></div>` +
		`<div><dt>Birthday</dt><dd data-field="birthday">` + american + `</dd></div>` +
		`<div><dt>Town or city</dt><dd data-field="city">Not provided</dd></div>`
	if b.String() != want {
		t.Errorf("field rows:\n got %s\nwant %s", b.String(), want)
	}
	for value, shown := range map[string]string{"": "Not provided", "a < b": "a &lt; b"} {
		b.Reset()
		if err := summaryRow(`Points & "tier"`, value).Render(context.Background(), &b); err != nil {
			t.Fatal(err)
		}
		if want := `<div><dt>Points &amp; &#34;tier&#34;</dt><dd>` + shown + `</dd></div>`; b.String() != want {
			t.Errorf("summary row of %q:\n got %s\nwant %s", value, b.String(), want)
		}
	}
}
