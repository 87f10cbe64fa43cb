package handlers

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"myaccount/auth"
	"myaccount/models"
	"myaccount/store"
)

// Context keys for what requireKey loads.
const (
	ctxAPIKey      = "api.key"
	ctxKeyMerchant = "api.merchant"
)

// usersRoutes registers the integration routes, behind an API key.
func (a *App) usersRoutes(e *echo.Echo) {
	users := e.Group("/api/v1/users", a.requireKey, apiBody)
	apiRoute(users, "", map[string]echo.HandlerFunc{http.MethodGet: a.handleAPIUserLookup, http.MethodPost: a.handleAPIUserCreate})
	apiRoute(users, "/:id", map[string]echo.HandlerFunc{http.MethodGet: a.handleAPIUser, http.MethodPatch: a.handleAPIUserPatch})
}

// requireKey lets through a request with an active API key, and puts the
// key and its merchant in the context. A session is not a key: it has
// the /me routes.
func (a *App) requireKey(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		token := bearer(c)
		if token == "" {
			if _, err := c.Cookie(a.Sessions.Store.CookieName()); err == nil {
				return errAPIForbidden
			}
			return errAPIUnauthorized
		}
		key, err := a.APIKeys.Authenticate(c.Request().Context(), token)
		if errors.Is(err, models.ErrNotFound) {
			return errAPIUnauthorized
		}
		if err != nil {
			return err
		}
		if err := auth.Limit(c.Request().Context(), a.APICalls, "key:"+key.ID); err != nil {
			return err
		}
		m, err := a.Merchants.ByID(c.Request().Context(), key.MerchantID)
		if err != nil {
			return err
		}
		c.Set(ctxAPIKey, key)
		c.Set(ctxKeyMerchant, m)
		return next(c)
	}
}

func apiKey(c echo.Context) *models.APIKey {
	k, _ := c.Get(ctxAPIKey).(*models.APIKey)
	return k
}

func keyMerchant(c echo.Context) *models.Merchant {
	m, _ := c.Get(ctxKeyMerchant).(*models.Merchant)
	return m
}

// GET /api/v1/users/{id} — one user of the key's merchant.
func (a *App) handleAPIUser(c echo.Context) error {
	m := keyMerchant(c)
	u, err := a.Users.InMerchant(c.Request().Context(), m.ID, c.Param("id"))
	if err != nil {
		return err
	}
	return userAnswer(c, http.StatusOK, u, m)
}

// GET /api/v1/users?username=… — the one user of the key's merchant that
// exactly one identifier names.
func (a *App) handleAPIUserLookup(c echo.Context) error {
	m := keyMerchant(c)
	q := c.QueryParams()
	var field string
	for _, f := range store.LookupFields() {
		if q.Has(f) {
			if field != "" {
				return errLookup
			}
			field = f
		}
	}
	if field == "" || len(q) != 1 || len(q[field]) != 1 {
		return errLookup
	}
	u, err := a.Users.Lookup(c.Request().Context(), m.ID, field, strings.TrimSpace(q.Get(field)))
	if err != nil {
		return err
	}
	return userAnswer(c, http.StatusOK, u, m)
}

// errLookup: a lookup needs exactly one identifier, sent once.
var errLookup = echo.NewHTTPError(http.StatusBadRequest, "Look up by exactly one of "+strings.Join(store.LookupFields(), ", ")+", sent once")

// PATCH /api/v1/users/{id} — partial update by an integration: the
// guest's fields and the admin's, never roles or anything security-related,
// and never of a merchant admin (403 admin_record).
func (a *App) handleAPIUserPatch(c echo.Context) error {
	m := keyMerchant(c)
	u, err := a.Users.InMerchant(c.Request().Context(), m.ID, c.Param("id"))
	if err != nil {
		return err
	}
	updated, err := a.patchUser(c, models.ByKey(apiKey(c)), m, u, models.AdminProfileFields(m), true)
	if err != nil {
		return err
	}
	return userAnswer(c, http.StatusOK, updated, m)
}

// createFields are the names POST /api/v1/users takes for NewUser's own
// fields. Every other field is the profile's, read as an edit reads it.
var createFields = []string{"username", "password", "email", "first_name", "last_name", "member_number", "card_number",
	models.APIGenerateMember, models.APIGenerateCard, "invite"}

// notOnCreate are names an edit may take but a create does not: a new
// user is an active customer, and has no version yet.
var notOnCreate = []string{"roles", "status", "password_hash", models.APIVersion}

// newUser reads a create from the body: NewUser's own fields, and the
// profile's others through Patch.Input over fields, with the rules of an
// edit by a key. Unknown names and values of the wrong type are field
// errors.
func (b apiValues) newUser(fields []models.ProfileField) (models.NewUser, models.FieldErrors) {
	errs := models.FieldErrors{}
	own, profile := apiValues{}, apiValues{}
	for name, v := range b {
		isOwn := slices.Contains(createFields, name)
		switch {
		case isOwn && sentTwice(v):
			errs.Add(name, name+" is sent more than once: send it once")
		case isOwn:
			own[name] = v
		case slices.Contains(notOnCreate, name):
			errs.Add(name, name+" cannot be set here")
		default:
			profile[name] = v
		}
	}
	get := func(name string) string {
		s, ok := text(own[name])
		if !ok {
			errs.Add(name, name+" must be text")
		}
		return s
	}
	length := func(name string) string {
		s, ok := numeral(own[name])
		if !ok && own[name] != nil {
			s = fmt.Sprint(own[name]) // not a length: Validate says so
		}
		return s
	}
	in := models.NewUser{
		Username: get("username"), Password: get("password"), Email: get("email"), FirstName: get("first_name"), LastName: get("last_name"),
		MemberNumber: get("member_number"), CardNumber: get("card_number"),
		GenerateMember: length(models.APIGenerateMember), GenerateCard: length(models.APIGenerateCard),
		Roles: []string{models.RoleCustomer},
	}
	in.FirstSignIn = own.firstSignIn(errs)
	p := profile.patch()
	values, perrs := p.Input(fields, true)
	errs.Merge(perrs)
	in.Profile, in.Unique = values, p.EnforceUnique
	return in, errs
}

// firstSignIn reads invite, a boolean: true sends the new user an
// invitation instead of taking a password, so a password sent with it is
// refused rather than ignored. What is wrong is added to errs.
func (b apiValues) firstSignIn(errs models.FieldErrors) string {
	v, ok := b["invite"]
	if !ok {
		return ""
	}
	s, _ := text(v)
	if flag, ok := v.(bool); ok {
		s = strconv.FormatBool(flag)
	}
	switch s {
	case "false":
		return models.FirstSignInPassword
	case "true":
		if _, withPassword := b["password"]; withPassword {
			errs.Add("password", "Leave password out when invite is true: the invited user chooses their own")
		}
		return models.FirstSignInInvite
	}
	errs.Add("invite", "invite must be true or false")
	return ""
}

// POST /api/v1/users — create a user (Sticky Street record_customer). An
// Idempotency-Key header makes a retry answer the first answer.
func (a *App) handleAPIUserCreate(c echo.Context) error {
	m, key, ctx := keyMerchant(c), apiKey(c), c.Request().Context()
	b := body(c)
	var once *store.Once
	if k := c.Request().Header.Get("Idempotency-Key"); k != "" {
		if len(k) > 255 || strings.ContainsFunc(k, func(r rune) bool { return r < 0x21 || r > 0x7e }) {
			return errBadIdempotencyKey
		}
		canon, _ := json.Marshal(b)
		sum := sha256.Sum256(canon)
		once = &store.Once{Key: key, IdemKey: k, Fingerprint: hex.EncodeToString(sum[:]), Answer: func(u *models.User) (int, []byte, error) {
			body, err := userBody(u, m)
			return http.StatusCreated, body, err
		}}
		status, body, ok, err := a.Users.Replay(ctx, once)
		if err != nil {
			return err
		}
		if ok {
			return replay(c, status, body)
		}
	}
	fields := models.AdminProfileFields(m)
	in, errs := b.newUser(fields)
	create, verrs := in.Validate(m, time.Now().UTC())
	errs.Merge(models.APINames(verrs, fields))
	if len(errs) > 0 {
		return errs
	}
	u, err := a.Users.CreateUserOnce(ctx, a.Hasher, models.ByKey(key), m, create, meta(c), once)
	var replayed *store.Replayed
	if errors.As(err, &replayed) {
		return replay(c, replayed.Status, replayed.Body)
	}
	if err != nil {
		return err
	}
	c.Response().Header().Set("Location", "/api/v1/users/"+u.ID)
	return userAnswer(c, http.StatusCreated, u, m)
}

// errBadIdempotencyKey: the header is not 1 to 255 printable characters.
var errBadIdempotencyKey = echo.NewHTTPError(http.StatusBadRequest, "Idempotency-Key must be 1 to 255 printable ASCII characters")

// replay answers a create made before under the same idempotency key.
func replay(c echo.Context, status int, body []byte) error {
	var kept apiSuccess
	if err := json.Unmarshal(body, &kept); err == nil {
		c.Response().Header().Set("Location", "/api/v1/users/"+kept.User.ID)
		c.Response().Header().Set("ETag", etag(kept.User.Version))
	}
	c.Response().Header().Set("Idempotent-Replayed", "true")
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.Blob(status, jsonType, body)
}
