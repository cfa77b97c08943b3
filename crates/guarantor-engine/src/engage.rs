//! The engagement plan: whom the envoy should ask for what, each ask valued by the options engine.
//!
//! For a scenario (and a force posture, or the campaign's own requirements), the plan starts from
//! the cheapest option with the best coverage and groups its gaps by capability and sector. For
//! each gap it lists the capitals that could plausibly close it and why (their offer rests on a
//! condition that fails here, they offered the capability for another sector or phase, or too
//! few of it; they have not answered, have only a draft, withdrew, or offer little against their
//! reference figures). Each candidate ask becomes a hypothetical offer ([`WhatIf`]) and is valued
//! by solving the scenario again with it added: essential and desirable coverage gained, the
//! change of cost, and the other capitals' conditional offers it brings in. The best ask of each
//! gap goes on the visit list, where capitals are ranked by what all their asks buy together;
//! the last solve adds every ask on the list at once.

use std::collections::{BTreeMap, BTreeSet};

use guarantor_domain::ids::{CountryCode, OfferId};
use guarantor_domain::quantity::{Money, Quantity};
use guarantor_domain::{
    Campaign, Capability, Category, Condition, HypotheticalOffer, Offer, Payer, Posture, Priority,
    ProposalStatus, Scenario, WhatIf, format,
};
use serde::Serialize;

use crate::options::instance::{Blocked, Instance};
use crate::options::milp::{self, Restrictions, Settings, SolveError};
use crate::options::{
    Backend, ForcePackage, Objective, OptionsError, ScenarioChoice, TimeLimit, greedy, report,
};
use crate::summary::CampaignHeader;

/// Share of a capital's active personnel an ask may tie up (rotation included) for the capital
/// to be a plausible candidate when it has not offered the capability.
pub const PLAUSIBLE_PERSONNEL_SHARE: f64 = 0.10;

/// Share of a capital's GDP an ask without personnel (money, ammunition) may cost per year for
/// the capital to be a plausible candidate when it has not offered the capability.
pub const PLAUSIBLE_GDP_SHARE: f64 = 0.001;

/// How many candidate capitals per gap are valued, at most.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CandidateCount(u8);

impl CandidateCount {
    /// Four candidates per gap.
    pub const DEFAULT: Self = Self(4);

    /// 1 to 12.
    pub fn new(n: usize) -> Result<Self, String> {
        u8::try_from(n)
            .ok()
            .filter(|n| (1..=12).contains(n))
            .map(Self)
            .ok_or_else(|| format!("candidates per gap must be 1 to 12 (got {n})"))
    }

    /// The count.
    pub fn get(self) -> usize {
        usize::from(self.0)
    }
}

/// What the plan is computed for.
#[derive(Debug, Clone)]
pub struct EngageRequest {
    /// Which scenarios.
    pub scenarios: ScenarioChoice,
    /// A force posture's requirements instead of the campaign's own.
    pub posture: Option<String>,
    /// Candidates valued per gap.
    pub candidates: CandidateCount,
    /// Which solver.
    pub backend: Backend,
    /// Time limit per solve.
    pub time_limit: TimeLimit,
}

impl Default for EngageRequest {
    fn default() -> Self {
        Self {
            scenarios: ScenarioChoice::First,
            posture: None,
            candidates: CandidateCount::DEFAULT,
            backend: Backend::default(),
            time_limit: TimeLimit::DEFAULT,
        }
    }
}

/// Why a plan could not be made.
#[derive(Debug, thiserror::Error)]
pub enum EngageError {
    /// No posture has that id.
    #[error("no posture \"{0}\" in this campaign ({1})")]
    UnknownPosture(String, String),
    /// The scenario choice or the baseline solve failed.
    #[error(transparent)]
    Options(#[from] OptionsError),
}

/// The engagement plan of a campaign under the scenarios asked for.
#[derive(Debug, Clone, Serialize)]
pub struct EngagementReport {
    /// Which campaign.
    pub campaign: CampaignHeader,
    /// Solver used.
    pub backend: Backend,
    /// The posture whose requirements the gaps are measured against (`null`: the campaign's own).
    pub posture: Option<PostureRef>,
    /// How candidates are found and asks valued, in words.
    pub method: Vec<String>,
    /// Per scenario.
    pub scenarios: Vec<ScenarioEngagement>,
    /// The saved what-if the plan was made under (`null`: the offers as they are).
    pub what_if: Option<crate::what_if::WhatIfApplied>,
}

/// A force posture, named.
#[derive(Debug, Clone, Serialize)]
pub struct PostureRef {
    /// Identifier.
    pub id: String,
    /// Name.
    pub name: String,
}

/// The plan under one scenario.
#[derive(Debug, Clone, Serialize)]
pub struct ScenarioEngagement {
    /// Scenario id.
    pub scenario: String,
    /// Name.
    pub name: String,
    /// Where the cheapest option with the best coverage stands on the offers as they are.
    pub baseline: Standing,
    /// The gaps, essential first, each with its candidate asks valued, best first.
    pub gaps: Vec<Gap>,
    /// Capitals to see, first the one whose asks buy the most.
    pub visits: Vec<Visit>,
    /// Where the package would stand if every ask on the visit list were granted (`null` when
    /// the list is empty).
    pub if_all_granted: Option<Standing>,
    /// Solves made to value asks (each a full re-optimisation).
    pub solves: usize,
}

/// Headline figures of the cheapest option with the best coverage.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Standing {
    /// Mean essential coverage.
    pub essential_coverage: Option<f64>,
    /// Mean desirable coverage.
    pub desirable_coverage: Option<f64>,
    /// Essential lines fully covered.
    pub essential_met: usize,
    /// Essential lines.
    pub essential_lines: usize,
    /// Cost per year, millions of the campaign currency.
    pub cost_per_year_m: f64,
    /// Peak in-country personnel deployed.
    pub troops_deployed_peak: f64,
    /// Whether every solve behind it was proven optimal.
    pub optimal: bool,
}

/// Requirement lines of one capability in one sector left short, across phases.
#[derive(Debug, Clone, Serialize)]
pub struct Gap {
    /// Capability id.
    pub capability: String,
    /// Capability name.
    pub capability_name: String,
    /// Sector id.
    pub sector: String,
    /// Sector name.
    pub sector_name: String,
    /// Essential when any of its lines is.
    pub priority: Priority,
    /// The requirement lines short, in order.
    pub requirements: Vec<String>,
    /// The phases they fall in.
    pub phases: Vec<String>,
    /// The largest shortfall in any one phase, units deployed.
    pub units_short: f64,
    /// Why the baseline leaves it short, from its shortfall reasons.
    pub why: Vec<String>,
    /// Candidate asks, valued, best first.
    pub candidates: Vec<Ask>,
    /// When no capital can be asked, why (e.g. the scenario closes the sector).
    pub no_candidate: Option<String>,
}

/// Why a capital is a candidate for a gap.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ReasonKind {
    /// It offered the capability, resting on a condition that fails under the scenario.
    ConditionFails,
    /// It offered the capability, but not for this sector or these phases.
    OfferedElsewhere,
    /// It offered the capability here, but too few (all in use, or too few to rotate).
    OfferedTooFew,
    /// It has a draft it has not submitted.
    DraftNotSubmitted,
    /// It has not answered.
    NotAnswered,
    /// It withdrew its proposal.
    Withdrew,
    /// It answered, but offers little against its reference figures.
    LowEffort,
}

/// One reason, in words.
#[derive(Debug, Clone, Serialize)]
pub struct CandidateReason {
    /// The kind.
    pub kind: ReasonKind,
    /// The specifics.
    pub detail: String,
}

/// A candidate ask: a hypothetical offer by one capital, valued.
#[derive(Debug, Clone, Serialize)]
pub struct Ask {
    /// Respondent code.
    pub respondent: String,
    /// Respondent name.
    pub respondent_name: String,
    /// Where its proposal stands.
    pub status: ProposalStatus,
    /// Capability id.
    pub capability: String,
    /// Units kept deployed.
    pub units_deployed: u32,
    /// Units asked, rotation included (what the hypothetical offer offers).
    pub units_asked: u32,
    /// First phase.
    pub earliest_phase: String,
    /// Last phase.
    pub last_phase: String,
    /// Sector id.
    pub sector: String,
    /// Cost of one unit per year assumed, millions of the campaign currency.
    pub cost_per_unit_year_m: f64,
    /// Where that cost comes from.
    pub cost_basis: String,
    /// The ask in a line, e.g. "Spain: 1 × Mechanised brigade kept deployed (3 with rotation),
    /// P0–P2, Kyiv".
    pub in_words: String,
    /// Why this capital.
    pub reasons: Vec<CandidateReason>,
    /// What granting it would buy (`null` when its solve failed).
    pub value: Option<AskValue>,
}

/// What an ask (or a set of asks) buys against the baseline.
#[derive(Debug, Clone, Serialize)]
pub struct AskValue {
    /// Essential coverage with it.
    pub essential_coverage: Option<f64>,
    /// Essential coverage gained, percentage points.
    pub essential_gain_points: f64,
    /// Desirable coverage gained, percentage points.
    pub desirable_gain_points: f64,
    /// Essential lines fully covered gained.
    pub essential_met_gain: i64,
    /// Change of cost per year, millions.
    pub cost_change_m: f64,
    /// Other capitals' conditional offers it brings into the package, in words.
    pub unlocks: Vec<String>,
    /// Whether its solve was proven optimal.
    pub optimal: bool,
    /// When the solve failed instead, why.
    pub error: Option<String>,
}

/// A capital on the envoy's visit list.
#[derive(Debug, Clone, Serialize)]
pub struct Visit {
    /// 1 for the first visit.
    pub rank: usize,
    /// Respondent code.
    pub respondent: String,
    /// Name.
    pub name: String,
    /// Where its proposal stands.
    pub status: ProposalStatus,
    /// What to raise, in words, most valuable first.
    pub asks: Vec<String>,
    /// What all its asks buy together.
    pub value: AskValue,
}

/// A candidate before valuation.
struct Candidate<'c> {
    respondent: &'c guarantor_domain::Respondent,
    status: ProposalStatus,
    reasons: Vec<CandidateReason>,
    strength: ReasonKind,
    capacity: f64,
    /// Units kept deployed it is asked for.
    units_deployed: u32,
}

/// Makes the engagement plan `request` asks for.
pub fn plan(campaign: &Campaign, request: &EngageRequest) -> Result<EngagementReport, EngageError> {
    if cfg!(not(feature = "highs")) && request.backend == Backend::Highs {
        return Err(OptionsError::from(SolveError::Unavailable("highs")).into());
    }
    let posture: Option<&Posture> = match &request.posture {
        None => None,
        Some(id) => Some(
            campaign
                .postures()
                .iter()
                .find(|p| &p.id == id)
                .ok_or_else(|| {
                    let known: Vec<&str> =
                        campaign.postures().iter().map(|p| p.id.as_str()).collect();
                    EngageError::UnknownPosture(
                        id.clone(),
                        if known.is_empty() {
                            "the campaign defines no posture".into()
                        } else {
                            format!("known: {}", known.join(", "))
                        },
                    )
                })?,
        ),
    };
    let under = posture.map(|p| campaign.under_posture(p));
    let measured = under.as_ref().unwrap_or(campaign);
    let fallback = crate::options::as_offered(measured);
    let chosen = crate::options::chosen_scenarios(measured, &request.scenarios, &fallback)?;
    let settings = Settings {
        backend: request.backend,
        time_limit: request.time_limit.get(),
    };
    let mut scenarios = Vec::new();
    for scenario in chosen {
        scenarios.push(scenario_plan(measured, scenario, request, settings)?);
    }
    Ok(EngagementReport {
        campaign: crate::summary::header(campaign),
        backend: request.backend,
        posture: posture.map(|p| PostureRef {
            id: p.id.clone(),
            name: p.name.clone(),
        }),
        method: method(),
        scenarios,
        what_if: None,
    })
}

/// The method, stated with the report.
fn method() -> Vec<String> {
    vec![
        "Baseline: the cheapest option with the best essential, then desirable, coverage on the current offers under the scenario.".into(),
        "Gaps: the baseline's requirement lines left short, grouped by capability and sector across phases; the ask covers the phases from the first to the last one short, with the largest shortfall of any one phase kept deployed.".into(),
        "Candidates: capitals the scenario does not exclude, first those that offered the capability (on a condition that fails here, for another sector or phase, or too few), then those with a draft, without an answer or withdrawn, then those offering under half the median effort of those who answered (personnel against active personnel; money against GDP and against defence spending for capabilities without personnel). A capital that has not offered the capability is asked only for what ties up at most 10% of its active personnel (or, for money and ammunition, costs at most 0.1% of its GDP).".into(),
        "Each ask is a hypothetical offer without conditions, at the capital's own stated cost of the capability or else the median stated by the others; it is valued by solving the scenario again with that offer added (essential coverage, desirable coverage, then cost).".into(),
        "The visit list takes the ask that buys the most for each gap, and ranks capitals by what all their asks buy together; 'if all granted' adds every ask on the list at once. Hypothetical offers are never stored and no proposal changes.".into(),
    ]
}

/// The plan under one scenario.
fn scenario_plan(
    campaign: &Campaign,
    scenario: &Scenario,
    request: &EngageRequest,
    settings: Settings,
) -> Result<ScenarioEngagement, EngageError> {
    let baseline_pkg =
        cheapest(campaign, scenario, settings).map_err(|e| OptionsError::Scenario {
            scenario: scenario.id.to_string(),
            source: e,
        })?;
    let baseline = standing(&baseline_pkg);
    let inst = Instance::new(campaign, scenario, &BTreeSet::new());
    let effort = Effort::of(campaign);

    // Gaps grouped by capability and sector, in the order of the statement of requirements.
    let mut groups: Vec<(String, String, Vec<&report::RequirementCoverage>)> = Vec::new();
    for line in baseline_pkg.coverage.iter().filter(|c| c.gap > 1e-6) {
        match groups
            .iter_mut()
            .find(|g| g.0 == line.capability && g.1 == line.sector)
        {
            Some(g) => g.2.push(line),
            None => groups.push((line.capability.clone(), line.sector.clone(), vec![line])),
        }
    }
    let mut gaps = Vec::new();
    let mut next_id = 0usize;
    // Every ask valued, as (gap index, ask, hypothetical offer).
    let mut asks: Vec<(usize, Ask, HypotheticalOffer)> = Vec::new();
    for (capability_id, sector_id, lines) in &groups {
        let capability = campaign
            .catalogue()
            .iter()
            .find(|c| c.id.as_str() == capability_id)
            .unwrap_or_else(|| unreachable!("coverage names catalogue entries"));
        let sector = campaign
            .sectors()
            .iter()
            .find(|s| s.id.as_str() == sector_id)
            .unwrap_or_else(|| unreachable!("coverage names the campaign's sectors"));
        let phase_ix: Vec<usize> = lines
            .iter()
            .map(|l| {
                campaign
                    .phases()
                    .iter()
                    .position(|p| p.id.as_str() == l.phase)
                    .unwrap_or(0)
            })
            .collect();
        let first = *phase_ix.iter().min().unwrap_or(&0);
        let last = *phase_ix.iter().max().unwrap_or(&0);
        let units_short = lines.iter().map(|l| l.gap).fold(0.0, f64::max);
        let priority = if lines.iter().any(|l| l.priority == Priority::Essential) {
            Priority::Essential
        } else {
            Priority::Desirable
        };
        let mut why: Vec<String> = Vec::new();
        for l in lines {
            for r in &l.shortfall {
                let text = format!("{}: {}", l.requirement, r.detail);
                if !why.contains(&text) {
                    why.push(text);
                }
            }
        }
        let gap_index = gaps.len();
        let mut gap = Gap {
            capability: capability_id.clone(),
            capability_name: capability.name.clone(),
            sector: sector_id.clone(),
            sector_name: sector.name.clone(),
            priority,
            requirements: lines.iter().map(|l| l.requirement.clone()).collect(),
            phases: lines.iter().map(|l| l.phase.clone()).collect(),
            units_short,
            why,
            candidates: Vec::new(),
            no_candidate: None,
        };
        if scenario.excluded_sectors.contains(&sector.id) {
            gap.no_candidate = Some(format!(
                "the scenario closes {}: no offer can serve there",
                sector.name
            ));
            gaps.push(gap);
            continue;
        }
        let enduring = campaign.phases()[first..=last].iter().any(|p| p.enduring);
        // Units of the offer per unit kept deployed.
        let factor = if enduring {
            capability.rotation_ratio.get()
        } else {
            1.0
        };
        let gap_units = (units_short - 1e-9).ceil().max(1.0) as u32;
        let lines_req: BTreeSet<&str> = lines.iter().map(|l| l.requirement.as_str()).collect();
        let candidates = candidates(
            campaign,
            scenario,
            &inst,
            &baseline_pkg,
            capability,
            &lines_req,
            &effort,
            gap_units,
            factor,
        );
        if candidates.is_empty() {
            gap.no_candidate = Some(
                "no capital the scenario allows has a reason to be asked, or the size to give it"
                    .into(),
            );
        }
        let phase_range = if first == last {
            campaign.phases()[first].id.to_string()
        } else {
            format!(
                "{}–{}",
                campaign.phases()[first].id,
                campaign.phases()[last].id
            )
        };
        for c in candidates.into_iter().take(request.candidates.get()) {
            next_id += 1;
            let units_deployed = c.units_deployed;
            let units_asked = (f64::from(units_deployed) * factor - 1e-9).ceil() as u32;
            let (cost_m, cost_basis) = unit_cost(campaign, capability, c.respondent.code);
            let offer = Offer {
                answers_ask: None,
                id: OfferId::parse(&format!("ask-{next_id}"))
                    .unwrap_or_else(|_| unreachable!("a well-formed id")),
                capability: capability.id.clone(),
                quantity: Quantity::parse(i64::from(units_asked))
                    .unwrap_or_else(|_| unreachable!("at least one unit")),
                earliest_phase: campaign.phases()[first].id.clone(),
                last_phase: Some(campaign.phases()[last].id.clone()),
                rotation_backed: false,
                sectors: Some(BTreeSet::from([sector.id.clone()])),
                caveats: Vec::new(),
                cost_per_unit_year: Money::from_millions(
                    (cost_m * 1000.0).round() / 1000.0,
                    campaign.info().currency,
                )
                .ok(),
                paid_by: Payer::Contributor,
                conditions: Vec::new(),
                note: "Hypothetical: an ask of the engagement plan.".into(),
            };
            let rotation = if units_asked > units_deployed {
                format!(
                    " kept deployed ({} with rotation)",
                    format::thousands(units_asked)
                )
            } else {
                String::new()
            };
            let ask = Ask {
                respondent: c.respondent.code.to_string(),
                respondent_name: c.respondent.name.clone(),
                status: c.status,
                capability: capability.id.to_string(),
                units_deployed,
                units_asked,
                earliest_phase: campaign.phases()[first].id.to_string(),
                last_phase: campaign.phases()[last].id.to_string(),
                sector: sector.id.to_string(),
                cost_per_unit_year_m: cost_m,
                cost_basis,
                in_words: format!(
                    "{}: {} × {}{}, {}, {}",
                    c.respondent.name,
                    format::thousands(units_deployed),
                    capability.name,
                    rotation,
                    phase_range,
                    sector.name
                ),
                reasons: c.reasons,
                value: None,
            };
            asks.push((
                gap_index,
                ask,
                HypotheticalOffer {
                    respondent: c.respondent.code,
                    offer,
                },
            ));
        }
        gaps.push(gap);
    }

    // Value every ask: one re-optimisation each, spread over the cores.
    let values = parallel_map(&asks, |(_, _, offer)| {
        value(
            campaign,
            scenario,
            settings,
            &baseline_pkg,
            std::slice::from_ref(offer),
        )
    });
    let mut solves = values.len();
    // Per gap, its asks with the offers they were valued with, best first.
    let mut valued: Vec<Vec<(Ask, HypotheticalOffer)>> = vec![Vec::new(); gaps.len()];
    for ((gap_index, mut ask, offer), v) in asks.into_iter().zip(values) {
        ask.value = Some(v);
        valued[gap_index].push((ask, offer));
    }
    for list in &mut valued {
        list.sort_by(|(a, _), (b, _)| rank(b).total_cmp(&rank(a)).then(order(a, b)));
    }

    // The visit list: the best ask of each gap that buys anything, grouped by capital.
    let mut chosen: BTreeMap<String, Vec<&(Ask, HypotheticalOffer)>> = BTreeMap::new();
    for list in &valued {
        if let Some(best) = list.first().filter(|(a, _)| buys(a.value.as_ref())) {
            chosen
                .entry(best.0.respondent.clone())
                .or_default()
                .push(best);
        }
    }
    let groups: Vec<(String, Vec<&(Ask, HypotheticalOffer)>)> = chosen.into_iter().collect();
    let combined = parallel_map(&groups, |(_, list)| match list.as_slice() {
        [(only, _)] => only
            .value
            .clone()
            .unwrap_or_else(|| unreachable!("valued above")),
        _ => {
            let offers: Vec<HypotheticalOffer> = list.iter().map(|(_, o)| o.clone()).collect();
            value(campaign, scenario, settings, &baseline_pkg, &offers)
        }
    });
    solves += groups.iter().filter(|g| g.1.len() > 1).count();
    let mut visits: Vec<Visit> = groups
        .iter()
        .zip(combined)
        .map(|((code, list), value)| {
            let mut asks: Vec<&Ask> = list.iter().map(|(a, _)| a).collect();
            asks.sort_by(|a, b| rank(b).total_cmp(&rank(a)));
            Visit {
                rank: 0,
                respondent: code.clone(),
                name: asks[0].respondent_name.clone(),
                status: asks[0].status,
                asks: asks.iter().map(|a| a.in_words.clone()).collect(),
                value,
            }
        })
        .collect();
    visits.sort_by(|a, b| {
        value_rank(&b.value)
            .total_cmp(&value_rank(&a.value))
            .then(a.respondent.cmp(&b.respondent))
    });
    for (i, v) in visits.iter_mut().enumerate() {
        v.rank = i + 1;
    }
    let every: Vec<HypotheticalOffer> = groups
        .iter()
        .flat_map(|(_, list)| list.iter().map(|(_, o)| o.clone()))
        .collect();
    let if_all_granted = if every.is_empty() {
        None
    } else {
        solves += 1;
        let what_if = WhatIf {
            added: every,
            removed: Vec::new(),
        };
        let changed = campaign.with_what_if(&what_if);
        cheapest(&changed, scenario, settings)
            .ok()
            .map(|p| standing(&p))
    };
    for (gap, list) in gaps.iter_mut().zip(valued) {
        gap.candidates = list.into_iter().map(|(a, _)| a).collect();
    }
    let mut order_of: Vec<usize> = (0..gaps.len()).collect();
    order_of.sort_by_key(|&i| gaps[i].priority != Priority::Essential);
    let mut gaps: Vec<Option<Gap>> = gaps.into_iter().map(Some).collect();
    let gaps: Vec<Gap> = order_of.iter().filter_map(|&i| gaps[i].take()).collect();
    Ok(ScenarioEngagement {
        scenario: scenario.id.to_string(),
        name: scenario.name.clone(),
        baseline,
        gaps,
        visits,
        if_all_granted,
        solves,
    })
}

/// Whether a value buys any coverage.
fn buys(value: Option<&AskValue>) -> bool {
    value.is_some_and(|v| {
        v.error.is_none() && (v.essential_gain_points > 0.05 || v.desirable_gain_points > 0.05)
    })
}

/// Orders values: essential coverage gained first (to a tenth of a point), then desirable, then
/// the lower cost. A failed solve ranks last.
fn value_rank(v: &AskValue) -> f64 {
    if v.error.is_some() {
        return f64::NEG_INFINITY;
    }
    let essential = (v.essential_gain_points * 10.0).round();
    let desirable = (v.desirable_gain_points * 10.0).round();
    // Coverage dominates: a point of coverage outweighs any cost (costs are below 1e9 m).
    essential * 1e13 + desirable * 1e10 - v.cost_change_m.clamp(-1e9, 1e9)
}

fn rank(a: &Ask) -> f64 {
    a.value.as_ref().map_or(f64::NEG_INFINITY, value_rank)
}

fn order(a: &Ask, b: &Ask) -> std::cmp::Ordering {
    let strength = |x: &Ask| x.reasons.iter().map(|r| r.kind).min();
    strength(a)
        .cmp(&strength(b))
        .then(a.respondent.cmp(&b.respondent))
}

/// The capitals that could close a gap of `capability` on the requirement lines `lines`, best
/// first (by the strength of their reason, then by size).
#[allow(clippy::too_many_arguments)]
fn candidates<'c>(
    campaign: &'c Campaign,
    scenario: &Scenario,
    inst: &Instance<'_>,
    baseline: &ForcePackage,
    capability: &Capability,
    lines: &BTreeSet<&str>,
    effort: &Effort,
    gap_units: u32,
    factor: f64,
) -> Vec<Candidate<'c>> {
    let used: BTreeMap<(String, String), f64> = baseline
        .accepted
        .iter()
        .map(|a| ((a.respondent.clone(), a.offer.clone()), a.units))
        .collect();
    let mut out = Vec::new();
    for respondent in campaign.invited() {
        if scenario.excludes(respondent, capability.category) {
            continue;
        }
        let status = campaign
            .proposal(&respondent.code)
            .map_or(ProposalStatus::Invited, |p| p.status());
        let mut reasons = Vec::new();
        for line in inst
            .offers
            .iter()
            .filter(|l| l.respondent == respondent.code && l.capability.id == capability.id)
        {
            let id = &line.offer.id;
            let n = line.offer.quantity.get();
            let serves_here = inst.arcs.iter().any(|a| {
                inst.offers[a.offer].offer.id == *id
                    && inst.offers[a.offer].respondent == respondent.code
                    && lines.contains(inst.requirements[a.requirement].id.as_str())
            });
            // Allowed here by sector and phases, though perhaps too few to rotate.
            let allowed_here = inst.requirements.iter().any(|r| {
                lines.contains(r.id.as_str())
                    && campaign.offer_serves_phase(line.offer, &r.phase)
                    && campaign.offer_allowed_in_sector(line.offer, &r.sector)
            });
            let accepted = used
                .get(&(respondent.code.to_string(), id.to_string()))
                .copied()
                .unwrap_or(0.0);
            let waiting: Vec<String> = line
                .offer
                .conditions
                .iter()
                .filter(|c| !matches!(c, Condition::Scenario(_)))
                .map(|c| report::describe_condition(campaign, c))
                .collect();
            match &line.blocked {
                Some(Blocked::FactFails(fact)) => reasons.push(CandidateReason {
                    kind: ReasonKind::ConditionFails,
                    detail: format!(
                        "its offer {id} ({}) rests on the assumption that {}, which does not hold here: ask for it without that condition",
                        format::thousands(n),
                        report::fact_meaning(campaign, fact)
                    ),
                }),
                Some(_) => {}
                None if serves_here && accepted <= 0.0 && !waiting.is_empty() => {
                    reasons.push(CandidateReason {
                        kind: ReasonKind::ConditionFails,
                        detail: format!(
                            "its offer {id} ({}) waits on a condition not met in this package ({})",
                            format::thousands(n),
                            waiting.join("; ")
                        ),
                    });
                }
                None if serves_here => reasons.push(CandidateReason {
                    kind: ReasonKind::OfferedTooFew,
                    detail: format!(
                        "offered {} here ({id}), {} of them in use: the gap needs more",
                        format::thousands(n),
                        format::number(accepted, 0)
                    ),
                }),
                None if allowed_here => reasons.push(CandidateReason {
                    kind: ReasonKind::OfferedTooFew,
                    detail: format!(
                        "offered {} here ({id}), too few to keep one deployed with rotation ({} per unit kept deployed)",
                        format::thousands(n),
                        format::number(capability.rotation_ratio.get(), 1)
                    ),
                }),
                None => reasons.push(CandidateReason {
                    kind: ReasonKind::OfferedElsewhere,
                    detail: format!(
                        "offered {} ({id}) for other sectors or phases: ask to extend it here",
                        format::thousands(n)
                    ),
                }),
            }
        }
        let offered_it = !reasons.is_empty();
        match status {
            ProposalStatus::Invited => reasons.push(CandidateReason {
                kind: ReasonKind::NotAnswered,
                detail: "has not answered the questionnaire".into(),
            }),
            ProposalStatus::Draft => reasons.push(CandidateReason {
                kind: ReasonKind::DraftNotSubmitted,
                detail: "has a draft it has not submitted".into(),
            }),
            ProposalStatus::Withdrawn => reasons.push(CandidateReason {
                kind: ReasonKind::Withdrew,
                detail: campaign
                    .proposal(&respondent.code)
                    .and_then(|p| p.withdrawn.as_ref())
                    .map_or_else(
                        || "withdrew its proposal".into(),
                        |w| format!("withdrew its proposal ({})", w.reason.trim_end_matches('.')),
                    ),
            }),
            ProposalStatus::Submitted | ProposalStatus::Revised => {
                if let Some(text) = effort.low(respondent.code, capability) {
                    reasons.push(CandidateReason {
                        kind: ReasonKind::LowEffort,
                        detail: text,
                    });
                }
            }
        }
        let Some(strength) = reasons.iter().map(|r| r.kind).min() else {
            continue;
        };
        let capacity = respondent
            .facts
            .active_personnel_thousands
            .map_or(0.0, |f| f.get() * 1000.0);
        // The ask is the gap, or what the capital can plausibly give of it; a capital that
        // offered the capability is asked for at least one unit whatever its size.
        let by_size = size_cap(campaign, respondent, capability)
            .map(|cap| (cap / factor + 1e-9).floor().min(f64::from(gap_units)) as u32);
        let units_deployed = match (by_size, offered_it) {
            (Some(n), _) if n >= 1 => n,
            (_, true) => gap_units.min(by_size.unwrap_or(gap_units).max(1)),
            (_, false) => continue,
        };
        out.push(Candidate {
            respondent,
            status,
            reasons,
            strength,
            capacity,
            units_deployed,
        });
    }
    out.sort_by(|a, b| {
        a.strength
            .cmp(&b.strength)
            .then(b.capacity.total_cmp(&a.capacity))
            .then(a.respondent.code.cmp(&b.respondent.code))
    });
    out
}

/// The most units of `capability` (rotation included) a capital can plausibly give by its size:
/// what ties up [`PLAUSIBLE_PERSONNEL_SHARE`] of its active personnel, or for money and
/// ammunition what costs [`PLAUSIBLE_GDP_SHARE`] of its GDP a year. `None` when its figures do
/// not say.
fn size_cap(
    campaign: &Campaign,
    respondent: &guarantor_domain::Respondent,
    capability: &Capability,
) -> Option<f64> {
    let per_unit = f64::from(capability.personnel_per_unit);
    if per_unit > 0.0 {
        return respondent
            .facts
            .active_personnel_thousands
            .map(|a| a.get() * 1000.0 * PLAUSIBLE_PERSONNEL_SHARE / per_unit);
    }
    let (cost_m, _) = unit_cost(campaign, capability, respondent.code);
    if cost_m <= 0.0 {
        return None;
    }
    // GDP is in US dollars; the cost in the campaign currency.
    let rate = campaign.usd_rate()?;
    respondent
        .facts
        .gdp_usd_bn
        .map(|g| g.get() * 1000.0 * rate * PLAUSIBLE_GDP_SHARE / cost_m)
}

/// The cost of one unit per year an ask assumes, in millions of the campaign currency, and where
/// it comes from: the capital's own stated cost of the capability, else the median of the
/// others' (funding is always one million a unit).
fn unit_cost(
    campaign: &Campaign,
    capability: &Capability,
    respondent: CountryCode,
) -> (f64, String) {
    if capability.category == Category::Funding {
        return (1.0, "funding: one million a unit".into());
    }
    let mut own = Vec::new();
    let mut all = Vec::new();
    for p in campaign.proposals() {
        let Some(current) = p.current() else { continue };
        for o in current
            .offers
            .iter()
            .filter(|o| o.capability == capability.id)
        {
            if let Some(m) = o.cost_per_unit_year {
                let m = campaign.to_reporting_thousands(&m) as f64 / 1000.0;
                all.push(m);
                if p.respondent == respondent {
                    own.push(m);
                }
            }
        }
    }
    if let Some(m) = median(&mut own) {
        return (m, "its own stated cost of this capability".into());
    }
    match median(&mut all) {
        Some(m) => (
            m,
            format!(
                "the median cost of the {} offers of this capability that state one",
                all.len()
            ),
        ),
        None => (
            0.0,
            "no offer of this capability states a cost: counted as 0".into(),
        ),
    }
}

fn median(values: &mut [f64]) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    values.sort_by(f64::total_cmp);
    let n = values.len();
    Some(if n % 2 == 1 {
        values[n / 2]
    } else {
        (values[n / 2 - 1] + values[n / 2]) / 2.0
    })
}

/// What each capital that answered offers against its size: personnel (rotation included)
/// against its active personnel, and money a year (what its offers cost, funding included)
/// against its GDP and against its defence spending.
struct Effort {
    personnel: Share,
    money: Share,
    defence: Share,
}

/// One measure of effort per capital, and its median.
#[derive(Default)]
struct Share {
    of: BTreeMap<CountryCode, f64>,
    median: Option<f64>,
}

impl Share {
    fn new(of: BTreeMap<CountryCode, f64>) -> Self {
        let mut values: Vec<f64> = of.values().copied().collect();
        Self {
            median: median(&mut values),
            of,
        }
    }

    /// The capital's share when it is under half the median.
    fn low(&self, code: CountryCode) -> Option<(f64, f64)> {
        let share = *self.of.get(&code)?;
        let median = self.median?;
        (share < median / 2.0).then_some((share, median))
    }
}

impl Effort {
    fn of(campaign: &Campaign) -> Self {
        let mut personnel = BTreeMap::new();
        let mut money = BTreeMap::new();
        let mut defence = BTreeMap::new();
        // Reference figures are in US dollars: money is set against them only with a rate.
        let usd_rate = campaign.usd_rate();
        for p in campaign.proposals() {
            let Some(current) = p.current() else { continue };
            let Some(facts) = campaign.respondent(&p.respondent).map(|r| &r.facts) else {
                continue;
            };
            if let Some(active) = facts
                .active_personnel_thousands
                .map(|a| a.get() * 1000.0)
                .filter(|a| *a > 0.0)
            {
                let offered: f64 = current
                    .offers
                    .iter()
                    .map(|o| {
                        o.personnel(
                            campaign.capability(&o.capability),
                            f64::from(o.quantity.get()),
                        )
                        .committed
                    })
                    .sum();
                personnel.insert(p.respondent, offered / active);
            }
            let yearly: f64 = current
                .offers
                .iter()
                .map(|o| {
                    let units = f64::from(o.quantity.get());
                    if campaign.capability(&o.capability).category == Category::Funding {
                        units
                    } else {
                        o.cost_per_unit_year.map_or(0.0, |m| {
                            campaign.to_reporting_thousands(&m) as f64 / 1000.0 * units
                        })
                    }
                })
                .sum();
            let Some(rate) = usd_rate else {
                continue;
            };
            let yearly_usd = yearly / rate;
            let millions = |bn: Option<guarantor_domain::quantity::Figure>| {
                bn.map(|x| x.get() * 1000.0).filter(|x| *x > 0.0)
            };
            if let Some(gdp_m) = millions(facts.gdp_usd_bn) {
                money.insert(p.respondent, yearly_usd / gdp_m);
            }
            if let Some(budget_m) = millions(facts.defence_expenditure_usd_bn) {
                defence.insert(p.respondent, yearly_usd / budget_m);
            }
        }
        Self {
            personnel: Share::new(personnel),
            money: Share::new(money),
            defence: Share::new(defence),
        }
    }

    /// Words for a capital offering under half the median effort of those who answered, by
    /// the measure that fits the capability (money for capabilities without personnel).
    fn low(&self, code: CountryCode, capability: &Capability) -> Option<String> {
        if capability.personnel_per_unit > 0 {
            self.personnel.low(code).map(|(share, median)| {
                format!(
                    "offers {} of its active personnel, against a median of {} among those who answered",
                    format::percent(share, 1),
                    format::percent(median, 1)
                )
            })
        } else {
            // Either measure may be missing for a capital; each that is low is said.
            let words: Vec<String> = [(&self.money, "GDP", 2), (&self.defence, "defence spending", 2)]
                .into_iter()
                .filter_map(|(measure, of, decimals)| {
                    measure.low(code).map(|(share, median)| {
                        format!(
                            "offers {} of its {of} a year, against a median of {} among those who answered",
                            format::percent(share, decimals),
                            format::percent(median, decimals)
                        )
                    })
                })
                .collect();
            (!words.is_empty()).then(|| words.join("; "))
        }
    }
}

/// Solves the cheapest option with the best coverage of `campaign` under `scenario`.
fn cheapest(
    campaign: &Campaign,
    scenario: &Scenario,
    settings: Settings,
) -> Result<ForcePackage, SolveError> {
    let inst = Instance::new(campaign, scenario, &BTreeSet::new());
    let warm = greedy::pack(&inst);
    let (values, outcome) = milp::solve_lexicographic(
        &inst,
        settings,
        &Objective::Cheapest.goals(),
        &Restrictions::default(),
        Some(&warm),
    )?;
    Ok(report::package(
        &inst,
        &values,
        vec![Objective::Cheapest.label().to_owned()],
        outcome,
        None,
    ))
}

fn standing(p: &ForcePackage) -> Standing {
    let m = &p.measures;
    Standing {
        essential_coverage: m.essential_coverage,
        desirable_coverage: m.desirable_coverage,
        essential_met: m.essential_met,
        essential_lines: m.essential_lines,
        cost_per_year_m: m.cost_per_year_m,
        troops_deployed_peak: m.troops_deployed_peak,
        optimal: p.solve.optimal,
    }
}

/// What adding `offers` buys against `baseline`, by solving the scenario again.
fn value(
    campaign: &Campaign,
    scenario: &Scenario,
    settings: Settings,
    baseline: &ForcePackage,
    offers: &[HypotheticalOffer],
) -> AskValue {
    let what_if = WhatIf {
        added: offers.to_vec(),
        removed: Vec::new(),
    };
    let changed = campaign.with_what_if(&what_if);
    match cheapest(&changed, scenario, settings) {
        Ok(p) => {
            let points = |a: Option<f64>, b: Option<f64>| match (a, b) {
                (Some(a), Some(b)) => ((a - b) * 1000.0).round() / 10.0,
                _ => 0.0,
            };
            let before: BTreeSet<(&str, &str)> = baseline
                .accepted
                .iter()
                .map(|a| (a.respondent.as_str(), a.offer.as_str()))
                .collect();
            let asked: BTreeSet<String> = offers.iter().map(|o| o.respondent.to_string()).collect();
            let unlocks = p
                .accepted
                .iter()
                .filter(|a| {
                    !asked.contains(&a.respondent)
                        && !before.contains(&(a.respondent.as_str(), a.offer.as_str()))
                        && !a.conditions.is_empty()
                })
                .map(|a| {
                    let name = CountryCode::parse(&a.respondent)
                        .ok()
                        .and_then(|c| campaign.respondent(&c))
                        .map_or_else(|| a.respondent.clone(), |r| r.name.clone());
                    format!(
                        "{name}'s {} ({}), {}",
                        a.offer,
                        a.capability,
                        a.conditions.join("; ")
                    )
                })
                .collect();
            AskValue {
                essential_coverage: p.measures.essential_coverage,
                essential_gain_points: points(
                    p.measures.essential_coverage,
                    baseline.measures.essential_coverage,
                ),
                desirable_gain_points: points(
                    p.measures.desirable_coverage,
                    baseline.measures.desirable_coverage,
                ),
                essential_met_gain: p.measures.essential_met as i64
                    - baseline.measures.essential_met as i64,
                cost_change_m: ((p.measures.cost_per_year_m - baseline.measures.cost_per_year_m)
                    * 1000.0)
                    .round()
                    / 1000.0,
                unlocks,
                optimal: p.solve.optimal,
                error: None,
            }
        }
        Err(e) => AskValue {
            essential_coverage: None,
            essential_gain_points: 0.0,
            desirable_gain_points: 0.0,
            essential_met_gain: 0,
            cost_change_m: 0.0,
            unlocks: Vec::new(),
            optimal: false,
            error: Some(e.to_string()),
        },
    }
}

/// Maps `f` over `items` on the machine's cores (each solve is single-threaded), keeping order.
/// Threads take the next item as they finish one, since solves differ in length.
fn parallel_map<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let threads = std::thread::available_parallelism()
        .map_or(1, std::num::NonZeroUsize::get)
        .min(items.len());
    if threads <= 1 {
        return items.iter().map(&f).collect();
    }
    let next = std::sync::atomic::AtomicUsize::new(0);
    let mut done: Vec<(usize, R)> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..threads)
            .map(|_| {
                s.spawn(|| {
                    let mut out = Vec::new();
                    loop {
                        let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        let Some(item) = items.get(i) else { break out };
                        out.push((i, f(item)));
                    }
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
            .collect()
    });
    done.sort_by_key(|(i, _)| *i);
    done.into_iter().map(|(_, r)| r).collect()
}
