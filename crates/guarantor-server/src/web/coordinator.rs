//! The coordinator's pages: campaigns, the response tracker, invitations, reopening, setup and
//! the audit log. Decision makers see the campaigns and the tracker read-only.

use std::sync::Arc;

use askama::Template;
use axum::body::Bytes;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{Multipart, Path, Query, State};
use axum::response::Response;
use chrono::Utc;
use guarantor_app::{Action, ErrorKind, Invitation, Role, Submissions};
use guarantor_domain::document::{CampaignDocument, PriorityDoc, RequirementDoc};
use guarantor_domain::{FileFormat, LoadError, parse_campaign};
use serde::Deserialize;

use super::setup_form::{CATEGORIES, SetupParts};
use super::{
    ACCOUNTS, Chrome, FormData, Lists, PageError, PageRoute, Viewer, actor_name, html, page,
    see_other, when,
};
use crate::AppState;

/// Campaigns, the tracker, invitations, setup and the audit log.
pub(crate) const ROUTES: &[PageRoute] = &[
    page!(GET "/campaigns" => campaigns, ACCOUNTS),
    page!(POST "/campaigns" => import, "coordinator"),
    page!(GET "/campaigns/{campaign}" => dashboard, ACCOUNTS),
    page!(POST "/campaigns/{campaign}/invitations" => invite, "coordinator"),
    page!(POST "/campaigns/{campaign}/invitations/{respondent}/revoke" => revoke, "coordinator"),
    page!(POST "/campaigns/{campaign}/reopen" => reopen, "coordinator"),
    page!(POST "/campaigns/{campaign}/asks/{ask}/withdraw" => withdraw_ask, "coordinator"),
    page!(POST "/campaigns/{campaign}/close" => close, "coordinator"),
    page!(GET "/campaigns/{campaign}/setup" => setup_page, "coordinator"),
    page!(POST "/campaigns/{campaign}/setup" => save_setup, "coordinator"),
];

type Shared = State<Arc<AppState>>;

#[derive(Template)]
#[template(path = "campaigns.html")]
struct CampaignsPage {
    page: Chrome,
    campaigns: Vec<(String, String, String)>,
    coordinator: bool,
    errors: Vec<String>,
}

pub(crate) async fn campaigns(State(s): Shared, viewer: Viewer) -> Result<Response, PageError> {
    viewer.may(Action::ReadCampaign)?;
    campaigns_page(&s, &viewer, Vec::new()).await
}

async fn campaigns_page(
    s: &AppState,
    viewer: &Viewer,
    errors: Vec<String>,
) -> Result<Response, PageError> {
    let campaigns = s
        .app
        .campaigns(&viewer.principal)
        .await?
        .into_iter()
        .map(|c| (c.id, c.title, when(&c.updated_at)))
        .collect();
    let failed = !errors.is_empty();
    let page = CampaignsPage {
        page: Chrome::new(Some(viewer), "Campaigns"),
        campaigns,
        coordinator: viewer.may(Action::Coordinate).is_ok(),
        errors,
    };
    let mut r = html(&page);
    if failed {
        *r.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(r)
}

/// POST (multipart): import a campaign file.
pub(crate) async fn import(
    State(s): Shared,
    viewer: Viewer,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<Response, PageError> {
    // Who may come first: the body of someone who may not is never read.
    viewer.may(Action::Coordinate)?;
    let mut multipart = multipart.map_err(|e| PageError::bad_request(e.body_text()))?;
    let mut fields = Vec::new();
    let mut file = Vec::new();
    let mut file_name = String::new();
    while let Some(field) = multipart
        .next_field()
        .await
        .map_err(|e| PageError::bad_request(format!("the upload could not be read: {e}")))?
    {
        let name = field.name().unwrap_or_default().to_owned();
        if name == "file" {
            file_name = field.file_name().unwrap_or_default().to_owned();
        }
        let data = field
            .bytes()
            .await
            .map_err(|e| PageError::bad_request(format!("the upload could not be read: {e}")))?;
        if name == "file" {
            file = data.to_vec();
        } else {
            fields.push((name, String::from_utf8_lossy(&data).into_owned()));
        }
    }
    viewer.check_csrf(&FormData::from_pairs(fields))?;
    let format = if file_name.ends_with(".toml") {
        FileFormat::Toml
    } else {
        FileFormat::Json
    };
    let text = String::from_utf8(file)
        .map_err(|_| PageError::bad_request("the campaign file is not UTF-8 text"))?;
    let campaign = match parse_campaign(&text, format) {
        Ok(c) => c,
        Err(LoadError::Invalid(problems)) => {
            return campaigns_page(
                &s,
                &viewer,
                problems.iter().map(ToString::to_string).collect(),
            )
            .await;
        }
        Err(e) => return campaigns_page(&s, &viewer, vec![e.to_string()]).await,
    };
    match s.app.import(&viewer.principal, &campaign).await {
        Ok(()) => Ok(see_other(&format!(
            "/campaigns/{}?done=imported",
            campaign.info().id
        ))),
        Err(e) if e.kind == ErrorKind::Exists => campaigns_page(&s, &viewer, vec![e.message]).await,
        Err(e) => Err(e.into()),
    }
}

/// A line of the response tracker.
pub(crate) struct TrackerLine {
    pub code: String,
    pub name: String,
    pub status: String,
    pub status_class: &'static str,
    pub last_change: String,
    pub lines: usize,
    pub invitation: String,
    pub invitation_active: bool,
    /// Its follow-up asks by status, e.g. "1 open, 1 answered" (empty: none).
    pub asks: String,
    /// Its pledges in the plan that stands by stage, e.g. "2 accepted, 1 delivered" (empty:
    /// none).
    pub pledges: String,
}

/// Counts of `items` by label, in the order the labels first appear in `order`, as words.
fn counted<T: PartialEq + Copy>(items: &[T], order: &[T], label: impl Fn(T) -> String) -> String {
    order
        .iter()
        .filter_map(|x| {
            let n = items.iter().filter(|i| *i == x).count();
            (n > 0).then(|| format!("{n} {}", label(*x)))
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// A line of the coverage table.
pub(crate) struct CoverageView {
    pub requirement: String,
    pub capability: String,
    pub phase: String,
    pub sector: String,
    pub essential: bool,
    pub required: u32,
    pub offered: u64,
    pub conditional: u64,
    pub coverage: String,
    pub coverage_value: f64,
}

#[derive(Template)]
#[template(path = "dashboard.html")]
struct Dashboard {
    page: Chrome,
    id: String,
    issuer: String,
    purpose: String,
    deadline: String,
    deadline_state: String,
    closed: bool,
    coordinator: bool,
    counts: guarantor_engine::summary::ResponseCounts,
    totals: guarantor_engine::summary::CoverageTotals,
    offer_lines: usize,
    personnel: String,
    tracker: Vec<TrackerLine>,
    coverage: Vec<CoverageView>,
    new_link: Option<(String, String, String)>,
    /// The follow-up asks sent, with where each stands.
    asks: Vec<guarantor_app::AskView>,
}

#[derive(Deserialize)]
pub(crate) struct Done {
    #[serde(default)]
    done: String,
}

fn invitation_text(inv: Option<&Invitation>) -> (String, bool) {
    let now = Utc::now();
    match inv {
        None => ("not invited yet".into(), false),
        Some(i) if i.is_active(now) => (format!("link valid until {}", when(&i.expires_at)), true),
        Some(i) => match &i.revoked_at {
            Some(at) => (format!("revoked {}", when(at)), false),
            None => (format!("expired {}", when(&i.expires_at)), false),
        },
    }
}

/// The response tracker: one line per invited capital, with its follow-up asks and pledges.
pub(crate) fn tracker(
    c: &guarantor_domain::Campaign,
    doc: &CampaignDocument,
    invitations: &[Invitation],
) -> Vec<TrackerLine> {
    use guarantor_domain::{AskStatus, PledgeState};
    let now = Utc::now();
    doc.respondents
        .iter()
        .filter(|r| r.invited)
        .map(|r| {
            let p = doc.proposals.iter().find(|p| p.respondent == r.code);
            let (status, class) = match p {
                Some(p) if p.withdrawn.is_some() => ("Withdrawn".to_owned(), "withdrawn"),
                Some(p) if !p.revisions.is_empty() => (
                    format!(
                        "Submitted (revision {}){}",
                        p.revisions.len(),
                        if p.draft.is_some() {
                            ", draft pending"
                        } else {
                            ""
                        }
                    ),
                    "submitted",
                ),
                Some(p) if p.draft.is_some() => ("Draft, not submitted".to_owned(), "draft"),
                _ => ("Not started".to_owned(), "none"),
            };
            let mut changes: Vec<(chrono::DateTime<Utc>, String)> = Vec::new();
            if let Some(p) = p {
                changes.extend(
                    p.revisions
                        .iter()
                        .map(|v| (v.submitted_at, v.submitted_by.clone())),
                );
                changes.extend(p.draft.iter().map(|d| (d.updated_at, d.updated_by.clone())));
                changes.extend(p.withdrawn.iter().map(|w| (w.at, w.by.clone())));
            }
            let last_change = changes
                .iter()
                .max_by_key(|(at, _)| *at)
                .map(|(at, by)| {
                    format!("{} by {}", at.format("%Y-%m-%d %H:%M UTC"), actor_name(by))
                })
                .unwrap_or_else(|| "—".into());
            let (invitation, invitation_active) =
                invitation_text(invitations.iter().find(|i| i.respondent == r.code));
            let asks: Vec<AskStatus> = c
                .asks()
                .iter()
                .filter(|a| a.respondent.as_str() == r.code)
                .map(|a| c.ask_status(a, now))
                .collect();
            let pledges: Vec<PledgeState> = c
                .plan()
                .map(|plan| {
                    plan.pledges
                        .iter()
                        .filter(|p| p.respondent.as_str() == r.code)
                        .map(guarantor_domain::Pledge::state)
                        .collect()
                })
                .unwrap_or_default();
            TrackerLine {
                asks: counted(&asks, &AskStatus::ALL, |s| s.in_words().to_owned()),
                pledges: counted(&pledges, &PledgeState::ALL, |s| {
                    s.as_str().replace('_', " ")
                }),
                code: r.code.clone(),
                name: r.name.clone(),
                status,
                status_class: class,
                last_change,
                lines: p
                    .filter(|p| p.withdrawn.is_none())
                    .and_then(|p| p.revisions.last())
                    .map_or(0, |v| v.offers.len()),
                invitation,
                invitation_active,
            }
        })
        .collect()
}

async fn dashboard_page(
    s: &AppState,
    viewer: &Viewer,
    campaign: &str,
    flash: Option<String>,
    new_link: Option<(String, String, String)>,
) -> Result<Response, PageError> {
    let read = s.app.campaign(&viewer.principal, campaign).await?;
    let (c, submissions) = (read.campaign, read.submissions);
    let invitations = s.app.invitations(&viewer.principal, campaign).await?;
    let a = guarantor_assess::assess(&c);
    let doc = c.to_document();
    let deadline = doc.campaign.deadline;
    let lists = Lists::of(&doc);
    let coverage = a
        .coverage
        .iter()
        .map(|l| {
            let line = &l.line;
            CoverageView {
                requirement: line.requirement.clone(),
                capability: Lists::label(&lists.capabilities, &line.capability),
                phase: Lists::label(&lists.phases, &line.phase),
                sector: Lists::label(&lists.sectors, &line.sector),
                essential: matches!(line.priority, guarantor_domain::Priority::Essential),
                required: line.required,
                offered: line.offered,
                conditional: line.offered_conditional,
                coverage: guarantor_domain::format::percent(line.coverage, 0),
                coverage_value: line.coverage,
            }
        })
        .collect();
    let page = Dashboard {
        page: Chrome::new(Some(viewer), doc.campaign.title.clone())
            .in_campaign(viewer, &c, "Overview")
            .flash(flash),
        id: doc.campaign.id.clone(),
        issuer: doc.campaign.issuer.clone(),
        purpose: doc.campaign.purpose.clone(),
        deadline: deadline.format("%Y-%m-%d %H:%M UTC").to_string(),
        deadline_state: format!("submissions {}", submissions.describe(Utc::now(), deadline)),
        closed: !submissions.open(Utc::now(), deadline),
        coordinator: matches!(
            viewer.principal,
            guarantor_app::Principal::Account {
                role: Role::Coordinator,
                ..
            }
        ),
        counts: a.response_counts.clone(),
        totals: a.coverage_totals.clone(),
        offer_lines: a.offered.offer_lines,
        personnel: guarantor_domain::format::persons(a.offered.personnel.committed),
        tracker: tracker(&c, &doc, &invitations),
        coverage,
        new_link,
        asks: c
            .asks()
            .iter()
            .map(|a| guarantor_app::AskView::of(&c, a, Utc::now()))
            .collect(),
    };
    Ok(html(&page))
}

fn dashboard_flash(done: &str) -> Option<String> {
    Some(
        match done {
            "imported" => "Campaign imported.",
            "revoked" => "Invitation revoked: its link no longer opens the proposal.",
            "reopened" => "Campaign reopened: capitals may submit again.",
            "closed" => "Campaign closed to submissions: capitals may still save drafts.",
            "setup" => "Setup saved.",
            "ask-sent" => "Follow-up ask sent: the capital sees it on its proposal page.",
            "ask-withdrawn" => "Follow-up ask withdrawn: the capital sees it and your reason.",
            _ => return None,
        }
        .to_owned(),
    )
}

/// GET: the campaign's overview and response tracker.
pub(crate) async fn dashboard(
    State(s): Shared,
    viewer: Viewer,
    Path(campaign): Path<String>,
    Query(q): Query<Done>,
) -> Result<Response, PageError> {
    dashboard_page(&s, &viewer, &campaign, dashboard_flash(&q.done), None).await
}

/// POST: invite a capital; the page shows its link once.
pub(crate) async fn invite(
    State(s): Shared,
    viewer: Viewer,
    Path(campaign): Path<String>,
    headers: axum::http::HeaderMap,
    body: Bytes,
) -> Result<Response, PageError> {
    // Who asks before what they sent: a capital gets 404 whatever its body.
    viewer.may(Action::Coordinate)?;
    let form = FormData::parse(&body)?;
    viewer.check_csrf(&form)?;
    let respondent = form.get("respondent").to_owned();
    let days: u32 = match form.get("days") {
        "" => 30,
        raw => raw.parse().map_err(|_| {
            PageError::bad_request(format!(
                "days: an invitation lasts 1 to 365 days (got {raw})"
            ))
        })?,
    };
    let issued = s
        .app
        .invite(&viewer.principal, &campaign, &respondent, days)
        .await?;
    let (token, expires) = (issued.token, issued.expires_at);
    // The link is made from the address the coordinator reached the server at.
    let host = headers
        .get(axum::http::header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("localhost");
    let scheme = if s.config.secure_cookies {
        "https"
    } else {
        "http"
    };
    let link = format!("{scheme}://{host}/invitation/{token}");
    dashboard_page(
        &s,
        &viewer,
        &campaign,
        None,
        Some((
            respondent,
            link,
            expires.format("%Y-%m-%d %H:%M UTC").to_string(),
        )),
    )
    .await
}

/// POST: revoke a capital's invitation.
pub(crate) async fn revoke(
    State(s): Shared,
    viewer: Viewer,
    Path((campaign, respondent)): Path<(String, String)>,
    body: Bytes,
) -> Result<Response, PageError> {
    viewer.may(Action::Coordinate)?;
    viewer.check_csrf(&FormData::parse(&body)?)?;
    s.app
        .revoke_invitation(&viewer.principal, &campaign, &respondent)
        .await?;
    Ok(see_other(&format!("/campaigns/{campaign}?done=revoked")))
}

/// POST: refuse submissions, whatever the deadline.
pub(crate) async fn close(
    State(s): Shared,
    viewer: Viewer,
    Path(campaign): Path<String>,
    body: Bytes,
) -> Result<Response, PageError> {
    set_submissions(&s, &viewer, &campaign, &body, Submissions::Closed).await
}

/// POST: accept submissions again, whatever the deadline.
/// POST: the coordinator withdraws a follow-up ask that is no longer needed, saying why.
pub(crate) async fn withdraw_ask(
    State(s): Shared,
    viewer: Viewer,
    Path((campaign, ask)): Path<(String, String)>,
    body: Bytes,
) -> Result<Response, PageError> {
    viewer.may(Action::Coordinate)?;
    let form = FormData::parse(&body)?;
    viewer.check_csrf(&form)?;
    s.app
        .withdraw_ask(&viewer.principal, &campaign, &ask, form.get("reason"))
        .await?;
    Ok(see_other(&format!(
        "/campaigns/{campaign}?done=ask-withdrawn#asks"
    )))
}

pub(crate) async fn reopen(
    State(s): Shared,
    viewer: Viewer,
    Path(campaign): Path<String>,
    body: Bytes,
) -> Result<Response, PageError> {
    set_submissions(&s, &viewer, &campaign, &body, Submissions::Reopened).await
}

async fn set_submissions(
    s: &AppState,
    viewer: &Viewer,
    campaign: &str,
    body: &[u8],
    to: Submissions,
) -> Result<Response, PageError> {
    viewer.may(Action::Coordinate)?;
    viewer.check_csrf(&FormData::parse(body)?)?;
    s.app
        .set_submissions(&viewer.principal, campaign, to)
        .await?;
    let done = if to == Submissions::Closed {
        "closed"
    } else {
        "reopened"
    };
    Ok(see_other(&format!("/campaigns/{campaign}?done={done}")))
}

/// A requirement row of the setup form, as typed.
pub(crate) struct RequirementRow {
    pub index: usize,
    pub id: String,
    pub capability: String,
    pub quantity: String,
    pub phase: String,
    pub sector: String,
    pub essential: bool,
    pub note: String,
}

impl RequirementRow {
    /// The empty row that adds a line.
    fn blank(index: usize) -> Self {
        Self {
            index,
            id: String::new(),
            capability: String::new(),
            quantity: String::new(),
            phase: String::new(),
            sector: String::new(),
            essential: true,
            note: String::new(),
        }
    }

    fn chosen(&self, field: &str, value: &str) -> bool {
        match field {
            "capability" => self.capability == value,
            "phase" => self.phase == value,
            "sector" => self.sector == value,
            _ => false,
        }
    }
}

#[derive(Template)]
#[template(path = "setup.html")]
struct SetupPage {
    page: Chrome,
    id: String,
    version: i64,
    title: String,
    purpose: String,
    contact: String,
    deadline: String,
    requirements: Vec<RequirementRow>,
    parts: SetupParts,
    capabilities: Vec<(String, String)>,
    phases: Vec<(String, String)>,
    sectors: Vec<(String, String)>,
    /// Every capital listed (code, name): who an exclusion may name.
    capitals: Vec<(String, String)>,
    /// Every membership the capitals have (NATO, EU …): what an exclusion may name.
    memberships: Vec<String>,
    categories: Vec<(&'static str, &'static str)>,
    /// The advanced view: the questionnaire and the scenarios as JSON (as typed, after a
    /// failed save of it).
    questionnaire_json: String,
    scenarios_json: String,
    /// Whether the JSON view was the one posted (it is then shown open).
    json_open: bool,
    errors: Vec<String>,
}

/// What the setup page shows besides the stored campaign: the rows as typed and the JSON as
/// typed, after a failed save.
struct Typed {
    requirements: Vec<RequirementRow>,
    parts: SetupParts,
    json: Option<(String, String)>,
}

fn requirement_rows(doc: &CampaignDocument) -> Vec<RequirementRow> {
    let mut rows: Vec<RequirementRow> = doc
        .requirements
        .iter()
        .enumerate()
        .map(|(index, r)| RequirementRow {
            index,
            id: r.id.clone(),
            capability: r.capability.clone(),
            quantity: r.quantity.to_string(),
            phase: r.phase.clone(),
            sector: r.sector.clone(),
            essential: r.priority == PriorityDoc::Essential,
            note: r.note.clone(),
        })
        .collect();
    rows.push(RequirementRow::blank(rows.len()));
    rows
}

fn setup_page_of(
    viewer: &Viewer,
    c: &guarantor_domain::Campaign,
    doc: &CampaignDocument,
    version: i64,
    typed: Typed,
    errors: Vec<String>,
) -> Response {
    let lists = Lists::of(doc);
    let mut memberships: Vec<String> = doc
        .respondents
        .iter()
        .flat_map(|r| r.memberships.iter().cloned())
        .collect();
    memberships.sort();
    memberships.dedup();
    let json_open = typed.json.is_some();
    let (questionnaire_json, scenarios_json) = typed.json.unwrap_or_else(|| {
        (
            serde_json::to_string_pretty(&doc.questionnaire).unwrap_or_default(),
            serde_json::to_string_pretty(&serde_json::json!({
                "facts": doc.facts,
                "scenarios": doc.scenarios,
            }))
            .unwrap_or_default(),
        )
    });
    let page = SetupPage {
        page: Chrome::new(Some(viewer), format!("Setup: {}", doc.campaign.title))
            .in_campaign(viewer, c, "Setup"),
        id: doc.campaign.id.clone(),
        version,
        title: doc.campaign.title.clone(),
        purpose: doc.campaign.purpose.clone(),
        contact: doc.campaign.contact.clone(),
        deadline: doc.campaign.deadline.format("%Y-%m-%dT%H:%M").to_string(),
        requirements: typed.requirements,
        parts: typed.parts,
        capabilities: lists.capabilities,
        phases: lists.phases,
        sectors: lists.sectors,
        capitals: doc
            .respondents
            .iter()
            .map(|r| (r.code.clone(), r.name.clone()))
            .collect(),
        memberships,
        categories: CATEGORIES
            .iter()
            .map(|(_, id, label)| (*id, *label))
            .collect(),
        questionnaire_json,
        scenarios_json,
        json_open,
        errors,
    };
    let failed = !page.errors.is_empty();
    let mut r = html(&page);
    if failed {
        *r.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
    }
    r
}

/// GET: the setup form.
pub(crate) async fn setup_page(
    State(s): Shared,
    viewer: Viewer,
    Path(campaign): Path<String>,
) -> Result<Response, PageError> {
    viewer.may(Action::Coordinate)?;
    let read = s.app.campaign(&viewer.principal, &campaign).await?;
    let (version, c) = (read.version, read.campaign);
    let doc = c.to_document();
    let typed = Typed {
        requirements: requirement_rows(&doc),
        parts: SetupParts::of(&doc),
        json: None,
    };
    Ok(setup_page_of(&viewer, &c, &doc, version, typed, Vec::new()))
}

/// POST: save the setup (title, purpose, deadline, requirements, questionnaire, scenarios).
pub(crate) async fn save_setup(
    State(s): Shared,
    viewer: Viewer,
    Path(campaign): Path<String>,
    body: Bytes,
) -> Result<Response, PageError> {
    // Who asks before what they sent: a capital gets 404 whatever its body.
    viewer.may(Action::Coordinate)?;
    let form = FormData::parse(&body)?;
    viewer.check_csrf(&form)?;
    let c = s.app.campaign(&viewer.principal, &campaign).await?.campaign;
    let mut doc = c.to_document();
    let mut version: i64 = form.get("version").parse().unwrap_or(-1);
    // What could not be read: named, while the rest still goes to the campaign's rules, so
    // every problem comes at once.
    let mut errors = Vec::new();
    let mut typed = Typed {
        requirements: Vec::new(),
        parts: SetupParts::default(),
        json: None,
    };
    if form.get("mode") == "json" {
        // The advanced view: the questionnaire and the scenarios as JSON. A part that does not
        // parse keeps its stored value for the check of the rest.
        let (questionnaire, scenarios) = (form.get("questionnaire"), form.get("scenarios"));
        match serde_json::from_str(questionnaire) {
            Ok(q) => doc.questionnaire = q,
            Err(e) => errors.push(format!("questionnaire (JSON): {e}")),
        }
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct Tracks {
            facts: Vec<guarantor_domain::document::FactDoc>,
            scenarios: Vec<guarantor_domain::document::ScenarioDoc>,
        }
        match serde_json::from_str::<Tracks>(scenarios) {
            Ok(t) => {
                doc.facts = t.facts;
                doc.scenarios = t.scenarios;
            }
            Err(e) => errors.push(format!("facts and scenarios (JSON): {e}")),
        }
        typed.requirements = requirement_rows(&doc);
        typed.parts = SetupParts::of(&doc);
        typed.json = Some((questionnaire.to_owned(), scenarios.to_owned()));
    } else {
        doc.campaign.title = form.get("title").to_owned();
        doc.campaign.purpose = form.get("purpose").to_owned();
        doc.campaign.contact = form.get("contact").trim().to_owned();
        match chrono::NaiveDateTime::parse_from_str(form.get("deadline"), "%Y-%m-%dT%H:%M") {
            Ok(t) => doc.campaign.deadline = t.and_utc(),
            Err(_) => errors.push(format!(
                "deadline: give a date and time, e.g. 2025-03-07T17:00 (got \"{}\")",
                form.get("deadline")
            )),
        }
        let (rows, requirements, problems) = read_requirements(&form);
        doc.requirements = requirements;
        errors.extend(problems);
        typed.requirements = rows;
        typed.parts = SetupParts::read(&form);
        errors.extend(typed.parts.write_into(&mut doc));
        typed.parts.add_empty_entries();
        typed
            .requirements
            .push(RequirementRow::blank(typed.requirements.len()));
    }
    if errors.is_empty() {
        match s
            .app
            .update_setup(
                &viewer.principal,
                &campaign,
                version,
                without_proposals(&doc),
            )
            .await
        {
            Ok(_) => return Ok(see_other(&format!("/campaigns/{campaign}?done=setup"))),
            Err(e) if e.kind == ErrorKind::Invalid => errors = e.problems,
            Err(e) if e.kind == ErrorKind::Conflict => {
                // Saving again is now a deliberate overwrite of the other change.
                if let Some(current) = e.current_version {
                    version = current;
                }
                errors.push(format!(
                    "{} Your edits below were not saved; saving again will replace the other change with them.",
                    e.message
                ));
            }
            Err(e) => return Err(e.into()),
        }
    } else {
        errors.extend(
            s.app
                .check_setup(&viewer.principal, &campaign, &without_proposals(&doc))
                .await?,
        );
    }
    Ok(setup_page_of(&viewer, &c, &doc, version, typed, errors))
}

/// The requirement rows as posted (removed and empty ones dropped, renumbered in order), the
/// requirements they make, and the rows that could not be read.
fn read_requirements(form: &FormData) -> (Vec<RequirementRow>, Vec<RequirementDoc>, Vec<String>) {
    let mut rows = Vec::new();
    let mut requirements = Vec::new();
    let mut errors = Vec::new();
    // Every row posted, by its number (rows removed earlier leave gaps: none may end the list).
    let numbers: std::collections::BTreeSet<usize> = form
        .names()
        .iter()
        .filter_map(|n| n.strip_prefix('r')?.split_once('.')?.0.parse().ok())
        .collect();
    for &i in &numbers {
        let f = |field: &str| form.get(&format!("r{i}.{field}")).to_owned();
        let row = RequirementRow {
            // Shown again numbered in order, so the next post has no gaps either.
            index: rows.len(),
            id: f("id"),
            capability: f("capability"),
            quantity: f("quantity"),
            phase: f("phase"),
            sector: f("sector"),
            essential: f("priority") != "desirable",
            note: f("note"),
        };
        let removed = form.ticked(&format!("r{i}.remove"));
        let blank = row.capability.is_empty() && row.quantity.is_empty();
        if removed || blank {
            continue;
        }
        match row.quantity.trim().parse::<i64>() {
            Ok(quantity) => requirements.push(RequirementDoc {
                id: row.id.clone(),
                capability: row.capability.clone(),
                quantity,
                phase: row.phase.clone(),
                sector: row.sector.clone(),
                priority: if row.essential {
                    PriorityDoc::Essential
                } else {
                    PriorityDoc::Desirable
                },
                note: row.note.clone(),
            }),
            Err(_) => errors.push(format!(
                "requirements row {}: the quantity must be a whole number (got \"{}\")",
                rows.len() + 1,
                row.quantity
            )),
        }
        rows.push(row);
    }
    (rows, requirements, errors)
}

/// The setup part of a document: the form edits the setup, never the proposals.
fn without_proposals(doc: &CampaignDocument) -> CampaignDocument {
    CampaignDocument {
        proposals: Vec::new(),
        ..doc.clone()
    }
}
