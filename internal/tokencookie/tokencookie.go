// Package tokencookie is how the session cookie carries its token inside
// securecookie's signature: as the token's own characters, where
// securecookie's default would wrap it in a gob stream. Decoding that
// stream built a gob decoder and compiled its engine on every page, a
// fortieth of the page's CPU for a 43-character string.
//
// Cookies signed before the change still read: the second byte of every
// gob stream is a type id outside the token's alphabet (a predefined
// type's, below '-', or the 0xFF... of a type definition), so what is not a
// token goes to gob as before.
package tokencookie

import "github.com/gorilla/securecookie"

// maxToken is the longest value taken for a token; the application's are
// 43 characters (32 random bytes, base64url).
const maxToken = 128

// Serializer is a securecookie.Serializer: a token string as it is,
// anything else, and every cookie that is not a token, through gob.
type Serializer struct{}

// Serialize returns a token as its bytes, anything else gob-encoded.
func (Serializer) Serialize(src any) ([]byte, error) {
	if s, ok := src.(string); ok && IsToken([]byte(s)) {
		return []byte(s), nil
	}
	return securecookie.GobEncoder{}.Serialize(src)
}

// Deserialize reads a token into a *string; gob reads the rest.
func (Serializer) Deserialize(src []byte, dst any) error {
	if p, ok := dst.(*string); ok && IsToken(src) {
		*p = string(src)
		return nil
	}
	return securecookie.GobEncoder{}.Deserialize(src, dst)
}

// IsToken reports whether b can be a token: 1 to 128 characters of the
// base64url alphabet (RFC 4648 §5), which no gob stream is.
func IsToken(b []byte) bool {
	if len(b) == 0 || len(b) > maxToken {
		return false
	}
	for _, c := range b {
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}
