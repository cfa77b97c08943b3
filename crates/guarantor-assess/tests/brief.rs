//! The assessment and the brief, checked against figures worked out by hand, against an
//! independent recount from the campaign file, and against their own sources.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use guarantor_assess::brief::Block;
use guarantor_assess::{Assessment, Brief, BriefInput, assess, compose};
use guarantor_domain::{Campaign, FileFormat, parse_campaign};
use guarantor_engine::engage::{EngageRequest, EngagementReport};
use guarantor_engine::options::{Backend, ScenarioChoice, TimeLimit};
use guarantor_engine::{OptionsReport, OptionsRequest, compute_options};
use serde_json::Value;

const SMALL: &str = include_str!("../../guarantor-domain/tests/fixtures/small-campaign.toml");
const DEMO: &str = include_str!("../../../examples/demo-campaign.json");

fn small() -> Campaign {
    parse_campaign(SMALL, FileFormat::Toml).expect("the small fixture is valid")
}

fn demo() -> Campaign {
    parse_campaign(DEMO, FileFormat::Json).expect("the demo is valid")
}

fn options_of(campaign: &Campaign) -> OptionsReport {
    let request = OptionsRequest {
        scenarios: ScenarioChoice::All,
        backend: Backend::default(),
        time_limit: TimeLimit::new(std::time::Duration::from_secs(30)).unwrap(),
        ..OptionsRequest::default()
    };
    compute_options(campaign, &request).expect("options compute")
}

fn brief_of(campaign: &Campaign) -> (Assessment, OptionsReport, Brief) {
    let (a, o, _, brief) = brief_with_plan(campaign);
    (a, o, brief)
}

/// The brief with its engagement plan (the default backend, like the options).
fn brief_with_plan(campaign: &Campaign) -> (Assessment, OptionsReport, EngagementReport, Brief) {
    let assessment = assess(campaign);
    let options = options_of(campaign);
    let engagement = guarantor_engine::engage::plan(
        campaign,
        &EngageRequest {
            backend: Backend::default(),
            time_limit: TimeLimit::new(std::time::Duration::from_secs(30)).unwrap(),
            ..EngageRequest::default()
        },
    )
    .expect("a plan");
    let brief = compose(BriefInput {
        campaign,
        assessment: &assessment,
        options: &options,
        engagement: Some(&engagement),
        generated_on: NaiveDate::from_ymd_opt(2026, 11, 29).expect("a date"),
    });
    (assessment, options, engagement, brief)
}

fn close(a: f64, b: f64, tolerance: f64) -> bool {
    (a - b).abs() <= tolerance
}

fn line<'a>(a: &'a Assessment, code: &str) -> &'a guarantor_assess::assessment::WillingnessLine {
    a.willingness
        .lines
        .iter()
        .find(|l| l.respondent == code)
        .expect("respondent in willingness")
}

/// The small fixture, by hand: FRA's current revision offers 2 brigades (4,000 each, ratio 3,
/// not rotation-backed, EUR 1,000 m each, on a US backstop) and 2 batteries (100 each, EUR 100 m
/// each); DEU offers EUR 600 m funding, 1 battery at USD 150 m (USD 0.9 EUR → EUR 135 m) and 6
/// rotation-backed training teams (50 each, ratio 2, EUR 5 m each); AUT has a draft only; POL
/// withdrew.
#[test]
fn assessment_of_the_small_campaign_matches_hand_figures() {
    let a = assess(&small());
    // Personnel: FRA 8,000 + 200 at once; DEU 100 + 300 at once.
    assert_eq!(a.offered.personnel.at_once, 8_600.0);
    // Sustained: 8,000 ÷ 3 + 200 ÷ 2 + 100 ÷ 2 + 300 (rotation-backed).
    assert!(close(
        a.offered.personnel.sustained,
        8_000.0 / 3.0 + 100.0 + 50.0 + 300.0,
        1e-9
    ));
    // Committed: 8,000 + 200 + 100 + 6 × 50 × 2.
    assert_eq!(a.offered.personnel.committed, 8_900.0);
    assert!(close(a.offered.cost_per_year_m, 2_200.0 + 765.0, 1e-9));
    assert_eq!(a.offered.unpriced_lines, 0);

    let fra = line(&a, "FRA");
    assert_eq!(fra.personnel.committed, 8_200.0);
    assert!(close(fra.money_m, 2_200.0, 1e-9));
    assert!(close(
        fra.personnel_ratio.unwrap(),
        8_200.0 / 200_000.0,
        1e-12
    ));
    // EUR 2,200 m ÷ 0.9 = USD 2,444.4 m against a GDP of USD 3,000 bn.
    assert!(close(
        fra.money_share_of_gdp.unwrap(),
        2_200.0 / 0.9 / 3_000_000.0,
        1e-12
    ));
    assert_eq!(fra.conditional_lines, 1);
    assert_eq!(
        fra.conditions,
        vec!["if the United States backs the force".to_owned()]
    );
    assert!(close(
        fra.conditional_personnel_share.unwrap(),
        8_000.0 / 8_200.0,
        1e-12
    ));
    assert_eq!(fra.rank, 1);
    assert_eq!(fra.index, Some(1.0));

    let deu = line(&a, "DEU");
    assert_eq!(deu.personnel.committed, 700.0);
    assert!(close(deu.money_m, 765.0, 1e-9));
    assert_eq!(
        deu.personnel_ratio, None,
        "DEU has no active-personnel figure"
    );
    // Only the money ratio counts, against FRA's (the highest).
    let expected = (765.0 / 0.9 / 4_500_000.0) / (2_200.0 / 0.9 / 3_000_000.0);
    assert!(close(deu.index.unwrap(), expected, 1e-12));
    assert_eq!(deu.rank, 2);
    // No figures, no index: ranked last by code.
    assert_eq!(line(&a, "AUT").rank, 3);
    assert_eq!(line(&a, "POL").rank, 4);
    assert_eq!(line(&a, "AUT").index, None);

    // Burden sharing: FRA and DEU are the coalition.
    assert_eq!(a.burden.coalition, vec!["DEU".to_owned(), "FRA".to_owned()]);
    let fra_b = a
        .burden
        .lines
        .iter()
        .find(|l| l.respondent == "FRA")
        .unwrap();
    assert!(close(
        fra_b.personnel_share.unwrap(),
        8_200.0 / 8_900.0,
        1e-12
    ));
    assert!(close(fra_b.money_share.unwrap(), 2_200.0 / 2_965.0, 1e-12));
    assert!(close(fra_b.gdp_share.unwrap(), 0.4, 1e-12));
    assert!(close(
        fra_b.money_gap.unwrap(),
        2_200.0 / 2_965.0 - 0.4,
        1e-12
    ));

    // Conditions: only F1 rests on anything.
    let c = &a.conditions;
    assert_eq!(c.total.offer_lines, 5);
    assert_eq!(c.unconditional.offer_lines, 4);
    assert_eq!(c.conditional.offer_lines, 1);
    assert_eq!(c.conditional.personnel, 8_000.0);
    assert_eq!(c.unconditional.personnel, 900.0);
    assert!(close(c.unconditional.cost_per_year_m, 965.0, 1e-9));
    assert_eq!(c.by_condition.len(), 1);
    assert_eq!(
        c.by_condition[0].condition,
        "if the United States backs the force"
    );
    assert_eq!(c.by_condition[0].kind, "scenario_fact");
    assert_eq!(c.by_condition[0].offers.personnel, 8_000.0);
    assert!(close(
        c.by_condition[0].offers.cost_per_year_m,
        2_000.0,
        1e-9
    ));
    assert_eq!(c.any_named_partner.offer_lines, 0);

    // Answers: FRA answered the one question; DEU left it blank; drafts and withdrawn don't count.
    assert_eq!(a.answers.len(), 1);
    assert_eq!(a.answers[0].answers.len(), 1);
    assert_eq!(a.answers[0].answers[0].respondent, "FRA");
    assert_eq!(a.answers[0].unanswered, vec!["DEU".to_owned()]);
    assert!(a.notes.is_empty());
}

#[test]
fn coverage_says_how_much_rests_on_which_condition() {
    let a = assess(&small());
    // R1: brigades in the capital in P0; FRA's two brigades serve it, both on a US backstop.
    let r1 = a
        .coverage
        .iter()
        .find(|c| c.line.requirement == "R1")
        .unwrap();
    assert_eq!(r1.line.offered, 2);
    assert_eq!(r1.unconditional, 0);
    assert_eq!(r1.by_condition.len(), 1);
    assert_eq!(
        r1.by_condition[0].condition,
        "if the United States backs the force"
    );
    assert_eq!(r1.by_condition[0].units, 2);
}

#[test]
fn a_campaign_without_a_usd_rate_says_why_money_ratios_are_missing() {
    let text = SMALL.replace("exchange_rates = { USD = 0.9 }", "");
    let text = text.replace("currency = \"USD\"", "currency = \"EUR\"");
    let a = assess(&parse_campaign(&text, FileFormat::Toml).expect("still valid"));
    assert_eq!(line(&a, "FRA").money_share_of_gdp, None);
    assert!(
        a.notes.iter().any(|n| n.contains("No USD exchange rate")),
        "{:?}",
        a.notes
    );
}

// ---- Every figure of the brief traces to its source ----

/// Every `data-figure` with its `data-value` in an HTML brief.
fn figures(html: &str) -> Vec<(String, f64)> {
    let re = regex::Regex::new(r#"data-figure="([^"]+)" data-value="([^"]+)""#).unwrap();
    re.captures_iter(html)
        .map(|c| {
            let key = c[1]
                .replace("&#34;", "\"")
                .replace("&#39;", "'")
                .replace("&amp;", "&");
            (key, c[2].parse::<f64>().expect("data-value is a number"))
        })
        .collect()
}

/// Splits `a.b[x.y].c` into segments, keeping dots inside brackets.
fn segments(path: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    let mut depth = 0;
    for ch in path.chars() {
        match ch {
            '[' => {
                depth += 1;
                current.push(ch);
            }
            ']' => {
                depth -= 1;
                current.push(ch);
            }
            '.' if depth == 0 => out.push(std::mem::take(&mut current)),
            _ => current.push(ch),
        }
    }
    out.push(current);
    out
}

/// Resolves a figure's source path in the assessment and options JSON. `name[key]` picks the
/// element of array `name` whose identifying field equals `key`, or the element at index `key`.
fn resolve(roots: &BTreeMap<&str, Value>, path: &str) -> Option<f64> {
    let segs = segments(path);
    let mut value = roots.get(segs[0].as_str())?;
    for seg in &segs[1..] {
        let (name, key) = match seg.split_once('[') {
            Some((n, k)) => (n, Some(k.trim_end_matches(']'))),
            None => (seg.as_str(), None),
        };
        value = value.get(name)?;
        if let Some(key) = key {
            let items = value.as_array()?;
            value = match key.parse::<usize>() {
                Ok(i) => items.get(i)?,
                Err(_) => items.iter().find(|item| {
                    [
                        "posture",
                        "respondent",
                        "scenario",
                        "requirement",
                        "capability",
                        "category",
                        "condition",
                    ]
                    .iter()
                    .any(|f| item.get(f).and_then(Value::as_str) == Some(key))
                })?,
            };
        }
    }
    value.as_f64()
}

fn roots(a: &Assessment, o: &OptionsReport, e: &EngagementReport) -> BTreeMap<&'static str, Value> {
    BTreeMap::from([
        ("assessment", serde_json::to_value(a).unwrap()),
        ("options", serde_json::to_value(o).unwrap()),
        ("engagement", serde_json::to_value(e).unwrap()),
    ])
}

#[test]
fn every_figure_in_the_demo_brief_equals_its_source() {
    let campaign = demo();
    let (a, o, e, brief) = brief_with_plan(&campaign);
    let html = brief.to_html();
    // The recommendation names the units assembled under a lead nation, from the options'
    // own assembly (the demo's Danish-led brigade).
    let why = brief.summary.recommendation.why.join(" ");
    let assembled: Vec<_> = o
        .scenarios
        .iter()
        .flat_map(|s| &s.options)
        .flat_map(|p| &p.coverage)
        .filter_map(|c| c.assembly.as_ref())
        .collect();
    let lead = &assembled
        .first()
        .expect("the demo assembles a brigade")
        .lead;
    assert!(
        why.contains(&format!(
            "assembled under {} as lead nation",
            lead.join(", ")
        )),
        "{why}"
    );
    assert!(why.contains("take turns"), "{why}");
    // The envoy's plan is a section, its figures traced like the others.
    assert!(
        html.contains("What to ask for next"),
        "no engagement section"
    );
    assert!(
        html.contains("engagement.scenarios[us-backstop].visits[0].value.essential_gain_points")
    );
    // The demo's adopted plan has its section: pledges by stage, coverage at each level.
    assert!(
        html.contains("The plan and what is real"),
        "no plan section"
    );
    assert!(html.contains("Essential requirement lines fully covered:"));
    assert!(html.contains("1 delivered") && html.contains("1 partly delivered"));
    // Pledged against delivered over time: the chart's description states each day's figures
    // as the plan stood that evening, the last day's equal to the coverage by phase averaged.
    let plan = campaign.plan().expect("the demo has a plan");
    let timeline = campaign.plan_timeline(plan);
    let last = timeline.last().expect("at least the adoption day");
    let chart = brief
        .charts
        .iter()
        .find(|c| c.id == "plan-over-time")
        .expect("the plan's chart over time");
    // Chart labels carry at most one decimal.
    let whole = |x: f64| {
        let v = (x * 1000.0).round() / 10.0;
        if v.fract() == 0.0 {
            format!("{v:.0}%")
        } else {
            format!("{v:.1}%")
        }
    };
    let said = format!(
        "{}: accepted {}, confirmed {}, verified {}, delivered {}",
        last.day,
        whole(last.essential.accepted),
        whole(last.essential.confirmed),
        whole(last.essential.verified),
        whole(last.essential.delivered)
    );
    assert!(chart.svg.contains(&said), "{said} not in {}", chart.svg);
    assert_eq!(
        timeline.first().unwrap().day,
        plan.adopted_at.date_naive(),
        "the record starts on the adoption day"
    );
    let phases = campaign.plan_coverage_by_phase(plan);
    let lines: usize = phases.iter().map(|p| p.essential.lines).sum();
    let delivered: f64 = phases
        .iter()
        .map(|p| p.essential.delivered * p.essential.lines as f64)
        .sum::<f64>()
        / lines as f64;
    assert!((delivered - last.essential.delivered).abs() < 1e-9);
    assert!(last.essential.delivered > 0.0 && last.essential.delivered < last.essential.verified);
    assert!(
        html.contains("pledges: how many stand, how far they got, units pledged against delivered")
    );
    // Page 1 leads with what can be fielded: each force posture under each outcome of the
    // talks, every coverage figure traced to the options report's posture cells.
    let fielded = brief
        .summary
        .fielded
        .as_ref()
        .expect("the demo defines postures");
    let Block::Table(matrix) = &fielded.blocks[0] else {
        panic!("the matrix is a table");
    };
    assert_eq!(matrix.rows.len(), o.postures.len());
    // One column per outcome, and the robust package: one set of offers for every outcome.
    assert_eq!(matrix.columns.len(), 3 + o.scenarios.len());
    let robust = o.postures[0].robust.as_ref().expect("three scenarios");
    let worst = robust
        .by_scenario
        .iter()
        .filter_map(|c| c.essential_coverage)
        .fold(f64::INFINITY, f64::min);
    assert_eq!(robust.worst_essential_coverage, Some(worst));
    assert!(html.contains(&format!(
        "data-figure=\"options.postures[{}].robust.worst_essential_coverage\"",
        o.postures[0].posture
    )));
    let at = html.find("What can be fielded, under which outcome of the talks");
    let figures_at = html.find("Capitals that answered");
    assert!(at.is_some() && at < figures_at, "the matrix leads page 1");
    assert!(html.contains(&format!(
        "data-figure=\"options.postures[{}].cells[{}].essential_coverage\"",
        o.postures[0].posture, o.scenarios[0].scenario
    )));
    // Troops in country at the peak, and phase by phase deployed of required.
    let troops = brief
        .summary
        .figures
        .iter()
        .find(|f| f.label == "Recommended option: troops in country at peak")
        .expect("troops on page 1");
    let recommended = &o.scenarios[0].options
        [guarantor_assess::brief::recommend(&o.scenarios[0].options).unwrap()];
    let required = guarantor_engine::options::troops_required_by_phase(
        &campaign,
        campaign.scenarios().first(),
    );
    assert_eq!(required.len(), campaign.phases().len());
    for (phase, need) in campaign.phases().iter().zip(&required) {
        let deployed = recommended
            .measures
            .troops_deployed
            .iter()
            .find(|t| t.phase == need.phase)
            .map_or(0.0, |t| t.troops);
        let said = format!(
            "{} {} of {}",
            phase.name,
            guarantor_domain::format::persons(deployed),
            guarantor_domain::format::persons(need.troops)
        );
        assert!(troops.note.contains(&said), "{said} not in {}", troops.note);
    }
    // Options that field the same force as the first are named as burden-sharing variants.
    let variants: Vec<usize> = o.scenarios[0]
        .options
        .iter()
        .enumerate()
        .filter(|(_, p)| p.same_force_as == Some(1))
        .map(|(i, _)| i + 1)
        .collect();
    if variants.len() >= 2 {
        assert!(
            html.contains(&format!(
                "Options {} and {} field the same force as option 1",
                variants[0], variants[1]
            )),
            "the variants are grouped"
        );
    }
    // How willing: the ranking's top and bottom among those that offered, each with its
    // conditional share; and what would close the gaps, from the envoy's plan.
    let willing = brief
        .summary
        .figures
        .iter()
        .find(|f| f.label == "Most and least willing")
        .expect("willingness on page 1");
    let offered: Vec<_> = a
        .willingness
        .lines
        .iter()
        .filter(|l| l.index.is_some() && l.offer_lines > 0)
        .collect();
    assert_eq!(willing.value, offered[0].index);
    assert!(
        willing.text.starts_with(&offered[0].name)
            && willing.text.ends_with(&offered.last().unwrap().name),
        "{}",
        willing.text
    );
    assert!(willing.note.contains("conditional)"), "{}", willing.note);
    let plan = &e.scenarios[0];
    let closing = brief
        .summary
        .missing
        .iter()
        .find(|m| m.starts_with("What would close them (hypothetical"))
        .expect("what would close the gaps");
    for v in &plan.visits {
        assert!(closing.contains(&v.name), "{closing}");
    }
    let granted = plan.if_all_granted.as_ref().unwrap();
    assert!(
        closing.contains(&format!(
            "({} of {} essential lines)",
            granted.essential_met, granted.essential_lines
        )),
        "{closing}"
    );
    // Page 1 names the largest sensitivity to the talks and its cause (issue 13, section 4).
    let sensitivity = brief
        .summary
        .figures
        .iter()
        .find(|f| f.label == "Largest sensitivity to the talks")
        .expect("the largest sensitivity on page 1");
    assert!(sensitivity.text.contains(" → "), "{}", sensitivity.text);
    assert!(
        sensitivity
            .note
            .contains("because assumed not: The United States backs the force"),
        "{}",
        sensitivity.note
    );
    let roots = roots(&a, &o, &e);
    let found = figures(&html);
    assert!(
        found.len() > 300,
        "the demo brief shows {} figures",
        found.len()
    );
    for (key, shown) in &found {
        let source = resolve(&roots, key).unwrap_or_else(|| panic!("{key} resolves to no number"));
        assert!(
            close(*shown, source, 1e-9),
            "{key}: brief shows {shown}, source has {source}"
        );
    }
}

/// Current revisions of the campaign file, read from JSON without the domain crate.
fn current_offers(doc: &Value) -> Vec<(String, Value)> {
    let invited: Vec<&str> = doc["respondents"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r.get("invited").and_then(Value::as_bool).unwrap_or(true))
        .map(|r| r["code"].as_str().unwrap())
        .collect();
    doc["proposals"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| {
            p.get("withdrawn").is_none() && invited.contains(&p["respondent"].as_str().unwrap())
        })
        .filter_map(|p| {
            let revs = p.get("revisions")?.as_array()?;
            let last = revs.iter().max_by_key(|r| r["number"].as_u64())?;
            Some(
                last["offers"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|o| (p["respondent"].as_str().unwrap().to_owned(), o.clone()))
                    .collect::<Vec<_>>(),
            )
        })
        .flatten()
        .collect()
}

#[test]
fn the_demo_brief_agrees_with_an_independent_recount_of_the_campaign_file() {
    let doc: Value = serde_json::from_str(DEMO).unwrap();
    let campaign = demo();
    let (_, _, brief) = brief_of(&campaign);
    let shown: BTreeMap<String, f64> = figures(&brief.to_html()).into_iter().collect();
    let catalogue: BTreeMap<&str, &Value> = doc["catalogue"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["id"].as_str().unwrap(), c))
        .collect();
    let rate = |cur: &str| -> f64 {
        if cur == doc["campaign"]["currency"] {
            1.0
        } else {
            doc["campaign"]["exchange_rates"][cur].as_f64().unwrap()
        }
    };
    let offers = current_offers(&doc);
    let mut committed = 0.0;
    let mut cost = 0.0;
    let mut paid: BTreeMap<String, f64> = BTreeMap::new();
    for (who, o) in &offers {
        let cap = catalogue[o["capability"].as_str().unwrap()];
        let q = o["quantity"].as_f64().unwrap();
        let per = cap["personnel_per_unit"].as_f64().unwrap();
        let ratio = cap["rotation_ratio"].as_f64().unwrap();
        let backed = o
            .get("rotation_backed")
            .and_then(Value::as_bool)
            .unwrap_or(false);
        committed += q * per * if backed { ratio } else { 1.0 };
        let c = if cap["category"] == "funding" {
            q
        } else {
            o.get("cost_per_unit_year").map_or(0.0, |p| {
                q * p["amount_m"].as_f64().unwrap() * rate(p["currency"].as_str().unwrap())
            })
        };
        cost += c;
        let payer = match o.get("paid_by").and_then(Value::as_str) {
            None | Some("contributor") => Some(who.clone()),
            Some("common_fund") => None,
            Some(code) => Some(code.to_owned()),
        };
        if let Some(p) = payer {
            *paid.entry(p).or_default() += c;
        }
    }
    assert_eq!(shown["assessment.offered.personnel.committed"], committed);
    assert!(
        close(shown["assessment.offered.cost_per_year_m"], cost, 0.05),
        "cost {cost}"
    );
    let answered = doc["proposals"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| {
            p.get("withdrawn").is_none()
                && p.get("revisions")
                    .is_some_and(|r| !r.as_array().unwrap().is_empty())
        })
        .count();
    assert_eq!(
        shown["assessment.response_counts.answered"],
        answered as f64
    );
    // Money pledged and shares of GDP per respondent, and the coalition's GDP shares.
    let usd = rate("USD");
    let gdp: BTreeMap<&str, f64> = doc["respondents"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|r| Some((r["code"].as_str()?, r["facts"].get("gdp_usd_bn")?.as_f64()?)))
        .collect();
    let coalition_gdp: f64 = paid.keys().filter_map(|c| gdp.get(c.as_str())).sum();
    let mut checked = 0;
    for (code, money) in &paid {
        let key = format!("assessment.willingness.lines[{code}].money_m");
        assert!(
            close(shown[&key], *money, 0.01),
            "{key}: {} vs {money}",
            shown[&key]
        );
        if let Some(g) = gdp.get(code.as_str()) {
            let key = format!("assessment.willingness.lines[{code}].money_share_of_gdp");
            assert!(
                close(shown[&key], money / usd / (g * 1000.0), 1e-8),
                "{key}"
            );
            let key = format!("assessment.burden.lines[{code}].gdp_share");
            assert!(close(shown[&key], g / coalition_gdp, 1e-12), "{key}");
            checked += 1;
        }
    }
    assert!(checked > 20, "checked {checked} respondents");
}

// ---- Structure, charts, odd campaigns ----

/// The outline of an HTML brief: headings, captions, table headers, charts.
fn outline(html: &str) -> String {
    let re = regex::Regex::new(
        r#"<(h[123])[^>]*>([^<]*)<|<caption>([^<]*)<|<figure id="([^"]+)"|<thead><tr>(.*?)</tr>|<section id="([^"]+)""#,
    )
    .unwrap();
    let th = regex::Regex::new(r"<th[^>]*>([^<]*)</th>").unwrap();
    re.captures_iter(html)
        .map(|c| {
            if let Some(h) = c.get(1) {
                format!("{} {}", h.as_str(), &c[2])
            } else if let Some(cap) = c.get(3) {
                format!("  caption {}", cap.as_str())
            } else if let Some(fig) = c.get(4) {
                format!("  figure {}", fig.as_str())
            } else if let Some(head) = c.get(5) {
                let cols: Vec<String> = th
                    .captures_iter(head.as_str())
                    .map(|t| t[1].to_owned())
                    .collect();
                format!("  table [{}]", cols.join(" | "))
            } else {
                format!("section {}", &c[6])
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn brief_structure_snapshot() {
    let (_, _, brief) = brief_of(&small());
    insta::assert_snapshot!("small_brief_outline", outline(&brief.to_html()));
}

#[test]
fn chart_snapshots() {
    let (_, _, brief) = brief_of(&small());
    for chart in &brief.charts {
        insta::assert_snapshot!(format!("small_chart_{}", chart.id), chart.svg);
    }
}

#[test]
fn charts_are_well_formed_and_labelled() {
    let (_, _, brief) = brief_of(&demo());
    let ids: Vec<&str> = brief.charts.iter().map(|c| c.id.as_str()).collect();
    for wanted in [
        "option-coverage",
        "scenario-coverage",
        "scenario-cost",
        "troops-by-respondent",
        "burden-vs-gdp",
        "offered-coverage",
        "plan-over-time",
    ] {
        assert!(ids.contains(&wanted), "no {wanted} chart in {ids:?}");
    }
    for chart in &brief.charts {
        let doc = roxmltree::Document::parse(&chart.svg)
            .unwrap_or_else(|e| panic!("chart {} is not well-formed: {e}", chart.id));
        assert_eq!(doc.root_element().tag_name().name(), "svg");
        let texts: Vec<&str> = doc
            .descendants()
            .filter(|n| n.is_text())
            .filter_map(|n| n.text())
            .collect();
        assert!(texts.len() > 5, "chart {} has almost no text", chart.id);
        assert!(!chart.caption.is_empty());
    }
    // Bar charts state their unit on the axis.
    let troops = brief
        .charts
        .iter()
        .find(|c| c.id == "troops-by-respondent")
        .unwrap();
    assert!(troops.svg.contains("(persons)"));
    let cost = brief
        .charts
        .iter()
        .find(|c| c.id == "scenario-cost")
        .unwrap();
    assert!(cost.svg.contains("millions of EUR"));
}

#[test]
fn the_demo_brief_is_marked_illustrative_in_every_section_and_self_contained() {
    let (_, _, brief) = brief_of(&demo());
    let html = brief.to_html();
    let sections = html.matches("<section ").count();
    let marks = html
        .matches(r#"<p class="illustrative" role="note">"#)
        .count();
    assert_eq!(
        marks,
        sections + 1,
        "a mark under the title and in every section"
    );
    assert!(
        html.contains(r#"<div class="print-mark">ILLUSTRATIVE DATA"#),
        "repeated on printed pages"
    );
    for external in ["src=\"http", "href=\"http", "url(http", "@import"] {
        assert!(!html.contains(external), "the brief loads {external}");
    }
    // The summary comes first, then the options, the scenarios and the annexes.
    let pos = |id: &str| {
        html.find(&format!("<section id=\"{id}\""))
            .unwrap_or_else(|| panic!("no {id}"))
    };
    assert!(pos("summary") < pos("options"));
    assert!(pos("options") < pos("scenarios"));
    assert!(pos("scenarios") < pos("assessment"));
    assert!(pos("assessment") < pos("annex-FRA"));
    // A page per capital that submitted (withdrawn ones included), and one page listing the
    // others instead of a blank page each.
    let demo = demo();
    let submitted = demo
        .invited()
        .filter(|r| {
            demo.proposal(&r.code)
                .is_some_and(|p| !p.revisions.is_empty())
        })
        .count();
    assert!(
        submitted < campaign_invited(&demo),
        "the demo has capitals without a proposal"
    );
    assert_eq!(html.matches("<section id=\"annex-").count(), submitted + 1);
    let shared = html
        .split("<section id=\"annex-without-proposal\"")
        .nth(1)
        .expect("the shared annex");
    assert!(
        shared.contains("Cyprus (CYP): nothing received"),
        "{shared}"
    );
    // A capital's page says how its lines may serve and who pays.
    let fra = html
        .split("<section id=\"annex-FRA\"")
        .nth(1)
        .and_then(|s| s.split("</section>").next())
        .unwrap();
    for words in ["Rotation and caveats", "Paid by", "Phases"] {
        assert!(fra.contains(words), "{words}: {fra}");
    }
}

fn campaign_invited(c: &Campaign) -> usize {
    c.invited().count()
}

fn without_proposals(keep: &[&str]) -> Campaign {
    let mut doc: Value = toml::from_str::<toml::Value>(SMALL)
        .map(|v| serde_json::to_value(v).unwrap())
        .unwrap();
    let proposals = doc["proposals"].as_array_mut().unwrap();
    proposals.retain(|p| keep.contains(&p["respondent"].as_str().unwrap()));
    parse_campaign(&doc.to_string(), FileFormat::Json).expect("still valid")
}

#[test]
fn a_brief_when_nobody_answered_says_so() {
    let (a, o, brief) = brief_of(&without_proposals(&[]));
    assert_eq!(a.response_counts.answered, 0);
    assert!(
        o.scenarios
            .iter()
            .all(|s| s.options.iter().all(|p| p.accepted.is_empty()))
    );
    let html = brief.to_html();
    assert!(
        html.contains("Nobody has answered yet"),
        "the summary says nobody answered"
    );
    assert!(html.contains("0 of 4 invited"));
    assert!(html.contains("Annex: capitals without a proposal"));
    assert!(html.contains("4 invited capitals submitted nothing"));
    // Still a typeset-able document.
    assert!(
        brief
            .to_typst()
            .files
            .iter()
            .any(|(n, _)| n == "brief.json")
    );
}

#[test]
fn a_brief_with_one_respondent_is_sane() {
    let (a, _, brief) = brief_of(&without_proposals(&["DEU"]));
    assert_eq!(a.response_counts.answered, 1);
    assert_eq!(a.burden.coalition, vec!["DEU".to_owned()]);
    let deu = a.burden.lines.first().unwrap();
    assert_eq!(deu.money_share, Some(1.0));
    assert_eq!(deu.gdp_share, Some(1.0));
    let html = brief.to_html();
    assert!(html.contains("1 of 4 invited"));
    assert!(html.contains("Recommended:"));
    assert!(html.contains("it is the whole coalition"));
}

#[test]
fn a_brief_where_no_requirement_is_met_lists_every_essential_gap() {
    // Only POL answered, and it withdrew: nothing is offered, every line is a gap.
    let (a, o, brief) = brief_of(&without_proposals(&["POL", "AUT"]));
    assert_eq!(a.coverage_totals.essential_met, 0);
    let first = &o.scenarios[0].options[0];
    assert_eq!(first.measures.essential_met, 0);
    let html = brief.to_html();
    let essential = a.coverage_totals.essential;
    assert!(html.contains(&format!("0 of {essential}")));
    let missing = html
        .split("<ul class=\"missing\">")
        .nth(1)
        .unwrap()
        .split("</ul>")
        .next()
        .unwrap();
    assert!(
        missing.matches("<li>").count() > essential,
        "every essential gap is listed: {missing}"
    );
    assert!(missing.contains("nobody offered"));
}

/// A solve stopped by its time limit keeps the best package found; page 1 must say so in words,
/// for the recommended option and for the options as a whole, not only in the options' tables.
#[test]
fn page_one_says_when_options_are_not_proven_optimal() {
    let campaign = small();
    let assessment = assess(&campaign);
    let mut options = options_of(&campaign);
    let proven = compose(BriefInput {
        campaign: &campaign,
        assessment: &assessment,
        options: &options,
        engagement: None,
        generated_on: NaiveDate::from_ymd_opt(2026, 11, 29).expect("a date"),
    });
    assert!(!proven.to_html().contains("not proven optimal"));
    let first = &mut options.scenarios[0].options[0];
    first.solve.optimal = false;
    first.solve.gap = Some(0.0437);
    let total: usize = options.scenarios.iter().map(|s| s.options.len()).sum();
    let brief = compose(BriefInput {
        campaign: &campaign,
        assessment: &assessment,
        options: &options,
        engagement: None,
        generated_on: NaiveDate::from_ymd_opt(2026, 11, 29).expect("a date"),
    });
    let why = brief.summary.recommendation.why.join(" ");
    assert!(
        why.contains("Not proven optimal") && why.contains("at most 4.4%"),
        "{why}"
    );
    let page_one = brief.summary.missing.join(" ");
    assert!(
        page_one.contains(&format!("1 of {total} options are not proven optimal")),
        "{page_one}"
    );
}

/// A proposal the engine had to leave out of a scenario (the solver failed with it) is named on
/// page 1 and in that scenario's section, with the reason.
#[test]
fn page_one_names_a_proposal_left_out_of_the_options() {
    let campaign = small();
    let assessment = assess(&campaign);
    let mut options = options_of(&campaign);
    let compose_with = |options: &OptionsReport| {
        compose(BriefInput {
            campaign: &campaign,
            assessment: &assessment,
            options,
            engagement: None,
            generated_on: NaiveDate::from_ymd_opt(2026, 12, 1).expect("a date"),
        })
    };
    assert!(
        !compose_with(&options)
            .to_html()
            .contains("is left out of this scenario")
    );
    options.scenarios[0]
        .left_out
        .push(guarantor_engine::options::LeftOut {
            respondent: "GBR".into(),
            reason: "with its offers in the model the microlp solver failed: Singular matrix"
                .into(),
        });
    let brief = compose_with(&options);
    let page_one = brief.summary.missing.join(" ");
    assert!(
        page_one.contains("Proposals left out of the options")
            && page_one.contains("GBR under")
            && page_one.contains("Singular matrix"),
        "{page_one}"
    );
    assert!(
        brief
            .to_html()
            .contains("The proposal of GBR is left out of this scenario"),
        "the scenario's section says so too"
    );
}
