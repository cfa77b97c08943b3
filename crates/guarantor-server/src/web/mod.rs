//! The web app: server-rendered pages (askama) on the same store and rules as the JSON API.
//!
//! A browser signs in with a name and password (coordinators, decision makers) or arrives by a
//! capital's invitation link; either way the credential is kept in one `HttpOnly`,
//! `SameSite=Strict` cookie, and every form that changes something carries a CSRF token derived
//! from it. The pages need no JavaScript; `app.js` only adds conveniences (add a line, copy a
//! link). Styles and scripts are served by the binary: no page makes an external request.

mod access;
mod analysis;
mod audit;
mod coordinator;
#[cfg(test)]
mod fuzz;
mod proposal;
mod proposal_form;
mod receipt;
pub(crate) mod session;
mod setup_form;
pub mod xlsx;

use std::sync::Arc;

use askama::Template;
use axum::Router;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use guarantor_app::{AppError, ErrorKind, Principal, Role};

use crate::AppState;
pub(crate) use session::Viewer;

/// One page route: method, path, who may use it, and its handler, declared once by the module
/// that holds the handler.
#[derive(Debug, Clone, Copy)]
pub struct PageRoute {
    /// HTTP method.
    pub method: &'static str,
    /// Path, with `{campaign}`, `{respondent}` and other parameters.
    pub path: &'static str,
    /// Who may use it.
    pub who: &'static str,
    /// The handler, on the route's method.
    pub handler: fn() -> axum::routing::MethodRouter<Arc<AppState>>,
}

/// `page!(GET "/path" => handler, who)`: a [`PageRoute`] with its method written once.
macro_rules! page {
    ($method:ident $path:literal => $handler:path, $who:expr $(,)?) => {
        $crate::web::PageRoute {
            method: stringify!($method),
            path: $path,
            who: $who,
            handler: || axum::routing::on(axum::routing::MethodFilter::$method, $handler),
        }
    };
}
pub(crate) use page;

/// Who may use a page: coordinators and decision makers.
pub(crate) const ACCOUNTS: &str = "coordinator, decision maker";

/// The stylesheet and the script.
const ROUTES: &[PageRoute] = &[
    page!(GET "/static/app.css" => stylesheet, "anyone"),
    page!(GET "/static/app.js" => script, "anyone"),
];

/// Every page route, module by module: the router serves each, and the isolation test walks
/// them.
pub fn page_routes() -> impl Iterator<Item = &'static PageRoute> {
    session::ROUTES
        .iter()
        .chain(ROUTES)
        .chain(access::ROUTES)
        .chain(coordinator::ROUTES)
        .chain(audit::ROUTES)
        .chain(proposal::ROUTES)
        .chain(analysis::ROUTES)
}

/// The demo campaign as a document, for the unit tests of the page modules.
#[cfg(test)]
pub(crate) fn demo_document() -> guarantor_domain::CampaignDocument {
    guarantor_app::demo::campaign()
        .expect("the demo campaign is valid")
        .to_document()
}

/// The page of a path no route serves.
pub(crate) fn not_found_page() -> Response {
    PageError::not_found().into_response()
}

/// The page routes (everything outside `/api`).
pub(crate) fn routes() -> Router<Arc<AppState>> {
    page_routes().fold(Router::new(), |router, r| {
        router.route(r.path, (r.handler)())
    })
}

async fn stylesheet() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "max-age=3600"),
        ],
        include_str!("../../assets/app.css"),
    )
        .into_response()
}

async fn script() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "max-age=3600"),
        ],
        include_str!("../../assets/app.js"),
    )
        .into_response()
}

/// What every page shows around its content: who is signed in, the campaign's tabs.
pub(crate) struct Chrome {
    /// The page title.
    pub title: String,
    /// Who is signed in, as shown.
    pub who: Option<String>,
    /// The form token of the signed-in viewer.
    pub csrf: String,
    /// The campaign the page belongs to, with the tabs the viewer may open.
    pub campaign: Option<CampaignNav>,
    /// True when the campaign's proposals are illustrative.
    pub illustrative: bool,
    /// A message after a change ("Draft saved").
    pub flash: Option<String>,
    /// Links beside "Signed in as": the account's own page, the coordinator's access page.
    pub links: Vec<(&'static str, &'static str)>,
}

/// The tabs of a campaign.
pub(crate) struct CampaignNav {
    pub id: String,
    pub title: String,
    /// (label, href, current)
    pub tabs: Vec<(&'static str, String, bool)>,
}

impl Chrome {
    /// The chrome of a page seen by `viewer`; `campaign` adds its tabs, `current` marks one.
    pub fn new(viewer: Option<&Viewer>, title: impl Into<String>) -> Self {
        Self {
            title: title.into(),
            who: viewer.map(Viewer::describe),
            csrf: viewer.map(Viewer::csrf).unwrap_or_default(),
            campaign: None,
            illustrative: false,
            flash: None,
            links: viewer.map(Viewer::links).unwrap_or_default(),
        }
    }

    /// Adds the campaign's tabs for this viewer; `current` names the tab shown.
    pub fn in_campaign(
        self,
        viewer: &Viewer,
        campaign: &guarantor_domain::Campaign,
        current: &str,
    ) -> Self {
        let info = campaign.info();
        self.with_tabs(
            viewer,
            &info.id.to_string(),
            &info.title,
            info.illustrative,
            current,
        )
    }

    /// The same, from the campaign file's form.
    pub fn in_campaign_of(
        self,
        viewer: &Viewer,
        doc: &guarantor_domain::CampaignDocument,
        current: &str,
    ) -> Self {
        let c = &doc.campaign;
        self.with_tabs(viewer, &c.id, &c.title, c.illustrative, current)
    }

    fn with_tabs(
        mut self,
        viewer: &Viewer,
        id: &str,
        title: &str,
        illustrative: bool,
        current: &str,
    ) -> Self {
        let base = format!("/campaigns/{id}");
        let mut tabs: Vec<(&'static str, String)> = Vec::new();
        match &viewer.principal {
            Principal::Respondent { respondent, .. } => {
                tabs.push(("Your proposal", format!("{base}/proposals/{respondent}")));
            }
            Principal::Account { role, .. } => {
                tabs.push(("Overview", base.clone()));
                tabs.push(("Assessment", format!("{base}/assessment")));
                tabs.push(("Options", format!("{base}/options")));
                tabs.push(("Compare scenarios", format!("{base}/compare")));
                tabs.push(("Engagement", format!("{base}/engagement")));
                tabs.push(("Plan", format!("{base}/plan")));
                tabs.push(("Brief", format!("{base}/brief")));
                if *role == Role::Coordinator {
                    tabs.push(("Setup", format!("{base}/setup")));
                    tabs.push(("Audit log", format!("{base}/audit")));
                }
            }
        }
        self.campaign = Some(CampaignNav {
            id: id.to_owned(),
            title: title.to_owned(),
            tabs: tabs
                .into_iter()
                .map(|(label, href)| {
                    let here = label == current;
                    (label, href, here)
                })
                .collect(),
        });
        self.illustrative = illustrative;
        self
    }

    /// Adds a message shown above the content.
    pub fn flash(mut self, message: Option<String>) -> Self {
        self.flash = message;
        self
    }
}

/// An error shown as a page, in the layout, with the status it means.
#[derive(Debug)]
pub(crate) struct PageError {
    status: StatusCode,
    message: String,
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    page: Chrome,
    status: u16,
    heading: &'a str,
    message: &'a str,
}

impl PageError {
    pub fn new(status: StatusCode, message: impl Into<String>) -> Self {
        Self {
            status,
            message: message.into(),
        }
    }

    /// Anything the viewer may not see looks as if it did not exist.
    pub fn not_found() -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "There is no such page, or it is not yours to see.",
        )
    }

    /// An API error (from the shared computations) as a page.
    pub fn from_api(e: crate::ApiError) -> Self {
        Self::new(e.status(), e.message().to_owned())
    }

    pub fn forbidden(message: &str) -> Self {
        Self::new(StatusCode::FORBIDDEN, message)
    }

    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, message)
    }

    pub fn internal(message: &str) -> Self {
        tracing::error!(%message, "page failed");
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "Something went wrong on the server; the error is in its log.",
        )
    }
}

impl From<AppError> for PageError {
    fn from(e: AppError) -> Self {
        match e.kind {
            ErrorKind::NotFound => Self::not_found(),
            ErrorKind::Internal => Self::internal(&e.message),
            kind => Self::new(crate::error::status_of(kind), e.message),
        }
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let heading = match self.status {
            StatusCode::NOT_FOUND => "Not found",
            StatusCode::FORBIDDEN => "Not allowed",
            StatusCode::BAD_REQUEST => "That did not work",
            StatusCode::CONFLICT
            | StatusCode::PRECONDITION_FAILED
            | StatusCode::UNPROCESSABLE_ENTITY => "Not saved",
            StatusCode::TOO_MANY_REQUESTS => "Too many attempts",
            StatusCode::UNAUTHORIZED => "Sign in again",
            _ => "Server error",
        };
        let page = ErrorPage {
            page: Chrome::new(None, heading),
            status: self.status.as_u16(),
            heading,
            message: &self.message,
        };
        (self.status, html(&page)).into_response()
    }
}

/// Everything a page may load comes from this server: the policy makes the browser refuse any
/// other origin, so "no external requests" is enforced, not just intended. Inline styles are
/// allowed (the brief's stylesheet, the coverage bars); scripts only from `/static`.
pub(crate) const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; \
     style-src 'self' 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'; \
     form-action 'self'; base-uri 'none'";

/// The headers of every page: its type, never cached in shared caches (pages show one capital's
/// proposal or a campaign's figures). What a browser may do with it (CSP, framing, sniffing) is
/// added to every HTML response, pages and API alike, by [`security_headers`].
pub(crate) fn page_headers(content_type: &'static str) -> [(header::HeaderName, &'static str); 2] {
    [
        (header::CONTENT_TYPE, content_type),
        (header::CACHE_CONTROL, "no-store"),
    ]
}

/// Middleware over every route: `nosniff` on every response; on every HTML response (a page,
/// an error page, the brief through the API) the content security policy, no framing and no
/// shared caching; and, when the deployment is HTTPS (`hsts`), Strict-Transport-Security.
/// Handlers do not set these themselves, so no route can forget them.
pub(crate) async fn security_headers(
    axum::extract::State(hsts): axum::extract::State<bool>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    use axum::http::HeaderValue;
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    headers
        .entry(header::X_CONTENT_TYPE_OPTIONS)
        .or_insert(HeaderValue::from_static("nosniff"));
    let html = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| t.starts_with("text/html"));
    if html {
        headers.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(CONTENT_SECURITY_POLICY),
        );
        headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
        headers
            .entry(header::CACHE_CONTROL)
            .or_insert(HeaderValue::from_static("no-store"));
    }
    if hsts {
        headers.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000"),
        );
    }
    response
}

/// A rendered template as an HTML response.
pub(crate) fn html<T: Template>(template: &T) -> Response {
    match template.render() {
        Ok(body) => (page_headers("text/html; charset=utf-8"), body).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "template failed");
            (StatusCode::INTERNAL_SERVER_ERROR, "template error").into_response()
        }
    }
}

/// Redirect after a successful POST, so a reload does not repeat it.
pub(crate) fn see_other(to: &str) -> Response {
    Redirect::to(to).into_response()
}

/// The step of a pledge a form posts (`step` and its fields), read once for the capital's page
/// and the Plan page alike; who may take it is the application's to decide.
pub(crate) fn pledge_step_of(
    form: &FormData,
) -> Result<guarantor_domain::document::PledgeEventKindDoc, PageError> {
    use guarantor_domain::document::PledgeEventKindDoc as Step;
    let date = |field: &str| {
        chrono::NaiveDate::parse_from_str(form.get(field), "%Y-%m-%d")
            .map_err(|_| PageError::bad_request(format!("{field}: give a date, e.g. 2026-03-01")))
    };
    let number = |field: &str, what: &str| {
        form.get(field)
            .parse::<i64>()
            .map_err(|_| PageError::bad_request(format!("{what}: a whole number")))
    };
    let reason = || form.get("reason").to_owned();
    Ok(match form.get("step") {
        "confirmed" => Step::Confirmed {
            readiness_level: number("readiness_level", "readiness level")?,
            ready_from: date("ready_from")?,
        },
        "declined" => Step::Declined { reason: reason() },
        "withdrawn" => Step::Withdrawn { reason: reason() },
        "verified" => Step::Verified {
            how: form.get("how").to_owned(),
            notes: form.get("notes").to_owned(),
        },
        "delivered" => Step::Delivered {
            units: number("units", "units delivered")?,
            on: date("on")?,
        },
        "released" => Step::Released { reason: reason() },
        other => {
            return Err(PageError::bad_request(format!(
                "step: \"{other}\" is not a step of a pledge (confirmed, declined, withdrawn, verified, delivered, released)"
            )));
        }
    })
}

/// A form body as its fields, in order (repeated names kept).
pub(crate) struct FormData(Vec<(String, String)>);

impl FormData {
    /// Parses `application/x-www-form-urlencoded`.
    pub fn parse(body: &[u8]) -> Result<Self, PageError> {
        serde_urlencoded::from_bytes(body)
            .map(Self)
            .map_err(|e| PageError::bad_request(format!("the form could not be read: {e}")))
    }

    /// From fields already read (a multipart upload).
    pub fn from_pairs(pairs: Vec<(String, String)>) -> Self {
        Self(pairs)
    }

    /// Whether the form sent a field `name` at all (even empty).
    pub fn has(&self, name: &str) -> bool {
        self.0.iter().any(|(k, _)| k == name)
    }

    /// The first value of `name`, trimmed; `""` when absent.
    pub fn get(&self, name: &str) -> &str {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map_or("", |(_, v)| v.trim())
    }

    /// Every value of `name`, trimmed, empty ones dropped.
    pub fn all(&self, name: &str) -> Vec<&str> {
        self.0
            .iter()
            .filter(|(k, v)| k == name && !v.trim().is_empty())
            .map(|(_, v)| v.trim())
            .collect()
    }

    /// Whether a checkbox `name` was ticked.
    pub fn ticked(&self, name: &str) -> bool {
        self.0.iter().any(|(k, _)| k == name)
    }

    /// The field names, in order, without repeats.
    pub fn names(&self) -> Vec<&str> {
        let mut seen = Vec::new();
        for (k, _) in &self.0 {
            if !seen.contains(&k.as_str()) {
                seen.push(k.as_str());
            }
        }
        seen
    }
}

/// The valid values of a campaign's pickers, as (id, label) pairs in the file's order: the
/// proposal form's dropdowns, the workbook's `Lists` sheet and the setup table all read these.
pub(crate) struct Lists {
    /// Capabilities, labelled "name (per unit)".
    pub capabilities: Vec<(String, String)>,
    pub phases: Vec<(String, String)>,
    pub sectors: Vec<(String, String)>,
    /// The reporting currency first, then those with an exchange rate.
    pub currencies: Vec<(String, String)>,
    /// Who may pay: the contributor, the common fund, or any listed respondent.
    pub payers: Vec<(String, String)>,
    pub facts: Vec<(String, String)>,
    /// The invited capitals (code, name): who an offer may wait for.
    pub capitals: Vec<(String, String)>,
    /// The follow-up asks (id, what is asked in words, the capital asked, whether it was
    /// declined or withdrawn: offered to a line only when the line names it already).
    pub asks: Vec<(String, String, String, bool)>,
}

impl Lists {
    /// The lists of a campaign file.
    pub fn of(doc: &guarantor_domain::CampaignDocument) -> Self {
        let currency = &doc.campaign.currency;
        let mut currencies = vec![(currency.clone(), "reporting currency".to_owned())];
        currencies.extend(
            doc.campaign
                .exchange_rates
                .iter()
                .map(|(c, r)| (c.clone(), format!("1 {c} = {r} {currency}"))),
        );
        let mut payers = vec![
            (
                "contributor".to_owned(),
                "The contributor itself".to_owned(),
            ),
            ("common_fund".to_owned(), "The common fund".to_owned()),
        ];
        // Any listed respondent may pay (the rules allow one not invited, e.g. a backer).
        payers.extend(
            doc.respondents
                .iter()
                .map(|r| (r.code.clone(), r.name.clone())),
        );
        Self {
            capabilities: doc
                .catalogue
                .iter()
                .map(|c| (c.id.clone(), format!("{} (per {})", c.name, c.unit)))
                .collect(),
            phases: doc
                .phases
                .iter()
                .map(|p| (p.id.clone(), p.name.clone()))
                .collect(),
            sectors: doc
                .sectors
                .iter()
                .map(|s| (s.id.clone(), s.name.clone()))
                .collect(),
            currencies,
            payers,
            facts: doc
                .facts
                .iter()
                .map(|f| (f.id.clone(), f.description.clone()))
                .collect(),
            capitals: doc
                .respondents
                .iter()
                .filter(|r| r.invited)
                .map(|r| (r.code.clone(), r.name.clone()))
                .collect(),
            asks: doc
                .asks
                .iter()
                .map(|a| {
                    let capability = doc
                        .catalogue
                        .iter()
                        .find(|c| c.id == a.capability)
                        .map_or(a.capability.as_str(), |c| c.name.as_str());
                    (
                        a.id.clone(),
                        format!("{}: {} × {capability}", a.id, a.quantity),
                        a.respondent.clone(),
                        a.declined.is_some() || a.withdrawn.is_some(),
                    )
                })
                .collect(),
        }
    }

    /// Whether any follow-up ask went to `respondent`.
    pub fn has_asks(&self, respondent: &str) -> bool {
        self.asks.iter().any(|(_, _, to, _)| to == respondent)
    }

    /// The label of `id` in `list`, or the id itself.
    pub fn label(list: &[(String, String)], id: &str) -> String {
        list.iter()
            .find(|(k, _)| k == id)
            .map_or_else(|| id.to_owned(), |(_, v)| v.clone())
    }
}

/// Who made a change, as people read it: `invitation:c/FRA` → `FRA (by invitation)`,
/// `coordinator:ana` → `ana (coordinator)`; anything else (a name from a campaign file) as is.
pub(crate) fn actor_name(actor: &str) -> String {
    match actor.split_once(':') {
        Some(("invitation", rest)) => {
            // `campaign/CODE` or `campaign/CODE (Person)`: campaign ids hold no slash.
            let who = rest.split_once('/').map_or(rest, |(_, w)| w);
            match who.split_once(" (") {
                Some((code, person)) => {
                    format!("{} ({code}, by invitation)", person.trim_end_matches(')'))
                }
                None => format!("{who} (by invitation)"),
            }
        }
        Some(("coordinator", name)) => format!("{name} (coordinator)"),
        Some(("decision_maker", name)) => format!("{name} (decision maker)"),
        _ => actor.to_owned(),
    }
}

/// Formats an RFC 3339 time as `2025-03-07 17:00 UTC`.
pub(crate) fn when(rfc3339: &str) -> String {
    guarantor_domain::format::to_the_minute(rfc3339)
}

/// A file to download: its type, its name, and never cached (it is someone's data).
pub(crate) fn attachment(bytes: Vec<u8>, file: &str, content_type: &str) -> Response {
    (
        [
            (header::CONTENT_TYPE, content_type.to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{file}\""),
            ),
            (header::CACHE_CONTROL, "no-store".to_owned()),
        ],
        bytes,
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn actors_read_as_people_and_capitals() {
        assert_eq!(
            actor_name("invitation:ua-guarantee-2025/CYP"),
            "CYP (by invitation)"
        );
        assert_eq!(actor_name("coordinator:ana"), "ana (coordinator)");
        assert_eq!(actor_name("decision_maker:min"), "min (decision maker)");
        assert_eq!(
            actor_name("Ministry of Defence (illustrative)"),
            "Ministry of Defence (illustrative)"
        );
    }

    #[test]
    fn form_fields_are_read_in_order_with_repeats() {
        let form = FormData::parse(b"a=1&b=+x+&a=2&c=&tick=on").expect("a form");
        assert_eq!(form.get("a"), "1");
        assert_eq!(form.get("b"), "x");
        assert_eq!(form.all("a"), ["1", "2"]);
        assert!(form.all("c").is_empty());
        assert!(form.ticked("tick") && !form.ticked("nope"));
        assert_eq!(form.names(), ["a", "b", "c", "tick"]);
    }
}
