package store

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"myaccount/internal/slots"
	"myaccount/migrations"
	"myaccount/models"
)

// UserQuery is an admin's search over the users of one merchant.
type UserQuery struct {
	MerchantID string
	// Text matches, in part and whatever the case, username, email, first
	// and last name, member number, card number and phones. Every word
	// must match; a phone number may be typed in any common format. The
	// marks of migrations.SearchPunctuation match one another ("james.sm"
	// finds james_smith). A word of one or two characters ("xu") matches
	// only the start of a field or of a word of a name: anywhere, it would
	// match nearly everyone, and no index could find it.
	Text   string
	Status string
	Role   string
	Sort   string // one of SortColumns; username by default
	Desc   bool
	// After and Before are cursors from a previous page.
	After, Before string
	Limit         int
}

// SortColumns are the columns the user list sorts by.
var SortColumns = []string{"username", "name", "email", "member_number", "status", "last_login"}

// neverSignedIn sorts users who never signed in before everyone else.
var neverSignedIn = time.Date(1900, 1, 1, 0, 0, 0, 0, time.UTC)

func sortExpr(col string) string {
	switch col {
	case "name":
		return "lower(last_name || ' ' || first_name)"
	case "email":
		return "lower(email)"
	case "member_number":
		return "member_number"
	case "status":
		return "status"
	case "last_login":
		return "COALESCE(last_login_at, ?)"
	default:
		return "lower(username)"
	}
}

type cursor struct {
	Value string `json:"v"`
	ID    string `json:"i"`
}

func encodeCursor(c cursor) string {
	b, _ := json.Marshal(c)
	return base64.RawURLEncoding.EncodeToString(b)
}

func decodeCursor(s string) (cursor, bool) {
	var c cursor
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil || json.Unmarshal(b, &c) != nil || !validID(c.ID) {
		return cursor{}, false
	}
	return c, true
}

// searchTerms splits text into the fragments every match must contain. A
// query that looks like a phone number becomes its digits, which is how
// E.164 numbers are stored.
func searchTerms(text string) []string {
	text = strings.TrimSpace(text)
	if text == "" {
		return nil
	}
	digits, phoneLike := 0, true
	for _, r := range text {
		switch {
		case unicode.IsDigit(r):
			digits++
		case strings.ContainsRune(" +-().", r):
		default:
			phoneLike = false
		}
	}
	if phoneLike && digits >= 4 && strings.ContainsAny(text, " -().") {
		return []string{strings.Map(func(r rune) rune {
			if unicode.IsDigit(r) {
				return r
			}
			return -1
		}, text)}
	}
	return strings.Fields(strings.ToLower(text))
}

// likeEscaper makes user text literal inside LIKE.
var likeEscaper = strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)

// ErrSearchBusy is a search whose deadline passed while it waited for one
// of the searches running at once to end (LimitSearches).
var ErrSearchBusy = errors.New("every search slot is busy")

// LimitSearches makes at most n of s's searches run at once; the others
// wait their turn, until their deadline (ErrSearchBusy then), and waited
// hears how long each waited. A search takes the database's CPU for
// milliseconds at a time, and its time limits (searchPatience) are
// measured by the clock: run past what the CPUs keep up with, every
// statement slows, walks give way to sorting every match, which takes
// longer still, and the searches served fall (over 1,000,000 users on
// 2 CPUs, 180 a second four at a time, 75 thirty-two at a time, with
// p95 2.3 s). Call it before s is used.
func (s *Users) LimitSearches(n int, waited func(time.Duration)) {
	s.searches = slots.New(n, ErrSearchBusy)
	s.searches.ObserveWait(waited)
}

// searchSlot waits for s's turn to search (LimitSearches); the caller
// calls done when the search has ended.
func (s *Users) searchSlot(ctx context.Context) (done func(), err error) {
	if s.searches == nil {
		return func() {}, nil
	}
	if err := s.searches.Acquire(ctx); err != nil {
		return nil, fmt.Errorf("search users: %w", err)
	}
	return s.searches.Release, nil
}

// Search returns one page of the merchant's users matching q.
func (s *Users) Search(ctx context.Context, q UserQuery) (models.UserPage, error) {
	p, err := s.planSearch(q)
	if err != nil {
		return models.UserPage{}, err
	}
	done, err := s.searchSlot(ctx)
	if err != nil {
		return models.UserPage{}, err
	}
	defer done()
	return s.search(ctx, p)
}

// SearchCounted is Search, with how many users match: exactly up to
// models.UserCountCap, or past it (Matches is then the cap + 1); when the
// database could not count them in time MatchesKnown is false.
//
// On PostgreSQL the matches are counted first, and when they are within
// the cap the same statement gives the page's ids from them: one read of
// the matches where a count beside the page would read them twice (a
// member or card number, whose digits the trigram index finds in long
// lists, took two 9 ms scans). Past the cap, the page is searched as
// Search does.
func (s *Users) SearchCounted(ctx context.Context, q UserQuery) (models.UserPage, error) {
	p, err := s.planSearch(q)
	if err != nil {
		return models.UserPage{}, err
	}
	done, err := s.searchSlot(ctx)
	if err != nil {
		return models.UserPage{}, err
	}
	defer done()
	if !s.postgres() {
		page, err := s.search(ctx, p)
		switch {
		case err != nil:
			return page, err
		case page.Next == "" && page.Prev == "":
			// One page holds every match: its length is the count.
			page.Matches, page.MatchesKnown = int64(len(page.Users)), true
		default:
			page.Matches, err = s.countUpTo(ctx, p)
			page.MatchesKnown = err == nil
		}
		return page, err
	}
	var page models.UserPage
	err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		few, counted, sorts, err := s.searchFew(ctx, tx, p)
		if err != nil || counted {
			page = few
			return err
		}
		// Past the cap, or not counted in time: the page is searched as
		// Search does, in the same transaction, from the savepoint the
		// count was made in, unless the matches bunch where the walk
		// would come to them last.
		rows, err := s.findPage(ctx, tx, p, false, !sorts)
		if err != nil {
			return err
		}
		page = userPage(rows, p.q, p.sk)
		page.Matches, page.MatchesKnown = few.Matches, few.MatchesKnown
		return nil
	})
	if err != nil {
		return models.UserPage{}, fmt.Errorf("search users: %w", err)
	}
	return page, nil
}

// searchPlan is a UserQuery as SQL.
type searchPlan struct {
	q UserQuery
	// conds are the filters and the text; after starts the page after
	// the cursor (nil without one).
	conds []clause.Expression
	// walkConds are conds with every term whole, for the planner's own
	// plan (runSearch's walk). A term looked up by a part (lookupPart) is
	// checked whole through an expression the planner knows nothing of,
	// which it takes to match 0.5% of the users the part finds; it then
	// sorts all of those rather than walk: "4@gmail.c" by "4@gm", 17,752
	// users over 1,000,000, took 392 ms, where the walk found the page in
	// 1.3 ms.
	walkConds []clause.Expression
	after     clause.Expression
	indexed   bool
	expr      string
	exprArgs  []any
	sk        seek
	dir       string
	// prefix is the one term that the page's sort key may start with,
	// or "" (sortPrefix).
	prefix string
}

func (s *Users) planSearch(q UserQuery) (searchPlan, error) {
	if q.Limit <= 0 || q.Limit > 200 {
		q.Limit = 25
	}
	if !slices.Contains(SortColumns, q.Sort) {
		q.Sort = "username"
	}
	p := searchPlan{q: q, expr: sortExpr(q.Sort), dir: "ASC"}
	terms := searchTerms(q.Text)
	p.conds, p.walkConds, p.indexed = searchConditions(q, terms, s.postgres())
	if s.postgres() {
		p.prefix = sortPrefix(q, terms)
	}
	if q.Sort == "last_login" {
		p.exprArgs = []any{neverSignedIn}
	}
	// Walking backwards (Before) reads the page in the opposite order and
	// turns it round afterwards.
	p.sk = seekFrom(q.After, q.Before)
	desc := q.Desc != p.sk.backwards
	if desc {
		p.dir = "DESC"
	}
	if p.sk.has {
		cond, err := seekCondition(q.Sort, p.expr, p.exprArgs, p.sk.cur, desc)
		if err != nil {
			return p, err
		}
		p.after = cond
	}
	return p, nil
}

// order is the page's order.
func (p searchPlan) order() clause.OrderBy {
	return clause.OrderBy{Expression: clause.Expr{SQL: p.expr + " " + p.dir + ", id " + p.dir, Vars: p.exprArgs, WithoutParentheses: true}}
}

// rows reads the rows of ids (a subquery, or a list), with their sort
// keys, in the page's order. The sort key comes back from the database,
// so a cursor holds exactly what the database compares (SQLite's lower()
// is ASCII-only).
func (p searchPlan) rows(tx *gorm.DB, ids any) ([]userRow, error) {
	var rows []userRow
	err := tx.Model(&models.User{}).Select("users.*, "+p.expr+" AS sort_key", p.exprArgs...).
		Where("id IN (?)", ids).Order(p.order()).Find(&rows).Error
	return rows, err
}

func (s *Users) search(ctx context.Context, p searchPlan) (models.UserPage, error) {
	var rows []userRow
	var err error
	if !s.postgres() {
		rows, err = s.findPage(ctx, s.db.WithContext(ctx), p, true, true)
	} else {
		err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
			rows, err = s.findPage(ctx, tx, p, true, true)
			return err
		})
	}
	if err != nil {
		return models.UserPage{}, fmt.Errorf("search users: %w", err)
	}
	return userPage(rows, p.q, p.sk), nil
}

// findPage reads the rows of p's page. On PostgreSQL tx is a transaction,
// new (fresh) or where searchFew left it, and a text search may walk the
// users in the page's order first (runSearch).
func (s *Users) findPage(ctx context.Context, tx *gorm.DB, p searchPlan, fresh, walk bool) ([]userRow, error) {
	var rows []userRow
	find := func(tx *gorm.DB, walking bool) (err error) {
		conds := p.conds
		if walking {
			conds = p.walkConds
		}
		if p.after != nil {
			conds = append(slices.Clip(conds), p.after)
		}
		// The page's ids first, then their rows: on PostgreSQL the index
		// on username carries every column the filters read, so the ids
		// of a page in username order come from the index alone, however
		// many users they pass over, and only the page's rows are read
		// from the table.
		ids := tx.Model(&models.User{}).Select("id").Clauses(clause.Where{Exprs: conds}).Order(p.order()).Limit(p.q.Limit + 1)
		rows, err = p.rows(tx, ids)
		return err
	}
	if !s.postgres() {
		return rows, find(tx, false)
	}
	return rows, s.runSearch(ctx, tx, find, p.indexed, fresh, walk)
}

// searchFew counts p's matches on PostgreSQL, in tx, up to the cap, and
// when they are within the cap reads the page from them too (counted is
// then true). Otherwise the page is empty, and holds the count: past the
// cap, or not known, and tx is ready for findPage, which sorts the
// matches without walking to them first where sorts says so (sortsFirst,
// from how many of the matches counted have a sort key starting with
// p.prefix). It has the page's patience (searchPatience), not the
// count's: within the cap its read of the matches is the page's own, and
// a number with common digits takes 19 ms to look up, which a count's
// 15 ms would stop short of and then read again for the page.
func (s *Users) searchFew(ctx context.Context, tx *gorm.DB, p searchPlan) (page models.UserPage, counted, sorts bool, err error) {
	from := p.after
	if from == nil {
		from = clause.Expr{SQL: "TRUE"}
	} else {
		// The cursor compares the matches' sort keys, computed once.
		if from, err = seekCondition(p.q.Sort, "sort_key", nil, p.sk.cur, p.dir == "DESC"); err != nil {
			return page, false, false, err
		}
	}
	if err := tx.Exec(searchStart(true) + "; " + pgPatience).Error; err != nil {
		return page, false, false, err
	}
	matches := tx.Model(&models.User{}).Select("id, "+p.expr+" AS sort_key", p.exprArgs...).
		Clauses(clause.Where{Exprs: p.conds}).Limit(models.UserCountCap + 1)
	order := "sort_key " + p.dir + ", id " + p.dir
	leading := clause.Expr{SQL: "0"}
	if p.prefix != "" {
		leading = clause.Expr{SQL: "(SELECT count(*) FROM m WHERE starts_with(sort_key, ?))", Vars: []any{p.prefix}}
	}
	var ids *string
	var lead int64
	err = tx.WithContext(withPatience(ctx)).Raw("WITH m AS MATERIALIZED (?) SELECT (SELECT count(*) FROM m),"+
		" (SELECT string_agg(id::text, ',' ORDER BY "+order+") FROM (SELECT id, sort_key FROM m WHERE ? ORDER BY "+order+" LIMIT ?) p), ?",
		matches, from, p.q.Limit+1, leading).Row().Scan(&page.Matches, &ids, &lead)
	switch {
	case isStatementTimeout(err) && ctx.Err() == nil:
		// Not counted in time: the count is not known.
		return models.UserPage{}, false, false, nil
	case err != nil:
		return models.UserPage{}, false, false, err
	case page.Matches > models.UserCountCap:
		page.MatchesKnown = true
		sorts, err = s.sortsFirst(ctx, tx, p, lead)
		return page, false, sorts, err
	}
	// Back to the savepoint, which lifts the time limit.
	if err := tx.Exec(pgToSavepoint).Error; err != nil {
		return page, false, false, err
	}
	var rows []userRow
	if ids != nil {
		if rows, err = p.rows(tx, strings.Split(*ids, ",")); err != nil {
			return page, false, false, err
		}
	}
	n := page.Matches
	page = userPage(rows, p.q, p.sk)
	page.Matches, page.MatchesKnown = n, true
	return page, true, false, nil
}

// sortPrefix is q's text, split into terms, when the page's sort key may start with it, which
// is then a match: one word of lower-case letters and digits, not ending
// in z or 9 (sortsFirst reads the keys up to the word with its last
// character the next one), in a search by username, name or email and no
// other filter (every key starting with it is then a match).
func sortPrefix(q UserQuery, terms []string) string {
	if q.Status != "" || q.Role != "" || !slices.Contains([]string{"username", "name", "email"}, q.Sort) {
		return ""
	}
	if len(terms) != 1 {
		return ""
	}
	t := terms[0]
	for i := range len(t) {
		if (t[i] < 'a' || t[i] > 'z') && (t[i] < '0' || t[i] > '9') {
			return ""
		}
	}
	if last := t[len(t)-1]; last == 'z' || last == '9' {
		return ""
	}
	return t
}

const (
	// sortFew is how many matches a search past the cap sorts rather
	// than walk to them (sortsFirst): sorting reads every match from the
	// table, 3-8 µs each over 1,000,000 users.
	sortFew = 3000
	// leadFew is how many of the matches counted (models.UserCountCap
	// + 1) must start with the prefix for sortsFirst to estimate all the
	// matches from them; fewer say too little.
	leadFew = 50
)

// sortsFirst reports whether a search past the cap sorts its matches
// without walking the users in the page's order first. The walk finds a
// page soon where matches are spread through that order, and runs out its
// patience (searchPatience) where they bunch far into it: the usernames
// starting "rustyf", 1,566 of 900,000, come after 722,000 others, and the
// walk took its 30 ms before the 5 ms sort. Those bunch at their key's
// start: where lead of the matches counted start with p.prefix, and the
// users whose sort key starts with it are few, all the matches are
// estimated from the two (the users starting with it over the share of
// the counted that do), and sorted when they are at most sortFew.
func (s *Users) sortsFirst(ctx context.Context, tx *gorm.DB, p searchPlan, lead int64) (bool, error) {
	if p.prefix == "" || lead < leadFew {
		return false, nil
	}
	// The users starting with the prefix, counted from the index on the
	// sort key as far as the estimate could stay within sortFew.
	limit := sortFew*lead/(models.UserCountCap+1) + 1
	last := len(p.prefix) - 1
	upper := p.prefix[:last] + string(p.prefix[last]+1)
	var n int64
	err := tx.WithContext(withPatience(ctx)).Raw("SELECT count(*) FROM (SELECT 1 FROM users WHERE merchant_id = ? AND "+
		p.expr+" >= ? AND "+p.expr+" < ? AND starts_with("+p.expr+", ?) LIMIT ?) u",
		p.q.MerchantID, p.prefix, upper, p.prefix, limit).Row().Scan(&n)
	switch {
	case isStatementTimeout(err) && ctx.Err() == nil:
		return false, nil
	case err != nil:
		return false, err
	}
	// Fewer than lead: the keys are not in the order the bounds assume
	// (a collation that sets letters apart from other characters).
	return n >= lead && n < limit, nil
}

// searchConditions are the search's filters for q and its terms, the same
// with every term whole for a walk (searchPlan.walkConds), and whether an
// index can find the users one of its terms matches.
func searchConditions(q UserQuery, terms []string, postgres bool) (conds, walkConds []clause.Expression, indexed bool) {
	merchant := clause.Expr{SQL: "merchant_id = ?", Vars: []any{q.MerchantID}}
	conds, walkConds = []clause.Expression{merchant}, []clause.Expression{merchant}
	add := func(c clause.Expression) {
		conds, walkConds = append(conds, c), append(walkConds, c)
	}
	where := func(sql string, args ...any) { add(clause.Expr{SQL: sql, Vars: args}) }
	text := migrations.UserSearchTextSQLite
	if postgres {
		text = migrations.UserSearchText
	}
	like := func(expr, pattern string) clause.Expression {
		return clause.Expr{SQL: expr + ` LIKE ? ESCAPE '\'`, Vars: []any{pattern}}
	}
	for _, term := range terms {
		var part string
		if postgres {
			part = lookupPart(term)
		}
		term = markPunctuation(term)
		pattern := likeEscaper.Replace(term)
		switch {
		case part != "":
			// The trigram index looks up the part of the term that few
			// users share, and the whole term is checked on the rows it
			// finds (an expression the index does not match).
			whole := "%" + pattern + "%"
			conds = append(conds, like(text, "%"+likeEscaper.Replace(markPunctuation(part))+"%"), like("("+text+" || '')", whole))
			walkConds = append(walkConds, like(text, whole))
			indexed = true
		case trigrammable(term):
			add(like(text, "%"+pattern+"%"))
			indexed = true
		case !strings.ContainsRune(term, migrations.SearchMark):
			// One or two characters: the start of a field or of a word of
			// one (the text starts with a space, and its fields are joined
			// by spaces), which the trigram index finds by the trigrams
			// padding a word's start.
			add(like(text, "% "+pattern+"%"))
			indexed = true
		default:
			// Punctuation and a character ("@c"): no index can find it.
			add(like(text, "%"+pattern+"%"))
		}
	}
	if q.Status != "" {
		where("status = ?", q.Status)
	}
	if q.Role != "" {
		// roles is a comma-separated list of upper-case words.
		where("(',' || roles || ',') LIKE ? ESCAPE '\\'", "%,"+likeEscaper.Replace(q.Role)+",%")
		if q.Role != models.RoleCustomer {
			// Nearly everyone is a customer and nothing else: on
			// PostgreSQL an index of everyone else finds the few staff.
			where("roles <> ?", models.RoleCustomer)
		}
	}
	return conds, walkConds, indexed
}

// markPunctuation makes each of migrations.SearchPunctuation in term the
// mark it is in the search text.
func markPunctuation(term string) string {
	if !strings.ContainsAny(term, migrations.SearchPunctuation) {
		return term
	}
	return strings.Map(func(r rune) rune {
		if strings.ContainsRune(migrations.SearchPunctuation, r) {
			return migrations.SearchMark
		}
		return r
	}, term)
}

// seekCondition starts a page after cur in the order of expr. The first
// comparison repeats the second's bound so the index on the sort key
// starts the scan at the cursor instead of filtering every row before it.
func seekCondition(sort, expr string, exprArgs []any, cur cursor, desc bool) (clause.Expression, error) {
	var v any = cur.Value
	if sort == "last_login" {
		t, err := time.Parse(time.RFC3339Nano, cur.Value)
		if err != nil {
			return nil, models.ErrNotFound
		}
		v = t
	}
	op := ">"
	if desc {
		op = "<"
	}
	args := append(append(append(append(append(append([]any{}, exprArgs...), v), exprArgs...), v), exprArgs...), v, cur.ID)
	return clause.Expr{SQL: fmt.Sprintf("%s %s= ? AND (%s %s ? OR (%s = ? AND id %s ?))", expr, op, expr, op, expr, op), Vars: args}, nil
}

// runSearch runs find in tx on PostgreSQL, a new transaction (fresh) or
// one searchFew counted in: it plans each search for its own text, and
// gives a text search a way out of a slow plan.
// Each step is one round trip, its statements sent together: under load
// every round trip waits for the database's process to be run again.
func (s *Users) runSearch(ctx context.Context, tx *gorm.DB, find func(tx *gorm.DB, walking bool) error, indexed, fresh, walk bool) error {
	// The driver prepares each statement once per connection, and after
	// five runs PostgreSQL may keep one generic plan for it, made without
	// the search text, which then serves every term: a member number
	// matching one user walked all the merchant's users (1.5 s over
	// 900,000). Planning each search for its own text costs about a
	// millisecond (pgSettings).
	start := searchStart(fresh)
	if !indexed {
		if err := tx.Exec(start).Error; err != nil {
			return err
		}
		return find(tx, false)
	}
	// A text search either walks the users in the page's order until a
	// page matches, or has the trigram index find every match and sorts
	// them. The planner picks from how many users it expects to match, as
	// if they were spread evenly; but matches bunch in that order (a
	// surname sorted by name, the start of a username sorted by
	// username), and a walk to them reads every user before: 3 s over
	// 900,000. A walk that has not found its page by searchPatience gives
	// way to sorting the matches, which are then few or bunched. The time
	// limit is set inside a savepoint, so that only the walk has it, and
	// rolling back to the savepoint lifts it.
	if walk && !s.noWalk {
		if err := tx.Exec(start + "; " + pgPatience).Error; err != nil {
			return err
		}
		err := find(tx.WithContext(withPatience(ctx)), true)
		if !isStatementTimeout(err) || ctx.Err() != nil { // timed out, not cancelled
			return err
		}
		start = pgToSavepoint
	}
	if err := tx.Exec(start + "; " + pgSortMatches).Error; err != nil {
		return err
	}
	return find(tx, false)
}

// userPage is the page of rows found, with its cursors.
func userPage(rows []userRow, q UserQuery, sk seek) models.UserPage {
	key := func(r *userRow) cursor {
		if q.Sort == "last_login" {
			t := neverSignedIn
			if r.LastLoginAt != nil {
				t = r.LastLoginAt.UTC()
			}
			return cursor{Value: t.Format(time.RFC3339Nano), ID: r.ID}
		}
		return cursor{Value: r.SortKey, ID: r.ID}
	}
	rows, next, prev := finishPage(rows, q.Limit, sk, key)
	page := models.UserPage{Users: make([]models.User, len(rows)), Next: next, Prev: prev}
	for i := range rows {
		page.Users[i] = rows[i].User
	}
	return page
}

// lookupPart is the part of term that the trigram index looks up on
// PostgreSQL, where that is not all of it ("" then): the parts that many
// users share have long lists in the index, which it reads whole, and
// leave out few users. It is a whole number's last digits (numberTail)
// or an email address's local part with the start of its domain
// (emailHead).
func lookupPart(term string) string {
	if numberTailed(term) {
		return term[len(term)-numberTail:]
	}
	return emailHead(term)
}

// emailDomainKept is how much of an email's domain emailHead keeps.
const emailDomainKept = 2

// emailHead is an email fragment up to its "@" and emailDomainKept
// characters of the domain, where more of the domain follows: "smith@ho"
// of "smith@hotm". What addresses share is their domain: over 1,000,000
// users the trigrams of "yahoo.co" are each in a large share of them,
// and counting "g@yahoo.co" took 10 ms where its head took 3, "4@gmail.c"
// 34-52 ms where "4@gm" took 13 (17,752 users, whose rows are then read).
// The walk looks for the whole fragment (searchPlan.walkConds).
func emailHead(term string) string {
	at := strings.IndexByte(term, '@')
	if at < 1 {
		return ""
	}
	// The head ends where the domain's character after the kept ones
	// starts, if there is one.
	kept := 0
	for i := range term[at+1:] {
		if kept == emailDomainKept {
			return term[:at+1+i]
		}
		kept++
	}
	return ""
}

// numberTail is how many of a number's last digits the trigram index
// looks up, for a number of numberWhole digits or more (numberTailed).
// What numbers share is their first digits: member numbers are given in
// sequence, card numbers start with the issuer's and phone numbers with
// the country's and area's. The trigrams of those are in nearly every
// user ("100" and "000" of 10003738), and the index read their long lists
// whole for every number: 16-21 ms over 1,000,000 users, where the three
// trigrams of the last five digits took 3-4 ms. Four would be two
// trigrams, too common (8-80 ms); six take in "003" (9.5 ms). A shorter
// number is a part, which many users share, and there the fewer trigrams
// gave the index more to find: 40 ms for 110,000 users of "00303", where
// "000303" found 1,001 in 19 ms.
const (
	numberTail  = 5
	numberWhole = 8
)

// numberTailed reports whether the trigram index looks term up by its
// last numberTail digits: a number of numberWhole digits or more whose
// last digits make three trigrams of their own ("11111" makes one).
func numberTailed(term string) bool {
	if len(term) < numberWhole {
		return false
	}
	for i := range len(term) {
		if term[i] < '0' || term[i] > '9' {
			return false
		}
	}
	tail := term[len(term)-numberTail:]
	a, b, c := tail[0:3], tail[1:4], tail[2:5]
	return a != b && b != c && a != c
}

// trigrammable reports whether the trigram index can look term up: it
// needs three letters or digits in a row ("n.t" has none).
func trigrammable(term string) bool {
	run := 0
	for _, r := range term {
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) {
			run = 0
		} else if run++; run == 3 {
			return true
		}
	}
	return false
}

// searchPatience is how long a text search on PostgreSQL lets the planner's
// plan run before it sorts all the matches instead. The planner's plans
// take under 25 ms but for a walk to bunched matches (docs/PERFORMANCE.md).
const searchPatience = "30ms"

const (
	// pgSettings plans the search for its text (plan_cache_mode), with no
	// time limit but the request's, in one process until the transaction
	// ends: starting parallel workers for a page of 25 took 20 ms of a
	// 35 ms walk, and under load they only take CPU from other searches.
	pgSettings = "SELECT set_config('plan_cache_mode', 'force_custom_plan', true), set_config('statement_timeout', '0', true)," +
		" set_config('max_parallel_workers_per_gather', '0', true)"
	// pgPatience is the time limit of the walk and of searchFew's count,
	// set inside searchStart's savepoint: pgToSavepoint lifts it, and
	// after a timeout, the transaction's abort.
	pgPatience    = "SELECT set_config('statement_timeout', '" + searchPatience + "', true)"
	pgToSavepoint = "ROLLBACK TO SAVEPOINT search"
	// pgSortMatches leaves the planner one way to read users, bitmap
	// scans, so a text search sorts the matches the trigram index finds,
	// and lifts the time limit.
	pgSortMatches = "SELECT set_config('statement_timeout', '0', true), set_config('enable_seqscan', 'off', true)," +
		" set_config('enable_indexscan', 'off', true), set_config('enable_indexonlyscan', 'off', true)"
)

// searchStart readies a transaction for a search: a new one (fresh) gets
// pgSettings and the savepoint of the search's time limits, one searchFew
// counted in goes back to that savepoint.
func searchStart(fresh bool) string {
	if fresh {
		return pgSettings + "; SAVEPOINT search"
	}
	return pgToSavepoint
}

// postgres reports whether s is on PostgreSQL, where the search has its
// indexes and plans.
func (s *Users) postgres() bool { return s.db.Dialector.Name() == "postgres" }

// userRow is a user with the key the search sorted it by.
type userRow struct {
	models.User
	SortKey string
}

// countUpTo counts the users matching p's search and filters (not its
// cursor), stopping past models.UserCountCap: on SQLite, whose databases
// are demo-sized; PostgreSQL counts in searchFew.
func (s *Users) countUpTo(ctx context.Context, p searchPlan) (int64, error) {
	var n int64
	ids := s.db.WithContext(ctx).Model(&models.User{}).Select("id").Clauses(clause.Where{Exprs: p.conds}).Limit(models.UserCountCap + 1)
	if err := s.db.WithContext(ctx).Table("(?) AS matches", ids).Count(&n).Error; err != nil {
		return 0, fmt.Errorf("count users: %w", err)
	}
	return n, nil
}
