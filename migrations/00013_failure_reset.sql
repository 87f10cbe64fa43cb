-- Failed sign-ins are forgotten after a quiet while, as Keycloak's
-- "Failure reset time": when no wrong password has been typed for the
-- merchant's lockout_reset_minutes (12 hours by default), an attempt
-- budget's failures and its locks in a row count from nothing again. Each
-- budget remembers when its last wrong password was typed; a budget whose
-- failures predate this column has none, and forgets them at its next
-- success, lock or admin's unlock, as before.

-- +goose Up
ALTER TABLE merchants ADD COLUMN lockout_reset_minutes INTEGER NOT NULL DEFAULT 720;
ALTER TABLE users ADD COLUMN last_failed_login_at TIMESTAMP;
ALTER TABLE sign_in_devices ADD COLUMN last_failed_at TIMESTAMP;

-- +goose Down
ALTER TABLE sign_in_devices DROP COLUMN last_failed_at;
ALTER TABLE users DROP COLUMN last_failed_login_at;
ALTER TABLE merchants DROP COLUMN lockout_reset_minutes;
