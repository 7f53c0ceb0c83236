-- Files being read by `ingest`: a row is committed before a file is read and deleted
-- in the transaction that stores its result (whichever run stores it). Several runs
-- may ingest into one database at once, so a row names the run reading the file
-- (`run_id`, random per run) and the time after which no live run can still be
-- reading it (`stale_at`: the run's per-file time limit with a margin). Only a row of
-- another run past its `stale_at` names a file whose reading ended the program (a
-- crash in a reader): the next run records it as failed instead of reading it again.
-- Times are the database's clock, as `YYYY-MM-DDTHH:MM:SSZ` (UTC), compared as text.

CREATE TABLE reading (
        run_id TEXT NOT NULL,
        hash TEXT NOT NULL,
        path TEXT NOT NULL,
        size BIGINT NOT NULL,
        started_at TEXT NOT NULL,
        stale_at TEXT NOT NULL,
        PRIMARY KEY (run_id, hash)
    );

CREATE INDEX reading_hash ON reading (hash);
