//! Invitations: the capitals' links to their proposals.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use guarantor_app::Action;
use serde::Deserialize;

use super::{ACCOUNTS, AppResult, Caller, Route, Shared, endpoint};
use crate::error;

/// The invitation routes.
pub(crate) const ROUTES: &[Route] = &[
    endpoint!(GET "/api/campaigns/{campaign}/invitations" => list_invitations, ACCOUNTS, "Every invitation of the campaign: capital, made, expires, revoked (never the token)."),
    Route {
        body: Some("InvitationRequest"),
        success: 201,
        ..endpoint!(POST "/api/campaigns/{campaign}/invitations" => invite, "coordinator", "Invite a capital: returns its token, shown once.")
    },
    Route {
        success: 204,
        ..endpoint!(DELETE "/api/campaigns/{campaign}/invitations/{respondent}" => revoke_invitation, "coordinator", "Revoke a capital's invitation.")
    },
];

pub(crate) async fn list_invitations(
    State(s): Shared,
    caller: Caller,
    Path(campaign): Path<String>,
) -> AppResult<Response> {
    Ok(Json(s.app.invitations(&caller.0, &campaign).await?).into_response())
}

/// Invite a capital.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct InvitationRequest {
    /// The capital's ISO 3166-1 alpha-3 code; it must be invited to the campaign.
    pub respondent: String,
    /// Days until the token expires, 1 to 365.
    #[serde(default = "default_days")]
    pub expires_in_days: u32,
}

pub(crate) fn default_days() -> u32 {
    30
}

pub(crate) async fn invite(
    State(s): Shared,
    caller: Caller,
    Path(campaign): Path<String>,
    body: Bytes,
) -> AppResult<Response> {
    guarantor_app::policy::authorise(&caller.0, Action::Coordinate)?;
    let req: InvitationRequest = error::parse_body(&body)?;
    let issued = s
        .app
        .invite(&caller.0, &campaign, &req.respondent, req.expires_in_days)
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(serde_json::json!({
            "campaign": campaign,
            "respondent": req.respondent,
            "token": issued.token,
            "expires_at": issued.expires_at.to_rfc3339(),
        })),
    )
        .into_response())
}

pub(crate) async fn revoke_invitation(
    State(s): Shared,
    caller: Caller,
    Path((campaign, respondent)): Path<(String, String)>,
) -> AppResult<Response> {
    s.app
        .revoke_invitation(&caller.0, &campaign, &respondent)
        .await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}
