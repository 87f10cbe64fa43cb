package models_test

import (
	"testing"

	"myaccount/models"
)

// An admin cannot lock, deactivate or demote themselves; anyone else can
// be.
func TestCheckSelfEdit(t *testing.T) {
	admin := &models.User{ID: "a", Status: models.StatusActive, Roles: models.StringList{models.RoleMerchantAdmin}}
	locked, demoted := *admin, *admin
	locked.Status, demoted.Roles = models.StatusLocked, models.StringList{models.RoleCustomer}
	if got := models.CheckSelfEdit(admin, admin, &locked); !got.Has("status") {
		t.Errorf("locking oneself: got %v", got)
	}
	if got := models.CheckSelfEdit(admin, admin, &demoted); !got.Has("roles") {
		t.Errorf("demoting oneself: got %v", got)
	}
	other := &models.User{ID: "b"}
	if got := models.CheckSelfEdit(other, admin, &locked); len(got) != 0 {
		t.Errorf("another admin locking: got %v", got)
	}
	if models.CheckAccountAction(admin, admin) != models.ErrSelf || models.CheckAccountAction(other, admin) != nil {
		t.Errorf("CheckAccountAction: wrong answer")
	}
}
