package views

import (
	"bytes"
	"context"
	"encoding/json"
	"slices"
	"testing"
)

// Types read as words: names of schemas, null as "or null", arrays and
// maps by what they hold, formats in brackets.
func TestAPITypeText(t *testing.T) {
	d := &oaDoc{}
	for _, tc := range []struct{ schema, want string }{
		{`{"type": "string"}`, "string"},
		{`{"type": ["string", "null"]}`, "string or null"},
		{`{"type": ["string", "null"], "format": "date"}`, "string (date) or null"},
		{`{"type": "string", "format": "password"}`, "string"},
		{`{"type": "array", "items": {"type": "string", "enum": ["a"]}}`, "array of string"},
		{`{"type": "object", "additionalProperties": {"type": ["string", "null"]}}`, "object of string or null"},
		{`{"type": "object", "additionalProperties": false}`, "object"},
		{`{"$ref": "#/components/schemas/User"}`, "User"},
		{`{"allOf": [{"$ref": "#/components/schemas/Failure"}, {"required": ["errors_by_field"]}]}`, "Failure"},
		{`{"const": "success"}`, "string"},
		{`{}`, "any"},
	} {
		var s oaSchema
		if err := json.Unmarshal([]byte(tc.schema), &s); err != nil {
			t.Fatalf("%s: %v", tc.schema, err)
		}
		if got := d.typeOf(&s).Text; got != tc.want {
			t.Errorf("%s: got %q, want %q", tc.schema, got, tc.want)
		}
	}
}

// Backticks in descriptions become <code>, and the text is escaped.
func TestProseRender(t *testing.T) {
	for _, tc := range []struct{ text, want string }{
		{"plain", "plain"},
		{"send `If-Match` or `*`.", "send <code>If-Match</code> or <code>*</code>."},
		{"`<version>` & more", "<code>&lt;version&gt;</code> &amp; more"},
	} {
		var buf bytes.Buffer
		if err := parseProse(tc.text).Render(context.Background(), &buf); err != nil {
			t.Fatal(err)
		}
		if got := buf.String(); got != tc.want {
			t.Errorf("%q: got %q, want %q", tc.text, got, tc.want)
		}
	}
}

// Objects keep the order they are written in: the page follows the
// document.
func TestOrderedObject(t *testing.T) {
	var o ordered[int]
	if err := json.Unmarshal([]byte(`{"z": 1, "a": 2, "m": 3}`), &o); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range o {
		got = append(got, e.Name)
	}
	if want := []string{"z", "a", "m"}; !slices.Equal(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
	if err := json.Unmarshal([]byte(`[1]`), &o); err == nil {
		t.Errorf("an array: got no error, want one")
	}
}
