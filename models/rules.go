package models

import (
	"net/mail"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/nyaruka/phonenumbers"
	"golang.org/x/text/collate"
	"golang.org/x/text/language"
	"golang.org/x/text/language/display"
)

// The field rules below each take what the user typed and return the value
// to store, or a message that names the field by its label. They are the
// only place these rules live: the guest form, the admin form and the API
// all call them.

// CleanText trims text and checks it is valid UTF-8 without control or
// bidirectional-override characters and at most max characters long.
func CleanText(label, raw string, max int) (string, error) {
	s := strings.TrimSpace(raw)
	if !utf8.ValidString(s) {
		return "", Invalid(label + " contains characters that are not allowed")
	}
	for _, r := range s {
		if unicode.IsControl(r) || isBidiControl(r) {
			return "", Invalid(label + " must not contain control characters")
		}
	}
	if n := utf8.RuneCountInString(s); n > max {
		return "", Invalid(label + " must be " + strconv.Itoa(max) + " characters or fewer")
	}
	return s, nil
}

// isBidiControl reports the invisible characters used to disguise text:
// direction overrides and marks, zero-width spaces, and line separators
// that are not control characters but break lines all the same.
func isBidiControl(r rune) bool {
	return (r >= 0x202A && r <= 0x202E) || (r >= 0x2066 && r <= 0x2069) || r == 0x200B || r == 0x200E || r == 0x200F ||
		r == 0x2028 || r == 0x2029 || r == 0x061C || r == 0xFEFF
}

// CleanName is CleanText for people's names: letters, marks, spaces,
// hyphens, apostrophes and full stops only.
func CleanName(label, raw string, max int) (string, error) {
	s, msg := CleanText(label, raw, max)
	if msg != nil {
		return "", msg
	}
	letters := 0
	for _, r := range s {
		if unicode.IsLetter(r) {
			letters++
		} else if !(unicode.Is(unicode.M, r) || r == ' ' || r == '-' || r == '\'' || r == '’' || r == '.') {
			return "", Invalid(label + " must only include letters, spaces, hyphens, apostrophes and full stops")
		}
	}
	if s != "" && letters == 0 {
		return "", Invalid(label + " must include at least one letter")
	}
	return s, nil
}

// CleanInitial accepts one letter, stored in upper case.
func CleanInitial(label, raw string) (string, error) {
	s, msg := CleanText(label, raw, 10)
	if msg != nil {
		return "", msg
	}
	s = strings.TrimSuffix(s, ".")
	if s == "" {
		return "", nil
	}
	if r, size := utf8.DecodeRuneInString(s); size != len(s) || !unicode.IsLetter(r) {
		return "", Invalid(label + " must be a single letter")
	}
	return strings.ToUpper(s), nil
}

var postalCodePattern = regexp.MustCompile(`^[\p{L}\p{N}][\p{L}\p{N} -]*$`)

// CleanPostalCode accepts letters, digits, spaces and hyphens.
func CleanPostalCode(label, raw string) (string, error) {
	s, msg := CleanText(label, raw, 16)
	if msg != nil || s == "" {
		return s, msg
	}
	if !postalCodePattern.MatchString(s) {
		return "", Invalid(label + " must only include letters, numbers, spaces and hyphens")
	}
	return strings.ToUpper(s), nil
}

// MaxEmailLength is the longest address SMTP carries (RFC 5321).
const MaxEmailLength = 254

// CleanEmail checks an address has the form name@domain.tld with no display
// name or comments; the domain is stored in lower case.
func CleanEmail(label, raw string) (string, error) {
	s, msg := CleanText(label, raw, MaxEmailLength)
	if msg != nil || s == "" {
		return s, msg
	}
	addr, err := mail.ParseAddress(s)
	at := strings.LastIndexByte(s, '@')
	if err != nil || addr.Address != s || addr.Name != "" || at < 1 || strings.ContainsAny(s, " \"(),:;<>[\\]") {
		return "", Invalid("Enter " + article(label) + " in the correct format, like name@example.com")
	}
	domain := strings.ToLower(s[at+1:])
	if !strings.Contains(domain, ".") || strings.HasPrefix(domain, ".") || strings.HasSuffix(domain, ".") || strings.Contains(domain, "..") {
		return "", Invalid("Enter " + article(label) + " in the correct format, like name@example.com")
	}
	return s[:at+1] + domain, nil
}

func article(label string) string {
	l := strings.ToLower(label)
	if strings.ContainsRune("aeiou", rune(l[0])) {
		return "an " + l
	}
	return "a " + l
}

// DefaultPhoneRegion is used for a national number when no country is known.
const DefaultPhoneRegion = "US"

// CleanPhone parses a phone number typed in any common format. A number
// without a leading + is read as a number of region. It returns the E.164
// form and the number's own region.
func CleanPhone(label, raw, region string) (e164, numberRegion string, err error) {
	s, msg := CleanText(label, raw, 32)
	if msg != nil || s == "" {
		return "", "", msg
	}
	if region == "" {
		region = DefaultPhoneRegion
	}
	bad := Invalid("Enter " + article(label) + " like +1 415 555 0132, or a number of your country")
	for _, r := range s {
		if !(unicode.IsDigit(r) || strings.ContainsRune("+-(). /", r) || r == 'x' || r == 'X') {
			return "", "", bad
		}
	}
	p := parsedPhones.get(region+"\x00"+s, func() parsedPhone {
		num, err := phonenumbers.Parse(s, region)
		if err != nil || !phonenumbers.IsValidNumber(num) {
			return parsedPhone{}
		}
		return parsedPhone{phonenumbers.Format(num, phonenumbers.E164), phonenumbers.GetRegionCodeForNumber(num)}
	})
	if p.e164 == "" {
		return "", "", bad
	}
	return p.e164, p.region, nil
}

// parsedPhone is what libphonenumber made of a number typed for a region;
// empty when it is not a valid number.
type parsedPhone struct{ e164, region string }

// FormatPhone shows a stored E.164 number in the international format.
func FormatPhone(e164 string) string {
	if e164 == "" {
		return ""
	}
	return formattedPhones.get(e164, func() string {
		if num, err := phonenumbers.Parse(e164, ""); err == nil {
			return phonenumbers.Format(num, phonenumbers.INTERNATIONAL)
		}
		return e164
	})
}

// Parsing a number runs libphonenumber's regular expressions, and the same
// numbers are shown on every page view and sent back by every profile
// save: each is parsed once.
var (
	formattedPhones = &memo[string]{max: 100_000}
	parsedPhones    = &memo[parsedPhone]{max: 100_000}
)

// memo keeps the results of a pure function by key. It starts over past
// max keys, so it stays bounded. It is safe for concurrent use.
type memo[V any] struct {
	m   sync.Map
	n   atomic.Int64
	max int64
}

// get is the value for key, computing it once.
func (c *memo[V]) get(key string, compute func() V) V {
	if v, ok := c.m.Load(key); ok {
		return v.(V)
	}
	v := compute()
	if c.n.Add(1) > c.max {
		c.m.Clear()
		c.n.Store(0)
	}
	c.m.Store(key, v)
	return v
}

// The ISO 3166-1 alpha-2 codes of the countries that are assigned today.
const isoCountryCodes = "AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW"

// Option is one choice of a select input.
type Option struct {
	Value string
	Label string
}

var countries = sync.OnceValues(func() ([]Option, map[string]string) {
	names := display.English.Regions()
	byCode := map[string]string{}
	var opts []Option
	for _, code := range strings.Fields(isoCountryCodes) {
		name := names.Name(language.MustParseRegion(code))
		byCode[code] = name
		opts = append(opts, Option{Value: code, Label: name})
	}
	// Collated, not byte order: Åland Islands belongs with the A's, not after Zimbabwe.
	col := collate.New(language.English)
	sort.Slice(opts, func(i, j int) bool { return col.CompareString(opts[i].Label, opts[j].Label) < 0 })
	return opts, byCode
})

// Countries lists the ISO countries by English name.
func Countries() []Option {
	opts, _ := countries()
	return opts
}

// CountryName is the English name of an ISO code, or the code itself.
func CountryName(code string) string {
	if _, byCode := countries(); byCode[code] != "" {
		return byCode[code]
	}
	return code
}

// CleanCountry accepts an ISO 3166-1 alpha-2 code in any case.
func CleanCountry(label, raw string) (string, error) {
	s := strings.ToUpper(strings.TrimSpace(raw))
	if s == "" {
		return "", nil
	}
	if _, byCode := countries(); byCode[s] == "" {
		return "", Invalid("Select a country from the list")
	}
	return s, nil
}

// CleanLanguage accepts a well-formed BCP 47 tag whose language is known,
// and stores its canonical form (en-us → en-US).
func CleanLanguage(label, raw string) (string, error) {
	s := strings.TrimSpace(raw)
	if s == "" {
		return "", nil
	}
	bad := Invalid(label + " must be a language code like en, nl-BE or pt-BR")
	if len(s) > 35 {
		return "", bad
	}
	tag, err := language.Parse(s)
	if err != nil {
		return "", bad
	}
	// Base guesses a language for "und" (und → en, und-BE → nl); only a
	// language the user actually wrote counts.
	if base, conf := tag.Base(); conf != language.Exact || base.String() == "und" || display.English.Languages().Name(base) == "" {
		return "", bad
	}
	return tag.String(), nil
}

// LanguageName is the English name of a BCP 47 tag, or the tag itself.
// Every view of a profile shows one: the offered languages' names are
// looked up once.
func LanguageName(tag string) string {
	if name, ok := commonLanguageNames()[tag]; ok {
		return name
	}
	return languageName(tag)
}

// commonLanguageNames are the names of commonLanguages.
var commonLanguageNames = sync.OnceValue(func() map[string]string {
	names := make(map[string]string, len(commonLanguages))
	for _, tag := range commonLanguages {
		names[tag] = languageName(tag)
	}
	return names
})

func languageName(tag string) string {
	t, err := language.Parse(tag)
	if err != nil {
		return tag
	}
	if name := display.English.Tags().Name(t); name != "" {
		return name
	}
	return tag
}

// commonLanguages are offered in the language select; any other valid tag
// a user already has is offered too.
var commonLanguages = []string{
	"ar", "cs", "da", "de", "de-AT", "de-CH", "el", "en", "en-AU", "en-CA", "en-GB", "en-IE", "en-NZ", "en-US",
	"es", "es-MX", "fi", "fr", "fr-BE", "fr-CA", "fr-CH", "he", "hi", "hu", "id", "it", "ja", "ko", "nb",
	"nl", "nl-BE", "pl", "pt", "pt-BR", "ro", "ru", "sv", "th", "tr", "uk", "vi", "zh-Hans", "zh-Hant",
}

// Languages lists the offered languages, plus current when it is not among them.
func Languages(current string) []Option {
	opts := make([]Option, 0, len(commonLanguages)+1)
	found := current == ""
	for _, tag := range commonLanguages {
		opts = append(opts, Option{Value: tag, Label: LanguageName(tag) + " (" + tag + ")"})
		found = found || tag == current
	}
	if !found {
		opts = append(opts, Option{Value: current, Label: LanguageName(current) + " (" + current + ")"})
	}
	sort.Slice(opts, func(i, j int) bool { return opts[i].Label < opts[j].Label })
	return opts
}

// CleanGender accepts F, M or empty (unspecified), in any case.
func CleanGender(label, raw string) (string, error) {
	s := strings.ToUpper(strings.TrimSpace(raw))
	switch s {
	case "", GenderFemale, GenderMale:
		return s, nil
	}
	return "", Invalid("Select an option for " + strings.ToLower(label))
}

// DateLayout is the only date format accepted from users: ISO 8601's
// YYYY-MM-DD, which has no day/month ambiguity.
const DateLayout = "2006-01-02"

// earliestBirthday keeps obvious typos (0198-…) out.
var earliestBirthday = time.Date(1900, 1, 1, 0, 0, 0, 0, time.UTC)

// CleanDate accepts a real date written YYYY-MM-DD.
func CleanDate(label, raw string) (string, error) {
	s := strings.TrimSpace(raw)
	if s == "" {
		return "", nil
	}
	d, err := time.Parse(DateLayout, s)
	if err != nil || len(s) != len(DateLayout) {
		return "", Invalid(label + " must be a real date, like 1986-01-30")
	}
	return d.Format(DateLayout), nil
}

// CleanBirthday is CleanDate for a date in the past, after 1900.
func CleanBirthday(label, raw string, now time.Time) (string, error) {
	s, msg := CleanDate(label, raw)
	if msg != nil || s == "" {
		return s, msg
	}
	d, _ := time.Parse(DateLayout, s)
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
	if !d.Before(today) {
		return "", Invalid(label + " must be in the past")
	}
	if d.Before(earliestBirthday) {
		return "", Invalid(label + " must be after 1900-01-01")
	}
	return s, nil
}

// CleanBool reads a checkbox or a JSON-ish boolean: checked is "true".
func CleanBool(label, raw string) (string, error) {
	switch strings.ToLower(strings.TrimSpace(raw)) {
	case "", "false", "0", "off", "no":
		return "false", nil
	case "true", "1", "on", "yes":
		return "true", nil
	}
	return "", Invalid(label + " must be yes or no")
}

// Limits of a search: enough for an email address or a full name, and
// few enough words that each can be looked up.
const (
	MaxSearchLength = 200
	MaxSearchWords  = 10
)

// CleanSearch checks the text of a search: at most MaxSearchLength
// characters in at most MaxSearchWords words, without control characters.
func CleanSearch(label, raw string) (string, error) {
	s, msg := CleanText(label, raw, MaxSearchLength)
	if msg != nil {
		return "", msg
	}
	if len(strings.Fields(s)) > MaxSearchWords {
		return "", Invalid(label + " must be " + strconv.Itoa(MaxSearchWords) + " words or fewer")
	}
	return s, nil
}

// MaxUserAgent is how much of a User-Agent header is kept.
const MaxUserAgent = 512

// StorableText makes what a client sent in a header (a User-Agent) safe to
// store and show: bytes that are not UTF-8 become U+FFFD, control
// characters are dropped, and it is cut to at most max bytes without
// splitting a character. Unlike the field rules it never refuses: a header
// is recorded as it came, not corrected by the user.
func StorableText(s string, max int) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return -1
		}
		return r
	}, s)
	if len(s) <= max {
		return s
	}
	cut := max
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut]
}

var codePattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]*$`)

// CleanCode accepts identifiers such as member and card numbers: letters,
// digits, dots, hyphens and underscores; spaces typed for readability
// ("6000 3010 …") are dropped.
func CleanCode(label, raw string, max int) (string, error) {
	s, msg := CleanText(label, strings.ReplaceAll(raw, " ", ""), max)
	if msg != nil || s == "" {
		return s, msg
	}
	if !codePattern.MatchString(s) {
		return "", Invalid(label + " must only include letters, numbers, dots, hyphens and underscores")
	}
	return s, nil
}

func cleanStatus(label, raw string) (string, error) {
	s := strings.ToUpper(strings.TrimSpace(raw))
	if HasOption(Statuses, s) {
		return s, nil
	}
	return "", Invalid("Select a status")
}

// cleanRoles accepts a comma-separated set of known roles, at least one,
// and stores them in a fixed order.
func cleanRoles(label, raw string) (string, error) {
	var out []string
	for _, part := range strings.Split(raw, ",") {
		part = strings.ToUpper(strings.TrimSpace(part))
		if part == "" {
			continue
		}
		if !HasOption(Roles, part) {
			return "", Invalid("Select roles from the list")
		}
		if !slices.Contains(out, part) {
			out = append(out, part)
		}
	}
	if len(out) == 0 {
		return "", Invalid("Select at least one role")
	}
	slices.Sort(out)
	return strings.Join(out, ","), nil
}
