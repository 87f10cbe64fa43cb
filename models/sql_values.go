package models

import (
	"database/sql/driver"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
)

// StringList is a set of short codes stored as one comma-separated column
// (roles, required field names): small, read with the row, no join needed.
type StringList []string

// Value implements driver.Valuer.
func (l StringList) Value() (driver.Value, error) {
	return strings.Join(l, ","), nil
}

// Scan implements sql.Scanner.
func (l *StringList) Scan(src any) error {
	var s string
	switch v := src.(type) {
	case nil:
		*l = nil
		return nil
	case string:
		s = v
	case []byte:
		s = string(v)
	default:
		return fmt.Errorf("StringList: cannot scan %T", src)
	}
	*l = nil
	for _, part := range strings.Split(s, ",") {
		if part = strings.TrimSpace(part); part != "" {
			*l = append(*l, part)
		}
	}
	return nil
}

// Contains reports whether s is in the list.
func (l StringList) Contains(s string) bool { return slices.Contains(l, s) }

// jsonValue and scanJSON store a Go value as JSON text, in the same TEXT
// column on SQLite and PostgreSQL.
func jsonValue(v any) (driver.Value, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	return string(b), nil
}

func scanJSON(src any, dst any) error {
	var b []byte
	switch v := src.(type) {
	case nil:
		return nil
	case string:
		b = []byte(v)
	case []byte:
		b = v
	default:
		return fmt.Errorf("cannot scan %T as JSON", src)
	}
	if len(b) == 0 {
		return nil
	}
	return json.Unmarshal(b, dst)
}

// CustomValues holds a user's values for the merchant's custom fields, by key.
type CustomValues map[string]string

// Value implements driver.Valuer.
func (c CustomValues) Value() (driver.Value, error) {
	if c == nil {
		return "{}", nil
	}
	return jsonValue(map[string]string(c))
}

// Scan implements sql.Scanner.
func (c *CustomValues) Scan(src any) error {
	m := map[string]string{}
	if err := scanJSON(src, &m); err != nil {
		return err
	}
	*c = m
	return nil
}

// Clone returns a copy that can be changed without touching c.
func (c CustomValues) Clone() CustomValues {
	out := make(CustomValues, len(c))
	for k, v := range c {
		out[k] = v
	}
	return out
}
