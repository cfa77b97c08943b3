//! A saved what-if applied to a campaign, and the note every report computed under it carries,
//! so that nobody mistakes hypothetical offers for the offers on the table.

use guarantor_domain::{Campaign, SavedWhatIf};
use serde::Serialize;

/// The what-if a report was computed under.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WhatIfApplied {
    /// Its id.
    pub id: String,
    /// Its name.
    pub name: String,
    /// Why it was made.
    pub note: String,
    /// The hypothetical offers, in words.
    pub added: Vec<String>,
    /// The current offers taken away, in words.
    pub removed: Vec<String>,
    /// Removals ignored because the line is no longer in the capital's current proposal.
    pub stale: Vec<String>,
}

/// Why a what-if could not be applied.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("no what-if \"{id}\" in this campaign ({known})")]
pub struct UnknownWhatIf {
    /// The id asked for.
    pub id: String,
    /// The ids there are, in words.
    pub known: String,
}

/// The campaign with the saved what-if `id` applied, and the note that says so.
pub fn apply(campaign: &Campaign, id: &str) -> Result<(Campaign, WhatIfApplied), UnknownWhatIf> {
    let saved = campaign.what_if(id).ok_or_else(|| {
        let known: Vec<&str> = campaign.what_ifs().iter().map(|w| w.id.as_str()).collect();
        UnknownWhatIf {
            id: id.to_owned(),
            known: if known.is_empty() {
                "the campaign has no saved what-if".into()
            } else {
                format!("known: {}", known.join(", "))
            },
        }
    })?;
    Ok((
        campaign.with_what_if(&saved.changes),
        describe(campaign, saved),
    ))
}

/// The note of `saved` applied to `campaign`.
pub fn describe(campaign: &Campaign, saved: &SavedWhatIf) -> WhatIfApplied {
    let name = |code: &guarantor_domain::ids::CountryCode| {
        campaign
            .respondent(code)
            .map_or_else(|| code.to_string(), |r| r.name.clone())
    };
    let stale = campaign.stale_removals(&saved.changes);
    WhatIfApplied {
        id: saved.id.clone(),
        name: saved.name.clone(),
        note: saved.note.clone(),
        added: saved
            .changes
            .added
            .iter()
            .map(|a| {
                let o = &a.offer;
                format!(
                    "{}: {} × {} from {}{} ({})",
                    name(&a.respondent),
                    guarantor_domain::format::thousands(o.quantity.get()),
                    campaign.capability(&o.capability).name,
                    o.earliest_phase,
                    o.last_phase
                        .as_ref()
                        .map_or_else(String::new, |l| format!(" to {l}")),
                    o.id
                )
            })
            .collect(),
        removed: saved
            .changes
            .removed
            .iter()
            .filter(|r| !stale.contains(r))
            .map(|r| format!("{}: {}", name(&r.respondent), r.offer))
            .collect(),
        stale: stale
            .iter()
            .map(|r| {
                format!(
                    "{}: {} is no longer in its current proposal",
                    name(&r.respondent),
                    r.offer
                )
            })
            .collect(),
    }
}
