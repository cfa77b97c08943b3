//! The store against real databases: embedded SQLite always, PostgreSQL when
//! `GUARANTOR_TEST_POSTGRES_URL` names a server (`.ci/run` starts one; on CI it is required).
//! Every test runs on each backend with a fresh database.

use chrono::{DateTime, TimeZone, Utc};
use guarantor_domain::ids::CountryCode;
use guarantor_domain::{Campaign, FileFormat, parse_campaign};
use guarantor_store::{Backend, DraftContent, Store, StoreError};

mod support {
    pub mod postgres;
}
use support::postgres::fresh_postgres;

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
        Ok(admin) => out.push((
            "postgres",
            fresh_postgres(&admin, "guarantor_test_").await,
            None,
        )),
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

// ---- The proposal lifecycle ----

fn day(d: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 3, d, 12, 0, 0).unwrap()
}

fn offers(json: &str) -> DraftContent {
    serde_json::from_str(json).expect("draft content")
}

const AUT_DRAFT: &str = r#"{"offers": [{"id": "A1", "capability": "training.team", "quantity": 3, "earliest_phase": "P1"}],
    "answers": [{"question": "conditions", "text": "A UN mandate."}]}"#;

#[tokio::test]
async fn a_draft_is_saved_submitted_revised_and_withdrawn() {
    for (label, url, _guard) in databases().await {
        let store = Store::open(&url).await.unwrap();
        store.import(&small(), "cli:test").await.unwrap();
        let aut = store.proposal("small", "AUT").await.unwrap();
        assert_eq!(aut.version, 1, "{label}: imported with a draft");
        assert!(aut.proposal.draft.is_some() && aut.proposal.revisions.is_empty());

        let saved = store
            .save_draft(
                "small",
                "AUT",
                1,
                offers(AUT_DRAFT),
                "invitation:AUT",
                day(1),
            )
            .await
            .unwrap();
        assert_eq!(saved.version, 2);
        let submitted = store
            .submit("small", "AUT", 2, "First answer.", "invitation:AUT", day(2))
            .await
            .unwrap();
        assert_eq!(submitted.version, 3);
        assert!(submitted.proposal.draft.is_none());
        assert_eq!(submitted.proposal.revisions.len(), 1);
        assert_eq!(
            submitted.proposal.revisions[0].submitted_by,
            "invitation:AUT"
        );
        assert_eq!(submitted.proposal.revisions[0].note, "First answer.");

        // The stored campaign now counts AUT's offer: 3 training teams.
        let campaign = store.export("small").await.unwrap();
        let aut = campaign
            .proposal(&CountryCode::parse("AUT").unwrap())
            .unwrap();
        assert_eq!(aut.status(), guarantor_domain::ProposalStatus::Submitted);
        assert_eq!(aut.current().unwrap().offers[0].quantity.get(), 3);

        // A revision, then a withdrawal.
        let v = store
            .save_draft(
                "small",
                "AUT",
                3,
                offers(&AUT_DRAFT.replace("\"quantity\": 3", "\"quantity\": 4")),
                "invitation:AUT",
                day(3),
            )
            .await
            .unwrap()
            .version;
        let revised = store
            .submit("small", "AUT", v, "", "invitation:AUT", day(3))
            .await
            .unwrap();
        assert_eq!(revised.proposal.revisions.len(), 2);
        assert_eq!(
            revised.proposal.revisions[0].offers[0].quantity, 3,
            "revision 1 is kept as it was"
        );
        let withdrawn = store
            .withdraw(
                "small",
                "AUT",
                revised.version,
                "Cabinet decision.",
                "invitation:AUT",
                day(4),
            )
            .await
            .unwrap();
        assert_eq!(
            withdrawn.proposal.withdrawn.as_ref().unwrap().reason,
            "Cabinet decision."
        );
        let campaign = store.export("small").await.unwrap();
        assert_eq!(
            campaign
                .proposal(&CountryCode::parse("AUT").unwrap())
                .unwrap()
                .status(),
            guarantor_domain::ProposalStatus::Withdrawn
        );

        // Every step is in the audit log with the proposal before and after, and the chain holds.
        let entries = store.audit_entries().await.unwrap();
        let actions: Vec<&str> = entries.iter().map(|e| e.action.as_str()).collect();
        assert_eq!(
            actions,
            [
                "campaign.import",
                "proposal.save_draft",
                "proposal.submit",
                "proposal.save_draft",
                "proposal.submit",
                "proposal.withdraw"
            ],
            "{label}"
        );
        assert!(entries[2].before.as_deref().unwrap().contains("\"draft\""));
        assert!(
            entries[2]
                .after
                .as_deref()
                .unwrap()
                .contains("\"revisions\"")
        );
        assert!(store.verify_audit().await.unwrap().intact());
    }
}

#[tokio::test]
async fn two_editors_never_overwrite_each_other() {
    for (label, url, _guard) in databases().await {
        let store = Store::open(&url).await.unwrap();
        store.import(&small(), "cli:test").await.unwrap();
        // Both read version 1; the first save wins, the second is told what changed.
        store
            .save_draft("small", "AUT", 1, offers(AUT_DRAFT), "alice", day(1))
            .await
            .unwrap();
        let err = store
            .save_draft("small", "AUT", 1, DraftContent::default(), "bob", day(1))
            .await
            .unwrap_err();
        match &err {
            StoreError::Conflict {
                expected,
                current,
                last_change,
                ..
            } => {
                assert_eq!((*expected, *current), (1, 2), "{label}");
                assert!(last_change.as_deref().unwrap().contains("alice"), "{err}");
            }
            other => panic!("{label}: expected a conflict, got {other}"),
        }
        let aut = store.proposal("small", "AUT").await.unwrap();
        assert_eq!(
            aut.proposal.draft.as_ref().unwrap().offers.len(),
            1,
            "alice's draft is intact"
        );

        // Eight concurrent saves from version 2: exactly one lands, the others conflict.
        let results = futures_join(&store, 2).await;
        let landed = results.iter().filter(|r| r.is_ok()).count();
        let conflicts = results
            .iter()
            .filter(|r| matches!(r, Err(StoreError::Conflict { .. })))
            .count();
        assert_eq!((landed, conflicts), (1, 7), "{label}: {results:?}");
        assert_eq!(store.proposal("small", "AUT").await.unwrap().version, 3);
        assert!(store.verify_audit().await.unwrap().intact());
    }
}

async fn futures_join(
    store: &Store,
    version: i64,
) -> Vec<Result<guarantor_store::ProposalState, StoreError>> {
    let tasks: Vec<_> = (0..8)
        .map(|i| {
            let store = store.clone();
            tokio::spawn(async move {
                store
                    .save_draft(
                        "small",
                        "AUT",
                        version,
                        offers(AUT_DRAFT),
                        &format!("editor{i}"),
                        day(2),
                    )
                    .await
            })
        })
        .collect();
    let mut out = Vec::new();
    for t in tasks {
        out.push(t.await.expect("task"));
    }
    out
}

#[tokio::test]
async fn an_invalid_draft_is_refused_with_paths_and_nothing_is_stored() {
    for (label, url, _guard) in databases().await {
        let store = Store::open(&url).await.unwrap();
        store.import(&small(), "cli:test").await.unwrap();
        let before = store.audit_entries().await.unwrap().len();
        let bad = offers(
            r#"{"offers": [{"id": "A1", "capability": "laser", "quantity": 2, "earliest_phase": "P7"}]}"#,
        );
        let err = store
            .save_draft("small", "AUT", 1, bad, "invitation:AUT", day(1))
            .await
            .unwrap_err();
        let StoreError::Invalid { problems } = &err else {
            panic!("{label}: expected invalid, got {err}");
        };
        assert!(
            problems
                .iter()
                .any(|p| p.contains("proposals[AUT]") && p.contains("laser")),
            "{problems:?}"
        );
        assert!(problems.iter().any(|p| p.contains("P7")), "{problems:?}");
        assert_eq!(
            store.proposal("small", "AUT").await.unwrap().version,
            1,
            "unchanged"
        );
        assert_eq!(store.audit_entries().await.unwrap().len(), before);
    }
}

#[tokio::test]
async fn submissions_after_the_deadline_wait_for_a_reopening() {
    for (label, url, _guard) in databases().await {
        let store = Store::open(&url).await.unwrap();
        store.import(&small(), "cli:test").await.unwrap();
        let late = Utc.with_ymd_and_hms(2025, 4, 1, 9, 0, 0).unwrap();
        // Drafts may still be saved; submitting is refused until the coordinator reopens.
        let v = store
            .save_draft("small", "AUT", 1, offers(AUT_DRAFT), "invitation:AUT", late)
            .await
            .unwrap()
            .version;
        let err = store
            .submit("small", "AUT", v, "", "invitation:AUT", late)
            .await
            .unwrap_err();
        assert!(
            matches!(err, StoreError::DeadlinePassed { .. }),
            "{label}: {err}"
        );
        assert!(err.to_string().contains("2025-03-07T17:00:00Z"), "{err}");
        store.reopen("small", "coordinator", late).await.unwrap();
        store
            .submit("small", "AUT", v, "", "invitation:AUT", late)
            .await
            .expect("reopened");
    }
}

#[tokio::test]
async fn only_invited_respondents_have_a_proposal() {
    for (label, url, _guard) in databases().await {
        let store = Store::open(&url).await.unwrap();
        store.import(&demo(), "cli:test").await.unwrap();
        for code in ["USA", "XXX"] {
            let err = store.proposal("ua-guarantee-2025", code).await.unwrap_err();
            assert!(
                matches!(err, StoreError::NoSuchRespondent { .. }),
                "{label} {code}: {err}"
            );
        }
        // Cyprus was invited and never started: version 0, then its first draft creates it.
        let cyp = store.proposal("ua-guarantee-2025", "CYP").await.unwrap();
        assert_eq!(cyp.version, 0);
        let draft = offers(
            r#"{"offers": [{"id": "CYP-1", "capability": "medical.role2", "quantity": 1, "earliest_phase": "P1"}]}"#,
        );
        let saved = store
            .save_draft(
                "ua-guarantee-2025",
                "CYP",
                0,
                draft,
                "invitation:CYP",
                day(1),
            )
            .await;
        assert_eq!(saved.unwrap_or_else(|e| panic!("{label}: {e}")).version, 1);
        let campaign = store.export("ua-guarantee-2025").await.unwrap();
        assert_eq!(
            campaign
                .proposal(&CountryCode::parse("CYP").unwrap())
                .unwrap()
                .status(),
            guarantor_domain::ProposalStatus::Draft
        );
    }
}

/// A submission that would leave two capitals each waiting for the other is refused with the
/// cycle, as the whole campaign's validation would refuse it; after an upgrade from a database
/// without the stored commit conditions (filled when the store is opened) too.
#[tokio::test]
async fn a_submission_closing_a_cycle_of_conditions_is_refused() {
    for (label, url, _guard) in databases().await {
        let store = Store::open(&url).await.unwrap();
        store.import(&demo(), "cli:test").await.unwrap();
        store
            .reopen("ua-guarantee-2025", "cli:test", day(1))
            .await
            .unwrap();
        let waiting_for = |me: &str, other: &str| {
            offers(&format!(
                r#"{{"offers": [{{"id": "{me}-W", "capability": "medical.role2", "quantity": 1, "earliest_phase": "P1", "conditions": [{{"if_commits": "{other}"}}]}}]}}"#
            ))
        };
        let submit = |me: &'static str, other: &'static str| {
            let store = store.clone();
            async move {
                let v = store.proposal("ua-guarantee-2025", me).await?.version;
                let saved = store
                    .save_draft(
                        "ua-guarantee-2025",
                        me,
                        v,
                        waiting_for(me, other),
                        "t",
                        day(20),
                    )
                    .await?;
                store
                    .submit("ua-guarantee-2025", me, saved.version, "", "t", day(20))
                    .await
            }
        };
        // GBR now waits for FRA, whose offers stand alone: fine.
        submit("GBR", "FRA")
            .await
            .unwrap_or_else(|e| panic!("{label}: {e}"));
        // FRA waiting for GBR would leave neither able to commit first.
        let err = submit("FRA", "GBR").await.unwrap_err();
        assert!(
            matches!(&err, StoreError::Invalid { problems } if problems.iter().any(|p| p.contains("form a cycle"))),
            "{label}: {err}"
        );
        // The same after an upgrade: the column is filled again when the store is opened.
        sqlx::query("UPDATE proposals SET commits_if = NULL")
            .execute(store.pool())
            .await
            .unwrap();
        let store = Store::open(&url).await.unwrap();
        let v = store
            .proposal("ua-guarantee-2025", "FRA")
            .await
            .unwrap()
            .version;
        let err = store
            .submit("ua-guarantee-2025", "FRA", v, "", "t", day(20))
            .await
            .unwrap_err();
        assert!(
            matches!(&err, StoreError::Invalid { problems } if problems.iter().any(|p| p.contains("form a cycle"))),
            "{label} after reopening: {err}"
        );
    }
}

/// Changes arriving together are written in one transaction, each in its own savepoint: every
/// valid change is stored with its audit row, every refused one leaves nothing, whatever its
/// neighbours in the batch did.
#[tokio::test]
async fn changes_written_together_keep_to_themselves() {
    for (label, url, _guard) in databases().await {
        let store = Store::open(&url).await.unwrap();
        let campaign = demo();
        store.import(&campaign, "cli:test").await.unwrap();
        let codes: Vec<String> = campaign.invited().map(|r| r.code.to_string()).collect();
        let mut tasks = Vec::new();
        for (i, code) in codes.iter().enumerate() {
            let store = store.clone();
            let code = code.clone();
            tasks.push(tokio::spawn(async move {
                let v = store.proposal("ua-guarantee-2025", &code).await.unwrap().version;
                // Every third capital sends a line no rule accepts.
                let capability = if i % 3 == 0 { "death.ray" } else { "medical.role2" };
                let draft = offers(&format!(
                    r#"{{"offers": [{{"id": "{code}-B", "capability": "{capability}", "quantity": 1, "earliest_phase": "P1"}}]}}"#
                ));
                let result = store
                    .save_draft("ua-guarantee-2025", &code, v, draft, "t", day(2))
                    .await;
                (i, code, v, result)
            }));
        }
        for t in tasks {
            let (i, code, v, result) = t.await.unwrap();
            let now = store.proposal("ua-guarantee-2025", &code).await.unwrap();
            if i % 3 == 0 {
                assert!(
                    matches!(&result, Err(StoreError::Invalid { problems }) if problems.iter().any(|p| p.contains("death.ray"))),
                    "{label} {code}: {result:?}"
                );
                assert_eq!(now.version, v, "{label} {code}: nothing stored");
            } else {
                let saved = result.unwrap_or_else(|e| panic!("{label} {code}: {e}"));
                assert_eq!(saved.version, v + 1, "{label} {code}");
                assert_eq!(now, saved, "{label} {code}: stored as answered");
            }
        }
        let report = store.verify_audit().await.unwrap();
        assert!(report.intact(), "{label}: {:?}", report.problems);
        let drafts = store
            .audit_entries()
            .await
            .unwrap()
            .iter()
            .filter(|e| e.action == "proposal.save_draft")
            .count();
        assert_eq!(
            drafts,
            codes.len() - codes.len().div_ceil(3),
            "{label}: one audit row per stored change"
        );
    }
}

/// A proposal read alone (one statement, the setup from its cache) is the proposal as the whole
/// campaign (exported, validated) holds it, for every capital; a setup change is seen at once, also by a second store
/// (another server) whose cache holds the older setup.
#[tokio::test]
async fn a_proposal_read_alone_is_the_proposal_in_its_campaign() {
    for (label, url, _guard) in databases().await {
        let store = Store::open(&url).await.unwrap();
        let other = Store::open(&url).await.unwrap();
        let campaign = demo();
        store.import(&campaign, "cli:test").await.unwrap();
        let whole = store
            .export("ua-guarantee-2025")
            .await
            .unwrap()
            .to_document();
        for r in campaign.invited() {
            let code = r.code.to_string();
            let alone = other.proposal("ua-guarantee-2025", &code).await.unwrap();
            let in_campaign = whole.proposals.iter().find(|p| p.respondent == code);
            match in_campaign {
                Some(p) => assert_eq!(&*alone.proposal, p, "{label} {code}"),
                None => {
                    assert_eq!(alone.version, 0, "{label} {code}");
                    assert!(alone.proposal.revisions.is_empty() && alone.proposal.draft.is_none());
                }
            }
            let (page, setup, _) = store
                .proposal_in_campaign("ua-guarantee-2025", &code)
                .await
                .unwrap();
            assert_eq!(page, alone, "{label} {code}");
            assert_eq!(
                setup.campaign, whole.campaign,
                "{label}: the setup it answers"
            );
        }
        let err = store.proposal("no-such", "FRA").await.unwrap_err();
        assert!(
            matches!(err, StoreError::NoSuchCampaign { ref stored, .. } if stored.contains("ua-guarantee-2025")),
            "{label}: {err}"
        );
        // Cyprus, invited and silent, is no longer invited: both stores refuse it at once.
        let mut setup = campaign.to_document();
        setup.proposals.clear();
        let cyp = setup
            .respondents
            .iter_mut()
            .find(|r| r.code == "CYP")
            .unwrap();
        cyp.invited = false;
        let version = store
            .campaign_state("ua-guarantee-2025")
            .await
            .unwrap()
            .version;
        store
            .update_setup("ua-guarantee-2025", version, setup, "cli:test", day(1))
            .await
            .unwrap_or_else(|e| panic!("{label}: {e}"));
        for s in [&store, &other] {
            let err = s.proposal("ua-guarantee-2025", "CYP").await.unwrap_err();
            assert!(
                matches!(err, StoreError::NoSuchRespondent { .. }),
                "{label}: {err}"
            );
        }
    }
}

// ---- Accounts ----

#[tokio::test]
async fn accounts_sign_in_sessions_expire_and_weak_passwords_are_refused() {
    use guarantor_store::{Principal, Role};
    for (label, url, _guard) in databases().await {
        let store = Store::open(&url).await.unwrap();
        let err = store
            .create_account("dave", Role::DecisionMaker, "short", "cli:test", day(1))
            .await
            .unwrap_err();
        assert!(
            err.to_string().contains("password: must be at least 12"),
            "{label}: {err}"
        );
        store
            .create_account(
                "dave",
                Role::DecisionMaker,
                "a long passphrase",
                "cli:test",
                day(1),
            )
            .await
            .unwrap();
        let err = store
            .create_account(
                "dave",
                Role::Coordinator,
                "another long one",
                "cli:test",
                day(1),
            )
            .await
            .unwrap_err();
        assert!(
            matches!(err, StoreError::AccountExists(_)),
            "{label}: {err}"
        );
        // The stored hash is argon2id, not the password.
        let hash: String =
            sqlx::query_scalar("SELECT password_hash FROM accounts WHERE name = 'dave'")
                .fetch_one(store.pool())
                .await
                .unwrap();
        assert!(hash.starts_with("$argon2id$") && !hash.contains("passphrase"));

        let session = store
            .login("dave", "a long passphrase", day(2))
            .await
            .unwrap();
        assert_eq!(
            store.authenticate(&session.token, day(2)).await.unwrap(),
            Some(Principal::Account {
                name: "dave".into(),
                role: Role::DecisionMaker
            })
        );
        // Eight hours later the session has expired.
        let later = day(2)
            + chrono::Duration::hours(guarantor_store::SESSION_HOURS)
            + chrono::Duration::minutes(1);
        assert_eq!(
            store.authenticate(&session.token, later).await.unwrap(),
            None
        );
        // Wrong passwords and unknown names get the same answer.
        assert!(matches!(
            store.login("dave", "not the passphrase", day(3)).await,
            Err(StoreError::BadCredentials)
        ));
        assert!(matches!(
            store.login("nobody", "a long passphrase", day(3)).await,
            Err(StoreError::BadCredentials)
        ));
        // Logging out ends the session at once.
        let s = store
            .login("dave", "a long passphrase", day(3))
            .await
            .unwrap();
        assert!(store.logout(&s.token, day(3)).await.unwrap());
        assert_eq!(store.authenticate(&s.token, day(3)).await.unwrap(), None);
        assert!(store.verify_audit().await.unwrap().intact());
    }
}

/// A test audit key (64 hexadecimal digits).
fn audit_key() -> guarantor_store::AuditKey {
    guarantor_store::AuditKey::parse(&"5a".repeat(32)).unwrap()
}

/// Another fresh database on backend `label` (a test that needs several).
async fn fresh_database(label: &str) -> (String, Option<tempfile::TempDir>) {
    if label == "postgres" {
        let admin = std::env::var("GUARANTOR_TEST_POSTGRES_URL").expect("set for postgres");
        (fresh_postgres(&admin, "guarantor_test_").await, None)
    } else {
        let dir = tempfile::tempdir().expect("temp dir");
        let url = format!("sqlite://{}", dir.path().join("guarantor.db").display());
        (url, Some(dir))
    }
}

/// A sealed store with some history: the small campaign imported, AUT's draft saved and
/// submitted, an invitation created.
async fn sealed_with_history(url: &str) -> Store {
    let store = Store::open(url).await.unwrap().with_audit_key(audit_key());
    store.import(&small(), "cli:alice").await.unwrap();
    store
        .save_draft(
            "small",
            "AUT",
            1,
            offers(AUT_DRAFT),
            "invitation:AUT",
            day(1),
        )
        .await
        .unwrap();
    store
        .submit("small", "AUT", 2, "First answer.", "invitation:AUT", day(2))
        .await
        .unwrap();
    store
        .invite("small", "DEU", day(20), "cli:alice", day(3))
        .await
        .unwrap();
    let report = store.verify_audit().await.unwrap();
    assert!(report.intact(), "{:?}", report.problems);
    assert!(report.unchecked.is_empty(), "{:?}", report.unchecked);
    store
}

async fn run(store: &Store, sql: &str) {
    sqlx::query(sql).execute(store.pool()).await.unwrap();
}

/// The hash of an audit row as the store computes it (docs/storage.md): what someone who
/// rewrites the log outside Guarantor would recompute.
fn row_hash(e: &guarantor_store::AuditEntry, prev: &str) -> String {
    use sha2::Digest as _;
    let mut fields = vec![
        e.seq.to_string(),
        e.at.clone(),
        e.actor.clone(),
        e.action.clone(),
        e.campaign_id.clone().unwrap_or_default(),
        e.subject.clone(),
        e.before.clone().unwrap_or_default(),
        e.after.clone().unwrap_or_default(),
        prev.to_owned(),
    ];
    fields.extend(e.state_hash.clone());
    sha2::Sha256::digest(serde_json::to_string(&fields).unwrap().as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Every direct edit of stored data that once passed `audit verify` is now detected: a
/// revision's quantity, who submitted it, a deleted revision, a draft, the deadline, a forged
/// withdrawal (issue: six edits passed with exit 0).
#[tokio::test]
async fn audit_verify_detects_stored_data_edited_outside_guarantor() {
    let edits = [
        (
            "a revision's quantity",
            "UPDATE revisions SET body = REPLACE(body, '\"quantity\":3', '\"quantity\":30') WHERE respondent = 'AUT'",
        ),
        (
            "who submitted it",
            "UPDATE revisions SET submitted_by = 'invitation:FRA' WHERE respondent = 'AUT'",
        ),
        (
            "a deleted revision",
            "DELETE FROM revisions WHERE respondent = 'FRA' AND number = 2",
        ),
        (
            "a draft",
            "UPDATE proposals SET draft = '{\"offers\":[]}' WHERE respondent = 'DEU'",
        ),
        (
            "the deadline",
            "UPDATE campaigns SET document = REPLACE(document, '2025-03-07T17:00:00Z', '2031-03-07T17:00:00Z')",
        ),
        (
            "a proposal added",
            "INSERT INTO proposals (campaign_id, respondent, position, draft, withdrawn, version) VALUES ('small', 'ZZZ', 9, NULL, NULL, 1)",
        ),
        (
            "an invitation added",
            "INSERT INTO invitations (token_hash, campaign_id, respondent, created_at, created_by, expires_at) VALUES ('forged', 'small', 'AUT', '2025-03-01T00:00:00Z', 'x', '2035-03-01T00:00:00Z')",
        ),
        (
            "a forged withdrawal",
            "UPDATE proposals SET withdrawn = '{\"at\":\"2025-03-04T00:00:00Z\",\"by\":\"invitation:DEU\",\"reason\":\"forged\"}' WHERE respondent = 'DEU'",
        ),
    ];
    for (what, sql) in edits {
        for (label, url, _guard) in databases().await {
            let store = sealed_with_history(&url).await;
            let before = store.verify_audit().await.unwrap();
            run(&store, sql).await;
            let report = store.verify_audit().await.unwrap();
            assert!(
                !report.intact(),
                "{label}: {what} was not detected ({before:?})"
            );
            assert!(
                report
                    .problems
                    .iter()
                    .any(|p| p.contains("campaign small") && p.contains("edited outside Guarantor")),
                "{label}: {what}: {:?}",
                report.problems
            );
        }
    }
}

/// Edits of the log itself that once passed: cutting the newest rows or every row, re-hashing
/// the chain after an edit, appending a forged row with a correct hash. Each is detected (the
/// last two by the seals); a checkpoint kept elsewhere names a cut too.
#[tokio::test]
async fn audit_verify_detects_a_cut_rewritten_or_extended_log() {
    for (label, _, _guard) in databases().await {
        // The newest row cut: the data no longer matches the last row about it, and the
        // checkpoint taken before names the missing row.
        let (url, _fresh) = fresh_database(label).await;
        let store = sealed_with_history(&url).await;
        let checkpoint = store.audit_checkpoint().await.unwrap().expect("a key");
        assert!(
            store
                .verify_audit_against(std::slice::from_ref(&checkpoint))
                .await
                .unwrap()
                .intact()
        );
        run(
            &store,
            "DELETE FROM audit_log WHERE seq = (SELECT MAX(seq) FROM audit_log)",
        )
        .await;
        let report = store
            .verify_audit_against(std::slice::from_ref(&checkpoint))
            .await
            .unwrap();
        assert!(
            report
                .problems
                .iter()
                .any(|p| p.contains("edited outside Guarantor")),
            "{label}: {:?}",
            report.problems
        );
        assert!(
            report
                .problems
                .iter()
                .any(|p| p.contains("newest rows were cut off")),
            "{label}: {:?}",
            report.problems
        );

        // The newest three rows cut.
        let (url, _fresh) = fresh_database(label).await;
        let store = sealed_with_history(&url).await;
        run(
            &store,
            "DELETE FROM audit_log WHERE seq > (SELECT MAX(seq) - 3 FROM audit_log)",
        )
        .await;
        assert!(
            !store.verify_audit().await.unwrap().intact(),
            "{label}: three cut"
        );

        // Every row cut.
        let (url, _fresh) = fresh_database(label).await;
        let store = sealed_with_history(&url).await;
        run(&store, "DELETE FROM audit_log").await;
        let report = store.verify_audit().await.unwrap();
        assert!(
            report
                .problems
                .iter()
                .any(|p| p.contains("never recorded it")),
            "{label}: {:?}",
            report.problems
        );

        // An edit, then every later hash recomputed so the chain holds again: the seals break.
        let (url, _fresh) = fresh_database(label).await;
        let store = sealed_with_history(&url).await;
        run(
            &store,
            "UPDATE audit_log SET actor = 'cli:mallory' WHERE seq = 2",
        )
        .await;
        let mut prev = "0".repeat(64);
        for e in store.audit_entries().await.unwrap() {
            let h = row_hash(&e, &prev);
            sqlx::query("UPDATE audit_log SET prev_hash = $1, hash = $2 WHERE seq = $3")
                .bind(&prev)
                .bind(&h)
                .bind(e.seq)
                .execute(store.pool())
                .await
                .unwrap();
            prev = h;
        }
        let unsealed = Store::open(&url).await.unwrap();
        assert!(
            unsealed.verify_audit().await.unwrap().problems.is_empty(),
            "{label}: without the key a consistent rewrite passes (documented)"
        );
        let report = store.verify_audit().await.unwrap();
        assert!(
            report
                .problems
                .iter()
                .any(|p| p.starts_with("row 2") && p.contains("seal")),
            "{label}: {:?}",
            report.problems
        );

        // A forged row appended with a correct hash and the current state: not sealed.
        let (url, _fresh) = fresh_database(label).await;
        let store = sealed_with_history(&url).await;
        let entries = store.audit_entries().await.unwrap();
        let last = entries.last().unwrap();
        let mut forged = last.clone();
        forged.seq = last.seq + 1;
        forged.action = "proposal.withdraw".into();
        forged.actor = "invitation:DEU".into();
        forged.prev_hash = last.hash.clone();
        forged.hash = row_hash(&forged, &last.hash);
        sqlx::query(
            "INSERT INTO audit_log (seq, at, actor, action, campaign_id, subject, before_state, after_state, prev_hash, hash, state_hash) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        )
        .bind(forged.seq)
        .bind(&forged.at)
        .bind(&forged.actor)
        .bind(&forged.action)
        .bind(&forged.campaign_id)
        .bind(&forged.subject)
        .bind(&forged.before)
        .bind(&forged.after)
        .bind(&forged.prev_hash)
        .bind(&forged.hash)
        .bind(&forged.state_hash)
        .execute(store.pool())
        .await
        .unwrap();
        let report = store.verify_audit().await.unwrap();
        assert!(
            report
                .problems
                .iter()
                .any(|p| p.contains(&format!("row {}", forged.seq)) && p.contains("not sealed")),
            "{label}: {:?}",
            report.problems
        );
    }
}

/// Credentials have a lifecycle: API tokens expire and are listed (never the secret) and
/// revoked by id; accounts are disabled (sessions end at once) and enabled; a password is
/// changed only with the current one, and every session ends. Every step is audited.
#[tokio::test]
async fn tokens_expire_and_are_revoked_accounts_are_disabled_and_passwords_changed() {
    use guarantor_store::{Principal, Role};
    for (label, url, _guard) in databases().await {
        let store = Store::open(&url).await.unwrap();
        let token = store
            .create_api_token_for("report", Role::DecisionMaker, 30, "cli:test", day(1))
            .await
            .unwrap();
        let err = store
            .create_api_token_for("forever", Role::Coordinator, 0, "cli:test", day(1))
            .await
            .unwrap_err();
        assert!(
            err.to_string().contains("expires_in_days"),
            "{label}: {err}"
        );
        let later = |days: i64| day(1) + chrono::Duration::days(days);
        assert!(
            store
                .authenticate(&token, later(29))
                .await
                .unwrap()
                .is_some()
        );
        assert!(
            store
                .authenticate(&token, later(31))
                .await
                .unwrap()
                .is_none(),
            "{label}: expired after 30 days"
        );
        let listed = store.api_tokens().await.unwrap();
        assert_eq!(listed.len(), 1);
        let id = listed[0].id.clone();
        assert_eq!(id.len(), 12);
        let text = serde_json::to_string(&listed).unwrap();
        assert!(
            !text.contains(&token),
            "{label}: the secret is never listed"
        );
        assert!(
            listed[0]
                .expires_at
                .as_deref()
                .unwrap()
                .starts_with("2025-03-31")
        );
        assert!(
            store
                .revoke_api_token(&id, "cli:test", day(2))
                .await
                .unwrap()
        );
        assert!(store.authenticate(&token, day(2)).await.unwrap().is_none());
        assert!(
            !store
                .revoke_api_token(&id, "cli:test", day(2))
                .await
                .unwrap()
        );
        assert!(store.api_tokens().await.unwrap()[0].revoked_at.is_some());

        store
            .create_account(
                "erin",
                Role::Coordinator,
                "a long passphrase",
                "cli:test",
                day(1),
            )
            .await
            .unwrap();
        let session = store
            .login("erin", "a long passphrase", day(2))
            .await
            .unwrap();
        store
            .set_account_disabled("erin", true, "cli:test", day(2))
            .await
            .unwrap();
        assert!(
            store
                .authenticate(&session.token, day(2))
                .await
                .unwrap()
                .is_none(),
            "{label}: a disabled account's session ends"
        );
        assert!(
            store
                .login("erin", "a long passphrase", day(2))
                .await
                .is_err()
        );
        store
            .set_account_disabled("erin", false, "cli:test", day(3))
            .await
            .unwrap();
        let session = store
            .login("erin", "a long passphrase", day(3))
            .await
            .unwrap();
        assert!(matches!(
            store
                .change_password("erin", "not the password", "a new passphrase", day(3))
                .await,
            Err(StoreError::BadCredentials)
        ));
        store
            .change_password("erin", "a long passphrase", "a new passphrase", day(3))
            .await
            .unwrap();
        assert!(
            store
                .authenticate(&session.token, day(3))
                .await
                .unwrap()
                .is_none()
        );
        assert!(
            store
                .login("erin", "a long passphrase", day(3))
                .await
                .is_err()
        );
        let fresh = store
            .login("erin", "a new passphrase", day(3))
            .await
            .unwrap();
        assert!(matches!(
            store.authenticate(&fresh.token, day(3)).await.unwrap(),
            Some(Principal::Account { .. })
        ));
        assert!(matches!(
            store
                .set_account_disabled("nobody", true, "cli:test", day(3))
                .await,
            Err(StoreError::NoSuchAccount(_))
        ));

        let actions: Vec<String> = store
            .audit_entries()
            .await
            .unwrap()
            .into_iter()
            .map(|e| e.action)
            .collect();
        for a in [
            "token.create",
            "token.revoke",
            "account.disable",
            "account.enable",
            "account.password",
        ] {
            assert!(
                actions.iter().any(|x| x == a),
                "{label}: {a} in {actions:?}"
            );
        }
        let report = store.verify_audit().await.unwrap();
        assert!(report.intact(), "{label}: {:?}", report.problems);
    }
}

/// Two handles on one database stand for two processes (the CLI and the server, or two servers
/// on one PostgreSQL): each serves reads from its own memory, and each read still sees every
/// write committed before it, by either handle or by SQL from outside.
#[tokio::test]
async fn reads_served_from_memory_see_every_write_made_before_them() {
    use guarantor_store::Role;
    for (label, url, _guard) in databases().await {
        let server = Store::open(&url).await.unwrap();
        let cli = Store::open(&url).await.unwrap();
        cli.import(&small(), "cli:test").await.unwrap();
        let token = cli
            .create_api_token_for("report", Role::DecisionMaker, 30, "cli:test", day(1))
            .await
            .unwrap();
        let invitation = cli
            .invite("small", "AUT", day(20), "cli:test", day(1))
            .await
            .unwrap();
        // Read twice, so that the second is served from memory.
        for _ in 0..2 {
            assert_eq!(server.proposal("small", "AUT").await.unwrap().version, 1);
            assert!(server.authenticate(&token, day(2)).await.unwrap().is_some());
            assert!(
                server
                    .authenticate(&invitation, day(2))
                    .await
                    .unwrap()
                    .is_some()
            );
        }

        // A change by the other handle.
        cli.save_draft(
            "small",
            "AUT",
            1,
            offers(AUT_DRAFT),
            "invitation:AUT",
            day(2),
        )
        .await
        .unwrap();
        let read = server.proposal("small", "AUT").await.unwrap();
        assert_eq!(
            read.version, 2,
            "{label}: the draft saved elsewhere is read"
        );
        assert_eq!(read, cli.proposal("small", "AUT").await.unwrap());

        // A token revoked elsewhere stops working at once; an expiry passes though cached.
        let id = cli.api_tokens().await.unwrap()[0].id.clone();
        cli.revoke_api_token(&id, "cli:test", day(3)).await.unwrap();
        assert!(
            server.authenticate(&token, day(3)).await.unwrap().is_none(),
            "{label}: revoked elsewhere"
        );
        assert!(
            server
                .authenticate(&invitation, day(21))
                .await
                .unwrap()
                .is_none(),
            "{label}: the invitation expired on day 20"
        );

        // An invitation revoked elsewhere, a setup replaced elsewhere.
        assert!(
            server
                .authenticate(&invitation, day(3))
                .await
                .unwrap()
                .is_some()
        );
        cli.revoke_invitation("small", "AUT", "cli:test", day(3))
            .await
            .unwrap();
        assert!(
            server
                .authenticate(&invitation, day(3))
                .await
                .unwrap()
                .is_none(),
            "{label}: invitation revoked elsewhere"
        );
        let (_, setup, _) = server.proposal_in_campaign("small", "AUT").await.unwrap();
        let mut changed = setup.clone();
        changed.campaign.title = "Retitled elsewhere".into();
        let version = cli.campaign_state("small").await.unwrap().version;
        cli.update_setup("small", version, changed, "cli:test", day(4))
            .await
            .unwrap();
        let (_, setup, _) = server.proposal_in_campaign("small", "AUT").await.unwrap();
        assert_eq!(setup.campaign.title, "Retitled elsewhere", "{label}");
    }
}

/// The proposal writer keeps each campaign's commit conditions between batches; a submission
/// made meanwhile by another process (a second handle) still counts in the cycle check.
#[tokio::test]
async fn a_cycle_closed_across_two_processes_is_refused() {
    for (label, url, _guard) in databases().await {
        let here = Store::open(&url).await.unwrap();
        let there = Store::open(&url).await.unwrap();
        here.import(&demo(), "cli:test").await.unwrap();
        here.reopen("ua-guarantee-2025", "cli:test", day(1))
            .await
            .unwrap();
        let submit = |store: &Store, me: &'static str, other: &'static str| {
            let store = store.clone();
            async move {
                let v = store.proposal("ua-guarantee-2025", me).await?.version;
                let draft = offers(&format!(
                    r#"{{"offers": [{{"id": "{me}-W", "capability": "medical.role2", "quantity": 1, "earliest_phase": "P1", "conditions": [{{"if_commits": "{other}"}}]}}]}}"#
                ));
                let saved = store
                    .save_draft("ua-guarantee-2025", me, v, draft, "t", day(20))
                    .await?;
                store
                    .submit("ua-guarantee-2025", me, saved.version, "", "t", day(20))
                    .await
            }
        };
        submit(&here, "GBR", "FRA").await.unwrap();
        submit(&there, "FRA", "ITA").await.unwrap();
        let err = submit(&here, "ITA", "GBR").await.unwrap_err();
        assert!(
            matches!(&err, StoreError::Invalid { problems } if problems.iter().any(|p| p.contains("form a cycle"))),
            "{label}: GBR -> FRA (here), FRA -> ITA (there), ITA -> GBR (here): {err}"
        );
    }
}
