//! The robust package: one package that holds whatever the talks settle.
//!
//! Every scenario's option is best under that scenario; the decision maker also needs the one
//! set of accepted offers that does best in the worst case across all of them (see
//! [`super::milp::solve_robust`] for the model). It is computed for the campaign's statement of
//! requirements and for each force posture when two or more scenarios are computed.

use serde::Serialize;

use guarantor_domain::{Campaign, Priority, Scenario};

use super::instance::Instance;
use super::milp::{self, Settings, SolveError};
use super::report;

/// The package that maximises the worst-case essential coverage across the scenarios, then the
/// essential and desirable coverage of all of them, then costs least.
#[derive(Debug, Clone, Serialize)]
pub struct RobustPackage {
    /// Its lowest essential coverage over the scenarios (null without essential lines).
    pub worst_essential_coverage: Option<f64>,
    /// The scenario where that lowest coverage is reached (the first such).
    pub worst_scenario: String,
    /// Cost per year of every unit accepted, millions (paid whatever the talks settle).
    pub cost_per_year_m: f64,
    /// Personnel committed by the units accepted, rotation included.
    pub troops_committed: f64,
    /// The offers accepted and their units.
    pub accepted: Vec<RobustOffer>,
    /// How it holds under each scenario, in the order of the report's scenarios.
    pub by_scenario: Vec<RobustCell>,
    /// Whether every stage was proven optimal.
    pub optimal: bool,
    /// Wall time of its solves, seconds.
    pub seconds: f64,
}

/// An offer the robust package accepts.
#[derive(Debug, Clone, Serialize)]
pub struct RobustOffer {
    /// Respondent code.
    pub respondent: String,
    /// Offer id.
    pub offer: String,
    /// Capability.
    pub capability: String,
    /// Units accepted.
    pub units: f64,
    /// Cost per year, millions.
    pub cost_per_year_m: f64,
    /// Scenarios in which the offer cannot serve at all (excluded or resting on a fact that
    /// does not hold there): accepted for the others, it counts for nothing in these.
    pub idle_in: Vec<String>,
}

/// The robust package under one scenario.
#[derive(Debug, Clone, Serialize)]
pub struct RobustCell {
    /// Scenario id.
    pub scenario: String,
    /// Scenario name.
    pub name: String,
    /// Essential coverage of its placements there.
    pub essential_coverage: Option<f64>,
    /// Essential lines fully covered there.
    pub essential_met: usize,
    /// Essential lines.
    pub essential_lines: usize,
    /// Desirable coverage there.
    pub desirable_coverage: Option<f64>,
    /// Peak in-country personnel deployed there.
    pub troops_deployed_peak: f64,
    /// Where the accepted units serve there and what each line gets.
    pub package: report::ForcePackage,
}

/// The robust package of `campaign` (its own requirements, or a posture's) across `chosen`;
/// `None` with fewer than two scenarios, where it is the scenario's own option.
pub fn compute(
    campaign: &Campaign,
    chosen: &[&Scenario],
    settings: Settings,
    budget_m: Option<f64>,
) -> Result<Option<RobustPackage>, SolveError> {
    if chosen.len() < 2 {
        return Ok(None);
    }
    let insts: Vec<Instance<'_>> = chosen
        .iter()
        .map(|s| Instance::new(campaign, s, &Default::default()))
        .collect();
    let solved = milp::solve_robust(&insts, settings, budget_m)?;
    let mut by_scenario = Vec::new();
    for (inst, values) in insts.iter().zip(&solved.values) {
        let package = report::package(
            inst,
            values,
            vec!["robust across the scenarios".into()],
            solved.outcome,
            budget_m,
        );
        let m = &package.measures;
        by_scenario.push(RobustCell {
            scenario: inst.scenario.id.to_string(),
            name: inst.scenario.name.clone(),
            essential_coverage: m.essential_coverage,
            essential_met: m.essential_met,
            essential_lines: m.essential_lines,
            desirable_coverage: m.desirable_coverage,
            troops_deployed_peak: m.troops_deployed_peak,
            package,
        });
    }
    let worst = by_scenario
        .iter()
        .min_by(|a, b| {
            a.essential_coverage
                .unwrap_or(1.0)
                .total_cmp(&b.essential_coverage.unwrap_or(1.0))
        })
        .map(|c| (c.essential_coverage, c.scenario.clone()));
    let first = &insts[0];
    let mut accepted = Vec::new();
    let (mut cost, mut troops) = (0.0, 0.0);
    for (o, units) in solved.accepted.iter().enumerate() {
        if *units <= 0.0 {
            continue;
        }
        let line = &first.offers[o];
        cost += line.unit_cost_m * units;
        troops += line.committed_per_unit() * units;
        accepted.push(RobustOffer {
            respondent: line.respondent.to_string(),
            offer: line.offer.id.to_string(),
            capability: line.capability.id.to_string(),
            units: *units,
            cost_per_year_m: (line.unit_cost_m * units * 1000.0).round() / 1000.0,
            idle_in: insts
                .iter()
                .filter(|i| i.offers[o].blocked.is_some())
                .map(|i| i.scenario.id.to_string())
                .collect(),
        });
    }
    let essential = campaign
        .requirements()
        .iter()
        .any(|r| r.priority == Priority::Essential);
    let (worst_essential_coverage, worst_scenario) = worst.unwrap_or((None, String::new()));
    Ok(Some(RobustPackage {
        worst_essential_coverage: worst_essential_coverage.filter(|_| essential),
        worst_scenario,
        cost_per_year_m: (cost * 1000.0).round() / 1000.0,
        troops_committed: troops,
        accepted,
        by_scenario,
        optimal: solved.outcome.optimal,
        seconds: solved.outcome.seconds,
    }))
}
