-- API keys: an integration of a merchant calls the JSON API with one. Only
-- the key's SHA-256 (hex) and its public prefix are stored, so a copy of
-- the table hands out no key. A key is revoked, never deleted: the audit
-- trail names it as the actor of what an integration did (actor_key_id,
-- with actor_id NULL).

-- +goose Up
CREATE TABLE api_keys (
    id UUID PRIMARY KEY,
    merchant_id UUID NOT NULL REFERENCES merchants (id),
    name TEXT NOT NULL,
    prefix TEXT NOT NULL,
    hash TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    created_by UUID,
    last_used_at TIMESTAMP,
    revoked_at TIMESTAMP,
    revoked_by UUID
);
-- Every API call finds its key by the hash.
CREATE UNIQUE INDEX api_keys_hash ON api_keys (hash);
-- The admin page lists a merchant's keys, newest first.
CREATE INDEX api_keys_merchant_time ON api_keys (merchant_id, created_at);
-- Names tell a merchant's active keys apart, whatever their case; a
-- revoked key's name may be used again.
CREATE UNIQUE INDEX api_keys_merchant_active_name ON api_keys (merchant_id, lower(name)) WHERE revoked_at IS NULL;

ALTER TABLE audit_events ADD COLUMN actor_key_id UUID;

-- +goose Down
ALTER TABLE audit_events DROP COLUMN actor_key_id;
DROP TABLE api_keys;
