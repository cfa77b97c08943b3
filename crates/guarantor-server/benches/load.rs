//! Load figures for the API on loopback: authenticated reads and submissions per second with
//! p50/p99 latency, on SQLite (and PostgreSQL when `GUARANTOR_TEST_POSTGRES_URL` is set), side
//! by side with a bare axum hello-world as the ceiling of this machine.
//!
//! Each database is measured on the demo campaign and on a generated campaign of 249 capitals
//! (every assigned ISO 3166-1 alpha-3 code) with 2,988 offer lines, to show that what a read or
//! a change costs does not grow with the campaign.
//!
//! `cargo bench -p guarantor-server --bench load` (env `LOAD_SECONDS`, default 5; `LOAD_CLIENTS`,
//! default 32). The server runs in this process on its own runtime; the clients on another.

use std::time::{Duration, Instant};

use chrono::Utc;
use guarantor_domain::{FileFormat, parse_campaign};
use guarantor_store::{Role, Store};
use reqwest::Client;

const DEMO: &str = include_str!("../../../examples/demo-campaign.json");

/// A campaign to measure on, and the line each submission offers.
struct Subject {
    label: &'static str,
    campaign: guarantor_domain::Campaign,
    capability: &'static str,
}

impl Subject {
    fn demo() -> Self {
        Self {
            label: "demo (32 capitals)",
            campaign: parse_campaign(DEMO, FileFormat::Json).expect("demo"),
            capability: "medical.role2",
        }
    }

    fn large() -> Self {
        let size = guarantor_engine::generate::Size {
            respondents: 249,
            offers_per_respondent: 12,
            requirements: 40,
        };
        Self {
            label: "249 capitals, 2,988 offer lines",
            campaign: guarantor_engine::generate::campaign(size, 7),
            capability: "training",
        }
    }
}

fn env_or(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Latencies of successful requests, and how many failed.
struct Sample {
    latencies: Vec<Duration>,
    failures: usize,
    elapsed: Duration,
}

impl Sample {
    fn line(&self, what: &str) -> String {
        let mut l = self.latencies.clone();
        l.sort();
        let pct = |p: f64| {
            l.get(((l.len() as f64 * p) as usize).min(l.len().saturating_sub(1)))
                .map_or(0.0, |d| d.as_secs_f64() * 1000.0)
        };
        format!(
            "| {what} | {:.0} | {:.2} | {:.2} | {} |",
            l.len() as f64 / self.elapsed.as_secs_f64(),
            pct(0.5),
            pct(0.99),
            self.failures
        )
    }
}

/// Runs `clients` loops of `step` for `seconds`, each client with its own index.
async fn run<F, Fut>(clients: usize, seconds: u64, step: F) -> Sample
where
    F: Fn(usize, u64) -> Fut + Clone + Send + 'static,
    Fut: std::future::Future<Output = bool> + Send,
{
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let start = Instant::now();
    let tasks: Vec<_> = (0..clients)
        .map(|c| {
            let step = step.clone();
            tokio::spawn(async move {
                let mut latencies = Vec::new();
                let mut failures = 0;
                let mut i = 0;
                while Instant::now() < deadline {
                    let t = Instant::now();
                    if step(c, i).await {
                        latencies.push(t.elapsed());
                    } else {
                        failures += 1;
                    }
                    i += 1;
                }
                (latencies, failures)
            })
        })
        .collect();
    let mut sample = Sample {
        latencies: Vec::new(),
        failures: 0,
        elapsed: Duration::ZERO,
    };
    for t in tasks {
        let (l, f) = t.await.expect("client task");
        sample.latencies.extend(l);
        sample.failures += f;
    }
    sample.elapsed = start.elapsed();
    sample
}

/// Serves `router` on a free loopback port on a runtime of its own; returns the base URL.
fn serve_on_own_runtime(router: axum::Router) -> String {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()
            .expect("server runtime");
        rt.block_on(async move {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            tx.send(format!("http://{}", listener.local_addr().unwrap()))
                .unwrap();
            axum::serve(listener, router).await.unwrap();
        });
    });
    rx.recv().expect("server address")
}

async fn measure(label: &str, url: &str, subject: &Subject, clients: usize, seconds: u64) {
    let label = format!("{label}, {}", subject.label);
    let store = Store::open(url).await.expect("store");
    let campaign = &subject.campaign;
    let id = campaign.info().id.to_string();
    let capability = subject.capability;
    store.import(campaign, "bench").await.expect("import");
    store
        .reopen(&id, "bench", Utc::now())
        .await
        .expect("reopen");
    let respondents: Vec<String> = campaign
        .invited()
        .map(|r| r.code.to_string())
        .take(clients)
        .collect();
    let expires = Utc::now() + chrono::Duration::days(1);
    let mut tokens = Vec::new();
    for r in &respondents {
        tokens.push(
            store
                .invite(&id, r, expires, "bench", Utc::now())
                .await
                .expect("invite"),
        );
    }
    let _ = store
        .create_api_token("bench", Role::Coordinator, "bench", Utc::now())
        .await;
    // Each client is one capital; the per-token rate limit is lifted so that the figures show
    // what the server and database can do.
    let base = serve_on_own_runtime(guarantor_server::app_with(
        store.clone(),
        guarantor_server::Config {
            requests_per_second: 1_000_000,
            ..guarantor_server::Config::default()
        },
    ));
    let client = Client::new();
    let n = respondents.len();

    let reads = {
        let (client, base, tokens, respondents, id) = (
            client.clone(),
            base.clone(),
            tokens.clone(),
            respondents.clone(),
            id.clone(),
        );
        run(n, seconds, move |c, _| {
            let req = client
                .get(format!(
                    "{base}/api/campaigns/{id}/proposals/{}",
                    respondents[c]
                ))
                .bearer_auth(&tokens[c]);
            async move { req.send().await.is_ok_and(|r| r.status() == 200) }
        })
        .await
    };

    // A submission is a draft save and a submit, each with the version it read.
    let submissions = {
        let versions: Vec<i64> = {
            let mut v = Vec::new();
            for r in &respondents {
                v.push(store.proposal(&id, r).await.unwrap().version);
            }
            v
        };
        let versions = std::sync::Arc::new(std::sync::Mutex::new(versions));
        let (client, base, tokens, respondents, id) = (
            client.clone(),
            base.clone(),
            tokens.clone(),
            respondents.clone(),
            id.clone(),
        );
        run(n, seconds, move |c, i| {
            let (client, base, token, respondent, versions, id) = (
                client.clone(),
                base.clone(),
                tokens[c].clone(),
                respondents[c].clone(),
                versions.clone(),
                id.clone(),
            );
            async move {
                let v = versions.lock().unwrap()[c];
                let path = format!("{base}/api/campaigns/{id}/proposals/{respondent}");
                let draft = serde_json::json!({"offers": [{"id": format!("{respondent}-L"),
                    "capability": capability, "quantity": i + 1, "earliest_phase": "P1"}]});
                let ok = client
                    .put(format!("{path}/draft"))
                    .bearer_auth(&token)
                    .header("If-Match", format!("\"v{v}\""))
                    .json(&draft)
                    .send()
                    .await
                    .is_ok_and(|r| r.status() == 200);
                if !ok {
                    return false;
                }
                let ok = client
                    .post(format!("{path}/submit"))
                    .bearer_auth(&token)
                    .header("If-Match", format!("\"v{}\"", v + 1))
                    .send()
                    .await
                    .is_ok_and(|r| r.status() == 200);
                if ok {
                    versions.lock().unwrap()[c] = v + 2;
                }
                ok
            }
        })
        .await
    };
    println!(
        "{}",
        reads.line(&format!("{label}: authenticated reads (GET own proposal)"))
    );
    println!(
        "{}",
        submissions.line(&format!("{label}: submissions (draft save + submit)"))
    );
}

fn main() {
    let seconds = env_or("LOAD_SECONDS", 5);
    let clients = usize::try_from(env_or("LOAD_CLIENTS", 32)).unwrap_or(32);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("client runtime");
    rt.block_on(async {
        println!("{clients} clients, {seconds} s each, loopback");
        println!("| what | requests/s | p50 ms | p99 ms | failed |");
        println!("|---|---|---|---|---|");
        let hello = serve_on_own_runtime(
            axum::Router::new().route("/hello", axum::routing::get(|| async { "ok" })),
        );
        let client = Client::new();
        let sample = run(clients, seconds, move |_, _| {
            let req = client.get(format!("{hello}/hello"));
            async move { req.send().await.is_ok_and(|r| r.status() == 200) }
        })
        .await;
        println!("{}", sample.line("bare axum hello-world (ceiling)"));
        let dir = tempfile::tempdir().expect("temp dir");
        for subject in [Subject::demo(), Subject::large()] {
            let sqlite = format!(
                "sqlite://{}",
                dir.path()
                    .join(format!("load-{}.db", subject.campaign.respondents().len()))
                    .display()
            );
            measure("SQLite", &sqlite, &subject, clients, seconds).await;
        }
        if let Ok(admin) = std::env::var("GUARANTOR_TEST_POSTGRES_URL") {
            use sqlx::Connection;
            let mut conn = sqlx::PgConnection::connect(&admin)
                .await
                .expect("PostgreSQL");
            let base = admin.rsplit_once('/').map_or(admin.as_str(), |(b, _)| b);
            for subject in [Subject::demo(), Subject::large()] {
                let name = format!(
                    "guarantor_load_{}_{}",
                    std::process::id(),
                    subject.campaign.respondents().len()
                );
                sqlx::query(&format!("CREATE DATABASE {name}"))
                    .execute(&mut conn)
                    .await
                    .expect("create database");
                measure(
                    "PostgreSQL",
                    &format!("{base}/{name}"),
                    &subject,
                    clients,
                    seconds,
                )
                .await;
            }
        } else {
            println!("(PostgreSQL not measured: GUARANTOR_TEST_POSTGRES_URL is not set)");
        }
    });
}
