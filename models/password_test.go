package models_test

import (
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"

	"myaccount/models"
)

// metRules is the set of rule keys that pw meets under p.
func metRules(p models.PasswordPolicy, pw string) map[string]bool {
	met := map[string]bool{}
	for _, r := range p.Rules(pw) {
		met[r.Key] = r.Met
	}
	return met
}

func TestVELAPolicyRules(t *testing.T) {
	wantLabels := []string{
		"At least 6 characters",
		"At least 1 lowercase letter",
		"At least 1 uppercase letter",
		"At least 1 digit",
		"At least 1 special character (like ! # or ?)",
	}
	wantKeys := []string{"length", "lower", "upper", "digits", "special"}
	rules := models.VELAPolicy.Rules("")
	var keys, labels []string
	for _, r := range rules {
		keys = append(keys, r.Key)
		labels = append(labels, r.Label)
	}
	if !reflect.DeepEqual(keys, wantKeys) {
		t.Errorf("keys: got %q, want %q", keys, wantKeys)
	}
	if !reflect.DeepEqual(labels, wantLabels) {
		t.Errorf("labels: got %q, want %q", labels, wantLabels)
	}

	cases := []struct {
		name string
		pw   string
		want map[string]bool
	}{
		{"empty", "", map[string]bool{"length": false, "lower": false, "upper": false, "digits": false, "special": false}},
		{"short lower case", "abc", map[string]bool{"length": false, "lower": true, "upper": false, "digits": false, "special": false}},
		{"demo password", "Guest#2026", map[string]bool{"length": true, "lower": true, "upper": true, "digits": true, "special": true}},
		{"no lower case", "GUEST#2026", map[string]bool{"length": true, "lower": false, "upper": true, "digits": true, "special": true}},
		{"no special", "Guest2026", map[string]bool{"length": true, "lower": true, "upper": true, "digits": true, "special": false}},
		{"no digit", "Guest#Bay", map[string]bool{"length": true, "lower": true, "upper": true, "digits": false, "special": true}},
		{"five characters", "Gu#26", map[string]bool{"length": false, "lower": true, "upper": true, "digits": true, "special": true}},
		{"space is special", "Guest 2026", map[string]bool{"length": true, "lower": true, "upper": true, "digits": true, "special": true}},
		{"accented letters have case", "éÉ1!xy", map[string]bool{"length": true, "lower": true, "upper": true, "digits": true, "special": true}},
		{"accented upper only", "ÉÀÜ1!Ç", map[string]bool{"length": true, "lower": false, "upper": true, "digits": true, "special": true}},
		{"CJK counts towards length only", "密码密码密码", map[string]bool{"length": true, "lower": false, "upper": false, "digits": false, "special": false}},
		{"emoji are special", "Ab1😀😀😀", map[string]bool{"length": true, "lower": true, "upper": true, "digits": true, "special": true}},
		{"length in characters not bytes", "ééééé", map[string]bool{"length": false, "lower": true, "upper": false, "digits": false, "special": false}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := metRules(models.VELAPolicy, tc.pw); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("Rules(%q): got %v, want %v", tc.pw, got, tc.want)
			}
		})
	}
}

func TestPasswordPolicyRulesLabels(t *testing.T) {
	cases := []struct {
		name   string
		policy models.PasswordPolicy
		want   []string
	}{
		{"no rules", models.PasswordPolicy{}, nil},
		{"length only", models.PasswordPolicy{MinLength: 8}, []string{"At least 8 characters"}},
		{"one character", models.PasswordPolicy{MinLength: 1}, []string{"At least 1 character"}},
		{"zero and negative minimums omitted", models.PasswordPolicy{MinLength: 10, MinLower: 0, MinUpper: -1, MinDigits: 1}, []string{"At least 10 characters", "At least 1 digit"}},
		{"history and age are not composition rules", models.PasswordPolicy{History: 5, MaxAgeDays: 90}, nil},
		{"plural labels", models.PasswordPolicy{MinLength: 12, MinLower: 2, MinUpper: 2, MinDigits: 3, MinSpecial: 2}, []string{
			"At least 12 characters",
			"At least 2 lowercase letters",
			"At least 2 uppercase letters",
			"At least 3 digits",
			"At least 2 special characters (like ! # or ?)",
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var got []string
			for _, r := range tc.policy.Rules("x") {
				got = append(got, r.Label)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("labels: got %q, want %q", got, tc.want)
			}
		})
	}
}

func TestPasswordPolicyRulesCountsMinimum(t *testing.T) {
	p := models.PasswordPolicy{MinLength: 8, MinUpper: 2, MinDigits: 2, MinSpecial: 2}
	cases := []struct {
		name string
		pw   string
		want map[string]bool
	}{
		{"one of each is not enough", "Aa1!aaaa", map[string]bool{"length": true, "upper": false, "digits": false, "special": false}},
		{"two of each", "AB12!?ab", map[string]bool{"length": true, "upper": true, "digits": true, "special": true}},
		{"seven characters", "AB12!?a", map[string]bool{"length": false, "upper": true, "digits": true, "special": true}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := metRules(p, tc.pw); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("Rules(%q): got %v, want %v", tc.pw, got, tc.want)
			}
		})
	}
}

func TestPasswordPolicyCheck(t *testing.T) {
	const (
		length  = "Password must have at least 6 characters"
		lower   = "Password must have at least 1 lowercase letter"
		upper   = "Password must have at least 1 uppercase letter"
		digit   = "Password must have at least 1 digit"
		special = "Password must have at least 1 special character (like ! # or ?)"
		tooLong = "Password must be 72 bytes or fewer (accented letters and emoji take more than one)"
	)
	cases := []struct {
		name string
		pw   string
		want []string
	}{
		{"meets the policy", "Guest#2026", nil},
		{"empty", "", []string{length, lower, upper, digit, special}},
		{"abc", "abc", []string{length, upper, digit, special}},
		{"no special", "Guest2026", []string{special}},
		{"short only", "Gu#26", []string{length}},
		{"72 ASCII bytes", "Aa1!" + strings.Repeat("x", 68), nil},
		{"73 ASCII bytes", "Aa1!" + strings.Repeat("x", 69), []string{tooLong}},
		{"39 characters but 76 bytes", "Éé1!" + strings.Repeat("é", 35), []string{tooLong}},
		{"30 emoji are 120 bytes", strings.Repeat("😀", 30), []string{lower, upper, digit, tooLong}},
		{"CJK", "密码密码密码", []string{lower, upper, digit, special}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := models.VELAPolicy.Check("Password", tc.pw)
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("Check(%q) (%d bytes, %d characters):\n got %q\nwant %q",
					tc.pw, len(tc.pw), utf8.RuneCountInString(tc.pw), got, tc.want)
			}
		})
	}
	t.Run("label names the field", func(t *testing.T) {
		got := models.VELAPolicy.Check("New password", "Guest2026")
		want := []string{"New password must have at least 1 special character (like ! # or ?)"}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("got %q, want %q", got, want)
		}
	})
	t.Run("byte limit applies without composition rules", func(t *testing.T) {
		got := models.PasswordPolicy{}.Check("Password", strings.Repeat("a", 73))
		if !reflect.DeepEqual(got, []string{tooLong}) {
			t.Errorf("got %q, want %q", got, []string{tooLong})
		}
	})
}

func TestBlocklistFile(t *testing.T) {
	// The list ships with the binary: the most common passwords are on it,
	// as entries, whatever the case typed.
	for _, pw := range []string{"123456", "password", "qwerty", "iloveyou", "trustno1", "PASSWORD", "QwErTy"} {
		if !models.IsCommonPassword(pw) {
			t.Errorf("IsCommonPassword(%q): got false, want true (it is on the list)", pw)
		}
	}
}

func TestIsCommonPassword(t *testing.T) {
	cases := []struct {
		pw   string
		want bool
	}{
		{"Password1!", true},  // "password1" and "password" are on the list
		{"PASSWORD1!", true},  // case does not matter
		{"Qwerty123!", true},  // "qwerty123" with a symbol added
		{"P@ssw0rd", true},    // on the list as it is
		{"123456!!", true},    // symbols after a common password
		{"!123456", true},     // and before it
		{"Welcome1!", true},   // "welcome" with two characters added
		{"Summer2024!", true}, // a word, a year and a symbol: five added
		{"Monkey#2026", true},
		{"Admin#2026", true},
		{"qwerty123!A", false},     // a letter at the end: not simply decorated
		{"Tiger#58302719!", false}, // ten added characters are guessed like any others
		{"Guest#2026", false},      // "guest" is not on the list
		{"Abcdefghijklmno", false},
		{"Better#2027", false},
		{"Tq8#vL2m!Rz5@Wk9$Np3", false},
		{"", false},
		{"!!!", false},
	}
	for _, tc := range cases {
		if got := models.IsCommonPassword(tc.pw); got != tc.want {
			t.Errorf("IsCommonPassword(%q): got %v, want %v", tc.pw, got, tc.want)
		}
	}
}

func TestPasswordPolicyCheckNew(t *testing.T) {
	guest := models.PasswordOwner{Username: "demo.guest", Email: "demo.guest@example.com", Whose: "your"}
	maya := models.PasswordOwner{Username: "mt2026", Email: "maya.thompson@example.com", Whose: "your"}
	const (
		common   = "New password is too common: choose one that is harder to guess"
		username = "New password must not contain your username"
		email    = "New password must not contain your email address"
		tooEasy  = "New password is too easy to guess: "
		control  = "New password must not contain control characters such as tabs or line breaks"
	)
	cases := []struct {
		name   string
		policy models.PasswordPolicy
		owner  models.PasswordOwner
		pw     string
		want   []string
	}{
		{"meets every rule", models.VELAPolicy, guest, "Maya#2026x", nil},
		{"common under VELA", models.VELAPolicy, guest, "Password1!", []string{common}},
		{"common in capitals", models.VELAPolicy, guest, "PASSWORD1!", []string{"New password must have at least 1 lowercase letter", common}},
		{"common under NIST", models.NISTPolicy, guest, "1qaz2wsx3edc4rfv", []string{common}},
		{"contains the username", models.VELAPolicy, guest, "Demo.guest#1", []string{username}},
		{"username in any case", models.VELAPolicy, guest, "xDEMO.GUESTx#1", []string{username}},
		{"local part that is the username is reported once", models.VELAPolicy, guest, "demo.guest#1A", []string{username}},
		{"contains the email's local part", models.VELAPolicy, maya, "Maya.Thompson#1", []string{email}},
		{"contains both", models.VELAPolicy, maya, "Mt2026+maya.thompson", []string{username, email}},
		{"pieces of the username are fine", models.VELAPolicy, guest, "Guest#2026", nil},
		{"short usernames are not checked", models.VELAPolicy, models.PasswordOwner{Username: "jo", Email: "jo@example.com"}, "Jo#2026xy", nil},
		{"no owner", models.VELAPolicy, models.PasswordOwner{}, "Maya#2026x", nil},
		{"NIST needs 15 characters that are hard to guess, of any kind", models.NISTPolicy, guest, "tuesday kite harbour", nil},
		{"NIST passphrase", models.NISTPolicy, demoOwner, "correct horse battery staple", nil},
		{"NIST refuses short ones", models.NISTPolicy, guest, "Short#1a", []string{"New password must have at least 15 characters", tooEasy + "Add another word or two. Uncommon words are better."}},
		{"NIST: short but hard to guess", models.NISTPolicy, guest, strongRandom[:12], []string{"New password must have at least 15 characters"}},
		{"NIST: a common word and digits", models.NISTPolicy, demoOwner, "password12345678", []string{tooEasy + "This is similar to a commonly used password"}},
		{"NIST: digits in a row", models.NISTPolicy, demoOwner, "1234567890123456", []string{tooEasy + "This is similar to a commonly used password"}},
		{"NIST: a repeated character", models.NISTPolicy, demoOwner, "aaaaaaaaaaaaaaaa", []string{tooEasy + `Repeats like "aaa" are easy to guess`}},
		{"NIST: a repeated word", models.NISTPolicy, demoOwner, "passwordpassword", []string{tooEasy + `Repeats like "abcabcabc" are only slightly harder to guess than "abc"`}},
		{"NIST: a sequence", models.NISTPolicy, demoOwner, "Abcdefghijklmno", []string{tooEasy + "Sequences like abc or 6543 are easy to guess"}},
		{"NIST: the username and digits", models.NISTPolicy, demoOwner, "demo.guest12345678", []string{username, tooEasy + "Add another word or two. Uncommon words are better."}},
		{"NIST: the merchant's name repeated", models.NISTPolicy, demoOwner, "SandpiperBaySandpiperBay", []string{tooEasy + "Add another word or two. Uncommon words are better."}},
		{"NIST: the merchant's name is a stranger's fine", models.NISTPolicy, guest, "SandpiperBay#42", nil},
		{"a common password gets one message", models.NISTPolicy, guest, "1qaz2wsx3edc4rfv", []string{common}},
		{"score 3 under a policy asking for 4", models.PasswordPolicy{MinLength: 6, MinScore: 4}, guest, "Maya#2026x", []string{tooEasy + "Add another word or two. Uncommon words are better."}},
		{"VELA accepts any strength", models.VELAPolicy, demoOwner, "Abcdef1!", nil},
		{"a tab", models.VELAPolicy, guest, "Maya#2026\tx", []string{control}},
		{"a line break", models.NISTPolicy, guest, "tuesday kite\nharbour", []string{control}},
		{"a carriage return", models.VELAPolicy, guest, "Maya#2026x\r", []string{control}},
		{"DEL", models.VELAPolicy, guest, "Maya#\x7f2026x", []string{control}},
		{"a C0 control", models.VELAPolicy, guest, "Maya#\x1b2026x", []string{control}},
		{"a C1 control", models.VELAPolicy, guest, "Maya#\u00852026x", []string{control}},
		{"spaces and symbols are not controls", models.VELAPolicy, guest, "Maya# 2026x\u00a0€", nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.policy.CheckNew("New password", tc.pw, tc.owner); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("CheckNew(%q):\n got %q\nwant %q", tc.pw, got, tc.want)
			}
		})
	}
	t.Run("an admin setting it", func(t *testing.T) {
		owner := models.PasswordOwner{Username: "new.member", Email: "nm@example.com", Whose: "the"}
		got := models.VELAPolicy.CheckNew("Initial password", "New.Member#1", owner)
		want := []string{"Initial password must not contain the username"}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("got %q, want %q", got, want)
		}
	})
}

func TestReuseMessage(t *testing.T) {
	for n, want := range map[int]string{
		1: "New password must not be your previous password",
		5: "New password must not be one of your last 5 passwords",
	} {
		if got := models.ReuseMessage("New password", n); got != want {
			t.Errorf("ReuseMessage(%d): got %q, want %q", n, got, want)
		}
	}
}

func TestPasswordChecklist(t *testing.T) {
	guest := models.PasswordOwner{Username: "demo.guest", Email: "demo.guest@example.com", Whose: "your"}
	cases := []struct {
		name   string
		policy models.PasswordPolicy
		pw     string
		want   map[string]bool
	}{
		{"nothing typed", models.VELAPolicy, "", map[string]bool{"length": false, "lower": false, "upper": false, "digits": false, "special": false, "common": false, "personal": false}},
		{"common", models.VELAPolicy, "Password1!", map[string]bool{"length": true, "lower": true, "upper": true, "digits": true, "special": true, "common": false, "personal": true}},
		{"contains the username", models.VELAPolicy, "Demo.guest#1", map[string]bool{"length": true, "lower": true, "upper": true, "digits": true, "special": true, "common": true, "personal": false}},
		{"every rule met", models.VELAPolicy, "Maya#2026x", map[string]bool{"length": true, "lower": true, "upper": true, "digits": true, "special": true, "common": true, "personal": true}},
		{"NIST: a sequence is easy to guess", models.NISTPolicy, "Abcdefghijklmno", map[string]bool{"length": true, "common": true, "personal": true, "strength": false}},
		{"NIST passphrase", models.NISTPolicy, "tuesday kite harbour", map[string]bool{"length": true, "common": true, "personal": true, "strength": true}},
		{"NIST: hard to guess but short", models.NISTPolicy, strongRandom[:12], map[string]bool{"length": false, "common": true, "personal": true, "strength": true}},
		{"NIST: nothing typed", models.NISTPolicy, "", map[string]bool{"length": false, "common": false, "personal": false, "strength": false}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := map[string]bool{}
			rules, _ := tc.policy.Checklist(tc.pw, guest)
			for _, r := range rules {
				got[r.Key] = r.Met
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("Checklist(%q): got %v, want %v", tc.pw, got, tc.want)
			}
		})
	}
	var labels []string
	nist, _ := models.NISTPolicy.Checklist("", guest)
	for _, r := range nist {
		labels = append(labels, r.Label)
	}
	want := []string{"At least 15 characters", "Not a commonly used password", "Does not contain your username or email", "Hard to guess"}
	if !reflect.DeepEqual(labels, want) {
		t.Errorf("NIST labels: got %q, want %q", labels, want)
	}
	// The estimate returned is the one the meter shows.
	rules, strength := models.NISTPolicy.Checklist("passwordpassword", demoOwner)
	if want := models.EstimateStrength("passwordpassword", demoOwner); !reflect.DeepEqual(strength, want) {
		t.Errorf("Checklist strength: got %+v, want %+v", strength, want)
	}
	if last := rules[len(rules)-1]; last.Key != models.RuleStrength || last.Met {
		t.Errorf("last rule: got %+v, want the unmet strength rule", last)
	}
}

func TestPasswordPresets(t *testing.T) {
	custom := models.VELAPolicy
	custom.MinLength = 8
	cases := []struct {
		name   string
		policy models.PasswordPolicy
		want   string
	}{
		{"VELA", models.VELAPolicy, "vela"},
		{"NIST", models.NISTPolicy, "nist"},
		{"VELA numbers with other history and expiry", models.PasswordPolicy{MinLength: 6, MinLower: 1, MinUpper: 1, MinDigits: 1, MinSpecial: 1, History: 12, MaxAgeDays: 90}, "vela"},
		{"NIST numbers with a history", models.PasswordPolicy{MinLength: 15, MinScore: 3, History: 5}, "nist"},
		{"NIST's length without its strength rule", models.PasswordPolicy{MinLength: 15}, ""},
		{"NIST's length with a stricter strength rule", models.PasswordPolicy{MinLength: 15, MinScore: 4}, ""},
		{"VELA with a strength rule", models.PasswordPolicy{MinLength: 6, MinLower: 1, MinUpper: 1, MinDigits: 1, MinSpecial: 1, MinScore: 2, History: 5}, ""},
		{"custom", custom, ""},
		{"zero", models.PasswordPolicy{}, ""},
	}
	for _, tc := range cases {
		if got := tc.policy.Preset(); got != tc.want {
			t.Errorf("%s: Preset() got %q, want %q", tc.name, got, tc.want)
		}
	}
	p := models.PasswordPolicy{MinLength: 9, MinDigits: 2, History: 7, MaxAgeDays: 30}.WithComposition(models.NISTPolicy)
	if want := (models.PasswordPolicy{MinLength: 15, MinScore: 3, History: 7, MaxAgeDays: 30}); p != want {
		t.Errorf("WithComposition: got %+v, want %+v", p, want)
	}
	p = models.PasswordPolicy{MinLength: 20, MinScore: 4, History: 7}.WithComposition(models.VELAPolicy)
	if want := (models.PasswordPolicy{MinLength: 6, MinLower: 1, MinUpper: 1, MinDigits: 1, MinSpecial: 1, History: 7}); p != want {
		t.Errorf("WithComposition(VELA): got %+v, want %+v", p, want)
	}
	var keys []string
	for _, o := range models.PasswordPresetOptions() {
		keys = append(keys, o.Value)
		if got, ok := models.PasswordPresetByKey(o.Value); !ok || got.Key != o.Value || got.Label != o.Label {
			t.Errorf("PasswordPresetByKey(%q): got %+v %v", o.Value, got, ok)
		}
	}
	if !reflect.DeepEqual(keys, []string{"vela", "nist"}) {
		t.Errorf("presets: got %q, want vela and nist", keys)
	}
	if _, ok := models.PasswordPresetByKey("custom"); ok {
		t.Errorf("PasswordPresetByKey(custom): got a preset, want none")
	}
}
