package models

import (
	"errors"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// How a new user signs in the first time: the values of NewUser's
// FirstSignIn.
const (
	// FirstSignInInvite mails them an invitation with a link to choose
	// their own password.
	FirstSignInInvite = "invite"
	// FirstSignInPassword is an initial password the admin types, which
	// the user must change when they first sign in.
	FirstSignInPassword = "password"
)

// FirstSignInOptions are the choices of how a new user signs in the
// first time, the default first.
var FirstSignInOptions = []Option{
	{Value: FirstSignInInvite, Label: "Send an invitation by email"},
	{Value: FirstSignInPassword, Label: "Set an initial password"},
}

// NewUser is what an admin fills in to create a user, as typed.
type NewUser struct {
	Username     string   `form:"username" json:"username"`
	Email        string   `form:"email" json:"email"`
	FirstName    string   `form:"first_name" json:"first_name"`
	LastName     string   `form:"last_name" json:"last_name"`
	Roles        []string `form:"roles" json:"roles"`
	Password     string   `form:"password" json:"password"`
	MemberNumber string   `form:"member_number" json:"member_number"`
	CardNumber   string   `form:"card_number" json:"card_number"`
	// GenerateMember and GenerateCard ask for a unique random number of
	// that many digits instead (the loyalty API's card_number_generate);
	// "" asks for none.
	GenerateMember string `form:"generate_member" json:"generate_member"`
	GenerateCard   string `form:"generate_card" json:"generate_card"`
	// FirstSignIn is FirstSignInInvite or FirstSignInPassword; empty is
	// a password, as it was before there was a choice.
	FirstSignIn string `form:"first_sign_in" json:"first_sign_in"`
	// Profile holds the other fields of the profile an integration sends
	// with a create (a phone, a postal code, custom fields), raw by field
	// name as Patch.Input gives them, checked by the profile's rules.
	// The fields above and status are not taken from it.
	Profile map[string]string `form:"-" json:"-"`
	// Unique are identifiers to keep unique for this create on top of
	// the merchant's rules (enforce_unique_fields).
	Unique []string `form:"-" json:"-"`
}

// The names of the inputs that ask for a generated number: a length that
// is not offered is refused under them.
const (
	GenerateMemberInput = "generate_member"
	GenerateCardInput   = "generate_card"
)

// UserToCreate is a NewUser that passed Validate, as the store creates it.
type UserToCreate struct {
	// User holds the cleaned identity, names and roles.
	User     User
	Password string
	// GenerateMember and GenerateCard are the lengths of the numbers to
	// generate, or 0.
	GenerateMember, GenerateCard int
	// Invite mails the user an invitation to choose their password;
	// Password is then empty.
	Invite bool
	// Changes are the fields of NewUser.Profile that were set, and
	// Consents those of them that are consents, for the audit trail.
	Changes, Consents Changes
	// Unique is NewUser.Unique.
	Unique []string
}

var usernamePattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._@-]{2,63}$`)

// Validate checks the form for merchant m with the rules and messages the
// profile uses for the same fields, and how the user signs in the first
// time (firstSignIn). What needs the database (a username or number
// already taken) is the store's.
func (in NewUser) Validate(m *Merchant, now time.Time) (UserToCreate, FieldErrors) {
	errs := FieldErrors{}
	var out UserToCreate
	u := &out.User
	u.Username = strings.TrimSpace(in.Username)
	if u.Username == "" {
		errs.Add("username", "Enter a username")
	} else if !usernamePattern.MatchString(u.Username) {
		errs.Add("username", "Username must be 3 to 64 letters, numbers, dots, hyphens, underscores or @, starting with a letter or number")
	}
	fields := AdminProfileFields(m)
	set := func(name, raw string) {
		f := fields[fieldIndex(fields, name)]
		c, err := f.cleanFor(m, raw, cleanInput{now: now})
		if err != nil {
			errs.Refuse(name, err)
			return
		}
		f.set(u, c.value)
	}
	set("email", in.Email)
	set("first_name", in.FirstName)
	set("last_name", in.LastName)
	set("roles", strings.Join(in.Roles, ","))
	set("member_number", in.MemberNumber)
	set("card_number", in.CardNumber)
	in.profile(m, fields, &out, now, errs)
	for _, g := range []struct {
		field, input, typed, length string
		n                           *int
	}{{"member_number", GenerateMemberInput, u.MemberNumber, in.GenerateMember, &out.GenerateMember}, {"card_number", GenerateCardInput, u.CardNumber, in.GenerateCard, &out.GenerateCard}} {
		if strings.TrimSpace(g.length) == "" {
			continue
		}
		n, err := strconv.Atoi(strings.TrimSpace(g.length))
		switch {
		case err != nil || !slices.Contains(GeneratedLengths, n):
			errs.Add(g.input, "Choose a length from the list")
		case g.typed != "":
			errs.Add(g.field, "Either type a number or generate one, not both")
		default:
			*g.n = n
		}
	}
	in.firstSignIn(m, &out, errs)
	return out, errs
}

// createOwn are the fields a create does not take from NewUser.Profile:
// those NewUser has its own inputs for, and status (a new account is
// active).
var createOwn = []string{"email", "first_name", "last_name", "roles", "member_number", "card_number", "status"}

// profile applies in.Profile to out's user with the profile's rules
// (ApplyProfile), as an edit right after the create would, and keeps what
// it set for the audit trail. What is wrong is added to errs.
func (in NewUser) profile(m *Merchant, fields []ProfileField, out *UserToCreate, now time.Time, errs FieldErrors) {
	out.Unique = in.Unique
	input := map[string]string{}
	for name, raw := range in.Profile {
		if slices.Contains(createOwn, name) || fieldIndex(fields, name) < 0 {
			errs.Add(name, name+" cannot be set here")
			continue
		}
		input[name] = raw
	}
	if len(input) == 0 {
		return
	}
	upd, err := ApplyProfile(m, &out.User, fields, input, now)
	if err != nil {
		var fe FieldErrors
		errors.As(err, &fe) // ApplyProfile refuses with field errors only
		errs.Merge(fe)
		return
	}
	out.User, out.Changes, out.Consents = upd.User, upd.Changes, upd.Consents
}

// firstSignIn checks how the user out will sign in the first time: an
// invitation needs an address to go to, and a password is not used (a
// form without JavaScript still shows its field); an initial password
// must be given, and pass m's policy as one the user chose would.
func (in NewUser) firstSignIn(m *Merchant, out *UserToCreate, errs FieldErrors) {
	u := &out.User
	switch in.FirstSignIn {
	case FirstSignInInvite:
		out.Invite = true
		if u.Email == "" && !errs.Has("email") {
			errs.Add("email", "Enter an email address to send the invitation to")
		}
	case "", FirstSignInPassword:
		if in.Password == "" {
			errs.Add("password", "Enter an initial password")
			return
		}
		owner := PasswordOwner{Username: u.Username, Email: u.Email, FirstName: u.FirstName, LastName: u.LastName, Merchant: m.Name, Whose: "the"}
		for _, msg := range m.PasswordPolicy.CheckNew("Initial password", in.Password, owner) {
			errs.Add("password", msg)
		}
		out.Password = in.Password
	default:
		errs.Add("first_sign_in", "Choose how they will sign in the first time")
	}
}

// GeneratedLengths are the lengths offered for generated member and card
// numbers (the loyalty API's card_number_generate).
var GeneratedLengths = []int{8, 10, 12, 16, 19}
