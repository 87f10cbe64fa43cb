-- A retried create through the JSON API with the same Idempotency-Key
-- answers the first answer again instead of making a second user. The
-- first answer is kept here, per API key, for a day.

-- +goose Up
CREATE TABLE idempotency_keys (
    api_key_id UUID NOT NULL REFERENCES api_keys (id) ON DELETE CASCADE,
    idem_key TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    status INTEGER NOT NULL,
    body TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (api_key_id, idem_key)
);

-- +goose Down
DROP TABLE idempotency_keys;
