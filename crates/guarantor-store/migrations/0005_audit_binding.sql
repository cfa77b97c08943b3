-- Every audit row binds the stored state it left behind, and may be sealed with a key kept
-- outside the database (see docs/storage.md, "What the audit log proves").
-- state_hash: SHA-256 of the rows of the campaign the entry changed (or of the accounts and API
-- tokens, for entries without a campaign), as they stood after the change; covered by the row's
-- hash. NULL in rows written before this migration.
ALTER TABLE audit_log ADD COLUMN state_hash TEXT;
-- mac: HMAC-SHA-256 of the row's hash under the audit key, when the store has one.
ALTER TABLE audit_log ADD COLUMN mac TEXT;
