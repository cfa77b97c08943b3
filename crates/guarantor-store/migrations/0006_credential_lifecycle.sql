-- API tokens expire. NULL: a token created before expiry existed, which never expires until
-- revoked (docs/api.md says so; `guarantor token list` shows it).
ALTER TABLE api_tokens ADD COLUMN expires_at TEXT;
