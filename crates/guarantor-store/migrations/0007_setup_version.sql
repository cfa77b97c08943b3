-- The version of a campaign's setup alone (its document without proposals): what is derived
-- from the setup (who is invited, the catalogue a change is checked against) is kept until the
-- setup changes, not until any proposal does.
ALTER TABLE campaigns ADD COLUMN setup_version BIGINT NOT NULL DEFAULT 1;

-- What each proposal's current offers commit to conditionally (the other capitals each offer
-- waits for, as JSON), so that a change to one proposal is checked for cycles of linked
-- conditions without reading every other proposal. NULL: not yet computed (rows written before
-- this column existed; filled when the store is opened).
ALTER TABLE proposals ADD COLUMN commits_if TEXT;
