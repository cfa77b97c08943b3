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

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, FromRequestParts, Path, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post, put};
use axum::{Json, Router};
use chrono::Utc;
use guarantor_domain::{FileFormat, parse_campaign};
use guarantor_store::{DraftContent, Principal, ProposalState, Role, Store};
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
        "coordinator",
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

/// Options reports by campaign, with the campaign version they were computed at.
type OptionsCache = HashMap<String, (i64, Arc<guarantor_engine::OptionsReport>)>;

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
    store: Store,
    config: Config,
    options: Mutex<OptionsCache>,
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
            store,
            options: Mutex::new(HashMap::new()),
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

    /// The campaign and its options under every scenario. The report is computed off the async
    /// threads and kept until the campaign changes (its version moves), so the options, compare
    /// and brief pages cost one solve per change, not one per view.
    pub(crate) async fn options(
        &self,
        campaign: &str,
    ) -> Result<
        (
            guarantor_domain::Campaign,
            Arc<guarantor_engine::OptionsReport>,
        ),
        ApiError,
    > {
        // The version is read before the campaign: a report is never filed under a version
        // newer than the data it was computed from.
        let version = self.store.campaign_state(campaign).await?.version;
        let c = self.store.export(campaign).await?;
        let cached = self
            .options
            .lock()
            .map_err(|_| ApiError::internal("options cache poisoned"))?
            .get(campaign)
            .filter(|(v, _)| *v == version)
            .map(|(_, r)| Arc::clone(r));
        if let Some(report) = cached {
            return Ok((c, report));
        }
        let for_solve = c.clone();
        let report = Arc::new(
            tokio::task::spawn_blocking(move || options_of(&for_solve))
                .await
                .map_err(|e| ApiError::internal(&e.to_string()))??,
        );
        self.options
            .lock()
            .map_err(|_| ApiError::internal("options cache poisoned"))?
            .insert(campaign.to_owned(), (version, Arc::clone(&report)));
        Ok((c, report))
    }
}

impl AppState {
    /// The campaign and its decision brief as of now (options from the cache), composed off the
    /// async threads.
    pub(crate) async fn brief(
        &self,
        campaign: &str,
    ) -> Result<(guarantor_domain::Campaign, guarantor_assess::Brief), ApiError> {
        let (c, options) = self.options(campaign).await?;
        let head = self.store.audit_head().await?;
        tokio::task::spawn_blocking(move || {
            let assessment = guarantor_assess::assess(&c);
            let mut brief = guarantor_assess::compose(guarantor_assess::BriefInput {
                campaign: &c,
                assessment: &assessment,
                options: &options,
                generated_on: Utc::now().date_naive(),
            });
            brief.audit_head = Some(head);
            (c, brief)
        })
        .await
        .map_err(|e| ApiError::internal(&e.to_string()))
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
        let token = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .ok_or_else(ApiError::unauthenticated)?;
        state.admit(token)?;
        match state.store.authenticate(token, Utc::now()).await? {
            Some(p) => {
                state.addresses.remember_good(token);
                Ok(Caller(p))
            }
            None => Err(ApiError::unauthenticated()),
        }
    }
}

impl Caller {
    /// A coordinator or decision maker may read everything; a capital nothing but its own.
    fn can_read_campaign(&self) -> AppResult<()> {
        match &self.0 {
            Principal::Account { .. } => Ok(()),
            Principal::Respondent { .. } => Err(ApiError::not_found()),
        }
    }

    fn must_coordinate(&self) -> AppResult<()> {
        match &self.0 {
            Principal::Account {
                role: Role::Coordinator,
                ..
            } => Ok(()),
            Principal::Account { .. } => Err(ApiError::forbidden(
                "decision makers may read but not change anything",
            )),
            Principal::Respondent { .. } => Err(ApiError::not_found()),
        }
    }

    /// Whether the caller may see the campaign's questionnaire.
    fn can_see_questionnaire(&self, campaign: &str) -> AppResult<()> {
        match &self.0 {
            Principal::Account { .. } => Ok(()),
            Principal::Respondent { campaign: c, .. } if c == campaign => Ok(()),
            Principal::Respondent { .. } => Err(ApiError::not_found()),
        }
    }

    /// Whether the caller may read this capital's proposal.
    fn can_read_proposal(&self, campaign: &str, respondent: &str) -> AppResult<()> {
        match &self.0 {
            Principal::Account { .. } => Ok(()),
            Principal::Respondent {
                campaign: c,
                respondent: r,
            } if c == campaign && r == respondent => Ok(()),
            Principal::Respondent { .. } => Err(ApiError::not_found()),
        }
    }

    /// Whether the caller may change this capital's proposal; returns the version it read
    /// (`If-Match`), which every change needs.
    fn may_change(&self, campaign: &str, respondent: &str, headers: &HeaderMap) -> AppResult<i64> {
        self.can_read_proposal(campaign, respondent)?;
        if let Principal::Account {
            role: Role::DecisionMaker,
            ..
        } = &self.0
        {
            return Err(ApiError::forbidden(
                "decision makers may read but not change anything",
            ));
        }
        if_match(headers)
    }
}

async fn list_campaigns(State(s): Shared, caller: Caller) -> AppResult<Response> {
    caller
        .can_read_campaign()
        .map_err(|_| ApiError::forbidden("a capital's invitation reaches only its own proposal"))?;
    let list: Vec<serde_json::Value> = s
        .store
        .campaigns()
        .await?
        .into_iter()
        .map(|c| {
            serde_json::json!({"id": c.id, "title": c.title, "version": c.version, "updated_at": c.updated_at})
        })
        .collect();
    Ok(Json(list).into_response())
}

async fn import_campaign(State(s): Shared, caller: Caller, body: Bytes) -> AppResult<Response> {
    caller.must_coordinate()?;
    let body = error::text_body(&body)?;
    let campaign = parse_campaign(body, FileFormat::Json).map_err(ApiError::from_load)?;
    s.store.import(&campaign, &caller.0.actor()).await?;
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
    caller.can_read_campaign()?;
    // The version first: the ETag never claims data newer than what is sent.
    let version = s.store.campaign_state(&campaign).await?.version;
    let head = s.store.audit_head().await?;
    let c = s.store.export(&campaign).await?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/json".to_owned()),
            (header::ETAG, format!("\"v{version}\"")),
            (
                header::HeaderName::from_static("x-audit-head"),
                head.replace(',', ""),
            ),
        ],
        c.to_json(),
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
    caller.must_coordinate()?;
    let expected = if_match(&headers)?;
    let body = error::text_body(&body)?;
    let doc =
        guarantor_domain::parse_document(body, FileFormat::Json).map_err(ApiError::from_load)?;
    if !doc.proposals.is_empty() {
        return Err(ApiError::invalid_field(
            "proposals",
            "the setup holds no proposals: capitals change theirs through the proposal routes",
        ));
    }
    let version = s
        .store
        .update_setup(&campaign, expected, doc, &caller.0.actor(), Utc::now())
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
    caller.must_coordinate()?;
    // An unknown campaign is 404, not an empty list.
    s.store.campaign_state(&campaign).await?;
    Ok(Json(s.store.invitations(&campaign).await?).into_response())
}

async fn get_brief_pdf(
    State(s): Shared,
    caller: Caller,
    Path(campaign): Path<String>,
) -> AppResult<Response> {
    caller.can_read_campaign()?;
    let Some(pdf) = s.config.pdf.clone() else {
        return Err(ApiError::not_implemented(
            "this server cannot typeset PDF: use the HTML brief, or `guarantor brief --pdf`",
        ));
    };
    let (_, brief) = s.brief(&campaign).await?;
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
    caller.can_see_questionnaire(&campaign)?;
    let doc = s.store.export(&campaign).await?.to_document();
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
    caller.can_read_campaign()?;
    let c = s.store.export(&campaign).await?;
    // Off the async threads: the assessment is CPU work.
    let assessment = tokio::task::spawn_blocking(move || guarantor_assess::assess(&c))
        .await
        .map_err(|e| ApiError::internal(&e.to_string()))?;
    Ok(Json(assessment).into_response())
}

/// Options under every scenario of the campaign, with the engine's defaults (3 options per
/// scenario, robustness, 10 s per solve): the report `guarantor options --all-scenarios --json`
/// prints.
fn options_of(
    campaign: &guarantor_domain::Campaign,
) -> Result<guarantor_engine::OptionsReport, ApiError> {
    let request = guarantor_engine::OptionsRequest {
        scenarios: guarantor_engine::options::ScenarioChoice::All,
        ..guarantor_engine::OptionsRequest::default()
    };
    guarantor_engine::compute_options(campaign, &request)
        .map_err(|e| ApiError::internal(&format!("options: {e}")))
}

async fn get_options(
    State(s): Shared,
    caller: Caller,
    Path(campaign): Path<String>,
) -> AppResult<Response> {
    caller.can_read_campaign()?;
    let (_, report) = s.options(&campaign).await?;
    Ok(Json(&*report).into_response())
}

async fn get_brief(
    State(s): Shared,
    caller: Caller,
    Path(campaign): Path<String>,
) -> AppResult<Response> {
    caller.can_read_campaign()?;
    let html = s.brief(&campaign).await?.1.to_html();
    Ok(([(header::CONTENT_TYPE, "text/html; charset=utf-8")], html).into_response())
}

async fn reopen(
    State(s): Shared,
    caller: Caller,
    Path(campaign): Path<String>,
) -> AppResult<Response> {
    caller.must_coordinate()?;
    s.store
        .reopen(&campaign, &caller.0.actor(), Utc::now())
        .await?;
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
    let session = s.store.login(&req.name, &req.password, Utc::now()).await?;
    Ok(Json(serde_json::json!({
        "token": session.token,
        "expires_at": session.expires_at.to_rfc3339(),
        "name": session.name,
        "role": session.role,
    }))
    .into_response())
}

async fn logout(State(s): Shared, headers: HeaderMap) -> AppResult<Response> {
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
        .ok_or_else(ApiError::unauthenticated)?;
    // Only a session ends here; any other token is not one.
    if s.store.logout(token, Utc::now()).await? {
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
    caller.must_coordinate()?;
    let req: InvitationRequest = error::parse_body(&body)?;
    if !(1..=365).contains(&req.expires_in_days) {
        return Err(ApiError::invalid_field(
            "expires_in_days",
            &format!("must be 1 to 365 days (got {})", req.expires_in_days),
        ));
    }
    let now = Utc::now();
    let expires_at = now + chrono::Duration::days(i64::from(req.expires_in_days));
    let token = s
        .store
        .invite(
            &campaign,
            &req.respondent,
            expires_at,
            &caller.0.actor(),
            now,
        )
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(serde_json::json!({
            "campaign": campaign,
            "respondent": req.respondent,
            "token": token,
            "expires_at": expires_at.to_rfc3339(),
        })),
    )
        .into_response())
}

async fn revoke_invitation(
    State(s): Shared,
    caller: Caller,
    Path((campaign, respondent)): Path<(String, String)>,
) -> AppResult<Response> {
    caller.must_coordinate()?;
    if s.store
        .revoke_invitation(&campaign, &respondent, &caller.0.actor(), Utc::now())
        .await?
    {
        Ok(StatusCode::NO_CONTENT.into_response())
    } else {
        Err(ApiError::not_found())
    }
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

async fn get_proposal(
    State(s): Shared,
    caller: Caller,
    Path((campaign, respondent)): Path<(String, String)>,
) -> AppResult<Response> {
    caller.can_read_proposal(&campaign, &respondent)?;
    Ok(with_etag(s.store.proposal(&campaign, &respondent).await?))
}

async fn save_draft(
    State(s): Shared,
    caller: Caller,
    Path((campaign, respondent)): Path<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> AppResult<Response> {
    let expected = caller.may_change(&campaign, &respondent, &headers)?;
    let content: DraftContent = error::parse_body(&body)?;
    let state = s
        .store
        .save_draft(
            &campaign,
            &respondent,
            expected,
            content,
            &caller.0.actor(),
            Utc::now(),
        )
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
    let expected = caller.may_change(&campaign, &respondent, &headers)?;
    let req: SubmitRequest = error::parse_optional_body(&body)?;
    let state = s
        .store
        .submit(
            &campaign,
            &respondent,
            expected,
            &req.note,
            &caller.0.actor(),
            Utc::now(),
        )
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
    let expected = caller.may_change(&campaign, &respondent, &headers)?;
    let req: WithdrawRequest = error::parse_optional_body(&body)?;
    let state = s
        .store
        .withdraw(
            &campaign,
            &respondent,
            expected,
            &req.reason,
            &caller.0.actor(),
            Utc::now(),
        )
        .await?;
    Ok(with_etag(state))
}

async fn verify_audit(State(s): Shared, caller: Caller) -> AppResult<Response> {
    caller.must_coordinate()?;
    Ok(Json(s.store.verify_audit().await?).into_response())
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
    guarantor_store::TOKEN_DAYS
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
    caller.must_coordinate()?;
    Ok(Json(s.store.api_tokens().await?).into_response())
}

async fn create_token(State(s): Shared, caller: Caller, body: Bytes) -> AppResult<Response> {
    caller.must_coordinate()?;
    let req: TokenRequest = error::parse_body(&body)?;
    let role = Role::parse(&req.role).ok_or_else(|| {
        ApiError::invalid_field(
            "role",
            &format!("must be coordinator or decision_maker (got {:?})", req.role),
        )
    })?;
    let now = Utc::now();
    let token = s
        .store
        .create_api_token_for(&req.name, role, req.expires_in_days, &caller.0.actor(), now)
        .await?;
    let expires_at = now + chrono::Duration::days(req.expires_in_days);
    Ok((
        StatusCode::CREATED,
        Json(serde_json::json!({
            "token": token,
            "name": req.name,
            "role": role.as_str(),
            "expires_at": expires_at.to_rfc3339(),
        })),
    )
        .into_response())
}

async fn revoke_token(
    State(s): Shared,
    caller: Caller,
    Path(id): Path<String>,
) -> AppResult<Response> {
    caller.must_coordinate()?;
    if s.store
        .revoke_api_token(&id, &caller.0.actor(), Utc::now())
        .await?
    {
        Ok(StatusCode::NO_CONTENT.into_response())
    } else {
        Err(ApiError::not_found())
    }
}

async fn disable_account(
    State(s): Shared,
    caller: Caller,
    Path(name): Path<String>,
) -> AppResult<Response> {
    set_account_disabled(&s, &caller, &name, true).await
}

async fn enable_account(
    State(s): Shared,
    caller: Caller,
    Path(name): Path<String>,
) -> AppResult<Response> {
    set_account_disabled(&s, &caller, &name, false).await
}

async fn set_account_disabled(
    s: &AppState,
    caller: &Caller,
    name: &str,
    disabled: bool,
) -> AppResult<Response> {
    caller.must_coordinate()?;
    s.store
        .set_account_disabled(name, disabled, &caller.0.actor(), Utc::now())
        .await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

async fn change_password(State(s): Shared, caller: Caller, body: Bytes) -> AppResult<Response> {
    let Principal::Account { name, .. } = &caller.0 else {
        return Err(ApiError::not_found());
    };
    let req: PasswordRequest = error::parse_body(&body)?;
    s.store
        .change_password(name, &req.current_password, &req.new_password, Utc::now())
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
    tokio::spawn(async move {
        let Ok(campaigns) = warm.store.campaigns().await else {
            return;
        };
        for c in campaigns {
            if let Err(e) = warm.options(&c.id).await {
                tracing::warn!(campaign = %c.id, error = %e.message(), "options not precomputed");
            }
        }
    });
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
