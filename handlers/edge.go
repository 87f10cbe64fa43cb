package handlers

import (
	"errors"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"unicode/utf8"

	"github.com/labstack/echo/v4"
)

// What the edge refuses before any handler, or the database, sees it.
var (
	// errNotText: a query or form value holds a NUL byte or is not UTF-8.
	// No person types either, and PostgreSQL refuses both.
	errNotText = echo.NewHTTPError(http.StatusBadRequest, "not text")
	// errTooLarge: the body is over --max-body-bytes, however it was sent.
	errTooLarge = echo.NewHTTPError(http.StatusRequestEntityTooLarge, "too large")
	// errMediaType: the body is not a form, and the pages take only forms.
	errMediaType = echo.NewHTTPError(http.StatusUnsupportedMediaType, "not a form")
	// errBadForm: the body claims to be a form but cannot be read as one.
	errBadForm = echo.NewHTTPError(http.StatusBadRequest, "form")
)

// ctxHead marks a HEAD request routed as a GET.
const ctxHead = "edge.head"

// headAsGet routes HEAD like GET, so every page and health check answers
// it (monitors and proxies use HEAD). It runs before routing (Echo's Pre);
// restoreHead puts the method back before anything else runs, so
// net/http, which shares the request, still sends no body.
func headAsGet(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if r := c.Request(); r.Method == http.MethodHead {
			r.Method = http.MethodGet
			c.Set(ctxHead, true)
		}
		return next(c)
	}
}

// restoreHead is the first middleware after routing: see headAsGet.
func restoreHead(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if head, _ := c.Get(ctxHead).(bool); head {
			c.Request().Method = http.MethodHead
		}
		return next(c)
	}
}

// limitBody refuses a body over max bytes with 413: at once when its
// Content-Length says so, and when reading passes max otherwise (a
// chunked body has no length up front).
func limitBody(max int64) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			r := c.Request()
			if r.ContentLength > max {
				return errTooLarge
			}
			if r.Body != nil && r.Body != http.NoBody {
				r.Body = http.MaxBytesReader(c.Response(), r.Body, max)
			}
			return next(c)
		}
	}
}

// textQuery refuses a query string whose keys or values are not text.
func textQuery(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if !allText(c.QueryParams()) {
			return errNotText
		}
		return next(c)
	}
}

// formBody reads the body of a state-changing request as a form, before
// the CSRF check and the handlers read it, and keeps only what the body
// holds: Echo's FormValue and the CSRF middleware would otherwise also
// take values from the query string, where passwords and tokens must
// never travel. A body of another type is refused with 415, a body over
// the limit with 413, and one whose values are not text with 400.
func formBody(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		r := c.Request()
		switch r.Method {
		case http.MethodGet, http.MethodHead, http.MethodOptions:
			return next(c)
		}
		if err := parseFormBody(r); err != nil {
			return err
		}
		if !allText(r.PostForm) {
			return errNotText
		}
		r.Form = r.PostForm
		return next(c)
	}
}

// parseFormBody parses r's body into r.PostForm. A request without a body
// is an empty form.
func parseFormBody(r *http.Request) error {
	ct := r.Header.Get(echo.HeaderContentType)
	if ct == "" && (r.ContentLength == 0 || r.Body == nil || r.Body == http.NoBody) {
		r.PostForm = url.Values{}
		return nil
	}
	media, _, err := mime.ParseMediaType(ct)
	if err != nil {
		return errMediaType
	}
	switch media {
	case echo.MIMEApplicationForm:
		err = r.ParseForm()
	case echo.MIMEMultipartForm:
		// Files are never taken: the limit in memory is the body limit.
		err = r.ParseMultipartForm(32 << 10)
		if r.MultipartForm != nil {
			if len(r.MultipartForm.File) > 0 {
				_ = r.MultipartForm.RemoveAll()
				return errMediaType
			}
		}
	default:
		return errMediaType
	}
	var tooLarge *http.MaxBytesError
	switch {
	case errors.As(err, &tooLarge):
		return errTooLarge
	case err != nil:
		return errBadForm
	}
	return nil
}

// allText reports whether every key and value in v is UTF-8 without NUL.
func allText(v url.Values) bool {
	for k, vals := range v {
		if !isText(k) {
			return false
		}
		for _, s := range vals {
			if !isText(s) {
				return false
			}
		}
	}
	return true
}

func isText(s string) bool {
	return utf8.ValidString(s) && !strings.ContainsRune(s, 0)
}
