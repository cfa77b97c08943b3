-- A coordinator may reopen a campaign after its deadline: submissions are accepted again.
ALTER TABLE campaigns ADD COLUMN reopened BIGINT NOT NULL DEFAULT 0;
