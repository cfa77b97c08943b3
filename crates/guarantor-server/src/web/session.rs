//! Who is looking at a page: the session cookie, sign-in and sign-out, invitation links, and
//! the CSRF token of every form.
//!
//! The cookie holds the same bearer credential the API takes (an 8-hour session token, or a
//! capital's invitation token), so one check in the store decides for both. It is `HttpOnly`
//! (scripts cannot read it), `SameSite=Strict` (another site's page cannot send it) and `Secure`
//! unless the server was started for plain-HTTP local use. Forms also carry a token derived from
//! the credential, which a page on another site cannot know.

use std::sync::Arc;

use askama::Template;
use axum::extract::{FromRequestParts, Path, Query, State};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use chrono::Utc;
use guarantor_app::policy::{self, Action};
use guarantor_app::{ErrorKind, Principal, Role};
use serde::Deserialize;
use sha2::{Digest, Sha256};

use super::{Chrome, FormData, PageError, PageRoute, html, page};
use crate::AppState;

/// Signing in and out, and the capitals' links.
pub(crate) const ROUTES: &[PageRoute] = &[
    page!(GET "/" => home, "anyone: sends each viewer to where it starts"),
    page!(GET "/login" => login_page, "anyone"),
    page!(POST "/login" => login, "anyone with an account"),
    page!(POST "/logout" => logout, "anyone signed in"),
    page!(GET "/invitation/{token}" => invitation, "a capital's link"),
];

/// The cookie that carries the credential.
pub(crate) const COOKIE: &str = "guarantor_session";

/// The cookie that keeps the name a capital's person gave (see [`person_cookie`]).
pub(crate) const PERSON_COOKIE: &str = "guarantor_person";

/// The cookie that remembers who, at a capital, is using its invitation on this browser: the
/// name goes with each change they make (a year; the name is not a secret, but no script
/// needs it).
pub(crate) fn person_cookie(name: Option<&str>, secure: bool) -> Cookie<'static> {
    let value = name.map_or_else(String::new, |n| {
        serde_urlencoded::to_string([("p", n)])
            .unwrap_or_default()
            .trim_start_matches("p=")
            .to_owned()
    });
    let mut c = Cookie::build((PERSON_COOKIE, value))
        .path("/")
        .http_only(true)
        .same_site(SameSite::Strict)
        .secure(secure)
        .build();
    c.set_max_age(cookie::time::Duration::days(if name.is_some() {
        365
    } else {
        0
    }));
    c
}

/// The name a person cookie holds.
fn person_of(value: &str) -> Option<String> {
    serde_urlencoded::from_str::<Vec<(String, String)>>(&format!("p={value}"))
        .ok()
        .and_then(|v| v.into_iter().next())
        .and_then(|(_, name)| Principal::person_name(&name))
}

/// A signed-in viewer of the pages.
pub(crate) struct Viewer {
    /// Who it is.
    pub principal: Principal,
    /// The credential in its cookie.
    token: String,
}

impl Viewer {
    /// The token every form of this viewer carries as `_csrf`.
    pub fn csrf(&self) -> String {
        let digest = Sha256::digest(format!("guarantor-csrf:{}", self.token).as_bytes());
        digest.iter().take(16).map(|b| format!("{b:02x}")).collect()
    }

    /// Refuses a form whose `_csrf` is not this viewer's.
    pub fn check_csrf(&self, form: &FormData) -> Result<(), PageError> {
        let sent = form.get("_csrf");
        // Constant-time enough: both are hex of a hash the attacker cannot choose.
        if !sent.is_empty() && sent == self.csrf() {
            Ok(())
        } else {
            Err(PageError::forbidden(
                "This form is out of date or came from another site. Reload the page and try again.",
            ))
        }
    }

    /// The viewer as shown in the page header.
    pub fn describe(&self) -> String {
        match &self.principal {
            Principal::Account { name, role } => format!(
                "{name} ({})",
                match role {
                    Role::Coordinator => "coordinator",
                    Role::DecisionMaker => "decision maker",
                }
            ),
            Principal::Respondent { respondent, .. } => format!("{respondent} (by invitation)"),
        }
    }

    /// Whether this viewer may change things (not a decision maker).
    pub fn may_edit(&self) -> bool {
        policy::may_change_anything(&self.principal)
    }

    /// `Ok` if this viewer may do `action`; a page error (404 or 403) otherwise.
    pub fn may(&self, action: Action<'_>) -> Result<(), PageError> {
        Ok(policy::authorise(&self.principal, action)?)
    }

    /// The header's links for this viewer: its account page, and access for coordinators.
    pub fn links(&self) -> Vec<(&'static str, &'static str)> {
        match &self.principal {
            Principal::Account {
                role: Role::Coordinator,
                ..
            } => vec![("Access", "/access"), ("Your account", "/account")],
            Principal::Account { .. } => vec![("Your account", "/account")],
            Principal::Respondent { .. } => Vec::new(),
        }
    }
}

/// The viewer of a request, if its cookie holds a valid credential.
async fn viewer_of(jar: &CookieJar, state: &AppState) -> Result<Option<Viewer>, PageError> {
    let Some(token) = jar.get(COOKIE).map(|c| c.value().to_owned()) else {
        return Ok(None);
    };
    state.admit(&token).map_err(PageError::from_api)?;
    let person = jar.get(PERSON_COOKIE).and_then(|c| person_of(c.value()));
    let viewer = state
        .app
        .authenticate(&token)
        .await?
        .map(|principal| match principal {
            // A capital's people share its invitation; each may say who they are.
            Principal::Respondent {
                campaign,
                respondent,
                ..
            } => Principal::Respondent {
                campaign,
                respondent,
                person,
            },
            account => account,
        })
        .map(|principal| Viewer { principal, token });
    if let Some(v) = &viewer {
        state.addresses.remember_good(&v.token);
    }
    Ok(viewer)
}

impl FromRequestParts<Arc<AppState>> for Viewer {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &Arc<AppState>,
    ) -> Result<Self, Self::Rejection> {
        let jar = CookieJar::from_headers(&parts.headers);
        match viewer_of(&jar, state).await {
            Ok(Some(v)) => Ok(v),
            Ok(None) => {
                // Back to where the viewer was going, after signing in.
                let next = parts
                    .uri
                    .path_and_query()
                    .map_or("/", |p| p.as_str())
                    .to_owned();
                let query = serde_urlencoded::to_string([("next", next)]).unwrap_or_default();
                let mut to_login = Redirect::to(&format!("/login?{query}")).into_response();
                // Counts against the address only when a cookie was presented and failed.
                to_login
                    .extensions_mut()
                    .insert(crate::throttle::AuthFailed);
                Err(to_login)
            }
            Err(e) => Err(e.into_response()),
        }
    }
}

/// `/`: where each kind of viewer starts.
pub(crate) async fn home(State(s): State<Arc<AppState>>, jar: CookieJar) -> Response {
    match viewer_of(&jar, &s).await {
        Ok(Some(Viewer {
            principal:
                Principal::Respondent {
                    campaign,
                    respondent,
                    ..
                },
            ..
        })) => {
            Redirect::to(&format!("/campaigns/{campaign}/proposals/{respondent}")).into_response()
        }
        Ok(Some(_)) => Redirect::to("/campaigns").into_response(),
        Ok(None) => Redirect::to("/login").into_response(),
        Err(e) => e.into_response(),
    }
}

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    page: Chrome,
    name: String,
    next: String,
    error: Option<String>,
}

#[derive(Deserialize)]
pub(crate) struct Next {
    #[serde(default)]
    next: String,
    /// `password` after a password change ended every session.
    #[serde(default)]
    done: String,
}

/// Only a path on this site: never an open redirect.
fn safe_next(next: &str) -> String {
    // Browsers drop tabs and newlines inside URLs, so `/\t/evil.example` would become
    // `//evil.example`: refuse any whitespace or control character outright.
    let plain = !next.chars().any(|c| c.is_whitespace() || c.is_control());
    if plain && next.starts_with('/') && !next.starts_with("//") && !next.contains('\\') {
        next.to_owned()
    } else {
        "/".to_owned()
    }
}

pub(crate) async fn login_page(Query(q): Query<Next>) -> Response {
    let flash = (q.done == "password")
        .then(|| "Your password was changed: sign in with the new one.".to_owned());
    html(&LoginPage {
        page: Chrome::new(None, "Sign in").flash(flash),
        name: String::new(),
        next: safe_next(&q.next),
        error: None,
    })
}

/// The session cookie; `max_age_seconds` `None` makes it last until the browser closes.
fn session_cookie(token: String, secure: bool, max_age_seconds: Option<i64>) -> Cookie<'static> {
    let mut c = Cookie::build((COOKIE, token))
        .path("/")
        .http_only(true)
        .same_site(SameSite::Strict)
        .secure(secure)
        .build();
    if let Some(s) = max_age_seconds {
        c.set_max_age(cookie::time::Duration::seconds(s));
    }
    c
}

pub(crate) async fn login(
    State(s): State<Arc<AppState>>,
    jar: CookieJar,
    body: axum::body::Bytes,
) -> Response {
    let form = match FormData::parse(&body) {
        Ok(f) => f,
        Err(e) => return e.into_response(),
    };
    let name = form.get("name").to_owned();
    let next = safe_next(form.get("next"));
    let fail = |status: StatusCode, message: String| {
        (
            status,
            html(&LoginPage {
                page: Chrome::new(None, "Sign in"),
                name: name.clone(),
                next: next.clone(),
                error: Some(message),
            }),
        )
            .into_response()
    };
    if let Err(e) = s.admit_login() {
        return fail(StatusCode::TOO_MANY_REQUESTS, e.message().to_owned());
    }
    match s.app.login(&name, form.get("password")).await {
        Ok(session) => {
            let seconds = (session.expires_at - Utc::now()).num_seconds().max(0);
            let cookie = session_cookie(session.token, s.config.secure_cookies, Some(seconds));
            (jar.add(cookie), Redirect::to(&next)).into_response()
        }
        Err(e) if e.kind == ErrorKind::BadCredentials => fail(StatusCode::UNAUTHORIZED, e.message),
        Err(e) if e.kind == ErrorKind::TooManyAttempts => {
            let retry = e.retry_after;
            let mut r = fail(StatusCode::TOO_MANY_REQUESTS, e.message);
            if let Some(v) = retry.and_then(|s| HeaderValue::from_str(&s.to_string()).ok()) {
                r.headers_mut().insert(header::RETRY_AFTER, v);
            }
            r
        }
        Err(e) => PageError::from(e).into_response(),
    }
}

pub(crate) async fn logout(
    State(s): State<Arc<AppState>>,
    jar: CookieJar,
    viewer: Viewer,
    body: axum::body::Bytes,
) -> Response {
    let result = async {
        viewer.check_csrf(&FormData::parse(&body)?)?;
        // An invitation is not ended by signing out (the link works again); a session is.
        s.app.logout(&viewer.token).await?;
        Ok::<_, PageError>(())
    }
    .await;
    match result {
        Ok(()) => (
            jar.remove(Cookie::build(COOKIE).path("/")),
            Redirect::to("/login"),
        )
            .into_response(),
        Err(e) => e.into_response(),
    }
}

/// `/invitation/{token}`: a capital's link. The token becomes the browser's credential and the
/// capital lands on its proposal.
pub(crate) async fn invitation(
    State(s): State<Arc<AppState>>,
    jar: CookieJar,
    Path(token): Path<String>,
) -> Response {
    match s.app.authenticate(&token).await {
        Ok(Some(Principal::Respondent {
            campaign,
            respondent,
            ..
        })) => {
            let cookie = session_cookie(token, s.config.secure_cookies, None);
            let mut r = (
                jar.add(cookie),
                Redirect::to(&format!("/campaigns/{campaign}/proposals/{respondent}")),
            )
                .into_response();
            // The link's token must not leak to any other site through the Referer header.
            r.headers_mut()
                .insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
            r
        }
        Ok(_) => PageError::new(
            StatusCode::NOT_FOUND,
            "This invitation link is not valid: it may have expired or been revoked. Ask the coordinator for a new one.",
        )
        .into_response(),
        Err(e) => PageError::from(e).into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn after_sign_in_only_a_path_on_this_site_is_followed() {
        assert_eq!(safe_next("/campaigns/x?done=1"), "/campaigns/x?done=1");
        for evil in [
            "//evil.example/",
            "/\t/evil.example",
            "/\n/evil.example",
            "/\\evil.example",
            "https://evil.example/",
            "",
        ] {
            assert_eq!(safe_next(evil), "/", "{evil:?}");
        }
    }
}
