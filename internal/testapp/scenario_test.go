package testapp

import "testing"

func TestMatches(t *testing.T) {
	for _, tc := range []struct {
		got, want string
		ok        bool
	}{
		{"/account", "/account", true},
		{"/account/email", "/account", false},
		{"", "", true},
		{"x", "", false},
		{"/login?next=%2F", "/login*", true},
		{"/account", "/login*", false},
		{"Cookie, HX-Request", "*HX-Request*", true},
		{"Cookie", "*HX-Request*", false},
		{"5 wrong, the last on 2 May. Change it.", "5 wrong, the last on *Change it.", true},
		{"5 wrong. Change it.", "5 wrong, the last on *Change it.", false},
		// The start and the end may not overlap.
		{"ab", "ab*b", false},
		{"anything", "*", true},
	} {
		if got := matches(tc.got, tc.want); got != tc.ok {
			t.Errorf("matches(%q, %q): got %v, want %v", tc.got, tc.want, got, tc.ok)
		}
	}
}
