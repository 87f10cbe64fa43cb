package views

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"slices"
	"strings"

	"github.com/a-h/templ"
)

// APIDocs is the JSON API's OpenAPI document as its reference page shows
// it: the page is rendered from the document the API serves, so the two
// cannot disagree.
type APIDocs struct {
	Title   string
	Version string
	Summary string
	Intro   []Prose
	Schemes []APIScheme
	Groups  []APIGroup
	Schemas []APISchema
}

// APIScheme is a way to authenticate.
type APIScheme struct {
	Name        string
	SentAs      string
	Description Prose
}

// APIGroup is the operations of one tag, in the document's order.
type APIGroup struct {
	ID          string
	Name        string
	Description Prose
	Operations  []APIOperation
}

// APIOperation is one method on one path.
type APIOperation struct {
	ID          string
	Method      string
	Path        string
	Summary     string
	Description Prose
	// Security lists the ways to authenticate, each a list of schemes
	// sent together; empty: anyone may call it.
	Security   [][]string
	Parameters []APIField
	Body       *APIBody
	Responses  []APIResponse
}

// APIBody is an operation's request body.
type APIBody struct {
	Required    bool
	MediaTypes  []string
	Schema      string
	Description []Prose
	Fields      []APIField
}

// APIResponse is what an operation answers with one status.
type APIResponse struct {
	Status      string
	Description Prose
	MediaType   string
	Body        APIType
	Headers     []APIField
}

// APIField is a parameter, a header or a property of an object.
type APIField struct {
	Name        string
	In          string
	Type        APIType
	Required    bool
	Values      []string
	Description Prose
}

// APIType is a type as readers read it, and the schema it names, if one
// of the page's.
type APIType struct {
	Text   string
	Schema string
}

// APISchema is a named schema shown in full.
type APISchema struct {
	Name        string
	Description Prose
	Fields      []APIField
	Example     string
}

// Prose is a description: text in which `backticks` mark code.
type Prose []ProseSpan

// ProseSpan is a run of text, code or not.
type ProseSpan struct {
	Text string
	Code bool
}

// apiDocsSchemas are the schemas the page shows in full, in its order.
var apiDocsSchemas = []string{"Success", "User", "Failure"}

// ParseAPIDocs reads an OpenAPI 3.1 document into the page's terms.
func ParseAPIDocs(b []byte) (APIDocs, error) {
	var d oaDoc
	if err := json.Unmarshal(b, &d); err != nil {
		return APIDocs{}, fmt.Errorf("read the OpenAPI document: %w", err)
	}
	out := APIDocs{Title: d.Info.Title, Version: d.Info.Version, Summary: d.Info.Summary, Intro: paragraphs(d.Info.Description)}
	for _, s := range d.Components.SecuritySchemes {
		out.Schemes = append(out.Schemes, APIScheme{Name: s.Name, SentAs: s.Value.sentAs(), Description: parseProse(s.Value.Description)})
	}
	for _, tag := range d.Tags {
		g := APIGroup{ID: "tag-" + strings.ToLower(tag.Name), Name: tag.Name, Description: parseProse(tag.Description)}
		for _, p := range d.Paths {
			for _, m := range p.Value.operations() {
				if slices.Contains(m.op.Tags, tag.Name) {
					g.Operations = append(g.Operations, d.operation(p.Name, m.method, p.Value, m.op))
				}
			}
		}
		out.Groups = append(out.Groups, g)
	}
	for _, name := range apiDocsSchemas {
		s, ok := d.Components.Schemas[name]
		if !ok {
			return APIDocs{}, fmt.Errorf("the OpenAPI document has no %s schema", name)
		}
		out.Schemas = append(out.Schemas, APISchema{Name: name, Description: parseProse(s.Description), Fields: d.fields(s, ""), Example: example(s)})
	}
	return out, nil
}

func (d *oaDoc) operation(path, method string, item *oaPathItem, op *oaOperation) APIOperation {
	o := APIOperation{ID: "op-" + op.OperationID, Method: method, Path: path, Summary: op.Summary, Description: parseProse(op.Description)}
	for _, req := range op.Security {
		var names []string
		for _, n := range req {
			names = append(names, n.Name)
		}
		o.Security = append(o.Security, names)
	}
	for _, p := range append(slices.Clone(item.Parameters), op.Parameters...) {
		p = d.parameter(p)
		o.Parameters = append(o.Parameters, APIField{Name: p.Name, In: p.In, Type: d.typeOf(p.Schema), Required: p.Required,
			Values: values(p.Schema), Description: parseProse(p.Description)})
	}
	if rb := op.RequestBody; rb != nil && len(rb.Content) > 0 {
		body := &APIBody{Required: rb.Required}
		for _, mt := range rb.Content {
			body.MediaTypes = append(body.MediaTypes, mt.Name)
		}
		schema := rb.Content[0].Value.Schema
		body.Schema = d.typeOf(schema).Text
		resolved := d.schema(schema)
		for _, text := range []string{rb.Description, resolved.Description} {
			if text != "" {
				body.Description = append(body.Description, parseProse(text))
			}
		}
		body.Fields = d.fields(resolved, "")
		o.Body = body
	}
	for _, r := range op.Responses {
		res := d.response(r.Value)
		out := APIResponse{Status: r.Name, Description: parseProse(res.Description)}
		if len(res.Content) > 0 {
			out.MediaType = res.Content[0].Name
			out.Body = d.typeOf(res.Content[0].Value.Schema)
		}
		for _, h := range res.Headers {
			hd := d.header(h.Value)
			out.Headers = append(out.Headers, APIField{Name: h.Name, In: "header", Type: d.typeOf(hd.Schema), Required: hd.Required,
				Values: values(hd.Schema), Description: parseProse(hd.Description)})
		}
		o.Responses = append(o.Responses, out)
	}
	return o
}

// fields lists an object's properties; an inline object's own are listed
// after it, as parent.child.
func (d *oaDoc) fields(s *oaSchema, prefix string) []APIField {
	var out []APIField
	for _, p := range s.Properties {
		out = append(out, APIField{Name: prefix + p.Name, Type: d.typeOf(p.Value), Required: slices.Contains(s.Required, p.Name),
			Values: values(p.Value), Description: parseProse(p.Value.Description)})
		if p.Value.Ref == "" && len(p.Value.Properties) > 0 {
			out = append(out, d.fields(p.Value, prefix+p.Name+".")...)
		}
	}
	return out
}

// typeOf says what type s is: a named schema by its name, else its
// types, format, items and values in words.
func (d *oaDoc) typeOf(s *oaSchema) APIType {
	switch {
	case s == nil:
		return APIType{Text: "any"}
	case s.Ref != "":
		name := refName(s.Ref)
		t := APIType{Text: name}
		if slices.Contains(apiDocsSchemas, name) {
			t.Schema = name
		}
		return t
	case len(s.AllOf) > 0:
		// allOf narrows a named schema (a failure's code, say): it is
		// still that schema.
		return d.typeOf(s.AllOf[0])
	}
	var types []string
	nullable := false
	for _, t := range s.Type {
		if t == "null" {
			nullable = true
			continue
		}
		types = append(types, t)
	}
	text := strings.Join(types, " or ")
	switch {
	case text == "" && len(s.Const) > 0:
		text = constType(s.Const)
	case text == "":
		text = "any"
	case text == "array":
		text = "array of " + d.typeOf(s.Items).Text
	case text == "object" && s.additional() != nil:
		text = "object of " + d.typeOf(s.additional()).Text
	case s.Format != "" && s.Format != "password":
		text += " (" + s.Format + ")"
	}
	if nullable {
		text += " or null"
	}
	return APIType{Text: text}
}

func constType(raw json.RawMessage) string {
	var v any
	_ = json.Unmarshal(raw, &v)
	switch v.(type) {
	case string:
		return "string"
	case bool:
		return "boolean"
	case float64:
		return "number"
	}
	return "any"
}

// values are the values s allows, when it lists them: its const, its
// enum, or its items'.
func values(s *oaSchema) []string {
	if s == nil {
		return nil
	}
	if len(s.Const) > 0 {
		return []string{string(s.Const)}
	}
	if len(s.Enum) == 0 && s.Items != nil {
		return values(s.Items)
	}
	var out []string
	for _, v := range s.Enum {
		out = append(out, string(v))
	}
	return out
}

func example(s *oaSchema) string {
	if len(s.Examples) == 0 {
		return ""
	}
	var buf bytes.Buffer
	if err := json.Indent(&buf, s.Examples[0], "", "  "); err != nil {
		return ""
	}
	return buf.String()
}

func refName(ref string) string { return ref[strings.LastIndex(ref, "/")+1:] }

func (d *oaDoc) schema(s *oaSchema) *oaSchema {
	if s != nil && s.Ref != "" {
		if r, ok := d.Components.Schemas[refName(s.Ref)]; ok {
			return r
		}
	}
	if s == nil {
		return &oaSchema{}
	}
	return s
}

func (d *oaDoc) parameter(p *oaParameter) *oaParameter {
	if p.Ref != "" {
		if r, ok := d.Components.Parameters[refName(p.Ref)]; ok {
			return r
		}
	}
	return p
}

func (d *oaDoc) response(r *oaResponse) *oaResponse {
	if r.Ref != "" {
		if res, ok := d.Components.Responses[refName(r.Ref)]; ok {
			return res
		}
	}
	return r
}

func (d *oaDoc) header(h *oaHeader) *oaHeader {
	if h.Ref != "" {
		if r, ok := d.Components.Headers[refName(h.Ref)]; ok {
			return r
		}
	}
	return h
}

// paragraphs splits a description at its blank lines.
func paragraphs(text string) []Prose {
	var out []Prose
	for p := range strings.SplitSeq(text, "\n\n") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, parseProse(p))
		}
	}
	return out
}

// parseProse reads the one piece of Markdown the document uses: `code`.
func parseProse(text string) Prose {
	var out Prose
	for i, part := range strings.Split(text, "`") {
		if part != "" {
			out = append(out, ProseSpan{Text: part, Code: i%2 == 1})
		}
	}
	return out
}

// Render writes the prose as HTML, code in <code>. It is written here, not
// in templ, so no space comes between a word and the code beside it.
func (p Prose) Render(ctx context.Context, w io.Writer) error {
	for _, s := range p {
		text := html.EscapeString(s.Text)
		if s.Code {
			text = "<code>" + text + "</code>"
		}
		if _, err := io.WriteString(w, text); err != nil {
			return err
		}
	}
	return nil
}

var _ templ.Component = Prose(nil)

// The parts of OpenAPI 3.1 the page reads. Objects whose order the page
// keeps are ordered.

type oaDoc struct {
	Info struct {
		Title       string `json:"title"`
		Version     string `json:"version"`
		Summary     string `json:"summary"`
		Description string `json:"description"`
	} `json:"info"`
	Tags []struct {
		Name        string `json:"name"`
		Description string `json:"description"`
	} `json:"tags"`
	Paths      ordered[*oaPathItem] `json:"paths"`
	Components struct {
		Schemas         map[string]*oaSchema    `json:"schemas"`
		Responses       map[string]*oaResponse  `json:"responses"`
		Parameters      map[string]*oaParameter `json:"parameters"`
		Headers         map[string]*oaHeader    `json:"headers"`
		SecuritySchemes ordered[*oaScheme]      `json:"securitySchemes"`
	} `json:"components"`
}

type oaPathItem struct {
	Parameters []*oaParameter `json:"parameters"`
	Get        *oaOperation   `json:"get"`
	Put        *oaOperation   `json:"put"`
	Post       *oaOperation   `json:"post"`
	Patch      *oaOperation   `json:"patch"`
	Delete     *oaOperation   `json:"delete"`
}

type methodOperation struct {
	method string
	op     *oaOperation
}

func (p *oaPathItem) operations() []methodOperation {
	var out []methodOperation
	for _, m := range []methodOperation{{"GET", p.Get}, {"PUT", p.Put}, {"POST", p.Post}, {"PATCH", p.Patch}, {"DELETE", p.Delete}} {
		if m.op != nil {
			out = append(out, m)
		}
	}
	return out
}

type oaOperation struct {
	Tags        []string             `json:"tags"`
	OperationID string               `json:"operationId"`
	Summary     string               `json:"summary"`
	Description string               `json:"description"`
	Security    []ordered[[]string]  `json:"security"`
	Parameters  []*oaParameter       `json:"parameters"`
	RequestBody *oaRequestBody       `json:"requestBody"`
	Responses   ordered[*oaResponse] `json:"responses"`
}

type oaParameter struct {
	Ref         string    `json:"$ref"`
	Name        string    `json:"name"`
	In          string    `json:"in"`
	Description string    `json:"description"`
	Required    bool      `json:"required"`
	Schema      *oaSchema `json:"schema"`
}

type oaRequestBody struct {
	Description string                `json:"description"`
	Required    bool                  `json:"required"`
	Content     ordered[*oaMediaType] `json:"content"`
}

type oaMediaType struct {
	Schema *oaSchema `json:"schema"`
}

type oaResponse struct {
	Ref         string                `json:"$ref"`
	Description string                `json:"description"`
	Headers     ordered[*oaHeader]    `json:"headers"`
	Content     ordered[*oaMediaType] `json:"content"`
}

type oaHeader struct {
	Ref         string    `json:"$ref"`
	Description string    `json:"description"`
	Required    bool      `json:"required"`
	Schema      *oaSchema `json:"schema"`
}

type oaScheme struct {
	Type        string `json:"type"`
	Scheme      string `json:"scheme"`
	In          string `json:"in"`
	Name        string `json:"name"`
	Description string `json:"description"`
}

// sentAs says where a client puts the credential.
func (s *oaScheme) sentAs() string {
	switch {
	case s.Type == "http" && strings.EqualFold(s.Scheme, "bearer"):
		return "Authorization: Bearer <key>"
	case s.Type == "apiKey" && s.In == "cookie":
		return "Cookie " + s.Name
	case s.Type == "apiKey":
		return s.In + " " + s.Name
	}
	return s.Type
}

type oaSchema struct {
	Ref                  string             `json:"$ref"`
	Type                 oaTypes            `json:"type"`
	Format               string             `json:"format"`
	Description          string             `json:"description"`
	Enum                 []json.RawMessage  `json:"enum"`
	Const                json.RawMessage    `json:"const"`
	Items                *oaSchema          `json:"items"`
	Required             []string           `json:"required"`
	Properties           ordered[*oaSchema] `json:"properties"`
	AdditionalProperties json.RawMessage    `json:"additionalProperties"`
	AllOf                []*oaSchema        `json:"allOf"`
	Examples             []json.RawMessage  `json:"examples"`
}

// additional is the schema of an object's other properties, or nil when
// they are allowed or refused outright.
func (s *oaSchema) additional() *oaSchema {
	if len(s.AdditionalProperties) == 0 || s.AdditionalProperties[0] != '{' {
		return nil
	}
	var a oaSchema
	if err := json.Unmarshal(s.AdditionalProperties, &a); err != nil {
		return nil
	}
	return &a
}

// oaTypes is a schema's type: one name, or (since 3.1) a list of them.
type oaTypes []string

func (t *oaTypes) UnmarshalJSON(b []byte) error {
	if len(b) > 0 && b[0] == '"' {
		var one string
		if err := json.Unmarshal(b, &one); err != nil {
			return err
		}
		*t = oaTypes{one}
		return nil
	}
	return json.Unmarshal(b, (*[]string)(t))
}

// ordered is a JSON object read in the order it is written: the
// document's order is the page's.
type ordered[T any] []named[T]

type named[T any] struct {
	Name  string
	Value T
}

func (o *ordered[T]) UnmarshalJSON(b []byte) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return fmt.Errorf("want an object, got %s", firstChars(b))
	}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		var v T
		if err := dec.Decode(&v); err != nil {
			return err
		}
		*o = append(*o, named[T]{Name: tok.(string), Value: v})
	}
	_, err := dec.Token()
	return err
}

func firstChars(b []byte) string {
	if len(b) > 20 {
		b = b[:20]
	}
	return string(b)
}

// securityProse says how an operation is authenticated: the schemes of
// each way, "and" within a way, "or" between them.
func securityProse(ways [][]string) Prose {
	if len(ways) == 0 {
		return Prose{{Text: "none: anyone may call it."}}
	}
	var out Prose
	for i, way := range ways {
		if i > 0 {
			out = append(out, ProseSpan{Text: ", or "})
		}
		for j, name := range way {
			if j > 0 {
				out = append(out, ProseSpan{Text: " and "})
			}
			out = append(out, ProseSpan{Text: name, Code: true})
		}
	}
	return append(out, ProseSpan{Text: "."})
}

// valuesProse lists the values a field allows.
func valuesProse(values []string) Prose {
	out := Prose{{Text: "One of: "}}
	for i, v := range values {
		if i > 0 {
			out = append(out, ProseSpan{Text: ", "})
		}
		out = append(out, ProseSpan{Text: v, Code: true})
	}
	return out
}
