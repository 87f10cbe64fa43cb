package testapp

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"mime"
	"mime/multipart"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"
)

// DocumentPath is where the app serves the JSON API's OpenAPI document.
const DocumentPath = "/api/v1/openapi.json"

// Contract is the JSON API's OpenAPI 3.1 document, as a running app serves
// it, and the checks of requests and answers against it. It is read from
// the app, not imported, so what is checked is what clients are given.
type Contract struct {
	doc    *openapi3.T
	router routers.Router
}

// LoadContract fetches the document from the app at baseURL, and refuses
// one that is not valid OpenAPI 3.1.
func LoadContract(ctx context.Context, hc *http.Client, baseURL string) (*Contract, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, baseURL+DocumentPath, nil)
	if err != nil {
		return nil, err
	}
	res, err := hc.Do(req)
	if err != nil {
		return nil, fmt.Errorf("GET %s: %w", DocumentPath, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		return nil, fmt.Errorf("GET %s: %w", DocumentPath, err)
	}
	if res.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET %s: got status %d, want 200", DocumentPath, res.StatusCode)
	}
	return ParseContract(ctx, b)
}

// ParseContract loads an OpenAPI 3.1 document and checks that it is one.
func ParseContract(ctx context.Context, b []byte) (*Contract, error) {
	loader := openapi3.NewLoader()
	loader.Context = ctx
	doc, err := loader.LoadFromData(b)
	if err != nil {
		return nil, fmt.Errorf("load the OpenAPI document: %w", err)
	}
	if !doc.IsOpenAPI31OrLater() || !strings.HasPrefix(doc.OpenAPI, "3.1.") {
		return nil, fmt.Errorf("the document is OpenAPI %q, want 3.1.x", doc.OpenAPI)
	}
	if err := doc.Validate(ctx, openapi3.EnableExamplesValidation(), openapi3.EnableSchemaFormatValidation(),
		openapi3.EnableSchemaPatternValidation()); err != nil {
		return nil, fmt.Errorf("the document is not valid OpenAPI 3.1: %w", err)
	}
	router, err := gorillamux.NewRouter(doc)
	if err != nil {
		return nil, fmt.Errorf("route the document's paths: %w", err)
	}
	return &Contract{doc: doc, router: router}, nil
}

// Doc is the loaded document.
func (c *Contract) Doc() *openapi3.T { return c.doc }

// Exchange is one request and the answer it got, their bodies read.
type Exchange struct {
	Request     *http.Request
	RequestBody []byte
	Status      int
	Header      http.Header
	Body        []byte
}

// Check reports every way ex departs from the document, or nil. A
// request the document does not allow is a mistake of the test unless
// offContract says it is sent on purpose; then it must break the
// document, and the app must refuse it with a documented failure.
func (c *Contract) Check(ex Exchange, offContract bool) error {
	req := ex.Request
	name := req.Method + " " + req.URL.Path
	route, params, err := c.router.FindRoute(asGet(req))
	if err != nil {
		if !offContract {
			return fmt.Errorf("%s is not in the document (%v); send it OffContract() if the test means to", name, err)
		}
		return c.checkRefusal(ex, nil)
	}
	in := &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route, Options: requestOptions()}
	reqErr := c.checkRequest(in, ex.RequestBody)
	var errs []error
	switch {
	case reqErr != nil && !offContract:
		errs = append(errs, fmt.Errorf("the request does not match the document (send it OffContract() if the test means to): %w", reqErr))
	case reqErr == nil && offContract:
		errs = append(errs, errors.New("the request was sent OffContract() but matches the document: send it as it is"))
	case reqErr != nil && offContract:
		if err := c.checkRefusal(ex, route); err != nil {
			errs = append(errs, err)
		}
	}
	if err := checkAnswer(in, ex); err != nil {
		errs = append(errs, err)
	}
	if len(errs) == 0 {
		return nil
	}
	return fmt.Errorf("%s against the document (%s %s): %w", name, route.Method, route.Path, errors.Join(errs...))
}

// asGet is req as a GET when it is a HEAD: the document describes GET,
// and HEAD answers as GET does, without a body.
func asGet(req *http.Request) *http.Request {
	if req.Method != http.MethodHead {
		return req
	}
	r := req.Clone(req.Context())
	r.Method = http.MethodGet
	return r
}

func requestOptions() *openapi3filter.Options {
	o := &openapi3filter.Options{
		// The body is checked by checkBody, which reads forms the way the
		// API does; the rest by openapi3filter.
		ExcludeRequestBody: true,
		// Credentials are the app's to judge (401 and 403 are documented
		// answers); the document only names them.
		AuthenticationFunc: openapi3filter.NoopAuthenticationFunc,
		MultiError:         true,
	}
	o.WithCustomSchemaErrorFunc(schemaReason)
	return o
}

func (c *Contract) checkRequest(in *openapi3filter.RequestValidationInput, body []byte) error {
	var errs []error
	if err := openapi3filter.ValidateRequest(in.Request.Context(), in); err != nil {
		errs = append(errs, errors.New(reasons(err)))
	}
	declared := map[string]*openapi3.Parameter{}
	for _, p := range append(slices.Clone(in.Route.PathItem.Parameters), in.Route.Operation.Parameters...) {
		if p.Value != nil && p.Value.In == openapi3.ParameterInQuery {
			declared[p.Value.Name] = p.Value
		}
	}
	for name, values := range in.Request.URL.Query() {
		p := declared[name]
		if p == nil {
			errs = append(errs, fmt.Errorf("query parameter %q is not in the document", name))
		}
		// openapi3filter reads the first of a repeated value; the
		// document gives a parameter that is not a list one value.
		if p != nil && len(values) > 1 && (p.Schema == nil || p.Schema.Value == nil || !p.Schema.Value.Type.Includes(openapi3.TypeArray)) {
			errs = append(errs, fmt.Errorf("query parameter %q is sent %d times, and is not a list", name, len(values)))
		}
		if err := text(name, values); err != nil {
			errs = append(errs, err)
		}
	}
	if err := checkBody(in, body); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// checkBody decodes the body by its Content-Type, as the API reads it,
// and checks it against the schema of that media type.
func checkBody(in *openapi3filter.RequestValidationInput, body []byte) error {
	rb := in.Route.Operation.RequestBody
	if rb == nil || rb.Value == nil {
		if len(body) > 0 {
			return errors.New("the operation takes no body")
		}
		return nil
	}
	if len(body) == 0 {
		if rb.Value.Required {
			return errors.New("the operation needs a body")
		}
		return nil
	}
	ct := in.Request.Header.Get("Content-Type")
	mt, params, err := mime.ParseMediaType(ct)
	if err != nil {
		return fmt.Errorf("Content-Type %q: %v", ct, err)
	}
	media := rb.Value.Content.Get(mt)
	if media == nil || media.Schema == nil || media.Schema.Value == nil {
		return fmt.Errorf("Content-Type %q is not one the document accepts (%s)", mt, strings.Join(slices.Sorted(maps.Keys(rb.Value.Content)), ", "))
	}
	schema := media.Schema.Value
	var value any
	switch mt {
	case "application/json":
		if err := json.Unmarshal(body, &value); err != nil {
			return fmt.Errorf("the body is not JSON: %v", err)
		}
		if !utf8.Valid(body) {
			return errors.New("the body is not UTF-8")
		}
	case "application/x-www-form-urlencoded":
		form, err := url.ParseQuery(string(body))
		if err != nil {
			return fmt.Errorf("the body is not a urlencoded form: %v", err)
		}
		value = formValue(form, schema)
	case "multipart/form-data":
		form, err := readMultipart(body, params["boundary"])
		if err != nil {
			return fmt.Errorf("the body is not a multipart form: %v", err)
		}
		value = formValue(form, schema)
	default:
		return fmt.Errorf("no decoder for %s bodies", mt)
	}
	if err := textValue("body", value); err != nil {
		return err
	}
	if err := schema.VisitJSON(value, openapi3.EnableJSONSchema2020(), openapi3.MultiErrors(), openapi3.VisitAsRequest(),
		openapi3.SetSchemaErrorMessageCustomizer(schemaReason)); err != nil {
		return fmt.Errorf("the %s body does not match its schema: %s", mt, reasons(err))
	}
	return nil
}

// formValue turns a form into the object its schema describes, as the
// API reads forms: booleans and integers from their text, an array from
// repeated or comma-separated values, custom_fields[key]=value into an
// object. Names the schema does not know are kept, so it can refuse them.
func formValue(form url.Values, schema *openapi3.Schema) map[string]any {
	out := map[string]any{}
	for name, values := range form {
		base, key, nested := strings.Cut(name, "[")
		prop := propertySchema(schema, base)
		if nested && strings.HasSuffix(key, "]") {
			obj, _ := out[base].(map[string]any)
			if obj == nil {
				obj = map[string]any{}
				out[base] = obj
			}
			var item *openapi3.Schema
			if prop != nil && prop.AdditionalProperties.Schema != nil {
				item = prop.AdditionalProperties.Schema.Value
			}
			obj[strings.TrimSuffix(key, "]")] = formField(values, item)
			continue
		}
		out[name] = formField(values, prop)
	}
	return out
}

func propertySchema(schema *openapi3.Schema, name string) *openapi3.Schema {
	if p := schema.Properties[name]; p != nil {
		return p.Value
	}
	return nil
}

func formField(values []string, schema *openapi3.Schema) any {
	if schema != nil && schema.Type.Includes(openapi3.TypeArray) {
		var items *openapi3.Schema
		if schema.Items != nil {
			items = schema.Items.Value
		}
		out := []any{}
		for _, v := range values {
			for part := range strings.SplitSeq(v, ",") {
				out = append(out, formScalar(strings.TrimSpace(part), items))
			}
		}
		return out
	}
	if len(values) != 1 {
		out := make([]any, len(values))
		for i, v := range values {
			out[i] = v
		}
		return out
	}
	return formScalar(values[0], schema)
}

func formScalar(v string, schema *openapi3.Schema) any {
	if schema == nil {
		return v
	}
	if schema.Type.Includes(openapi3.TypeBoolean) {
		if b, err := strconv.ParseBool(v); err == nil && (v == "true" || v == "false") {
			return b
		}
	}
	if schema.Type.Includes(openapi3.TypeInteger) || schema.Type.Includes(openapi3.TypeNumber) {
		if n, err := strconv.ParseFloat(v, 64); err == nil {
			return n
		}
	}
	return v
}

func readMultipart(body []byte, boundary string) (url.Values, error) {
	if boundary == "" {
		return nil, errors.New("no boundary")
	}
	r := multipart.NewReader(bytes.NewReader(body), boundary)
	form := url.Values{}
	for {
		part, err := r.NextPart()
		if err == io.EOF {
			return form, nil
		}
		if err != nil {
			return nil, err
		}
		b, err := io.ReadAll(part)
		if err != nil {
			return nil, err
		}
		form.Add(part.FormName(), string(b))
	}
}

// text refuses what the API refuses as not text: bytes that are not
// UTF-8, and NUL.
func text(where string, values []string) error {
	for _, v := range values {
		if !utf8.ValidString(v) {
			return fmt.Errorf("%s: not UTF-8", where)
		}
		if strings.ContainsRune(v, 0) {
			return fmt.Errorf("%s: holds a NUL", where)
		}
	}
	return nil
}

func textValue(where string, v any) error {
	switch v := v.(type) {
	case string:
		return text(where, []string{v})
	case []any:
		for i, e := range v {
			if err := textValue(fmt.Sprintf("%s/%d", where, i), e); err != nil {
				return err
			}
		}
	case map[string]any:
		for k, e := range v {
			if err := text(where, []string{k}); err != nil {
				return err
			}
			if err := textValue(where+"/"+k, e); err != nil {
				return err
			}
		}
	}
	return nil
}

// checkRefusal checks the answer to a request the document does not
// allow: a 4xx failure in the one shape, documented for the operation
// when there is one (a method or path it does not have gets 404 or 405).
func (c *Contract) checkRefusal(ex Exchange, route *routers.Route) error {
	if ex.Status < 400 || ex.Status > 499 {
		return fmt.Errorf("%s %s breaks the document, so it must be refused with a 4xx: got status %d\n%s",
			ex.Request.Method, ex.Request.URL.Path, ex.Status, firstBytes(string(ex.Body), 2000))
	}
	if route != nil {
		return nil // checkAnswer holds the answer to what the operation documents
	}
	if ex.Request.Method == http.MethodHead {
		return nil
	}
	failure := c.doc.Components.Schemas["Failure"]
	if failure == nil || failure.Value == nil {
		return errors.New("the document has no Failure schema")
	}
	if mt, params, _ := mime.ParseMediaType(ex.Header.Get("Content-Type")); mt != "application/json" || !strings.EqualFold(params["charset"], "utf-8") {
		return fmt.Errorf("%s %s: got Content-Type %q, want application/json; charset=utf-8", ex.Request.Method, ex.Request.URL.Path, ex.Header.Get("Content-Type"))
	}
	var v any
	if err := json.Unmarshal(ex.Body, &v); err != nil {
		return fmt.Errorf("%s %s: the answer is not JSON: %v", ex.Request.Method, ex.Request.URL.Path, err)
	}
	if err := failure.Value.VisitJSON(v, openapi3.EnableJSONSchema2020(), openapi3.MultiErrors(), openapi3.VisitAsResponse(),
		openapi3.SetSchemaErrorMessageCustomizer(schemaReason)); err != nil {
		return fmt.Errorf("%s %s: the answer is not a Failure: %s\n%s", ex.Request.Method, ex.Request.URL.Path, reasons(err), firstBytes(string(ex.Body), 2000))
	}
	return nil
}

// checkAnswer checks the status, the headers and the body of the answer
// against what the operation documents for that status.
func checkAnswer(in *openapi3filter.RequestValidationInput, ex Exchange) error {
	op := in.Route.Operation
	if op.Responses.Status(ex.Status) == nil && op.Responses.Default() == nil {
		return fmt.Errorf("status %d is not documented (documented: %s)\n%s", ex.Status,
			strings.Join(op.Responses.Keys(), ", "), firstBytes(string(ex.Body), 2000))
	}
	head := ex.Request.Method == http.MethodHead
	if head && len(ex.Body) > 0 {
		return fmt.Errorf("HEAD answered with a body of %d bytes", len(ex.Body))
	}
	// openapi3filter reads JSON bodies; a page (text/html) is checked for
	// its media type only.
	skipBody := head
	if mt, _, _ := mime.ParseMediaType(ex.Header.Get("Content-Type")); strings.HasPrefix(mt, "text/") {
		if r := op.Responses.Status(ex.Status); r != nil && r.Value != nil && r.Value.Content.Get(mt) == nil {
			return fmt.Errorf("the %d answer is %s, which the document does not list for it", ex.Status, mt)
		}
		skipBody = true
	}
	out := &openapi3filter.ResponseValidationInput{
		// HEAD is checked as the GET it stands for, without the body.
		RequestValidationInput: &openapi3filter.RequestValidationInput{Request: asGet(in.Request), PathParams: in.PathParams, Route: in.Route},
		Status:                 ex.Status,
		Header:                 ex.Header,
		Options:                &openapi3filter.Options{IncludeResponseStatus: true, MultiError: true, ExcludeResponseBody: skipBody},
	}
	out.Options.WithCustomSchemaErrorFunc(schemaReason)
	out.SetBodyBytes(ex.Body)
	if err := openapi3filter.ValidateResponse(in.Request.Context(), out); err != nil {
		return fmt.Errorf("the %d answer does not match the document: %s\n%s", ex.Status, reasons(err), firstBytes(string(ex.Body), 2000))
	}
	return nil
}

// schemaReason is a schema error without the schema and the value that
// openapi3 appends: the failing test prints the body once, itself.
func schemaReason(err *openapi3.SchemaError) string {
	var lines []string
	for line := range strings.SplitSeq(err.Reason, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "jsonschema validation failed") {
			continue
		}
		lines = append(lines, strings.TrimPrefix(line, "- "))
	}
	if len(lines) == 0 {
		return err.Reason
	}
	return strings.Join(lines, "; ")
}

// reasons spells out an error of openapi3, one reason after the other.
func reasons(err error) string {
	// Only a list at the top: one inside an error keeps that error's words.
	if me, ok := err.(openapi3.MultiError); ok {
		parts := make([]string, 0, len(me))
		for _, e := range me {
			parts = append(parts, reasons(e))
		}
		return strings.Join(parts, "; ")
	}
	return err.Error()
}

// Operations lists the document's operations as "METHOD /path", sorted.
func (c *Contract) Operations() []string {
	var out []string
	for path, item := range c.doc.Paths.Map() {
		for method := range item.Operations() {
			out = append(out, strings.ToUpper(method)+" "+path)
		}
	}
	slices.Sort(out)
	return out
}

// CheckSchemaExamples checks the examples of each component schema
// against it: loading checks those of media types and parameters only.
func (c *Contract) CheckSchemaExamples() error {
	var errs []error
	for _, name := range slices.Sorted(maps.Keys(c.doc.Components.Schemas)) {
		s := c.doc.Components.Schemas[name].Value
		for i, ex := range s.Examples {
			if err := s.VisitJSON(ex, openapi3.EnableJSONSchema2020(), openapi3.MultiErrors(),
				openapi3.SetSchemaErrorMessageCustomizer(schemaReason)); err != nil {
				errs = append(errs, fmt.Errorf("schema %s, example %d: %s", name, i, reasons(err)))
			}
		}
	}
	return errors.Join(errs...)
}
