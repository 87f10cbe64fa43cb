package store_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"myaccount/internal/testapp"
	"myaccount/models"
	"myaccount/store"
)

// auditFixture is a known audit trail: nine Sandpiper Bay events over
// three days (two of them at the same instant) and Harbor Coffee events
// that share their actions and times.
type auditFixture struct {
	sandpiper, harbor       *models.Merchant
	guest, admin, other, hb *models.User
	// ids are the Sandpiper events, newest first.
	ids  []string
	byID map[string]models.AuditEvent
	// harborIDs are the Harbor Coffee events.
	harborIDs []string
}

func day(d, h, m, s, ms int) time.Time {
	return time.Date(2026, 3, d, h, m, s, ms*int(time.Millisecond), time.UTC)
}

func newAuditFixture(t *testing.T, app *testapp.App) *auditFixture {
	t.Helper()
	f := &auditFixture{
		sandpiper: app.Merchant(t, "sandpiper"), harbor: app.Merchant(t, "harbor"),
		guest: app.User(t, "demo.guest"), admin: app.User(t, "demo.admin"),
		other: someGuest(t, app, "sandpiper"), hb: someGuest(t, app, "harbor"),
		byID: map[string]models.AuditEvent{},
	}
	g, a, o, h := &f.guest.ID, &f.admin.ID, &f.other.ID, &f.hb.ID
	// Oldest first; the test lists them newest first.
	sandpiper := []models.AuditEvent{
		{ActorID: g, SubjectID: g, Action: models.ActionSignIn, CreatedAt: day(1, 10, 0, 0, 0)},
		{ActorID: g, SubjectID: g, Action: models.ActionProfileUpdated, CreatedAt: day(1, 10, 5, 0, 250),
			Changes: models.Changes{{Field: "first_name", Old: "Maya", New: "Maia"}}},
		{ActorID: nil, SubjectID: g, Action: models.ActionSignInFailed, CreatedAt: day(2, 9, 0, 0, 0)},
		{ActorID: nil, SubjectID: g, Action: models.ActionLocked, CreatedAt: day(2, 23, 59, 59, 999),
			Changes: models.Changes{{Field: "status", Old: models.StatusActive, New: models.StatusLocked}}},
		// Two events at the same instant straddle the boundary of pages of 3.
		{ActorID: a, SubjectID: o, Action: models.ActionProfileUpdated, CreatedAt: day(3, 0, 0, 0, 0),
			Changes: models.Changes{{Field: "city", Old: "", New: "Austin"}}},
		{ActorID: a, SubjectID: g, Action: models.ActionPasswordChange, CreatedAt: day(3, 0, 0, 0, 0),
			Changes: models.Changes{{Field: "password", Old: models.Secret, New: models.Secret}}},
		{ActorID: a, SubjectID: a, Action: models.ActionSignIn, CreatedAt: day(3, 12, 0, 0, 0)},
		{ActorID: o, SubjectID: o, Action: models.ActionSignIn, CreatedAt: day(2, 12, 0, 0, 1)},
		{ActorID: g, SubjectID: g, Action: models.ActionSignOut, CreatedAt: day(3, 18, 30, 0, 0)},
	}
	harbor := []models.AuditEvent{
		{ActorID: h, SubjectID: h, Action: models.ActionSignIn, CreatedAt: day(1, 10, 0, 0, 0)},
		{ActorID: h, SubjectID: h, Action: models.ActionProfileUpdated, CreatedAt: day(2, 12, 0, 0, 0),
			Changes: models.Changes{{Field: "city", Old: "Boston", New: "Miami"}}},
		{ActorID: nil, SubjectID: h, Action: models.ActionSignInFailed, CreatedAt: day(3, 0, 0, 0, 0)},
		{ActorID: h, SubjectID: h, Action: models.ActionSignOut, CreatedAt: day(3, 23, 0, 0, 0)},
	}
	create := func(m *models.Merchant, evs []models.AuditEvent) []string {
		var ids []string
		for _, ev := range evs {
			ev.ID, ev.MerchantID, ev.IP = store.NewID(), m.ID, "192.0.2.7"
			if err := app.DB.Create(&ev).Error; err != nil {
				t.Fatalf("create audit event: %v", err)
			}
			f.byID[ev.ID] = ev
			ids = append(ids, ev.ID)
		}
		return ids
	}
	f.ids = create(f.sandpiper, sandpiper)
	f.harborIDs = create(f.harbor, harbor)
	// Newest first, ties broken by id descending as the store does.
	slices.SortFunc(f.ids, func(x, y string) int {
		if c := f.byID[y].CreatedAt.Compare(f.byID[x].CreatedAt); c != 0 {
			return c
		}
		return strings.Compare(y, x)
	})
	return f
}

// pick is the Sandpiper events (newest first) that keep says to keep.
func (f *auditFixture) pick(keep func(models.AuditEvent) bool) []string {
	var out []string
	for _, id := range f.ids {
		if keep(f.byID[id]) {
			out = append(out, id)
		}
	}
	return out
}

func entryIDs(entries []models.AuditEntry) []string {
	out := make([]string, len(entries))
	for i, e := range entries {
		out[i] = e.ID
	}
	return out
}

func is(p *string, id string) bool { return p != nil && *p == id }

func date(d int) *time.Time {
	t := time.Date(2026, 3, d, 0, 0, 0, 0, time.UTC)
	return &t
}

// Search filters one merchant's events by actor, subject, action and
// days, newest first, and never returns another merchant's.
func TestAuditSearchFilters(t *testing.T) {
	testapp.ForEach(t, func(t *testing.T, b testapp.Backend) {
		app := testapp.New(t, b)
		f := newAuditFixture(t, app)
		ctx := context.Background()
		all := func(models.AuditEvent) bool { return true }
		tests := []struct {
			name string
			q    store.AuditQuery
			want func(models.AuditEvent) bool
		}{
			{"everything", store.AuditQuery{}, all},
			{"actor", store.AuditQuery{Actor: "demo.admin"}, func(e models.AuditEvent) bool { return is(e.ActorID, f.admin.ID) }},
			{"actor in another case, with spaces", store.AuditQuery{Actor: "  DEMO.Admin "}, func(e models.AuditEvent) bool { return is(e.ActorID, f.admin.ID) }},
			{"subject", store.AuditQuery{Subject: "demo.guest"}, func(e models.AuditEvent) bool { return is(e.SubjectID, f.guest.ID) }},
			{"subject other", store.AuditQuery{Subject: strings.ToUpper(f.other.Username)}, func(e models.AuditEvent) bool { return is(e.SubjectID, f.other.ID) }},
			{"action", store.AuditQuery{Action: models.ActionProfileUpdated}, func(e models.AuditEvent) bool { return e.Action == models.ActionProfileUpdated }},
			{"actor and action", store.AuditQuery{Actor: "demo.guest", Action: models.ActionSignIn}, func(e models.AuditEvent) bool {
				return is(e.ActorID, f.guest.ID) && e.Action == models.ActionSignIn
			}},
			{"subject and actor", store.AuditQuery{Subject: "demo.guest", Actor: "demo.admin"}, func(e models.AuditEvent) bool {
				return is(e.SubjectID, f.guest.ID) && is(e.ActorID, f.admin.ID)
			}},
			{"one day, both ends included", store.AuditQuery{From: date(2), To: date(2)}, func(e models.AuditEvent) bool { return e.CreatedAt.Day() == 2 }},
			{"from a day on", store.AuditQuery{From: date(3)}, func(e models.AuditEvent) bool { return e.CreatedAt.Day() >= 3 }},
			{"up to a day", store.AuditQuery{To: date(1)}, func(e models.AuditEvent) bool { return e.CreatedAt.Day() == 1 }},
			{"a time of day in From counts as its day", store.AuditQuery{From: ptr(day(2, 15, 0, 0, 0)), To: ptr(day(2, 1, 0, 0, 0))}, func(e models.AuditEvent) bool { return e.CreatedAt.Day() == 2 }},
			{"days without events", store.AuditQuery{From: date(10), To: date(20)}, nil},
			{"unknown actor", store.AuditQuery{Actor: "nobody"}, nil},
			{"unknown subject", store.AuditQuery{Subject: "nobody"}, nil},
			{"part of a username", store.AuditQuery{Subject: "demo"}, nil},
			{"LIKE wildcard", store.AuditQuery{Subject: "demo.%"}, nil},
			{"unknown action", store.AuditQuery{Action: "user.nothing"}, nil},
			{"actor of another merchant", store.AuditQuery{Actor: f.hb.Username}, nil},
			{"subject of another merchant", store.AuditQuery{Subject: f.hb.Username}, nil},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				tc.q.MerchantID = f.sandpiper.ID
				page, err := app.Deps.Audit.Search(ctx, tc.q)
				if err != nil {
					t.Fatalf("search: %v", err)
				}
				var want []string
				if tc.want != nil {
					want = f.pick(tc.want)
				}
				if got := entryIDs(page.Events); !slices.Equal(got, want) {
					t.Errorf("events: got %d %v, want %d %v", len(got), got, len(want), want)
				}
				if page.Next != "" || page.Prev != "" {
					t.Errorf("cursors on a single page: got next=%q prev=%q, want none", page.Next, page.Prev)
				}
				for _, e := range page.Events {
					if e.MerchantID != f.sandpiper.ID {
						t.Errorf("event %s of merchant %s, want only %s", e.ID, e.MerchantID, f.sandpiper.ID)
					}
				}
			})
		}

		// Harbor Coffee's admin sees exactly Harbor Coffee's events, even
		// when asking about a Sandpiper Bay user.
		page, err := app.Deps.Audit.Search(ctx, store.AuditQuery{MerchantID: f.harbor.ID})
		if err != nil {
			t.Fatalf("search harbor: %v", err)
		}
		got := entryIDs(page.Events)
		slices.Sort(got)
		want := slices.Clone(f.harborIDs)
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Errorf("harbor events: got %v, want %v", got, want)
		}
		page, err = app.Deps.Audit.Search(ctx, store.AuditQuery{MerchantID: f.harbor.ID, Subject: "demo.guest"})
		if err != nil || len(page.Events) != 0 {
			t.Errorf("harbor search for demo.guest: got %d events (err %v), want none", len(page.Events), err)
		}
	})
}

func ptr[T any](v T) *T { return &v }

// Entries name their actor and subject; no actor is "system".
func TestAuditSearchNames(t *testing.T) {
	testapp.ForEach(t, func(t *testing.T, b testapp.Backend) {
		app := testapp.New(t, b)
		f := newAuditFixture(t, app)
		// An event about an account that no longer exists keeps its ids.
		gone := store.NewID()
		ev := models.AuditEvent{ID: store.NewID(), MerchantID: f.sandpiper.ID, ActorID: &gone, SubjectID: &gone, Action: models.ActionSignIn, CreatedAt: day(4, 0, 0, 0, 0)}
		if err := app.DB.Create(&ev).Error; err != nil {
			t.Fatal(err)
		}
		page, err := app.Deps.Audit.Search(context.Background(), store.AuditQuery{MerchantID: f.sandpiper.ID})
		if err != nil {
			t.Fatal(err)
		}
		names := map[string]string{f.guest.ID: "demo.guest", f.admin.ID: "demo.admin", f.other.ID: f.other.Username}
		for _, e := range page.Events {
			wantActor, wantSubject := models.SystemActor, ""
			if e.ActorID != nil {
				wantActor = names[*e.ActorID]
			}
			if e.SubjectID != nil {
				wantSubject = names[*e.SubjectID]
			}
			if e.ActorName != wantActor || e.SubjectName != wantSubject {
				t.Errorf("event %s (%s): got actor %q subject %q, want %q %q", e.ID, e.Action, e.ActorName, e.SubjectName, wantActor, wantSubject)
			}
		}
		if len(page.Events) != len(f.ids)+1 || page.Events[0].ID != ev.ID {
			t.Errorf("got %d events, want %d with the newest first", len(page.Events), len(f.ids)+1)
		}
	})
}

// Pages of three walk the nine events forwards and back, with ties on
// created_at split across a page boundary, and keep the filters.
func TestAuditSearchPagination(t *testing.T) {
	testapp.ForEach(t, func(t *testing.T, b testapp.Backend) {
		app := testapp.New(t, b)
		f := newAuditFixture(t, app)
		ctx := context.Background()
		q := store.AuditQuery{MerchantID: f.sandpiper.ID, Limit: 3}
		search := func(after, before string) models.AuditPage {
			t.Helper()
			q := q
			q.After, q.Before = after, before
			page, err := app.Deps.Audit.Search(ctx, q)
			if err != nil {
				t.Fatalf("search: %v", err)
			}
			return page
		}
		want := [][]string{f.ids[0:3], f.ids[3:6], f.ids[6:9]}

		var pages []models.AuditPage
		next := ""
		for i := range want {
			page := search(next, "")
			if got := entryIDs(page.Events); !slices.Equal(got, want[i]) {
				t.Fatalf("forwards, page %d: got %v, want %v", i+1, got, want[i])
			}
			if (page.Prev == "") != (i == 0) {
				t.Errorf("forwards, page %d: prev %q", i+1, page.Prev)
			}
			if (page.Next == "") != (i == len(want)-1) {
				t.Errorf("forwards, page %d: next %q", i+1, page.Next)
			}
			pages = append(pages, page)
			next = page.Next
		}
		prev := pages[2].Prev
		for i := 1; i >= 0; i-- {
			page := search("", prev)
			if got := entryIDs(page.Events); !slices.Equal(got, want[i]) {
				t.Fatalf("backwards, page %d: got %v, want %v", i+1, got, want[i])
			}
			if (page.Prev == "") != (i == 0) {
				t.Errorf("backwards, page %d: prev %q", i+1, page.Prev)
			}
			if page.Next == "" {
				t.Errorf("backwards, page %d: got no next cursor, want one", i+1)
			}
			prev = page.Prev
		}

		// Filters hold on every page: the guest's five events in pages of 2.
		q = store.AuditQuery{MerchantID: f.sandpiper.ID, Subject: "demo.guest", Limit: 2}
		wantGuest := f.pick(func(e models.AuditEvent) bool { return is(e.SubjectID, f.guest.ID) })
		var got []string
		next = ""
		for range 3 {
			page := search(next, "")
			got = append(got, entryIDs(page.Events)...)
			next = page.Next
		}
		if !slices.Equal(got, wantGuest) || next != "" {
			t.Errorf("guest's events in pages of 2: got %v (next %q), want %v", got, next, wantGuest)
		}

		// A cursor that does not decode starts at the beginning.
		page := search("garbage", "")
		if got := entryIDs(page.Events); !slices.Equal(got, wantGuest[:2]) {
			t.Errorf("bad cursor: got %v, want the first page", got)
		}
	})
}

// ForSubject is one user's history, newest first, within their merchant.
func TestAuditForSubject(t *testing.T) {
	testapp.ForEach(t, func(t *testing.T, b testapp.Backend) {
		app := testapp.New(t, b)
		f := newAuditFixture(t, app)
		ctx := context.Background()
		want := f.pick(func(e models.AuditEvent) bool { return is(e.SubjectID, f.guest.ID) })
		got, err := app.Deps.Audit.ForSubject(ctx, f.sandpiper.ID, f.guest.ID, 10)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(entryIDs(got), want) {
			t.Errorf("history: got %v, want %v", entryIDs(got), want)
		}
		if len(got) > 0 && got[0].SubjectName != "demo.guest" {
			t.Errorf("subject name: got %q, want demo.guest", got[0].SubjectName)
		}
		got, err = app.Deps.Audit.ForSubject(ctx, f.sandpiper.ID, f.guest.ID, 2)
		if err != nil || !slices.Equal(entryIDs(got), want[:2]) {
			t.Errorf("limit 2: got %v (err %v), want %v", entryIDs(got), err, want[:2])
		}
		for name, tc := range map[string]struct{ merchant, user string }{
			"user of another merchant": {f.sandpiper.ID, f.hb.ID},
			"another merchant's admin": {f.harbor.ID, f.guest.ID},
			"malformed id":             {f.sandpiper.ID, "not-an-id"},
		} {
			got, err := app.Deps.Audit.ForSubject(ctx, tc.merchant, tc.user, 10)
			if err != nil || len(got) != 0 {
				t.Errorf("%s: got %d events (err %v), want none", name, len(got), err)
			}
		}
	})
}
