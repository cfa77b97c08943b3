//! Campaign setup after import: the coordinator edits the statement of requirements, the
//! questionnaire, the scenarios and the deadline of a stored campaign. The proposals stay as they
//! are; the whole campaign is validated with them before anything is written.

use chrono::{DateTime, SecondsFormat, Utc};
use guarantor_domain::{CampaignDocument, validate};
use sqlx::Row;

use crate::audit::{Audit, AuditAction, Part};
use crate::{Store, StoreError, json, load_document};

/// Where a stored campaign stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CampaignState {
    /// Bumped on every change of the campaign or one of its proposals.
    pub version: i64,
    /// True when the coordinator reopened it after its deadline.
    pub reopened: bool,
}

impl Store {
    /// The campaign's version (bumped on every change of it or of one of its proposals) and
    /// whether the coordinator reopened it after its deadline.
    pub async fn campaign_state(&self, id: &str) -> Result<CampaignState, StoreError> {
        let row = sqlx::query("SELECT version, reopened FROM campaigns WHERE id = $1")
            .bind(id)
            .fetch_optional(self.pool())
            .await?;
        match row {
            Some(row) => Ok(CampaignState {
                version: row.try_get("version")?,
                reopened: row.try_get::<i64, _>("reopened")? != 0,
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
        sqlx::query(
            "UPDATE campaigns SET document = $1, version = version + 1, setup_version = setup_version + 1, updated_at = $2 WHERE id = $3",
        )
        .bind(json(&setup))
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
