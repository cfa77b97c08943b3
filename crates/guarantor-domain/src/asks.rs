//! Follow-up asks: after the first round the coordinator asks one capital for what is still
//! missing. An ask's status is derived from the campaign, never stored, so it cannot contradict
//! the proposals: answered when the capital's current proposal has lines that reference it for
//! at least the units asked, partly answered when for fewer, declined when the capital said no,
//! expired when its reply-by date passed with none of that, open otherwise.

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};

use crate::ids::{CapabilityId, CountryCode, PhaseId, RequirementId, SectorId};
use crate::model::{Campaign, Proposal};
use crate::quantity::Quantity;

/// A follow-up ask to one capital.
#[derive(Debug, Clone, PartialEq)]
pub struct FollowUpAsk {
    /// Identifier.
    pub id: String,
    /// The capital asked.
    pub respondent: CountryCode,
    /// The capability asked for.
    pub capability: CapabilityId,
    /// Units asked for.
    pub quantity: Quantity,
    /// First phase.
    pub earliest_phase: PhaseId,
    /// Last phase (`None`: through the last).
    pub last_phase: Option<PhaseId>,
    /// Sectors (`None`: any).
    pub sectors: Option<BTreeSet<SectorId>>,
    /// The requirement lines it would fill.
    pub requirements: Vec<RequirementId>,
    /// The message.
    pub message: String,
    /// Reply by.
    pub reply_by: DateTime<Utc>,
    /// Sent at.
    pub created_at: DateTime<Utc>,
    /// Sent by.
    pub created_by: String,
    /// The capital's refusal, if it declined.
    pub declined: Option<Decline>,
    /// The coordinator's withdrawal, if it is no longer needed.
    pub withdrawn: Option<Decline>,
}

/// A capital's refusal of an ask, or the coordinator's withdrawal of it.
#[derive(Debug, Clone, PartialEq)]
pub struct Decline {
    /// When.
    pub at: DateTime<Utc>,
    /// Who.
    pub by: String,
    /// Why.
    pub reason: String,
}

/// Where an ask stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AskStatus {
    /// Sent; not answered, declined or past its reply-by date.
    Open,
    /// Lines of the current proposal answer it for fewer units than asked.
    PartlyAnswered,
    /// Lines of the current proposal answer it for at least the units asked.
    Answered,
    /// The capital declined it.
    Declined,
    /// Its reply-by date passed with no answer.
    Expired,
    /// The coordinator withdrew it.
    Withdrawn,
}

impl AskStatus {
    /// Every status, from still to be answered to done with.
    pub const ALL: [Self; 6] = [
        Self::Open,
        Self::PartlyAnswered,
        Self::Answered,
        Self::Declined,
        Self::Expired,
        Self::Withdrawn,
    ];

    /// The name used in JSON output.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::PartlyAnswered => "partly_answered",
            Self::Answered => "answered",
            Self::Declined => "declined",
            Self::Expired => "expired",
            Self::Withdrawn => "withdrawn",
        }
    }

    /// In words, for pages.
    pub fn in_words(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::PartlyAnswered => "partly answered",
            Self::Answered => "answered",
            Self::Declined => "declined",
            Self::Expired => "expired",
            Self::Withdrawn => "withdrawn by the coordinator",
        }
    }
}

impl Campaign {
    /// The follow-up asks, in the order they were sent.
    pub fn asks(&self) -> &[FollowUpAsk] {
        &self.asks
    }

    /// The asks sent to `respondent`.
    pub fn asks_to<'a>(
        &'a self,
        respondent: &'a CountryCode,
    ) -> impl Iterator<Item = &'a FollowUpAsk> + 'a {
        self.asks
            .iter()
            .filter(move |a| a.respondent == *respondent)
    }

    /// Units of the capital's current proposal that answer `ask`.
    pub fn units_answering(&self, ask: &FollowUpAsk) -> u32 {
        self.proposal(&ask.respondent)
            .and_then(Proposal::current)
            .map_or(0, |r| {
                r.offers
                    .iter()
                    .filter(|o| o.answers_ask.as_deref() == Some(ask.id.as_str()))
                    .map(|o| o.quantity.get())
                    .sum()
            })
    }

    /// Where `ask` stands at `now`.
    pub fn ask_status(&self, ask: &FollowUpAsk, now: DateTime<Utc>) -> AskStatus {
        if ask.declined.is_some() {
            return AskStatus::Declined;
        }
        if ask.withdrawn.is_some() {
            return AskStatus::Withdrawn;
        }
        let answered = self.units_answering(ask);
        if answered >= ask.quantity.get() {
            AskStatus::Answered
        } else if answered > 0 {
            AskStatus::PartlyAnswered
        } else if now > ask.reply_by {
            AskStatus::Expired
        } else {
            AskStatus::Open
        }
    }
}
