//! Measures of an allocation, computed from the units placed (never from solver objectives).

use std::collections::BTreeMap;

use guarantor_domain::Priority;
use guarantor_domain::ids::CountryCode;

use super::instance::Instance;
use super::milp::Values;

/// What an allocation achieves.
#[derive(Debug, Clone, Default)]
pub struct Derived {
    /// Units covering each requirement (capped at nothing: what was placed).
    pub covered: Vec<f64>,
    /// Units accepted per offer: the most any phase consumes, rotation included.
    pub accepted: Vec<f64>,
    /// Cost per year, millions.
    pub cost_m: f64,
    /// Largest over-payment against GDP share, millions (cost basis).
    pub fairness_max: f64,
    /// Largest excess of troops committed over GDP share of all troops committed.
    pub fairness_troops_max: f64,
    /// Largest share of an essential requirement carried by one respondent.
    pub concentration: f64,
}

/// Units accepted per offer implied by the placements: per phase Σ factor × units, the maximum
/// over phases, rounded up to whole units.
pub fn accepted_units(inst: &Instance<'_>, x: &[f64]) -> Vec<f64> {
    let mut per_phase: BTreeMap<(usize, usize), f64> = BTreeMap::new();
    for (k, arc) in inst.arcs.iter().enumerate() {
        *per_phase
            .entry((arc.offer, inst.requirement_phase[arc.requirement]))
            .or_default() += arc.factor * x[k];
    }
    let mut accepted = vec![0.0; inst.offers.len()];
    for ((o, _), load) in per_phase {
        let load = (load - 1e-9).ceil().max(0.0);
        accepted[o] = f64::max(accepted[o], load);
    }
    accepted
}

/// Respondents that commit: those with accepted units.
pub fn committed(inst: &Instance<'_>, accepted: &[f64]) -> std::collections::BTreeSet<CountryCode> {
    inst.offers
        .iter()
        .zip(accepted)
        .filter(|(_, u)| **u > 0.0)
        .map(|(l, _)| l.respondent)
        .collect()
}

/// Computes the measures of an allocation.
pub fn derived(inst: &Instance<'_>, values: &Values) -> Derived {
    let mut covered = vec![0.0; inst.requirements.len()];
    for (k, arc) in inst.arcs.iter().enumerate() {
        covered[arc.requirement] += values.x[k];
    }
    let accepted = accepted_units(inst, &values.x);
    let cost_m = inst
        .offers
        .iter()
        .zip(&accepted)
        .map(|(line, u)| line.unit_cost_m * u)
        .fold(0.0, |a, b| a + b);

    let mut paid: BTreeMap<CountryCode, f64> = BTreeMap::new();
    let mut shared_total = 0.0;
    for (line, u) in inst.offers.iter().zip(&accepted) {
        if let Some(payer) = line.payer {
            *paid.entry(payer).or_default() += line.unit_cost_m * u;
            shared_total += line.unit_cost_m * u;
        }
    }
    let fairness_max = inst
        .gdp_share
        .iter()
        .map(|(code, share)| paid.get(code).copied().unwrap_or(0.0) - share * shared_total)
        .fold(0.0, f64::max);

    let mut troops: BTreeMap<CountryCode, f64> = BTreeMap::new();
    let mut troops_total = 0.0;
    for (line, u) in inst.offers.iter().zip(&accepted) {
        *troops.entry(line.respondent).or_default() += line.committed_per_unit() * u;
        troops_total += line.committed_per_unit() * u;
    }
    let fairness_troops_max = inst
        .gdp_share
        .iter()
        .map(|(code, share)| troops.get(code).copied().unwrap_or(0.0) - share * troops_total)
        .fold(0.0, f64::max);

    let mut by: BTreeMap<(usize, CountryCode), f64> = BTreeMap::new();
    for (k, arc) in inst.arcs.iter().enumerate() {
        if inst.requirements[arc.requirement].priority == Priority::Essential {
            *by.entry((arc.requirement, inst.offers[arc.offer].respondent))
                .or_default() += values.x[k];
        }
    }
    let concentration = by
        .iter()
        .map(|((r, _), units)| units / f64::from(inst.requirements[*r].quantity.get()))
        .fold(0.0, f64::max);
    Derived {
        covered,
        accepted,
        cost_m,
        fairness_max,
        fairness_troops_max,
        concentration,
    }
}

/// Mean coverage fraction of the requirements with `priority` (None when there are none).
pub fn mean_coverage(inst: &Instance<'_>, covered: &[f64], priority: Priority) -> Option<f64> {
    let lines: Vec<f64> = inst
        .requirements
        .iter()
        .zip(covered)
        .filter(|(r, _)| r.priority == priority)
        .map(|(r, c)| (c / f64::from(r.quantity.get())).min(1.0))
        .collect();
    (!lines.is_empty()).then(|| lines.iter().sum::<f64>() / lines.len() as f64)
}

/// The value of a goal for an allocation, as the program defines it (see `milp::Goal`).
pub fn goal_value(inst: &Instance<'_>, values: &Values, goal: super::milp::Goal) -> f64 {
    use super::milp::Goal;
    let m = derived(inst, values);
    let shortfall = |priority: Priority| {
        inst.requirements
            .iter()
            .zip(&m.covered)
            .filter(|(r, _)| r.priority == priority)
            .map(|(r, c)| {
                let q = f64::from(r.quantity.get());
                (q - c).max(0.0) / q
            })
            .fold(0.0, |a, b| a + b)
    };
    match goal {
        Goal::EssentialShortfall => shortfall(Priority::Essential),
        Goal::DesirableShortfall => shortfall(Priority::Desirable),
        Goal::Cost => m.cost_m,
        Goal::Footprint => inst
            .offers
            .iter()
            .zip(&m.accepted)
            .map(|(l, u)| l.committed_per_unit() * u / 1000.0)
            .fold(0.0, |a, b| a + b),
        Goal::FairnessCost => m.fairness_max,
        Goal::FairnessTroops => m.fairness_troops_max,
        Goal::Concentration => m.concentration,
        Goal::ConditionalOffers => inst
            .offers
            .iter()
            .zip(&m.accepted)
            .filter(|(l, u)| **u > 0.0 && l.conditional())
            .count() as f64,
    }
}
