package auth

import (
	"net/http"
	"time"

	"github.com/gorilla/securecookie"
	"github.com/labstack/echo/v4"
)

// DeviceCookies are OWASP's device cookies ("Slow Down Online Guessing
// Attacks with Device Cookies"): a browser that signs in to an account is
// given a random token for it, and from then on its password attempts for
// that account are counted against a budget of its own. Failures from
// anywhere else cannot lock it out. The cookie is signed, names at most a
// few accounts (people share browsers), and outlives sessions; the
// database keeps only each token's hash.
type DeviceCookies struct {
	codec  *securecookie.SecureCookie
	name   string
	secure bool
}

const (
	// deviceCookieAge is how long a browser stays a device without
	// signing in again.
	deviceCookieAge = 400 * 24 * time.Hour
	// maxDeviceAccounts is how many accounts one cookie remembers.
	maxDeviceAccounts = 5
)

// deviceEntry is one account the browser signed in to, and its token.
type deviceEntry struct {
	User  string `json:"u"`
	Token string `json:"t"`
}

// NewDeviceCookies returns device cookies signed with secret; behind
// https they are Secure and __Host- prefixed.
func NewDeviceCookies(secret []byte, secure bool) *DeviceCookies {
	codec := securecookie.New(secret, nil)
	codec.MaxAge(int(deviceCookieAge.Seconds()))
	codec.SetSerializer(securecookie.JSONEncoder{})
	name := "myaccount_device"
	if secure {
		name = "__Host-myaccount_device"
	}
	return &DeviceCookies{codec: codec, name: name, secure: secure}
}

func (d *DeviceCookies) entries(c echo.Context) []deviceEntry {
	ck, err := c.Cookie(d.name)
	if err != nil {
		return nil
	}
	var out []deviceEntry
	if d.codec.Decode(d.name, ck.Value, &out) != nil {
		return nil
	}
	return out
}

// Token is the browser's device token for userID, or "".
func (d *DeviceCookies) Token(c echo.Context, userID string) string {
	for _, e := range d.entries(c) {
		if e.User == userID {
			return e.Token
		}
	}
	return ""
}

// Remember makes the browser a device of userID with token, first in its
// list; the least recent account past maxDeviceAccounts is dropped.
func (d *DeviceCookies) Remember(c echo.Context, userID, token string) error {
	list := []deviceEntry{{User: userID, Token: token}}
	for _, e := range d.entries(c) {
		if e.User != userID && len(list) < maxDeviceAccounts {
			list = append(list, e)
		}
	}
	v, err := d.codec.Encode(d.name, list)
	if err != nil {
		return err
	}
	c.SetCookie(&http.Cookie{
		Name: d.name, Value: v, Path: "/", MaxAge: int(deviceCookieAge.Seconds()),
		HttpOnly: true, Secure: d.secure, SameSite: http.SameSiteLaxMode,
	})
	return nil
}
