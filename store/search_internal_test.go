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
