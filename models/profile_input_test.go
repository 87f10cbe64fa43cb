package models_test

import (
	"errors"
	"testing"
	"time"

	"myaccount/models"
)

// A profile form is the edit it carries only when it says which version
// of the record it was made from.
func TestProfileInputValidate(t *testing.T) {
	m := &models.Merchant{}
	u := &models.User{ID: "u", Version: 3, FirstName: "Maya", LastName: "Brown", Status: models.StatusActive}
	fields := models.GuestProfileFields(m)
	for _, version := range []string{"", "0", "-1", "three", "99999999999999999999"} {
		in := models.ProfileInput{Fields: fields, Values: map[string]string{"city": "Savannah"}, Version: version}
		if _, err := in.Validate(models.ByUser(u), m, u, time.Now()); !errors.Is(err, models.ErrNoVersion) {
			t.Errorf("version %q: got %v, want ErrNoVersion", version, err)
		}
	}
	in := models.ProfileInput{Fields: fields, Values: map[string]string{"city": "Savannah"}, Version: "3"}
	upd, err := in.Validate(models.ByUser(u), m, u, time.Now())
	if err != nil || upd.User.City != "Savannah" {
		t.Errorf("version 3: got %v, city %q", err, upd.User.City)
	}
	in.Values = map[string]string{"mobile_phone": "12"}
	var invalid models.FieldErrors
	if _, err := in.Validate(models.ByUser(u), m, u, time.Now()); !errors.As(err, &invalid) || !invalid.Has("mobile_phone") {
		t.Errorf("a bad phone: got %v, want a field error", err)
	}
}
