package models_test

import (
	"testing"

	"myaccount/models"
)

// BenchmarkEditProfile is the guest's profile save in models: every field
// of the form read, cleaned and compared, one changed, as POST
// /account/profile does before the store.
//
//	go test ./models -run '^$' -bench BenchmarkEditProfile
func BenchmarkEditProfile(b *testing.B) {
	m, u := testMerchant(), testUser()
	fields := models.GuestProfileFields(m)
	input := map[string]string{}
	for _, f := range fields {
		input[f.Name] = f.Value(u)
	}
	cities := []string{"Savannah", "Athens"}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		input["city"] = cities[i%2]
		if _, err := models.EditProfile(models.ByUser(u), m, u, fields, input, profileNow); err != nil {
			b.Fatal(err)
		}
	}
}
