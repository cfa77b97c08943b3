-- Campaigns, proposals, revisions and the audit log. Written in the SQL that SQLite and
-- PostgreSQL both accept: TEXT, BIGINT, no autoincrement (ids come from the application),
-- timestamps as RFC 3339 text in UTC, documents as JSON text.

CREATE TABLE campaigns (
    id TEXT PRIMARY KEY,
    -- The campaign file without its proposals (canonical JSON).
    document TEXT NOT NULL,
    -- Bumped on every change of the campaign or one of its proposals.
    version BIGINT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

CREATE TABLE proposals (
    campaign_id TEXT NOT NULL REFERENCES campaigns (id),
    respondent TEXT NOT NULL,
    -- Where the proposal stands in the campaign file, so an export keeps the file's order.
    position BIGINT NOT NULL,
    -- The unsubmitted draft (JSON), if any.
    draft TEXT,
    -- The withdrawal (JSON), if the respondent withdrew.
    withdrawn TEXT,
    -- Bumped on every change of this proposal (optimistic concurrency).
    version BIGINT NOT NULL,
    PRIMARY KEY (campaign_id, respondent)
);

-- Submitted revisions are immutable: rows are only ever inserted.
CREATE TABLE revisions (
    campaign_id TEXT NOT NULL,
    respondent TEXT NOT NULL,
    number BIGINT NOT NULL,
    submitted_at TEXT NOT NULL,
    submitted_by TEXT NOT NULL,
    -- The revision as in the campaign file (JSON).
    body TEXT NOT NULL,
    PRIMARY KEY (campaign_id, respondent, number),
    FOREIGN KEY (campaign_id, respondent) REFERENCES proposals (campaign_id, respondent)
);

-- Append-only and hash-chained: each row's hash covers its fields and the previous row's hash.
CREATE TABLE audit_log (
    seq BIGINT PRIMARY KEY,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    campaign_id TEXT,
    subject TEXT NOT NULL,
    before_state TEXT,
    after_state TEXT,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);
