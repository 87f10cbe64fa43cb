-- Lockout that is neither an oracle nor a weapon: wrong passwords lock the
-- budget that spent them for a while that grows with each lock in a row,
-- and a browser that signed in to the account before (a device) has a
-- budget of its own. A permanent lock only where the merchant asks.

-- +goose Up
ALTER TABLE merchants ADD COLUMN lockout_first_wait_minutes INTEGER NOT NULL DEFAULT 5;
ALTER TABLE merchants ADD COLUMN lockout_max_wait_minutes INTEGER NOT NULL DEFAULT 60;
ALTER TABLE merchants ADD COLUMN lockout_permanent_after INTEGER NOT NULL DEFAULT 0;

ALTER TABLE users ADD COLUMN locked_until TIMESTAMP;
ALTER TABLE users ADD COLUMN lockout_count INTEGER NOT NULL DEFAULT 0;

CREATE TABLE sign_in_devices (
    id TEXT PRIMARY KEY,
    user_id UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    failed_count INTEGER NOT NULL DEFAULT 0,
    locked_until TIMESTAMP,
    lockout_count INTEGER NOT NULL DEFAULT 0,
    created_at TIMESTAMP NOT NULL,
    last_used_at TIMESTAMP NOT NULL
);
CREATE INDEX sign_in_devices_user ON sign_in_devices (user_id, last_used_at);

-- +goose Down
DROP TABLE sign_in_devices;
ALTER TABLE users DROP COLUMN lockout_count;
ALTER TABLE users DROP COLUMN locked_until;
ALTER TABLE merchants DROP COLUMN lockout_permanent_after;
ALTER TABLE merchants DROP COLUMN lockout_max_wait_minutes;
ALTER TABLE merchants DROP COLUMN lockout_first_wait_minutes;
