//! The append-only, hash-chained audit log, bound to the stored data and optionally sealed.
//!
//! Row `n` stores `prev_hash` (row `n − 1`'s hash; 64 zeros for the first), `state_hash` (the
//! SHA-256 of the stored rows the change left behind: the campaign's rows for an entry about a
//! campaign, the accounts and API tokens otherwise) and `hash` = SHA-256 of the JSON array
//! `[seq, at, actor, action, campaign_id, subject, before, after, prev_hash, state_hash]` (absent
//! values as empty strings; rows written before `state_hash` existed hash the first nine).
//! With an audit key (kept outside the database), `mac` = HMAC-SHA-256(key, hash).
//!
//! [`verify`] detects: an edited or deleted row (the chain); stored data edited, added or deleted
//! outside Guarantor (the state no longer matches the last entry that wrote it); with the key, a
//! row forged or re-hashed after an edit (its seal), an unsealed row after sealed ones; and,
//! against a [`Checkpoint`] kept elsewhere, newest rows cut off or the whole chain re-hashed.
//! Without a key or a checkpoint, someone who can write to the database and recompute hashes can
//! still rewrite the log consistently: docs/storage.md says what is and is not detected.

use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};
use sqlx::{Any, AnyConnection, AnyPool, Row, Transaction};

use crate::StoreError;

/// The hash before the first row.
const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// One audit row.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct AuditEntry {
    /// Position in the chain, from 1.
    pub seq: i64,
    /// When, RFC 3339 UTC.
    pub at: String,
    /// Who (an account, an invitation, or `cli:USER`).
    pub actor: String,
    /// What, e.g. `campaign.import`.
    pub action: String,
    /// The campaign concerned, if any.
    pub campaign_id: Option<String>,
    /// The object changed, in words.
    pub subject: String,
    /// The state before (JSON), if there was one.
    pub before: Option<String>,
    /// The state after (JSON), if there is one.
    pub after: Option<String>,
    /// The previous row's hash.
    pub prev_hash: String,
    /// The stored state the change left behind (absent in rows older than the binding).
    pub state_hash: Option<String>,
    /// This row's hash.
    pub hash: String,
    /// The row's seal under the audit key, if the store had one.
    pub mac: Option<String>,
}

/// The result of walking the chain.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct AuditReport {
    /// Rows in the log.
    pub entries: usize,
    /// The newest row's hash (64 zeros for an empty log): record it to detect later truncation.
    pub head: String,
    /// Every break found, in words; empty when the chain is intact.
    pub problems: Vec<String>,
    /// What could not be checked, in words (no key given, data not written since the binding
    /// existed); these do not make the log broken.
    pub unchecked: Vec<String>,
}

impl AuditReport {
    /// True when no row was edited or deleted (as far as the chain can tell).
    pub fn intact(&self) -> bool {
        self.problems.is_empty()
    }
}

/// What a change was: the audit log's `action`, one variant per kind of write.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
pub enum AuditAction {
    /// A campaign file stored.
    CampaignImport,
    /// A campaign's setup replaced.
    CampaignSetup,
    /// A campaign reopened for submissions.
    CampaignReopen,
    /// A campaign closed to submissions.
    CampaignClose,
    /// A capital's draft saved.
    ProposalDraft,
    /// A capital's draft submitted as a revision.
    ProposalSubmit,
    /// A capital's proposal withdrawn.
    ProposalWithdraw,
    /// A capital invited (a new link).
    InvitationCreate,
    /// A capital's invitation revoked.
    InvitationRevoke,
    /// An account created.
    AccountCreate,
    /// An account disabled.
    AccountDisable,
    /// An account enabled again.
    AccountEnable,
    /// An account's password changed.
    AccountPassword,
    /// An API token issued.
    TokenCreate,
    /// An API token revoked.
    TokenRevoke,
    /// A what-if saved (new or replaced).
    WhatIfSave,
    /// A what-if deleted.
    WhatIfDelete,
    /// A follow-up ask sent to a capital.
    AskCreate,
    /// A follow-up ask declined by its capital.
    AskDecline,
    /// A follow-up ask withdrawn by the coordinator.
    AskWithdraw,
    /// A plan adopted.
    PlanAdopt,
    /// A step of a pledge (confirmed, declined, verified, delivered, released, withdrawn).
    PledgeEvent,
}

impl AuditAction {
    /// Which of the store's cached reads a change of this kind can make stale (`fresh.rs`).
    pub(crate) fn counter(self) -> crate::fresh::Counter {
        use crate::fresh::Counter;
        match self {
            Self::InvitationCreate
            | Self::InvitationRevoke
            | Self::AccountCreate
            | Self::AccountDisable
            | Self::AccountEnable
            | Self::AccountPassword
            | Self::TokenCreate
            | Self::TokenRevoke => Counter::Access,
            Self::CampaignImport
            | Self::CampaignSetup
            | Self::CampaignReopen
            | Self::CampaignClose
            | Self::ProposalDraft
            | Self::ProposalSubmit
            | Self::ProposalWithdraw
            | Self::WhatIfSave
            | Self::WhatIfDelete
            | Self::AskCreate
            | Self::AskDecline
            | Self::AskWithdraw
            | Self::PlanAdopt
            | Self::PledgeEvent => Counter::Data,
        }
    }

    /// Every action.
    pub const ALL: [Self; 22] = [
        Self::CampaignImport,
        Self::CampaignSetup,
        Self::CampaignReopen,
        Self::CampaignClose,
        Self::ProposalDraft,
        Self::ProposalSubmit,
        Self::ProposalWithdraw,
        Self::InvitationCreate,
        Self::InvitationRevoke,
        Self::AccountCreate,
        Self::AccountDisable,
        Self::AccountEnable,
        Self::AccountPassword,
        Self::TokenCreate,
        Self::TokenRevoke,
        Self::WhatIfSave,
        Self::WhatIfDelete,
        Self::AskCreate,
        Self::AskDecline,
        Self::AskWithdraw,
        Self::PlanAdopt,
        Self::PledgeEvent,
    ];

    /// As stored in the log (and hashed: never change one).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::CampaignImport => "campaign.import",
            Self::CampaignSetup => "campaign.setup",
            Self::CampaignReopen => "campaign.reopen",
            Self::CampaignClose => "campaign.close",
            Self::ProposalDraft => "proposal.save_draft",
            Self::ProposalSubmit => "proposal.submit",
            Self::ProposalWithdraw => "proposal.withdraw",
            Self::InvitationCreate => "invitation.create",
            Self::InvitationRevoke => "invitation.revoke",
            Self::AccountCreate => "account.create",
            Self::AccountDisable => "account.disable",
            Self::AccountEnable => "account.enable",
            Self::AccountPassword => "account.password",
            Self::TokenCreate => "token.create",
            Self::TokenRevoke => "token.revoke",
            Self::WhatIfSave => "what_if.save",
            Self::WhatIfDelete => "what_if.delete",
            Self::AskCreate => "ask.create",
            Self::AskDecline => "ask.decline",
            Self::AskWithdraw => "ask.withdraw",
            Self::PlanAdopt => "plan.adopt",
            Self::PledgeEvent => "pledge.event",
        }
    }

    /// What was done, in words a person reads ("saved a draft").
    pub fn in_words(self) -> &'static str {
        match self {
            Self::CampaignImport => "stored the campaign",
            Self::CampaignSetup => "changed the setup",
            Self::CampaignReopen => "reopened submissions",
            Self::CampaignClose => "closed submissions",
            Self::ProposalDraft => "saved a draft",
            Self::ProposalSubmit => "submitted a revision",
            Self::ProposalWithdraw => "withdrew the proposal",
            Self::InvitationCreate => "sent a new invitation link",
            Self::InvitationRevoke => "revoked an invitation",
            Self::AccountCreate => "created an account",
            Self::AccountDisable => "disabled an account",
            Self::AccountEnable => "enabled an account",
            Self::AccountPassword => "changed a password",
            Self::TokenCreate => "issued an API token",
            Self::TokenRevoke => "revoked an API token",
            Self::WhatIfSave => "saved a what-if",
            Self::WhatIfDelete => "deleted a what-if",
            Self::AskCreate => "sent a follow-up ask",
            Self::AskDecline => "declined a follow-up ask",
            Self::AskWithdraw => "withdrew a follow-up ask",
            Self::PlanAdopt => "adopted a plan",
            Self::PledgeEvent => "recorded a step of a pledge",
        }
    }

    /// The action stored as `text`, if it is one of these.
    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.as_str() == text)
    }
}

/// One change as its writer describes it; the log adds when, who, the chain, the state hash
/// and the seal ([`crate::Store::audited`]).
#[derive(Debug, Clone)]
pub(crate) struct Audit {
    pub action: AuditAction,
    /// The parts of the stored data the change wrote (their state is recorded).
    pub parts: Vec<Part>,
    pub campaign_id: Option<String>,
    pub subject: String,
    pub before: Option<String>,
    pub after: Option<String>,
}

impl Audit {
    /// A change of kind `action` to `subject` (in words).
    pub fn new(action: AuditAction, subject: impl Into<String>) -> Self {
        Self {
            action,
            parts: vec![Part::Accounts],
            campaign_id: None,
            subject: subject.into(),
            before: None,
            after: None,
        }
    }

    /// About campaign `id`, writing its `parts`.
    pub fn in_campaign(mut self, id: &str, parts: Vec<Part>) -> Self {
        self.campaign_id = Some(id.to_owned());
        self.parts = parts;
        self
    }

    /// The state before, as JSON.
    pub fn before(mut self, state: &impl serde::Serialize) -> Self {
        self.before = Some(crate::json(state));
        self
    }

    /// The state after, as JSON.
    pub fn after(mut self, state: &impl serde::Serialize) -> Self {
        self.after = Some(crate::json(state));
        self
    }

    /// The state after, already written as JSON (a whole campaign file).
    pub fn after_json(mut self, json: String) -> Self {
        self.after = Some(json);
        self
    }
}

/// A row to append.
pub(crate) struct NewEntry<'a> {
    pub at: &'a str,
    pub actor: &'a str,
    pub action: &'a str,
    pub campaign_id: Option<&'a str>,
    pub subject: &'a str,
    pub before: Option<&'a str>,
    pub after: Option<&'a str>,
}

/// The secret that seals audit rows and checkpoints; kept outside the database.
#[derive(Clone)]
pub struct AuditKey(std::sync::Arc<Vec<u8>>);

impl std::fmt::Debug for AuditKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("AuditKey(***)")
    }
}

impl AuditKey {
    /// A key from the text of a key file: 64 or more hexadecimal digits (what
    /// [`AuditKey::generate`] writes).
    pub fn parse(text: &str) -> Result<Self, String> {
        let hex = text.trim();
        if hex.len() < 64
            || !hex.len().is_multiple_of(2)
            || !hex.bytes().all(|b| b.is_ascii_hexdigit())
        {
            return Err(
                "an audit key is at least 64 hexadecimal digits (make one with `guarantor audit keygen`)"
                    .into(),
            );
        }
        let bytes = (0..hex.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap_or(0))
            .collect();
        Ok(Self(std::sync::Arc::new(bytes)))
    }

    /// A fresh random key as the text of a key file (64 hexadecimal digits and a newline).
    pub fn generate() -> String {
        use rand::RngCore as _;
        let mut bytes = [0u8; 32];
        rand::rng().fill_bytes(&mut bytes);
        let mut text: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
        text.push('\n');
        text
    }

    /// HMAC-SHA-256 of `message`, hex-encoded.
    fn seal(&self, message: &str) -> String {
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&self.0)
            .unwrap_or_else(|_| unreachable!("HMAC takes keys of any length"));
        mac.update(message.as_bytes());
        mac.finalize()
            .into_bytes()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }
}

/// The head of the log at one moment, sealed with the audit key: a small file a second party
/// keeps, against which truncation and re-hashing are detected later.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Checkpoint {
    /// The newest row then.
    pub seq: i64,
    /// Its hash.
    pub head: String,
    /// When the checkpoint was taken, RFC 3339 UTC.
    pub at: String,
    /// HMAC-SHA-256 of `guarantor-audit-checkpoint|seq|head|at` under the audit key.
    pub seal: String,
}

impl Checkpoint {
    fn message(seq: i64, head: &str, at: &str) -> String {
        format!("guarantor-audit-checkpoint|{seq}|{head}|{at}")
    }
}

fn hash(seq: i64, e: &NewEntry<'_>, prev_hash: &str, state_hash: Option<&str>) -> String {
    let mut fields = vec![
        seq.to_string(),
        e.at.to_owned(),
        e.actor.to_owned(),
        e.action.to_owned(),
        e.campaign_id.unwrap_or_default().to_owned(),
        e.subject.to_owned(),
        e.before.unwrap_or_default().to_owned(),
        e.after.unwrap_or_default().to_owned(),
        prev_hash.to_owned(),
    ];
    if let Some(state) = state_hash {
        fields.push(state.to_owned());
    }
    // A JSON array of strings is an unambiguous encoding of the fields.
    let encoded = serde_json::to_string(&fields).unwrap_or_default();
    Sha256::digest(encoded.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Serialises appends on PostgreSQL: two transactions would otherwise read the same head and
/// collide on `seq` (SQLite has one writer at a time already).
pub(crate) async fn lock(tx: &mut Transaction<'_, Any>) -> Result<(), StoreError> {
    sqlx::query("LOCK TABLE audit_log IN EXCLUSIVE MODE")
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// A part of the stored data whose state an audit row records: a change records the parts it
/// wrote, so what it costs does not grow with the campaign, and verification compares each
/// part with the last row that wrote it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Part {
    /// The accounts and API tokens.
    Accounts,
    /// A campaign's own row (its setup and whether it was reopened).
    Campaign(String),
    /// One capital's proposal row and its revisions.
    Proposal(String, String),
    /// A campaign's invitations.
    Invitations(String),
}

/// Marks a state hash made of parts (rows before it hashed a whole campaign).
const PARTS: &str = "parts";

impl Part {
    /// How the part is named in the recorded state.
    fn key(&self) -> String {
        match self {
            Self::Accounts => "accounts".into(),
            Self::Campaign(c) => format!("campaign:{c}"),
            Self::Proposal(c, r) => format!("proposal:{c}/{r}"),
            Self::Invitations(c) => format!("invitations:{c}"),
        }
    }

    fn parse(key: &str) -> Option<Self> {
        if key == "accounts" {
            return Some(Self::Accounts);
        }
        let (kind, rest) = key.split_once(':')?;
        match kind {
            "campaign" => Some(Self::Campaign(rest.to_owned())),
            "invitations" => Some(Self::Invitations(rest.to_owned())),
            "proposal" => {
                let (c, r) = rest.split_once('/')?;
                Some(Self::Proposal(c.to_owned(), r.to_owned()))
            }
            _ => None,
        }
    }

    /// The campaign it belongs to, if any.
    fn campaign(&self) -> Option<&str> {
        match self {
            Self::Accounts => None,
            Self::Campaign(c) | Self::Proposal(c, _) | Self::Invitations(c) => Some(c),
        }
    }

    /// In words, for problems.
    fn describe(&self) -> String {
        match self {
            Self::Accounts => "the accounts and API tokens".into(),
            Self::Campaign(c) => format!("campaign {c}: its setup"),
            Self::Proposal(c, r) => format!("campaign {c}: the proposal of {r}"),
            Self::Invitations(c) => format!("campaign {c}: its invitations"),
        }
    }

    /// The SHA-256 of the part's stored rows, every column, in key order. The campaign's
    /// change counter and time (`version`, `updated_at`) move with every change to any part and
    /// are not covered.
    async fn hash(&self, conn: &mut AnyConnection) -> Result<String, StoreError> {
        match self {
            Self::Accounts => state_hash(conn, None).await,
            Self::Campaign(c) => {
                hash_rows(
                    conn,
                    &[(
                        "SELECT id, document, reopened, created_at FROM campaigns WHERE id = $1",
                        4,
                    )],
                    &[c],
                )
                .await
            }
            Self::Proposal(c, r) => {
                hash_rows(
                    conn,
                    &[
                        (
                            "SELECT respondent, position, draft, withdrawn, version FROM proposals WHERE campaign_id = $1 AND respondent = $2",
                            5,
                        ),
                        (
                            "SELECT respondent, number, submitted_at, submitted_by, body FROM revisions WHERE campaign_id = $1 AND respondent = $2 ORDER BY number",
                            5,
                        ),
                    ],
                    &[c, r],
                )
                .await
            }
            Self::Invitations(c) => {
                hash_rows(
                    conn,
                    &[(
                        "SELECT token_hash, respondent, created_at, created_by, expires_at, revoked_at FROM invitations WHERE campaign_id = $1 ORDER BY token_hash",
                        6,
                    )],
                    &[c],
                )
                .await
            }
        }
    }
}

/// The state a change left, as recorded: `parts KEY=HASH KEY=HASH …`.
async fn parts_state(conn: &mut AnyConnection, parts: &[Part]) -> Result<String, StoreError> {
    let mut out = PARTS.to_owned();
    for p in parts {
        out.push(' ');
        out.push_str(&p.key());
        out.push('=');
        out.push_str(&p.hash(conn).await?);
    }
    Ok(out)
}

/// The parts and hashes a recorded state names; `None` for a state hashed whole (older rows).
fn recorded_parts(state: &str) -> Option<Vec<(Part, String)>> {
    let rest = state.strip_prefix(PARTS)?;
    Some(
        rest.split_whitespace()
            .filter_map(|kv| {
                let (k, v) = kv.rsplit_once('=')?;
                Some((Part::parse(k)?, v.to_owned()))
            })
            .collect(),
    )
}

/// The SHA-256 of the rows `queries` select (each with its number of columns), binding `binds`.
async fn hash_rows(
    conn: &mut AnyConnection,
    queries: &[(&str, usize)],
    binds: &[&str],
) -> Result<String, StoreError> {
    let mut tables = Vec::new();
    for (sql, columns) in queries {
        let mut query = sqlx::query(sql);
        for b in binds {
            query = query.bind(*b);
        }
        let rows = query.fetch_all(&mut *conn).await?;
        let mut table = Vec::new();
        for row in &rows {
            let mut cells = Vec::new();
            for i in 0..*columns {
                // Text or whole numbers; NULL stays null so it differs from "".
                let cell = match row.try_get::<Option<String>, _>(i) {
                    Ok(v) => serde_json::json!(v),
                    Err(_) => serde_json::json!(row.try_get::<Option<i64>, _>(i)?),
                };
                cells.push(cell);
            }
            table.push(cells);
        }
        tables.push(table);
    }
    let encoded = serde_json::to_string(&tables).unwrap_or_default();
    Ok(Sha256::digest(encoded.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect())
}

/// The SHA-256 of the stored rows of `campaign` (its row, proposals, revisions and invitations),
/// or, for `None`, of the accounts and API tokens: every column, in key order. Sessions and
/// sign-in failures are not audited and not covered.
pub(crate) async fn state_hash(
    conn: &mut AnyConnection,
    campaign: Option<&str>,
) -> Result<String, StoreError> {
    let queries: &[(&str, &[&str])] = match campaign {
        Some(_) => &[
            (
                "SELECT id, document, version, reopened, created_at, updated_at FROM campaigns WHERE id = $1",
                &[
                    "id",
                    "document",
                    "version",
                    "reopened",
                    "created_at",
                    "updated_at",
                ],
            ),
            (
                "SELECT respondent, position, draft, withdrawn, version FROM proposals WHERE campaign_id = $1 ORDER BY respondent",
                &["respondent", "position", "draft", "withdrawn", "version"],
            ),
            (
                "SELECT respondent, number, submitted_at, submitted_by, body FROM revisions WHERE campaign_id = $1 ORDER BY respondent, number",
                &[
                    "respondent",
                    "number",
                    "submitted_at",
                    "submitted_by",
                    "body",
                ],
            ),
            (
                "SELECT token_hash, respondent, created_at, created_by, expires_at, revoked_at FROM invitations WHERE campaign_id = $1 ORDER BY token_hash",
                &[
                    "token_hash",
                    "respondent",
                    "created_at",
                    "created_by",
                    "expires_at",
                    "revoked_at",
                ],
            ),
        ],
        None => &[
            (
                "SELECT name, role, password_hash, created_at, disabled_at FROM accounts ORDER BY name",
                &["name", "role", "password_hash", "created_at", "disabled_at"],
            ),
            (
                "SELECT token_hash, name, role, created_at, revoked_at, expires_at FROM api_tokens ORDER BY token_hash",
                &[
                    "token_hash",
                    "name",
                    "role",
                    "created_at",
                    "revoked_at",
                    "expires_at",
                ],
            ),
        ],
    };
    let queries: Vec<(&str, usize)> = queries.iter().map(|(q, c)| (*q, c.len())).collect();
    hash_rows(conn, &queries, campaign.as_slice()).await
}

/// Appends a row in the caller's transaction (a [`crate::Write`]), after the
/// change: it records the state the change left behind and, with a key, seals the row.
pub(crate) async fn append(
    tx: &mut Transaction<'_, Any>,
    e: NewEntry<'_>,
    parts: &[Part],
    key: Option<&AuditKey>,
) -> Result<(), StoreError> {
    let state = parts_state(tx, parts).await?;
    let head = sqlx::query("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1")
        .fetch_optional(&mut **tx)
        .await?;
    let (seq, prev_hash) = match head {
        Some(row) => (
            row.try_get::<i64, _>("seq")? + 1,
            row.try_get::<String, _>("hash")?,
        ),
        None => (1, GENESIS.to_owned()),
    };
    let h = hash(seq, &e, &prev_hash, Some(&state));
    let mac = key.map(|k| k.seal(&h));
    sqlx::query(
        "INSERT INTO audit_log (seq, at, actor, action, campaign_id, subject, before_state, after_state, prev_hash, hash, state_hash, mac) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
    )
    .bind(seq)
    .bind(e.at)
    .bind(e.actor)
    .bind(e.action)
    .bind(e.campaign_id)
    .bind(e.subject)
    .bind(e.before)
    .bind(e.after)
    .bind(&prev_hash)
    .bind(&h)
    .bind(&state)
    .bind(&mac)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

pub(crate) async fn entries(pool: &AnyPool) -> Result<Vec<AuditEntry>, StoreError> {
    let rows = sqlx::query(&format!(
        "SELECT {ENTRY_COLUMNS} FROM audit_log ORDER BY seq"
    ))
    .fetch_all(pool)
    .await?;
    rows.iter().map(entry_of).collect()
}

/// The newest `count` rows about `subject` in `campaign`, newest first.
pub(crate) async fn latest_about(
    pool: &AnyPool,
    campaign: &str,
    subject: &str,
    count: i64,
) -> Result<Vec<AuditEntry>, StoreError> {
    let rows = sqlx::query(&format!(
        "SELECT {ENTRY_COLUMNS} FROM audit_log WHERE campaign_id = $1 AND subject = $2 \
         ORDER BY seq DESC LIMIT $3"
    ))
    .bind(campaign)
    .bind(subject)
    .bind(count)
    .fetch_all(pool)
    .await?;
    rows.iter().map(entry_of).collect()
}

/// The columns [`entry_of`] reads.
const ENTRY_COLUMNS: &str = "seq, at, actor, action, campaign_id, subject, before_state, after_state, prev_hash, hash, state_hash, mac";

fn entry_of(r: &sqlx::any::AnyRow) -> Result<AuditEntry, StoreError> {
    Ok(AuditEntry {
        seq: r.try_get("seq")?,
        at: r.try_get("at")?,
        actor: r.try_get("actor")?,
        action: r.try_get("action")?,
        campaign_id: r.try_get("campaign_id")?,
        subject: r.try_get("subject")?,
        before: r.try_get("before_state")?,
        after: r.try_get("after_state")?,
        prev_hash: r.try_get("prev_hash")?,
        state_hash: r.try_get("state_hash")?,
        hash: r.try_get("hash")?,
        mac: r.try_get("mac")?,
    })
}

/// Walks the chain, checks seals with `key`, compares the stored state with what the log
/// recorded, and checks the log against `checkpoints` (see the module doc).
pub(crate) async fn verify(
    pool: &AnyPool,
    key: Option<&AuditKey>,
    checkpoints: &[Checkpoint],
) -> Result<AuditReport, StoreError> {
    let entries = entries(pool).await?;
    let mut problems = Vec::new();
    let mut unchecked = Vec::new();
    let mut expected_seq = 1;
    let mut prev = GENESIS.to_owned();
    let mut sealed_from: Option<i64> = None;
    for e in &entries {
        if e.seq != expected_seq {
            problems.push(format!(
                "rows {expected_seq} to {} are missing (deleted?)",
                e.seq - 1
            ));
        }
        if e.prev_hash != prev {
            problems.push(format!(
                "row {}: its link to the previous row is broken (a row before it was deleted or edited)",
                e.seq
            ));
        }
        let recomputed = hash(
            e.seq,
            &NewEntry {
                at: &e.at,
                actor: &e.actor,
                action: &e.action,
                campaign_id: e.campaign_id.as_deref(),
                subject: &e.subject,
                before: e.before.as_deref(),
                after: e.after.as_deref(),
            },
            &e.prev_hash,
            e.state_hash.as_deref(),
        );
        if recomputed != e.hash {
            problems.push(format!(
                "row {} ({} by {} at {}): its contents do not match its hash (edited)",
                e.seq, e.action, e.actor, e.at
            ));
        }
        match (&e.mac, key) {
            (Some(mac), Some(k)) => {
                sealed_from.get_or_insert(e.seq);
                if *mac != k.seal(&e.hash) {
                    problems.push(format!(
                        "row {} ({} by {} at {}): its seal does not match (forged, or re-hashed after an edit)",
                        e.seq, e.action, e.actor, e.at
                    ));
                }
            }
            (Some(_), None) => {
                sealed_from.get_or_insert(e.seq);
            }
            (None, _) => {
                if let Some(first) = sealed_from {
                    problems.push(format!(
                        "row {} ({} by {} at {}) is not sealed although rows from {first} are (written without the key?)",
                        e.seq, e.action, e.actor, e.at
                    ));
                }
            }
        }
        expected_seq = e.seq + 1;
        prev = e.hash.clone();
    }
    if sealed_from.is_some() && key.is_none() {
        unchecked.push("seals not checked: no audit key was given".to_owned());
    }

    // The stored data against the state the last entry about it recorded. Rows record the
    // parts they wrote (`parts …`); older rows recorded a whole campaign (or all accounts).
    let mut conn = pool.acquire().await?;
    let mut last: std::collections::BTreeMap<Option<String>, &AuditEntry> =
        std::collections::BTreeMap::new();
    let mut part_last: std::collections::BTreeMap<Part, (&AuditEntry, String)> =
        std::collections::BTreeMap::new();
    // Scopes with a row from before parts were recorded: their unrecorded parts are unchecked,
    // not unknown.
    let mut before_parts: std::collections::BTreeSet<Option<String>> =
        std::collections::BTreeSet::new();
    for e in &entries {
        last.insert(e.campaign_id.clone(), e);
        match e.state_hash.as_deref().map(recorded_parts) {
            Some(Some(parts)) => {
                for (part, hash) in parts {
                    part_last.insert(part, (e, hash));
                }
            }
            _ => {
                before_parts.insert(e.campaign_id.clone());
            }
        }
    }
    let stored: Vec<String> = sqlx::query("SELECT id FROM campaigns ORDER BY id")
        .fetch_all(&mut *conn)
        .await?
        .iter()
        .map(|r| r.try_get::<String, _>("id"))
        .collect::<Result<_, _>>()?;
    for id in &stored {
        if !last.contains_key(&Some(id.clone())) {
            problems.push(format!(
                "campaign {id} is stored but the audit log never recorded it (written outside Guarantor)"
            ));
        }
    }
    for (scope, e) in &last {
        let what = scope.as_deref().map_or_else(
            || "the accounts and API tokens".to_owned(),
            |c| format!("campaign {c}"),
        );
        if let Some(c) = scope
            && !stored.contains(c)
        {
            problems.push(format!(
                "{what} is in the audit log (last row {}) but no longer stored (deleted outside Guarantor)",
                e.seq
            ));
            continue;
        }
        let Some(recorded) = &e.state_hash else {
            unchecked.push(format!(
                "{what}: not changed since the log began recording stored state; its data is not checked"
            ));
            continue;
        };
        if recorded_parts(recorded).is_none() {
            // Last written before parts were recorded: the whole scope as that row saw it.
            if state_hash(&mut conn, scope.as_deref()).await? != *recorded {
                problems.push(format!(
                    "{what}: the stored data differs from what the log recorded after its last change (row {}, {} by {} at {}): edited outside Guarantor",
                    e.seq, e.action, e.actor, e.at
                ));
            }
            continue;
        }
        // Each part against the last row that wrote it.
        for (part, (row, hash)) in part_last
            .iter()
            .filter(|(p, _)| p.campaign() == scope.as_deref())
        {
            if part.hash(&mut conn).await? != *hash {
                problems.push(format!(
                    "{}: the stored data differs from what the log recorded after its last change (row {}, {} by {} at {}): edited outside Guarantor",
                    part.describe(),
                    row.seq,
                    row.action,
                    row.actor,
                    row.at
                ));
            }
        }
        // Parts stored that no row recorded: added outside Guarantor, or (after an upgrade)
        // not written since.
        let Some(c) = scope else { continue };
        let mut present: Vec<Part> = sqlx::query(
            "SELECT respondent FROM proposals WHERE campaign_id = $1 \
             UNION SELECT respondent FROM revisions WHERE campaign_id = $1",
        )
        .bind(c)
        .fetch_all(&mut *conn)
        .await?
        .iter()
        .map(|r| {
            Ok(Part::Proposal(
                c.clone(),
                r.try_get::<String, _>("respondent")?,
            ))
        })
        .collect::<Result<_, StoreError>>()?;
        let invitations =
            sqlx::query("SELECT COUNT(*) AS n FROM invitations WHERE campaign_id = $1")
                .bind(c)
                .fetch_one(&mut *conn)
                .await?
                .try_get::<i64, _>("n")?;
        if invitations > 0 {
            present.push(Part::Invitations(c.clone()));
        }
        for part in present.iter().filter(|p| !part_last.contains_key(p)) {
            if before_parts.contains(scope) {
                unchecked.push(format!(
                    "{}: not changed since the log began recording each part; its data is not checked",
                    part.describe()
                ));
            } else {
                problems.push(format!(
                    "{}: stored, but no row of the audit log wrote it (edited outside Guarantor)",
                    part.describe()
                ));
            }
        }
    }

    // Checkpoints kept elsewhere.
    for cp in checkpoints.iter().filter(|cp| cp.seq > 0) {
        if let Some(k) = key
            && cp.seal != k.seal(&Checkpoint::message(cp.seq, &cp.head, &cp.at))
        {
            problems.push(format!(
                "the checkpoint of row {} taken at {}: its seal does not match this key (not ours, or altered)",
                cp.seq, cp.at
            ));
            continue;
        }
        match entries.iter().find(|e| e.seq == cp.seq) {
            None => problems.push(format!(
                "the log no longer holds row {}, recorded in the checkpoint taken at {} (the newest rows were cut off)",
                cp.seq, cp.at
            )),
            Some(e) if e.hash != cp.head => problems.push(format!(
                "row {} no longer has the hash recorded in the checkpoint taken at {} (the chain was rewritten)",
                cp.seq, cp.at
            )),
            Some(_) => {}
        }
        if key.is_none() {
            unchecked.push(format!(
                "the checkpoint of row {} was compared but its seal not checked: no audit key was given",
                cp.seq
            ));
        }
    }
    Ok(AuditReport {
        entries: entries.len(),
        head: prev,
        problems,
        unchecked,
    })
}

/// A sealed checkpoint of the log's head now.
pub(crate) async fn checkpoint(
    pool: &AnyPool,
    key: &AuditKey,
    at: &str,
) -> Result<Checkpoint, StoreError> {
    let head = sqlx::query("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1")
        .fetch_optional(pool)
        .await?;
    let (seq, head) = match head {
        Some(row) => (
            row.try_get::<i64, _>("seq")?,
            row.try_get::<String, _>("hash")?,
        ),
        None => (0, GENESIS.to_owned()),
    };
    Ok(Checkpoint {
        seal: key.seal(&Checkpoint::message(seq, &head, at)),
        seq,
        head,
        at: at.to_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::AuditAction;

    /// The action names are hashed into every row: they are the ones written before the type
    /// existed, and each reads back as itself.
    #[test]
    fn actions_keep_their_stored_names() {
        let names: Vec<&str> = AuditAction::ALL.iter().map(|a| a.as_str()).collect();
        assert_eq!(
            names,
            [
                "campaign.import",
                "campaign.setup",
                "campaign.reopen",
                "campaign.close",
                "proposal.save_draft",
                "proposal.submit",
                "proposal.withdraw",
                "invitation.create",
                "invitation.revoke",
                "account.create",
                "account.disable",
                "account.enable",
                "account.password",
                "token.create",
                "token.revoke",
                "what_if.save",
                "what_if.delete",
                "ask.create",
                "ask.decline",
                "ask.withdraw",
                "plan.adopt",
                "pledge.event",
            ]
        );
        for a in AuditAction::ALL {
            assert_eq!(AuditAction::parse(a.as_str()), Some(a));
        }
        assert_eq!(AuditAction::parse("proposal.draft"), None);
    }
}
