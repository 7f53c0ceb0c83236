-- The prose of each stored report (一、总体情况 … 六、其他需要报告的事项) as it was
-- read, heading and text, so the public portal shows a published report whole and
-- not its tables alone. Reports stored before this migration have no rows here.
CREATE TABLE report_sections (
        report_id BIGINT NOT NULL REFERENCES reports (id) ON DELETE CASCADE,
        seq BIGINT NOT NULL,
        heading TEXT NOT NULL,
        body TEXT NOT NULL,
        PRIMARY KEY (report_id, seq)
    );
