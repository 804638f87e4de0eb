-- Notifications: the message centre (one row per message a person sees in
-- the hall) and the outbox (one row per e-mail or SMS to deliver). Both are
-- written inside the transaction of the change that causes them, so a
-- notification exists exactly when that change committed; a background
-- sender delivers the outbox later (docs/notifications.md).

-- The language a person reads their e-mail and SMS in; NULL means zh-CN.
ALTER TABLE accounts ADD COLUMN lang TEXT;

-- Stored as translation keys plus arguments (JSON object), rendered when
-- read, so the person sees them in the language of the page they are on.
CREATE TABLE messages (
    id @ID@,
    account_id BIGINT NOT NULL REFERENCES accounts(id),
    kind TEXT NOT NULL,
    subject_key TEXT NOT NULL,
    body_key TEXT NOT NULL,
    args TEXT NOT NULL,
    link TEXT,
    created_at TEXT NOT NULL,
    read_at TEXT
);
CREATE INDEX messages_account ON messages(account_id, id);

-- state: pending (due at next_ms), sending (claimed; next_ms is the end of
-- the claim's lease), sent, failed (given up; last_error says why).
-- Rendered once, in the recipient's language, when the row is written: a
-- retry sends the very same text.
CREATE TABLE outbox (
    id @ID@,
    message_id BIGINT REFERENCES messages(id),
    channel TEXT NOT NULL CHECK (channel IN ('email', 'sms')),
    recipient TEXT NOT NULL,
    subject TEXT,
    body TEXT NOT NULL,
    lang TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('pending', 'sending', 'sent', 'failed')),
    attempts BIGINT NOT NULL DEFAULT 0,
    created_ms BIGINT NOT NULL,
    next_ms BIGINT NOT NULL,
    lease_owner TEXT,
    sent_ms BIGINT,
    last_error TEXT
);
CREATE INDEX outbox_due ON outbox(state, next_ms);
CREATE INDEX outbox_message ON outbox(message_id);
