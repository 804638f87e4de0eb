-- The platform foundation: departments, accounts and roles, enterprises,
-- sessions, login throttling, server secrets, the hash-chained audit log,
-- uploaded files and idempotency keys.
-- Dialect tokens: @ID@ (auto-increment primary key), @BLOB@ (docs/storage.md).

CREATE TABLE departments (
    id @ID@,
    code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    name_en TEXT,
    parent_id BIGINT REFERENCES departments(id),
    region TEXT,
    contact TEXT
);

CREATE TABLE accounts (
    id @ID@,
    kind TEXT NOT NULL CHECK (kind IN ('person', 'staff', 'terminal')),
    username TEXT UNIQUE,
    name TEXT NOT NULL,
    id_number TEXT UNIQUE,
    phone TEXT UNIQUE,
    email TEXT,
    password_hash TEXT,
    realname_level BIGINT NOT NULL DEFAULT 0,
    department_id BIGINT REFERENCES departments(id),
    disabled BIGINT NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

CREATE TABLE account_roles (
    account_id BIGINT NOT NULL REFERENCES accounts(id),
    role TEXT NOT NULL,
    granted_at TEXT NOT NULL,
    granted_by BIGINT,
    PRIMARY KEY (account_id, role)
);

CREATE TABLE enterprises (
    id @ID@,
    name TEXT NOT NULL,
    uscc TEXT NOT NULL UNIQUE,
    check_override_reason TEXT,
    override_by BIGINT REFERENCES accounts(id),
    created_at TEXT NOT NULL
);

CREATE TABLE enterprise_agents (
    enterprise_id BIGINT NOT NULL REFERENCES enterprises(id),
    account_id BIGINT NOT NULL REFERENCES accounts(id),
    granted_at TEXT NOT NULL,
    granted_by BIGINT,
    PRIMARY KEY (enterprise_id, account_id)
);

-- Only the SHA-256 of a session token is stored: a copy of this table
-- opens no session.
CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    account_id BIGINT NOT NULL REFERENCES accounts(id),
    kind TEXT NOT NULL CHECK (kind IN ('web', 'api')),
    created_ms BIGINT NOT NULL,
    last_seen_ms BIGINT NOT NULL,
    expires_ms BIGINT NOT NULL,
    ip TEXT
);
CREATE INDEX sessions_account ON sessions(account_id);

CREATE TABLE login_failures (
    username TEXT PRIMARY KEY,
    failures BIGINT NOT NULL,
    last_ms BIGINT NOT NULL,
    locked_until_ms BIGINT NOT NULL
);

CREATE TABLE secrets (
    name TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

-- Append-only. Rows are hash-chained per shard; audit_heads holds each
-- shard's last link, so a deleted tail is detected too.
CREATE TABLE audit_log (
    id @ID@,
    shard BIGINT NOT NULL,
    seq BIGINT NOT NULL,
    at TEXT NOT NULL,
    actor_id BIGINT,
    action TEXT NOT NULL,
    target TEXT NOT NULL,
    detail TEXT NOT NULL,
    ip TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL,
    UNIQUE (shard, seq)
);

CREATE TABLE audit_heads (
    shard BIGINT PRIMARY KEY,
    seq BIGINT NOT NULL,
    hash TEXT NOT NULL
);

CREATE TABLE uploads (
    id @ID@,
    sha256 TEXT NOT NULL,
    owner_id BIGINT NOT NULL REFERENCES accounts(id),
    filename TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size BIGINT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX uploads_owner ON uploads(owner_id);

CREATE TABLE idempotency_keys (
    scope TEXT NOT NULL,
    idem_key TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    status BIGINT NOT NULL,
    body TEXT NOT NULL,
    created_ms BIGINT NOT NULL,
    PRIMARY KEY (scope, idem_key)
);
