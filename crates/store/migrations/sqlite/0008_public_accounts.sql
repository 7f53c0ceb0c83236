-- The portal's optional accounts: a phone number or e-mail address and a password
-- (Argon2id), so an applicant sees all of their applications in one list. Applying
-- needs no account; an application sent while signed in is linked to it.
CREATE TABLE public_accounts (
    id INTEGER PRIMARY KEY,
    login TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    created_at TEXT NOT NULL
);

CREATE TABLE public_sessions (
    token_hash TEXT PRIMARY KEY,
    account_id BIGINT NOT NULL REFERENCES public_accounts (id),
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);

ALTER TABLE portal_applications ADD COLUMN account_id BIGINT REFERENCES public_accounts (id);
CREATE INDEX portal_applications_account ON portal_applications (account_id);
