//! Follow-up asks: the coordinator sends one capital an ask for what is still missing; the
//! capital answers by revising its proposal with lines that reference it (see `answers_ask`), or
//! declines it with a reason. Asks live in the campaign document, are checked with the whole
//! campaign like any change, and every step is audited.

use chrono::{DateTime, SecondsFormat, Utc};
use guarantor_domain::document::{AskDoc, DeclineDoc};

use crate::audit::{Audit, AuditAction};
use crate::{Store, StoreError};

impl Store {
    /// Sends `ask` to its capital. Refused while the campaign does not accept submissions (the
    /// capital could not answer), when the id is taken, or when the campaign with it would be
    /// invalid (every problem, with its path). Returns the new campaign version.
    pub async fn create_ask(
        &self,
        id: &str,
        ask: AskDoc,
        actor: &str,
        at: DateTime<Utc>,
    ) -> Result<i64, StoreError> {
        self.rewrite_document(id, actor, at, |doc, submissions| {
            if !submissions.open(at, doc.campaign.deadline) {
                return Err(StoreError::AskRefused(format!(
                    "campaign \"{id}\" does not accept submissions now ({}), so {} could not answer an ask: reopen submissions or set a new deadline first",
                    submissions.describe(at, doc.campaign.deadline),
                    ask.respondent
                )));
            }
            if doc.asks.iter().any(|a| a.id == ask.id) {
                return Err(StoreError::AskRefused(format!(
                    "an ask \"{}\" already exists in campaign \"{id}\": choose another id",
                    ask.id
                )));
            }
            doc.asks.push(ask.clone());
            Ok(Audit::new(
                AuditAction::AskCreate,
                format!("ask {} to {} in campaign {id}", ask.id, ask.respondent),
            )
            .after(&ask))
        })
        .await
    }

    /// Records `respondent`'s refusal of its ask `ask`, with a reason. Refused when the ask was
    /// not sent to that capital (as if it did not exist), when it was declined already, or
    /// without a reason. Returns the new campaign version.
    pub async fn decline_ask(
        &self,
        id: &str,
        respondent: &str,
        ask: &str,
        reason: &str,
        actor: &str,
        at: DateTime<Utc>,
    ) -> Result<i64, StoreError> {
        self.rewrite_document(id, actor, at, |doc, _| {
            let Some(slot) = doc
                .asks
                .iter_mut()
                .find(|a| a.id == ask && a.respondent == respondent)
            else {
                return Err(StoreError::NoSuchAsk {
                    campaign: id.to_owned(),
                    respondent: respondent.to_owned(),
                    ask: ask.to_owned(),
                });
            };
            if let Some(d) = &slot.declined {
                return Err(StoreError::AskRefused(format!(
                    "the ask \"{ask}\" was declined already ({} by {}): nothing changed",
                    d.at.to_rfc3339_opts(SecondsFormat::Secs, true),
                    d.by
                )));
            }
            if let Some(w) = &slot.withdrawn {
                return Err(StoreError::AskRefused(format!(
                    "the coordinator withdrew the ask \"{ask}\" ({}: {}): there is nothing to decline",
                    w.at.to_rfc3339_opts(SecondsFormat::Secs, true),
                    w.reason
                )));
            }
            let subject = format!("ask {ask} to {respondent} in campaign {id}");
            close(slot, Closing::Declined, reason, actor, at, subject)
        })
        .await
    }
}

impl Store {
    /// Withdraws the ask `ask` (the coordinator: it is no longer needed), with a reason. Refused
    /// when there is no such ask, when its capital declined it or answered it in full, when it
    /// was withdrawn already, or without a reason; the capital's lines that answered it so far
    /// stay. Returns the new campaign version.
    pub async fn withdraw_ask(
        &self,
        id: &str,
        ask: &str,
        reason: &str,
        actor: &str,
        at: DateTime<Utc>,
    ) -> Result<i64, StoreError> {
        self.rewrite_document(id, actor, at, |doc, _| {
            let Some(at_index) = doc.asks.iter().position(|a| a.id == ask) else {
                return Err(StoreError::NoSuchAsk {
                    campaign: id.to_owned(),
                    respondent: "any capital".to_owned(),
                    ask: ask.to_owned(),
                });
            };
            // Units of the capital's current proposal that answer it.
            let answered: i64 = doc
                .proposals
                .iter()
                .find(|p| p.respondent == doc.asks[at_index].respondent && p.withdrawn.is_none())
                .and_then(|p| p.revisions.last())
                .map_or(0, |r| {
                    r.offers
                        .iter()
                        .filter(|o| o.answers_ask.as_deref() == Some(ask))
                        .map(|o| o.quantity)
                        .sum()
                });
            let slot = &mut doc.asks[at_index];
            let refused = |why: String| Err(StoreError::AskRefused(why));
            if let Some(d) = &slot.declined {
                return refused(format!(
                    "{} declined the ask \"{ask}\" already ({}): nothing to withdraw",
                    slot.respondent, d.reason
                ));
            }
            if let Some(w) = &slot.withdrawn {
                return refused(format!(
                    "the ask \"{ask}\" was withdrawn already ({} by {}): nothing changed",
                    w.at.to_rfc3339_opts(SecondsFormat::Secs, true),
                    w.by
                ));
            }
            if answered >= slot.quantity {
                return refused(format!(
                    "{} answered the ask \"{ask}\" in full ({answered} of {} units): nothing to withdraw",
                    slot.respondent, slot.quantity
                ));
            }
            let subject = format!("ask {ask} to {} in campaign {id}", slot.respondent);
            close(slot, Closing::Withdrawn, reason, actor, at, subject)
        })
        .await
    }

    /// Adopts `plan` (its version the next one): it supersedes any earlier plan. Checked with
    /// the whole campaign; audited as `plan.adopt`. Returns the new campaign version.
    pub async fn adopt_plan(
        &self,
        id: &str,
        plan: guarantor_domain::document::PlanDoc,
        actor: &str,
        at: DateTime<Utc>,
    ) -> Result<i64, StoreError> {
        self.rewrite_document(id, actor, at, |doc, _| {
            let mut plan = plan;
            plan.version = i64::try_from(doc.plans.len()).unwrap_or(i64::MAX) + 1;
            let audit = Audit::new(
                AuditAction::PlanAdopt,
                format!("plan {} of campaign {id}", plan.version),
            )
            .after(&plan);
            doc.plans.push(plan);
            Ok(audit)
        })
        .await
    }

    /// Appends `event` to pledge `pledge` of the plan that stands, whose capital must be
    /// `respondent`. The campaign's rules replay the pledge's history with it (a step the
    /// lifecycle refuses comes back as a problem at its path, and nothing is written); audited
    /// as `pledge.EVENT`. Returns the new campaign version.
    pub async fn record_pledge_event(
        &self,
        id: &str,
        respondent: &str,
        pledge: &str,
        event: guarantor_domain::document::PledgeEventKindDoc,
        actor: &str,
        at: DateTime<Utc>,
    ) -> Result<i64, StoreError> {
        self.rewrite_document(id, actor, at, |doc, _| {
            let Some(slot) = doc
                .plans
                .last_mut()
                .and_then(|p| p.pledges.iter_mut().find(|x| x.id == pledge))
                .filter(|x| x.respondent == respondent)
            else {
                return Err(StoreError::NoSuchPledge {
                    campaign: id.to_owned(),
                    respondent: respondent.to_owned(),
                    pledge: pledge.to_owned(),
                });
            };
            let before = slot.clone();
            slot.events
                .push(guarantor_domain::document::PledgeEventDoc {
                    at,
                    by: actor.to_owned(),
                    event,
                });
            Ok(Audit::new(
                AuditAction::PledgeEvent,
                format!("pledge {pledge} of {respondent} in campaign {id}"),
            )
            .before(&before)
            .after(&*slot))
        })
        .await
    }
}

/// How an ask is closed: declined by its capital or withdrawn by the coordinator.
#[derive(Clone, Copy)]
enum Closing {
    Declined,
    Withdrawn,
}

/// Closes `slot` as `how`, with `reason` (required), and describes the change as an audit row
/// about `subject`.
fn close(
    slot: &mut AskDoc,
    how: Closing,
    reason: &str,
    actor: &str,
    at: DateTime<Utc>,
    subject: String,
) -> Result<Audit, StoreError> {
    let (field, action) = match how {
        Closing::Declined => ("declined", AuditAction::AskDecline),
        Closing::Withdrawn => ("withdrawn", AuditAction::AskWithdraw),
    };
    if reason.trim().is_empty() {
        return Err(StoreError::Invalid {
            problems: vec![format!(
                "asks[{}].{field}.reason: say why the ask is {field}",
                slot.id
            )],
        });
    }
    let before = slot.clone();
    let closing = Some(DeclineDoc {
        at,
        by: actor.to_owned(),
        reason: reason.trim().to_owned(),
    });
    match how {
        Closing::Declined => slot.declined = closing,
        Closing::Withdrawn => slot.withdrawn = closing,
    }
    Ok(Audit::new(action, subject).before(&before).after(&*slot))
}
