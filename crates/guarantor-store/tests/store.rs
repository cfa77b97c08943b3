//! The store against real databases: embedded SQLite always, PostgreSQL when
//! `GUARANTOR_TEST_POSTGRES_URL` names a server (`.ci/run` starts one; on CI it is required).
//! Every test runs on each backend with a fresh database.

use guarantor_domain::{Campaign, FileFormat, parse_campaign};
use guarantor_store::{Backend, Store, StoreError};
use sqlx::Connection;

const DEMO: &str = include_str!("../../../examples/demo-campaign.json");
const SMALL: &str = include_str!("../../guarantor-domain/tests/fixtures/small-campaign.toml");

fn demo() -> Campaign {
    parse_campaign(DEMO, FileFormat::Json).expect("demo")
}

fn small() -> Campaign {
    parse_campaign(SMALL, FileFormat::Toml).expect("small fixture")
}

/// A fresh database on each available backend: (label, url, guard keeping a temp dir alive).
async fn databases() -> Vec<(&'static str, String, Option<tempfile::TempDir>)> {
    let dir = tempfile::tempdir().expect("temp dir");
    let sqlite = format!("sqlite://{}", dir.path().join("guarantor.db").display());
    let mut out = vec![("sqlite", sqlite, Some(dir))];
    match std::env::var("GUARANTOR_TEST_POSTGRES_URL") {
        Ok(admin) => out.push(("postgres", fresh_postgres(&admin).await, None)),
        Err(_) => {
            assert!(
                std::env::var_os("CI").is_none(),
                "GUARANTOR_TEST_POSTGRES_URL must name a PostgreSQL server on CI"
            );
            eprintln!("PostgreSQL store tests SKIPPED: GUARANTOR_TEST_POSTGRES_URL is not set");
        }
    }
    out
}

/// Creates an empty database on the server of `admin` and returns its URL.
async fn fresh_postgres(admin: &str) -> String {
    use std::sync::atomic::{AtomicU32, Ordering};
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let name = format!(
        "guarantor_test_{}_{}_{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed),
        chrono::Utc::now().timestamp_micros()
    );
    let mut conn = sqlx::PgConnection::connect(admin)
        .await
        .expect("connect to the PostgreSQL test server");
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&mut conn)
        .await
        .expect("create a test database");
    let base = admin.rsplit_once('/').map_or(admin, |(b, _)| b);
    format!("{base}/{name}")
}

#[tokio::test]
async fn a_campaign_round_trips_byte_for_byte() {
    for (label, url, _guard) in databases().await {
        let store = Store::open(&url)
            .await
            .unwrap_or_else(|e| panic!("{label}: {e}"));
        assert_eq!(
            store.backend(),
            if label == "sqlite" {
                Backend::Sqlite
            } else {
                Backend::Postgres
            }
        );
        store
            .import(&demo(), "cli:test")
            .await
            .expect("import demo");
        store
            .import(&small(), "cli:test")
            .await
            .expect("import small");
        let back = store.export("ua-guarantee-2025").await.expect("export");
        assert_eq!(
            back.to_json(),
            DEMO,
            "{label}: the demo comes back byte for byte"
        );
        assert_eq!(
            store.export("small").await.unwrap().to_json(),
            small().to_json()
        );
        let listed: Vec<String> = store
            .campaigns()
            .await
            .unwrap()
            .into_iter()
            .map(|c| c.id)
            .collect();
        assert_eq!(
            listed,
            vec!["small".to_owned(), "ua-guarantee-2025".to_owned()],
            "{label}"
        );
    }
}

#[tokio::test]
async fn a_second_import_of_the_same_id_is_refused_and_changes_nothing() {
    for (label, url, _guard) in databases().await {
        let store = Store::open(&url).await.unwrap();
        store.import(&small(), "cli:test").await.unwrap();
        let before = store.audit_entries().await.unwrap();
        let err = store.import(&small(), "cli:test").await.unwrap_err();
        assert!(
            matches!(err, StoreError::CampaignExists(ref id) if id == "small"),
            "{label}: {err}"
        );
        assert!(err.to_string().contains("campaign.id"), "{err}");
        assert_eq!(
            store.audit_entries().await.unwrap(),
            before,
            "{label}: nothing appended"
        );
        assert_eq!(
            store.export("small").await.unwrap().to_json(),
            small().to_json()
        );
    }
}

#[tokio::test]
async fn exporting_an_unknown_campaign_names_the_stored_ones() {
    for (label, url, _guard) in databases().await {
        let store = Store::open(&url).await.unwrap();
        let err = store.export("nope").await.unwrap_err();
        assert!(err.to_string().contains("stored: none"), "{label}: {err}");
        store.import(&small(), "cli:test").await.unwrap();
        let err = store.export("nope").await.unwrap_err();
        assert!(err.to_string().contains("stored: small"), "{label}: {err}");
    }
}

#[tokio::test]
async fn the_audit_chain_detects_an_edited_and_a_deleted_row() {
    for (label, url, _guard) in databases().await {
        let store = Store::open(&url).await.unwrap();
        store.import(&small(), "cli:alice").await.unwrap();
        store.import(&demo(), "cli:bob").await.unwrap();
        let mut third = small().to_document();
        third.campaign.id = "small-copy".into();
        let third = guarantor_domain::validate(&third).unwrap();
        store.import(&third, "cli:carol").await.unwrap();
        let report = store.verify_audit().await.unwrap();
        assert!(report.intact(), "{label}: {:?}", report.problems);
        assert_eq!(report.entries, 3);
        let entries = store.audit_entries().await.unwrap();
        assert_eq!(entries[0].actor, "cli:alice");
        assert_eq!(entries[0].action, "campaign.import");
        assert_eq!(report.head, entries[2].hash);

        // Someone edits who did the second import, directly in the database.
        sqlx::query("UPDATE audit_log SET actor = 'cli:mallory' WHERE seq = 2")
            .execute(store.pool())
            .await
            .unwrap();
        let report = store.verify_audit().await.unwrap();
        assert!(!report.intact());
        assert!(
            report
                .problems
                .iter()
                .any(|p| p.starts_with("row 2") && p.contains("edited")),
            "{label}: {:?}",
            report.problems
        );

        // Putting it back restores the chain; deleting the row breaks it again.
        sqlx::query("UPDATE audit_log SET actor = 'cli:bob' WHERE seq = 2")
            .execute(store.pool())
            .await
            .unwrap();
        assert!(store.verify_audit().await.unwrap().intact());
        sqlx::query("DELETE FROM audit_log WHERE seq = 2")
            .execute(store.pool())
            .await
            .unwrap();
        let report = store.verify_audit().await.unwrap();
        assert!(
            report.problems.iter().any(|p| p.contains("missing")),
            "{label}: {:?}",
            report.problems
        );
        assert!(
            report
                .problems
                .iter()
                .any(|p| p.starts_with("row 3") && p.contains("link"))
        );
    }
}

#[tokio::test]
async fn a_campaign_edited_outside_guarantor_is_reported_not_exported() {
    for (label, url, _guard) in databases().await {
        let store = Store::open(&url).await.unwrap();
        store.import(&small(), "cli:test").await.unwrap();
        // A revision pointing at a capability the catalogue does not have.
        sqlx::query("UPDATE revisions SET body = REPLACE(body, '\"battery\"', '\"laser\"') WHERE respondent = 'FRA'")
            .execute(store.pool())
            .await
            .unwrap();
        let err = store.export("small").await.unwrap_err();
        let message = err.to_string();
        assert!(
            message.contains("not valid any more") && message.contains("laser"),
            "{label}: {message}"
        );
    }
}

#[tokio::test]
async fn the_sqlite_file_keeps_its_campaigns_across_opens() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("kept.db").display());
    Store::open(&url)
        .await
        .unwrap()
        .import(&small(), "cli:test")
        .await
        .unwrap();
    let reopened = Store::open(&url).await.expect("migrations are idempotent");
    assert_eq!(
        reopened.export("small").await.unwrap().to_json(),
        small().to_json()
    );
}

#[tokio::test]
async fn an_unsupported_url_is_named() {
    let err = Store::open("mysql://u:secret@host/db").await.unwrap_err();
    let message = err.to_string();
    assert!(message.contains("unsupported database URL"), "{message}");
    assert!(
        !message.contains("secret"),
        "the password is hidden: {message}"
    );
    assert_eq!(
        guarantor_store::redact("postgres://u:pw@h/db"),
        "postgres://u:***@h/db"
    );
}
