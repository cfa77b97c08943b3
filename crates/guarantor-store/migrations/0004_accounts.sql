-- People who sign in with a name and a password: coordinators and decision makers. Passwords
-- are stored as argon2id PHC strings; sessions as the SHA-256 of a random token.

CREATE TABLE accounts (
    name TEXT PRIMARY KEY,
    -- 'coordinator' or 'decision_maker'.
    role TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    created_at TEXT NOT NULL,
    disabled_at TEXT
);

CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    account TEXT NOT NULL REFERENCES accounts (name),
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    revoked_at TEXT
);

-- Failed sign-ins, to slow down password guessing.
CREATE TABLE login_failures (
    account TEXT NOT NULL,
    at TEXT NOT NULL
);
