//! Credentials from the pages: the coordinator's access page (API tokens created, listed and
//! revoked; accounts disabled and enabled) and every account's own page (its password). The
//! store does the work and the auditing; these handlers only check who asks and the form token.

use std::sync::Arc;

use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use guarantor_app::{AccountListing, Action, ApiTokenListing, ErrorKind, Principal, Role};

use super::session::Viewer;
use super::{ACCOUNTS, Chrome, FormData, PageError, PageRoute, html, page, see_other};
use crate::AppState;

/// Access management and one's own account.
pub(crate) const ROUTES: &[PageRoute] = &[
    page!(GET "/access" => page, "coordinator"),
    page!(POST "/access/tokens" => create_token, "coordinator"),
    page!(POST "/access/tokens/{id}/revoke" => revoke_token, "coordinator"),
    page!(POST "/access/accounts/{name}/{action}" => account_state, "coordinator"),
    page!(GET "/account" => account, ACCOUNTS),
    page!(POST "/account/password" => change_password, ACCOUNTS),
];

type Shared = State<Arc<AppState>>;

#[derive(Template)]
#[template(path = "access.html")]
struct AccessPage {
    page: Chrome,
    tokens: Vec<ApiTokenListing>,
    accounts: Vec<AccountListing>,
    /// A token just created: shown once, on this page only.
    new_token: Option<String>,
    /// What was wrong with the last form, if anything.
    problem: Option<String>,
}

/// `?done=…` after a change.
#[derive(Debug, serde::Deserialize, Default)]
pub(crate) struct Done {
    #[serde(default)]
    done: String,
}

fn flash(done: &str) -> Option<String> {
    match done {
        "revoked" => Some("The token was revoked: it stops working now.".into()),
        "disabled" => Some("The account was disabled: its sessions have ended.".into()),
        "enabled" => Some("The account was enabled again.".into()),
        _ => None,
    }
}

async fn access_page(
    s: &AppState,
    viewer: &Viewer,
    flash_text: Option<String>,
    new_token: Option<String>,
    problem: Option<String>,
) -> Result<Response, PageError> {
    let page = AccessPage {
        page: Chrome::new(Some(viewer), "Access").flash(flash_text),
        tokens: s.app.api_tokens(&viewer.principal).await?,
        accounts: s.app.accounts(&viewer.principal).await?,
        new_token,
        problem,
    };
    Ok(html(&page))
}

/// GET: tokens and accounts.
pub(crate) async fn page(
    State(s): Shared,
    viewer: Viewer,
    Query(q): Query<Done>,
) -> Result<Response, PageError> {
    viewer.may(Action::ManageAccess)?;
    access_page(&s, &viewer, flash(&q.done), None, None).await
}

/// POST: a new API token, shown once on the page that answers (never in a URL).
pub(crate) async fn create_token(
    State(s): Shared,
    viewer: Viewer,
    body: Bytes,
) -> Result<Response, PageError> {
    // Who asks before what they sent: a capital gets 404 whatever its body.
    viewer.may(Action::ManageAccess)?;
    let form = FormData::parse(&body)?;
    viewer.check_csrf(&form)?;
    let role = match form.get("role") {
        "decision_maker" => Role::DecisionMaker,
        "coordinator" => Role::Coordinator,
        other => {
            let problem = format!("Role: choose coordinator or decision maker (got {other:?}).");
            return access_page(&s, &viewer, None, None, Some(problem)).await;
        }
    };
    let Ok(days) = form.get("expires_in_days").trim().parse::<i64>() else {
        let problem = "Valid for: a whole number of days, 1 to 3650.".to_owned();
        return access_page(&s, &viewer, None, None, Some(problem)).await;
    };
    match s
        .app
        .create_api_token(&viewer.principal, form.get("name").trim(), role, days)
        .await
    {
        Ok(issued) => access_page(&s, &viewer, None, Some(issued.token), None).await,
        Err(e) if e.kind == ErrorKind::Invalid => {
            access_page(&s, &viewer, None, None, Some(e.problems.join("; "))).await
        }
        Err(e) => Err(e.into()),
    }
}

/// POST: revoke a token.
pub(crate) async fn revoke_token(
    State(s): Shared,
    viewer: Viewer,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, PageError> {
    viewer.may(Action::ManageAccess)?;
    viewer.check_csrf(&FormData::parse(&body)?)?;
    s.app.revoke_api_token(&viewer.principal, &id).await?;
    Ok(see_other("/access?done=revoked"))
}

/// POST: disable or enable an account (`action` is the last path segment).
pub(crate) async fn account_state(
    State(s): Shared,
    viewer: Viewer,
    Path((name, action)): Path<(String, String)>,
    body: Bytes,
) -> Result<Response, PageError> {
    viewer.may(Action::ManageAccess)?;
    viewer.check_csrf(&FormData::parse(&body)?)?;
    let disable = match action.as_str() {
        "disable" => true,
        "enable" => false,
        _ => return Err(PageError::not_found()),
    };
    s.app
        .set_account_disabled(&viewer.principal, &name, disable)
        .await?;
    Ok(see_other(if disable {
        "/access?done=disabled"
    } else {
        "/access?done=enabled"
    }))
}

#[derive(Template)]
#[template(path = "account.html")]
struct AccountPage {
    page: Chrome,
    name: String,
    problem: Option<String>,
}

fn account_name(viewer: &Viewer) -> Result<String, PageError> {
    match &viewer.principal {
        Principal::Account { name, .. } => Ok(name.clone()),
        Principal::Respondent { .. } => Err(PageError::not_found()),
    }
}

/// GET: the signed-in account's own page.
pub(crate) async fn account(viewer: Viewer) -> Result<Response, PageError> {
    let name = account_name(&viewer)?;
    Ok(html(&AccountPage {
        page: Chrome::new(Some(&viewer), "Your account"),
        name,
        problem: None,
    }))
}

/// POST: change the password; every session ends, this one too, so sign in again.
pub(crate) async fn change_password(
    State(s): Shared,
    viewer: Viewer,
    body: Bytes,
) -> Result<Response, PageError> {
    let name = account_name(&viewer)?;
    let form = FormData::parse(&body)?;
    viewer.check_csrf(&form)?;
    let problem = if form.get("new_password") != form.get("repeat_password") {
        Some("The new password and its repetition differ.".to_owned())
    } else {
        match s
            .app
            .change_password(
                &viewer.principal,
                form.get("current_password"),
                form.get("new_password"),
            )
            .await
        {
            Ok(()) => return Ok(see_other("/login?done=password")),
            Err(e) if e.kind == ErrorKind::BadCredentials => {
                Some("The current password is not right.".to_owned())
            }
            Err(e) if e.kind == ErrorKind::Invalid => Some(e.problems.join("; ")),
            Err(e) => return Err(e.into()),
        }
    };
    Ok(html(&AccountPage {
        page: Chrome::new(Some(&viewer), "Your account"),
        name,
        problem,
    }))
}
