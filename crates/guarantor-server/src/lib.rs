//! Guarantor's server: the JSON API under `/api` and the web app's pages (module `web`).
//!
//! [`app`] builds the axum router on a [`Store`]; `guarantor serve` binds it. Every request
//! but the health check carries `Authorization: Bearer TOKEN`: a coordinator or decision-maker
//! API token, or a capital's invitation token. A capital sees and edits only its own proposal in
//! the campaign it was invited to: every other campaign, capital or resource is 404 to it, as if
//! it did not exist. Proposal changes carry `If-Match` with the version read (`ETag`), so two
//! editors never overwrite each other (412 with the current version and the last change).
//!
//! Errors are JSON: `{"error": {"code", "message", "problems"?}}`, where `problems` lists every
//! validation problem with its path in the campaign file.

mod error;
pub mod openapi;
mod throttle;
pub mod web;

use std::sync::Arc;
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, FromRequestParts, Path, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post, put};
use axum::{Json, Router};
use guarantor_app::{Action, App, AppError, DraftContent, Principal, ProposalState, Role, Store};
use guarantor_domain::{FileFormat, parse_campaign};
use serde::Deserialize;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::timeout::TimeoutLayer;

pub use error::ApiError;

/// Largest request body accepted: a whole campaign file with many proposals fits.
pub const BODY_LIMIT: usize = 4 * 1024 * 1024;

/// One route of the API, as documented in `/api/openapi.json`.
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
}

const ACCOUNTS: &str = "coordinator, decision maker";
const OWN: &str = "coordinator, decision maker, the capital itself (invitation)";
const EDIT: &str = "coordinator, the capital itself (invitation)";

const fn route(
    method: &'static str,
    path: &'static str,
    who: &'static str,
    summary: &'static str,
) -> Route {
    Route {
        method,
        path,
        who,
        summary,
        body: None,
        success: 200,
        if_match: false,
        public: false,
    }
}

/// Every API route. The router in [`app`], the OpenAPI document and the isolation tests all
/// follow this list; a test checks that each documented route is served.
pub const API_ROUTES: &[Route] = &[
    Route {
        body: Some("LoginRequest"),
        public: true,
        ..route(
            "POST",
            "/api/login",
            "anyone with an account",
            "Sign in with a name and password: returns a session token (8 hours).",
        )
    },
    Route {
        success: 204,
        ..route(
            "POST",
            "/api/logout",
            "a signed-in account",
            "End the session of the token sent.",
        )
    },
    route(
        "GET",
        "/api/campaigns",
        ACCOUNTS,
        "List the stored campaigns.",
    ),
    Route {
        body: Some("CampaignFile"),
        success: 201,
        ..route(
            "POST",
            "/api/campaigns",
            "coordinator",
            "Store a campaign file (validated first).",
        )
    },
    route(
        "GET",
        "/api/campaigns/{campaign}",
        ACCOUNTS,
        "The campaign file, with every proposal.",
    ),
    route(
        "GET",
        "/api/campaigns/{campaign}/questionnaire",
        "coordinator, decision maker, the campaign's capitals",
        "What a capital needs to answer, and nothing else: the campaign header, phases, sectors, catalogue, requirements, questionnaire, facts, and the invited capitals by code and name (docs/api.md, What a capital is sent).",
    ),
    route(
        "GET",
        "/api/campaigns/{campaign}/assessment",
        ACCOUNTS,
        "The assessment (as `guarantor assess --json`).",
    ),
    route(
        "GET",
        "/api/campaigns/{campaign}/options",
        ACCOUNTS,
        "Options under every scenario (as `guarantor options --all-scenarios --json`).",
    ),
    route(
        "GET",
        "/api/campaigns/{campaign}/brief",
        ACCOUNTS,
        "The decision brief as self-contained HTML.",
    ),
    Route {
        body: Some("CampaignFile"),
        if_match: true,
        ..route(
            "PUT",
            "/api/campaigns/{campaign}/setup",
            "coordinator",
            "Replace the campaign's setup (requirements, questionnaire, scenarios, deadline, …): a campaign file without proposals, validated with every stored proposal. If-Match: the campaign's ETag.",
        )
    },
    route(
        "GET",
        "/api/campaigns/{campaign}/brief.pdf",
        ACCOUNTS,
        "The decision brief as PDF (501 when the server was built without a typesetter).",
    ),
    route(
        "GET",
        "/api/campaigns/{campaign}/invitations",
        ACCOUNTS,
        "Every invitation of the campaign: capital, made, expires, revoked (never the token).",
    ),
    Route {
        success: 204,
        ..route(
            "POST",
            "/api/campaigns/{campaign}/reopen",
            "coordinator",
            "Accept submissions again after the deadline.",
        )
    },
    Route {
        body: Some("InvitationRequest"),
        success: 201,
        ..route(
            "POST",
            "/api/campaigns/{campaign}/invitations",
            "coordinator",
            "Invite a capital: returns its token, shown once.",
        )
    },
    Route {
        success: 204,
        ..route(
            "DELETE",
            "/api/campaigns/{campaign}/invitations/{respondent}",
            "coordinator",
            "Revoke a capital's invitation.",
        )
    },
    route(
        "GET",
        "/api/campaigns/{campaign}/proposals/{respondent}",
        OWN,
        "A capital's proposal, with its version as ETag.",
    ),
    Route {
        body: Some("DraftContent"),
        if_match: true,
        ..route(
            "PUT",
            "/api/campaigns/{campaign}/proposals/{respondent}/draft",
            EDIT,
            "Save the draft (offer lines and answers).",
        )
    },
    Route {
        body: Some("SubmitRequest"),
        if_match: true,
        ..route(
            "POST",
            "/api/campaigns/{campaign}/proposals/{respondent}/submit",
            EDIT,
            "Submit the draft as the next revision.",
        )
    },
    Route {
        body: Some("WithdrawRequest"),
        if_match: true,
        ..route(
            "POST",
            "/api/campaigns/{campaign}/proposals/{respondent}/withdraw",
            EDIT,
            "Withdraw a submitted proposal.",
        )
    },
    route(
        "GET",
        "/api/audit/verify",
        "coordinator",
        "Walk the audit log's hash chain, check seals and compare the stored data with it.",
    ),
    route(
        "GET",
        "/api/tokens",
        "coordinator",
        "List the API tokens: id, name, role, created, expires, revoked (never the secret).",
    ),
    Route {
        body: Some("TokenRequest"),
        success: 201,
        ..route(
            "POST",
            "/api/tokens",
            "coordinator",
            "Create an API token; the answer holds it once.",
        )
    },
    Route {
        success: 204,
        ..route(
            "DELETE",
            "/api/tokens/{id}",
            "coordinator",
            "Revoke an API token by its listed id.",
        )
    },
    Route {
        success: 204,
        ..route(
            "POST",
            "/api/accounts/{name}/disable",
            "coordinator",
            "Disable an account: it cannot sign in and its sessions end.",
        )
    },
    Route {
        success: 204,
        ..route(
            "POST",
            "/api/accounts/{name}/enable",
            "coordinator",
            "Enable a disabled account again.",
        )
    },
    Route {
        body: Some("PasswordRequest"),
        success: 204,
        ..route(
            "PUT",
            "/api/account/password",
            ACCOUNTS,
            "Change the signed-in account's password (the current one required); every session of the account ends.",
        )
    },
];

/// Typesets a brief as PDF: provided by the binary, so that the heavy typesetter is linked
/// only there and the server's tests stay light.
pub type PdfRenderer =
    Arc<dyn Fn(&guarantor_assess::Brief) -> Result<Vec<u8>, String> + Send + Sync>;

/// How the server is set up beyond its store.
#[derive(Clone)]
pub struct Config {
    /// Typesets briefs for `/campaigns/{id}/brief.pdf`; `None` answers 501.
    pub pdf: Option<PdfRenderer>,
    /// Marks the session cookie `Secure` (sent over HTTPS only). Off only for plain-HTTP use on
    /// this machine (`guarantor serve --insecure-cookies`, and the tests).
    pub secure_cookies: bool,
    /// Requests per second each token, session or invitation may make (with bursts of twice
    /// that); more are answered 429 with `Retry-After`.
    pub requests_per_second: u32,
    /// Requests per second each client address may make without a credential or with one that
    /// fails (bursts of twice that); beyond it the address is refused for a while, except for
    /// credentials that authenticated recently.
    pub anonymous_requests_per_second: u32,
    /// Reverse proxies whose `X-Forwarded-For` names the client; empty means the peer is the
    /// client.
    pub trusted_proxies: Vec<std::net::IpAddr>,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            pdf: None,
            secure_cookies: true,
            requests_per_second: 50,
            anonymous_requests_per_second: 20,
            trusted_proxies: Vec::new(),
        }
    }
}

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field("pdf", &self.pdf.is_some())
            .field("secure_cookies", &self.secure_cookies)
            .field("requests_per_second", &self.requests_per_second)
            .field(
                "anonymous_requests_per_second",
                &self.anonymous_requests_per_second,
            )
            .field("trusted_proxies", &self.trusted_proxies)
            .finish()
    }
}

/// Sign-in attempts per second across all names (bursts of twice that).
const LOGINS_PER_SECOND: std::num::NonZeroU32 = match std::num::NonZeroU32::new(10) {
    Some(n) => n,
    None => unreachable!(),
};

/// Requests per credential, keyed by a hash of it (the credential itself is not kept).
type Limiter = governor::DefaultKeyedRateLimiter<[u8; 16]>;

/// Shared state of the handlers.
#[derive(Debug)]
pub struct AppState {
    app: App,
    config: Config,
    limiter: Limiter,
    /// Limits per client address on requests that prove nothing.
    addresses: throttle::AddressLimits,
    /// Sign-in attempts across all names: each costs an argon2 hash, so a flood of made-up names
    /// (which the per-account lockout does not see) must not take the server's cores.
    logins: governor::DefaultDirectRateLimiter,
}

impl AppState {
    fn new(store: Store, config: Config) -> Self {
        let rate = std::num::NonZeroU32::new(config.requests_per_second.max(1))
            .unwrap_or(std::num::NonZeroU32::MIN);
        let burst = rate.saturating_mul(std::num::NonZeroU32::MIN.saturating_add(1));
        Self {
            app: App::new(store),
            limiter: governor::RateLimiter::keyed(
                governor::Quota::per_second(rate).allow_burst(burst),
            ),
            addresses: throttle::AddressLimits::new(
                config.anonymous_requests_per_second,
                config.trusted_proxies.clone(),
            ),
            logins: governor::RateLimiter::direct(
                governor::Quota::per_second(LOGINS_PER_SECOND).allow_burst(
                    LOGINS_PER_SECOND.saturating_mul(std::num::NonZeroU32::MIN.saturating_add(1)),
                ),
            ),
            config,
        }
    }

    /// Counts a sign-in attempt; refuses it when attempts across all names are over their rate.
    pub(crate) fn admit_login(&self) -> Result<(), ApiError> {
        self.logins.check().map_err(|not_until| {
            let wait = not_until.wait_time_from(governor::clock::Clock::now(
                &governor::clock::DefaultClock::default(),
            ));
            ApiError::too_many_requests(i64::try_from(wait.as_secs()).unwrap_or(1).max(1))
        })
    }

    /// Counts a request made with `credential`; refuses it when the credential is over its rate.
    /// Checked before the credential is looked up, so unknown tokens are limited too.
    pub(crate) fn admit(&self, credential: &str) -> Result<(), ApiError> {
        let key = throttle::digest(credential);
        self.limiter.check_key(&key).map_err(|not_until| {
            let wait = not_until.wait_time_from(governor::clock::Clock::now(
                &governor::clock::DefaultClock::default(),
            ));
            ApiError::too_many_requests(i64::try_from(wait.as_secs()).unwrap_or(1).max(1))
        })
    }
}

/// The router: the JSON API and the web pages on `store`, with default [`Config`].
pub fn app(store: Store) -> Router {
    app_with(store, Config::default())
}

/// The router: the JSON API and the web pages on `store`, with body limits and timeouts.
pub fn app_with(store: Store, config: Config) -> Router {
    router(Arc::new(AppState::new(store, config)))
}

fn router(state: Arc<AppState>) -> Router {
    // Secure cookies mean the deployment is HTTPS: browsers are then told to keep to it.
    let hsts = state.config.secure_cookies;
    Router::new()
        .route("/api/health", get(|| async { "ok" }))
        .route("/api/login", post(login))
        .route("/api/logout", post(logout))
        .route("/api/campaigns", get(list_campaigns).post(import_campaign))
        .route("/api/campaigns/{campaign}", get(get_campaign))
        .route(
            "/api/campaigns/{campaign}/questionnaire",
            get(get_questionnaire),
        )
        .route("/api/campaigns/{campaign}/assessment", get(get_assessment))
        .route("/api/campaigns/{campaign}/options", get(get_options))
        .route("/api/campaigns/{campaign}/brief", get(get_brief))
        .route("/api/campaigns/{campaign}/brief.pdf", get(get_brief_pdf))
        .route("/api/campaigns/{campaign}/setup", put(put_setup))
        .route("/api/campaigns/{campaign}/reopen", post(reopen))
        .route(
            "/api/campaigns/{campaign}/invitations",
            get(list_invitations).post(invite),
        )
        .route(
            "/api/campaigns/{campaign}/invitations/{respondent}",
            delete(revoke_invitation),
        )
        .route(
            "/api/campaigns/{campaign}/proposals/{respondent}",
            get(get_proposal),
        )
        .route(
            "/api/campaigns/{campaign}/proposals/{respondent}/draft",
            put(save_draft),
        )
        .route(
            "/api/campaigns/{campaign}/proposals/{respondent}/submit",
            post(submit),
        )
        .route(
            "/api/campaigns/{campaign}/proposals/{respondent}/withdraw",
            post(withdraw),
        )
        .route("/api/audit/verify", get(verify_audit))
        .route("/api/tokens", get(list_tokens).post(create_token))
        .route("/api/tokens/{id}", delete(revoke_token))
        .route("/api/accounts/{name}/disable", post(disable_account))
        .route("/api/accounts/{name}/enable", post(enable_account))
        .route("/api/account/password", put(change_password))
        .route(
            "/api/openapi.json",
            get(|| async { Json(openapi::document()) }),
        )
        .merge(web::routes())
        .fallback(|| async { ApiError::no_route() })
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .layer(RequestBodyLimitLayer::new(BODY_LIMIT))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            Duration::from_secs(60),
        ))
        .layer(axum::middleware::from_fn(error::api_errors_as_json))
        .layer(axum::middleware::from_fn_with_state(
            Arc::clone(&state),
            throttle::limit_by_address,
        ))
        .layer(axum::middleware::from_fn_with_state(
            hsts,
            web::security_headers,
        ))
        .with_state(state)
}

type AppResult<T> = Result<T, ApiError>;
type Shared = State<Arc<AppState>>;

/// The authenticated caller.
struct Caller(Principal);

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
fn bearer(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
        .filter(|t| !t.is_empty())
}

async fn list_campaigns(State(s): Shared, caller: Caller) -> AppResult<Response> {
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

async fn import_campaign(State(s): Shared, caller: Caller, body: Bytes) -> AppResult<Response> {
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

async fn get_campaign(
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

async fn put_setup(
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

async fn list_invitations(
    State(s): Shared,
    caller: Caller,
    Path(campaign): Path<String>,
) -> AppResult<Response> {
    Ok(Json(s.app.invitations(&caller.0, &campaign).await?).into_response())
}

async fn get_brief_pdf(
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

async fn get_questionnaire(
    State(s): Shared,
    caller: Caller,
    Path(campaign): Path<String>,
) -> AppResult<Response> {
    let doc = s.app.questionnaire(&caller.0, &campaign).await?;
    Ok(Json(QuestionnaireView::of(doc)).into_response())
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
    fn of(doc: guarantor_domain::CampaignDocument) -> Self {
        Self {
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

async fn get_assessment(
    State(s): Shared,
    caller: Caller,
    Path(campaign): Path<String>,
) -> AppResult<Response> {
    Ok(Json(s.app.assessment(&caller.0, &campaign).await?.1).into_response())
}

async fn get_options(
    State(s): Shared,
    caller: Caller,
    Path(campaign): Path<String>,
) -> AppResult<Response> {
    let (_, report) = s.app.options(&caller.0, &campaign).await?;
    Ok(Json(&*report).into_response())
}

async fn get_brief(
    State(s): Shared,
    caller: Caller,
    Path(campaign): Path<String>,
) -> AppResult<Response> {
    let html = s.app.brief(&caller.0, &campaign).await?.1.to_html();
    Ok(([(header::CONTENT_TYPE, "text/html; charset=utf-8")], html).into_response())
}

async fn reopen(
    State(s): Shared,
    caller: Caller,
    Path(campaign): Path<String>,
) -> AppResult<Response> {
    s.app.reopen(&caller.0, &campaign).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// Sign in.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    /// The account's name.
    pub name: String,
    /// Its password.
    pub password: String,
}

async fn login(State(s): Shared, body: Bytes) -> AppResult<Response> {
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

async fn logout(State(s): Shared, headers: HeaderMap) -> AppResult<Response> {
    let token = bearer(&headers).ok_or_else(ApiError::unauthenticated)?;
    // Only a session ends here; any other token is not one.
    if s.app.logout(token).await? {
        Ok(StatusCode::NO_CONTENT.into_response())
    } else {
        Err(ApiError::not_found())
    }
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

fn default_days() -> u32 {
    30
}

async fn invite(
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

async fn revoke_invitation(
    State(s): Shared,
    caller: Caller,
    Path((campaign, respondent)): Path<(String, String)>,
) -> AppResult<Response> {
    s.app
        .revoke_invitation(&caller.0, &campaign, &respondent)
        .await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

fn with_etag(state: ProposalState) -> Response {
    let etag = format!("\"v{}\"", state.version);
    let mut response = Json(state).into_response();
    if let Ok(v) = HeaderValue::from_str(&etag) {
        response.headers_mut().insert(header::ETAG, v);
    }
    response
}

/// The version named by `If-Match: "vN"`; required for every change.
fn if_match(headers: &HeaderMap) -> AppResult<i64> {
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

/// Authorises a change of a proposal before its body is read, and returns the version the
/// caller read (`If-Match`), which every change needs.
fn may_change(
    caller: &Caller,
    campaign: &str,
    respondent: &str,
    headers: &HeaderMap,
) -> AppResult<i64> {
    guarantor_app::policy::authorise(
        &caller.0,
        Action::ChangeProposal {
            campaign,
            respondent,
        },
    )?;
    if_match(headers)
}

async fn get_proposal(
    State(s): Shared,
    caller: Caller,
    Path((campaign, respondent)): Path<(String, String)>,
) -> AppResult<Response> {
    Ok(with_etag(
        s.app.proposal(&caller.0, &campaign, &respondent).await?,
    ))
}

async fn save_draft(
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

async fn submit(
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

async fn withdraw(
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

async fn verify_audit(State(s): Shared, caller: Caller) -> AppResult<Response> {
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

fn default_token_days() -> i64 {
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

async fn list_tokens(State(s): Shared, caller: Caller) -> AppResult<Response> {
    Ok(Json(s.app.api_tokens(&caller.0).await?).into_response())
}

async fn create_token(State(s): Shared, caller: Caller, body: Bytes) -> AppResult<Response> {
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

async fn revoke_token(
    State(s): Shared,
    caller: Caller,
    Path(id): Path<String>,
) -> AppResult<Response> {
    s.app.revoke_api_token(&caller.0, &id).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

async fn disable_account(
    State(s): Shared,
    caller: Caller,
    Path(name): Path<String>,
) -> AppResult<Response> {
    s.app.set_account_disabled(&caller.0, &name, true).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

async fn enable_account(
    State(s): Shared,
    caller: Caller,
    Path(name): Path<String>,
) -> AppResult<Response> {
    s.app.set_account_disabled(&caller.0, &name, false).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

async fn change_password(State(s): Shared, caller: Caller, body: Bytes) -> AppResult<Response> {
    guarantor_app::policy::authorise(&caller.0, Action::ChangeOwnPassword)?;
    let req: PasswordRequest = error::parse_body(&body)?;
    s.app
        .change_password(&caller.0, &req.current_password, &req.new_password)
        .await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// Serves the API and the pages on `listener` until Ctrl-C.
pub async fn serve(
    listener: tokio::net::TcpListener,
    store: Store,
    config: Config,
) -> std::io::Result<()> {
    let state = Arc::new(AppState::new(store, config));
    // Compute every stored campaign's options in the background, so that the first visitor of
    // an options page does not wait for the solver.
    let warm = Arc::clone(&state);
    tokio::spawn(async move { warm.app.warm_options().await });
    // Forget the rate of credentials that have gone quiet, so the limiter's memory stays small.
    let limiter = Arc::clone(&state);
    tokio::spawn(async move {
        loop {
            tokio::time::sleep(Duration::from_secs(60)).await;
            limiter.limiter.retain_recent();
            limiter.addresses.forget_stale();
        }
    });
    // The peer's address, for the limits on requests that prove nothing.
    axum::serve(
        listener,
        router(state).into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(async {
        let _ = tokio::signal::ctrl_c().await;
        tracing::info!("shutting down");
    })
    .await
}
