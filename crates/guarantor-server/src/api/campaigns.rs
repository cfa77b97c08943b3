//! Campaigns and what is computed from them: list, import, read, setup, questionnaire,
//! assessment, options, engagement plan, brief, reopen.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use guarantor_app::{Action, AppError, EngagementChoice, Submissions};
use guarantor_domain::{FileFormat, parse_campaign};

use super::{ACCOUNTS, AppResult, Caller, Route, Shared, endpoint, if_match};
use crate::{ApiError, error};

/// The campaign routes.
pub(crate) const ROUTES: &[Route] = &[
    endpoint!(GET "/api/campaigns" => list_campaigns, ACCOUNTS, "List the stored campaigns."),
    Route {
        body: Some("CampaignFile"),
        success: 201,
        ..endpoint!(POST "/api/campaigns" => import_campaign, "coordinator", "Store a campaign file (validated first).")
    },
    endpoint!(GET "/api/campaigns/{campaign}" => get_campaign, ACCOUNTS, "The campaign file, with every proposal."),
    endpoint!(
        GET "/api/campaigns/{campaign}/questionnaire" => get_questionnaire,
        "coordinator, decision maker, the campaign's capitals",
        "What a capital needs to answer, and nothing else: the campaign header, phases, sectors, catalogue, requirements, questionnaire, facts, and the invited capitals by code and name (docs/api.md, What a capital is sent).",
    ),
    endpoint!(GET "/api/campaigns/{campaign}/assessment" => get_assessment, ACCOUNTS, "The assessment (as `guarantor assess --json`)."),
    endpoint!(GET "/api/campaigns/{campaign}/options" => get_options, ACCOUNTS, "Options under every scenario (as `guarantor options --all-scenarios --json`); query `what_if`: under that saved what-if (hypothetical offers; the report's `what_if` names it)."),
    endpoint!(GET "/api/campaigns/{campaign}/asks" => get_asks, ACCOUNTS, "Every follow-up ask of the campaign, each with where it stands."),
    endpoint!(GET "/api/campaigns/{campaign}/plan" => get_plan, ACCOUNTS, "The plan that stands (null before any adoption): every pledge with its state, readiness and history, and coverage of each requirement line at each level (accepted, confirmed, verified, delivered)."),
    Route {
        body: Some("AdoptRequest"),
        success: 201,
        ..endpoint!(POST "/api/campaigns/{campaign}/plans" => adopt_plan, ACCOUNTS, "Adopt an option as the plan (body: scenario, option from 1, note; defaults: the first scenario's recommended option); each accepted offer line becomes a pledge. A later adoption supersedes.")
    },
    Route {
        body: Some("AskRequest"),
        success: 201,
        ..endpoint!(POST "/api/campaigns/{campaign}/asks" => send_ask, "coordinator", "Send a follow-up ask to one capital (refused, 409, while the campaign does not accept submissions). Answers its id.")
    },
    Route {
        body: Some("DeclineRequest"),
        ..endpoint!(POST "/api/campaigns/{campaign}/asks/{ask}/withdraw" => withdraw_ask, "coordinator", "Withdraw a follow-up ask that is no longer needed, saying why (body: reason). Refused, 409, once the capital declined it, answered it in full, or it was withdrawn already; the lines that answered it so far stay.")
    },
    Route {
        body: Some("WhatIf"),
        ..endpoint!(
            PUT "/api/campaigns/{campaign}/what-ifs/{what_if}" => put_what_if,
            ACCOUNTS,
            "Save a what-if (hypothetical offers added, current ones taken away) under this id, replacing one with the same id; checked like a campaign file's `what_ifs`. No proposal changes.",
        )
    },
    Route {
        success: 204,
        ..endpoint!(DELETE "/api/campaigns/{campaign}/what-ifs/{what_if}" => delete_what_if, ACCOUNTS, "Delete a saved what-if.")
    },
    endpoint!(GET "/api/campaigns/{campaign}/engagement" => get_engagement, ACCOUNTS, "The engagement plan (as `guarantor engage --json`): query `scenario` (default: the first) and `posture` (default: the campaign's own requirements). Every ask in it is hypothetical."),
    endpoint!(GET "/api/campaigns/{campaign}/brief" => get_brief, ACCOUNTS, "The decision brief as self-contained HTML."),
    Route {
        body: Some("CampaignFile"),
        if_match: true,
        ..endpoint!(
            PUT "/api/campaigns/{campaign}/setup" => put_setup,
            "coordinator",
            "Replace the campaign's setup (requirements, questionnaire, scenarios, deadline, …): a campaign file without proposals, validated with every stored proposal. If-Match: the campaign's ETag.",
        )
    },
    endpoint!(GET "/api/campaigns/{campaign}/brief.pdf" => get_brief_pdf, ACCOUNTS, "The decision brief as PDF (501 when the server was built without a typesetter)."),
    Route {
        success: 204,
        ..endpoint!(POST "/api/campaigns/{campaign}/reopen" => reopen, "coordinator", "Accept submissions again, whatever the deadline, until closed or a new deadline is set.")
    },
    Route {
        success: 204,
        ..endpoint!(POST "/api/campaigns/{campaign}/close" => close, "coordinator", "Refuse submissions, whatever the deadline, until reopened or a new deadline is set (drafts may still be saved).")
    },
];

pub(crate) async fn list_campaigns(State(s): Shared, caller: Caller) -> AppResult<Response> {
    let list: Vec<serde_json::Value> = s
        .app
        .campaigns(&caller.0)
        .await?
        .into_iter()
        .map(|c| {
            serde_json::json!({"id": c.id, "title": c.title, "version": c.version, "updated_at": c.updated_at})
        })
        .collect();
    Ok(Json(list).into_response())
}

pub(crate) async fn import_campaign(
    State(s): Shared,
    caller: Caller,
    body: Bytes,
) -> AppResult<Response> {
    // Authorised before the body is read.
    guarantor_app::policy::authorise(&caller.0, Action::Coordinate)?;
    let body = error::text_body(&body)?;
    let campaign = parse_campaign(body, FileFormat::Json).map_err(AppError::from)?;
    s.app.import(&caller.0, &campaign).await?;
    Ok((
        StatusCode::CREATED,
        Json(serde_json::json!({"id": campaign.info().id.to_string()})),
    )
        .into_response())
}

pub(crate) async fn get_campaign(
    State(s): Shared,
    caller: Caller,
    Path(campaign): Path<String>,
) -> AppResult<Response> {
    let read = s.app.campaign(&caller.0, &campaign).await?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/json".to_owned()),
            (header::ETAG, format!("\"v{}\"", read.version)),
            (
                header::HeaderName::from_static("x-audit-head"),
                read.audit_head.replace(',', ""),
            ),
        ],
        read.campaign.to_json(),
    )
        .into_response())
}

pub(crate) async fn put_setup(
    State(s): Shared,
    caller: Caller,
    Path(campaign): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> AppResult<Response> {
    guarantor_app::policy::authorise(&caller.0, Action::Coordinate)?;
    let expected = if_match(&headers)?;
    let body = error::text_body(&body)?;
    let doc = guarantor_domain::parse_document(body, FileFormat::Json).map_err(AppError::from)?;
    let version = s
        .app
        .update_setup(&caller.0, &campaign, expected, doc)
        .await?;
    let mut response =
        Json(serde_json::json!({"campaign": campaign, "version": version})).into_response();
    if let Ok(v) = HeaderValue::from_str(&format!("\"v{version}\"")) {
        response.headers_mut().insert(header::ETAG, v);
    }
    Ok(response)
}

pub(crate) async fn get_brief_pdf(
    State(s): Shared,
    caller: Caller,
    Path(campaign): Path<String>,
) -> AppResult<Response> {
    guarantor_app::policy::authorise(&caller.0, Action::ReadCampaign)?;
    let Some(pdf) = s.config.pdf.clone() else {
        return Err(ApiError::not_implemented(
            "this server cannot typeset PDF: use the HTML brief, or `guarantor brief --pdf`",
        ));
    };
    let (_, brief) = s.app.brief(&caller.0, &campaign).await?;
    let bytes = tokio::task::spawn_blocking(move || pdf(&brief))
        .await
        .map_err(|e| ApiError::internal(&e.to_string()))?
        .map_err(|e| ApiError::internal(&format!("PDF: {e}")))?;
    Ok(([(header::CONTENT_TYPE, "application/pdf")], bytes).into_response())
}

pub(crate) async fn get_questionnaire(
    State(s): Shared,
    caller: Caller,
    Path(campaign): Path<String>,
) -> AppResult<Response> {
    let (doc, submissions) = s.app.questionnaire(&caller.0, &campaign).await?;
    Ok(Json(QuestionnaireView::of(doc, submissions)).into_response())
}

/// What a capital is sent to answer the questionnaire, field by field (docs/api.md): what the
/// form asks about and what an offer may refer to, nothing of the coordinator's planning or of
/// the other capitals beyond their names.
#[derive(Debug, serde::Serialize)]
struct QuestionnaireView {
    /// Id, title, issuer, purpose, deadline, currency and the exchange rates offers may use.
    campaign: guarantor_domain::document::CampaignInfoDoc,
    phases: Vec<guarantor_domain::document::PhaseDoc>,
    sectors: Vec<guarantor_domain::document::SectorDoc>,
    catalogue: Vec<guarantor_domain::document::CapabilityDoc>,
    /// The statement of requirements, which capitals offer against (as at a force sourcing
    /// conference).
    requirements: Vec<guarantor_domain::document::RequirementDoc>,
    questionnaire: guarantor_domain::document::QuestionnaireDoc,
    /// The facts an offer may be conditional on.
    facts: Vec<guarantor_domain::document::FactDoc>,
    /// The invited capitals an offer may be conditional on: code and name only.
    respondents: Vec<RespondentName>,
    /// Whether a submission would be accepted now, and why.
    submissions: SubmissionsView,
}

/// Where submissions stand.
#[derive(Debug, serde::Serialize)]
struct SubmissionsView {
    /// Whether a submission now is accepted.
    open: bool,
    /// `by_deadline`, `reopened` (by the coordinator) or `closed` (by the coordinator).
    state: guarantor_app::Submissions,
    /// In words.
    says: &'static str,
}

/// An invited capital, as another capital may see it.
#[derive(Debug, serde::Serialize)]
struct RespondentName {
    code: String,
    name: String,
}

impl QuestionnaireView {
    /// Keeps what a capital needs; scenarios (the negotiation outcomes studied, who may be
    /// excluded, troop ceilings), reference figures, memberships, uninvited respondents and every
    /// proposal stay out.
    fn of(
        doc: guarantor_domain::CampaignDocument,
        submissions: guarantor_app::Submissions,
    ) -> Self {
        let (now, deadline) = (chrono::Utc::now(), doc.campaign.deadline);
        Self {
            submissions: SubmissionsView {
                open: submissions.open(now, deadline),
                state: submissions,
                says: submissions.describe(now, deadline),
            },
            campaign: doc.campaign,
            phases: doc.phases,
            sectors: doc.sectors,
            catalogue: doc.catalogue,
            requirements: doc.requirements,
            questionnaire: doc.questionnaire,
            facts: doc.facts,
            respondents: doc
                .respondents
                .into_iter()
                .filter(|r| r.invited)
                .map(|r| RespondentName {
                    code: r.code,
                    name: r.name,
                })
                .collect(),
        }
    }
}

pub(crate) async fn get_assessment(
    State(s): Shared,
    caller: Caller,
    Path(campaign): Path<String>,
) -> AppResult<Response> {
    Ok(Json(s.app.assessment(&caller.0, &campaign).await?.1).into_response())
}

/// The query of the options: an optional saved what-if.
#[derive(Debug, Default, serde::Deserialize)]
pub(crate) struct OptionsQuery {
    /// A saved what-if's id.
    #[serde(default)]
    what_if: Option<String>,
}

pub(crate) async fn get_options(
    State(s): Shared,
    caller: Caller,
    Path(campaign): Path<String>,
    Query(q): Query<OptionsQuery>,
) -> AppResult<Response> {
    let (_, report) = match q.what_if.filter(|w| !w.trim().is_empty()) {
        None => s.app.options(&caller.0, &campaign).await?,
        Some(w) => s.app.options_under(&caller.0, &campaign, &w).await?,
    };
    Ok(Json(&*report).into_response())
}

pub(crate) async fn get_plan(
    State(s): Shared,
    caller: Caller,
    Path(campaign): Path<String>,
) -> AppResult<Response> {
    Ok(Json(s.app.plan(&caller.0, &campaign).await?).into_response())
}

pub(crate) async fn adopt_plan(
    State(s): Shared,
    caller: Caller,
    Path(campaign): Path<String>,
    body: Bytes,
) -> AppResult<Response> {
    // Authorised before the body is read.
    guarantor_app::policy::authorise(&caller.0, Action::AdoptPlan)?;
    let request: guarantor_app::AdoptRequest = error::parse_optional_body(&body)?;
    let (plan, version) = s.app.adopt_plan(&caller.0, &campaign, request).await?;
    Ok((
        StatusCode::CREATED,
        Json(serde_json::json!({"plan": plan, "version": version})),
    )
        .into_response())
}

pub(crate) async fn get_asks(
    State(s): Shared,
    caller: Caller,
    Path(campaign): Path<String>,
) -> AppResult<Response> {
    Ok(Json(s.app.asks(&caller.0, &campaign).await?).into_response())
}

pub(crate) async fn send_ask(
    State(s): Shared,
    caller: Caller,
    Path(campaign): Path<String>,
    body: Bytes,
) -> AppResult<Response> {
    // Authorised before the body is read.
    guarantor_app::policy::authorise(&caller.0, Action::Coordinate)?;
    let request: guarantor_app::AskRequest = error::parse_body(&body)?;
    let (id, version) = s.app.send_ask(&caller.0, &campaign, request).await?;
    Ok((
        StatusCode::CREATED,
        Json(serde_json::json!({"ask": id, "version": version})),
    )
        .into_response())
}

pub(crate) async fn withdraw_ask(
    State(s): Shared,
    caller: Caller,
    Path((campaign, ask)): Path<(String, String)>,
    body: Bytes,
) -> AppResult<Response> {
    // Authorised before the body is read.
    guarantor_app::policy::authorise(&caller.0, Action::Coordinate)?;
    let req: crate::api::proposals::DeclineRequest = error::parse_body(&body)?;
    let version = s
        .app
        .withdraw_ask(&caller.0, &campaign, &ask, &req.reason)
        .await?;
    Ok(Json(serde_json::json!({"ask": ask, "version": version})).into_response())
}

pub(crate) async fn put_what_if(
    State(s): Shared,
    caller: Caller,
    Path((campaign, what_if)): Path<(String, String)>,
    body: Bytes,
) -> AppResult<Response> {
    // Authorised before the body is read.
    guarantor_app::policy::authorise(&caller.0, Action::ExploreWhatIfs)?;
    let mut doc: guarantor_domain::document::WhatIfDoc = error::parse_body(&body)?;
    if doc.id.is_empty() {
        doc.id.clone_from(&what_if);
    }
    if doc.id != what_if {
        return Err(AppError::invalid_field(
            "id",
            &format!(
                "the body's id \"{}\" differs from the path's \"{what_if}\"",
                doc.id
            ),
        )
        .into());
    }
    let version = s.app.save_what_if(&caller.0, &campaign, doc).await?;
    Ok(Json(serde_json::json!({"what_if": what_if, "version": version})).into_response())
}

pub(crate) async fn delete_what_if(
    State(s): Shared,
    caller: Caller,
    Path((campaign, what_if)): Path<(String, String)>,
) -> AppResult<Response> {
    s.app.delete_what_if(&caller.0, &campaign, &what_if).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// The query of an engagement plan.
#[derive(Debug, Default, serde::Deserialize)]
pub(crate) struct EngagementQuery {
    /// Scenario id.
    #[serde(default)]
    scenario: Option<String>,
    /// Posture id.
    #[serde(default)]
    posture: Option<String>,
    /// A saved what-if's id.
    #[serde(default)]
    what_if: Option<String>,
}

impl EngagementQuery {
    /// The choice, with empty values meaning the default.
    pub(crate) fn choice(self) -> EngagementChoice {
        let given = |v: Option<String>| v.filter(|s| !s.trim().is_empty());
        EngagementChoice {
            scenario: given(self.scenario),
            posture: given(self.posture),
            what_if: given(self.what_if),
        }
    }
}

pub(crate) async fn get_engagement(
    State(s): Shared,
    caller: Caller,
    Path(campaign): Path<String>,
    Query(q): Query<EngagementQuery>,
) -> AppResult<Response> {
    let (_, plan) = s.app.engagement(&caller.0, &campaign, &q.choice()).await?;
    Ok(Json(&*plan).into_response())
}

pub(crate) async fn get_brief(
    State(s): Shared,
    caller: Caller,
    Path(campaign): Path<String>,
) -> AppResult<Response> {
    let html = s.app.brief(&caller.0, &campaign).await?.1.to_html();
    Ok(([(header::CONTENT_TYPE, "text/html; charset=utf-8")], html).into_response())
}

pub(crate) async fn reopen(
    State(s): Shared,
    caller: Caller,
    Path(campaign): Path<String>,
) -> AppResult<Response> {
    s.app
        .set_submissions(&caller.0, &campaign, Submissions::Reopened)
        .await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

pub(crate) async fn close(
    State(s): Shared,
    caller: Caller,
    Path(campaign): Path<String>,
) -> AppResult<Response> {
    s.app
        .set_submissions(&caller.0, &campaign, Submissions::Closed)
        .await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}
