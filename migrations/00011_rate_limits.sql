-- Rate limits shared by every instance on the database: one token bucket
-- per limit and key (an IP address, an account, an API key). The time is
-- kept in milliseconds since 1970, so the refill is plain arithmetic on
-- both databases.

-- +goose Up
CREATE TABLE rate_limits (
    bucket TEXT PRIMARY KEY,
    tokens DOUBLE PRECISION NOT NULL,
    updated_ms BIGINT NOT NULL
);
CREATE INDEX rate_limits_updated ON rate_limits (updated_ms);

-- +goose Down
DROP TABLE rate_limits;
