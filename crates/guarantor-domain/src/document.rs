//! The campaign file as written on disk (format version 1).
//!
//! These types mirror the file one to one: plain strings and numbers, so that a file with many
//! mistakes still parses and validation can report every mistake at once. [`crate::Campaign`] is
//! the validated form. The JSON Schema printed by `guarantor schema` is generated from here, so
//! every doc comment below is also the schema's description of that field.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// The format version this build reads and writes (the first; later builds will read it too,
/// upgrading it on load).
pub const FORMAT_VERSION: u32 = 1;

/// Pattern of every identifier in the file.
const IDENT: &str = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$";
/// Pattern of an ISO 3166-1 alpha-3 country code.
const ISO3: &str = r"^[A-Z]{3}$";

/// One whole campaign: the questionnaire, who was asked, what is required, what was offered, and the
/// negotiation scenarios the options are computed under.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "Guarantor campaign file")]
pub struct CampaignDocument {
    /// Version of this file format. This build writes 1 and reads 1.
    #[schemars(range(min = 1, max = 1))]
    pub format_version: u32,
    /// Who asks, what for, and by when.
    pub campaign: CampaignInfoDoc,
    /// Time windows of the guarantee, in chronological order (the list order is the order).
    #[schemars(length(min = 1))]
    pub phases: Vec<PhaseDoc>,
    /// Where contributions serve: land regions, the airspace, the sea, out of country.
    #[schemars(length(min = 1))]
    pub sectors: Vec<SectorDoc>,
    /// The kinds of contribution that may be required and offered.
    #[schemars(length(min = 1))]
    pub catalogue: Vec<CapabilityDoc>,
    /// The capitals asked, with public reference figures.
    #[schemars(length(min = 1))]
    pub respondents: Vec<RespondentDoc>,
    /// The statement of requirements.
    #[serde(default)]
    pub requirements: Vec<RequirementDoc>,
    /// Alternative statements of requirements, each a named force the decision maker may
    /// choose (e.g. a small, a medium and a large force); options are computed for each.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub postures: Vec<PostureDoc>,
    /// The questions sent to respondents.
    pub questionnaire: QuestionnaireDoc,
    /// Facts of the world that conditions may rest on and scenarios set true or false.
    #[serde(default)]
    pub facts: Vec<FactDoc>,
    /// Negotiation-track assumptions that options are computed under.
    #[serde(default)]
    pub scenarios: Vec<ScenarioDoc>,
    /// One proposal per respondent that has started answering.
    #[serde(default)]
    pub proposals: Vec<ProposalDoc>,
    /// Saved what-ifs: hypothetical offers added and real ones taken away, to see how the options
    /// would change. Never counted as proposals; no capital made these offers.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub what_ifs: Vec<WhatIfDoc>,
    /// Follow-up asks sent to capitals after the first round: what is still missing, from whom,
    /// by when. A capital answers by revising its proposal with lines that reference the ask, or
    /// declines it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub asks: Vec<AskDoc>,
    /// Readiness levels a confirmed pledge may state (after the UN system: e.g. 1 pledged,
    /// 2 verified, 3 ready within 60 days, 4 rapid deployment within 30).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub readiness_levels: Vec<ReadinessLevelDoc>,
    /// Plans adopted by the decision maker, oldest first; the last one stands. Each accepted
    /// offer line of the adopted option became a pledge, with its history.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub plans: Vec<PlanDoc>,
}

/// A readiness level.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ReadinessLevelDoc {
    /// 1, 2, 3, … (higher is readier).
    #[schemars(range(min = 1, max = 9))]
    pub level: i64,
    /// Name, e.g. "Ready to deploy within 60 days".
    pub name: String,
    /// Days from a call to deployment, when the level promises them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub days: Option<i64>,
}

/// An adopted plan: the option the decision maker chose, under a scenario, and its pledges.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PlanDoc {
    /// 1 for the first plan adopted, then 2, 3, … (a later plan supersedes).
    #[schemars(range(min = 1))]
    pub version: i64,
    /// When it was adopted (RFC 3339, UTC).
    pub adopted_at: DateTime<Utc>,
    /// Who adopted it.
    pub adopted_by: String,
    /// The scenario it was computed under.
    pub scenario: String,
    /// Which option, in words (e.g. "option 1 (cheapest)").
    pub option: String,
    /// Why, in the decision maker's words.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub note: String,
    /// One pledge per accepted offer line.
    #[serde(default)]
    pub pledges: Vec<PledgeDoc>,
}

/// An accepted offer line of an adopted plan, and what happened to it since.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PledgeDoc {
    /// Identifier, unique within the plan.
    #[schemars(regex(pattern = IDENT))]
    pub id: String,
    /// The capital (ISO 3166-1 alpha-3).
    #[schemars(regex(pattern = ISO3))]
    pub respondent: String,
    /// The offer line it came from.
    pub offer: String,
    /// The capability.
    pub capability: String,
    /// Units accepted into the plan (rotation included, as the offer line counts them).
    #[schemars(range(min = 1))]
    pub units: i64,
    /// Where the units serve: requirement lines and units deployed there.
    #[serde(default)]
    pub placements: Vec<PlacementDoc>,
    /// What happened to it, in order.
    #[serde(default)]
    pub events: Vec<PledgeEventDoc>,
}

/// Units of a pledge serving one requirement line.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PlacementDoc {
    /// The requirement line.
    pub requirement: String,
    /// Units deployed there, or placed in the line's rotation pool when `pooled`.
    #[schemars(range(min = 1))]
    pub units: i64,
    /// Whether the units are in the line's rotation pool, taking turns with other units; the
    /// pool keeps ⌊its units ÷ rotation ratio⌋ deployed.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub pooled: bool,
    /// Whether the units are parts of units assembled for the line (the line's capability is
    /// composite and the pledge's capability one of its parts).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub assembled: bool,
}

/// One step of a pledge: who, when, what.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PledgeEventDoc {
    /// When (RFC 3339, UTC).
    pub at: DateTime<Utc>,
    /// Who.
    pub by: String,
    /// What.
    pub event: PledgeEventKindDoc,
}

/// What happened to a pledge.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum PledgeEventKindDoc {
    /// The capital confirms it, at a readiness level, with the units ready from a date.
    Confirmed {
        /// A level of `readiness_levels`.
        readiness_level: i64,
        /// From when the units are ready (a date).
        ready_from: chrono::NaiveDate,
    },
    /// The capital declines it.
    Declined {
        /// Why.
        reason: String,
    },
    /// The coordinator verified it (e.g. an assessment visit).
    Verified {
        /// How.
        how: String,
        /// Notes.
        #[serde(default, skip_serializing_if = "String::is_empty")]
        notes: String,
    },
    /// Units deployed or delivered (partial deliveries add up).
    Delivered {
        /// Units.
        units: i64,
        /// On which date.
        on: chrono::NaiveDate,
    },
    /// The coordinator releases it from the plan.
    Released {
        /// Why.
        reason: String,
    },
    /// The capital withdraws it.
    Withdrawn {
        /// Why.
        reason: String,
    },
}

/// A follow-up ask to one capital: requirement lines to fill, how many units, when, by when.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AskDoc {
    /// Identifier of the ask, unique in the campaign.
    #[schemars(regex(pattern = IDENT))]
    pub id: String,
    /// The capital asked (ISO 3166-1 alpha-3, an invited respondent).
    #[schemars(regex(pattern = ISO3))]
    pub respondent: String,
    /// The capability asked for (catalogue id).
    pub capability: String,
    /// Units asked for, as an offer line counts them (rotation included in enduring phases
    /// unless the answer is rotation-backed).
    #[schemars(range(min = 1, max = 1_000_000))]
    pub quantity: i64,
    /// First phase.
    pub earliest_phase: String,
    /// Last phase; omitted means through the last phase.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_phase: Option<String>,
    /// Sectors where the units are wanted; omitted means any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sectors: Option<Vec<String>>,
    /// The requirement lines it would fill.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub requirements: Vec<String>,
    /// The message to the capital.
    pub message: String,
    /// Reply by (RFC 3339, UTC); after it an unanswered ask has expired.
    pub reply_by: DateTime<Utc>,
    /// When it was sent (RFC 3339, UTC).
    pub created_at: DateTime<Utc>,
    /// Who sent it.
    pub created_by: String,
    /// Set when the capital declined it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub declined: Option<DeclineDoc>,
    /// Set when the coordinator withdrew it (no longer needed): when, who, why.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub withdrawn: Option<DeclineDoc>,
}

/// A capital's refusal of a follow-up ask, or the coordinator's withdrawal of it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DeclineDoc {
    /// When (RFC 3339, UTC).
    pub at: DateTime<Utc>,
    /// Who declined it.
    pub by: String,
    /// Why.
    pub reason: String,
}

/// A saved what-if: the offers on the table with hypothetical offers added and real ones taken
/// away. It changes no proposal.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct WhatIfDoc {
    /// Identifier of the what-if.
    #[schemars(regex(pattern = IDENT))]
    pub id: String,
    /// Name shown with it, e.g. "Spain sends a brigade".
    pub name: String,
    /// Why it was made, in a sentence or two.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub note: String,
    /// Who saved it.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub created_by: String,
    /// Hypothetical offers, each as a respondent would make it.
    #[serde(default)]
    pub added: Vec<HypotheticalOfferDoc>,
    /// Current offers taken away. A line no longer in the respondent's current proposal is
    /// ignored when the what-if is applied (and reported).
    #[serde(default)]
    pub removed: Vec<RemovedOfferDoc>,
}

/// A hypothetical offer of a what-if.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct HypotheticalOfferDoc {
    /// Whose offer it would be (ISO 3166-1 alpha-3, an invited respondent).
    #[schemars(regex(pattern = ISO3))]
    pub respondent: String,
    /// The offer, with the rules of an offer line of a proposal.
    pub offer: OfferDoc,
}

/// A current offer a what-if takes away.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RemovedOfferDoc {
    /// Whose offer (ISO 3166-1 alpha-3).
    #[schemars(regex(pattern = ISO3))]
    pub respondent: String,
    /// The offer line's id in that respondent's current proposal.
    pub offer: String,
}

/// A force posture: an alternative statement of requirements with its name and its source.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PostureDoc {
    /// Identifier of the posture.
    #[schemars(regex(pattern = IDENT))]
    pub id: String,
    /// Name shown in reports, e.g. "Medium-scale force (about 25,000)".
    pub name: String,
    /// What the force is for, in a sentence or two.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
    /// Where its size comes from (a publication, a staff estimate).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub source: String,
    /// Its statement of requirements, with the same rules as the campaign's.
    #[schemars(length(min = 1))]
    pub requirements: Vec<RequirementDoc>,
}

/// Who asks, what for, and by when.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CampaignInfoDoc {
    /// Short identifier of the campaign.
    #[schemars(regex(pattern = IDENT))]
    pub id: String,
    /// Title shown on every page and report.
    pub title: String,
    /// The coordinating government or staff that sends the questionnaire.
    pub issuer: String,
    /// What the solicitation is for, in a few sentences.
    #[serde(default)]
    pub purpose: String,
    /// When proposals are due (RFC 3339, UTC), e.g. `2025-03-07T17:00:00Z`.
    pub deadline: DateTime<Utc>,
    /// Reporting currency (ISO 4217); every total is stated in it.
    #[schemars(regex(pattern = ISO3))]
    pub currency: String,
    /// Units of the reporting currency per unit of each other currency that offers may be priced
    /// in, e.g. `{"USD": 0.92}`. A cost in a currency that is neither the reporting currency nor
    /// listed here is rejected.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub exchange_rates: BTreeMap<String, f64>,
    /// True when the respondents' proposals are invented for demonstration; every output then
    /// says so.
    #[serde(default)]
    pub illustrative: bool,
    /// Free-form remarks: provenance of the figures, caveats.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub note: String,
    /// Whom respondents ask about the questionnaire (a name, an office, an address), shown on
    /// their page.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub contact: String,
}

/// A time window of the guarantee.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PhaseDoc {
    /// Identifier, e.g. `P0`.
    #[schemars(regex(pattern = IDENT))]
    pub id: String,
    /// Name shown in reports, e.g. "First 30 days".
    pub name: String,
    /// What happens in this phase.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
    /// True when the phase lasts long enough that deployed units must rotate (years rather than
    /// months); then each deployed unit needs the capability's rotation ratio of units behind it.
    #[serde(default)]
    pub enduring: bool,
}

/// Where a contribution serves.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SectorDoc {
    /// Identifier, e.g. `kyiv`.
    #[schemars(regex(pattern = IDENT))]
    pub id: String,
    /// Name shown in reports.
    pub name: String,
    /// What kind of place it is.
    pub kind: SectorKindDoc,
    /// True when the sector lies along the line of contact; offers with the `no_contact_line`
    /// caveat may not serve here.
    #[serde(default)]
    pub contact_line: bool,
    /// Remarks on the sector.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
}

/// The kind of a sector.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum SectorKindDoc {
    /// A land region of the country guaranteed.
    Land,
    /// The airspace.
    Air,
    /// Territorial waters and sea lanes.
    Sea,
    /// Outside the country: training grounds, logistics hubs.
    OutOfCountry,
}

/// Category of a capability.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum CategoryDoc {
    /// Deployed formations of troops (brigades, battalions).
    Troops,
    /// Equipment: air defence, armour, aircraft, munitions.
    Hardware,
    /// Support: demining, ISR, medical, logistics, training.
    Enablers,
    /// Money per year.
    Funding,
    /// Security arrangements and commitments (e.g. a guarantee clause).
    Arrangement,
}

/// One entry of the capability catalogue.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CapabilityDoc {
    /// Identifier, e.g. `brigade.armoured`.
    #[schemars(regex(pattern = IDENT))]
    pub id: String,
    /// Name shown in reports.
    pub name: String,
    /// What kind of contribution it is.
    pub category: CategoryDoc,
    /// The unit counted, singular, e.g. "brigade", "battery", "EUR million per year".
    pub unit: String,
    /// Nominal personnel per deployed unit (0 for money and equipment handed over).
    #[schemars(range(min = 0, max = 100_000))]
    pub personnel_per_unit: i64,
    /// Units standing behind each unit kept deployed in an enduring phase; 3 means a 3:1
    /// rotation, 1 means none is needed.
    #[schemars(range(min = 1.0, max = 10.0))]
    pub rotation_ratio: f64,
    /// What the capability is.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
    /// When the capability may also be assembled from other capabilities under a lead
    /// (framework) nation, e.g. a mechanised brigade from a brigade headquarters and battalions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub composition: Option<CompositionDoc>,
}

/// What one unit of a composite capability is assembled from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CompositionDoc {
    /// The part the lead (framework) nation provides, one per assembled unit: its
    /// headquarters. Must be one of `parts`, with quantity 1.
    #[schemars(regex(pattern = IDENT))]
    pub lead: String,
    /// The parts of one assembled unit; each a plain (not composite) capability of the
    /// catalogue, listed once.
    #[schemars(length(min = 2))]
    pub parts: Vec<PartDoc>,
}

/// One part of a composite capability.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PartDoc {
    /// The part's capability.
    #[schemars(regex(pattern = IDENT))]
    pub capability: String,
    /// Units of it in one assembled unit.
    #[schemars(range(min = 1, max = 100))]
    pub quantity: i64,
}

/// A capital asked to answer, with public reference figures.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RespondentDoc {
    /// ISO 3166-1 alpha-3 code, e.g. `FRA`.
    #[schemars(regex(pattern = ISO3))]
    pub code: String,
    /// Name shown in reports.
    pub name: String,
    /// Whether the respondent was sent the questionnaire. Respondents listed for reference only
    /// (false) cannot propose, and no offer may be conditional on them.
    #[serde(default = "yes")]
    pub invited: bool,
    /// Alliances and groupings, e.g. `["NATO", "EU"]`; scenarios may exclude by membership.
    #[serde(default)]
    pub memberships: Vec<String>,
    /// Public reference figures; a figure not found is left out.
    #[serde(default)]
    pub facts: FactsDoc,
    /// Where the figures come from.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub sources: String,
}

fn yes() -> bool {
    true
}

/// Public reference figures of a respondent. Each is optional: leave out what is not known rather
/// than write 0.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FactsDoc {
    /// Population, millions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub population_millions: Option<f64>,
    /// GDP, US$ billion, current prices.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gdp_usd_bn: Option<f64>,
    /// Defence expenditure, US$ billion, current prices.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub defence_expenditure_usd_bn: Option<f64>,
    /// Defence expenditure as a share of GDP, percent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub defence_pct_gdp: Option<f64>,
    /// Active military personnel, thousands.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub active_personnel_thousands: Option<f64>,
    /// Bilateral military aid to Ukraine committed so far, EUR billion (cumulative).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub military_aid_committed_eur_bn: Option<f64>,
}

/// Priority of a requirement.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum PriorityDoc {
    /// The guarantee fails without it.
    Essential,
    /// Strengthens the guarantee.
    Desirable,
}

/// One line of the statement of requirements.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RequirementDoc {
    /// Identifier, e.g. `R01`.
    #[schemars(regex(pattern = IDENT))]
    pub id: String,
    /// The capability required (catalogue id).
    pub capability: String,
    /// Units required, deployed at the same time.
    #[schemars(range(min = 1, max = 1_000_000))]
    pub quantity: i64,
    /// The phase it is required in (phase id).
    pub phase: String,
    /// The sector it is required in (sector id).
    pub sector: String,
    /// Essential or desirable.
    pub priority: PriorityDoc,
    /// Why it is required.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub note: String,
}

/// The questionnaire: versioned sections of offer tables and free-text questions.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct QuestionnaireDoc {
    /// Version of the questionnaire; each revision records the version it answered.
    #[schemars(range(min = 1))]
    pub version: i64,
    /// Sections in the order respondents see them.
    #[schemars(length(min = 1))]
    pub sections: Vec<SectionDoc>,
}

/// A section of the questionnaire: an offer table for some categories, free-text questions, or both.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SectionDoc {
    /// Identifier of the section.
    #[schemars(regex(pattern = IDENT))]
    pub id: String,
    /// Heading shown to respondents.
    pub title: String,
    /// Guidance shown under the heading.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
    /// Categories whose offers this section's table collects (empty: no offer table).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub offer_categories: Vec<CategoryDoc>,
    /// Free-text questions of this section.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub questions: Vec<QuestionDoc>,
    /// Whether a proposal must have at least one offer line in this section's table to be
    /// submitted (drafts are never held to it).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub lines_required: bool,
}

/// A free-text question.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct QuestionDoc {
    /// Identifier, unique across the questionnaire.
    #[schemars(regex(pattern = IDENT))]
    pub id: String,
    /// The question as asked.
    pub text: String,
    /// Guidance for the answer.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub help: String,
    /// Whether the question must be answered for a proposal to be submitted (drafts are never
    /// held to it).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub required: bool,
}

/// A fact of the world that scenarios set and conditions rest on, e.g. `us_backstop`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FactDoc {
    /// Identifier used in conditions and scenarios.
    #[schemars(regex(pattern = IDENT))]
    pub id: String,
    /// What the fact means when it holds.
    pub description: String,
}

/// A set of negotiation-track assumptions.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ScenarioDoc {
    /// Identifier, e.g. `us-backstop`.
    #[schemars(regex(pattern = IDENT))]
    pub id: String,
    /// Name shown in reports.
    pub name: String,
    /// The assumption in a sentence or two.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
    /// Truth of every declared fact under this scenario (each fact must be given).
    #[serde(default)]
    pub facts: BTreeMap<String, bool>,
    /// Contributors ruled out, by membership or by name, for some or all categories.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub excluded_contributors: Vec<ExclusionDoc>,
    /// Most troops (personnel) that may be deployed at once, if the track caps it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 0, max = 10_000_000))]
    pub troop_ceiling: Option<i64>,
    /// Sectors where nothing may be deployed under this scenario.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub excluded_sectors: Vec<String>,
}

/// A rule excluding contributors: members of a grouping, listed respondents, or both.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ExclusionDoc {
    /// Excludes every respondent with this membership, e.g. `NATO`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub member_of: Option<String>,
    /// Excludes these respondents (ISO 3166-1 alpha-3).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub respondents: Vec<String>,
    /// Categories the exclusion applies to; empty means every category.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub categories: Vec<CategoryDoc>,
    /// Why.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub note: String,
}

/// A respondent's proposal: a working draft, its submitted revisions, and a withdrawal if any.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ProposalDoc {
    /// The respondent (ISO 3166-1 alpha-3).
    pub respondent: String,
    /// Unsubmitted work in progress; not counted anywhere until submitted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub draft: Option<DraftDoc>,
    /// Submitted revisions, numbered 1, 2, … in order; the last is the current proposal.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub revisions: Vec<RevisionDoc>,
    /// Set when the respondent withdrew its proposal after submitting it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub withdrawn: Option<WithdrawalDoc>,
}

/// Unsubmitted work in progress.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DraftDoc {
    /// When the draft was last saved (RFC 3339, UTC).
    pub updated_at: DateTime<Utc>,
    /// Who saved it.
    pub updated_by: String,
    /// Offer lines so far.
    #[serde(default)]
    pub offers: Vec<OfferDoc>,
    /// Answers so far.
    #[serde(default)]
    pub answers: Vec<AnswerDoc>,
}

/// An immutable submitted revision of a proposal.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RevisionDoc {
    /// 1 for the first submission, then 2, 3, …
    #[schemars(range(min = 1))]
    pub number: i64,
    /// When it was submitted (RFC 3339, UTC).
    pub submitted_at: DateTime<Utc>,
    /// Who submitted it (person or office).
    pub submitted_by: String,
    /// The questionnaire version it answers.
    #[schemars(range(min = 1))]
    pub questionnaire_version: i64,
    /// Offer lines.
    #[serde(default)]
    pub offers: Vec<OfferDoc>,
    /// Answers to the free-text questions.
    #[serde(default)]
    pub answers: Vec<AnswerDoc>,
    /// What changed in this revision, in the respondent's words.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub note: String,
}

/// A withdrawal of a submitted proposal.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct WithdrawalDoc {
    /// When (RFC 3339, UTC).
    pub at: DateTime<Utc>,
    /// Who withdrew it.
    pub by: String,
    /// Why, if said.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub reason: String,
}

/// One offer line of a proposal.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct OfferDoc {
    /// Identifier, unique within the revision, e.g. `FRA-1`.
    #[schemars(regex(pattern = IDENT))]
    pub id: String,
    /// The capability offered (catalogue id).
    pub capability: String,
    /// Units offered. For an enduring phase the respondent's rotation is assumed to come out of
    /// this number (deploying N needs N × rotation ratio), unless `rotation_backed` is true.
    #[schemars(range(min = 1, max = 1_000_000))]
    pub quantity: i64,
    /// First phase the units can serve in.
    pub earliest_phase: String,
    /// Last phase they serve in (duration); omitted means through the last phase.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_phase: Option<String>,
    /// True when the respondent sustains `quantity` units deployed itself, rotation included.
    #[serde(default)]
    pub rotation_backed: bool,
    /// Sectors the units may serve in; omitted means any sector (caveats still apply).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sectors: Option<Vec<String>>,
    /// National restrictions on use.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub caveats: Vec<CaveatDoc>,
    /// Cost of one unit for one year; omitted for funding offers and unpriced offers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cost_per_unit_year: Option<MoneyDoc>,
    /// Who pays: `contributor` (costs lie where they fall), `common_fund`, or a respondent's
    /// ISO 3166-1 alpha-3 code.
    #[serde(default = "contributor")]
    pub paid_by: String,
    /// What must hold for the offer to stand.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub conditions: Vec<ConditionDoc>,
    /// Remarks.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub note: String,
    /// The follow-up ask (id) this line answers, if any: an ask sent to this respondent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub answers_ask: Option<String>,
}

fn contributor() -> String {
    "contributor".into()
}

/// A national restriction on the use of an offer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum CaveatDoc {
    /// May not serve in sectors along the line of contact.
    NoContactLine,
    /// May serve only in out-of-country sectors (training, logistics hubs).
    OutOfCountryOnly,
    /// May not serve in these sectors.
    ExcludedSectors(Vec<String>),
    /// No combat role (recorded and reported; does not restrict sectors).
    NoCombatRole,
    /// Its units rotate only among themselves: they may not take turns with other nations'
    /// units in a shared rotation pool.
    NoSharedRotation,
    /// Any other restriction, in words (recorded and reported).
    Other(String),
}

/// What must hold for an offer to stand.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ConditionDoc {
    /// A scenario fact must hold, e.g. `{"scenario": "us_backstop"}`.
    Scenario(String),
    /// Only if this respondent commits (has an accepted offer), e.g. `{"if_commits": "FRA"}`.
    IfCommits(String),
    /// Only with at least this many other respondents committing.
    MinPartners(i64),
}

/// An amount of money.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MoneyDoc {
    /// Amount in millions, at most three decimals (exact to the thousand).
    #[schemars(range(min = 0.0, max = 1_000_000.0))]
    pub amount_m: f64,
    /// ISO 4217 code: the campaign currency or one listed in `campaign.exchange_rates`.
    #[schemars(regex(pattern = ISO3))]
    pub currency: String,
}

/// An answer to a free-text question.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AnswerDoc {
    /// The question answered (question id).
    pub question: String,
    /// The answer.
    pub text: String,
}

/// The JSON Schema of the campaign file.
pub fn json_schema() -> serde_json::Value {
    serde_json::to_value(schemars::schema_for!(CampaignDocument)).unwrap_or(serde_json::Value::Null)
}
