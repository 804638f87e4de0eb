-- Applications (cases), docs/applications.md. A case is bound to the
-- version of the item's guide in force when it was created. Its state moves
-- only by compare-and-set on (state, version), so two clerks acting at once
-- cannot both succeed. Due dates are kept beside the events they derive
-- from, so the staff list sorts by time left without recomputing.

CREATE TABLE cases (
    id @ID@,
    number TEXT NOT NULL UNIQUE,
    item_code TEXT NOT NULL,
    item_version BIGINT NOT NULL,
    department_code TEXT NOT NULL,
    applicant_id BIGINT NOT NULL REFERENCES accounts(id),
    enterprise_id BIGINT REFERENCES enterprises(id),
    state TEXT NOT NULL,
    version BIGINT NOT NULL,
    back_state TEXT,
    assigned_to BIGINT REFERENCES accounts(id),
    form TEXT NOT NULL,
    prefilled TEXT NOT NULL,
    materials TEXT NOT NULL,
    owed TEXT,
    owed_by TEXT,
    pledge TEXT,
    supplement TEXT,
    decision TEXT,
    promised_days_reduced BIGINT NOT NULL DEFAULT 0,
    due_statutory TEXT,
    due_promised TEXT,
    -- the staff list's order: the promised due date, else the statutory
    -- one, else last ('9999-12-31'), so the index serves it as it stands
    due_sort TEXT NOT NULL DEFAULT '9999-12-31',
    created_at TEXT NOT NULL,
    submitted_at TEXT,
    decided_at TEXT,
    updated_at TEXT NOT NULL
);
CREATE INDEX cases_applicant ON cases(applicant_id, id);
CREATE INDEX cases_enterprise ON cases(enterprise_id, id);
-- the staff list: in its order, and covering its filters, so finding a
-- page (at any offset) and counting the matches read the index alone
CREATE INDEX cases_department ON cases(department_code, due_sort, id, state, assigned_to);

-- The history: one row per step, who, when and why.
CREATE TABLE case_events (
    id @ID@,
    case_id BIGINT NOT NULL REFERENCES cases(id),
    seq BIGINT NOT NULL,
    action TEXT NOT NULL,
    from_state TEXT,
    to_state TEXT NOT NULL,
    actor_id BIGINT REFERENCES accounts(id),
    actor_role TEXT NOT NULL,
    at_ms BIGINT NOT NULL,
    reason TEXT,
    detail TEXT,
    UNIQUE (case_id, seq)
);

-- Which uploads a case uses, so the locker knows what may be deleted.
CREATE TABLE case_uploads (
    case_id BIGINT NOT NULL REFERENCES cases(id),
    upload_id BIGINT NOT NULL REFERENCES uploads(id),
    material TEXT NOT NULL,
    PRIMARY KEY (case_id, upload_id, material)
);
CREATE INDEX case_uploads_upload ON case_uploads(upload_id);

-- Every staff view or download of a person's case data.
CREATE TABLE case_access (
    id @ID@,
    case_id BIGINT NOT NULL REFERENCES cases(id),
    person_id BIGINT NOT NULL REFERENCES accounts(id),
    staff_id BIGINT NOT NULL REFERENCES accounts(id),
    what TEXT NOT NULL,
    upload_id BIGINT,
    at TEXT NOT NULL,
    ip TEXT
);
CREATE INDEX case_access_person ON case_access(person_id, id);

-- 好差评: one rating per case; a bad one opens a call-back and
-- rectification task for the department (15 working days).
CREATE TABLE case_ratings (
    case_id BIGINT PRIMARY KEY REFERENCES cases(id),
    department_code TEXT NOT NULL,
    level BIGINT NOT NULL CHECK (level BETWEEN 1 AND 5),
    comment TEXT,
    indicators TEXT NOT NULL,
    at TEXT NOT NULL
);
CREATE INDEX case_ratings_department ON case_ratings(department_code);

CREATE TABLE rectifications (
    id @ID@,
    case_id BIGINT NOT NULL REFERENCES cases(id),
    department_code TEXT NOT NULL,
    due TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('open', 'done')),
    note TEXT,
    created_at TEXT NOT NULL,
    closed_at TEXT
);
CREATE INDEX rectifications_department ON rectifications(department_code, state);
