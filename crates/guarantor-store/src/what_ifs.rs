//! Saved what-ifs: coordinators and decision makers keep named sets of hypothetical offers in a
//! campaign. They live in the campaign document (`what_ifs`), are checked with the whole
//! campaign like any change, and never touch a proposal.

use chrono::{DateTime, SecondsFormat, Utc};
use guarantor_domain::document::WhatIfDoc;
use guarantor_domain::validate;

use crate::audit::{Audit, AuditAction, Part};
use crate::{Store, StoreError, json, load_document};

impl Store {
    /// Saves `what_if` in campaign `id`, replacing a saved what-if with the same id. The
    /// campaign with it must be valid (every problem comes back, with its path, and nothing is
    /// written). Returns the new campaign version.
    pub async fn save_what_if(
        &self,
        id: &str,
        what_if: WhatIfDoc,
        actor: &str,
        at: DateTime<Utc>,
    ) -> Result<i64, StoreError> {
        let at = at.to_rfc3339_opts(SecondsFormat::Micros, true);
        let mut w = self.write(actor, &at).await?;
        let stored = load_document(&mut w.tx, id).await?;
        let mut doc = stored.document;
        let before = doc.what_ifs.iter().find(|x| x.id == what_if.id).cloned();
        match doc.what_ifs.iter_mut().find(|x| x.id == what_if.id) {
            Some(slot) => *slot = what_if.clone(),
            None => doc.what_ifs.push(what_if.clone()),
        }
        if let Err(problems) = validate(&doc) {
            return Err(StoreError::Invalid {
                problems: problems.iter().map(ToString::to_string).collect(),
            });
        }
        doc.proposals.clear();
        let version = write_setup(&mut w.tx, id, &doc, &at).await?;
        let mut audit = Audit::new(
            AuditAction::WhatIfSave,
            format!("what-if {} of campaign {id}", what_if.id),
        )
        .in_campaign(id, vec![Part::Campaign(id.to_owned())])
        .after(&what_if);
        if let Some(before) = &before {
            audit = audit.before(before);
        }
        w.commit(Some(audit)).await?;
        tracing::info!(campaign = %id, what_if = %what_if.id, "what-if saved");
        Ok(version)
    }

    /// Deletes the saved what-if `what_if` of campaign `id`. Returns the new campaign version.
    pub async fn delete_what_if(
        &self,
        id: &str,
        what_if: &str,
        actor: &str,
        at: DateTime<Utc>,
    ) -> Result<i64, StoreError> {
        let at = at.to_rfc3339_opts(SecondsFormat::Micros, true);
        let mut w = self.write(actor, &at).await?;
        let stored = load_document(&mut w.tx, id).await?;
        let mut doc = stored.document;
        let Some(position) = doc.what_ifs.iter().position(|x| x.id == what_if) else {
            return Err(StoreError::NoSuchWhatIf {
                campaign: id.to_owned(),
                id: what_if.to_owned(),
                saved: doc
                    .what_ifs
                    .iter()
                    .map(|x| x.id.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
            });
        };
        let before = doc.what_ifs.remove(position);
        doc.proposals.clear();
        let version = write_setup(&mut w.tx, id, &doc, &at).await?;
        let audit = Audit::new(
            AuditAction::WhatIfDelete,
            format!("what-if {what_if} of campaign {id}"),
        )
        .in_campaign(id, vec![Part::Campaign(id.to_owned())])
        .before(&before);
        w.commit(Some(audit)).await?;
        tracing::info!(campaign = %id, what_if = %what_if, "what-if deleted");
        Ok(version)
    }
}

/// Writes the setup document (without proposals) and moves the versions on: the campaign's,
/// and the setup's, since what-ifs are part of the setup document the store parses per
/// setup version. Returns the new campaign version.
pub(crate) async fn write_setup(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    id: &str,
    setup: &guarantor_domain::CampaignDocument,
    at: &str,
) -> Result<i64, StoreError> {
    use sqlx::Row;
    sqlx::query(
        "UPDATE campaigns SET document = $1, version = version + 1, setup_version = setup_version + 1, updated_at = $2 WHERE id = $3",
    )
    .bind(json(setup))
    .bind(at)
    .bind(id)
    .execute(&mut **tx)
    .await?;
    Ok(sqlx::query("SELECT version FROM campaigns WHERE id = $1")
        .bind(id)
        .fetch_one(&mut **tx)
        .await?
        .try_get("version")?)
}
