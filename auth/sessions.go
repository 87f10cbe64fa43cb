package auth

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/gorilla/securecookie"
	"github.com/gorilla/sessions"

	"myaccount/internal/tokencookie"
	"myaccount/models"
	"myaccount/store"
)

// Session value keys.
const (
	keyUserID = "user_id"
	keyAuthAt = "auth_at" // unix seconds of the last password check
)

// rowKey holds the loaded row in a session's Values; it is not stored.
type rowKey struct{}

// signedKey holds the user and merchant read with the session row, so
// that loading the signed-in user costs no query of its own.
type signedKey struct{}

type signed struct {
	user     *models.User
	merchant *models.Merchant
}

// SessionConfig sets how sessions behave.
type SessionConfig struct {
	// Secret signs the session cookie.
	Secret []byte
	// Secure marks cookies Secure and names the session cookie with the
	// __Host- prefix; on when the base URL is https.
	Secure bool
	// IdleTimeout ends a session unused this long.
	IdleTimeout time.Duration
	// MaxAge ends a session this long after sign-in, used or not.
	MaxAge time.Duration
}

// SessionStore is a gorilla/sessions Store over the sessions table: the
// cookie holds a random token, the data lives in the database, so a session
// can be listed and revoked. The token is stored only as its SHA-256.
type SessionStore struct {
	rows  *store.Sessions
	codec *securecookie.SecureCookie
	cfg   SessionConfig
	name  string
	now   func() time.Time
}

// NewSessionStore returns a store keeping rows in rows.
func NewSessionStore(rows *store.Sessions, cfg SessionConfig) *SessionStore {
	codec := securecookie.New(cfg.Secret, nil)
	codec.SetSerializer(tokencookie.Serializer{})
	codec.MaxAge(int(cfg.MaxAge.Seconds()))
	name := "myaccount_session"
	if cfg.Secure {
		name = "__Host-myaccount_session"
	}
	return &SessionStore{rows: rows, codec: codec, cfg: cfg, name: name, now: func() time.Time { return time.Now().UTC() }}
}

// CookieName is the session cookie's name.
func (s *SessionStore) CookieName() string { return s.name }

// Get returns the request's session, loading it once per request.
func (s *SessionStore) Get(r *http.Request, name string) (*sessions.Session, error) {
	return sessions.GetRegistry(r).Get(s, name)
}

func (s *SessionStore) options() *sessions.Options {
	// No MaxAge: the cookie goes when the browser closes; the server ends
	// the session earlier when it is idle or too old.
	return &sessions.Options{Path: "/", HttpOnly: true, Secure: s.cfg.Secure, SameSite: http.SameSiteLaxMode}
}

// New loads the session named by the request's cookie, or starts an empty
// one when there is none, it is forged, expired or idle too long.
func (s *SessionStore) New(r *http.Request, name string) (*sessions.Session, error) {
	sess := sessions.NewSession(s, name)
	sess.Options = s.options()
	sess.IsNew = true
	c, err := r.Cookie(name)
	if err != nil {
		return sess, nil
	}
	var token string
	if s.codec.Decode(name, c.Value, &token) != nil {
		return sess, nil
	}
	now := s.now()
	row, user, merchant, err := s.rows.Get(r.Context(), hashToken(token), now)
	if errors.Is(err, models.ErrNotFound) {
		return sess, nil
	}
	if err != nil {
		return sess, fmt.Errorf("load session: %w", err)
	}
	if s.cfg.IdleTimeout > 0 && now.Sub(row.LastSeenAt) > s.cfg.IdleTimeout {
		if err := s.rows.Delete(r.Context(), row.ID); err != nil {
			return sess, fmt.Errorf("end idle session: %w", err)
		}
		return sess, nil
	}
	if row.Data != "" && row.Data != emptyData {
		values := map[string]any{}
		if err := json.Unmarshal([]byte(row.Data), &values); err != nil {
			return sess, fmt.Errorf("decode session: %w", err)
		}
		for k, v := range values {
			sess.Values[k] = v
		}
	}
	// The user_id and authenticated_at columns are the record of who is
	// signed in and of their last password check; a copy in the data
	// (sessions saved before the columns were) only follows them.
	delete(sess.Values, keyUserID)
	delete(sess.Values, keyAuthAt)
	if row.UserID != nil {
		sess.Values[keyUserID] = *row.UserID
	}
	if row.AuthenticatedAt != nil {
		sess.Values[keyAuthAt] = row.AuthenticatedAt.Unix()
	}
	sess.Values[rowKey{}] = row
	if user != nil {
		sess.Values[signedKey{}] = signed{user, merchant}
	}
	sess.ID = token
	sess.IsNew = false
	return sess, nil
}

// Save stores the session and sets its cookie; a negative MaxAge ends it.
func (s *SessionStore) Save(r *http.Request, w http.ResponseWriter, sess *sessions.Session) error {
	ctx := r.Context()
	if sess.Options != nil && sess.Options.MaxAge < 0 {
		if sess.ID != "" {
			if err := s.rows.Delete(ctx, hashToken(sess.ID)); err != nil {
				return fmt.Errorf("end session: %w", err)
			}
		}
		http.SetCookie(w, sessions.NewCookie(s.name, "", sess.Options))
		return nil
	}
	values := map[string]any{}
	for k, v := range sess.Values {
		if key, ok := k.(string); ok {
			values[key] = v
		}
	}
	data, err := sessionData(values)
	if err != nil {
		return err
	}
	now := s.now()
	row, _ := sess.Values[rowKey{}].(*models.Session)
	if sess.ID == "" || row == nil {
		token, err := newToken()
		if err != nil {
			return err
		}
		row = &models.Session{
			ID: hashToken(token), Data: string(data), CreatedAt: now, LastSeenAt: now,
			ExpiresAt: now.Add(s.cfg.MaxAge), IP: clientIP(r), UserAgent: models.StorableText(r.UserAgent(), models.MaxUserAgent),
		}
		fillUser(row, values, now)
		if err := s.rows.Create(ctx, row); err != nil {
			return err
		}
		sess.ID = token
		sess.Values[rowKey{}] = row
	} else {
		row.Data, row.LastSeenAt = string(data), now
		fillUser(row, values, now)
		if err := s.rows.Update(ctx, row); err != nil {
			return err
		}
	}
	encoded, err := s.codec.Encode(s.name, sess.ID)
	if err != nil {
		return fmt.Errorf("sign session cookie: %w", err)
	}
	http.SetCookie(w, sessions.NewCookie(s.name, encoded, sess.Options))
	return nil
}

// emptyData is the data of a session that holds nothing but what its
// columns do: every session today, so that reading one decodes no JSON.
const emptyData = "{}"

// sessionData is the JSON of values, without the user and the time of the
// password check, which the row keeps in columns of their own (fillUser).
func sessionData(values map[string]any) ([]byte, error) {
	data := map[string]any{}
	for k, v := range values {
		if k != keyUserID && k != keyAuthAt {
			data[k] = v
		}
	}
	if len(data) == 0 {
		return []byte(emptyData), nil
	}
	b, err := json.Marshal(data)
	if err != nil {
		return nil, fmt.Errorf("encode session: %w", err)
	}
	return b, nil
}

func fillUser(row *models.Session, values map[string]any, now time.Time) {
	row.UserID = nil
	if id, ok := values[keyUserID].(string); ok && id != "" {
		row.UserID = &id
	}
	if at, ok := values[keyAuthAt].(float64); ok {
		t := time.Unix(int64(at), 0).UTC()
		row.AuthenticatedAt = &t
	} else if at, ok := values[keyAuthAt].(int64); ok {
		t := time.Unix(at, 0).UTC()
		row.AuthenticatedAt = &t
	}
}

func newToken() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("session token: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

func hashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// clientIP is the address the request came from. Echo's RealIP is used in
// handlers; here only the connection is known.
func clientIP(r *http.Request) string {
	if ip, ok := r.Context().Value(realIPKey{}).(string); ok {
		return ip
	}
	return r.RemoteAddr
}

type realIPKey struct{}
