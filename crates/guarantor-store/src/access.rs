//! Who may use the store through the API: API tokens for coordinators and decision makers, and
//! one invitation per capital whose token reaches only that capital's proposal.
//!
//! Tokens are 32 random bytes, hex-encoded, shown once; only their SHA-256 is stored, so a copy
//! of the database does not hand out access.

use chrono::{DateTime, SecondsFormat, Utc};
use rand::RngCore;
use sha2::{Digest, Sha256};
use sqlx::Row;

use crate::{Store, StoreError, audit};

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

    fn parse(raw: &str) -> Option<Self> {
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
            } => format!("invitation:{campaign}/{respondent}"),
        }
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

fn rfc3339(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Micros, true)
}

impl Store {
    /// Creates an API token for a coordinator or decision maker; returns it (shown once).
    pub async fn create_api_token(
        &self,
        name: &str,
        role: Role,
        actor: &str,
        at: DateTime<Utc>,
    ) -> Result<String, StoreError> {
        let token = new_token();
        let at = rfc3339(at);
        let mut tx = self.begin_write().await?;
        audit::lock(&mut tx, self.backend).await?;
        sqlx::query(
            "INSERT INTO api_tokens (token_hash, name, role, created_at) VALUES ($1, $2, $3, $4)",
        )
        .bind(token_hash(&token))
        .bind(name)
        .bind(role.as_str())
        .bind(&at)
        .execute(&mut *tx)
        .await?;
        audit::append(
            &mut tx,
            audit::NewEntry {
                at: &at,
                actor,
                action: "token.create",
                campaign_id: None,
                subject: &format!("{} token {name}", role.as_str()),
                before: None,
                after: Some(&format!(
                    "{{\"name\":{},\"role\":\"{}\"}}",
                    serde_json::Value::from(name),
                    role.as_str()
                )),
            },
        )
        .await?;
        tx.commit().await?;
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
        let mut tx = self.begin_write().await?;
        audit::lock(&mut tx, self.backend).await?;
        sqlx::query(
            "UPDATE invitations SET revoked_at = $1 WHERE campaign_id = $2 AND respondent = $3 AND revoked_at IS NULL",
        )
        .bind(&at)
        .bind(campaign)
        .bind(respondent)
        .execute(&mut *tx)
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
        .execute(&mut *tx)
        .await?;
        audit::append(
            &mut tx,
            audit::NewEntry {
                at: &at,
                actor,
                action: "invitation.create",
                campaign_id: Some(campaign),
                subject: &format!("invitation of {respondent}"),
                before: None,
                after: Some(&format!("{{\"expires_at\":\"{}\"}}", rfc3339(expires_at))),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(token)
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
        let mut tx = self.begin_write().await?;
        audit::lock(&mut tx, self.backend).await?;
        let revoked = sqlx::query(
            "UPDATE invitations SET revoked_at = $1 WHERE campaign_id = $2 AND respondent = $3 AND revoked_at IS NULL",
        )
        .bind(&at)
        .bind(campaign)
        .bind(respondent)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if revoked > 0 {
            audit::append(
                &mut tx,
                audit::NewEntry {
                    at: &at,
                    actor,
                    action: "invitation.revoke",
                    campaign_id: Some(campaign),
                    subject: &format!("invitation of {respondent}"),
                    before: None,
                    after: None,
                },
            )
            .await?;
        }
        tx.commit().await?;
        Ok(revoked > 0)
    }

    /// Who a token belongs to, if it is valid at `at` (known, not revoked, not expired).
    pub async fn authenticate(
        &self,
        token: &str,
        at: DateTime<Utc>,
    ) -> Result<Option<Principal>, StoreError> {
        let hash = token_hash(token);
        if let Some(row) = sqlx::query(
            "SELECT name, role FROM api_tokens WHERE token_hash = $1 AND revoked_at IS NULL",
        )
        .bind(&hash)
        .fetch_optional(&self.pool)
        .await?
        {
            let role: String = row.try_get("role")?;
            return Ok(Role::parse(&role).map(|role| Principal::Account {
                name: row.try_get("name").unwrap_or_default(),
                role,
            }));
        }
        let Some(row) = sqlx::query(
            "SELECT campaign_id, respondent, expires_at FROM invitations WHERE token_hash = $1 AND revoked_at IS NULL",
        )
        .bind(&hash)
        .fetch_optional(&self.pool)
        .await?
        else {
            return Ok(None);
        };
        let expires: String = row.try_get("expires_at")?;
        let expired = DateTime::parse_from_rfc3339(&expires).map_or(true, |e| e < at);
        if expired {
            return Ok(None);
        }
        Ok(Some(Principal::Respondent {
            campaign: row.try_get("campaign_id")?,
            respondent: row.try_get("respondent")?,
        }))
    }
}
