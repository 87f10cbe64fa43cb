package layout

import (
	"context"
	"strings"
	"testing"
)

// TestNavLinks: every link of the navigation, in order, with the one of
// the page's section, and only that one, marked as the current page.
func TestNavLinks(t *testing.T) {
	for _, links := range [][]navItem{accountNav, adminNav} {
		for _, current := range append(links, navItem{nav: "elsewhere"}) {
			var b strings.Builder
			if err := navLinks(links, current.nav).Render(context.Background(), &b); err != nil {
				t.Fatal(err)
			}
			var want strings.Builder
			for _, l := range links {
				mark := ""
				if l.nav == current.nav {
					mark = ` aria-current="page"`
				}
				want.WriteString(`<li><a href="` + l.href + `"` + mark + `>` + l.label + `</a></li>`)
			}
			if b.String() != want.String() {
				t.Errorf("on %q:\n got %s\nwant %s", current.nav, b.String(), want.String())
			}
			if n := strings.Count(b.String(), "aria-current"); n != min(1, len(current.href)) {
				t.Errorf("on %q: %d links marked current", current.nav, n)
			}
		}
	}
}
