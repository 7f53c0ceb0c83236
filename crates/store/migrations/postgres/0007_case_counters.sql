-- The next case number per agency and prefix (the receipt year), taken by one
-- atomic upsert: registrations at once on several servers each get their own
-- number instead of racing for MAX(number) + 1 and retrying.
CREATE TABLE case_counters (
    agency_id BIGINT NOT NULL REFERENCES agencies (id),
    prefix TEXT NOT NULL,
    last BIGINT NOT NULL,
    PRIMARY KEY (agency_id, prefix)
);
