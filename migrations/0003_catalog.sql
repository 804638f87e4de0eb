-- The catalog (docs/catalog.md). Departments exist since 0001; here they
-- gain their place in the exchange format. An item version is kept as its
-- exchange-format JSON object (doc), so export gives back exactly what was
-- imported; the columns beside it are what lists and filters need.

CREATE TABLE halls (
    id @ID@,
    code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    region TEXT,
    doc TEXT NOT NULL
);

-- status: draft (being edited), published (in force; at most one per code),
-- superseded (a published version replaced by a newer one), withdrawn (no
-- longer offered). A version other than a draft never changes.
CREATE TABLE catalog_items (
    id @ID@,
    code TEXT NOT NULL,
    version BIGINT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('draft', 'published', 'superseded', 'withdrawn')),
    department_code TEXT NOT NULL REFERENCES departments(code),
    name TEXT NOT NULL,
    level BIGINT NOT NULL,
    effective_from TEXT,
    doc TEXT NOT NULL,
    created_at TEXT NOT NULL,
    created_by BIGINT,
    published_at TEXT,
    published_by BIGINT,
    UNIQUE (code, version)
);
CREATE INDEX catalog_items_status ON catalog_items(status, code);
CREATE INDEX catalog_items_department ON catalog_items(department_code, status);

-- Bumped by every change of the catalog, so each process of the hall knows
-- when its in-memory copy is stale.
CREATE TABLE catalog_revision (
    id BIGINT PRIMARY KEY CHECK (id = 1),
    revision BIGINT NOT NULL
);
INSERT INTO catalog_revision (id, revision) VALUES (1, 0);
