-- Counters bumped by every change the store writes, in the change's own transaction: a server
-- serves a read from memory only while the counter it was read at is still current, so a change
-- made by another process (the CLI on the same file, a second server on the same database) is
-- seen by the next read. One row per kind, so that credentials stay cached while proposals
-- change:
--   access  api_tokens, sessions, accounts, invitations (who a credential belongs to)
--   data    everything else a change writes (campaigns, proposals, revisions, ...)
CREATE TABLE generation (
    name TEXT PRIMARY KEY,
    value BIGINT NOT NULL
);
INSERT INTO generation (name, value) VALUES ('access', 0), ('data', 0);
