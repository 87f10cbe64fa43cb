package views

import (
	"strconv"
	"strings"
	"time"

	"myaccount/models"
	"myaccount/views/components"
)

// Section is one group of profile fields as the account page and the
// profile form show them.
type Section struct {
	ID     string
	Title  string
	Group  string
	Fields []models.ProfileField
}

// profileSections groups fields in page order, leaving out empty groups.
func profileSections(fields []models.ProfileField) []Section {
	sections := []Section{
		{ID: "identity", Title: "Identity", Group: models.GroupIdentity},
		{ID: "access", Title: "Status and roles", Group: models.GroupAccess},
		{ID: "personal", Title: "Personal details", Group: models.GroupPersonal},
		{ID: "contact", Title: "Contact details", Group: models.GroupContact},
		{ID: "address", Title: "Address", Group: models.GroupAddress},
		{ID: "preferences", Title: "Preferences", Group: models.GroupPreferences},
		{ID: "work", Title: "Work", Group: models.GroupWork},
		{ID: "custom", Title: "Additional information", Group: models.GroupCustom},
	}
	var out []Section
	for _, s := range sections {
		for _, f := range fields {
			if f.Group == s.Group {
				s.Fields = append(s.Fields, f)
			}
		}
		if len(s.Fields) > 0 {
			out = append(out, s)
		}
	}
	return out
}

var genderOptions = []models.Option{{Value: "", Label: "Prefer not to say"}, {Value: models.GenderFemale, Label: "Female"}, {Value: models.GenderMale, Label: "Male"}}

// displayValue is a stored value as people read it.
func displayValue(f models.ProfileField, v string) string {
	if v == "" {
		return "Not provided"
	}
	switch f.Kind {
	case models.KindPhone:
		return models.FormatPhone(v)
	case models.KindCountry:
		return models.CountryName(v)
	case models.KindLanguage:
		return models.LanguageName(v) + " (" + v + ")"
	case models.KindGender:
		for _, o := range genderOptions {
			if o.Value == v {
				return o.Label
			}
		}
	case models.KindBool:
		if v == "true" {
			return "Yes"
		}
		return "No"
	case models.KindDateTime:
		if t, err := time.Parse(models.DateTimeLayout, v); err == nil {
			return t.Format("2006-01-02 15:04")
		}
	case models.KindStatus:
		return optionLabel(models.Statuses, v)
	case models.KindRoles:
		labels := []string{}
		for _, r := range strings.Split(v, ",") {
			labels = append(labels, optionLabel(models.Roles, r))
		}
		return strings.Join(labels, ", ")
	}
	return v
}

func optionLabel(opts []models.Option, v string) string {
	for _, o := range opts {
		if o.Value == v {
			return o.Label
		}
	}
	return v
}

// formValue is a stored value as the form's input shows it: phones in
// the international format people recognise.
func formValue(f models.ProfileField, v string) string {
	if f.Kind == models.KindPhone {
		return models.FormatPhone(v)
	}
	return v
}

var autocomplete = map[string]string{
	"name_prefix": "honorific-prefix", "first_name": "given-name", "middle_initial": "additional-name",
	"last_name": "family-name", "name_suffix": "honorific-suffix", "birthday": "bday", "gender": "sex",
	"mobile": "tel", "phone": "tel", "fax": "fax tel", "address_line1": "address-line1",
	"address_line2": "address-line2", "address_line3": "address-line3", "city": "address-level2",
	"state": "address-level1", "postal_code": "postal-code", "country": "country", "language": "language",
}

// inputField is the components.Field for a profile field.
func inputField(f models.ProfileField, m *models.Merchant, value string, errs []string) components.Field {
	c := components.Field{
		Name: f.Name, Label: f.Label, Hint: f.Hint, Value: value, Errors: errs,
		Required: f.IsRequired(m), Autocomplete: autocomplete[f.Name],
	}
	switch f.Kind {
	case models.KindPhone:
		c.Type = "tel"
		c.Hint = "Include the country code, like +1 415 555 0132, if it is not in your country"
	case models.KindBirthday, models.KindDate:
		c.Type = "date"
	case models.KindDateTime:
		c.Type = "datetime-local"
	case models.KindNumber:
		c.Inputmode = "decimal"
	case models.KindEmail:
		c.Type = "email"
		c.Autocomplete = "off"
	case models.KindStatus, models.KindRoles:
		c.Required = true
	}
	if f.Max > 0 && (f.Kind == models.KindText || f.Kind == models.KindName || f.Kind == models.KindPostalCode) {
		c.Attrs = map[string]any{"maxlength": strconv.Itoa(f.Max)}
	}
	return c
}

func listOptions(values []string) []models.Option {
	out := make([]models.Option, len(values))
	for i, v := range values {
		out[i] = models.Option{Value: v, Label: v}
	}
	return out
}

// fieldNames lists the form's field names in order, for the error summary.
func fieldNames(fields []models.ProfileField) []string {
	out := make([]string, len(fields))
	for i, f := range fields {
		out[i] = f.Name
	}
	return out
}

func timeText(t *time.Time) string {
	if t == nil {
		return ""
	}
	return t.UTC().Format("2 January 2006, 15:04 UTC")
}

func yesNo(b bool) string {
	if b {
		return "Yes"
	}
	return "No"
}

func rolesValue(u *models.User) string { return strings.Join(u.Roles, ",") }
