//! Who may use the store through the API: API tokens for coordinators and decision makers, and
//! one invitation per capital whose token reaches only that capital's proposal.
//!
//! Tokens are 32 random bytes, hex-encoded, shown once; only their SHA-256 is stored, so a copy
//! of the database does not hand out access.

use chrono::{DateTime, SecondsFormat, Utc};
use rand::RngCore;
use sha2::{Digest, Sha256};
use sqlx::Row;

use crate::audit::{Audit, AuditAction, Part};
use crate::{Store, StoreError};

/// What a coordinator or decision-maker token may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Runs campaigns: everything.
    Coordinator,
    /// Reads campaigns, assessments, options and briefs; changes nothing.
    DecisionMaker,
}

impl Role {
    /// The name stored and shown.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Coordinator => "coordinator",
            Self::DecisionMaker => "decision_maker",
        }
    }

    /// The role a stored or requested name means (`coordinator`, `decision_maker`).
    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "coordinator" => Some(Self::Coordinator),
            "decision_maker" => Some(Self::DecisionMaker),
            _ => None,
        }
    }
}

/// Who a token belongs to.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Principal {
    /// A coordinator or decision maker.
    Account {
        /// The token's name (a person or a script).
        name: String,
        /// What it may do.
        role: Role,
    },
    /// A capital, through its invitation to one campaign.
    Respondent {
        /// The campaign.
        campaign: String,
        /// The capital's code.
        respondent: String,
        /// The person at the capital, as they named themselves (not verified: the invitation
        /// is the capital's, shared by its people); tells them apart in the history.
        person: Option<String>,
    },
}

impl Principal {
    /// How the audit log names it.
    pub fn actor(&self) -> String {
        match self {
            Self::Account { name, role } => format!("{}:{name}", role.as_str()),
            Self::Respondent {
                campaign,
                respondent,
                person: None,
            } => format!("invitation:{campaign}/{respondent}"),
            Self::Respondent {
                campaign,
                respondent,
                person: Some(person),
            } => format!("invitation:{campaign}/{respondent} ({person})"),
        }
    }

    /// A person's name as a capital's principal carries it: trimmed, at most 60 characters,
    /// without control characters or the brackets and slash the audit log's actor uses; `None`
    /// when nothing is left.
    pub fn person_name(typed: &str) -> Option<String> {
        let clean: String = typed
            .chars()
            .filter(|c| !c.is_control() && !matches!(c, '(' | ')' | '/'))
            .take(60)
            .collect();
        let clean = clean.split_whitespace().collect::<Vec<_>>().join(" ");
        (!clean.is_empty()).then_some(clean)
    }
}

/// An invitation as listed to the coordinator (never its token).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Invitation {
    /// The capital invited.
    pub respondent: String,
    /// When it was made, RFC 3339.
    pub created_at: String,
    /// Who made it.
    pub created_by: String,
    /// When it expires, RFC 3339.
    pub expires_at: String,
    /// When it was revoked (or replaced by a newer one), if it was.
    pub revoked_at: Option<String>,
}

impl Invitation {
    /// Whether the token still opens the proposal at `at`.
    pub fn is_active(&self, at: DateTime<Utc>) -> bool {
        self.revoked_at.is_none()
            && DateTime::parse_from_rfc3339(&self.expires_at).is_ok_and(|e| e > at)
    }
}

/// A fresh random token.
fn new_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The stored form of a token.
fn token_hash(token: &str) -> String {
    Sha256::digest(token.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// What the audit log records of a token or account (never the secret).
#[derive(serde::Serialize)]
struct AccountState<'a> {
    name: &'a str,
    role: &'static str,
}

impl<'a> AccountState<'a> {
    fn of(name: &'a str, role: Role) -> Self {
        Self {
            name,
            role: role.as_str(),
        }
    }
}

/// What the audit log records of a new invitation (never the token).
#[derive(serde::Serialize)]
struct InvitationState {
    expires_at: String,
}

fn rfc3339(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Micros, true)
}

/// Days an API token lasts unless told otherwise.
pub const TOKEN_DAYS: i64 = 90;
/// The longest an API token may last.
pub const MAX_TOKEN_DAYS: i64 = 3650;

/// An API token as listed: never the secret, nor its full hash.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ApiTokenListing {
    /// Short public id (the first 12 hex digits of the token's hash), to revoke it by.
    pub id: String,
    /// Whose or what it is for.
    pub name: String,
    /// Its role.
    pub role: Role,
    /// When it was created, RFC 3339.
    pub created_at: String,
    /// When it stops working (RFC 3339); `None` for a token made before tokens expired.
    pub expires_at: Option<String>,
    /// When it was revoked, if it was.
    pub revoked_at: Option<String>,
}

impl Store {
    /// Creates an API token for a coordinator or decision maker lasting [`TOKEN_DAYS`]; returns
    /// it (shown once).
    pub async fn create_api_token(
        &self,
        name: &str,
        role: Role,
        actor: &str,
        at: DateTime<Utc>,
    ) -> Result<String, StoreError> {
        self.create_api_token_for(name, role, TOKEN_DAYS, actor, at)
            .await
    }

    /// Creates an API token lasting `days` (1 to [`MAX_TOKEN_DAYS`]); returns it (shown once).
    pub async fn create_api_token_for(
        &self,
        name: &str,
        role: Role,
        days: i64,
        actor: &str,
        at: DateTime<Utc>,
    ) -> Result<String, StoreError> {
        if !(1..=MAX_TOKEN_DAYS).contains(&days) {
            return Err(StoreError::Invalid {
                problems: vec![format!(
                    "expires_in_days: must be 1 to {MAX_TOKEN_DAYS} days (got {days})"
                )],
            });
        }
        if name.trim().is_empty() || name.chars().count() > 64 || name.chars().any(char::is_control)
        {
            return Err(StoreError::Invalid {
                problems: vec![format!(
                    "name: must be 1 to 64 printable characters (got {name:?})"
                )],
            });
        }
        let token = new_token();
        let expires_at = rfc3339(at + chrono::Duration::days(days));
        let at = rfc3339(at);
        let mut w = self.write(actor, &at).await?;
        let tx = &mut w.tx;

        sqlx::query(
            "INSERT INTO api_tokens (token_hash, name, role, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(token_hash(&token))
        .bind(name)
        .bind(role.as_str())
        .bind(&at)
        .bind(&expires_at)
        .execute(&mut **tx)
        .await?;
        w.commit(Some(
            Audit::new(
                AuditAction::TokenCreate,
                format!("{} token {name}", role.as_str()),
            )
            .after(&AccountState::of(name, role)),
        ))
        .await?;
        Ok(token)
    }

    /// Invites a capital to a campaign: returns the invitation token (shown once). An earlier
    /// invitation of the same capital to the same campaign is revoked.
    pub async fn invite(
        &self,
        campaign: &str,
        respondent: &str,
        expires_at: DateTime<Utc>,
        actor: &str,
        at: DateTime<Utc>,
    ) -> Result<String, StoreError> {
        // The proposal lookup checks that the campaign exists and the capital is invited to it.
        self.proposal(campaign, respondent).await?;
        let token = new_token();
        let at = rfc3339(at);
        let mut w = self.write(actor, &at).await?;
        let tx = &mut w.tx;

        sqlx::query(
            "UPDATE invitations SET revoked_at = $1 WHERE campaign_id = $2 AND respondent = $3 AND revoked_at IS NULL",
        )
        .bind(&at)
        .bind(campaign)
        .bind(respondent)
        .execute(&mut **tx)
        .await?;
        sqlx::query(
            "INSERT INTO invitations (token_hash, campaign_id, respondent, created_at, created_by, expires_at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(token_hash(&token))
        .bind(campaign)
        .bind(respondent)
        .bind(&at)
        .bind(actor)
        .bind(rfc3339(expires_at))
        .execute(&mut **tx)
        .await?;
        w.commit(Some(
            Audit::new(
                AuditAction::InvitationCreate,
                format!("invitation of {respondent}"),
            )
            .in_campaign(campaign, vec![Part::Invitations(campaign.to_owned())])
            .after(&InvitationState {
                expires_at: rfc3339(expires_at),
            }),
        ))
        .await?;
        Ok(token)
    }

    /// Every invitation of a campaign, newest first: who, when made, until when, and whether
    /// revoked. The tokens themselves are not stored and cannot be shown again.
    pub async fn invitations(&self, campaign: &str) -> Result<Vec<Invitation>, StoreError> {
        let rows = sqlx::query(
            "SELECT respondent, created_at, created_by, expires_at, revoked_at FROM invitations \
             WHERE campaign_id = $1 ORDER BY created_at DESC, respondent",
        )
        .bind(campaign)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(Invitation {
                    respondent: r.try_get("respondent")?,
                    created_at: r.try_get("created_at")?,
                    created_by: r.try_get("created_by")?,
                    expires_at: r.try_get("expires_at")?,
                    revoked_at: r.try_get("revoked_at")?,
                })
            })
            .collect()
    }

    /// Revokes a capital's invitation to a campaign; returns whether there was one to revoke.
    pub async fn revoke_invitation(
        &self,
        campaign: &str,
        respondent: &str,
        actor: &str,
        at: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let at = rfc3339(at);
        let mut w = self.write(actor, &at).await?;
        let tx = &mut w.tx;

        let revoked = sqlx::query(
            "UPDATE invitations SET revoked_at = $1 WHERE campaign_id = $2 AND respondent = $3 AND revoked_at IS NULL",
        )
        .bind(&at)
        .bind(campaign)
        .bind(respondent)
        .execute(&mut **tx)
        .await?
        .rows_affected();
        w.commit((revoked > 0).then(|| {
            Audit::new(
                AuditAction::InvitationRevoke,
                format!("invitation of {respondent}"),
            )
            .in_campaign(campaign, vec![Part::Invitations(campaign.to_owned())])
        }))
        .await?;
        Ok(revoked > 0)
    }

    /// Who a token belongs to, if it is valid at `at` (known, not revoked, not expired).
    /// Served from memory while no credential has changed in the database since it was read.
    pub async fn authenticate(
        &self,
        token: &str,
        at: DateTime<Utc>,
    ) -> Result<Option<Principal>, StoreError> {
        let hash = token_hash(token);
        let generation = self.generations().await?.access;
        let credential = match self.cached.credentials.get(generation, &hash) {
            Some(c) => c,
            None => {
                let Some(c) = self.credential(&hash).await? else {
                    // Unknown tokens are not kept: guessing must not fill the memory.
                    return Ok(None);
                };
                self.cached.credentials.put(generation, hash, c.clone());
                c
            }
        };
        Ok(credential
            .principal
            .filter(|_| credential.valid_until.is_none_or(|e| at <= e)))
    }

    /// A credential as stored, by its token's hash.
    async fn credential(&self, hash: &str) -> Result<Option<Credential>, StoreError> {
        // One statement for the three kinds of credential: every uncached request pays for it.
        let Some(row) = sqlx::query(
            "SELECT 'token' AS kind, name AS who, role AS what, expires_at FROM api_tokens \
               WHERE token_hash = $1 AND revoked_at IS NULL \
             UNION ALL \
             SELECT 'session', a.name, a.role, s.expires_at FROM sessions s \
               JOIN accounts a ON a.name = s.account \
               WHERE s.token_hash = $1 AND s.revoked_at IS NULL AND a.disabled_at IS NULL \
             UNION ALL \
             SELECT 'invitation', campaign_id, respondent, expires_at FROM invitations \
               WHERE token_hash = $1 AND revoked_at IS NULL",
        )
        .bind(hash)
        .fetch_optional(&self.pool)
        .await?
        else {
            return Ok(None);
        };
        // API tokens made before expiry existed have none; sessions and invitations always do.
        // An expiry that does not parse has passed.
        let valid_until = row.try_get::<Option<String>, _>("expires_at")?.map(|e| {
            DateTime::parse_from_rfc3339(&e)
                .map_or(DateTime::<Utc>::MIN_UTC, |e| e.with_timezone(&Utc))
        });
        let kind: String = row.try_get("kind")?;
        let who: String = row.try_get("who")?;
        let what: String = row.try_get("what")?;
        let principal = match kind.as_str() {
            "invitation" => Some(Principal::Respondent {
                campaign: who,
                respondent: what,
                person: None,
            }),
            _ => Role::parse(&what).map(|role| Principal::Account { name: who, role }),
        };
        Ok(Some(Credential {
            principal,
            valid_until,
        }))
    }
}

/// A stored credential: who holds it (none for a role this version does not know) and until
/// when it works.
#[derive(Debug, Clone)]
pub(crate) struct Credential {
    principal: Option<Principal>,
    valid_until: Option<DateTime<Utc>>,
}

/// Failed sign-ins allowed per account within [`LOGIN_WINDOW_MINUTES`]; then sign-in is refused
/// until the window has passed.
pub const LOGIN_ATTEMPTS: i64 = 5;
/// The window of [`LOGIN_ATTEMPTS`].
pub const LOGIN_WINDOW_MINUTES: i64 = 15;
/// How long a session lasts.
pub const SESSION_HOURS: i64 = 8;
/// The shortest password accepted.
pub const MIN_PASSWORD_CHARS: usize = 12;

/// A signed-in session: its token (shown once) and who it belongs to.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Session {
    /// The bearer token.
    pub token: String,
    /// When it stops working.
    pub expires_at: DateTime<Utc>,
    /// The account.
    pub name: String,
    /// Its role.
    pub role: Role,
}

fn argon2() -> argon2::Argon2<'static> {
    argon2::Argon2::default()
}

/// A hash to verify against when the account does not exist, so that an unknown name takes as
/// long as a wrong password and does not reveal which accounts exist.
fn dummy_hash() -> &'static str {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DUMMY.get_or_init(|| {
        use argon2::PasswordHasher;
        argon2()
            .hash_password(b"not a password of anyone")
            .map(|h| h.to_string())
            .unwrap_or_default()
    })
}

/// The argon2id hash stored for a password.
fn hash_password(password: &str) -> Result<String, StoreError> {
    use argon2::PasswordHasher;
    Ok(argon2()
        .hash_password(password.as_bytes())
        .map_err(|e| StoreError::Database(format!("cannot hash the password: {e}")))?
        .to_string())
}

fn check_account_input(name: &str, password: &str) -> Result<(), StoreError> {
    let mut problems = Vec::new();
    if name.trim().is_empty() || name.chars().count() > 64 || name.chars().any(char::is_control) {
        problems.push(format!(
            "name: must be 1 to 64 printable characters (got {name:?})"
        ));
    }
    if password.chars().count() < MIN_PASSWORD_CHARS {
        problems.push(format!(
            "password: must be at least {MIN_PASSWORD_CHARS} characters"
        ));
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(StoreError::Invalid { problems })
    }
}

impl Store {
    /// Creates an account that signs in with a password (stored as an argon2id hash).
    pub async fn create_account(
        &self,
        name: &str,
        role: Role,
        password: &str,
        actor: &str,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        check_account_input(name, password)?;
        let hash = hash_password(password)?;
        let at = rfc3339(at);
        let mut w = self.write(actor, &at).await?;
        let tx = &mut w.tx;

        let exists = sqlx::query("SELECT name FROM accounts WHERE name = $1")
            .bind(name)
            .fetch_optional(&mut **tx)
            .await?;
        if exists.is_some() {
            return Err(StoreError::AccountExists(name.to_owned()));
        }
        sqlx::query(
            "INSERT INTO accounts (name, role, password_hash, created_at) VALUES ($1, $2, $3, $4)",
        )
        .bind(name)
        .bind(role.as_str())
        .bind(&hash)
        .bind(&at)
        .execute(&mut **tx)
        .await?;
        w.commit(Some(
            Audit::new(AuditAction::AccountCreate, format!("account {name}"))
                .after(&AccountState::of(name, role)),
        ))
        .await?;
        Ok(())
    }

    /// Signs in: a session token for the account, or why not. After [`LOGIN_ATTEMPTS`] failures
    /// within [`LOGIN_WINDOW_MINUTES`], sign-in is refused even with the right password.
    pub async fn login(
        &self,
        name: &str,
        password: &str,
        at: DateTime<Utc>,
    ) -> Result<Session, StoreError> {
        use argon2::PasswordVerifier;
        let since = rfc3339(at - chrono::Duration::minutes(LOGIN_WINDOW_MINUTES));
        let failures =
            sqlx::query("SELECT at FROM login_failures WHERE account = $1 AND at > $2 ORDER BY at")
                .bind(name)
                .bind(&since)
                .fetch_all(&self.pool)
                .await?;
        if i64::try_from(failures.len()).unwrap_or(i64::MAX) >= LOGIN_ATTEMPTS {
            let oldest: String = failures[0].try_get("at")?;
            let retry = DateTime::parse_from_rfc3339(&oldest)
                .map(|t| {
                    (t.with_timezone(&Utc) + chrono::Duration::minutes(LOGIN_WINDOW_MINUTES) - at)
                        .num_seconds()
                        .max(1)
                })
                .unwrap_or(LOGIN_WINDOW_MINUTES * 60);
            return Err(StoreError::TooManyAttempts {
                retry_after_seconds: retry,
            });
        }
        let account = sqlx::query(
            "SELECT role, password_hash FROM accounts WHERE name = $1 AND disabled_at IS NULL",
        )
        .bind(name)
        .fetch_optional(&self.pool)
        .await?;
        let (role, hash) = match &account {
            Some(row) => (
                Role::parse(&row.try_get::<String, _>("role")?),
                row.try_get::<String, _>("password_hash")?,
            ),
            None => (None, dummy_hash().to_owned()),
        };
        let verified = argon2()
            .verify_password(password.as_bytes(), hash.as_str())
            .is_ok();
        let Some(role) = role.filter(|_| verified) else {
            sqlx::query("INSERT INTO login_failures (account, at) VALUES ($1, $2)")
                .bind(name)
                .bind(rfc3339(at))
                .execute(&self.pool)
                .await?;
            return Err(StoreError::BadCredentials);
        };
        let token = new_token();
        let expires_at = at + chrono::Duration::hours(SESSION_HOURS);
        sqlx::query(
            "INSERT INTO sessions (token_hash, account, created_at, expires_at) VALUES ($1, $2, $3, $4)",
        )
        .bind(token_hash(&token))
        .bind(name)
        .bind(rfc3339(at))
        .bind(rfc3339(expires_at))
        .execute(&self.pool)
        .await?;
        Ok(Session {
            token,
            expires_at,
            name: name.to_owned(),
            role,
        })
    }

    /// Ends a session; returns whether the token was a live session.
    pub async fn logout(&self, token: &str, at: DateTime<Utc>) -> Result<bool, StoreError> {
        // The session's end and the bump that tells every server's cache commit together.
        let mut tx = self.pool.begin().await?;
        let done = sqlx::query(
            "UPDATE sessions SET revoked_at = $1 WHERE token_hash = $2 AND revoked_at IS NULL",
        )
        .bind(rfc3339(at))
        .bind(token_hash(token))
        .execute(&mut *tx)
        .await?
        .rows_affected();
        crate::fresh::bump(&mut tx, &[crate::fresh::Counter::Access]).await?;
        tx.commit().await?;
        self.cached.fresh.wrote();
        Ok(done > 0)
    }
}

/// An account as listed: never its password hash.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct AccountListing {
    /// The name it signs in with.
    pub name: String,
    /// Its role.
    pub role: Role,
    /// When it was created, RFC 3339.
    pub created_at: String,
    /// When it was disabled, if it is.
    pub disabled_at: Option<String>,
}

impl Store {
    /// The accounts, by name: never a password hash.
    pub async fn accounts(&self) -> Result<Vec<AccountListing>, StoreError> {
        let rows =
            sqlx::query("SELECT name, role, created_at, disabled_at FROM accounts ORDER BY name")
                .fetch_all(&self.pool)
                .await?;
        rows.iter()
            .filter_map(|r| {
                let role = r
                    .try_get::<String, _>("role")
                    .ok()
                    .and_then(|role| Role::parse(&role))?;
                Some((r, role))
            })
            .map(|(r, role)| {
                Ok(AccountListing {
                    name: r.try_get("name")?,
                    role,
                    created_at: r.try_get("created_at")?,
                    disabled_at: r.try_get("disabled_at")?,
                })
            })
            .collect()
    }

    /// The API tokens, newest first: never the secret.
    pub async fn api_tokens(&self) -> Result<Vec<ApiTokenListing>, StoreError> {
        let rows = sqlx::query(
            "SELECT token_hash, name, role, created_at, expires_at, revoked_at FROM api_tokens ORDER BY created_at DESC, token_hash",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .filter_map(|r| {
                let role = r
                    .try_get::<String, _>("role")
                    .ok()
                    .and_then(|role| Role::parse(&role))?;
                Some((r, role))
            })
            .map(|(r, role)| {
                let hash: String = r.try_get("token_hash")?;
                Ok(ApiTokenListing {
                    id: hash.chars().take(12).collect(),
                    name: r.try_get("name")?,
                    role,
                    created_at: r.try_get("created_at")?,
                    expires_at: r.try_get("expires_at")?,
                    revoked_at: r.try_get("revoked_at")?,
                })
            })
            .collect()
    }

    /// Revokes the API token whose listed id is `id`; `false` when no live token has it.
    pub async fn revoke_api_token(
        &self,
        id: &str,
        actor: &str,
        at: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        if id.len() != 12 || !id.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(StoreError::Invalid {
                problems: vec![format!(
                    "id: a token id is the 12 hexadecimal digits `token list` shows (got {id:?})"
                )],
            });
        }
        let at = rfc3339(at);
        let mut w = self.write(actor, &at).await?;
        let tx = &mut w.tx;

        let row = sqlx::query(
            "SELECT token_hash, name, role FROM api_tokens WHERE token_hash LIKE $1 AND revoked_at IS NULL",
        )
        .bind(format!("{}%", id.to_ascii_lowercase()))
        .fetch_optional(&mut **tx)
        .await?;
        let Some(row) = row else {
            return Ok(false);
        };
        let hash: String = row.try_get("token_hash")?;
        let name: String = row.try_get("name")?;
        let role = Role::parse(&row.try_get::<String, _>("role")?).unwrap_or(Role::DecisionMaker);
        sqlx::query("UPDATE api_tokens SET revoked_at = $1 WHERE token_hash = $2")
            .bind(&at)
            .bind(&hash)
            .execute(&mut **tx)
            .await?;
        w.commit(Some(
            Audit::new(
                AuditAction::TokenRevoke,
                format!("{} token {name} ({id})", role.as_str()),
            )
            .before(&AccountState::of(&name, role)),
        ))
        .await?;
        Ok(true)
    }

    /// Disables (or, with `disabled = false`, enables again) an account: a disabled account
    /// cannot sign in and its sessions stop working at once.
    pub async fn set_account_disabled(
        &self,
        name: &str,
        disabled: bool,
        actor: &str,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let at = rfc3339(at);
        let mut w = self.write(actor, &at).await?;
        let tx = &mut w.tx;

        let row = sqlx::query("SELECT role, disabled_at FROM accounts WHERE name = $1")
            .bind(name)
            .fetch_optional(&mut **tx)
            .await?
            .ok_or_else(|| StoreError::NoSuchAccount(name.to_owned()))?;
        let role = Role::parse(&row.try_get::<String, _>("role")?).unwrap_or(Role::DecisionMaker);
        let was: Option<String> = row.try_get("disabled_at")?;
        if was.is_some() == disabled {
            return Ok(());
        }
        sqlx::query("UPDATE accounts SET disabled_at = $1 WHERE name = $2")
            .bind(disabled.then_some(&at))
            .bind(name)
            .execute(&mut **tx)
            .await?;
        if disabled {
            sqlx::query(
                "UPDATE sessions SET revoked_at = $1 WHERE account = $2 AND revoked_at IS NULL",
            )
            .bind(&at)
            .bind(name)
            .execute(&mut **tx)
            .await?;
        }
        w.commit(Some(
            Audit::new(
                if disabled {
                    AuditAction::AccountDisable
                } else {
                    AuditAction::AccountEnable
                },
                format!("account {name}"),
            )
            .after(&AccountState::of(name, role)),
        ))
        .await?;
        Ok(())
    }

    /// Changes an account's password after checking the current one; every session of the
    /// account ends (sign in again with the new password). Failures count like sign-in failures.
    pub async fn change_password(
        &self,
        name: &str,
        current: &str,
        new: &str,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        check_account_input(name, new)?;
        if current == new {
            return Err(StoreError::Invalid {
                problems: vec!["new_password: must differ from the current one".into()],
            });
        }
        // The same check as sign-in (lockout, unknown names cost as much as wrong passwords).
        let session = self.login(name, current, at).await?;
        let hash = hash_password(new)?;
        let at = rfc3339(at);
        let mut w = self.write(&format!("account:{name}"), &at).await?;
        let tx = &mut w.tx;

        sqlx::query("UPDATE accounts SET password_hash = $1 WHERE name = $2")
            .bind(&hash)
            .bind(name)
            .execute(&mut **tx)
            .await?;
        sqlx::query(
            "UPDATE sessions SET revoked_at = $1 WHERE account = $2 AND revoked_at IS NULL",
        )
        .bind(&at)
        .bind(name)
        .execute(&mut **tx)
        .await?;
        w.commit(Some(
            Audit::new(AuditAction::AccountPassword, format!("account {name}"))
                .after(&AccountState::of(name, session.role)),
        ))
        .await?;
        Ok(())
    }
}
