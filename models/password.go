package models

import (
	"math"
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

func lowerFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToLower(s[:1]) + s[1:]
}

// PasswordStrength estimates how hard pw is to guess, from 0 to 100: the
// bits of a brute-force search over the character classes used, less
// repeats and runs, where 80 bits or more scores 100.
func PasswordStrength(pw string) int {
	if pw == "" {
		return 0
	}
	var hasLower, hasUpper, hasDigit, hasSpecial, hasOther bool
	runes := []rune(pw)
	for _, r := range runes {
		switch {
		case r >= 'a' && r <= 'z':
			hasLower = true
		case r >= 'A' && r <= 'Z':
			hasUpper = true
		case r >= '0' && r <= '9':
			hasDigit = true
		case r < 128:
			hasSpecial = true
		default:
			hasOther = true
		}
	}
	pool := 0
	for _, c := range []struct {
		has  bool
		size int
	}{{hasLower, 26}, {hasUpper, 26}, {hasDigit, 10}, {hasSpecial, 33}, {hasOther, 100}} {
		if c.has {
			pool += c.size
		}
	}
	// Characters that repeat or continue a run (aaa, abc, 321) add little.
	effective := 0.0
	for i, r := range runes {
		if i > 0 {
			d := r - runes[i-1]
			if d == 0 || d == 1 || d == -1 {
				effective += 0.25
				continue
			}
		}
		effective++
	}
	bits := effective * math.Log2(float64(pool))
	if isCommonPassword(strings.ToLower(pw)) {
		bits = math.Min(bits, 8)
	}
	score := int(math.Round(bits * 100 / 80))
	return max(0, min(100, score))
}

// StrengthLabel names a strength score for people.
func StrengthLabel(score int) string {
	switch {
	case score < 25:
		return "Very weak"
	case score < 50:
		return "Weak"
	case score < 75:
		return "Fair"
	case score < 90:
		return "Strong"
	default:
		return "Very strong"
	}
}

// isCommonPassword recognises the handful of passwords every guessing list
// starts with, so the meter never calls them strong.
func isCommonPassword(pw string) bool {
	for _, stem := range []string{"password", "passw0rd", "qwerty", "letmein", "welcome", "123456", "abc123", "iloveyou", "admin", "monkey", "dragon"} {
		if strings.HasPrefix(pw, stem) && len(pw) <= len(stem)+4 {
			return true
		}
	}
	return false
}
