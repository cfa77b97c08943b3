//! How long each web page takes to render on the demo campaign, one request at a time on
//! loopback, after the options are computed once (they are cached per campaign version).
//!
//! `cargo bench -p guarantor-server --bench pages` (env `PAGE_REQUESTS`, default 50 per page).

use std::time::{Duration, Instant};

use chrono::Utc;
use guarantor_domain::{FileFormat, parse_campaign};
use guarantor_store::{Role, Store};

const DEMO: &str = include_str!("../../../examples/demo-campaign.json");
const CAMPAIGN: &str = "ua-guarantee-2025";

fn main() {
    let requests: usize = std::env::var("PAGE_REQUESTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(50);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(async {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = Store::open(&format!(
            "sqlite://{}",
            dir.path().join("pages.db").display()
        ))
        .await
        .expect("store");
        let campaign = parse_campaign(DEMO, FileFormat::Json).expect("demo");
        store.import(&campaign, "bench").await.expect("import");
        let password = "a long enough password";
        store
            .create_account("bench", Role::Coordinator, password, "bench", Utc::now())
            .await
            .expect("account");
        let token = store
            .login("bench", password, Utc::now())
            .await
            .expect("login")
            .token;
        let invitation = store
            .invite(
                CAMPAIGN,
                "GBR",
                Utc::now() + chrono::Duration::days(1),
                "bench",
                Utc::now(),
            )
            .await
            .expect("invitation");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let base = format!("http://{}", listener.local_addr().expect("address"));
        tokio::spawn(guarantor_server::serve(
            listener,
            store,
            // The per-credential rate limit is lifted: the figures are what a page costs, not
            // how fast one viewer may ask.
            guarantor_server::Config {
                requests_per_second: 1_000_000,
                ..guarantor_server::Config::default()
            },
        ));
        let client = reqwest::Client::new();
        let get = |path: String, cookie: String| {
            let client = client.clone();
            let url = format!("{base}{path}");
            async move {
                let start = Instant::now();
                let resp = client
                    .get(&url)
                    .header("Cookie", format!("guarantor_session={cookie}"))
                    .send()
                    .await
                    .expect("response");
                assert!(resp.status().is_success(), "{url}: {}", resp.status());
                let bytes = resp.bytes().await.expect("body").len();
                (start.elapsed(), bytes)
            }
        };
        // The first options view computes the report; it is timed apart.
        let (first, _) = get(format!("/campaigns/{CAMPAIGN}/options"), token.clone()).await;
        println!(
            "first options view (solves every scenario): {:.0} ms",
            first.as_secs_f64() * 1000.0
        );
        println!("\n| page | p50 ms | p99 ms | max ms | KiB |\n|---|---|---|---|---|");
        let pages = [
            ("login", "/login".to_owned(), &token),
            ("campaigns", "/campaigns".to_owned(), &token),
            (
                "dashboard (tracker, coverage)",
                format!("/campaigns/{CAMPAIGN}"),
                &token,
            ),
            (
                "proposal form (GBR)",
                format!("/campaigns/{CAMPAIGN}/proposals/GBR"),
                &invitation,
            ),
            (
                "assessment",
                format!("/campaigns/{CAMPAIGN}/assessment"),
                &token,
            ),
            ("options", format!("/campaigns/{CAMPAIGN}/options"), &token),
            (
                "compare scenarios",
                format!("/campaigns/{CAMPAIGN}/compare"),
                &token,
            ),
            (
                "brief summary",
                format!("/campaigns/{CAMPAIGN}/brief"),
                &token,
            ),
            (
                "brief (whole HTML)",
                format!("/campaigns/{CAMPAIGN}/brief.html"),
                &token,
            ),
            (
                "engagement plan",
                format!("/campaigns/{CAMPAIGN}/engagement"),
                &token,
            ),
            (
                "plan (pledges, over time)",
                format!("/campaigns/{CAMPAIGN}/plan"),
                &token,
            ),
            ("setup", format!("/campaigns/{CAMPAIGN}/setup"), &token),
            ("audit log", format!("/campaigns/{CAMPAIGN}/audit"), &token),
            (
                "workbook (.xlsx)",
                format!("/campaigns/{CAMPAIGN}/proposals/GBR/template.xlsx"),
                &invitation,
            ),
        ];
        for (name, path, cookie) in pages {
            let mut times: Vec<Duration> = Vec::with_capacity(requests);
            let mut size = 0;
            for _ in 0..requests {
                let (t, b) = get(path.clone(), cookie.clone()).await;
                times.push(t);
                size = b;
            }
            times.sort();
            let ms = |d: Duration| d.as_secs_f64() * 1000.0;
            let at = |p: f64| times[((times.len() as f64 * p) as usize).min(times.len() - 1)];
            println!(
                "| {name} | {:.1} | {:.1} | {:.1} | {} |",
                ms(at(0.5)),
                ms(at(0.99)),
                ms(*times.last().expect("a time")),
                size / 1024
            );
        }
    });
}
