-- Files being read by `ingest`: a row is committed before a file is read and deleted
-- in the transaction that stores its result. A row left over names a file whose
-- reading ended the program (a crash in a reader); the next run records it as failed
-- instead of reading it again.

CREATE TABLE reading (
        hash TEXT PRIMARY KEY,
        path TEXT NOT NULL,
        size BIGINT NOT NULL,
        started_at TEXT NOT NULL
    );
