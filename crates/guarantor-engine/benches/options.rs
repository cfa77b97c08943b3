//! Criterion benchmarks of the options engine on the demo and on generated campaigns.
//!
//! `cargo bench -p guarantor-engine --bench options` (HiGHS and microlp); the demo's engagement
//! plan is in the `demo` group.

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use guarantor_domain::{FileFormat, parse_campaign};
use guarantor_engine::engage::{self, EngageRequest};
use guarantor_engine::generate;
use guarantor_engine::options::{
    Backend, Objective, OptionCount, OptionsRequest, ScenarioChoice, TimeLimit, compute,
};

fn request(
    backend: Backend,
    scenarios: ScenarioChoice,
    options: usize,
    robustness: bool,
) -> OptionsRequest {
    OptionsRequest {
        scenarios,
        objective: Objective::Cheapest,
        budget: None,
        options: OptionCount::new(options).expect("1 to 10 options"),
        backend,
        time_limit: TimeLimit::new(Duration::from_secs(60)).expect("a minute"),
        robustness,
    }
}

fn demo(c: &mut Criterion) {
    let demo = parse_campaign(
        include_str!("../../../examples/demo-campaign.json"),
        FileFormat::Json,
    )
    .expect("demo campaign");
    let mut group = c.benchmark_group("demo");
    group.sample_size(10);
    for backend in Backend::available() {
        group.bench_function(format!("default option/{}", backend.as_str()), |b| {
            let req = request(backend, ScenarioChoice::First, 1, false);
            b.iter(|| black_box(compute(&demo, &req).expect("options")))
        });
        group.bench_function(format!("full run/{}", backend.as_str()), |b| {
            let req = request(backend, ScenarioChoice::All, 5, true);
            b.iter(|| black_box(compute(&demo, &req).expect("options")))
        });
        for (name, scenarios) in [
            ("engagement plan", ScenarioChoice::First),
            ("engagement plan, every scenario", ScenarioChoice::All),
        ] {
            group.bench_function(format!("{name}/{}", backend.as_str()), |b| {
                let req = EngageRequest {
                    scenarios: scenarios.clone(),
                    backend,
                    time_limit: TimeLimit::new(Duration::from_secs(60)).expect("a minute"),
                    ..EngageRequest::default()
                };
                b.iter(|| black_box(engage::plan(&demo, &req).expect("a plan")))
            });
        }
    }
    group.finish();
}

fn generated(c: &mut Criterion) {
    let mut group = c.benchmark_group("generated default option");
    group.sample_size(10);
    for (respondents, offers, requirements) in [(10, 10, 20), (35, 40, 40)] {
        let campaign = generate::campaign(
            generate::Size {
                respondents,
                offers_per_respondent: offers,
                requirements,
            },
            7,
        );
        for backend in Backend::available() {
            group.bench_function(
                format!("{respondents}x{offers}x{requirements}/{}", backend.as_str()),
                |b| {
                    let req = request(backend, ScenarioChoice::First, 1, false);
                    b.iter(|| black_box(compute(&campaign, &req).expect("options")))
                },
            );
        }
    }
    group.finish();
}

criterion_group!(benches, demo, generated);
criterion_main!(benches);
