-- The whole data model. The same file runs on SQLite and PostgreSQL, so it
-- uses types both understand: UUID ids made by the application, TEXT, BOOLEAN,
-- BIGINT, DATE and TIMESTAMP (always UTC). Lists and JSON are TEXT.

-- +goose Up
CREATE TABLE merchants (
    id UUID PRIMARY KEY,
    code TEXT NOT NULL,
    name TEXT NOT NULL,
    password_min_length INTEGER NOT NULL DEFAULT 6,
    password_min_lower INTEGER NOT NULL DEFAULT 1,
    password_min_upper INTEGER NOT NULL DEFAULT 1,
    password_min_digits INTEGER NOT NULL DEFAULT 1,
    password_min_special INTEGER NOT NULL DEFAULT 1,
    password_history INTEGER NOT NULL DEFAULT 5,
    password_max_age_days INTEGER NOT NULL DEFAULT 0,
    max_failed_logins INTEGER NOT NULL DEFAULT 5,
    unique_email BOOLEAN NOT NULL DEFAULT FALSE,
    unique_mobile BOOLEAN NOT NULL DEFAULT FALSE,
    required_fields TEXT NOT NULL DEFAULT '',
    custom_fields TEXT NOT NULL DEFAULT '[]',
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    version INTEGER NOT NULL DEFAULT 1
);
CREATE UNIQUE INDEX merchants_code ON merchants (code);

CREATE TABLE users (
    id UUID PRIMARY KEY,
    merchant_id UUID NOT NULL REFERENCES merchants (id),

    username TEXT NOT NULL,
    email TEXT NOT NULL DEFAULT '',
    previous_email TEXT NOT NULL DEFAULT '',
    member_number TEXT NOT NULL DEFAULT '',
    card_number TEXT NOT NULL DEFAULT '',
    external_id TEXT NOT NULL DEFAULT '',
    referral_code TEXT NOT NULL DEFAULT '',
    auxiliary_id TEXT NOT NULL DEFAULT '',

    name_prefix TEXT NOT NULL DEFAULT '',
    first_name TEXT NOT NULL DEFAULT '',
    middle_initial TEXT NOT NULL DEFAULT '',
    last_name TEXT NOT NULL DEFAULT '',
    name_suffix TEXT NOT NULL DEFAULT '',

    phone TEXT NOT NULL DEFAULT '',
    phone_country TEXT NOT NULL DEFAULT '',
    mobile TEXT NOT NULL DEFAULT '',
    mobile_country TEXT NOT NULL DEFAULT '',
    mobile_carrier TEXT NOT NULL DEFAULT '',
    fax TEXT NOT NULL DEFAULT '',
    fax_country TEXT NOT NULL DEFAULT '',

    country TEXT NOT NULL DEFAULT '',
    address_line1 TEXT NOT NULL DEFAULT '',
    address_line2 TEXT NOT NULL DEFAULT '',
    address_line3 TEXT NOT NULL DEFAULT '',
    city TEXT NOT NULL DEFAULT '',
    state TEXT NOT NULL DEFAULT '',
    postal_code TEXT NOT NULL DEFAULT '',

    organization TEXT NOT NULL DEFAULT '',
    job_title TEXT NOT NULL DEFAULT '',
    department TEXT NOT NULL DEFAULT '',

    language TEXT NOT NULL DEFAULT '',
    gender TEXT NOT NULL DEFAULT '',
    birthday DATE,
    mailing_list_offered BOOLEAN NOT NULL DEFAULT FALSE,
    mailing_list_subscribed BOOLEAN NOT NULL DEFAULT FALSE,
    printed_mailing_list_subscribed BOOLEAN NOT NULL DEFAULT FALSE,
    opt_in_secondary BOOLEAN NOT NULL DEFAULT FALSE,
    programme_opted_in BOOLEAN NOT NULL DEFAULT FALSE,
    programme_joined_at TIMESTAMP,
    terms_accepted BOOLEAN NOT NULL DEFAULT FALSE,
    privacy_accepted BOOLEAN NOT NULL DEFAULT FALSE,

    loyalty_status TEXT NOT NULL DEFAULT '',
    loyalty_tier TEXT NOT NULL DEFAULT '',
    points_balance BIGINT NOT NULL DEFAULT 0,
    home_store TEXT NOT NULL DEFAULT '',

    custom_fields TEXT NOT NULL DEFAULT '{}',

    password_hash TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'ACTIVE',
    roles TEXT NOT NULL DEFAULT 'CUSTOMER',
    failed_login_count INTEGER NOT NULL DEFAULT 0,
    locked_at TIMESTAMP,
    locked_by UUID,
    must_change_password BOOLEAN NOT NULL DEFAULT FALSE,
    password_changed_at TIMESTAMP,
    password_never_expires BOOLEAN NOT NULL DEFAULT FALSE,
    first_login_at TIMESTAMP,
    last_login_at TIMESTAMP,

    created_at TIMESTAMP NOT NULL,
    created_by UUID,
    updated_at TIMESTAMP NOT NULL,
    updated_by UUID,
    version INTEGER NOT NULL DEFAULT 1
);
-- Usernames are unique across the deployment, whatever their case.
CREATE UNIQUE INDEX users_username_lower ON users (lower(username));
-- Sign-in by email and the merchant's unique-email rule.
CREATE INDEX users_email_lower ON users (lower(email));
CREATE INDEX users_merchant_email ON users (merchant_id, lower(email));
CREATE INDEX users_merchant_mobile ON users (merchant_id, mobile);
CREATE INDEX users_merchant_member_number ON users (merchant_id, member_number);
CREATE INDEX users_merchant_card_number ON users (merchant_id, card_number);
CREATE INDEX users_merchant_external_id ON users (merchant_id, external_id);
CREATE INDEX users_merchant_referral_code ON users (merchant_id, referral_code);

CREATE TABLE password_history (
    id UUID PRIMARY KEY,
    user_id UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    hash TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX password_history_user ON password_history (user_id, created_at);

CREATE TABLE sessions (
    id TEXT PRIMARY KEY,
    user_id UUID REFERENCES users (id) ON DELETE CASCADE,
    data TEXT NOT NULL DEFAULT '{}',
    ip TEXT NOT NULL DEFAULT '',
    user_agent TEXT NOT NULL DEFAULT '',
    created_at TIMESTAMP NOT NULL,
    last_seen_at TIMESTAMP NOT NULL,
    authenticated_at TIMESTAMP,
    expires_at TIMESTAMP NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);
CREATE INDEX sessions_expires ON sessions (expires_at);

CREATE TABLE audit_events (
    id UUID PRIMARY KEY,
    merchant_id UUID NOT NULL REFERENCES merchants (id),
    actor_id UUID,
    subject_id UUID,
    action TEXT NOT NULL,
    changes TEXT NOT NULL DEFAULT '[]',
    ip TEXT NOT NULL DEFAULT '',
    user_agent TEXT NOT NULL DEFAULT '',
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX audit_events_merchant_time ON audit_events (merchant_id, created_at);
CREATE INDEX audit_events_subject_time ON audit_events (subject_id, created_at);
CREATE INDEX audit_events_actor_time ON audit_events (actor_id, created_at);

-- +goose Down
DROP TABLE audit_events;
DROP TABLE sessions;
DROP TABLE password_history;
DROP TABLE users;
DROP TABLE merchants;
