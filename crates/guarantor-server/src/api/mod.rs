//! The JSON API under `/api`: each module declares its routes once (method, path, who may call
//! it, what it does, its handler), and the router, the OpenAPI document, the isolation tests and
//! the check of docs/api.md all read those lists ([`routes`]). Handlers parse the request into
//! checked types, call one `guarantor_app::App` operation on behalf of the [`Caller`], and
//! answer; errors become JSON through [`ApiError`] in one place.

pub(crate) mod access;
pub(crate) mod campaigns;
pub(crate) mod invitations;
pub(crate) mod proposals;

use std::sync::Arc;

use axum::extract::{FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, header};
use axum::routing::MethodRouter;
use guarantor_app::Principal;

use crate::{ApiError, AppState};

pub(crate) type AppResult<T> = Result<T, ApiError>;
pub(crate) type Shared = State<Arc<AppState>>;

/// One route of the API: what `/api/openapi.json` documents, and the handler that serves it.
#[derive(Debug, Clone, Copy)]
pub struct Route {
    /// HTTP method.
    pub method: &'static str,
    /// Path, with `{campaign}` and `{respondent}` parameters.
    pub path: &'static str,
    /// Who may call it.
    pub who: &'static str,
    /// What it does.
    pub summary: &'static str,
    /// The request body's schema (a component of the OpenAPI document), if it takes one.
    pub body: Option<&'static str>,
    /// The status of success.
    pub success: u16,
    /// Whether it needs `If-Match`.
    pub if_match: bool,
    /// Whether it needs no token (sign-in).
    pub public: bool,
    /// The handler, on the route's method.
    pub handler: fn() -> MethodRouter<Arc<AppState>>,
}

impl Route {
    /// A route answering 200, with no body, needing a token; see [`endpoint!`].
    pub(crate) const fn new(
        method: &'static str,
        path: &'static str,
        who: &'static str,
        summary: &'static str,
        handler: fn() -> MethodRouter<Arc<AppState>>,
    ) -> Self {
        Self {
            method,
            path,
            who,
            summary,
            body: None,
            success: 200,
            if_match: false,
            public: false,
            handler,
        }
    }
}

/// `endpoint!(GET "/api/…" => handler, who, summary)`: a [`Route`] whose method is written
/// once, for the documentation and the router alike.
macro_rules! endpoint {
    ($method:ident $path:literal => $handler:path, $who:expr, $summary:expr $(,)?) => {
        $crate::api::Route::new(stringify!($method), $path, $who, $summary, || {
            axum::routing::on(axum::routing::MethodFilter::$method, $handler)
        })
    };
}
pub(crate) use endpoint;

/// Who may call: coordinators and decision makers.
pub(crate) const ACCOUNTS: &str = "coordinator, decision maker";
/// Who may call: the accounts and the capital itself.
pub(crate) const OWN: &str = "coordinator, decision maker, the capital itself (invitation)";
/// Who may call: those who may change a proposal.
pub(crate) const EDIT: &str = "coordinator, the capital itself (invitation)";

/// Every API route, module by module.
pub fn routes() -> impl Iterator<Item = &'static Route> {
    access::ROUTES
        .iter()
        .chain(campaigns::ROUTES)
        .chain(invitations::ROUTES)
        .chain(proposals::ROUTES)
}

/// The authenticated caller.
pub(crate) struct Caller(Principal);

impl FromRequestParts<Arc<AppState>> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &Arc<AppState>,
    ) -> Result<Self, Self::Rejection> {
        let token = bearer(&parts.headers).ok_or_else(ApiError::unauthenticated)?;
        state.admit(token)?;
        match state.app.authenticate(token).await? {
            Some(p) => {
                state.addresses.remember_good(token);
                Ok(Caller(p))
            }
            None => Err(ApiError::unauthenticated()),
        }
    }
}

/// The token of `Authorization: Bearer TOKEN`, if one is sent.
pub(crate) fn bearer(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
        .filter(|t| !t.is_empty())
}

/// The version named by `If-Match: "vN"`; required for every change.
pub(crate) fn if_match(headers: &HeaderMap) -> AppResult<i64> {
    let raw = headers
        .get(header::IF_MATCH)
        .ok_or_else(ApiError::precondition_required)?
        .to_str()
        .unwrap_or_default();
    raw.trim()
        .trim_start_matches("W/")
        .trim_matches('"')
        .strip_prefix('v')
        .and_then(|n| n.parse().ok())
        .ok_or_else(|| {
            ApiError::invalid_field(
                "If-Match",
                &format!("must be the ETag of the proposal you read, e.g. \"v3\" (got {raw:?})"),
            )
        })
}
