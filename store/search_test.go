package store_test

import (
	"context"
	"slices"
	"testing"

	"myaccount/internal/testapp"
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
			q := store.UserQuery{MerchantID: merchant, Text: tt.text, Limit: 200}
			got := usernames(t, app.Deps.Users, q)
			if byIndex := usernames(t, store.SortingMatches(app.Deps.Users), q); !slices.Equal(byIndex, got) {
				t.Errorf("%q: through the indexes %v, else %v", tt.text, byIndex, got)
			}
			for _, w := range tt.want {
				if !slices.Contains(got, w) {
					t.Errorf("%q: %s not found in %v", tt.text, w, got)
				}
			}
			for _, w := range tt.wantNone {
				if slices.Contains(got, w) {
					t.Errorf("%q: %s found, but no word of theirs starts with it", tt.text, w)
				}
			}
		}
	})
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
