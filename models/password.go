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
	// History is how many previous passwords may not be reused.
	History int
	// MaxAgeDays is how long a password lasts; 0 means it never expires.
	MaxAgeDays int
}

// VELAPolicy is the default policy.
var VELAPolicy = PasswordPolicy{MinLength: 6, MinLower: 1, MinUpper: 1, MinDigits: 1, MinSpecial: 1, History: 5}

// NISTPolicy is NIST SP 800-63B-4's advice for a password that is the only
// factor: at least 15 characters and no composition rules. The blocklist
// and the context check, which every policy has, are the rest of it. NIST
// has no reuse rule and advises against expiry, so both are off.
var NISTPolicy = PasswordPolicy{MinLength: 15}

// PasswordPreset is a named choice of a policy's length and character
// minimums. Applying one sets those five numbers; how many previous
// passwords are refused and when passwords expire stay as the merchant set
// them, as they are separate choices with their own fields.
type PasswordPreset struct {
	// Key is the form value.
	Key    string
	Label  string
	Policy PasswordPolicy
}

// The presets an admin chooses from.
var passwordPresets = []PasswordPreset{
	{Key: "vela", Label: "VELA: 6 characters with a lowercase and an uppercase letter, a digit and a special character", Policy: VELAPolicy},
	{Key: "nist", Label: "NIST SP 800-63B: 15 characters, no composition rules", Policy: NISTPolicy},
}

// PasswordPresets lists the presets in the order they are offered.
func PasswordPresets() []PasswordPreset { return slices.Clone(passwordPresets) }

// PasswordPresetByKey finds a preset by its form value.
func PasswordPresetByKey(key string) (PasswordPreset, bool) {
	i := slices.IndexFunc(passwordPresets, func(p PasswordPreset) bool { return p.Key == key })
	if i < 0 {
		return PasswordPreset{}, false
	}
	return passwordPresets[i], true
}

// Preset is the key of the preset whose length and character minimums p
// has, or "" when p matches none (a custom policy). It is derived, not
// stored, so a policy edited number by number is recognised too.
func (p PasswordPolicy) Preset() string {
	for _, pre := range passwordPresets {
		if p.WithComposition(pre.Policy) == p {
			return pre.Key
		}
	}
	return ""
}

// WithComposition is p with q's length and character minimums; p's
// history and expiry are kept.
func (p PasswordPolicy) WithComposition(q PasswordPolicy) PasswordPolicy {
	p.MinLength, p.MinLower, p.MinUpper, p.MinDigits, p.MinSpecial = q.MinLength, q.MinLower, q.MinUpper, q.MinDigits, q.MinSpecial
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
	if len(pw) > MaxPasswordBytes {
		msgs = append(msgs, label+" must be "+strconv.Itoa(MaxPasswordBytes)+" bytes or fewer (accented letters and emoji take more than one)")
	}
	return msgs
}

// Checklist keys of the rules every policy has besides its numbers.
const (
	RuleCommon   = "common"
	RulePersonal = "personal"
)

// Checklist is what the owner sees while choosing a password: the
// policy's rules, then that the password is not a common one and does not
// contain their username or email. Before anything is typed, those two
// are not met yet either. The strength estimate of pw is returned with
// them, for the meter and its feedback.
func (p PasswordPolicy) Checklist(pw string, owner PasswordOwner) ([]PasswordRule, PasswordStrength) {
	username, email := owner.contains(pw)
	typed := pw != ""
	rules := append(p.Rules(pw),
		PasswordRule{Key: RuleCommon, Label: "Not a commonly used password", Met: typed && !IsCommonPassword(pw)},
		PasswordRule{Key: RulePersonal, Label: "Does not contain " + owner.whose() + " username or email", Met: typed && !username && !email},
	)
	return rules, EstimateStrength(pw, owner)
}

// CheckNew checks a password being chosen for owner: the policy's rules
// and bcrypt's limit (Check), control characters, the blocklist of common
// passwords, and the owner's username and email. It is the one check for
// every way a password is set. Reuse of earlier passwords needs the stored
// history, so the store checks that.
func (p PasswordPolicy) CheckNew(label, pw string, owner PasswordOwner) []string {
	msgs := p.Check(label, pw)
	// A tab or a line break cannot be typed the same way in every
	// password field, so the owner could not sign in with it.
	if strings.ContainsFunc(pw, unicode.IsControl) {
		msgs = append(msgs, label+" must not contain control characters such as tabs or line breaks")
	}
	if IsCommonPassword(pw) {
		msgs = append(msgs, label+" is too common: choose one that is harder to guess")
	}
	username, email := owner.contains(pw)
	if username {
		msgs = append(msgs, label+" must not contain "+owner.whose()+" username")
	}
	if email {
		msgs = append(msgs, label+" must not contain "+owner.whose()+" email address")
	}
	return msgs
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
