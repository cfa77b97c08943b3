//! Crash loop: `guarantor serve` killed with SIGKILL again and again under concurrent writes;
//! after each restart every acknowledged submission must be there, intact, and `guarantor audit
//! verify` must pass. Prints one line per backend with the totals (docs/RELIABILITY.md).
//!
//! `CRASH_CYCLES=100 cargo bench --bench crash_loop` (SQLite; PostgreSQL too when
//! `GUARANTOR_TEST_POSTGRES_URL` names a server, with `psql` on the path).

use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

#[path = "../tests/support/http.rs"]
mod http_support;
use http_support::http;

const CAMPAIGN: &str = "ua-guarantee-2025";
const CAPITALS: [&str; 4] = ["CYP", "HUN", "MLT", "SVK"];

fn guarantor(args: &[&str], db: &[String]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_guarantor"))
        .args(args)
        .args(db)
        .env_remove("GUARANTOR_LOG")
        .output()
        .expect("the guarantor binary runs")
}

fn start(db: &[String]) -> (Child, String) {
    use std::io::BufRead;
    let mut child = Command::new(env!("CARGO_BIN_EXE_guarantor"))
        .args([
            "serve",
            "--bind",
            "127.0.0.1:0",
            "--anonymous-rate",
            "100000",
        ])
        .args(db)
        .env_remove("GUARANTOR_LOG")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("serve starts");
    let mut line = String::new();
    let mut out = std::io::BufReader::new(child.stdout.take().expect("piped"));
    out.read_line(&mut line).expect("the address line");
    // Keep reading so the server's later output never meets a closed pipe.
    std::thread::spawn(move || for _ in out.lines() {});
    let addr = line
        .split_whitespace()
        .find_map(|w| w.strip_prefix("http://"))
        .unwrap_or_else(|| panic!("the address is printed: {line}"))
        .to_owned();
    (child, addr)
}

fn version_of(addr: &str, token: &str, capital: &str) -> u64 {
    let path = format!("/api/campaigns/{CAMPAIGN}/proposals/{capital}");
    // A server just restarted on PostgreSQL once took more than the 10 s read timeout to answer
    // the first read (CI, one run in many): a few more tries before calling it gone. What is
    // checked, the acknowledged submissions after each kill, is unchanged.
    let (status, body) = (0..3)
        .find_map(|attempt| {
            if attempt > 0 {
                std::thread::sleep(Duration::from_secs(1));
            }
            http(addr, "GET", &path, token, None, "")
        })
        .expect("the server answers");
    assert_eq!(status, 200, "{body}");
    let state: serde_json::Value = serde_json::from_str(&body).unwrap();
    state["version"].as_u64().unwrap()
}

struct Totals {
    acknowledged: usize,
    lost: usize,
    verify_failures: usize,
}

fn run(label: &str, db: &[String], cycles: usize) -> Totals {
    let demo = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/demo-campaign.json");
    let out = guarantor(&["import", demo], db);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = guarantor(&["token", "create", "coord", "--role", "coordinator"], db);
    let coordinator = String::from_utf8_lossy(&out.stdout).trim().to_owned();
    let (mut server, mut addr) = start(db);
    let base = format!("/api/campaigns/{CAMPAIGN}");
    assert_eq!(
        http(
            &addr,
            "POST",
            &format!("{base}/reopen"),
            &coordinator,
            None,
            ""
        )
        .map(|r| r.0),
        Some(204)
    );
    let tokens: Vec<String> = CAPITALS
        .iter()
        .map(|c| {
            let (status, body) = http(
                &addr,
                "POST",
                &format!("{base}/invitations"),
                &coordinator,
                None,
                &format!(r#"{{"respondent": "{c}"}}"#),
            )
            .unwrap();
            assert_eq!(status, 201, "{body}");
            serde_json::from_str::<serde_json::Value>(&body).unwrap()["token"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    let mut totals = Totals {
        acknowledged: 0,
        lost: 0,
        verify_failures: 0,
    };
    let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
    let started = Instant::now();
    for cycle in 0..cycles {
        // Writers: each capital saves a draft and submits it, again and again.
        let stop = Arc::new(AtomicBool::new(false));
        let writers: Vec<_> = CAPITALS
            .iter()
            .zip(&tokens)
            .map(|(capital, token)| {
                let (addr, token, capital, stop) = (addr.clone(), token.clone(), capital.to_string(), Arc::clone(&stop));
                std::thread::spawn(move || {
                    let mut acknowledged: Vec<(u64, u64)> = Vec::new();
                    let mut version = version_of(&addr, &token, &capital);
                    let path = format!("/api/campaigns/{CAMPAIGN}/proposals/{capital}");
                    for quantity in 1.. {
                        if stop.load(Ordering::Relaxed) {
                            break;
                        }
                        let draft = format!(r#"{{"offers": [{{"id": "{capital}-1", "capability": "medical.role2", "quantity": {quantity}, "earliest_phase": "P1"}}]}}"#);
                        let Some((200, _)) = http(&addr, "PUT", &format!("{path}/draft"), &token, Some(&format!("\"v{version}\"")), &draft) else { break };
                        version += 1;
                        let Some((200, body)) = http(&addr, "POST", &format!("{path}/submit"), &token, Some(&format!("\"v{version}\"")), "") else { break };
                        version += 1;
                        let state: serde_json::Value = serde_json::from_str(&body).unwrap();
                        let number = state["proposal"]["revisions"].as_array().unwrap().len() as u64;
                        acknowledged.push((number, quantity));
                    }
                    (capital, acknowledged)
                })
            })
            .collect();
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        std::thread::sleep(Duration::from_millis(150 + seed % 450));
        server.kill().expect("SIGKILL");
        server.wait().unwrap();
        stop.store(true, Ordering::Relaxed);
        let results: Vec<(String, Vec<(u64, u64)>)> =
            writers.into_iter().map(|w| w.join().unwrap()).collect();
        // Verify the database while no server runs, then restart and read every proposal.
        let out = guarantor(&["audit", "verify"], db);
        if !out.status.success() {
            totals.verify_failures += 1;
            eprintln!(
                "{label} cycle {cycle}: audit verify failed: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        let (restarted, restarted_at) = start(db);
        server = restarted;
        addr = restarted_at;
        for ((capital, acknowledged), token) in results.iter().zip(&tokens) {
            let path = format!("/api/campaigns/{CAMPAIGN}/proposals/{capital}");
            let (status, body) = http(&addr, "GET", &path, token, None, "").unwrap();
            assert_eq!(status, 200);
            let state: serde_json::Value = serde_json::from_str(&body).unwrap();
            // Absent until the first revision.
            let revisions = state["proposal"]["revisions"]
                .as_array()
                .cloned()
                .unwrap_or_default();
            for (number, quantity) in acknowledged {
                totals.acknowledged += 1;
                let intact = revisions
                    .iter()
                    .any(|r| r["number"] == *number && r["offers"][0]["quantity"] == *quantity);
                if !intact {
                    totals.lost += 1;
                    eprintln!("{label} cycle {cycle}: {capital} revision {number} lost or changed");
                }
            }
        }
        if (cycle + 1) % 10 == 0 {
            eprintln!(
                "{label}: {} cycles, {} s",
                cycle + 1,
                started.elapsed().as_secs()
            );
        }
    }
    let _ = server.kill();
    let _ = server.wait();
    totals
}

fn main() {
    let cycles: usize = std::env::var("CRASH_CYCLES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100);
    let dir = tempfile::tempdir().expect("temp dir");
    let mut backends: Vec<(&str, Vec<String>)> = vec![(
        "SQLite",
        vec![
            "--data-dir".into(),
            dir.path().join("data").display().to_string(),
        ],
    )];
    if let Ok(admin) = std::env::var("GUARANTOR_TEST_POSTGRES_URL") {
        let name = format!("guarantor_crash_{}", std::process::id());
        let created = Command::new("psql")
            .args([admin.as_str(), "-qc", &format!("CREATE DATABASE {name}")])
            .status()
            .expect("psql runs");
        assert!(created.success(), "cannot create the database {name}");
        let url = match admin.rsplit_once('/') {
            Some((server, _)) => format!("{server}/{name}"),
            None => panic!("GUARANTOR_TEST_POSTGRES_URL names no database: {admin}"),
        };
        backends.push(("PostgreSQL", vec!["--database".into(), url]));
    } else {
        eprintln!("PostgreSQL not measured: GUARANTOR_TEST_POSTGRES_URL is not set");
    }
    println!(
        "| backend | kill -9 cycles | acknowledged submissions | lost | audit verify failures | seconds |"
    );
    println!("|---|---|---|---|---|---|");
    let mut broken = false;
    for (label, db) in backends {
        let started = Instant::now();
        let t = run(label, &db, cycles);
        println!(
            "| {label} | {cycles} | {} | {} | {} | {:.0} |",
            t.acknowledged,
            t.lost,
            t.verify_failures,
            started.elapsed().as_secs_f64()
        );
        broken |= t.lost > 0 || t.verify_failures > 0 || t.acknowledged == 0;
    }
    if broken {
        eprintln!("error: acknowledged writes were lost, the audit failed, or nothing was written");
        std::process::exit(1);
    }
}
