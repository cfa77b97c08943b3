//! What an option reports: accepted offers and placements, coverage and the reasons for each gap,
//! troops, price, burden shares and the conditions it rests on. All computed from the placements.

use std::collections::{BTreeMap, BTreeSet};

use guarantor_domain::ids::{CountryCode, FactId};
use guarantor_domain::{Campaign, Condition, Priority};
use serde::Serialize;

use super::instance::{self, Blocked, Instance, Linked, rotation_factor};
use super::measure::{derived, mean_coverage};
use super::milp::{SolveOutcome, Values};

/// One force package.
#[derive(Debug, Clone, Serialize)]
pub struct ForcePackage {
    /// What distinguishes it, e.g. "cheapest" (several when two labels found the same package).
    pub labels: Vec<String>,
    /// One sentence on how it differs from the first option.
    pub distinction: String,
    /// When it fields the same force as an earlier option (the same units covering every
    /// requirement line) and differs only in who provides and pays for them: that option's
    /// number, from 1. Such an option is a burden-sharing variant, not a strategic choice.
    pub same_force_as: Option<usize>,
    /// How the solve went.
    pub solve: SolveOutcome,
    /// Respondents with accepted offers, by code.
    pub participants: Vec<String>,
    /// Accepted offers with their units and placements.
    pub accepted: Vec<AcceptedOffer>,
    /// Coverage of every requirement, with the reasons for any gap.
    pub coverage: Vec<RequirementCoverage>,
    /// Headline measures.
    pub measures: Measures,
    /// Who pays and who sends troops, against GDP shares.
    pub burden: Vec<BurdenShare>,
    /// Cost per year carried by the common fund, millions.
    pub common_fund_m: f64,
    /// What must hold for the package to stand: scenario facts and linked conditions.
    pub rests_on: Vec<String>,
    /// How the package holds if one respondent withdraws.
    pub robustness: Option<super::robustness::Robustness>,
}

/// An accepted offer.
#[derive(Debug, Clone, Serialize)]
pub struct AcceptedOffer {
    /// Respondent code.
    pub respondent: String,
    /// Offer id.
    pub offer: String,
    /// Capability.
    pub capability: String,
    /// Units offered.
    pub offered: f64,
    /// Units accepted (rotation included).
    pub units: f64,
    /// Where and when the units serve.
    pub placements: Vec<Placement>,
    /// Cost per year, millions of the campaign currency.
    pub cost_per_year_m: f64,
    /// Who pays: a respondent code or `common_fund`.
    pub paid_by: String,
    /// Personnel committed (units accepted × personnel per unit).
    pub troops_committed: f64,
    /// The offer's conditions, in words.
    pub conditions: Vec<String>,
}

/// Units of an offer serving one requirement.
#[derive(Debug, Clone, Serialize)]
pub struct Placement {
    /// Requirement id.
    pub requirement: String,
    /// Phase.
    pub phase: String,
    /// Sector.
    pub sector: String,
    /// Units deployed; when `pooled`, units placed in the line's rotation pool (the pool keeps
    /// ⌊its units ÷ ratio⌋ deployed, see the line's `rotation_pool`).
    pub units: f64,
    /// Whether the units take turns with other units in the line's rotation pool.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub pooled: bool,
    /// Whether the units are parts of units assembled for the line (see the line's
    /// `assembly`).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub assembled: bool,
}

/// Units of a composite capability assembled from parts offered by several respondents, under
/// the lead (framework) nations that provide the lead part.
#[derive(Debug, Clone, Serialize)]
pub struct Assembly {
    /// Units assembled for the line.
    pub units: f64,
    /// The part the lead nation provides (its headquarters).
    pub lead_part: String,
    /// The lead nations: respondents providing the lead part, by code.
    pub lead: Vec<String>,
    /// Each part of the composition, in its order.
    pub parts: Vec<AssemblyPart>,
}

/// One part of the units assembled for a line.
#[derive(Debug, Clone, Serialize)]
pub struct AssemblyPart {
    /// The part's capability.
    pub capability: String,
    /// Units of it per assembled unit.
    pub per_unit: f64,
    /// Units of it placed on the line.
    pub units: f64,
    /// Who provides them.
    pub from: Vec<PartFrom>,
}

/// Units of one offer placed on a line (as a part, or in its rotation pool).
#[derive(Debug, Clone, Serialize)]
pub struct PartFrom {
    /// Respondent code.
    pub respondent: String,
    /// Offer id.
    pub offer: String,
    /// Units.
    pub units: f64,
}

/// A requirement line held in an enduring phase by units of several offers taking turns.
#[derive(Debug, Clone, Serialize)]
pub struct RotationPool {
    /// Rotation ratio of the capability: units in the pool per unit kept deployed.
    pub ratio: f64,
    /// Units in the pool, from every offer in it.
    pub units: f64,
    /// Units the pool keeps deployed (its part of the line's coverage).
    pub kept_deployed: f64,
    /// Months a year each unit in the pool holds a place: 12 × kept deployed ÷ units.
    pub months_each: f64,
    /// Who holds which place in which months of a year, offer by offer in code order.
    pub turns: Vec<PoolTurn>,
}

/// One stretch of a year in which an offer's units hold one place of a pooled line.
#[derive(Debug, Clone, Serialize)]
pub struct PoolTurn {
    /// Respondent code.
    pub respondent: String,
    /// Offer id.
    pub offer: String,
    /// The place held, from 1 to the units kept deployed.
    pub place: u32,
    /// From this month of the year (0 = start of the year).
    pub from_month: f64,
    /// To this month (12 = end of the year).
    pub to_month: f64,
}

/// Coverage of one requirement.
#[derive(Debug, Clone, Serialize)]
pub struct RequirementCoverage {
    /// Requirement id.
    pub requirement: String,
    /// Capability.
    pub capability: String,
    /// Phase.
    pub phase: String,
    /// Sector.
    pub sector: String,
    /// Essential or desirable.
    pub priority: Priority,
    /// Units required.
    pub required: f64,
    /// Units placed.
    pub covered: f64,
    /// required − covered, at least 0.
    pub gap: f64,
    /// min(covered ÷ required, 1).
    pub coverage: f64,
    /// Why the gap is there (empty when covered).
    pub shortfall: Vec<ShortfallReason>,
    /// The line's rotation pool, when units take turns holding it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rotation_pool: Option<RotationPool>,
    /// Units assembled for the line from parts, when any are.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub assembly: Option<Assembly>,
}

/// The kind of reason for a gap.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ShortfallKind {
    /// No current offer of the capability at all.
    NobodyOffered,
    /// Offered, but the scenario excludes the contributor or the sector.
    ExcludedByScenario,
    /// Offered, but not for this sector or phase (sectors, caveats, earliest or last phase).
    CaveatedOut,
    /// Offered, but resting on a condition that fails (scenario fact or linked condition).
    ConditionFails,
    /// Offered and usable, but not enough units (used elsewhere, or too few to sustain rotation).
    NotEnough,
    /// Usable units left unused because the troop ceiling is reached.
    TroopCeiling,
    /// Usable units left unused because the budget is spent.
    Budget,
}

impl ShortfallKind {
    /// The name used in JSON output.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::NobodyOffered => "nobody_offered",
            Self::ExcludedByScenario => "excluded_by_scenario",
            Self::CaveatedOut => "caveated_out",
            Self::ConditionFails => "condition_fails",
            Self::NotEnough => "not_enough",
            Self::TroopCeiling => "troop_ceiling",
            Self::Budget => "budget",
        }
    }
}

/// One reason for a gap, with the units and respondents concerned.
#[derive(Debug, Clone, Serialize)]
pub struct ShortfallReason {
    /// The kind.
    pub kind: ShortfallKind,
    /// Units concerned: as offered, except for `troop_ceiling` and `budget`, where it is the
    /// units still free that the ceiling or the budget keeps out.
    pub units: f64,
    /// Respondents concerned, by code.
    pub respondents: Vec<String>,
    /// The specifics, in words.
    pub detail: String,
}

/// Headline measures of a package.
#[derive(Debug, Clone, Serialize)]
pub struct Measures {
    /// Mean coverage fraction of essential lines (null when there are none).
    pub essential_coverage: Option<f64>,
    /// Mean coverage fraction of desirable lines.
    pub desirable_coverage: Option<f64>,
    /// Essential lines fully covered.
    pub essential_met: usize,
    /// Essential lines.
    pub essential_lines: usize,
    /// Cost per year, millions of the campaign currency.
    pub cost_per_year_m: f64,
    /// In-country personnel deployed, per phase.
    pub troops_deployed: Vec<PhaseTroops>,
    /// The largest phase figure of `troops_deployed`.
    pub troops_deployed_peak: f64,
    /// Personnel committed, rotation included (units accepted × personnel per unit).
    pub troops_committed: f64,
    /// Accepted offers that carry a condition.
    pub conditional_offers: usize,
}

/// Personnel deployed in one phase.
#[derive(Debug, Clone, Serialize)]
pub struct PhaseTroops {
    /// Phase.
    pub phase: String,
    /// In-country personnel deployed.
    pub troops: f64,
}

/// One respondent's share of the burden.
#[derive(Debug, Clone, Serialize)]
pub struct BurdenShare {
    /// Respondent code.
    pub respondent: String,
    /// Cost per year it pays, millions (its own offers, and others' it pays for).
    pub cost_paid_m: f64,
    /// Its share of the cost paid by respondents (the common fund excluded).
    pub cost_share: f64,
    /// Personnel it commits.
    pub troops: f64,
    /// Its share of all personnel committed.
    pub troop_share: f64,
    /// Its share of the coalition's GDP (null without a GDP figure).
    pub gdp_share: Option<f64>,
    /// cost_share − gdp_share: positive when it pays more than its economic weight.
    pub cost_gap: Option<f64>,
}

/// Names a condition in words.
pub fn describe_condition(campaign: &Campaign, c: &Condition) -> String {
    match c {
        Condition::Scenario(fact) => format!("if {}", fact_meaning(campaign, fact)),
        Condition::IfCommits(code) => format!(
            "if {} commits",
            campaign
                .respondent(code)
                .map_or_else(|| code.to_string(), |r| r.name.clone())
        ),
        Condition::MinPartners(n) => format!("with at least {n} partners"),
    }
}

/// What a fact means, as its description says (without the final full stop); its id if the
/// campaign does not describe it.
pub fn fact_meaning(campaign: &Campaign, fact: &FactId) -> String {
    campaign.facts().iter().find(|f| f.id == *fact).map_or_else(
        || fact.to_string(),
        |f| {
            let text = f.description.trim_end_matches('.');
            // "The United States backs …" reads as "if the United States backs …"; a first
            // word in capitals ("UN mandate") stays as it is.
            let first_word = text.split_whitespace().next().unwrap_or("");
            let acronym =
                first_word.chars().count() > 1 && first_word.chars().all(|c| !c.is_lowercase());
            let mut chars = text.chars();
            match chars.next() {
                Some(first) if !acronym => first.to_lowercase().chain(chars).collect(),
                _ => text.to_owned(),
            }
        },
    )
}

fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

/// Builds the report of an allocation.
pub fn package(
    inst: &Instance<'_>,
    values: &Values,
    labels: Vec<String>,
    solve: SolveOutcome,
    budget_m: Option<f64>,
) -> ForcePackage {
    let m = derived(inst, values);
    let campaign = inst.campaign;

    // Accepted offers and placements.
    let mut accepted = Vec::new();
    let mut rests_on: BTreeSet<String> = BTreeSet::new();
    let mut participants: BTreeSet<CountryCode> = BTreeSet::new();
    let mut conditional_offers = 0;
    for (o, line) in inst.offers.iter().enumerate() {
        if m.accepted[o] <= 0.0 {
            continue;
        }
        participants.insert(line.respondent);
        let placements = inst
            .arcs
            .iter()
            .enumerate()
            .filter(|(k, arc)| arc.offer == o && values.x[*k] > 0.0)
            .map(|(k, arc)| {
                let req = inst.requirements[arc.requirement];
                Placement {
                    requirement: req.id.to_string(),
                    phase: req.phase.to_string(),
                    sector: req.sector.to_string(),
                    units: values.x[k],
                    pooled: arc.pooled,
                    assembled: arc.part.is_some(),
                }
            })
            .collect();
        let conditions: Vec<String> = line
            .offer
            .conditions
            .iter()
            .map(|c| describe_condition(campaign, c))
            .collect();
        if !conditions.is_empty() {
            conditional_offers += 1;
        }
        for c in &line.offer.conditions {
            rests_on.insert(match c {
                Condition::Scenario(fact) => {
                    format!("the assumption that {}", fact_meaning(campaign, fact))
                }
                other => format!(
                    "{}: {}",
                    line.respondent,
                    describe_condition(campaign, other)
                ),
            });
        }
        accepted.push(AcceptedOffer {
            respondent: line.respondent.to_string(),
            offer: line.offer.id.to_string(),
            capability: line.capability.id.to_string(),
            offered: line.quantity(),
            units: m.accepted[o],
            placements,
            cost_per_year_m: round3(line.unit_cost_m * m.accepted[o]),
            paid_by: line
                .payer
                .map_or_else(|| "common_fund".to_owned(), |p| p.to_string()),
            troops_committed: line.committed_per_unit() * m.accepted[o],
            conditions,
        });
    }

    // Troops deployed per phase.
    let per_phase = super::measure::troops_per_phase(inst, &values.x);
    let pools = super::measure::pools(inst, &values.x);
    let troops_deployed: Vec<PhaseTroops> = campaign
        .phases()
        .iter()
        .zip(&per_phase)
        .map(|(p, t)| PhaseTroops {
            phase: p.id.to_string(),
            troops: *t,
        })
        .collect();

    // Coverage and reasons.
    let coverage: Vec<RequirementCoverage> = inst
        .requirements
        .iter()
        .enumerate()
        .map(|(r, req)| {
            let required = f64::from(req.quantity.get());
            let covered = m.covered[r];
            let gap = (required - covered).max(0.0);
            RequirementCoverage {
                requirement: req.id.to_string(),
                capability: req.capability.to_string(),
                phase: req.phase.to_string(),
                sector: req.sector.to_string(),
                priority: req.priority,
                required,
                covered,
                gap,
                coverage: (covered / required).min(1.0),
                shortfall: if gap > 1e-9 {
                    reasons(inst, values, &m, &pools, r, &per_phase, budget_m)
                } else {
                    Vec::new()
                },
                rotation_pool: rotation_pool(inst, values, &pools, r),
                assembly: assembly(inst, values, &pools, r),
            }
        })
        .collect();

    // Burden shares.
    let mut paid: BTreeMap<CountryCode, f64> = BTreeMap::new();
    let mut troops: BTreeMap<CountryCode, f64> = BTreeMap::new();
    let mut common_fund_m = 0.0;
    for (line, u) in inst.offers.iter().zip(&m.accepted) {
        if *u <= 0.0 {
            continue;
        }
        let cost = line.unit_cost_m * u;
        match line.payer {
            Some(p) => *paid.entry(p).or_default() += cost,
            None => common_fund_m += cost,
        }
        *troops.entry(line.respondent).or_default() += line.committed_per_unit() * u;
    }
    let paid_total: f64 = paid.values().fold(0.0, |a, b| a + b);
    let troops_total: f64 = troops.values().fold(0.0, |a, b| a + b);
    let mut who: BTreeSet<CountryCode> = participants.clone();
    who.extend(paid.keys().copied());
    let burden = who
        .into_iter()
        .map(|code| {
            let cost = paid.get(&code).copied().unwrap_or(0.0);
            let t = troops.get(&code).copied().unwrap_or(0.0);
            let cost_share = if paid_total > 0.0 {
                cost / paid_total
            } else {
                0.0
            };
            let gdp_share = inst.gdp_share.get(&code).copied();
            BurdenShare {
                respondent: code.to_string(),
                cost_paid_m: round3(cost),
                cost_share,
                troops: t,
                troop_share: if troops_total > 0.0 {
                    t / troops_total
                } else {
                    0.0
                },
                gdp_share,
                cost_gap: gdp_share.map(|g| cost_share - g),
            }
        })
        .collect();

    let essential_lines = inst
        .requirements
        .iter()
        .filter(|r| r.priority == Priority::Essential)
        .count();
    let essential_met = coverage
        .iter()
        .filter(|c| c.priority == Priority::Essential && c.gap <= 1e-9)
        .count();
    ForcePackage {
        labels,
        distinction: String::new(),
        same_force_as: None,
        solve,
        participants: participants.iter().map(ToString::to_string).collect(),
        accepted,
        measures: Measures {
            essential_coverage: mean_coverage(inst, &m.covered, Priority::Essential),
            desirable_coverage: mean_coverage(inst, &m.covered, Priority::Desirable),
            essential_met,
            essential_lines,
            cost_per_year_m: round3(m.cost_m),
            troops_deployed_peak: per_phase.iter().copied().fold(0.0, f64::max),
            troops_deployed,
            troops_committed: inst
                .offers
                .iter()
                .zip(&m.accepted)
                .map(|(l, u)| l.committed_per_unit() * u)
                .fold(0.0, |a, b| a + b),
            conditional_offers,
        },
        coverage,
        burden,
        common_fund_m: round3(common_fund_m),
        rests_on: rests_on.into_iter().collect(),
        robustness: None,
    }
}

/// The units each offer places on the arcs `keep` selects, offer by offer in code order.
fn placed_on(
    inst: &Instance<'_>,
    values: &Values,
    keep: impl Fn(&instance::Arc) -> bool,
) -> Vec<PartFrom> {
    let mut placed: Vec<PartFrom> = inst
        .arcs
        .iter()
        .enumerate()
        .filter(|(k, a)| keep(a) && values.x[*k] > 0.0)
        .map(|(k, a)| {
            let line = &inst.offers[a.offer];
            PartFrom {
                respondent: line.respondent.to_string(),
                offer: line.offer.id.to_string(),
                units: values.x[k],
            }
        })
        .collect();
    placed.sort_by(|a, b| (&a.respondent, &a.offer).cmp(&(&b.respondent, &b.offer)));
    placed
}

/// The rotation pool of requirement `r` and who holds which months: the pool's units are laid
/// end to end over the year's places (each unit holds a place for `months_each`), offer by offer
/// in code order, so an offer's units hold one stretch, split where it runs past the year's end
/// into the next place.
fn rotation_pool(
    inst: &Instance<'_>,
    values: &Values,
    pools: &super::measure::Pools,
    r: usize,
) -> Option<RotationPool> {
    let (units, kept) = (pools.units[r], pools.deployed[r]);
    if units <= 0.0 {
        return None;
    }
    let members = placed_on(inst, values, |a| a.pooled && a.requirement == r);
    let months_each = 12.0 * kept / units;
    let mut turns = Vec::new();
    // Position on the year's places laid end to end, in months (place p covers
    // [12(p − 1), 12p)).
    let mut at = 0.0;
    for PartFrom {
        respondent,
        offer,
        units: n,
    } in members
    {
        let mut left = n * months_each;
        while left > 1e-9 && at < 12.0 * kept - 1e-9 {
            let place = (at / 12.0 + 1e-9).floor();
            let from = at - 12.0 * place;
            let to = (from + left).min(12.0);
            turns.push(PoolTurn {
                respondent: respondent.clone(),
                offer: offer.clone(),
                place: place as u32 + 1,
                from_month: round3(from),
                to_month: round3(to),
            });
            left -= to - from;
            at += to - from;
        }
    }
    Some(RotationPool {
        ratio: inst.requirement_ratio[r],
        units,
        kept_deployed: kept,
        months_each: round3(months_each),
        turns,
    })
}

/// The units assembled for requirement `r` from parts, and who provides each part.
fn assembly(
    inst: &Instance<'_>,
    values: &Values,
    pools: &super::measure::Pools,
    r: usize,
) -> Option<Assembly> {
    let units = pools.assembled[r];
    if units <= 0.0 {
        return None;
    }
    let composition = inst
        .campaign
        .capability(&inst.requirements[r].capability)
        .composition
        .as_ref()?;
    let parts: Vec<AssemblyPart> = composition
        .parts
        .iter()
        .enumerate()
        .map(|(p, part)| {
            let from = placed_on(inst, values, |a| a.requirement == r && a.part == Some(p));
            AssemblyPart {
                capability: part.capability.to_string(),
                per_unit: f64::from(part.quantity),
                units: pools.parts[r][p],
                from,
            }
        })
        .collect();
    let lead: BTreeSet<String> = parts
        .iter()
        .find(|p| p.capability == composition.lead.as_str())
        .map(|p| p.from.iter().map(|f| f.respondent.clone()).collect())
        .unwrap_or_default();
    Some(Assembly {
        units,
        lead_part: composition.lead.to_string(),
        lead: lead.into_iter().collect(),
        parts,
    })
}

/// Units of offer `o` the package uses in phase `phase`, rotation included.
fn used_in_phase(inst: &Instance<'_>, values: &Values, o: usize, phase: usize) -> f64 {
    inst.arcs
        .iter()
        .enumerate()
        .filter(|(_, a)| a.offer == o && inst.requirement_phase[a.requirement] == phase)
        .map(|(k, a)| a.factor * values.x[k])
        .sum()
}

/// Why no further unit of composite requirement `r` is assembled: the parts nobody can provide
/// there, or the parts still free against what one more unit needs.
fn assembly_reason(
    inst: &Instance<'_>,
    values: &Values,
    pools: &super::measure::Pools,
    r: usize,
) -> Option<ShortfallReason> {
    let campaign = inst.campaign;
    let req = inst.requirements[r];
    let composition = campaign.capability(&req.capability).composition.as_ref()?;
    let phase = inst.requirement_phase[r];
    let enduring = campaign.phases()[phase].enduring;
    let mut who: BTreeSet<String> = BTreeSet::new();
    // Whole sets the parts offered could make, in units of the line (the least over the parts).
    let mut sets = f64::INFINITY;
    let mut missing = Vec::new();
    let mut free_parts = Vec::new();
    let mut short = Vec::new();
    for part in &composition.parts {
        let name = &campaign.capability(&part.capability).name;
        let mut free = 0.0;
        let mut offered = 0.0;
        let mut usable = false;
        for (o, line) in inst.offers.iter().enumerate() {
            if line.offer.capability != part.capability
                || line.blocked.is_some()
                || !campaign.offer_serves_phase(line.offer, &req.phase)
                || !campaign.offer_allowed_in_sector(line.offer, &req.sector)
                || inst.scenario.excluded_sectors.contains(&req.sector)
            {
                continue;
            }
            usable = true;
            who.insert(line.respondent.to_string());
            offered += line.quantity();
            let used = used_in_phase(inst, values, o, phase);
            free += ((line.quantity() - used) / rotation_factor(line, enduring) + 1e-9).floor();
        }
        if !usable {
            missing.push(name.to_lowercase());
            sets = 0.0;
            continue;
        }
        let per_unit = f64::from(part.quantity);
        sets = sets.min((offered / per_unit + 1e-9).floor());
        free_parts.push(format!("{} {free}", name.to_lowercase()));
        if free + 1e-9 < per_unit {
            short.push(format!(
                "{} ({free} free, {per_unit} needed)",
                name.to_lowercase()
            ));
        }
    }
    if who.is_empty() {
        // No part offered at all: the line's own reasons say it.
        return None;
    }
    let unit = &campaign.capability(&req.capability).unit;
    let detail = if !missing.is_empty() {
        format!(
            "cannot be assembled from parts: no usable offer of {} in {} {}",
            missing.join(", "),
            req.phase,
            req.sector
        )
    } else {
        let needs: Vec<String> = composition
            .parts
            .iter()
            .map(|p| {
                format!(
                    "{} {}",
                    p.quantity,
                    campaign.capability(&p.capability).name.to_lowercase()
                )
            })
            .collect();
        let limit = if short.is_empty() {
            "the rest is held back by the limits above".to_owned()
        } else {
            format!("short of {}", short.join(", "))
        };
        format!(
            "assembled from parts: {}; one more {unit} needs {}; free in {}: {}; {limit}",
            pools.assembled[r],
            needs.join(" + "),
            req.phase,
            free_parts.join(", ")
        )
    };
    Some(ShortfallReason {
        kind: ShortfallKind::NotEnough,
        units: if sets.is_finite() { sets } else { 0.0 },
        respondents: who.into_iter().collect(),
        detail,
    })
}

/// Collects the reasons for the gap of requirement `r`, from every current offer of its capability.
fn reasons(
    inst: &Instance<'_>,
    values: &Values,
    m: &super::measure::Derived,
    pools: &super::measure::Pools,
    r: usize,
    troops_per_phase: &[f64],
    budget_m: Option<f64>,
) -> Vec<ShortfallReason> {
    let (accepted, cost_m) = (m.accepted.as_slice(), m.cost_m);
    let campaign = inst.campaign;
    let req = inst.requirements[r];
    let phase = inst.requirement_phase[r];
    let enduring = campaign.phases()[phase].enduring;
    let committed = super::measure::committed(inst, accepted);
    let mut grouped: BTreeMap<ShortfallKind, (f64, BTreeSet<String>, BTreeSet<String>)> =
        BTreeMap::new();
    let mut note = |kind: ShortfallKind, units: f64, who: CountryCode, detail: String| {
        let e = grouped.entry(kind).or_default();
        e.0 += units;
        e.1.insert(who.to_string());
        e.2.insert(detail);
    };
    let mut any = false;
    // Units offered that may take turns in the line's rotation pool, and by whom.
    let mut pool_offered = 0.0;
    let mut pool_members: BTreeSet<String> = BTreeSet::new();
    for (o, line) in inst.offers.iter().enumerate() {
        if line.offer.capability != req.capability || line.blocked == Some(Blocked::Withdrawn) {
            continue;
        }
        any = true;
        let q = line.quantity();
        let who = line.respondent;
        let id = format!("{who}/{}", line.offer.id);
        if !campaign.offer_serves_phase(line.offer, &req.phase) {
            note(
                ShortfallKind::CaveatedOut,
                q,
                who,
                format!("{id} does not serve phase {}", req.phase),
            );
            continue;
        }
        if !campaign.offer_allowed_in_sector(line.offer, &req.sector) {
            note(
                ShortfallKind::CaveatedOut,
                q,
                who,
                format!("{id} may not serve in sector {}", req.sector),
            );
            continue;
        }
        if inst.scenario.excluded_sectors.contains(&req.sector) {
            note(
                ShortfallKind::ExcludedByScenario,
                q,
                who,
                format!("the scenario closes sector {}", req.sector),
            );
            continue;
        }
        match &line.blocked {
            Some(Blocked::ExcludedContributor) => {
                note(
                    ShortfallKind::ExcludedByScenario,
                    q,
                    who,
                    format!(
                        "the scenario excludes {who} for {}",
                        line.capability.category.as_str()
                    ),
                );
                continue;
            }
            Some(Blocked::FactFails(fact)) => {
                note(
                    ShortfallKind::ConditionFails,
                    q,
                    who,
                    format!(
                        "{id} rests on the assumption that {}, which does not hold here",
                        fact_meaning(inst.campaign, fact)
                    ),
                );
                continue;
            }
            _ => {}
        }
        if accepted[o] <= 0.0 {
            let failing = line.linked.iter().find_map(|l| match l {
                Linked::IfCommits(code) if !committed.contains(code) => {
                    Some(format!("{id} needs {code} to commit, and it does not"))
                }
                Linked::MinPartners(n) => {
                    let partners = committed.iter().filter(|c| **c != who).count();
                    (partners < *n as usize)
                        .then(|| format!("{id} needs {n} partners, {partners} commit"))
                }
                _ => None,
            });
            if let Some(detail) = failing {
                note(ShortfallKind::ConditionFails, q, who, detail);
                continue;
            }
        }
        let pooled = instance::pools(line, enduring);
        if pooled {
            pool_offered += q;
            pool_members.insert(who.to_string());
        }
        // A pooled offer's units go to the pool one by one: its size is judged for the pool.
        let factor = if pooled {
            1.0
        } else {
            rotation_factor(line, enduring)
        };
        if q < factor {
            note(
                ShortfallKind::NotEnough,
                q,
                who,
                format!(
                    "{id}: {q} offered, but each unit kept deployed in {} needs {factor} with rotation",
                    req.phase
                ),
            );
            continue;
        }
        // Usable: how much of it is still free in this phase?
        let used = used_in_phase(inst, values, o, phase);
        let free = ((q - used) / factor + 1e-9).floor();
        if free <= 1e-9 && pooled {
            // Said once for the whole pool, below.
        } else if free <= 1e-9 {
            note(
                ShortfallKind::NotEnough,
                q,
                who,
                format!("{id} is fully used"),
            );
        } else if let Some(cap) = inst
            .scenario
            .troop_ceiling
            .filter(|_| inst.requirement_in_country[r] && line.personnel() > 0.0)
            && troops_per_phase[phase] + line.personnel() > f64::from(cap) + 1e-9
        {
            note(
                ShortfallKind::TroopCeiling,
                free,
                who,
                format!(
                    "{free} more units of {id} would break the troop ceiling of {cap} in {}",
                    req.phase
                ),
            );
        } else if let Some(b) = budget_m.filter(|b| {
            // One more unit kept deployed: the ratio's worth of units from a pool.
            let per_kept = if pooled {
                inst.requirement_ratio[r]
            } else {
                factor
            };
            cost_m + line.unit_cost_m * per_kept > *b + 1e-6
        }) {
            note(
                ShortfallKind::Budget,
                free,
                who,
                format!("{free} more units of {id} would exceed the budget of {b}m"),
            );
        } else if !pooled {
            // (A pooling offer's free units are in the pool's own reason, below.)
            note(
                ShortfallKind::NotEnough,
                q,
                who,
                format!("{id} has {free} units free"),
            );
        }
    }
    if !pool_members.is_empty() {
        let ratio = inst.requirement_ratio[r];
        // What the pool must keep deployed: the line's units less those deployed directly.
        let direct = m.covered[r] - pools.deployed[r];
        let required = (f64::from(req.quantity.get()) - direct).max(0.0);
        let needed = (required * ratio - 1e-9).ceil();
        let nations = match pool_members.len() {
            1 => "1 capital".to_owned(),
            n => format!("{n} capitals"),
        };
        let detail = if pool_offered + 1e-9 < needed {
            format!(
                "pool too small: {pool_offered} units offered by {nations} that may take turns, {required} kept deployed need {needed}"
            )
        } else {
            format!(
                "pool of {pool_offered} units offered by {nations} that may take turns: {} in it keep {} deployed, the rest serve elsewhere in {} or are held back by the limits above ({required} kept deployed need {needed})",
                pools.units[r], pools.deployed[r], req.phase
            )
        };
        let e = grouped.entry(ShortfallKind::NotEnough).or_default();
        e.0 += pool_offered;
        e.1.extend(pool_members);
        e.2.insert(detail);
    }
    let assembly = assembly_reason(inst, values, pools, r);
    if let Some(reason) = assembly {
        any = true;
        let e = grouped.entry(reason.kind).or_default();
        e.0 += reason.units;
        e.1.extend(reason.respondents);
        e.2.insert(reason.detail);
    }
    if !any {
        return vec![ShortfallReason {
            kind: ShortfallKind::NobodyOffered,
            units: 0.0,
            respondents: Vec::new(),
            detail: format!("no current proposal offers {}", req.capability),
        }];
    }
    grouped
        .into_iter()
        .map(|(kind, (units, who, details))| ShortfallReason {
            kind,
            units,
            respondents: who.into_iter().collect(),
            detail: details.into_iter().collect::<Vec<_>>().join("; "),
        })
        .collect()
}
