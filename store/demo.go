package store

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"gorm.io/gorm"

	"myaccount/models"
)

// DemoAccount is a demo sign-in printed at start-up.
type DemoAccount struct {
	Username, Password, Role, Merchant string
}

// Demo passwords; they are for the demo data only and printed in the log
// on purpose so people can sign in.
const (
	DemoGuestPassword = "Guest#2026"
	DemoAdminPassword = "Admin#2026"
)

// DemoAPIKeyName names Sandpiper Bay's demo API key.
const DemoAPIKeyName = "Demo integration"

// SeedDemo fills an empty database with the demo merchants and users, and
// an API key for Sandpiper Bay, which it returns: it is stored hashed, as
// every key is, so this is the only time it can be told. It does nothing
// when the demo merchant already exists.
func SeedDemo(ctx context.Context, db *gorm.DB, hasher PasswordHasher) (accounts []DemoAccount, apiKey string, err error) {
	var n int64
	if err := db.WithContext(ctx).Model(&models.Merchant{}).Where("code = ?", "sandpiper").Count(&n).Error; err != nil {
		return nil, "", err
	}
	if n > 0 {
		return nil, "", nil
	}
	guestHash, err := hasher.Hash(ctx, DemoGuestPassword)
	if err != nil {
		return nil, "", err
	}
	adminHash, err := hasher.Hash(ctx, DemoAdminPassword)
	if err != nil {
		return nil, "", err
	}
	now := time.Now().UTC()
	sandpiper, harbor := demoMerchants(now)
	guest := demoGuest(sandpiper, guestHash, now)
	admin := demoAdmin(sandpiper, adminHash, now)
	users := []models.User{guest, admin}
	rng := rand.New(rand.NewPCG(2026, 11))
	users = append(users, demoGuests(rng, sandpiper, 230, guestHash, now)...)
	users = append(users, demoGuests(rng, harbor, 12, guestHash, now)...)
	apiKey, err = insertDemo(ctx, db, sandpiper, harbor, users, &admin, now)
	if errors.Is(err, errDemoSeeded) {
		return nil, "", nil
	}
	if err != nil {
		return nil, "", fmt.Errorf("demo data: %w", err)
	}
	return []DemoAccount{
		{"demo.guest", DemoGuestPassword, "guest", sandpiper.Name},
		{"demo.admin", DemoAdminPassword, "merchant admin", sandpiper.Name},
		{users[len(users)-1].Username, DemoGuestPassword, "guest", harbor.Name},
	}, apiKey, nil
}

// demoMerchants are Sandpiper Bay, which asks for unique email addresses
// and mobiles, and Harbor Coffee, which has custom fields.
func demoMerchants(now time.Time) (sandpiper, harbor *models.Merchant) {
	sandpiper = &models.Merchant{
		ID: NewID(), Code: "sandpiper", Name: "Sandpiper Bay", PasswordPolicy: models.VELAPolicy,
		MaxFailedLogins: 5, Lockout: models.DefaultLockout, UniqueEmail: true, UniqueMobile: true, RequiredFields: models.StringList{"first_name", "last_name"},
		CreatedAt: now, UpdatedAt: now, Version: 1,
	}
	harbor = &models.Merchant{
		ID: NewID(), Code: "harbor", Name: "Harbor Coffee", PasswordPolicy: models.VELAPolicy,
		MaxFailedLogins: 5, Lockout: models.DefaultLockout, RequiredFields: models.StringList{"birthday"},
		CustomFields: models.CustomFieldDefs{
			{Key: "favourite_drink", Label: "Favourite drink", Type: models.CustomList, Options: []string{"Espresso", "Flat white", "Latte", "Tea"}},
			{Key: "first_visit", Label: "First visit", Type: models.CustomDate},
		},
		CreatedAt: now, UpdatedAt: now, Version: 1,
	}
	return sandpiper, harbor
}

// demoGuest is Sandpiper Bay's demo guest, with every profile field filled.
func demoGuest(sandpiper *models.Merchant, hash string, now time.Time) models.User {
	birthday := time.Date(1986, 1, 30, 0, 0, 0, 0, time.UTC)
	joined := now.AddDate(-2, 0, 0)
	return models.User{
		ID: NewID(), MerchantID: sandpiper.ID, Username: "demo.guest", Email: "demo.guest@example.com",
		MemberNumber: "1000000001", CardNumber: "6000301001234321", ExternalID: "web-1001", ReferralCode: "MAYA-2026",
		NamePrefix: "Ms", FirstName: "Maya", MiddleInitial: "J", LastName: "Thompson",
		Phone: "+14155550132", PhoneCountry: "US", Mobile: "+14155550188", MobileCountry: "US",
		Country: "US", AddressLine1: "12000 Findley Road", AddressLine2: "Suite 200", City: "Johns Creek", State: "GA", PostalCode: "30097",
		Language: "en-US", Gender: models.GenderFemale, Birthday: &birthday,
		MailingListOffered: true, MailingListSubscribed: true, ProgrammeOptedIn: true, ProgrammeJoinedAt: &joined,
		TermsAccepted: true, PrivacyAccepted: true,
		LoyaltyStatus: "Enrolled", LoyaltyTier: "Gold", PointsBalance: 2480, HomeStore: "Sandpiper Bay Harbourfront",
		PasswordHash: hash, Status: models.StatusActive, Roles: models.StringList{models.RoleCustomer},
		EmailVerified: true, EmailVerifiedAt: &now, PasswordChangedAt: &now, CreatedAt: now, UpdatedAt: now, Version: 1,
	}
}

// demoAdmin is Sandpiper Bay's demo merchant admin.
func demoAdmin(sandpiper *models.Merchant, hash string, now time.Time) models.User {
	return models.User{
		ID: NewID(), MerchantID: sandpiper.ID, Username: "demo.admin", Email: "demo.admin@example.com",
		MemberNumber: "1000000002", FirstName: "Sam", LastName: "Okafor", Country: "US", Language: "en-US",
		Organization: "Sandpiper Bay", JobTitle: "Guest services manager", Department: "Guest services",
		PasswordHash: hash, Status: models.StatusActive, Roles: models.StringList{models.RoleMerchantAdmin},
		EmailVerified: true, EmailVerifiedAt: &now, PasswordChangedAt: &now, CreatedAt: now, UpdatedAt: now, Version: 1,
	}
}

// errDemoSeeded is another instance having seeded the demo meanwhile.
var errDemoSeeded = errors.New("seeded meanwhile")

// insertDemo writes the merchants and users in one transaction, with
// Sandpiper Bay's API key, created by admin, which it returns.
func insertDemo(ctx context.Context, db *gorm.DB, sandpiper, harbor *models.Merchant, users []models.User, admin *models.User, now time.Time) (apiKey string, err error) {
	err = db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		// Instances starting at once with --demo seed once: the first
		// holds the lock, the next finds the demo merchant there.
		if tx.Dialector.Name() == "postgres" {
			if err := tx.Exec("SELECT pg_advisory_xact_lock(hashtextextended('myaccount:demo', 0))").Error; err != nil {
				return err
			}
			var n int64
			if err := tx.Model(&models.Merchant{}).Where("code = ?", "sandpiper").Count(&n).Error; err != nil {
				return err
			}
			if n > 0 {
				return errDemoSeeded
			}
		}
		if err := tx.Create([]*models.Merchant{sandpiper, harbor}).Error; err != nil {
			return err
		}
		if err := tx.CreateInBatches(users, 100).Error; err != nil {
			return err
		}
		apiKey, _, err = insertKey(tx, admin, sandpiper, DemoAPIKeyName, now)
		return err
	})
	return apiKey, err
}

var (
	demoFirst = []string{"Olivia", "Liam", "Emma", "Noah", "Sofia", "Lucas", "Amara", "Mateo", "Chloé", "Yusuf", "Hana", "Tomás", "Ingrid", "Kofi", "Mei", "Arjun", "Zoë", "Finn", "Leila", "Oskar", "Nadia", "Ravi", "Elif", "Jonas"}
	demoLast  = []string{"Smith", "García", "Nguyen", "O'Brien", "Kowalski", "Janssen", "Müller", "Rossi", "Haddad", "Tanaka", "Okafor", "Silva", "Dubois", "Andersen", "Khan", "Peeters", "Moreau", "Novak", "Lindqvist", "Costa"}
	demoCity  = []struct{ city, state, code string }{{"Johns Creek", "GA", "30097"}, {"Portland", "OR", "97205"}, {"Austin", "TX", "78701"}, {"Boston", "MA", "02108"}, {"Miami", "FL", "33131"}, {"Denver", "CO", "80202"}}
	demoArea  = []string{"201", "212", "305", "312", "415", "503", "617", "702", "808", "919"}
	demoTiers = []string{"Bronze", "Silver", "Gold", "Platinum"}
)

// demoGuests makes n varied guests of m, all with the demo guest password.
func demoGuests(rng *rand.Rand, m *models.Merchant, n int, hash string, now time.Time) []models.User {
	out := make([]models.User, 0, n)
	for i := range n {
		first, last := demoFirst[rng.IntN(len(demoFirst))], demoLast[rng.IntN(len(demoLast))]
		place := demoCity[rng.IntN(len(demoCity))]
		status := models.StatusActive
		switch {
		case i%11 == 5:
			status = models.StatusLocked
		case i%13 == 7:
			status = models.StatusInactive
		}
		bday := time.Date(1950+rng.IntN(55), time.Month(1+rng.IntN(12)), 1+rng.IntN(28), 0, 0, 0, 0, time.UTC)
		u := models.User{
			ID: NewID(), MerchantID: m.ID,
			Username:     fmt.Sprintf("%s.%s%d", m.Code, asciiName(first), i+1),
			Email:        fmt.Sprintf("%s.%s%d@example.com", asciiName(first), asciiName(last), i+1),
			MemberNumber: fmt.Sprintf("%d%09d", 2+len(m.Code)%7, 1000+i),
			CardNumber:   fmt.Sprintf("60003%011d", rng.Int64N(1e11)),
			FirstName:    first, LastName: last, Country: "US", City: place.city, State: place.state, PostalCode: place.code,
			AddressLine1: fmt.Sprintf("%d %s Street", 1+rng.IntN(9000), demoLast[rng.IntN(len(demoLast))]),
			Language:     []string{"en-US", "es-US", "nl-BE", "fr-CA"}[rng.IntN(4)],
			Gender:       []string{"", models.GenderFemale, models.GenderMale}[rng.IntN(3)], Birthday: &bday,
			LoyaltyStatus: "Enrolled", LoyaltyTier: demoTiers[rng.IntN(len(demoTiers))], PointsBalance: rng.Int64N(20000),
			PasswordHash: hash, Status: status, Roles: models.StringList{models.RoleCustomer},
			CreatedAt: now, UpdatedAt: now, Version: 1,
		}
		// Most addresses were confirmed; one in five was not.
		if i%5 != 2 {
			u.EmailVerified, u.EmailVerifiedAt = true, &now
		}
		switch {
		case i%7 == 3:
			u.Mobile, u.MobileCountry, u.Country, u.Language = fmt.Sprintf("+32470%06d", i), "BE", "BE", "nl-BE"
		case rng.IntN(4) > 0:
			u.Mobile = fmt.Sprintf("+1%s55501%02d", demoArea[(i/100)%len(demoArea)], i%100)
			u.MobileCountry = "US"
		}
		if status == models.StatusLocked {
			locked := now.Add(-time.Duration(rng.IntN(72)) * time.Hour)
			u.LockedAt, u.FailedLoginCount = &locked, m.MaxFailedLogins
		}
		out = append(out, u)
	}
	return out
}

// asciiName makes a name usable in a username or email address.
func asciiName(s string) string {
	r := []rune{}
	for _, c := range s {
		switch {
		case c >= 'A' && c <= 'Z':
			r = append(r, c+'a'-'A')
		case c >= 'a' && c <= 'z':
			r = append(r, c)
		case c == 'é', c == 'ë':
			r = append(r, 'e')
		case c == 'á':
			r = append(r, 'a')
		case c == 'ü':
			r = append(r, 'u')
		}
	}
	return string(r)
}
