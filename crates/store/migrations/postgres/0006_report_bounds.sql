-- What the year's report needs to skip a case without replaying it: the date of
-- its last event and whether an appeal is still open (kept with the summary). A
-- case closed before a year, with every appeal resolved, counts nothing in it.
-- Cases stored before these columns have no date and are always read.
ALTER TABLE cases ADD COLUMN last_event_on TEXT;
ALTER TABLE cases ADD COLUMN appeals_open BIGINT NOT NULL DEFAULT 0;
