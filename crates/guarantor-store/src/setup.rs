//! Campaign setup after import: the coordinator edits the statement of requirements, the
//! questionnaire, the scenarios and the deadline of a stored campaign. The proposals stay as they
//! are; the whole campaign is validated with them before anything is written.

use chrono::{DateTime, SecondsFormat, Utc};
use guarantor_domain::{CampaignDocument, validate};
use sqlx::Row;

use crate::audit::{Audit, AuditAction, Part};
use crate::{Store, StoreError, json, load_document};

/// Whether capitals may submit: as the deadline says, or as the coordinator decided against it.
/// Stored in `campaigns.reopened` (0, 1, 2); a new deadline returns it to `ByDeadline`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Submissions {
    /// Open until the deadline, closed after it.
    ByDeadline,
    /// Reopened by the coordinator: open whatever the deadline.
    Reopened,
    /// Closed by the coordinator: closed whatever the deadline.
    Closed,
}

impl Submissions {
    pub(crate) fn from_column(value: i64) -> Self {
        match value {
            1 => Self::Reopened,
            2 => Self::Closed,
            _ => Self::ByDeadline,
        }
    }

    pub(crate) fn column(self) -> i64 {
        match self {
            Self::ByDeadline => 0,
            Self::Reopened => 1,
            Self::Closed => 2,
        }
    }

    /// Whether a submission at `now` is accepted, with the campaign's `deadline`.
    pub fn open(self, now: DateTime<Utc>, deadline: DateTime<Utc>) -> bool {
        match self {
            Self::ByDeadline => now <= deadline,
            Self::Reopened => true,
            Self::Closed => false,
        }
    }

    /// Where submissions stand, in words, for pages and messages.
    pub fn describe(self, now: DateTime<Utc>, deadline: DateTime<Utc>) -> &'static str {
        match (self, now <= deadline) {
            (Self::ByDeadline, true) => "open until the deadline",
            (Self::ByDeadline, false) => "closed: the deadline has passed",
            (Self::Reopened, _) => "open: reopened by the coordinator",
            (Self::Closed, _) => "closed by the coordinator",
        }
    }
}

/// Where a stored campaign stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CampaignState {
    /// Bumped on every change of the campaign or one of its proposals.
    pub version: i64,
    /// Whether capitals may submit (with the deadline).
    pub submissions: Submissions,
}

impl Store {
    /// The campaign's version (bumped on every change of it or of one of its proposals) and
    /// whether capitals may submit.
    pub async fn campaign_state(&self, id: &str) -> Result<CampaignState, StoreError> {
        let row = sqlx::query("SELECT version, reopened FROM campaigns WHERE id = $1")
            .bind(id)
            .fetch_optional(self.pool())
            .await?;
        match row {
            Some(row) => Ok(CampaignState {
                version: row.try_get("version")?,
                submissions: Submissions::from_column(row.try_get("reopened")?),
            }),
            None => {
                // The same message as every other lookup, with the stored ids.
                let mut tx = self.pool().begin().await?;
                load_document(&mut tx, id).await?;
                Err(StoreError::Database(format!("campaign {id} vanished")))
            }
        }
    }

    /// Replaces the campaign's setup (everything but the proposals) with `setup`, if the
    /// campaign is still at version `expected`. The campaign id cannot change. The result,
    /// proposals included, must be a valid campaign: otherwise nothing is written and every
    /// problem comes back with its path. Returns the new campaign version.
    pub async fn update_setup(
        &self,
        id: &str,
        expected: i64,
        mut setup: CampaignDocument,
        actor: &str,
        at: DateTime<Utc>,
    ) -> Result<i64, StoreError> {
        let at = at.to_rfc3339_opts(SecondsFormat::Micros, true);
        let mut w = self.write(actor, &at).await?;
        let tx = &mut w.tx;

        let stored = load_document(tx, id).await?;
        let current: i64 = sqlx::query("SELECT version FROM campaigns WHERE id = $1")
            .bind(id)
            .fetch_one(&mut **tx)
            .await?
            .try_get("version")?;
        if current != expected {
            return Err(StoreError::CampaignChanged {
                id: id.to_owned(),
                expected,
                current,
            });
        }
        if setup.campaign.id != id {
            return Err(StoreError::Invalid {
                problems: vec![format!(
                    "campaign.id: the id of a stored campaign cannot change (it is \"{id}\", the setup says \"{}\")",
                    setup.campaign.id
                )],
            });
        }
        setup.proposals = stored.document.proposals.clone();
        if let Err(problems) = validate(&setup) {
            return Err(StoreError::Invalid {
                problems: problems.iter().map(ToString::to_string).collect(),
            });
        }
        let mut before = stored.document;
        before.proposals.clear();
        setup.proposals.clear();
        // A new deadline is the coordinator's newest word on when submissions close: an earlier
        // reopening or closing no longer stands.
        let submissions = if setup.campaign.deadline == before.campaign.deadline {
            stored.submissions
        } else {
            Submissions::ByDeadline
        };
        sqlx::query(
            "UPDATE campaigns SET document = $1, reopened = $2, version = version + 1, setup_version = setup_version + 1, updated_at = $3 WHERE id = $4",
        )
        .bind(json(&setup))
        .bind(submissions.column())
        .bind(&at)
        .bind(id)
        .execute(&mut **tx)
        .await?;
        let audit = Audit::new(AuditAction::CampaignSetup, format!("campaign {id}"))
            .in_campaign(id, vec![Part::Campaign(id.to_owned())])
            .before(&before)
            .after(&setup);
        w.commit(Some(audit)).await?;
        tracing::info!(campaign = %id, "campaign setup changed");
        Ok(current + 1)
    }
}
