package models

import (
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// MaxPasswordBytes is bcrypt's input limit: bytes past it would be ignored,
// so longer passwords are refused rather than silently truncated.
const MaxPasswordBytes = 72

// PasswordPolicy is a merchant's composition rules for passwords. The
// defaults are VELA's: at least 6 characters with one lowercase letter, one
// uppercase letter, one digit and one special character.
type PasswordPolicy struct {
	MinLength  int
	MinLower   int
	MinUpper   int
	MinDigits  int
	MinSpecial int
	// MinScore is the lowest strength score (EstimateStrength, 0–4) a new
	// password may have; 0 accepts any.
	MinScore int
	// History is how many previous passwords may not be reused.
	History int
	// MaxAgeDays is how long a password lasts; 0 means it never expires.
	MaxAgeDays int
}

// VELAPolicy is the default policy.
var VELAPolicy = PasswordPolicy{MinLength: 6, MinLower: 1, MinUpper: 1, MinDigits: 1, MinSpecial: 1, History: 5}

// NISTPolicy is NIST SP 800-63B-4's advice for a password that is the only
// factor: at least 15 characters and no composition rules. The blocklist
// and the context check, which every policy has, and a strength score of
// at least 3 (no dictionary words, repeats, sequences or context words an
// attacker tries within 10¹⁰ guesses, NIST's §3.1.1.2 list) are the rest
// of it. NIST has no reuse rule and advises against expiry, so both are
// off.
var NISTPolicy = PasswordPolicy{MinLength: 15, MinScore: 3}

// PasswordPreset is a named choice of a policy's composition: its length
// and character minimums and its lowest strength score. Applying one sets
// those six numbers; how many previous passwords are refused and when
// passwords expire stay as the merchant set them, as they are separate
// choices with their own fields.
type PasswordPreset struct {
	// Key is the form value.
	Key    string
	Label  string
	Policy PasswordPolicy
}

// The presets an admin chooses from.
var passwordPresets = []PasswordPreset{
	{Key: "vela", Label: "VELA: 6 characters with a lowercase and an uppercase letter, a digit and a special character", Policy: VELAPolicy},
	{Key: "nist", Label: "NIST SP 800-63B: 15 characters, no composition rules, hard to guess (strength 3 or more)", Policy: NISTPolicy},
}

// PasswordPresetByKey finds a preset by its form value.
func PasswordPresetByKey(key string) (PasswordPreset, bool) {
	i := slices.IndexFunc(passwordPresets, func(p PasswordPreset) bool { return p.Key == key })
	if i < 0 {
		return PasswordPreset{}, false
	}
	return passwordPresets[i], true
}

// Preset is the key of the preset whose composition p has, or "" when p
// matches none (a custom policy). It is derived, not stored, so a policy
// edited number by number is recognised too.
func (p PasswordPolicy) Preset() string {
	for _, pre := range passwordPresets {
		if p.WithComposition(pre.Policy) == p {
			return pre.Key
		}
	}
	return ""
}

// WithComposition is p with q's composition: its length and character
// minimums and its lowest strength score, which together say what a
// password must be like. p's history and expiry are kept.
func (p PasswordPolicy) WithComposition(q PasswordPolicy) PasswordPolicy {
	p.MinLength, p.MinLower, p.MinUpper, p.MinDigits, p.MinSpecial = q.MinLength, q.MinLower, q.MinUpper, q.MinDigits, q.MinSpecial
	p.MinScore = q.MinScore
	return p
}

// PasswordRule is one rule of a policy and whether a password meets it.
type PasswordRule struct {
	Key   string
	Label string // "At least 1 uppercase letter"
	Met   bool
}

// Rules lists the policy's rules in display order, each checked against pw.
// The live checklist, the error messages and the server-side check all come
// from here.
func (p PasswordPolicy) Rules(pw string) []PasswordRule {
	var lower, upper, digits, special int
	for _, r := range pw {
		switch {
		case unicode.IsLower(r):
			lower++
		case unicode.IsUpper(r):
			upper++
		case unicode.IsDigit(r):
			digits++
		case unicode.IsLetter(r):
			// letters without case (CJK, Arabic…) count towards length only
		default:
			special++
		}
	}
	var rules []PasswordRule
	add := func(key string, min, have int, one, many string) {
		if min <= 0 {
			return
		}
		noun := many
		if min == 1 {
			noun = one
		}
		rules = append(rules, PasswordRule{Key: key, Label: "At least " + strconv.Itoa(min) + " " + noun, Met: have >= min})
	}
	add("length", p.MinLength, utf8.RuneCountInString(pw), "character", "characters")
	add("lower", p.MinLower, lower, "lowercase letter", "lowercase letters")
	add("upper", p.MinUpper, upper, "uppercase letter", "uppercase letters")
	add("digits", p.MinDigits, digits, "digit", "digits")
	add("special", p.MinSpecial, special, "special character (like ! # or ?)", "special characters (like ! # or ?)")
	return rules
}

// Check returns one message per unmet rule, plus the byte-length limit,
// each naming the field by label.
func (p PasswordPolicy) Check(label, pw string) []string {
	var msgs []string
	for _, r := range p.Rules(pw) {
		if !r.Met {
			msgs = append(msgs, label+" must have "+lowerFirst(r.Label))
		}
	}
	if tooLongForBcrypt(pw) {
		msgs = append(msgs, label+" must be "+strconv.Itoa(MaxPasswordBytes)+" bytes or fewer (accented letters and emoji take more than one)")
	}
	return msgs
}

// tooLongForBcrypt reports a password longer than bcrypt reads.
func tooLongForBcrypt(pw string) bool { return len(pw) > MaxPasswordBytes }

// Checklist keys of the rules besides the policy's numbers.
const (
	RuleCommon   = "common"
	RulePersonal = "personal"
	// RuleStrength is on the checklist of a policy with a MinScore.
	RuleStrength = "strength"
	// RuleControl and RuleBytes are on the checklist only once broken:
	// nobody means to type a tab or a line break, nor 72 bytes, but a
	// password pasted with one is refused, and the checklist says so.
	RuleControl = "control"
	RuleBytes   = "bytes"
)

// Checklist is what the owner sees while choosing a password: the
// policy's rules, then, once broken, that it holds no control character
// and fits bcrypt's 72 bytes, then that the password is not a common one
// and does not contain their username or email, then, when the policy has
// a lowest strength score, that it is hard to guess. Before anything is
// typed, none of those is met yet either. It has an unmet rule exactly
// when CheckNew refuses pw. The strength estimate of pw is returned with
// them, for the meter and its feedback.
func (p PasswordPolicy) Checklist(pw string, owner PasswordOwner) ([]PasswordRule, PasswordStrength) {
	username, email := owner.contains(pw)
	typed := pw != ""
	strength := EstimateStrength(pw, owner)
	rules := p.Rules(pw)
	if hasControl(pw) {
		rules = append(rules, PasswordRule{Key: RuleControl, Label: "No tabs, line breaks or other control characters"})
	}
	if tooLongForBcrypt(pw) {
		rules = append(rules, PasswordRule{Key: RuleBytes, Label: "At most " + strconv.Itoa(MaxPasswordBytes) + " bytes (accented letters and emoji take more than one)"})
	}
	rules = append(rules,
		PasswordRule{Key: RuleCommon, Label: "Not a commonly used password", Met: typed && !IsCommonPassword(pw)},
		PasswordRule{Key: RulePersonal, Label: "Does not contain " + owner.whose() + " username or email", Met: typed && !username && !email},
	)
	if p.MinScore > 0 {
		rules = append(rules, PasswordRule{Key: RuleStrength, Label: "Hard to guess", Met: typed && strength.Score >= p.MinScore})
	}
	return rules, strength
}

// CheckNew checks a password being chosen for owner: the policy's rules
// and bcrypt's limit (Check), control characters, the blocklist of common
// passwords, the owner's username and email, and the lowest strength
// score. It is the one check for every way a password is set. Reuse of
// earlier passwords needs the stored history, so the store checks that.
//
// A common password is refused as common only: it is also easy to guess,
// but one mistake gets one message.
func (p PasswordPolicy) CheckNew(label, pw string, owner PasswordOwner) []string {
	msgs := p.Check(label, pw)
	// A tab or a line break cannot be typed the same way in every
	// password field, so the owner could not sign in with it.
	if hasControl(pw) {
		msgs = append(msgs, controlMessage(label))
	}
	common := IsCommonPassword(pw)
	if common {
		msgs = append(msgs, label+" is too common: choose one that is harder to guess")
	}
	username, email := owner.contains(pw)
	if username {
		msgs = append(msgs, label+" must not contain "+owner.whose()+" username")
	}
	if email {
		msgs = append(msgs, label+" must not contain "+owner.whose()+" email address")
	}
	if p.MinScore > 0 && !common {
		if s := EstimateStrength(pw, owner); s.Score < p.MinScore {
			msgs = append(msgs, s.tooEasy(label))
		}
	}
	return msgs
}

// tooEasy is the refusal of a password below the lowest score, with
// zxcvbn's warning, or its advice to add words when it has no warning
// (zxcvbn gives no feedback for a score of 3, which a policy asking for 4
// still refuses).
func (s PasswordStrength) tooEasy(label string) string {
	if s.Warning != "" {
		return label + " is too easy to guess: " + s.Warning
	}
	return label + " is too easy to guess: " + suggestMoreWords
}

// SameAsCurrentMessage is the refusal of a new password that is the
// current one.
func SameAsCurrentMessage(label string) string {
	return label + " must be different from your current password"
}

// ReuseMessage is the refusal of a password that is one of the last n.
func ReuseMessage(label string, n int) string {
	if n == 1 {
		return label + " must not be your previous password"
	}
	return label + " must not be one of your last " + strconv.Itoa(n) + " passwords"
}

func lowerFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToLower(s[:1]) + s[1:]
}
