//! Criterion benchmarks of the decision brief on the demo campaign: the assessment, composing the
//! brief, rendering HTML, and typesetting the PDF (the options are computed once, outside the
//! measurement; their cost is measured by the engine's benchmarks).
//!
//! `cargo bench -p guarantor-pdf --bench brief`

use std::hint::black_box;

use chrono::NaiveDate;
use criterion::{Criterion, criterion_group, criterion_main};
use guarantor_assess::{BriefInput, assess, compose};
use guarantor_domain::{FileFormat, parse_campaign};
use guarantor_engine::options::ScenarioChoice;
use guarantor_engine::{OptionsRequest, compute_options};

fn brief(c: &mut Criterion) {
    let campaign = parse_campaign(
        include_str!("../../../examples/demo-campaign.json"),
        FileFormat::Json,
    )
    .expect("demo campaign");
    let options = compute_options(
        &campaign,
        &OptionsRequest {
            scenarios: ScenarioChoice::All,
            ..OptionsRequest::default()
        },
    )
    .expect("options");
    let assessment = assess(&campaign);
    let engagement =
        guarantor_engine::engage::plan(&campaign, &Default::default()).expect("a plan");
    let input = BriefInput {
        campaign: &campaign,
        assessment: &assessment,
        options: &options,
        engagement: Some(&engagement),
        generated_on: NaiveDate::from_ymd_opt(2026, 11, 29).expect("a date"),
    };
    let brief = compose(input);
    let source = brief.to_typst();
    let files: Vec<(&str, &[u8])> = source
        .files
        .iter()
        .map(|(n, d)| (n.as_str(), d.as_slice()))
        .collect();
    // Loads the embedded fonts once, as a long-running process would.
    guarantor_pdf::typeset(&source.main, &files, (2026, 11, 29)).expect("typesets");

    let mut group = c.benchmark_group("demo brief");
    group.sample_size(10);
    group.bench_function("assess", |b| b.iter(|| assess(black_box(&campaign))));
    group.bench_function("compose", |b| b.iter(|| compose(black_box(input))));
    group.bench_function("html", |b| b.iter(|| black_box(&brief).to_html()));
    // Cold: typst's memoised layout cleared first, as for a brief of a changed campaign.
    group.bench_function("pdf cold (typst)", |b| {
        b.iter_batched(
            guarantor_pdf::clear_cache,
            |()| guarantor_pdf::typeset(&source.main, black_box(&files), (2026, 11, 29)),
            criterion::BatchSize::PerIteration,
        )
    });
    // Warm: the same brief again, served largely from typst's memoised layout.
    group.bench_function("pdf warm (typst)", |b| {
        b.iter(|| guarantor_pdf::typeset(&source.main, black_box(&files), (2026, 11, 29)))
    });
    group.finish();
}

criterion_group!(benches, brief);
criterion_main!(benches);
