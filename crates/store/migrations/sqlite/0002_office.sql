-- The disclosure office: agencies, users, sessions, cases and their append-only
-- events, documents, attachments, the audit log and imported calendars.
-- Booleans are 0/1 integers and times ISO 8601 text, the same on both engines.

CREATE TABLE agencies (
    id INTEGER PRIMARY KEY,
    parent_id BIGINT REFERENCES agencies (id),
    name TEXT NOT NULL,
    -- province / city / county / township / department
    level TEXT NOT NULL,
    -- government (人民政府) / office (办公室) / department (部门) / other
    kind TEXT NOT NULL,
    -- '/1/4/9/': the ids from the root, for subtree queries.
    path TEXT NOT NULL,
    requires_approval BIGINT NOT NULL DEFAULT 0,
    demo BIGINT NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL
);
CREATE INDEX agencies_path ON agencies (path);
CREATE INDEX agencies_parent ON agencies (parent_id);

CREATE TABLE users (
    id INTEGER PRIMARY KEY,
    agency_id BIGINT NOT NULL REFERENCES agencies (id),
    login TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    -- clerk / head / admin / oversight / sysadmin
    role TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    active BIGINT NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL
);
CREATE INDEX users_agency ON users (agency_id);

CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users (id),
    csrf TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE login_failures (
    id INTEGER PRIMARY KEY,
    -- 'login:NAME' or 'addr:IP'
    key TEXT NOT NULL,
    at TEXT NOT NULL
);
CREATE INDEX login_failures_key ON login_failures (key, at);

CREATE TABLE cases (
    id INTEGER PRIMARY KEY,
    agency_id BIGINT NOT NULL REFERENCES agencies (id),
    number TEXT NOT NULL,
    channel TEXT NOT NULL,
    applicant_kind TEXT NOT NULL,
    applicant_name TEXT NOT NULL,
    id_type TEXT,
    id_number TEXT,
    phone TEXT,
    email TEXT,
    address TEXT,
    request TEXT NOT NULL,
    received_on TEXT NOT NULL,
    -- The sequence number of the last event: the version a writer must name.
    version BIGINT NOT NULL,
    -- A summary of the event log, rewritten with each event, for the inbox.
    stage TEXT NOT NULL,
    closed BIGINT NOT NULL,
    due_on TEXT,
    due_provisional BIGINT NOT NULL DEFAULT 0,
    -- How the due date was reached (the engine's explanation), for the inbox.
    due_note TEXT,
    paused BIGINT NOT NULL DEFAULT 0,
    outcome TEXT,
    lookup_hash TEXT,
    demo BIGINT NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (agency_id, number)
);
CREATE INDEX cases_inbox ON cases (agency_id, closed, due_on);
CREATE INDEX cases_received ON cases (agency_id, received_on);

CREATE TABLE case_events (
    case_id BIGINT NOT NULL REFERENCES cases (id),
    seq BIGINT NOT NULL,
    -- The cases crate's event, as JSON, exactly as applied.
    event TEXT NOT NULL,
    user_id BIGINT REFERENCES users (id),
    recorded_at TEXT NOT NULL,
    PRIMARY KEY (case_id, seq)
);

CREATE TABLE documents (
    id INTEGER PRIMARY KEY,
    case_id BIGINT NOT NULL REFERENCES cases (id),
    seq BIGINT NOT NULL,
    kind TEXT NOT NULL,
    title TEXT NOT NULL,
    file_name TEXT NOT NULL,
    media_type TEXT NOT NULL,
    content BLOB NOT NULL,
    user_id BIGINT REFERENCES users (id),
    created_at TEXT NOT NULL
);
CREATE INDEX documents_case ON documents (case_id);

CREATE TABLE attachments (
    id INTEGER PRIMARY KEY,
    case_id BIGINT NOT NULL REFERENCES cases (id),
    file_name TEXT NOT NULL,
    media_type TEXT NOT NULL,
    size BIGINT NOT NULL,
    sha256 TEXT NOT NULL,
    content BLOB NOT NULL,
    user_id BIGINT REFERENCES users (id),
    created_at TEXT NOT NULL
);
CREATE INDEX attachments_case ON attachments (case_id);

-- Editable document templates: each edit is a new version; the newest wins.
CREATE TABLE doc_templates (
    id INTEGER PRIMARY KEY,
    agency_id BIGINT REFERENCES agencies (id),
    kind TEXT NOT NULL,
    body TEXT NOT NULL,
    user_id BIGINT REFERENCES users (id),
    created_at TEXT NOT NULL
);
CREATE INDEX doc_templates_kind ON doc_templates (agency_id, kind, id);

CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    user_id BIGINT,
    agency_id BIGINT,
    action TEXT NOT NULL,
    target TEXT NOT NULL,
    detail TEXT NOT NULL,
    address TEXT
);
CREATE INDEX audit_log_agency ON audit_log (agency_id, id);

-- Holiday notices imported after the build (国务院办公厅 notices), in the
-- format of spec/holidays.tsv; applied in id order over the built-in calendar.
CREATE TABLE calendar_imports (
    id INTEGER PRIMARY KEY,
    years TEXT NOT NULL,
    tsv TEXT NOT NULL,
    user_id BIGINT REFERENCES users (id),
    imported_at TEXT NOT NULL
);
