-- The public portal. An application sent online is received on the day the office
-- confirms it (条例第三十一条第（三）项): until then it waits here, stored before the
-- applicant sees a receipt; the office's confirmation makes it a case (case_id set,
-- in the transaction that creates the case, so it is confirmed once).

CREATE TABLE portal_applications (
    id INTEGER PRIMARY KEY,
    agency_id BIGINT NOT NULL REFERENCES agencies (id),
    -- The 申请编号 shown to the applicant (random, so numbers tell nothing).
    number TEXT NOT NULL UNIQUE,
    -- sha256 of the 查询码: the code itself is shown once and never stored.
    lookup_hash TEXT NOT NULL,
    -- The application as the office's Registration, JSON.
    application TEXT NOT NULL,
    submitted_on TEXT NOT NULL,
    address TEXT,
    case_id BIGINT REFERENCES cases (id),
    created_at TEXT NOT NULL,
    confirmed_at TEXT
);
CREATE INDEX portal_applications_pending ON portal_applications (agency_id, case_id);

-- Files sent with an online application; copied to the case's attachments when
-- the office confirms it.
CREATE TABLE portal_files (
    id INTEGER PRIMARY KEY,
    application_id BIGINT NOT NULL REFERENCES portal_applications (id),
    file_name TEXT NOT NULL,
    media_type TEXT NOT NULL,
    size BIGINT NOT NULL,
    sha256 TEXT NOT NULL,
    content BLOB NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX portal_files_application ON portal_files (application_id);

-- What an applicant tells the office through the portal beyond the engine's own
-- steps (a fee paid, a copy asked for again), for the clerk to act on.
CREATE TABLE applicant_messages (
    id INTEGER PRIMARY KEY,
    case_id BIGINT NOT NULL REFERENCES cases (id),
    kind TEXT NOT NULL,
    text TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX applicant_messages_case ON applicant_messages (case_id);

-- The form and way of provision the applicant asked for (第二十九条): 纸质/电子,
-- 自行领取/邮寄/电子邮件/在线下载.
ALTER TABLE cases ADD COLUMN provision TEXT;
