package store

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"gorm.io/gorm"

	"myaccount/internal/slots"
	"myaccount/models"
)

// Meta says where a request came from, for the audit trail.
type Meta struct {
	IP        string
	UserAgent string
}

// PasswordHasher hashes and checks passwords; the auth package's bcrypt
// hasher is the real one.
type PasswordHasher interface {
	Hash(ctx context.Context, password string) (string, error)
	Compare(ctx context.Context, hash, password string) bool
}

// Users reads and changes user accounts.
type Users struct {
	db *gorm.DB
	// mail queues the messages a change sends, in its transaction.
	mail  *Outbox
	links models.LinkLifetimes
	now   func() time.Time
	// noWalk makes a text search on PostgreSQL sort what the indexes find
	// without trying the planner's plan first: tests compare the two.
	noWalk bool
	// searches are the user searches that run at once (LimitSearches);
	// nil, any number.
	searches *slots.Slots
}

// NewUsers returns the user store over db. Changes that send mail queue
// it in mail, with links that work for as long as links says; a store
// with a nil mail refuses those changes.
func NewUsers(db *gorm.DB, mail *Outbox, links models.LinkLifetimes) *Users {
	return &Users{db: db, mail: mail, links: links, now: func() time.Time { return time.Now().UTC() }}
}

// withMail runs fn in one transaction and, once it has committed, wakes
// this process's mail worker if fn queued a message.
func (s *Users) withMail(ctx context.Context, fn func(tx *gorm.DB) error) error {
	var queued atomic.Bool
	err := s.db.WithContext(context.WithValue(ctx, mailQueuedKey{}, &queued)).Transaction(fn)
	if err == nil && queued.Load() {
		s.mail.poke()
	}
	return err
}

// ByID returns the user with id.
func (s *Users) ByID(ctx context.Context, id string) (*models.User, error) {
	if !validID(id) {
		return nil, models.ErrNotFound
	}
	var u models.User
	if err := s.db.WithContext(ctx).Where("id = ?", id).Take(&u).Error; err != nil {
		return nil, notFound(err)
	}
	return &u, nil
}

// maxLogin is longer than any username (64) or email address (254).
const maxLogin = 320

// ForSignIn finds the account a sign-in names: by username, whatever its
// case, or else by an email that belongs to exactly one account.
func (s *Users) ForSignIn(ctx context.Context, login string) (*models.User, error) {
	login = strings.TrimSpace(login)
	if login == "" || len(login) > maxLogin {
		return nil, models.ErrNotFound
	}
	db := s.db.WithContext(ctx)
	var u models.User
	err := db.Where("lower(username) = lower(?)", login).Take(&u).Error
	if err == nil {
		return &u, nil
	}
	if !errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, err
	}
	if !strings.Contains(login, "@") {
		return nil, models.ErrNotFound
	}
	var found []models.User
	if err := db.Where("lower(email) = lower(?)", login).Limit(2).Find(&found).Error; err != nil {
		return nil, err
	}
	if len(found) != 1 {
		return nil, models.ErrNotFound
	}
	return &found[0], nil
}

// SaveProfile writes upd, a profile edit actor made to before (from
// models.EditProfile), and records it. version is the record's version the
// form was made from: a record changed since (another version, or a save
// that finds the stored version moved on) is refused with
// models.ErrConflict. 0 skips the early comparison, for a caller that
// sends only the fields it means to change; the save itself is always
// made against the version read. Identifiers other users of the merchant
// already have are refused with field errors, and so are those of
// alsoUnique (enforce_unique_fields) for this save.
func (s *Users) SaveProfile(ctx context.Context, actor models.Actor, m *models.Merchant, before *models.User, upd models.ProfileUpdate, version int, meta Meta, alsoUnique ...string) (*models.User, error) {
	if version != 0 && version != before.Version {
		return nil, models.ErrConflict
	}
	now := s.now()
	next := &upd.User
	err := s.withMail(ctx, func(tx *gorm.DB) error {
		if err := s.checkUnique(tx, m, before, next, alsoUnique...); err != nil {
			return err
		}
		if err := s.saveUpdate(tx, actor, before, &upd, models.ActionProfileUpdated, meta, now); err != nil {
			return err
		}
		if !strings.EqualFold(before.Email, next.Email) {
			// The links sent to the old address, and those of a change
			// the user waited on, end; the old address is told.
			if err := revokeTokens(tx, before.ID, now, addressLinks...); err != nil {
				return err
			}
			if err := s.emailChanged(tx, m, actor, before, next, meta, now); err != nil {
				return err
			}
		}
		return auditConsents(tx, actor, next, upd.Consents, meta, now)
	})
	if err != nil {
		return nil, err
	}
	return next, nil
}

// auditConsents records each consent given or withdrawn as an event of
// its own, in the transaction of the change that carried it.
func auditConsents(tx *gorm.DB, actor models.Actor, u *models.User, consents models.Changes, meta Meta, now time.Time) error {
	for _, c := range consents {
		action := models.ActionConsentWithdrawn
		if c.New == "true" {
			action = models.ActionConsentGiven
		}
		if err := auditBy(tx, u.MerchantID, actor, &u.ID, action, models.Changes{c}, meta, now); err != nil {
			return err
		}
	}
	return nil
}

// uniqueRules are the identifiers no two users of a merchant may share:
// member and card numbers always, email and mobile phone when the merchant
// asks (Paytronix's enforceUniqueFields).
var uniqueRules = []struct {
	field, where, message string
	value                 func(*models.User) string
	applies               func(*models.Merchant) bool
}{
	{"email", "lower(email) = lower(?)", "Another account already uses this email address",
		func(u *models.User) string { return u.Email }, func(m *models.Merchant) bool { return m.UniqueEmail }},
	{"mobile_phone", "mobile = ?", "Another account already uses this mobile phone number",
		func(u *models.User) string { return u.Mobile }, func(m *models.Merchant) bool { return m.UniqueMobile }},
	{"member_number", "member_number = ?", "Another account already has this member number",
		func(u *models.User) string { return u.MemberNumber }, func(*models.Merchant) bool { return true }},
	{"card_number", "card_number = ?", "Another account already has this card number",
		func(u *models.User) string { return u.CardNumber }, func(*models.Merchant) bool { return true }},
	{"external_id", "external_id = ?", "Another account already has this external id",
		func(u *models.User) string { return u.ExternalID }, func(*models.Merchant) bool { return false }},
}

// checkUnique refuses values another user of the merchant already has,
// for each identifier that changed from before to next.
func (s *Users) checkUnique(tx *gorm.DB, m *models.Merchant, before, next *models.User, also ...string) error {
	errs := models.FieldErrors{}
	for _, r := range uniqueRules {
		v := r.value(next)
		if v == "" || !(r.applies(m) || slices.Contains(also, r.field)) || (before != nil && strings.EqualFold(v, r.value(before))) {
			continue
		}
		if err := s.lockValue(tx, m.ID, r.field, v); err != nil {
			return err
		}
		exceptID := ""
		if before != nil {
			exceptID = before.ID
		}
		taken, err := s.taken(tx, m.ID, exceptID, r.where, v)
		if err != nil {
			return err
		}
		if taken {
			errs.Add(r.field, r.message)
		}
	}
	return errs.Err()
}

// lockValue holds, until tx ends, a lock on value of field in the
// merchant: two writers claiming the same email at once check and write
// one after the other, so exactly one gets it. No unique index can say
// this, as the rule is the merchant's choice. SQLite's one connection
// already runs one transaction at a time.
func (s *Users) lockValue(tx *gorm.DB, merchantID, field, value string) error {
	if tx.Dialector.Name() != "postgres" {
		return nil
	}
	key := "unique:" + merchantID + ":" + field + ":" + strings.ToLower(value)
	if err := tx.Exec("SELECT pg_advisory_xact_lock(hashtextextended(?, 0))", key).Error; err != nil {
		return fmt.Errorf("lock %s: %w", field, err)
	}
	return nil
}

// save writes columns of next if the stored version is still version, bumps
// the version and records the audit event, all in tx.
func (s *Users) save(tx *gorm.DB, actor models.Actor, next *models.User, version int, columns []string, action string, changes models.Changes, meta Meta, now time.Time) error {
	next.UpdatedAt, next.UpdatedBy, next.Version = now, actor.UserID(), version+1
	cols := append(append([]string{}, columns...), "updated_at", "updated_by", "version")
	res := tx.Model(&models.User{}).Where("id = ? AND version = ?", next.ID, version).Select(cols).Updates(next)
	if res.Error != nil {
		return fmt.Errorf("save user %s: %w", next.ID, res.Error)
	}
	if res.RowsAffected == 0 {
		return models.ErrConflict
	}
	if next.Status != models.StatusActive {
		if err := endSessions(tx, next.ID); err != nil {
			return err
		}
	}
	return auditBy(tx, next.MerchantID, actor, &next.ID, action, changes, meta, now)
}

// saveUpdate saves upd, a change of before, as action; an unlock also
// forgets the failed sign-ins of before's devices.
func (s *Users) saveUpdate(tx *gorm.DB, actor models.Actor, before *models.User, upd *models.ProfileUpdate, action string, meta Meta, now time.Time) error {
	if upd.ForgetsDeviceFailures {
		if err := clearLocks(tx, before); err != nil {
			return err
		}
	}
	return s.save(tx, actor, &upd.User, before.Version, upd.Columns, action, upd.Changes, meta, now)
}

// endSessions signs a user out everywhere: a locked or deactivated
// account keeps no session, on any server instance.
func endSessions(tx *gorm.DB, userID string) error {
	if err := tx.Where("user_id = ?", userID).Delete(&models.Session{}).Error; err != nil {
		return fmt.Errorf("end sessions of %s: %w", userID, err)
	}
	return nil
}

// taken reports whether another user of the merchant matches where.
func (s *Users) taken(tx *gorm.DB, merchantID, exceptID, where string, args ...any) (bool, error) {
	var n int64
	q := tx.Model(&models.User{}).Where("merchant_id = ?", merchantID)
	if exceptID != "" {
		q = q.Where("id <> ?", exceptID)
	}
	err := q.Where(where, args...).Limit(1).Count(&n).Error
	if err != nil {
		return false, fmt.Errorf("uniqueness check: %w", err)
	}
	return n > 0, nil
}

// PasswordChange is a password change the guard has let through: the
// current password was checked, and the form is valid.
type PasswordChange struct {
	models.PasswordChange
	// KeepSession is the key of the session making the change: every other
	// session of the user ends with the change (one may be an attacker's).
	// Empty ends them all.
	KeepSession string
}

// ChangePassword stores a new hash for u after the rule that needs the
// database: the new password is none of the user's last passwords. The
// previous hash goes to the password history, the user's other sessions
// and password links end, and the notice is queued, in the same
// transaction; it reports how many sessions ended.
func (s *Users) ChangePassword(ctx context.Context, hasher PasswordHasher, m *models.Merchant, u *models.User, in PasswordChange, meta Meta) (ended int64, err error) {
	// The form compared the typed current password already.
	hash, err := s.hashNew(ctx, hasher, m, u, in.New, false)
	if err != nil {
		return 0, err
	}
	now := s.now()
	err = s.withMail(ctx, func(tx *gorm.DB) error {
		next := *u
		next.PasswordHash, next.MustChangePassword = hash, false
		if err := s.setPassword(tx, m, u, &next, passwordSet{actor: u, action: models.ActionPasswordChange}, meta, now); err != nil {
			return err
		}
		res := tx.Where("user_id = ? AND id <> ?", u.ID, in.KeepSession).Delete(&models.Session{})
		if res.Error != nil {
			return fmt.Errorf("end other sessions: %w", res.Error)
		}
		ended = res.RowsAffected
		*u = next
		return nil
	})
	return ended, err
}

// hashNew hashes pw, a new password for u, of m, after the rules that
// need the database: it is none of u's last passwords (m's history) and,
// when current is set, not the password u has now either (a form that
// asked for the current password compared it already). A password that
// is, is refused with a field error on new_password. Each comparison
// costs a hash.
func (s *Users) hashNew(ctx context.Context, hasher PasswordHasher, m *models.Merchant, u *models.User, pw string, current bool) (string, error) {
	const label = "New password"
	if current && hasher.Compare(ctx, u.PasswordHash, pw) {
		return "", models.FieldErrors{"new_password": {models.SameAsCurrentMessage(label)}}
	}
	if n := m.PasswordPolicy.History; n > 0 {
		reused, err := s.reusesPassword(ctx, hasher, u.ID, pw, n)
		if err != nil {
			return "", err
		}
		if reused {
			return "", models.FieldErrors{"new_password": {models.ReuseMessage(label, n)}}
		}
	}
	hash, err := hasher.Hash(ctx, pw)
	if err != nil {
		return "", fmt.Errorf("hash password: %w", err)
	}
	return hash, nil
}

// passwordSet says who set a new password and how the change is
// recorded.
type passwordSet struct {
	// actor is the user themselves, or an admin.
	actor  *models.User
	action string
	// columns are written besides the hash, its time and
	// must_change_password; changes are recorded besides the password's.
	columns []string
	changes models.Changes
}

// setPassword writes next, which holds u's new hash, in tx: u's previous
// hash joins the password history, next is saved and audited as
// set.action, and u's password links end with the notice that the
// password changed queued. Every way a password is set goes through here.
func (s *Users) setPassword(tx *gorm.DB, m *models.Merchant, u, next *models.User, set passwordSet, meta Meta, now time.Time) error {
	if err := tx.Create(&models.PasswordHistory{ID: NewID(), UserID: u.ID, Hash: u.PasswordHash, CreatedAt: now}).Error; err != nil {
		return fmt.Errorf("password history: %w", err)
	}
	next.PasswordChangedAt = &now
	columns := append([]string{"password_hash", "password_changed_at", "must_change_password"}, set.columns...)
	changes := append(models.Changes{{Field: "password", Old: models.Secret, New: models.Secret}}, set.changes...)
	if err := s.save(tx, models.ByUser(set.actor), next, u.Version, columns, set.action, changes, meta, now); err != nil {
		return err
	}
	return s.passwordChanged(tx, m, set.actor, next, meta, now)
}

// reusesPassword reports whether pw is one of the user's last n previous
// passwords. Only the newest n hashes are compared, newest first: each
// comparison costs as much as hashing.
func (s *Users) reusesPassword(ctx context.Context, hasher PasswordHasher, userID, pw string, n int) (bool, error) {
	var hashes []string
	err := s.db.WithContext(ctx).Model(&models.PasswordHistory{}).Where("user_id = ?", userID).
		Order("created_at DESC, id DESC").Limit(n).Pluck("hash", &hashes).Error
	if err != nil {
		return false, fmt.Errorf("password history: %w", err)
	}
	for _, h := range hashes {
		if hasher.Compare(ctx, h, pw) {
			return true, nil
		}
	}
	return false, nil
}

// History lists the audit events whose subject is userID, newest first.
func (s *Users) History(ctx context.Context, userID string, limit int) ([]models.AuditEvent, error) {
	var evs []models.AuditEvent
	err := s.db.WithContext(ctx).Where("subject_id = ?", userID).Order("created_at DESC, id DESC").Limit(limit).Find(&evs).Error
	return evs, err
}

// Record writes one audit event outside any other change (a sign-out).
func (s *Users) Record(ctx context.Context, u *models.User, action string, meta Meta) error {
	return audit(s.db.WithContext(ctx), u.MerchantID, &u.ID, &u.ID, action, nil, meta, s.now())
}

// InMerchant returns the user with id if they belong to merchantID. A user
// of another merchant is models.ErrNotFound, exactly like an id that does
// not exist, so an admin learns nothing about other merchants' users.
func (s *Users) InMerchant(ctx context.Context, merchantID, id string) (*models.User, error) {
	if !validID(id) {
		return nil, models.ErrNotFound
	}
	var u models.User
	if err := s.db.WithContext(ctx).Where("id = ? AND merchant_id = ?", id, merchantID).Take(&u).Error; err != nil {
		return nil, notFound(err)
	}
	return &u, nil
}

// lookupColumns are what an integration may find a user by: the
// username and email whatever their case, the others exactly (Spaaza's
// user_id, username, member_number, authentication_point_identifier,
// referral_code).
var lookupColumns = map[string]string{
	"username":      "lower(username) = lower(?)",
	"email":         "lower(email) = lower(?)",
	"member_number": "member_number = ?",
	"card_number":   "card_number = ?",
	"external_id":   "external_id = ?",
	"referral_code": "referral_code = ?",
}

// LookupFields are the fields Lookup takes.
func LookupFields() []string {
	out := make([]string, 0, len(lookupColumns))
	for k := range lookupColumns {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// Lookup returns the one user of merchantID whose field is value;
// models.ErrNotFound when none is, or more than one (an email two
// accounts share names neither).
func (s *Users) Lookup(ctx context.Context, merchantID, field, value string) (*models.User, error) {
	where, ok := lookupColumns[field]
	if !ok || value == "" {
		return nil, models.ErrNotFound
	}
	var found []models.User
	err := s.db.WithContext(ctx).Where("merchant_id = ?", merchantID).Where(where, value).Limit(2).Find(&found).Error
	if err != nil {
		return nil, fmt.Errorf("look up user by %s: %w", field, err)
	}
	if len(found) != 1 {
		return nil, models.ErrNotFound
	}
	return &found[0], nil
}
