package auth

import (
	"net/http"
	"strings"

	"github.com/gorilla/securecookie"
	"github.com/labstack/echo/v4"

	"myaccount/models"
)

// Flash carries a one-time message across a redirect (Post/Redirect/Get)
// in a short-lived signed cookie, so showing it costs no database write.
type Flash struct {
	codec  *securecookie.SecureCookie
	secure bool
}

const flashCookie = "myaccount_flash"

// NewFlash returns a Flash signing with secret.
func NewFlash(secret []byte, secure bool) *Flash {
	codec := securecookie.New(secret, nil)
	codec.MaxAge(120)
	return &Flash{codec: codec, secure: secure}
}

// Set stores msg of kind for the next page.
func (f *Flash) Set(c echo.Context, kind models.NoticeKind, msg string) {
	v, err := f.codec.Encode(flashCookie, string(kind)+":"+msg)
	if err != nil {
		return
	}
	c.SetCookie(&http.Cookie{Name: flashCookie, Value: v, Path: "/", MaxAge: 120, HttpOnly: true, Secure: f.secure, SameSite: http.SameSiteLaxMode})
}

// Take returns the stored message and its kind, if any, and clears it.
func (f *Flash) Take(c echo.Context) (kind models.NoticeKind, msg string) {
	ck, err := c.Cookie(flashCookie)
	if err != nil {
		return "", ""
	}
	c.SetCookie(&http.Cookie{Name: flashCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true, Secure: f.secure, SameSite: http.SameSiteLaxMode})
	var v string
	if f.codec.Decode(flashCookie, ck.Value, &v) != nil {
		return "", ""
	}
	name, msg, _ := strings.Cut(v, ":")
	kind, ok := models.ParseNoticeKind(name)
	if !ok {
		return "", ""
	}
	return kind, msg
}
