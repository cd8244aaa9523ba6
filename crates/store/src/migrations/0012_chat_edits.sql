-- Slack's edits and deletions (issue 22, 7): a message keeps when it was last edited, and a
-- deleted one is kept as a tombstone (its text blanked, `deleted_at` set) so a later read of an
-- older copy cannot bring it back; readers leave deleted messages out.
ALTER TABLE chat_messages ADD COLUMN edited_at INTEGER;
ALTER TABLE chat_messages ADD COLUMN deleted_at INTEGER;
