//! A capital's proposal: read, save a draft, submit, withdraw, each change against the version
//! read (`If-Match`).

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use guarantor_app::{Action, DraftContent, ProposalState};
use serde::Deserialize;

use super::{AppResult, Caller, EDIT, OWN, Route, Shared, endpoint, if_match};
use crate::error;

/// The proposal routes.
pub(crate) const ROUTES: &[Route] = &[
    endpoint!(GET "/api/campaigns/{campaign}/proposals/{respondent}" => get_proposal, OWN, "A capital's proposal, with its version as ETag."),
    Route {
        body: Some("DraftContent"),
        if_match: true,
        ..endpoint!(PUT "/api/campaigns/{campaign}/proposals/{respondent}/draft" => save_draft, EDIT, "Save the draft (offer lines and answers).")
    },
    Route {
        body: Some("SubmitRequest"),
        if_match: true,
        ..endpoint!(POST "/api/campaigns/{campaign}/proposals/{respondent}/submit" => submit, EDIT, "Submit the draft as the next revision.")
    },
    Route {
        body: Some("WithdrawRequest"),
        if_match: true,
        ..endpoint!(POST "/api/campaigns/{campaign}/proposals/{respondent}/withdraw" => withdraw, EDIT, "Withdraw a submitted proposal.")
    },
    endpoint!(GET "/api/campaigns/{campaign}/proposals/{respondent}/asks" => get_asks, OWN, "The follow-up asks sent to this capital, each with where it stands (open, partly answered, answered, declined, expired, withdrawn) and the units of the current proposal that answer it."),
    endpoint!(GET "/api/campaigns/{campaign}/proposals/{respondent}/pledges" => get_pledges, OWN, "This capital's pledges in the plan that stands, each with its state, readiness and history."),
    Route {
        body: Some("PledgeEvent"),
        ..endpoint!(POST "/api/campaigns/{campaign}/proposals/{respondent}/pledges/{pledge}" => record_pledge, EDIT, "Record a step of a pledge. The capital (or the coordinator on its word): {\"confirmed\": {\"readiness_level\", \"ready_from\"}}, {\"declined\": {\"reason\"}}, {\"withdrawn\": {\"reason\"}}; the coordinator only: {\"verified\": {\"how\", \"notes\"}}, {\"delivered\": {\"units\", \"on\"}}, {\"released\": {\"reason\"}}. A step the lifecycle refuses is 409 and changes nothing.")
    },
    Route {
        body: Some("DeclineRequest"),
        ..endpoint!(POST "/api/campaigns/{campaign}/proposals/{respondent}/asks/{ask}/decline" => decline_ask, EDIT, "Decline a follow-up ask, saying why (once; an ask already declined is 409).")
    },
];

pub(crate) fn with_etag(state: ProposalState) -> Response {
    let etag = format!("\"v{}\"", state.version);
    let mut response = Json(state).into_response();
    if let Ok(v) = HeaderValue::from_str(&etag) {
        response.headers_mut().insert(header::ETAG, v);
    }
    response
}

/// Authorises a change of a proposal before its body is read, and returns the version the
/// caller read (`If-Match`), which every change needs.
pub(crate) fn may_change(
    caller: &Caller,
    campaign: &str,
    respondent: &str,
    headers: &HeaderMap,
) -> AppResult<i64> {
    guarantor_app::policy::authorise(&caller.0, Action::change(campaign, respondent))?;
    if_match(headers)
}

pub(crate) async fn get_proposal(
    State(s): Shared,
    caller: Caller,
    Path((campaign, respondent)): Path<(String, String)>,
) -> AppResult<Response> {
    Ok(with_etag(
        s.app.proposal(&caller.0, &campaign, &respondent).await?,
    ))
}

pub(crate) async fn save_draft(
    State(s): Shared,
    caller: Caller,
    Path((campaign, respondent)): Path<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> AppResult<Response> {
    let expected = may_change(&caller, &campaign, &respondent, &headers)?;
    let content: DraftContent = error::parse_body(&body)?;
    let state = s
        .app
        .save_draft(&caller.0, &campaign, &respondent, expected, content)
        .await?;
    Ok(with_etag(state))
}

/// Submit the draft (the body may be empty).
#[derive(Debug, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SubmitRequest {
    /// What changed in this revision, in the capital's words.
    #[serde(default)]
    pub note: String,
}

/// Withdraw the proposal (the body may be empty).
#[derive(Debug, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct WithdrawRequest {
    /// Why, if the capital says.
    #[serde(default)]
    pub reason: String,
}

/// Why a follow-up ask is declined (by its capital) or withdrawn (by the coordinator).
#[derive(Debug, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DeclineRequest {
    /// Why: the other side reads it.
    pub reason: String,
}

pub(crate) async fn get_pledges(
    State(s): Shared,
    caller: Caller,
    Path((campaign, respondent)): Path<(String, String)>,
) -> AppResult<Response> {
    Ok(Json(s.app.pledges_of(&caller.0, &campaign, &respondent).await?).into_response())
}

pub(crate) async fn record_pledge(
    State(s): Shared,
    caller: Caller,
    Path((campaign, respondent, pledge)): Path<(String, String, String)>,
    body: Bytes,
) -> AppResult<Response> {
    // Who may act on this capital's pledges at all, before the body is read; the step decides
    // the rest.
    guarantor_app::policy::authorise(&caller.0, Action::read(&campaign, &respondent))?;
    let event: guarantor_domain::document::PledgeEventKindDoc = error::parse_body(&body)?;
    let version = s
        .app
        .record_pledge(&caller.0, &campaign, &respondent, &pledge, event)
        .await?;
    Ok(Json(serde_json::json!({"pledge": pledge, "version": version})).into_response())
}

pub(crate) async fn get_asks(
    State(s): Shared,
    caller: Caller,
    Path((campaign, respondent)): Path<(String, String)>,
) -> AppResult<Response> {
    Ok(Json(s.app.asks_of(&caller.0, &campaign, &respondent).await?).into_response())
}

pub(crate) async fn decline_ask(
    State(s): Shared,
    caller: Caller,
    Path((campaign, respondent, ask)): Path<(String, String, String)>,
    body: Bytes,
) -> AppResult<Response> {
    // Authorised before the body is read.
    guarantor_app::policy::authorise(&caller.0, Action::change(&campaign, &respondent))?;
    let req: DeclineRequest = error::parse_body(&body)?;
    let version = s
        .app
        .decline_ask(&caller.0, &campaign, &respondent, &ask, &req.reason)
        .await?;
    Ok(Json(serde_json::json!({"ask": ask, "version": version})).into_response())
}

pub(crate) async fn submit(
    State(s): Shared,
    caller: Caller,
    Path((campaign, respondent)): Path<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> AppResult<Response> {
    let expected = may_change(&caller, &campaign, &respondent, &headers)?;
    let req: SubmitRequest = error::parse_optional_body(&body)?;
    let state = s
        .app
        .submit(&caller.0, &campaign, &respondent, expected, &req.note)
        .await?;
    Ok(with_etag(state))
}

pub(crate) async fn withdraw(
    State(s): Shared,
    caller: Caller,
    Path((campaign, respondent)): Path<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> AppResult<Response> {
    let expected = may_change(&caller, &campaign, &respondent, &headers)?;
    let req: WithdrawRequest = error::parse_optional_body(&body)?;
    let state = s
        .app
        .withdraw(&caller.0, &campaign, &respondent, expected, &req.reason)
        .await?;
    Ok(with_etag(state))
}
