-- The reports dataset: one row per input file, report, cell and finding.
-- Idempotent, so a dataset made before migrations existed is adopted as it is.

CREATE TABLE IF NOT EXISTS meta (
        name TEXT PRIMARY KEY,
        value TEXT NOT NULL
    );

CREATE TABLE IF NOT EXISTS sources (
        hash TEXT PRIMARY KEY,
        file_name TEXT NOT NULL,
        path TEXT NOT NULL,
        size BIGINT NOT NULL,
        format TEXT,
        status TEXT NOT NULL CHECK (status IN ('ok', 'failed')),
        cause TEXT,
        reports BIGINT NOT NULL,
        ingested_at TEXT NOT NULL
    );

CREATE TABLE IF NOT EXISTS reports (
        id INTEGER PRIMARY KEY,
        source_hash TEXT NOT NULL REFERENCES sources (hash) ON DELETE CASCADE,
        member TEXT NOT NULL,
        format TEXT NOT NULL,
        agency TEXT,
        agency_key TEXT,
        year BIGINT,
        template TEXT NOT NULL,
        published TEXT,
        has_errors BIGINT NOT NULL,
        cross_checked BIGINT NOT NULL DEFAULT 0
    );

CREATE INDEX IF NOT EXISTS reports_agency_year ON reports (agency_key, year);

CREATE INDEX IF NOT EXISTS reports_source ON reports (source_hash);

CREATE TABLE IF NOT EXISTS cells (
        report_id BIGINT NOT NULL REFERENCES reports (id) ON DELETE CASCADE,
        key TEXT NOT NULL,
        kind TEXT NOT NULL CHECK (kind IN ('number', 'blank', 'n/a')),
        value TEXT,
        raw TEXT NOT NULL,
        unit TEXT,
        note TEXT,
        provenance TEXT,
        PRIMARY KEY (report_id, key)
    ) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS findings (
        id INTEGER PRIMARY KEY,
        report_id BIGINT NOT NULL REFERENCES reports (id) ON DELETE CASCADE,
        prev_report_id BIGINT REFERENCES reports (id) ON DELETE CASCADE,
        rule TEXT NOT NULL,
        severity TEXT NOT NULL,
        status TEXT NOT NULL,
        cells TEXT NOT NULL,
        expected TEXT,
        actual TEXT,
        message TEXT NOT NULL
    );

CREATE INDEX IF NOT EXISTS findings_report ON findings (report_id);

INSERT INTO meta (name, value) VALUES ('schema_version', '1') ON CONFLICT (name) DO NOTHING;
