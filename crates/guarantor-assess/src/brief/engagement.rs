//! The engagement plan as a brief section: the envoy's visit list, what granting it would buy,
//! and each gap's candidate asks. The same section is the web app's engagement page.

use guarantor_domain::format::{millions, number, percent, percent_or_na, signed_points};
use guarantor_engine::engage::{AskValue, EngagementReport, ScenarioEngagement};

use super::{Block, Cell, Chart, Column, Section, Table};
use crate::charts::{Series, TimeChart};

fn signed_money(x: f64, currency: &str) -> String {
    let text = millions(x.abs());
    if x.abs() < 0.0005 {
        format!("{currency} 0 m")
    } else if x > 0.0 {
        format!("+{currency} {text} m")
    } else {
        format!("−{currency} {text} m")
    }
}

/// The value cells of an ask (essential, desirable, cost), each naming its source field.
fn value_cells(v: Option<&AskValue>, key: &str, currency: &str) -> Vec<Cell> {
    match v {
        Some(v) if v.error.is_none() => vec![
            Cell::figure(
                signed_points(v.essential_gain_points),
                v.essential_gain_points,
                format!("{key}.essential_gain_points"),
            ),
            Cell::figure(
                signed_points(v.desirable_gain_points),
                v.desirable_gain_points,
                format!("{key}.desirable_gain_points"),
            ),
            Cell::figure(
                signed_money(v.cost_change_m, currency),
                v.cost_change_m,
                format!("{key}.cost_change_m"),
            ),
        ],
        Some(v) => vec![
            Cell::text(format!(
                "not valued: {}",
                v.error.as_deref().unwrap_or_default()
            )),
            Cell::text(""),
            Cell::text(""),
        ],
        None => vec![Cell::text("not valued"), Cell::text(""), Cell::text("")],
    }
}

fn standing(s: &guarantor_engine::engage::Standing, currency: &str) -> String {
    format!(
        "{} essential coverage ({} of {} lines met), {} desirable, {currency} {} m a year",
        percent_or_na(s.essential_coverage, 0),
        s.essential_met,
        s.essential_lines,
        percent_or_na(s.desirable_coverage, 0),
        millions(s.cost_per_year_m)
    )
}

/// The plan under `scenario` (one of `report.scenarios`) as a section with id `engagement`.
pub fn engagement_section(
    report: &EngagementReport,
    scenario: &ScenarioEngagement,
    currency: &str,
) -> Section {
    let base = format!("engagement.scenarios[{}]", scenario.scenario);
    let mut blocks = vec![Block::Paragraph {
        text: format!(
            "HYPOTHETICAL: whom the envoy should ask for what under \"{}\"{}, each ask valued by \
             solving the scenario again with it added. No capital has made these offers and no \
             proposal changes.",
            scenario.name,
            report
                .posture
                .as_ref()
                .map_or_else(String::new, |p| format!(
                    ", measured against the force posture \"{}\"",
                    p.name
                ))
        ),
    }];
    blocks.push(Block::Paragraph {
        text: match &scenario.if_all_granted {
            Some(g) => format!(
                "Now: {}. If every ask on the visit list were granted: {}.",
                standing(&scenario.baseline, currency),
                standing(g, currency)
            ),
            None => format!(
                "Now: {}. No ask would add coverage under this scenario.",
                standing(&scenario.baseline, currency)
            ),
        },
    });
    if !scenario.visits.is_empty() {
        blocks.push(Block::Table(Table {
            caption: "Visit list: first the capital whose asks buy the most".into(),
            columns: vec![
                Column::number("#"),
                Column::text("Capital"),
                Column::text("Proposal"),
                Column::text("What to ask"),
                Column::number("Essential coverage"),
                Column::number("Desirable coverage"),
                Column::number("Cost per year"),
                Column::text("Also brings in"),
            ],
            rows: scenario
                .visits
                .iter()
                .enumerate()
                .map(|(i, v)| {
                    let mut row = vec![
                        Cell::text(v.rank.to_string()),
                        Cell::text(&v.name),
                        Cell::text(v.status.as_str()),
                        Cell::text(v.asks.join("; ")),
                    ];
                    row.extend(value_cells(
                        Some(&v.value),
                        &format!("{base}.visits[{i}].value"),
                        currency,
                    ));
                    row.push(Cell::text(v.value.unlocks.join("; ")));
                    row
                })
                .collect(),
            note: "Gains against the cheapest option with the best coverage on the offers as they are; a capital's asks valued together.".into(),
        }));
    }
    let mut rows = Vec::new();
    let mut unasked = Vec::new();
    for (g, gap) in scenario.gaps.iter().enumerate() {
        let label = format!(
            "{}, {} ({}; short {} in {})",
            gap.capability_name,
            gap.sector_name,
            gap.priority.as_str(),
            number(gap.units_short, 0),
            gap.phases.join(", ")
        );
        if let Some(why) = &gap.no_candidate {
            unasked.push(format!("{label}: {why}."));
            continue;
        }
        for (k, ask) in gap.candidates.iter().enumerate() {
            let mut row = vec![
                // The first column heads its row, so every row names its gap.
                Cell::text(label.clone()),
                Cell::text(&ask.in_words),
                Cell::text(
                    ask.reasons
                        .iter()
                        .map(|r| r.detail.as_str())
                        .collect::<Vec<_>>()
                        .join("; "),
                ),
            ];
            row.extend(value_cells(
                ask.value.as_ref(),
                &format!("{base}.gaps[{g}].candidates[{k}].value"),
                currency,
            ));
            rows.push(row);
        }
    }
    if !rows.is_empty() {
        blocks.push(Block::Table(Table {
            caption: "Gaps and the capitals that could close them, best ask first".into(),
            columns: vec![
                Column::text("Gap"),
                Column::text("Ask"),
                Column::text("Why this capital"),
                Column::number("Essential coverage"),
                Column::number("Desirable coverage"),
                Column::number("Cost per year"),
            ],
            rows,
            note: "Each ask valued alone, by solving the scenario again with it added.".into(),
        }));
    }
    if !unasked.is_empty() {
        blocks.push(Block::Heading {
            text: "Gaps no capital can be asked to close".into(),
        });
        blocks.push(Block::List { items: unasked });
    }
    blocks.push(Block::Heading {
        text: "How the plan is made".into(),
    });
    blocks.push(Block::List {
        items: report.method.clone(),
    });
    Section {
        id: "engagement".into(),
        title: "What to ask for next: the envoy's plan".into(),
        blocks,
    }
}

/// The plan that stands as a brief section, with its chart: who adopted what, how many pledges
/// are at each stage, the essential lines' coverage at each level over time (pledged against
/// delivered), coverage per phase and per capital, and of each requirement line. `None` before
/// any plan is adopted.
pub fn plan_section(campaign: &guarantor_domain::Campaign) -> Option<(Section, Vec<Chart>)> {
    use guarantor_domain::PledgeState;
    let plan = campaign.plan()?;
    let counts: Vec<String> = PledgeState::ALL
        .iter()
        .filter_map(|s| {
            let n = plan.pledges.iter().filter(|p| p.state() == *s).count();
            (n > 0).then(|| format!("{n} {}", s.as_str().replace('_', " ")))
        })
        .collect();
    let units = |x: f64| number(x, if x.fract() == 0.0 { 0 } else { 1 });
    let coverage = campaign.plan_coverage(plan);
    let essential: Vec<&str> = campaign
        .requirements()
        .iter()
        .filter(|r| r.priority == guarantor_domain::Priority::Essential)
        .map(|r| r.id.as_str())
        .collect();
    let met = |level: fn(&guarantor_domain::LevelCoverage) -> f64| {
        coverage
            .iter()
            .filter(|l| essential.contains(&l.requirement.as_str()))
            .filter(|l| level(l) + 1e-9 >= f64::from(l.required))
            .count()
    };
    let timeline = campaign.plan_timeline(plan);
    let chart = Chart {
        id: "plan-over-time".into(),
        caption: "The essential requirement lines' coverage at each level of commitment, on each day something was recorded: each line's units at that level ÷ units required (at most 100%), every line weighing the same.".into(),
        svg: essential_over_time(&timeline).to_svg(),
    };
    let share = |x: f64| percent(x, 0);
    let phases = campaign.plan_coverage_by_phase(plan);
    let by_phase = Table {
        caption: "Coverage of each phase's essential lines at each level (mean share of each line's requirement; lines fully covered)".into(),
        columns: vec![
            Column::text("Phase"),
            Column::number("Essential lines"),
            Column::number("Accepted"),
            Column::number("Confirmed"),
            Column::number("Verified"),
            Column::number("Delivered"),
        ],
        rows: phases
            .iter()
            .map(|p| {
                let e = &p.essential;
                let name = campaign
                    .phases()
                    .iter()
                    .find(|x| x.id.as_str() == p.phase)
                    .map_or_else(|| p.phase.clone(), |x| x.name.clone());
                let mut row = vec![Cell::text(name), Cell::text(e.lines.to_string())];
                row.extend(e.levels().into_iter().map(|(x, met)| {
                    Cell::text(format!("{} ({met} met)", share(x)))
                }));
                row
            })
            .collect(),
        note: String::new(),
    };
    let by_capital = Table {
        caption: "Each capital's pledges: how many stand, how far they got, units pledged against delivered".into(),
        columns: vec![
            Column::text("Capital"),
            Column::number("Pledges"),
            Column::number("Standing"),
            Column::number("Confirmed"),
            Column::number("Verified"),
            Column::number("Units pledged"),
            Column::number("Units delivered"),
        ],
        rows: campaign
            .plan_pledges_by_capital(plan)
            .iter()
            .map(|c| {
                vec![
                    Cell::text(campaign.respondent_name(&c.respondent)),
                    Cell::text(c.pledges.to_string()),
                    Cell::text(c.standing.to_string()),
                    Cell::text(c.confirmed.to_string()),
                    Cell::text(c.verified.to_string()),
                    Cell::text(c.units.to_string()),
                    Cell::text(c.units_delivered.to_string()),
                ]
            })
            .collect(),
        note: "Standing: not declined, withdrawn or released; confirmed and verified count pledges that reached the step and still stand; units are each pledge's own (brigades, squadrons, money), so compare them within a capability.".into(),
    };
    let changed = campaign.plan_drift(plan);
    let drift = if changed.is_empty() {
        "Every standing pledge still rests on its offer line as adopted.".to_owned()
    } else {
        format!(
            "Changed since adoption, so the plan rests on less than it counts: {}.",
            changed
                .iter()
                .map(|d| format!("{} pledge {} ({})", d.respondent, d.pledge, d.what))
                .collect::<Vec<_>>()
                .join("; ")
        )
    };
    let section = Section {
        id: "plan".into(),
        title: "The plan and what is real".into(),
        blocks: vec![
            Block::Paragraph {
                text: format!(
                    "Plan {} ({} under scenario {}), adopted by {} on {}. Its {} pledges: {}.",
                    plan.version,
                    plan.option,
                    plan.scenario,
                    plan.adopted_by,
                    plan.adopted_at.format("%Y-%m-%d"),
                    plan.pledges.len(),
                    counts.join(", ")
                ),
            },
            Block::Paragraph {
                text: format!(
                    "Essential requirement lines fully covered: {} of {} on accepted pledges, {} confirmed, {} verified, {} delivered.",
                    met(|l| l.accepted),
                    essential.len(),
                    met(|l| l.confirmed),
                    met(|l| l.verified),
                    met(|l| l.delivered),
                ),
            },
            Block::Chart {
                chart: chart.id.clone(),
            },
            Block::Paragraph { text: drift },
            Block::Table(by_phase),
            Block::Table(by_capital),
            Block::Table(Table {
                caption: "Coverage of each requirement line at each level of commitment (units)"
                    .into(),
                columns: vec![
                    Column::text("Line"),
                    Column::number("Required"),
                    Column::number("Accepted"),
                    Column::number("Confirmed"),
                    Column::number("Verified"),
                    Column::number("Delivered"),
                ],
                rows: coverage
                    .iter()
                    .map(|l| {
                        vec![
                            Cell::text(&l.requirement),
                            Cell::text(l.required.to_string()),
                            Cell::text(units(l.accepted)),
                            Cell::text(units(l.confirmed)),
                            Cell::text(units(l.verified)),
                            Cell::text(units(l.delivered)),
                        ]
                    })
                    .collect(),
                note: "A pledge counts at a level once it reached it and while it stands (not declined, withdrawn or released); delivered units in proportion to the pledge's units delivered.".into(),
            }),
        ],
    };
    Some((section, vec![chart]))
}

/// The essential lines' mean coverage at each level, as a step chart over the plan's days.
pub fn essential_over_time(timeline: &[guarantor_domain::CoverageOn]) -> TimeChart {
    let series = |name: &str, level: fn(&guarantor_domain::LevelTotals) -> f64| Series {
        name: name.into(),
        values: timeline
            .iter()
            .map(|t| level(&t.essential) * 100.0)
            .collect(),
    };
    TimeChart {
        title: "Essential lines covered, pledged against delivered".into(),
        axis: "mean coverage of the essential requirement lines (%)".into(),
        days: timeline.iter().map(|t| t.day).collect(),
        series: vec![
            series("accepted", |t| t.accepted),
            series("confirmed", |t| t.confirmed),
            series("verified", |t| t.verified),
            series("delivered", |t| t.delivered),
        ],
        target: Some(("fully covered".into(), 100.0)),
        value_suffix: "%".into(),
    }
}

/// One requirement line's units at each level, as a step chart over the plan's days, against
/// the units it requires. `None` when the plan has no such line.
pub fn line_over_time(
    timeline: &[guarantor_domain::CoverageOn],
    requirement: &str,
) -> Option<TimeChart> {
    let at = timeline
        .first()?
        .lines
        .iter()
        .position(|l| l.requirement == requirement)?;
    let required = f64::from(timeline.first()?.lines[at].required);
    let series = |name: &str, level: fn(&guarantor_domain::LevelCoverage) -> f64| Series {
        name: name.into(),
        values: timeline.iter().map(|t| level(&t.lines[at])).collect(),
    };
    Some(TimeChart {
        title: format!("{requirement}: pledged against delivered"),
        axis: "units".into(),
        days: timeline.iter().map(|t| t.day).collect(),
        series: vec![
            series("accepted", |l| l.accepted),
            series("confirmed", |l| l.confirmed),
            series("verified", |l| l.verified),
            series("delivered", |l| l.delivered),
        ],
        target: Some(("required".into(), required)),
        value_suffix: String::new(),
    })
}
