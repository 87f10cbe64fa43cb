package models

import (
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// Limits of a merchant's settings.
const (
	// MaxCustomFields is how many custom fields a merchant may define.
	MaxCustomFields = 50
	// MaxCustomOptions is how many options a list custom field may offer.
	MaxCustomOptions = 50
	// MaxCustomLabel is the longest custom field label and list option.
	MaxCustomLabel = 50
)

// Form names of the settings that are not numbers. The numbers are named by
// SettingsNumbers, the custom field rows by CustomInputName.
const (
	SettingPasswordPreset = "password_preset"
	SettingUniqueEmail    = "unique_email"
	SettingUniqueMobile   = "unique_mobile"
	// SettingSignInAfterReset signs a user in where they chose a new
	// password through a mailed link.
	SettingSignInAfterReset = "sign_in_after_reset"
	SettingRequiredFields   = "required_fields"
	SettingCustomFields     = "custom_fields"
)

// RequiredInputName is the form name of the checkbox that makes the profile
// field named field required.
func RequiredInputName(field string) string { return "required_" + field }

// CustomInputName is the form name of one part ("key", "label", "type",
// "options", "required", "remove") of custom field row i (from 0).
func CustomInputName(part string, i int) string { return "custom_" + part + "_" + strconv.Itoa(i) }

// SettingsNumber is one whole-number setting: its form name (also the audit
// field name and, for the password policy, the column), its label, its
// range and where it lives in a Merchant.
type SettingsNumber struct {
	Name  string
	Label string
	Hint  string
	Min   int
	Max   int
	// Policy is set for the password policy's numbers.
	Policy bool
	enter  string
	field  func(*Merchant) *int
}

// Value is the setting's stored value in m.
func (n SettingsNumber) Value(m *Merchant) int { return *n.field(m) }

// settingsNumbers are in form order.
var settingsNumbers = []SettingsNumber{
	{Name: "password_min_length", Label: "Minimum password length", Hint: "In characters, from 1 to 64. At least the minimums below added together.",
		Min: 1, Max: 64, Policy: true, enter: "the minimum password length", field: func(m *Merchant) *int { return &m.PasswordPolicy.MinLength }},
	{Name: "password_min_lower", Label: "Minimum lowercase letters", Hint: "From 0 to 16. 0 means none are needed.",
		Min: 0, Max: 16, Policy: true, enter: "the minimum number of lowercase letters", field: func(m *Merchant) *int { return &m.PasswordPolicy.MinLower }},
	{Name: "password_min_upper", Label: "Minimum uppercase letters", Hint: "From 0 to 16. 0 means none are needed.",
		Min: 0, Max: 16, Policy: true, enter: "the minimum number of uppercase letters", field: func(m *Merchant) *int { return &m.PasswordPolicy.MinUpper }},
	{Name: "password_min_digits", Label: "Minimum digits", Hint: "From 0 to 16. 0 means none are needed.",
		Min: 0, Max: 16, Policy: true, enter: "the minimum number of digits", field: func(m *Merchant) *int { return &m.PasswordPolicy.MinDigits }},
	{Name: "password_min_special", Label: "Minimum special characters", Hint: "From 0 to 16. Anything that is not a letter or a digit, like ! # or a space.",
		Min: 0, Max: 16, Policy: true, enter: "the minimum number of special characters", field: func(m *Merchant) *int { return &m.PasswordPolicy.MinSpecial }},
	{Name: "password_min_score", Label: "Lowest password strength accepted (0–4, 0 = any)",
		Hint: "The strength on the meter guests see as they type: 1 Weak, 2 Fair, 3 Strong, 4 Very strong. 3, NIST's advice, refuses passwords a guessing tool would find within about 10 billion guesses, such as a word with digits added, repeats and sequences.",
		Min:  0, Max: MaxScore, Policy: true, enter: "the lowest password strength accepted, from 0 to 4", field: func(m *Merchant) *int { return &m.PasswordPolicy.MinScore }},
	{Name: "password_history", Label: "Previous passwords that may not be reused", Hint: "From 0 to 24.",
		Min: 0, Max: 24, Policy: true, enter: "how many previous passwords may not be reused", field: func(m *Merchant) *int { return &m.PasswordPolicy.History }},
	{Name: "password_max_age_days", Label: "Password expires after (days, 0 = never)", Hint: "From 0 to 3650.",
		Min: 0, Max: 3650, Policy: true, enter: "after how many days a password expires, or 0 for never", field: func(m *Merchant) *int { return &m.PasswordPolicy.MaxAgeDays }},
	{Name: "max_failed_logins", Label: "Failed sign-ins before a lock", Hint: "From 1 to 100 wrong passwords in a row. A browser that signed in to the account before counts its own, so strangers cannot lock its owner out.",
		Min: 1, Max: 100, enter: "how many failed sign-ins lock an account", field: func(m *Merchant) *int { return &m.MaxFailedLogins }},
	{Name: "lockout_first_wait_minutes", Label: "First lock lasts (minutes)", Hint: "From 1 to 1440. Each further lock in a row lasts twice as long, up to the longest below.",
		Min: 1, Max: 1440, enter: "how many minutes the first lock lasts", field: func(m *Merchant) *int { return &m.Lockout.FirstWaitMinutes }},
	{Name: "lockout_max_wait_minutes", Label: "Longest lock (minutes)", Hint: "From 1 to 10080 (a week), and at least the first lock.",
		Min: 1, Max: 10080, enter: "how many minutes the longest lock lasts", field: func(m *Merchant) *int { return &m.Lockout.MaxWaitMinutes }},
	{Name: "lockout_reset_minutes", Label: "Forget failed sign-ins after (minutes)",
		Hint: "From 1 to 43200 (30 days), and at least the longest lock. When no wrong password has been typed for this long, the count and the locks in a row start again from nothing, so old typos never lead to a lock. 720 is 12 hours.",
		Min:  1, Max: 43200, enter: "after how many minutes failed sign-ins are forgotten", field: func(m *Merchant) *int { return &m.Lockout.ResetMinutes }},
	{Name: "lockout_permanent_after", Label: "Temporary locks before a permanent lock (0 = never)", Hint: "From 0 to 100. A permanent lock lasts until an admin unlocks the account: anyone who knows a username could cause it.",
		Min: 0, Max: 100, enter: "after how many temporary locks the account locks for good, or 0 for never", field: func(m *Merchant) *int { return &m.Lockout.PermanentAfter }},
}

// characterSettings are the length and character minimums: the four
// counts may not add up to more than the length.
var characterSettings = []string{"password_min_length", "password_min_lower", "password_min_upper", "password_min_digits", "password_min_special"}

// compositionSettings are the numbers a password preset sets.
var compositionSettings = append(slices.Clone(characterSettings), "password_min_score")

// SettingsNumbers lists the whole-number settings in form order.
func SettingsNumbers() []SettingsNumber { return slices.Clone(settingsNumbers) }

// customTypes are the custom field types an admin chooses from.
var customTypes = []Option{
	{Value: CustomText, Label: "Text"},
	{Value: CustomNumber, Label: "Number"},
	{Value: CustomDate, Label: "Date"},
	{Value: CustomDateTime, Label: "Date and time"},
	{Value: CustomList, Label: "List of options"},
}

// CustomFieldTypes lists the custom field types with their names.
func CustomFieldTypes() []Option { return slices.Clone(customTypes) }

func customTypeName(t string) string {
	for _, o := range customTypes {
		if o.Value == t {
			return strings.ToLower(o.Label)
		}
	}
	return t
}

// SettingsInput is the settings form as submitted: raw text, checked boxes
// and custom field rows, before any rule has looked at it.
type SettingsInput struct {
	// Preset is the password preset chosen, by key; "" is Custom: the
	// length and character minimums as typed.
	Preset string
	// Numbers holds the whole-number settings by form name.
	Numbers      map[string]string
	UniqueEmail  bool
	UniqueMobile bool
	// SignInAfterReset is Merchant.SignInAfterReset.
	SignInAfterReset bool
	// Required names the profile fields to make required.
	Required []string
	// Custom is one row per custom field, in form order; a row left empty
	// (the form's blank row for a new field) adds nothing.
	Custom []CustomFieldInput
	// Version is the merchant's version the form was made from; -1 when
	// the form sent none that can be one.
	Version int
}

// CustomFieldInput is one custom field row of the settings form.
type CustomFieldInput struct {
	Key   string
	Label string
	Type  string
	// Options are a list's options, one per line.
	Options  string
	Required bool
	// Remove drops the field; its other inputs are then ignored.
	Remove bool
}

// Blank reports whether the row was left empty: it adds nothing.
func (r CustomFieldInput) Blank() bool {
	return strings.TrimSpace(r.Key) == "" && strings.TrimSpace(r.Label) == "" && strings.TrimSpace(r.Options) == "" && !r.Required
}

// NewSettingsInput is the form filled with m's stored settings, plus a blank
// row to add a custom field while there is room for one.
func NewSettingsInput(m *Merchant) SettingsInput {
	in := SettingsInput{Preset: m.PasswordPolicy.Preset(), Numbers: map[string]string{}, UniqueEmail: m.UniqueEmail, UniqueMobile: m.UniqueMobile,
		SignInAfterReset: m.SignInAfterReset, Version: m.Version}
	for _, n := range settingsNumbers {
		in.Numbers[n.Name] = strconv.Itoa(n.Value(m))
	}
	for _, f := range RequirableFields() {
		if m.Requires(f.Name) {
			in.Required = append(in.Required, f.Name)
		}
	}
	for _, d := range m.CustomFields {
		in.Custom = append(in.Custom, CustomFieldInput{
			Key: d.Key, Label: d.Label, Type: d.Type, Options: strings.Join(d.Options, "\n"), Required: d.Required,
		})
	}
	if len(in.Custom) < MaxCustomFields {
		in.Custom = append(in.Custom, CustomFieldInput{Type: CustomText})
	}
	return in
}

// ReadForm reads the submitted settings form over in, which holds the
// stored settings (NewSettingsInput): a checkbox the form did not show
// keeps its stored value, as a profile's do. Custom field rows are read
// from 0 until one is missing, and a few past the limit, so the limit is
// reported rather than silently applied.
func (in *SettingsInput) ReadForm(form url.Values) error {
	stored := *in
	in.Preset = form.Get(SettingPasswordPreset)
	in.Numbers = map[string]string{}
	for _, n := range settingsNumbers {
		in.Numbers[n.Name] = form.Get(n.Name)
	}
	in.UniqueEmail = formTicked(form, SettingUniqueEmail, stored.UniqueEmail)
	in.UniqueMobile = formTicked(form, SettingUniqueMobile, stored.UniqueMobile)
	in.SignInAfterReset = formTicked(form, SettingSignInAfterReset, stored.SignInAfterReset)
	in.Required = nil
	for _, f := range RequirableFields() {
		if formTicked(form, RequiredInputName(f.Name), slices.Contains(stored.Required, f.Name)) {
			in.Required = append(in.Required, f.Name)
		}
	}
	in.Custom = nil
	for i := 0; i < 2*MaxCustomFields; i++ {
		key, label, typ := CustomInputName("key", i), CustomInputName("label", i), CustomInputName("type", i)
		if !form.Has(key) && !form.Has(label) && !form.Has(typ) {
			break
		}
		// A row's box the form did not show keeps what the stored row in
		// that place has (nothing, for a new row).
		var was CustomFieldInput
		if i < len(stored.Custom) {
			was = stored.Custom[i]
		}
		in.Custom = append(in.Custom, CustomFieldInput{
			Key: form.Get(key), Label: form.Get(label), Type: form.Get(typ),
			Options:  form.Get(CustomInputName("options", i)),
			Required: formTicked(form, CustomInputName("required", i), was.Required),
			Remove:   formTicked(form, CustomInputName("remove", i), false),
		})
	}
	v, err := strconv.Atoi(form.Get("version"))
	if err != nil || v < 1 {
		v = -1 // not a version the merchant has: the form is refused as stale
	}
	in.Version = v
	return nil
}

// Validate checks the input against the settings' rules and returns m with the
// new settings and one change per setting that differs, old → new. Invalid
// input is FieldErrors keyed by form name. It does not look at the
// database; the store saves the result.
func (in SettingsInput) Validate(m *Merchant) (Merchant, Changes, error) {
	errs := FieldErrors{}
	next := *m

	preset, err := in.chosenPreset(m)
	errs.Refuse(SettingPasswordPreset, err)
	for _, n := range settingsNumbers {
		if preset != nil && slices.Contains(compositionSettings, n.Name) {
			continue // the preset's numbers replace the typed ones
		}
		v, err := n.clean(in.Numbers[n.Name])
		if err != nil {
			errs.Refuse(n.Name, err)
			continue
		}
		*n.field(&next) = v
	}
	if preset != nil {
		next.PasswordPolicy = next.PasswordPolicy.WithComposition(preset.Policy)
	}
	p := next.PasswordPolicy
	if !slices.ContainsFunc(characterSettings, errs.Has) {
		if sum := p.MinLower + p.MinUpper + p.MinDigits + p.MinSpecial; sum > p.MinLength {
			errs.Add("password_min_length", "Minimum password length must be at least "+strconv.Itoa(sum)+
				", the minimum lowercase letters, uppercase letters, digits and special characters added together")
		}
	}

	checkLockout(errs, next.Lockout)

	next.UniqueEmail, next.UniqueMobile = in.UniqueEmail, in.UniqueMobile
	next.SignInAfterReset = in.SignInAfterReset

	// Required fields are kept in form order, so the order boxes were
	// ticked in is not a change.
	next.RequiredFields = nil
	requirable := RequirableFields()
	for _, name := range in.Required {
		if !slices.ContainsFunc(requirable, func(f ProfileField) bool { return f.Name == name }) {
			errs.Add(SettingRequiredFields, "Select required fields from the list")
			break
		}
	}
	for _, f := range requirable {
		if slices.Contains(in.Required, f.Name) {
			next.RequiredFields = append(next.RequiredFields, f.Name)
		}
	}

	defs, customErrs := in.customFields()
	errs.Merge(customErrs)
	next.CustomFields = defs

	if err := errs.Err(); err != nil {
		return Merchant{}, nil, err
	}
	return next, settingsChanges(m, &next), nil
}

// checkLockout adds the refusals of a lockout policy whose numbers do not
// fit together: the longest lock shorter than the first, or failures
// forgotten before the longest lock is over, which would forget every
// lock in a row, so locks would never grow nor turn permanent. A number
// already refused is not compared.
func checkLockout(errs FieldErrors, l LockoutPolicy) {
	first, longest, reset := "lockout_first_wait_minutes", "lockout_max_wait_minutes", "lockout_reset_minutes"
	if !errs.Has(first) && !errs.Has(longest) && l.MaxWaitMinutes < l.FirstWaitMinutes {
		errs.Add(longest, "Longest lock must be at least the first lock, "+strconv.Itoa(l.FirstWaitMinutes)+" minutes")
	}
	if !errs.Has(longest) && !errs.Has(reset) && l.ResetMinutes < l.MaxWaitMinutes {
		errs.Add(reset, "Forget failed sign-ins after must be at least the longest lock, "+strconv.Itoa(l.MaxWaitMinutes)+" minutes")
	}
}

// chosenPreset is the preset to apply, or nil to keep the typed numbers.
// A preset applies when the admin picked it in place of the one the stored
// numbers match; then it wins over the numbers. The list left as it was
// (or Custom, or not sent) leaves the numbers in charge, so an admin who
// edits a number without touching the list gets that number, and the
// policy becomes Custom.
func (in SettingsInput) chosenPreset(m *Merchant) (*PasswordPreset, error) {
	key := strings.TrimSpace(in.Preset)
	if key == "" || key == m.PasswordPolicy.Preset() {
		return nil, nil
	}
	p, ok := PasswordPresetByKey(key)
	if !ok {
		return nil, Invalid("Select a password policy from the list")
	}
	return &p, nil
}

// PasswordPresetOptions are the presets as a list's options; the list's
// empty choice is Custom.
func PasswordPresetOptions() []Option {
	out := make([]Option, len(passwordPresets))
	for i, p := range passwordPresets {
		out[i] = Option{Value: p.Key, Label: p.Label}
	}
	return out
}

func (n SettingsNumber) clean(raw string) (int, error) {
	s := strings.TrimSpace(raw)
	if s == "" {
		return 0, Invalid("Enter " + n.enter)
	}
	v, err := strconv.Atoi(s)
	if err != nil || v < n.Min || v > n.Max {
		return 0, Invalid(n.Label + " must be a whole number from " + strconv.Itoa(n.Min) + " to " + strconv.Itoa(n.Max))
	}
	return v, nil
}

var customKeyPattern = regexp.MustCompile(`^[a-z][a-z0-9_]{0,29}$`)

// customFields checks the custom field rows and returns the definitions
// they describe, in form order. Rows are named for people by their number
// from 1, as the form's legends name them.
func (in SettingsInput) customFields() (CustomFieldDefs, FieldErrors) {
	errs := FieldErrors{}
	var defs CustomFieldDefs
	keys := map[string]int{}       // key → row number that uses it
	labels := map[string]int{}     // lower-case label → row number that uses it
	builtIn := map[string]string{} // lower-case label → label
	for _, f := range guestFields {
		builtIn[strings.ToLower(f.Label)] = f.Label
	}
	for i, row := range in.Custom {
		if row.Remove || row.Blank() {
			continue
		}
		num := strconv.Itoa(i + 1)
		name := "custom field " + num
		keyInput, labelInput, typeInput, optionsInput := CustomInputName("key", i), CustomInputName("label", i), CustomInputName("type", i), CustomInputName("options", i)
		d := CustomFieldDef{Key: strings.TrimSpace(row.Key), Type: strings.TrimSpace(row.Type), Required: row.Required}

		switch {
		case d.Key == "":
			errs.Add(keyInput, "Enter a key for "+name)
		case !customKeyPattern.MatchString(d.Key):
			errs.Add(keyInput, "Key of "+name+" must start with a lowercase letter and have only lowercase letters, digits and underscores, up to 30, like favourite_drink")
		case keys[d.Key] != 0:
			errs.Add(keyInput, "Key of "+name+" is already the key of custom field "+strconv.Itoa(keys[d.Key]))
		default:
			keys[d.Key] = i + 1
		}
		if len(defs) == MaxCustomFields && !errs.Has(keyInput) {
			errs.Add(keyInput, "There can be at most "+strconv.Itoa(MaxCustomFields)+" custom fields: remove one to add "+name)
		}

		label, err := CleanText("Label of "+name, row.Label, MaxCustomLabel)
		lower := strings.ToLower(label)
		switch {
		case err != nil:
			errs.Refuse(labelInput, err)
		case label == "":
			errs.Add(labelInput, "Enter a label for "+name)
		case builtIn[lower] != "":
			errs.Add(labelInput, "Label of "+name+" must be different from the built-in field “"+builtIn[lower]+"”")
		case labels[lower] != 0:
			errs.Add(labelInput, "Label of "+name+" is already the label of custom field "+strconv.Itoa(labels[lower]))
		default:
			labels[lower] = i + 1
		}
		d.Label = label

		if !HasOption(customTypes, d.Type) {
			errs.Add(typeInput, "Select a type for "+name)
		}

		options, refused := cleanOptions(name, row.Options)
		for _, err := range refused {
			errs.Refuse(optionsInput, err)
		}
		switch {
		case len(refused) > 0 || errs.Has(typeInput):
		case d.Type == CustomList && len(options) == 0:
			errs.Add(optionsInput, "Enter the options of "+name+", one per line")
		case d.Type == CustomList:
			d.Options = options
		case len(options) > 0:
			errs.Add(optionsInput, "Only lists have options: clear the options of "+name+", or make it a list of options")
		}
		defs = append(defs, d)
	}
	return defs, errs
}

// cleanOptions reads a list's options, one per line: trimmed, blank lines
// skipped, each different from the others whatever the case.
func cleanOptions(name, raw string) ([]string, []error) {
	var options []string
	var refused []error
	for _, line := range strings.Split(strings.ReplaceAll(raw, "\r\n", "\n"), "\n") {
		o, err := CleanText("Each option of "+name, line, MaxCustomLabel)
		switch {
		case err != nil:
			if !slices.Contains(refused, err) {
				refused = append(refused, err)
			}
		case o == "":
		case slices.ContainsFunc(options, func(have string) bool { return strings.EqualFold(have, o) }):
			refused = append(refused, Invalid("Options of "+name+" must be different: “"+o+"” is listed twice"))
		default:
			options = append(options, o)
		}
	}
	if len(options) > MaxCustomOptions {
		refused = append(refused, Invalid("A list can have at most "+strconv.Itoa(MaxCustomOptions)+" options: "+name+" has "+strconv.Itoa(len(options))))
	}
	return options, refused
}

// settingsChanges lists every setting that differs between old and next,
// in form order, as the audit trail records them.
func settingsChanges(old, next *Merchant) Changes {
	var changes Changes
	add := func(field, o, n string) {
		if o != n {
			changes = append(changes, Change{Field: field, Old: o, New: n})
		}
	}
	for _, n := range settingsNumbers {
		add(n.Name, strconv.Itoa(n.Value(old)), strconv.Itoa(n.Value(next)))
	}
	add(SettingSignInAfterReset, strconv.FormatBool(old.SignInAfterReset), strconv.FormatBool(next.SignInAfterReset))
	add(SettingUniqueEmail, strconv.FormatBool(old.UniqueEmail), strconv.FormatBool(next.UniqueEmail))
	add(SettingUniqueMobile, strconv.FormatBool(old.UniqueMobile), strconv.FormatBool(next.UniqueMobile))
	if !sameSet(old.RequiredFields, next.RequiredFields) {
		add(SettingRequiredFields, requiredSummary(old.RequiredFields), requiredSummary(next.RequiredFields))
	}
	if !slices.EqualFunc(old.CustomFields, next.CustomFields, sameCustomField) {
		changes = append(changes, Change{Field: SettingCustomFields, Old: old.CustomFields.Summary(), New: next.CustomFields.Summary()})
	}
	return changes
}

func sameSet(a, b StringList) bool {
	return len(a) == len(b) && !slices.ContainsFunc(a, func(s string) bool { return !b.Contains(s) })
}

func requiredSummary(l StringList) string {
	if len(l) == 0 {
		return "none"
	}
	return strings.Join(l, ", ")
}

func sameCustomField(a, b CustomFieldDef) bool {
	return a.Key == b.Key && a.Label == b.Label && a.Type == b.Type && a.Required == b.Required && slices.Equal(a.Options, b.Options)
}

// Summary describes the definition for the audit trail, like
// `drink "Favourite drink" (list: Tea, Coffee; required)`.
func (d CustomFieldDef) Summary() string {
	s := d.Key + " " + strconv.Quote(d.Label) + " (" + customTypeName(d.Type)
	if len(d.Options) > 0 {
		s += ": " + strings.Join(d.Options, ", ")
	}
	if d.Required {
		s += "; required"
	}
	return s + ")"
}

// Summary describes every definition, or "none".
func (d CustomFieldDefs) Summary() string {
	if len(d) == 0 {
		return "none"
	}
	parts := make([]string, len(d))
	for i, def := range d {
		parts[i] = def.Summary()
	}
	return strings.Join(parts, "; ")
}
