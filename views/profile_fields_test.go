package views

import (
	"slices"
	"testing"

	"myaccount/models"
)

// TestProfileSections: every field list, in page order or not, is grouped
// in page order with each group's fields in list order; a list in page
// order already is cut where it lies, not copied.
func TestProfileSections(t *testing.T) {
	custom := &models.Merchant{CustomFields: models.CustomFieldDefs{{Key: "shoe_size", Label: "Shoe size", Type: models.CustomNumber}}}
	plain := &models.Merchant{}
	lists := map[string][]models.ProfileField{
		"guest":             models.GuestProfileFields(plain),
		"guest with custom": models.GuestProfileFields(custom),
		"admin":             models.AdminProfileFields(plain),
		"admin with custom": models.AdminProfileFields(custom),
		"guest backwards":   reversed(models.GuestProfileFields(custom)),
		"one field":         models.GuestProfileFields(plain)[:1],
		"no fields":         nil,
	}
	for name, fields := range lists {
		got := profileSections(fields)
		var want [][]string
		for _, s := range sectionOrder {
			var names []string
			for _, f := range fields {
				if f.Group == s.Group {
					names = append(names, f.Name)
				}
			}
			if names != nil {
				want = append(want, names)
			}
		}
		if len(got) != len(want) {
			t.Fatalf("%s: %d sections, want %d", name, len(got), len(want))
		}
		for i, s := range got {
			var names []string
			for _, f := range s.Fields {
				names = append(names, f.Name)
				if f.Group != s.Group {
					t.Errorf("%s: %s in section %s", name, f.Name, s.ID)
				}
			}
			if !slices.Equal(names, want[i]) {
				t.Errorf("%s: section %s holds %v, want %v", name, s.ID, names, want[i])
			}
		}
	}
	fields := models.GuestProfileFields(custom)
	for _, s := range profileSections(fields) {
		if i := slices.IndexFunc(fields, func(f models.ProfileField) bool { return f.Name == s.Fields[0].Name }); &fields[i] != &s.Fields[0] {
			t.Errorf("section %s is a copy of the fields in page order", s.ID)
		}
	}
}

func reversed(fields []models.ProfileField) []models.ProfileField {
	out := slices.Clone(fields)
	slices.Reverse(out)
	return out
}
