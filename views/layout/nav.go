package layout

import (
	"context"
	"io"

	"github.com/a-h/templ"
)

// navItem is a link of the site's navigation: where it goes, what it
// says, and the Page.Nav of the pages it is the current one of.
type navItem struct{ href, label, nav string }

var (
	accountNav = []navItem{
		{"/account", "Overview", "account"},
		{"/account/profile/edit", "Profile", "profile"},
		{"/account/email", "Email", "email"},
		{"/account/password", "Password", "password"},
		{"/account/sessions", "Sessions", "sessions"},
	}
	adminNav = []navItem{
		{"/admin/users", "Users", "admin-users"},
		{"/admin/audit", "Audit log", "admin-audit"},
		{"/admin/settings", "Settings", "admin-settings"},
		{"/admin/api-keys", "API keys", "admin-api-keys"},
	}
)

// navLinks writes the list items of links, the one of the page's section
// (nav) marked as the current page. Written in Go, as the summary lists'
// rows are (views/summary_rows.go): on every page of a signed-in user,
// templ's component for each link cost five allocations.
func navLinks(links []navItem, nav string) templ.Component {
	return templ.ComponentFunc(func(_ context.Context, w io.Writer) error {
		for _, l := range links {
			current := ""
			if l.nav == nav {
				current = ` aria-current="page"`
			}
			if err := WriteStrings(w, `<li><a href="`, templ.EscapeString(l.href), `"`, current, ">", templ.EscapeString(l.label), "</a></li>"); err != nil {
				return err
			}
		}
		return nil
	})
}
