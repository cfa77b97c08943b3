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

/// Units a line's rotation pool holds and keeps deployed, and units assembled for it from
/// parts, for each requirement (zero where nothing is pooled or assembled).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Pools {
    /// Units placed in each line's pool.
    pub units: Vec<f64>,
    /// Units each pool keeps deployed: ⌊units ÷ ratio⌋, no more than the line still needs
    /// after the units deployed directly and those assembled.
    pub deployed: Vec<f64>,
    /// Units of each part placed on each line assembled from parts (empty for other lines).
    pub parts: Vec<Vec<f64>>,
    /// Units assembled for each line: the least over its parts of ⌊units of the part ÷ units
    /// per assembled unit⌋, no more than the line still needs after the units deployed
    /// directly.
    pub assembled: Vec<f64>,
}

/// The rotation pools and assemblies of placements `x`.
pub fn pools(inst: &Instance<'_>, x: &[f64]) -> Pools {
    let n = inst.requirements.len();
    let mut units = vec![0.0; n];
    let mut direct = vec![0.0; n];
    let mut parts: Vec<Vec<f64>> = inst
        .requirement_parts
        .iter()
        .map(|p| vec![0.0; p.len()])
        .collect();
    for (k, arc) in inst.arcs.iter().enumerate() {
        let r = arc.requirement;
        match arc.part {
            Some(p) => parts[r][p] += x[k],
            None if arc.pooled => units[r] += x[k],
            None => direct[r] += x[k],
        }
    }
    let required = |r: usize| f64::from(inst.requirements[r].quantity.get());
    let assembled: Vec<f64> = (0..n)
        .map(|r| {
            if !inst.has_assembly(r) {
                return 0.0;
            }
            parts[r]
                .iter()
                .zip(&inst.requirement_parts[r])
                .map(|(units, per_unit)| (units / per_unit + 1e-9).floor())
                .fold(f64::INFINITY, f64::min)
                .min((required(r) - direct[r]).max(0.0))
        })
        .collect();
    let deployed = (0..n)
        .map(|r| {
            let room = (required(r) - direct[r] - assembled[r]).max(0.0);
            (units[r] / inst.requirement_ratio[r] + 1e-9)
                .floor()
                .min(room)
        })
        .collect();
    Pools {
        units,
        deployed,
        parts,
        assembled,
    }
}

/// Units covering each requirement: those deployed directly, those assembled from parts and
/// those its pool keeps deployed. Every figure of coverage goes through here.
pub fn covered(inst: &Instance<'_>, x: &[f64]) -> Vec<f64> {
    let pools = pools(inst, x);
    let mut covered: Vec<f64> = pools
        .deployed
        .iter()
        .zip(&pools.assembled)
        .map(|(d, a)| d + a)
        .collect();
    for (k, arc) in inst.arcs.iter().enumerate() {
        if arc.direct() {
            covered[arc.requirement] += x[k];
        }
    }
    covered
}

/// In-country personnel deployed in each phase: units deployed directly or as parts, and each
/// pool's units kept deployed, times personnel per unit.
pub fn troops_per_phase(inst: &Instance<'_>, x: &[f64]) -> Vec<f64> {
    let mut per_phase = vec![0.0; inst.campaign.phases().len()];
    let pools = pools(inst, x);
    for (r, d) in pools.deployed.iter().enumerate() {
        if *d > 0.0 && inst.requirement_in_country[r] {
            per_phase[inst.requirement_phase[r]] += d * inst.requirement_personnel[r];
        }
    }
    for (k, arc) in inst.arcs.iter().enumerate() {
        if !arc.pooled && inst.requirement_in_country[arc.requirement] {
            per_phase[inst.requirement_phase[arc.requirement]] +=
                x[k] * inst.offers[arc.offer].personnel();
        }
    }
    per_phase
}

/// How much of a line one placement carries, in units kept deployed: its units when it deploys
/// directly, its units ÷ the rotation ratio in a pool (the share of the time its units hold
/// the line), and as a part its share of the assembled units' parts (each of the P parts of an
/// assembled unit carries 1/P of it, shared among the part's n units). The concentration goal
/// weighs respondents by it.
pub fn carried(inst: &Instance<'_>, k: usize, units: f64) -> f64 {
    let arc = &inst.arcs[k];
    let r = arc.requirement;
    match arc.part {
        Some(p) => {
            let parts = &inst.requirement_parts[r];
            units / (parts[p] * parts.len() as f64)
        }
        None if arc.pooled => units / inst.requirement_ratio[r],
        None => units,
    }
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
    let covered = covered(inst, &values.x);
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
                .or_default() += carried(inst, k, values.x[k]);
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
