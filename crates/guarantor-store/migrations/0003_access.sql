-- Who may use the API. Tokens are random and only their SHA-256 is stored.

-- Tokens for coordinators and decision makers (scripts and the web app's accounts).
CREATE TABLE api_tokens (
    token_hash TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    -- 'coordinator' or 'decision_maker'.
    role TEXT NOT NULL,
    created_at TEXT NOT NULL,
    revoked_at TEXT
);

-- One invitation per capital and campaign: its token lets the capital see and edit its own
-- proposal, nothing else.
CREATE TABLE invitations (
    token_hash TEXT PRIMARY KEY,
    campaign_id TEXT NOT NULL REFERENCES campaigns (id),
    respondent TEXT NOT NULL,
    created_at TEXT NOT NULL,
    created_by TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    revoked_at TEXT
);
