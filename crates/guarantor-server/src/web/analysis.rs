//! The pages that weigh the proposals: the assessment, the options under each scenario, the
//! scenarios side by side, the envoy's engagement plan, and the decision brief (HTML and PDF).
//! Coordinators and decision makers only.

use std::sync::Arc;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use guarantor_assess::brief::{Chart, Section};
use serde::Deserialize;

use guarantor_app::Action;

use super::{ACCOUNTS, Chrome, PageError, PageRoute, Viewer, html, page};
use crate::AppState;

/// The assessment, options, comparison and brief.
pub(crate) const ROUTES: &[PageRoute] = &[
    page!(GET "/campaigns/{campaign}/assessment" => assessment, ACCOUNTS),
    page!(GET "/campaigns/{campaign}/options" => options, ACCOUNTS),
    page!(GET "/campaigns/{campaign}/compare" => compare, ACCOUNTS),
    page!(GET "/campaigns/{campaign}/engagement" => engagement, ACCOUNTS),
    page!(GET "/campaigns/{campaign}/brief" => brief_page, ACCOUNTS),
    page!(GET "/campaigns/{campaign}/brief.html" => brief_html, ACCOUNTS),
    page!(GET "/campaigns/{campaign}/brief.pdf" => brief_pdf, ACCOUNTS),
];

type Shared = State<Arc<AppState>>;

#[derive(Template)]
#[template(path = "sections.html")]
struct SectionsPage {
    page: Chrome,
    heading: String,
    intro: String,
    /// Links above the content: (label, href, current).
    picker: Vec<(String, String, bool)>,
    picker_label: String,
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
            picker: Vec::new(),
            picker_label: String::new(),
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
}

/// GET: the options under one scenario (the first by default).
pub(crate) async fn options(
    State(s): Shared,
    viewer: Viewer,
    Path(campaign): Path<String>,
    Query(q): Query<ScenarioQuery>,
) -> Result<Response, PageError> {
    viewer.may(Action::ReadCampaign)?;
    let (c, report) = s.app.options(&viewer.principal, &campaign).await?;
    let index = if q.scenario.is_empty() {
        0
    } else {
        report
            .scenarios
            .iter()
            .position(|sc| sc.scenario == q.scenario)
            .ok_or_else(PageError::not_found)?
    };
    let picker = report
        .scenarios
        .iter()
        .enumerate()
        .map(|(i, sc)| {
            (
                sc.name.clone(),
                format!("/campaigns/{campaign}/options?scenario={}", sc.scenario),
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
    let mut page = SectionsPage::new(
        &viewer,
        &c,
        "Options",
        "Options",
        "Force packages computed from the submitted proposals under the scenario chosen: what each covers, what it leaves short and why, what it costs, who carries it, and how it holds if a capital walks away.",
        part,
        report.warnings.clone(),
    );
    page.picker = picker;
    page.picker_label = "Scenario".into();
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
    let mut picker: Vec<(String, String, bool)> = c
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
    if !c.postures().is_empty() {
        picker.push((
            "Requirements as stated".into(),
            link(&shown.scenario, None),
            posture.is_none(),
        ));
        picker.extend(c.postures().iter().map(|p| {
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
    page.picker = picker;
    page.picker_label = "Outcome of the talks and requirements".into();
    Ok(html(&page))
}

#[derive(Template)]
#[template(path = "brief_page.html")]
struct BriefPage {
    page: Chrome,
    base: String,
    brief: guarantor_assess::Brief,
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
