//! The JSON API: isolation, roles, concurrency, bad input, OpenAPI, accounts.

use super::*;

/// docs/api.md's route table lists exactly the routes the server serves (plus the two it serves
/// outside the lists: health and the OpenAPI document), each once.
#[test]
fn docs_list_every_route() {
    let text = include_str!("../../../../docs/api.md");
    let documented: Vec<String> = text
        .lines()
        .filter_map(|l| {
            let cell = l.strip_prefix("| `")?.split('`').next()?;
            let (method, path) = cell.split_once(' ')?;
            (path.starts_with("/api/") && method.chars().all(|c| c.is_ascii_uppercase()))
                .then(|| format!("{method} {path}"))
        })
        .collect();
    let mut served: Vec<String> = guarantor_server::api_routes()
        .map(|r| format!("{} {}", r.method, r.path))
        .chain([
            "GET /api/health".to_owned(),
            "GET /api/openapi.json".to_owned(),
        ])
        .collect();
    let mut listed = documented.clone();
    listed.sort();
    listed.dedup();
    assert_eq!(listed.len(), documented.len(), "a route is listed twice");
    served.sort();
    assert_eq!(listed, served, "docs/api.md and the served routes differ");
}

#[tokio::test]
async fn a_capital_reaches_only_its_own_proposal_on_every_route() {
    for app in spawn_apps().await {
        let fra = app.with_demo_and_invitation("FRA").await;
        let deu = app.invite("DEU").await;
        // Its own proposal: readable, with an ETag.
        let (status, body, etag) = app
            .call(
                Method::GET,
                &format!("/api/campaigns/{CAMPAIGN}/proposals/FRA"),
                Some(&fra),
                None,
                None,
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{}: {body}", app.label);
        assert_eq!(body["respondent"], "FRA");
        assert!(etag.unwrap().starts_with("\"v"));
        // Every route of the OpenAPI document, with another capital, another campaign, or an
        // unknown capital.
        for (m, path) in documented_routes(&app, false).await {
            let (m, path) = (m.as_str(), path.as_str());
            for (campaign, respondent) in [
                (CAMPAIGN, "DEU"),
                ("other-campaign", "FRA"),
                (CAMPAIGN, "XXX"),
            ] {
                let p = fill(path, campaign, respondent);
                let (status, body, _) = app
                    .call(method(m), &p, Some(&fra), Some(json!({})), Some("\"v1\""))
                    .await;
                // The one thing of its campaign that is not another capital's: the questions.
                if path.ends_with("/questionnaire") && campaign == CAMPAIGN {
                    assert_eq!(status, StatusCode::OK, "{}: {p}", app.label);
                    continue;
                }
                let body: String = body.to_string().chars().take(300).collect();
                assert!(
                    status == StatusCode::NOT_FOUND || status == StatusCode::FORBIDDEN,
                    "{}: FRA's token on {m} {p} got {status} {body}",
                    app.label
                );
            }
        }
        // And DEU's own proposal is untouched: still what the demo says.
        let (status, body, etag) = app
            .call(
                Method::GET,
                &format!("/api/campaigns/{CAMPAIGN}/proposals/DEU"),
                Some(&deu),
                None,
                None,
            )
            .await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(etag.as_deref(), Some("\"v1\""), "{}: {body}", app.label);
    }
}

#[tokio::test]
async fn tokens_decide_what_a_caller_may_do() {
    for app in spawn_apps().await {
        let fra = app.with_demo_and_invitation("FRA").await;
        // No token, a wrong token: 401.
        let (status, body, _) = app
            .call(Method::GET, "/api/campaigns", None, None, None)
            .await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
        assert_eq!(body["error"]["code"], "unauthenticated");
        let (status, _, _) = app
            .call(Method::GET, "/api/campaigns", Some("0123"), None, None)
            .await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        // A decision maker reads everything and changes nothing.
        let (status, body, _) = app
            .call(
                Method::GET,
                "/api/campaigns",
                Some(&app.decision_maker),
                None,
                None,
            )
            .await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(body[0]["id"], CAMPAIGN, "{}", app.label);
        let (status, body, _) = app
            .call(
                Method::GET,
                &format!("/api/campaigns/{CAMPAIGN}/assessment"),
                Some(&app.decision_maker),
                None,
                None,
            )
            .await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(body["response_counts"]["invited"], 32);
        let (status, _, _) = app
            .call(
                Method::PUT,
                &format!("/api/campaigns/{CAMPAIGN}/proposals/FRA/draft"),
                Some(&app.decision_maker),
                Some(json!({})),
                Some("\"v1\""),
            )
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        // A capital sees its questionnaire without anyone's proposals.
        let (status, body, _) = app
            .call(
                Method::GET,
                &format!("/api/campaigns/{CAMPAIGN}/questionnaire"),
                Some(&fra),
                None,
                None,
            )
            .await;
        assert_eq!(status, StatusCode::OK);
        // Exactly what docs/api.md lists, nothing else: no proposals, no scenarios, and the
        // other capitals by code and name only.
        // Sorted: whether serde_json keeps insertion order depends on features other crates
        // of the workspace turn on.
        let mut keys: Vec<&str> = body
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        keys.sort_unstable();
        assert_eq!(
            keys,
            [
                "campaign",
                "catalogue",
                "facts",
                "phases",
                "questionnaire",
                "requirements",
                "respondents",
                "sectors",
                "submissions"
            ],
            "{}",
            app.label
        );
        assert!(!body["catalogue"].as_array().unwrap().is_empty());
        // The demo's deadline has passed and nobody reopened it: the capital is told before
        // it tries.
        assert_eq!(
            body["submissions"],
            json!({"open": false, "state": "by_deadline", "says": "closed: the deadline has passed"}),
            "{}",
            app.label
        );
        let respondents = body["respondents"].as_array().unwrap();
        assert_eq!(respondents.len(), 32, "the invited capitals only");
        for r in respondents {
            let mut fields: Vec<&str> = r.as_object().unwrap().keys().map(String::as_str).collect();
            fields.sort_unstable();
            assert_eq!(fields, ["code", "name"], "{r}");
        }
        let text = body.to_string();
        for secret in [
            "gdp_usd_bn",
            "troop_ceiling",
            "excluded_contributors",
            "memberships",
        ] {
            assert!(!text.contains(secret), "{secret} leaked");
        }
        // A revoked invitation stops working.
        let (status, _, _) = app
            .call(
                Method::DELETE,
                &format!("/api/campaigns/{CAMPAIGN}/invitations/FRA"),
                Some(&app.coordinator),
                None,
                None,
            )
            .await;
        assert_eq!(status, StatusCode::NO_CONTENT);
        let (status, _, _) = app
            .call(
                Method::GET,
                &format!("/api/campaigns/{CAMPAIGN}/proposals/FRA"),
                Some(&fra),
                None,
                None,
            )
            .await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{}", app.label);
    }
}

const CYP_DRAFT: &str = r#"{"offers": [{"id": "CYP-1", "capability": "medical.role2", "quantity": 1, "earliest_phase": "P1"}]}"#;

/// The coordinator opens and closes submissions explicitly, a new deadline replaces either, the
/// capital sees where they stand, and each step is in the audit log.
#[tokio::test]
async fn the_coordinator_closes_and_reopens_submissions() {
    for app in spawn_apps().await {
        let cyp = app.with_demo_and_invitation("CYP").await;
        let base = format!("/api/campaigns/{CAMPAIGN}");
        let post = |path: String, token: String| {
            let app = &app;
            async move {
                app.call(Method::POST, &path, Some(&token), None, None)
                    .await
            }
        };
        let state = || async {
            let (_, body, _) = app
                .call(
                    Method::GET,
                    &format!("{base}/questionnaire"),
                    Some(&cyp),
                    None,
                    None,
                )
                .await;
            body["submissions"]["state"].as_str().unwrap().to_owned()
        };
        // A draft, then submit through the states.
        let draft: Value = serde_json::from_str(CYP_DRAFT).unwrap();
        let proposal = format!("{base}/proposals/CYP");
        let (status, _, _) = app
            .call(
                Method::PUT,
                &format!("{proposal}/draft"),
                Some(&cyp),
                Some(draft),
                Some("\"v0\""),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{}", app.label);
        let submit = |v: &'static str| {
            let (app, path, cyp) = (&app, format!("{proposal}/submit"), cyp.clone());
            async move {
                app.call(Method::POST, &path, Some(&cyp), None, Some(v))
                    .await
            }
        };
        // Only the coordinator closes: a capital gets 404, a decision maker 403.
        let (status, _, _) = post(format!("{base}/close"), cyp.clone()).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let (status, _, _) = post(format!("{base}/close"), app.coordinator.clone()).await;
        assert_eq!(status, StatusCode::NO_CONTENT, "{}", app.label);
        assert_eq!(state().await, "closed");
        let (status, body, _) = submit("\"v1\"").await;
        assert_eq!(status, StatusCode::CONFLICT, "{body}");
        assert_eq!(body["error"]["code"], "submissions_closed", "{body}");
        // Reopened: the submission goes through although the deadline has passed.
        let (status, _, _) = post(format!("{base}/reopen"), app.coordinator.clone()).await;
        assert_eq!(status, StatusCode::NO_CONTENT);
        assert_eq!(state().await, "reopened");
        let (status, body, _) = submit("\"v1\"").await;
        assert_eq!(status, StatusCode::OK, "{}: {body}", app.label);
        // A new deadline, in the past, replaces the reopening: closed again (it used to stay
        // reopened for ever).
        let (_, doc, etag) = app
            .call(Method::GET, &base, Some(&app.coordinator), None, None)
            .await;
        let mut setup = doc.clone();
        setup["proposals"] = json!([]);
        setup["campaign"]["deadline"] = json!("2025-04-01T17:00:00Z");
        let (status, body, _) = app
            .call(
                Method::PUT,
                &format!("{base}/setup"),
                Some(&app.coordinator),
                Some(setup),
                etag.as_deref(),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{}: {body}", app.label);
        assert_eq!(state().await, "by_deadline");
        let (status, _, _) = app
            .call(
                Method::PUT,
                &format!("{proposal}/draft"),
                Some(&cyp),
                Some(serde_json::from_str(CYP_DRAFT).unwrap()),
                Some("\"v2\""),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "drafts are always accepted");
        let (status, body, _) = submit("\"v3\"").await;
        assert_eq!(
            body["error"]["code"], "deadline_passed",
            "{}: {status} {body}",
            app.label
        );
        // Each step is audited.
        let (_, log, _) = app
            .call(
                Method::GET,
                "/api/audit/verify",
                Some(&app.coordinator),
                None,
                None,
            )
            .await;
        assert_eq!(log["problems"], json!([]), "{log}");
    }
}

#[tokio::test]
async fn conflicting_edits_get_412_and_no_update_is_lost() {
    for app in spawn_apps().await {
        let cyp = app.with_demo_and_invitation("CYP").await;
        let path = format!("/api/campaigns/{CAMPAIGN}/proposals/CYP/draft");
        let draft: Value = serde_json::from_str(CYP_DRAFT).unwrap();
        // Without If-Match: 428.
        let (status, body, _) = app
            .call(Method::PUT, &path, Some(&cyp), Some(draft.clone()), None)
            .await;
        assert_eq!(status, StatusCode::PRECONDITION_REQUIRED, "{body}");
        // The capital and the coordinator both read version 0; the first save wins.
        let (status, body, etag) = app
            .call(
                Method::PUT,
                &path,
                Some(&cyp),
                Some(draft.clone()),
                Some("\"v0\""),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{}: {body}", app.label);
        assert_eq!(etag.as_deref(), Some("\"v1\""));
        let (status, body, _) = app
            .call(
                Method::PUT,
                &path,
                Some(&app.coordinator),
                Some(json!({"offers": []})),
                Some("\"v0\""),
            )
            .await;
        assert_eq!(status, StatusCode::PRECONDITION_FAILED, "{body}");
        assert_eq!(body["error"]["current_etag"], "\"v1\"");
        assert!(
            body["error"]["message"]
                .as_str()
                .unwrap()
                .contains("invitation:"),
            "{body}"
        );
        // The first save is intact; a submit with the right version makes revision 1.
        let (status, body, _) = app
            .call(
                Method::POST,
                &format!("/api/campaigns/{CAMPAIGN}/proposals/CYP/submit"),
                Some(&cyp),
                Some(json!({"note": "Our offer."})),
                Some("\"v1\""),
            )
            .await;
        // The demo's deadline is in the past: submissions wait for the coordinator to reopen.
        assert_eq!(status, StatusCode::CONFLICT, "{body}");
        assert_eq!(body["error"]["code"], "deadline_passed");
        let (status, body, _) = app
            .call(
                Method::GET,
                &format!("/api/campaigns/{CAMPAIGN}/proposals/CYP"),
                Some(&cyp),
                None,
                None,
            )
            .await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(
            body["proposal"]["draft"]["offers"][0]["id"], "CYP-1",
            "{}",
            app.label
        );
    }
}

#[tokio::test]
async fn bad_input_is_a_clear_4xx_and_nothing_is_stored() {
    for app in spawn_apps().await {
        let cyp = app.with_demo_and_invitation("CYP").await;
        let path = format!("/api/campaigns/{CAMPAIGN}/proposals/CYP/draft");
        let send_raw = |body: Vec<u8>| {
            app.client
                .put(app.url(&path))
                .bearer_auth(&cyp)
                .header("If-Match", "\"v0\"")
                .header("Content-Type", "application/json")
                .body(body)
                .send()
        };
        // Malformed JSON.
        let resp = send_raw(b"{\"offers\": [".to_vec()).await.unwrap();
        assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
        let body: Value = resp.json().await.unwrap();
        assert_eq!(body["error"]["code"], "malformed");
        // Wrong type, unknown field, negative quantity, unknown capability: 422 with the path.
        let cases = [
            (json!({"offers": "many"}), "offers"),
            (json!({"offers": [], "colour": "blue"}), "colour"),
            (
                json!({"offers": [{"id": "C1", "capability": "medical.role2", "quantity": -2, "earliest_phase": "P1"}]}),
                "quantity",
            ),
            (
                json!({"offers": [{"id": "C1", "capability": "death.ray", "quantity": 2, "earliest_phase": "P1"}]}),
                "death.ray",
            ),
            // Beyond the realistic bounds (a line of 2^31 units once failed the options for
            // everyone).
            (
                json!({"offers": [{"id": "C1", "capability": "medical.role2", "quantity": 2_147_483_648_i64, "earliest_phase": "P1"}]}),
                "at most 1,000,000 units",
            ),
            (
                json!({"offers": [{"id": "C1", "capability": "medical.role2", "quantity": 1, "earliest_phase": "P1", "cost_per_unit_year": {"amount_m": 5_000_000.0, "currency": "EUR"}}]}),
                "largest accepted amount",
            ),
        ];
        for (body, mentions) in cases {
            let (status, answer, _) = app
                .call(
                    Method::PUT,
                    &path,
                    Some(&cyp),
                    Some(body.clone()),
                    Some("\"v0\""),
                )
                .await;
            assert_eq!(
                status,
                StatusCode::UNPROCESSABLE_ENTITY,
                "{}: {body} → {answer}",
                app.label
            );
            let problems = answer["error"]["problems"].to_string();
            assert!(problems.contains(mentions), "{body} → {answer}");
        }
        // A body over the limit.
        let huge = format!(
            "{{\"offers\": [], \"x\": \"{}\"}}",
            "a".repeat(guarantor_server::BODY_LIMIT + 10)
        );
        let resp = send_raw(huge.into_bytes()).await.unwrap();
        assert_eq!(
            resp.status(),
            StatusCode::PAYLOAD_TOO_LARGE,
            "{}",
            app.label
        );
        let body: Value = resp.json().await.expect("every API error is JSON");
        assert_eq!(body["error"]["code"], "too_large");
        // A method the path does not take: 405 in JSON too, with Allow.
        let resp = app
            .client
            .delete(app.url(&path))
            .bearer_auth(&cyp)
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::METHOD_NOT_ALLOWED);
        assert!(resp.headers().contains_key("allow"));
        let body: Value = resp.json().await.expect("every API error is JSON");
        assert_eq!(body["error"]["code"], "method_not_allowed");
        // Nothing was stored: still version 0, no draft.
        let (status, body, etag) = app
            .call(
                Method::GET,
                &format!("/api/campaigns/{CAMPAIGN}/proposals/CYP"),
                Some(&cyp),
                None,
                None,
            )
            .await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(etag.as_deref(), Some("\"v0\""), "{body}");
        assert!(body["proposal"].get("draft").is_none());
        // And the audit chain holds.
        let (status, body, _) = app
            .call(
                Method::GET,
                "/api/audit/verify",
                Some(&app.coordinator),
                None,
                None,
            )
            .await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(body["problems"], json!([]), "{}", app.label);
    }
}

#[tokio::test]
async fn after_a_reopening_a_submission_counts_in_the_assessment_options_and_brief() {
    for app in spawn_apps().await {
        let cyp = app.with_demo_and_invitation("CYP").await;
        let base = format!("/api/campaigns/{CAMPAIGN}");
        let draft: Value = serde_json::from_str(CYP_DRAFT).unwrap();
        let (status, _, _) = app
            .call(
                Method::PUT,
                &format!("{base}/proposals/CYP/draft"),
                Some(&cyp),
                Some(draft),
                Some("\"v0\""),
            )
            .await;
        assert_eq!(status, StatusCode::OK);
        // A capital cannot reopen; a decision maker may not; the coordinator does.
        let (status, _, _) = app
            .call(
                Method::POST,
                &format!("{base}/reopen"),
                Some(&cyp),
                None,
                None,
            )
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let (status, _, _) = app
            .call(
                Method::POST,
                &format!("{base}/reopen"),
                Some(&app.decision_maker),
                None,
                None,
            )
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        let (status, _, _) = app
            .call(
                Method::POST,
                &format!("{base}/reopen"),
                Some(&app.coordinator),
                None,
                None,
            )
            .await;
        assert_eq!(status, StatusCode::NO_CONTENT);
        let (status, body, etag) = app
            .call(
                Method::POST,
                &format!("{base}/proposals/CYP/submit"),
                Some(&cyp),
                None,
                Some("\"v1\""),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{}: {body}", app.label);
        assert_eq!(etag.as_deref(), Some("\"v2\""));
        assert_eq!(body["proposal"]["revisions"][0]["number"], 1);
        assert_eq!(
            body["proposal"]["revisions"][0]["submitted_by"],
            format!("invitation:{CAMPAIGN}/CYP")
        );

        // The demo had 25 answers; Cyprus makes 26.
        let (_, assessment, _) = app
            .call(
                Method::GET,
                &format!("{base}/assessment"),
                Some(&app.decision_maker),
                None,
                None,
            )
            .await;
        assert_eq!(
            assessment["response_counts"]["answered"], 26,
            "{}",
            app.label
        );
        let (status, options, _) = app
            .call(
                Method::GET,
                &format!("{base}/options"),
                Some(&app.decision_maker),
                None,
                None,
            )
            .await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(options["scenarios"].as_array().unwrap().len(), 3);
        let resp = app
            .client
            .get(app.url(&format!("{base}/brief")))
            .bearer_auth(&app.decision_maker)
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::OK);
        assert!(
            resp.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/html")
        );
        let html = resp.text().await.unwrap();
        assert!(
            html.contains("ILLUSTRATIVE DATA") && html.contains("26 of 32 invited"),
            "{}",
            app.label
        );
    }
}

/// The envoy's plan through the API: its baseline is the options' coverage, a scenario and a
/// posture can be chosen, a name that does not exist is a 422 that names it, and a submission
/// changes the plan (it is not served from the cache of the version before).
#[tokio::test]
async fn the_engagement_plan_is_served_to_the_accounts_and_follows_the_proposals() {
    for app in spawn_apps().await {
        let cyp = app.with_demo_and_invitation("CYP").await;
        let base = format!("/api/campaigns/{CAMPAIGN}");
        let get = |path: String, token: String| {
            let app = &app;
            async move { app.call(Method::GET, &path, Some(&token), None, None).await }
        };
        let (status, plan, _) = get(format!("{base}/engagement"), app.decision_maker.clone()).await;
        assert_eq!(status, StatusCode::OK, "{}: {plan}", app.label);
        let s = &plan["scenarios"][0];
        assert_eq!(s["scenario"], "us-backstop");
        let (_, options, _) = get(format!("{base}/options"), app.decision_maker.clone()).await;
        assert_eq!(
            s["baseline"]["essential_coverage"],
            options["scenarios"][0]["options"][0]["measures"]["essential_coverage"]
        );
        assert!(!s["visits"].as_array().unwrap().is_empty());
        let before = s["baseline"]["essential_coverage"].as_f64().unwrap();

        let (status, plan, _) = get(
            format!("{base}/engagement?scenario=un-mandate-capped&posture=small"),
            app.coordinator.clone(),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{}: {plan}", app.label);
        assert_eq!(plan["posture"]["id"], "small");
        assert_eq!(plan["scenarios"][0]["scenario"], "un-mandate-capped");
        for (query, says) in [
            ("posture=huge", "no posture \"huge\""),
            ("scenario=peace", "no scenario \"peace\""),
        ] {
            let (status, body, _) = get(
                format!("{base}/engagement?{query}"),
                app.decision_maker.clone(),
            )
            .await;
            assert_eq!(
                status,
                StatusCode::UNPROCESSABLE_ENTITY,
                "{}: {body}",
                app.label
            );
            assert!(
                body["error"]["message"]
                    .as_str()
                    .unwrap_or_default()
                    .contains(says),
                "{body}"
            );
        }

        // Cyprus answers (after a reopening): the plan is computed again on the new version.
        let draft: Value = serde_json::from_str(CYP_DRAFT).unwrap();
        let (status, _, _) = app
            .call(
                Method::PUT,
                &format!("{base}/proposals/CYP/draft"),
                Some(&cyp),
                Some(draft),
                Some("\"v0\""),
            )
            .await;
        assert_eq!(status, StatusCode::OK);
        let (status, _, _) = app
            .call(
                Method::POST,
                &format!("{base}/reopen"),
                Some(&app.coordinator),
                None,
                None,
            )
            .await;
        assert_eq!(status, StatusCode::NO_CONTENT);
        let (status, _, _) = app
            .call(
                Method::POST,
                &format!("{base}/proposals/CYP/submit"),
                Some(&cyp),
                None,
                Some("\"v1\""),
            )
            .await;
        assert_eq!(status, StatusCode::OK);
        let (_, after, _) = get(format!("{base}/engagement"), app.decision_maker.clone()).await;
        // Its field hospital closes the P1 gap in Kyiv: more essential coverage than before.
        let now = after["scenarios"][0]["baseline"]["essential_coverage"]
            .as_f64()
            .unwrap();
        assert!(now > before + 1e-9, "{}: {before} -> {now}", app.label);
    }
}

/// A decision maker saves a what-if, reads the options under it (named, hypothetical, and
/// different from the offers as they are), replaces and deletes it; a broken one is refused with
/// its path and nothing is stored; every change is in the audit log; no proposal moves.
#[tokio::test]
async fn what_ifs_are_saved_computed_and_deleted_through_the_api() {
    for app in spawn_apps().await {
        let _ = app.with_demo_and_invitation("FRA").await;
        let base = format!("/api/campaigns/{CAMPAIGN}");
        let dm = Some(app.decision_maker.as_str());
        let (_, before, etag_before) = app
            .call(
                Method::GET,
                &format!("{base}/proposals/GBR"),
                dm,
                None,
                None,
            )
            .await;
        let (status, plain, _) = app
            .call(Method::GET, &format!("{base}/options"), dm, None, None)
            .await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(plain["what_if"], Value::Null);
        let italy = json!({
            "id": "italy-brigade",
            "name": "Italy sends a mechanised brigade",
            "added": [{"respondent": "ITA", "offer": {"id": "ITA-W1", "capability": "brigade.mechanised", "quantity": 3, "earliest_phase": "P0", "sectors": ["kyiv"]}}]
        });
        let (status, body, _) = app
            .call(
                Method::PUT,
                &format!("{base}/what-ifs/italy-brigade"),
                dm,
                Some(italy.clone()),
                None,
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{}: {body}", app.label);
        let (status, under, _) = app
            .call(
                Method::GET,
                &format!("{base}/options?what_if=italy-brigade"),
                dm,
                None,
                None,
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{}: {under}", app.label);
        assert_eq!(under["what_if"]["name"], "Italy sends a mechanised brigade");
        let covered = |v: &Value| {
            v["scenarios"][0]["options"][0]["coverage"]
                .as_array()
                .unwrap()
                .iter()
                .find(|c| c["requirement"] == "R01")
                .unwrap()["covered"]
                .as_f64()
                .unwrap()
        };
        assert_eq!(covered(&plain), 1.0);
        assert_eq!(covered(&under), 2.0, "{}", app.label);
        // Saved as the decision maker; the file carries it; no proposal changed.
        let (_, file, _) = app.call(Method::GET, &base, dm, None, None).await;
        let saved = file["what_ifs"]
            .as_array()
            .unwrap()
            .iter()
            .find(|w| w["id"] == "italy-brigade")
            .cloned()
            .unwrap();
        assert!(
            saved["created_by"]
                .as_str()
                .unwrap()
                .contains("decision_maker"),
            "{saved}"
        );
        let (_, after, etag_after) = app
            .call(
                Method::GET,
                &format!("{base}/proposals/GBR"),
                dm,
                None,
                None,
            )
            .await;
        assert_eq!((before, etag_before), (after, etag_after));

        // Broken: every problem with its path, nothing stored.
        let mut broken = italy.clone();
        broken["added"][0]["offer"]["earliest_phase"] = json!("P9");
        broken["added"][0]["respondent"] = json!("XXX");
        let (status, body, _) = app
            .call(
                Method::PUT,
                &format!("{base}/what-ifs/italy-brigade"),
                dm,
                Some(broken),
                None,
            )
            .await;
        assert_eq!(
            status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{}: {body}",
            app.label
        );
        let problems = body["error"]["problems"].to_string();
        assert!(
            problems.contains("what_ifs[italy-brigade].added[0].offer.earliest_phase"),
            "{problems}"
        );
        assert!(
            problems.contains("what_ifs[italy-brigade].added[0].respondent"),
            "{problems}"
        );
        let (_, still, _) = app
            .call(
                Method::GET,
                &format!("{base}/options?what_if=italy-brigade"),
                dm,
                None,
                None,
            )
            .await;
        assert_eq!(covered(&still), 2.0, "the saved what-if is unchanged");
        // The path names the what-if.
        let (status, _, _) = app
            .call(
                Method::PUT,
                &format!("{base}/what-ifs/other"),
                dm,
                Some(italy.clone()),
                None,
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);

        // Deleted: gone, and a second delete is a 404 that says which are saved.
        let (status, _, _) = app
            .call(
                Method::DELETE,
                &format!("{base}/what-ifs/italy-brigade"),
                dm,
                None,
                None,
            )
            .await;
        assert_eq!(status, StatusCode::NO_CONTENT);
        let (status, body, _) = app
            .call(
                Method::DELETE,
                &format!("{base}/what-ifs/italy-brigade"),
                dm,
                None,
                None,
            )
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        assert!(
            body["error"]["message"]
                .as_str()
                .unwrap()
                .contains("saved: spain-brigade, without-uk-brigade"),
            "{body}"
        );
        let (status, body, _) = app
            .call(
                Method::GET,
                &format!("{base}/options?what_if=italy-brigade"),
                dm,
                None,
                None,
            )
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{body}");

        // The audit log has both, by the decision maker, and its chain holds.
        let actions: Vec<(String, String)> = app
            .store
            .audit_entries()
            .await
            .unwrap()
            .into_iter()
            .map(|e| (e.action, e.actor))
            .collect();
        let actions: Vec<String> = actions
            .iter()
            .filter(|(_, actor)| actor.contains("decision_maker"))
            .map(|(a, _)| a.clone())
            .collect();
        assert!(actions.iter().any(|a| a == "what_if.save"), "{actions:?}");
        assert!(actions.iter().any(|a| a == "what_if.delete"), "{actions:?}");
    }
}

/// The coordinator asks France for batteries and Germany for a brigade; France answers by
/// revising its proposal with a line that names the ask (partly, then whole), Germany declines;
/// refused transitions change nothing: a second decline, a decline by another capital, an ask
/// from a decision maker, an ask while submissions are closed.
#[tokio::test]
async fn follow_up_asks_are_sent_answered_declined_and_refused_cleanly() {
    for app in spawn_apps().await {
        let fra = app.with_demo_and_invitation("FRA").await;
        let deu = app.invite("DEU").await;
        let base = format!("/api/campaigns/{CAMPAIGN}");
        let coordinator = Some(app.coordinator.as_str());
        let ask = |id: &str, to: &str, capability: &str, quantity: i64| {
            json!({
                "id": id, "respondent": to, "capability": capability, "quantity": quantity,
                "earliest_phase": "P1", "last_phase": "P2", "sectors": ["airspace"],
                "message": "Can you add these for the airspace?"
            })
        };
        // The demo's deadline has passed: no ask until the coordinator reopens submissions.
        let (status, body, _) = app
            .call(
                Method::POST,
                &format!("{base}/asks"),
                coordinator,
                Some(ask("fra-ad", "FRA", "air_defence.long_range", 3)),
                None,
            )
            .await;
        assert_eq!(status, StatusCode::CONFLICT, "{}: {body}", app.label);
        let (status, _, _) = app
            .call(
                Method::POST,
                &format!("{base}/reopen"),
                coordinator,
                None,
                None,
            )
            .await;
        assert_eq!(status, StatusCode::NO_CONTENT);
        let (status, body, _) = app
            .call(
                Method::POST,
                &format!("{base}/asks"),
                coordinator,
                Some(ask("fra-ad", "FRA", "air_defence.long_range", 3)),
                None,
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{}: {body}", app.label);
        assert_eq!(body["ask"], "fra-ad");
        let mut brigade = ask("deu-brigade", "DEU", "brigade.mechanised", 3);
        brigade["sectors"] = json!(["kyiv"]);
        let (status, _, _) = app
            .call(
                Method::POST,
                &format!("{base}/asks"),
                coordinator,
                Some(brigade),
                None,
            )
            .await;
        assert_eq!(status, StatusCode::CREATED);
        // A decision maker may not send one; a broken one names its field.
        let (status, _, _) = app
            .call(
                Method::POST,
                &format!("{base}/asks"),
                Some(&app.decision_maker),
                Some(ask("x", "FRA", "air_defence.long_range", 1)),
                None,
            )
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        let (status, body, _) = app
            .call(
                Method::POST,
                &format!("{base}/asks"),
                coordinator,
                Some(ask("bad", "FRA", "tank", 1)),
                None,
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert!(
            body["error"]["problems"]
                .to_string()
                .contains("asks[bad].capability"),
            "{body}"
        );

        // France sees its own ask, open.
        let own = |token: &str, code: &str| {
            let app = &app;
            let path = format!("{base}/proposals/{code}/asks");
            let token = token.to_owned();
            async move { app.call(Method::GET, &path, Some(&token), None, None).await }
        };
        let (status, list, _) = own(&fra, "FRA").await;
        assert_eq!(status, StatusCode::OK, "{list}");
        assert_eq!(list.as_array().unwrap().len(), 1);
        assert_eq!(list[0]["status"], "open");
        // Germany's asks are not France's to see.
        let (status, _, _) = own(&fra, "DEU").await;
        assert_eq!(status, StatusCode::NOT_FOUND);

        // France answers: a line naming the ask, 2 of the 3 batteries, then all 3.
        for (units, expected) in [(2, "partly_answered"), (3, "answered")] {
            let (_, current, etag) = app
                .call(
                    Method::GET,
                    &format!("{base}/proposals/FRA"),
                    Some(&fra),
                    None,
                    None,
                )
                .await;
            let mut offers = current["proposal"]["revisions"]
                .as_array()
                .and_then(|r| r.last())
                .map(|r| r["offers"].clone())
                .unwrap_or(json!([]));
            offers
                .as_array_mut()
                .unwrap()
                .retain(|o| o["id"] != "FRA-AD2");
            offers.as_array_mut().unwrap().push(json!({
                "id": "FRA-AD2", "capability": "air_defence.long_range", "quantity": units,
                "earliest_phase": "P1", "sectors": ["airspace"], "answers_ask": "fra-ad"
            }));
            let etag = etag.unwrap();
            let (status, body, etag) = app
                .call(
                    Method::PUT,
                    &format!("{base}/proposals/FRA/draft"),
                    Some(&fra),
                    Some(json!({"offers": offers})),
                    Some(&etag),
                )
                .await;
            assert_eq!(status, StatusCode::OK, "{}: {body}", app.label);
            let (status, body, _) = app
                .call(
                    Method::POST,
                    &format!("{base}/proposals/FRA/submit"),
                    Some(&fra),
                    None,
                    etag.as_deref(),
                )
                .await;
            assert_eq!(status, StatusCode::OK, "{}: {body}", app.label);
            let (_, list, _) = own(&fra, "FRA").await;
            assert_eq!(list[0]["status"], expected, "{}: {list}", app.label);
            assert_eq!(list[0]["units_answered"], units);
        }

        // Germany declines; twice is refused; France cannot decline Germany's ask.
        let decline = |token: &str, code: &str, reason: &str| {
            let app = &app;
            let path = format!("{base}/proposals/{code}/asks/deu-brigade/decline");
            let token = token.to_owned();
            let body = json!({"reason": reason});
            async move {
                app.call(Method::POST, &path, Some(&token), Some(body), None)
                    .await
            }
        };
        let (status, _, _) = decline(&fra, "DEU", "not ours").await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let (status, body, _) = decline(&fra, "FRA", "not ours").await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
        let (status, body, _) = decline(&deu, "DEU", " ").await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        let (status, body, _) = decline(
            &deu,
            "DEU",
            "Our brigades are committed to NATO's eastern flank.",
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{}: {body}", app.label);
        let (status, body, _) = decline(&deu, "DEU", "again").await;
        assert_eq!(status, StatusCode::CONFLICT, "{body}");
        assert!(
            body["error"]["message"]
                .as_str()
                .unwrap()
                .contains("declined already"),
            "{body}"
        );
        let (_, all, _) = app
            .call(
                Method::GET,
                &format!("{base}/asks"),
                Some(&app.decision_maker),
                None,
                None,
            )
            .await;
        let states: Vec<(String, String)> = all
            .as_array()
            .unwrap()
            .iter()
            .map(|a| {
                (
                    a["id"].as_str().unwrap().to_owned(),
                    a["status"].as_str().unwrap().to_owned(),
                )
            })
            .collect();
        // The demo's illustrative asks (one in each state), then the two sent here.
        assert_eq!(
            states,
            [
                ("nor-mcm", "answered"),
                ("fin-isr", "partly_answered"),
                ("deu-air-defence", "declined"),
                ("esp-isr", "expired"),
                ("gbr-brigade", "open"),
                ("fra-ad", "answered"),
                ("deu-brigade", "declined"),
            ]
            .map(|(a, b)| (a.to_owned(), b.to_owned()))
        );
        assert_eq!(
            all[6]["declined_reason"],
            "Our brigades are committed to NATO's eastern flank."
        );

        // The coordinator withdraws the United Kingdom's open ask (no longer needed); the
        // capital sees it withdrawn with the reason and can no longer decline it. Refused, with
        // nothing changed: withdrawing it again, an ask declined or answered in full, no
        // reason, an unknown ask; a decision maker or a capital withdrawing.
        let gbr = app.invite("GBR").await;
        let withdraw = |token: String, ask: &'static str, reason: &'static str| {
            let app = &app;
            let base = base.clone();
            async move {
                app.call(
                    Method::POST,
                    &format!("{base}/asks/{ask}/withdraw"),
                    Some(&token),
                    Some(json!({ "reason": reason })),
                    None,
                )
                .await
            }
        };
        let (_, _, before) = app.call(Method::GET, &base, coordinator, None, None).await;
        for (who, ask, reason, expected) in [
            (
                app.decision_maker.clone(),
                "gbr-brigade",
                "not mine",
                StatusCode::FORBIDDEN,
            ),
            (
                gbr.clone(),
                "gbr-brigade",
                "not mine",
                StatusCode::NOT_FOUND,
            ),
            (
                app.coordinator.clone(),
                "gbr-brigade",
                " ",
                StatusCode::UNPROCESSABLE_ENTITY,
            ),
            (
                app.coordinator.clone(),
                "no-such-ask",
                "why",
                StatusCode::NOT_FOUND,
            ),
            (
                app.coordinator.clone(),
                "deu-brigade",
                "why",
                StatusCode::CONFLICT,
            ),
            (
                app.coordinator.clone(),
                "fra-ad",
                "why",
                StatusCode::CONFLICT,
            ),
        ] {
            let (status, body, _) = withdraw(who, ask, reason).await;
            assert_eq!(status, expected, "{}: {ask}: {body}", app.label);
        }
        let (_, _, after) = app.call(Method::GET, &base, coordinator, None, None).await;
        assert_eq!(before, after, "nothing refused changed the campaign");
        let (status, body, _) = withdraw(
            app.coordinator.clone(),
            "gbr-brigade",
            "The Netherlands filled the line.",
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{}: {body}", app.label);
        let (status, body, _) = withdraw(app.coordinator.clone(), "gbr-brigade", "again").await;
        assert_eq!(status, StatusCode::CONFLICT, "{body}");
        assert!(
            body["error"]["message"]
                .as_str()
                .unwrap()
                .contains("withdrawn already"),
            "{body}"
        );
        let (_, own, _) = app
            .call(
                Method::GET,
                &format!("{base}/proposals/GBR/asks"),
                Some(&gbr),
                None,
                None,
            )
            .await;
        assert_eq!(own[0]["status"], "withdrawn", "{own}");
        assert_eq!(
            own[0]["withdrawn_reason"],
            "The Netherlands filled the line."
        );
        let (status, body, _) = app
            .call(
                Method::POST,
                &format!("{base}/proposals/GBR/asks/gbr-brigade/decline"),
                Some(&gbr),
                Some(json!({"reason": "too late"})),
                None,
            )
            .await;
        assert_eq!(status, StatusCode::CONFLICT, "{body}");
        assert!(
            body["error"]["message"]
                .as_str()
                .unwrap()
                .contains("nothing to decline"),
            "{body}"
        );

        // Closed: no ask can be sent, and nothing changes.
        let (status, _, _) = app
            .call(
                Method::POST,
                &format!("{base}/close"),
                coordinator,
                None,
                None,
            )
            .await;
        assert_eq!(status, StatusCode::NO_CONTENT);
        let (_, _, before) = app.call(Method::GET, &base, coordinator, None, None).await;
        let (status, body, _) = app
            .call(
                Method::POST,
                &format!("{base}/asks"),
                coordinator,
                Some(ask("late", "FRA", "air_defence.long_range", 1)),
                None,
            )
            .await;
        assert_eq!(status, StatusCode::CONFLICT, "{body}");
        assert!(
            body["error"]["message"]
                .as_str()
                .unwrap()
                .contains("does not accept submissions"),
            "{body}"
        );
        let (_, _, after) = app.call(Method::GET, &base, coordinator, None, None).await;
        assert_eq!(before, after, "the campaign's version did not move");
        let entries = app.store.audit_entries().await.unwrap();
        assert_eq!(
            entries.iter().filter(|e| e.action == "ask.create").count(),
            2
        );
        assert_eq!(
            entries.iter().filter(|e| e.action == "ask.decline").count(),
            1
        );
        assert_eq!(
            entries
                .iter()
                .filter(|e| e.action == "ask.withdraw")
                .count(),
            1
        );
    }
}

/// A decision maker adopts the recommended option; each accepted line is a pledge. France
/// confirms one at a readiness level, the coordinator verifies it and records two deliveries;
/// coverage is counted at each level. Refused, with nothing changed: confirming twice,
/// delivering more than pledged, verifying before the capital confirmed, a capital acting on
/// another capital's pledge, a capital verifying its own, a decision maker recording a step.
#[tokio::test]
async fn a_plan_is_adopted_and_its_pledges_move_from_confirmed_to_delivered() {
    for app in spawn_apps().await {
        let fra = app.with_demo_and_invitation("FRA").await;
        let deu = app.invite("DEU").await;
        let base = format!("/api/campaigns/{CAMPAIGN}");
        let dm = Some(app.decision_maker.as_str());
        let coordinator = Some(app.coordinator.as_str());
        // The demo's illustrative plan stands, its pledges in every state.
        let (status, plan, _) = app
            .call(Method::GET, &format!("{base}/plan"), dm, None, None)
            .await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(plan["version"], 1);
        let states: std::collections::BTreeSet<&str> = plan["pledges"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["state"].as_str().unwrap())
            .collect();
        assert_eq!(
            states,
            [
                "accepted",
                "confirmed",
                "declined",
                "delivered",
                "partly_delivered",
                "released",
                "verified",
                "withdrawn"
            ]
            .into(),
            "{}",
            app.label
        );
        let (status, body, _) = app
            .call(
                Method::POST,
                &format!("{base}/plans"),
                dm,
                Some(json!({"note": "The recommended option."})),
                None,
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{}: {body}", app.label);
        assert_eq!(body["plan"], 2, "a later plan supersedes");
        let (_, plan, _) = app
            .call(Method::GET, &format!("{base}/plan"), dm, None, None)
            .await;
        assert!(
            plan["option"].as_str().unwrap().starts_with("option "),
            "{plan}"
        );
        let pledges = plan["pledges"].as_array().unwrap();
        assert!(pledges.iter().all(|p| p["state"] == "accepted"));
        let fra_pledge = pledges
            .iter()
            .find(|p| p["respondent"] == "FRA" && p["units"].as_u64().unwrap() >= 2)
            .expect("a French pledge of two units or more")
            .clone();
        let id = fra_pledge["id"].as_str().unwrap().to_owned();
        let units = fra_pledge["units"].as_u64().unwrap();
        let deu_pledge = pledges.iter().find(|p| p["respondent"] == "DEU").unwrap()["id"]
            .as_str()
            .unwrap()
            .to_owned();
        let step = |token: String, code: &str, pledge: &str, event: Value| {
            let app = &app;
            let path = format!("{base}/proposals/{code}/pledges/{pledge}");
            async move {
                app.call(Method::POST, &path, Some(&token), Some(event), None)
                    .await
            }
        };
        let confirm = json!({"confirmed": {"readiness_level": 3, "ready_from": "2026-02-01"}});
        let verify =
            json!({"verified": {"how": "assessment visit", "notes": "Batteries inspected."}});
        let deliver = |n: u64| json!({"delivered": {"units": n, "on": "2026-03-01"}});
        let version = || async {
            app.call(Method::GET, &base, coordinator, None, None)
                .await
                .2
        };

        // Refused before anything: verify before confirmed; France on Germany's pledge; France
        // verifying its own; a decision maker recording a step.
        let before = version().await;
        let (status, body, _) = step(app.coordinator.clone(), "FRA", &id, verify.clone()).await;
        assert_eq!(status, StatusCode::CONFLICT, "{body}");
        assert!(
            body["error"]["message"]
                .as_str()
                .unwrap()
                .contains("has not confirmed"),
            "{body}"
        );
        let (status, _, _) = step(fra.clone(), "DEU", &deu_pledge, confirm.clone()).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let (status, _, _) = step(fra.clone(), "FRA", &id, verify.clone()).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "a capital does not verify");
        let (status, _, _) = step(app.decision_maker.clone(), "FRA", &id, confirm.clone()).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        assert_eq!(version().await, before, "{}: nothing changed", app.label);

        // France confirms (once), the coordinator verifies, then delivers in two parts.
        let (status, body, _) = step(fra.clone(), "FRA", &id, confirm.clone()).await;
        assert_eq!(status, StatusCode::OK, "{}: {body}", app.label);
        let (status, body, _) = step(fra.clone(), "FRA", &id, confirm.clone()).await;
        assert_eq!(status, StatusCode::CONFLICT, "{body}");
        assert!(
            body["error"]["message"]
                .as_str()
                .unwrap()
                .contains("confirmed before"),
            "{body}"
        );
        let (status, _, _) = step(app.coordinator.clone(), "FRA", &id, verify).await;
        assert_eq!(status, StatusCode::OK);
        let before = version().await;
        let (status, body, _) = step(app.coordinator.clone(), "FRA", &id, deliver(units + 1)).await;
        assert_eq!(status, StatusCode::CONFLICT, "{body}");
        assert!(
            body["error"]["message"]
                .as_str()
                .unwrap()
                .contains(&format!("deliver at most {units}")),
            "{body}"
        );
        assert_eq!(version().await, before);
        let (status, _, _) = step(app.coordinator.clone(), "FRA", &id, deliver(1)).await;
        assert_eq!(status, StatusCode::OK);
        let (_, own, _) = app
            .call(
                Method::GET,
                &format!("{base}/proposals/FRA/pledges"),
                Some(&fra),
                None,
                None,
            )
            .await;
        let mine = own
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["id"] == id.as_str())
            .unwrap();
        assert_eq!(mine["state"], "partly_delivered", "{own}");
        assert_eq!(mine["readiness"], "3: Ready to deploy within 60 days");
        assert_eq!(mine["history"].as_array().unwrap().len(), 3);
        let (status, _, _) = step(app.coordinator.clone(), "FRA", &id, deliver(units - 1)).await;
        assert_eq!(status, StatusCode::OK);
        // Germany's pledges are not France's to read.
        let (status, _, _) = app
            .call(
                Method::GET,
                &format!("{base}/proposals/DEU/pledges"),
                Some(&fra),
                None,
                None,
            )
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        // Germany declines one of its own.
        let (status, _, _) = step(
            deu.clone(),
            "DEU",
            &deu_pledge,
            json!({"declined": {"reason": "Needed at home."}}),
        )
        .await;
        assert_eq!(status, StatusCode::OK);

        // Coverage at each level: the delivered pledge counts at every level.
        let (_, plan, _) = app
            .call(Method::GET, &format!("{base}/plan"), dm, None, None)
            .await;
        let placed: Vec<String> = fra_pledge["id"]
            .as_str()
            .map(|_| {
                plan["pledges"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .find(|p| p["id"] == id.as_str())
                    .map(|p| p["state"].as_str().unwrap().to_owned())
                    .into_iter()
                    .collect()
            })
            .unwrap();
        assert_eq!(placed, ["delivered"]);
        let total = |level: &str| -> f64 {
            plan["coverage"]
                .as_array()
                .unwrap()
                .iter()
                .map(|l| l[level].as_f64().unwrap())
                .sum()
        };
        assert!(total("accepted") >= total("confirmed"));
        assert!(total("confirmed") >= total("verified"));
        assert!(total("verified") >= total("delivered"));
        assert!(total("delivered") > 0.0, "{}", app.label);
        assert_eq!(plan["drift"], json!([]), "nothing changed since adoption");

        // France withdraws its proposal: the plan says which of its pledges rest on nothing
        // now (not the one delivered whole, nor Germany's).
        let proposal = format!("{base}/proposals/FRA");
        let (_, _, etag) = app
            .call(Method::GET, &proposal, Some(&fra), None, None)
            .await;
        let (status, body, _) = app
            .call(
                Method::POST,
                &format!("{proposal}/withdraw"),
                Some(&fra),
                Some(json!({"reason": "Government changed."})),
                etag.as_deref(),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{}: {body}", app.label);
        let (_, plan, _) = app
            .call(Method::GET, &format!("{base}/plan"), dm, None, None)
            .await;
        let standing_fra: Vec<&str> = plan["pledges"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|p| p["respondent"] == "FRA")
            .filter(|p| {
                ["accepted", "confirmed", "verified", "partly_delivered"]
                    .contains(&p["state"].as_str().unwrap())
            })
            .map(|p| p["id"].as_str().unwrap())
            .collect();
        let drift: Vec<(&str, &str)> = plan["drift"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| (d["pledge"].as_str().unwrap(), d["what"].as_str().unwrap()))
            .collect();
        assert!(!standing_fra.is_empty());
        assert_eq!(
            drift,
            standing_fra
                .iter()
                .map(|p| (*p, "the capital withdrew its proposal"))
                .collect::<Vec<_>>(),
            "{}",
            app.label
        );
        let entries = app.store.audit_entries().await.unwrap();
        assert_eq!(
            entries.iter().filter(|e| e.action == "plan.adopt").count(),
            1
        );
        assert_eq!(
            entries
                .iter()
                .filter(|e| e.action == "pledge.event")
                .count(),
            5
        );
    }
}

#[tokio::test]
async fn the_openapi_document_describes_every_route_and_each_is_served() {
    for app in spawn_apps().await {
        app.with_demo_and_invitation("CYP").await;
        let (_, doc, _) = app
            .call(Method::GET, "/api/openapi.json", None, None, None)
            .await;
        assert_eq!(doc["openapi"], "3.1.0");
        for name in [
            "CampaignFile",
            "DraftContent",
            "InvitationRequest",
            "LoginRequest",
            "SubmitRequest",
            "WithdrawRequest",
            "Error",
        ] {
            assert!(
                doc["components"]["schemas"].get(name).is_some(),
                "no schema {name}"
            );
        }
        // Every $ref points at a schema the document has.
        let text = doc.to_string();
        for r in text.split("\"$ref\":\"").skip(1) {
            let target = r.split('"').next().unwrap();
            let name = target
                .strip_prefix("#/components/schemas/")
                .unwrap_or_else(|| panic!("odd $ref {target}"));
            assert!(
                doc["components"]["schemas"].get(name).is_some(),
                "dangling $ref {target}"
            );
        }
        // Every documented route is served: never "no such route", never 405.
        for (m, path) in documented_routes(&app, true).await {
            let p = fill(&path, CAMPAIGN, "CYP");
            let (status, body, _) = app
                .call(
                    method(&m),
                    &p,
                    Some(&app.coordinator),
                    Some(json!({})),
                    Some("\"v0\""),
                )
                .await;
            assert_ne!(status, StatusCode::METHOD_NOT_ALLOWED, "{m} {p}");
            assert_ne!(
                body["error"]["code"], "no_route",
                "{}: {m} {p} is documented but not served",
                app.label
            );
        }
        // And a path that is not documented is told apart from a missing resource.
        let (status, body, _) = app
            .call(
                Method::GET,
                "/api/campaign",
                Some(&app.coordinator),
                None,
                None,
            )
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        assert_eq!(body["error"]["code"], "no_route");
    }
}

#[tokio::test]
async fn accounts_sign_in_with_a_password_and_guessing_is_slowed_down() {
    for app in spawn_apps().await {
        let login = |password: &str| json!({"name": "carol", "password": password});
        let (status, body, _) = app
            .call(
                Method::POST,
                "/api/login",
                None,
                Some(login("correct horse battery")),
                None,
            )
            .await;
        assert_eq!(
            status,
            StatusCode::UNAUTHORIZED,
            "{}: no such account yet: {body}",
            app.label
        );
        assert_eq!(body["error"]["code"], "bad_credentials");
        // The account is made in the store, as `guarantor account create` does.
        app.create_account("carol", "correct horse battery").await;

        let (status, body, _) = app
            .call(
                Method::POST,
                "/api/login",
                None,
                Some(login("correct horse battery")),
                None,
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{}: {body}", app.label);
        assert_eq!(body["role"], "coordinator");
        let session = body["token"].as_str().unwrap().to_owned();
        let (status, _, _) = app
            .call(Method::GET, "/api/campaigns", Some(&session), None, None)
            .await;
        assert_eq!(status, StatusCode::OK, "the session token works");
        let (status, _, _) = app
            .call(Method::POST, "/api/logout", Some(&session), None, None)
            .await;
        assert_eq!(status, StatusCode::NO_CONTENT);
        let (status, _, _) = app
            .call(Method::GET, "/api/campaigns", Some(&session), None, None)
            .await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "ended with the logout");

        // The sign-in before the account existed was the first failure; four more wrong
        // passwords make five, and then even the right one waits.
        for _ in 1..guarantor_store::LOGIN_ATTEMPTS {
            let (status, _, _) = app
                .call(
                    Method::POST,
                    "/api/login",
                    None,
                    Some(login("wrong wrong wrong")),
                    None,
                )
                .await;
            assert_eq!(status, StatusCode::UNAUTHORIZED);
        }
        let resp = app
            .client
            .post(app.url("/api/login"))
            .json(&login("correct horse battery"))
            .send()
            .await
            .unwrap();
        assert_eq!(
            resp.status(),
            StatusCode::TOO_MANY_REQUESTS,
            "{}",
            app.label
        );
        let retry: i64 = resp.headers()["retry-after"]
            .to_str()
            .unwrap()
            .parse()
            .unwrap();
        assert!(retry > 0 && retry <= guarantor_store::LOGIN_WINDOW_MINUTES * 60);
        let body: Value = resp.json().await.unwrap();
        assert_eq!(body["error"]["code"], "too_many_attempts");
    }
}

#[tokio::test]
async fn the_setup_is_replaced_whole_with_if_match_and_checked_against_every_proposal() {
    for app in spawn_apps().await {
        app.with_demo_and_invitation("FRA").await;
        let path = format!("/api/campaigns/{CAMPAIGN}");
        let (status, file, etag) = app
            .call(Method::GET, &path, Some(&app.coordinator), None, None)
            .await;
        assert_eq!(status, StatusCode::OK);
        let etag = etag.expect("the campaign has an ETag");
        let mut setup = file.clone();
        setup["proposals"] = json!([]);
        setup["campaign"]["deadline"] = json!("2031-06-30T12:00:00Z");
        let put = |body: Value, m: Option<&str>| {
            let m = m.map(str::to_owned);
            let app = &app;
            let path = format!("{path}/setup");
            async move {
                app.call(
                    Method::PUT,
                    &path,
                    Some(&app.coordinator),
                    Some(body),
                    m.as_deref(),
                )
                .await
            }
        };
        let (status, _, _) = put(setup.clone(), None).await;
        assert_eq!(status, StatusCode::PRECONDITION_REQUIRED, "{}", app.label);
        let (status, body, _) = put(file.clone(), Some(&etag)).await;
        assert_eq!(
            status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "proposals are not setup: {body}"
        );
        let mut broken = setup.clone();
        broken["requirements"][0]["phase"] = json!("P9");
        let (status, body, _) = put(broken, Some(&etag)).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            body.to_string().contains("requirements[R01].phase"),
            "{body}"
        );
        let (status, body, new_etag) = put(setup.clone(), Some(&etag)).await;
        assert_eq!(status, StatusCode::OK, "{}: {body}", app.label);
        assert_ne!(new_etag.as_deref(), Some(etag.as_str()));
        let (status, _, _) = put(setup.clone(), Some(&etag)).await;
        assert_eq!(status, StatusCode::PRECONDITION_FAILED, "a stale ETag");
        let stored = app.store.export(CAMPAIGN).await.unwrap().to_document();
        assert_eq!(
            stored.campaign.deadline.to_rfc3339(),
            "2031-06-30T12:00:00+00:00"
        );
        assert_eq!(
            serde_json::to_value(&stored.proposals).unwrap(),
            file["proposals"],
            "every proposal kept"
        );
        // Invitations are listed without their tokens; the PDF needs a typesetter.
        let (status, list, _) = app
            .call(
                Method::GET,
                &format!("{path}/invitations"),
                Some(&app.coordinator),
                None,
                None,
            )
            .await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(list[0]["respondent"], "FRA");
        assert!(list[0].get("token").is_none() && list[0].get("token_hash").is_none());
        let (status, _, _) = app
            .call(
                Method::GET,
                &format!("{path}/brief.pdf"),
                Some(&app.decision_maker),
                None,
                None,
            )
            .await;
        assert_eq!(status, StatusCode::NOT_IMPLEMENTED);
    }
}

#[tokio::test]
async fn a_token_over_its_rate_is_told_to_slow_down_and_others_are_not() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&format!(
        "sqlite://{}",
        dir.path().join("rate.db").display()
    ))
    .await
    .unwrap();
    let busy = store
        .create_api_token("busy", Role::Coordinator, "test", Utc::now())
        .await
        .unwrap();
    let calm = store
        .create_api_token("calm", Role::Coordinator, "test", Utc::now())
        .await
        .unwrap();
    let base = serve_on(store, 2).await;
    let client = Client::new();
    let get = |token: &str| {
        client
            .get(format!("{base}/api/campaigns"))
            .bearer_auth(token)
            .send()
    };
    // A burst of twice the rate passes; the next is refused with when to retry.
    for i in 0..4 {
        assert_eq!(
            get(&busy).await.unwrap().status(),
            StatusCode::OK,
            "request {i}"
        );
    }
    let refused = get(&busy).await.unwrap();
    assert_eq!(refused.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(refused.headers().contains_key("retry-after"));
    let body: Value = refused.json().await.unwrap();
    assert_eq!(body["error"]["code"], "too_many_requests");
    assert_eq!(
        get(&calm).await.unwrap().status(),
        StatusCode::OK,
        "another token is not slowed"
    );
    // Unknown tokens are limited before they are looked up.
    for _ in 0..4 {
        get("not-a-token").await.unwrap();
    }
    assert_eq!(
        get("not-a-token").await.unwrap().status(),
        StatusCode::TOO_MANY_REQUESTS
    );
}

#[tokio::test]
async fn a_flood_of_sign_ins_with_made_up_names_is_turned_away_before_hashing() {
    let apps = spawn_apps().await;
    let app = &apps[0];
    let tasks: Vec<_> = (0..40)
        .map(|i| {
            let (client, url) = (app.client.clone(), app.url("/api/login"));
            tokio::spawn(async move {
                client
                    .post(url)
                    .json(&json!({"name": format!("nobody-{i}"), "password": "x".repeat(12)}))
                    .send()
                    .await
                    .unwrap()
                    .status()
            })
        })
        .collect();
    let mut refused = 0;
    for t in tasks {
        let status = t.await.unwrap();
        assert!(
            status == StatusCode::UNAUTHORIZED || status == StatusCode::TOO_MANY_REQUESTS,
            "{status}"
        );
        refused += usize::from(status == StatusCode::TOO_MANY_REQUESTS);
    }
    // 40 at once against 10 per second in bursts of 20: at least 15 turned away.
    assert!(refused >= 15, "only {refused} of 40 refused");
}

/// Authorisation comes before the body is read: a capital or a decision maker sending a body
/// that is not UTF-8 to a coordinator's route gets 404 or 403 JSON, not 400 text. A key given
/// twice in a JSON body is refused with its path, never "the last one wins".
#[tokio::test]
async fn bodies_are_read_after_authorisation_and_duplicate_keys_are_refused() {
    for app in spawn_apps().await {
        let cyp = app.with_demo_and_invitation("CYP").await;
        let not_utf8 = vec![0xff_u8, 0xfe, b'{', b'}'];
        let setup = format!("/api/campaigns/{CAMPAIGN}/setup");
        for (method, path) in [
            (Method::POST, "/api/campaigns"),
            (Method::PUT, setup.as_str()),
        ] {
            for (token, expected) in [
                (cyp.as_str(), StatusCode::NOT_FOUND),
                (app.decision_maker.as_str(), StatusCode::FORBIDDEN),
            ] {
                let resp = app
                    .client
                    .request(method.clone(), app.url(path))
                    .bearer_auth(token)
                    .header("If-Match", "\"v1\"")
                    .header("Content-Type", "application/json")
                    .body(not_utf8.clone())
                    .send()
                    .await
                    .unwrap();
                assert_eq!(resp.status(), expected, "{}: {method} {path}", app.label);
                let body: Value = resp.json().await.expect("a JSON error");
                assert!(body["error"]["code"].is_string(), "{body}");
            }
            // The coordinator gets a clear 400 in JSON.
            let resp = app
                .client
                .request(method.clone(), app.url(path))
                .bearer_auth(&app.coordinator)
                .header("If-Match", "\"v1\"")
                .body(not_utf8.clone())
                .send()
                .await
                .unwrap();
            assert_eq!(resp.status(), StatusCode::BAD_REQUEST, "{}", app.label);
            let body: Value = resp.json().await.expect("a JSON error");
            assert!(
                body["error"]["message"]
                    .as_str()
                    .unwrap()
                    .contains("not UTF-8"),
                "{body}"
            );
        }

        // A duplicated key in a draft: 422 naming where.
        let resp = app
            .client
            .put(app.url(&format!("/api/campaigns/{CAMPAIGN}/proposals/CYP/draft")))
            .bearer_auth(&cyp)
            .header("If-Match", "\"v1\"")
            .header("Content-Type", "application/json")
            .body(r#"{"offers": [{"id": "CYP-1", "capability": "medical.role2", "quantity": 1, "quantity": 9, "earliest_phase": "P1"}]}"#)
            .send()
            .await
            .unwrap();
        assert_eq!(
            resp.status(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "{}",
            app.label
        );
        let body: Value = resp.json().await.unwrap();
        let problems = body["error"].to_string();
        assert!(
            problems.contains("offers[0]") && problems.contains("\\\"quantity\\\" is given twice"),
            "{body}"
        );

        // A duplicated key in a campaign file: refused with its path, nothing imported.
        let demo = DEMO.replacen(
            "\"exchange_rates\": {",
            "\"exchange_rates\": {\"USD\": 5.0,",
            1,
        );
        assert_ne!(demo, DEMO, "the demo has exchange rates");
        let other = demo.replacen(
            &format!("\"id\": \"{CAMPAIGN}\""),
            "\"id\": \"dup-keys\"",
            1,
        );
        assert_ne!(other, demo);
        let resp = app
            .client
            .post(app.url("/api/campaigns"))
            .bearer_auth(&app.coordinator)
            .body(other)
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::BAD_REQUEST, "{}", app.label);
        let body: Value = resp.json().await.unwrap();
        assert!(
            body["error"]["message"]
                .as_str()
                .unwrap()
                .contains("campaign.exchange_rates: the key \"USD\" is given twice"),
            "{body}"
        );
        let (_, list, _) = app
            .call(
                Method::GET,
                "/api/campaigns",
                Some(&app.coordinator),
                None,
                None,
            )
            .await;
        assert!(
            list.as_array()
                .unwrap()
                .iter()
                .all(|c| c["id"] != "dup-keys"),
            "{list}"
        );
    }
}

/// Every HTML response carries the pages' security headers, the brief served through the API
/// included; every response is `nosniff`; a deployment behind HTTPS (secure cookies, the
/// default) adds Strict-Transport-Security.
#[tokio::test]
async fn html_through_the_api_has_the_pages_security_headers() {
    for app in spawn_apps().await {
        app.with_demo_and_invitation("FRA").await;
        let resp = app
            .client
            .get(app.url(&format!("/api/campaigns/{CAMPAIGN}/brief")))
            .bearer_auth(&app.decision_maker)
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::OK, "{}", app.label);
        let h = resp.headers().clone();
        assert!(
            h["content-type"].to_str().unwrap().starts_with("text/html"),
            "{h:?}"
        );
        assert!(
            h["content-security-policy"]
                .to_str()
                .unwrap()
                .starts_with("default-src 'self'"),
            "{h:?}"
        );
        assert_eq!(h["x-frame-options"], "DENY");
        assert_eq!(h["x-content-type-options"], "nosniff");
        assert_eq!(h["strict-transport-security"], "max-age=31536000");
        let html = resp.text().await.unwrap();
        assert!(
            html.contains("Audit log at row "),
            "the brief names the audit head it was made at"
        );
        let resp = app
            .client
            .get(app.url(&format!("/api/campaigns/{CAMPAIGN}")))
            .bearer_auth(&app.decision_maker)
            .send()
            .await
            .unwrap();
        assert!(
            resp.headers()["x-audit-head"]
                .to_str()
                .unwrap()
                .starts_with("row "),
            "{:?}",
            resp.headers()
        );
        // JSON and errors are nosniff too.
        for path in ["/api/health", "/api/no-such-route"] {
            let resp = app.client.get(app.url(path)).send().await.unwrap();
            assert_eq!(
                resp.headers()["x-content-type-options"],
                "nosniff",
                "{path}"
            );
        }
    }
}

/// Plain HTTP on one machine (`--insecure-cookies`, `--demo`) sends no Strict-Transport-Security:
/// it would pin browsers to an HTTPS the server does not serve.
#[tokio::test]
async fn plain_http_sends_no_strict_transport_security() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&format!("sqlite://{}", dir.path().join("h.db").display()))
        .await
        .unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(guarantor_server::serve(
        listener,
        store,
        guarantor_server::Config {
            secure_cookies: false,
            ..guarantor_server::Config::default()
        },
    ));
    let resp = Client::new()
        .get(format!("{base}/login"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    assert!(resp.headers().get("strict-transport-security").is_none());
    assert_eq!(resp.headers()["x-frame-options"], "DENY");
}

/// A flood of made-up tokens and invitation links from one address is refused (429, before any
/// lookup) once over the address's budget for requests that prove nothing, while a credential
/// that authenticated keeps working from that address and other addresses are not slowed.
/// Behind a trusted proxy the client is the address `X-Forwarded-For` names.
#[tokio::test]
async fn a_flood_of_made_up_credentials_from_one_address_is_limited() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&format!("sqlite://{}", dir.path().join("f.db").display()))
        .await
        .unwrap();
    let good = store
        .create_api_token("good", Role::Coordinator, "test", Utc::now())
        .await
        .unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(guarantor_server::serve(
        listener,
        store,
        guarantor_server::Config {
            requests_per_second: 1000,
            anonymous_requests_per_second: 5,
            trusted_proxies: vec!["127.0.0.1".parse().unwrap()],
            ..guarantor_server::Config::default()
        },
    ));
    let client = Client::new();
    let from = |address: &str, path: &str, token: Option<&str>| {
        let mut req = client
            .get(format!("{base}{path}"))
            .header("X-Forwarded-For", address);
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        req.send()
    };
    // The good token authenticates once before the flood.
    let ok = from("203.0.113.1", "/api/campaigns", Some(&good))
        .await
        .unwrap();
    assert_eq!(ok.status(), StatusCode::OK);

    let mut refused = 0;
    for i in 0..300 {
        let resp = from(
            "203.0.113.1",
            "/api/campaigns",
            Some(&format!("made-up-{i}")),
        )
        .await
        .unwrap();
        let status = resp.status();
        assert!(
            status == StatusCode::UNAUTHORIZED || status == StatusCode::TOO_MANY_REQUESTS,
            "{status}"
        );
        if status == StatusCode::TOO_MANY_REQUESTS {
            refused += 1;
            assert!(resp.headers().contains_key("retry-after"));
            let body: Value = resp.json().await.unwrap();
            assert_eq!(body["error"]["code"], "too_many_requests");
        }
    }
    // A burst of 10 and 5 per second: nearly all of 300 sent within a second or two refused.
    assert!(
        refused >= 250,
        "only {refused} of 300 made-up tokens refused"
    );
    // Invitation links from the same address: refused too.
    let link = from("203.0.113.1", "/invitation/guess", None)
        .await
        .unwrap();
    assert_eq!(link.status(), StatusCode::TOO_MANY_REQUESTS);
    // The good token still works from that address; another address is not slowed.
    let ok = from("203.0.113.1", "/api/campaigns", Some(&good))
        .await
        .unwrap();
    assert_eq!(ok.status(), StatusCode::OK);
    let other = from("203.0.113.2", "/api/health", None).await.unwrap();
    assert_eq!(other.status(), StatusCode::OK);
    // A client cannot pick its own address: the leftmost entry is not believed, the one the
    // trusted proxy appended is.
    let spoofed = client
        .get(format!("{base}/api/health"))
        .header("X-Forwarded-For", "198.51.100.99, 203.0.113.1")
        .send()
        .await
        .unwrap();
    assert_eq!(spoofed.status(), StatusCode::TOO_MANY_REQUESTS);
}

/// The credential lifecycle through the API: a coordinator creates, lists (never the secret)
/// and revokes tokens, disables and enables accounts; an account changes its own password with
/// the current one; a decision maker may do none of the coordinator's part.
#[tokio::test]
async fn tokens_and_accounts_have_a_lifecycle_through_the_api() {
    for app in spawn_apps().await {
        let (status, body, _) = app
            .call(
                Method::POST,
                "/api/tokens",
                Some(&app.coordinator),
                Some(json!({"name": "script", "role": "decision_maker", "expires_in_days": 7})),
                None,
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{}: {body}", app.label);
        let token = body["token"].as_str().unwrap().to_owned();
        let (status, _, _) = app
            .call(Method::GET, "/api/campaigns", Some(&token), None, None)
            .await;
        assert_eq!(status, StatusCode::OK, "the new token works");
        let (status, list, _) = app
            .call(
                Method::GET,
                "/api/tokens",
                Some(&app.coordinator),
                None,
                None,
            )
            .await;
        assert_eq!(status, StatusCode::OK);
        assert!(!list.to_string().contains(&token), "never the secret");
        let id = list
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["name"] == "script")
            .unwrap()["id"]
            .as_str()
            .unwrap()
            .to_owned();
        for (who, expected) in [
            (app.decision_maker.as_str(), StatusCode::FORBIDDEN),
            (token.as_str(), StatusCode::FORBIDDEN),
        ] {
            let (status, _, _) = app
                .call(
                    Method::DELETE,
                    &format!("/api/tokens/{id}"),
                    Some(who),
                    None,
                    None,
                )
                .await;
            assert_eq!(status, expected, "{}", app.label);
        }
        let (status, _, _) = app
            .call(
                Method::POST,
                "/api/tokens",
                Some(&app.coordinator),
                Some(json!({"name": "x", "role": "emperor"})),
                None,
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        let (status, _, _) = app
            .call(
                Method::DELETE,
                &format!("/api/tokens/{id}"),
                Some(&app.coordinator),
                None,
                None,
            )
            .await;
        assert_eq!(status, StatusCode::NO_CONTENT);
        let (status, _, _) = app
            .call(Method::GET, "/api/campaigns", Some(&token), None, None)
            .await;
        assert_eq!(
            status,
            StatusCode::UNAUTHORIZED,
            "a revoked token stops at once"
        );

        // Accounts: disable ends the session, enable lets it sign in again, a password change
        // needs the current password and ends every session.
        app.create_account("frank", "a long passphrase").await;
        let login = |password: &'static str| {
            app.call(
                Method::POST,
                "/api/login",
                None,
                Some(json!({"name": "frank", "password": password})),
                None,
            )
        };
        let (status, body, _) = login("a long passphrase").await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let session = body["token"].as_str().unwrap().to_owned();
        let (status, _, _) = app
            .call(
                Method::POST,
                "/api/accounts/frank/disable",
                Some(&app.coordinator),
                None,
                None,
            )
            .await;
        assert_eq!(status, StatusCode::NO_CONTENT);
        let (status, _, _) = app
            .call(Method::GET, "/api/campaigns", Some(&session), None, None)
            .await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        let (status, _, _) = app
            .call(
                Method::POST,
                "/api/accounts/frank/enable",
                Some(&app.coordinator),
                None,
                None,
            )
            .await;
        assert_eq!(status, StatusCode::NO_CONTENT);
        let (status, body, _) = login("a long passphrase").await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let session = body["token"].as_str().unwrap().to_owned();
        let (status, _, _) = app
            .call(
                Method::PUT,
                "/api/account/password",
                Some(&session),
                Some(json!({"current_password": "wrong one here", "new_password": "a new passphrase"})),
                None,
            )
            .await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        let (status, body, _) = app
            .call(
                Method::PUT,
                "/api/account/password",
                Some(&session),
                Some(json!({"current_password": "a long passphrase", "new_password": "a new passphrase"})),
                None,
            )
            .await;
        assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
        let (status, _, _) = app
            .call(Method::GET, "/api/campaigns", Some(&session), None, None)
            .await;
        assert_eq!(
            status,
            StatusCode::UNAUTHORIZED,
            "sessions end with the change"
        );
        let (status, _, _) = login("a new passphrase").await;
        assert_eq!(status, StatusCode::OK);
        let (status, report, _) = app
            .call(
                Method::GET,
                "/api/audit/verify",
                Some(&app.coordinator),
                None,
                None,
            )
            .await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(report["problems"], json!([]), "{}", app.label);
    }
}

/// Two `guarantor serve` processes on one PostgreSQL behave as one: writes raced through both
/// keep one order (If-Match holds across instances: of two saves from the same version exactly
/// one wins), both answer the same versions, a session from one works on the other, the options
/// cache of one never serves a report older than a change made through the other, and the audit
/// chain stays intact under concurrent writes from both.
#[tokio::test]
async fn two_servers_on_one_postgres_behave_as_one() {
    let Ok(admin) = std::env::var("GUARANTOR_TEST_POSTGRES_URL") else {
        assert!(
            std::env::var_os("CI").is_none(),
            "GUARANTOR_TEST_POSTGRES_URL must be set on CI"
        );
        eprintln!("two servers on one PostgreSQL: SKIPPED, GUARANTOR_TEST_POSTGRES_URL is not set");
        return;
    };
    let url = fresh_postgres(&admin, "guarantor_multi_").await;
    let store_a = Store::open(&url).await.unwrap();
    let store_b = Store::open(&url).await.unwrap();
    let coordinator = store_a
        .create_api_token("coord", Role::Coordinator, "test", Utc::now())
        .await
        .unwrap();
    store_b
        .create_account(
            "grace",
            Role::DecisionMaker,
            "a long passphrase",
            "test",
            Utc::now(),
        )
        .await
        .unwrap();
    let a = serve_on(store_a, 10_000).await;
    let b = serve_on(store_b, 10_000).await;
    let client = Client::new();
    let send = |base: &str,
                method: Method,
                path: &str,
                token: &str,
                body: Option<Value>,
                etag: Option<&str>| {
        let mut req = client
            .request(method, format!("{base}{path}"))
            .bearer_auth(token);
        if let Some(b) = body {
            req = req.json(&b);
        }
        if let Some(e) = etag {
            req = req.header("If-Match", e);
        }
        req.send()
    };
    let resp = send(
        &a,
        Method::POST,
        "/api/campaigns",
        &coordinator,
        Some(serde_json::from_str(DEMO).unwrap()),
        None,
    )
    .await
    .unwrap();
    assert_eq!(resp.status(), StatusCode::CREATED);
    // The demo's deadline has passed: reopen through B.
    let resp = send(
        &b,
        Method::POST,
        &format!("/api/campaigns/{CAMPAIGN}/reopen"),
        &coordinator,
        None,
        None,
    )
    .await
    .unwrap();
    assert_eq!(resp.status(), StatusCode::NO_CONTENT);
    let capitals = ["CYP", "HUN", "MLT", "SVK"];
    let mut tokens = Vec::new();
    for (i, code) in capitals.iter().enumerate() {
        let base = if i % 2 == 0 { &a } else { &b };
        let resp = send(
            base,
            Method::POST,
            &format!("/api/campaigns/{CAMPAIGN}/invitations"),
            &coordinator,
            Some(json!({"respondent": code, "expires_in_days": 7})),
            None,
        )
        .await
        .unwrap();
        assert_eq!(resp.status(), StatusCode::CREATED);
        let body: Value = resp.json().await.unwrap();
        tokens.push(body["token"].as_str().unwrap().to_owned());
    }
    // The options as B sees them before any capital answers.
    let offers_seen_by_b = || async {
        let resp = send(
            &b,
            Method::GET,
            &format!("/api/campaigns/{CAMPAIGN}/options"),
            &coordinator,
            None,
            None,
        )
        .await
        .unwrap();
        let report: Value = resp.json().await.unwrap();
        report["scenarios"][0]["size"]["offers"]
            .as_u64()
            .unwrap_or_else(|| panic!("no options: {report}"))
    };
    let before = offers_seen_by_b().await;

    // Rounds of racing saves: each capital saves from the same version through A and B at once.
    for round in 0..5 {
        let mut races = Vec::new();
        for (code, token) in capitals.iter().zip(&tokens) {
            let path = format!("/api/campaigns/{CAMPAIGN}/proposals/{code}/draft");
            let read = send(
                &a,
                Method::GET,
                &format!("/api/campaigns/{CAMPAIGN}/proposals/{code}"),
                token,
                None,
                None,
            )
            .await
            .unwrap();
            let etag = read.headers()["etag"].to_str().unwrap().to_owned();
            let draft = |n: u32| json!({"offers": [{"id": format!("{code}-1"), "capability": "medical.role2", "quantity": n, "earliest_phase": "P1"}]});
            let (first, second) = tokio::join!(
                send(
                    &a,
                    Method::PUT,
                    &path,
                    token,
                    Some(draft(round + 1)),
                    Some(&etag)
                ),
                send(
                    &b,
                    Method::PUT,
                    &path,
                    token,
                    Some(draft(round + 10)),
                    Some(&etag)
                ),
            );
            races.push((first.unwrap().status(), second.unwrap().status()));
        }
        for (x, y) in races {
            let mut both = [x, y];
            both.sort();
            assert_eq!(
                both,
                [StatusCode::OK, StatusCode::PRECONDITION_FAILED],
                "round {round}: exactly one of two saves from one version wins"
            );
        }
    }
    // Both instances answer the same version.
    for (code, token) in capitals.iter().zip(&tokens) {
        let path = format!("/api/campaigns/{CAMPAIGN}/proposals/{code}");
        let ea = send(&a, Method::GET, &path, token, None, None)
            .await
            .unwrap()
            .headers()["etag"]
            .clone();
        let eb = send(&b, Method::GET, &path, token, None, None)
            .await
            .unwrap()
            .headers()["etag"]
            .clone();
        assert_eq!(ea, eb, "{code}");
        assert_eq!(ea, "\"v5\"", "{code}: five saves won");
    }
    // A submission through A shows in B's options (its cache is for the older version).
    let resp = send(
        &a,
        Method::POST,
        &format!("/api/campaigns/{CAMPAIGN}/proposals/CYP/submit"),
        &tokens[0],
        Some(json!({"note": "first answer"})),
        Some("\"v5\""),
    )
    .await
    .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(
        offers_seen_by_b().await,
        before + 1,
        "B's options include the new offer"
    );
    // A session made on A works on B.
    let resp = client
        .post(format!("{a}/api/login"))
        .json(&json!({"name": "grace", "password": "a long passphrase"}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let session: Value = resp.json().await.unwrap();
    let resp = send(
        &b,
        Method::GET,
        "/api/campaigns",
        session["token"].as_str().unwrap(),
        None,
        None,
    )
    .await
    .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    // The audit chain is whole: the token, the account, the import, the reopening, 4
    // invitations, 20 winning saves, 1 submission.
    let resp = send(
        &b,
        Method::GET,
        "/api/audit/verify",
        &coordinator,
        None,
        None,
    )
    .await
    .unwrap();
    let report: Value = resp.json().await.unwrap();
    assert_eq!(report["problems"], json!([]), "{report}");
    assert_eq!(report["entries"], 29, "{report}");
}
