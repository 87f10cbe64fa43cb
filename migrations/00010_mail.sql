-- Email: forgotten-password links, verified email changes, invitations and
-- security notices.
--
-- mail_outbox holds every message from the transaction of the change that
-- caused it until it is sent: a worker claims rows for a while (a lease),
-- so several instances on one database never send the same row at once,
-- and a crash or an SMTP outage delays mail but loses none. A sent
-- message keeps its envelope for the record, not its body, whose links
-- are secrets.
--
-- user_tokens holds the links' tokens by their SHA-256 only, so a copy of
-- the table opens no account.

-- +goose Up
CREATE TABLE mail_outbox (
    id UUID PRIMARY KEY,
    merchant_id UUID NOT NULL REFERENCES merchants (id),
    user_id UUID REFERENCES users (id) ON DELETE SET NULL,
    kind TEXT NOT NULL,
    to_address TEXT NOT NULL,
    from_name TEXT NOT NULL DEFAULT '',
    subject TEXT NOT NULL,
    text_body TEXT NOT NULL,
    html_body TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TIMESTAMP NOT NULL,
    claimed_by TEXT NOT NULL DEFAULT '',
    claimed_until TIMESTAMP,
    last_error TEXT NOT NULL DEFAULT '',
    sent_at TIMESTAMP,
    failed_at TIMESTAMP
);
-- The worker's claim: messages due, oldest first.
CREATE INDEX mail_outbox_due ON mail_outbox (next_attempt_at) WHERE sent_at IS NULL AND failed_at IS NULL;
-- Sent and failed rows are forgotten after a while.
CREATE INDEX mail_outbox_created ON mail_outbox (created_at);

CREATE TABLE user_tokens (
    id TEXT PRIMARY KEY,
    user_id UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    purpose TEXT NOT NULL,
    email TEXT NOT NULL DEFAULT '',
    created_at TIMESTAMP NOT NULL,
    created_by UUID,
    expires_at TIMESTAMP NOT NULL,
    used_at TIMESTAMP,
    revoked_at TIMESTAMP
);
-- A new link ends the older ones of the same purpose; the count of links
-- sent in the last hour limits requests per account.
CREATE INDEX user_tokens_user ON user_tokens (user_id, purpose, created_at);
CREATE INDEX user_tokens_expires ON user_tokens (expires_at);

ALTER TABLE users ADD COLUMN email_verified BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE users ADD COLUMN email_verified_at TIMESTAMP;
ALTER TABLE users ADD COLUMN pending_email TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN pending_email_at TIMESTAMP;

ALTER TABLE merchants ADD COLUMN sign_in_after_reset BOOLEAN NOT NULL DEFAULT FALSE;

-- +goose Down
ALTER TABLE merchants DROP COLUMN sign_in_after_reset;
ALTER TABLE users DROP COLUMN pending_email_at;
ALTER TABLE users DROP COLUMN pending_email;
ALTER TABLE users DROP COLUMN email_verified_at;
ALTER TABLE users DROP COLUMN email_verified;
DROP TABLE user_tokens;
DROP TABLE mail_outbox;
