package views

import (
	"context"
	"strconv"
	"strings"

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

// sectionOrder is the page's sections, in order.
var sectionOrder = []Section{
	{ID: "identity", Title: "Identity", Group: models.GroupIdentity},
	{ID: "access", Title: "Status and roles", Group: models.GroupAccess},
	{ID: "personal", Title: "Personal details", Group: models.GroupPersonal},
	{ID: "contact", Title: "Contact details", Group: models.GroupContact},
	{ID: "address", Title: "Address", Group: models.GroupAddress},
	{ID: "preferences", Title: "Preferences", Group: models.GroupPreferences},
	{ID: "work", Title: "Work", Group: models.GroupWork},
	{ID: "custom", Title: "Additional information", Group: models.GroupCustom},
}

// profileSections groups fields in page order, leaving out empty groups.
// Every page view calls this: fields that come in page order already (a
// merchant's field lists do) are cut into sections where they lie, and
// others share one slice.
func profileSections(fields []models.ProfileField) []Section {
	out := make([]Section, 0, len(sectionOrder))
	i := 0
	for _, s := range sectionOrder {
		start := i
		for i < len(fields) && fields[i].Group == s.Group {
			i++
		}
		if i > start {
			s.Fields = fields[start:i:i]
			out = append(out, s)
		}
	}
	if i == len(fields) {
		return out
	}
	grouped := make([]models.ProfileField, 0, len(fields))
	out = out[:0]
	for _, s := range sectionOrder {
		start := len(grouped)
		for _, f := range fields {
			if f.Group == s.Group {
				grouped = append(grouped, f)
			}
		}
		if len(grouped) > start {
			s.Fields = grouped[start:len(grouped):len(grouped)]
			out = append(out, s)
		}
	}
	return out
}

// displayValue is a stored value as the page's reader reads it.
func displayValue(ctx context.Context, f models.ProfileField, v string) string {
	return displayFor(readerLanguage(ctx), f, v)
}

// displayFor is a stored value as a reader of lang reads it.
func displayFor(lang string, f models.ProfileField, v string) string {
	if v == "" {
		return notProvided
	}
	return f.DisplayFor(lang, v)
}

var autocomplete = map[string]string{
	"name_prefix": "honorific-prefix", "first_name": "given-name", "middle_initial": "additional-name",
	"last_name": "family-name", "name_suffix": "honorific-suffix", "birthday": "bday", "gender": "sex", "email": "off",
	"mobile_phone": "tel", "phone": "tel", "fax": "fax tel", "address_line1": "address-line1",
	"address_line2": "address-line2", "address_line3": "address-line3", "city": "address-level2",
	"state": "address-level1", "postal_code": "postal-code", "country": "country", "language": "language",
}

// inputField is the components.Field for a profile field, with the
// input its kind asks for.
func inputField(f models.ProfileField, m *models.Merchant, value string, errs []string) (components.Field, models.InputSpec) {
	in := f.Input(value)
	c := components.Field{
		Name: f.Name, Label: f.Label, Hint: f.Hint, Value: value, Errors: errs,
		Required: f.IsRequired(m) || in.Required, Autocomplete: autocomplete[f.Name],
		Type: in.Type, Inputmode: in.Mode, Width: in.Width,
	}
	if in.Hint != "" {
		c.Hint = in.Hint
	}
	if in.MaxLength > 0 {
		c.Attrs = map[string]any{"maxlength": strconv.Itoa(in.MaxLength)}
	}
	return c, in
}

// fieldNames lists the form's field names in order, for the error summary.
func fieldNames(fields []models.ProfileField) []string {
	out := make([]string, len(fields))
	for i, f := range fields {
		out[i] = f.Name
	}
	return out
}

// orNever is a time that may not have happened yet, as people read it.
func orNever(s string) string {
	if s == "" {
		return "Never"
	}
	return s
}

func yesNo(b bool) string {
	if b {
		return "Yes"
	}
	return "No"
}

func rolesValue(u *models.User) string { return strings.Join(u.Roles, ",") }

// emailVerifiedText says whether u's address is proven theirs, and since
// when.
func emailVerifiedText(ctx context.Context, u *models.User) string {
	switch {
	case u.Email == "":
		return "No email address"
	case !u.EmailVerified:
		return "No"
	case u.EmailVerifiedAt != nil:
		return "Yes, since " + timeText(ctx, u.EmailVerifiedAt)
	}
	return "Yes"
}
