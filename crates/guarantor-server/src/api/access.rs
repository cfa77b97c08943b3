//! Signing in and out, API tokens, accounts, passwords and the audit log's check.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use guarantor_app::{Action, Role};
use serde::Deserialize;

use super::{ACCOUNTS, AppResult, Caller, Route, Shared, bearer, endpoint};
use crate::{ApiError, error};

/// The routes of sign-in, access management and the audit log.
pub(crate) const ROUTES: &[Route] = &[
    Route {
        body: Some("LoginRequest"),
        public: true,
        ..endpoint!(POST "/api/login" => login, "anyone with an account", "Sign in with a name and password: returns a session token (8 hours).")
    },
    Route {
        success: 204,
        ..endpoint!(POST "/api/logout" => logout, "a signed-in account", "End the session of the token sent.")
    },
    endpoint!(GET "/api/audit/verify" => verify_audit, "coordinator", "Walk the audit log's hash chain, check seals and compare the stored data with it."),
    endpoint!(GET "/api/tokens" => list_tokens, "coordinator", "List the API tokens: id, name, role, created, expires, revoked (never the secret)."),
    Route {
        body: Some("TokenRequest"),
        success: 201,
        ..endpoint!(POST "/api/tokens" => create_token, "coordinator", "Create an API token; the answer holds it once.")
    },
    Route {
        success: 204,
        ..endpoint!(DELETE "/api/tokens/{id}" => revoke_token, "coordinator", "Revoke an API token by its listed id.")
    },
    Route {
        success: 204,
        ..endpoint!(POST "/api/accounts/{name}/disable" => disable_account, "coordinator", "Disable an account: it cannot sign in and its sessions end.")
    },
    Route {
        success: 204,
        ..endpoint!(POST "/api/accounts/{name}/enable" => enable_account, "coordinator", "Enable a disabled account again.")
    },
    Route {
        body: Some("PasswordRequest"),
        success: 204,
        ..endpoint!(PUT "/api/account/password" => change_password, ACCOUNTS, "Change the signed-in account's password (the current one required); every session of the account ends.")
    },
];

/// Sign in.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    /// The account's name.
    pub name: String,
    /// Its password.
    pub password: String,
}

pub(crate) async fn login(State(s): Shared, body: Bytes) -> AppResult<Response> {
    let req: LoginRequest = error::parse_body(&body)?;
    s.admit_login()?;
    let session = s.app.login(&req.name, &req.password).await?;
    Ok(Json(serde_json::json!({
        "token": session.token,
        "expires_at": session.expires_at.to_rfc3339(),
        "name": session.name,
        "role": session.role,
    }))
    .into_response())
}

pub(crate) async fn logout(State(s): Shared, headers: HeaderMap) -> AppResult<Response> {
    let token = bearer(&headers).ok_or_else(ApiError::unauthenticated)?;
    // Only a session ends here; any other token is not one.
    if s.app.logout(token).await? {
        Ok(StatusCode::NO_CONTENT.into_response())
    } else {
        Err(ApiError::not_found())
    }
}

pub(crate) async fn verify_audit(State(s): Shared, caller: Caller) -> AppResult<Response> {
    Ok(Json(s.app.verify_audit(&caller.0).await?).into_response())
}

/// Create an API token.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TokenRequest {
    /// Who or what will use it, e.g. a person's name or "reporting-script".
    pub name: String,
    /// `coordinator` or `decision_maker`.
    pub role: String,
    /// Days until it stops working, 1 to 3650 (default 90).
    #[serde(default = "default_token_days")]
    pub expires_in_days: i64,
}

pub(crate) fn default_token_days() -> i64 {
    guarantor_app::TOKEN_DAYS
}

/// Change the signed-in account's password.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordRequest {
    /// The password now.
    pub current_password: String,
    /// The new one, at least 12 characters.
    pub new_password: String,
}

pub(crate) async fn list_tokens(State(s): Shared, caller: Caller) -> AppResult<Response> {
    Ok(Json(s.app.api_tokens(&caller.0).await?).into_response())
}

pub(crate) async fn create_token(
    State(s): Shared,
    caller: Caller,
    body: Bytes,
) -> AppResult<Response> {
    guarantor_app::policy::authorise(&caller.0, Action::ManageAccess)?;
    let req: TokenRequest = error::parse_body(&body)?;
    let role = Role::parse(&req.role).ok_or_else(|| {
        ApiError::invalid_field(
            "role",
            &format!("must be coordinator or decision_maker (got {:?})", req.role),
        )
    })?;
    let issued = s
        .app
        .create_api_token(&caller.0, &req.name, role, req.expires_in_days)
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(serde_json::json!({
            "token": issued.token,
            "name": req.name,
            "role": role.as_str(),
            "expires_at": issued.expires_at.to_rfc3339(),
        })),
    )
        .into_response())
}

pub(crate) async fn revoke_token(
    State(s): Shared,
    caller: Caller,
    Path(id): Path<String>,
) -> AppResult<Response> {
    s.app.revoke_api_token(&caller.0, &id).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

pub(crate) async fn disable_account(
    State(s): Shared,
    caller: Caller,
    Path(name): Path<String>,
) -> AppResult<Response> {
    s.app.set_account_disabled(&caller.0, &name, true).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

pub(crate) async fn enable_account(
    State(s): Shared,
    caller: Caller,
    Path(name): Path<String>,
) -> AppResult<Response> {
    s.app.set_account_disabled(&caller.0, &name, false).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

pub(crate) async fn change_password(
    State(s): Shared,
    caller: Caller,
    body: Bytes,
) -> AppResult<Response> {
    guarantor_app::policy::authorise(&caller.0, Action::ChangeOwnPassword)?;
    let req: PasswordRequest = error::parse_body(&body)?;
    s.app
        .change_password(&caller.0, &req.current_password, &req.new_password)
        .await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}
