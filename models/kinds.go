package models

import (
	"net/url"
	"slices"
	"strings"
	"time"
)

// Input names the control that edits a field.
type Input int

// The controls.
const (
	// InputText is an <input> of InputSpec.Type: text, tel, email, date,
	// datetime-local.
	InputText Input = iota
	InputSelect
	InputRadio
	InputCheckbox
	InputCheckboxes
)

// InputSpec is how a field is edited: the control, its type and
// input mode, its options, and the longest value it takes.
type InputSpec struct {
	Input       Input
	Type        string
	Mode        string // inputmode
	Options     []Option
	Placeholder string // the empty choice of a select
	MaxLength   int    // 0: the input sets none
	Hint        string // replaces the field's own hint when set
	// Required marks a control that always needs a choice (status, roles).
	Required bool
	// Width is how many characters the input is sized for (views round it
	// up to their scale); 0 fills the column, WidthAuto makes a select as
	// wide as its longest option.
	Width int
}

// WidthAuto sizes a select to its longest option, so none is cut off.
const WidthAuto = -1

// maxInputWidth is the widest an input is sized for: longer values scroll
// inside it, as an address line does.
const maxInputWidth = 30

// inputWidth is the width f's input is sized for: its own, or what its
// kind holds, or its longest value up to maxInputWidth.
func (f ProfileField) inputWidth(in InputSpec) int {
	switch {
	case f.Width != 0:
		return f.Width
	case in.Input == InputSelect:
		return WidthAuto
	case in.Type == "date" || in.Type == "number" || in.Mode == "decimal":
		return 10
	case in.Type == "datetime-local":
		return 20
	case in.Type == "tel":
		return 20
	case f.Max > 0:
		return min(f.Max, maxInputWidth)
	}
	return maxInputWidth
}

// formRead says how a field's value is read from a submitted form.
type formRead int

const (
	// readValue: the value, when the form sends the name.
	readValue formRead = iota
	// readCheckbox: the last value, when the form showed the box: the
	// Checkbox component sends a hidden "false" before it, so a box left
	// unticked still sends its name, and one the form did not show does
	// not (see views/components).
	readCheckbox
	// readCheckboxes: the ticked values, joined by commas, when the form
	// showed the group (its hidden "" marker).
	readCheckboxes
)

// cleaned is a value a field rule accepted, with the region of a phone
// number (parsed once, for the _country column).
type cleaned struct {
	value  string
	region string
}

// cleanInput is what a rule may need besides the field and what was typed.
type cleanInput struct {
	// region is the country a national phone number belongs to.
	region string
	now    time.Time
}

// kindSpec is everything a field kind decides, in one place: how a value
// is cleaned, shown to people, shown in its input, which input edits it
// and how it is read from a form.
type kindSpec struct {
	clean func(f ProfileField, raw string, in cleanInput) (cleaned, error)
	// display is a stored value as people read it, for a reader of the
	// language lang (a BCP 47 tag, "" for the default); nil shows it as
	// stored.
	display func(f ProfileField, v, lang string) string
	// formValue is a stored value as its input shows it; nil: as stored.
	formValue func(v string) string
	input     func(f ProfileField, current string) InputSpec
	read      formRead
	// choose: a required field left empty is "Select your …", not
	// "Enter your …".
	choose bool
	// region: the value is the country national phone numbers of the same
	// input are read in, so it is cleaned first.
	region bool
}

func value(s string, err error) (cleaned, error) { return cleaned{value: s}, err }

func textInput(typ string) func(ProfileField, string) InputSpec {
	return func(f ProfileField, _ string) InputSpec {
		return InputSpec{Input: InputText, Type: typ, MaxLength: f.Max}
	}
}

func plainInput(typ, mode string) func(ProfileField, string) InputSpec {
	return func(ProfileField, string) InputSpec { return InputSpec{Input: InputText, Type: typ, Mode: mode} }
}

func selectInput(placeholder string, options func(f ProfileField, current string) []Option) func(ProfileField, string) InputSpec {
	return func(f ProfileField, current string) InputSpec {
		return InputSpec{Input: InputSelect, Options: options(f, current), Placeholder: placeholder}
	}
}

// HasOption reports whether v is the value of one of opts.
func HasOption(opts []Option, v string) bool {
	return slices.ContainsFunc(opts, func(o Option) bool { return o.Value == v })
}

// OptionLabel is the label of the option whose value is v, or v.
func OptionLabel(opts []Option, v string) string {
	for _, o := range opts {
		if o.Value == v {
			return o.Label
		}
	}
	return v
}

// GenderOptions are the choices of the gender field.
var GenderOptions = []Option{{Value: "", Label: "Prefer not to say"}, {Value: GenderFemale, Label: "Female"}, {Value: GenderMale, Label: "Male"}}

// kinds is the one table of field kinds.
var kinds = map[FieldKind]kindSpec{
	KindText: {
		clean: func(f ProfileField, raw string, _ cleanInput) (cleaned, error) {
			return value(CleanText(f.Label, raw, f.Max))
		},
		input: textInput("text"),
	},
	KindName: {
		clean: func(f ProfileField, raw string, _ cleanInput) (cleaned, error) {
			return value(CleanName(f.Label, raw, f.Max))
		},
		input: textInput("text"),
	},
	KindInitial: {
		clean: func(f ProfileField, raw string, _ cleanInput) (cleaned, error) {
			return value(CleanInitial(f.Label, raw))
		},
		input: plainInput("text", ""),
	},
	KindPostalCode: {
		clean: func(f ProfileField, raw string, _ cleanInput) (cleaned, error) {
			return value(CleanPostalCode(f.Label, raw))
		},
		input: textInput("text"),
	},
	KindPhone: {
		clean: func(f ProfileField, raw string, in cleanInput) (cleaned, error) {
			v, region, err := CleanPhone(f.Label, raw, in.region)
			return cleaned{value: v, region: region}, err
		},
		display:   func(_ ProfileField, v, _ string) string { return FormatPhone(v) },
		formValue: FormatPhone,
		input: func(ProfileField, string) InputSpec {
			return InputSpec{Input: InputText, Type: "tel", Hint: "Include the country code, like +1 415 555 0132, if it is not in your country"}
		},
	},
	KindCountry: {
		clean: func(f ProfileField, raw string, _ cleanInput) (cleaned, error) {
			return value(CleanCountry(f.Label, raw))
		},
		display: func(_ ProfileField, v, _ string) string { return CountryName(v) },
		input:   selectInput("Select a country", func(ProfileField, string) []Option { return Countries() }),
		choose:  true,
		region:  true,
	},
	KindLanguage: {
		clean: func(f ProfileField, raw string, _ cleanInput) (cleaned, error) {
			return value(CleanLanguage(f.Label, raw))
		},
		display: func(_ ProfileField, v, _ string) string { return LanguageName(v) + " (" + v + ")" },
		input:   selectInput("Select a language", func(_ ProfileField, current string) []Option { return Languages(current) }),
		choose:  true,
	},
	KindGender: {
		clean: func(f ProfileField, raw string, _ cleanInput) (cleaned, error) {
			return value(CleanGender(f.Label, raw))
		},
		display: func(_ ProfileField, v, _ string) string { return OptionLabel(GenderOptions, v) },
		input:   func(ProfileField, string) InputSpec { return InputSpec{Input: InputRadio, Options: GenderOptions} },
		choose:  true,
	},
	KindBirthday: {
		clean: func(f ProfileField, raw string, in cleanInput) (cleaned, error) {
			return value(CleanBirthday(f.Label, raw, in.now))
		},
		display: displayDate,
		input:   plainInput("date", ""),
	},
	KindBool: {
		clean: func(f ProfileField, raw string, _ cleanInput) (cleaned, error) { return value(CleanBool(f.Label, raw)) },
		display: func(_ ProfileField, v, _ string) string {
			if v == "true" {
				return "Yes"
			}
			return "No"
		},
		input: func(ProfileField, string) InputSpec { return InputSpec{Input: InputCheckbox} },
		read:  readCheckbox,
	},
	KindNumber: {
		clean: func(f ProfileField, raw string, _ cleanInput) (cleaned, error) {
			return value(cleanNumber(f.Label, raw))
		},
		input: plainInput("text", "decimal"),
	},
	KindDate: {
		clean:   func(f ProfileField, raw string, _ cleanInput) (cleaned, error) { return value(CleanDate(f.Label, raw)) },
		display: displayDate,
		input:   plainInput("date", ""),
	},
	KindDateTime: {
		clean: func(f ProfileField, raw string, _ cleanInput) (cleaned, error) {
			return value(cleanDateTime(f.Label, raw))
		},
		display: func(_ ProfileField, v, lang string) string {
			if t, err := time.Parse(DateTimeLayout, v); err == nil {
				return t.Format(DateTimeLayoutFor(lang))
			}
			return v
		},
		input: plainInput("datetime-local", ""),
	},
	KindList: {
		clean: func(f ProfileField, raw string, _ cleanInput) (cleaned, error) {
			return value(cleanChoice(f.Label, raw, f.Options))
		},
		input: selectInput("Select an option", func(f ProfileField, _ string) []Option {
			out := make([]Option, len(f.Options))
			for i, v := range f.Options {
				out[i] = Option{Value: v, Label: v}
			}
			return out
		}),
		choose: true,
	},
	KindEmail: {
		clean: func(f ProfileField, raw string, _ cleanInput) (cleaned, error) {
			return value(CleanEmail(f.Label, raw))
		},
		input: plainInput("email", ""),
	},
	KindCode: {
		clean: func(f ProfileField, raw string, _ cleanInput) (cleaned, error) {
			return value(CleanCode(f.Label, raw, f.Max))
		},
		input: plainInput("text", ""),
	},
	KindStatus: {
		clean: func(f ProfileField, raw string, _ cleanInput) (cleaned, error) {
			return value(cleanStatus(f.Label, raw))
		},
		display: func(_ ProfileField, v, _ string) string { return OptionLabel(Statuses, v) },
		input: func(f ProfileField, current string) InputSpec {
			in := selectInput("Select a status", func(ProfileField, string) []Option { return Statuses })(f, current)
			in.Required = true
			return in
		},
		choose: true,
	},
	KindRoles: {
		clean: func(f ProfileField, raw string, _ cleanInput) (cleaned, error) {
			return value(cleanRoles(f.Label, raw))
		},
		display: func(_ ProfileField, v, _ string) string {
			labels := []string{}
			for _, r := range strings.Split(v, ",") {
				labels = append(labels, OptionLabel(Roles, r))
			}
			return strings.Join(labels, ", ")
		},
		input: func(ProfileField, string) InputSpec {
			return InputSpec{Input: InputCheckboxes, Options: Roles, Required: true}
		},
		read: readCheckboxes,
	},
}

func (f ProfileField) spec() kindSpec { return kinds[f.Kind] }

// Clean checks raw against the field's rule and returns the value to
// store, or an Invalid naming the field. region is the country a national
// phone number belongs to.
func (f ProfileField) Clean(raw, region string, now time.Time) (string, error) {
	c, err := f.spec().clean(f, raw, cleanInput{region: region, now: now})
	return c.value, err
}

// cleanFor is Clean with m's rule that a required field is not left
// empty.
func (f ProfileField) cleanFor(m *Merchant, raw string, in cleanInput) (cleaned, error) {
	c, err := f.spec().clean(f, raw, in)
	if err != nil || c.value != "" || !f.IsRequired(m) {
		return c, err
	}
	if f.spec().choose {
		return c, Invalid("Select your " + strings.ToLower(f.Label))
	}
	return c, Invalid("Enter your " + strings.ToLower(f.Label))
}

// DisplayFor is a stored value as a reader of the language lang (a BCP 47
// tag, "" for the default) reads it: days and moments in the order of
// their language; "" stays "".
func (f ProfileField) DisplayFor(lang, v string) string {
	if d := f.spec().display; d != nil && v != "" {
		return d(f, v, lang)
	}
	return v
}

// DateLayoutFor is how every page writes a day for a reader of lang: the
// month in words, so day and month are never in doubt, in the order the
// reader's language puts them: "January 30, 1986" in American English,
// "30 January 1986" elsewhere.
func DateLayoutFor(lang string) string {
	if strings.EqualFold(lang, "en-US") {
		return "January 2, 2006"
	}
	return "2 January 2006"
}

// DateTimeLayoutFor is a moment to the minute, as DateLayoutFor writes its
// day: "30 January 1986, 15:04".
func DateTimeLayoutFor(lang string) string { return DateLayoutFor(lang) + ", 15:04" }

// displayDate writes a stored YYYY-MM-DD day as DateLayoutFor says.
func displayDate(_ ProfileField, v, lang string) string {
	if t, err := time.Parse(DateLayout, v); err == nil {
		return t.Format(DateLayoutFor(lang))
	}
	return v
}

// FormValue is a stored value as the field's input shows it.
func (f ProfileField) FormValue(v string) string {
	if fv := f.spec().formValue; fv != nil {
		return fv(v)
	}
	return v
}

// Input is how the field is edited, with current its value now.
func (f ProfileField) Input(current string) InputSpec {
	in := f.spec().input(f, current)
	if in.Width == 0 {
		in.Width = f.inputWidth(in)
	}
	return in
}

// ReadForm is the field's raw value in a submitted form, and whether the
// form holds one: a field the form did not send (or did not show, for
// checkboxes) is left alone.
func (f ProfileField) ReadForm(form url.Values) (string, bool) {
	vals, ok := form[f.Name]
	if !ok || len(vals) == 0 {
		return "", false
	}
	switch f.spec().read {
	case readCheckbox:
		return vals[len(vals)-1], true
	case readCheckboxes:
		return strings.Join(slices.DeleteFunc(slices.Clone(vals), func(v string) bool { return v == "" }), ","), true
	}
	return vals[0], true
}

// formTicked is whether the checkbox name was sent ticked; one the form
// did not show (no hidden "false" before it) keeps current.
func formTicked(form url.Values, name string, current bool) bool {
	f := ProfileField{Name: name, Kind: KindBool}
	raw, shown := f.ReadForm(form)
	if !shown {
		return current
	}
	v, err := CleanBool("", raw)
	return err == nil && v == "true"
}
