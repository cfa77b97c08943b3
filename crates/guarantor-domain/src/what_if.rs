//! What-ifs: the offers on the table with hypothetical offers added and real ones taken away.
//!
//! A what-if never touches a proposal: [`Campaign::with_what_if`] returns a separate campaign that
//! the engine computes on, and the real one stays as it was. Hypothetical offers are marked as
//! such (their revision is submitted by [`HYPOTHETICAL`]), so anything that reports on the result
//! can say which offers are not real.

use chrono::DateTime;

use crate::ids::{CountryCode, OfferId};
use crate::model::{Campaign, Offer, Proposal, Revision};

/// Who "submitted" the revision that carries hypothetical offers.
pub const HYPOTHETICAL: &str = "hypothetical";

/// A what-if saved in a campaign, with its name.
#[derive(Debug, Clone, PartialEq)]
pub struct SavedWhatIf {
    /// Identifier.
    pub id: String,
    /// Name.
    pub name: String,
    /// Why it was made.
    pub note: String,
    /// Who saved it.
    pub created_by: String,
    /// The changes.
    pub changes: WhatIf,
}

/// A set of hypothetical changes to the current offers.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct WhatIf {
    /// Offers added, each to a respondent's current proposal (or to a proposal made for it when
    /// it has none).
    pub added: Vec<HypotheticalOffer>,
    /// Current offers taken away.
    pub removed: Vec<RemovedOffer>,
}

/// An offer a respondent has not made, added for a what-if.
#[derive(Debug, Clone, PartialEq)]
pub struct HypotheticalOffer {
    /// Whose offer it would be.
    pub respondent: CountryCode,
    /// The offer.
    pub offer: Offer,
}

/// A current offer taken away for a what-if.
#[derive(Debug, Clone, PartialEq)]
pub struct RemovedOffer {
    /// Whose offer.
    pub respondent: CountryCode,
    /// Which line of its current proposal.
    pub offer: OfferId,
}

impl Campaign {
    /// The campaign as it would be with `what_if` applied: added offers join their
    /// respondent's current proposal, or a proposal of their own when the respondent has none
    /// (not answered, only a draft, or withdrawn); removed offers leave the current proposal.
    /// Offers of respondents the campaign does not list are ignored, as are removals of lines
    /// that are not current: the boundary that reads a what-if checks both first.
    pub fn with_what_if(&self, what_if: &WhatIf) -> Campaign {
        let mut out = self.clone();
        for removed in &what_if.removed {
            if let Some(revision) = current_mut(&mut out, removed.respondent) {
                revision.offers.retain(|o| o.id != removed.offer);
            }
        }
        for added in &what_if.added {
            if self.respondent(&added.respondent).is_none() {
                continue;
            }
            if current_mut(&mut out, added.respondent).is_none() {
                let proposal = match out
                    .proposals
                    .iter()
                    .position(|p| p.respondent == added.respondent)
                {
                    Some(i) => &mut out.proposals[i],
                    None => {
                        out.proposals.push(Proposal {
                            respondent: added.respondent,
                            draft: None,
                            revisions: Vec::new(),
                            withdrawn: None,
                        });
                        out.proposals.last_mut().unwrap_or_else(|| unreachable!())
                    }
                };
                proposal.withdrawn = None;
                proposal.revisions.push(Revision {
                    number: u32::try_from(proposal.revisions.len() + 1).unwrap_or(u32::MAX),
                    submitted_at: DateTime::UNIX_EPOCH,
                    submitted_by: HYPOTHETICAL.into(),
                    questionnaire_version: self.questionnaire.version,
                    offers: Vec::new(),
                    answers: Vec::new(),
                    note: "Hypothetical offers of a what-if: not submitted by this respondent."
                        .into(),
                });
            }
            if let Some(revision) = current_mut(&mut out, added.respondent) {
                revision.offers.push(added.offer.clone());
            }
        }
        out
    }
}

impl Campaign {
    /// The campaign's saved what-ifs.
    pub fn what_ifs(&self) -> &[SavedWhatIf] {
        &self.what_ifs
    }

    /// The saved what-if with this id.
    pub fn what_if(&self, id: &str) -> Option<&SavedWhatIf> {
        self.what_ifs.iter().find(|w| w.id == id)
    }

    /// The removals of `what_if` that name no line of the respondent's current proposal (it was
    /// revised or withdrawn since): applying the what-if ignores them.
    pub fn stale_removals<'w>(&self, what_if: &'w WhatIf) -> Vec<&'w RemovedOffer> {
        what_if
            .removed
            .iter()
            .filter(|r| {
                !self
                    .proposal(&r.respondent)
                    .and_then(Proposal::current)
                    .is_some_and(|c| c.offers.iter().any(|o| o.id == r.offer))
            })
            .collect()
    }
}

fn current_mut(campaign: &mut Campaign, respondent: CountryCode) -> Option<&mut Revision> {
    campaign
        .proposals
        .iter_mut()
        .find(|p| p.respondent == respondent && p.withdrawn.is_none())
        .and_then(|p| p.revisions.last_mut())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{FileFormat, ProposalStatus, parse_campaign};

    fn demo() -> Campaign {
        parse_campaign(
            include_str!("../../../examples/demo-campaign.json"),
            FileFormat::Json,
        )
        .expect("the demo is valid")
    }

    fn code(raw: &str) -> CountryCode {
        CountryCode::parse(raw).expect("a code")
    }

    fn offers_of(c: &Campaign, who: &str) -> Vec<String> {
        c.proposal(&code(who))
            .and_then(Proposal::current)
            .map(|r| r.offers.iter().map(|o| o.id.to_string()).collect())
            .unwrap_or_default()
    }

    /// Adding to a capital that answered extends its current proposal; adding to one that has
    /// only a draft, none at all, or withdrew gives it a current proposal of hypothetical offers
    /// alone; removing takes one line away. The campaign the what-if was applied to is unchanged.
    #[test]
    fn a_what_if_changes_a_copy_and_marks_what_it_adds() {
        let real = demo();
        let template = real
            .proposal(&code("GBR"))
            .and_then(Proposal::current)
            .expect("GBR answered")
            .offers[0]
            .clone();
        let ask = |id: &str| Offer {
            id: OfferId::parse(id).expect("an id"),
            ..template.clone()
        };
        let what_if = WhatIf {
            added: vec![
                HypotheticalOffer {
                    respondent: code("FRA"),
                    offer: ask("ask-1"),
                },
                HypotheticalOffer {
                    respondent: code("ESP"),
                    offer: ask("ask-2"),
                },
                HypotheticalOffer {
                    respondent: code("HRV"),
                    offer: ask("ask-3"),
                },
                HypotheticalOffer {
                    respondent: code("HUN"),
                    offer: ask("ask-4"),
                },
            ],
            removed: vec![RemovedOffer {
                respondent: code("GBR"),
                offer: OfferId::parse("GBR-1").expect("an id"),
            }],
        };
        assert_eq!(
            real.proposal(&code("ESP")).map(Proposal::status),
            Some(ProposalStatus::Draft)
        );
        assert_eq!(
            real.proposal(&code("HRV")).map(Proposal::status),
            Some(ProposalStatus::Withdrawn)
        );
        let changed = real.with_what_if(&what_if);
        let fra = offers_of(&real, "FRA");
        assert_eq!(
            offers_of(&changed, "FRA"),
            [fra, vec!["ask-1".into()]].concat()
        );
        for (who, id) in [("ESP", "ask-2"), ("HRV", "ask-3"), ("HUN", "ask-4")] {
            assert_eq!(offers_of(&changed, who), vec![id.to_owned()], "{who}");
            let current = changed
                .proposal(&code(who))
                .and_then(Proposal::current)
                .expect("a current proposal");
            assert_eq!(current.submitted_by, HYPOTHETICAL);
        }
        assert!(!offers_of(&changed, "GBR").contains(&"GBR-1".to_owned()));
        assert!(offers_of(&real, "GBR").contains(&"GBR-1".to_owned()));
        assert!(offers_of(&real, "ESP").is_empty());
        assert_eq!(changed.proposals().len(), real.proposals().len() + 1);
    }
}
