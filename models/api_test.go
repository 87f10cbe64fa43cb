package models

import (
	"errors"
	"testing"
	"time"
)

// apiMerchant has two custom fields, as the demo's Harbor Coffee does.
func apiMerchant() *Merchant {
	return &Merchant{
		ID: "m-harbor", Code: "harbor", Name: "Harbor Coffee", PasswordPolicy: VELAPolicy, MaxFailedLogins: 5,
		CustomFields: CustomFieldDefs{
			{Key: "favourite_drink", Label: "Favourite drink", Type: CustomList, Options: []string{"Espresso", "Latte", "Tea"}},
			{Key: "first_visit", Label: "First visit", Type: CustomDate},
		},
	}
}

// A key may read a merchant admin but never change them, however the
// change is made; a user may, as their own rules say.
func TestCheckKeyEdit(t *testing.T) {
	m := apiMerchant()
	key := Actor{Key: &APIKey{ID: "k1", Name: "Till"}}
	admin := &User{ID: "u-admin", Roles: StringList{RoleMerchantAdmin}, Status: StatusActive, Email: "admin@example.com"}
	both := &User{ID: "u-both", Roles: StringList{RoleCustomer, RoleMerchantAdmin}, Status: StatusActive}
	guest := &User{ID: "u-guest", Roles: StringList{RoleCustomer}, Status: StatusActive}
	for _, u := range []*User{admin, both} {
		if err := CheckKeyEdit(key, u); !errors.Is(err, ErrAdminRecord) || !errors.Is(err, ErrForbidden) {
			t.Errorf("a key on %s: got %v, want ErrAdminRecord, a kind of ErrForbidden", u.ID, err)
		}
		if _, err := EditProfile(key, m, u, AdminProfileFields(m), map[string]string{"email": "attacker@example.net"}, time.Now()); !errors.Is(err, ErrAdminRecord) {
			t.Errorf("EditProfile by a key on %s: got %v, want ErrAdminRecord", u.ID, err)
		}
	}
	if err := CheckKeyEdit(key, guest); err != nil {
		t.Errorf("a key on a guest: got %v", err)
	}
	if err := CheckKeyEdit(ByUser(both), admin); err != nil {
		t.Errorf("an admin on an admin: got %v", err)
	}
}
