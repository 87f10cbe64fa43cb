package handlers

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"myaccount/auth"
	"myaccount/models"
	"myaccount/store"
)

// The JSON API (docs/openapi in handlers/openapi.json): one more caller of
// the same models and store as the HTML forms, with its own edge (JSON
// bodies, JSON errors) and its own doors (API keys, the guest's session).

// apiRoutes registers /api/v1.
func (a *App) apiRoutes(e *echo.Echo) {
	me := e.Group("/api/v1/me", apiBody, fetchMetadata, csrfHeader(a.Secure), a.Sessions.Load, a.requireSession, a.apiRate)
	apiRoute(me, "", map[string]echo.HandlerFunc{http.MethodGet: a.handleAPIMe, http.MethodPatch: a.handleAPIMePatch})
	a.usersRoutes(e)
}

// apiRoute registers handlers by method on path of g, and answers every
// other method with 405 and Allow (Echo's group catch-alls would say 404).
func apiRoute(g *echo.Group, path string, handlers map[string]echo.HandlerFunc) {
	allow := []string{}
	for _, m := range []string{http.MethodGet, http.MethodPost, http.MethodPatch} {
		if h, ok := handlers[m]; ok {
			g.Add(m, path, h)
			allow = append(allow, m)
			if m == http.MethodGet {
				allow = append(allow, http.MethodHead)
			}
		}
	}
	others := []string{}
	for _, m := range []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete, http.MethodOptions} {
		if _, ok := handlers[m]; !ok {
			others = append(others, m)
		}
	}
	routes := g.Match(others, path, func(c echo.Context) error {
		c.Response().Header().Set("Allow", strings.Join(allow, ", "))
		return echo.ErrMethodNotAllowed
	})
	for _, r := range routes {
		r.Name = MethodNotAllowed
	}
}

// MethodNotAllowed names the routes that only answer 405: they are not
// operations of the API.
const MethodNotAllowed = "method not allowed"

// ctxAPIBody holds the decoded body of an API write.
const ctxAPIBody = "api.body"

// errNoFields: an edit named no field to change.
var errNoFields = echo.NewHTTPError(http.StatusBadRequest, "no fields")

// apiBody decodes the body of an API write, before anything reads it: a
// JSON object, or a urlencoded or multipart form. Other types get 415, a
// body that is not text 400, one over the limit 413.
func apiBody(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		r := c.Request()
		switch r.Method {
		case http.MethodGet, http.MethodHead, http.MethodOptions:
			return next(c)
		}
		body, err := decodeAPIBody(r)
		if err != nil {
			return err
		}
		c.Set(ctxAPIBody, body)
		return next(c)
	}
}

// apiValues is a decoded API body: from JSON, values as decoded (string,
// bool, json.Number, nil, []any, map[string]any); from a form, strings,
// or []string for a name sent more than once.
type apiValues map[string]any

func decodeAPIBody(r *http.Request) (apiValues, error) {
	media, _, _ := mime.ParseMediaType(r.Header.Get(echo.HeaderContentType))
	if media != echo.MIMEApplicationJSON {
		if err := parseFormBody(r); err != nil {
			return nil, err
		}
		if !allText(r.PostForm) {
			return nil, errNotText
		}
		out := apiValues{}
		for k, vs := range r.PostForm {
			if len(vs) == 1 {
				out[k] = vs[0]
			} else {
				out[k] = vs
			}
		}
		return out, nil
	}
	raw, err := io.ReadAll(r.Body)
	var tooLarge *http.MaxBytesError
	switch {
	case errors.As(err, &tooLarge):
		return nil, errTooLarge
	case err != nil:
		return nil, errBadForm
	case !utf8.Valid(raw):
		return nil, errNotText
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var out apiValues
	if err := dec.Decode(&out); err != nil || out == nil || dec.More() {
		return nil, errBadJSON
	}
	if !jsonText(out) {
		return nil, errNotText
	}
	return out, nil
}

// errBadJSON: the body is not one JSON object.
var errBadJSON = echo.NewHTTPError(http.StatusBadRequest, "not a JSON object")

// jsonText reports whether every key and string in v is text (no NUL).
func jsonText(v any) bool {
	switch v := v.(type) {
	case string:
		return isText(v)
	case []any:
		for _, x := range v {
			if !jsonText(x) {
				return false
			}
		}
	case apiValues:
		return jsonText(map[string]any(v))
	case map[string]any:
		for k, x := range v {
			if !isText(k) || !jsonText(x) {
				return false
			}
		}
	}
	return true
}

// body is the request's decoded API body.
func body(c echo.Context) apiValues {
	b, _ := c.Get(ctxAPIBody).(apiValues)
	return b
}

// text reads one value as the text a field holds: a JSON string as it
// is, null as "" (clear). Nothing else is text: not true or false, a
// number, an object, a list, nor a form name sent more than once.
func text(v any) (string, bool) {
	switch v := v.(type) {
	case nil:
		return "", true
	case string:
		return v, true
	}
	return "", false
}

// numeral reads a number: a JSON number as written, or a form's text.
func numeral(v any) (string, bool) {
	switch v := v.(type) {
	case json.Number:
		return v.String(), true
	case string:
		return v, true
	}
	return "", false
}

// list reads a list: a JSON array of texts, a form name sent several
// times, or one comma-separated text.
func list(v any) ([]string, bool) {
	var out []string
	switch v := v.(type) {
	case []any:
		for _, x := range v {
			s, ok := text(x)
			if !ok {
				return nil, false
			}
			out = append(out, strings.TrimSpace(s))
		}
	case []string:
		for _, s := range v {
			out = append(out, strings.Split(s, ",")...)
		}
	default:
		s, ok := text(v)
		if !ok {
			return nil, false
		}
		out = strings.Split(s, ",")
	}
	for i := range out {
		out[i] = strings.TrimSpace(out[i])
	}
	return out, true
}

// sentTwice reports whether v is a form name sent more than once, which
// only a list takes.
func sentTwice(v any) bool {
	_, ok := v.([]string)
	return ok
}

// customKey is the key of a form name custom_fields[key], and whether
// name is one.
func customKey(name string) (string, bool) {
	key, ok := strings.CutPrefix(name, models.APICustomFields+"[")
	if !ok || !strings.HasSuffix(key, "]") {
		return "", false
	}
	return strings.TrimSuffix(key, "]"), true
}

// patch reads an edit from the body: fields by name, custom fields (a JSON
// object, or custom_fields[key] in a form), and the control fields. A
// value of the wrong type, or a form name sent twice, is a field error,
// never read as something else.
func (b apiValues) patch() models.Patch {
	p := models.Patch{Fields: map[string]string{}, Booleans: map[string]bool{}, NotText: map[string]bool{}, Custom: map[string]string{}, Invalid: models.FieldErrors{}}
	for name, v := range b {
		key, custom := customKey(name)
		switch {
		case name == models.APIEnforceUnique:
			l, ok := list(v)
			if !ok {
				p.Invalid.Add(name, "enforce_unique_fields must be a list of field names")
			}
			p.EnforceUnique = l
		case sentTwice(v):
			shown := name
			if custom {
				shown = models.APICustomFields + "." + key
			}
			p.Invalid.Add(shown, shown+" is sent more than once: send it once")
		case name == models.APIVersion:
			s, ok := numeral(v)
			if !ok || s == "" {
				s = "0" // no version: Input refuses it
			}
			p.Version = s
		case name == models.APIBirthdayFormat:
			s, ok := text(v)
			if !ok {
				p.Invalid.Add(name, "birthday_field_format must be text")
			}
			p.BirthdayFormat = s
		case name == models.APICustomFields:
			readCustom(&p, v)
		case custom:
			readCustom(&p, map[string]any{key: v})
		default:
			readField(&p, name, v)
		}
	}
	return p
}

// readField reads the value of a field by name into p: true or false only a
// yes-or-no field takes, numbers, objects and lists none.
func readField(p *models.Patch, name string, v any) {
	if b, ok := v.(bool); ok {
		p.Fields[name], p.Booleans[name] = strconv.FormatBool(b), true
		return
	}
	if s, ok := text(v); ok {
		p.Fields[name] = s
	} else {
		p.NotText[name] = true
	}
}

// readCustom reads custom_fields, an object of texts by key, into p.
func readCustom(p *models.Patch, v any) {
	m, ok := v.(map[string]any)
	if !ok {
		p.Invalid.Add(models.APICustomFields, "custom_fields must be an object of custom field keys and values")
		return
	}
	for key, x := range m {
		if s, ok := text(x); ok {
			p.Custom[key] = s
		} else {
			p.Invalid.Add(models.APICustomFields+"."+key, "A custom field's value must be text, or null to clear it")
		}
	}
}

// requireSession lets through a request with a signed-in session and no
// API key: the /me routes are the guest's own. A key names no user.
func (a *App) requireSession(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if bearer(c) != "" {
			return errAPIForbidden
		}
		if auth.CurrentUser(c) == nil {
			return errAPIUnauthorized
		}
		if passwordChangeDue(c) != "" {
			return errAPIForbidden
		}
		return next(c)
	}
}

// apiRate limits API calls per key, or per session for /me.
func (a *App) apiRate(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		key := "session:" + a.Sessions.CurrentKey(c)
		if err := auth.Limit(c.Request().Context(), a.APICalls, key); err != nil {
			return err
		}
		return next(c)
	}
}

// bearer is the API key the request sends, or "".
func bearer(c echo.Context) string {
	h := c.Request().Header.Get(echo.HeaderAuthorization)
	if scheme, token, ok := strings.Cut(h, " "); ok && strings.EqualFold(scheme, "Bearer") {
		return strings.TrimSpace(token)
	}
	return ""
}

// csrfHeader checks the CSRF token of an API write in the X-CSRF-Token
// header only, the way htmx sends it.
func csrfHeader(secure bool) echo.MiddlewareFunc { return csrfFrom(secure, "header:X-CSRF-Token") }

// API refusals that are not domain errors.
var (
	errNoRoute         = echo.NewHTTPError(http.StatusNotFound, "no such route")
	errAPIUnauthorized = echo.NewHTTPError(http.StatusUnauthorized, "unauthorized")
	errAPIForbidden    = echo.NewHTTPError(http.StatusForbidden, "forbidden")
	errPrecondition    = echo.NewHTTPError(http.StatusPreconditionFailed, "precondition failed")
)

// isAPI reports whether the request is the JSON API's.
func isAPI(c echo.Context) bool { return strings.HasPrefix(c.Request().URL.Path, "/api/") }

// apiFailure is the one shape of every API refusal.
type apiFailure struct {
	Result        string             `json:"result"`
	Error         apiError           `json:"error"`
	ErrorsByField models.FieldErrors `json:"errors_by_field,omitempty"`
}

type apiError struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// apiProblem is how an error reads in the API: its status, code and
// message, and the field errors of a validation failure.
func apiProblem(err error, p problem) (int, apiFailure) {
	f := apiFailure{Result: "failure"}
	status := p.status
	var he *echo.HTTPError
	var fe models.FieldErrors
	var limited *auth.LimitedError
	switch {
	case errors.As(err, &fe):
		status, f.Error, f.ErrorsByField = http.StatusUnprocessableEntity, apiError{"validation_failed", "Some fields are not valid"}, fe
	case errors.Is(err, errNoFields):
		status, f.Error = http.StatusBadRequest, apiError{"no_fields", "Send at least one field to change"}
	case errors.Is(err, errBadJSON):
		status, f.Error = http.StatusBadRequest, apiError{"bad_request", "The body must be one JSON object"}
	case errors.Is(err, errAPIUnauthorized):
		status, f.Error = http.StatusUnauthorized, apiError{"unauthorized", "Send a valid API key in the Authorization header (Bearer, then the key), or sign in"}
	case errors.Is(err, models.ErrAdminRecord):
		status, f.Error = http.StatusForbidden, apiError{"admin_record", "An API key cannot change a merchant admin's record: admins are edited in the admin console"}
	case errors.Is(err, errAPIForbidden) || errors.Is(err, models.ErrForbidden):
		status, f.Error = http.StatusForbidden, apiError{"forbidden", "These credentials may not do this"}
	case errors.Is(err, errCSRF):
		status, f.Error = http.StatusForbidden, apiError{"forbidden", "Send the CSRF token in the X-CSRF-Token header"}
	case errors.Is(err, errPrecondition):
		status, f.Error = http.StatusPreconditionFailed, apiError{"precondition_failed", "The record changed since the version in If-Match"}
	case errors.Is(err, models.ErrConflict):
		status, f.Error = http.StatusConflict, apiError{"conflict", "The record changed since the version sent"}
	case errors.As(err, &limited):
		status, f.Error = http.StatusTooManyRequests, apiError{"rate_limited", "Too many requests: wait, then try again"}
	case errors.As(err, &he) && he.Code == http.StatusMethodNotAllowed:
		status, f.Error = http.StatusMethodNotAllowed, apiError{"method_not_allowed", "This path does not take this method"}
	case errors.Is(err, errMediaType):
		status, f.Error = http.StatusUnsupportedMediaType, apiError{"unsupported_media_type", "This API takes JSON, form or multipart bodies, without files"}
	case errors.Is(err, models.ErrNotFound):
		status, f.Error = http.StatusNotFound, apiError{"not_found", "No such user"}
	case errors.As(err, &he) && he.Code == http.StatusNotFound: // errNoRoute, or Echo's
		status, f.Error = http.StatusNotFound, apiError{"not_found", "No such route"}
	case errors.Is(err, store.ErrIdempotencyKeyReused):
		status, f.Error = http.StatusConflict, apiError{"idempotency_key_reused", "This Idempotency-Key was used for a different request"}
	case errors.Is(err, errLookup):
		status, f.Error = http.StatusBadRequest, apiError{"bad_request", errLookup.Message.(string)}
	case errors.Is(err, errBadIdempotencyKey):
		status, f.Error = http.StatusBadRequest, apiError{"bad_request", errBadIdempotencyKey.Message.(string)}
	default:
		f.Error = apiError{apiCode(status), p.title}
	}
	return status, f
}

// apiCode names a status for the failure shape.
func apiCode(status int) string {
	switch status {
	case http.StatusBadRequest:
		return "bad_request"
	case http.StatusNotFound:
		return "not_found"
	case http.StatusRequestEntityTooLarge:
		return "too_large"
	case http.StatusUnsupportedMediaType:
		return "unsupported_media_type"
	case http.StatusServiceUnavailable:
		return "unavailable"
	case http.StatusForbidden:
		return "forbidden"
	}
	return "internal"
}

// handleAPIError answers an API request's error in the failure shape.
func (a *App) handleAPIError(c echo.Context, err error, p problem) {
	status, f := apiProblem(err, p)
	h := c.Response().Header()
	var limited *auth.LimitedError
	switch {
	case status == http.StatusUnauthorized:
		h.Set("WWW-Authenticate", `Bearer realm="myaccount"`)
	case errors.As(err, &limited):
		h.Set("Retry-After", strconv.Itoa(limited.RetryAfter()))
	}
	if c.Request().Method == http.MethodHead {
		h.Set(echo.HeaderContentType, jsonType)
		_ = c.NoContent(status)
		return
	}
	b, _ := json.Marshal(f)
	_ = c.Blob(status, jsonType, b)
}

// ifMatch checks an If-Match header against the record's version: a
// header that names no current version is a precondition failure.
func ifMatch(c echo.Context, version int) error {
	h := c.Request().Header.Get("If-Match")
	if h == "" || strings.TrimSpace(h) == "*" {
		return nil
	}
	want := etag(version)
	for _, tag := range strings.Split(h, ",") {
		if strings.TrimPrefix(strings.TrimSpace(tag), "W/") == want {
			return nil
		}
	}
	return errPrecondition
}

func etag(version int) string { return `"` + strconv.Itoa(version) + `"` }

// apiUserJSON is the user object, the same keys everywhere.
type apiUserJSON struct {
	ID                           string            `json:"id"`
	Username                     string            `json:"username"`
	Email                        string            `json:"email"`
	EmailVerified                bool              `json:"email_verified"`
	MemberNumber                 string            `json:"member_number"`
	CardNumber                   string            `json:"card_number"`
	ExternalID                   string            `json:"external_id"`
	ReferralCode                 string            `json:"referral_code"`
	NamePrefix                   string            `json:"name_prefix"`
	FirstName                    string            `json:"first_name"`
	MiddleInitial                string            `json:"middle_initial"`
	LastName                     string            `json:"last_name"`
	NameSuffix                   string            `json:"name_suffix"`
	Gender                       string            `json:"gender"`
	Birthday                     *string           `json:"birthday"`
	MobilePhone                  string            `json:"mobile_phone"`
	MobileCarrier                string            `json:"mobile_carrier"`
	Phone                        string            `json:"phone"`
	Fax                          string            `json:"fax"`
	AddressLine1                 string            `json:"address_line1"`
	AddressLine2                 string            `json:"address_line2"`
	AddressLine3                 string            `json:"address_line3"`
	City                         string            `json:"city"`
	State                        string            `json:"state"`
	PostalCode                   string            `json:"postal_code"`
	Country                      string            `json:"country"`
	Language                     string            `json:"language"`
	MailingListSubscribed        bool              `json:"mailing_list_subscribed"`
	PrintedMailingListSubscribed bool              `json:"printed_mailing_list_subscribed"`
	OptInSecondary               bool              `json:"opt_in_secondary"`
	ProgrammeOptedIn             bool              `json:"programme_opted_in"`
	ProgrammeJoinedAt            *time.Time        `json:"programme_joined_at"`
	Organization                 string            `json:"organization"`
	JobTitle                     string            `json:"job_title"`
	Department                   string            `json:"department"`
	Status                       string            `json:"status"`
	Roles                        []string          `json:"roles"`
	LoyaltyStatus                string            `json:"loyalty_status"`
	LoyaltyTier                  string            `json:"loyalty_tier"`
	PointsBalance                int64             `json:"points_balance"`
	HomeStore                    string            `json:"home_store"`
	CustomFields                 map[string]string `json:"custom_fields"`
	Version                      int               `json:"version"`
	CreatedAt                    time.Time         `json:"created_at"`
	UpdatedAt                    time.Time         `json:"updated_at"`
}

func apiUser(u *models.User, m *models.Merchant) apiUserJSON {
	out := apiUserJSON{
		ID: u.ID, Username: u.Username, Email: u.Email, EmailVerified: u.EmailVerified, MemberNumber: u.MemberNumber, CardNumber: u.CardNumber,
		ExternalID: u.ExternalID, ReferralCode: u.ReferralCode, NamePrefix: u.NamePrefix, FirstName: u.FirstName,
		MiddleInitial: u.MiddleInitial, LastName: u.LastName, NameSuffix: u.NameSuffix, Gender: u.Gender,
		MobilePhone: u.Mobile, MobileCarrier: u.MobileCarrier, Phone: u.Phone, Fax: u.Fax,
		AddressLine1: u.AddressLine1, AddressLine2: u.AddressLine2, AddressLine3: u.AddressLine3, City: u.City,
		State: u.State, PostalCode: u.PostalCode, Country: u.Country, Language: u.Language,
		MailingListSubscribed: u.MailingListSubscribed, PrintedMailingListSubscribed: u.PrintedMailingListSubscribed,
		OptInSecondary: u.OptInSecondary, ProgrammeOptedIn: u.ProgrammeOptedIn, Organization: u.Organization,
		JobTitle: u.JobTitle, Department: u.Department, Status: u.Status, Roles: append([]string{}, u.Roles...),
		LoyaltyStatus: u.LoyaltyStatus, LoyaltyTier: u.LoyaltyTier, PointsBalance: u.PointsBalance, HomeStore: u.HomeStore,
		CustomFields: map[string]string{}, Version: u.Version, CreatedAt: u.CreatedAt.UTC(), UpdatedAt: u.UpdatedAt.UTC(),
	}
	if u.Birthday != nil {
		b := u.Birthday.Format(models.DateLayout)
		out.Birthday = &b
	}
	if u.ProgrammeJoinedAt != nil {
		t := u.ProgrammeJoinedAt.UTC().Truncate(time.Second)
		out.ProgrammeJoinedAt = &t
	}
	out.CreatedAt, out.UpdatedAt = out.CreatedAt.Truncate(time.Second), out.UpdatedAt.Truncate(time.Second)
	for _, d := range m.CustomFields {
		if v, ok := u.CustomFields[d.Key]; ok && v != "" {
			out.CustomFields[d.Key] = v
		}
	}
	return out
}

// apiSuccess is the success shape.
type apiSuccess struct {
	Result string      `json:"result"`
	User   apiUserJSON `json:"user"`
}

// userAnswer answers with u, its ETag and status.
func userAnswer(c echo.Context, status int, u *models.User, m *models.Merchant) error {
	body, err := userBody(u, m)
	if err != nil {
		return err
	}
	c.Response().Header().Set("ETag", etag(u.Version))
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.Blob(status, jsonType, body)
}

// jsonType is what every API answer is.
const jsonType = "application/json; charset=utf-8"

// userBody is the success body for u: the same bytes whether it is sent
// now or kept for an idempotent retry.
func userBody(u *models.User, m *models.Merchant) ([]byte, error) {
	return json.Marshal(apiSuccess{Result: "success", User: apiUser(u, m)})
}
