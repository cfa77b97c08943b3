-- The version of a campaign's setup alone (its document without proposals): what is derived
-- from the setup (who is invited, the catalogue a change is checked against) is kept until the
-- setup changes, not until any proposal does.
ALTER TABLE campaigns ADD COLUMN setup_version BIGINT NOT NULL DEFAULT 1;
