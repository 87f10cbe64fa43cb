package store

import (
	"context"
	"fmt"
	"reflect"
	"strings"
	"sync"

	"gorm.io/gorm"
	"gorm.io/gorm/schema"
)

// columns is a model's columns in a fixed order, with the fields they
// scan into, taken once from GORM's own schema of the model: a hot read
// can then scan rows with database/sql alone, without GORM's reflection
// and column lookups on every row, and still never name a column twice
// in the code.
type columns struct {
	names  []string
	fields []*schema.Field
}

var (
	columnsMu    sync.Mutex
	columnsCache = map[reflect.Type]*columns{}
)

// columnsOf is the columns of model (a pointer to a struct GORM maps).
func columnsOf(db *gorm.DB, model any) (*columns, error) {
	t := reflect.TypeOf(model)
	columnsMu.Lock()
	defer columnsMu.Unlock()
	if c, ok := columnsCache[t]; ok {
		return c, nil
	}
	stmt := &gorm.Statement{DB: db}
	if err := stmt.Parse(model); err != nil {
		return nil, fmt.Errorf("schema of %s: %w", t, err)
	}
	c := &columns{}
	for _, f := range stmt.Schema.Fields {
		if f.DBName == "" || !f.Readable {
			continue
		}
		c.names = append(c.names, f.DBName)
		c.fields = append(c.fields, f)
	}
	columnsCache[t] = c
	return c, nil
}

// list is the columns for a SELECT, each qualified by alias.
func (c *columns) list(alias string) string {
	var b strings.Builder
	for i, n := range c.names {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(alias + "." + n)
	}
	return b.String()
}

// appendTargets appends pointers to the fields of dest (a pointer to the
// model) in column order, for Rows.Scan.
func (c *columns) appendTargets(ctx context.Context, targets []any, dest any) []any {
	v := reflect.ValueOf(dest).Elem()
	for _, f := range c.fields {
		targets = append(targets, f.ReflectValueOf(ctx, v).Addr().Interface())
	}
	return targets
}
