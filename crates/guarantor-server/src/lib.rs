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

pub mod api;
mod error;
pub mod openapi;
mod throttle;
pub mod web;

use std::sync::Arc;
use std::time::Duration;

use axum::extract::DefaultBodyLimit;
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use guarantor_app::{App, Store};
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::timeout::TimeoutLayer;

pub use api::access::{LoginRequest, PasswordRequest, TokenRequest};
pub use api::invitations::InvitationRequest;
pub use api::proposals::{SubmitRequest, WithdrawRequest};
pub use api::{Route, routes as api_routes};
pub use error::ApiError;

/// Largest request body accepted: a whole campaign file with many proposals fits.
pub const BODY_LIMIT: usize = 4 * 1024 * 1024;

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
    let mut api = Router::new().route("/api/health", get(|| async { "ok" }));
    for r in api::routes() {
        api = api.route(r.path, (r.handler)());
    }
    api.route(
        "/api/openapi.json",
        get(|| async { Json(openapi::document()) }),
    )
    .merge(web::routes())
    // A path nobody serves: the API answers in JSON, a person gets a page.
    .fallback(|uri: axum::http::Uri| async move {
        if uri.path().starts_with("/api/") {
            axum::response::IntoResponse::into_response(ApiError::no_route())
        } else {
            web::not_found_page()
        }
    })
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
    .layer(axum::middleware::from_fn(one_request))
    .with_state(state)
}

/// Each request is one scope of the store's freshness: the reads it makes (its credential, then
/// what it asks for) share one check that the database has not changed since it arrived.
async fn one_request(
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    guarantor_app::request_scope(next.run(request)).await
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
