//! Saved what-ifs: coordinators and decision makers keep named sets of hypothetical offers in a
//! campaign. They live in the campaign document (`what_ifs`), are checked with the whole
//! campaign like any change, and never touch a proposal.

use chrono::{DateTime, SecondsFormat, Utc};
use guarantor_domain::CampaignDocument;
use guarantor_domain::document::WhatIfDoc;
use guarantor_domain::validate;

use crate::audit::{Audit, AuditAction, Part};
use crate::setup::Submissions;
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
        self.rewrite_document(id, actor, at, |doc, _| {
            let before = doc.what_ifs.iter().find(|x| x.id == what_if.id).cloned();
            match doc.what_ifs.iter_mut().find(|x| x.id == what_if.id) {
                Some(slot) => *slot = what_if.clone(),
                None => doc.what_ifs.push(what_if.clone()),
            }
            let audit = Audit::new(
                AuditAction::WhatIfSave,
                format!("what-if {} of campaign {id}", what_if.id),
            )
            .after(&what_if);
            Ok(match &before {
                Some(before) => audit.before(before),
                None => audit,
            })
        })
        .await
    }

    /// Deletes the saved what-if `what_if` of campaign `id`. Returns the new campaign version.
    pub async fn delete_what_if(
        &self,
        id: &str,
        what_if: &str,
        actor: &str,
        at: DateTime<Utc>,
    ) -> Result<i64, StoreError> {
        self.rewrite_document(id, actor, at, |doc, _| {
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
            Ok(Audit::new(
                AuditAction::WhatIfDelete,
                format!("what-if {what_if} of campaign {id}"),
            )
            .before(&before))
        })
        .await
    }

    /// One change to campaign `id`'s document that is not a proposal's (what-ifs, asks): `change`
    /// edits the document (proposals included, for the check), given whether submissions are
    /// open, and describes itself as an audit row; the whole campaign must then be valid, or
    /// nothing is written and every problem comes back. The document is written without its
    /// proposals, both versions move on (what-ifs and asks are part of the setup document the
    /// store parses per setup version), and the audit row commits with it. Returns the new
    /// campaign version.
    pub(crate) async fn rewrite_document(
        &self,
        id: &str,
        actor: &str,
        at: DateTime<Utc>,
        change: impl FnOnce(&mut CampaignDocument, Submissions) -> Result<Audit, StoreError>,
    ) -> Result<i64, StoreError> {
        use sqlx::Row;
        let stamp = at.to_rfc3339_opts(SecondsFormat::Micros, true);
        let mut w = self.write(actor, &stamp).await?;
        let stored = load_document(&mut w.tx, id).await?;
        let mut doc = stored.document;
        let audit = change(&mut doc, stored.submissions)?
            .in_campaign(id, vec![Part::Campaign(id.to_owned())]);
        if let Err(problems) = validate(&doc) {
            return Err(StoreError::Invalid {
                problems: problems.iter().map(ToString::to_string).collect(),
            });
        }
        doc.proposals.clear();
        sqlx::query(
            "UPDATE campaigns SET document = $1, version = version + 1, setup_version = setup_version + 1, updated_at = $2 WHERE id = $3",
        )
        .bind(json(&doc))
        .bind(&stamp)
        .bind(id)
        .execute(&mut *w.tx)
        .await?;
        let version: i64 = sqlx::query("SELECT version FROM campaigns WHERE id = $1")
            .bind(id)
            .fetch_one(&mut *w.tx)
            .await?
            .try_get("version")?;
        w.commit(Some(audit)).await?;
        tracing::info!(campaign = %id, version, "campaign document changed");
        Ok(version)
    }
}
