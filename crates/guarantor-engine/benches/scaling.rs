//! How solve time grows with campaign size, per backend: prints a table for docs/PERFORMANCE.md.
//!
//! `cargo bench -p guarantor-engine --bench scaling` (HiGHS and microlp; `SCALING_BACKEND` picks one).
//! Set `SCALING_MIN` / `SCALING_MAX` to the smallest / largest respondent count to try (default
//! 5 and 100) and
//! `SCALING_TIME_LIMIT` to the per-solve limit in seconds (default 60); `SCALING_SEEDS` (default
//! 3; from `SCALING_FIRST_SEED`, default 1) and `SCALING_BACKEND` (`microlp` or `highs`) narrow a run. `SCALING_SCENARIOS=all` times
//! the default option of both generated scenarios (the second, without a backstop, has
//! shortfalls to minimise) instead of the first only. `RUST_LOG=guarantor_engine=trace` prints
//! each stage's steps and times to stderr.

use std::time::Instant;

use guarantor_engine::generate;
use guarantor_engine::options::{
    Backend, Objective, OptionCount, OptionsRequest, ScenarioChoice, TimeLimit, compute,
    instance::Instance, milp,
};

fn main() {
    // `RUST_LOG=guarantor_engine=trace` shows where each solve spends its time.
    if std::env::var_os("RUST_LOG").is_some() {
        tracing_subscriber::fmt()
            .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
            .with_writer(std::io::stderr)
            .init();
    }
    // Criterion-style flags (`--bench`) are passed by cargo; ignore them.
    let max: usize = std::env::var("SCALING_MAX")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100);
    let min: usize = std::env::var("SCALING_MIN")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    let limit: f64 = std::env::var("SCALING_TIME_LIMIT")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(60.0);
    let sizes = [
        (5, 5, 10),
        (10, 10, 20),
        (15, 12, 24),
        (20, 20, 30),
        (35, 40, 40),
        (50, 50, 60),
        (75, 75, 80),
        (100, 100, 100),
    ];
    let first_seed: u64 = std::env::var("SCALING_FIRST_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1);
    let seeds: Vec<u64> = (first_seed
        ..first_seed
            + std::env::var("SCALING_SEEDS")
                .ok()
                .and_then(|v| v.parse().ok())
                .unwrap_or(3_u64))
        .collect();
    let only: Option<String> = std::env::var("SCALING_BACKEND").ok();
    let all_scenarios = std::env::var("SCALING_SCENARIOS").is_ok_and(|v| v == "all");
    println!(
        "| respondents × offer lines × requirement lines | integer variables | backend | default option, seconds (min / median / max of {} seeds) | proven optimal |",
        seeds.len()
    );
    println!("|---|---|---|---|---|");
    for (respondents, offers, requirements) in sizes {
        if respondents > max || respondents < min {
            continue;
        }
        let size = generate::Size {
            respondents,
            offers_per_respondent: offers,
            requirements,
        };
        let campaigns: Vec<_> = seeds.iter().map(|s| generate::campaign(size, *s)).collect();
        let vars = {
            let c = &campaigns[0];
            let inst = Instance::new(c, &c.scenarios()[0], &Default::default());
            milp::model_size(&inst).integer_variables
        };
        for backend in Backend::available() {
            if only.as_deref().is_some_and(|b| b != backend.as_str()) {
                continue;
            }
            let req = OptionsRequest {
                scenarios: if all_scenarios {
                    ScenarioChoice::All
                } else {
                    ScenarioChoice::First
                },
                objective: Objective::Cheapest,
                budget: None,
                options: OptionCount::new(1).expect("1 option"),
                backend,
                time_limit: TimeLimit::seconds(limit).expect("a time limit in range"),
                robustness: false,
            };
            let mut times = Vec::new();
            let mut proven = 0;
            let mut worst_gap: Option<f64> = None;
            for c in &campaigns {
                let start = Instant::now();
                let report = compute(c, &req).expect("options");
                times.push(start.elapsed().as_secs_f64());
                let mut all_proven = true;
                for s in &report.scenarios {
                    let p = &s.options[0];
                    all_proven &= p.solve.optimal;
                    if let Some(g) = p.solve.gap {
                        worst_gap = Some(worst_gap.map_or(g, |w: f64| w.max(g)));
                    }
                }
                if all_proven {
                    proven += 1;
                }
            }
            times.sort_by(f64::total_cmp);
            println!(
                "| {respondents} × {offers} × {requirements} | {vars} | {} | {:.3} / {:.3} / {:.3} | {proven} of {}{} |",
                backend.as_str(),
                times[0],
                times[times.len() / 2],
                times[times.len() - 1],
                seeds.len(),
                worst_gap.map_or_else(String::new, |g| format!(" (worst gap {:.2} %)", g * 100.0))
            );
        }
    }
}
