-- The audit log filtered by action: without this index a rare action
-- (a lock among millions of sign-ins) is found by reading the merchant's
-- whole log backwards.

-- +goose Up
CREATE INDEX audit_events_merchant_action_time ON audit_events (merchant_id, action, created_at);

-- +goose Down
DROP INDEX audit_events_merchant_action_time;
