//! Limits per client address on requests that prove nothing: requests without any credential
//! (the sign-in pages and routes, invitation links, the health check, unknown paths) and requests
//! whose credential failed. Each credential also has its own rate (see `AppState::admit`); this
//! stops one address from trying many made-up tokens or invitation links.
//!
//! An address over its budget is refused (429, before any lookup) for as long as the limiter
//! says, except for credentials that authenticated recently: a capital behind the same address
//! as a guesser keeps working.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::num::NonZeroU32;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderMap, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::AppState;
use crate::error::ApiError;

/// Marks a response whose request presented a credential that did not authenticate.
#[derive(Debug, Clone, Copy)]
pub(crate) struct AuthFailed;

/// How long a credential that authenticated stays exempt from its address's refusal.
const GOOD_FOR: Duration = Duration::from_secs(600);

/// Most credentials remembered as good; beyond it the oldest are forgotten first.
const GOOD_MAX: usize = 10_000;

/// The per-address state.
#[derive(Debug)]
pub(crate) struct AddressLimits {
    limiter: governor::DefaultKeyedRateLimiter<IpAddr>,
    /// Addresses refused until the instant given.
    refused: Mutex<HashMap<IpAddr, Instant>>,
    /// Credentials (digests) that authenticated, and when.
    good: Mutex<HashMap<[u8; 16], Instant>>,
    /// Proxies whose `X-Forwarded-For` is believed.
    trusted_proxies: Vec<IpAddr>,
}

impl AddressLimits {
    /// `per_second` requests proving nothing per address, bursts of twice that.
    pub(crate) fn new(per_second: u32, trusted_proxies: Vec<IpAddr>) -> Self {
        let rate = NonZeroU32::new(per_second.max(1)).unwrap_or(NonZeroU32::MIN);
        let burst = rate.saturating_mul(NonZeroU32::MIN.saturating_add(1));
        Self {
            limiter: governor::RateLimiter::keyed(
                governor::Quota::per_second(rate).allow_burst(burst),
            ),
            refused: Mutex::new(HashMap::new()),
            good: Mutex::new(HashMap::new()),
            trusted_proxies,
        }
    }

    /// Records that `credential` authenticated, so its address's refusal does not apply to it.
    pub(crate) fn remember_good(&self, credential: &str) {
        let now = Instant::now();
        if let Ok(mut good) = self.good.lock() {
            if good.len() >= GOOD_MAX {
                good.retain(|_, at| now.duration_since(*at) < GOOD_FOR);
            }
            if good.len() < GOOD_MAX {
                good.insert(digest(credential), now);
            }
        }
    }

    fn is_good(&self, credential: &str) -> bool {
        self.good.lock().is_ok_and(|good| {
            good.get(&digest(credential))
                .is_some_and(|at| at.elapsed() < GOOD_FOR)
        })
    }

    /// Counts one request proving nothing from `address`; `Err` with the seconds to wait when
    /// the address is over its budget (it is then refused until then).
    fn count(&self, address: IpAddr) -> Result<(), u64> {
        self.limiter.check_key(&address).map_err(|not_until| {
            let wait = not_until.wait_time_from(governor::clock::Clock::now(
                &governor::clock::DefaultClock::default(),
            ));
            if let Ok(mut refused) = self.refused.lock() {
                refused.insert(address, Instant::now() + wait);
            }
            wait.as_secs().max(1)
        })
    }

    /// Seconds `address` is still refused for, if it is.
    fn refused_for(&self, address: IpAddr) -> Option<u64> {
        let mut refused = self.refused.lock().ok()?;
        let until = *refused.get(&address)?;
        let now = Instant::now();
        if until <= now {
            refused.remove(&address);
            return None;
        }
        Some(until.duration_since(now).as_secs().max(1))
    }

    /// Forgets quiet addresses and stale entries, so memory stays small.
    pub(crate) fn forget_stale(&self) {
        self.limiter.retain_recent();
        let now = Instant::now();
        if let Ok(mut refused) = self.refused.lock() {
            refused.retain(|_, until| *until > now);
        }
        if let Ok(mut good) = self.good.lock() {
            good.retain(|_, at| now.duration_since(*at) < GOOD_FOR);
        }
    }

    /// The client's address: the peer, or, when the peer is a trusted proxy, the last address in
    /// `X-Forwarded-For` that is not a trusted proxy (the one the trusted chain received it from).
    pub(crate) fn client_address(&self, peer: IpAddr, headers: &HeaderMap) -> IpAddr {
        if !self.trusted_proxies.contains(&peer) {
            return peer;
        }
        let hops: Vec<Option<IpAddr>> = headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .map(|hop| hop.trim().parse::<IpAddr>().ok())
            .collect();
        let mut client = peer;
        // From the right, the hops the trusted chain appended; a garbled one ends the walk.
        for hop in hops.into_iter().rev().map_while(|h| h) {
            client = hop;
            if !self.trusted_proxies.contains(&hop) {
                break;
            }
        }
        client
    }
}

/// The first 16 bytes of a credential's SHA-256: the key it is limited and remembered by.
pub(crate) fn digest(credential: &str) -> [u8; 16] {
    use sha2::Digest;
    let full = sha2::Sha256::digest(credential.as_bytes());
    let mut key = [0u8; 16];
    key.copy_from_slice(&full[..16]);
    key
}

/// The credential a request presents: a bearer token or the session cookie.
fn credential(headers: &HeaderMap) -> Option<String> {
    if let Some(token) = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
        .filter(|t| !t.is_empty())
    {
        return Some(token.to_owned());
    }
    axum_extra::extract::CookieJar::from_headers(headers)
        .get(crate::web::session::COOKIE)
        .map(|c| c.value().to_owned())
        .filter(|v| !v.is_empty())
}

/// Middleware over every route (see the module doc). Without the peer's address (a router used
/// without `into_make_service_with_connect_info`) nothing is limited by address.
pub(crate) async fn limit_by_address(
    State(state): State<Arc<AppState>>,
    request: Request,
    next: Next,
) -> Response {
    let limits = &state.addresses;
    let Some(peer) = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip())
    else {
        return next.run(request).await;
    };
    let address = limits.client_address(peer, request.headers());
    let credential = credential(request.headers());
    let known_good = credential.as_deref().is_some_and(|c| limits.is_good(c));
    if !known_good && let Some(wait) = limits.refused_for(address) {
        return too_many(wait);
    }
    if credential.is_none()
        && let Err(wait) = limits.count(address)
    {
        return too_many(wait);
    }
    let response = next.run(request).await;
    if credential.is_some() && response.extensions().get::<AuthFailed>().is_some() {
        // The answer stays what it is (401, or the sign-in page); the next ones are refused.
        let _ = limits.count(address);
    }
    response
}

fn too_many(wait_seconds: u64) -> Response {
    let mut response = ApiError::too_many_requests(i64::try_from(wait_seconds).unwrap_or(i64::MAX))
        .into_response();
    response.extensions_mut().insert(AuthFailed);
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn forwarded_for_is_believed_only_from_trusted_proxies() {
        let limits = AddressLimits::new(10, vec![ip("10.0.0.1"), ip("10.0.0.2")]);
        let mut headers = HeaderMap::new();
        headers.insert(
            "x-forwarded-for",
            "203.0.113.9, 198.51.100.7, 10.0.0.2".parse().unwrap(),
        );
        // From an untrusted peer the header is ignored.
        assert_eq!(
            limits.client_address(ip("192.0.2.1"), &headers),
            ip("192.0.2.1")
        );
        // Through the trusted chain: the first untrusted hop from the right. The leftmost entry
        // is whatever the client claimed and is not believed.
        assert_eq!(
            limits.client_address(ip("10.0.0.1"), &headers),
            ip("198.51.100.7")
        );
        // A garbled entry stops the walk.
        headers.insert("x-forwarded-for", "nonsense, 10.0.0.2".parse().unwrap());
        assert_eq!(
            limits.client_address(ip("10.0.0.1"), &headers),
            ip("10.0.0.2")
        );
    }

    #[test]
    fn an_address_over_its_budget_is_refused_but_good_credentials_pass() {
        let limits = AddressLimits::new(1, Vec::new());
        let a = ip("192.0.2.1");
        assert!(limits.count(a).is_ok());
        assert!(limits.count(a).is_ok());
        assert!(limits.count(a).is_err(), "burst of 2 spent");
        assert!(limits.refused_for(a).is_some());
        assert!(limits.refused_for(ip("192.0.2.2")).is_none());
        limits.remember_good("tok");
        assert!(limits.is_good("tok"));
        assert!(!limits.is_good("other"));
    }
}
