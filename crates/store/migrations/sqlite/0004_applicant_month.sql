-- An applicant's applications to an agency in a month (the 信息处理费 rules count
-- them): looked up on every case view and step, so by index rather than by a scan of
-- the agency's cases. The expression is the one the query uses, to the letter.

CREATE INDEX cases_applicant_month ON cases (
    agency_id,
    (COALESCE(id_number, applicant_name)),
    (substr(received_on, 1, 7))
);
