package store_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"gorm.io/gorm"

	"myaccount/internal/testapp"
	"myaccount/models"
	"myaccount/store"
)

// A term of one or two characters matches the start of a field or of a
// word of a name, and punctuation matches punctuation, on both databases
// and whichever way PostgreSQL finds the users.
func TestSearchShortTerms(t *testing.T) {
	testapp.ForEach(t, func(t *testing.T, b testapp.Backend) {
		app := testapp.New(t, b)
		base := someGuest(t, app, "harbor")
		merchant := base.MerchantID
		made := func(username, email, first, last string) {
			u := twin(t, app, base, "harbor", username, email)
			if err := app.DB.Model(u).Updates(map[string]any{"first_name": first, "last_name": last, "phone": "", "mobile": ""}).Error; err != nil {
				t.Fatal(err)
			}
		}
		made("wei.xu", "wei.xu@example.test", "Wei", "Xu")
		made("alexus", "alexus@example.test", "Alexus", "Brown")
		made("oconnor", "sean@example.test", "Sean", "O'Connor")
		made("zz-42", "n.tran@example.test", "Ngoc", "Tran")

		for _, tt := range []struct {
			text     string
			want     []string
			wantNone []string
		}{
			{"xu", []string{"wei.xu"}, []string{"alexus"}}, // the last name
			{"XU", []string{"wei.xu"}, []string{"alexus"}},
			{"x", []string{"wei.xu"}, []string{"alexus"}},
			{"lexu", []string{"alexus"}, []string{"wei.xu"}}, // three letters: anywhere
			{"se", []string{"oconnor"}, nil},                 // the first name and the email
			{"co", nil, []string{"oconnor"}},                 // not a field's start
			{"zz", []string{"zz-42"}, nil},
			{"42", nil, []string{"zz-42"}},
			{"xu wei", []string{"wei.xu"}, []string{"alexus"}},
			{"o'co", []string{"oconnor"}, []string{"wei.xu"}},
			{"n.t", []string{"zz-42"}, []string{"oconnor"}},
			{"'c", []string{"oconnor"}, []string{"wei.xu"}},    // punctuation: anywhere
			{"wei_xu", []string{"wei.xu"}, []string{"alexus"}}, // one mark matches another
			{"u@exa", []string{"wei.xu"}, []string{"alexus"}},
			{"o’connor", []string{"oconnor"}, nil},
			{"*", nil, []string{"wei.xu", "alexus", "oconnor", "zz-42"}},
			{"[x", nil, []string{"wei.xu"}},
		} {
			wantFound(t, app.Deps.Users, store.UserQuery{MerchantID: merchant, Text: tt.text, Limit: 200}, tt.want, tt.wantNone)
		}
	})
}

// A number is found whole, wherever it is, however many users share its
// last digits (PostgreSQL's index looks those up and the rows are
// checked for the whole number), on both databases.
func TestSearchNumbers(t *testing.T) {
	testapp.ForEach(t, func(t *testing.T, b testapp.Backend) {
		app := testapp.New(t, b)
		base := someGuest(t, app, "harbor")
		numbered := func(username, member, mobile string) {
			u := twin(t, app, base, "harbor", username, username+"@example.test")
			if err := app.DB.Model(u).Updates(map[string]any{"member_number": member, "phone": "", "mobile": mobile}).Error; err != nil {
				t.Fatal(err)
			}
		}
		numbered("first.number", "12345678", "")
		numbered("same.tail", "99945678", "")
		numbered("in.a.phone", "", "+14151234567")
		for _, tt := range []struct {
			text     string
			want     []string
			wantNone []string
		}{
			{"12345678", []string{"first.number"}, []string{"same.tail"}},
			{"2345678", []string{"first.number"}, []string{"same.tail"}},
			{"45678", []string{"first.number", "same.tail"}, nil},
			{"99945678", []string{"same.tail"}, []string{"first.number"}},
			{"1234567", []string{"first.number", "in.a.phone"}, []string{"same.tail"}},
			{"(415) 123-4567", []string{"in.a.phone"}, []string{"first.number"}},
			{"4151234567", []string{"in.a.phone"}, []string{"first.number"}},
			{"11111111", nil, []string{"first.number", "same.tail", "in.a.phone"}},
		} {
			wantFound(t, app.Deps.Users, store.UserQuery{MerchantID: base.MerchantID, Text: tt.text, Limit: 200}, tt.want, tt.wantNone)
		}
	})
}

// An email fragment is found whole, not by its local part and the start
// of its domain alone, on both databases.
func TestSearchEmailFragments(t *testing.T) {
	testapp.ForEach(t, func(t *testing.T, b testapp.Backend) {
		app := testapp.New(t, b)
		base := someGuest(t, app, "harbor")
		for _, username := range []string{"gina.yahoo", "gina.yandex", "bob.yahoo"} {
			domain := strings.TrimPrefix(username[strings.IndexByte(username, '.'):], ".") + ".example"
			twin(t, app, base, "harbor", username, strings.Split(username, ".")[0]+"@"+domain)
		}
		for _, tt := range []struct {
			text     string
			want     []string
			wantNone []string
		}{
			{"ina@yahoo", []string{"gina.yahoo"}, []string{"gina.yandex", "bob.yahoo"}},
			{"gina@yan", []string{"gina.yandex"}, []string{"gina.yahoo"}},
			{"gina@yahoo.ex", []string{"gina.yahoo"}, []string{"gina.yandex", "bob.yahoo"}},
			{"bob@yahoo.example", []string{"bob.yahoo"}, []string{"gina.yahoo"}},
			{"b@yahoo.example", []string{"bob.yahoo"}, []string{"gina.yahoo"}},
			{"b_yahoo", []string{"bob.yahoo"}, []string{"gina.yahoo"}}, // one mark matches another
		} {
			wantFound(t, app.Deps.Users, store.UserQuery{MerchantID: base.MerchantID, Text: tt.text, Limit: 200}, tt.want, tt.wantNone)
		}
	})
}

// wantFound checks that q finds every user of want and none of
// wantNone, by username, and the same users whichever way PostgreSQL
// finds them.
func wantFound(t *testing.T, users *store.Users, q store.UserQuery, want, wantNone []string) {
	t.Helper()
	got := usernames(t, users, q)
	if byIndex := usernames(t, store.SortingMatches(users), q); !slices.Equal(byIndex, got) {
		t.Errorf("%q: through the indexes %v, else %v", q.Text, byIndex, got)
	}
	for _, w := range want {
		if !slices.Contains(got, w) {
			t.Errorf("%q: %s not found in %v", q.Text, w, got)
		}
	}
	for _, w := range wantNone {
		if slices.Contains(got, w) {
			t.Errorf("%q: %s found in %v", q.Text, w, got)
		}
	}
}

// usernames is the page users finds for q.
func usernames(t *testing.T, users *store.Users, q store.UserQuery) []string {
	t.Helper()
	page, err := users.Search(context.Background(), q)
	if err != nil {
		t.Fatalf("%q: %v", q.Text, err)
	}
	var got []string
	for _, u := range page.Users {
		got = append(got, u.Username)
	}
	return got
}

// SearchCounted finds the page Search finds, with the count the list
// shows: exact up to the cap, the cap + 1 past it; on PostgreSQL a count
// within the cap gives the page from the counted matches, which must be
// the page the search would give, cursors included, in every order.
func TestSearchCounted(t *testing.T) {
	testapp.ForEach(t, func(t *testing.T, b testapp.Backend) {
		app := testapp.New(t, b)
		base := someGuest(t, app, "harbor")
		merchant := base.MerchantID
		var crowd []models.User
		for i := range models.UserCountCap + 100 {
			c := *base
			c.ID, c.Username, c.Email = store.NewID(), fmt.Sprintf("crowd.%04d", i), fmt.Sprintf("crowd.%04d@example.test", i)
			c.MemberNumber, c.CardNumber, c.LastName = "", "", fmt.Sprintf("Crowd%d", i%7)
			if i < 30 {
				c.FirstName = "Rareterm"
				if i%3 == 0 {
					c.LastLoginAt = nil
				}
			}
			crowd = append(crowd, c)
		}
		if err := app.DB.CreateInBatches(crowd, 200).Error; err != nil {
			t.Fatal(err)
		}
		users := app.Deps.Users
		for _, tc := range []struct {
			q    store.UserQuery
			want int64
		}{
			{store.UserQuery{Text: "rareterm"}, 30},
			{store.UserQuery{Text: "rareterm", Sort: "name", Desc: true}, 30},
			{store.UserQuery{Text: "rareterm", Sort: "last_login"}, 30},
			{store.UserQuery{Text: "rareterm", Sort: "email", Limit: 200}, 30},
			{store.UserQuery{Text: "rareterm", Limit: 7}, 30},
			{store.UserQuery{Text: "zzqx-none"}, 0},
			{store.UserQuery{Text: "crowd"}, models.UserCountCap + 1},
			{store.UserQuery{Text: "crowd", Sort: "last_login", Desc: true}, models.UserCountCap + 1},
			{store.UserQuery{}, models.UserCountCap + 1},
		} {
			q := tc.q
			q.MerchantID = merchant
			name := fmt.Sprintf("%q by %s desc=%t limit %d", q.Text, q.Sort, q.Desc, q.Limit)
			// The first page, the next, and back to the first.
			for step := range 3 {
				got, err := users.SearchCounted(context.Background(), q)
				if err != nil {
					t.Fatalf("%s, page %d: %v", name, step, err)
				}
				want, err := users.Search(context.Background(), q)
				if err != nil {
					t.Fatalf("%s, page %d: Search: %v", name, step, err)
				}
				samePage(t, fmt.Sprintf("%s, page %d", name, step), got, want)
				sorted, err := store.SortingMatches(users).SearchCounted(context.Background(), q)
				if err != nil {
					t.Fatalf("%s, page %d, sorting the matches: %v", name, step, err)
				}
				samePage(t, fmt.Sprintf("%s, page %d, sorting the matches", name, step), sorted, got)
				switch {
				case !got.MatchesKnown:
					t.Logf("%s, page %d: not counted in time", name, step)
				case got.Matches != tc.want:
					t.Errorf("%s, page %d: %d matches, want %d", name, step, got.Matches, tc.want)
				}
				switch step {
				case 0:
					q.After = got.Next
				case 1:
					q.After, q.Before = "", got.Prev
				}
				if q.After == "" && q.Before == "" {
					break
				}
			}
		}
		if app.DB.Dialector.Name() == "postgres" {
			searchOutOfPatience(t, app.DB, users, store.UserQuery{MerchantID: merchant, Text: "crowd"})
			sortsBunched(t, users, merchant)
		}
	})
}

// sortsBunched: on PostgreSQL, a search past the cap whose matches bunch
// where their sort key starts with its text, and are few enough to sort,
// sorts them instead of walking to them (the pages are compared with
// Search's in TestSearchCounted); matches spread through the order are
// walked to.
func sortsBunched(t *testing.T, users *store.Users, merchant string) {
	for _, tc := range []struct {
		q    store.UserQuery
		want bool
	}{
		{store.UserQuery{Text: "crowd"}, true}, // 1,100 usernames start with it
		{store.UserQuery{Text: "Crowd", Sort: "name", Desc: true}, true},
		{store.UserQuery{Text: "example"}, false},                   // every crowd email, no username
		{store.UserQuery{Text: "crowd", Sort: "last_login"}, false}, // not a key of words
		{store.UserQuery{Text: "crowd", Status: models.StatusActive}, false},
		{store.UserQuery{Text: "rareterm"}, false}, // within the cap
	} {
		q := tc.q
		q.MerchantID = merchant
		got, err := store.SortsFirst(context.Background(), users, q)
		if err != nil {
			t.Fatalf("%+v: %v", q, err)
		}
		if got != tc.want {
			t.Errorf("%q by %s, status %q: sorts first %v, want %v", q.Text, q.Sort, q.Status, got, tc.want)
		}
	}
}

// samePage fails t when got is not want's page, with its cursors.
func samePage(t *testing.T, name string, got, want models.UserPage) {
	t.Helper()
	if g, w := pageNames(got), pageNames(want); !slices.Equal(g, w) || got.Next != want.Next || got.Prev != want.Prev {
		t.Errorf("%s: %v (next %q, prev %q), want %v (next %q, prev %q)", name, g, got.Next, got.Prev, w, want.Next, want.Prev)
	}
}

// searchOutOfPatience: on PostgreSQL, a count and a walk that run out of
// time (here waiting for a lock another transaction holds on the users
// for longer than both time limits) leave the count unknown and the page
// to the matches sorted, in the same transaction: the page is still
// Search's.
func searchOutOfPatience(t *testing.T, db *gorm.DB, users *store.Users, q store.UserQuery) {
	want, err := users.Search(context.Background(), q)
	if err != nil {
		t.Fatal(err)
	}
	locked, release := make(chan error, 1), make(chan struct{})
	go func() {
		locked <- db.Transaction(func(tx *gorm.DB) error {
			if err := tx.Exec("LOCK TABLE users IN ACCESS EXCLUSIVE MODE").Error; err != nil {
				return err
			}
			locked <- nil
			<-release
			return nil
		})
	}()
	if err := <-locked; err != nil {
		t.Fatal(err)
	}
	time.AfterFunc(300*time.Millisecond, func() { close(release) })
	got, err := users.SearchCounted(context.Background(), q)
	if err != nil {
		t.Fatalf("searched while the users were locked: %v", err)
	}
	if err := <-locked; err != nil {
		t.Fatal(err)
	}
	if got.MatchesKnown {
		t.Errorf("searched while the users were locked: %d matches counted, want the count not known in time", got.Matches)
	}
	samePage(t, "searched while the users were locked", got, want)
}

func pageNames(page models.UserPage) []string {
	var out []string
	for _, u := range page.Users {
		out = append(out, u.Username)
	}
	return out
}

// Searches take turns (LimitSearches): one that waits for a turn past its
// deadline fails with ErrSearchBusy, not a database error, and once a turn
// is free the search runs, its wait heard.
func TestSearchesTakeTurns(t *testing.T) {
	testapp.ForEach(t, func(t *testing.T, b testapp.Backend) {
		app := testapp.New(t, b)
		users := store.NewUsers(app.DB, nil, models.LinkLifetimes{})
		var waits atomic.Int64
		users.LimitSearches(1, func(time.Duration) { waits.Add(1) })
		q := store.UserQuery{MerchantID: someGuest(t, app, "harbor").MerchantID}
		done, err := store.TakeSearchSlot(context.Background(), users)
		if err != nil {
			t.Fatal(err)
		}
		for name, search := range map[string]func(context.Context, store.UserQuery) (models.UserPage, error){
			"Search": users.Search, "SearchCounted": users.SearchCounted,
		} {
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
			_, err := search(ctx, q)
			cancel()
			if !errors.Is(err, store.ErrSearchBusy) || !errors.Is(err, context.DeadlineExceeded) || store.Unavailable(err) {
				t.Errorf("%s with every turn taken: %v, want ErrSearchBusy at the deadline, not the database unavailable", name, err)
			}
		}
		done()
		page, err := users.SearchCounted(context.Background(), q)
		if err != nil || page.Matches == 0 {
			t.Fatalf("SearchCounted with a turn free: %d matches, %v", page.Matches, err)
		}
		if n := waits.Load(); n != 2 { // the slot taken, and the search
			t.Errorf("%d waits heard, want 2", n)
		}
	})
}
