package views_test

import (
	"context"
	"io"
	"testing"
	"time"

	"myaccount/models"
	"myaccount/views"
	"myaccount/views/layout"
)

// BenchmarkAccountPage renders GET /account's page for a guest with a
// full profile, as the handler does after loading the session.
//
//	go test ./views -run '^$' -bench BenchmarkAccountPage
func BenchmarkAccountPage(b *testing.B) {
	m := &models.Merchant{ID: "m", Code: "sandpiper", Name: "Sandpiper Bay", PasswordPolicy: models.VELAPolicy,
		CustomFields: models.CustomFieldDefs{{Key: "shoe_size", Label: "Shoe size", Type: models.CustomNumber}}}
	birthday := time.Date(1986, time.January, 30, 0, 0, 0, 0, time.UTC)
	now := time.Now().UTC()
	u := &models.User{
		ID: "u", MerchantID: "m", Username: "demo.guest", Email: "demo.guest@example.com", EmailVerified: true,
		FirstName: "Maya", LastName: "Thompson", Mobile: "+14155550188", MobileCountry: "US", Phone: "+14155550132",
		Country: "US", AddressLine1: "12000 Findley Road", City: "Johns Creek", State: "GA", PostalCode: "30097",
		Language: "en-US", Gender: models.GenderFemale, Birthday: &birthday, MailingListSubscribed: true,
		LoyaltyStatus: "Enrolled", LoyaltyTier: "Gold", PointsBalance: 2480, PasswordChangedAt: &now, LastLoginAt: &now,
		CustomFields: models.CustomValues{"shoe_size": "38"},
	}
	p := layout.Page{Title: "Your account", Nav: "account", User: u, CSRF: "token"}
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if err := views.AccountPage(p, m, u).Render(ctx, io.Discard); err != nil {
			b.Fatal(err)
		}
	}
}
