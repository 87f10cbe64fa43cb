package models

import (
	"math"
	"regexp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/trustelem/zxcvbn"
	"github.com/trustelem/zxcvbn/match"
)

// MaxScore is the highest strength score: zxcvbn's scores run from 0 to 4.
const MaxScore = 4

// maxEstimatedBytes is how much of a password is estimated. zxcvbn's
// matching grows with the square of the length, and passwords over
// MaxPasswordBytes are refused anyway; the margin keeps the meter honest
// for a password a few bytes too long while the checklist says so.
const maxEstimatedBytes = MaxPasswordBytes + 8

// PasswordStrength is how hard a password is to guess, as zxcvbn 4.4.2
// estimates it from the patterns attackers try first: common passwords,
// names and words (also reversed, capitalised or with l33t
// substitutions), repeats, sequences, keyboard patterns, dates, and the
// owner's own context words.
type PasswordStrength struct {
	// Score is zxcvbn's score: 0 (too guessable: under 10³ guesses),
	// 1 (under 10⁶), 2 (under 10⁸), 3 (under 10¹⁰, safe against an
	// offline attack on a slow hash such as bcrypt) or 4.
	Score int
	// Guesses is zxcvbn's estimate of the guesses needed.
	Guesses float64
	// Meter is the 0–100 value of the strength meter (see strengthMeter).
	Meter int
	// Warning and Suggestions are zxcvbn's feedback, in its own words,
	// for a password that scores 2 or less: what makes it guessable
	// ("Repeats like "aaa" are easy to guess") and how to do better.
	// Either may be empty.
	Warning     string
	Suggestions []string
}

// Label names the score for people.
func (s PasswordStrength) Label() string { return StrengthLabel(s.Score) }

// EstimateStrength estimates how hard pw is to guess for owner, whose
// username, email, names and merchant count as words an attacker tries
// early (NIST SP 800-63B's context-specific words). Only the first
// maxEstimatedBytes bytes are estimated. Nothing typed is score 0 with no
// feedback: zxcvbn's advice for an empty password ("No need for symbols,
// digits, or uppercase letters") would contradict a policy that asks for
// them.
func EstimateStrength(pw string, owner PasswordOwner) PasswordStrength {
	if pw == "" {
		return PasswordStrength{}
	}
	if len(pw) > maxEstimatedBytes {
		cut := maxEstimatedBytes
		for cut > 0 && !utf8.RuneStart(pw[cut]) {
			cut--
		}
		pw = pw[:cut]
	}
	r := zxcvbn.PasswordStrength(pw, owner.contextWords())
	s := PasswordStrength{Score: r.Score, Guesses: r.Guesses, Meter: strengthMeter(r.Score, r.Guesses)}
	s.Warning, s.Suggestions = strengthFeedback(r.Score, r.Sequence)
	return s
}

// scoreBands are the powers of ten of guesses where each score starts, as
// zxcvbn scores them, and where the meter is full.
var scoreBands = [MaxScore + 2]float64{0, 3, 6, 8, 10, 14}

// strengthMeter maps zxcvbn's guesses to 0–100 so that each score has a
// fifth of the meter and the meter never contradicts the score's label:
// score 0 is 0–19, 1 is 20–39, 2 is 40–59, 3 is 60–79 and 4 is 80–100.
// Within a score the meter rises with the logarithm of the guesses, from
// the score's lowest count to the next score's; score 4 fills up at 10¹⁴
// guesses (zxcvbn's estimate for 14 random characters).
func strengthMeter(score int, guesses float64) int {
	score = max(0, min(MaxScore, score))
	lo, hi := scoreBands[score], scoreBands[score+1]
	f := (math.Log10(max(guesses, 1)) - lo) / (hi - lo)
	f = max(0, min(1, f))
	if score == MaxScore {
		return 80 + int(math.Round(20*f))
	}
	return 20*score + min(19, int(20*f))
}

// StrengthLabel names a strength score (0–4) for people.
func StrengthLabel(score int) string {
	switch {
	case score <= 0:
		return "Very weak"
	case score == 1:
		return "Weak"
	case score == 2:
		return "Fair"
	case score == 3:
		return "Strong"
	default:
		return "Very strong"
	}
}

// contextWords are the owner's words for zxcvbn's user inputs, each as
// given and, when it has several words, word by word and run together
// ("Sandpiper Bay": "sandpiperbay", "sandpiper", "bay"). Words shorter
// than minContextPart are left out, as they would turn up in too many
// good passwords.
func (o PasswordOwner) contextWords() []string {
	var words []string
	add := func(w string) {
		w = strings.ToLower(strings.TrimSpace(w))
		if utf8.RuneCountInString(w) >= minContextPart && !slices.Contains(words, w) {
			words = append(words, w)
		}
	}
	local, _, _ := strings.Cut(o.Email, "@")
	add(o.Email)
	for _, s := range []string{o.Username, local, o.FirstName, o.LastName, o.Merchant} {
		add(s)
		parts := strings.FieldsFunc(s, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
		add(strings.Join(parts, ""))
		for _, p := range parts {
			add(p)
		}
	}
	return words
}

// suggestMoreWords is zxcvbn's first suggestion for any password it scores
// 2 or less.
const suggestMoreWords = "Add another word or two. Uncommon words are better."

var (
	startUpper = regexp.MustCompile(`^[A-Z][^A-Z]+$`)
	allUpper   = regexp.MustCompile(`^[^a-z]+$`)
)

// strengthFeedback is zxcvbn 4.4.2's feedback (feedback.coffee, MIT) for a
// score and the match sequence behind it: none for a score above 2, else
// advice tied to the longest match. Lengths are counted in characters
// where zxcvbn counts UTF-16 units.
func strengthFeedback(score int, seq []*match.Match) (string, []string) {
	if score > 2 || len(seq) == 0 {
		return "", nil
	}
	longest := seq[0]
	for _, m := range seq[1:] {
		if utf8.RuneCountInString(m.Token) > utf8.RuneCountInString(longest.Token) {
			longest = m
		}
	}
	warning, suggestions := matchFeedback(longest, len(seq) == 1)
	return warning, append([]string{suggestMoreWords}, suggestions...)
}

func matchFeedback(m *match.Match, sole bool) (string, []string) {
	switch m.Pattern {
	case "dictionary":
		return dictionaryFeedback(m, sole)
	case "spatial":
		if m.Turns == 1 {
			return "Straight rows of keys are easy to guess", []string{"Use a longer keyboard pattern with more turns"}
		}
		return "Short keyboard patterns are easy to guess", []string{"Use a longer keyboard pattern with more turns"}
	case "repeat":
		if utf8.RuneCountInString(m.BaseToken) == 1 {
			return `Repeats like "aaa" are easy to guess`, []string{"Avoid repeated words and characters"}
		}
		return `Repeats like "abcabcabc" are only slightly harder to guess than "abc"`, []string{"Avoid repeated words and characters"}
	case "sequence":
		return "Sequences like abc or 6543 are easy to guess", []string{"Avoid sequences"}
	case "regex":
		if m.RegexName == "recent_year" {
			return "Recent years are easy to guess", []string{"Avoid recent years", "Avoid years that are associated with you"}
		}
	case "date":
		return "Dates are often easy to guess", []string{"Avoid dates and years that are associated with you"}
	}
	return "", nil
}

func dictionaryFeedback(m *match.Match, sole bool) (string, []string) {
	var warning string
	switch m.DictionaryName {
	case "passwords":
		switch {
		case sole && !m.L33t && !m.Reversed && m.Rank <= 10:
			warning = "This is a top-10 common password"
		case sole && !m.L33t && !m.Reversed && m.Rank <= 100:
			warning = "This is a top-100 common password"
		case sole && !m.L33t && !m.Reversed:
			warning = "This is a very common password"
		case math.Log10(m.Guesses) <= 4:
			warning = "This is similar to a commonly used password"
		}
	case "english_wikipedia":
		if sole {
			warning = "A word by itself is easy to guess"
		}
	case "surnames", "male_names", "female_names":
		if sole {
			warning = "Names and surnames by themselves are easy to guess"
		} else {
			warning = "Common names and surnames are easy to guess"
		}
	}
	var suggestions []string
	switch {
	case startUpper.MatchString(m.Token):
		suggestions = append(suggestions, "Capitalization doesn't help very much")
	case allUpper.MatchString(m.Token) && strings.ToLower(m.Token) != m.Token:
		suggestions = append(suggestions, "All-uppercase is almost as easy to guess as all-lowercase")
	}
	if m.Reversed && utf8.RuneCountInString(m.Token) >= 4 {
		suggestions = append(suggestions, "Reversed words aren't much harder to guess")
	}
	if m.L33t {
		suggestions = append(suggestions, "Predictable substitutions like '@' instead of 'a' don't help very much")
	}
	return warning, suggestions
}
