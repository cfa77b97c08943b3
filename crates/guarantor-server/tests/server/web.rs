//! The web pages over HTTP: who reaches which page, CSRF, the proposal form with its errors,
//! the workbook upload, setup, sign-in cookies. (The same journeys in a real browser are in the
//! binary's `tests/browser.rs`.)

use reqwest::header::{COOKIE, LOCATION, SET_COOKIE};
use reqwest::multipart;

use super::*;

/// A client that shows redirects instead of following them.
fn browser() -> Client {
    Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// A page fetched or posted with the session cookie.
struct Page {
    status: StatusCode,
    location: String,
    body: String,
}

async fn page(
    app: &App,
    cookie: &str,
    method: Method,
    path: &str,
    form: Option<&[(String, String)]>,
) -> Page {
    let mut req = browser()
        .request(method, app.url(path))
        .header(COOKIE, format!("guarantor_session={cookie}"));
    if let Some(f) = form {
        req = req.form(f);
    }
    let resp = req.send().await.expect("request");
    Page {
        status: resp.status(),
        location: resp
            .headers()
            .get(LOCATION)
            .map(|v| v.to_str().unwrap().to_owned())
            .unwrap_or_default(),
        body: resp.text().await.unwrap(),
    }
}

fn csrf(body: &str) -> String {
    regex::Regex::new(r#"name="_csrf" value="([0-9a-f]+)""#)
        .unwrap()
        .captures(body)
        .expect("a form with a CSRF token")[1]
        .to_owned()
}

fn version(body: &str) -> String {
    regex::Regex::new(r#"name="version" value="(-?\d+)""#)
        .unwrap()
        .captures(body)
        .expect("a form with a version")[1]
        .to_owned()
}

/// The fields a browser would send from the `n`th form of a page as it stands: text inputs and
/// hidden ones with their values, ticked boxes, each select's chosen option, text areas.
fn form_fields(body: &str, n: usize) -> Vec<(String, String)> {
    let unescape = |s: &str| {
        s.replace("&quot;", "\"")
            .replace("&#34;", "\"")
            .replace("&#39;", "'")
            .replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&amp;", "&")
    };
    let form = body
        .split("<form")
        .nth(n + 1)
        .and_then(|f| f.split("</form>").next())
        .expect("the form");
    let attr = |tag: &str, name: &str| {
        regex::Regex::new(&format!(r#"\s{name}="([^"]*)""#))
            .unwrap()
            .captures(tag)
            .map(|c| unescape(&c[1]))
    };
    let control = regex::Regex::new(
        r#"(?s)<input[^>]*>|<select[^>]*>.*?</select>|<textarea[^>]*>.*?</textarea>"#,
    )
    .unwrap();
    let selected = regex::Regex::new(r#"<option value="([^"]*)"[^>]*\sselected"#).unwrap();
    let first_option = regex::Regex::new(r#"<option value="([^"]*)""#).unwrap();
    let mut out = Vec::new();
    for m in control.find_iter(form) {
        let tag = m.as_str();
        let Some(name) = attr(tag, "name") else {
            continue;
        };
        if tag.starts_with("<input") {
            let kind = attr(tag, "type").unwrap_or_default();
            if kind == "checkbox" || kind == "radio" {
                if tag.contains(" checked") {
                    out.push((name, attr(tag, "value").unwrap_or_else(|| "on".into())));
                }
            } else if kind != "file" {
                out.push((name, attr(tag, "value").unwrap_or_default()));
            }
        } else if tag.starts_with("<select") {
            let chosen = selected
                .captures(tag)
                .map(|c| unescape(&c[1]))
                .or_else(|| first_option.captures(tag).map(|c| unescape(&c[1])))
                .unwrap_or_default();
            out.push((name, chosen));
        } else {
            let text = tag
                .split_once('>')
                .map(|(_, t)| t.trim_end_matches("</textarea>"))
                .unwrap_or("");
            out.push((name, unescape(text)));
        }
    }
    out
}

/// Sets field `name` to `value` in a form's fields (the first such field).
fn set(fields: &mut [(String, String)], name: &str, value: &str) {
    fields
        .iter_mut()
        .find(|(k, _)| k == name)
        .unwrap_or_else(|| panic!("no field {name}"))
        .1 = value.to_owned();
}

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

/// A session token of a fresh account with `role`.
async fn session(app: &App, name: &str, role: Role) -> String {
    let password = "correct horse battery staple";
    app.store
        .create_account(name, role, password, "test", Utc::now())
        .await
        .unwrap();
    app.store
        .login(name, password, Utc::now())
        .await
        .unwrap()
        .token
}

#[tokio::test]
async fn every_page_route_is_served_and_a_capital_reaches_only_its_own() {
    for app in spawn_apps().await {
        let fra = app.with_demo_and_invitation("FRA").await;
        let coordinator = session(&app, "web-coord", Role::Coordinator).await;
        let home = page(&app, &fra, Method::GET, "/", None).await;
        assert_eq!(
            home.location,
            format!("/campaigns/{CAMPAIGN}/proposals/FRA")
        );
        let own = page(&app, &fra, Method::GET, &home.location, None).await;
        assert_eq!(own.status, StatusCode::OK, "{}", app.label);
        let token = csrf(&own.body);
        for r in guarantor_server::web::page_routes() {
            let (m, path, who) = (r.method, r.path, r.who);
            let fill = |c: &str, r: &str| {
                path.replace("{campaign}", c)
                    .replace("{respondent}", r)
                    .replace("{token}", "0000")
                    .replace("{what_if}", "spain-brigade")
            };
            // Served: the coordinator never meets the API's no_route fallback.
            let served = page(
                &app,
                &coordinator,
                method(m),
                &fill(CAMPAIGN, "DEU"),
                Some(&[]),
            )
            .await;
            assert!(
                !served.body.contains("no_route")
                    && served.status != StatusCode::METHOD_NOT_ALLOWED,
                "{}: {m} {path} is not served",
                app.label
            );
            let public = matches!(
                path,
                "/" | "/login"
                    | "/logout"
                    | "/invitation/{token}"
                    | "/static/app.css"
                    | "/static/app.js"
            );
            if public {
                continue;
            }
            // Another capital, another campaign, and the campaign-wide pages: as if absent.
            let mut targets = vec![fill(CAMPAIGN, "DEU"), fill("other-campaign", "FRA")];
            if !path.contains("{respondent}") {
                targets.push(fill(CAMPAIGN, "FRA"));
            }
            // Who asks comes before what is sent: garbage from a capital to a coordinator's
            // form is 404, as if the route were not there, not 400.
            if m == "POST" && who == "coordinator" {
                let resp = browser()
                    .post(app.url(&fill(CAMPAIGN, "FRA")))
                    .header(COOKIE, format!("guarantor_session={fra}"))
                    .header("content-type", "application/x-www-form-urlencoded")
                    .body(vec![0xff_u8, 0xfe, b'%', b'z'])
                    .send()
                    .await
                    .unwrap();
                assert_eq!(
                    resp.status(),
                    StatusCode::NOT_FOUND,
                    "{}: {path}",
                    app.label
                );
            }
            for target in targets {
                let form = pairs(&[("_csrf", &token), ("version", "0")]);
                let p = page(&app, &fra, method(m), &target, Some(&form)).await;
                assert_eq!(
                    p.status,
                    StatusCode::NOT_FOUND,
                    "{}: FRA must not reach {m} {target}: {}",
                    app.label,
                    &p.body[..p.body.len().min(300)]
                );
                assert!(
                    !p.body.contains("Germany"),
                    "{m} {target} leaks another capital"
                );
            }
        }
    }
}

#[tokio::test]
async fn forms_without_the_csrf_token_of_the_session_change_nothing() {
    for app in spawn_apps().await {
        app.with_demo_and_invitation("FRA").await;
        let coordinator = session(&app, "csrf-coord", Role::Coordinator).await;
        let other = session(&app, "csrf-other", Role::Coordinator).await;
        let before = app.store.campaign_state(CAMPAIGN).await.unwrap();
        let others_token = csrf(
            &page(&app, &other, Method::GET, "/campaigns", None)
                .await
                .body,
        );
        for form in [
            pairs(&[("respondent", "DEU")]),
            pairs(&[
                ("_csrf", "0123456789abcdef0123456789abcdef"),
                ("respondent", "DEU"),
            ]),
            pairs(&[("_csrf", &others_token), ("respondent", "DEU")]),
        ] {
            for path in [
                format!("/campaigns/{CAMPAIGN}/invitations"),
                format!("/campaigns/{CAMPAIGN}/reopen"),
                format!("/campaigns/{CAMPAIGN}/proposals/DEU"),
                format!("/campaigns/{CAMPAIGN}/setup"),
            ] {
                let p = page(&app, &coordinator, Method::POST, &path, Some(&form)).await;
                assert_eq!(p.status, StatusCode::FORBIDDEN, "{}: {path}", app.label);
                assert!(p.body.contains("another site"), "{}", p.body);
            }
        }
        assert_eq!(app.store.campaign_state(CAMPAIGN).await.unwrap(), before);
        assert!(
            app.store
                .invitations(CAMPAIGN)
                .await
                .unwrap()
                .iter()
                .all(|i| i.respondent != "DEU"),
            "no invitation was made"
        );
    }
}

#[tokio::test]
async fn a_capital_answers_through_the_form_and_sees_its_mistakes_next_to_the_field() {
    for app in spawn_apps().await {
        let token = app.with_demo_and_invitation("CYP").await;
        // The link sets a strict, script-proof cookie and lands on the proposal.
        let resp = browser()
            .get(app.url(&format!("/invitation/{token}")))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::SEE_OTHER);
        let cookie = resp.headers()[SET_COOKIE].to_str().unwrap().to_owned();
        assert!(
            cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"),
            "{cookie}"
        );
        assert_eq!(resp.headers()["referrer-policy"], "no-referrer");
        let path = format!("/campaigns/{CAMPAIGN}/proposals/CYP");
        let form_page = page(&app, &token, Method::GET, &path, None).await;
        assert!(form_page.body.contains("Not started"));
        let (t, v) = (csrf(&form_page.body), version(&form_page.body));
        let line = |quantity: &str, excluded: &str, action: &str| {
            pairs(&[
                ("_csrf", &t),
                ("version", &v),
                ("action", action),
                ("o0.id", ""),
                ("o0.capability", "brigade.mechanised"),
                ("o0.quantity", quantity),
                ("o0.earliest_phase", "P1"),
                ("o0.last_phase", ""),
                ("o0.sectors", "west"),
                ("o0.excluded_sectors", excluded),
                ("o0.cost_amount", "120"),
                ("o0.cost_currency", "EUR"),
                ("o0.paid_by", "contributor"),
                ("o0.facts", "us_backstop"),
                ("o1.capability", ""),
                ("o1.quantity", ""),
                ("answer.deterrence", "A brigade in the west."),
            ])
        };
        // Not a number: refused before the store, shown on the field.
        let p = page(
            &app,
            &token,
            Method::POST,
            &path,
            Some(&line("two", "", "save")),
        )
        .await;
        assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", app.label);
        assert!(p.body.contains(r#"id="o0-quantity-error""#), "{}", p.body);
        assert!(p.body.contains("(got &quot;two&quot;)") || p.body.contains("(got &#34;two&#34;)"));
        assert!(
            p.body.contains("A brigade in the west."),
            "what was typed is kept"
        );
        // A sector that does not exist: refused by the campaign's rules, named on its line.
        let p = page(
            &app,
            &token,
            Method::POST,
            &path,
            Some(&line("1", "atlantis", "save")),
        )
        .await;
        assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(p.body.contains("atlantis"), "{}", p.body);
        assert!(
            p.body.contains(r##"href="#o0-caveats""##),
            "the summary links the field: {}",
            p.body
        );
        assert_eq!(
            app.store.proposal(CAMPAIGN, "CYP").await.unwrap().version,
            0,
            "nothing stored"
        );
        // Valid: "Review and submit" saves the draft and shows what will be sent, in words,
        // with the button that submits it; nothing is submitted yet.
        let p = page(
            &app,
            &token,
            Method::POST,
            &path,
            Some(&line("1", "", "review")),
        )
        .await;
        assert_eq!(p.status, StatusCode::OK, "{}", p.body);
        assert!(p.body.contains("Review before submitting"), "{}", p.body);
        assert!(
            p.body.contains("Mechanised brigade"),
            "names, not ids: {}",
            p.body
        );
        assert!(p.body.contains("Submit revision 1"), "{}", p.body);
        let drafted = app.store.proposal(CAMPAIGN, "CYP").await.unwrap();
        assert!(drafted.proposal.draft.is_some() && drafted.proposal.revisions.is_empty());
        let confirm = |version: &str| {
            pairs(&[
                ("_csrf", &t),
                ("version", version),
                ("action", "submit"),
                ("note", "first answer"),
            ])
        };
        // Past the deadline: the review says why it was not submitted; the draft stays.
        let v = drafted.version.to_string();
        let p = page(&app, &token, Method::POST, &path, Some(&confirm(&v))).await;
        assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            p.body
                .contains("the deadline (2025-03-07T17:00:00Z) has passed"),
            "{}",
            p.body
        );
        assert_eq!(app.store.proposal(CAMPAIGN, "CYP").await.unwrap(), drafted);
        // Reopened: the same confirmation goes through.
        app.store
            .reopen(CAMPAIGN, "test", Utc::now())
            .await
            .unwrap();
        let p = page(&app, &token, Method::POST, &path, Some(&confirm(&v))).await;
        assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
        assert_eq!(p.location, format!("{path}?done=submitted"));
        let state = app.store.proposal(CAMPAIGN, "CYP").await.unwrap();
        let rev = state.proposal.revisions.last().expect("a revision");
        assert_eq!(rev.offers.len(), 1);
        assert_eq!(rev.offers[0].id, "CYP-1");
        assert_eq!(
            rev.offers[0].sectors.as_deref(),
            Some(&["west".to_owned()][..])
        );
        assert_eq!(rev.answers[0].text, "A brigade in the west.");
        // The stale form again: the other edit is named, nothing overwritten silently.
        let p = page(
            &app,
            &token,
            Method::POST,
            &path,
            Some(&line("5", "", "save")),
        )
        .await;
        assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(p.body.contains("changed since you read it"), "{}", p.body);
        assert_eq!(
            app.store.proposal(CAMPAIGN, "CYP").await.unwrap().version,
            state.version
        );
        // A decision maker may read it but not change it.
        let dm = session(&app, "web-dm", Role::DecisionMaker).await;
        let read = page(&app, &dm, Method::GET, &path, None).await;
        assert_eq!(read.status, StatusCode::OK);
        // Where submissions stand, said to a reader, not as to the capital.
        assert!(
            read.body.contains("reopened the campaign to submissions"),
            "{}",
            read.body
        );
        assert!(!read.body.contains("you may still"), "{}", read.body);
        let p = page(
            &app,
            &dm,
            Method::POST,
            &path,
            Some(&pairs(&[("_csrf", &csrf(&read.body)), ("version", "2")])),
        )
        .await;
        assert_eq!(p.status, StatusCode::FORBIDDEN);
    }
}

/// The row numbers of the offer lines on a proposal page, each with the section it is shown in
/// (the hidden template rows excluded).
fn rows_by_section(body: &str) -> Vec<(String, String)> {
    let shown = regex::Regex::new(r"(?s)<template.*?</template>")
        .unwrap()
        .replace_all(body, "");
    let marks = regex::Regex::new(r#"data-offers="([a-z_]+)"|<fieldset class="offer" id="o(\d+)""#)
        .unwrap();
    let mut out = Vec::new();
    let mut section = String::new();
    for m in marks.captures_iter(&shown) {
        if let Some(s) = m.get(1) {
            section = s.as_str().to_owned();
        } else if let Some(r) = m.get(2) {
            out.push((r.as_str().to_owned(), section.clone()));
        }
    }
    out
}

#[tokio::test]
async fn a_failed_save_returns_the_form_as_sent_with_every_problem_at_once() {
    for app in spawn_apps().await {
        let token = app.with_demo_and_invitation("CYP").await;
        let path = format!("/campaigns/{CAMPAIGN}/proposals/CYP");
        let form_page = page(&app, &token, Method::GET, &path, None).await;
        let (t, v) = (csrf(&form_page.body), version(&form_page.body));
        // Four lines with three mistakes among them, each typed in its own section, a capital
        // named in words, and an empty row left in each section.
        let sent = pairs(&[
            ("_csrf", &t),
            ("version", &v),
            ("action", "save"),
            ("o0.section", "troops"),
            ("o0.capability", "brigade.mechanised"),
            ("o0.quantity", "-2"),
            ("o0.earliest_phase", "P1"),
            ("o0.paid_by", "contributor"),
            ("o1.section", "enablers"),
            ("o1.capability", ""),
            ("o1.quantity", "1"),
            ("o1.earliest_phase", "P1"),
            ("o1.paid_by", "contributor"),
            ("o2.section", "hardware"),
            ("o2.capability", "air_defence.short_range"),
            ("o2.quantity", "1"),
            ("o2.earliest_phase", "P1"),
            ("o2.cost_amount", "lots"),
            ("o2.paid_by", "contributor"),
            ("o3.section", "troops"),
            ("o3.capability", "battalion.infantry"),
            ("o3.quantity", "1"),
            ("o3.earliest_phase", "P1"),
            ("o3.paid_by", "contributor"),
            ("o3.if_commits", "Greece"),
            ("o4.section", "troops"),
            ("o5.section", "hardware"),
            ("o6.section", "enablers"),
            ("o7.section", "arrangement"),
            ("o8.section", "funding"),
        ]);
        let mut sorted: Vec<(String, String)> = [
            ("0", "troops"),
            ("1", "enablers"),
            ("2", "hardware"),
            ("3", "troops"),
            ("4", "troops"),
            ("5", "hardware"),
            ("6", "enablers"),
            ("7", "arrangement"),
            ("8", "funding"),
        ]
        .iter()
        .map(|(r, s)| ((*r).to_owned(), (*s).to_owned()))
        .collect();
        sorted.sort();
        for round in 0..2 {
            let p = page(&app, &token, Method::POST, &path, Some(&sent)).await;
            assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", app.label);
            let mut shown = rows_by_section(&p.body);
            shown.sort();
            assert_eq!(
                shown, sorted,
                "round {round}: the form as sent, no row added or moved"
            );
            for field in ["o0-quantity", "o1-capability", "o2-cost_per_unit_year"] {
                assert!(
                    p.body.contains(&format!(r##"href="#{field}""##)),
                    "round {round}: {field} reported with the others: {}",
                    p.body
                );
            }
            assert!(
                !p.body.contains("Greece&quot;"),
                "Greece is recognised as GRC"
            );
        }
        assert_eq!(
            app.store.proposal(CAMPAIGN, "CYP").await.unwrap().version,
            0,
            "nothing stored"
        );
        // Fixed, the same form saves, with the capital named in words stored as its code.
        let mut fixed = sent.clone();
        for (k, val) in &mut fixed {
            match k.as_str() {
                "o0.quantity" => *val = "2".into(),
                "o1.capability" => *val = "medical.role2".into(),
                "o2.cost_amount" => *val = "15".into(),
                _ => {}
            }
        }
        let p = page(&app, &token, Method::POST, &path, Some(&fixed)).await;
        assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
        let draft = app
            .store
            .proposal(CAMPAIGN, "CYP")
            .await
            .unwrap()
            .proposal
            .draft
            .clone()
            .expect("saved");
        assert_eq!(draft.offers.len(), 4);
        assert!(draft.offers.iter().any(|o| o.conditions
            == [guarantor_domain::document::ConditionDoc::IfCommits(
                "GRC".into()
            )]));
    }
}

#[tokio::test]
async fn the_workbook_uploads_back_as_the_draft_and_garbage_is_refused() {
    for app in spawn_apps().await {
        let token = app.with_demo_and_invitation("GBR").await;
        let path = format!("/campaigns/{CAMPAIGN}/proposals/GBR");
        let form_page = page(&app, &token, Method::GET, &path, None).await;
        let t = csrf(&form_page.body);
        let xlsx = browser()
            .get(app.url(&format!("{path}/template.xlsx")))
            .header(COOKIE, format!("guarantor_session={token}"))
            .send()
            .await
            .unwrap();
        assert_eq!(xlsx.status(), StatusCode::OK);
        assert!(
            xlsx.headers()["content-disposition"]
                .to_str()
                .unwrap()
                .contains(".xlsx")
        );
        let bytes = xlsx.bytes().await.unwrap().to_vec();
        // The United Kingdom's follow-up ask and its pledges come in the workbook, read-only.
        {
            use calamine::Reader as _;
            let stored = app.store.export(CAMPAIGN).await.unwrap();
            let gbr = guarantor_domain::ids::CountryCode::parse("GBR").unwrap();
            let mut wb: calamine::Xlsx<_> =
                calamine::open_workbook_from_rs(std::io::Cursor::new(bytes.clone())).unwrap();
            let asks = wb.worksheet_range("Follow-up asks").expect("an asks sheet");
            let ask = stored.asks_to(&gbr).next().expect("the demo asks GBR");
            assert_eq!(asks.get_value((1, 0)).unwrap().to_string(), ask.id);
            assert_eq!(
                asks.get_value((1, 5)).unwrap().to_string(),
                stored.ask_status(ask, chrono::Utc::now()).in_words()
            );
            let pledges = wb.worksheet_range("Pledges").expect("a pledges sheet");
            let own: Vec<&guarantor_domain::Pledge> = stored
                .plan()
                .unwrap()
                .pledges
                .iter()
                .filter(|p| p.respondent == gbr)
                .collect();
            assert_eq!(pledges.height(), own.len() + 1, "a header and a row each");
            assert_eq!(pledges.get_value((1, 0)).unwrap().to_string(), own[0].id);
        }
        let before = app.store.proposal(CAMPAIGN, "GBR").await.unwrap();
        let upload = |file: Vec<u8>| {
            let form = multipart::Form::new()
                .text("_csrf", t.clone())
                .part("file", multipart::Part::bytes(file).file_name("gbr.xlsx"));
            browser()
                .post(app.url(&format!("{path}/upload")))
                .header(COOKIE, format!("guarantor_session={token}"))
                .multipart(form)
                .send()
        };
        let resp = upload(b"PK not really".to_vec()).await.unwrap();
        assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(resp.text().await.unwrap().contains("not an Excel workbook"));
        assert_eq!(app.store.proposal(CAMPAIGN, "GBR").await.unwrap(), before);
        let resp = upload(bytes.clone()).await.unwrap();
        assert_eq!(
            resp.status(),
            StatusCode::SEE_OTHER,
            "{}",
            resp.text().await.unwrap()
        );
        // The same file again (a typo fixed after the first upload): the capital's own draft
        // since the file was made does not stand in the way.
        let resp = upload(bytes.clone()).await.unwrap();
        assert_eq!(
            resp.status(),
            StatusCode::SEE_OTHER,
            "{}",
            resp.text().await.unwrap()
        );
        let after = app.store.proposal(CAMPAIGN, "GBR").await.unwrap();
        assert_eq!(after.version, before.version + 2, "two drafts saved");
        let draft = after
            .proposal
            .draft
            .clone()
            .expect("the upload is the draft");
        let current = before.proposal.revisions.last().unwrap();
        assert_eq!(draft.offers, current.offers, "{}", app.label);
        let sorted = |a: &[guarantor_domain::document::AnswerDoc]| {
            let mut v: Vec<_> = a
                .iter()
                .map(|a| (a.question.clone(), a.text.clone()))
                .collect();
            v.sort();
            v
        };
        assert_eq!(sorted(&draft.answers), sorted(&current.answers));
        // A submission since the file was made is not overwritten: the capital is told, in
        // words, what changed.
        app.store
            .reopen(CAMPAIGN, "test", Utc::now())
            .await
            .unwrap();
        app.store
            .submit(
                CAMPAIGN,
                "GBR",
                after.version,
                "",
                &format!("invitation:{CAMPAIGN}/GBR"),
                Utc::now(),
            )
            .await
            .unwrap();
        let resp = upload(bytes).await.unwrap();
        assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let body = resp.text().await.unwrap();
        assert!(
            body.contains(&format!("made from version {}", before.version))
                && body.contains("you submitted a revision on")
                && body.contains("Download the workbook again"),
            "{body}"
        );
    }
}

#[tokio::test]
async fn setup_is_validated_with_every_proposal_versioned_and_audited() {
    for app in spawn_apps().await {
        app.with_demo_and_invitation("FRA").await;
        let coordinator = session(&app, "setup-coord", Role::Coordinator).await;
        let path = format!("/campaigns/{CAMPAIGN}/setup");
        let setup = page(&app, &coordinator, Method::GET, &path, None).await;
        assert_eq!(setup.status, StatusCode::OK);
        let doc = app.store.export(CAMPAIGN).await.unwrap().to_document();
        // The setup form as the page shows it, with the first requirement's phase and the
        // deadline changed, as a coordinator would.
        let form = |phase_of_first: &str, deadline: &str, v: &str| {
            let mut f = form_fields(&setup.body, 1);
            set(&mut f, "r0.phase", phase_of_first);
            set(&mut f, "deadline", deadline);
            set(&mut f, "version", v);
            f
        };
        let v = version(&setup.body);
        let bad = page(
            &app,
            &coordinator,
            Method::POST,
            &path,
            Some(&form("P9", "2030-01-31T12:00", &v)),
        )
        .await;
        assert_eq!(
            bad.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{}",
            app.label
        );
        assert!(
            bad.body.contains("requirements[") && bad.body.contains("P9"),
            "{}",
            bad.body
        );
        let ok = page(
            &app,
            &coordinator,
            Method::POST,
            &path,
            Some(&form(&doc.requirements[0].phase, "2030-01-31T12:00", &v)),
        )
        .await;
        assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.body);
        let stored = app.store.export(CAMPAIGN).await.unwrap().to_document();
        assert_eq!(
            stored.campaign.deadline.to_rfc3339(),
            "2030-01-31T12:00:00+00:00"
        );
        assert_eq!(stored.proposals, doc.proposals, "proposals untouched");
        // The structured form loses nothing of what it shows.
        assert_eq!(stored.questionnaire, doc.questionnaire);
        assert_eq!(stored.facts, doc.facts);
        assert_eq!(stored.scenarios, doc.scenarios);
        assert_eq!(stored.requirements, {
            let mut r = doc.requirements.clone();
            r.sort_by(|a, b| a.id.cmp(&b.id));
            let mut s = stored.requirements.clone();
            s.sort_by(|a, b| a.id.cmp(&b.id));
            assert_eq!(s, r);
            stored.requirements.clone()
        });
        let stale = page(
            &app,
            &coordinator,
            Method::POST,
            &path,
            Some(&form(&doc.requirements[0].phase, "2031-01-31T12:00", &v)),
        )
        .await;
        assert!(
            stale.body.contains("changed since you read it"),
            "{}",
            stale.body
        );
        let audit = page(
            &app,
            &coordinator,
            Method::GET,
            &format!("/campaigns/{CAMPAIGN}/audit"),
            None,
        )
        .await;
        assert!(audit.body.contains("changed the setup") && audit.body.contains("intact"));
        // What the setup change changed, field by field.
        assert!(
            audit
                .body
                .contains("campaign › deadline: 2025-03-07 17:00 UTC → 2030-01-31 12:00 UTC"),
            "{}",
            audit.body
        );
    }
}

#[tokio::test]
async fn sign_in_sets_a_strict_cookie_and_sign_out_ends_the_session() {
    for app in spawn_apps().await {
        app.create_account("web-signin", "a long enough password")
            .await;
        let login = |password: &str| {
            browser()
                .post(app.url("/login"))
                .form(&pairs(&[
                    ("name", "web-signin"),
                    ("password", password),
                    ("next", "/campaigns"),
                ]))
                .send()
        };
        let wrong = login("not the password!!").await.unwrap();
        assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
        assert!(
            wrong
                .text()
                .await
                .unwrap()
                .contains("wrong name or password")
        );
        let right = login("a long enough password").await.unwrap();
        assert_eq!(right.status(), StatusCode::SEE_OTHER);
        assert_eq!(right.headers()[LOCATION], "/campaigns");
        let set = right.headers()[SET_COOKIE].to_str().unwrap().to_owned();
        for attr in [
            "HttpOnly",
            "SameSite=Strict",
            "Secure",
            "Path=/",
            "Max-Age=",
        ] {
            assert!(set.contains(attr), "{attr} in {set}");
        }
        let token = set
            .split(';')
            .next()
            .unwrap()
            .trim_start_matches("guarantor_session=")
            .to_owned();
        let list = page(&app, &token, Method::GET, "/campaigns", None).await;
        assert_eq!(list.status, StatusCode::OK);
        // Pages may load nothing from elsewhere and may not be framed.
        let headers = browser()
            .get(app.url("/campaigns"))
            .header(COOKIE, format!("guarantor_session={token}"))
            .send()
            .await
            .unwrap()
            .headers()
            .clone();
        let csp = headers["content-security-policy"].to_str().unwrap();
        assert!(
            csp.starts_with("default-src 'self'") && csp.contains("script-src 'self';"),
            "{csp}"
        );
        assert_eq!(headers["x-frame-options"], "DENY");
        assert_eq!(headers["cache-control"], "no-store");
        let out = page(
            &app,
            &token,
            Method::POST,
            "/logout",
            Some(&pairs(&[("_csrf", &csrf(&list.body))])),
        )
        .await;
        assert_eq!(out.status, StatusCode::SEE_OTHER);
        let after = page(&app, &token, Method::GET, "/campaigns", None).await;
        assert_eq!(after.status, StatusCode::SEE_OTHER, "the session ended");
        assert!(
            after.location.starts_with("/login?next="),
            "{}",
            after.location
        );
        // No open redirect after sign-in.
        let evil = browser()
            .post(app.url("/login"))
            .form(&pairs(&[
                ("name", "web-signin"),
                ("password", "a long enough password"),
                ("next", "//evil.example/"),
            ]))
            .send()
            .await
            .unwrap();
        assert_eq!(evil.headers()[LOCATION], "/");
    }
}

/// The coordinator manages API tokens and accounts from the access page, an account changes
/// its own password on its page; a decision maker may not open the access page.
#[tokio::test]
async fn the_access_page_manages_tokens_and_accounts_and_an_account_its_password() {
    let new_token = regex::Regex::new(r#"<code id="new-token">([0-9a-f]{64})</code>"#).unwrap();
    let listed_id = regex::Regex::new(r"<code>([0-9a-f]{12})</code></td><td>reporting<").unwrap();
    for app in spawn_apps().await {
        let coord = session(&app, "cora", Role::Coordinator).await;
        let access = page(&app, &coord, Method::GET, "/access", None).await;
        assert_eq!(access.status, StatusCode::OK, "{}", app.label);
        assert!(access.body.contains("API tokens") && access.body.contains("cora"));
        assert!(
            access.body.contains(r#"href="/access""#),
            "the header links to it"
        );

        // A token: shown once on the answer, listed by id, revoked.
        let made = page(
            &app,
            &coord,
            Method::POST,
            "/access/tokens",
            Some(&pairs(&[
                ("_csrf", &csrf(&access.body)),
                ("name", "reporting"),
                ("role", "decision_maker"),
                ("expires_in_days", "7"),
            ])),
        )
        .await;
        assert_eq!(made.status, StatusCode::OK, "{}", made.body);
        let token = new_token
            .captures(&made.body)
            .expect("the new token is shown")[1]
            .to_owned();
        let (status, _, _) = app
            .call(Method::GET, "/api/campaigns", Some(&token), None, None)
            .await;
        assert_eq!(status, StatusCode::OK);
        let listed = page(&app, &coord, Method::GET, "/access", None).await;
        assert!(!listed.body.contains(&token), "never shown again");
        let id = listed_id
            .captures(&listed.body)
            .expect("the token is listed")[1]
            .to_owned();
        let revoked = page(
            &app,
            &coord,
            Method::POST,
            &format!("/access/tokens/{id}/revoke"),
            Some(&pairs(&[("_csrf", &csrf(&listed.body))])),
        )
        .await;
        assert_eq!(revoked.status, StatusCode::SEE_OTHER);
        let (status, _, _) = app
            .call(Method::GET, "/api/campaigns", Some(&token), None, None)
            .await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        // Without the form token nothing changes.
        let forged = page(
            &app,
            &coord,
            Method::POST,
            "/access/tokens",
            Some(&pairs(&[
                ("name", "x"),
                ("role", "coordinator"),
                ("expires_in_days", "7"),
            ])),
        )
        .await;
        assert_eq!(forged.status, StatusCode::FORBIDDEN);

        // A decision maker: no access page, but its own account page.
        let dana = session(&app, "dana", Role::DecisionMaker).await;
        let denied = page(&app, &dana, Method::GET, "/access", None).await;
        assert_eq!(denied.status, StatusCode::FORBIDDEN);
        let own = page(&app, &dana, Method::GET, "/account", None).await;
        assert_eq!(own.status, StatusCode::OK);
        assert!(!own.body.contains(r#"href="/access""#));

        // Disabling dana ends her session; enabling lets her sign in again.
        let listed = page(&app, &coord, Method::GET, "/access", None).await;
        let disabled = page(
            &app,
            &coord,
            Method::POST,
            "/access/accounts/dana/disable",
            Some(&pairs(&[("_csrf", &csrf(&listed.body))])),
        )
        .await;
        assert_eq!(disabled.status, StatusCode::SEE_OTHER);
        let gone = page(&app, &dana, Method::GET, "/account", None).await;
        assert_eq!(gone.status, StatusCode::SEE_OTHER, "back to sign-in");
        assert!(gone.location.starts_with("/login"));
        let enabled = page(
            &app,
            &coord,
            Method::POST,
            "/access/accounts/dana/enable",
            Some(&pairs(&[("_csrf", &csrf(&listed.body))])),
        )
        .await;
        assert_eq!(enabled.status, StatusCode::SEE_OTHER);

        // Dana changes her password: the wrong current one is refused on the page; the right
        // one ends her sessions and sends her to sign in.
        let dana = app
            .store
            .login("dana", "correct horse battery staple", Utc::now())
            .await
            .unwrap()
            .token;
        let own = page(&app, &dana, Method::GET, "/account", None).await;
        let form = |current: &str| {
            pairs(&[
                ("_csrf", &csrf(&own.body)),
                ("current_password", current),
                ("new_password", "a brand new passphrase"),
                ("repeat_password", "a brand new passphrase"),
            ])
        };
        let wrong = page(
            &app,
            &dana,
            Method::POST,
            "/account/password",
            Some(&form("nope nope nope")),
        )
        .await;
        assert_eq!(wrong.status, StatusCode::OK);
        assert!(
            wrong.body.contains("The current password is not right"),
            "{}",
            wrong.body
        );
        let changed = page(
            &app,
            &dana,
            Method::POST,
            "/account/password",
            Some(&form("correct horse battery staple")),
        )
        .await;
        assert_eq!(changed.status, StatusCode::SEE_OTHER);
        assert_eq!(changed.location, "/login?done=password");
        let after = page(&app, &dana, Method::GET, "/account", None).await;
        assert_eq!(after.status, StatusCode::SEE_OTHER, "the session ended");
        assert!(
            app.store
                .login("dana", "a brand new passphrase", Utc::now())
                .await
                .is_ok()
        );
    }
}

#[tokio::test]
async fn submitting_is_reviewed_required_answers_hold_and_an_empty_proposal_is_confirmed() {
    for app in spawn_apps().await {
        // The demo with a required question, a section that requires lines, and an open
        // deadline.
        let mut campaign: Value = serde_json::from_str(DEMO).unwrap();
        let id = "required-answers";
        campaign["campaign"]["id"] = json!(id);
        campaign["campaign"]["deadline"] = json!("2099-01-01T00:00:00Z");
        campaign["proposals"] = json!([]);
        let sections = campaign["questionnaire"]["sections"]
            .as_array_mut()
            .unwrap();
        let arrangement = sections
            .iter_mut()
            .find(|s| s["id"] == "arrangement")
            .unwrap();
        arrangement["questions"][0]["required"] = json!(true);
        let question = arrangement["questions"][0]["text"]
            .as_str()
            .unwrap()
            .to_owned();
        let troops = sections.iter_mut().find(|s| s["id"] == "troops").unwrap();
        troops["lines_required"] = json!(true);
        let (status, body, _) = app
            .call(
                Method::POST,
                "/api/campaigns",
                Some(&app.coordinator),
                Some(campaign),
                None,
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        let (status, body, _) = app
            .call(
                Method::POST,
                &format!("/api/campaigns/{id}/invitations"),
                Some(&app.coordinator),
                Some(json!({"respondent": "MLT", "expires_in_days": 7})),
                None,
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        let token = body["token"].as_str().unwrap().to_owned();
        let path = format!("/campaigns/{id}/proposals/MLT");
        let form_page = page(&app, &token, Method::GET, &path, None).await;
        let t = csrf(&form_page.body);
        let post = |version: String, fields: &[(&str, &str)]| {
            let mut all = pairs(&[("_csrf", &t), ("version", &version)]);
            all.extend(pairs(fields));
            all
        };
        // An empty form reviewed: it offers nothing, and the rules say what is missing, in
        // words; no button submits it.
        let p = page(
            &app,
            &token,
            Method::POST,
            &path,
            Some(&post("0".into(), &[("action", "review")])),
        )
        .await;
        assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", p.body);
        assert!(p.body.contains("offers nothing"), "{}", p.body);
        assert!(
            p.body.contains(&question),
            "the question by its text: {}",
            p.body
        );
        assert!(p.body.contains("must be answered before"), "{}", p.body);
        assert!(
            p.body.contains("needs at least one offer line"),
            "{}",
            p.body
        );
        assert!(!p.body.contains("Submit revision"), "{}", p.body);
        // Confirming anyway is refused by the store with the same rules.
        let v = app.store.proposal(id, "MLT").await.unwrap().version;
        let p = page(
            &app,
            &token,
            Method::POST,
            &path,
            Some(&post(
                v.to_string(),
                &[("action", "submit"), ("confirm_empty", "yes")],
            )),
        )
        .await;
        assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", p.body);
        assert!(
            app.store
                .proposal(id, "MLT")
                .await
                .unwrap()
                .proposal
                .revisions
                .is_empty()
        );
        // Answered, with a line in the section that requires one: submitted after review.
        let p = page(
            &app,
            &token,
            Method::POST,
            &path,
            Some(&post(
                v.to_string(),
                &[
                    ("action", "review"),
                    ("o0.section", "troops"),
                    ("o0.capability", "battalion.infantry"),
                    ("o0.quantity", "2"),
                    ("o0.earliest_phase", "P1"),
                    ("o0.paid_by", "contributor"),
                    ("answer.deterrence", "A battalion."),
                ],
            )),
        )
        .await;
        assert_eq!(p.status, StatusCode::OK, "{}", p.body);
        let v = version(&p.body);
        let p = page(
            &app,
            &token,
            Method::POST,
            &path,
            Some(&post(v.clone(), &[("action", "submit")])),
        )
        .await;
        assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
        // Printing the page gives what was submitted, in words; the past revision can be
        // opened whole.
        let shown = page(&app, &token, Method::GET, &path, None).await;
        let printed = shown
            .body
            .split(r#"<section class="print-only""#)
            .nth(1)
            .expect("a print-only receipt");
        assert!(printed.contains("revision 1 as submitted"), "{printed}");
        assert!(
            printed.contains("Infantry battalion") || printed.contains("nfantry"),
            "{printed}"
        );
        assert!(shown.body.contains("Show revision 1 whole"));
        // A withdrawn line is named by what it was in the next revision's changes.
        let p = page(
            &app,
            &token,
            Method::POST,
            &path,
            Some(&post(
                version(&shown.body),
                &[
                    ("action", "review"),
                    ("o0.section", "troops"),
                    ("o0.capability", "brigade.mechanised"),
                    ("o0.quantity", "1"),
                    ("o0.earliest_phase", "P1"),
                    ("o0.paid_by", "contributor"),
                    ("answer.deterrence", "A brigade instead."),
                ],
            )),
        )
        .await;
        assert_eq!(p.status, StatusCode::OK, "{}", p.body);
        let p = page(
            &app,
            &token,
            Method::POST,
            &path,
            Some(&post(version(&p.body), &[("action", "submit")])),
        )
        .await;
        assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
        let shown = page(&app, &token, Method::GET, &path, None).await;
        assert!(
            shown.body.contains("removed MLT-1 (was 2 × "),
            "{}",
            shown.body
        );
    }
}

#[tokio::test]
async fn the_audit_log_reads_in_words_filters_and_exports_with_the_tracker() {
    let stamp = regex::Regex::new(r"\d\d:\d\d:\d\d(\.\d+)?Z").unwrap();
    for app in spawn_apps().await {
        let token = app.with_demo_and_invitation("CYP").await;
        let path = format!("/campaigns/{CAMPAIGN}/proposals/CYP");
        let form_page = page(&app, &token, Method::GET, &path, None).await;
        let saved = page(
            &app,
            &token,
            Method::POST,
            &path,
            Some(&pairs(&[
                ("_csrf", &csrf(&form_page.body)),
                ("version", &version(&form_page.body)),
                ("action", "save"),
                ("o0.section", "troops"),
                ("o0.capability", "brigade.mechanised"),
                ("o0.quantity", "1"),
                ("o0.earliest_phase", "P1"),
                ("o0.paid_by", "contributor"),
            ])),
        )
        .await;
        assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
        let coordinator = session(&app, "audit-coord", Role::Coordinator).await;
        let audit = format!("/campaigns/{CAMPAIGN}/audit");
        let all = page(&app, &coordinator, Method::GET, &audit, None).await;
        assert_eq!(all.status, StatusCode::OK);
        for words in [
            "saved a draft",
            "CYP (by invitation)",
            "the proposal of Cyprus",
            "added CYP-1: 1 × Mechanised brigade",
            "sent a new invitation link",
        ] {
            assert!(all.body.contains(words), "{words}: {}", all.body);
        }
        assert!(
            !all.body.contains("proposal.save_draft"),
            "no stored action names"
        );
        // Times to the minute, here and on the access page: no stored timestamps.
        assert!(!stamp.is_match(&all.body), "{}", all.body);
        let access = page(&app, &coordinator, Method::GET, "/access", None).await;
        assert!(!stamp.is_match(&access.body), "{}", access.body);
        // Filtered to Cyprus's proposal: the invitation and other capitals' entries are gone.
        let only = page(
            &app,
            &coordinator,
            Method::GET,
            &format!("{audit}?capital=CYP&kind=proposal"),
            None,
        )
        .await;
        assert!(only.body.contains("saved a draft"));
        assert!(
            !only.body.contains("sent a new invitation link"),
            "{}",
            only.body
        );
        assert!(
            !only.body.contains("the proposal of France"),
            "{}",
            only.body
        );
        // The same entries as CSV and as a workbook.
        let get = |path: String, who: String| {
            let app = &app;
            async move {
                browser()
                    .get(app.url(&path))
                    .header(COOKIE, format!("guarantor_session={who}"))
                    .send()
                    .await
                    .unwrap()
            }
        };
        let csv = get(
            format!("{audit}.csv?capital=CYP&kind=proposal"),
            coordinator.clone(),
        )
        .await;
        assert_eq!(csv.status(), StatusCode::OK);
        assert!(
            csv.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/csv")
        );
        let text = csv.text().await.unwrap();
        let mut reader = csv::Reader::from_reader(text.as_bytes());
        assert_eq!(
            reader.headers().unwrap().iter().collect::<Vec<_>>(),
            [
                "seq", "at", "who", "what", "action", "capital", "subject", "changes", "hash"
            ]
        );
        let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
        assert_eq!(rows.len(), 1, "{text}");
        assert_eq!(&rows[0][3], "saved a draft");
        assert_eq!(&rows[0][5], "CYP");
        assert!(rows[0][7].contains("Mechanised brigade"), "{text}");
        let xlsx = get(format!("{audit}.xlsx"), coordinator.clone()).await;
        assert_eq!(xlsx.status(), StatusCode::OK);
        let bytes = xlsx.bytes().await.unwrap().to_vec();
        use calamine::Reader as _;
        let mut wb: calamine::Xlsx<_> =
            calamine::open_workbook_from_rs(std::io::Cursor::new(bytes)).unwrap();
        let sheet = wb.worksheet_range("Audit log").unwrap();
        assert_eq!(sheet.get_value((0, 3)).unwrap().to_string(), "what");
        assert!(sheet.height() > 2, "every entry of the campaign");
        // The tracker, with where submissions stand, for the coordinator and the decision
        // maker; not for a capital, and the log not for a decision maker.
        let dm = session(&app, "audit-dm", Role::DecisionMaker).await;
        for who in [&coordinator, &dm] {
            let t = get(format!("/campaigns/{CAMPAIGN}/tracker.csv"), who.clone()).await;
            assert_eq!(t.status(), StatusCode::OK);
            let text = t.text().await.unwrap();
            let cyprus = text
                .lines()
                .find(|l| l.starts_with("CYP,"))
                .expect("Cyprus");
            assert!(cyprus.contains("Draft, not submitted"), "{cyprus}");
            assert!(
                cyprus.contains("closed: the deadline has passed"),
                "{cyprus}"
            );
            // Follow-up asks and pledges in the plan that stands, by where each stands.
            let mut reader = csv::Reader::from_reader(text.as_bytes());
            let headers: Vec<String> = reader
                .headers()
                .unwrap()
                .iter()
                .map(str::to_owned)
                .collect();
            let column = |name: &str| headers.iter().position(|h| h == name).unwrap();
            let (asks, pledges) = (column("follow-up asks"), column("pledges"));
            let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
            let row = |code: &str| rows.iter().find(|r| &r[0] == code).unwrap().clone();
            assert_eq!(&row("DEU")[asks], "1 declined", "{text}");
            assert!(row("FRA")[pledges].contains("partly delivered"), "{text}");
            assert_eq!(&row("CYP")[pledges], "", "{text}");
        }
        let t = get(format!("/campaigns/{CAMPAIGN}/tracker.xlsx"), dm.clone()).await;
        assert_eq!(t.status(), StatusCode::OK);
        assert_ne!(
            get(format!("{audit}.csv"), dm.clone()).await.status(),
            StatusCode::OK
        );
        assert_eq!(
            get(format!("/campaigns/{CAMPAIGN}/tracker.csv"), token.clone())
                .await
                .status(),
            StatusCode::NOT_FOUND
        );
    }
}

#[tokio::test]
async fn setup_is_edited_in_forms_and_every_problem_comes_at_once() {
    for app in spawn_apps().await {
        app.with_demo_and_invitation("FRA").await;
        let coordinator = session(&app, "forms-coord", Role::Coordinator).await;
        let path = format!("/campaigns/{CAMPAIGN}/setup");
        let doc = app.store.export(CAMPAIGN).await.unwrap().to_document();
        let setup = page(&app, &coordinator, Method::GET, &path, None).await;
        // Sections, questions, facts and scenarios are form fields; JSON is the advanced view.
        for field in [
            r#"name="s0.title""#,
            r#"name="s0.q0.text""#,
            r#"name="f0.id""#,
            r#"name="c0.ceiling""#,
            r#"name="c0.closed""#,
        ] {
            assert!(setup.body.contains(field), "{field}");
        }
        assert!(
            setup
                .body
                .contains("<summary>Advanced: the questionnaire, facts and scenarios as JSON")
        );
        // A new fact in the empty fact line, and a troop ceiling that is not a number: the
        // ceiling is named, and so is every scenario that does not yet say whether the new
        // fact holds, in one answer.
        let mut f = form_fields(&setup.body, 1);
        let n = doc.facts.len();
        set(&mut f, &format!("f{n}.id"), "air_policing_agreed");
        set(
            &mut f,
            &format!("f{n}.description"),
            "Allies agree on air policing.",
        );
        set(&mut f, "c0.ceiling", "lots");
        let bad = page(&app, &coordinator, Method::POST, &path, Some(&f)).await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            bad.body.contains("(got &quot;lots&quot;)")
                || bad.body.contains("(got &#34;lots&#34;)"),
            "{}",
            bad.body
        );
        let unset = doc
            .scenarios
            .iter()
            .filter(|s| bad.body.contains(&format!("scenarios[{}]", s.id)))
            .count();
        assert_eq!(
            unset,
            doc.scenarios.len(),
            "every scenario named: {}",
            bad.body
        );
        assert_eq!(
            app.store.export(CAMPAIGN).await.unwrap().to_document(),
            doc,
            "nothing stored"
        );
        // As shown again (what was typed kept), each scenario now asks about the new fact.
        let mut f = form_fields(&bad.body, 1);
        assert!(
            f.iter()
                .any(|(k, v)| k == &format!("f{n}.id") && v == "air_policing_agreed")
        );
        for i in 0..doc.scenarios.len() {
            set(&mut f, &format!("c{i}.fact.air_policing_agreed"), "holds");
        }
        set(&mut f, "c0.ceiling", "");
        // And a required question, typed into section one's empty question line.
        let k = doc.questionnaire.sections[0].questions.len();
        set(&mut f, &format!("s0.q{k}.id"), "timeline");
        set(
            &mut f,
            &format!("s0.q{k}.text"),
            "When could the first units deploy?",
        );
        f.push((format!("s0.q{k}.required"), "on".into()));
        let ok = page(&app, &coordinator, Method::POST, &path, Some(&f)).await;
        assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.body);
        let stored = app.store.export(CAMPAIGN).await.unwrap().to_document();
        assert!(stored.facts.iter().any(|x| x.id == "air_policing_agreed"));
        assert!(
            stored
                .scenarios
                .iter()
                .all(|x| x.facts.get("air_policing_agreed") == Some(&true))
        );
        let q = stored.questionnaire.sections[0].questions.last().unwrap();
        assert_eq!((q.id.as_str(), q.required), ("timeline", true));
        // The advanced JSON view: a syntax error in one part does not hide the problems of the
        // other, and what was typed stays in the box.
        let setup = page(&app, &coordinator, Method::GET, &path, None).await;
        let mut j = form_fields(&setup.body, 2);
        set(&mut j, "questionnaire", "{ not json");
        let mut tracks: Value =
            serde_json::from_str(&j.iter().find(|(k, _)| k == "scenarios").unwrap().1).unwrap();
        tracks["scenarios"][0]["excluded_sectors"] = json!(["atlantis"]);
        set(&mut j, "scenarios", &tracks.to_string());
        let bad = page(&app, &coordinator, Method::POST, &path, Some(&j)).await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(bad.body.contains("questionnaire (JSON)"), "{}", bad.body);
        assert!(
            bad.body.contains("atlantis"),
            "the other part checked too: {}",
            bad.body
        );
        assert!(bad.body.contains("{ not json"), "typed JSON kept");
    }
}

#[tokio::test]
async fn two_people_of_one_capital_are_told_apart_in_the_history() {
    for app in spawn_apps().await {
        let token = app.with_demo_and_invitation("CYP").await;
        let path = format!("/campaigns/{CAMPAIGN}/proposals/CYP");
        // Each person's browser: the invitation's session and, once given, their name.
        let save = |name: &'static str, quantity: &'static str| {
            let (app, token, path) = (&app, token.clone(), path.clone());
            async move {
                let form_page = page(app, &token, Method::GET, &path, None).await;
                let resp = browser()
                    .post(app.url(&path))
                    .header(COOKIE, format!("guarantor_session={token}"))
                    .form(&pairs(&[
                        ("_csrf", &csrf(&form_page.body)),
                        ("version", &version(&form_page.body)),
                        ("action", "save"),
                        ("person", name),
                        ("o0.section", "troops"),
                        ("o0.capability", "battalion.infantry"),
                        ("o0.quantity", quantity),
                        ("o0.earliest_phase", "P1"),
                        ("o0.paid_by", "contributor"),
                    ]))
                    .send()
                    .await
                    .unwrap();
                assert_eq!(resp.status(), StatusCode::SEE_OTHER);
                resp.headers()[SET_COOKIE].to_str().unwrap().to_owned()
            }
        };
        let ana = save("Ana Silva", "1").await;
        assert!(
            ana.starts_with("guarantor_person=Ana+Silva") && ana.contains("HttpOnly"),
            "{ana}"
        );
        save("Bo Berg", "2").await;
        // The page names the last editor; with Ana's cookie, her name is filled in for her.
        let shown = browser()
            .get(app.url(&path))
            .header(
                COOKIE,
                format!("guarantor_session={token}; guarantor_person=Ana+Silva"),
            )
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(shown.contains("by Bo Berg (CYP, by invitation)"), "{shown}");
        assert!(shown.contains(r#"name="person" type="text" size="30" maxlength="60" autocomplete="name" value="Ana Silva""#), "{shown}");
        // The audit log tells the two apart.
        let coordinator = session(&app, "people-coord", Role::Coordinator).await;
        let audit = page(
            &app,
            &coordinator,
            Method::GET,
            &format!("/campaigns/{CAMPAIGN}/audit?capital=CYP"),
            None,
        )
        .await;
        assert!(
            audit.body.contains("Ana Silva (CYP, by invitation)"),
            "{}",
            audit.body
        );
        assert!(
            audit.body.contains("Bo Berg (CYP, by invitation)"),
            "{}",
            audit.body
        );
    }
}

/// A decision maker tries the engagement plan's best ask as a what-if from the page: it is saved
/// (named by the ask, hypothetical), the options open under it with a banner, the picker offers
/// it beside the offers as they are, and deleting it returns to the options as they are.
#[tokio::test]
async fn an_ask_is_tried_as_a_what_if_from_the_engagement_page() {
    let gap_field = regex::Regex::new(r#"name="gap" value="(\d+)""#).unwrap();
    for app in spawn_apps().await {
        let _ = app.with_demo_and_invitation("FRA").await;
        let dm = session(&app, "web-dm", Role::DecisionMaker).await;
        let plan = page(
            &app,
            &dm,
            Method::GET,
            &format!("/campaigns/{CAMPAIGN}/engagement"),
            None,
        )
        .await;
        assert_eq!(plan.status, StatusCode::OK, "{}", app.label);
        assert!(
            plan.body.contains("Try an ask as a what-if"),
            "{}",
            app.label
        );
        let first_ask = gap_field.captures(&plan.body).expect("a Try it form")[1].to_owned();
        let form = pairs(&[
            ("_csrf", &csrf(&plan.body)),
            ("scenario", "us-backstop"),
            ("posture", ""),
            ("gap", &first_ask),
            ("candidate", "0"),
        ]);
        let tried = page(
            &app,
            &dm,
            Method::POST,
            &format!("/campaigns/{CAMPAIGN}/what-ifs"),
            Some(&form),
        )
        .await;
        assert_eq!(
            tried.status,
            StatusCode::SEE_OTHER,
            "{}: {}",
            app.label,
            tried.body
        );
        assert!(
            tried.location.contains("what_if=ask-"),
            "{}",
            tried.location
        );
        let under = page(&app, &dm, Method::GET, &tried.location, None).await;
        assert_eq!(under.status, StatusCode::OK);
        assert!(
            under.body.contains("WHAT-IF (HYPOTHETICAL): &#34;Ask: "),
            "{}",
            app.label
        );
        assert!(under.body.contains("The offers as they are"));
        // Without the CSRF token nothing is saved.
        let forged = pairs(&[
            ("scenario", "us-backstop"),
            ("gap", &first_ask),
            ("candidate", "0"),
        ]);
        let refused = page(
            &app,
            &dm,
            Method::POST,
            &format!("/campaigns/{CAMPAIGN}/what-ifs"),
            Some(&forged),
        )
        .await;
        assert_ne!(refused.status, StatusCode::SEE_OTHER);
        // Deleted from the page.
        let what_if = tried.location.split("what_if=").nth(1).unwrap().to_owned();
        let delete = pairs(&[("_csrf", &csrf(&under.body))]);
        let gone = page(
            &app,
            &dm,
            Method::POST,
            &format!("/campaigns/{CAMPAIGN}/what-ifs/{what_if}/delete"),
            Some(&delete),
        )
        .await;
        assert_eq!(
            gone.status,
            StatusCode::SEE_OTHER,
            "{}: {}",
            app.label,
            gone.body
        );
        let after = page(&app, &dm, Method::GET, &tried.location, None).await;
        assert_eq!(after.status, StatusCode::NOT_FOUND, "{}", app.label);
    }
}

/// The coordinator withdraws the demo's open ask to the United Kingdom on the overview, saying
/// why; the overview and the capital's page then show it withdrawn with the reason, and the
/// capital has no decline form for it any more. A decision maker sees no withdraw form and is
/// refused the post.
#[tokio::test]
async fn the_coordinator_withdraws_an_ask_on_the_overview() {
    for app in spawn_apps().await {
        let gbr = app.with_demo_and_invitation("GBR").await;
        let coordinator = session(&app, "web-coord-withdraw", Role::Coordinator).await;
        let dm = session(&app, "web-dm-withdraw", Role::DecisionMaker).await;
        let overview = format!("/campaigns/{CAMPAIGN}");
        let action = format!("/campaigns/{CAMPAIGN}/asks/gbr-brigade/withdraw");
        let shown = page(&app, &dm, Method::GET, &overview, None).await;
        assert!(!shown.body.contains(&action), "{}", app.label);
        let refused = page(
            &app,
            &dm,
            Method::POST,
            &action,
            Some(&pairs(&[("_csrf", &csrf(&shown.body)), ("reason", "x")])),
        )
        .await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", app.label);
        let own_before = page(
            &app,
            &gbr,
            Method::GET,
            &format!("/campaigns/{CAMPAIGN}/proposals/GBR"),
            None,
        )
        .await;
        assert!(
            own_before.body.contains(r#"<option value="gbr-brigade""#),
            "an open ask is offered to the capital's lines"
        );
        let shown = page(&app, &coordinator, Method::GET, &overview, None).await;
        assert!(shown.body.contains(&action), "{}", app.label);
        let done = page(
            &app,
            &coordinator,
            Method::POST,
            &action,
            Some(&pairs(&[
                ("_csrf", &csrf(&shown.body)),
                ("reason", "The Netherlands filled the line."),
            ])),
        )
        .await;
        assert_eq!(
            done.status,
            StatusCode::SEE_OTHER,
            "{}: {}",
            app.label,
            done.body
        );
        let after = page(&app, &coordinator, Method::GET, &done.location, None).await;
        assert!(
            after.body.contains("Follow-up ask withdrawn"),
            "{}",
            app.label
        );
        assert!(after.body.contains("withdrawn by the coordinator"));
        assert!(after.body.contains("The Netherlands filled the line."));
        assert!(!after.body.contains(&action), "withdrawn once");
        let own = page(
            &app,
            &gbr,
            Method::GET,
            &format!("/campaigns/{CAMPAIGN}/proposals/GBR"),
            None,
        )
        .await;
        assert!(
            own.body.contains("Withdrawn by the coordinator"),
            "{}",
            app.label
        );
        assert!(
            !own.body.contains("/asks/gbr-brigade/decline"),
            "no decline form for a withdrawn ask"
        );
        assert!(
            !own.body.contains(r#"<option value="gbr-brigade""#),
            "a withdrawn ask is no longer offered to a line"
        );
    }
}

/// The coordinator sends the plan's best ask of a gap from the engagement page; the overview
/// tracks it; the capital sees it on its page and declines it with a reason; the overview then
/// says so. A decision maker gets no such button and is refused the post.
#[tokio::test]
async fn an_ask_is_sent_from_the_plan_and_declined_on_the_capitals_page() {
    let gap_field = regex::Regex::new(r#"action="/campaigns/[^"]+/asks"[^>]*>\s*<input type="hidden" name="_csrf" value="[0-9a-f]+">\s*<input type="hidden" name="scenario" value="([^"]*)">\s*<input type="hidden" name="posture" value="([^"]*)">\s*<input type="hidden" name="gap" value="(\d+)">"#).unwrap();
    for app in spawn_apps().await {
        let _ = app.with_demo_and_invitation("FRA").await;
        let coordinator = session(&app, "web-coord-asks", Role::Coordinator).await;
        let dm = session(&app, "web-dm-asks", Role::DecisionMaker).await;
        // Asks need a campaign open to submissions (the demo's deadline has passed).
        let overview = page(
            &app,
            &coordinator,
            Method::GET,
            &format!("/campaigns/{CAMPAIGN}"),
            None,
        )
        .await;
        let reopen = pairs(&[("_csrf", &csrf(&overview.body))]);
        let reopened = page(
            &app,
            &coordinator,
            Method::POST,
            &format!("/campaigns/{CAMPAIGN}/reopen"),
            Some(&reopen),
        )
        .await;
        assert_eq!(reopened.status, StatusCode::SEE_OTHER);

        let plan = page(
            &app,
            &coordinator,
            Method::GET,
            &format!("/campaigns/{CAMPAIGN}/engagement"),
            None,
        )
        .await;
        let found = gap_field.captures(&plan.body).expect("a Send the ask form");
        let form = pairs(&[
            ("_csrf", &csrf(&plan.body)),
            ("scenario", &found[1]),
            ("posture", &found[2]),
            ("gap", &found[3]),
            ("candidate", "0"),
        ]);
        let dm_plan = page(
            &app,
            &dm,
            Method::GET,
            &format!("/campaigns/{CAMPAIGN}/engagement"),
            None,
        )
        .await;
        assert!(!dm_plan.body.contains("Send the ask"), "{}", app.label);
        let dm_form = pairs(&[
            ("_csrf", &csrf(&dm_plan.body)),
            ("gap", &found[3]),
            ("candidate", "0"),
        ]);
        let refused = page(
            &app,
            &dm,
            Method::POST,
            &format!("/campaigns/{CAMPAIGN}/asks"),
            Some(&dm_form),
        )
        .await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", app.label);

        let sent = page(
            &app,
            &coordinator,
            Method::POST,
            &format!("/campaigns/{CAMPAIGN}/asks"),
            Some(&form),
        )
        .await;
        assert_eq!(
            sent.status,
            StatusCode::SEE_OTHER,
            "{}: {}",
            app.label,
            sent.body
        );
        let stored = app.store.export(CAMPAIGN).await.unwrap();
        let ask = stored.asks().first().expect("the ask is stored").clone();
        let to = ask.respondent.to_string();
        let overview = page(&app, &coordinator, Method::GET, &sent.location, None).await;
        assert!(
            overview.body.contains("Follow-up ask sent"),
            "{}",
            app.label
        );
        assert!(
            overview
                .body
                .contains(&format!("<th scope=\"row\">{to}</th>")),
            "{}",
            app.label
        );

        // The capital sees it and declines it.
        let capital = app.invite(&to).await;
        let own = page(
            &app,
            &capital,
            Method::GET,
            &format!("/campaigns/{CAMPAIGN}/proposals/{to}"),
            None,
        )
        .await;
        assert_eq!(own.status, StatusCode::OK);
        assert!(
            own.body.contains("Follow-up asks from the coordinator"),
            "{}",
            app.label
        );
        assert!(
            own.body
                .contains("Answers the coordinator&#39;s follow-up ask")
                || own.body.contains("Answers the coordinator's follow-up ask")
        );
        let decline = pairs(&[
            ("_csrf", &csrf(&own.body)),
            ("reason", "No units to spare this year."),
        ]);
        let declined = page(
            &app,
            &capital,
            Method::POST,
            &format!(
                "/campaigns/{CAMPAIGN}/proposals/{to}/asks/{}/decline",
                ask.id
            ),
            Some(&decline),
        )
        .await;
        assert_eq!(
            declined.status,
            StatusCode::SEE_OTHER,
            "{}: {}",
            app.label,
            declined.body
        );
        let overview = page(
            &app,
            &coordinator,
            Method::GET,
            &format!("/campaigns/{CAMPAIGN}"),
            None,
        )
        .await;
        assert!(
            overview.body.contains("No units to spare this year."),
            "{}",
            app.label
        );
        assert!(overview.body.contains("declined"));
    }
}

/// A decision maker adopts the first scenario's recommended option on the Plan page; a capital
/// confirms one of its pledges on its own page at a readiness level; the plan shows it
/// confirmed; confirming again is refused and changes nothing.
#[tokio::test]
async fn a_plan_is_adopted_on_its_page_and_a_capital_confirms_its_pledge() {
    let picked =
        regex::Regex::new(r##"href="(/campaigns/[^"]+/plan\?line=([^"#]+)#chart-plan-line)""##)
            .unwrap();
    let pledge_form =
        regex::Regex::new(r#"action="/campaigns/[^"]+/proposals/FRA/pledges/([^"]+)""#).unwrap();
    for app in spawn_apps().await {
        let fra = app.with_demo_and_invitation("FRA").await;
        let dm = session(&app, "web-dm-plan", Role::DecisionMaker).await;
        let plan = page(
            &app,
            &dm,
            Method::GET,
            &format!("/campaigns/{CAMPAIGN}/plan"),
            None,
        )
        .await;
        assert_eq!(plan.status, StatusCode::OK);
        assert!(
            plan.body.contains("Plan 1: option "),
            "the demo's plan: {}",
            app.label
        );
        // Pledged against delivered over time, for the essential lines and one line at a time;
        // coverage per phase and per capital.
        assert!(plan.body.contains(r#"id="chart-plan-over-time""#));
        assert!(plan.body.contains(r#"id="chart-plan-line""#));
        assert!(
            plan.body
                .contains("essential lines at each level (mean share of each line")
        );
        assert!(plan.body.contains("units pledged against delivered"));
        let lines: Vec<(String, String)> = picked
            .captures_iter(&plan.body)
            .map(|c| (c[1].to_owned(), c[2].to_owned()))
            .collect();
        assert!(lines.len() > 3, "a picker of the lines with pledges");
        let (href, line) = lines.last().unwrap().clone();
        let one = page(&app, &dm, Method::GET, &href, None).await;
        assert_eq!(one.status, StatusCode::OK);
        assert!(
            one.body
                .contains(&format!("{line}: pledged against delivered")),
            "{}",
            app.label
        );
        let unknown = page(
            &app,
            &dm,
            Method::GET,
            &format!("/campaigns/{CAMPAIGN}/plan?line=R999"),
            None,
        )
        .await;
        assert_eq!(unknown.status, StatusCode::BAD_REQUEST);
        assert!(
            unknown.body.contains("no requirement line"),
            "{}",
            unknown.body
        );
        let adopt = pairs(&[("_csrf", &csrf(&plan.body)), ("scenario", "us-backstop")]);
        let adopted = page(
            &app,
            &dm,
            Method::POST,
            &format!("/campaigns/{CAMPAIGN}/plans"),
            Some(&adopt),
        )
        .await;
        assert_eq!(
            adopted.status,
            StatusCode::SEE_OTHER,
            "{}: {}",
            app.label,
            adopted.body
        );
        let plan = page(&app, &dm, Method::GET, &adopted.location, None).await;
        assert!(plan.body.contains("Plan 2: option "), "{}", app.label);
        assert!(
            plan.body
                .contains("Coverage of each requirement line at each level")
        );

        let own = page(
            &app,
            &fra,
            Method::GET,
            &format!("/campaigns/{CAMPAIGN}/proposals/FRA"),
            None,
        )
        .await;
        assert!(
            own.body.contains("Your pledges in the adopted plan"),
            "{}",
            app.label
        );
        let pledge = pledge_form.captures(&own.body).expect("a pledge form")[1].to_owned();
        let confirm = pairs(&[
            ("_csrf", &csrf(&own.body)),
            ("step", "confirmed"),
            ("readiness_level", "3"),
            ("ready_from", "2026-02-01"),
        ]);
        let path = format!("/campaigns/{CAMPAIGN}/proposals/FRA/pledges/{pledge}");
        let done = page(&app, &fra, Method::POST, &path, Some(&confirm)).await;
        assert_eq!(
            done.status,
            StatusCode::SEE_OTHER,
            "{}: {}",
            app.label,
            done.body
        );
        let again = page(&app, &fra, Method::POST, &path, Some(&confirm)).await;
        assert_eq!(again.status, StatusCode::CONFLICT, "{}", app.label);
        assert!(again.body.contains("confirmed before"), "{}", again.body);
        let plan = page(
            &app,
            &dm,
            Method::GET,
            &format!("/campaigns/{CAMPAIGN}/plan"),
            None,
        )
        .await;
        assert!(
            plan.body
                .contains("3: Ready to deploy within 60 days, ready from 2026-02-01"),
            "{}",
            app.label
        );
    }
}

/// The coordinator records the steps of the demo's pledges on the Plan page: verifies Finland's
/// confirmed pledge, delivers the rest of France's air defence, and a delivery beyond what was
/// pledged is refused with the reason.
#[tokio::test]
async fn the_coordinator_verifies_and_delivers_pledges_on_the_plan_page() {
    for app in spawn_apps().await {
        let _ = app.with_demo_and_invitation("FRA").await;
        let coordinator = session(&app, "web-coord-plan", Role::Coordinator).await;
        let plan = page(
            &app,
            &coordinator,
            Method::GET,
            &format!("/campaigns/{CAMPAIGN}/plan"),
            None,
        )
        .await;
        assert!(
            plan.body.contains("Record verification and delivery"),
            "{}",
            app.label
        );
        let token = csrf(&plan.body);
        let post = |path: String, form: Vec<(String, String)>| {
            let app = &app;
            let coordinator = coordinator.clone();
            async move { page(app, &coordinator, Method::POST, &path, Some(&form)).await }
        };
        let base = format!("/campaigns/{CAMPAIGN}/plan/pledges");
        let verified = post(
            format!("{base}/FIN/FIN-3"),
            pairs(&[
                ("_csrf", &token),
                ("step", "verified"),
                ("how", "assessment visit"),
            ]),
        )
        .await;
        assert_eq!(
            verified.status,
            StatusCode::SEE_OTHER,
            "{}: {}",
            app.label,
            verified.body
        );
        let too_many = post(
            format!("{base}/FRA/FRA-3"),
            pairs(&[
                ("_csrf", &token),
                ("step", "delivered"),
                ("units", "2"),
                ("on", "2026-03-01"),
            ]),
        )
        .await;
        assert_eq!(too_many.status, StatusCode::CONFLICT, "{}", app.label);
        assert!(
            too_many.body.contains("deliver at most 1"),
            "{}",
            too_many.body
        );
        let delivered = post(
            format!("{base}/FRA/FRA-3"),
            pairs(&[
                ("_csrf", &token),
                ("step", "delivered"),
                ("units", "1"),
                ("on", "2026-03-01"),
            ]),
        )
        .await;
        assert_eq!(delivered.status, StatusCode::SEE_OTHER);
        let plan = app.store.export(CAMPAIGN).await.unwrap();
        let state = |id: &str| {
            plan.plan()
                .unwrap()
                .pledges
                .iter()
                .find(|p| p.id == id)
                .unwrap()
                .state()
        };
        assert_eq!(state("FIN-3"), guarantor_domain::PledgeState::Verified);
        assert_eq!(state("FRA-3"), guarantor_domain::PledgeState::Delivered);
    }
}

/// The options page and the brief's page lead with what can be fielded: each force posture of
/// the demo under each outcome of the talks, as on the brief's first page.
#[tokio::test]
async fn the_options_and_brief_pages_lead_with_what_can_be_fielded() {
    for app in spawn_apps().await {
        let _ = app.with_demo_and_invitation("FRA").await;
        let dm = session(&app, "web-dm-fielded", Role::DecisionMaker).await;
        for path in ["options", "brief"] {
            let shown = page(
                &app,
                &dm,
                Method::GET,
                &format!("/campaigns/{CAMPAIGN}/{path}"),
                None,
            )
            .await;
            assert_eq!(shown.status, StatusCode::OK, "{}: {path}", app.label);
            let at = shown
                .body
                .find("What can be fielded, under which outcome of the talks")
                .unwrap_or_else(|| panic!("{}: no matrix on {path}", app.label));
            for posture in [
                "Small-scale force",
                "Medium-scale force",
                "Large-scale force",
            ] {
                assert!(shown.body[at..].contains(posture), "{path}: {posture}");
            }
            assert!(
                shown
                    .body
                    .contains("options.postures[small].cells[us-backstop].essential_coverage"),
                "{path}: traced to the options report"
            );
        }
    }
}
