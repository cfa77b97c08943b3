//! The validated campaign. A [`Campaign`] only comes out of validation, so every reference in it
//! resolves and every number is in range.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Utc};

use crate::ids::{
    CampaignId, CapabilityId, CountryCode, CurrencyCode, FactId, Membership, OfferId, PhaseId,
    QuestionId, RequirementId, ScenarioId, SectionId, SectorId,
};
use crate::quantity::{Figure, Money, Quantity, RotationRatio};

pub use crate::document::{
    CategoryDoc as Category, PriorityDoc as Priority, SectorKindDoc as SectorKind,
};

impl Category {
    /// Every category, in report order.
    pub const ALL: [Category; 5] = [
        Category::Troops,
        Category::Hardware,
        Category::Enablers,
        Category::Funding,
        Category::Arrangement,
    ];

    /// The name used in the file and in JSON output.
    pub fn as_str(self) -> &'static str {
        match self {
            Category::Troops => "troops",
            Category::Hardware => "hardware",
            Category::Enablers => "enablers",
            Category::Funding => "funding",
            Category::Arrangement => "arrangement",
        }
    }
}

impl Priority {
    /// The name used in the file and in JSON output.
    pub fn as_str(self) -> &'static str {
        match self {
            Priority::Essential => "essential",
            Priority::Desirable => "desirable",
        }
    }
}

/// Who asks, what for, by when, and in which currency totals are reported.
#[derive(Debug, Clone, PartialEq)]
pub struct CampaignInfo {
    /// Identifier.
    pub id: CampaignId,
    /// Title.
    pub title: String,
    /// The coordinating government or staff.
    pub issuer: String,
    /// What the solicitation is for.
    pub purpose: String,
    /// When proposals are due.
    pub deadline: DateTime<Utc>,
    /// Reporting currency.
    pub currency: CurrencyCode,
    /// Units of reporting currency per unit of another currency.
    pub exchange_rates: BTreeMap<CurrencyCode, f64>,
    /// True when the proposals are invented for demonstration.
    pub illustrative: bool,
    /// Remarks.
    pub note: String,
    /// Whom respondents ask about the questionnaire.
    pub contact: String,
}

/// A time window of the guarantee.
#[derive(Debug, Clone, PartialEq)]
pub struct Phase {
    /// Identifier.
    pub id: PhaseId,
    /// Name.
    pub name: String,
    /// Description.
    pub description: String,
    /// Whether deployments in it need rotation.
    pub enduring: bool,
}

/// Where a contribution serves.
#[derive(Debug, Clone, PartialEq)]
pub struct Sector {
    /// Identifier.
    pub id: SectorId,
    /// Name.
    pub name: String,
    /// Kind of place.
    pub kind: SectorKind,
    /// Whether it lies along the line of contact.
    pub contact_line: bool,
    /// Description.
    pub description: String,
}

/// A catalogue entry.
#[derive(Debug, Clone, PartialEq)]
pub struct Capability {
    /// Identifier.
    pub id: CapabilityId,
    /// Name.
    pub name: String,
    /// Category.
    pub category: Category,
    /// The unit counted.
    pub unit: String,
    /// Nominal personnel per deployed unit.
    pub personnel_per_unit: u32,
    /// Default rotation ratio for enduring phases.
    pub rotation_ratio: RotationRatio,
    /// Description.
    pub description: String,
    /// What a unit may be assembled from, when it may (a framework-nation unit).
    pub composition: Option<Composition>,
}

/// What one unit of a composite capability is assembled from: a lead nation provides its
/// headquarters (the `lead` part), and any respondents the other parts.
#[derive(Debug, Clone, PartialEq)]
pub struct Composition {
    /// The part the lead nation provides, one per assembled unit.
    pub lead: CapabilityId,
    /// The parts of one assembled unit, each a plain capability, listed once; the lead's among
    /// them with quantity 1.
    pub parts: Vec<Part>,
}

/// One part of a composite capability.
#[derive(Debug, Clone, PartialEq)]
pub struct Part {
    /// The part's capability.
    pub capability: CapabilityId,
    /// Units of it in one assembled unit (at most [`MAX_PARTS_PER_UNIT`]).
    pub quantity: u32,
}

/// The most units of one part an assembled unit may need.
pub const MAX_PARTS_PER_UNIT: u32 = 100;

/// Public reference figures of a respondent.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ReferenceFacts {
    /// Population, millions.
    pub population_millions: Option<Figure>,
    /// GDP, US$ billion.
    pub gdp_usd_bn: Option<Figure>,
    /// Defence expenditure, US$ billion.
    pub defence_expenditure_usd_bn: Option<Figure>,
    /// Defence expenditure, % of GDP.
    pub defence_pct_gdp: Option<Figure>,
    /// Active personnel, thousands.
    pub active_personnel_thousands: Option<Figure>,
    /// Military aid to Ukraine committed, EUR billion (cumulative).
    pub military_aid_committed_eur_bn: Option<Figure>,
}

/// A capital asked to answer.
#[derive(Debug, Clone, PartialEq)]
pub struct Respondent {
    /// ISO 3166-1 alpha-3 code.
    pub code: CountryCode,
    /// Name.
    pub name: String,
    /// Whether it was sent the questionnaire.
    pub invited: bool,
    /// Alliances and groupings.
    pub memberships: BTreeSet<Membership>,
    /// Reference figures.
    pub facts: ReferenceFacts,
    /// Sources of the figures.
    pub sources: String,
}

/// A line of the statement of requirements.
#[derive(Debug, Clone, PartialEq)]
pub struct Requirement {
    /// Identifier.
    pub id: RequirementId,
    /// Capability required.
    pub capability: CapabilityId,
    /// Units required at the same time.
    pub quantity: Quantity,
    /// Phase.
    pub phase: PhaseId,
    /// Sector.
    pub sector: SectorId,
    /// Essential or desirable.
    pub priority: Priority,
    /// Why.
    pub note: String,
}

/// A force posture: an alternative statement of requirements.
#[derive(Debug, Clone, PartialEq)]
pub struct Posture {
    /// Identifier.
    pub id: String,
    /// Name.
    pub name: String,
    /// What the force is for.
    pub description: String,
    /// Where its size comes from.
    pub source: String,
    /// Its requirements.
    pub requirements: Vec<Requirement>,
}

/// The questionnaire.
#[derive(Debug, Clone, PartialEq)]
pub struct Questionnaire {
    /// Version.
    pub version: u32,
    /// Sections in order.
    pub sections: Vec<Section>,
}

/// A questionnaire section.
#[derive(Debug, Clone, PartialEq)]
pub struct Section {
    /// Identifier.
    pub id: SectionId,
    /// Heading.
    pub title: String,
    /// Guidance.
    pub description: String,
    /// Categories of its offer table.
    pub offer_categories: Vec<Category>,
    /// Free-text questions.
    pub questions: Vec<Question>,
    /// Whether a submission needs at least one offer line in this section.
    pub lines_required: bool,
}

/// A free-text question.
#[derive(Debug, Clone, PartialEq)]
pub struct Question {
    /// Identifier.
    pub id: QuestionId,
    /// The question.
    pub text: String,
    /// Guidance.
    pub help: String,
    /// Whether a submission must answer it.
    pub required: bool,
}

/// A scenario fact.
#[derive(Debug, Clone, PartialEq)]
pub struct Fact {
    /// Identifier.
    pub id: FactId,
    /// Meaning.
    pub description: String,
}

/// Negotiation-track assumptions.
#[derive(Debug, Clone, PartialEq)]
pub struct Scenario {
    /// Identifier.
    pub id: ScenarioId,
    /// Name.
    pub name: String,
    /// Description.
    pub description: String,
    /// Truth of each declared fact.
    pub facts: BTreeMap<FactId, bool>,
    /// Contributors ruled out.
    pub excluded_contributors: Vec<Exclusion>,
    /// Most troops deployed at once.
    pub troop_ceiling: Option<u32>,
    /// Sectors closed under this scenario.
    pub excluded_sectors: BTreeSet<SectorId>,
}

/// A rule excluding contributors.
#[derive(Debug, Clone, PartialEq)]
pub struct Exclusion {
    /// Members of this grouping.
    pub member_of: Option<Membership>,
    /// These respondents.
    pub respondents: BTreeSet<CountryCode>,
    /// Categories it applies to; empty means all.
    pub categories: BTreeSet<Category>,
    /// Why.
    pub note: String,
}

impl Exclusion {
    /// Whether this rule rules out `respondent` for `category`.
    pub fn excludes(&self, respondent: &Respondent, category: Category) -> bool {
        let who = self.respondents.contains(&respondent.code)
            || self
                .member_of
                .as_ref()
                .is_some_and(|m| respondent.memberships.contains(m));
        who && (self.categories.is_empty() || self.categories.contains(&category))
    }
}

impl Scenario {
    /// Whether the scenario rules out `respondent` contributing in `category`.
    pub fn excludes(&self, respondent: &Respondent, category: Category) -> bool {
        self.excluded_contributors
            .iter()
            .any(|e| e.excludes(respondent, category))
    }

    /// Whether a condition on a scenario fact holds under this scenario.
    pub fn fact_holds(&self, fact: &FactId) -> bool {
        self.facts.get(fact).copied().unwrap_or(false)
    }
}

/// Who pays for an offer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Payer {
    /// The contributing respondent (costs lie where they fall).
    Contributor,
    /// A common fund of the coalition.
    CommonFund,
    /// Another named respondent.
    Respondent(CountryCode),
}

impl Payer {
    /// Parses `contributor`, `common_fund` or an ISO 3166-1 alpha-3 code.
    pub fn parse(raw: &str) -> Result<Self, String> {
        match raw {
            "contributor" => Ok(Self::Contributor),
            "common_fund" => Ok(Self::CommonFund),
            other => CountryCode::parse(other)
                .map(Self::Respondent)
                .map_err(|e| {
                    format!("must be \"contributor\", \"common_fund\" or a respondent code: {e}")
                }),
        }
    }

    /// The form written in the file.
    pub fn to_file_string(self) -> String {
        match self {
            Self::Contributor => "contributor".into(),
            Self::CommonFund => "common_fund".into(),
            Self::Respondent(c) => c.to_string(),
        }
    }
}

/// A national restriction on use.
#[derive(Debug, Clone, PartialEq)]
pub enum Caveat {
    /// Not along the line of contact.
    NoContactLine,
    /// Only out of country.
    OutOfCountryOnly,
    /// Not in these sectors.
    ExcludedSectors(BTreeSet<SectorId>),
    /// No combat role.
    NoCombatRole,
    /// Its units may not take turns with other nations' units in a shared rotation pool.
    NoSharedRotation,
    /// Anything else, in words.
    Other(String),
}

/// What must hold for an offer to stand.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Condition {
    /// A scenario fact must hold.
    Scenario(FactId),
    /// Only if this respondent commits.
    IfCommits(CountryCode),
    /// Only with at least this many other respondents committing.
    MinPartners(u32),
}

/// An offer line.
#[derive(Debug, Clone, PartialEq)]
pub struct Offer {
    /// Identifier within the revision.
    pub id: OfferId,
    /// Capability offered.
    pub capability: CapabilityId,
    /// Units offered.
    pub quantity: Quantity,
    /// First phase it can serve in.
    pub earliest_phase: PhaseId,
    /// Last phase it serves in; `None` means through the last phase.
    pub last_phase: Option<PhaseId>,
    /// Whether the respondent sustains `quantity` deployed itself.
    pub rotation_backed: bool,
    /// Sectors allowed; `None` means any.
    pub sectors: Option<BTreeSet<SectorId>>,
    /// Restrictions on use.
    pub caveats: Vec<Caveat>,
    /// Cost of one unit for one year.
    pub cost_per_unit_year: Option<Money>,
    /// Who pays.
    pub paid_by: Payer,
    /// What must hold.
    pub conditions: Vec<Condition>,
    /// Remarks.
    pub note: String,
    /// The follow-up ask this line answers.
    pub answers_ask: Option<String>,
}

/// Personnel of some units of one offer line, counted three ways. This is the one definition
/// of troop figures: the assessment, the options, the brief, the API and the pages all count
/// personnel through [`Offer::personnel`].
#[derive(Debug, Clone, Copy, Default, PartialEq, serde::Serialize)]
pub struct Personnel {
    /// Deployed at once (a surge phase): units × personnel per unit.
    pub at_once: f64,
    /// Kept deployed in an enduring phase: at once ÷ rotation ratio, or at once when the offer
    /// is rotation-backed (the respondent sustains its units itself).
    pub sustained: f64,
    /// Tied up including rotation: at once, or at once × rotation ratio when rotation-backed.
    /// Keeping N deployed at a rotation ratio r ties up N × r, however the rotation is
    /// provided.
    pub committed: f64,
}

impl Personnel {
    /// The sum of two counts.
    pub fn plus(self, other: Personnel) -> Personnel {
        Personnel {
            at_once: self.at_once + other.at_once,
            sustained: self.sustained + other.sustained,
            committed: self.committed + other.committed,
        }
    }
}

impl Offer {
    /// Whether its units may take turns with other offers' units (other nations' among them)
    /// to keep a requirement line held in an enduring phase: every offer that is not
    /// rotation-backed, unless a caveat forbids it. A rotation-backed offer already brings its
    /// own relief.
    pub fn may_pool_rotation(&self) -> bool {
        !self.rotation_backed && !self.caveats.contains(&Caveat::NoSharedRotation)
    }

    /// The personnel of `units` units of this offer (its capability is `capability`).
    ///
    /// A unit of an offer that is not rotation-backed is one unit of the rotation pool: in an
    /// enduring phase r of them keep one deployed, so `units` already counts the rotation. A
    /// rotation-backed unit is a unit kept deployed, with r − 1 more behind it at home. So the
    /// units an option accepts (which include the rotation for offers that are not
    /// rotation-backed) and the units offered are counted by the same rule.
    pub fn personnel(&self, capability: &Capability, units: f64) -> Personnel {
        let at_once = units * f64::from(capability.personnel_per_unit);
        let ratio = capability.rotation_ratio.get();
        if self.rotation_backed {
            Personnel {
                at_once,
                sustained: at_once,
                committed: at_once * ratio,
            }
        } else {
            Personnel {
                at_once,
                sustained: at_once / ratio,
                committed: at_once,
            }
        }
    }
}

/// An answer to a free-text question.
#[derive(Debug, Clone, PartialEq)]
pub struct Answer {
    /// The question.
    pub question: QuestionId,
    /// The answer.
    pub text: String,
}

/// Unsubmitted work in progress.
#[derive(Debug, Clone, PartialEq)]
pub struct Draft {
    /// Last saved.
    pub updated_at: DateTime<Utc>,
    /// By whom.
    pub updated_by: String,
    /// Offers so far.
    pub offers: Vec<Offer>,
    /// Answers so far.
    pub answers: Vec<Answer>,
}

/// A submitted, immutable revision.
#[derive(Debug, Clone, PartialEq)]
pub struct Revision {
    /// 1, 2, 3, …
    pub number: u32,
    /// When.
    pub submitted_at: DateTime<Utc>,
    /// By whom.
    pub submitted_by: String,
    /// Questionnaire version answered.
    pub questionnaire_version: u32,
    /// Offers.
    pub offers: Vec<Offer>,
    /// Answers.
    pub answers: Vec<Answer>,
    /// What changed.
    pub note: String,
}

/// A withdrawal.
#[derive(Debug, Clone, PartialEq)]
pub struct Withdrawal {
    /// When.
    pub at: DateTime<Utc>,
    /// By whom.
    pub by: String,
    /// Why.
    pub reason: String,
}

/// Where a respondent stands in the proposal lifecycle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ProposalStatus {
    /// Asked; nothing started.
    Invited,
    /// Working on a draft; nothing submitted.
    Draft,
    /// One revision submitted.
    Submitted,
    /// More than one revision submitted.
    Revised,
    /// Withdrawn after submission.
    Withdrawn,
}

impl ProposalStatus {
    /// The name used in JSON output.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Invited => "invited",
            Self::Draft => "draft",
            Self::Submitted => "submitted",
            Self::Revised => "revised",
            Self::Withdrawn => "withdrawn",
        }
    }
}

/// A respondent's proposal. Its status follows from its contents, so it cannot contradict them.
#[derive(Debug, Clone, PartialEq)]
pub struct Proposal {
    /// The respondent.
    pub respondent: CountryCode,
    /// Unsubmitted work.
    pub draft: Option<Draft>,
    /// Submitted revisions in order.
    pub revisions: Vec<Revision>,
    /// Withdrawal, if any.
    pub withdrawn: Option<Withdrawal>,
}

impl Proposal {
    /// The lifecycle status.
    pub fn status(&self) -> ProposalStatus {
        match (&self.withdrawn, self.revisions.len(), &self.draft) {
            (Some(_), _, _) => ProposalStatus::Withdrawn,
            (None, 0, Some(_)) => ProposalStatus::Draft,
            (None, 0, None) => ProposalStatus::Invited,
            (None, 1, _) => ProposalStatus::Submitted,
            (None, _, _) => ProposalStatus::Revised,
        }
    }

    /// The current proposal: the latest revision, unless withdrawn or never submitted.
    pub fn current(&self) -> Option<&Revision> {
        if self.withdrawn.is_some() {
            return None;
        }
        self.revisions.last()
    }

    /// When the proposal last changed.
    pub fn last_change(&self) -> Option<DateTime<Utc>> {
        let times = [
            self.draft.as_ref().map(|d| d.updated_at),
            self.revisions.last().map(|r| r.submitted_at),
            self.withdrawn.as_ref().map(|w| w.at),
        ];
        times.into_iter().flatten().max()
    }
}

/// A validated campaign.
#[derive(Debug, Clone, PartialEq)]
pub struct Campaign {
    pub(crate) info: CampaignInfo,
    pub(crate) phases: Vec<Phase>,
    pub(crate) sectors: Vec<Sector>,
    pub(crate) catalogue: Vec<Capability>,
    pub(crate) respondents: Vec<Respondent>,
    pub(crate) requirements: Vec<Requirement>,
    pub(crate) postures: Vec<Posture>,
    pub(crate) questionnaire: Questionnaire,
    pub(crate) facts: Vec<Fact>,
    pub(crate) scenarios: Vec<Scenario>,
    pub(crate) proposals: Vec<Proposal>,
    pub(crate) what_ifs: Vec<crate::what_if::SavedWhatIf>,
    pub(crate) asks: Vec<crate::asks::FollowUpAsk>,
    pub(crate) readiness_levels: Vec<crate::plans::ReadinessLevel>,
    pub(crate) plans: Vec<crate::plans::Plan>,
}

impl Campaign {
    /// Who asks, what for, and by when.
    pub fn info(&self) -> &CampaignInfo {
        &self.info
    }
    /// Phases in chronological order.
    pub fn phases(&self) -> &[Phase] {
        &self.phases
    }
    /// Sectors.
    pub fn sectors(&self) -> &[Sector] {
        &self.sectors
    }
    /// The capability catalogue.
    pub fn catalogue(&self) -> &[Capability] {
        &self.catalogue
    }
    /// All respondents, invited or listed for reference.
    pub fn respondents(&self) -> &[Respondent] {
        &self.respondents
    }
    /// The statement of requirements.
    pub fn requirements(&self) -> &[Requirement] {
        &self.requirements
    }
    /// The alternative force postures (empty when the campaign defines none).
    pub fn postures(&self) -> &[Posture] {
        &self.postures
    }
    /// The campaign with `posture`'s statement of requirements in place of its own: what the
    /// options of that posture are computed on.
    pub fn under_posture(&self, posture: &Posture) -> Campaign {
        Campaign {
            requirements: posture.requirements.clone(),
            ..self.clone()
        }
    }
    /// The questionnaire.
    pub fn questionnaire(&self) -> &Questionnaire {
        &self.questionnaire
    }
    /// Declared scenario facts.
    pub fn facts(&self) -> &[Fact] {
        &self.facts
    }
    /// Scenarios.
    pub fn scenarios(&self) -> &[Scenario] {
        &self.scenarios
    }
    /// Proposals, one per respondent that started answering.
    pub fn proposals(&self) -> &[Proposal] {
        &self.proposals
    }

    /// The catalogue entry of a capability referenced in this campaign.
    pub fn capability(&self, id: &CapabilityId) -> &Capability {
        // Validation guarantees every capability reference resolves.
        self.catalogue
            .iter()
            .find(|c| &c.id == id)
            .expect("validated campaign: capability reference resolves")
    }

    /// The respondent with this code, if listed.
    pub fn respondent(&self, code: &CountryCode) -> Option<&Respondent> {
        self.respondents.iter().find(|r| &r.code == code)
    }

    /// The name of the respondent whose code is written `code`, or the code itself when no
    /// respondent has it (for tables built from views that carry codes as text).
    pub fn respondent_name(&self, code: &str) -> String {
        self.respondents
            .iter()
            .find(|r| r.code.as_str() == code)
            .map_or_else(|| code.to_owned(), |r| r.name.clone())
    }

    /// The proposal of a respondent, if it started answering.
    pub fn proposal(&self, code: &CountryCode) -> Option<&Proposal> {
        self.proposals.iter().find(|p| &p.respondent == code)
    }

    /// The position of a phase in the chronological order.
    pub fn phase_index(&self, id: &PhaseId) -> usize {
        self.phases
            .iter()
            .position(|p| &p.id == id)
            .expect("validated campaign: phase reference resolves")
    }

    /// The sector with this id.
    pub fn sector(&self, id: &SectorId) -> &Sector {
        self.sectors
            .iter()
            .find(|s| &s.id == id)
            .expect("validated campaign: sector reference resolves")
    }

    /// Invited respondents.
    pub fn invited(&self) -> impl Iterator<Item = &Respondent> {
        self.respondents.iter().filter(|r| r.invited)
    }

    /// Whether an offer can serve in a phase (between its earliest and last phase).
    pub fn offer_serves_phase(&self, offer: &Offer, phase: &PhaseId) -> bool {
        let at = self.phase_index(phase);
        let first = self.phase_index(&offer.earliest_phase);
        let last = offer
            .last_phase
            .as_ref()
            .map_or(self.phases.len() - 1, |p| self.phase_index(p));
        first <= at && at <= last
    }

    /// Whether an offer's sector list and caveats allow it to serve in a sector.
    pub fn offer_allowed_in_sector(&self, offer: &Offer, sector: &SectorId) -> bool {
        if offer.sectors.as_ref().is_some_and(|s| !s.contains(sector)) {
            return false;
        }
        let place = self.sector(sector);
        offer.caveats.iter().all(|caveat| match caveat {
            Caveat::NoContactLine => !place.contact_line,
            Caveat::OutOfCountryOnly => place.kind == SectorKind::OutOfCountry,
            Caveat::ExcludedSectors(excluded) => !excluded.contains(sector),
            Caveat::NoCombatRole | Caveat::NoSharedRotation | Caveat::Other(_) => true,
        })
    }

    /// Units of the campaign currency per US dollar, if known: reference figures (GDP, defence
    /// spending) are in US dollars, so money is set against them only with this rate.
    pub fn usd_rate(&self) -> Option<f64> {
        if self.info.currency.to_string() == "USD" {
            return Some(1.0);
        }
        self.info
            .exchange_rates
            .iter()
            .find(|(code, _)| code.to_string() == "USD")
            .map(|(_, rate)| *rate)
            .filter(|rate| *rate > 0.0)
    }

    /// Converts a money amount to the reporting currency, in thousands (rounded to the nearest).
    ///
    /// Money sums are `i128`: with the bounds validation enforces (amounts up to a million
    /// million, rates up to a million, a million units per line) one line's yearly cost reaches
    /// 10^21 thousands, beyond `i64`; `i128` holds 10^17 such lines.
    pub fn to_reporting_thousands(&self, money: &Money) -> i128 {
        if money.currency() == self.info.currency {
            return i128::from(money.thousands());
        }
        // Validation guarantees a rate for every currency used.
        let rate = self
            .info
            .exchange_rates
            .get(&money.currency())
            .copied()
            .unwrap_or(1.0);
        convert_thousands(money.thousands(), rate)
    }
}

/// The most decimals an exchange rate is taken to.
pub const RATE_DECIMALS: u32 = 12;

/// `thousands` of a currency at `rate` in thousands of the reporting currency, in exact decimal
/// arithmetic: the rate is read as the decimal it was written as (the fewest decimals, at most
/// [`RATE_DECIMALS`], that give back the same number: 0.086 is 86/1000, not the binary fraction
/// nearest to it), and the product is rounded to the nearest thousand, **halves away from
/// zero** (NOK 0.25 m at 0.086 is 21.5 thousand: 22; NOK 1.25 m is 107.5: 108).
pub fn convert_thousands(thousands: i64, rate: f64) -> i128 {
    let (numerator, denominator) = decimal(rate);
    // |thousands| ≤ 1e9 and numerator ≤ 1e6 × 1e12: the product stays below 1e28, far inside
    // i128.
    let product = i128::from(thousands) * numerator;
    let (quotient, remainder) = (product / denominator, product % denominator);
    if 2 * remainder.abs() >= denominator {
        quotient + product.signum()
    } else {
        quotient
    }
}

/// A rate as numerator / 10^k with the fewest decimals k that give back the same `f64`.
fn decimal(rate: f64) -> (i128, i128) {
    let mut denominator: i128 = 1;
    for _ in 0..=RATE_DECIMALS {
        let scaled = (rate * denominator as f64).round();
        if scaled / denominator as f64 == rate {
            return (scaled as i128, denominator);
        }
        denominator *= 10;
    }
    denominator /= 10;
    ((rate * denominator as f64).round() as i128, denominator)
}

#[cfg(test)]
mod conversion_tests {
    use super::*;

    #[test]
    fn conversion_is_exact_decimal_with_halves_away_from_zero() {
        // The figures: in floating point the first rounded up and the second down.
        assert_eq!(convert_thousands(250, 0.086), 22);
        assert_eq!(convert_thousands(1_250, 0.086), 108);
        assert_eq!(convert_thousands(150_000, 0.9), 135_000);
        assert_eq!(convert_thousands(1, 0.5), 1);
        assert_eq!(convert_thousands(3, 0.5), 2);
        assert_eq!(
            convert_thousands(1_000_000_000, 1_000_000.0),
            1_000_000_000_000_000
        );
        assert_eq!(decimal(0.086), (86, 1_000));
        assert_eq!(decimal(1.2), (12, 10));
        assert_eq!(decimal(0.134), (134, 1_000));
    }

    proptest::proptest! {
        /// Against the rate written out in decimal digits and the product computed by hand.
        #[test]
        fn conversion_matches_decimal_long_multiplication(
            thousands in 0_i64..1_000_000_000,
            digits in 1_u32..1_000_000,
            decimals in 0_u32..7,
        ) {
            let rate: f64 = format!("{}", f64::from(digits) / 10f64.powi(decimals as i32)).parse().unwrap();
            let (n, d) = decimal(rate);
            proptest::prop_assert_eq!(n * 10_i128.pow(decimals) , i128::from(digits) * d);
            let exact = i128::from(thousands) * i128::from(digits);
            let scale = 10_i128.pow(decimals);
            let expected = exact / scale + i128::from(2 * (exact % scale) >= scale);
            proptest::prop_assert_eq!(convert_thousands(thousands, rate), expected);
        }
    }
}

#[cfg(test)]
mod personnel_tests {
    use super::*;
    use crate::ids::{CapabilityId, OfferId, PhaseId};
    use crate::quantity::{Quantity, RotationRatio};

    fn capability(personnel_per_unit: u32, ratio: f64) -> Capability {
        Capability {
            id: CapabilityId::parse("brigade.mechanised").unwrap(),
            name: "Mechanised brigade".into(),
            category: Category::Troops,
            unit: "brigade".into(),
            personnel_per_unit,
            rotation_ratio: RotationRatio::parse(ratio).unwrap(),
            description: String::new(),
            composition: None,
        }
    }

    fn offer(units: i64, rotation_backed: bool) -> Offer {
        Offer {
            answers_ask: None,
            id: OfferId::parse("X-1").unwrap(),
            capability: CapabilityId::parse("brigade.mechanised").unwrap(),
            quantity: Quantity::parse(units).unwrap(),
            earliest_phase: PhaseId::parse("P2").unwrap(),
            last_phase: None,
            rotation_backed,
            sectors: None,
            caveats: Vec::new(),
            cost_per_unit_year: None,
            paid_by: Payer::Contributor,
            conditions: Vec::new(),
            note: String::new(),
        }
    }

    /// Keeping `deployed` persons in place at ratio `ratio`, from units of 1,000: rotation-backed
    /// offers supply the units kept deployed, the others the whole rotation pool.
    fn committed_both_ways(deployed: f64, ratio: f64) -> (Personnel, Personnel) {
        let cap = capability(1000, ratio);
        let kept = deployed / 1000.0;
        let backed = offer(1, true).personnel(&cap, kept);
        let pooled = offer(1, false).personnel(&cap, kept * ratio);
        (backed, pooled)
    }

    #[test]
    fn ten_thousand_deployed_at_three_to_one_commit_thirty_thousand_either_way() {
        let (backed, pooled) = committed_both_ways(10_000.0, 3.0);
        assert_eq!(backed.committed, 30_000.0);
        assert_eq!(pooled.committed, 30_000.0);
        assert_eq!(backed.sustained, 10_000.0);
        assert_eq!(pooled.sustained, 10_000.0);
    }

    /// EU Helsinki Headline Goal (Helsinki European Council, Presidency Conclusions, December
    /// 1999): up to 60,000 persons deployable and sustainable for at least a year, which at the
    /// usual 3:1 rotation means a pool of about 180,000.
    #[test]
    fn helsinki_headline_goal_sixty_thousand_sustained_commit_one_hundred_eighty_thousand() {
        let (backed, pooled) = committed_both_ways(60_000.0, 3.0);
        assert_eq!(backed.committed, 180_000.0);
        assert_eq!(pooled.committed, 180_000.0);
    }

    /// The 64,000-strong force the UK Chief of the Defence Staff asked European partners about
    /// in March 2025: sustaining it for two years with rotation at 4:1 takes 256,000 personnel
    /// (reported by The Times, 2025).
    #[test]
    fn sixty_four_thousand_at_four_to_one_commit_two_hundred_fifty_six_thousand() {
        let (backed, pooled) = committed_both_ways(64_000.0, 4.0);
        assert_eq!(backed.committed, 256_000.0);
        assert_eq!(pooled.committed, 256_000.0);
    }

    #[test]
    fn a_surge_deploys_every_unit_at_once() {
        let cap = capability(4500, 3.0);
        let p = offer(2, false).personnel(&cap, 2.0);
        assert_eq!(p.at_once, 9000.0);
        assert_eq!(p.sustained, 3000.0);
        assert_eq!(p.committed, 9000.0);
    }
}
