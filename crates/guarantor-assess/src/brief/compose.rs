//! Builds the brief from the assessment and the options report. No figure is computed here that
//! the assessment or the engine did not compute; this module chooses, orders and writes them.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use guarantor_domain::{Campaign, Caveat, Payer, Priority};
use guarantor_engine::OptionsReport;
use guarantor_engine::engage::EngagementReport;
use guarantor_engine::options::ScenarioOptions;
use guarantor_engine::options::report::{ForcePackage, RequirementCoverage};

use super::{
    Block, Brief, Cell, Chart, Column, KeyFigure, Recommendation, Section, SummaryPage, Table,
};
use crate::assessment::Assessment;
use crate::charts::{BarChart, HeatCell, HeatMap, Series};
use crate::format::{money_m, number, percent, persons};

/// What a brief is made from.
#[derive(Debug, Clone, Copy)]
pub struct BriefInput<'a> {
    /// The campaign (names of capabilities, phases, sectors; the proposals for the annexes).
    pub campaign: &'a Campaign,
    /// Its assessment.
    pub assessment: &'a Assessment,
    /// Options under every scenario of the campaign.
    pub options: &'a OptionsReport,
    /// The engagement plan under the first scenario, when one was made: the brief then has a
    /// section on whom to ask for what next.
    pub engagement: Option<&'a EngagementReport>,
    /// The date printed on the brief.
    pub generated_on: NaiveDate,
}

/// The rule that picks the recommended option, stated in the brief.
pub const RECOMMENDATION_RULE: &str = "Among the options of the first scenario: the highest \
essential coverage; then the highest essential coverage left after the worst single withdrawal \
(package fixed); then the lowest cost per year.";

/// A gap at most this large is no gap: the engine's own tolerance for "met".
const GAP_TOLERANCE: f64 = 1e-9;

/// Names of catalogue entries, phases and sectors by id.
struct Names {
    capability: BTreeMap<String, (String, String)>,
    phase: BTreeMap<String, String>,
    sector: BTreeMap<String, String>,
    phase_ids: Vec<String>,
    sector_ids: Vec<String>,
}

impl Names {
    fn of(campaign: &Campaign) -> Self {
        Self {
            capability: campaign
                .catalogue()
                .iter()
                .map(|c| (c.id.to_string(), (c.name.clone(), c.unit.clone())))
                .collect(),
            phase: campaign
                .phases()
                .iter()
                .map(|p| (p.id.to_string(), p.name.clone()))
                .collect(),
            sector: campaign
                .sectors()
                .iter()
                .map(|s| (s.id.to_string(), s.name.clone()))
                .collect(),
            phase_ids: campaign.phases().iter().map(|p| p.id.to_string()).collect(),
            sector_ids: campaign
                .sectors()
                .iter()
                .map(|s| s.id.to_string())
                .collect(),
        }
    }

    fn capability<'a>(&'a self, id: &'a str) -> &'a str {
        self.capability.get(id).map_or(id, |(n, _)| n.as_str())
    }

    fn unit<'a>(&'a self, id: &'a str) -> &'a str {
        self.capability.get(id).map_or("unit", |(_, u)| u.as_str())
    }

    fn phase<'a>(&'a self, id: &'a str) -> &'a str {
        self.phase.get(id).map_or(id, String::as_str)
    }

    fn sector<'a>(&'a self, id: &'a str) -> &'a str {
        self.sector.get(id).map_or(id, String::as_str)
    }
}

/// Composes the brief.
pub fn compose(input: BriefInput<'_>) -> Brief {
    let BriefInput {
        campaign,
        assessment: a,
        options,
        engagement,
        generated_on,
    } = input;
    let names = Names::of(campaign);
    let currency = a.campaign.currency.clone();
    let baseline = options.scenarios.first();
    let recommended = baseline.and_then(|s| recommend(&s.options).map(|i| (s, i)));
    let mut charts = Vec::new();

    let mut summary = summary_page(campaign, a, options, recommended, &names, &currency);
    summary.missing.extend(left_out_sentence(options));
    summary.missing.extend(unproven_sentence(options));
    summary.missing.extend(closing_sentence(
        engagement.and_then(|e| e.scenarios.first()),
        recommended.map(|(s, _)| s.scenario.as_str()),
        &currency,
    ));
    let mut sections = Vec::new();
    if let Some(scenario) = baseline {
        sections.push(options_section(
            scenario,
            recommended.map(|(_, i)| i),
            &names,
            &currency,
            &mut charts,
        ));
    } else {
        sections.push(Section {
            id: "options".into(),
            title: "The options".into(),
            blocks: vec![Block::Paragraph {
                text: "No options were computed.".into(),
            }],
        });
    }
    sections.push(scenarios_section(options, &currency, &mut charts));
    if let Some((report, first)) = engagement.and_then(|e| e.scenarios.first().map(|s| (e, s))) {
        sections.push(super::engagement_section(report, first, &currency));
    }
    if let Some((section, plan_charts)) = super::plan_section(campaign) {
        sections.push(section);
        charts.extend(plan_charts);
    }
    let mut annexes = vec![assessment_annex(a, &names, &currency, &mut charts)];
    annexes.extend(respondent_annexes(campaign, a, &currency));
    let info = campaign.info();
    Brief {
        title: a.campaign.title.clone(),
        issuer: a.campaign.issuer.clone(),
        campaign: a.campaign.id.clone(),
        currency,
        generated_on: generated_on.to_string(),
        audit_head: None,
        illustrative: info.illustrative.then(|| {
            "ILLUSTRATIVE DATA: the proposals in this brief are invented for demonstration; no \
             capital made these offers."
                .to_owned()
        }),
        summary,
        sections,
        annexes,
        charts,
    }
}

/// The options of one scenario of `options` (by position) as a brief section with its charts,
/// composed exactly as the brief composes the baseline's: the web app's options page.
pub fn scenario_options(
    campaign: &Campaign,
    options: &OptionsReport,
    index: usize,
) -> Option<(Section, Vec<Chart>)> {
    let scenario = options.scenarios.get(index)?;
    let names = Names::of(campaign);
    let currency = campaign.info().currency.to_string();
    let mut charts = Vec::new();
    let section = options_section(
        scenario,
        recommend(&scenario.options),
        &names,
        &currency,
        &mut charts,
    );
    Some((section, charts))
}

/// The assessment as a brief section with its charts (the brief's first annex): the web app's
/// assessment page, which needs no options.
pub fn assessment_section(campaign: &Campaign, a: &Assessment) -> (Section, Vec<Chart>) {
    let names = Names::of(campaign);
    let mut charts = Vec::new();
    let section = assessment_annex(a, &names, &a.campaign.currency, &mut charts);
    (section, charts)
}

/// The scenarios side by side as a brief section with its charts: the web app's compare page.
pub fn scenario_comparison(campaign: &Campaign, options: &OptionsReport) -> (Section, Vec<Chart>) {
    let currency = campaign.info().currency.to_string();
    let mut charts = Vec::new();
    let section = scenarios_section(options, &currency, &mut charts);
    (section, charts)
}

/// Index of the option the brief recommends among a scenario's (see [`RECOMMENDATION_RULE`]):
/// the engine's rule, which its scenario comparison uses too.
pub use guarantor_engine::options::recommend;

fn option_title(i: usize, p: &ForcePackage) -> String {
    format!("Option {} ({})", i + 1, p.labels.join(", "))
}

fn opt_key(scenario: &ScenarioOptions, i: usize, field: &str) -> String {
    format!(
        "options.scenarios[{}].options[{i}].{field}",
        scenario.scenario
    )
}

fn coverage_text(c: Option<f64>) -> String {
    c.map_or_else(|| "n/a".into(), |x| percent(x, 1))
}

/// The option's multinational formations in words: units assembled from parts under a lead
/// nation, and lines held by several capitals taking turns in a rotation pool.
fn formations(p: &ForcePackage, names: &Names) -> Vec<String> {
    let mut out = Vec::new();
    for c in &p.coverage {
        let place = format!("{}, {}", names.sector(&c.sector), names.phase(&c.phase));
        if let Some(a) = &c.assembly {
            let parts: Vec<String> = a
                .parts
                .iter()
                .filter(|part| part.capability != a.lead_part)
                .map(|part| {
                    let who: Vec<String> = part
                        .from
                        .iter()
                        .map(|f| format!("{} {}", f.respondent, number(f.units, 0)))
                        .collect();
                    format!(
                        "{} × {} ({})",
                        number(part.units, 0),
                        names.capability(&part.capability).to_lowercase(),
                        who.join(", ")
                    )
                })
                .collect();
            out.push(format!(
                "{} {} ({place}) assembled under {} as lead nation{}: {}.",
                number(a.units, 0),
                names.capability(&c.capability).to_lowercase(),
                a.lead.join(", "),
                if a.lead.len() == 1 { "" } else { "s" },
                parts.join("; ")
            ));
        }
        if let Some(pool) = &c.rotation_pool {
            let mut who: Vec<&str> = pool.turns.iter().map(|t| t.respondent.as_str()).collect();
            who.dedup();
            if who.len() > 1 {
                out.push(format!(
                    "{} ({place}): {} capitals ({}) take turns, {} units keeping {} deployed.",
                    names.capability(&c.capability),
                    who.len(),
                    who.join(", "),
                    number(pool.units, 0),
                    number(pool.kept_deployed, 0)
                ));
            }
        }
    }
    out
}

fn gap_sentence(c: &RequirementCoverage, names: &Names) -> String {
    // The summary names the kinds of reason only; the options section has the details.
    let mut kinds: Vec<String> = c
        .shortfall
        .iter()
        .map(|r| r.kind.as_str().replace('_', " "))
        .collect();
    kinds.dedup();
    format!(
        "{} ({}, {}): {} of {} {} short{}",
        names.capability(&c.capability),
        names.sector(&c.sector),
        names.phase(&c.phase),
        number(c.gap, if c.gap.fract() == 0.0 { 0 } else { 1 }),
        number(c.required, 0),
        names.unit(&c.capability),
        if kinds.is_empty() {
            String::new()
        } else {
            format!(" — {}", kinds.join(", "))
        }
    )
}

/// The posture × scenario matrix: for each force posture, under each outcome of the talks,
/// whether its recommended option fields every essential line, its essential coverage, its
/// cost a year and its lead nation. `None` when the campaign defines no postures.
pub fn fielded_section(options: &OptionsReport, currency: &str) -> Option<Section> {
    if options.postures.is_empty() {
        return None;
    }
    let mut columns = vec![
        Column::text("Force posture"),
        Column::number("Troops required at peak"),
    ];
    columns.extend(options.scenarios.iter().map(|s| Column::text(&s.name)));
    let robust = options.postures.iter().any(|p| p.robust.is_some());
    if robust {
        columns.push(Column::text("One package for every outcome"));
    }
    let rows = options
        .postures
        .iter()
        .map(|p| {
            let key = |f: &str| format!("options.postures[{}].{f}", p.posture);
            let mut row = vec![
                Cell::text(&p.name),
                Cell::figure(
                    persons(p.troops_required_peak),
                    p.troops_required_peak,
                    key("troops_required_peak"),
                ),
            ];
            row.extend(p.cells.iter().map(|c| {
                let text = format!(
                    "{} · {} ({}/{}) · {}{}",
                    if c.fillable { "Yes" } else { "No" },
                    coverage_text(c.essential_coverage),
                    c.essential_met,
                    c.essential_lines,
                    money_m(c.cost_per_year_m, currency),
                    c.lead
                        .as_ref()
                        .map_or_else(String::new, |l| format!(" · {l}"))
                );
                match c.essential_coverage {
                    Some(v) => Cell::figure(
                        text,
                        v,
                        key(&format!("cells[{}].essential_coverage", c.scenario)),
                    ),
                    None => Cell::text(text),
                }
            }));
            if robust {
                row.push(match &p.robust {
                    Some(r) => {
                        let text = format!(
                            "worst {} ({}) · {}",
                            coverage_text(r.worst_essential_coverage),
                            r.by_scenario
                                .iter()
                                .find(|c| c.scenario == r.worst_scenario)
                                .map_or(r.worst_scenario.as_str(), |c| c.name.as_str()),
                            money_m(r.cost_per_year_m, currency)
                        );
                        match r.worst_essential_coverage {
                            Some(v) => {
                                Cell::figure(text, v, key("robust.worst_essential_coverage"))
                            }
                            None => Cell::text(text),
                        }
                    }
                    None => Cell::text("not computed"),
                });
            }
            row
        })
        .collect();
    Some(Section {
        id: "fielded".into(),
        title: "What can be fielded, under which outcome of the talks".into(),
        blocks: vec![Block::Table(Table {
            caption: "Each force posture under each outcome: fielded (every essential line covered) or not · essential coverage (essential lines met/all) · cost a year · lead nation".into(),
            columns,
            rows,
            note: "Each cell is the posture's recommended option under that outcome (the options section has the campaign's own statement of requirements in detail). The last column is one set of offers accepted for every outcome: the worst essential coverage it holds across them, where, and what it costs a year.".into(),
        })],
    })
}

/// The willingness ranking's top and bottom three among the capitals that offered something
/// and have an index, each with the share of its personnel that rests on a condition beside it
/// (those that offered nothing are counted in "Capitals that answered").
fn willingness_figure(a: &Assessment) -> KeyFigure {
    let ranked: Vec<&crate::assessment::WillingnessLine> = a
        .willingness
        .lines
        .iter()
        .filter(|l| l.index.is_some() && l.offer_lines > 0)
        .collect();
    let describe = |l: &&crate::assessment::WillingnessLine| {
        format!(
            "{} {} ({} conditional)",
            l.name,
            number(l.index.unwrap_or(0.0), 2),
            l.conditional_personnel_share
                .map_or_else(|| "none".into(), |s| percent(s, 0))
        )
    };
    let top: Vec<String> = ranked.iter().take(3).map(describe).collect();
    let bottom: Vec<String> = ranked.iter().rev().take(3).rev().map(describe).collect();
    match (ranked.first(), ranked.last()) {
        (Some(first), Some(last)) => KeyFigure {
            label: "Most and least willing".into(),
            text: format!("{} … {}", first.name, last.name),
            figure: "assessment.willingness.lines[0].index".into(),
            value: first.index,
            note: format!(
                "Willingness index (effort against size, 0 to 1) with the share of personnel resting on a condition. Top: {}. Bottom: {}.",
                top.join(", "),
                bottom.join(", ")
            ),
        },
        _ => KeyFigure {
            label: "Most and least willing".into(),
            text: "n/a".into(),
            figure: "assessment.willingness".into(),
            value: None,
            note: "No capital has an index: no answers, or no reference figures.".into(),
        },
    }
}

fn summary_page(
    campaign: &Campaign,
    a: &Assessment,
    options: &OptionsReport,
    recommended: Option<(&ScenarioOptions, usize)>,
    names: &Names,
    currency: &str,
) -> SummaryPage {
    let counts = &a.response_counts;
    let offered = &a.offered;
    let mut figures = vec![
        KeyFigure {
            label: "Capitals that answered".into(),
            text: format!("{} of {} invited", counts.answered, counts.invited),
            figure: "assessment.response_counts.answered".into(),
            value: Some(counts.answered as f64),
            note: format!(
                "{} working on a draft, {} not started, {} withdrew.",
                counts.draft, counts.not_started, counts.withdrawn
            ),
        },
        KeyFigure {
            label: "Personnel offered (rotation included)".into(),
            text: persons(offered.personnel.committed),
            figure: "assessment.offered.personnel.committed".into(),
            value: Some(offered.personnel.committed),
            note: format!(
                "{} in place at once; {} sustainable in an enduring phase.",
                persons(offered.personnel.at_once),
                persons(offered.personnel.sustained)
            ),
        },
        KeyFigure {
            label: "Price of everything offered".into(),
            text: money_m(offered.cost_per_year_m, currency),
            figure: "assessment.offered.cost_per_year_m".into(),
            value: Some(offered.cost_per_year_m),
            note: format!(
                "Of which funding {}; {} offer lines carry no price.",
                money_m(offered.funding_per_year_m, currency),
                offered.unpriced_lines
            ),
        },
        KeyFigure {
            label: "Essential requirements the offers could meet".into(),
            text: format!(
                "{} of {}",
                a.coverage_totals.essential_met, a.coverage_totals.essential
            ),
            figure: "assessment.coverage_totals.essential_met".into(),
            value: Some(a.coverage_totals.essential_met as f64),
            note: "Before optimisation and conditions; a unit may count for several lines.".into(),
        },
        willingness_figure(a),
        KeyFigure {
            label: "Personnel resting on a condition".into(),
            text: persons(a.conditions.conditional.personnel),
            figure: "assessment.conditions.conditional.personnel".into(),
            value: Some(a.conditions.conditional.personnel),
            note: largest_condition(a),
        },
    ];
    let (recommendation, missing) = match recommended {
        Some((scenario, i)) => {
            let p = &scenario.options[i];
            let m = &p.measures;
            figures.push(KeyFigure {
                label: "Recommended option: essential coverage".into(),
                text: coverage_text(m.essential_coverage),
                figure: opt_key(scenario, i, "measures.essential_coverage"),
                value: m.essential_coverage,
                note: format!(
                    "{} of {} essential lines fully covered.",
                    m.essential_met, m.essential_lines
                ),
            });
            figures.push(KeyFigure {
                label: "Recommended option: cost per year".into(),
                text: money_m(m.cost_per_year_m, currency),
                figure: opt_key(scenario, i, "measures.cost_per_year_m"),
                value: Some(m.cost_per_year_m),
                note: format!("{} contributing capitals.", p.participants.len()),
            });
            let under = campaign
                .scenarios()
                .iter()
                .find(|s| s.id.as_str() == scenario.scenario);
            let required = guarantor_engine::options::troops_required_by_phase(campaign, under);
            let by_phase: Vec<String> = required
                .iter()
                .map(|r| {
                    let deployed = m
                        .troops_deployed
                        .iter()
                        .find(|t| t.phase == r.phase)
                        .map_or(0.0, |t| t.troops);
                    let name = campaign
                        .phases()
                        .iter()
                        .find(|p| p.id.as_str() == r.phase)
                        .map_or(r.phase.as_str(), |p| p.name.as_str());
                    format!("{name} {} of {}", persons(deployed), persons(r.troops))
                })
                .collect();
            figures.push(KeyFigure {
                label: "Recommended option: troops in country at peak".into(),
                text: persons(m.troops_deployed_peak),
                figure: opt_key(scenario, i, "measures.troops_deployed_peak"),
                value: Some(m.troops_deployed_peak),
                note: format!(
                    "Against {} required in country at the peak; {} committed, rotation included. By phase, deployed of required: {}.",
                    persons(guarantor_engine::options::troops_required_peak(campaign, under)),
                    persons(m.troops_committed),
                    by_phase.join("; ")
                ),
            });
            // The single largest sensitivity to the talks: the outcome under which the
            // recommended option loses the most essential coverage, with what causes it (what
            // that outcome assumes that the first one does not).
            let base = options.comparison.first();
            let worst = options
                .comparison
                .iter()
                .skip(1)
                .filter_map(|c| Some((c, c.essential_coverage_change_points?)))
                .filter(|(_, points)| *points < 0.0)
                .min_by(|a, b| a.1.total_cmp(&b.1));
            if let (Some(base), Some((worst, _))) = (base, worst) {
                let assumed = |id: &str| {
                    options
                        .scenarios
                        .iter()
                        .find(|s| s.scenario == id)
                        .map(|s| s.assumptions.clone())
                        .unwrap_or_default()
                };
                let before = assumed(&base.scenario);
                let causes: Vec<String> = assumed(&worst.scenario)
                    .into_iter()
                    .filter(|x| !before.contains(x))
                    .collect();
                figures.push(KeyFigure {
                    label: "Largest sensitivity to the talks".into(),
                    text: format!(
                        "{} → {}",
                        coverage_text(base.essential_coverage),
                        coverage_text(worst.essential_coverage)
                    ),
                    figure: format!("options.comparison[{}].essential_coverage", worst.scenario),
                    value: worst.essential_coverage,
                    note: format!(
                        "Essential coverage of the recommended option under \"{}\"{}.",
                        worst.name,
                        if causes.is_empty() {
                            String::new()
                        } else {
                            format!(", because {}", causes.join("; "))
                        }
                    ),
                });
            }
            let mut why = vec![format!(
                "Essential coverage {} ({} of {} essential lines met), at {}.",
                coverage_text(m.essential_coverage),
                m.essential_met,
                m.essential_lines,
                money_m(m.cost_per_year_m, currency)
            )];
            if let Some(w) = p.robustness.as_ref().and_then(|r| r.worst_case.as_ref()) {
                why.push(format!(
                    "If {} walks away, essential coverage falls to {} with the package as it \
                     stands, and {} after re-planning.",
                    w.respondent,
                    coverage_text(w.essential_coverage_fixed),
                    coverage_text(w.essential_coverage_reoptimised)
                ));
            }
            if !p.solve.optimal {
                why.push(match p.solve.gap {
                    Some(g) => format!(
                        "Not proven optimal: the solver stopped at its time limit with this \
                         package, at most {} from the best possible on its goal.",
                        percent(g, 1)
                    ),
                    None => "Not proven optimal: the solver stopped at its time limit with this \
                             package; how far it is from the best possible is unknown."
                        .into(),
                });
            }
            why.extend(formations(p, names));
            if p.rests_on.is_empty() {
                why.push("It rests on no condition.".into());
            } else {
                why.push(format!("It rests on: {}.", p.rests_on.join("; ")));
            }
            let mut missing: Vec<String> = p
                .coverage
                .iter()
                .filter(|c| c.priority == Priority::Essential && c.gap > GAP_TOLERANCE)
                .map(|c| gap_sentence(c, names))
                .collect();
            let desirable_gaps = p
                .coverage
                .iter()
                .filter(|c| c.priority == Priority::Desirable && c.gap > GAP_TOLERANCE)
                .count();
            if missing.is_empty() {
                missing.push("Every essential requirement is covered.".into());
            }
            if desirable_gaps > 0 {
                missing.push(format!(
                    "{desirable_gaps} desirable requirement lines are not fully covered (see the options)."
                ));
            }
            (
                Recommendation {
                    option: option_title(i, p),
                    scenario: scenario.name.clone(),
                    why,
                    rule: RECOMMENDATION_RULE.into(),
                },
                missing,
            )
        }
        None => (
            Recommendation {
                option: "None".into(),
                scenario: String::new(),
                why: vec!["No option could be computed.".into()],
                rule: RECOMMENDATION_RULE.into(),
            },
            Vec::new(),
        ),
    };
    let mut missing = missing;
    if counts.answered == 0 {
        missing.insert(
            0,
            "Nobody has answered yet: every requirement is unmet and the options are empty.".into(),
        );
    }
    SummaryPage {
        question: campaign.info().purpose.clone(),
        fielded: fielded_section(options, currency),
        figures,
        missing,
        recommendation,
    }
}

/// What would close the remaining gaps, from the envoy's plan under the recommended option's
/// scenario: the capitals on the visit list and what granting every ask would bring (marked
/// hypothetical). `None` without a plan, or when it has nothing to ask.
fn closing_sentence(
    plan: Option<&guarantor_engine::engage::ScenarioEngagement>,
    scenario: Option<&str>,
    currency: &str,
) -> Option<String> {
    let plan = plan.filter(|p| Some(p.scenario.as_str()) == scenario)?;
    let granted = plan.if_all_granted.as_ref()?;
    if plan.visits.is_empty() {
        return None;
    }
    let names: Vec<&str> = plan.visits.iter().map(|v| v.name.as_str()).collect();
    Some(format!(
        "What would close them (hypothetical, the envoy's plan): asking {} {} — {} — for what \
         each could plausibly give would bring essential coverage from {} to {} ({} of {} \
         essential lines), at {}.",
        names.len(),
        if names.len() == 1 {
            "capital"
        } else {
            "capitals"
        },
        names.join(", "),
        coverage_text(plan.baseline.essential_coverage),
        coverage_text(granted.essential_coverage),
        granted.essential_met,
        granted.essential_lines,
        money_m(granted.cost_per_year_m, currency)
    ))
}

/// Page 1 says when a proposal had to be left out of a scenario because the solver failed with
/// it: the options of that scenario are computed without that capital.
fn left_out_sentence(options: &OptionsReport) -> Option<String> {
    let lines: Vec<String> = options
        .scenarios
        .iter()
        .flat_map(|s| {
            s.left_out
                .iter()
                .map(move |l| format!("{} under \"{}\" ({})", l.respondent, s.name, l.reason))
        })
        .collect();
    (!lines.is_empty()).then(|| {
        format!(
            "Proposals left out of the options because the solver failed with them: {}. Those \
             scenarios' options are computed without them; ask the capitals to check their figures.",
            lines.join("; ")
        )
    })
}

/// Page 1 says when options are not proven optimal: a solve stopped by its time limit keeps the
/// best package found, and a better or cheaper one may exist.
fn unproven_sentence(options: &OptionsReport) -> Option<String> {
    let all: Vec<&ForcePackage> = options
        .scenarios
        .iter()
        .flat_map(|s| s.options.iter())
        .collect();
    let unproven: Vec<&&ForcePackage> = all.iter().filter(|p| !p.solve.optimal).collect();
    if unproven.is_empty() {
        return None;
    }
    let worst = unproven
        .iter()
        .filter_map(|p| p.solve.gap)
        .fold(None, |w: Option<f64>, g| Some(w.map_or(g, |w| w.max(g))));
    Some(format!(
        "{} of {} options are not proven optimal: the solver stopped at its time limit and kept \
         the best package it had found{}; a cheaper or better-covering package may exist (more \
         time per solve, --time-limit, may prove or improve them).",
        unproven.len(),
        all.len(),
        worst.map_or_else(
            || ", how far from the best is unknown".to_owned(),
            |g| format!(
                ", at most {} from the best possible on its goal",
                percent(g, 1)
            )
        )
    ))
}

fn largest_condition(a: &Assessment) -> String {
    a.conditions
        .by_condition
        .iter()
        .max_by(|x, y| x.offers.personnel.total_cmp(&y.offers.personnel))
        .filter(|c| c.offers.personnel > 0.0)
        .map_or_else(
            || "No personnel offered rests on a condition.".into(),
            |c| {
                format!(
                    "The largest: {} ({} persons, {} of all offered).",
                    c.condition,
                    persons(c.offers.personnel),
                    c.personnel_share.map_or("n/a".into(), |s| percent(s, 0))
                )
            },
        )
}

fn top_payers(p: &ForcePackage, currency: &str) -> String {
    let mut payers: Vec<_> = p.burden.iter().filter(|b| b.cost_paid_m > 0.0).collect();
    payers.sort_by(|a, b| {
        b.cost_share
            .total_cmp(&a.cost_share)
            .then(a.respondent.cmp(&b.respondent))
    });
    let mut parts: Vec<String> = payers
        .iter()
        .take(3)
        .map(|b| format!("{} {}", b.respondent, percent(b.cost_share, 0)))
        .collect();
    if p.common_fund_m > 0.0 {
        parts.push(format!(
            "common fund {}",
            money_m(p.common_fund_m, currency)
        ));
    }
    if parts.is_empty() {
        "nobody".into()
    } else {
        parts.join(", ")
    }
}

fn options_section(
    scenario: &ScenarioOptions,
    recommended: Option<usize>,
    names: &Names,
    currency: &str,
    charts: &mut Vec<Chart>,
) -> Section {
    let mut blocks = vec![Block::Paragraph {
        text: format!(
            "Under the scenario \"{}\": {}",
            scenario.name,
            if scenario.assumptions.is_empty() {
                "no assumption restricts the offers.".to_owned()
            } else {
                format!("{}.", scenario.assumptions.join("; "))
            }
        ),
    }];
    blocks.extend(scenario.left_out.iter().map(|l| Block::Paragraph {
        text: format!(
            "The proposal of {} is left out of this scenario: {}. These options are computed \
             without it.",
            l.respondent, l.reason
        ),
    }));
    blocks.extend(
        guarantor_engine::options::same_force_groups(&scenario.options)
            .map(|text| Block::Paragraph { text }),
    );
    let opts = &scenario.options;
    let mut columns = vec![Column::text("Measure")];
    columns.extend(opts.iter().enumerate().map(|(i, p)| {
        let mut title = option_title(i, p);
        if Some(i) == recommended {
            title.push_str(" — recommended");
        }
        // Option columns hold sentences as well as numbers.
        Column::text(&title)
    }));
    type RowFn<'a> = Box<dyn Fn(usize, &ForcePackage) -> Cell + 'a>;
    let rows: Vec<(&str, RowFn<'_>)> = vec![
        (
            "How it differs",
            Box::new(|_, p: &ForcePackage| Cell::text(&p.distinction)),
        ),
        (
            "Essential coverage",
            Box::new(|i, p: &ForcePackage| {
                Cell::maybe(
                    p.measures.essential_coverage,
                    |x| percent(x, 1),
                    opt_key(scenario, i, "measures.essential_coverage"),
                )
            }),
        ),
        (
            "Essential lines met",
            Box::new(|i, p: &ForcePackage| {
                Cell::figure(
                    format!(
                        "{} of {}",
                        p.measures.essential_met, p.measures.essential_lines
                    ),
                    p.measures.essential_met as f64,
                    opt_key(scenario, i, "measures.essential_met"),
                )
            }),
        ),
        (
            "Desirable coverage",
            Box::new(|i, p: &ForcePackage| {
                Cell::maybe(
                    p.measures.desirable_coverage,
                    |x| percent(x, 1),
                    opt_key(scenario, i, "measures.desirable_coverage"),
                )
            }),
        ),
        (
            "Lines with a gap",
            Box::new(|_, p: &ForcePackage| {
                Cell::text(
                    p.coverage
                        .iter()
                        .filter(|c| c.gap > GAP_TOLERANCE)
                        .count()
                        .to_string(),
                )
            }),
        ),
        (
            "Troops in country at peak",
            Box::new(|i, p: &ForcePackage| {
                Cell::figure(
                    persons(p.measures.troops_deployed_peak),
                    p.measures.troops_deployed_peak,
                    opt_key(scenario, i, "measures.troops_deployed_peak"),
                )
            }),
        ),
        (
            "Personnel committed",
            Box::new(|i, p: &ForcePackage| {
                Cell::figure(
                    persons(p.measures.troops_committed),
                    p.measures.troops_committed,
                    opt_key(scenario, i, "measures.troops_committed"),
                )
            }),
        ),
        (
            "Cost per year",
            Box::new(|i, p: &ForcePackage| {
                Cell::figure(
                    money_m(p.measures.cost_per_year_m, currency),
                    p.measures.cost_per_year_m,
                    opt_key(scenario, i, "measures.cost_per_year_m"),
                )
            }),
        ),
        (
            "Who pays most",
            Box::new(|_, p: &ForcePackage| Cell::text(top_payers(p, currency))),
        ),
        (
            "Contributing capitals",
            Box::new(|_, p: &ForcePackage| Cell::text(p.participants.len().to_string())),
        ),
        (
            "Worst single withdrawal",
            Box::new(|i, p: &ForcePackage| {
                match p.robustness.as_ref().and_then(|r| r.worst_case.as_ref()) {
                    Some(w) => Cell {
                        text: format!(
                            "{}: essential {} (re-planned {})",
                            w.respondent,
                            coverage_text(w.essential_coverage_fixed),
                            coverage_text(w.essential_coverage_reoptimised)
                        ),
                        value: w.essential_coverage_fixed,
                        figure: Some(opt_key(
                            scenario,
                            i,
                            "robustness.worst_case.essential_coverage_fixed",
                        )),
                    },
                    None => Cell::text("not computed"),
                }
            }),
        ),
        (
            "Needs from the negotiation track",
            Box::new(|_, p: &ForcePackage| {
                Cell::text(if p.rests_on.is_empty() {
                    "nothing".to_owned()
                } else {
                    p.rests_on.join("; ")
                })
            }),
        ),
        (
            "Solve",
            Box::new(|_, p: &ForcePackage| {
                Cell::text(match (p.solve.optimal, p.solve.gap) {
                    (true, _) => "proven optimal".to_owned(),
                    (false, Some(g)) => format!("time limit, within {} of optimal", percent(g, 1)),
                    (false, None) => "time limit, gap unknown".to_owned(),
                })
            }),
        ),
    ];
    blocks.push(Block::Table(Table {
        caption: format!("The options side by side ({currency}, persons)"),
        columns,
        rows: rows
            .iter()
            .map(|(label, f)| {
                let mut row = vec![Cell::text(*label)];
                row.extend(opts.iter().enumerate().map(|(i, p)| f(i, p)));
                row
            })
            .collect(),
        note: "Coverage is the mean over requirement lines of units placed ÷ units required (at \
               most 100% per line). A withdrawal is tested for every contributing capital, with \
               the package fixed and re-planned."
            .into(),
    }));
    if let Some(i) = recommended {
        let p = &opts[i];
        let id = "option-coverage".to_owned();
        charts.push(Chart {
            id: id.clone(),
            caption: format!(
                "Coverage of {} per requirement: units placed ÷ units required, by capability \
                 (rows) and phase · sector (columns).",
                option_title(i, p)
            ),
            svg: heat_map(
                &format!("{}: coverage by requirement", option_title(i, p)),
                "Units placed ÷ units required",
                p.coverage.iter().map(|c| {
                    (
                        c.capability.as_str(),
                        c.phase.as_str(),
                        c.sector.as_str(),
                        c.covered,
                        c.required,
                        c.priority,
                    )
                }),
                names,
            ),
        });
        blocks.push(Block::Chart { chart: id });
        // The chart's figures as a table: for readers who cannot see it, and to trace each cell.
        blocks.push(Block::Table(Table {
            caption: format!("Coverage of {} per requirement", option_title(i, p)),
            columns: placed_columns("Coverage"),
            rows: p
                .coverage
                .iter()
                .map(|c| {
                    let key =
                        |f: &str| opt_key(scenario, i, &format!("coverage[{}].{f}", c.requirement));
                    let mut row = placed_cells(c, names, &key);
                    row.push(Cell::figure(
                        percent(c.coverage, 0),
                        c.coverage,
                        key("coverage"),
                    ));
                    row
                })
                .collect(),
            note: String::new(),
        }));
    }
    // The recommended option's gaps in full; the others' only where they differ from it, since
    // options mostly share their gaps and a reader wants the differences.
    let reference = recommended.unwrap_or(0);
    let mut order: Vec<usize> = (0..opts.len()).collect();
    order.sort_by_key(|&i| i != reference);
    let gap_of = |p: &ForcePackage, requirement: &str| {
        p.coverage
            .iter()
            .find(|c| c.requirement == requirement)
            .map_or(0.0, |c| c.gap)
    };
    for i in order {
        let p = &opts[i];
        let differs = i != reference;
        blocks.push(Block::Heading {
            text: if differs {
                format!(
                    "{}: gaps that differ from {}",
                    option_title(i, p),
                    option_title(reference, &opts[reference])
                )
            } else {
                format!("{}: gaps", option_title(i, p))
            },
        });
        let gaps: Vec<&RequirementCoverage> = p
            .coverage
            .iter()
            .filter(|c| {
                let own = if c.gap > GAP_TOLERANCE { c.gap } else { 0.0 };
                if differs {
                    (own - gap_of(&opts[reference], &c.requirement)).abs() > GAP_TOLERANCE
                } else {
                    own > 0.0
                }
            })
            .collect();
        if gaps.is_empty() {
            blocks.push(Block::Paragraph {
                text: if differs {
                    "The same gaps as the recommended option.".into()
                } else {
                    "Every requirement is covered.".into()
                },
            });
            continue;
        }
        blocks.push(Block::Table(Table {
            caption: String::new(),
            columns: {
                let mut c = placed_columns("Gap");
                c.push(Column::text("Why"));
                c
            },
            rows: gaps
                .iter()
                .map(|c| {
                    let key =
                        |f: &str| opt_key(scenario, i, &format!("coverage[{}].{f}", c.requirement));
                    let mut row = placed_cells(c, names, &key);
                    row.extend([
                        Cell::figure(number(c.gap, 1), c.gap, key("gap")),
                        Cell::text(
                            c.shortfall
                                .iter()
                                .map(|r| {
                                    let kind = r.kind.as_str().replace('_', " ");
                                    if r.detail.is_empty() {
                                        kind
                                    } else {
                                        format!("{kind}: {}", r.detail)
                                    }
                                })
                                .collect::<Vec<_>>()
                                .join("; "),
                        ),
                    ]);
                    row
                })
                .collect(),
            note: if differs {
                "A gap of 0 means this option covers a line the recommended option leaves short."
                    .into()
            } else {
                String::new()
            },
        }));
    }
    Section {
        id: "options".into(),
        title: "The options".into(),
        blocks,
    }
}

/// The columns every per-requirement table of an option starts with, then `last`.
fn placed_columns(last: &str) -> Vec<Column> {
    vec![
        Column::text("Requirement"),
        Column::text("Capability"),
        Column::text("Where, when"),
        Column::text("Priority"),
        Column::number("Required"),
        Column::number("Placed"),
        Column::number(last),
    ]
}

/// The cells under [`placed_columns`] but the last, for one requirement of an option.
fn placed_cells(c: &RequirementCoverage, names: &Names, key: &dyn Fn(&str) -> String) -> Vec<Cell> {
    vec![
        Cell::text(&c.requirement),
        Cell::text(names.capability(&c.capability)),
        Cell::text(format!(
            "{}, {}",
            names.sector(&c.sector),
            names.phase(&c.phase)
        )),
        Cell::text(c.priority.as_str()),
        Cell::figure(number(c.required, 0), c.required, key("required")),
        Cell::figure(number(c.covered, 1), c.covered, key("covered")),
    ]
}

/// A coverage heat map: rows are capabilities, columns phase · sector, in campaign order.
fn heat_map<'a>(
    title: &str,
    measure: &str,
    lines: impl Iterator<Item = (&'a str, &'a str, &'a str, f64, f64, Priority)>,
    names: &Names,
) -> String {
    let mut rows: Vec<&str> = Vec::new();
    let mut columns: Vec<(&str, &str)> = Vec::new();
    let mut cells: BTreeMap<(usize, usize), (f64, f64, bool)> = BTreeMap::new();
    for (capability, phase, sector, covered, required, priority) in lines {
        let r = rows
            .iter()
            .position(|x| *x == capability)
            .unwrap_or_else(|| {
                rows.push(capability);
                rows.len() - 1
            });
        let c = columns
            .iter()
            .position(|x| *x == (phase, sector))
            .unwrap_or_else(|| {
                columns.push((phase, sector));
                columns.len() - 1
            });
        let e = cells.entry((r, c)).or_insert((0.0, 0.0, false));
        e.0 += covered.min(required);
        e.1 += required;
        e.2 |= priority == Priority::Essential;
    }
    // Columns in the order phases then sectors are listed in the campaign.
    let mut order: Vec<usize> = (0..columns.len()).collect();
    let phase_pos = |p: &str| names.phase_order(p);
    let sector_pos = |s: &str| names.sector_order(s);
    order.sort_by_key(|&j| (phase_pos(columns[j].0), sector_pos(columns[j].1)));
    HeatMap {
        title: title.to_owned(),
        measure: measure.to_owned(),
        rows: rows
            .iter()
            .map(|r| names.capability(r).to_owned())
            .collect(),
        columns: order
            .iter()
            .map(|&j| {
                format!(
                    "{} · {}",
                    names.phase(columns[j].0),
                    names.sector(columns[j].1)
                )
            })
            .collect(),
        cells: (0..rows.len())
            .map(|r| {
                order
                    .iter()
                    .map(|&j| {
                        cells
                            .get(&(r, j))
                            .map(|(covered, required, essential)| HeatCell {
                                value: if *required > 0.0 {
                                    (covered / required).min(1.0)
                                } else {
                                    1.0
                                },
                                essential: *essential,
                            })
                    })
                    .collect()
            })
            .collect(),
    }
    .to_svg()
}

impl Names {
    fn phase_order(&self, id: &str) -> usize {
        self.phase_ids
            .iter()
            .position(|p| p == id)
            .unwrap_or(usize::MAX)
    }

    fn sector_order(&self, id: &str) -> usize {
        self.sector_ids
            .iter()
            .position(|s| s == id)
            .unwrap_or(usize::MAX)
    }
}

fn scenarios_section(options: &OptionsReport, currency: &str, charts: &mut Vec<Chart>) -> Section {
    let mut blocks = vec![Block::Paragraph {
        text: "What each negotiation assumption does to the recommended option: every scenario is \
               computed on its own, and its recommended option compared with the first scenario's."
            .into(),
    }];
    let assumptions: BTreeMap<&str, &ScenarioOptions> = options
        .scenarios
        .iter()
        .map(|s| (s.scenario.as_str(), s))
        .collect();
    blocks.push(Block::Table(Table {
        caption: "Scenarios side by side (the recommended option of each)".into(),
        columns: vec![
            Column::text("Scenario"),
            Column::text("Assumptions"),
            Column::number("Essential coverage"),
            Column::number("Change"),
            Column::number("Desirable coverage"),
            Column::number("Cost per year"),
            Column::number("Change"),
            Column::number("Troops at peak"),
        ],
        rows: options
            .comparison
            .iter()
            .map(|c| {
                let key = |f: &str| format!("options.comparison[{}].{f}", c.scenario);
                vec![
                    Cell::text(&c.name),
                    Cell::text(
                        assumptions
                            .get(c.scenario.as_str())
                            .map(|s| s.assumptions.join("; "))
                            .unwrap_or_default(),
                    ),
                    Cell::maybe(
                        c.essential_coverage,
                        |x| percent(x, 1),
                        key("essential_coverage"),
                    ),
                    Cell::maybe(
                        c.essential_coverage_change_points,
                        |x| format!("{} pts", signed(x, 1)),
                        key("essential_coverage_change_points"),
                    ),
                    Cell::maybe(
                        c.desirable_coverage,
                        |x| percent(x, 1),
                        key("desirable_coverage"),
                    ),
                    Cell::figure(
                        money_m(c.cost_per_year_m, currency),
                        c.cost_per_year_m,
                        key("cost_per_year_m"),
                    ),
                    Cell::figure(
                        signed(c.cost_change_m, 0),
                        c.cost_change_m,
                        key("cost_change_m"),
                    ),
                    Cell::figure(
                        persons(c.troops_deployed_peak),
                        c.troops_deployed_peak,
                        key("troops_deployed_peak"),
                    ),
                ]
            })
            .collect(),
        note: format!(
            "Changes are against the first scenario; cost in millions of {currency} per year."
        ),
    }));
    blocks.push(Block::List {
        items: options
            .comparison
            .iter()
            .map(|c| c.summary.clone())
            .collect(),
    });
    let categories: Vec<String> = options.comparison.iter().map(|c| c.name.clone()).collect();
    charts.push(Chart {
        id: "scenario-coverage".into(),
        caption: "Coverage of each scenario's recommended option, essential and desirable lines."
            .into(),
        svg: BarChart {
            title: "Coverage by scenario".into(),
            axis: "coverage of requirement lines (%)".into(),
            categories: categories.clone(),
            series: vec![
                Series {
                    name: "essential".into(),
                    values: options
                        .comparison
                        .iter()
                        .map(|c| c.essential_coverage.unwrap_or(0.0) * 100.0)
                        .collect(),
                },
                Series {
                    name: "desirable".into(),
                    values: options
                        .comparison
                        .iter()
                        .map(|c| c.desirable_coverage.unwrap_or(0.0) * 100.0)
                        .collect(),
                },
            ],
            stacked: false,
            value_suffix: "%".into(),
        }
        .to_svg(),
    });
    charts.push(Chart {
        id: "scenario-cost".into(),
        caption: format!(
            "Cost per year of each scenario's recommended option, millions of {currency}."
        ),
        svg: BarChart {
            title: "Cost per year by scenario".into(),
            axis: format!("cost per year (millions of {currency})"),
            categories,
            series: vec![Series {
                name: "cost per year".into(),
                values: options
                    .comparison
                    .iter()
                    .map(|c| c.cost_per_year_m)
                    .collect(),
            }],
            stacked: false,
            value_suffix: String::new(),
        }
        .to_svg(),
    });
    blocks.push(Block::Chart {
        chart: "scenario-coverage".into(),
    });
    blocks.push(Block::Chart {
        chart: "scenario-cost".into(),
    });
    Section {
        id: "scenarios".into(),
        title: "The scenarios compared".into(),
        blocks,
    }
}

fn signed(x: f64, decimals: usize) -> String {
    let text = number(x, decimals);
    if x > 0.0 && text.chars().any(|c| c.is_ascii_digit() && c != '0') {
        format!("+{text}")
    } else {
        text
    }
}

fn assessment_annex(
    a: &Assessment,
    names: &Names,
    currency: &str,
    charts: &mut Vec<Chart>,
) -> Section {
    let mut blocks = Vec::new();
    // Response status.
    blocks.push(Block::Heading {
        text: "Who answered".into(),
    });
    blocks.push(Block::Table(Table {
        caption: String::new(),
        columns: vec![
            Column::text("Capital"),
            Column::text("Status"),
            Column::number("Revisions"),
            Column::text("Last change"),
        ],
        rows: a
            .responses
            .iter()
            .map(|r| {
                vec![
                    Cell::text(format!("{} ({})", r.name, r.respondent)),
                    Cell::text(r.status.as_str()),
                    Cell::figure(
                        r.revisions.to_string(),
                        r.revisions as f64,
                        format!("assessment.responses[{}].revisions", r.respondent),
                    ),
                    Cell::text(r.last_change.map_or_else(
                        || "never".into(),
                        |t| t.format("%Y-%m-%d %H:%M UTC").to_string(),
                    )),
                ]
            })
            .collect(),
        note: String::new(),
    }));
    // Offered totals.
    blocks.push(Block::Heading {
        text: "What is offered".into(),
    });
    let mut rows = Vec::new();
    for cat in &a.offered.categories {
        for c in &cat.capabilities {
            let key = |f: &str| {
                format!(
                    "assessment.offered.categories[{}].capabilities[{}].{f}",
                    cat.category.as_str(),
                    c.capability
                )
            };
            rows.push(vec![
                Cell::text(cat.category.as_str()),
                Cell::text(&c.name),
                Cell::figure(
                    format!("{} {}", number(c.quantity as f64, 0), c.unit),
                    c.quantity as f64,
                    key("quantity"),
                ),
                Cell::figure(
                    persons(c.personnel as f64),
                    c.personnel as f64,
                    key("personnel"),
                ),
                Cell::figure(
                    money_m(c.cost_per_year_m, currency),
                    c.cost_per_year_m,
                    key("cost_per_year_m"),
                ),
                Cell::text(c.respondents.join(", ")),
            ]);
        }
    }
    blocks.push(Block::Table(Table {
        caption: String::new(),
        columns: vec![
            Column::text("Category"),
            Column::text("Capability"),
            Column::number("Units"),
            Column::number("Personnel"),
            Column::number("Cost per year"),
            Column::text("Offered by"),
        ],
        rows,
        note: format!(
            "Personnel here is units × personnel per unit. In all: {} in place at once, {} \
             sustainable in an enduring phase, {} committed with rotation.",
            persons(a.offered.personnel.at_once),
            persons(a.offered.personnel.sustained),
            persons(a.offered.personnel.committed)
        ),
    }));
    // Troops by respondent.
    let mut offering: Vec<_> = a
        .willingness
        .lines
        .iter()
        .filter(|l| l.personnel.committed > 0.0)
        .collect();
    offering.sort_by(|x, y| {
        y.personnel
            .committed
            .total_cmp(&x.personnel.committed)
            .then(x.respondent.cmp(&y.respondent))
    });
    charts.push(Chart {
        id: "troops-by-respondent".into(),
        caption: "Personnel each capital offers, rotation included, split by whether the offer carries a condition.".into(),
        svg: BarChart {
            title: "Personnel offered by capital".into(),
            axis: "personnel committed, rotation included (persons)".into(),
            categories: offering.iter().map(|l| l.respondent.clone()).collect(),
            series: vec![
                Series {
                    name: "without conditions".into(),
                    values: offering.iter().map(|l| l.personnel.committed * (1.0 - l.conditional_personnel_share.unwrap_or(0.0))).collect(),
                },
                Series {
                    name: "resting on a condition".into(),
                    values: offering.iter().map(|l| l.personnel.committed * l.conditional_personnel_share.unwrap_or(0.0)).collect(),
                },
            ],
            stacked: true,
            value_suffix: String::new(),
        }
        .to_svg(),
    });
    blocks.push(Block::Chart {
        chart: "troops-by-respondent".into(),
    });
    // Willingness.
    blocks.push(Block::Heading {
        text: "Willingness".into(),
    });
    blocks.push(Block::Table(Table {
        caption: String::new(),
        columns: vec![
            Column::number("Rank"),
            Column::text("Capital"),
            Column::text("Status"),
            Column::number("Personnel"),
            Column::number("Of active forces"),
            Column::number("Money"),
            Column::number("Of GDP"),
            Column::number("Of defence spending"),
            Column::number("Conditional lines"),
            Column::number("Index"),
        ],
        rows: a
            .willingness
            .lines
            .iter()
            .map(|l| {
                let key = |f: &str| format!("assessment.willingness.lines[{}].{f}", l.respondent);
                vec![
                    Cell::figure(l.rank.to_string(), l.rank as f64, key("rank")),
                    Cell::text(format!("{} ({})", l.name, l.respondent)),
                    Cell::text(l.status.as_str()),
                    Cell::figure(
                        persons(l.personnel.committed),
                        l.personnel.committed,
                        key("personnel.committed"),
                    ),
                    Cell::maybe(l.personnel_ratio, |x| percent(x, 2), key("personnel_ratio")),
                    Cell::figure(money_m(l.money_m, currency), l.money_m, key("money_m")),
                    Cell::maybe(
                        l.money_share_of_gdp,
                        |x| percent(x, 3),
                        key("money_share_of_gdp"),
                    ),
                    Cell::maybe(
                        l.money_share_of_defence,
                        |x| percent(x, 1),
                        key("money_share_of_defence"),
                    ),
                    Cell::text(format!("{} of {}", l.conditional_lines, l.offer_lines)),
                    Cell::maybe(l.index, |x| number(x, 2), key("index")),
                ]
            })
            .collect(),
        note: a.willingness.method.clone(),
    }));
    // Burden.
    blocks.push(Block::Heading {
        text: "Burden sharing".into(),
    });
    blocks.push(Block::Table(Table {
        caption: String::new(),
        columns: vec![
            Column::text("Capital"),
            Column::number("Share of personnel"),
            Column::number("Share of money"),
            Column::number("Share of GDP"),
            Column::number("Share of defence spending"),
            Column::number("Money − GDP share"),
        ],
        rows: a
            .burden
            .lines
            .iter()
            .map(|l| {
                let key = |f: &str| format!("assessment.burden.lines[{}].{f}", l.respondent);
                vec![
                    Cell::text(format!("{} ({})", l.name, l.respondent)),
                    Cell::maybe(l.personnel_share, |x| percent(x, 1), key("personnel_share")),
                    Cell::maybe(l.money_share, |x| percent(x, 1), key("money_share")),
                    Cell::maybe(l.gdp_share, |x| percent(x, 1), key("gdp_share")),
                    Cell::maybe(l.defence_share, |x| percent(x, 1), key("defence_share")),
                    Cell::maybe(
                        l.money_gap,
                        |x| format!("{} pts", signed(x * 100.0, 1)),
                        key("money_gap"),
                    ),
                ]
            })
            .collect(),
        note: a.burden.method.clone(),
    }));
    if a.burden.coalition.len() == 1 {
        blocks.push(Block::Paragraph {
            text: "Only one capital has a current proposal: it is the whole coalition, so every \
                   share is 100%."
                .into(),
        });
    }
    // Members without a GDP figure are left out of the chart rather than drawn at 0%.
    let charted: Vec<&crate::assessment::BurdenLine> = a
        .burden
        .lines
        .iter()
        .filter(|l| l.gdp_share.is_some())
        .collect();
    if !charted.is_empty() {
        let left_out: Vec<&str> = a
            .burden
            .lines
            .iter()
            .filter(|l| l.gdp_share.is_none())
            .map(|l| l.respondent.as_str())
            .collect();
        charts.push(Chart {
            id: "burden-vs-gdp".into(),
            caption: format!(
                "Each coalition member's share of the money pledged against its share of the \
                 coalition's GDP: a dark bar longer than the light one means it pays more than its \
                 economic weight.{}",
                if left_out.is_empty() {
                    String::new()
                } else {
                    format!(" No GDP figure, not shown: {}.", left_out.join(", "))
                }
            ),
            svg: BarChart {
                title: "Share of money pledged against share of GDP".into(),
                axis: "share of the coalition's total (%)".into(),
                categories: charted.iter().map(|l| l.respondent.clone()).collect(),
                series: vec![
                    Series {
                        name: "share of money pledged".into(),
                        values: charted
                            .iter()
                            .map(|l| l.money_share.unwrap_or(0.0) * 100.0)
                            .collect(),
                    },
                    Series {
                        name: "share of GDP".into(),
                        values: charted
                            .iter()
                            .map(|l| l.gdp_share.unwrap_or(0.0) * 100.0)
                            .collect(),
                    },
                ],
                stacked: false,
                value_suffix: "%".into(),
            }
            .to_svg(),
        });
        blocks.push(Block::Chart {
            chart: "burden-vs-gdp".into(),
        });
    }
    // Conditions.
    blocks.push(Block::Heading {
        text: "What the offers rest on".into(),
    });
    let c = &a.conditions;
    let block_row = |label: String, kind: &str, b: &crate::assessment::OfferBlock, key: String| {
        vec![
            Cell::text(label),
            Cell::text(kind),
            Cell::figure(
                b.offer_lines.to_string(),
                b.offer_lines as f64,
                format!("{key}.offer_lines"),
            ),
            Cell::text(b.respondents.len().to_string()),
            Cell::figure(
                persons(b.personnel),
                b.personnel,
                format!("{key}.personnel"),
            ),
            Cell::figure(
                money_m(b.cost_per_year_m, currency),
                b.cost_per_year_m,
                format!("{key}.cost_per_year_m"),
            ),
        ]
    };
    let mut rows = vec![
        block_row(
            "Everything offered".into(),
            "",
            &c.total,
            "assessment.conditions.total".into(),
        ),
        block_row(
            "No condition".into(),
            "",
            &c.unconditional,
            "assessment.conditions.unconditional".into(),
        ),
        block_row(
            "Any named partner".into(),
            "named partner",
            &c.any_named_partner,
            "assessment.conditions.any_named_partner".into(),
        ),
    ];
    for b in &c.by_condition {
        let label = if b.description.is_empty() {
            b.condition.clone()
        } else {
            format!("{}: {}", b.condition, b.description)
        };
        rows.push(block_row(
            label,
            &b.kind.replace('_', " "),
            &b.offers,
            format!("assessment.conditions.by_condition[{}]", b.condition),
        ));
    }
    blocks.push(Block::Table(Table {
        caption: String::new(),
        columns: vec![
            Column::text("Condition"),
            Column::text("Kind"),
            Column::number("Offer lines"),
            Column::number("Capitals"),
            Column::number("Personnel"),
            Column::number("Cost per year"),
        ],
        rows,
        note: "An offer with several conditions counts under each.".into(),
    }));
    // Coverage before optimisation.
    blocks.push(Block::Heading {
        text: "Coverage before optimisation".into(),
    });
    charts.push(Chart {
        id: "offered-coverage".into(),
        caption: "Units offered that could serve each requirement ÷ units required, before optimisation and conditions.".into(),
        svg: heat_map(
            "Offers against requirements",
            "Units offered ÷ units required",
            a.coverage.iter().map(|c| {
                (
                    c.line.capability.as_str(),
                    c.line.phase.as_str(),
                    c.line.sector.as_str(),
                    c.line.offered as f64,
                    f64::from(c.line.required),
                    c.line.priority,
                )
            }),
            names,
        ),
    });
    blocks.push(Block::Chart {
        chart: "offered-coverage".into(),
    });
    blocks.push(Block::Table(Table {
        caption: String::new(),
        columns: vec![
            Column::text("Requirement"),
            Column::text("Capability"),
            Column::text("Where, when"),
            Column::text("Priority"),
            Column::number("Required"),
            Column::number("Offered"),
            Column::number("Of which conditional"),
            Column::text("Resting on"),
        ],
        rows: a
            .coverage
            .iter()
            .map(|c| {
                let key = |f: &str| format!("assessment.coverage[{}].{f}", c.line.requirement);
                vec![
                    Cell::text(&c.line.requirement),
                    Cell::text(names.capability(&c.line.capability)),
                    Cell::text(format!(
                        "{}, {}",
                        names.sector(&c.line.sector),
                        names.phase(&c.line.phase)
                    )),
                    Cell::text(c.line.priority.as_str()),
                    Cell::figure(
                        c.line.required.to_string(),
                        f64::from(c.line.required),
                        key("required"),
                    ),
                    Cell::figure(
                        c.line.offered.to_string(),
                        c.line.offered as f64,
                        key("offered"),
                    ),
                    Cell::figure(
                        c.line.offered_conditional.to_string(),
                        c.line.offered_conditional as f64,
                        key("offered_conditional"),
                    ),
                    Cell::text(
                        c.by_condition
                            .iter()
                            .map(|u| format!("{} ({})", u.condition, u.units))
                            .collect::<Vec<_>>()
                            .join("; "),
                    ),
                ]
            })
            .collect(),
        note: "Offered counts every current offer that could serve the line (capability, phase, \
               sector and caveats); a unit may count for several lines."
            .into(),
    }));
    // Free text.
    blocks.push(Block::Heading {
        text: "Answers side by side".into(),
    });
    for q in &a.answers {
        blocks.push(Block::Table(Table {
            caption: format!("{} — {}", q.section, q.text),
            columns: vec![Column::text("Capital"), Column::text("Answer")],
            rows: q
                .answers
                .iter()
                .map(|x| {
                    vec![
                        Cell::text(format!("{} ({})", x.name, x.respondent)),
                        Cell::text(&x.text),
                    ]
                })
                .collect(),
            note: if q.unanswered.is_empty() {
                String::new()
            } else {
                format!("No answer: {}.", q.unanswered.join(", "))
            },
        }));
    }
    if !a.notes.is_empty() {
        blocks.push(Block::List {
            items: a.notes.clone(),
        });
    }
    Section {
        id: "assessment".into(),
        title: "Annex A: the assessment".into(),
        blocks,
    }
}

/// One annex per capital that submitted a proposal (withdrawn ones included, with why), and one
/// shared annex listing the capitals without one, instead of a blank page each.
fn respondent_annexes(campaign: &Campaign, a: &Assessment, currency: &str) -> Vec<Section> {
    let phase = |id: &guarantor_domain::ids::PhaseId| {
        campaign
            .phases()
            .iter()
            .find(|p| p.id == *id)
            .map_or_else(|| id.to_string(), |p| p.name.clone())
    };
    let mut without: Vec<String> = Vec::new();
    let mut sections: Vec<Section> = a
        .willingness
        .lines
        .iter()
        .filter_map(|l| {
            let respondent = campaign.invited().find(|r| r.code.to_string() == l.respondent)?;
            let submitted = campaign
                .proposal(&respondent.code)
                .is_some_and(|p| !p.revisions.is_empty());
            if !submitted {
                without.push(format!(
                    "{} ({}): {}",
                    l.name,
                    l.respondent,
                    match campaign.proposal(&respondent.code) {
                        Some(p) if p.draft.is_some() => "a draft, never submitted",
                        _ => "nothing received",
                    }
                ));
                return None;
            }
            let proposal = campaign.proposal(&respondent.code);
            let current = proposal.and_then(|p| p.current());
            let response = a.responses.iter().find(|r| r.respondent == l.respondent);
            let mut blocks = vec![Block::Paragraph {
                text: format!(
                    "Status: {}; {} submitted revision(s); last change {}.",
                    l.status.as_str(),
                    response.map_or(0, |r| r.revisions),
                    response
                        .and_then(|r| r.last_change)
                        .map_or_else(|| "never".into(), |t| t.format("%Y-%m-%d").to_string())
                ),
            }];
            let key = |f: &str| format!("assessment.willingness.lines[{}].{f}", l.respondent);
            blocks.push(Block::Table(Table {
                caption: "Willingness".into(),
                columns: vec![Column::text("Measure"), Column::number("Value")],
                rows: vec![
                    vec![Cell::text("Rank"), Cell::figure(l.rank.to_string(), l.rank as f64, key("rank"))],
                    vec![Cell::text("Personnel committed (rotation included)"), Cell::figure(persons(l.personnel.committed), l.personnel.committed, key("personnel.committed"))],
                    vec![Cell::text("Of active forces"), Cell::maybe(l.personnel_ratio, |x| percent(x, 2), key("personnel_ratio"))],
                    vec![Cell::text("Money pledged"), Cell::figure(money_m(l.money_m, currency), l.money_m, key("money_m"))],
                    vec![Cell::text("Of GDP"), Cell::maybe(l.money_share_of_gdp, |x| percent(x, 3), key("money_share_of_gdp"))],
                    vec![Cell::text("Of defence spending"), Cell::maybe(l.money_share_of_defence, |x| percent(x, 1), key("money_share_of_defence"))],
                    vec![Cell::text("Conditions"), Cell::text(if l.conditions.is_empty() { "none".to_owned() } else { l.conditions.join("; ") })],
                ],
                note: String::new(),
            }));
            match current {
                Some(rev) => {
                    blocks.push(Block::Table(Table {
                        caption: format!("Offer (revision {})", rev.number),
                        columns: vec![
                            Column::text("Line"),
                            Column::text("Capability"),
                            Column::number("Units"),
                            Column::text("Phases"),
                            Column::text("Sectors"),
                            Column::text("Rotation and caveats"),
                            Column::number("Cost per year"),
                            Column::text("Paid by"),
                            Column::text("Conditions"),
                        ],
                        rows: rev
                            .offers
                            .iter()
                            .map(|o| {
                                let cap = campaign.capability(&o.capability);
                                let cost = guarantor_engine::summary::offer_cost_per_year_thousands(campaign, o) as f64 / 1000.0;
                                vec![
                                    Cell::text(o.id.to_string()),
                                    Cell::text(&cap.name),
                                    Cell::text(format!("{} {}", o.quantity.get(), cap.unit)),
                                    Cell::text(match &o.last_phase {
                                        Some(last) if *last != o.earliest_phase => format!(
                                            "{} to {}",
                                            phase(&o.earliest_phase),
                                            phase(last)
                                        ),
                                        Some(_) => phase(&o.earliest_phase),
                                        None => format!("from {}", phase(&o.earliest_phase)),
                                    }),
                                    Cell::text(o.sectors.as_ref().map_or_else(
                                        || "any".to_owned(),
                                        |s| s.iter().map(|x| campaign.sector(x).name.clone()).collect::<Vec<_>>().join(", "),
                                    )),
                                    Cell::text(terms(campaign, o)),
                                    Cell::text(if cost > 0.0 { money_m(cost, currency) } else { "—".into() }),
                                    Cell::text(match &o.paid_by {
                                        Payer::Contributor => "itself".to_owned(),
                                        Payer::CommonFund => "the common fund".to_owned(),
                                        Payer::Respondent(code) => campaign
                                            .respondent(code)
                                            .map_or_else(|| code.to_string(), |r| r.name.clone()),
                                    }),
                                    Cell::text(if o.conditions.is_empty() {
                                        "none".to_owned()
                                    } else {
                                        o.conditions.iter().map(|c| guarantor_engine::options::report::describe_condition(campaign, c)).collect::<Vec<_>>().join("; ")
                                    }),
                                ]
                            })
                            .collect(),
                        note: String::new(),
                    }));
                    let questions: BTreeMap<String, String> = campaign
                        .questionnaire()
                        .sections
                        .iter()
                        .flat_map(|s| s.questions.iter())
                        .map(|q| (q.id.to_string(), q.text.clone()))
                        .collect();
                    let items: Vec<String> = rev
                        .answers
                        .iter()
                        .filter(|x| !x.text.trim().is_empty())
                        .map(|x| {
                            format!(
                                "{} — {}",
                                questions.get(&x.question.to_string()).map_or(x.question.to_string(), Clone::clone),
                                x.text
                            )
                        })
                        .collect();
                    if !items.is_empty() {
                        blocks.push(Block::Heading { text: "Answers".into() });
                        blocks.push(Block::List { items });
                    }
                }
                None => {
                    let withdrawal = proposal.and_then(|p| p.withdrawn.as_ref());
                    blocks.push(Block::Paragraph {
                        text: match withdrawal {
                            Some(w) => format!(
                                "Withdrawn on {} by {}{}: it counts in no option.",
                                w.at.format("%Y-%m-%d"),
                                w.by,
                                if w.reason.trim().is_empty() {
                                    ", without a reason given".to_owned()
                                } else {
                                    format!(", because: {}", w.reason.trim())
                                }
                            ),
                            None => "No current proposal.".into(),
                        },
                    });
                }
            }
            Some(Section {
                id: format!("annex-{}", l.respondent),
                title: format!("Annex: {} ({})", l.name, l.respondent),
                blocks,
            })
        })
        .collect();
    if !without.is_empty() {
        sections.push(Section {
            id: "annex-without-proposal".into(),
            title: "Annex: capitals without a proposal".into(),
            blocks: vec![
                Block::Paragraph {
                    text: format!(
                        "{} invited capital{} submitted nothing; none counts in any option.",
                        without.len(),
                        if without.len() == 1 { "" } else { "s" }
                    ),
                },
                Block::List { items: without },
            ],
        });
    }
    sections
}

/// An offer's rotation and caveats in words; "none" when it has neither.
fn terms(campaign: &Campaign, o: &guarantor_domain::Offer) -> String {
    let mut out = Vec::new();
    if o.rotation_backed {
        out.push("rotation-backed (the relieving units included)".to_owned());
    }
    for c in &o.caveats {
        out.push(match c {
            Caveat::NoContactLine => "not at the line of contact".to_owned(),
            Caveat::OutOfCountryOnly => "from outside the country only".to_owned(),
            Caveat::NoCombatRole => "no combat role".to_owned(),
            Caveat::NoSharedRotation => "rotates only its own units".to_owned(),
            Caveat::ExcludedSectors(s) => format!(
                "not in {}",
                s.iter()
                    .map(|x| campaign.sector(x).name.clone())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            Caveat::Other(t) => t.clone(),
        });
    }
    if out.is_empty() {
        "none".to_owned()
    } else {
        out.join("; ")
    }
}
