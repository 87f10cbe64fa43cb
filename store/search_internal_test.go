package store

import "testing"

// A number is looked up by its last digits only when it is whole and
// they make three trigrams of their own.
func TestNumberTailed(t *testing.T) {
	for term, want := range map[string]bool{
		"10003738":         true,
		"14155550188":      true,
		"1000373":          false, // a part of a number: many users share it
		"11111111":         false, // one trigram
		"4111111111111111": false,
		"10012121":         false, // "121" twice
		"1000a738":         false,
		"١٠٠٠٣٧٣٨":         false, // digits, but not the ones the text stores
	} {
		if got := numberTailed(term); got != want {
			t.Errorf("numberTailed(%q) = %v, want %v", term, got, want)
		}
	}
}

// An email fragment is looked up by its local part and the start of its
// domain when more of the domain follows; a number as numberTailed says;
// anything else whole.
func TestLookupPart(t *testing.T) {
	for term, want := range map[string]string{
		"smith@hotm":   "smith@ho",
		"james.sm@gma": "james.sm@gm",
		"maria@hö.de":  "maria@hö",
		"g@yahoo.co":   "", // no trigram in the local part
		"j.s@gmail":    "",
		"smith@gm":     "", // no more of the domain than the head
		"@hotmail":     "", // no local part
		"a@b":          "",
		"10003738":     "03738",
		"1000373":      "",
		"thomp":        "",
	} {
		if got := lookupPart(term); got != want {
			t.Errorf("lookupPart(%q) = %q, want %q", term, got, want)
		}
	}
}
