//! The pages that weigh the proposals: the assessment, the options under each scenario, the
//! scenarios side by side, the envoy's engagement plan, and the decision brief (HTML and PDF).
//! Coordinators and decision makers only.

use std::sync::Arc;

use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use guarantor_assess::brief::{Chart, Section};
use serde::Deserialize;

use guarantor_app::Action;
use guarantor_domain::PledgeState;

use super::{ACCOUNTS, Chrome, FormData, PageError, PageRoute, Viewer, html, page, see_other};
use crate::AppState;

/// The assessment, options, comparison and brief.
pub(crate) const ROUTES: &[PageRoute] = &[
    page!(GET "/campaigns/{campaign}/assessment" => assessment, ACCOUNTS),
    page!(GET "/campaigns/{campaign}/options" => options, ACCOUNTS),
    page!(GET "/campaigns/{campaign}/compare" => compare, ACCOUNTS),
    page!(GET "/campaigns/{campaign}/engagement" => engagement, ACCOUNTS),
    page!(POST "/campaigns/{campaign}/what-ifs" => try_ask, ACCOUNTS),
    page!(POST "/campaigns/{campaign}/asks" => send_ask, "coordinator"),
    page!(GET "/campaigns/{campaign}/plan" => plan_page, ACCOUNTS),
    page!(POST "/campaigns/{campaign}/plans" => adopt_plan, ACCOUNTS),
    page!(POST "/campaigns/{campaign}/plan/pledges/{respondent}/{pledge}" => pledge_step, "coordinator"),
    page!(POST "/campaigns/{campaign}/what-ifs/{what_if}/delete" => delete_what_if, ACCOUNTS),
    page!(GET "/campaigns/{campaign}/brief" => brief_page, ACCOUNTS),
    page!(GET "/campaigns/{campaign}/brief.html" => brief_html, ACCOUNTS),
    page!(GET "/campaigns/{campaign}/brief.pdf" => brief_pdf, ACCOUNTS),
];

type Shared = State<Arc<AppState>>;

/// A row of links that picks what the page shows.
struct Picker {
    /// What is picked, e.g. "Scenario".
    label: String,
    /// (label, href, current).
    links: Vec<(String, String, bool)>,
}

/// A one-button form that changes something (CSRF token added by the template).
struct ActionForm {
    /// Where it posts.
    action: String,
    /// Hidden fields.
    fields: Vec<(String, String)>,
    /// What it does, in words beside the button.
    text: String,
    /// The button.
    button: String,
    /// The question asked before (empty: none).
    confirm: String,
    /// Visible fields: (name, label, input type).
    inputs: Vec<(String, String, String)>,
}

#[derive(Template)]
#[template(path = "sections.html")]
struct SectionsPage {
    page: Chrome,
    heading: String,
    intro: String,
    /// Rows of links above the content.
    pickers: Vec<Picker>,
    /// Buttons above the content (e.g. delete this what-if).
    forms: Vec<ActionForm>,
    /// Actions below the content (asks to try or send, steps of pledges), under a heading.
    asks: Vec<ActionForm>,
    asks_heading: String,
    asks_intro: String,
    /// The section, rendered as HTML by the brief's own template.
    body: String,
    notes: Vec<String>,
}

impl SectionsPage {
    /// A page of campaign `c` under tab `tab` showing one brief section.
    fn new(
        viewer: &Viewer,
        c: &guarantor_domain::Campaign,
        tab: &str,
        heading: &str,
        intro: &str,
        (section, charts): (Section, Vec<Chart>),
        notes: Vec<String>,
    ) -> Self {
        Self {
            page: Chrome::new(Some(viewer), tab).in_campaign(viewer, c, tab),
            heading: heading.to_owned(),
            intro: intro.to_owned(),
            pickers: Vec::new(),
            forms: Vec::new(),
            asks: Vec::new(),
            asks_heading: String::new(),
            asks_intro: String::new(),
            body: section.to_html(&charts),
            notes,
        }
    }
}

/// GET: the assessment of the offers as they stand.
pub(crate) async fn assessment(
    State(s): Shared,
    viewer: Viewer,
    Path(campaign): Path<String>,
) -> Result<Response, PageError> {
    viewer.may(Action::ReadCampaign)?;
    let (c, a) = s.app.assessment(&viewer.principal, &campaign).await?;
    let page = SectionsPage::new(
        &viewer,
        &c,
        "Assessment",
        "Assessment",
        "What the capitals offered, measured against the statement of requirements, before any package is chosen. Only submitted, not withdrawn proposals count.",
        guarantor_assess::brief::assessment_section(&c, &a),
        a.notes.clone(),
    );
    Ok(html(&page))
}

#[derive(Deserialize)]
pub(crate) struct ScenarioQuery {
    #[serde(default)]
    scenario: String,
    /// A saved what-if to compute under (empty: the offers as they are).
    #[serde(default)]
    what_if: String,
}

/// `/campaigns/{campaign}/options` with a scenario and a what-if.
fn options_href(campaign: &str, scenario: &str, what_if: &str) -> String {
    let mut href = format!("/campaigns/{campaign}/options?scenario={scenario}");
    if !what_if.is_empty() {
        href.push_str("&what_if=");
        href.push_str(what_if);
    }
    href
}

/// GET: the options under one scenario (the first by default), on the offers as they are or
/// under a saved what-if.
pub(crate) async fn options(
    State(s): Shared,
    viewer: Viewer,
    Path(campaign): Path<String>,
    Query(q): Query<ScenarioQuery>,
) -> Result<Response, PageError> {
    viewer.may(Action::ReadCampaign)?;
    let what_if = q.what_if.trim().to_owned();
    let (c, report) = if what_if.is_empty() {
        s.app.options(&viewer.principal, &campaign).await?
    } else {
        s.app
            .options_under(&viewer.principal, &campaign, &what_if)
            .await?
    };
    let index = if q.scenario.is_empty() {
        0
    } else {
        report
            .scenarios
            .iter()
            .position(|sc| sc.scenario == q.scenario)
            .ok_or_else(PageError::not_found)?
    };
    let shown = report
        .scenarios
        .get(index)
        .map_or("", |sc| sc.scenario.as_str());
    let scenarios = report
        .scenarios
        .iter()
        .enumerate()
        .map(|(i, sc)| {
            (
                sc.name.clone(),
                options_href(&campaign, &sc.scenario, &what_if),
                i == index,
            )
        })
        .collect();
    let part = guarantor_assess::brief::scenario_options(&c, &report, index).unwrap_or_else(|| {
        let empty = Section {
            id: "options".into(),
            title: "The options".into(),
            blocks: vec![guarantor_assess::brief::Block::Paragraph {
                text: "No options were computed.".into(),
            }],
        };
        (empty, Vec::new())
    });
    let mut notes = Vec::new();
    if let Some(w) = &report.what_if {
        let mut parts = Vec::new();
        if !w.added.is_empty() {
            parts.push(format!("adds {}", w.added.join("; ")));
        }
        if !w.removed.is_empty() {
            parts.push(format!("takes away {}", w.removed.join("; ")));
        }
        if !w.stale.is_empty() {
            parts.push(format!("ignores {}", w.stale.join("; ")));
        }
        notes.push(format!(
            "WHAT-IF (HYPOTHETICAL): \"{}\" {}. These are not the offers on the table; no proposal changes.",
            w.name,
            parts.join(", ")
        ));
    }
    notes.extend(report.warnings.iter().cloned());
    let mut page = SectionsPage::new(
        &viewer,
        &c,
        "Options",
        "Options",
        "Force packages computed from the submitted proposals under the scenario chosen: what each covers, what it leaves short and why, what it costs, who carries it, and how it holds if a capital walks away.",
        part,
        notes,
    );
    // What can be fielded under each outcome leads, as on the brief's first page.
    if let Some(fielded) =
        guarantor_assess::brief::fielded_section(&report, &c.info().currency.to_string())
    {
        page.body = fielded.to_html(&[]) + &page.body;
    }
    page.pickers.push(Picker {
        label: "Scenario".into(),
        links: scenarios,
    });
    if !c.what_ifs().is_empty() {
        let mut links = vec![(
            "The offers as they are".to_owned(),
            options_href(&campaign, shown, ""),
            what_if.is_empty(),
        )];
        links.extend(c.what_ifs().iter().map(|w| {
            (
                format!("What-if: {}", w.name),
                options_href(&campaign, shown, &w.id),
                w.id == what_if,
            )
        }));
        page.pickers.push(Picker {
            label: "Offers".into(),
            links,
        });
    }
    if !what_if.is_empty() && viewer.may(Action::ExploreWhatIfs).is_ok() {
        page.forms.push(ActionForm {
            inputs: Vec::new(),
            action: format!("/campaigns/{campaign}/what-ifs/{what_if}/delete"),
            fields: Vec::new(),
            text: String::new(),
            button: "Delete this what-if".into(),
            confirm: "Delete this what-if? The offers on the table do not change.".into(),
        });
    }
    Ok(html(&page))
}

/// GET: every scenario side by side.
pub(crate) async fn compare(
    State(s): Shared,
    viewer: Viewer,
    Path(campaign): Path<String>,
) -> Result<Response, PageError> {
    viewer.may(Action::ReadCampaign)?;
    let (c, report) = s.app.options(&viewer.principal, &campaign).await?;
    let page = SectionsPage::new(
        &viewer,
        &c,
        "Compare scenarios",
        "Scenarios compared",
        "What each negotiation assumption costs: the best option under every scenario, side by side.",
        guarantor_assess::brief::scenario_comparison(&c, &report),
        report.warnings.clone(),
    );
    Ok(html(&page))
}

/// GET: the envoy's engagement plan under one scenario (the first by default), against the
/// campaign's requirements or a force posture's.
pub(crate) async fn engagement(
    State(s): Shared,
    viewer: Viewer,
    Path(campaign): Path<String>,
    Query(q): Query<crate::api::campaigns::EngagementQuery>,
) -> Result<Response, PageError> {
    viewer.may(Action::ReadCampaign)?;
    let choice = q.choice();
    let (c, plan) = s
        .app
        .engagement(&viewer.principal, &campaign, &choice)
        .await?;
    let Some(shown) = plan.scenarios.first() else {
        return Err(PageError::not_found());
    };
    let link = |scenario: &str, posture: Option<&str>| {
        let mut href = format!("/campaigns/{campaign}/engagement?scenario={scenario}");
        if let Some(p) = posture {
            href.push_str("&posture=");
            href.push_str(p);
        }
        href
    };
    let posture = choice.posture.as_deref();
    let scenarios: Vec<(String, String, bool)> = c
        .scenarios()
        .iter()
        .map(|sc| {
            (
                sc.name.clone(),
                link(sc.id.as_str(), posture),
                sc.id.as_str() == shown.scenario,
            )
        })
        .collect();
    let mut requirements = Vec::new();
    if !c.postures().is_empty() {
        requirements.push((
            "Requirements as stated".into(),
            link(&shown.scenario, None),
            posture.is_none(),
        ));
        requirements.extend(c.postures().iter().map(|p| {
            (
                format!("Posture: {}", p.name),
                link(&shown.scenario, Some(&p.id)),
                posture == Some(p.id.as_str()),
            )
        }));
    }
    let currency = c.info().currency.to_string();
    let section = guarantor_assess::brief::engagement_section(&plan, shown, &currency);
    let mut page = SectionsPage::new(
        &viewer,
        &c,
        "Engagement",
        "Engagement plan",
        "Whom the envoy should ask for what: each gap of the best package, the capitals that could close it and why, and what each ask would buy, computed by solving again with it added. Every ask here is hypothetical.",
        (section, Vec::new()),
        Vec::new(),
    );
    page.pickers.push(Picker {
        label: "Outcome of the talks".into(),
        links: scenarios,
    });
    if !requirements.is_empty() {
        page.pickers.push(Picker {
            label: "Requirements".into(),
            links: requirements,
        });
    }
    let coordinator = viewer.may(Action::Coordinate).is_ok();
    page.asks_heading = if coordinator {
        "Try an ask as a what-if, or send it".into()
    } else {
        "Try an ask as a what-if".into()
    };
    page.asks_intro = format!(
        "Try it saves the ask as a named what-if of this campaign (hypothetical; no proposal changes) and opens the options computed with it.{}",
        if coordinator {
            " The other button sends it to the capital as a follow-up ask."
        } else {
            ""
        }
    );
    if viewer.may(Action::ExploreWhatIfs).is_ok() {
        // The best ask of each gap that buys anything, by its place in the plan: the server
        // finds the ask again in the same plan, so the form carries no offer figures.
        for (g, gap) in shown.gaps.iter().enumerate() {
            let Some(best) = gap.candidates.first() else {
                continue;
            };
            if best
                .value
                .as_ref()
                .is_none_or(|v| v.essential_gain_points <= 0.0 && v.desirable_gain_points <= 0.0)
            {
                continue;
            }
            let fields = vec![
                ("scenario".to_owned(), shown.scenario.clone()),
                ("posture".to_owned(), posture.unwrap_or_default().to_owned()),
                ("gap".to_owned(), g.to_string()),
                ("candidate".to_owned(), "0".to_owned()),
            ];
            page.asks.push(ActionForm {
                inputs: Vec::new(),
                action: format!("/campaigns/{campaign}/what-ifs"),
                fields: fields.clone(),
                text: best.in_words.clone(),
                button: "Try it".into(),
                confirm: String::new(),
            });
            if viewer.may(Action::Coordinate).is_ok() {
                page.asks.push(ActionForm {
                    inputs: Vec::new(),
                    action: format!("/campaigns/{campaign}/asks"),
                    fields,
                    text: format!("Send it to {} as a follow-up ask", best.respondent_name),
                    button: "Send the ask".into(),
                    confirm: format!(
                        "Send this ask to {}? It appears on its proposal page, with 14 days to reply.",
                        best.respondent_name
                    ),
                });
            }
        }
    }
    Ok(html(&page))
}

/// POST: saves an ask of the engagement plan as a what-if and opens the options under it.
pub(crate) async fn try_ask(
    State(s): Shared,
    viewer: Viewer,
    Path(campaign): Path<String>,
    body: Bytes,
) -> Result<Response, PageError> {
    viewer.may(Action::ExploreWhatIfs)?;
    let form = FormData::parse(&body)?;
    viewer.check_csrf(&form)?;
    let (c, shown, ask) = ask_in_plan(&s, &viewer, &campaign, &form).await?;
    let what_if = ask_as_what_if(&c, &ask)?;
    let id = what_if.id.clone();
    s.app
        .save_what_if(&viewer.principal, &campaign, what_if)
        .await?;
    Ok(see_other(&options_href(&campaign, &shown.scenario, &id)))
}

/// GET: the plan that stands, its pledges and coverage at each level of commitment, with the
/// buttons that adopt a scenario's recommended option.
pub(crate) async fn plan_page(
    State(s): Shared,
    viewer: Viewer,
    Path(campaign): Path<String>,
    Query(query): Query<LineQuery>,
) -> Result<Response, PageError> {
    viewer.may(Action::ReadCampaign)?;
    // One read: the plan's view is derived from the campaign it belongs to.
    let c = s.app.campaign(&viewer.principal, &campaign).await?.campaign;
    let plan = c.plan().map(|p| guarantor_app::PlanView::of(&c, p));
    let (section, lines) = plan_section(&c, plan.as_ref(), &query.line)?;
    let mut page = SectionsPage::new(
        &viewer,
        &c,
        "Plan",
        "The plan",
        "The option adopted as the plan, and how its pledges firm up: accepted into the plan, confirmed by the capital at a readiness level, verified, delivered.",
        section,
        Vec::new(),
    );
    if let Some((shown, with_pledges)) = lines {
        page.pickers.push(Picker {
            label: "Requirement line over time".into(),
            links: with_pledges
                .into_iter()
                .map(|line| {
                    let href = format!("/campaigns/{campaign}/plan?line={line}#chart-plan-line");
                    let here = line == shown;
                    (line, href, here)
                })
                .collect(),
        });
    }
    if let Some(plan) = plan
        .as_ref()
        .filter(|_| viewer.may(Action::Coordinate).is_ok())
    {
        page.asks_heading = "Record verification and delivery".into();
        page.asks_intro = "The coordinator's steps: verify a confirmed pledge (how), record units delivered (partial deliveries add up), or release a pledge from the plan (why). A step the lifecycle does not allow is refused and changes nothing.".into();
        for p in plan.pledges.iter().filter(|p| p.state.stands()) {
            let action = format!(
                "/campaigns/{campaign}/plan/pledges/{}/{}",
                p.respondent, p.id
            );
            let what = format!(
                "{} {}: {} × {}",
                p.respondent, p.offer, p.units, p.capability_name
            );
            let step = |name: &str| vec![("step".to_owned(), name.to_owned())];
            match p.state {
                PledgeState::Confirmed => page.asks.push(ActionForm {
                    inputs: vec![("how".into(), "How it was verified".into(), "text".into())],
                    action: action.clone(),
                    fields: step("verified"),
                    text: what.clone(),
                    button: "Record verification".into(),
                    confirm: String::new(),
                }),
                PledgeState::Verified | PledgeState::PartlyDelivered => {
                    page.asks.push(ActionForm {
                        inputs: vec![
                            (
                                "units".into(),
                                format!("Units delivered (of {}, {} so far)", p.units, p.delivered),
                                "number".into(),
                            ),
                            ("on".into(), "On".into(), "date".into()),
                        ],
                        action: action.clone(),
                        fields: step("delivered"),
                        text: what.clone(),
                        button: "Record delivery".into(),
                        confirm: String::new(),
                    });
                }
                _ => {}
            }
            page.asks.push(ActionForm {
                inputs: vec![("reason".into(), "Why".into(), "text".into())],
                action,
                fields: step("released"),
                text: what,
                button: "Release from the plan".into(),
                confirm: "Release this pledge from the plan? It no longer counts.".into(),
            });
        }
    }
    if viewer.may(Action::AdoptPlan).is_ok() {
        for sc in c.scenarios() {
            page.forms.push(ActionForm {
                inputs: Vec::new(),
                action: format!("/campaigns/{campaign}/plans"),
                fields: vec![("scenario".into(), sc.id.to_string())],
                text: String::new(),
                button: format!("Adopt the recommended option under \"{}\"", sc.name),
                confirm: if plan.is_some() {
                    "Adopt this option as the plan? It supersedes the plan that stands; its pledges start again from accepted.".into()
                } else {
                    "Adopt this option as the plan? Each accepted offer line becomes a pledge.".into()
                },
            });
        }
    }
    Ok(html(&page))
}

/// POST: the coordinator records a step of a pledge: verified, delivered or released.
pub(crate) async fn pledge_step(
    State(s): Shared,
    viewer: Viewer,
    Path((campaign, respondent, pledge)): Path<(String, String, String)>,
    body: Bytes,
) -> Result<Response, PageError> {
    viewer.may(Action::Coordinate)?;
    let form = FormData::parse(&body)?;
    viewer.check_csrf(&form)?;
    let event = super::pledge_step_of(&form)?;
    s.app
        .record_pledge(&viewer.principal, &campaign, &respondent, &pledge, event)
        .await?;
    Ok(see_other(&format!("/campaigns/{campaign}/plan")))
}

/// POST: adopts a scenario's recommended option as the plan.
pub(crate) async fn adopt_plan(
    State(s): Shared,
    viewer: Viewer,
    Path(campaign): Path<String>,
    body: Bytes,
) -> Result<Response, PageError> {
    viewer.may(Action::AdoptPlan)?;
    let form = FormData::parse(&body)?;
    viewer.check_csrf(&form)?;
    let request = guarantor_app::AdoptRequest {
        scenario: Some(form.get("scenario").to_owned()).filter(|s| !s.is_empty()),
        option: None,
        note: form.get("note").to_owned(),
    };
    s.app
        .adopt_plan(&viewer.principal, &campaign, request)
        .await?;
    Ok(see_other(&format!("/campaigns/{campaign}/plan")))
}

#[derive(Deserialize)]
pub(crate) struct LineQuery {
    /// The requirement line whose record over time is drawn (empty: the first essential line
    /// with pledges).
    #[serde(default)]
    line: String,
}

/// The plan as a section with its charts: the brief's own section on it (what was adopted,
/// pledges by stage, coverage at each level, over time, per phase and capital), with the
/// pledges one by one inserted before the coverage tables and one requirement line's record
/// over time at the end. Also the line drawn and the lines that have pledges (for the picker).
type PlanSection = ((Section, Vec<Chart>), Option<(String, Vec<String>)>);

fn plan_section(
    c: &guarantor_domain::Campaign,
    plan: Option<&guarantor_app::PlanView>,
    line: &str,
) -> Result<PlanSection, PageError> {
    use guarantor_assess::brief::{Block, Cell, Column, Table};
    let (Some(plan), Some((mut section, mut charts))) =
        (plan, guarantor_assess::brief::plan_section(c))
    else {
        let empty = Section {
            id: "plan".into(),
            title: "No plan adopted yet".into(),
            blocks: vec![Block::Paragraph {
                text: "Adopt an option below: each of its accepted offer lines becomes a pledge the capital then confirms.".into(),
            }],
        };
        return Ok(((empty, Vec::new()), None));
    };
    let with_pledges: Vec<String> = plan
        .coverage
        .iter()
        .filter(|l| l.accepted > 0.0 || l.delivered > 0.0)
        .map(|l| l.requirement.clone())
        .collect();
    let shown = if line.is_empty() {
        let essential = |id: &String| {
            c.requirements()
                .iter()
                .any(|r| r.id.as_str() == id && r.priority == guarantor_domain::Priority::Essential)
        };
        with_pledges
            .iter()
            .find(|l| essential(l))
            .or(with_pledges.first())
            .cloned()
    } else if c.requirements().iter().any(|r| r.id.as_str() == line) {
        Some(line.to_owned())
    } else {
        return Err(PageError::bad_request(format!(
            "line: no requirement line \"{line}\" in this campaign"
        )));
    };
    section.title = format!(
        "Plan {}: {} under \"{}\"",
        plan.version, plan.option, plan.scenario
    );
    let pledges = Block::Table(Table {
        caption: "Pledges".into(),
        columns: vec![
            Column::text("Capital"),
            Column::text("Line"),
            Column::text("Capability"),
            Column::number("Units"),
            Column::text("Where it stands"),
            Column::text("Readiness"),
            Column::number("Delivered"),
            Column::text("History"),
        ],
        rows: plan
            .pledges
            .iter()
            .map(|p| {
                vec![
                    Cell::text(c.respondent_name(&p.respondent)),
                    Cell::text(&p.offer),
                    Cell::text(&p.capability_name),
                    Cell::text(p.units.to_string()),
                    Cell::text(p.state.as_str().replace('_', " ")),
                    Cell::text(match (&p.readiness, p.ready_from) {
                        (Some(r), Some(from)) => format!("{r}, ready from {from}"),
                        _ => String::new(),
                    }),
                    Cell::text(p.delivered.to_string()),
                    Cell::text(p.history.join("; ")),
                ]
            })
            .collect(),
        note: String::new(),
    });
    let at = section
        .blocks
        .iter()
        .position(|b| matches!(b, Block::Table(_)))
        .unwrap_or(section.blocks.len());
    section.blocks.insert(at, pledges);
    if let Some(chart) = shown
        .as_deref()
        .and_then(|l| guarantor_assess::brief::line_over_time(&plan.over_time, l))
    {
        section.blocks.push(Block::Heading {
            text: "One requirement line over time".into(),
        });
        charts.push(Chart {
            id: "plan-line".into(),
            caption: format!(
                "{}: units at each level of commitment on each day something was recorded, against the units required. Pick another line above.",
                chart.title
            ),
            svg: chart.to_svg(),
        });
        section.blocks.push(Block::Chart {
            chart: "plan-line".into(),
        });
    }
    Ok(((section, charts), shown.map(|s| (s, with_pledges))))
}

/// POST: sends an ask of the engagement plan to its capital as a follow-up ask (coordinators),
/// and returns to the campaign's overview, where asks are tracked.
pub(crate) async fn send_ask(
    State(s): Shared,
    viewer: Viewer,
    Path(campaign): Path<String>,
    body: Bytes,
) -> Result<Response, PageError> {
    viewer.may(Action::Coordinate)?;
    let form = FormData::parse(&body)?;
    viewer.check_csrf(&form)?;
    let (_, plan, ask) = ask_in_plan(&s, &viewer, &campaign, &form).await?;
    let gap = plan
        .gaps
        .iter()
        .find(|g| g.candidates.iter().any(|c| c.in_words == ask.in_words))
        .map(|g| g.requirements.clone())
        .unwrap_or_default();
    let request = guarantor_app::AskRequest {
        id: None,
        respondent: ask.respondent.clone(),
        capability: ask.capability.clone(),
        quantity: i64::from(ask.units_asked),
        earliest_phase: ask.earliest_phase.clone(),
        last_phase: Some(ask.last_phase.clone()),
        sectors: Some(vec![ask.sector.clone()]),
        requirements: gap,
        message: format!(
            "The coordinator asks: {}. Why {}: {}.",
            ask.in_words,
            ask.respondent_name,
            ask.reasons
                .iter()
                .map(|r| r.detail.as_str())
                .collect::<Vec<_>>()
                .join("; ")
        ),
        reply_by: None,
    };
    s.app
        .send_ask(&viewer.principal, &campaign, request)
        .await?;
    Ok(see_other(&format!(
        "/campaigns/{campaign}?done=ask-sent#asks"
    )))
}

/// The ask a form names by its place in the engagement plan (scenario, posture, gap,
/// candidate), found again in the same plan: no offer figure comes from the browser.
async fn ask_in_plan(
    s: &crate::AppState,
    viewer: &Viewer,
    campaign: &str,
    form: &FormData,
) -> Result<
    (
        guarantor_domain::Campaign,
        guarantor_engine::engage::ScenarioEngagement,
        guarantor_engine::engage::Ask,
    ),
    PageError,
> {
    let given = |name: &str| Some(form.get(name).to_owned()).filter(|v| !v.is_empty());
    let choice = guarantor_app::EngagementChoice {
        scenario: given("scenario"),
        posture: given("posture"),
        what_if: None,
    };
    let index = |name: &str| {
        form.get(name)
            .parse::<usize>()
            .map_err(|_| PageError::bad_request(format!("{name}: not a position in the plan")))
    };
    let (gap, candidate) = (index("gap")?, index("candidate")?);
    let (c, plan) = s
        .app
        .engagement(&viewer.principal, campaign, &choice)
        .await?;
    let shown = plan.scenarios.first().ok_or_else(PageError::not_found)?;
    let ask = shown
        .gaps
        .get(gap)
        .and_then(|g| g.candidates.get(candidate))
        .cloned()
        .ok_or_else(|| {
            PageError::bad_request(
                "that ask is no longer in the plan: the proposals changed; reload the plan",
            )
        })?;
    Ok((c, shown.clone(), ask))
}

/// The what-if of one ask: its hypothetical offer, named by the ask in words.
fn ask_as_what_if(
    c: &guarantor_domain::Campaign,
    ask: &guarantor_engine::engage::Ask,
) -> Result<guarantor_domain::document::WhatIfDoc, PageError> {
    let mut id: String = format!("ask-{}-{}-{}", ask.respondent, ask.capability, ask.sector)
        .to_lowercase()
        .chars()
        .filter(|ch| ch.is_ascii_alphanumeric() || matches!(ch, '.' | '_' | '-'))
        .collect();
    id.truncate(guarantor_domain::ids::MAX_IDENT_LEN);
    let doc = serde_json::json!({
        "id": id,
        "name": format!("Ask: {}", ask.in_words),
        "note": format!("From the engagement plan: {}.", ask.reasons.iter().map(|r| r.detail.as_str()).collect::<Vec<_>>().join("; ")),
        "added": [{
            "respondent": ask.respondent,
            "offer": {
                "id": format!("{}-ASK", ask.respondent),
                "capability": ask.capability,
                "quantity": ask.units_asked,
                "earliest_phase": ask.earliest_phase,
                "last_phase": ask.last_phase,
                "sectors": [ask.sector],
                "cost_per_unit_year": {"amount_m": (ask.cost_per_unit_year_m * 1000.0).round() / 1000.0, "currency": c.info().currency.to_string()},
                "note": format!("Hypothetical; cost: {}.", ask.cost_basis),
            }
        }]
    });
    serde_json::from_value(doc).map_err(|e| PageError::internal(&format!("ask as what-if: {e}")))
}

/// POST: deletes a saved what-if and returns to the options on the offers as they are.
pub(crate) async fn delete_what_if(
    State(s): Shared,
    viewer: Viewer,
    Path((campaign, what_if)): Path<(String, String)>,
    body: Bytes,
) -> Result<Response, PageError> {
    viewer.may(Action::ExploreWhatIfs)?;
    viewer.check_csrf(&FormData::parse(&body)?)?;
    s.app
        .delete_what_if(&viewer.principal, &campaign, &what_if)
        .await?;
    Ok(see_other(&format!("/campaigns/{campaign}/options")))
}

#[derive(Template)]
#[template(path = "brief_page.html")]
struct BriefPage {
    page: Chrome,
    base: String,
    brief: guarantor_assess::Brief,
    /// The posture × scenario matrix as HTML (the brief's own table).
    fielded: String,
    pdf: bool,
}

/// GET: the brief's summary, with the whole brief as HTML and PDF.
pub(crate) async fn brief_page(
    State(s): Shared,
    viewer: Viewer,
    Path(campaign): Path<String>,
) -> Result<Response, PageError> {
    viewer.may(Action::ReadCampaign)?;
    let (c, brief) = s.app.brief(&viewer.principal, &campaign).await?;
    let page = BriefPage {
        page: Chrome::new(Some(&viewer), "Decision brief").in_campaign(&viewer, &c, "Brief"),
        base: format!("/campaigns/{campaign}"),
        fielded: brief
            .summary
            .fielded
            .as_ref()
            .map_or_else(String::new, |s| s.to_html(&[])),
        brief,
        pdf: s.config.pdf.is_some(),
    };
    Ok(html(&page))
}

/// GET: the whole brief as one self-contained HTML document.
pub(crate) async fn brief_html(
    State(s): Shared,
    viewer: Viewer,
    Path(campaign): Path<String>,
) -> Result<Response, PageError> {
    viewer.may(Action::ReadCampaign)?;
    let (_, brief) = s.app.brief(&viewer.principal, &campaign).await?;
    Ok((
        super::page_headers("text/html; charset=utf-8"),
        brief.to_html(),
    )
        .into_response())
}

/// GET: the brief typeset as PDF (when the server was built with a typesetter).
pub(crate) async fn brief_pdf(
    State(s): Shared,
    viewer: Viewer,
    Path(campaign): Path<String>,
) -> Result<Response, PageError> {
    viewer.may(Action::ReadCampaign)?;
    let Some(pdf) = s.config.pdf.clone() else {
        return Err(PageError::new(
            axum::http::StatusCode::NOT_IMPLEMENTED,
            "This server cannot typeset PDF; read the HTML brief, or run `guarantor brief --pdf`.",
        ));
    };
    let (_, brief) = s.app.brief(&viewer.principal, &campaign).await?;
    let bytes = tokio::task::spawn_blocking(move || pdf(&brief))
        .await
        .map_err(|e| PageError::internal(&e.to_string()))?
        .map_err(|e| PageError::internal(&format!("PDF: {e}")))?;
    Ok(super::attachment(
        bytes,
        &format!("{campaign}-brief.pdf"),
        "application/pdf",
    ))
}
