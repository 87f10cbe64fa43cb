package store

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"gorm.io/gorm"

	"myaccount/models"
)

// How many devices an account remembers, and for how long one that is not
// used stays trusted.
const (
	maxDevicesPerUser = 20
	deviceTrustedFor  = 400 * 24 * time.Hour
)

// Device returns the device with the token hash id if it belongs to userID
// and was used recently enough to be trusted; otherwise models.ErrNotFound.
func (s *Users) Device(ctx context.Context, userID, id string) (*models.Device, error) {
	var d models.Device
	err := s.db.WithContext(ctx).Where("id = ? AND user_id = ? AND last_used_at > ?", id, userID, s.now().Add(-deviceTrustedFor)).Take(&d).Error
	if err != nil {
		return nil, notFound(err)
	}
	return &d, nil
}

// budgetTable says where an attempt budget lives: the account's columns in
// users, or a device's row.
type budgetTable struct {
	model                                              any
	id                                                 string
	failures, lockedUntil, locks, lastFailed, whoseRow string
}

func budgetOf(u *models.User, d *models.Device) budgetTable {
	if d != nil {
		return budgetTable{&models.Device{}, d.ID, "failed_count", "locked_until", "lockout_count", "last_failed_at", "this device"}
	}
	return budgetTable{&models.User{}, u.ID, "failed_login_count", "locked_until", "lockout_count", "last_failed_login_at", "devices that never signed in"}
}

// countFailure counts one wrong password against b at now, in SQL so that
// concurrent failures lose no increment: when m's lockout policy has
// forgotten the budget's last wrong password (LockoutPolicy.ForgetsBefore),
// its failures start again from this one and its locks in a row from
// none. It returns what the budget counts afterwards.
func countFailure(tx *gorm.DB, b budgetTable, m *models.Merchant, now time.Time) (failures, locks int, err error) {
	forgotten := "CASE WHEN " + b.lastFailed + " < ? THEN "
	before := m.Lockout.ForgetsBefore(now)
	// The update holds the row until the transaction ends, so the count
	// read next is this attempt's own. Every SET reads the row as it was.
	res := tx.Model(b.model).Where("id = ?", b.id).Updates(map[string]any{
		b.failures:   gorm.Expr(forgotten+"1 ELSE "+b.failures+" + 1 END", before),
		b.locks:      gorm.Expr(forgotten+"0 ELSE "+b.locks+" END", before),
		b.lastFailed: now,
	})
	if res.Error != nil {
		return 0, 0, fmt.Errorf("count wrong password: %w", res.Error)
	}
	var row struct {
		Failures int
		Locks    int
	}
	if err := tx.Model(b.model).Select(b.failures+" AS failures", b.locks+" AS locks").Where("id = ?", b.id).Scan(&row).Error; err != nil {
		return 0, 0, fmt.Errorf("read attempt budget: %w", err)
	}
	return row.Failures, row.Locks, nil
}

// RecordFailedPasswordCheck counts a wrong password typed for u, against
// device's budget when the browser is a device that signed in to u before,
// else against the account's own, and records it in the audit trail as
// action (a failed sign-in, or a failed check on a signed-in page, with
// changes saying where). At m's limit the budget locks for the wait of
// its next lock in a row; when m asks for it, a lock after the allowed
// run of temporary ones locks the account for good, which ends its
// sessions. Each lock queues a notice to the account's address. Counting
// happens in SQL, so concurrent failures lose no increment and lock once;
// failures m's policy has forgotten (ResetMinutes after the last one) no
// longer count, nor do the locks in a row they made.
func (s *Users) RecordFailedPasswordCheck(ctx context.Context, u *models.User, m *models.Merchant, device *models.Device, action string, changes models.Changes, meta Meta) (models.PasswordCheckOutcome, error) {
	now := s.now()
	var out models.PasswordCheckOutcome
	b := budgetOf(u, device)
	err := s.withMail(ctx, func(tx *gorm.DB) error {
		if err := audit(tx, u.MerchantID, nil, &u.ID, action, changes, meta, now); err != nil {
			return err
		}
		failures, locks, err := countFailure(tx, b, m, now)
		if err != nil {
			return err
		}
		if device != nil {
			device.Failures, device.Locks, device.LastFailedAt = failures, locks, &now
		} else {
			u.FailedLoginCount, u.LockoutCount, u.LastFailedLoginAt = failures, locks, &now
		}
		if m.MaxFailedLogins <= 0 || failures < m.MaxFailedLogins {
			return nil
		}
		n := locks + 1
		until := now.Add(m.Lockout.Wait(n))
		// Only the attempt that reached the limit locks: the count it
		// leaves at 0 stops a concurrent one here.
		res := tx.Model(b.model).Where("id = ? AND "+b.failures+" >= ?", b.id, m.MaxFailedLogins).
			Updates(map[string]any{b.failures: 0, b.locks: n, b.lockedUntil: until})
		if res.Error != nil {
			return fmt.Errorf("lock attempt budget: %w", res.Error)
		}
		if res.RowsAffected == 0 {
			return nil
		}
		out = models.PasswordCheckOutcome{Locked: true, Until: until}
		if !m.Lockout.Permanent(n) {
			if device != nil {
				device.LockedUntil, device.Locks, device.Failures = &until, n, 0
			} else {
				u.LockedUntil, u.LockoutCount, u.FailedLoginCount = &until, n, 0
			}
			err := audit(tx, u.MerchantID, nil, &u.ID, models.ActionLockedTemporarily, models.Changes{
				{Field: "locked_until", New: until.Format(time.RFC3339)},
				{Field: "lock_in_a_row", New: strconv.Itoa(n)},
				{Field: "for", New: b.whoseRow},
			}, meta, now)
			if err != nil {
				return err
			}
			l := letter(models.MailLocked, m, u, meta, now)
			l.LockedUntil = until
			return s.notify(tx, l)
		}
		out = models.PasswordCheckOutcome{Locked: true, Permanent: true}
		return s.lockForGood(tx, m, u, n, meta, now)
	})
	return out, err
}

// RecordRefusedPasswordCheck notes a password typed for u while the
// attempt budget in use was paused, or the account locked or not active.
// It was not compared, and it counts against no budget, so attempts
// cannot make a pause longer; but it is audited, changes saying where, so
// the owner's next sign-in tells of it with the wrong ones
// (Audit.FailedChecksSince).
func (s *Users) RecordRefusedPasswordCheck(ctx context.Context, u *models.User, changes models.Changes, meta Meta) error {
	return audit(s.db.WithContext(ctx), u.MerchantID, nil, &u.ID, models.ActionPasswordCheckRefused, changes, meta, s.now())
}

// lockForGood locks u's account after its n-th lock in a row, until an
// admin unlocks it: its sessions end, and the lock is audited and told.
func (s *Users) lockForGood(tx *gorm.DB, m *models.Merchant, u *models.User, n int, meta Meta, now time.Time) error {
	res := tx.Model(&models.User{}).Where("id = ? AND status = ?", u.ID, models.StatusActive).
		Updates(map[string]any{"status": models.StatusLocked, "locked_at": now, "locked_by": nil, "version": gorm.Expr("version + 1")})
	if res.Error != nil {
		return fmt.Errorf("lock account: %w", res.Error)
	}
	if res.RowsAffected == 0 {
		return nil
	}
	u.Status, u.LockedAt, u.LockedBy = models.StatusLocked, &now, nil
	if err := endSessions(tx, u.ID); err != nil {
		return err
	}
	err := audit(tx, u.MerchantID, nil, &u.ID, models.ActionLocked, models.Changes{
		{Field: "status", Old: models.StatusActive, New: models.StatusLocked},
		{Field: "temporary_locks_before", Old: "", New: strconv.Itoa(n - 1)},
	}, meta, now)
	if err != nil {
		return err
	}
	l := letter(models.MailLocked, m, u, meta, now)
	l.Permanent = true
	return s.notify(tx, l)
}

// RecordPasswordChecked notes a right password typed for u on a signed-in
// page: the budget that was spent (device's, else the account's) starts
// again. It writes only when something was spent.
func (s *Users) RecordPasswordChecked(ctx context.Context, u *models.User, device *models.Device) error {
	return s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		return resetBudget(tx, u, device)
	})
}

func resetBudget(tx *gorm.DB, u *models.User, device *models.Device) error {
	b := budgetOf(u, device)
	res := tx.Model(b.model).Where("id = ? AND ("+b.failures+" <> 0 OR "+b.locks+" <> 0 OR "+b.lockedUntil+" IS NOT NULL)", b.id).
		Updates(map[string]any{b.failures: 0, b.locks: 0, b.lockedUntil: nil})
	if res.Error != nil {
		return fmt.Errorf("reset attempt budget: %w", res.Error)
	}
	if device != nil {
		device.Failures, device.Locks, device.LockedUntil = 0, 0, nil
	} else {
		u.FailedLoginCount, u.LockoutCount, u.LockedUntil = 0, 0, nil
	}
	return nil
}

// RecordSignIn notes a successful sign-in of u from device, a device that
// signed in to u before, or nil: the budget that was spent starts again,
// and the browser is remembered as a device under newDevice (a token's
// hash) when it was not one yet. Devices past the newest
// maxDevicesPerUser are forgotten.
func (s *Users) RecordSignIn(ctx context.Context, u *models.User, device *models.Device, newDevice string, meta Meta) error {
	now := s.now()
	return s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := resetBudget(tx, u, device); err != nil {
			return err
		}
		updates := map[string]any{"last_login_at": now}
		if u.FirstLoginAt == nil {
			updates["first_login_at"] = now
		}
		if err := tx.Model(&models.User{}).Where("id = ?", u.ID).Updates(updates).Error; err != nil {
			return fmt.Errorf("record sign-in: %w", err)
		}
		u.LastLoginAt = &now
		if u.FirstLoginAt == nil {
			u.FirstLoginAt = &now
		}
		switch {
		case device != nil:
			if err := tx.Model(&models.Device{}).Where("id = ?", device.ID).Update("last_used_at", now).Error; err != nil {
				return fmt.Errorf("touch device: %w", err)
			}
		case newDevice != "":
			if err := tx.Create(&models.Device{ID: newDevice, UserID: u.ID, CreatedAt: now, LastUsedAt: now}).Error; err != nil {
				return fmt.Errorf("remember device: %w", err)
			}
			var stale []string
			err := tx.Model(&models.Device{}).Where("user_id = ?", u.ID).Order("last_used_at DESC, id DESC").
				Offset(maxDevicesPerUser).Pluck("id", &stale).Error
			if err != nil {
				return fmt.Errorf("list devices: %w", err)
			}
			if len(stale) > 0 {
				if err := tx.Where("id IN ?", stale).Delete(&models.Device{}).Error; err != nil {
					return fmt.Errorf("forget devices: %w", err)
				}
			}
		}
		return audit(tx, u.MerchantID, &u.ID, &u.ID, models.ActionSignIn, nil, meta, now)
	})
}

// clearLocks lifts the temporary locks of u's devices, for an admin's
// unlock and a password chosen through a link; the caller clears the
// account's own budget in the columns it saves.
func clearLocks(tx *gorm.DB, u *models.User) error {
	err := tx.Model(&models.Device{}).Where("user_id = ? AND (failed_count <> 0 OR lockout_count <> 0 OR locked_until IS NOT NULL)", u.ID).
		Updates(map[string]any{"failed_count": 0, "lockout_count": 0, "locked_until": nil}).Error
	if err != nil {
		return fmt.Errorf("unlock devices: %w", err)
	}
	return nil
}

// LockedDevices counts userID's devices whose budget is locked now.
func (s *Users) LockedDevices(ctx context.Context, userID string) (int, error) {
	var n int64
	err := s.db.WithContext(ctx).Model(&models.Device{}).Where("user_id = ? AND locked_until > ?", userID, s.now()).Count(&n).Error
	if err != nil {
		return 0, fmt.Errorf("count locked devices: %w", err)
	}
	return int(n), nil
}
