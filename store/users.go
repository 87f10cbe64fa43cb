package store

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

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
	db  *gorm.DB
	now func() time.Time
}

// NewUsers returns the user store over db.
func NewUsers(db *gorm.DB) *Users {
	return &Users{db: db, now: func() time.Time { return time.Now().UTC() }}
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

// ForSignIn finds the account a sign-in names: by username, whatever its
// case, or else by an email that belongs to exactly one account.
func (s *Users) ForSignIn(ctx context.Context, login string) (*models.User, error) {
	login = strings.TrimSpace(login)
	if login == "" {
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

// RecordSignIn notes a successful sign-in: the failed count starts again.
func (s *Users) RecordSignIn(ctx context.Context, u *models.User, meta Meta) error {
	now := s.now()
	return s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		updates := map[string]any{"failed_login_count": 0, "last_login_at": now}
		if u.FirstLoginAt == nil {
			updates["first_login_at"] = now
		}
		if err := tx.Model(&models.User{}).Where("id = ?", u.ID).Updates(updates).Error; err != nil {
			return fmt.Errorf("record sign-in: %w", err)
		}
		u.FailedLoginCount, u.LastLoginAt = 0, &now
		if u.FirstLoginAt == nil {
			u.FirstLoginAt = &now
		}
		return audit(tx, u.MerchantID, &u.ID, &u.ID, models.ActionSignIn, nil, meta, now)
	})
}

// RecordFailedSignIn counts a wrong password for u and locks the account
// when the count reaches the merchant's limit. It reports whether this
// attempt locked it.
func (s *Users) RecordFailedSignIn(ctx context.Context, u *models.User, limit int, meta Meta) (locked bool, err error) {
	now := s.now()
	err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		// Counting in SQL keeps concurrent failures from losing increments.
		var row models.User
		if err := tx.Model(&row).Clauses(clause.Returning{Columns: []clause.Column{{Name: "failed_login_count"}, {Name: "status"}}}).
			Where("id = ?", u.ID).
			Update("failed_login_count", gorm.Expr("failed_login_count + 1")).Error; err != nil {
			return fmt.Errorf("count failed sign-in: %w", err)
		}
		u.FailedLoginCount = row.FailedLoginCount
		if err := audit(tx, u.MerchantID, nil, &u.ID, models.ActionSignInFailed, nil, meta, now); err != nil {
			return err
		}
		if limit <= 0 || row.FailedLoginCount < limit || row.Status != models.StatusActive {
			return nil
		}
		res := tx.Model(&models.User{}).Where("id = ? AND status = ?", u.ID, models.StatusActive).
			Updates(map[string]any{"status": models.StatusLocked, "locked_at": now, "locked_by": nil, "version": gorm.Expr("version + 1")})
		if res.Error != nil {
			return fmt.Errorf("lock account: %w", res.Error)
		}
		if res.RowsAffected == 0 {
			return nil
		}
		locked = true
		u.Status, u.LockedAt = models.StatusLocked, &now
		if err := endSessions(tx, u.ID); err != nil {
			return err
		}
		return audit(tx, u.MerchantID, nil, &u.ID, models.ActionLocked, models.Changes{
			{Field: "status", Old: models.StatusActive, New: models.StatusLocked},
			{Field: "failed_login_count", Old: "", New: fmt.Sprint(row.FailedLoginCount)},
		}, meta, now)
	})
	return locked, err
}

// UpdateProfile applies a partial profile update made by actor (the user
// themself, or an admin) and records it. Only changed fields are written;
// a submit that changes nothing returns models.ErrNoChanges. A record that
// changed since u was read is refused with models.ErrConflict.
//
// version is the record's version the form was made from; a different one
// means someone changed the record since, and the update is refused with
// models.ErrConflict before anything is checked or written. 0 skips the
// check (a caller that sends only the fields it means to change).
func (s *Users) UpdateProfile(ctx context.Context, actor *models.User, m *models.Merchant, u *models.User, fields []models.ProfileField, input map[string]string, version int, meta Meta) (*models.User, models.Changes, error) {
	if version != 0 && version != u.Version {
		return nil, nil, models.ErrConflict
	}
	now := s.now()
	upd, err := models.ApplyProfile(m, u, fields, input, now)
	if err != nil {
		return nil, nil, err
	}
	if len(upd.Changes) == 0 {
		return nil, nil, models.ErrNoChanges
	}
	next := upd.User
	if err := selfProtection(actor, u, &next); err != nil {
		return nil, nil, err
	}
	columns := statusEffects(actor, u, &next, upd.Columns, now)
	err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := s.checkUnique(tx, m, u, &next); err != nil {
			return err
		}
		return s.save(tx, actor, &next, u.Version, columns, models.ActionProfileUpdated, upd.Changes, meta, now)
	})
	if err != nil {
		return nil, nil, err
	}
	return &next, upd.Changes, nil
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
	{"mobile", "mobile = ?", "Another account already uses this mobile phone number",
		func(u *models.User) string { return u.Mobile }, func(m *models.Merchant) bool { return m.UniqueMobile }},
	{"member_number", "member_number = ?", "Another account already has this member number",
		func(u *models.User) string { return u.MemberNumber }, func(*models.Merchant) bool { return true }},
	{"card_number", "card_number = ?", "Another account already has this card number",
		func(u *models.User) string { return u.CardNumber }, func(*models.Merchant) bool { return true }},
}

// checkUnique refuses values another user of the merchant already has,
// for each identifier that changed from before to next.
func (s *Users) checkUnique(tx *gorm.DB, m *models.Merchant, before, next *models.User) error {
	errs := models.FieldErrors{}
	for _, r := range uniqueRules {
		v := r.value(next)
		if v == "" || !r.applies(m) || (before != nil && strings.EqualFold(v, r.value(before))) {
			continue
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

// selfProtection keeps admins from locking, deactivating or demoting
// themselves: the merchant must never lose its last way in by accident.
func selfProtection(actor, before, next *models.User) error {
	if actor.ID != before.ID {
		return nil
	}
	errs := models.FieldErrors{}
	if next.Status != models.StatusActive && before.Status == models.StatusActive {
		errs.Add("status", "You cannot lock or deactivate your own account")
	}
	if before.IsAdmin() && !next.IsAdmin() {
		errs.Add("roles", "You cannot remove your own merchant admin role")
	}
	return errs.Err()
}

// statusEffects records who locked an account and when, and clears the
// lock and the failed sign-in count when it is unlocked. It returns the
// columns to write.
func statusEffects(actor, before, next *models.User, columns []string, now time.Time) []string {
	if next.Status == before.Status {
		return columns
	}
	switch {
	case next.Status == models.StatusLocked:
		next.LockedAt, next.LockedBy = &now, &actor.ID
	case before.Status == models.StatusLocked:
		next.LockedAt, next.LockedBy, next.FailedLoginCount = nil, nil, 0
	default:
		return columns
	}
	return append(append([]string{}, columns...), "locked_at", "locked_by", "failed_login_count")
}

// save writes columns of next if the stored version is still version, bumps
// the version and records the audit event, all in tx.
func (s *Users) save(tx *gorm.DB, actor *models.User, next *models.User, version int, columns []string, action string, changes models.Changes, meta Meta, now time.Time) error {
	next.UpdatedAt, next.UpdatedBy, next.Version = now, &actor.ID, version+1
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
	return audit(tx, next.MerchantID, &actor.ID, &next.ID, action, changes, meta, now)
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

// PasswordChange is what the password form submits.
type PasswordChange struct {
	Current, New, Confirm string
	// KeepSession is the key of the session making the change: every other
	// session of the user ends with the change (one may be an attacker's).
	// Empty ends them all.
	KeepSession string
}

// ChangePassword checks the current password, the merchant's policy, the
// blocklist, the user's username and email and their last passwords, and
// stores a new hash. The previous hash goes to the user's password history,
// and the user's other sessions end in the same transaction; it reports how
// many ended.
func (s *Users) ChangePassword(ctx context.Context, hasher PasswordHasher, m *models.Merchant, u *models.User, in PasswordChange, meta Meta) (ended int64, err error) {
	const label = "New password"
	errs := models.FieldErrors{}
	if in.Current == "" {
		errs.Add("current_password", "Enter your current password")
	}
	if in.New == "" {
		errs.Add("new_password", "Enter a new password")
	} else {
		for _, msg := range m.PasswordPolicy.CheckNew(label, in.New, u.PasswordOwner(m)) {
			errs.Add("new_password", msg)
		}
	}
	if in.Confirm == "" && in.New != "" {
		errs.Add("confirm_password", "Re-enter your new password")
	} else if in.Confirm != in.New {
		errs.Add("confirm_password", "The passwords do not match")
	}
	if in.Current != "" && !hasher.Compare(ctx, u.PasswordHash, in.Current) {
		errs.Add("current_password", "Your current password is incorrect")
	} else if in.Current != "" && in.New == in.Current {
		errs.Add("new_password", "New password must be different from your current password")
	}
	if err := errs.Err(); err != nil {
		return 0, err
	}
	// Last, as each earlier password costs a hash to compare.
	if n := m.PasswordPolicy.History; n > 0 {
		reused, err := s.reusesPassword(ctx, hasher, u.ID, in.New, n)
		if err != nil {
			return 0, err
		}
		if reused {
			return 0, models.FieldErrors{"new_password": {models.ReuseMessage(label, n)}}
		}
	}
	hash, err := hasher.Hash(ctx, in.New)
	if err != nil {
		return 0, fmt.Errorf("hash password: %w", err)
	}
	now := s.now()
	err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Create(&models.PasswordHistory{ID: NewID(), UserID: u.ID, Hash: u.PasswordHash, CreatedAt: now}).Error; err != nil {
			return fmt.Errorf("password history: %w", err)
		}
		next := *u
		next.PasswordHash, next.PasswordChangedAt, next.MustChangePassword = hash, &now, false
		err := s.save(tx, u, &next, u.Version, []string{"password_hash", "password_changed_at", "must_change_password"},
			models.ActionPasswordChange, models.Changes{{Field: "password", Old: models.Secret, New: models.Secret}}, meta, now)
		if err != nil {
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

// EmailChange is what the email form submits.
type EmailChange struct {
	New, Confirm, Password string
}

// ChangeEmail checks the current password and sets a new email, keeping
// the old one as the previous email.
func (s *Users) ChangeEmail(ctx context.Context, hasher PasswordHasher, m *models.Merchant, u *models.User, in EmailChange, meta Meta) error {
	errs := models.FieldErrors{}
	email, msg := models.CleanEmail("Email address", in.New)
	switch {
	case msg != "":
		errs.Add("new_email", msg)
	case email == "":
		errs.Add("new_email", "Enter your new email address")
	case strings.EqualFold(email, u.Email):
		errs.Add("new_email", "New email must be different from your current email")
	}
	if confirm := strings.TrimSpace(in.Confirm); confirm == "" && email != "" {
		errs.Add("confirm_email", "Re-enter your new email address")
	} else if !errs.Has("new_email") && !strings.EqualFold(confirm, strings.TrimSpace(in.New)) {
		errs.Add("confirm_email", "The email addresses do not match")
	}
	if in.Password == "" {
		errs.Add("current_password", "Enter your current password")
	} else if !hasher.Compare(ctx, u.PasswordHash, in.Password) {
		errs.Add("current_password", "Your current password is incorrect")
	}
	if err := errs.Err(); err != nil {
		return err
	}
	now := s.now()
	return s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		next := *u
		next.PreviousEmail, next.Email = u.Email, email
		if err := s.checkUnique(tx, m, u, &next); err != nil {
			var fe models.FieldErrors
			if errors.As(err, &fe) && fe.Has("email") {
				return models.FieldErrors{"new_email": fe["email"]}
			}
			return err
		}
		err := s.save(tx, u, &next, u.Version, []string{"email", "previous_email"},
			models.ActionEmailChange, models.Changes{{Field: "email", Old: u.Email, New: email}}, meta, now)
		if err != nil {
			return err
		}
		*u = next
		return nil
	})
}

// audit records one event in tx.
func audit(tx *gorm.DB, merchantID string, actorID, subjectID *string, action string, changes models.Changes, meta Meta, now time.Time) error {
	ev := models.AuditEvent{
		ID: NewID(), MerchantID: merchantID, ActorID: actorID, SubjectID: subjectID,
		Action: action, Changes: changes, IP: meta.IP, UserAgent: truncate(meta.UserAgent, 512), CreatedAt: now,
	}
	if err := tx.Create(&ev).Error; err != nil {
		return fmt.Errorf("audit %s: %w", action, err)
	}
	return nil
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
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
