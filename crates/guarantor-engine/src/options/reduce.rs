//! Large models on HiGHS: find a package on the arcs that matter, then prove the rest cannot
//! improve on it.
//!
//! A campaign with thousands of offer lines gives a model with tens of thousands of integer
//! variables, of which an optimal package uses a few hundred. One stage here:
//!
//! 1. solves the LP relaxation of the whole stage: its optimum bounds the stage's optimum from
//!    below, and its reduced costs give each arc a *penalty*, how far above that bound every
//!    solution deploying a unit on the arc must be (see [`super::milp::relaxation`]);
//! 2. solves the integer program on the arcs the relaxation uses and, for each requirement, the
//!    few it penalises least (a few hundred: a fraction of a second), or, if whole units need
//!    more, on every arc without a penalty: a good package, often the optimal one;
//! 3. keeps every arc whose penalty is within the gap between that package and the bound (no
//!    other arc can be in a better package) and solves the integer program on those, told to
//!    look only for packages better than the one in hand. What comes back is optimal for the
//!    whole model: a better package, or none, which proves the one in hand.
//!
//! The result is the optimum the whole model would give; only the time differs. Shortfall goals
//! do not come here: their relaxations put a cost only on shortfall, so nearly every arc is
//! without a penalty and nothing would be left out.

use std::time::{Duration, Instant};

use super::instance::Instance;
use super::measure;
use super::milp::{self, Goal, MIP_GAP, Settings, SolveError, Stage, Values, meets};

/// Integer variables from which a HiGHS stage goes through the reduction: below it the whole
/// model solves in about a second and the extra relaxation would only add time.
pub const REDUCE_FROM: usize = 3000;

/// How one reduced stage ended.
#[derive(Debug, Clone)]
pub(super) struct Reduced {
    /// The package, indexed like the whole instance.
    pub values: Values,
    /// Its objective.
    pub objective: f64,
    /// Whether it is proven optimal for the whole model.
    pub proven: bool,
    /// The relaxation's optimum (a lower bound on the stage's optimum).
    pub bound: f64,
}

/// Whether a goal goes through the reduction (see the module doc).
pub(super) fn applies(goal: Goal) -> bool {
    !matches!(goal, Goal::EssentialShortfall | Goal::DesirableShortfall)
}

/// Solves one stage through the reduction. `Ok(None)` means it does not apply (the relaxation
/// did not solve, or no package was found on the arcs it uses) and the caller should solve the
/// whole model.
pub(super) fn solve_stage(
    stage: Stage<'_, '_>,
    settings: Settings,
    start: Option<&Values>,
    deadline: Instant,
) -> Result<Option<Reduced>, SolveError> {
    let Stage {
        inst, goal, bounds, ..
    } = stage;
    let started = Instant::now();
    let remaining = || deadline.saturating_duration_since(Instant::now());
    let Some(lp) = milp::relaxation(stage, remaining().as_secs_f64())? else {
        return Ok(None);
    };
    let bound = lp.objective;
    tracing::trace!(
        ?goal,
        bound,
        seconds = started.elapsed().as_secs_f64(),
        "relaxation"
    );
    // Reduced costs carry the LP's tolerances: an arc counts as possibly useful a little beyond
    // the gap rather than risk leaving out one that is.
    let tolerance = 1e-6 * bound.abs().max(1.0);
    let done = |values: Values, objective: f64, proven: bool| {
        Ok(Some(Reduced {
            values,
            objective,
            proven,
            bound,
        }))
    };
    let mut incumbent: Option<(Values, f64)> =
        start.map(|s| (s.clone(), measure::goal_value(inst, s, goal)));
    if let Some((values, objective)) = incumbent.take_if(|(_, o)| *o <= bound + tolerance) {
        return done(values, objective, true);
    }

    // A solve on some arcs only, its values put back in the whole instance's indexing.
    let solve_on = |keep: &[usize], better_than: Option<f64>| {
        let sub = inst.with_arcs(keep);
        let settings = Settings {
            time_limit: remaining().max(Duration::from_millis(1)),
            ..settings
        };
        // Only better packages by more than the optimality gap: one as good is in hand.
        let cutoff = better_than.map(|o| o - f64::from(MIP_GAP) * o.abs());
        let (sub_values, objective, proven) = milp::solve_once(
            Stage {
                inst: &sub,
                ..stage
            },
            settings,
            None,
            false,
            cutoff,
        )?;
        let mut x = vec![0.0; inst.arcs.len()];
        for (i, &k) in keep.iter().enumerate() {
            x[k] = sub_values.x[i];
        }
        Ok::<_, SolveError>((Values { x, ..sub_values }, objective, proven))
    };

    // Step 2: the arcs the relaxation uses and, for each requirement, the few arcs it penalises
    // least; if whole units need more, every arc without a penalty as well (unless that is most
    // of the model).
    let used: Vec<usize> = (0..inst.arcs.len())
        .filter(|&k| lp.units[k] > 1e-9)
        .collect();
    let near = with_nearest(inst, &lp, used.clone(), FIRST_PACKAGE_ARCS_PER_REQUIREMENT);
    // On small models the nearest arcs are most of the model: then the support alone.
    let support = if near.len() * 2 > inst.arcs.len() {
        used
    } else {
        near
    };
    let ties: Vec<usize> = (0..inst.arcs.len())
        .filter(|&k| lp.penalty[k] <= tolerance)
        .collect();
    for arcs in [support, ties] {
        if arcs.len() * 2 > inst.arcs.len() {
            break;
        }
        match solve_on(&arcs, None) {
            Ok((values, objective, proven)) => {
                tracing::trace!(
                    ?goal,
                    arcs = arcs.len(),
                    objective,
                    proven,
                    seconds = started.elapsed().as_secs_f64(),
                    "first package"
                );
                if !proven {
                    // The limit struck even on these few arcs: prefer the start unless what
                    // came back is better and meets the earlier bounds.
                    let better = objective < incumbent.as_ref().map_or(f64::INFINITY, |i| i.1)
                        && meets(inst, &values, bounds);
                    return match incumbent {
                        Some((kept, value)) if !better => done(kept, value, false),
                        _ => done(values, objective, false),
                    };
                }
                if incumbent.as_ref().is_none_or(|(_, o)| objective < *o) {
                    incumbent = Some((values, objective));
                }
                break;
            }
            Err(SolveError::Infeasible) => continue,
            // The limit struck before any package: the start if there is one, else the caller
            // tries the whole model with what time is left.
            Err(SolveError::Stopped(_)) => {
                return match incumbent {
                    Some((kept, value)) => done(kept, value, false),
                    None => Ok(None),
                };
            }
            Err(e) => return Err(e),
        }
    }
    let Some((values, objective)) = incumbent else {
        return Ok(None);
    };
    if objective <= bound + tolerance {
        return done(values, objective, true);
    }

    // Step 3: every arc that could be in a better package, and only better packages.
    let gap = objective - bound;
    let candidates: Vec<usize> = (0..inst.arcs.len())
        .filter(|&k| lp.penalty[k] <= gap + tolerance)
        .collect();
    let solved = solve_on(&candidates, Some(objective));
    tracing::trace!(?goal, arcs = candidates.len(), of = inst.arcs.len(), incumbent = objective, bound, outcome = ?solved.as_ref().map(|s| (s.1, s.2)), seconds = started.elapsed().as_secs_f64(), "arcs that could improve on it");
    match solved {
        Ok((better, value, proven)) if value < objective && meets(inst, &better, bounds) => {
            done(better, value, proven)
        }
        // Nothing better, and the solver proved there is nothing: the package in hand is
        // optimal (a cutoff that prunes everything reads as infeasible).
        Ok((_, _, true)) | Err(SolveError::Infeasible) => done(values, objective, true),
        // Stopped at the time limit without anything better.
        Ok((_, _, false)) | Err(SolveError::Stopped(_)) => done(values, objective, false),
        Err(e) => Err(e),
    }
}

/// Arcs per requirement, least penalised first, added to the relaxation's support for the first
/// package. The support alone (about one arc per requirement) leaves whole units few ways to
/// combine, and a first package far above the optimum makes step 3 keep thousands of arcs more
/// (one 100 × 100 campaign: 1.1 % above the optimum, 18,900 arcs; with ten arcs per requirement
/// the first package was optimal and step 3 kept 3,200).
const FIRST_PACKAGE_ARCS_PER_REQUIREMENT: usize = 10;

/// The arcs the first package is looked for on: `used` (those the relaxation uses) and, for each
/// requirement, the `per_requirement` arcs of least penalty.
fn with_nearest(
    inst: &Instance<'_>,
    lp: &milp::Relaxation,
    mut keep: Vec<usize>,
    per_requirement: usize,
) -> Vec<usize> {
    let mut by_requirement: Vec<Vec<usize>> = vec![Vec::new(); inst.requirements.len()];
    for (k, arc) in inst.arcs.iter().enumerate() {
        by_requirement[arc.requirement].push(k);
    }
    for arcs in &mut by_requirement {
        arcs.sort_by(|&a, &b| lp.penalty[a].total_cmp(&lp.penalty[b]));
        keep.extend(arcs.iter().take(per_requirement));
    }
    keep.sort_unstable();
    keep.dedup();
    keep
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::generate;
    use crate::options::milp::Restrictions;
    use crate::options::{Objective, greedy};

    /// Every goal the reduction takes, on generated campaigns under both their scenarios: the
    /// same optimum as the whole model, proven, within the bounds of the earlier stages.
    #[test]
    fn the_reduction_reaches_the_whole_models_optimum() {
        let settings = Settings {
            backend: milp::Backend::Highs,
            time_limit: Duration::from_secs(60),
        };
        let none = Restrictions::default();
        let (mut compared, mut reduced) = (0, 0);
        for (respondents, offers, requirements, seed) in
            [(10, 10, 20, 1), (10, 10, 20, 2), (15, 15, 25, 3)]
        {
            let c = generate::campaign(
                generate::Size {
                    respondents,
                    offers_per_respondent: offers,
                    requirements,
                },
                seed,
            );
            for scenario in c.scenarios() {
                let inst = Instance::new(&c, scenario, &Default::default());
                let greedy = greedy::pack(&inst);
                for objective in Objective::ALL {
                    // Fairness is a min-max: beyond 10 respondents the whole model takes a
                    // minute to prove, and the test would then compare nothing.
                    if respondents > 10
                        && matches!(objective, Objective::Fairest | Objective::FairestTroops)
                    {
                        continue;
                    }
                    let goals = objective.goals();
                    let mut bounds = Vec::new();
                    for &goal in &goals {
                        let stage = Stage {
                            inst: &inst,
                            goals: &goals,
                            goal,
                            bounds: &bounds,
                            restrictions: &none,
                        };
                        let (_, whole, proven) =
                            milp::solve_once(stage, settings, None, false, None).unwrap();
                        // Only an optimum proven on the whole model is something to compare.
                        if proven && applies(goal) {
                            // With and without a start that meets the bounds so far.
                            let starts = [None, Some(&greedy).filter(|g| meets(&inst, g, &bounds))];
                            for start in starts {
                                let deadline = Instant::now() + settings.time_limit;
                                let got = solve_stage(stage, settings, start, deadline).unwrap();
                                compared += 1;
                                let Some(r) = got else { continue };
                                reduced += 1;
                                let what = format!("{} {} {goal:?}", c.info().title, scenario.id);
                                assert!(r.proven, "{what}: not proven");
                                let tol = 1e-5 * whole.abs().max(1.0);
                                assert!(
                                    (r.objective - whole).abs() <= tol,
                                    "{what}: reduced {} vs whole {whole}",
                                    r.objective
                                );
                                assert!(r.bound <= whole + tol, "{what}: bound above optimum");
                                let measured = measure::goal_value(&inst, &r.values, goal);
                                assert!(
                                    (measured - r.objective).abs() <= tol,
                                    "{what}: measured {measured}"
                                );
                                assert!(meets(&inst, &r.values, &bounds), "{what}: earlier bounds");
                            }
                        }
                        if !proven {
                            break;
                        }
                        bounds.push((goal, whole));
                    }
                }
            }
        }
        // The reduction gives up (and the whole model is solved) when the relaxation's arcs hold
        // no package; on these campaigns it applies to about three stages in four (85 of 116
        // since capabilities without rotation deploy directly instead of through a pool).
        assert!(
            compared >= 40 && reduced * 10 >= compared * 7,
            "the reduction applied to only {reduced} of {compared} stages"
        );
    }
}
