package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/jackc/pgx/v5"
	"golang.org/x/sync/errgroup"
)

// merchantCode is the merchant cmd/genusers gives 90% of the users.
const merchantCode = "bench"

// password is every generated user's password.
const password = "Bench#2026"

// account is a user the run signs in, with what its browser holds.
type account struct {
	id, username, member string
	browser              *browser
	// cookies is the Cookie header its browser sends: the session, CSRF
	// and device cookies.
	cookies string
	csrf    string
	// form is the profile form as the edit page gave it; a save moves its
	// version on. stale says it must be read again.
	form  url.Values
	stale bool
	// writable says the profile form saves: a form whose stored values
	// the rules now refuse cannot save a change of city either. refused
	// names the fields the refusal flagged.
	writable bool
	refused  []string
	// apiCity is the city the last PATCH of the JSON API set.
	apiCity string
}

// pickAccounts chooses n active guests of the main merchant, spread over
// the table, and a merchant admin. When the generated users have no
// admin (at 1,000 users there is about a 5% chance of one), it makes one
// of the other active guests an admin. Their passwords are hashed again
// at cost, so signing in costs what it does at the configured cost rather
// than genusers' cost 4.
func pickAccounts(ctx context.Context, db *pgx.Conn, n int, hash string) (guests []*account, admin *account, promoted bool, err error) {
	rows, err := db.Query(ctx, `SELECT u.id::text, u.username, u.member_number FROM users u JOIN merchants m ON m.id = u.merchant_id
		WHERE m.code = $1 AND u.status = 'ACTIVE' AND u.roles = 'CUSTOMER' ORDER BY md5(u.id::text) LIMIT $2`, merchantCode, n)
	if err != nil {
		return nil, nil, false, err
	}
	guests, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (*account, error) {
		var a account
		return &a, r.Scan(&a.id, &a.username, &a.member)
	})
	if err != nil {
		return nil, nil, false, err
	}
	if len(guests) < n {
		return nil, nil, false, fmt.Errorf("only %d active guests to sign in, want %d: lower --sessions or raise --users", len(guests), n)
	}
	ids := make([]string, len(guests))
	for i, g := range guests {
		ids[i] = g.id
	}
	admin = &account{}
	err = db.QueryRow(ctx, `SELECT u.id::text, u.username FROM users u JOIN merchants m ON m.id = u.merchant_id
		WHERE m.code = $1 AND u.status = 'ACTIVE' AND u.roles = 'MERCHANT_ADMIN' ORDER BY u.username LIMIT 1`, merchantCode).Scan(&admin.id, &admin.username)
	if errors.Is(err, pgx.ErrNoRows) {
		promoted = true
		err = db.QueryRow(ctx, `UPDATE users SET roles = 'MERCHANT_ADMIN' WHERE id = (
			SELECT u.id FROM users u JOIN merchants m ON m.id = u.merchant_id
			WHERE m.code = $1 AND u.status = 'ACTIVE' AND u.roles = 'CUSTOMER' AND NOT (u.id::text = ANY($2))
			ORDER BY u.member_number LIMIT 1) RETURNING id::text, username`, merchantCode, ids).Scan(&admin.id, &admin.username)
	}
	if err != nil {
		return nil, nil, false, fmt.Errorf("merchant admin: %w", err)
	}
	_, err = db.Exec(ctx, "UPDATE users SET password_hash = $1 WHERE id::text = ANY($2)", hash, append(ids, admin.id))
	return guests, admin, promoted, err
}

// versions is the sum of the users' record versions: each save adds one.
func versions(ctx context.Context, db *pgx.Conn, guests []*account) (int64, error) {
	ids := make([]string, len(guests))
	for i, g := range guests {
		ids[i] = g.id
	}
	var sum int64
	err := db.QueryRow(ctx, "SELECT COALESCE(sum(version), 0) FROM users WHERE id::text = ANY($1)", ids).Scan(&sum)
	return sum, err
}

// browser is one visitor's cookie jar, which does not follow redirects.
type browser struct {
	base   *url.URL
	client *http.Client
}

func newBrowser(base string) (*browser, error) {
	u, err := url.Parse(base)
	if err != nil {
		return nil, err
	}
	jar, err := cookiejar.New(nil)
	if err != nil {
		return nil, err
	}
	return &browser{base: u, client: &http.Client{
		Jar: jar, Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}, nil
}

// cookies is the Cookie header the browser sends to the site.
func (b *browser) cookies() string {
	var parts []string
	for _, c := range b.client.Jar.Cookies(b.base) {
		parts = append(parts, c.Name+"="+c.Value)
	}
	return strings.Join(parts, "; ")
}

// do sends a request and answers its status, Location and parsed page.
func (b *browser) do(ctx context.Context, method, path string, form url.Values) (int, string, *goquery.Document, error) {
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	ref, err := url.Parse(path)
	if err != nil {
		return 0, "", nil, err
	}
	req, err := http.NewRequestWithContext(ctx, method, b.base.ResolveReference(ref).String(), body)
	if err != nil {
		return 0, "", nil, err
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	res, err := b.client.Do(req)
	if err != nil {
		return 0, "", nil, err
	}
	defer res.Body.Close()
	doc, err := goquery.NewDocumentFromReader(res.Body)
	return res.StatusCode, res.Header.Get("Location"), doc, err
}

// page GETs path and wants a 200.
func (b *browser) page(ctx context.Context, path string) (*goquery.Document, error) {
	status, _, doc, err := b.do(ctx, http.MethodGet, path, nil)
	if err == nil && status != http.StatusOK {
		err = fmt.Errorf("GET %s: status %d, want 200", path, status)
	}
	return doc, err
}

// csrfToken is the page's first form's CSRF field.
func csrfToken(doc *goquery.Document) (string, error) {
	v, ok := doc.Find(`input[name="_csrf"]`).First().Attr("value")
	if !ok || v == "" {
		return "", errors.New("the page has no _csrf field")
	}
	return v, nil
}

// signInToken opens the sign-in page, which sets the CSRF cookie, and
// answers the token its form holds.
func (b *browser) signInToken(ctx context.Context) (string, error) {
	doc, err := b.page(ctx, "/login")
	if err != nil {
		return "", err
	}
	return csrfToken(doc)
}

// signIn signs in as a browser does: the sign-in page sets the CSRF
// cookie and holds the token, the form posts it back.
func (b *browser) signIn(ctx context.Context, login, password string) error {
	token, err := b.signInToken(ctx)
	if err != nil {
		return err
	}
	status, location, _, err := b.do(ctx, http.MethodPost, "/login", url.Values{"login": {login}, "password": {password}, "_csrf": {token}})
	if err != nil {
		return err
	}
	if status != http.StatusSeeOther || location != "/account" {
		return fmt.Errorf("sign-in of %s: status %d to %q, want 303 to /account", login, status, location)
	}
	return nil
}

// profileForm is the form of the edit page as a browser would submit it
// unchanged, with its CSRF token apart.
func profileForm(doc *goquery.Document) (form url.Values, csrf string, err error) {
	form = url.Values{}
	doc.Find("#profile-form form").Find("input, select, textarea").Each(func(_ int, s *goquery.Selection) {
		name, _ := s.Attr("name")
		typ, _ := s.Attr("type")
		switch {
		case name == "":
		case name == "_csrf":
			csrf, _ = s.Attr("value")
		case typ == "checkbox" || typ == "radio":
			if _, checked := s.Attr("checked"); checked {
				v, _ := s.Attr("value")
				form.Add(name, v)
			}
		case goquery.NodeName(s) == "select":
			v, _ := s.Find("option[selected]").Attr("value")
			form.Set(name, v)
		case goquery.NodeName(s) == "textarea":
			form.Set(name, s.Text())
		default:
			v, _ := s.Attr("value")
			form.Add(name, v)
		}
	})
	switch {
	case form.Get("version") == "":
		err = errors.New("the profile form has no version")
	case csrf == "":
		err = errors.New("the profile form has no _csrf field")
	}
	return form, csrf, err
}

// readProfile reads the account's edit page into a.form.
func (a *account) readProfile(ctx context.Context) error {
	doc, err := a.browser.page(ctx, "/account/profile/edit")
	if err != nil {
		return err
	}
	a.form, a.csrf, err = profileForm(doc)
	a.stale = false
	return err
}

// changedForm is the profile form with the city changed, and that city.
func (a *account) changedForm() (url.Values, string) {
	form := make(url.Values, len(a.form))
	for k, v := range a.form {
		form[k] = v
	}
	city := otherCity(a.form.Get("city"))
	form.Set("city", city)
	form.Set("_csrf", a.csrf)
	return form, city
}

// answered moves the form on after the answer to a post of it that set
// city: a save adds one to the record's version; anything else means
// the form must be read again.
func (a *account) answered(status int, city string) {
	version, err := strconv.Atoi(a.form.Get("version"))
	if status != http.StatusSeeOther || err != nil {
		a.stale = true
		return
	}
	a.form.Set("version", strconv.Itoa(version+1))
	a.form.Set("city", city)
}

// tryProfile saves the profile form once with another city, to learn
// whether the form saves.
func (a *account) tryProfile(ctx context.Context) error {
	form, city := a.changedForm()
	status, _, doc, err := a.browser.do(ctx, http.MethodPost, "/account/profile", form)
	if err != nil {
		return err
	}
	a.answered(status, city)
	a.writable = status == http.StatusSeeOther
	switch status {
	case http.StatusSeeOther:
	case http.StatusUnprocessableEntity:
		a.refused = flaggedFields(doc)
	default:
		return fmt.Errorf("POST /account/profile of %s: status %d, want 303 or 422", a.username, status)
	}
	return a.readProfile(ctx)
}

// flaggedFields are the names of the fields a refused form flags, from
// the ids of their messages (phone-error).
func flaggedFields(doc *goquery.Document) []string {
	var names []string
	doc.Find(`[id$="-error"]`).Each(func(_ int, s *goquery.Selection) {
		id, _ := s.Attr("id")
		names = append(names, strings.TrimSuffix(id, "-error"))
	})
	return names
}

// signInAll signs every account in, four at a time, reads its profile
// form and saves it once; each keeps its browser's cookies.
func signInAll(ctx context.Context, base string, accounts []*account) error {
	g, ctx := errgroup.WithContext(ctx)
	g.SetLimit(4)
	for _, a := range accounts {
		g.Go(func() error {
			b, err := newBrowser(base)
			if err != nil {
				return err
			}
			if err := b.signIn(ctx, a.username, password); err != nil {
				return err
			}
			a.browser = b
			if err := a.readProfile(ctx); err != nil {
				return fmt.Errorf("%s: %w", a.username, err)
			}
			if err := a.tryProfile(ctx); err != nil {
				return err
			}
			a.cookies = b.cookies()
			return nil
		})
	}
	return g.Wait()
}

// adminKey signs the admin in and creates an API key from the API keys
// page, reading the key from the answer, where it is shown once.
func adminKey(ctx context.Context, base string, admin *account) (string, error) {
	b, err := newBrowser(base)
	if err != nil {
		return "", err
	}
	if err := b.signIn(ctx, admin.username, password); err != nil {
		return "", err
	}
	doc, err := b.page(ctx, "/admin/api-keys")
	if err != nil {
		return "", err
	}
	token, err := csrfToken(doc)
	if err != nil {
		return "", err
	}
	name := "load " + time.Now().UTC().Format("2006-01-02 15:04:05")
	status, _, doc, err := b.do(ctx, http.MethodPost, "/admin/api-keys", url.Values{"name": {name}, "_csrf": {token}})
	if err != nil {
		return "", err
	}
	key := strings.TrimSpace(doc.Find("code#new-api-key").Text())
	if status != http.StatusOK || key == "" {
		return "", fmt.Errorf("POST /admin/api-keys: status %d, key shown: %t", status, key != "")
	}
	admin.cookies = b.cookies()
	return key, nil
}

// signInPairs are CSRF cookie and token pairs of fresh sign-in pages, one
// for each connection of the sign-in scenario.
func signInPairs(ctx context.Context, base string, n int) ([][2]string, error) {
	pairs := make([][2]string, n)
	g, ctx := errgroup.WithContext(ctx)
	g.SetLimit(4)
	for i := range pairs {
		g.Go(func() error {
			b, err := newBrowser(base)
			if err != nil {
				return err
			}
			token, err := b.signInToken(ctx)
			if err != nil {
				return err
			}
			pairs[i] = [2]string{b.cookies(), token}
			return nil
		})
	}
	return pairs, g.Wait()
}
