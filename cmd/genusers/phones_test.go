package main

import (
	"math/rand/v2"
	"testing"

	"myaccount/models"
)

// Every phone number the generator makes passes the application's phone
// rule as it stands, so a generated user can save their profile form as
// it comes back (a number the rule refuses makes every save a 422).
func TestGeneratedPhonesPass(t *testing.T) {
	g := &generator{rng: rand.New(rand.NewPCG(1, 2)), phones: map[string]bool{}}
	for _, reg := range regions {
		for range 200 {
			for _, gen := range []func(*rand.Rand, func(int) string) string{reg.mobile, reg.phone} {
				s := g.unique(gen)
				if e164, _, err := models.CleanPhone("Phone", s, ""); err != nil || e164 != s {
					t.Fatalf("%s: %s is refused: %v", reg.country, s, err)
				}
			}
		}
	}
}
