package store

import "testing"

// A number is looked up by its last digits only when it is whole and
// they make three trigrams of their own.
func TestNumberTailed(t *testing.T) {
	for term, want := range map[string]bool{
		"10003738":         true,
		"14155550188":      true,
		"1000373":          false, // a part of a number: many users share it
		"11111111":         false, // one trigram
		"4111111111111111": false,
		"10012121":         false, // "121" twice
		"1000a738":         false,
		"١٠٠٠٣٧٣٨":         false, // digits, but not the ones the text stores
	} {
		if got := numberTailed(term); got != want {
			t.Errorf("numberTailed(%q) = %v, want %v", term, got, want)
		}
	}
}

// An email fragment is looked up by its local part and the start of its
// domain when more of the domain follows; a number as numberTailed says;
// anything else whole.
func TestLookupPart(t *testing.T) {
	for term, want := range map[string]string{
		"smith@hotm":   "smith@ho",
		"james.sm@gma": "james.sm@gm",
		"maria@hö.de":  "maria@hö",
		"g@yahoo.co":   "g@ya",
		"j.s@gmail":    "j.s@gm",
		"smith@gm":     "", // no more of the domain than the head
		"@hotmail":     "", // no local part
		"a@b":          "",
		"10003738":     "03738",
		"1000373":      "",
		"thomp":        "",
	} {
		if got := lookupPart(term); got != want {
			t.Errorf("lookupPart(%q) = %q, want %q", term, got, want)
		}
	}
}

// A search is a prefix of its sort key's when it is one word of
// lower-case letters and digits with a next last character, sorted by
// username, name or email, with no other filter.
func TestSortPrefix(t *testing.T) {
	for _, tc := range []struct {
		q    UserQuery
		want string
	}{
		{UserQuery{Text: "RustyF", Sort: "username"}, "rustyf"},
		{UserQuery{Text: " li ", Sort: "name"}, "li"},
		{UserQuery{Text: "crowd0", Sort: "email"}, "crowd0"},
		{UserQuery{Text: "rustyf", Sort: "last_login"}, ""},
		{UserQuery{Text: "rustyf", Sort: "member_number"}, ""},
		{UserQuery{Text: "rustyf", Sort: "username", Status: "locked"}, ""},
		{UserQuery{Text: "rustyf", Sort: "username", Role: "ADMIN"}, ""},
		{UserQuery{Text: "rusty falcon", Sort: "username"}, ""},
		{UserQuery{Text: "james.sm", Sort: "username"}, ""},
		{UserQuery{Text: "müller", Sort: "username"}, ""},
		{UserQuery{Text: "fizz", Sort: "username"}, ""}, // no next letter
		{UserQuery{Text: "1999", Sort: "username"}, ""},
		{UserQuery{Text: "", Sort: "username"}, ""},
	} {
		if got := sortPrefix(tc.q, searchTerms(tc.q.Text)); got != tc.want {
			t.Errorf("sortPrefix(%+v) = %q, want %q", tc.q, got, tc.want)
		}
	}
}
