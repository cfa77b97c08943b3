//! The mixed-integer program: variables, constraints, goals, and lexicographic solving.
//!
//! Variables (per instance):
//! - `x[a]` units deployed on arc `a` (offer → requirement), integer, bounded by
//!   min(required, ⌊offered ÷ rotation factor⌋); a requirement never gets more than it needs;
//!   on a pooled arc, units placed in the line's rotation pool, bounded by
//!   min(offered, ⌈required × ratio⌉);
//! - `d[r]` units the rotation pool of requirement `r` keeps deployed (integer; only for lines
//!   with pooled arcs): ratio·d ≤ Σ pooled x ≤ ratio·d (plus just under one unit when the ratio
//!   is fractional), so the pool holds exactly what its deployed units need. The line's
//!   coverage is Σ x over arcs that deploy directly + d, and d counts against a troop ceiling;
//! - `e[r]` units assembled from parts for requirement `r` (integer; only for lines whose
//!   capability is composite and every part of which some offer can serve): for each part `k`,
//!   Σ x over the line's arcs of that part = n_k·e (n_k units of the part per assembled unit),
//!   so parts are placed in whole sets. The line's coverage adds e; the parts' personnel count
//!   against a troop ceiling as they deploy;
//! - `u[o]` units accepted from offer `o`: for each phase, Σ factor·x over the offer's arcs in
//!   that phase ≤ u[o] ≤ offered;
//! - `s[r]` shortfall of requirement `r`, continuous: Σ x + s ≥ required;
//! - `y[p]` respondent `p` commits (binary): u[o] ≤ offered·y[owner], y[p] ≤ Σ x over p's arcs;
//! - `a[o]` offer with linked conditions is taken (binary): u[o] ≤ offered·a[o],
//!   a[o] ≤ y[X] ("if X commits"), N·a[o] ≤ Σ y of other respondents ("with ≥ N partners");
//! - `c[o]` conditional offer is taken (binary; only for the "fewest conditions" goal);
//! - `F` the largest over-payment (fairness goal), `Z` the largest single-respondent share of an
//!   essential requirement (robustness goal);
//! - `m[o,t]` (fairness goals only) marks the phase whose load sets u[o], so that u[o] equals the
//!   largest phase load exactly: u[o] ≤ load[o,t] + offered·(1 − m[o,t]), Σ_t m[o,t] = 1.
//!   Without it a fairness goal could "accept" units it never places to dilute shares.
//!
//! Goals are minimised one after another: each solved goal becomes a bound (its optimum plus a
//! small tolerance) on the next, so essential coverage is never traded for anything else. A
//! troop ceiling caps in-country personnel deployed in each phase; a budget caps cost per year.

use std::collections::{BTreeMap, BTreeSet};
use std::time::{Duration, Instant};

use good_lp::solvers::{WithInitialSolution, WithMipGap, WithTimeLimit};
use good_lp::{
    Constraint, Expression, ProblemVariables, ResolutionError, Solution, SolutionStatus,
    SolverModel, Variable, variable,
};
use guarantor_domain::Priority;
use guarantor_domain::ids::CountryCode;

use super::instance::{Instance, Linked};

/// Slack that lets an integer number of accepted units round a fractional load up, not more.
const ROUND_UP: f64 = 1.0 - 1e-6;

/// HiGHS presolve rule bits (`presolve_rule_off`), see HiGHS's option documentation.
#[cfg(feature = "highs")]
const PROBING: i32 = 1 << 15;
#[cfg(feature = "highs")]
const ENUMERATION: i32 = 1 << 16;

/// A shortfall optimum at or below this is "no shortfall" (shortfall values are whole units
/// over required quantities, so the next value above 0 is at least 1 ÷ the largest quantity).
const ZERO_SHORTFALL: f64 = 1e-9;

/// Largest factor a goal is multiplied by to make its coefficients whole numbers (the least
/// common multiple of the required quantities, for shortfall goals); beyond it the goal is kept
/// as it is and bounded with a relative tolerance instead.
const MAX_INTEGRAL_SCALE: u64 = 1_000_000;

/// Relative tolerance of a bound on a goal whose values are not on a known grid (fairness,
/// concentration), and of the check that a package meets it.
const BOUND_TOLERANCE: f64 = 1e-6;

/// Relative optimality gap at which a solve counts as proven optimal.
pub const MIP_GAP: f32 = 1e-6;

/// Which solver does the work.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Backend {
    /// microlp: pure Rust, in every build.
    Microlp,
    /// HiGHS: the `highs` cargo feature (on by default).
    Highs,
}

impl Default for Backend {
    /// HiGHS where the build has it (it proves what microlp cannot), microlp otherwise.
    fn default() -> Self {
        if cfg!(feature = "highs") {
            Backend::Highs
        } else {
            Backend::Microlp
        }
    }
}

impl Backend {
    /// The backends this build has.
    pub fn available() -> Vec<Backend> {
        let mut v = vec![Backend::Microlp];
        if cfg!(feature = "highs") {
            v.push(Backend::Highs);
        }
        v
    }

    /// The name shown to users.
    pub fn as_str(self) -> &'static str {
        match self {
            Backend::Microlp => "microlp",
            Backend::Highs => "highs",
        }
    }
}

/// Something to minimise.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Goal {
    /// Σ over essential requirements of shortfall ÷ required.
    EssentialShortfall,
    /// Σ over desirable requirements of shortfall ÷ required.
    DesirableShortfall,
    /// Cost per year, millions of the campaign currency.
    Cost,
    /// Personnel committed (rotation included), thousands.
    Footprint,
    /// Largest amount by which a respondent pays more than its GDP share of the cost, millions.
    FairnessCost,
    /// Largest number of troops by which a respondent exceeds its GDP share of the troops.
    FairnessTroops,
    /// Largest share of any essential requirement carried by one respondent.
    Concentration,
    /// Number of accepted offers that carry a condition.
    ConditionalOffers,
}

/// Extra constraints on a solve.
#[derive(Debug, Clone, Default)]
pub struct Restrictions {
    /// Cap on cost per year, millions.
    pub budget_m: Option<f64>,
    /// Participation sets to differ from (no-good cuts), each as the set that committed.
    pub differ_from: Vec<Vec<CountryCode>>,
}

/// Solver settings.
#[derive(Debug, Clone, Copy)]
pub struct Settings {
    /// Which solver.
    pub backend: Backend,
    /// Time limit per solve.
    pub time_limit: Duration,
}

/// Values of every variable of one solution.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Values {
    /// Per arc.
    pub x: Vec<f64>,
    /// Per offer (0 for offers without arcs).
    pub u: Vec<f64>,
    /// Per requirement.
    pub s: Vec<f64>,
    /// Per instance respondent.
    pub y: Vec<f64>,
}

/// How a solve ended.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct SolveOutcome {
    /// True when every stage was proven optimal.
    pub optimal: bool,
    /// When a stage stopped at the time limit: its relative gap to the LP bound.
    pub gap: Option<f64>,
    /// Wall time of all stages, seconds.
    pub seconds: f64,
    /// Solves run (stages).
    pub solves: usize,
}

/// Why a solve failed.
#[derive(Debug, thiserror::Error)]
pub enum SolveError {
    /// The backend reported an error (never infeasibility: shortfall variables keep every
    /// instance feasible unless a budget is below zero).
    #[error("the {backend} solver failed: {message}")]
    Solver {
        /// Backend name.
        backend: &'static str,
        /// What it said.
        message: String,
    },
    /// The requested backend is not in this build.
    #[error(
        "the {0} backend is not in this build: it was built with `--no-default-features`; rebuild with the default features"
    )]
    Unavailable(&'static str),
    /// No package meets the restrictions (a budget below zero, or every coalition already cut
    /// off by the no-good cuts).
    #[error("no package meets the restrictions")]
    Infeasible,
    /// The solver reached its time limit before it found any package.
    #[error(
        "the {0} solver reached its time limit before finding any package: allow more time per solve (--time-limit)"
    )]
    Stopped(&'static str),
}

/// Handles of the variables of one built model.
struct Vars {
    /// Column index of each `x` in the solver's model (the order variables were added); only
    /// HiGHS reports reduced costs by column.
    #[cfg_attr(not(feature = "highs"), allow(dead_code))]
    col_x: Vec<usize>,
    /// Column index of each `u`.
    #[cfg_attr(not(feature = "highs"), allow(dead_code))]
    col_u: Vec<Option<usize>>,
    m: BTreeMap<(usize, usize), Variable>,
    x: Vec<Variable>,
    u: Vec<Option<Variable>>,
    s: Vec<Variable>,
    y: Vec<Variable>,
    a: Vec<Option<Variable>>,
    c: Vec<Option<Variable>>,
    d: Vec<Option<Variable>>,
    e: Vec<Option<Variable>>,
    f: Option<Variable>,
    z: Option<Variable>,
}

/// Sizes of a model, for messages and benchmarks.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct ModelSize {
    /// Current offer lines considered.
    pub offers: usize,
    /// Requirement lines.
    pub requirements: usize,
    /// Usable (offer, requirement) pairs.
    pub arcs: usize,
    /// Integer and binary variables.
    pub integer_variables: usize,
}

/// Counts the integer variables the default goals create.
pub fn model_size(inst: &Instance<'_>) -> ModelSize {
    let int_arcs = inst.arcs.len();
    let mut with_arcs = vec![false; inst.offers.len()];
    for a in &inst.arcs {
        with_arcs[a.offer] = true;
    }
    let int_offers = (0..inst.offers.len()).filter(|&o| with_arcs[o]).count();
    let linked = (0..inst.offers.len())
        .filter(|&o| with_arcs[o] && !inst.offers[o].linked.is_empty())
        .count();
    ModelSize {
        offers: inst.offers.len(),
        requirements: inst.requirements.len(),
        arcs: inst.arcs.len(),
        integer_variables: int_arcs
            + int_offers
            + linked
            + inst.respondents.len()
            + (0..inst.requirements.len())
                .filter(|&r| inst.has_pool(r))
                .count()
            + (0..inst.requirements.len())
                .filter(|&r| inst.has_assembly(r))
                .count(),
    }
}

fn build(inst: &Instance<'_>, goals: &[Goal], relax: bool) -> (ProblemVariables, Vars) {
    let mut pv = ProblemVariables::new();
    let v = build_in(&mut pv, inst, goals, relax);
    (pv, v)
}

/// Adds the variables of one instance's model to `pv` (several instances share one program in
/// [`solve_robust`]).
fn build_in(pv: &mut ProblemVariables, inst: &Instance<'_>, goals: &[Goal], relax: bool) -> Vars {
    let int = |def: good_lp::VariableDefinition| if relax { def } else { def.integer() };
    let bin = || {
        if relax {
            variable().min(0.0).max(1.0)
        } else {
            variable().binary()
        }
    };
    let mut with_arcs = vec![false; inst.offers.len()];
    for a in &inst.arcs {
        with_arcs[a.offer] = true;
    }
    let mut col_x = Vec::with_capacity(inst.arcs.len());
    let x = inst
        .arcs
        .iter()
        .map(|a| {
            let def = variable().min(0.0).max(a.max_units);
            col_x.push(pv.len());
            pv.add(int(def))
        })
        .collect();
    let mut col_u = vec![None; inst.offers.len()];
    let u = inst
        .offers
        .iter()
        .enumerate()
        .map(|(o, line)| {
            with_arcs[o].then(|| {
                let def = variable().min(0.0).max(line.quantity());
                col_u[o] = Some(pv.len());
                pv.add(int(def))
            })
        })
        .collect();
    // Shortfalls are whole units: Σ x + s ≥ required with whole x and a whole requirement, so
    // an integer s loses no package and lets the solver branch on, and round, shortfall goals.
    let s = inst
        .requirements
        .iter()
        .map(|r| pv.add(int(variable().min(0.0).max(f64::from(r.quantity.get())))))
        .collect();
    let y = inst
        .respondents
        .iter()
        .map(|p| {
            let can = inst.can_commit(p) && !inst.withdrawn.contains(p);
            pv.add(int(variable().min(0.0).max(if can { 1.0 } else { 0.0 })))
        })
        .collect();
    let a = inst
        .offers
        .iter()
        .enumerate()
        .map(|(o, line)| (with_arcs[o] && !line.linked.is_empty()).then(|| pv.add(bin())))
        .collect();
    let c = inst
        .offers
        .iter()
        .enumerate()
        .map(|(o, line)| {
            (goals.contains(&Goal::ConditionalOffers) && with_arcs[o] && line.conditional())
                .then(|| pv.add(bin()))
        })
        .collect();
    let mut pooled = vec![false; inst.requirements.len()];
    for a in inst.arcs.iter().filter(|a| a.pooled) {
        pooled[a.requirement] = true;
    }
    let d = inst
        .requirements
        .iter()
        .zip(pooled)
        .map(|(r, p)| p.then(|| pv.add(int(variable().min(0.0).max(f64::from(r.quantity.get()))))))
        .collect();
    let e = (0..inst.requirements.len())
        .map(|r| {
            inst.has_assembly(r).then(|| {
                let q = f64::from(inst.requirements[r].quantity.get());
                pv.add(int(variable().min(0.0).max(q)))
            })
        })
        .collect();
    let f = goals
        .iter()
        .any(|g| matches!(g, Goal::FairnessCost | Goal::FairnessTroops))
        .then(|| pv.add(variable().min(0.0)));
    let z = goals
        .contains(&Goal::Concentration)
        // No upper bound of 1: a pool rounded up for a fractional ratio (two units at 1.5 for
        // one kept deployed) carries a little more than its line at 1/ratio a unit.
        .then(|| pv.add(variable().min(0.0)));
    // Phase selectors for offers that serve several phases, fairness goals only.
    let mut m = BTreeMap::new();
    if f.is_some() {
        let mut phases: BTreeMap<usize, BTreeSet<usize>> = BTreeMap::new();
        for a in &inst.arcs {
            phases
                .entry(a.offer)
                .or_default()
                .insert(inst.requirement_phase[a.requirement]);
        }
        for (o, set) in phases {
            if set.len() > 1 {
                for t in set {
                    m.insert((o, t), pv.add(bin()));
                }
            }
        }
    }
    Vars {
        col_x,
        col_u,
        m,
        x,
        u,
        s,
        y,
        a,
        c,
        d,
        e,
        f,
        z,
    }
}

fn respondent_index(inst: &Instance<'_>) -> BTreeMap<CountryCode, usize> {
    inst.respondents
        .iter()
        .enumerate()
        .map(|(i, p)| (*p, i))
        .collect()
}

/// How a goal is written in the model: multiplied by `factor`, and whether its values are then
/// whole numbers for every package (integer variables with whole coefficients). A whole-valued
/// goal is bounded exactly by later stages, and HiGHS proves it as soon as its bound rounds up
/// to the incumbent; a goal on no grid is bounded with [`BOUND_TOLERANCE`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Scale {
    /// What the goal (in its own units, as [`super::measure::goal_value`] gives it) is
    /// multiplied by in the model.
    pub factor: f64,
    /// Whether the scaled goal is a whole number for every package.
    pub integral: bool,
}

/// The scale of a goal in this instance (see [`Scale`]).
pub(super) fn scale(inst: &Instance<'_>, goal: Goal) -> Scale {
    let whole = |factor: f64| Scale {
        factor,
        integral: true,
    };
    match goal {
        Goal::EssentialShortfall | Goal::DesirableShortfall => {
            let want = if goal == Goal::EssentialShortfall {
                Priority::Essential
            } else {
                Priority::Desirable
            };
            // Σ s ÷ q with whole s: times the least common multiple L of the quantities, every
            // coefficient L ÷ q is whole.
            let mut l: u64 = 1;
            for r in inst.requirements.iter().filter(|r| r.priority == want) {
                let q = u64::from(r.quantity.get());
                l = l / gcd(l, q) * q;
                if l > MAX_INTEGRAL_SCALE {
                    return Scale {
                        factor: 1.0,
                        integral: false,
                    };
                }
            }
            whole(l as f64)
        }
        // Unit costs are whole thousands of the campaign currency (funding: 1,000 thousand).
        Goal::Cost => whole(1000.0),
        // Personnel committed per unit is a whole number of persons unless a rotation-backed
        // offer's ratio is fractional.
        Goal::Footprint => Scale {
            factor: 1000.0,
            integral: inst
                .offers
                .iter()
                .all(|l| l.committed_per_unit().fract() == 0.0),
        },
        Goal::ConditionalOffers => whole(1.0),
        Goal::FairnessCost | Goal::FairnessTroops | Goal::Concentration => Scale {
            factor: 1.0,
            integral: false,
        },
    }
}

fn gcd(mut a: u64, mut b: u64) -> u64 {
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a
}

/// Cost per year in thousands of the campaign currency, as an expression over `u` (whole
/// coefficients: unit costs are whole thousands).
fn cost_thousands_expr(inst: &Instance<'_>, v: &Vars) -> Expression {
    let mut e = Expression::from(0.0);
    for (o, line) in inst.offers.iter().enumerate() {
        if let Some(u) = v.u[o] {
            e.add_mul((line.unit_cost_m * 1000.0).round(), u);
        }
    }
    e
}

/// A goal as the model minimises it: the goal times its [`Scale`] factor.
fn goal_expr(inst: &Instance<'_>, v: &Vars, goal: Goal) -> Expression {
    let mut e = Expression::from(0.0);
    match goal {
        Goal::EssentialShortfall | Goal::DesirableShortfall => {
            let want = if goal == Goal::EssentialShortfall {
                Priority::Essential
            } else {
                Priority::Desirable
            };
            let factor = scale(inst, goal).factor;
            for (r, req) in inst.requirements.iter().enumerate() {
                if req.priority == want {
                    e.add_mul(factor / f64::from(req.quantity.get()), v.s[r]);
                }
            }
        }
        Goal::Cost => e = cost_thousands_expr(inst, v),
        Goal::Footprint => {
            for (o, line) in inst.offers.iter().enumerate() {
                if let Some(u) = v.u[o] {
                    e.add_mul(line.committed_per_unit(), u);
                }
            }
        }
        Goal::FairnessCost | Goal::FairnessTroops => {
            if let Some(f) = v.f {
                e.add_mul(1.0, f);
            }
        }
        Goal::Concentration => {
            if let Some(z) = v.z {
                e.add_mul(1.0, z);
            }
        }
        Goal::ConditionalOffers => {
            for c in v.c.iter().flatten() {
                e.add_mul(1.0, *c);
            }
        }
    }
    e
}

/// The largest value of `goal` a later stage may reach when an earlier stage found `optimum`,
/// in the goal's own units: the optimum itself for whole-valued goals (up to rounding noise),
/// otherwise the optimum plus [`BOUND_TOLERANCE`] relative.
pub(super) fn allowed(inst: &Instance<'_>, goal: Goal, optimum: f64) -> f64 {
    let tolerance = if scale(inst, goal).integral {
        1e-9
    } else {
        BOUND_TOLERANCE
    };
    optimum + tolerance * optimum.abs().max(1.0)
}

fn constraints(
    inst: &Instance<'_>,
    v: &Vars,
    goals: &[Goal],
    bounds: &[(Goal, f64)],
    restrictions: &Restrictions,
) -> Vec<Constraint> {
    let mut out = Vec::new();
    let idx = respondent_index(inst);
    let phases = inst.campaign.phases().len();

    // Coverage: Σ x + d + s ≥ required.
    let mut covered: Vec<Expression> = vec![Expression::from(0.0); inst.requirements.len()];
    // Per requirement with a rotation pool: Σ pooled x.
    let mut pool: Vec<Expression> = vec![Expression::from(0.0); inst.requirements.len()];
    // Per offer and phase: Σ factor · x.
    let mut load: BTreeMap<(usize, usize), Expression> = BTreeMap::new();
    // Per phase: in-country personnel deployed.
    let mut troops: Vec<Expression> = vec![Expression::from(0.0); phases];
    // Per requirement assembled from parts and per part: Σ x.
    let mut parts: BTreeMap<(usize, usize), Expression> = BTreeMap::new();
    for (k, arc) in inst.arcs.iter().enumerate() {
        let phase = inst.requirement_phase[arc.requirement];
        if arc.pooled {
            pool[arc.requirement].add_mul(1.0, v.x[k]);
        } else {
            match arc.part {
                Some(part) => parts
                    .entry((arc.requirement, part))
                    .or_insert_with(|| Expression::from(0.0))
                    .add_mul(1.0, v.x[k]),
                None => covered[arc.requirement].add_mul(1.0, v.x[k]),
            }
            if inst.requirement_in_country[arc.requirement] {
                troops[phase].add_mul(inst.offers[arc.offer].personnel(), v.x[k]);
            }
        }
        load.entry((arc.offer, phase))
            .or_insert_with(|| Expression::from(0.0))
            .add_mul(arc.factor, v.x[k]);
    }
    for (r, d) in v.d.iter().enumerate() {
        let Some(d) = *d else { continue };
        covered[r].add_mul(1.0, d);
        let phase = inst.requirement_phase[r];
        if inst.requirement_in_country[r] {
            troops[phase].add_mul(inst.requirement_personnel[r], d);
        }
        // The pool holds what its deployed units need, rounded up to a whole unit when the
        // ratio is fractional, and no more: units in a pool beyond it would hold nothing.
        let ratio = inst.requirement_ratio[r];
        let slack = if ratio.fract() == 0.0 { 0.0 } else { ROUND_UP };
        let needed = Expression::from(d) * ratio;
        out.push(pool[r].clone().geq(needed.clone()));
        out.push(pool[r].clone().leq(needed + slack));
    }
    for (r, e) in v.e.iter().enumerate() {
        let Some(e) = *e else { continue };
        covered[r].add_mul(1.0, e);
        // Whole sets of parts, no part left over (it would assemble nothing).
        for (part, &n) in inst.requirement_parts[r].iter().enumerate() {
            let placed = parts
                .remove(&(r, part))
                .unwrap_or_else(|| Expression::from(0.0));
            out.push(placed.eq(Expression::from(e) * n));
        }
    }
    for (r, req) in inst.requirements.iter().enumerate() {
        let q = f64::from(req.quantity.get());
        out.push(covered[r].clone().leq(q));
        let mut e = covered[r].clone();
        e.add_mul(1.0, v.s[r]);
        out.push(e.geq(q));
    }
    let mut phases_of: BTreeMap<usize, Vec<(Expression, Option<Variable>)>> = BTreeMap::new();
    for ((o, phase), e) in load {
        if let Some(u) = v.u[o] {
            out.push(e.clone().leq(u));
            phases_of
                .entry(o)
                .or_default()
                .push((e, v.m.get(&(o, phase)).copied()));
        }
    }
    // Fairness goals: u[o] is the largest phase load, not more (see the module doc).
    if v.f.is_some() {
        for (o, loads) in phases_of {
            let (Some(u), q) = (v.u[o], inst.offers[o].quantity()) else {
                continue;
            };
            // Whole-number rotation factors give whole loads: no rounding slack (which would
            // weaken the relaxation) unless a factor such as 1.5 can make a load fractional.
            let slack = if inst
                .arcs
                .iter()
                .any(|a| a.offer == o && a.factor.fract() != 0.0)
            {
                ROUND_UP
            } else {
                0.0
            };
            let mut pick = Expression::from(0.0);
            let mut selectors = 0;
            for (e, m) in loads {
                match m {
                    Some(m) => {
                        // u is the load rounded up to a whole unit (rotation ratios such as
                        // 1.5 give fractional loads), so allow just under one unit above it.
                        let mut cap = e;
                        cap += q + slack;
                        cap.add_mul(-q, m);
                        out.push(Expression::from(u).leq(cap));
                        pick.add_mul(1.0, m);
                        selectors += 1;
                    }
                    None => out.push(Expression::from(u).leq(e + slack)),
                }
            }
            if selectors > 0 {
                out.push(pick.eq(1.0));
            }
        }
    }
    if let Some(ceiling) = inst.scenario.troop_ceiling {
        for e in troops {
            out.push(e.leq(f64::from(ceiling)));
        }
    }

    // Participation and linked conditions. A respondent commits only if it deploys something:
    // y[p] ≤ Σ x over its arcs (accepted units that serve nothing do not make a partner).
    let mut deployed_by: Vec<Expression> = vec![Expression::from(0.0); inst.respondents.len()];
    for (k, arc) in inst.arcs.iter().enumerate() {
        if let Some(&p) = idx.get(&inst.offers[arc.offer].respondent) {
            deployed_by[p].add_mul(1.0, v.x[k]);
        }
    }
    for (o, line) in inst.offers.iter().enumerate() {
        let Some(u) = v.u[o] else { continue };
        let q = line.quantity();
        if let Some(&p) = idx.get(&line.respondent) {
            out.push(Expression::from(u).leq(q * v.y[p]));
        }
        if let Some(a) = v.a[o] {
            out.push(Expression::from(u).leq(q * a));
            for l in &line.linked {
                match l {
                    Linked::IfCommits(code) => match idx.get(code) {
                        Some(&p) => out.push(Expression::from(a).leq(v.y[p])),
                        None => out.push(Expression::from(a).leq(0.0)),
                    },
                    Linked::MinPartners(n) => {
                        let mut others = Expression::from(0.0);
                        for (p, code) in inst.respondents.iter().enumerate() {
                            if code != &line.respondent {
                                others.add_mul(1.0, v.y[p]);
                            }
                        }
                        out.push((f64::from(*n) * a).leq(others));
                    }
                }
            }
        }
        if let Some(c) = v.c[o] {
            out.push(Expression::from(u).leq(q * c));
        }
    }
    for (p, e) in deployed_by.into_iter().enumerate() {
        out.push(Expression::from(v.y[p]).leq(e));
    }

    // Fairness: paid_p − g_p · total ≤ F for every coalition member.
    if let Some(f) = v.f {
        let troops_basis = goals.contains(&Goal::FairnessTroops);
        let mut total = Expression::from(0.0);
        let mut paid: BTreeMap<CountryCode, Expression> = BTreeMap::new();
        for (o, line) in inst.offers.iter().enumerate() {
            let Some(u) = v.u[o] else { continue };
            let (weight, who) = if troops_basis {
                (line.committed_per_unit(), Some(line.respondent))
            } else {
                (line.unit_cost_m, line.payer)
            };
            // The common fund is shared in GDP proportions, so it cancels out of the gap.
            let Some(who) = who else { continue };
            total.add_mul(weight, u);
            paid.entry(who)
                .or_insert_with(|| Expression::from(0.0))
                .add_mul(weight, u);
        }
        for (code, share) in &inst.gdp_share {
            let mut e = paid.remove(code).unwrap_or_else(|| Expression::from(0.0));
            e.add_mul(-share, total.clone());
            out.push(e.leq(f));
        }
    }

    // Concentration: one respondent's units on an essential requirement ≤ Z · required.
    if let Some(z) = v.z {
        let mut by: BTreeMap<(usize, CountryCode), Expression> = BTreeMap::new();
        for (k, arc) in inst.arcs.iter().enumerate() {
            if inst.requirements[arc.requirement].priority == Priority::Essential {
                by.entry((arc.requirement, inst.offers[arc.offer].respondent))
                    .or_insert_with(|| Expression::from(0.0))
                    .add_mul(super::measure::carried(inst, k, 1.0), v.x[k]);
            }
        }
        for ((r, _), e) in by {
            let q = f64::from(inst.requirements[r].quantity.get());
            out.push(e.leq(q * z));
        }
    }

    if let Some(budget) = restrictions.budget_m {
        out.push(cost_thousands_expr(inst, v).leq(budget * 1000.0));
    }
    for set in &restrictions.differ_from {
        // At least one respondent's participation must change.
        let mut e = Expression::from(0.0);
        for (p, code) in inst.respondents.iter().enumerate() {
            if set.contains(code) {
                e.add_mul(-1.0, v.y[p]);
                e += 1.0;
            } else {
                e.add_mul(1.0, v.y[p]);
            }
        }
        out.push(e.geq(1.0));
    }
    for &(goal, optimum) in bounds {
        let shortfall_of = match goal {
            Goal::EssentialShortfall => Some(Priority::Essential),
            Goal::DesirableShortfall => Some(Priority::Desirable),
            _ => None,
        };
        let Scale { factor, integral } = scale(inst, goal);
        match shortfall_of {
            // No shortfall at all: say so per requirement, a form presolve can use.
            Some(priority) if optimum <= ZERO_SHORTFALL => {
                for (r, req) in inst.requirements.iter().enumerate() {
                    if req.priority == priority {
                        out.push(Expression::from(v.s[r]).leq(0.0));
                    }
                }
            }
            // A whole-valued goal is bounded by its optimum exactly: a tolerance would let the
            // next stage's relaxation leave a sliver of a large requirement uncovered, a bound
            // below the optimum by more than the optimality gap that no search can close.
            // Beyond 2^53 a sum of whole numbers is no longer exact in floating point: a few
            // units in the last place of room (under half a unit, so still the same whole
            // optimum) keep the solver's own rounding from making the bound infeasible.
            _ if integral => {
                let whole = (optimum * factor).round();
                let room = (whole.abs() * f64::EPSILON * 4.0).min(0.5);
                out.push(goal_expr(inst, v, goal).leq(whole + room));
            }
            _ => out.push(goal_expr(inst, v, goal).leq(allowed(inst, goal, optimum) * factor)),
        }
    }
    out
}

/// Reads a solution; integer variables are rounded (solvers return them within a tolerance).
fn values_of(sol: &impl Solution, v: &Vars) -> Values {
    Values {
        x: v.x
            .iter()
            .map(|var| sol.value(*var).round().max(0.0))
            .collect(),
        u: v.u
            .iter()
            .map(|var| var.map_or(0.0, |var| sol.value(var).round().max(0.0)))
            .collect(),
        s: v.s
            .iter()
            .map(|var| sol.value(*var).round().max(0.0))
            .collect(),
        y: v.y.iter().map(|var| sol.value(*var).round()).collect(),
    }
}

/// A full warm start for the variables of a model, derived from an allocation.
fn warm_start(
    inst: &Instance<'_>,
    v: &Vars,
    goals: &[Goal],
    values: &Values,
) -> Vec<(Variable, f64)> {
    let mut out: Vec<(Variable, f64)> = Vec::new();
    out.extend(v.x.iter().copied().zip(values.x.iter().copied()));
    // Accepted units as the placements imply them (the least the constraints allow).
    let accepted = super::measure::accepted_units(inst, &values.x);
    for (o, var) in v.u.iter().enumerate() {
        if let Some(var) = var {
            out.push((*var, accepted[o]));
        }
    }
    out.extend(v.s.iter().copied().zip(values.s.iter().copied()));
    out.extend(v.y.iter().copied().zip(values.y.iter().copied()));
    let pools = super::measure::pools(inst, &values.x);
    for (r, var) in v.d.iter().enumerate() {
        if let Some(var) = var {
            out.push((*var, pools.deployed[r]));
        }
    }
    for (r, var) in v.e.iter().enumerate() {
        if let Some(var) = var {
            out.push((*var, pools.assembled[r]));
        }
    }
    for (o, var) in v.a.iter().enumerate() {
        if let Some(var) = var {
            out.push((*var, if accepted[o] > 0.0 { 1.0 } else { 0.0 }));
        }
    }
    for (o, var) in v.c.iter().enumerate() {
        if let Some(var) = var {
            out.push((*var, if accepted[o] > 0.0 { 1.0 } else { 0.0 }));
        }
    }
    // Phase selectors: the phase with the largest load of each offer.
    let mut loads: BTreeMap<(usize, usize), f64> = BTreeMap::new();
    for (k, arc) in inst.arcs.iter().enumerate() {
        *loads
            .entry((arc.offer, inst.requirement_phase[arc.requirement]))
            .or_default() += arc.factor * values.x[k];
    }
    let mut best: BTreeMap<usize, (usize, f64)> = BTreeMap::new();
    for &(o, t) in v.m.keys() {
        let l = loads.get(&(o, t)).copied().unwrap_or(0.0);
        let e = best.entry(o).or_insert((t, l));
        if l > e.1 {
            *e = (t, l);
        }
    }
    for (&(o, t), var) in &v.m {
        let chosen = best.get(&o).is_some_and(|b| b.0 == t);
        out.push((*var, if chosen { 1.0 } else { 0.0 }));
    }
    let measures = super::measure::derived(inst, values);
    if let Some(f) = v.f {
        let worst = if goals.contains(&Goal::FairnessTroops) {
            measures.fairness_troops_max
        } else {
            measures.fairness_max
        };
        out.push((f, worst.max(0.0)));
    }
    if let Some(z) = v.z {
        out.push((z, measures.concentration));
    }
    out
}

/// The values of a solution and the stage's goal in its own units: measured on the package
/// (whole units) for an integer solve, the solver's objective unscaled for a relaxation.
fn extract<S: Solution>(
    sol: &S,
    v: &Vars,
    objective: &Expression,
    stage: Stage<'_, '_>,
    relax: bool,
) -> (Values, f64) {
    let values = values_of(sol, v);
    let obj = if relax {
        objective.eval_with(sol) / scale(stage.inst, stage.goal).factor
    } else {
        super::measure::goal_value(stage.inst, &values, stage.goal)
    };
    (values, obj)
}

/// What one solve minimises, and under what: the instance, the goals of the lexicographic run
/// (they decide which variables exist), the goal of this stage, the bounds the earlier stages
/// left, and the caller's restrictions.
#[derive(Clone, Copy)]
pub(super) struct Stage<'a, 'c> {
    /// The instance.
    pub inst: &'a Instance<'c>,
    /// Every goal of the run.
    pub goals: &'a [Goal],
    /// The goal minimised now.
    pub goal: Goal,
    /// Earlier goals and the values they may not exceed.
    pub bounds: &'a [(Goal, f64)],
    /// Budget and no-good cuts.
    pub restrictions: &'a Restrictions,
}

/// The model of one stage: its variables (continuous when `relax`), objective and constraints.
fn model(
    stage: Stage<'_, '_>,
    relax: bool,
) -> (ProblemVariables, Vars, Expression, Vec<Constraint>) {
    let Stage {
        inst,
        goals,
        goal,
        bounds,
        restrictions,
    } = stage;
    let (pv, v) = build(inst, goals, relax);
    let objective = goal_expr(inst, &v, goal);
    let cons = constraints(inst, &v, goals, bounds, restrictions);
    (pv, v, objective, cons)
}

/// One solve: minimise the stage's goal subject to the model, the bounds and the restrictions.
/// Returns the values, the objective, and whether optimality was proven. `warm` is a start for
/// microlp (HiGHS is never given one, see below); `cutoff` (HiGHS only) asks for packages
/// better than it, and a solve that finds none reads as [`SolveError::Infeasible`].
pub(super) fn solve_once(
    stage: Stage<'_, '_>,
    settings: Settings,
    warm: Option<&Values>,
    relax: bool,
    cutoff: Option<f64>,
) -> Result<(Values, f64, bool), SolveError> {
    let first = solve_once_with(stage, settings, warm, relax, cutoff, false);
    // HiGHS 1.16's feasibility jump heuristic was seen to end a solve in error on a small
    // generated campaign's fairness stage (2 capitals, 11 integer variables; the same model
    // solves without it, and microlp solves it too): before blaming a proposal for the failure,
    // the stage is solved once more without it.
    // Only an integer solve that ran the heuristic is worth solving again (a cutoff turns it
    // off, and so do the goals of `cheapest`).
    #[cfg(feature = "highs")]
    if settings.backend == Backend::Highs
        && !relax
        && cutoff.is_none()
        && feasibility_jump(stage.goal)
        && matches!(first, Err(SolveError::Solver { .. }))
    {
        tracing::debug!(goal = ?stage.goal, "HiGHS failed; solving the stage again without feasibility jump");
        return solve_once_with(stage, settings, warm, relax, cutoff, true);
    }
    first
}

/// [`solve_once`], with HiGHS's feasibility jump heuristic off when `no_feasibility_jump`.
#[cfg_attr(not(feature = "highs"), allow(unused_variables))]
fn solve_once_with(
    stage: Stage<'_, '_>,
    settings: Settings,
    warm: Option<&Values>,
    relax: bool,
    cutoff: Option<f64>,
    no_feasibility_jump: bool,
) -> Result<(Values, f64, bool), SolveError> {
    let (inst, goals) = (stage.inst, stage.goals);
    let (pv, v, objective, cons) = model(stage, relax);
    let limit = settings.time_limit.as_secs_f64();
    let backend = settings.backend.as_str();
    let fail = |e: ResolutionError| solver_error(backend, e);
    // Both backends take the same model; the macro keeps the two arms from drifting apart.
    macro_rules! run {
        ($solver:expr, $start:expr, $configure:expr) => {{
            let mut m = pv.minimise(objective.clone()).using($solver);
            for c in cons {
                m.add_constraint(c);
            }
            let m = $configure(m);
            // A zero gap makes the solver enumerate every tie whose bound differs from the
            // incumbent by rounding noise (funding splits all cost the same); 1e-6 relative is
            // far below anything a decision turns on.
            let mut m = m
                .with_time_limit(limit)
                .with_mip_gap(MIP_GAP)
                .map_err(|e| SolveError::Solver {
                    backend,
                    message: e.to_string(),
                })?;
            if let Some(start) = $start {
                m = m.with_initial_solution(start);
            }
            let sol = m.solve().map_err(fail)?;
            let optimal = matches!(
                sol.status(),
                SolutionStatus::Optimal | SolutionStatus::GapLimit
            );
            let (values, obj) = extract(&sol, &v, &objective, stage, relax);
            Ok((values, obj, optimal))
        }};
    }
    match settings.backend {
        Backend::Microlp => {
            // microlp takes no cutoff; only the HiGHS reduction passes one.
            let _ = cutoff;
            let start = warm.map(|w| warm_start(inst, &v, goals, w));
            run!(good_lp::microlp, start, |m| m)
        }
        #[cfg(feature = "highs")]
        Backend::Highs => {
            // HiGHS is never given a start. HiGHS 1.16 given a feasible MIP start was seen to
            // return that start as proven optimal while a better package existed (a 10 × 10
            // campaign's footprint: 11.86 "optimal", 11.235 found without the start; the
            // reduced-space objective after presolve was the start's, and the root closed on
            // it). A cutoff alone gives the pruning a start was for; the caller
            // ([`super::reduce`]) keeps its own package unless the one returned is better.
            let large = model_size(inst).integer_variables >= super::reduce::REDUCE_FROM;
            let configure = |m: good_lp::solvers::highs::HighsProblem| {
                let mut m = highs_defaults(m, stage.goal);
                if no_feasibility_jump {
                    m = m.set_option("mip_heuristic_run_feasibility_jump", false);
                }
                if let Some(cutoff) = cutoff {
                    // Only packages better than the one in hand are of interest: HiGHS prunes
                    // by it and fixes variables by reduced cost against it from the root on.
                    m = m.set_option("objective_bound", cutoff * scale(inst, stage.goal).factor);
                    // The package in hand is usually optimal already, so the solve is a proof:
                    // the sub-MIP heuristics (RINS, RENS, root reduced cost) searching for a
                    // better one took about half of it on 100 × 100 campaigns (one went from
                    // 10.6–13 s to 5.3–7.2 s without them), and feasibility jump, which looks
                    // for a first feasible package before the root, about 0.4 s more
                    // (docs/PERFORMANCE.md).
                    for heuristic in [
                        "mip_heuristic_run_feasibility_jump",
                        "mip_heuristic_run_rins",
                        "mip_heuristic_run_rens",
                        "mip_heuristic_run_root_reduced_cost",
                    ] {
                        m = m.set_option(heuristic, false);
                    }
                }
                if large {
                    // Probing and enumeration took 5 of HiGHS's 6.6 s of presolve on a
                    // 34,000-variable model while removing little.
                    m = m.set_option("presolve_rule_off", PROBING | ENUMERATION);
                }
                m
            };
            run!(good_lp::highs, None::<Vec<(Variable, f64)>>, configure)
        }
        #[cfg(not(feature = "highs"))]
        Backend::Highs => Err(SolveError::Unavailable("highs")),
    }
}

/// The HiGHS settings of every solve of `goal`: one thread, and no feasibility jump for the
/// goals of `cheapest` (the shortfalls and cost). HiGHS's task scheduler (one per process,
/// sized by the first solve) made a solve of the demo wait on idle workers: the demo's full run
/// took 1.6 s of wall time for 0.9 s of work, and 0.5 s on one thread; its branch and bound is
/// sequential anyway.
#[cfg(feature = "highs")]
fn highs_defaults(
    m: good_lp::solvers::highs::HighsProblem,
    goal: Goal,
) -> good_lp::solvers::highs::HighsProblem {
    let m = m.set_option("threads", 1);
    if feasibility_jump(goal) {
        m
    } else {
        m.set_option("mip_heuristic_run_feasibility_jump", false)
    }
}

/// Whether HiGHS runs its feasibility jump heuristic on a solve of `goal` (without a cutoff).
#[cfg(feature = "highs")]
fn feasibility_jump(goal: Goal) -> bool {
    match goal {
        // Feasibility jump looks for a first package before the root LP; on small models it is
        // a fixed cost of about 5 ms per solve, most of a demo stage's time (demo full run
        // 0.45 s -> 0.28 s without it), and it bought nothing measurable at 35 x 40 x 40
        // (docs/PERFORMANCE.md).
        Goal::EssentialShortfall | Goal::DesirableShortfall | Goal::Cost => false,
        // Without it, HiGHS 1.16 ran past its time limit (minutes against a 10 s limit) on the
        // troop-fairness stage of a generated 10 x 10 x 20 campaign that it proves in 0.6 s
        // with it; the min-max goals and the others keep it.
        _ => true,
    }
}

fn solver_error(backend: &'static str, e: ResolutionError) -> SolveError {
    match e {
        ResolutionError::Infeasible => SolveError::Infeasible,
        // good_lp's words for a solve that stopped empty-handed: microlp's time limit, and
        // HiGHS's (a status that is not an error, without a feasible solution).
        ResolutionError::Other(m) if m.starts_with("Time limit") || m == "NoSolutionFound" => {
            SolveError::Stopped(backend)
        }
        e => SolveError::Solver {
            backend,
            message: e.to_string(),
        },
    }
}

/// The LP relaxation of one stage, and what its reduced costs prove about each arc.
#[cfg(feature = "highs")]
pub(super) struct Relaxation {
    /// The relaxation's optimum: a lower bound on the stage's integer optimum.
    pub objective: f64,
    /// Per arc: how far above `objective` every solution that deploys a unit on it must be
    /// (0 for arcs the relaxation itself uses).
    pub penalty: Vec<f64>,
    /// Per arc: units the relaxation deploys on it.
    pub units: Vec<f64>,
}

/// Solves the LP relaxation of a stage with HiGHS; `None` when it does not reach an optimum.
///
/// For every point z of the relaxation, obj(z) = z* + Σ_j d_j (z_j − z*_j) + Σ_i π_i (row_i(z) −
/// row_i(z*)), and at the optimum z* every term is ≥ 0 (d the reduced costs, π the row duals).
/// Dropping terms keeps a valid bound, so deploying one unit on an arc unused by z* costs at least
/// its own reduced cost plus its offer's reduced cost times the units that one deployed unit
/// consumes (⌈rotation factor⌉, since accepted units are whole).
#[cfg(feature = "highs")]
pub(super) fn relaxation(
    stage: Stage<'_, '_>,
    time_limit: f64,
) -> Result<Option<Relaxation>, SolveError> {
    let inst = stage.inst;
    let (pv, v, objective, cons) = model(stage, true);
    let mut m = highs_defaults(
        pv.minimise(objective.clone()).using(good_lp::highs),
        stage.goal,
    );
    for c in cons {
        m.add_constraint(c);
    }
    let sol = match m.with_time_limit(time_limit).solve() {
        Ok(sol) if matches!(sol.status(), SolutionStatus::Optimal) => sol,
        Ok(_) => return Ok(None),
        Err(e) => match solver_error("highs", e) {
            SolveError::Stopped(_) => return Ok(None),
            e => return Err(e),
        },
    };
    // The model's objective is the goal times its scale; bounds and penalties are in the goal's
    // own units.
    let factor = scale(inst, stage.goal).factor;
    let z = objective.eval_with(&sol) / factor;
    let inner = sol.into_inner();
    let (col, reduced) = (inner.columns(), inner.dual_columns());
    let at_zero = |c: usize| col[c].abs() <= 1e-9;
    let penalty = inst
        .arcs
        .iter()
        .enumerate()
        .map(|(k, arc)| {
            let cx = v.col_x[k];
            if !at_zero(cx) {
                return 0.0;
            }
            let mut p = reduced[cx].max(0.0);
            if let Some(cu) = v.col_u[arc.offer].filter(|&cu| at_zero(cu)) {
                p += reduced[cu].max(0.0) * (arc.factor - 1e-9).ceil();
            }
            p / factor
        })
        .collect();
    Ok(Some(Relaxation {
        objective: z,
        penalty,
        units: v.col_x.iter().map(|&c| col[c].max(0.0)).collect(),
    }))
}

/// The LP relaxation's optimum of `goal`: a proven lower bound for the integer problem.
fn relaxation_bound(stage: Stage<'_, '_>, settings: Settings) -> Option<f64> {
    solve_once(stage, settings, None, true, None)
        .ok()
        .map(|(_, obj, _)| obj)
}

/// One stage: the values, the objective, whether it is proven optimal, and a lower bound on the
/// optimum when one was computed on the way.
fn solve_stage(
    stage: Stage<'_, '_>,
    settings: Settings,
    start: Option<&Values>,
) -> Result<(Values, f64, bool, Option<f64>), SolveError> {
    let (inst, goal) = (stage.inst, stage.goal);
    // Every goal is a sum or a maximum of non-negative terms, so a start at zero is optimal as
    // it is (typically full coverage found by the greedy packer): no solve needed.
    if let Some(start) = start {
        let value = super::measure::goal_value(inst, start, goal);
        if value <= 1e-9 {
            tracing::trace!(?goal, "the start is at zero, the least possible");
            return Ok((start.clone(), value, true, Some(0.0)));
        }
    }
    #[cfg(feature = "highs")]
    if settings.backend == Backend::Highs
        && super::reduce::applies(goal)
        // The reduction's reasoning about arcs knows nothing of parts assembled in sets.
        && !(0..inst.requirements.len()).any(|r| inst.has_assembly(r))
        && model_size(inst).integer_variables >= super::reduce::REDUCE_FROM
    {
        let deadline = Instant::now() + settings.time_limit;
        if let Some(r) = super::reduce::solve_stage(stage, settings, start, deadline)? {
            return Ok((r.values, r.objective, r.proven, Some(r.bound)));
        }
    }
    let solved = solve_once(stage, settings, start, false, None);
    // A solver stopped before it found anything better than the start (microlp on very large
    // campaigns can spend the whole limit on the first relaxation; HiGHS is never given the
    // start) keeps the start, which meets every bound and restriction by construction.
    let keep_start = |start: &Values| {
        let value = super::measure::goal_value(inst, start, goal);
        Ok((start.clone(), value, false, None))
    };
    match (solved, start) {
        (Ok((values, obj, false)), Some(start))
            if super::measure::goal_value(inst, start, goal) < obj
                || !meets(inst, &values, stage.bounds) =>
        {
            tracing::debug!(
                ?goal,
                obj,
                "stopped at the limit above the start; keeping the start"
            );
            keep_start(start)
        }
        (Ok((values, obj, proven)), _) => Ok((values, obj, proven, None)),
        (Err(e @ SolveError::Stopped(_)), Some(start)) => {
            tracing::warn!(%e, ?goal, "solver stopped without a solution; keeping the start");
            keep_start(start)
        }
        // The start meets every bound and restriction, so "no package" is the solver's
        // numerical trouble (seen with unit costs of 10^12 beside ones of 10 in the fairness
        // rows): the start stands, not proven.
        (Err(e @ SolveError::Infeasible), Some(start)) if meets(inst, start, stage.bounds) => {
            tracing::warn!(%e, ?goal, "the solver found no package though the start meets every bound; keeping the start");
            keep_start(start)
        }
        (Err(e), _) => {
            tracing::debug!(%e, ?goal, bounds = ?stage.bounds, "stage failed");
            Err(e)
        }
    }
}

/// Whether values returned by a solve meet the bounds of the earlier stages (a solve stopped by
/// its time limit need not return a package that does).
pub(super) fn meets(inst: &Instance<'_>, values: &Values, bounds: &[(Goal, f64)]) -> bool {
    bounds.iter().all(|&(g, optimum)| {
        super::measure::goal_value(inst, values, g) <= allowed(inst, g, optimum)
    })
}

/// Stages solved so far: the package of the last one, each stage's optimum (a bound on the
/// stages after it), and how they went. Options of one scenario share their coverage stages.
#[derive(Debug, Clone)]
pub struct Solved {
    /// The package of the last stage solved.
    pub values: Values,
    /// Each stage's goal and optimum (or best value found, when not proven), in order.
    pub bounds: Vec<(Goal, f64)>,
    /// How the stages went.
    pub outcome: SolveOutcome,
}

/// Solves `goals` lexicographically; returns the final values and how the solve went.
pub fn solve_lexicographic(
    inst: &Instance<'_>,
    settings: Settings,
    goals: &[Goal],
    restrictions: &Restrictions,
    warm: Option<&Values>,
) -> Result<(Values, SolveOutcome), SolveError> {
    let solved = continue_lexicographic(inst, settings, goals, restrictions, warm, None)?;
    Ok((solved.values, solved.outcome))
}

/// Solves the goals of `goals` that `from` has not solved yet (its goals must be the first of
/// `goals`, solved under the same restrictions), starting from its package.
pub fn continue_lexicographic(
    inst: &Instance<'_>,
    settings: Settings,
    goals: &[Goal],
    restrictions: &Restrictions,
    warm: Option<&Values>,
    from: Option<&Solved>,
) -> Result<Solved, SolveError> {
    let started = Instant::now();
    let mut bounds: Vec<(Goal, f64)> = from.map(|f| f.bounds.clone()).unwrap_or_default();
    debug_assert!(
        bounds.iter().zip(goals).all(|((a, _), b)| a == b),
        "the stages solved must be the first goals"
    );
    let mut current: Option<Values> = from.map(|f| f.values.clone());
    let mut optimal = from.is_none_or(|f| f.outcome.optimal);
    let mut gap = from.and_then(|f| f.outcome.gap);
    let mut solves = from.map_or(0, |f| f.outcome.solves);
    let earlier = from.map_or(0.0, |f| f.outcome.seconds);
    for &goal in &goals[bounds.len().min(goals.len())..] {
        // Start from the better of the last stage's solution and the caller's baseline (when the
        // baseline meets every bound so far): a solve stopped by the time limit then never
        // returns worse than either.
        let baseline = warm.filter(|w| {
            restrictions.differ_from.is_empty()
                && restrictions
                    .budget_m
                    .is_none_or(|b| super::measure::derived(inst, w).cost_m <= b + 1e-6)
                && meets(inst, w, &bounds)
        });
        let start = match (current.as_ref(), baseline) {
            (Some(c), Some(b))
                if super::measure::goal_value(inst, b, goal)
                    < super::measure::goal_value(inst, c, goal) =>
            {
                Some(b)
            }
            (Some(c), _) => Some(c),
            (None, b) => b,
        };
        let stage = Stage {
            inst,
            goals,
            goal,
            bounds: &bounds,
            restrictions,
        };
        let (values, obj, proven, bound) = solve_stage(stage, settings, start)?;
        solves += 1;
        tracing::trace!(
            ?goal,
            obj,
            proven,
            seconds = started.elapsed().as_secs_f64(),
            "stage solved"
        );
        if !proven {
            optimal = false;
            if gap.is_none() {
                gap = bound
                    .or_else(|| relaxation_bound(stage, settings))
                    .map(|lb| ((obj - lb) / obj.abs().max(1e-9)).max(0.0));
            }
        }
        bounds.push((goal, obj));
        current = Some(values);
    }
    tracing::debug!(
        ?goals,
        solves,
        seconds = started.elapsed().as_secs_f64(),
        "lexicographic solve"
    );
    Ok(Solved {
        values: current.unwrap_or_default(),
        bounds,
        outcome: SolveOutcome {
            optimal,
            gap,
            seconds: earlier + started.elapsed().as_secs_f64(),
            solves,
        },
    })
}

/// A package held across several scenarios: per scenario its own placements, one number of
/// units accepted per offer for all of them.
#[derive(Debug, Clone)]
pub struct RobustSolved {
    /// Per instance, its placements and variables.
    pub values: Vec<Values>,
    /// Units accepted per offer (the largest any scenario uses).
    pub accepted: Vec<f64>,
    /// How the stages went.
    pub outcome: SolveOutcome,
}

/// The robust package of `insts` (instances of one campaign under different scenarios, so their
/// offers and requirements are indexed alike). Each scenario keeps its whole model (caveats,
/// exclusions, conditions, troop ceiling, rotation pools) with its own placements and accepted
/// units `u_s`; one integer `U[o]` ≥ every `u_s[o]` is what is accepted and paid for. An offer
/// blocked in a scenario has no arcs there and counts for nothing in it. Goals, one after another:
/// 1. the worst essential shortfall over the scenarios (`T ≥ Σ s ÷ required` of each), that is
///    the worst-case essential coverage;
/// 2. the essential shortfall summed over the scenarios, so that a scenario where more can be
///    held is not left below it for the worst case's sake (when one outcome of the talks allows
///    nothing, the package still serves the others);
/// 3. the desirable shortfall summed over the scenarios, as every option seeks desirable lines
///    after essential ones;
/// 4. cost per year of `U`.
///
/// A budget caps the cost of `U`. Each stage has the settings' time limit; a stage stopped by it
/// keeps the earlier stage's package unless it found a better one.
pub fn solve_robust(
    insts: &[Instance<'_>],
    settings: Settings,
    budget_m: Option<f64>,
) -> Result<RobustSolved, SolveError> {
    let started = Instant::now();
    let Some(first) = insts.first() else {
        return Err(SolveError::Infeasible);
    };
    let offers = first.offers.len();
    debug_assert!(insts.iter().all(|i| i.offers.len() == offers));
    let shortfall = scale(first, Goal::EssentialShortfall);
    let desirable = scale(first, Goal::DesirableShortfall);
    let mut bounds: Vec<f64> = Vec::new();
    let mut optimal = true;
    let mut solves = 0;
    // Accepted units as the placements imply them (the most any scenario uses) and each goal
    // measured on the package, in the model's units.
    let measure = |values: &[Values]| {
        let mut accepted = vec![0.0; offers];
        for (inst, v) in insts.iter().zip(values) {
            for (a, u) in accepted
                .iter_mut()
                .zip(super::measure::accepted_units(inst, &v.x))
            {
                *a = f64::max(*a, u);
            }
        }
        let ess: Vec<f64> = insts
            .iter()
            .zip(values)
            .map(|(i, v)| {
                super::measure::goal_value(i, v, Goal::EssentialShortfall) * shortfall.factor
            })
            .collect();
        let measured = [
            ess.iter().copied().fold(0.0, f64::max),
            ess.iter().sum(),
            insts
                .iter()
                .zip(values)
                .map(|(i, v)| {
                    super::measure::goal_value(i, v, Goal::DesirableShortfall) * desirable.factor
                })
                .sum(),
            first
                .offers
                .iter()
                .zip(&accepted)
                .map(|(l, u)| (l.unit_cost_m * 1000.0).round() * u)
                .sum::<f64>(),
        ];
        (accepted, measured)
    };
    let mut last: Option<(Vec<Values>, Vec<f64>, [f64; 4])> = None;
    for stage in 0..4 {
        let mut pv = ProblemVariables::new();
        let vars: Vec<Vars> = insts
            .iter()
            .map(|i| build_in(&mut pv, i, &[], false))
            .collect();
        let shared: Vec<Option<Variable>> = (0..offers)
            .map(|o| {
                vars.iter().any(|v| v.u[o].is_some()).then(|| {
                    pv.add(
                        variable()
                            .integer()
                            .min(0.0)
                            .max(first.offers[o].quantity()),
                    )
                })
            })
            .collect();
        let worst = pv.add(variable().min(0.0));
        let mut cons = Vec::new();
        let mut total = Expression::from(0.0);
        let mut total_desirable = Expression::from(0.0);
        for (inst, v) in insts.iter().zip(&vars) {
            total_desirable += goal_expr(inst, v, Goal::DesirableShortfall);
            cons.extend(constraints(inst, v, &[], &[], &Restrictions::default()));
            for (u, big) in v.u.iter().zip(&shared) {
                if let (Some(u), Some(big)) = (u, big) {
                    cons.push(Expression::from(*u).leq(*big));
                }
            }
            let e = goal_expr(inst, v, Goal::EssentialShortfall);
            total += e.clone();
            cons.push(e.leq(worst));
        }
        let mut cost = Expression::from(0.0);
        for (o, big) in shared.iter().enumerate() {
            if let Some(big) = big {
                cost.add_mul((first.offers[o].unit_cost_m * 1000.0).round(), *big);
            }
        }
        if let Some(budget) = budget_m {
            cons.push(cost.clone().leq(budget * 1000.0));
        }
        let goals = [Expression::from(worst), total, total_desirable, cost];
        for (j, bound) in bounds.iter().enumerate() {
            // Shortfalls scaled by their common multiple and costs in thousands are whole.
            let whole = match j {
                0 | 1 => shortfall.integral,
                2 => desirable.integral,
                _ => true,
            };
            let limit = if whole {
                bound.round() + (bound.abs() * f64::EPSILON * 4.0).min(0.5)
            } else {
                bound + BOUND_TOLERANCE * bound.abs().max(1.0)
            };
            cons.push(goals[j].clone().leq(limit));
        }
        let objective = goals[stage].clone();
        let remaining = settings.time_limit.as_secs_f64();
        let backend = settings.backend.as_str();
        let fail = |e: ResolutionError| solver_error(backend, e);
        macro_rules! run {
            ($solver:expr, $configure:expr) => {{
                let mut m = pv.minimise(objective.clone()).using($solver);
                for c in cons {
                    m.add_constraint(c);
                }
                let m = $configure(m)
                    .with_time_limit(remaining)
                    .with_mip_gap(MIP_GAP)
                    .map_err(|e| SolveError::Solver {
                        backend,
                        message: e.to_string(),
                    })?;
                let sol = m.solve().map_err(fail)?;
                let proven = matches!(
                    sol.status(),
                    SolutionStatus::Optimal | SolutionStatus::GapLimit
                );
                let values: Vec<Values> = vars.iter().map(|v| values_of(&sol, v)).collect();
                (values, proven)
            }};
        }
        let solved = match settings.backend {
            Backend::Microlp => Ok(run!(good_lp::microlp, |m| m)),
            #[cfg(feature = "highs")]
            Backend::Highs => Ok(run!(good_lp::highs, |m| highs_defaults(m, Goal::Cost))),
            #[cfg(not(feature = "highs"))]
            Backend::Highs => Err(SolveError::Unavailable("highs")),
        };
        let (values, proven) = match (solved, &last) {
            (Ok(v), _) => v,
            // A later stage that fails or stops without a package keeps the earlier one.
            (Err(e), Some(_)) => {
                tracing::warn!(%e, stage, "robust package: stage failed; keeping the earlier stage's package");
                optimal = false;
                break;
            }
            (Err(e), None) => return Err(e),
        };
        solves += 1;
        let (accepted, measured) = measure(&values);
        // A stage stopped by its limit may return a package worse than the one in hand.
        let kept =
            matches!(&last, Some((_, _, before)) if !proven && before[stage] <= measured[stage]);
        optimal &= proven;
        if kept {
            if let Some((_, _, before)) = &last {
                bounds.push(before[stage]);
            }
        } else {
            bounds.push(measured[stage]);
            last = Some((values, accepted, measured));
        }
        tracing::trace!(
            stage,
            objective = measured[stage],
            proven,
            kept,
            "robust stage solved"
        );
    }
    let (values, accepted, _) = last.ok_or(SolveError::Infeasible)?;
    Ok(RobustSolved {
        values,
        accepted,
        outcome: SolveOutcome {
            optimal,
            gap: None,
            seconds: started.elapsed().as_secs_f64(),
            solves,
        },
    })
}
