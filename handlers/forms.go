package handlers

import (
	"net/url"

	"github.com/labstack/echo/v4"
)

// formReader is a form type that reads its own fields: the profile and
// settings forms, whose field names come from the merchant's data.
type formReader interface {
	ReadForm(url.Values) error
}

// bindForm fills dst, one of the models' input types, from the request's
// form: a formReader reads it itself, any other type is bound by its form
// tags with Echo's binder. The edge parsed the body already and kept only
// it, so nothing is taken from the query string.
func bindForm(c echo.Context, dst any) error {
	form, err := c.FormParams()
	if err != nil {
		return errBadForm
	}
	if r, ok := dst.(formReader); ok {
		return r.ReadForm(form)
	}
	if err := (&echo.DefaultBinder{}).BindBody(c, dst); err != nil {
		return errBadForm
	}
	return nil
}

// bindQuery fills dst, one of the models' GET forms, from the query
// string by its query tags. The edge already refused values that are
// not text.
func bindQuery(c echo.Context, dst any) error {
	if err := (&echo.DefaultBinder{}).BindQueryParams(c, dst); err != nil {
		return errBadForm
	}
	return nil
}
