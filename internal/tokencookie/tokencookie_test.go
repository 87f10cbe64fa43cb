package tokencookie

import (
	"strings"
	"testing"

	"github.com/gorilla/securecookie"
)

const token = "Zm9vYmFyLWJhei1xdXV4LXRva2VuLWZvci10ZXN0cw"

func codec(sz securecookie.Serializer) *securecookie.SecureCookie {
	c := securecookie.New([]byte(strings.Repeat("k", 32)), nil)
	if sz != nil {
		c.SetSerializer(sz)
	}
	return c
}

// A token is signed as its own characters and read back.
func TestTokenRoundTrip(t *testing.T) {
	b, err := Serializer{}.Serialize(token)
	if err != nil || string(b) != token {
		t.Fatalf("Serialize(token) = %q, %v; want the token itself", b, err)
	}
	enc, err := codec(Serializer{}).Encode("s", token)
	if err != nil {
		t.Fatal(err)
	}
	var got string
	if err := codec(Serializer{}).Decode("s", enc, &got); err != nil || got != token {
		t.Fatalf("Decode = %q, %v; want %q", got, err, token)
	}
	// The signature still guards it: another key does not read it.
	other := securecookie.New([]byte(strings.Repeat("x", 32)), nil)
	other.SetSerializer(Serializer{})
	if err := other.Decode("s", enc, &got); err == nil {
		t.Error("a cookie signed with another key was read")
	}
}

// A cookie signed by securecookie's gob default, before this serializer,
// still reads: its users are not signed out.
func TestGobCookiesStillRead(t *testing.T) {
	enc, err := codec(nil).Encode("s", token)
	if err != nil {
		t.Fatal(err)
	}
	var got string
	if err := codec(Serializer{}).Decode("s", enc, &got); err != nil || got != token {
		t.Fatalf("Decode(gob cookie) = %q, %v; want %q", got, err, token)
	}
}

// No gob stream passes for a token, whatever it encodes, so the two
// kinds of cookie are never confused.
func TestGobIsNeverAToken(t *testing.T) {
	type pair struct{ A, B string }
	values := []any{token, "", "a", strings.Repeat("A", 65), strings.Repeat("-", 127), strings.Repeat("z", 300),
		0, 45, 1 << 40, true, 1.5, []byte(token), map[string]string{"A": "B"}, pair{"x", "y"}, []string{token}}
	for _, v := range values {
		b, err := securecookie.GobEncoder{}.Serialize(v)
		if err != nil {
			t.Fatalf("gob %T: %v", v, err)
		}
		if IsToken(b) {
			t.Errorf("gob of %#v (% x) reads as a token", v, b)
		}
	}
	// Anything not a token string goes through gob both ways.
	for _, v := range []any{"has space", 7} {
		b, err := Serializer{}.Serialize(v)
		if err != nil {
			t.Fatal(err)
		}
		if want, _ := (securecookie.GobEncoder{}).Serialize(v); string(b) != string(want) {
			t.Errorf("Serialize(%#v) = % x, want gob's % x", v, b, want)
		}
	}
	var n int
	b, _ := Serializer{}.Serialize(7)
	if err := (Serializer{}).Deserialize(b, &n); err != nil || n != 7 {
		t.Errorf("Deserialize(gob 7) = %d, %v", n, err)
	}
}

func TestIsToken(t *testing.T) {
	for s, want := range map[string]bool{
		token: true, "a": true, "A-_9": true, strings.Repeat("a", 128): true,
		"": false, strings.Repeat("a", 129): false, "a=": false, "a b": false, "a+b": false, "a/b": false, "é": false,
	} {
		if got := IsToken([]byte(s)); got != want {
			t.Errorf("IsToken(%q) = %v, want %v", s, got, want)
		}
	}
}
