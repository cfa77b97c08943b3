//! Guarantor's storage: campaigns with their proposals and revisions, and the audit log, in
//! embedded SQLite or in PostgreSQL. The database URL chooses; the code is the same.
//!
//! A campaign is stored in parts so that proposals can change without rewriting the campaign:
//! the campaign file without its proposals (canonical JSON), one row per proposal (draft and
//! withdrawal as JSON), one immutable row per submitted revision. [`Store::export`] reassembles
//! the campaign file and validates it with the same rules as a file on disk, so what comes out
//! is always a valid campaign.
//!
//! Every change appends to `audit_log` in the same transaction. Each audit row carries the hash
//! of the previous row and a SHA-256 over its own fields and that hash, so editing or deleting a
//! row breaks the chain; [`Store::verify_audit`] walks it.

mod access;
mod asks;
mod audit;
mod fresh;
mod proposals;
mod setup;
mod what_ifs;

use std::collections::{BTreeMap, HashMap};
use std::str::FromStr;

use chrono::{SecondsFormat, Utc};
use guarantor_domain::document::{DraftDoc, ProposalDoc, RevisionDoc, WithdrawalDoc};
use guarantor_domain::{Campaign, CampaignDocument, CommitConditions, validate};
use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyPool, Row};

pub use access::{
    AccountListing, ApiTokenListing, Invitation, LOGIN_ATTEMPTS, LOGIN_WINDOW_MINUTES,
    MAX_TOKEN_DAYS, MIN_PASSWORD_CHARS, Principal, Role, SESSION_HOURS, Session, TOKEN_DAYS,
};
use audit::Audit;
pub use audit::{AuditAction, AuditEntry, AuditKey, AuditReport, Checkpoint};

/// A change being written: its transaction, who makes it and when.
pub(crate) struct Write {
    /// The transaction every statement of the change runs in.
    pub tx: sqlx::Transaction<'static, sqlx::Any>,
    actor: String,
    at: String,
    key: Option<AuditKey>,
    fresh: std::sync::Arc<fresh::Freshness>,
    /// The counters the changes recorded so far make stale (bumped once, at the commit).
    stale: Vec<fresh::Counter>,
}

impl Write {
    /// Appends a change's audit row in this transaction: bound to the state the change left
    /// behind, sealed with the store's key. A batch of changes records one row each.
    pub async fn record(&mut self, actor: &str, at: &str, a: &Audit) -> Result<(), StoreError> {
        let entry = audit::NewEntry {
            at,
            actor,
            action: a.action.as_str(),
            campaign_id: a.campaign_id.as_deref(),
            subject: &a.subject,
            before: a.before.as_deref(),
            after: a.after.as_deref(),
        };
        let counter = a.action.counter();
        if !self.stale.contains(&counter) {
            self.stale.push(counter);
        }
        audit::append(&mut self.tx, entry, &a.parts, self.key.as_ref()).await
    }

    /// Whether the commit will bump `counter` (a change recorded so far makes it stale).
    pub(crate) fn bumps(&self, counter: fresh::Counter) -> bool {
        self.stale.contains(&counter)
    }

    /// Records the change's audit row (`None` when the change found nothing to do) and
    /// commits.
    pub async fn commit(mut self, audit: Option<Audit>) -> Result<(), StoreError> {
        if let Some(a) = audit {
            let (actor, at) = (self.actor.clone(), self.at.clone());
            self.record(&actor, &at, &a).await?;
        }
        fresh::bump(&mut self.tx, &self.stale).await?;
        self.tx.commit().await?;
        self.fresh.wrote();
        Ok(())
    }
}
pub use fresh::request_scope;
pub use proposals::{DraftContent, ProposalState};
pub use setup::{CampaignState, Submissions};

/// The migrations, embedded in the binary; applied when a store is opened.
static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

/// Which database a store is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// Embedded SQLite (a file).
    Sqlite,
    /// PostgreSQL (a server).
    Postgres,
}

/// Why a storage operation failed.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The URL is neither `sqlite:` nor `postgres:`.
    #[error("unsupported database URL \"{0}\": use sqlite://PATH or postgres://USER@HOST/DB")]
    UnsupportedUrl(String),
    /// The database could not be reached or opened.
    #[error("cannot open the database {url}: {reason}")]
    Open {
        /// The URL, password hidden.
        url: String,
        /// What the driver said.
        reason: String,
    },
    /// The schema could not be brought up to date.
    #[error("cannot apply the database migrations: {0}")]
    Migrate(String),
    /// A query failed.
    #[error("database error: {0}")]
    Database(String),
    /// Import of a campaign whose id is taken.
    #[error(
        "a campaign with id \"{0}\" is already stored; change campaign.id in the file to import it as a new campaign"
    )]
    CampaignExists(String),
    /// No campaign with that id.
    #[error("no campaign \"{id}\" is stored (stored: {stored})")]
    NoSuchCampaign {
        /// The id asked for.
        id: String,
        /// The ids that are stored.
        stored: String,
    },
    /// The respondent is not invited to the campaign.
    #[error("\"{respondent}\" is not a respondent invited to campaign \"{campaign}\"")]
    NoSuchRespondent {
        /// Campaign id.
        campaign: String,
        /// The code asked for.
        respondent: String,
    },
    /// No follow-up ask with that id to that capital.
    #[error("campaign \"{campaign}\" has no ask \"{ask}\" to {respondent}")]
    NoSuchAsk {
        /// Campaign id.
        campaign: String,
        /// The capital.
        respondent: String,
        /// The ask id.
        ask: String,
    },
    /// No pledge with that id of that capital in the plan that stands.
    #[error(
        "campaign \"{campaign}\" has no pledge \"{pledge}\" of {respondent} in the plan that stands"
    )]
    NoSuchPledge {
        /// Campaign id.
        campaign: String,
        /// The capital.
        respondent: String,
        /// The pledge id.
        pledge: String,
    },
    /// An ask cannot be sent or declined now; the message says why and what to do.
    #[error("{0}")]
    AskRefused(String),
    /// No saved what-if with that id.
    #[error("campaign \"{campaign}\" has no saved what-if \"{id}\" (saved: {saved})")]
    NoSuchWhatIf {
        /// Campaign id.
        campaign: String,
        /// The id asked for.
        id: String,
        /// The saved ids.
        saved: String,
    },
    /// Someone else changed the proposal since the version the caller read.
    #[error(
        "the proposal of {respondent} changed since you read it (you had version {expected}, it is now version {current}{}); reload it, reapply your change and save again",
        last_change.as_ref().map(|c| format!(": {c}")).unwrap_or_default()
    )]
    Conflict {
        /// Respondent code.
        respondent: String,
        /// The version the caller read.
        expected: i64,
        /// The version stored now.
        current: i64,
        /// The last change, in words (who, what, when), from the audit log.
        last_change: Option<String>,
    },
    /// Someone else changed the campaign since the version the caller read.
    #[error(
        "campaign \"{id}\" changed since you read it (you had version {expected}, it is now version {current}); reload it, reapply your change and save again"
    )]
    CampaignChanged {
        /// Campaign id.
        id: String,
        /// The version the caller read.
        expected: i64,
        /// The version stored now.
        current: i64,
    },
    /// The change would make the campaign invalid; nothing was stored.
    #[error("the change is invalid ({} problem{}): {}", problems.len(), if problems.len() == 1 { "" } else { "s" }, problems.join("; "))]
    Invalid {
        /// Every problem, each with its path in the campaign file.
        problems: Vec<String>,
    },
    /// Submission to a campaign the coordinator closed.
    #[error(
        "the coordinator closed submissions to this campaign: ask them to reopen it (your draft is kept)"
    )]
    SubmissionsClosed,
    /// Submission after the deadline of a campaign that was not reopened.
    #[error(
        "the deadline ({deadline}) has passed: submissions are closed unless the coordinator reopens the campaign"
    )]
    DeadlinePassed {
        /// The deadline, RFC 3339.
        deadline: String,
    },
    /// An account with that name exists.
    #[error("an account named \"{0}\" already exists")]
    AccountExists(String),
    /// No account has that name.
    #[error("no account named \"{0}\"")]
    NoSuchAccount(String),
    /// Wrong name or password (which one is not said).
    #[error("wrong name or password")]
    BadCredentials,
    /// Too many failed sign-ins for this account recently.
    #[error("too many failed sign-ins for this account: try again in {retry_after_seconds} s")]
    TooManyAttempts {
        /// Seconds until sign-in is accepted again.
        retry_after_seconds: i64,
    },
    /// Submit without a draft.
    #[error("{0} has no draft to submit: save a draft first")]
    NothingToSubmit(String),
    /// Withdraw without a submitted revision.
    #[error("{0} has not submitted anything to withdraw")]
    NothingToWithdraw(String),
    /// A stored campaign no longer reassembles into a valid campaign (edited outside Guarantor).
    #[error("the stored campaign \"{id}\" is not valid any more: {}", problems.join("; "))]
    Corrupt {
        /// Campaign id.
        id: String,
        /// What is wrong, with paths.
        problems: Vec<String>,
    },
}

// The driver's message is kept as text: its errors repeat their cause in their own source
// chain, which would print every message twice.
impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> Self {
        Self::Database(e.to_string())
    }
}

impl From<sqlx::migrate::MigrateError> for StoreError {
    fn from(e: sqlx::migrate::MigrateError) -> Self {
        Self::Migrate(e.to_string())
    }
}

/// A stored campaign, listed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CampaignListing {
    /// Campaign id.
    pub id: String,
    /// Its title.
    pub title: String,
    /// Bumped on every change.
    pub version: i64,
    /// Last change, RFC 3339.
    pub updated_at: String,
}

/// The store: a connection pool on one database.
#[derive(Debug, Clone)]
pub struct Store {
    pool: AnyPool,
    backend: Backend,
    /// Seals every audit row written, when set (see [`Store::with_audit_key`]).
    audit_key: Option<AuditKey>,
    /// Campaign setups as last read, by id, with their setup version: a read checks the version
    /// in the database and parses the setup again only when it changed.
    setups: std::sync::Arc<std::sync::Mutex<SetupCache>>,
    /// The queue of proposal changes, written in batches by one task (started on first use).
    changes: std::sync::Arc<std::sync::OnceLock<proposals::ChangeQueue>>,
    /// Reads served from memory while the database has not changed (see [`fresh`]).
    cached: std::sync::Arc<Cached>,
    /// The proposal writer's copy of each campaign's commit conditions (`proposals.commits_if`,
    /// parsed), with the data counter it is current at.
    commits: std::sync::Arc<std::sync::Mutex<HashMap<String, (i64, CommitConditions)>>>,
}

/// What the store serves from memory, and the check that keeps it current.
#[derive(Debug, Default)]
struct Cached {
    fresh: std::sync::Arc<fresh::Freshness>,
    /// Credentials by token hash: who, and until when (none for API tokens without expiry).
    credentials: fresh::Cache<String, access::Credential>,
    /// Proposals by campaign and respondent, with the setup they were read with.
    proposals: fresh::Cache<(String, String), std::sync::Arc<proposals::ReadProposal>>,
}

/// Parsed setups by campaign id, with the setup version each was read at.
type SetupCache = BTreeMap<String, (i64, std::sync::Arc<Setup>)>;

/// A campaign's setup as changes are checked against it.
#[derive(Debug)]
pub(crate) struct Setup {
    /// The setup document (no proposals).
    pub doc: CampaignDocument,
    /// Its identifiers, for checking a proposal.
    pub index: guarantor_domain::SetupIndex,
}

/// The URL with any password replaced by `***`, for messages and logs.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let userinfo = &url[scheme + 3..at];
            match userinfo.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..scheme + 3], &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

fn now() -> String {
    Utc::now().to_rfc3339_opts(SecondsFormat::Micros, true)
}

fn json<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_else(|e| unreachable!("domain documents serialise: {e}"))
}

fn parse_json<T: serde::de::DeserializeOwned>(
    campaign: &str,
    what: &str,
    text: &str,
) -> Result<T, StoreError> {
    serde_json::from_str(text).map_err(|e| StoreError::Corrupt {
        id: campaign.to_owned(),
        problems: vec![format!("{what}: {e}")],
    })
}

impl Store {
    /// Opens (creating if needed) the database at `url` and applies pending migrations.
    /// `sqlite://PATH` makes the file if it is missing; `postgres://…` needs the database to exist.
    pub async fn open(url: &str) -> Result<Self, StoreError> {
        sqlx::any::install_default_drivers();
        let backend = if url.starts_with("sqlite:") {
            Backend::Sqlite
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            Backend::Postgres
        } else {
            return Err(StoreError::UnsupportedUrl(redact(url)));
        };
        let url_with_mode = match backend {
            // Create the file when missing.
            Backend::Sqlite if !url.contains("mode=") => {
                format!("{url}{}mode=rwc", if url.contains('?') { "&" } else { "?" })
            }
            _ => url.to_owned(),
        };
        let open_error = |e: sqlx::Error| StoreError::Open {
            url: redact(url),
            reason: e.to_string(),
        };
        let options = AnyConnectOptions::from_str(&url_with_mode).map_err(open_error)?;
        let pool = AnyPoolOptions::new()
            // SQLite has one writer at a time; a small pool avoids lock contention.
            .max_connections(match backend {
                Backend::Sqlite => 4,
                Backend::Postgres => 10,
            })
            // sqlx pings a connection before lending it by default: on SQLite a round trip to
            // the connection's worker thread on every statement, for a connection to a local
            // file that nothing outside can break. PostgreSQL keeps the ping: a server restart
            // leaves pooled connections broken, and the ping finds them before a request does.
            .test_before_acquire(backend == Backend::Postgres)
            .after_connect(move |conn, _meta| {
                Box::pin(async move {
                    if backend == Backend::Sqlite {
                        // WAL with synchronous=FULL: an acknowledged commit survives a crash or
                        // kill -9. Foreign keys are off by default in SQLite.
                        for pragma in [
                            "PRAGMA journal_mode = WAL",
                            "PRAGMA synchronous = FULL",
                            "PRAGMA foreign_keys = ON",
                            "PRAGMA busy_timeout = 5000",
                        ] {
                            sqlx::query(pragma).execute(&mut *conn).await?;
                        }
                    }
                    Ok(())
                })
            })
            .connect_with(options)
            .await
            .map_err(open_error)?;
        MIGRATOR.run(&pool).await?;
        tracing::debug!(url = %redact(url), ?backend, "store opened");
        let store = Self {
            pool,
            backend,
            audit_key: None,
            setups: std::sync::Arc::default(),
            changes: std::sync::Arc::default(),
            cached: std::sync::Arc::default(),
            commits: std::sync::Arc::default(),
        };
        store.fill_commit_conditions().await?;
        Ok(store)
    }

    /// Begins a transaction that will write, and so append to the audit log. Writers are
    /// serialised from the start, so the audit chain stays linear and concurrent changes queue
    /// instead of failing: on SQLite with `BEGIN IMMEDIATE` (a deferred transaction that upgrades
    /// from reading to writing while another writer is active fails with "database is locked"),
    /// on PostgreSQL with a lock on `audit_log`.
    pub(crate) async fn begin_write(
        &self,
    ) -> Result<sqlx::Transaction<'static, sqlx::Any>, StoreError> {
        Ok(match self.backend {
            Backend::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await?,
            Backend::Postgres => {
                let mut tx = self.pool.begin().await?;
                audit::lock(&mut tx).await?;
                tx
            }
        })
    }

    /// The database's change counters, read by a statement begun after this call.
    pub(crate) async fn generations(&self) -> Result<fresh::Generations, StoreError> {
        self.cached.fresh.current(&self.pool).await
    }

    /// Which database this store is on.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// The connection pool, for tests and tools that inspect the database directly.
    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// Stores a validated campaign with all its proposals and revisions, in one transaction.
    /// Refuses a campaign whose id is already stored; nothing is written on any error.
    pub async fn import(&self, campaign: &Campaign, actor: &str) -> Result<(), StoreError> {
        let mut doc = campaign.to_document();
        let proposals = std::mem::take(&mut doc.proposals);
        let id = doc.campaign.id.clone();
        let at = now();
        let mut w = self.write(actor, &at).await?;
        let tx = &mut w.tx;

        let exists = sqlx::query("SELECT id FROM campaigns WHERE id = $1")
            .bind(&id)
            .fetch_optional(&mut **tx)
            .await?;
        if exists.is_some() {
            return Err(StoreError::CampaignExists(id.clone()));
        }
        sqlx::query(
            "INSERT INTO campaigns (id, document, version, created_at, updated_at) VALUES ($1, $2, 1, $3, $4)",
        )
        .bind(&id)
        .bind(json(&doc))
        .bind(&at)
        .bind(&at)
        .execute(&mut **tx)
        .await?;
        for (position, p) in proposals.iter().enumerate() {
            sqlx::query(
                "INSERT INTO proposals (campaign_id, respondent, position, draft, withdrawn, commits_if, version) VALUES ($1, $2, $3, $4, $5, $6, 1)",
            )
            .bind(&id)
            .bind(&p.respondent)
            .bind(i64::try_from(position).unwrap_or(i64::MAX))
            .bind(p.draft.as_ref().map(json))
            .bind(p.withdrawn.as_ref().map(json))
            .bind(proposals::commits_json(p))
            .execute(&mut **tx)
            .await?;
            for r in &p.revisions {
                sqlx::query(
                    "INSERT INTO revisions (campaign_id, respondent, number, submitted_at, submitted_by, body) VALUES ($1, $2, $3, $4, $5, $6)",
                )
                .bind(&id)
                .bind(&p.respondent)
                .bind(r.number)
                .bind(r.submitted_at.to_rfc3339_opts(SecondsFormat::AutoSi, true))
                .bind(&r.submitted_by)
                .bind(json(r))
                .execute(&mut **tx)
                .await?;
            }
        }
        let audit = Audit::new(AuditAction::CampaignImport, format!("campaign {id}"))
            .in_campaign(
                &id,
                std::iter::once(audit::Part::Campaign(id.clone()))
                    .chain(
                        proposals
                            .iter()
                            .map(|p| audit::Part::Proposal(id.clone(), p.respondent.clone())),
                    )
                    .collect(),
            )
            .after_json(campaign.to_json());
        w.commit(Some(audit)).await?;
        tracing::info!(campaign = %id, proposals = proposals.len(), "campaign imported");
        Ok(())
    }

    /// The stored campaigns, by id.
    pub async fn campaigns(&self) -> Result<Vec<CampaignListing>, StoreError> {
        let rows =
            sqlx::query("SELECT id, document, version, updated_at FROM campaigns ORDER BY id")
                .fetch_all(&self.pool)
                .await?;
        rows.iter()
            .map(|row| {
                let id: String = row.try_get("id")?;
                let doc: CampaignDocument =
                    parse_json(&id, "campaign", &row.try_get::<String, _>("document")?)?;
                Ok(CampaignListing {
                    title: doc.campaign.title,
                    version: row.try_get("version")?,
                    updated_at: row.try_get("updated_at")?,
                    id,
                })
            })
            .collect()
    }

    /// Reassembles a stored campaign and validates it.
    pub async fn export(&self, id: &str) -> Result<Campaign, StoreError> {
        let mut tx = self.pool.begin().await?;
        let stored = load_document(&mut tx, id).await?;
        tx.commit().await?;
        validate(&stored.document).map_err(|problems| StoreError::Corrupt {
            id: id.to_owned(),
            problems: problems.iter().map(ToString::to_string).collect(),
        })
    }

    /// Seals every audit row this store writes with `key` and checks seals when verifying. The
    /// key is kept outside the database (a file named by `GUARANTOR_AUDIT_KEY_FILE`).
    pub fn with_audit_key(mut self, key: AuditKey) -> Self {
        self.audit_key = Some(key);
        self
    }

    /// Begins the one kind of write there is: a transaction (writers serialised) that ends by
    /// appending the audit row of its change and committing ([`Write::commit`]). Dropped without
    /// a commit (an error, an early return), it writes nothing.
    pub(crate) async fn write(&self, actor: &str, at: &str) -> Result<Write, StoreError> {
        Ok(Write {
            tx: self.begin_write().await?,
            actor: actor.to_owned(),
            at: at.to_owned(),
            key: self.audit_key.clone(),
            fresh: std::sync::Arc::clone(&self.cached.fresh),
            stale: Vec::new(),
        })
    }

    /// Walks the audit log's hash chain, checks seals (with this store's key) and compares the
    /// stored data with what the log recorded; see [`AuditReport`].
    pub async fn verify_audit(&self) -> Result<AuditReport, StoreError> {
        self.verify_audit_against(&[]).await
    }

    /// As [`Store::verify_audit`], and checks the log against checkpoints kept elsewhere.
    pub async fn verify_audit_against(
        &self,
        checkpoints: &[Checkpoint],
    ) -> Result<AuditReport, StoreError> {
        audit::verify(&self.pool, self.audit_key.as_ref(), checkpoints).await
    }

    /// The log's head in words, `row N, hash H` (`row 0` for an empty log): printed in briefs
    /// and exports so a reader can check later that the log still holds it.
    pub async fn audit_head(&self) -> Result<String, StoreError> {
        use sqlx::Row as _;
        let head = sqlx::query("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1")
            .fetch_optional(&self.pool)
            .await?;
        Ok(match head {
            Some(row) => format!(
                "row {}, hash {}",
                row.try_get::<i64, _>("seq")?,
                row.try_get::<String, _>("hash")?
            ),
            None => "row 0 (empty)".to_owned(),
        })
    }

    /// A checkpoint of the log's head now, sealed with this store's key; `None` without a key.
    pub async fn audit_checkpoint(&self) -> Result<Option<Checkpoint>, StoreError> {
        match &self.audit_key {
            Some(key) => Ok(Some(audit::checkpoint(&self.pool, key, &now()).await?)),
            None => Ok(None),
        }
    }

    /// The audit log, oldest first.
    pub async fn audit_entries(&self) -> Result<Vec<AuditEntry>, StoreError> {
        audit::entries(&self.pool).await
    }

    /// The newest `count` changes to the proposal of `respondent` in `campaign`, newest first:
    /// each change to a proposal writes one audit row, so these are the changes that made its
    /// last `count` versions.
    pub async fn proposal_history(
        &self,
        campaign: &str,
        respondent: &str,
        count: i64,
    ) -> Result<Vec<AuditEntry>, StoreError> {
        audit::latest_about(
            &self.pool,
            campaign,
            &proposals::proposal_subject(respondent),
            count,
        )
        .await
    }
}

/// A campaign document as stored, with whether capitals may submit.
pub(crate) struct StoredCampaign {
    pub document: CampaignDocument,
    /// Whether capitals may submit (with the deadline).
    pub submissions: Submissions,
}

impl Store {
    /// The setup of campaign `id` at `setup_version` (or newer), parsed once per version; read
    /// on `conn` (a transaction's, for a change) when the cache does not hold it.
    pub(crate) async fn setup(
        &self,
        conn: &mut sqlx::AnyConnection,
        id: &str,
        setup_version: i64,
    ) -> Result<std::sync::Arc<Setup>, StoreError> {
        if let Some((v, setup)) = self.setups.lock().ok().and_then(|c| c.get(id).cloned())
            && v >= setup_version
        {
            return Ok(setup);
        }
        let row = sqlx::query("SELECT document, setup_version FROM campaigns WHERE id = $1")
            .bind(id)
            .fetch_optional(&mut *conn)
            .await?
            .ok_or_else(|| StoreError::NoSuchCampaign {
                id: id.to_owned(),
                stored: "none matching".into(),
            })?;
        let doc: CampaignDocument =
            parse_json(id, "campaign", &row.try_get::<String, _>("document")?)?;
        let setup = std::sync::Arc::new(Setup {
            index: guarantor_domain::SetupIndex::of(&doc),
            doc,
        });
        let version: i64 = row.try_get("setup_version")?;
        if let Ok(mut cache) = self.setups.lock() {
            cache.insert(id.to_owned(), (version, std::sync::Arc::clone(&setup)));
        }
        Ok(setup)
    }

    /// Computes `proposals.commits_if` where it is missing (rows written before the column
    /// existed): derived from the proposal's own rows, not audited data, so filling it changes
    /// nothing the audit log records.
    async fn fill_commit_conditions(&self) -> Result<(), StoreError> {
        let missing = sqlx::query(
            "SELECT campaign_id, respondent, withdrawn FROM proposals WHERE commits_if IS NULL",
        )
        .fetch_all(&self.pool)
        .await?;
        for row in missing {
            let campaign: String = row.try_get("campaign_id")?;
            let respondent: String = row.try_get("respondent")?;
            let withdrawn = row
                .try_get::<Option<String>, _>("withdrawn")?
                .map(|t| parse_json::<WithdrawalDoc>(&campaign, "withdrawal", &t))
                .transpose()?;
            let latest = sqlx::query(
                "SELECT body FROM revisions WHERE campaign_id = $1 AND respondent = $2 \
                 ORDER BY number DESC LIMIT 1",
            )
            .bind(&campaign)
            .bind(&respondent)
            .fetch_optional(&self.pool)
            .await?
            .map(|r| r.try_get::<String, _>("body"))
            .transpose()?
            .map(|t| parse_json::<RevisionDoc>(&campaign, "revision", &t))
            .transpose()?;
            let p = ProposalDoc {
                respondent: respondent.clone(),
                draft: None,
                revisions: latest.into_iter().collect(),
                withdrawn,
            };
            sqlx::query(
                "UPDATE proposals SET commits_if = $1 WHERE campaign_id = $2 AND respondent = $3",
            )
            .bind(proposals::commits_json(&p))
            .bind(&campaign)
            .bind(&respondent)
            .execute(&self.pool)
            .await?;
        }
        Ok(())
    }

    /// The error for a campaign that is not stored, listing those that are.
    pub(crate) async fn no_such_campaign(&self, id: &str) -> StoreError {
        let stored: Vec<String> = sqlx::query("SELECT id FROM campaigns ORDER BY id")
            .fetch_all(&self.pool)
            .await
            .map(|rows| {
                rows.iter()
                    .filter_map(|r| r.try_get::<String, _>("id").ok())
                    .collect()
            })
            .unwrap_or_default();
        StoreError::NoSuchCampaign {
            id: id.to_owned(),
            stored: if stored.is_empty() {
                "none".into()
            } else {
                stored.join(", ")
            },
        }
    }
}

/// Reads a campaign and its proposals in the caller's transaction.
pub(crate) async fn load_document(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    id: &str,
) -> Result<StoredCampaign, StoreError> {
    let Some(row) = sqlx::query("SELECT document, reopened FROM campaigns WHERE id = $1")
        .bind(id)
        .fetch_optional(&mut **tx)
        .await?
    else {
        let stored: Vec<String> = sqlx::query("SELECT id FROM campaigns ORDER BY id")
            .fetch_all(&mut **tx)
            .await?
            .iter()
            .map(|r| r.try_get::<String, _>("id"))
            .collect::<Result<_, _>>()?;
        return Err(StoreError::NoSuchCampaign {
            id: id.to_owned(),
            stored: if stored.is_empty() {
                "none".into()
            } else {
                stored.join(", ")
            },
        });
    };
    let mut document: CampaignDocument =
        parse_json(id, "campaign", &row.try_get::<String, _>("document")?)?;
    let submissions = Submissions::from_column(row.try_get("reopened")?);
    let mut revisions: BTreeMap<String, Vec<RevisionDoc>> = BTreeMap::new();
    for r in sqlx::query(
        "SELECT respondent, body FROM revisions WHERE campaign_id = $1 ORDER BY respondent, number",
    )
    .bind(id)
    .fetch_all(&mut **tx)
    .await?
    {
        let respondent: String = r.try_get("respondent")?;
        let body: RevisionDoc = parse_json(
            id,
            &format!("revision of {respondent}"),
            &r.try_get::<String, _>("body")?,
        )?;
        revisions.entry(respondent).or_default().push(body);
    }
    for p in sqlx::query(
        "SELECT respondent, draft, withdrawn, version FROM proposals WHERE campaign_id = $1 ORDER BY position",
    )
    .bind(id)
    .fetch_all(&mut **tx)
    .await?
    {
        let respondent: String = p.try_get("respondent")?;
        let draft = p
            .try_get::<Option<String>, _>("draft")?
            .map(|t| parse_json::<DraftDoc>(id, &format!("draft of {respondent}"), &t))
            .transpose()?;
        let withdrawn = p
            .try_get::<Option<String>, _>("withdrawn")?
            .map(|t| parse_json::<WithdrawalDoc>(id, &format!("withdrawal of {respondent}"), &t))
            .transpose()?;
        document.proposals.push(ProposalDoc {
            revisions: revisions.remove(&respondent).unwrap_or_default(),
            respondent,
            draft,
            withdrawn,
        });
    }
    Ok(StoredCampaign {
        document,
        submissions,
    })
}
