//! A simple greedy packer: the baseline the optimiser must never do worse than, and its warm start.
//!
//! Requirements are filled in order, essential first; each takes the cheapest usable units still
//! free that deploy directly, then what is still needed from its rotation pool. Offers with
//! linked conditions are left out (the packer does not reason about who commits), and a troop
//! ceiling is respected phase by phase.

use std::collections::BTreeMap;

use guarantor_domain::Priority;

use super::instance::Instance;
use super::measure::{accepted_units, covered};
use super::milp::Values;

/// Builds a feasible allocation greedily.
pub fn pack(inst: &Instance<'_>) -> Values {
    let mut x = vec![0.0; inst.arcs.len()];
    // Units of each offer consumed in each phase (rotation included).
    let mut used: BTreeMap<(usize, usize), f64> = BTreeMap::new();
    let mut troops: BTreeMap<usize, f64> = BTreeMap::new();
    let ceiling = inst.scenario.troop_ceiling.map(f64::from);

    let mut order: Vec<usize> = (0..inst.requirements.len()).collect();
    order.sort_by_key(|&r| (inst.requirements[r].priority != Priority::Essential, r));
    for r in order {
        let need_total = f64::from(inst.requirements[r].quantity.get());
        let phase = inst.requirement_phase[r];
        let (pooled, mut arcs): (Vec<usize>, Vec<usize>) = (0..inst.arcs.len())
            .filter(|&k| {
                let arc = &inst.arcs[k];
                // Units assembled from parts are left to the solver.
                arc.requirement == r
                    && arc.part.is_none()
                    && inst.offers[arc.offer].linked.is_empty()
            })
            .partition(|&k| inst.arcs[k].pooled);
        arcs.sort_by(|&a, &b| {
            let cost = |k: usize| {
                let arc = &inst.arcs[k];
                inst.offers[arc.offer].unit_cost_m * arc.factor
            };
            cost(a).total_cmp(&cost(b)).then(a.cmp(&b))
        });
        let mut need = need_total;
        for k in arcs {
            if need <= 0.0 {
                break;
            }
            let arc = inst.arcs[k];
            let line = &inst.offers[arc.offer];
            let free = line.quantity() - used.get(&(arc.offer, phase)).copied().unwrap_or(0.0);
            let mut units = ((free / arc.factor) + 1e-9).floor().min(need);
            units = units.min(arc.max_units).max(0.0);
            if let Some(cap) = ceiling
                && inst.requirement_in_country[r]
                && line.personnel() > 0.0
            {
                let room = cap - troops.get(&phase).copied().unwrap_or(0.0);
                units = units.min((room / line.personnel() + 1e-9).floor().max(0.0));
            }
            if units <= 0.0 {
                continue;
            }
            x[k] = units;
            need -= units;
            *used.entry((arc.offer, phase)).or_default() += units * arc.factor;
            if inst.requirement_in_country[r] {
                *troops.entry(phase).or_default() += units * line.personnel();
            }
        }
        if need > 0.0 && !pooled.is_empty() {
            let personnel = inst.requirement_personnel[r];
            if let Some(cap) = ceiling
                && inst.requirement_in_country[r]
                && personnel > 0.0
            {
                let room = cap - troops.get(&phase).copied().unwrap_or(0.0);
                need = need.min((room / personnel + 1e-9).floor().max(0.0));
            }
            let ratio = inst.requirement_ratio[r];
            let deployed = fill_pool(inst, &pooled, need, ratio, phase, &used, &mut x);
            for &k in &pooled {
                *used.entry((inst.arcs[k].offer, phase)).or_default() += x[k];
            }
            if inst.requirement_in_country[r] {
                *troops.entry(phase).or_default() += deployed * personnel;
            }
        }
    }
    complete(inst, x)
}

/// Places units of the cheapest pooled arcs in a line's rotation pool until it keeps `need`
/// deployed (or its offers run out), holding no unit beyond what its deployed units need;
/// returns the units kept deployed.
fn fill_pool(
    inst: &Instance<'_>,
    arcs: &[usize],
    need: f64,
    ratio: f64,
    phase: usize,
    used: &BTreeMap<(usize, usize), f64>,
    x: &mut [f64],
) -> f64 {
    let mut order = arcs.to_vec();
    order.sort_by(|&a, &b| {
        let cost = |k: usize| inst.offers[inst.arcs[k].offer].unit_cost_m;
        cost(a).total_cmp(&cost(b)).then(a.cmp(&b))
    });
    let target = (need * ratio - 1e-9).ceil();
    let mut pool = 0.0;
    let mut taken = Vec::new();
    for k in order {
        if pool >= target {
            break;
        }
        let arc = inst.arcs[k];
        let free = inst.offers[arc.offer].quantity()
            - used.get(&(arc.offer, phase)).copied().unwrap_or(0.0);
        let units = free.min(target - pool).min(arc.max_units).max(0.0);
        if units > 0.0 {
            x[k] = units;
            pool += units;
            taken.push(k);
        }
    }
    let deployed = (pool / ratio + 1e-9).floor().min(need);
    // Units beyond what the deployed units need hold nothing: give back the dearest first.
    let mut excess = pool - (deployed * ratio - 1e-9).ceil().max(0.0);
    for &k in taken.iter().rev() {
        if excess <= 0.0 {
            break;
        }
        let back = x[k].min(excess);
        x[k] -= back;
        excess -= back;
    }
    deployed
}

/// Fills in the other variables implied by the placements `x`.
pub fn complete(inst: &Instance<'_>, x: Vec<f64>) -> Values {
    let u = accepted_units(inst, &x);
    let covered = covered(inst, &x);
    let s = inst
        .requirements
        .iter()
        .zip(&covered)
        .map(|(r, c)| (f64::from(r.quantity.get()) - c).max(0.0))
        .collect();
    let y = inst
        .respondents
        .iter()
        .map(|p| {
            let any = inst
                .offers
                .iter()
                .zip(&u)
                .any(|(line, units)| &line.respondent == p && *units > 0.0);
            if any { 1.0 } else { 0.0 }
        })
        .collect();
    Values { x, u, s, y }
}
