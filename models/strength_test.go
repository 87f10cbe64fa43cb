package models_test

import (
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"

	"myaccount/models"
)

// strongRandom is a 20-character password without runs or repeats.
const strongRandom = "Tq8#vL2m!Rz5@Wk9$Np3"

// demoOwner is the demo guest of Sandpiper Bay.
var demoOwner = models.PasswordOwner{
	Username: "demo.guest", Email: "demo.guest@example.com", FirstName: "Demo", LastName: "Guest", Merchant: "Sandpiper Bay", Whose: "your",
}

const moreWords = "Add another word or two. Uncommon words are better."

func TestEstimateStrength(t *testing.T) {
	cases := []struct {
		name        string
		pw          string
		owner       models.PasswordOwner
		score       int
		warning     string
		suggestions []string
	}{
		{"nothing typed: no feedback", "", models.PasswordOwner{}, 0, "", nil},
		{"strong random", strongRandom, models.PasswordOwner{}, 4, "", nil},
		{"passphrase", "correct horse battery staple", models.PasswordOwner{}, 4, "", nil},
		{"demo guest password", "Guest#2026", models.PasswordOwner{}, 3, "", nil},
		{"the owner's name in it weighs less", "Guest#2026", demoOwner, 2, "", []string{moreWords, "Capitalization doesn't help very much"}},
		{"top-10 password", "password", models.PasswordOwner{}, 0, "This is a top-10 common password", []string{moreWords}},
		{"top-100 password", "letmein", models.PasswordOwner{}, 0, "This is a top-100 common password", []string{moreWords}},
		{"very common password", "qwerty123", models.PasswordOwner{}, 0, "This is a very common password", []string{moreWords}},
		{"all capitals", "PASSWORD", models.PasswordOwner{}, 0, "This is a top-10 common password", []string{moreWords, "All-uppercase is almost as easy to guess as all-lowercase"}},
		{"decorated common password", "Password1!", models.PasswordOwner{}, 1, "This is similar to a commonly used password", []string{moreWords, "Capitalization doesn't help very much"}},
		{"l33t", "Passw0rd!", models.PasswordOwner{}, 1, "This is similar to a commonly used password",
			[]string{moreWords, "Capitalization doesn't help very much", "Predictable substitutions like '@' instead of 'a' don't help very much"}},
		{"reversed", "drowssap", models.PasswordOwner{}, 0, "This is similar to a commonly used password", []string{moreWords, "Reversed words aren't much harder to guess"}},
		{"a word alone", "harbour", models.PasswordOwner{}, 1, "A word by itself is easy to guess", []string{moreWords}},
		{"a name alone", "jennifer", models.PasswordOwner{}, 0, "Names and surnames by themselves are easy to guess", []string{moreWords}},
		{"a name and digits", "Marguerite#42", models.PasswordOwner{}, 2, "Common names and surnames are easy to guess", []string{moreWords, "Capitalization doesn't help very much"}},
		{"a surname alone", "thompson", models.PasswordOwner{}, 0, "Names and surnames by themselves are easy to guess", []string{moreWords}},
		{"repeated character", "aaaaaaaaaaaaaaaa", models.PasswordOwner{}, 0, `Repeats like "aaa" are easy to guess`, []string{moreWords, "Avoid repeated words and characters"}},
		{"repeated word", "passwordpassword", models.PasswordOwner{}, 0, `Repeats like "abcabcabc" are only slightly harder to guess than "abc"`, []string{moreWords, "Avoid repeated words and characters"}},
		{"sequence", "abcdefghijklmnop", models.PasswordOwner{}, 0, "Sequences like abc or 6543 are easy to guess", []string{moreWords, "Avoid sequences"}},
		{"digits in a row", "1234567890123456", models.PasswordOwner{}, 1, "This is similar to a commonly used password", []string{moreWords}},
		{"keyboard row", "zxcvbnm,./", models.PasswordOwner{}, 1, "Straight rows of keys are easy to guess", []string{moreWords, "Use a longer keyboard pattern with more turns"}},
		{"keyboard pattern with turns", "rfvbgt", models.PasswordOwner{}, 1, "Short keyboard patterns are easy to guess", []string{moreWords, "Use a longer keyboard pattern with more turns"}},
		{"date", "1990-12-31", models.PasswordOwner{}, 1, "Dates are often easy to guess", []string{moreWords, "Avoid dates and years that are associated with you"}},
		{"recent year", "xq2013", models.PasswordOwner{}, 1, "Recent years are easy to guess", []string{moreWords, "Avoid recent years", "Avoid years that are associated with you"}},
		{"username and digits", "demo.guest12345678", demoOwner, 1, "", []string{moreWords}},
		{"merchant name repeated", "SandpiperBaySandpiperBay", demoOwner, 1, "", []string{moreWords}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := models.EstimateStrength(tc.pw, tc.owner)
			if got.Score != tc.score || got.Warning != tc.warning || !reflect.DeepEqual(got.Suggestions, tc.suggestions) {
				t.Errorf("EstimateStrength(%q):\n got score %d, warning %q, suggestions %q\nwant score %d, warning %q, suggestions %q",
					tc.pw, got.Score, got.Warning, got.Suggestions, tc.score, tc.warning, tc.suggestions)
			}
		})
	}
}

// Each of the owner's context words makes a password built on it score
// lower than it does for someone else.
func TestEstimateStrengthContextWords(t *testing.T) {
	owner := models.PasswordOwner{
		Username: "mt2026", Email: "maya.quillfeather@example.com", FirstName: "Marguerite", LastName: "Vandersloot", Merchant: "Sandpiper Bay",
	}
	cases := []struct {
		name, pw string
	}{
		{"username", "mt2026#Kite"},
		{"email", "maya.quillfeather@example.com"},
		{"email's local part", "maya.quillfeather.1990"},
		{"email's local part run together", "mayaquillfeather42"},
		{"a word of the email's local part", "Quillfeather#42"},
		{"first name", "Marguerite#42"},
		{"last name", "Vandersloot#42"},
		{"merchant name", "Sandpiper Bay 2026"},
		{"merchant name run together", "SandpiperBay#42"},
		{"a word of the merchant name", "Sandpiper#42"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			stranger := models.EstimateStrength(tc.pw, models.PasswordOwner{})
			own := models.EstimateStrength(tc.pw, owner)
			if own.Guesses >= stranger.Guesses || own.Score >= stranger.Score {
				t.Errorf("EstimateStrength(%q): got score %d (%.3g guesses) for the owner, %d (%.3g) for a stranger; want the owner's lower",
					tc.pw, own.Score, own.Guesses, stranger.Score, stranger.Guesses)
			}
		})
	}
	t.Run("words under 3 characters are not context", func(t *testing.T) {
		jo := models.PasswordOwner{Username: "jo", FirstName: "Al", LastName: "Wu", Merchant: "XY"}
		if a, b := models.EstimateStrength("jo#alwu-xy7", jo), models.EstimateStrength("jo#alwu-xy7", models.PasswordOwner{}); a.Guesses != b.Guesses {
			t.Errorf("got %.3g guesses for the owner, %.3g for a stranger; want the same", a.Guesses, b.Guesses)
		}
	})
}

func TestEstimateStrengthOrder(t *testing.T) {
	cases := []struct {
		name             string
		weaker, stronger string
	}{
		{"repeats below mixed", "aaaaaa", "Guest#2026"},
		{"demo below random", "Guest#2026", strongRandom},
		{"run below scattered letters", "abcdef", "axqmzt"},
		{"descending run below scattered digits", "987654", "940271"},
		{"a common word and a digit below random", "monkey1", "qX3#wtz"},
		{"longer is stronger", "Guest#2026", "Guest#2026-Sandpiper"},
		{"twenty repeats below eight scattered", strings.Repeat("a", 20), "axqmztbw"},
		{"the NIST examples below a passphrase", "password12345678", "tuesday kite harbour"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			w, s := models.EstimateStrength(tc.weaker, models.PasswordOwner{}), models.EstimateStrength(tc.stronger, models.PasswordOwner{})
			if w.Meter >= s.Meter || w.Score > s.Score {
				t.Errorf("%q: meter %d score %d, %q: meter %d score %d: want the first lower", tc.weaker, w.Meter, w.Score, tc.stronger, s.Meter, s.Score)
			}
		})
	}
}

func TestEstimateStrengthCommonPasswords(t *testing.T) {
	// Each is compared with a random-looking password of the same length.
	for _, pw := range []string{"Password1!", "password", "PASSWORD", "Passw0rd!", "qwerty123", "Welcome1!", "letmein", "123456", "abc123", "iloveyou", "Admin123!", "monkey", "dragon"} {
		t.Run(pw, func(t *testing.T) {
			got := models.EstimateStrength(pw, models.PasswordOwner{})
			random := strongRandom[:len(pw)]
			if r := models.EstimateStrength(random, models.PasswordOwner{}); got.Meter >= r.Meter {
				t.Errorf("%q: meter %d, want below %q's %d", pw, got.Meter, random, r.Meter)
			}
			if got.Score > 1 {
				t.Errorf("%q: score %d (%s), want Very weak or Weak", pw, got.Score, got.Label())
			}
		})
	}
}

// The meter gives each score a fifth of 0–100, so the bar and the label
// never disagree, whatever is typed. (TestStrengthMeter checks the
// mapping itself.)
func TestEstimateStrengthMeter(t *testing.T) {
	rng := rand.New(rand.NewPCG(2026, 1))
	alphabets := [][]rune{
		[]rune("abcdefghijklmnopqrstuvwxyz"),
		[]rune("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"),
		[]rune("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~ "),
		[]rune("éÉüßçøÆ密码😀🔐\u0301\x00\x7f"),
	}
	for i := 0; i < 200; i++ {
		var b strings.Builder
		n := rng.IntN(40)
		for j := 0; j < n; j++ {
			a := alphabets[rng.IntN(len(alphabets))]
			b.WriteRune(a[rng.IntN(len(a))])
		}
		pw := b.String()
		if i%10 == 0 {
			// raw bytes, not always valid UTF-8
			raw := make([]byte, rng.IntN(80))
			for k := range raw {
				raw[k] = byte(rng.IntN(256))
			}
			pw = string(raw)
		}
		s := models.EstimateStrength(pw, demoOwner)
		if s.Score < 0 || s.Score > models.MaxScore || s.Meter < 0 || s.Meter > 100 || min(s.Meter/20, models.MaxScore) != s.Score {
			t.Fatalf("EstimateStrength(%q): got score %d meter %d, want the meter within the score's fifth of 0–100", pw, s.Score, s.Meter)
		}
	}
	for _, tc := range []struct {
		pw    string
		meter int
	}{{"", 0}, {strongRandom, 100}} {
		if got := models.EstimateStrength(tc.pw, models.PasswordOwner{}).Meter; got != tc.meter {
			t.Errorf("meter of %q: got %d, want %d", tc.pw, got, tc.meter)
		}
	}
}

// Only the start of a very long password is estimated: the rest is
// refused by the length rule anyway, and zxcvbn's time grows with the
// square of the length.
func TestEstimateStrengthLongPassword(t *testing.T) {
	long := strings.Repeat(strongRandom, 20)
	for _, tail := range []string{"aaaa", "é", strongRandom} {
		if a, b := models.EstimateStrength(long, demoOwner), models.EstimateStrength(long+tail, demoOwner); !reflect.DeepEqual(a, b) {
			t.Errorf("adding %q to a long password: got %+v, want %+v", tail, b, a)
		}
	}
	// Cut inside a character, the estimate still sees valid text.
	if s := models.EstimateStrength(strings.Repeat("é", 100), models.PasswordOwner{}); s.Guesses <= 1 {
		t.Errorf("100 é: got %+v, want an estimate of the first ones", s)
	}
}

func TestStrengthLabel(t *testing.T) {
	cases := []struct {
		score int
		want  string
	}{
		{-1, "Very weak"},
		{0, "Very weak"},
		{1, "Weak"},
		{2, "Fair"},
		{3, "Strong"},
		{4, "Very strong"},
		{5, "Very strong"},
	}
	for _, tc := range cases {
		if got := models.StrengthLabel(tc.score); got != tc.want {
			t.Errorf("StrengthLabel(%d): got %q, want %q", tc.score, got, tc.want)
		}
	}
	if got := models.EstimateStrength(strongRandom, models.PasswordOwner{}).Label(); got != "Very strong" {
		t.Errorf("Label of a strong random password: got %q, want Very strong", got)
	}
}
