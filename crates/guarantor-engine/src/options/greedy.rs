//! A simple greedy packer: the baseline the optimiser must never do worse than, and its warm start.
//!
//! Requirements are filled in order, essential first; each takes the cheapest usable units still
//! free. Offers with linked conditions are left out (the packer does not reason about who
//! commits), and a troop ceiling is respected phase by phase.

use std::collections::BTreeMap;

use guarantor_domain::Priority;

use super::instance::Instance;
use super::measure::accepted_units;
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
        let mut arcs: Vec<usize> = (0..inst.arcs.len())
            .filter(|&k| {
                inst.arcs[k].requirement == r && inst.offers[inst.arcs[k].offer].linked.is_empty()
            })
            .collect();
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
    }
    complete(inst, x)
}

/// Fills in the other variables implied by the placements `x`.
pub fn complete(inst: &Instance<'_>, x: Vec<f64>) -> Values {
    let u = accepted_units(inst, &x);
    let mut covered = vec![0.0; inst.requirements.len()];
    for (k, arc) in inst.arcs.iter().enumerate() {
        covered[arc.requirement] += x[k];
    }
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
