//! The append-only, hash-chained audit log.
//!
//! Row `n` stores `prev_hash` (row `n − 1`'s hash; 64 zeros for the first) and `hash` =
//! SHA-256 of the JSON array `[seq, at, actor, action, campaign_id, subject, before, after,
//! prev_hash]` (absent values as empty strings), hex-encoded. Editing any field of a row changes
//! its hash; deleting a row leaves a gap in `seq` and a `prev_hash` that matches nothing. Deleting
//! the newest rows cannot be seen from inside the database: [`AuditReport::head`] is the value to
//! record elsewhere (a ticket, a signed mail) to detect that too.

use sha2::{Digest, Sha256};
use sqlx::{Any, AnyPool, Row, Transaction};

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
    /// This row's hash.
    pub hash: String,
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
}

impl AuditReport {
    /// True when no row was edited or deleted (as far as the chain can tell).
    pub fn intact(&self) -> bool {
        self.problems.is_empty()
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

fn hash(seq: i64, e: &NewEntry<'_>, prev_hash: &str) -> String {
    let fields = [
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

/// Appends a row in the caller's transaction (one begun by `Store::begin_write`).
pub(crate) async fn append(
    tx: &mut Transaction<'_, Any>,
    e: NewEntry<'_>,
) -> Result<(), StoreError> {
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
    let h = hash(seq, &e, &prev_hash);
    sqlx::query(
        "INSERT INTO audit_log (seq, at, actor, action, campaign_id, subject, before_state, after_state, prev_hash, hash) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
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
    .execute(&mut **tx)
    .await?;
    Ok(())
}

pub(crate) async fn entries(pool: &AnyPool) -> Result<Vec<AuditEntry>, StoreError> {
    let rows = sqlx::query(
        "SELECT seq, at, actor, action, campaign_id, subject, before_state, after_state, prev_hash, hash \
         FROM audit_log ORDER BY seq",
    )
    .fetch_all(pool)
    .await?;
    rows.iter()
        .map(|r| {
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
                hash: r.try_get("hash")?,
            })
        })
        .collect()
}

pub(crate) async fn verify(pool: &AnyPool) -> Result<AuditReport, StoreError> {
    let entries = entries(pool).await?;
    let mut problems = Vec::new();
    let mut expected_seq = 1;
    let mut prev = GENESIS.to_owned();
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
        );
        if recomputed != e.hash {
            problems.push(format!(
                "row {} ({} by {} at {}): its contents do not match its hash (edited)",
                e.seq, e.action, e.actor, e.at
            ));
        }
        expected_seq = e.seq + 1;
        prev = e.hash.clone();
    }
    Ok(AuditReport {
        entries: entries.len(),
        head: prev,
        problems,
    })
}
