//! The server over real HTTP on loopback, against SQLite and (when `GUARANTOR_TEST_POSTGRES_URL`
//! is set; required on CI) PostgreSQL: the JSON API (`api`) and the web pages (`web`).

mod api;
#[path = "../../../guarantor-store/tests/support/postgres.rs"]
mod postgres;
mod web;

use chrono::Utc;
use guarantor_store::{Role, Store};
use postgres::fresh_postgres;
use reqwest::{Client, Method, StatusCode};
use serde_json::{Value, json};

pub(crate) const DEMO: &str = include_str!("../../../../examples/demo-campaign.json");
pub(crate) const CAMPAIGN: &str = "ua-guarantee-2025";

pub(crate) struct App {
    pub(crate) label: &'static str,
    pub(crate) base: String,
    pub(crate) coordinator: String,
    pub(crate) decision_maker: String,
    pub(crate) client: Client,
    pub(crate) store: Store,
    pub(crate) _dir: Option<tempfile::TempDir>,
}

impl App {
    pub(crate) fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub(crate) async fn call(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
        if_match: Option<&str>,
    ) -> (StatusCode, Value, Option<String>) {
        let mut req = self.client.request(method, self.url(path));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        if let Some(b) = body {
            req = req.json(&b);
        }
        if let Some(m) = if_match {
            req = req.header("If-Match", m);
        }
        let resp = req.send().await.expect("request");
        let status = resp.status();
        let etag = resp
            .headers()
            .get("etag")
            .map(|v| v.to_str().unwrap().to_owned());
        let text = resp.text().await.unwrap();
        let value = serde_json::from_str(&text).unwrap_or(Value::String(text));
        (status, value, etag)
    }

    /// Creates a coordinator account in the server's store.
    pub(crate) async fn create_account(&self, name: &str, password: &str) {
        self.store
            .create_account(name, Role::Coordinator, password, "test", Utc::now())
            .await
            .expect("account");
    }

    /// Imports the demo and invites a capital; returns its invitation token.
    pub(crate) async fn with_demo_and_invitation(&self, respondent: &str) -> String {
        let (status, body, _) = self
            .call(
                Method::POST,
                "/api/campaigns",
                Some(&self.coordinator),
                Some(serde_json::from_str(DEMO).unwrap()),
                None,
            )
            .await;
        assert!(
            status == StatusCode::CREATED || status == StatusCode::CONFLICT,
            "{}: {status} {body}",
            self.label
        );
        self.invite(respondent).await
    }

    pub(crate) async fn invite(&self, respondent: &str) -> String {
        let (status, body, _) = self
            .call(
                Method::POST,
                &format!("/api/campaigns/{CAMPAIGN}/invitations"),
                Some(&self.coordinator),
                Some(json!({"respondent": respondent, "expires_in_days": 7})),
                None,
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{}: {body}", self.label);
        body["token"].as_str().unwrap().to_owned()
    }
}

/// `guarantor serve` on `store` on a free loopback port, allowing `requests_per_second` per
/// credential and per address for requests without a valid one; returns its base URL.
pub(crate) async fn serve_on(store: Store, requests_per_second: u32) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(guarantor_server::serve(
        listener,
        store,
        guarantor_server::Config {
            requests_per_second,
            anonymous_requests_per_second: requests_per_second,
            ..guarantor_server::Config::default()
        },
    ));
    base
}

/// The server on a free loopback port, once per available backend.
pub(crate) async fn spawn_apps() -> Vec<App> {
    let dir = tempfile::tempdir().unwrap();
    let mut urls = vec![(
        "sqlite",
        format!("sqlite://{}", dir.path().join("api.db").display()),
        Some(dir),
    )];
    match std::env::var("GUARANTOR_TEST_POSTGRES_URL") {
        Ok(admin) => urls.push((
            "postgres",
            fresh_postgres(&admin, "guarantor_api_").await,
            None,
        )),
        Err(_) => {
            assert!(
                std::env::var_os("CI").is_none(),
                "GUARANTOR_TEST_POSTGRES_URL must be set on CI"
            );
            eprintln!("PostgreSQL API tests SKIPPED: GUARANTOR_TEST_POSTGRES_URL is not set");
        }
    }
    let mut apps = Vec::new();
    for (label, url, guard) in urls {
        let store = Store::open(&url).await.unwrap();
        let coordinator = store
            .create_api_token("coord", Role::Coordinator, "test", Utc::now())
            .await
            .unwrap();
        let decision_maker = store
            .create_api_token("dm", Role::DecisionMaker, "test", Utc::now())
            .await
            .unwrap();
        // The isolation tests fire hundreds of requests with one token in a second; the rate
        // limit has its own test.
        let base = serve_on(store.clone(), 10_000).await;
        apps.push(App {
            label,
            base,
            coordinator,
            decision_maker,
            client: Client::new(),
            store,
            _dir: guard,
        });
    }
    apps
}

/// Every (method, path) of the server's own OpenAPI document.
/// Operations marked `security: []` (sign-in) need no token and are left out unless
/// `with_public`.
pub(crate) async fn documented_routes(app: &App, with_public: bool) -> Vec<(String, String)> {
    let (status, doc, _) = app
        .call(Method::GET, "/api/openapi.json", None, None, None)
        .await;
    assert_eq!(status, StatusCode::OK, "the OpenAPI document is public");
    let mut routes = Vec::new();
    for (path, ops) in doc["paths"].as_object().expect("paths") {
        for (method, op) in ops.as_object().expect("operations") {
            if op["security"] == json!([]) && !with_public {
                continue;
            }
            routes.push((method.to_uppercase(), path.clone()));
        }
    }
    if with_public {
        assert_eq!(routes.len(), guarantor_server::api_routes().count());
    }
    routes
}

pub(crate) fn fill(path: &str, campaign: &str, respondent: &str) -> String {
    path.replace("{campaign}", campaign)
        .replace("{respondent}", respondent)
        .replace("{what_if}", "spain-brigade")
        .replace("{ask}", "any-ask")
        .replace("{pledge}", "any-pledge")
}

pub(crate) fn method(m: &str) -> Method {
    Method::from_bytes(m.as_bytes()).unwrap()
}
