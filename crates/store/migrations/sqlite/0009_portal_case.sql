-- The case page names the online application a case came from.
CREATE INDEX portal_applications_case ON portal_applications (case_id);
