package models

import (
	"math"
	"testing"
)

// The meter gives each zxcvbn score a fifth of 0–100 and rises with the
// logarithm of the guesses within it.
func TestStrengthMeter(t *testing.T) {
	cases := []struct {
		score   int
		guesses float64
		want    int
	}{
		{0, 0, 0},
		{0, 1, 0},
		{0, math.Pow(10, 1.5), 10},
		{0, 1e3, 19},
		{1, 1e3 + 5, 20},
		{1, math.Pow(10, 4.5), 30},
		{1, 1e6, 39},
		{2, 1e6 + 5, 40},
		{2, 1e7, 50},
		{3, 1e8 + 5, 60},
		{3, 1e9, 70},
		{3, 1e10, 79},
		{4, 1e10 + 5, 80},
		{4, 1e12, 90},
		{4, 1e14, 100},
		{4, 1e30, 100},
		// Out of range, as zxcvbn never gives: kept within the score's fifth.
		{2, 1, 40},
		{1, 1e20, 39},
		{-1, 1e20, 19},
		{5, 1, 80},
	}
	for _, tc := range cases {
		if got := strengthMeter(tc.score, tc.guesses); got != tc.want {
			t.Errorf("strengthMeter(%d, %.3g): got %d, want %d", tc.score, tc.guesses, got, tc.want)
		}
	}
}
