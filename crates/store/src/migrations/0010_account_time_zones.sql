-- Time zones (issue 20, 3): a chat account's UTC offset as the provider gives it (Slack's
-- `tz_offset`); identity gives each person the offset of their accounts, which capacity planning
-- and working hours read.
ALTER TABLE accounts ADD COLUMN utc_offset_minutes INTEGER;
