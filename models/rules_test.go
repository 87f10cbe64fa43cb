package models_test

import (
	"sort"
	"strings"
	"testing"
	"time"

	"golang.org/x/text/collate"
	"golang.org/x/text/language"

	"myaccount/models"
)

// cleanCase is one input to a field rule: the value it should store and
// the message it should show (empty when the input is accepted).
type cleanCase struct {
	name    string
	in      string
	want    string
	wantMsg string
}

func runCleanCases(t *testing.T, clean func(string) (string, string), cases []cleanCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, msg := clean(tc.in)
			if got != tc.want || msg != tc.wantMsg {
				t.Errorf("clean(%q): got (%q, %q), want (%q, %q)", tc.in, got, msg, tc.want, tc.wantMsg)
			}
		})
	}
}

func TestCleanText(t *testing.T) {
	const (
		tooLong = "City must be 10 characters or fewer"
		control = "City must not contain control characters"
		invalid = "City contains characters that are not allowed"
	)
	runCleanCases(t, func(s string) (string, string) { return msgOf(models.CleanText("City", s, 10)) }, []cleanCase{
		{"plain", "Brussels", "Brussels", ""},
		{"empty", "", "", ""},
		{"only spaces", "   ", "", ""},
		{"trimmed", "  Ghent \t\n", "Ghent", ""},
		{"inner space kept", "Den  Haag", "Den  Haag", ""},
		{"exactly max", "abcdefghij", "abcdefghij", ""},
		{"one over max", "abcdefghijk", "", tooLong},
		{"max counts runes not bytes", "Ærøskøbing", "Ærøskøbing", ""},
		{"ten CJK runes are 30 bytes", "東京都東京都東京都東", "東京都東京都東京都東", ""},
		{"eleven accented runes", "ééééééééééé", "", tooLong},
		{"length checked after trimming", "  abcdefghij  ", "abcdefghij", ""},
		{"NUL", "Bru\x00ssels", "", control},
		{"inner tab", "Bru\tssels", "", control},
		{"inner newline", "Bru\nssels", "", control},
		{"carriage return", "Bru\rssels", "", control},
		{"DEL", "Bru\x7fssels", "", control},
		{"C1 control", "Bru\u0085ssels", "", control},
		{"right-to-left override U+202E", "abc\u202Egpj.exe", "", control},
		{"left-to-right embedding U+202A", "\u202Aabc", "", control},
		{"zero-width space U+200B", "Gh\u200Bent", "", control},
		{"line separator U+2028", "Gh\u2028ent", "", control},
		{"Arabic letter mark U+061C", "\u061Cabc", "", control},
		{"left-to-right isolate U+2066", "ab\u2066c", "", control},
		{"pop directional isolate U+2069", "ab\u2069c", "", control},
		{"right-to-left mark U+200F", "ab\u200Fc", "", control},
		{"byte order mark U+FEFF", "\uFEFFabc", "", control},
		{"invalid UTF-8", "Br\xffssels", "", invalid},
		{"truncated UTF-8 sequence", "caf\xc3", "", invalid},
	})
}

func TestCleanName(t *testing.T) {
	const (
		notAllowed = "First name must only include letters, spaces, hyphens, apostrophes and full stops"
		tooLong    = "First name must be 20 characters or fewer"
	)
	runCleanCases(t, func(s string) (string, string) { return msgOf(models.CleanName("First name", s, 20)) }, []cleanCase{
		{"plain", "Maya", "Maya", ""},
		{"empty", "", "", ""},
		{"trimmed", " Maya ", "Maya", ""},
		{"accents", "Zoë Łucja", "Zoë Łucja", ""},
		{"combining mark", "Zoe\u0308", "Zoe\u0308", ""},
		{"apostrophe", "O'Brien", "O'Brien", ""},
		{"typographic apostrophe", "O’Brien", "O’Brien", ""},
		{"hyphen", "Jean-Luc", "Jean-Luc", ""},
		{"full stop and space", "St. John", "St. John", ""},
		{"Greek", "Αλέξανδρος", "Αλέξανδρος", ""},
		{"CJK", "山田", "山田", ""},
		{"only punctuation", "-'.", "", "First name must include at least one letter"},
		{"Devanagari with marks", "अनुष्का", "अनुष्का", ""},
		{"digits", "R2D2", "", notAllowed},
		{"at sign", "maya@home", "", notAllowed},
		{"exclamation", "Maya!", "", notAllowed},
		{"underscore", "Maya_T", "", notAllowed},
		{"angle brackets", "<b>Maya</b>", "", notAllowed},
		{"emoji", "Maya 😀", "", notAllowed},
		{"too long", strings.Repeat("a", 21), "", tooLong},
		{"control before letters rule", "Ma\x00ya", "", "First name must not contain control characters"},
		{"bidi override", "Ma\u202Eya", "", "First name must not contain control characters"},
	})
}

func TestCleanInitial(t *testing.T) {
	const notLetter = "Middle initial must be a single letter"
	runCleanCases(t, func(s string) (string, string) { return msgOf(models.CleanInitial("Middle initial", s)) }, []cleanCase{
		{"upper", "J", "J", ""},
		{"lower is upper-cased", "j", "J", ""},
		{"trailing full stop dropped", "J.", "J", ""},
		{"trimmed", "  k  ", "K", ""},
		{"accented", "é", "É", ""},
		{"empty", "", "", ""},
		{"two letters", "JK", "", notLetter},
		{"digit", "1", "", notLetter},
		{"symbol", "#", "", notLetter},
		{"three letters", "abc", "", "Middle initial must be a single letter"},
		{"control character", "\x00", "", "Middle initial must not contain control characters"},
	})
}

func TestCleanPostalCode(t *testing.T) {
	const notAllowed = "Postal code must only include letters, numbers, spaces and hyphens"
	runCleanCases(t, func(s string) (string, string) { return msgOf(models.CleanPostalCode("Postal code", s)) }, []cleanCase{
		{"digits", "1000", "1000", ""},
		{"UK, upper-cased", "sw1a 1aa", "SW1A 1AA", ""},
		{"US ZIP+4", "94105-1234", "94105-1234", ""},
		{"trimmed", " 2000 ", "2000", ""},
		{"empty", "", "", ""},
		{"leading hyphen", "-1000", "", notAllowed},
		{"hash", "AB#1", "", notAllowed},
		{"slash", "1000/2", "", notAllowed},
		{"seventeen characters", strings.Repeat("1", 17), "", "Postal code must be 16 characters or fewer"},
	})
}

func TestCleanEmail(t *testing.T) {
	const bad = "Enter an email in the correct format, like name@example.com"
	runCleanCases(t, func(s string) (string, string) { return msgOf(models.CleanEmail("Email", s)) }, []cleanCase{
		{"plain", "maya@example.com", "maya@example.com", ""},
		{"empty", "", "", ""},
		{"trimmed", "  maya@example.com ", "maya@example.com", ""},
		{"domain lower-cased, local part kept", "Maya.T@Example.COM", "Maya.T@example.com", ""},
		{"plus tag", "maya+news@example.com", "maya+news@example.com", ""},
		{"subdomain", "maya@mail.example.co.uk", "maya@mail.example.co.uk", ""},
		{"short", "a@b.co", "a@b.co", ""},
		{"display name", "Maya <maya@example.com>", "", bad},
		{"angle brackets only", "<maya@example.com>", "", bad},
		{"comment", "maya@example.com (Maya)", "", bad},
		{"quoted local part", `"maya t"@example.com`, "", bad},
		{"space", "maya t@example.com", "", bad},
		{"no at sign", "maya.example.com", "", bad},
		{"two at signs", "maya@@example.com", "", bad},
		{"no local part", "@example.com", "", bad},
		{"no domain", "maya@", "", bad},
		{"no dot in domain", "maya@example", "", bad},
		{"double dot in domain", "maya@example..com", "", bad},
		{"leading dot in domain", "maya@.example.com", "", bad},
		{"trailing dot in domain", "maya@example.com.", "", bad},
		{"leading dot in local part", ".maya@example.com", "", bad},
		{"double dot in local part", "ma..ya@example.com", "", bad},
		{"two addresses", "maya@example.com, bob@example.com", "", bad},
		{"254 characters", strings.Repeat("a", 64) + "@" + strings.Repeat("b", 185) + ".com", strings.Repeat("a", 64) + "@" + strings.Repeat("b", 185) + ".com", ""},
		{"255 characters", strings.Repeat("a", 64) + "@" + strings.Repeat("b", 186) + ".com", "", "Email must be 254 characters or fewer"},
		{"control character", "maya@exa\nmple.com", "", "Email must not contain control characters"},
	})
	t.Run("article follows the label", func(t *testing.T) {
		_, msg := msgOf(models.CleanEmail("New email", "nope"))
		if want := "Enter a new email in the correct format, like name@example.com"; msg != want {
			t.Errorf("got %q, want %q", msg, want)
		}
	})
}

func TestCleanPhone(t *testing.T) {
	const bad = "Enter a mobile phone like +1 415 555 0132, or a number of your country"
	cases := []struct {
		name       string
		in, region string
		want       string
		wantRegion string
		wantMsg    string
	}{
		{"international US", "+1 415 555 0132", "", "+14155550132", "US", ""},
		{"international US, any region", "+1 415 555 0132", "BE", "+14155550132", "US", ""},
		{"national US", "(415) 555-2671", "US", "+14155552671", "US", ""},
		{"national without region is US", "415 555 2671", "", "+14155552671", "US", ""},
		{"national Belgian mobile", "0470 12 34 56", "BE", "+32470123456", "BE", ""},
		{"international Belgian, region US", "+32 470 12 34 56", "US", "+32470123456", "BE", ""},
		{"UK with dots", "+44 20.7946.0958", "", "+442079460958", "GB", ""},
		{"trimmed", "  +1 415 555 2671  ", "", "+14155552671", "US", ""},
		{"empty", "", "BE", "", "", ""},
		{"letters", "415-CALL-NOW", "US", "", "", bad},
		{"email", "maya@example.com", "US", "", "", bad},
		{"too short", "123", "US", "", "", bad},
		{"Belgian number read as US", "0470 12 34 56", "US", "", "", bad},
		{"unassigned country code", "+999 1234 5678", "", "", "", bad},
		{"too long", strings.Repeat("1", 33), "", "", "", "Mobile phone must be 32 characters or fewer"},
		{"control character", "+1 415\x00555 2671", "", "", "", "Mobile phone must not contain control characters"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, region, msg := msgOf3(models.CleanPhone("Mobile phone", tc.in, tc.region))
			if got != tc.want || region != tc.wantRegion || msg != tc.wantMsg {
				t.Errorf("CleanPhone(%q, %q): got (%q, %q, %q), want (%q, %q, %q)",
					tc.in, tc.region, got, region, msg, tc.want, tc.wantRegion, tc.wantMsg)
			}
		})
	}
}

func TestFormatPhone(t *testing.T) {
	cases := []struct{ name, in, want string }{
		{"US", "+14155552671", "+1 415-555-2671"},
		{"Belgium", "+32470123456", "+32 470 12 34 56"},
		{"UK", "+442079460958", "+44 20 7946 0958"},
		{"empty", "", ""},
		{"not a number is shown as stored", "garbage", "garbage"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := models.FormatPhone(tc.in); got != tc.want {
				t.Errorf("FormatPhone(%q): got %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

func TestCleanCountry(t *testing.T) {
	const bad = "Select a country from the list"
	runCleanCases(t, func(s string) (string, string) { return msgOf(models.CleanCountry("Country", s)) }, []cleanCase{
		{"upper", "BE", "BE", ""},
		{"lower", "be", "BE", ""},
		{"mixed, trimmed", " Nl ", "NL", ""},
		{"Åland", "ax", "AX", ""},
		{"empty", "", "", ""},
		{"UK is not the ISO code", "UK", "", bad},
		{"Kosovo is user-assigned", "XK", "", bad},
		{"unknown", "ZZ", "", bad},
		{"alpha-3", "BEL", "", bad},
		{"name", "Belgium", "", bad},
	})
}

func TestCountries(t *testing.T) {
	opts := models.Countries()
	if len(opts) != 249 {
		t.Errorf("len(Countries()): got %d, want 249", len(opts))
	}
	col := collate.New(language.English)
	if !sort.SliceIsSorted(opts, func(i, j int) bool { return col.CompareString(opts[i].Label, opts[j].Label) < 0 }) {
		t.Errorf("Countries() not sorted by English name: first %v, last %v", opts[0], opts[len(opts)-1])
	}
	seen := map[string]bool{}
	for _, o := range opts {
		if seen[o.Value] {
			t.Errorf("country %q listed twice", o.Value)
		}
		seen[o.Value] = true
		if o.Label == "" || o.Label == o.Value {
			t.Errorf("country %q: got label %q, want its English name", o.Value, o.Label)
		}
		if got, msg := msgOf(models.CleanCountry("Country", o.Value)); got != o.Value || msg != "" {
			t.Errorf("CleanCountry(%q): got (%q, %q), want it accepted", o.Value, got, msg)
		}
	}
	if first := opts[0].Value; first != "AF" {
		t.Errorf("first country: got %q, want AF (Afghanistan)", first)
	}
	if last := opts[len(opts)-1].Value; last != "ZW" {
		t.Errorf("last country: got %q, want ZW (Zimbabwe)", last)
	}
	// Åland Islands sorts with A, not after Zimbabwe.
	for i, o := range opts {
		if o.Value == "AX" && (i < 1 || i+1 >= len(opts) || opts[i-1].Value != "AF" || opts[i+1].Value != "AL") {
			t.Errorf("Åland Islands at %d: want between Afghanistan and Albania", i)
		}
	}
}

func TestCountryName(t *testing.T) {
	cases := []struct{ in, want string }{
		{"BE", "Belgium"},
		{"US", "United States"},
		{"GB", "United Kingdom"},
		{"AX", "Åland Islands"},
		{"ZZ", "ZZ"},
		{"be", "be"},
		{"", ""},
	}
	for _, tc := range cases {
		t.Run(tc.in, func(t *testing.T) {
			if got := models.CountryName(tc.in); got != tc.want {
				t.Errorf("CountryName(%q): got %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

func TestCleanLanguage(t *testing.T) {
	const bad = "Language must be a language code like en, nl-BE or pt-BR"
	runCleanCases(t, func(s string) (string, string) { return msgOf(models.CleanLanguage("Language", s)) }, []cleanCase{
		{"language only", "en", "en", ""},
		{"language and region", "nl-BE", "nl-BE", ""},
		{"canonical case", "EN-us", "en-US", ""},
		{"script and region", "zh-Hant-TW", "zh-Hant-TW", ""},
		{"three-letter language", "fil", "fil", ""},
		{"trimmed", " pt-BR ", "pt-BR", ""},
		{"empty", "", "", ""},
		{"unknown language", "xx", "", bad},
		{"English word", "english", "", bad},
		{"undetermined", "und", "", bad},
		{"undetermined with region", "und-BE", "", bad},
		{"private use language", "qaa", "", bad},
		{"malformed", "en--US", "", bad},
		{"36 characters", "en-US-" + strings.Repeat("x", 30), "", bad},
		{"region code only", "419", "", bad},
		{"36 characters, well-formed", "en-x-aaaaaaaa-bbbbbbbb-cccccccc-dddd", "", bad},
		{"35 characters", "en-x-aaaaaaaa-bbbbbbbb-cccccccc-ddd", "en-x-aaaaaaaa-bbbbbbbb-cccccccc-ddd", ""},
	})
}

func TestLanguageName(t *testing.T) {
	cases := []struct{ in, want string }{
		{"en", "English"},
		{"en-US", "American English"},
		{"fr-CA", "Canadian French"},
		{"zh-Hant", "Traditional Chinese"},
		{"ga", "Irish"},
		{"not a tag!", "not a tag!"},
	}
	for _, tc := range cases {
		t.Run(tc.in, func(t *testing.T) {
			if got := models.LanguageName(tc.in); got != tc.want {
				t.Errorf("LanguageName(%q): got %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

func TestLanguages(t *testing.T) {
	base := models.Languages("")
	cases := []struct {
		name      string
		current   string
		wantLen   int
		wantLabel string // label of current, when set
	}{
		{"no current", "", len(base), ""},
		{"listed current", "nl-BE", len(base), "Flemish (nl-BE)"},
		{"unlisted current is added", "ga", len(base) + 1, "Irish (ga)"},
		{"unlisted current with region", "es-AR", len(base) + 1, "Spanish (Argentina) (es-AR)"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			opts := models.Languages(tc.current)
			if len(opts) != tc.wantLen {
				t.Errorf("len: got %d, want %d", len(opts), tc.wantLen)
			}
			if !sort.SliceIsSorted(opts, func(i, j int) bool { return opts[i].Label < opts[j].Label }) {
				t.Errorf("not sorted by label")
			}
			if tc.current == "" {
				return
			}
			n := 0
			for _, o := range opts {
				if o.Value == tc.current {
					n++
					if o.Label != tc.wantLabel {
						t.Errorf("label of %q: got %q, want %q", tc.current, o.Label, tc.wantLabel)
					}
				}
			}
			if n != 1 {
				t.Errorf("%q offered %d times, want once", tc.current, n)
			}
		})
	}
	for _, o := range base {
		if got, msg := msgOf(models.CleanLanguage("Language", o.Value)); got != o.Value || msg != "" {
			t.Errorf("offered language %q: CleanLanguage got (%q, %q), want it accepted unchanged", o.Value, got, msg)
		}
	}
}

func TestCleanGender(t *testing.T) {
	const bad = "Select an option for gender"
	runCleanCases(t, func(s string) (string, string) { return msgOf(models.CleanGender("Gender", s)) }, []cleanCase{
		{"female", "F", "F", ""},
		{"male lower case", "m", "M", ""},
		{"trimmed", " f ", "F", ""},
		{"unspecified", "", "", ""},
		{"other letter", "X", "", bad},
		{"word", "female", "", bad},
	})
}

func TestCleanDate(t *testing.T) {
	const bad = "Date must be a real date, like 1986-01-30"
	runCleanCases(t, func(s string) (string, string) { return msgOf(models.CleanDate("Date", s)) }, []cleanCase{
		{"ordinary", "1986-01-30", "1986-01-30", ""},
		{"leap day", "2024-02-29", "2024-02-29", ""},
		{"trimmed", " 2024-07-14 ", "2024-07-14", ""},
		{"empty", "", "", ""},
		{"not a leap year", "2023-02-29", "", bad},
		{"April 31", "2024-04-31", "", bad},
		{"month 13", "2024-13-01", "", bad},
		{"single-digit month", "1986-1-30", "", bad},
		{"single-digit day", "1986-01-3", "", bad},
		{"day first", "30/01/1986", "", bad},
		{"US order", "01/30/1986", "", bad},
		{"with time", "2024-07-14T10:00", "", bad},
		{"words", "yesterday", "", bad},
	})
}

func TestCleanBirthday(t *testing.T) {
	now := time.Date(2026, time.March, 15, 10, 30, 0, 0, time.UTC)
	const (
		past  = "Birthday must be in the past"
		early = "Birthday must be after 1900-01-01"
	)
	runCleanCases(t, func(s string) (string, string) { return msgOf(models.CleanBirthday("Birthday", s, now)) }, []cleanCase{
		{"ordinary", "1986-01-30", "1986-01-30", ""},
		{"yesterday", "2026-03-14", "2026-03-14", ""},
		{"first allowed day", "1900-01-01", "1900-01-01", ""},
		{"empty", "", "", ""},
		{"today", "2026-03-15", "", past},
		{"tomorrow", "2026-03-16", "", past},
		{"next year", "2027-01-01", "", past},
		{"before 1900", "1899-12-31", "", early},
		{"typo year", "0198-06-01", "", early},
		{"not a real date", "1986-02-30", "", "Birthday must be a real date, like 1986-01-30"},
	})
	t.Run("today is the caller's calendar day", func(t *testing.T) {
		// 23:30 in New York on 14 March is already 15 March in UTC.
		ny := time.FixedZone("EDT", -4*60*60)
		late := time.Date(2026, time.March, 14, 23, 30, 0, 0, ny)
		if got, msg := msgOf(models.CleanBirthday("Birthday", "2026-03-14", late)); msg != past {
			t.Errorf("got (%q, %q), want (%q, %q)", got, msg, "", past)
		}
		if got, msg := msgOf(models.CleanBirthday("Birthday", "2026-03-13", late)); got != "2026-03-13" || msg != "" {
			t.Errorf("got (%q, %q), want (%q, %q)", got, msg, "2026-03-13", "")
		}
	})
}

func TestCleanBool(t *testing.T) {
	const bad = "Email me news and offers must be yes or no"
	runCleanCases(t, func(s string) (string, string) { return msgOf(models.CleanBool("Email me news and offers", s)) }, []cleanCase{
		{"unchecked box sends nothing", "", "false", ""},
		{"checkbox on", "on", "true", ""},
		{"true", "true", "true", ""},
		{"TRUE", "TRUE", "true", ""},
		{"1", "1", "true", ""},
		{"yes", "yes", "true", ""},
		{"false", "false", "false", ""},
		{"0", "0", "false", ""},
		{"off", "off", "false", ""},
		{"no", " No ", "false", ""},
		{"maybe", "maybe", "", bad},
		{"2", "2", "", bad},
	})
}

// msgOf is a rule's answer as value and message ("" when accepted).
func msgOf(v string, err error) (string, string) {
	if err != nil {
		return v, err.Error()
	}
	return v, ""
}

// msgOf3 is msgOf for a rule that also returns a region.
func msgOf3(v, region string, err error) (string, string, string) {
	v, msg := msgOf(v, err)
	return v, region, msg
}
