-- Who is delivering a `sending` action and until when (issue 16, 4). A claim is a lease: another
-- deliverer (the app's tick, `bosun actions send`, a second window) leaves a live claim alone and
-- re-takes an expired one only after looking the write up at the provider. Rows claimed before
-- this migration have no lease and count as expired (a crash leftover).
ALTER TABLE actions ADD COLUMN claimed_by TEXT;
ALTER TABLE actions ADD COLUMN claimed_until INTEGER;
