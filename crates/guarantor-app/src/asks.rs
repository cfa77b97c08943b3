//! Follow-up asks as the front ends see them: the coordinator sends one, the capital reads its
//! own and declines or answers them (answering is revising its proposal with lines that name
//! the ask), everyone allowed reads where each stands.

use chrono::{DateTime, Duration, Utc};
use guarantor_domain::document::AskDoc;
use guarantor_domain::{AskStatus, Campaign, FollowUpAsk};
use serde::{Deserialize, Serialize};

use crate::error::{AppError, AppResult};
use crate::policy::{Action, authorise};
use crate::{App, Principal};

/// Days a capital has to reply when an ask does not say.
pub const DEFAULT_REPLY_DAYS: i64 = 14;

/// What the coordinator sends: an ask to one capital.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AskRequest {
    /// Identifier, unique in the campaign; made from the capital and the capability when
    /// omitted.
    #[serde(default)]
    pub id: Option<String>,
    /// The capital asked (ISO 3166-1 alpha-3).
    pub respondent: String,
    /// The capability asked for (catalogue id).
    pub capability: String,
    /// Units asked for, counted as an offer line counts them.
    pub quantity: i64,
    /// First phase.
    pub earliest_phase: String,
    /// Last phase (omitted: through the last).
    #[serde(default)]
    pub last_phase: Option<String>,
    /// Sectors (omitted: any).
    #[serde(default)]
    pub sectors: Option<Vec<String>>,
    /// The requirement lines it would fill.
    #[serde(default)]
    pub requirements: Vec<String>,
    /// The message to the capital.
    pub message: String,
    /// Reply by (RFC 3339); omitted: 14 days from now.
    #[serde(default)]
    pub reply_by: Option<DateTime<Utc>>,
}

/// An ask with where it stands.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct AskView {
    /// Identifier.
    pub id: String,
    /// The capital asked.
    pub respondent: String,
    /// The capability asked for, and its name.
    pub capability: String,
    /// Its name.
    pub capability_name: String,
    /// Units asked for.
    pub quantity: u32,
    /// Units of the capital's current proposal that answer it.
    pub units_answered: u32,
    /// First and last phase.
    pub earliest_phase: String,
    /// Last phase (`null`: through the last).
    pub last_phase: Option<String>,
    /// Sectors (`null`: any).
    pub sectors: Option<Vec<String>>,
    /// Requirement lines it would fill.
    pub requirements: Vec<String>,
    /// The message.
    pub message: String,
    /// Reply by.
    pub reply_by: DateTime<Utc>,
    /// Sent at and by.
    pub created_at: DateTime<Utc>,
    /// Sent by.
    pub created_by: String,
    /// `open`, `partly_answered`, `answered`, `declined`, `expired` or `withdrawn`.
    #[schemars(with = "String")]
    pub status: AskStatus,
    /// The capital's reason, when it declined.
    pub declined_reason: Option<String>,
    /// When and by whom it was declined.
    pub declined_by: Option<String>,
    /// The coordinator's reason, when it withdrew the ask.
    pub withdrawn_reason: Option<String>,
    /// When and by whom it was withdrawn.
    pub withdrawn_by: Option<String>,
}

/// "by on when", to the minute.
fn who_and_when(d: &guarantor_domain::Decline) -> String {
    format!(
        "{} on {}",
        d.by,
        guarantor_domain::format::to_the_minute(&d.at.to_rfc3339())
    )
}

impl AskView {
    /// The view of `ask` in `campaign` at `now`.
    pub fn of(campaign: &Campaign, ask: &FollowUpAsk, now: DateTime<Utc>) -> Self {
        Self {
            id: ask.id.clone(),
            respondent: ask.respondent.to_string(),
            capability: ask.capability.to_string(),
            capability_name: campaign.capability(&ask.capability).name.clone(),
            quantity: ask.quantity.get(),
            units_answered: campaign.units_answering(ask),
            earliest_phase: ask.earliest_phase.to_string(),
            last_phase: ask.last_phase.as_ref().map(ToString::to_string),
            sectors: ask
                .sectors
                .as_ref()
                .map(|s| s.iter().map(ToString::to_string).collect()),
            requirements: ask.requirements.iter().map(ToString::to_string).collect(),
            message: ask.message.clone(),
            reply_by: ask.reply_by,
            created_at: ask.created_at,
            created_by: ask.created_by.clone(),
            status: campaign.ask_status(ask, now),
            declined_reason: ask.declined.as_ref().map(|d| d.reason.clone()),
            declined_by: ask.declined.as_ref().map(who_and_when),
            withdrawn_reason: ask.withdrawn.as_ref().map(|w| w.reason.clone()),
            withdrawn_by: ask.withdrawn.as_ref().map(who_and_when),
        }
    }

    /// Whether the coordinator may still withdraw it: neither declined, withdrawn nor
    /// answered in full.
    pub fn withdrawable(&self) -> bool {
        matches!(
            self.status,
            AskStatus::Open | AskStatus::PartlyAnswered | AskStatus::Expired
        )
    }

    /// The phases asked for: "P1 to P2", "P1", or "from P1" when it runs to the last phase.
    pub fn phases(&self) -> String {
        match &self.last_phase {
            Some(l) if *l == self.earliest_phase => self.earliest_phase.clone(),
            Some(l) => format!("{} to {l}", self.earliest_phase),
            None => format!("from {}", self.earliest_phase),
        }
    }

    /// What is asked, in words: "2 × Long-range air defence, P1 to P2".
    pub fn in_words(&self) -> String {
        format!(
            "{} × {}, {}",
            self.quantity,
            self.capability_name,
            self.phases()
        )
    }
}

impl App {
    /// Sends a follow-up ask (coordinators). Returns its id and the new campaign version.
    pub async fn send_ask(
        &self,
        who: &Principal,
        id: &str,
        request: AskRequest,
    ) -> AppResult<(String, i64)> {
        authorise(who, Action::Coordinate)?;
        let now = Utc::now();
        let ask_id = match request.id.filter(|s| !s.trim().is_empty()) {
            Some(given) => given,
            None => {
                let taken: Vec<String> = self
                    .store
                    .export(id)
                    .await?
                    .asks()
                    .iter()
                    .map(|a| a.id.clone())
                    .collect();
                let stem: String = format!("{}-{}", request.respondent, request.capability)
                    .to_lowercase()
                    .chars()
                    .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
                    .take(56)
                    .collect();
                (1..)
                    .map(|n| format!("{stem}-{n}"))
                    .find(|candidate| !taken.contains(candidate))
                    .unwrap_or(stem)
            }
        };
        let doc = AskDoc {
            id: ask_id.clone(),
            respondent: request.respondent,
            capability: request.capability,
            quantity: request.quantity,
            earliest_phase: request.earliest_phase,
            last_phase: request.last_phase,
            sectors: request.sectors,
            requirements: request.requirements,
            message: request.message,
            reply_by: request
                .reply_by
                .unwrap_or(now + Duration::days(DEFAULT_REPLY_DAYS)),
            created_at: now,
            created_by: who.actor(),
            declined: None,
            withdrawn: None,
        };
        let version = self.store.create_ask(id, doc, &who.actor(), now).await?;
        Ok((ask_id, version))
    }

    /// The asks sent to `respondent`, with where each stands: the capital itself and the
    /// accounts.
    pub async fn asks_of(
        &self,
        who: &Principal,
        id: &str,
        respondent: &str,
    ) -> AppResult<Vec<AskView>> {
        authorise(who, Action::read(id, respondent))?;
        let (own, setup, _) = self.store.proposal_in_campaign(id, respondent).await?;
        Ok(Self::follow_up_in(&setup, &own)?.0)
    }

    /// The asks sent to a capital and its pledges in the plan that stands, derived from what a
    /// proposal page has already read (the campaign's setup and the capital's own proposal, as
    /// [`App::proposal_in_campaign`] returns them) rather than by reading the whole campaign
    /// again: an ask's status and a pledge's stage depend on nothing else.
    pub fn follow_up_in(
        setup: &guarantor_domain::CampaignDocument,
        own: &crate::ProposalState,
    ) -> AppResult<(Vec<AskView>, Vec<crate::PledgeView>)> {
        let respondent = own.respondent.as_str();
        let sent = setup.asks.iter().any(|a| a.respondent == respondent);
        if !sent && setup.plans.is_empty() {
            return Ok((Vec::new(), Vec::new()));
        }
        let mut doc = setup.clone();
        doc.proposals = vec![(*own.proposal).clone()];
        let c = guarantor_domain::validate(&doc).map_err(|problems| {
            AppError::internal(&format!(
                "the stored campaign does not validate with {respondent}'s proposal: {}",
                problems
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join("; ")
            ))
        })?;
        let now = Utc::now();
        let asks = c
            .asks()
            .iter()
            .filter(|a| a.respondent.as_str() == respondent)
            .map(|a| AskView::of(&c, a, now))
            .collect();
        let pledges = crate::plans::pledges_in(&c, respondent);
        Ok((asks, pledges))
    }

    /// Every ask of the campaign, with where each stands (coordinators and decision makers).
    pub async fn asks(&self, who: &Principal, id: &str) -> AppResult<Vec<AskView>> {
        authorise(who, Action::ReadCampaign)?;
        let c = self.store.export(id).await?;
        let now = Utc::now();
        Ok(c.asks().iter().map(|a| AskView::of(&c, a, now)).collect())
    }

    /// `respondent` declines its ask `ask`, saying why (the capital itself, or the coordinator
    /// on its word). Returns the new campaign version.
    pub async fn decline_ask(
        &self,
        who: &Principal,
        id: &str,
        respondent: &str,
        ask: &str,
        reason: &str,
    ) -> AppResult<i64> {
        authorise(who, Action::change(id, respondent))?;
        if reason.trim().is_empty() {
            return Err(AppError::invalid_field(
                "reason",
                "say why the ask is declined: the coordinator reads it",
            ));
        }
        Ok(self
            .store
            .decline_ask(id, respondent, ask, reason, &who.actor(), Utc::now())
            .await?)
    }

    /// Withdraws the ask `ask`, saying why (coordinators: it is no longer needed). Refused once
    /// its capital declined or answered it in full. Returns the new campaign version.
    pub async fn withdraw_ask(
        &self,
        who: &Principal,
        id: &str,
        ask: &str,
        reason: &str,
    ) -> AppResult<i64> {
        authorise(who, Action::Coordinate)?;
        if reason.trim().is_empty() {
            return Err(AppError::invalid_field(
                "reason",
                "say why the ask is withdrawn: the capital reads it",
            ));
        }
        Ok(self
            .store
            .withdraw_ask(id, ask, reason, &who.actor(), Utc::now())
            .await?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use guarantor_domain::document::ProposalDoc;

    fn own(doc: &guarantor_domain::CampaignDocument, code: &str) -> crate::ProposalState {
        let proposal = doc
            .proposals
            .iter()
            .find(|p| p.respondent == code)
            .cloned()
            .unwrap_or(ProposalDoc {
                respondent: code.to_owned(),
                draft: None,
                revisions: Vec::new(),
                withdrawn: None,
            });
        crate::ProposalState {
            campaign: doc.campaign.id.clone(),
            respondent: code.to_owned(),
            version: 1,
            proposal: std::sync::Arc::new(proposal),
        }
    }

    /// From the setup and the capital's own proposal alone, its asks and pledges read as they
    /// do from the whole campaign, for a capital that answered and one that never started.
    #[test]
    fn follow_up_from_the_own_proposal_equals_the_whole_campaigns() {
        let whole = crate::demo::campaign().unwrap();
        let doc = whole.to_document();
        let mut setup = doc.clone();
        setup.proposals.clear();
        let now = Utc::now();
        for code in ["NOR", "FIN", "GBR", "ESP", "FRA", "CYP"] {
            let (asks, pledges) = App::follow_up_in(&setup, &own(&doc, code)).unwrap();
            let expected: Vec<(String, AskStatus, u32)> = whole
                .asks()
                .iter()
                .filter(|a| a.respondent.as_str() == code)
                .map(|a| {
                    (
                        a.id.clone(),
                        whole.ask_status(a, now),
                        whole.units_answering(a),
                    )
                })
                .collect();
            let got: Vec<(String, AskStatus, u32)> = asks
                .iter()
                .map(|a| (a.id.clone(), a.status, a.units_answered))
                .collect();
            assert_eq!(got, expected, "{code}");
            let expected = crate::plans::pledges_in(&whole, code);
            let stages = |v: &[crate::PledgeView]| -> Vec<(String, String, u32)> {
                v.iter()
                    .map(|p| (p.id.clone(), p.state.as_str().to_owned(), p.delivered))
                    .collect()
            };
            assert_eq!(stages(&pledges), stages(&expected), "{code}");
        }
    }
}
