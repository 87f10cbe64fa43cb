package models

import (
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"
)

// Every field rule is fuzzed: whatever comes in, no panic, and whatever is
// accepted is clean: valid UTF-8, trimmed, within its length, and free of
// control and invisible characters. `go test` runs the seeds; run
// `go test -fuzz=FuzzX ./models/` to explore.

func assertClean(t *testing.T, rule, out string, max int) {
	t.Helper()
	if !utf8.ValidString(out) {
		t.Fatalf("%s accepted invalid UTF-8 %q", rule, out)
	}
	if out != strings.TrimSpace(out) {
		t.Fatalf("%s accepted untrimmed %q", rule, out)
	}
	for _, r := range out {
		if unicode.IsControl(r) || isBidiControl(r) {
			t.Fatalf("%s accepted control character %U in %q", rule, r, out)
		}
	}
	if max > 0 && utf8.RuneCountInString(out) > max {
		t.Fatalf("%s accepted %d characters, over %d", rule, utf8.RuneCountInString(out), max)
	}
}

var fuzzSeeds = []string{
	"", " ", "Maya", "  Ghent \t", "O'Brien", "Jean-Luc", "Zoë", "山田", "a\x00b", "\u202Eexe.txt", "\xff\xfe",
	"+1 415 555 0132", "(415) 555-0132", "0470 12 34 56", "+32470123456", "x123", "+", "++1", "1986-01-30",
	"2024-02-29", "2023-02-29", "30/01/1986", "nl-BE", "EN-us", "und", "x-private", "zh-Hant-TW", "name@example.com",
	"Name <a@b.c>", "a@b", "a@-b.com", "12", "3.50", "NaN", "1e309", "-0", "2024-07-14T22:59", "2024-07-14 22:59",
	"Gouda", strings.Repeat("a", 300), strings.Repeat("é", 60), "\u200b", "a\u2028b", "true", "on", "F", "m", "XX", "us",
}

func FuzzCleanText(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s, 20)
	}
	f.Fuzz(func(t *testing.T, raw string, max int) {
		if max < 0 || max > 1000 {
			return
		}
		if out, msg := CleanText("Field", raw, max); msg == nil {
			assertClean(t, "CleanText", out, max)
		}
	})
}

func FuzzCleanName(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		out, msg := CleanName("First name", raw, 50)
		if msg != nil {
			return
		}
		assertClean(t, "CleanName", out, 50)
		for _, r := range out {
			if !(unicode.IsLetter(r) || unicode.Is(unicode.M, r) || strings.ContainsRune(" -'’.", r)) {
				t.Fatalf("CleanName accepted %q in %q", r, out)
			}
		}
		if out, msg := CleanInitial("Middle initial", raw); msg == nil && utf8.RuneCountInString(out) > 1 {
			t.Fatalf("CleanInitial accepted %q", out)
		}
	})
}

func FuzzCleanPhone(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s, "US")
		f.Add(s, "BE")
	}
	f.Fuzz(func(t *testing.T, raw, region string) {
		out, got, msg := CleanPhone("Phone", raw, region)
		if msg != nil || out == "" {
			return
		}
		assertClean(t, "CleanPhone", out, 16)
		if out[0] != '+' || strings.Trim(out[1:], "0123456789") != "" || got == "" {
			t.Fatalf("CleanPhone accepted %q (region %q) from %q", out, got, raw)
		}
		again, _, msg := CleanPhone("Phone", out, "")
		if msg != nil || again != out {
			t.Fatalf("CleanPhone is not stable: %q → %q (%s)", out, again, msg)
		}
	})
}

func FuzzCleanDates(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s)
	}
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, raw string) {
		if out, msg := CleanDate("Date", raw); msg == nil && out != "" {
			if d, err := time.Parse(DateLayout, out); err != nil || d.Format(DateLayout) != out {
				t.Fatalf("CleanDate accepted %q", out)
			}
		}
		if out, msg := CleanBirthday("Birthday", raw, now); msg == nil && out != "" {
			d, _ := time.Parse(DateLayout, out)
			if !d.Before(now) || d.Year() < 1900 {
				t.Fatalf("CleanBirthday accepted %q", out)
			}
		}
		if out, msg := cleanDateTime("When", raw); msg == nil && out != "" {
			if _, err := time.Parse(DateTimeLayout, out); err != nil {
				t.Fatalf("date-time accepted %q", out)
			}
		}
	})
}

func FuzzCleanLanguageCountryGender(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		if out, msg := CleanLanguage("Language", raw); msg == nil && out != "" {
			assertClean(t, "CleanLanguage", out, 35)
			if again, msg := CleanLanguage("Language", out); msg != nil || again != out {
				t.Fatalf("CleanLanguage is not stable: %q → %q (%s)", out, again, msg)
			}
		}
		if out, msg := CleanCountry("Country", raw); msg == nil && out != "" && CountryName(out) == out {
			t.Fatalf("CleanCountry accepted %q, not an ISO country", out)
		}
		if out, msg := CleanGender("Gender", raw); msg == nil && out != "" && out != GenderFemale && out != GenderMale {
			t.Fatalf("CleanGender accepted %q", out)
		}
	})
}

func FuzzCleanEmail(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		out, msg := CleanEmail("Email", raw)
		if msg != nil || out == "" {
			return
		}
		assertClean(t, "CleanEmail", out, MaxEmailLength)
		if strings.Count(out, "@") < 1 || strings.ContainsAny(out, " <>()") {
			t.Fatalf("CleanEmail accepted %q", out)
		}
	})
}

// FuzzCustomFields checks each custom field type keeps to its type.
func FuzzCustomFields(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s)
	}
	m := &Merchant{CustomFields: CustomFieldDefs{
		{Key: "t", Label: "Text", Type: CustomText}, {Key: "n", Label: "Number", Type: CustomNumber},
		{Key: "d", Label: "Date", Type: CustomDate}, {Key: "dt", Label: "When", Type: CustomDateTime},
		{Key: "l", Label: "Cheese", Type: CustomList, Options: []string{"Gouda", "Emental"}},
	}}
	now := time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, raw string) {
		for _, field := range GuestProfileFields(m) {
			if field.Group != GroupCustom {
				continue
			}
			out, msg := field.Clean(raw, "US", now)
			if msg != nil || out == "" {
				continue
			}
			assertClean(t, field.Label, out, 200)
			switch field.Kind {
			case KindNumber:
				if strings.ContainsAny(out, "NnIi") {
					t.Fatalf("number accepted %q", out)
				}
			case KindDate:
				if _, err := time.Parse(DateLayout, out); err != nil {
					t.Fatalf("date accepted %q", out)
				}
			case KindList:
				if out != "Gouda" && out != "Emental" {
					t.Fatalf("list accepted %q", out)
				}
			}
		}
	})
}

// FuzzApplyProfile submits random values to random fields: no panic, and
// every value that is stored is clean.
func FuzzApplyProfile(f *testing.F) {
	f.Add("first_name", "Maya", "mobile_phone", "0470 12 34 56", "BE")
	f.Add("birthday", "2030-01-01", "language", "xx", "")
	f.Add("custom_l", "Gouda", "programme_opted_in", "on", "NL")
	f.Add("city", "a\x00b", "postal_code", "1017 cb", "XX")
	m := &Merchant{RequiredFields: StringList{"last_name"}, CustomFields: CustomFieldDefs{{Key: "l", Label: "Cheese", Type: CustomList, Options: []string{"Gouda"}}}}
	now := time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, k1, v1, k2, v2, country string) {
		u := &User{ID: "u", FirstName: "Maya", LastName: "Thompson", Country: "US", CustomFields: CustomValues{}}
		fields := GuestProfileFields(m)
		upd, err := ApplyProfile(m, u, fields, map[string]string{k1: v1, k2: v2, "country": country}, now)
		if err != nil {
			return
		}
		for _, ch := range upd.Changes {
			assertClean(t, ch.Field, ch.New, 0)
		}
		if u.FirstName != "Maya" || len(u.CustomFields) != 0 {
			t.Fatalf("ApplyProfile changed the user it was given")
		}
	})
}
