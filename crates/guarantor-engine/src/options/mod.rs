//! The options engine: a few concrete force packages per negotiation scenario.
//!
//! For each scenario the engine builds an [`instance::Instance`] (offers ruled out by the
//! scenario are set aside with their reason), then solves the mixed-integer program of
//! [`milp`] lexicographically: essential shortfall first, desirable shortfall second, then the
//! option's distinguishing goal (cost, fairness, footprint, concentration, conditions), then
//! cost. Options that come out identical are merged; if fewer than asked remain, no-good cuts on
//! the set of committed respondents force genuinely different coalitions. Each option is then
//! measured from its placements alone ([`report`]) and tested for N−1 robustness
//! ([`robustness`]).

pub mod greedy;
pub mod instance;
pub mod measure;
pub mod milp;
#[cfg(feature = "highs")]
pub mod reduce;
pub mod report;
pub mod request;
pub mod robust;
pub mod robustness;

use std::collections::{BTreeMap, BTreeSet};

use guarantor_domain::format;
use guarantor_domain::ids::CountryCode;
use guarantor_domain::{Campaign, Scenario};
use rayon::prelude::*;
use serde::Serialize;

use crate::summary::CampaignHeader;
use instance::Instance;
pub use milp::{Backend, Goal, ModelSize, Restrictions, Settings, SolveError};
pub use report::{ForcePackage, ShortfallKind};
pub use request::{Budget, OptionCount, RequestError, TimeLimit};

/// Integer variables beyond which the microlp backend is no longer practical on a 2-core
/// machine (see docs/PERFORMANCE.md for the measurements behind the figure).
pub const MICROLP_PRACTICAL_LIMIT: usize = 500;

/// What the decision maker asks the engine to optimise first (after coverage).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Objective {
    /// Essential coverage, then desirable coverage, then lowest cost per year (the default).
    Cheapest,
    /// Best coverage within a budget per year, then lowest cost.
    Coverage,
    /// After coverage, the smallest largest over-payment against GDP share, then cost.
    Fairest,
    /// After coverage, the smallest largest excess of troops committed over GDP share, then cost.
    FairestTroops,
    /// After coverage, the fewest troops committed, then cost.
    SmallestFootprint,
    /// After coverage, the smallest share of any essential line carried by one respondent.
    MostRobust,
    /// After coverage, the fewest offers that rest on conditions.
    FewestConditions,
}

impl Objective {
    /// Every objective, in the order alternatives are tried.
    pub const ALL: [Objective; 6] = [
        Objective::Cheapest,
        Objective::Fairest,
        Objective::FairestTroops,
        Objective::SmallestFootprint,
        Objective::MostRobust,
        Objective::FewestConditions,
    ];

    /// The label an option found by this objective carries.
    pub fn label(self) -> &'static str {
        match self {
            Objective::Cheapest => "cheapest",
            Objective::Coverage => "best coverage within budget",
            Objective::Fairest => "fairest",
            Objective::FairestTroops => "fairest troop shares",
            Objective::SmallestFootprint => "smallest footprint",
            Objective::MostRobust => "most robust",
            Objective::FewestConditions => "fewest conditions",
        }
    }

    /// The goals solved in order.
    pub fn goals(self) -> Vec<Goal> {
        let mut g = vec![Goal::EssentialShortfall, Goal::DesirableShortfall];
        match self {
            Objective::Cheapest | Objective::Coverage => {}
            Objective::Fairest => g.push(Goal::FairnessCost),
            Objective::FairestTroops => g.push(Goal::FairnessTroops),
            Objective::SmallestFootprint => g.push(Goal::Footprint),
            Objective::MostRobust => g.push(Goal::Concentration),
            Objective::FewestConditions => g.push(Goal::ConditionalOffers),
        }
        g.push(Goal::Cost);
        g
    }
}

/// Which scenarios to compute.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ScenarioChoice {
    /// The first scenario of the campaign.
    First,
    /// The scenario with this id.
    Named(String),
    /// Every scenario, side by side.
    All,
}

/// A request to the options engine; every part of it is checked where it is read.
#[derive(Debug, Clone)]
pub struct OptionsRequest {
    /// Which scenarios.
    pub scenarios: ScenarioChoice,
    /// What the first option optimises after coverage.
    pub objective: Objective,
    /// Budget per year, millions of the campaign currency (required by `Coverage`).
    pub budget: Option<Budget>,
    /// How many options per scenario.
    pub options: OptionCount,
    /// Which solver.
    pub backend: Backend,
    /// Time limit per solve.
    pub time_limit: TimeLimit,
    /// Whether to compute N−1 robustness.
    pub robustness: bool,
}

impl Default for OptionsRequest {
    fn default() -> Self {
        Self {
            scenarios: ScenarioChoice::First,
            objective: Objective::Cheapest,
            budget: None,
            options: OptionCount::DEFAULT,
            backend: Backend::default(),
            time_limit: TimeLimit::DEFAULT,
            robustness: true,
        }
    }
}

impl OptionsRequest {
    /// The solver settings of each solve.
    pub fn settings(&self) -> Settings {
        Settings {
            backend: self.backend,
            time_limit: self.time_limit.get(),
        }
    }

    /// The budget in millions per year, if any.
    fn budget_m(&self) -> Option<f64> {
        self.budget.map(Budget::millions)
    }
}

/// Why the engine could not answer.
#[derive(Debug, thiserror::Error)]
pub enum OptionsError {
    /// No scenario has that id.
    #[error("no scenario \"{0}\" in this campaign ({1})")]
    UnknownScenario(String, String),
    /// The coverage objective needs a budget.
    #[error("the coverage objective needs a budget (millions per year)")]
    BudgetRequired,
    /// The solver failed.
    #[error(transparent)]
    Solve(#[from] SolveError),
    /// The solver failed on a scenario, and still failed with each proposal left out in turn.
    #[error("scenario {scenario}: {source} (it fails with each proposal left out in turn too)")]
    Scenario {
        /// Scenario id.
        scenario: String,
        /// The first failure.
        source: SolveError,
    },
}

/// The engine's answer: options per scenario and the scenarios side by side.
#[derive(Debug, Clone, Serialize)]
pub struct OptionsReport {
    /// Which campaign.
    pub campaign: CampaignHeader,
    /// Solver used.
    pub backend: Backend,
    /// Objective of each scenario's first option.
    pub objective: Objective,
    /// Budget, when one was set.
    pub budget_m: Option<f64>,
    /// Per scenario.
    pub scenarios: Vec<ScenarioOptions>,
    /// The recommended option of each scenario against the first scenario's.
    pub comparison: Vec<ScenarioComparison>,
    /// With two or more scenarios computed: the one package of the campaign's requirements that
    /// holds best in the worst case across them, then costs least (see [`robust`]).
    pub robust: Option<robust::RobustPackage>,
    /// When the campaign defines force postures: each posture under each scenario computed,
    /// the decision maker's matrix (empty otherwise).
    pub postures: Vec<PostureOptions>,
    /// Things the user should know (e.g. a campaign too large for the default backend).
    pub warnings: Vec<String>,
    /// The saved what-if the options were computed under: hypothetical offers, not the offers on
    /// the table (`null`: the offers as they are).
    pub what_if: Option<crate::what_if::WhatIfApplied>,
}

/// The options of one scenario.
#[derive(Debug, Clone, Serialize)]
pub struct ScenarioOptions {
    /// Scenario id.
    pub scenario: String,
    /// Name.
    pub name: String,
    /// Description.
    pub description: String,
    /// The assumptions, in words.
    pub assumptions: Vec<String>,
    /// Size of the model.
    pub size: ModelSize,
    /// Proposals left out of this scenario because the solver failed with them in the model
    /// (normally empty): the options are computed without them.
    pub left_out: Vec<LeftOut>,
    /// The options, best first.
    pub options: Vec<ForcePackage>,
}

/// A proposal the engine had to leave out of a scenario: with it in the model the solver failed,
/// without it the scenario computes. One capital's figures must not deny everyone the options.
#[derive(Debug, Clone, Serialize)]
pub struct LeftOut {
    /// The respondent whose current proposal was left out.
    pub respondent: String,
    /// What failed with it, in words.
    pub reason: String,
}

/// One force posture under each scenario computed: a row of the decision maker's matrix.
#[derive(Debug, Clone, Serialize)]
pub struct PostureOptions {
    /// Posture id.
    pub posture: String,
    /// Name.
    pub name: String,
    /// What the force is for.
    pub description: String,
    /// Where its size comes from.
    pub source: String,
    /// In-country personnel its requirements ask for in their largest phase (units required ×
    /// personnel per unit, without rotation).
    pub troops_required_peak: f64,
    /// Per scenario, in the order of `scenarios`.
    pub cells: Vec<PostureCell>,
    /// The posture's robust package across the scenarios (two or more computed).
    pub robust: Option<robust::RobustPackage>,
}

/// A posture under one scenario: what its recommended option fields, at what price, resting on
/// what, and what breaks it.
#[derive(Debug, Clone, Serialize)]
pub struct PostureCell {
    /// Scenario id.
    pub scenario: String,
    /// Scenario name.
    pub name: String,
    /// Whether every essential line is fully covered.
    pub fillable: bool,
    /// Essential coverage of the recommended option.
    pub essential_coverage: Option<f64>,
    /// Essential lines fully covered, and of how many.
    pub essential_met: usize,
    /// Essential lines.
    pub essential_lines: usize,
    /// Peak in-country personnel deployed.
    pub troops_deployed_peak: f64,
    /// Personnel committed, rotation included.
    pub troops_committed: f64,
    /// Cost per year, millions.
    pub cost_per_year_m: f64,
    /// The capital committing the most troops to it (the lead nation), if any.
    pub lead: Option<String>,
    /// What it rests on ([`report::ForcePackage::rests_on`]).
    pub rests_on: Vec<String>,
    /// The single withdrawal that hurts it most, and the essential coverage left.
    pub worst_withdrawal: Option<(String, Option<f64>)>,
    /// Whether the option is proven optimal.
    pub optimal: bool,
}

/// One scenario's recommended option ([`recommend`]) against the first scenario's.
#[derive(Debug, Clone, Serialize)]
pub struct ScenarioComparison {
    /// Scenario id.
    pub scenario: String,
    /// Name.
    pub name: String,
    /// Which of the scenario's options is compared (1-based): the recommended one.
    pub option: usize,
    /// Essential coverage of that option.
    pub essential_coverage: Option<f64>,
    /// Desirable coverage.
    pub desirable_coverage: Option<f64>,
    /// Cost per year, millions.
    pub cost_per_year_m: f64,
    /// Peak in-country troops deployed.
    pub troops_deployed_peak: f64,
    /// Change of essential coverage against the baseline, percentage points.
    pub essential_coverage_change_points: Option<f64>,
    /// Change of cost per year against the baseline, millions.
    pub cost_change_m: f64,
    /// The comparison in a sentence.
    pub summary: String,
}

/// Describes a scenario's assumptions in words: facts by their meaning, capitals and sectors by
/// name.
pub(crate) fn assumptions(campaign: &Campaign, s: &Scenario) -> Vec<String> {
    let mut out: Vec<String> = s
        .facts
        .iter()
        .map(|(f, v)| {
            let meaning = campaign.facts().iter().find(|x| x.id == *f).map_or_else(
                || f.to_string(),
                |x| x.description.trim_end_matches('.').to_owned(),
            );
            if *v {
                format!("assumed: {meaning}")
            } else {
                format!("assumed not: {meaning}")
            }
        })
        .collect();
    let name = |code: &CountryCode| {
        campaign
            .respondent(code)
            .map_or_else(|| code.to_string(), |r| r.name.clone())
    };
    for e in &s.excluded_contributors {
        let who = match (&e.member_of, e.respondents.is_empty()) {
            (Some(m), true) => format!("members of {m}"),
            (Some(m), false) => format!(
                "members of {m} and {}",
                e.respondents
                    .iter()
                    .map(name)
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            (None, _) => e
                .respondents
                .iter()
                .map(name)
                .collect::<Vec<_>>()
                .join(", "),
        };
        let what = if e.categories.is_empty() {
            "anything".to_owned()
        } else {
            e.categories
                .iter()
                .map(|c| c.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        };
        out.push(format!("excluded: {who} may not contribute {what}"));
    }
    if let Some(c) = s.troop_ceiling {
        out.push(format!(
            "troop ceiling: {} in country per phase",
            guarantor_domain::format::thousands(c)
        ));
    }
    if !s.excluded_sectors.is_empty() {
        out.push(format!(
            "closed sectors: {}",
            s.excluded_sectors
                .iter()
                .map(|x| campaign.sector(x).name.clone())
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    out
}

/// The scenario used when a campaign defines none: every fact holds, nothing is excluded.
pub(crate) fn as_offered(campaign: &Campaign) -> Scenario {
    Scenario {
        id: guarantor_domain::ids::ScenarioId::parse("as-offered").unwrap_or_else(|_| unreachable!()),
        name: "As offered".into(),
        description: "The campaign defines no scenario: every scenario fact is taken to hold and nothing is excluded.".into(),
        facts: campaign.facts().iter().map(|f| (f.id.clone(), true)).collect(),
        excluded_contributors: Vec::new(),
        troop_ceiling: None,
        excluded_sectors: BTreeSet::new(),
    }
}

/// The scenarios `choice` names, in the campaign's order (`fallback`, the "as offered" scenario,
/// when the campaign defines none).
pub(crate) fn chosen_scenarios<'a>(
    campaign: &'a Campaign,
    choice: &ScenarioChoice,
    fallback: &'a Scenario,
) -> Result<Vec<&'a Scenario>, OptionsError> {
    Ok(if campaign.scenarios().is_empty() {
        if let ScenarioChoice::Named(id) = choice
            && id != fallback.id.as_str()
        {
            return Err(OptionsError::UnknownScenario(
                id.clone(),
                "the campaign defines no scenario; the engine uses \"as-offered\"".into(),
            ));
        }
        vec![fallback]
    } else {
        match choice {
            ScenarioChoice::First => campaign.scenarios().iter().take(1).collect(),
            ScenarioChoice::All => campaign.scenarios().iter().collect(),
            ScenarioChoice::Named(id) => {
                let found: Vec<&Scenario> = campaign
                    .scenarios()
                    .iter()
                    .filter(|s| s.id.as_str() == id)
                    .collect();
                if found.is_empty() {
                    let known: Vec<&str> =
                        campaign.scenarios().iter().map(|s| s.id.as_str()).collect();
                    return Err(OptionsError::UnknownScenario(
                        id.clone(),
                        format!("known: {}", known.join(", ")),
                    ));
                }
                found
            }
        }
    })
}

/// Computes the options a request asks for.
pub fn compute(
    campaign: &Campaign,
    request: &OptionsRequest,
) -> Result<OptionsReport, OptionsError> {
    if request.objective == Objective::Coverage && request.budget.is_none() {
        return Err(OptionsError::BudgetRequired);
    }
    if cfg!(not(feature = "highs")) && request.backend == Backend::Highs {
        return Err(SolveError::Unavailable("highs").into());
    }
    let fallback = as_offered(campaign);
    let chosen = chosen_scenarios(campaign, &request.scenarios, &fallback)?;
    // The campaign's own statement of requirements first, then each posture's: every one is
    // solved under every chosen scenario, and once more for its robust package.
    let under_postures: Vec<Campaign> = campaign
        .postures()
        .iter()
        .map(|p| campaign.under_posture(p))
        .collect();
    let sets: Vec<&Campaign> = std::iter::once(campaign)
        .chain(under_postures.iter())
        .collect();
    let jobs: Vec<(usize, Option<&Scenario>)> = (0..sets.len())
        .flat_map(|set| {
            chosen
                .iter()
                .map(move |s| (set, Some(*s)))
                .chain(std::iter::once((set, None)))
        })
        .collect();
    // The jobs are independent programs: on two cores the full run takes about half the time.
    // Each job keeps its own warnings, gathered below in the jobs' order, so the report does not
    // depend on which thread finished first.
    let mut done: Vec<Done> = jobs
        .par_iter()
        .map(|&(set, scenario)| match scenario {
            Some(s) => {
                let mut warnings = Vec::new();
                let options = scenario_of(sets[set], s, request, &mut warnings);
                Done::Scenario(options, warnings)
            }
            None => {
                let mut warnings = Vec::new();
                let robust =
                    robust::compute(sets[set], &chosen, request.settings(), request.budget_m())
                        .unwrap_or_else(|e| {
                            warnings.push(format!("the robust package was not computed: {e}"));
                            None
                        });
                Done::Robust(robust, warnings)
            }
        })
        .collect();
    let mut warnings = Vec::new();
    let mut per_set: Vec<(Vec<ScenarioOptions>, Option<robust::RobustPackage>)> = Vec::new();
    let mut results = done.drain(..);
    for _ in &sets {
        let mut options = Vec::new();
        for _ in &chosen {
            let Some(Done::Scenario(o, w)) = results.next() else {
                unreachable!("one result per job, in the jobs' order")
            };
            options.push(o?);
            warnings.extend(w);
        }
        let Some(Done::Robust(robust, w)) = results.next() else {
            unreachable!("one result per job, in the jobs' order")
        };
        warnings.extend(w);
        per_set.push((options, robust));
    }
    let mut per_set = per_set.into_iter();
    let (scenarios, robust) = per_set.next().expect("the campaign's own set comes first");
    let comparison = compare(&scenarios);
    let postures = campaign
        .postures()
        .iter()
        .zip(&under_postures)
        .zip(per_set)
        .map(|((posture, under), (options, robust))| {
            let mut row = posture_row(under, posture, &chosen, &options);
            row.robust = robust;
            row
        })
        .collect();
    Ok(OptionsReport {
        campaign: crate::summary::header(campaign),
        backend: request.backend,
        objective: request.objective,
        budget_m: request.budget_m(),
        scenarios,
        comparison,
        robust,
        postures,
        warnings,
        what_if: None,
    })
}

/// In-country personnel `campaign`'s requirements ask for in their largest phase (units
/// required × personnel per unit on land sectors, without rotation), under `scenario` (its
/// closed sectors drop nothing: what is required does not depend on the talks).
pub fn troops_required_peak(campaign: &Campaign, scenario: Option<&Scenario>) -> f64 {
    troops_required_by_phase(campaign, scenario)
        .into_iter()
        .map(|p| p.troops)
        .fold(0.0, f64::max)
}

/// In-country personnel the requirements ask for in each phase (units required × personnel
/// per unit, without rotation), phases in the campaign's order.
pub fn troops_required_by_phase(
    campaign: &Campaign,
    scenario: Option<&Scenario>,
) -> Vec<report::PhaseTroops> {
    let fallback = as_offered(campaign);
    let scenario = scenario.unwrap_or(&fallback);
    let inst = Instance::new(campaign, scenario, &BTreeSet::new());
    let mut by_phase = vec![0.0; campaign.phases().len()];
    for (r, req) in inst.requirements.iter().enumerate() {
        if inst.requirement_in_country[r] {
            by_phase[inst.requirement_phase[r]] +=
                f64::from(req.quantity.get()) * inst.requirement_personnel[r];
        }
    }
    campaign
        .phases()
        .iter()
        .zip(by_phase)
        .map(|(phase, troops)| report::PhaseTroops {
            phase: phase.id.to_string(),
            troops,
        })
        .collect()
}

/// A posture's row of the matrix, from its options under each scenario.
fn posture_row(
    under: &Campaign,
    posture: &guarantor_domain::Posture,
    chosen: &[&Scenario],
    options: &[ScenarioOptions],
) -> PostureOptions {
    let troops_required_peak = troops_required_peak(under, chosen.first().copied());
    let cells = options
        .iter()
        .filter_map(|s| {
            let p = &s.options[recommend(&s.options)?];
            let m = &p.measures;
            Some(PostureCell {
                scenario: s.scenario.clone(),
                name: s.name.clone(),
                fillable: m.essential_met == m.essential_lines,
                essential_coverage: m.essential_coverage,
                essential_met: m.essential_met,
                essential_lines: m.essential_lines,
                troops_deployed_peak: m.troops_deployed_peak,
                troops_committed: m.troops_committed,
                cost_per_year_m: m.cost_per_year_m,
                lead: p
                    .burden
                    .iter()
                    .filter(|b| b.troops > 0.0)
                    .max_by(|a, b| a.troops.total_cmp(&b.troops))
                    .map(|b| b.respondent.clone()),
                rests_on: p.rests_on.clone(),
                worst_withdrawal: p
                    .robustness
                    .as_ref()
                    .and_then(|r| r.worst_case.as_ref())
                    .map(|w| (w.respondent.clone(), w.essential_coverage_fixed)),
                optimal: p.solve.optimal,
            })
        })
        .collect();
    PostureOptions {
        posture: posture.id.clone(),
        name: posture.name.clone(),
        description: posture.description.clone(),
        source: posture.source.clone(),
        troops_required_peak,
        cells,
        robust: None,
    }
}

/// What one job of [`compute`] gives back.
enum Done {
    Scenario(Result<ScenarioOptions, OptionsError>, Vec<String>),
    Robust(Option<robust::RobustPackage>, Vec<String>),
}

/// The options of `campaign` under `scenario`, with what the user should know added to
/// `warnings`.
fn scenario_of(
    campaign: &Campaign,
    scenario: &Scenario,
    request: &OptionsRequest,
    warnings: &mut Vec<String>,
) -> Result<ScenarioOptions, OptionsError> {
    let inst = Instance::new(campaign, scenario, &BTreeSet::new());
    let size = milp::model_size(&inst);
    if request.backend == Backend::Microlp && size.integer_variables > MICROLP_PRACTICAL_LIMIT {
        warnings.push(format!(
            "scenario {}: {} integer variables is beyond what the microlp backend solves quickly (about {}); \
             solves stop at the {:.1} s time limit with the best package found and its gap. \
             The highs backend (the default) proves campaigns of this size.",
            scenario.id,
            size.integer_variables,
            MICROLP_PRACTICAL_LIMIT,
            request.time_limit.get().as_secs_f64()
        ));
    }
    let (options, left_out) = match scenario_options(&inst, request) {
        Ok(options) => (options, Vec::new()),
        Err(OptionsError::Solve(failure @ SolveError::Solver { .. })) => {
            let (options, left) = without_the_failing_proposal(&inst, request, failure)?;
            warnings.push(format!(
                "scenario {}: the proposal of {} is left out: {}. The options of this \
                 scenario are computed without it; ask {} to check its figures.",
                scenario.id, left.respondent, left.reason, left.respondent
            ));
            (options, vec![left])
        }
        Err(e) => return Err(e),
    };
    Ok(ScenarioOptions {
        scenario: scenario.id.to_string(),
        name: scenario.name.clone(),
        description: scenario.description.clone(),
        assumptions: assumptions(campaign, scenario),
        size,
        left_out,
        options,
    })
}

/// After the solver failed on a scenario, finds the proposal without which it computes.
///
/// A solver fails on valid input through numerical trouble, which extreme figures cause: the
/// respondents are tried largest figures first (units, yearly cost and personnel of their biggest
/// usable line), and the first one whose absence lets the scenario compute is left out. Trying
/// them in code order instead would blame whichever capital happened to tip the numerics back.
/// When no single proposal explains the failure, the error stands, naming the scenario.
fn without_the_failing_proposal(
    inst: &Instance<'_>,
    request: &OptionsRequest,
    failure: SolveError,
) -> Result<(Vec<ForcePackage>, LeftOut), OptionsError> {
    tracing::warn!(scenario = %inst.scenario.id, error = %failure, "solver failed; looking for the proposal behind it");
    let mut largest: BTreeMap<CountryCode, f64> = BTreeMap::new();
    for line in inst.offers.iter().filter(|l| l.blocked.is_none()) {
        let size = line.quantity() * line.unit_cost_m.max(line.committed_per_unit()).max(1.0);
        let entry = largest.entry(line.respondent).or_insert(0.0);
        *entry = entry.max(size);
    }
    let mut suspects: Vec<CountryCode> = inst.respondents.clone();
    suspects.sort_by(|a, b| {
        let size = |c: &CountryCode| largest.get(c).copied().unwrap_or(0.0);
        size(b).total_cmp(&size(a)).then(a.cmp(b))
    });
    let failure_text = failure.to_string();
    let failure_text = failure_text.trim_end_matches('.');
    for respondent in suspects {
        let mut withdrawn = inst.withdrawn.clone();
        if !withdrawn.insert(respondent) {
            continue;
        }
        let reduced = Instance::new(inst.campaign, inst.scenario, &withdrawn);
        if let Ok(options) = scenario_options(&reduced, request) {
            return Ok((
                options,
                LeftOut {
                    respondent: respondent.to_string(),
                    reason: format!("with its offers in the model {failure_text}"),
                },
            ));
        }
    }
    Err(OptionsError::Scenario {
        scenario: inst.scenario.id.to_string(),
        source: failure,
    })
}

/// Key identifying a package: units accepted from every offer. Packages that accept the same
/// units and differ only in where identical units are placed are the same package.
fn identity(inst: &Instance<'_>, values: &milp::Values) -> Vec<i64> {
    measure::accepted_units(inst, &values.x)
        .iter()
        .map(|u| u.round() as i64)
        .collect()
}

fn committed(inst: &Instance<'_>, values: &milp::Values) -> Vec<CountryCode> {
    measure::committed(inst, &measure::accepted_units(inst, &values.x))
        .into_iter()
        .collect()
}

fn scenario_options(
    inst: &Instance<'_>,
    request: &OptionsRequest,
) -> Result<Vec<ForcePackage>, OptionsError> {
    let settings = request.settings();
    let restrictions = Restrictions {
        budget_m: request.budget_m(),
        differ_from: Vec::new(),
    };
    let greedy = greedy_start(inst, request.budget_m());
    let warm = greedy.as_ref();

    let mut order = vec![request.objective];
    order.extend(
        Objective::ALL
            .iter()
            .copied()
            .filter(|o| *o != request.objective),
    );
    // Every objective reaches the same coverage first (the coverage goals do not depend on what
    // comes after them), so the coverage stages are solved once and shared.
    let coverage = milp::continue_lexicographic(
        inst,
        settings,
        &Objective::Cheapest.goals()[..2],
        &restrictions,
        warm,
        None,
    )?;
    let mut found: Vec<(Vec<i64>, milp::Values, Vec<String>, milp::SolveOutcome)> = Vec::new();
    for objective in order {
        if found.len() >= request.options.get() {
            break;
        }
        let milp::Solved {
            values, outcome, ..
        } = milp::continue_lexicographic(
            inst,
            settings,
            &objective.goals(),
            &restrictions,
            warm,
            Some(&coverage),
        )?;
        let id = identity(inst, &values);
        if let Some(existing) = found.iter_mut().find(|f| f.0 == id) {
            existing.2.push(objective.label().to_owned());
        } else {
            found.push((id, values, vec![objective.label().to_owned()], outcome));
        }
    }
    // Genuinely different coalitions when the objectives agree.
    let mut cuts: Vec<Vec<CountryCode>> = found.iter().map(|f| committed(inst, &f.1)).collect();
    while found.len() < request.options.get() && !inst.respondents.is_empty() {
        let r = Restrictions {
            budget_m: request.budget_m(),
            differ_from: cuts.clone(),
        };
        let Ok((values, outcome)) =
            milp::solve_lexicographic(inst, settings, &Objective::Cheapest.goals(), &r, None)
        else {
            break;
        };
        cuts.push(committed(inst, &values));
        let id = identity(inst, &values);
        if found.iter().any(|f| f.0 == id) {
            break;
        }
        found.push((
            id,
            values,
            vec!["alternative coalition".to_owned()],
            outcome,
        ));
    }

    // Re-optimised coverage without each respondent: depends on the scenario only, so cached.
    // Nobody's withdrawal can lower the essential shortfall below the scenario's own optimum.
    let floor = coverage.outcome.optimal.then(|| coverage.bounds[0].1);
    let mut cache: BTreeMap<CountryCode, Option<f64>> = BTreeMap::new();
    let mut packages = Vec::new();
    for (_, values, labels, outcome) in &found {
        let mut pkg = report::package(inst, values, labels.clone(), *outcome, request.budget_m());
        if request.robustness {
            let participants = committed(inst, values);
            pkg.robustness = Some(robustness::assess(inst, values, &participants, |p| {
                *cache
                    .entry(p)
                    .or_insert_with(|| reoptimise_without(inst, request, p, floor))
            }));
        }
        packages.push(pkg);
    }
    describe_distinctions(&mut packages);
    Ok(packages)
}

/// The greedy packer's package as a start for the solver, when it keeps to the budget (the packer
/// knows none).
fn greedy_start(inst: &Instance<'_>, budget_m: Option<f64>) -> Option<milp::Values> {
    let greedy = greedy::pack(inst);
    budget_m
        .is_none_or(|b| measure::derived(inst, &greedy).cost_m <= b + 1e-6)
        .then_some(greedy)
}

/// The best essential coverage without `gone`. `floor`, the scenario's proven optimal essential
/// shortfall with everyone, bounds it from below: a withdrawal takes units away and adds no
/// constraint that could be relaxed, so when the greedy packer without `gone` already reaches the
/// floor it is optimal and no program is solved (most withdrawals on the demo).
fn reoptimise_without(
    inst: &Instance<'_>,
    request: &OptionsRequest,
    gone: CountryCode,
    floor: Option<f64>,
) -> Option<f64> {
    let mut withdrawn = inst.withdrawn.clone();
    withdrawn.insert(gone);
    let reduced = Instance::new(inst.campaign, inst.scenario, &withdrawn);
    let restrictions = Restrictions {
        budget_m: request.budget_m(),
        differ_from: Vec::new(),
    };
    let coverage_of = |values: &milp::Values| {
        let m = measure::derived(&reduced, values);
        measure::mean_coverage(&reduced, &m.covered, guarantor_domain::Priority::Essential)
    };
    let greedy = greedy_start(&reduced, request.budget_m());
    let warm = greedy.as_ref();
    if let (Some(warm), Some(floor)) = (warm, floor)
        && measure::goal_value(&reduced, warm, Goal::EssentialShortfall) <= floor + 1e-9
    {
        tracing::trace!(%gone, "the greedy package without it reaches the scenario's optimum");
        return coverage_of(warm);
    }
    // Only essential coverage is reported for a withdrawal: the desirable stage would not change
    // it.
    let goals = [Goal::EssentialShortfall];
    milp::solve_lexicographic(&reduced, request.settings(), &goals, &restrictions, warm)
        .ok()
        .and_then(|(values, _)| coverage_of(&values))
}

fn percent(x: Option<f64>) -> String {
    format::percent_or_na(x, 0)
}

/// Whether two packages field the same force: the same units cover every requirement line.
fn same_force(a: &ForcePackage, b: &ForcePackage) -> bool {
    a.coverage.len() == b.coverage.len()
        && a.coverage
            .iter()
            .zip(&b.coverage)
            .all(|(x, y)| x.requirement == y.requirement && (x.covered - y.covered).abs() < 1e-6)
}

fn describe_distinctions(packages: &mut [ForcePackage]) {
    let Some(first) = packages.first().cloned() else {
        return;
    };
    // A later option fielding the same force as an earlier one is a burden-sharing variant of
    // it: say so first, so that it is not read as a different strategic choice.
    for i in 1..packages.len() {
        let (earlier, rest) = packages.split_at_mut(i);
        rest[0].same_force_as = earlier
            .iter()
            .position(|e| e.same_force_as.is_none() && same_force(e, &rest[0]))
            .map(|j| j + 1);
    }
    for (i, p) in packages.iter_mut().enumerate() {
        if i == 0 {
            p.distinction = format!(
                "{}: essential coverage {}, {} m per year, {} participants",
                p.labels.join(", "),
                percent(p.measures.essential_coverage),
                format::millions(p.measures.cost_per_year_m),
                p.participants.len()
            );
            continue;
        }
        let a: BTreeSet<&String> = first.participants.iter().collect();
        let b: BTreeSet<&String> = p.participants.iter().collect();
        let added: Vec<&str> = b.difference(&a).map(|s| s.as_str()).collect();
        let dropped: Vec<&str> = a.difference(&b).map(|s| s.as_str()).collect();
        let mut parts = vec![format!(
            "cost {} m per year",
            format::signed_millions(p.measures.cost_per_year_m - first.measures.cost_per_year_m)
        )];
        parts.push(format!(
            "troops committed {}",
            format::signed_count(p.measures.troops_committed - first.measures.troops_committed)
        ));
        if !added.is_empty() {
            parts.push(format!("adds {}", added.join(" ")));
        }
        if !dropped.is_empty() {
            parts.push(format!("without {}", dropped.join(" ")));
        }
        parts.push(format!(
            "conditional offers {} (first option {})",
            p.measures.conditional_offers, first.measures.conditional_offers
        ));
        let variant = p.same_force_as.map_or_else(String::new, |n| {
            format!("the same force as option {n}, provided and paid for differently; ")
        });
        p.distinction = format!("{}: {variant}{}", p.labels.join(", "), parts.join(", "));
    }
}

/// The options that field the same force as an earlier one, grouped in words ("Options 2 and 3
/// field the same force as option 1: …"); `None` when every option fields a force of its own.
pub fn same_force_groups(options: &[ForcePackage]) -> Option<String> {
    let mut groups: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for (i, p) in options.iter().enumerate() {
        if let Some(n) = p.same_force_as {
            groups.entry(n).or_default().push(i + 1);
        }
    }
    if groups.is_empty() {
        return None;
    }
    let sentences: Vec<String> = groups
        .into_iter()
        .map(|(n, variants)| {
            let names: Vec<String> = variants.iter().map(ToString::to_string).collect();
            let (head, tail) = names.split_at(names.len() - 1);
            let listed = if head.is_empty() {
                format!("Option {}", tail[0])
            } else {
                format!("Options {} and {}", head.join(", "), tail[0])
            };
            format!(
                "{listed} {} the same force as option {n}",
                if variants.len() == 1 {
                    "fields"
                } else {
                    "field"
                }
            )
        })
        .collect();
    Some(format!(
        "{}: they differ only in who provides and pays for it (burden sharing), not in what is fielded.",
        sentences.join("; ")
    ))
}

/// The option recommended among a scenario's: the best essential coverage, then the best
/// essential coverage left after its worst single withdrawal, then the lowest cost, then the
/// earlier option (coverage compared to a tenth of a percentage point, so that solver noise does
/// not decide). The brief recommends it and the scenario comparison compares it.
pub fn recommend(options: &[ForcePackage]) -> Option<usize> {
    // Coverage compared to a tenth of a percentage point so that solver noise does not decide.
    let key = |p: &ForcePackage| {
        let essential = (p.measures.essential_coverage.unwrap_or(1.0) * 1000.0).round() as i64;
        let robust = p
            .robustness
            .as_ref()
            .and_then(|r| r.worst_case.as_ref())
            .and_then(|w| w.essential_coverage_fixed)
            .map_or(essential, |c| (c * 1000.0).round() as i64);
        (essential, robust)
    };
    options
        .iter()
        .enumerate()
        .max_by(|(i, a), (j, b)| {
            key(a)
                .cmp(&key(b))
                .then(
                    b.measures
                        .cost_per_year_m
                        .total_cmp(&a.measures.cost_per_year_m),
                )
                .then(j.cmp(i))
        })
        .map(|(i, _)| i)
}

fn compare(scenarios: &[ScenarioOptions]) -> Vec<ScenarioComparison> {
    fn recommended(s: &ScenarioOptions) -> Option<(usize, &ForcePackage)> {
        recommend(&s.options).map(|i| (i, &s.options[i]))
    }
    let baseline = scenarios
        .first()
        .and_then(recommended)
        .map(|(_, p)| p.measures.clone());
    scenarios
        .iter()
        .filter_map(|s| {
            let (i, p) = recommended(s)?;
            let m = &p.measures;
            let base = baseline.as_ref()?;
            let points = match (m.essential_coverage, base.essential_coverage) {
                (Some(a), Some(b)) => Some((a - b) * 100.0),
                _ => None,
            };
            let cost_change = m.cost_per_year_m - base.cost_per_year_m;
            Some(ScenarioComparison {
                scenario: s.scenario.clone(),
                name: s.name.clone(),
                option: i + 1,
                essential_coverage: m.essential_coverage,
                desirable_coverage: m.desirable_coverage,
                cost_per_year_m: m.cost_per_year_m,
                troops_deployed_peak: m.troops_deployed_peak,
                essential_coverage_change_points: points,
                cost_change_m: (cost_change * 1000.0).round() / 1000.0,
                summary: format!(
                    "{}: essential coverage {} → {}, cost {} m per year",
                    s.name,
                    percent(base.essential_coverage),
                    percent(m.essential_coverage),
                    format::signed_millions(cost_change)
                ),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The assumptions are read by decision makers: facts by their meaning, sectors and
    /// capitals by name, figures grouped; no identifier of the file.
    #[test]
    fn assumptions_read_in_words_not_ids() {
        let campaign = guarantor_domain::parse_campaign(
            include_str!("../../../../examples/demo-campaign.json"),
            guarantor_domain::FileFormat::Json,
        )
        .expect("the demo is valid");
        let capped = campaign
            .scenarios()
            .iter()
            .find(|s| s.troop_ceiling.is_some())
            .expect("a scenario with a troop ceiling");
        let words = assumptions(&campaign, capped).join("; ");
        for id in campaign.facts().iter().map(|f| f.id.to_string()) {
            assert!(!words.contains(&id), "{id} in: {words}");
        }
        assert!(
            words.contains("assumed: The UN Security Council mandates the mission"),
            "{words}"
        );
        assert!(words.contains("troop ceiling: 15,000"), "{words}");
        assert!(
            words.contains("closed sectors: East, along the line of contact"),
            "{words}"
        );
    }
}
