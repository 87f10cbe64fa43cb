package models

import (
	_ "embed"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"
)

// blocklistFile is the 10,000 most common passwords; its header names the
// source and how it was made.
//
//go:embed blocklist.txt
var blocklistFile string

// commonPasswords is the blocklist as a set, built on first use. It is
// read-only once built: shared state that cannot change.
var commonPasswords = sync.OnceValue(func() map[string]struct{} {
	set := make(map[string]struct{}, 10000)
	for _, line := range strings.Split(blocklistFile, "\n") {
		line = strings.TrimSpace(line)
		if line != "" && !strings.HasPrefix(line, "#") {
			set[line] = struct{}{}
		}
	}
	return set
})

// maxDecoration is how many digits and symbols may be added around a
// common password and still count as the common password: enough for
// "Password1!", "Summer2024!" and "Monkey#2026", the decorations that
// guessing tools try first. Longer additions are guessed like any other
// characters, so they are left to the length rules.
const maxDecoration = 5

// IsCommonPassword reports whether pw is on the blocklist, whatever its
// case, or is a blocklisted password with a little decoration: symbols
// around it ("123456!"), or up to maxDecoration digits and symbols around
// letters ("Password1!" is "password" and "1!"). Letter substitutions
// ("P@ssw0rd") count only when the list holds them as they are.
func IsCommonPassword(pw string) bool {
	set := commonPasswords()
	lower := strings.ToLower(pw)
	if _, ok := set[lower]; ok {
		return true
	}
	isSymbol := func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }
	if s := strings.TrimFunc(lower, isSymbol); s != lower && s != "" {
		if _, ok := set[s]; ok {
			return true
		}
	}
	isNotLetter := func(r rune) bool { return !unicode.IsLetter(r) }
	if s := strings.TrimFunc(lower, isNotLetter); s != lower && s != "" && utf8.RuneCountInString(lower)-utf8.RuneCountInString(s) <= maxDecoration {
		if _, ok := set[s]; ok {
			return true
		}
	}
	return false
}

// minContextPart is the shortest username or email local part a password
// is checked for: shorter ones would turn up in too many good passwords.
const minContextPart = 3

// PasswordOwner is whose password is being set: a password must not
// contain their username or the part of their email before the @, and
// those, their names and their merchant's name are the first words the
// strength estimate expects an attacker to try.
type PasswordOwner struct {
	Username  string
	Email     string
	FirstName string
	LastName  string
	// Merchant is the name of the owner's merchant.
	Merchant string
	// Whose names the owner in messages: "your" when the owner chooses
	// the password, "the" when an admin sets it for them.
	Whose string
}

// contains reports which of the owner's identifiers pw contains, compared
// case-insensitively. The email's local part is left out when it is the
// username, so one mistake is reported once.
func (o PasswordOwner) contains(pw string) (username, email bool) {
	lower := strings.ToLower(pw)
	user := strings.ToLower(strings.TrimSpace(o.Username))
	local, _, _ := strings.Cut(strings.ToLower(strings.TrimSpace(o.Email)), "@")
	username = utf8.RuneCountInString(user) >= minContextPart && strings.Contains(lower, user)
	email = utf8.RuneCountInString(local) >= minContextPart && local != user && strings.Contains(lower, local)
	return username, email
}

func (o PasswordOwner) whose() string {
	if o.Whose == "" {
		return "your"
	}
	return o.Whose
}
