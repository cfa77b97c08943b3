//! N−1 robustness: how a package holds when one respondent walks away.
//!
//! Two readings per respondent. *Fixed*: the package stays as decided, the respondent's units
//! go, and so do offers whose linked conditions it carried ("if X commits", "with ≥ N
//! partners"), repeatedly, until nothing else falls. *Re-optimised*: the best package that can be
//! built without it (the same lexicographic coverage goals, so the figure depends only on the
//! scenario and the respondent, and is computed once per pair).

use std::collections::BTreeSet;

use guarantor_domain::Priority;
use guarantor_domain::ids::CountryCode;
use serde::Serialize;

use super::instance::{Instance, Linked};
use super::measure::{accepted_units, mean_coverage};
use super::milp::Values;

/// How a package holds if each participant withdraws.
#[derive(Debug, Clone, Serialize)]
pub struct Robustness {
    /// One line per participant, by code.
    pub by_respondent: Vec<WithdrawalImpact>,
    /// The participant whose withdrawal hurts essential coverage most (package fixed).
    pub worst_case: Option<WithdrawalImpact>,
}

/// The effect of one respondent withdrawing.
#[derive(Debug, Clone, Serialize)]
pub struct WithdrawalImpact {
    /// Who withdraws.
    pub respondent: String,
    /// Essential coverage of the package with its units gone (and what fell with them).
    pub essential_coverage_fixed: Option<f64>,
    /// Essential lines still fully covered, package fixed.
    pub essential_met_fixed: usize,
    /// Essential coverage of the best package without it.
    pub essential_coverage_reoptimised: Option<f64>,
    /// Other respondents' offers that fall with it (linked conditions), as `RESPONDENT/OFFER`.
    pub cascade: Vec<String>,
}

/// Placements left when `gone` withdraws from the package `values`, with the cascade of linked
/// conditions; returns the remaining placements and the offers that fell.
pub fn without(inst: &Instance<'_>, values: &Values, gone: CountryCode) -> (Vec<f64>, Vec<String>) {
    let mut x = values.x.clone();
    let mut fallen: BTreeSet<usize> = BTreeSet::new();
    for (k, arc) in inst.arcs.iter().enumerate() {
        if inst.offers[arc.offer].respondent == gone {
            x[k] = 0.0;
        }
    }
    loop {
        let accepted = accepted_units(inst, &x);
        let committed = super::measure::committed(inst, &accepted);
        let falling: Vec<usize> = (0..inst.offers.len())
            .filter(|&o| accepted[o] > 0.0)
            .filter(|&o| {
                let line = &inst.offers[o];
                line.linked.iter().any(|l| match l {
                    Linked::IfCommits(code) => !committed.contains(code),
                    Linked::MinPartners(n) => {
                        committed.iter().filter(|c| **c != line.respondent).count() < *n as usize
                    }
                })
            })
            .collect();
        if falling.is_empty() {
            break;
        }
        for o in falling {
            fallen.insert(o);
            for (k, arc) in inst.arcs.iter().enumerate() {
                if arc.offer == o {
                    x[k] = 0.0;
                }
            }
        }
    }
    let cascade = fallen
        .into_iter()
        .map(|o| format!("{}/{}", inst.offers[o].respondent, inst.offers[o].offer.id))
        .collect();
    (x, cascade)
}

/// Assesses a package; `reoptimised` gives the best essential coverage without a respondent.
pub fn assess(
    inst: &Instance<'_>,
    values: &Values,
    participants: &[CountryCode],
    mut reoptimised: impl FnMut(CountryCode) -> Option<f64>,
) -> Robustness {
    let by_respondent: Vec<WithdrawalImpact> = participants
        .iter()
        .map(|&p| {
            let (x, cascade) = without(inst, values, p);
            // A pool that loses a member keeps fewer deployed: ⌊what is left ÷ ratio⌋.
            let covered = super::measure::covered(inst, &x);
            let essential_met_fixed = inst
                .requirements
                .iter()
                .zip(&covered)
                .filter(|(r, c)| {
                    r.priority == Priority::Essential && **c + 1e-9 >= f64::from(r.quantity.get())
                })
                .count();
            WithdrawalImpact {
                respondent: p.to_string(),
                essential_coverage_fixed: mean_coverage(inst, &covered, Priority::Essential),
                essential_met_fixed,
                essential_coverage_reoptimised: reoptimised(p),
                cascade,
            }
        })
        .collect();
    let worst_case = by_respondent
        .iter()
        .min_by(|a, b| {
            // Ranked by the package as fixed; a failed re-optimisation does not make a
            // withdrawal look harmless, so it falls back to the fixed figure.
            let key = |w: &WithdrawalImpact| {
                let fixed = w.essential_coverage_fixed.unwrap_or(1.0);
                (fixed, w.essential_coverage_reoptimised.unwrap_or(fixed))
            };
            key(a)
                .partial_cmp(&key(b))
                .unwrap_or(std::cmp::Ordering::Equal)
        })
        .cloned();
    Robustness {
        by_respondent,
        worst_case,
    }
}
