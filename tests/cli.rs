//! The `guarantor` binary, driven as a user would: exit codes, messages, and figures checked by hand.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::{Value, json};

#[path = "support/http.rs"]
mod http_support;
use http_support::http;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn small_fixture() -> PathBuf {
    root().join("crates/guarantor-domain/tests/fixtures/small-campaign.toml")
}

fn demo_json() -> PathBuf {
    root().join("examples/demo-campaign.json")
}

fn guarantor(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_guarantor"))
        .args(args)
        .env_remove("GUARANTOR_LOG")
        .output()
        .expect("the guarantor binary runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// The coverage line of requirement `id` in a summary or an option.
fn coverage_line(v: &Value, id: &str) -> Value {
    v["coverage"]
        .as_array()
        .expect("a coverage list")
        .iter()
        .find(|l| l["requirement"] == id)
        .cloned()
        .unwrap_or_else(|| panic!("no coverage line for {id}"))
}

fn path_arg(p: &Path) -> &str {
    p.to_str().expect("test paths are UTF-8")
}

#[test]
fn validate_accepts_the_demo_json_and_toml() {
    for file in ["examples/demo-campaign.json", "examples/demo-campaign.toml"] {
        let out = guarantor(&["validate", path_arg(&root().join(file))]);
        assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
        let stdout = text(&out.stdout);
        assert!(stdout.contains("valid"), "{stdout}");
        assert!(stdout.contains("32 invited"), "{stdout}");
        assert!(stdout.contains("illustrative data"), "{stdout}");
    }
}

#[test]
fn validate_lists_every_planted_fault_with_its_path_and_exits_1() {
    let mut demo: Value = serde_json::from_slice(&std::fs::read(demo_json()).unwrap()).unwrap();
    demo["requirements"][0]["phase"] = json!("P5");
    demo["requirements"][1]["capability"] = json!("battleship");
    let fra = demo["proposals"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .find(|p| p["respondent"] == "FRA")
        .unwrap();
    fra["revisions"][0]["offers"][3]["quantity"] = json!(-2);
    fra["revisions"][0]["offers"][2]["cost_per_unit_year"]["currency"] = json!("JPY");
    fra["revisions"][0]["offers"][1]["conditions"] = json!([{"if_commits": "USA"}]);
    demo["scenarios"][0]["excluded_sectors"] = json!([
        "kyiv",
        "west",
        "south",
        "east",
        "ua_forces",
        "airspace",
        "black_sea",
        "hub"
    ]);

    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("faulty.json");
    std::fs::write(&file, serde_json::to_string_pretty(&demo).unwrap()).unwrap();
    let out = guarantor(&["validate", path_arg(&file)]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    for expected in [
        "requirements[R01].phase: unknown phase \"P5\"",
        "requirements[R02].capability: unknown capability \"battleship\"",
        "proposals[FRA].revisions[1].offers[3].quantity: must be greater than 0 (got -2)",
        "proposals[FRA].revisions[1].offers[2].cost_per_unit_year.currency: unknown currency \"JPY\"",
        "proposals[FRA].revisions[1].offers[1].conditions.if_commits: USA is not invited",
        "scenarios[us-backstop].excluded_sectors: excludes every sector",
    ] {
        assert!(
            stderr.contains(expected),
            "missing `{expected}` in:\n{stderr}"
        );
    }
    assert!(stderr.contains("6 problems"), "{stderr}");
}

#[test]
fn unreadable_files_exit_2_and_malformed_ones_exit_1() {
    let out = guarantor(&["validate", "/nonexistent/campaign.json"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("cannot read /nonexistent/campaign.json"));

    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("broken.json");
    std::fs::write(&file, "{\"format_version\": 1, \"campaign\": ").unwrap();
    let out = guarantor(&["validate", path_arg(&file)]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("JSON syntax"),
        "{}",
        text(&out.stderr)
    );

    let out = guarantor(&["validate"]);
    assert_eq!(out.status.code(), Some(2), "a usage error exits 2");
}

#[test]
fn schema_is_json_schema_for_the_campaign_file() {
    let out = guarantor(&["schema"]);
    assert_eq!(out.status.code(), Some(0));
    let schema: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(schema["title"], "Guarantor campaign file");
    let required = schema["required"].as_array().unwrap();
    assert!(required.contains(&json!("format_version")));
    assert!(
        schema["$defs"]["OfferDoc"]["properties"]["quantity"]["description"]
            .as_str()
            .unwrap()
            .contains("Units offered")
    );
}

/// The small fixture's summary, worked out by hand (see the fixture):
/// FRA revised to 2 brigades (EUR 1,000 m each, on a US backstop, not near the contact line)
/// and 2 batteries at EUR 100 m; DEU gives EUR 600 m funding, 1 battery at USD 150 m
/// (0.9 → EUR 135 m) and 6 rotation-backed training teams at EUR 5 m; AUT only drafted;
/// POL withdrew.
#[test]
fn summary_json_totals_match_figures_computed_by_hand() {
    let out = guarantor(&["summary", path_arg(&small_fixture()), "--json"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let s: Value = serde_json::from_slice(&out.stdout).unwrap();

    assert_eq!(
        s["response_counts"],
        json!({"invited": 4, "answered": 2, "draft": 1, "not_started": 0, "withdrawn": 1})
    );
    let status: Vec<(&str, &str)> = s["responses"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["respondent"].as_str().unwrap(),
                r["status"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        status,
        vec![
            ("AUT", "draft"),
            ("DEU", "submitted"),
            ("FRA", "revised"),
            ("POL", "withdrawn")
        ]
    );

    let category = |name: &str| {
        s["offered"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["category"] == name)
            .cloned()
            .unwrap_or(Value::Null)
    };
    let troops = category("troops");
    assert_eq!(troops["personnel"], 8000);
    assert_eq!(troops["cost_per_year_m"], 2000.0);
    assert_eq!(troops["capabilities"][0]["quantity"], 2);
    let hardware = category("hardware");
    assert_eq!(hardware["capabilities"][0]["quantity"], 3);
    assert_eq!(hardware["personnel"], 300);
    assert_eq!(hardware["cost_per_year_m"], 335.0);
    assert_eq!(
        hardware["capabilities"][0]["respondents"],
        json!(["DEU", "FRA"])
    );
    let enablers = category("enablers");
    assert_eq!(
        enablers["capabilities"][0]["quantity"], 6,
        "POL's withdrawn teams do not count"
    );
    assert_eq!(enablers["cost_per_year_m"], 30.0);
    assert_eq!(category("funding")["cost_per_year_m"], 600.0);
    assert_eq!(s["funding_per_year_m"], 600.0);

    let line = |id: &str| coverage_line(&s, id);
    // R1: 2 brigades in P0 in the capital, conditional on the backstop.
    assert_eq!(line("R1")["offered"], 2);
    assert_eq!(line("R1")["offered_conditional"], 2);
    assert_eq!(line("R1")["coverage"], 1.0);
    // R2: enduring phase, so 2 brigades at 3:1 rotation sustain 2/3 of a brigade.
    assert!((line("R2")["sustainable"].as_f64().unwrap() - 2.0 / 3.0).abs() < 1e-9);
    // R3: FRA's 2 batteries from P1 plus DEU's 1 from P0.
    assert_eq!(line("R3")["offered"], 3);
    assert_eq!(line("R3")["offers"], json!(["DEU/D2", "FRA/F2"]));
    // R4: EUR 600 m of 1,000 m.
    assert_eq!(line("R4")["coverage"], 0.6);
    // R5: 6 of 10 teams; rotation-backed, so all sustainable.
    assert_eq!(line("R5")["offered"], 6);
    assert_eq!(line("R5")["sustainable"], 6.0);
    // R6: FRA's brigades may not serve along the contact line.
    assert_eq!(line("R6")["offered"], 0);

    assert_eq!(
        s["coverage_totals"],
        json!({"requirements": 6, "essential": 4, "essential_met": 3, "desirable_met": 0, "nothing_offered": 1})
    );
}

/// Figures at the bounds validation accepts add up without overflow: six GBR lines of a million
/// fighter squadrons at a million million a year each, priced in a currency worth a million of
/// the campaign's (the largest rate accepted), add 6 × 10^18 million to the hardware totals
/// (beyond a 64-bit count of thousands: such lines once made the totals negative), the tables
/// print them, and the options still compute.
#[test]
fn totals_at_the_largest_accepted_figures_do_not_overflow() {
    let mut doc: Value =
        serde_json::from_str(&std::fs::read_to_string(demo_json()).unwrap()).unwrap();
    let gbr = doc["proposals"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .find(|p| p["respondent"] == "GBR")
        .unwrap();
    let offers = gbr["revisions"].as_array_mut().unwrap().last_mut().unwrap()["offers"]
        .as_array_mut()
        .unwrap();
    let squadron = offers
        .iter()
        .find(|o| o["capability"] == "fighter.squadron")
        .unwrap()
        .clone();
    for i in 0..6 {
        let mut o = squadron.clone();
        o["id"] = format!("GBR-X{i}").into();
        o["quantity"] = 1_000_000.into();
        o["cost_per_unit_year"] = json!({"amount_m": 1_000_000.0, "currency": "XAU"});
        offers.push(o);
    }
    doc["campaign"]["exchange_rates"]["XAU"] = json!(1_000_000.0);
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("extreme.json");
    std::fs::write(&file, doc.to_string()).unwrap();

    let hardware_cost = |path: &Path| {
        let out = guarantor(&["summary", path_arg(path), "--json"]);
        assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
        let s: Value = serde_json::from_slice(&out.stdout).unwrap();
        s["offered"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["category"] == "hardware")
            .unwrap()["cost_per_year_m"]
            .as_f64()
            .unwrap()
    };
    let before = hardware_cost(&demo_json());
    let after = hardware_cost(&file);
    assert!(after > 0.0, "{after}");
    assert!(
        ((after - before) / 6.0e18 - 1.0).abs() < 1e-12,
        "{before} -> {after}"
    );
    let out = guarantor(&["summary", path_arg(&file)]);
    assert!(
        text(&out.stdout).contains("6,000,000,000,000,00"),
        "{}",
        text(&out.stdout)
    );

    let out = guarantor(&["options", path_arg(&file), "--all-scenarios", "--json"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    for s in report["scenarios"].as_array().unwrap() {
        assert!(
            s["options"][0]["measures"]["cost_per_year_m"]
                .as_f64()
                .unwrap()
                > 0.0,
            "{}",
            s["scenario"]
        );
    }
}

#[test]
fn summary_for_people_is_tables_with_headings() {
    let out = guarantor(&["summary", path_arg(&small_fixture())]);
    assert_eq!(out.status.code(), Some(0));
    let stdout = text(&out.stdout);
    for heading in [
        "Who was asked, who answered",
        "4 invited · 2 answered · 1 draft · 0 not started · 1 withdrawn",
        "What is offered",
        "Raw coverage per requirement",
        "Essential lines met on paper: 3 of 4.",
    ] {
        assert!(
            stdout.contains(heading),
            "missing `{heading}` in:\n{stdout}"
        );
    }
    assert!(
        !stdout.contains("ILLUSTRATIVE"),
        "only illustrative campaigns are labelled so"
    );
}

#[test]
fn demo_shows_the_summary_labelled_illustrative_and_what_to_try_next() {
    let out = guarantor(&["demo"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(stdout.contains("ILLUSTRATIVE DATA"), "{stdout}");
    assert!(stdout.contains("Who was asked, who answered"));
    assert!(stdout.lines().last().unwrap().starts_with("Next: "));
    // It ends with the decision: the recommended option under each outcome of the talks (the
    // same one the brief and the scenario comparison name), then that option in a few lines.
    let view = stdout
        .split("The decision maker's view (ILLUSTRATIVE DATA)")
        .nth(1)
        .expect("the decision maker's view");
    let options = guarantor(&[
        "options",
        path_arg(&demo_json()),
        "--all-scenarios",
        "--json",
    ]);
    let report: Value = serde_json::from_slice(&options.stdout).unwrap();
    for c in report["comparison"].as_array().unwrap() {
        let name = c["name"].as_str().unwrap();
        // Long names wrap in the table: the row's first line holds their beginning.
        let start: String = name.chars().take(15).collect();
        let row = view
            .lines()
            .find(|l| l.contains(&start))
            .unwrap_or_else(|| panic!("a row for {name}: {view}"));
        let cost = c["cost_per_year_m"].as_f64().unwrap();
        let cost = guarantor_domain::format::millions(cost);
        assert!(row.contains(&cost), "{name}: {cost} in {row}");
    }
    assert!(
        view.contains("Recommended under \"US backstop\": option "),
        "{view}"
    );
    assert!(view.contains("It rests on"), "{view}");
    assert!(view.contains("What breaks it most: if "), "{view}");
    // The demo's three postures (the IISS's sizes) under each outcome, with their source.
    let matrix = view
        .split("Force postures × outcomes of the talks")
        .nth(1)
        .expect("the posture matrix");
    for posture in [
        "Small-scale force",
        "Medium-scale force",
        "Large-scale force",
    ] {
        assert!(matrix.contains(posture), "{posture}: {matrix}");
    }
    // (the table wraps its cells to the terminal's width)
    assert!(matrix.contains("troops required at"), "{matrix}");
    assert!(
        matrix.contains("One package for every outcome"),
        "the robust package beside the outcomes: {matrix}"
    );
    assert!(matrix.contains("Source: IISS"), "{matrix}");
    let postures = report["postures"].as_array().expect("postures in the JSON");
    assert_eq!(postures.len(), 3);
    assert!(
        postures
            .iter()
            .all(|p| p["cells"].as_array().unwrap().len() == 3)
    );

    let out = guarantor(&["demo", "--json"]);
    let s: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(s["campaign"]["illustrative"], true);
    assert_eq!(s["response_counts"]["invited"], 32);
}

#[test]
fn convert_writes_the_canonical_json_of_the_toml_demo() {
    let out = guarantor(&[
        "convert",
        path_arg(&root().join("examples/demo-campaign.toml")),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(
        text(&out.stdout),
        std::fs::read_to_string(demo_json()).unwrap()
    );

    let dir = tempfile::tempdir().unwrap();
    let toml_file = dir.path().join("mine.toml");
    let out = guarantor(&["demo-file", "--to", "toml"]);
    std::fs::write(&toml_file, &out.stdout).unwrap();
    let out = guarantor(&["validate", path_arg(&toml_file)]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
}

#[test]
fn options_json_reports_packages_that_add_up() {
    let out = guarantor(&[
        "options",
        path_arg(&small_fixture()),
        "--all-scenarios",
        "--options",
        "2",
        "--json",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let r: Value = serde_json::from_slice(&out.stdout).unwrap();
    // HiGHS is the default backend of the default build.
    assert_eq!(r["backend"], "highs");
    assert_eq!(r["scenarios"].as_array().unwrap().len(), 2);
    // Under the backstop, FRA's two brigades (on a US backstop) cover R1; both batteries and
    // DEU's battery cover R3; DEU's EUR 600 m is all the funding there is.
    let first = &r["scenarios"][0]["options"][0];
    let line = |id: &str| coverage_line(first, id);
    assert_eq!(line("R1")["covered"], 2.0);
    assert_eq!(line("R3")["covered"], 3.0);
    assert_eq!(line("R4")["covered"], 600.0);
    assert_eq!(line("R4")["shortfall"][0]["kind"], "not_enough");
    // The cost is the sum of the accepted offers' costs.
    let sum: f64 = first["accepted"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["cost_per_year_m"].as_f64().unwrap())
        .sum();
    assert!((sum - first["measures"]["cost_per_year_m"].as_f64().unwrap()).abs() < 1e-6);
    // Without NATO troops every brigade is gone: R1 falls to zero, excluded by the scenario.
    let second = &r["scenarios"][1]["options"][0];
    let r1 = coverage_line(second, "R1");
    assert_eq!(r1["covered"], 0.0);
    assert_eq!(r1["shortfall"][0]["kind"], "excluded_by_scenario");
    assert_eq!(r["comparison"].as_array().unwrap().len(), 2);
}

#[test]
fn options_for_people_and_their_errors() {
    let out = guarantor(&[
        "options",
        path_arg(&demo_json()),
        "--all-scenarios",
        "--options",
        "2",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    for expected in [
        "ILLUSTRATIVE DATA",
        "Scenario us-backstop: US backstop",
        "Option 1: cheapest",
        "Accepted offers",
        "Gaps",
        "Burden shares",
        "Robustness: worst case if",
        "Scenarios side by side",
    ] {
        assert!(stdout.contains(expected), "missing `{expected}`");
    }

    let out = guarantor(&["options", path_arg(&demo_json()), "--scenario", "peace"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("no scenario \"peace\""));
    let out = guarantor(&["options", path_arg(&demo_json()), "--objective", "coverage"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("needs a budget"));
    assert!(
        text(&out.stderr).contains("--budget"),
        "{}",
        text(&out.stderr)
    );
    // Out-of-range numbers are refused where they are read, naming the flag and the range.
    for (flag, value, says) in [
        ("--time-limit", "1e30", "at most 3600 seconds"),
        ("--time-limit", "0", "more than 0"),
        ("--options", "11", "from 1 to 10"),
        ("--budget", "-5", "non-negative"),
    ] {
        let arg = format!("{flag}={value}");
        let out = guarantor(&["options", path_arg(&demo_json()), &arg]);
        assert_eq!(out.status.code(), Some(2), "{flag} {value}");
        let err = text(&out.stderr);
        assert!(
            err.contains(flag) && err.contains(says),
            "{flag} {value}: {err}"
        );
    }
}

#[test]
fn assess_ranks_willingness_and_prints_json_with_hand_figures() {
    let out = guarantor(&["assess", path_arg(&small_fixture()), "--json"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let v: Value = serde_json::from_slice(&out.stdout).expect("assess --json prints JSON");
    let fra = v["willingness"]["lines"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["respondent"] == "FRA")
        .unwrap();
    // Two brigades at EUR 1,000 m and two batteries at EUR 100 m; 8,000 + 200 personnel.
    assert_eq!(fra["money_m"], json!(2200.0));
    assert_eq!(fra["personnel"]["committed"], json!(8200.0));
    assert_eq!(fra["rank"], json!(1));
    assert_eq!(v["burden"]["coalition"], json!(["DEU", "FRA"]));
    assert_eq!(
        v["conditions"]["by_condition"][0]["condition"],
        "if the United States backs the force"
    );

    let out = guarantor(&["assess", path_arg(&small_fixture())]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    for heading in [
        "Willingness (ranked)",
        "Burden sharing within the coalition",
        "What the offers rest on",
        "Answers side by side",
        "Method: Index = mean of two effort ratios",
    ] {
        assert!(stdout.contains(heading), "no {heading:?} in:\n{stdout}");
    }
}

/// Runs a poppler tool, or says why the PDF checks cannot run. On CI the tools are installed
/// by `.ci/run`, so a missing tool fails the test there instead of skipping it.
fn poppler(tool: &str, args: &[&str]) -> Option<Output> {
    match Command::new(tool).args(args).output() {
        Ok(out) => Some(out),
        Err(e) => {
            assert!(
                std::env::var_os("CI").is_none(),
                "{tool} is needed on CI (apt-get install poppler-utils): {e}"
            );
            eprintln!("SKIPPED the PDF page checks: {tool} is not installed ({e})");
            None
        }
    }
}

#[test]
fn brief_writes_a_self_contained_html_and_a_pdf_marked_illustrative_on_every_page() {
    let dir = tempfile::tempdir().unwrap();
    let html = dir.path().join("brief.html");
    let pdf = dir.path().join("brief.pdf");
    let out = guarantor(&[
        "brief",
        path_arg(&demo_json()),
        "--out",
        path_arg(&html),
        "--pdf",
        path_arg(&pdf),
        "--date",
        "2026-11-29",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    let pages: usize = stdout
        .split("PDF brief, ")
        .nth(1)
        .and_then(|s| s.split(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("the page count is printed: {stdout}"));
    assert!(
        pages > 30,
        "a summary, options, scenarios and 32 annexes: {pages} pages"
    );
    let page = std::fs::read_to_string(&html).unwrap();
    assert!(page.starts_with("<!DOCTYPE html>"));
    assert!(page.contains("2026-11-29"));
    assert!(page.contains("ILLUSTRATIVE DATA"));
    assert!(!page.contains("src=\"http") && !page.contains("href=\"http"));
    let bytes = std::fs::read(&pdf).unwrap();
    assert!(bytes.starts_with(b"%PDF-"));
    assert!(!dir.path().join("brief.pdf.partial").exists());

    let Some(info) = poppler("pdfinfo", &[path_arg(&pdf)]) else {
        return;
    };
    let info = text(&info.stdout);
    assert!(
        info.lines()
            .any(|l| l.starts_with("Pages:") && l.ends_with(&format!(" {pages}"))),
        "pdfinfo agrees on {pages} pages:\n{info}"
    );
    // Page 1 in grey at 40 dpi: a PGM whose pixels must not all be white.
    let prefix = dir.path().join("page");
    let Some(out) = poppler(
        "pdftoppm",
        &[
            "-f",
            "1",
            "-l",
            "1",
            "-r",
            "40",
            "-gray",
            path_arg(&pdf),
            path_arg(&prefix),
        ],
    ) else {
        return;
    };
    assert!(out.status.success(), "{}", text(&out.stderr));
    let pgm = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|e| e == "pgm"))
        .expect("pdftoppm wrote page 1");
    let image = std::fs::read(pgm).unwrap();
    // Binary PGM: "P5\n<width> <height>\n<max>\n" then one byte per pixel.
    let mut header = image.splitn(4, |b| *b == b'\n');
    assert_eq!(header.next(), Some(&b"P5"[..]));
    let pixels = header.nth(2).expect("pixel data");
    let dark = pixels.iter().filter(|p| **p < 128).count();
    assert!(
        dark * 100 > pixels.len(),
        "page 1 is blank: {dark} dark pixels of {}",
        pixels.len()
    );
    // Every page carries the illustrative mark.
    for n in 1..=pages {
        let Some(out) = poppler(
            "pdftotext",
            &[
                "-f",
                &n.to_string(),
                "-l",
                &n.to_string(),
                path_arg(&pdf),
                "-",
            ],
        ) else {
            return;
        };
        assert!(
            text(&out.stdout).contains("ILLUSTRATIVE DATA"),
            "page {n} is not marked illustrative"
        );
    }
}

#[test]
fn brief_of_an_invalid_campaign_writes_nothing_and_exits_1() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.json");
    std::fs::write(&bad, r#"{"format_version": 1}"#).unwrap();
    let html = dir.path().join("brief.html");
    let out = guarantor(&["brief", path_arg(&bad), "--out", path_arg(&html)]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    assert!(!html.exists());
    let out = guarantor(&[
        "brief",
        path_arg(&demo_json()),
        "--out",
        path_arg(&html),
        "--date",
        "29/11/2026",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("--date"),
        "{}",
        text(&out.stderr)
    );
    assert!(!html.exists());
}

#[test]
fn import_export_and_audit_verify_through_the_embedded_database() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let data_arg = ["--data-dir", path_arg(&data)];
    let run = |args: &[&str]| {
        let mut all = args.to_vec();
        all.extend_from_slice(&data_arg);
        Command::new(env!("CARGO_BIN_EXE_guarantor"))
            .args(&all)
            .env_remove("GUARANTOR_LOG")
            .env_remove("GUARANTOR_DATABASE_URL")
            .output()
            .expect("runs")
    };
    let toml = root().join("examples/demo-campaign.toml");
    let out = run(&["import", path_arg(&toml)]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("imported ua-guarantee-2025"));
    assert!(
        data.join("guarantor.db").exists(),
        "a SQLite file in the data directory"
    );

    // The export is the canonical JSON of the imported file, byte for byte.
    let out = run(&["export", "ua-guarantee-2025"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let canonical = std::fs::read_to_string(demo_json()).unwrap();
    assert_eq!(text(&out.stdout), canonical);
    assert!(
        text(&out.stderr).contains("exported at audit log row 1, hash "),
        "the head to check later: {}",
        text(&out.stderr)
    );

    let out = run(&["campaigns"]);
    assert!(text(&out.stdout).starts_with("ua-guarantee-2025\t"));

    // A second import of the same id is refused with what to do about it.
    let out = run(&["import", path_arg(&demo_json())]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("already stored"),
        "{}",
        text(&out.stderr)
    );

    // An invalid file is refused before anything is stored.
    let bad = dir.path().join("bad.json");
    std::fs::write(
        &bad,
        canonical
            .replace("\"ua-guarantee-2025\"", "\"other\"")
            .replacen(
                "\"earliest_phase\": \"P0\"",
                "\"earliest_phase\": \"P9\"",
                1,
            ),
    )
    .unwrap();
    let out = run(&["import", path_arg(&bad)]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let out = run(&["campaigns"]);
    assert_eq!(text(&out.stdout).lines().count(), 1, "still one campaign");

    let out = run(&["audit", "verify"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains("audit log and stored data intact: 1 entries"),
        "{}",
        text(&out.stdout)
    );

    let out = run(&["export", "nope"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("stored: ua-guarantee-2025"));
}

/// A `guarantor serve` child, killed when the test ends however it ends (a failed assertion
/// must not leave a server holding the test's output open).
struct Server(std::process::Child);

impl std::ops::Deref for Server {
    type Target = std::process::Child;
    fn deref(&self) -> &Self::Target {
        &self.0
    }
}

impl std::ops::DerefMut for Server {
    fn deref_mut(&mut self) -> &mut Self::Target {
        &mut self.0
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts `guarantor serve` on a free port; returns the child and its address.
fn start_server(data: &Path) -> (Server, String) {
    use std::io::BufRead;
    let mut child = Command::new(env!("CARGO_BIN_EXE_guarantor"))
        .args([
            "serve",
            "--bind",
            "127.0.0.1:0",
            "--data-dir",
            path_arg(data),
        ])
        .env_remove("GUARANTOR_DATABASE_URL")
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("serve starts");
    let mut line = String::new();
    std::io::BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let addr = line
        .split_whitespace()
        .find_map(|w| w.strip_prefix("http://"))
        .unwrap_or_else(|| panic!("the address is printed: {line}"))
        .to_owned();
    (Server(child), addr)
}

#[test]
fn acknowledged_submissions_survive_kill_9_of_the_server() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let out = guarantor(&[
        "import",
        path_arg(&demo_json()),
        "--data-dir",
        path_arg(&data),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let out = guarantor(&[
        "token",
        "create",
        "coord",
        "--role",
        "coordinator",
        "--data-dir",
        path_arg(&data),
    ]);
    let coordinator = text(&out.stdout).trim().to_owned();
    let (mut server, addr) = start_server(&data);
    let campaign = "/api/campaigns/ua-guarantee-2025";
    let (status, body) = http(
        &addr,
        "POST",
        &format!("{campaign}/invitations"),
        &coordinator,
        None,
        r#"{"respondent": "CYP"}"#,
    )
    .unwrap();
    assert_eq!(status, 201, "{body}");
    let invitation: Value = serde_json::from_str(&body).unwrap();
    let cyp = invitation["token"].as_str().unwrap().to_owned();
    let (status, _) = http(
        &addr,
        "POST",
        &format!("{campaign}/reopen"),
        &coordinator,
        None,
        "",
    )
    .unwrap();
    assert_eq!(status, 204);

    // Draft and submit in a loop; kill -9 the server in the middle of it.
    let sender = {
        let (addr, cyp) = (addr.clone(), cyp.clone());
        std::thread::spawn(move || {
            let mut acknowledged: Vec<(u64, u64)> = Vec::new();
            let mut version = 0;
            for quantity in 1.. {
                let draft = format!(
                    r#"{{"offers": [{{"id": "CYP-1", "capability": "medical.role2", "quantity": {quantity}, "earliest_phase": "P1"}}]}}"#
                );
                let path = "/api/campaigns/ua-guarantee-2025/proposals/CYP";
                let Some((200, _)) = http(
                    &addr,
                    "PUT",
                    &format!("{path}/draft"),
                    &cyp,
                    Some(&format!("\"v{version}\"")),
                    &draft,
                ) else {
                    break;
                };
                version += 1;
                let Some((200, body)) = http(
                    &addr,
                    "POST",
                    &format!("{path}/submit"),
                    &cyp,
                    Some(&format!("\"v{version}\"")),
                    "",
                ) else {
                    break;
                };
                version += 1;
                let state: Value = serde_json::from_str(&body).unwrap();
                let revisions = state["proposal"]["revisions"].as_array().unwrap();
                acknowledged.push((revisions.len() as u64, quantity));
            }
            acknowledged
        })
    };
    std::thread::sleep(std::time::Duration::from_millis(1500));
    server.kill().expect("kill -9");
    server.wait().unwrap();
    let acknowledged = sender.join().unwrap();
    eprintln!(
        "{} submissions acknowledged before kill -9",
        acknowledged.len()
    );
    assert!(
        acknowledged.len() >= 3,
        "the burst ran: {} submissions acknowledged",
        acknowledged.len()
    );

    // After a restart every acknowledged revision is there, with what was submitted.
    let (mut server, addr) = start_server(&data);
    let (status, body) = http(
        &addr,
        "GET",
        &format!("{campaign}/proposals/CYP"),
        &coordinator,
        None,
        "",
    )
    .unwrap();
    assert_eq!(status, 200, "{body}");
    let state: Value = serde_json::from_str(&body).unwrap();
    let revisions = state["proposal"]["revisions"].as_array().unwrap();
    for (number, quantity) in &acknowledged {
        let r = revisions
            .iter()
            .find(|r| r["number"] == json!(number))
            .unwrap_or_else(|| panic!("acknowledged revision {number} is lost"));
        assert_eq!(
            r["offers"][0]["quantity"],
            json!(quantity),
            "revision {number} is intact"
        );
    }
    server.kill().unwrap();
    server.wait().unwrap();
    let out = guarantor(&["audit", "verify", "--data-dir", path_arg(&data)]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
}

/// A reader that stops early (`guarantor … | head -1`) ends the command quietly: exit 0 and no
/// panic on standard error (std's `println!` panics on a broken pipe).
#[test]
fn a_closed_pipe_ends_the_command_quietly() {
    use std::io::Read as _;
    use std::process::Stdio;
    // Over half a megabyte of JSON: far more than a pipe holds, so writes follow the close.
    let mut child = Command::new(env!("CARGO_BIN_EXE_guarantor"))
        .args([
            "options",
            path_arg(&demo_json()),
            "--all-scenarios",
            "--json",
        ])
        .env_remove("GUARANTOR_LOG")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the guarantor binary runs");
    let mut first = [0_u8; 1];
    child
        .stdout
        .take()
        .expect("piped")
        .read_exact(&mut first)
        .expect("some output");
    assert_eq!(&first, b"{");
    let out = child.wait_with_output().unwrap();
    let stderr = text(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(out.status.code(), Some(0), "{stderr}");
}

/// The audit key and checkpoints from the command line: a key file is created once (never
/// overwritten), rows written with it are sealed, a checkpoint needs the key, and `audit verify`
/// checks the log against kept checkpoints, refusing one whose seal was altered.
#[test]
fn audit_keys_and_checkpoints_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let key = dir.path().join("audit.key");
    let run = |args: &[&str], with_key: bool| {
        let mut all = args.to_vec();
        if args.get(1) != Some(&"keygen") {
            all.extend_from_slice(&["--data-dir", path_arg(&data)]);
        }
        if with_key {
            all.extend_from_slice(&["--audit-key-file", path_arg(&key)]);
        }
        Command::new(env!("CARGO_BIN_EXE_guarantor"))
            .args(&all)
            .env_remove("GUARANTOR_LOG")
            .env_remove("GUARANTOR_DATABASE_URL")
            .env_remove("GUARANTOR_AUDIT_KEY_FILE")
            .output()
            .expect("runs")
    };
    let out = run(&["audit", "keygen", path_arg(&key)], false);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(std::fs::read_to_string(&key).unwrap().trim().len(), 64);
    let out = run(&["audit", "keygen", path_arg(&key)], false);
    assert_eq!(
        out.status.code(),
        Some(2),
        "an existing key is never overwritten"
    );

    let out = run(&["import", path_arg(&demo_json())], true);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let out = run(&["audit", "checkpoint"], false);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("--audit-key-file"),
        "{}",
        text(&out.stderr)
    );
    let checkpoint = dir.path().join("head.json");
    let out = run(
        &["audit", "checkpoint", "--out", path_arg(&checkpoint)],
        true,
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let kept: Value = serde_json::from_str(&std::fs::read_to_string(&checkpoint).unwrap()).unwrap();
    assert_eq!(kept["seq"], 1);
    assert_eq!(kept["seal"].as_str().unwrap().len(), 64);

    let out = run(
        &["audit", "verify", "--checkpoint", path_arg(&checkpoint)],
        true,
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains("intact: 1 entries"),
        "{}",
        text(&out.stdout)
    );
    // Without the key the seals cannot be checked, and it says so.
    let out = run(&["audit", "verify"], false);
    assert_eq!(out.status.code(), Some(0));
    assert!(
        text(&out.stderr).contains("seals not checked"),
        "{}",
        text(&out.stderr)
    );

    let mut altered = kept.clone();
    altered["seq"] = 7.into();
    let forged = dir.path().join("forged.json");
    std::fs::write(&forged, altered.to_string()).unwrap();
    let out = run(
        &["audit", "verify", "--checkpoint", path_arg(&forged)],
        true,
    );
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stdout));
    assert!(
        text(&out.stderr).contains("its seal does not match"),
        "{}",
        text(&out.stderr)
    );
}

/// The envoy's plan on the demo: the JSON's figures hang together (every visit's ask is the best
/// of its gap, the plan never loses coverage, granting everything covers at least what the first
/// visit does) and agree with `options` on the offers as they are; the tables say that asks are
/// hypothetical; a posture's plan measures its own requirements; bad choices are named.
#[test]
fn engage_plans_the_envoys_visits_on_the_demo() {
    let out = guarantor(&["engage", path_arg(&demo_json()), "--json"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let plan: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let s = &plan["scenarios"][0];
    assert_eq!(s["scenario"], "us-backstop");
    let options = guarantor(&[
        "options",
        path_arg(&demo_json()),
        "--options",
        "1",
        "--no-robustness",
        "--json",
    ]);
    let options: Value = serde_json::from_slice(&options.stdout).expect("JSON");
    let cheapest = &options["scenarios"][0]["options"][0]["measures"];
    assert_eq!(
        s["baseline"]["essential_coverage"],
        cheapest["essential_coverage"]
    );
    assert_eq!(
        s["baseline"]["cost_per_year_m"],
        cheapest["cost_per_year_m"]
    );
    let base = s["baseline"]["essential_coverage"].as_f64().unwrap();
    let gaps = s["gaps"].as_array().unwrap();
    assert!(gaps.len() >= 8, "{} gaps", gaps.len());
    for gap in gaps {
        for ask in gap["candidates"].as_array().unwrap() {
            let v = &ask["value"];
            assert!(v["essential_gain_points"].as_f64().unwrap() >= 0.0, "{ask}");
            assert!(!ask["reasons"].as_array().unwrap().is_empty(), "{ask}");
            assert!(
                ask["in_words"]
                    .as_str()
                    .unwrap()
                    .starts_with(ask["respondent_name"].as_str().unwrap())
            );
        }
    }
    let visits = s["visits"].as_array().unwrap();
    assert!(!visits.is_empty());
    for (i, visit) in visits.iter().enumerate() {
        assert_eq!(visit["rank"], i + 1);
        // Each ask raised is the best candidate of some gap.
        for ask in visit["asks"].as_array().unwrap() {
            assert!(
                gaps.iter().any(|g| g["candidates"][0]["in_words"] == *ask),
                "{ask} is not the best ask of any gap"
            );
        }
    }
    let first_gain = visits[0]["value"]["essential_gain_points"]
        .as_f64()
        .unwrap();
    for visit in visits {
        assert!(visit["value"]["essential_gain_points"].as_f64().unwrap() <= first_gain + 1e-9);
    }
    let granted = s["if_all_granted"]["essential_coverage"].as_f64().unwrap();
    assert!(
        granted >= base + first_gain / 100.0 - 1e-9,
        "{granted} vs {base} + {first_gain}"
    );

    let out = guarantor(&["engage", path_arg(&demo_json())]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    for expected in [
        "ILLUSTRATIVE DATA",
        "Every ask is HYPOTHETICAL",
        "Visit list",
        "If every ask on the visit list were granted",
        "Why this capital",
        "has a draft it has not submitted",
        "Method",
    ] {
        assert!(stdout.contains(expected), "missing `{expected}`:\n{stdout}");
    }

    let out = guarantor(&[
        "engage",
        path_arg(&demo_json()),
        "--posture",
        "large",
        "--json",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let large: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(large["posture"]["id"], "large");
    assert!(
        large["scenarios"][0]["baseline"]["essential_coverage"]
            .as_f64()
            .unwrap()
            < base,
        "the largest posture asks for more than the campaign's own requirements"
    );

    let demo = demo_json();
    for (args, says) in [
        (
            vec!["--posture", "huge"],
            "no posture \"huge\" in this campaign (known: small, medium, large)",
        ),
        (vec!["--scenario", "peace"], "no scenario \"peace\""),
        (
            vec!["--candidates", "0"],
            "candidates per gap must be 1 to 12",
        ),
    ] {
        let mut all = vec!["engage", path_arg(&demo)];
        all.extend(args);
        let out = guarantor(&all);
        assert_eq!(out.status.code(), Some(2), "{all:?}");
        assert!(
            text(&out.stderr).contains(says),
            "{all:?}: {}",
            text(&out.stderr)
        );
    }
}

/// A saved what-if of the demo changes what the options compute and says so in words and in
/// JSON; the real campaign is not changed by it; an unknown what-if is named with the known ones.
#[test]
fn options_and_engage_compute_under_a_saved_what_if() {
    let demo = demo_json();
    let run = |extra: &[&str]| -> Value {
        let mut args = vec![
            "options",
            path_arg(&demo),
            "--options",
            "1",
            "--no-robustness",
            "--json",
        ];
        args.extend(extra);
        let out = guarantor(&args);
        assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
        serde_json::from_slice(&out.stdout).expect("JSON")
    };
    let real = run(&[]);
    assert_eq!(real["what_if"], Value::Null);
    let spain = run(&["--what-if", "spain-brigade"]);
    assert_eq!(
        spain["what_if"]["name"],
        "Spain sends a mechanised brigade to Kyiv"
    );
    let brigade = |v: &Value, id: &str| {
        coverage_line(&v["scenarios"][0]["options"][0], id)["covered"]
            .as_f64()
            .unwrap()
    };
    // One brigade on the table for Kyiv; with Spain's (one kept deployed) both places are filled.
    assert_eq!(brigade(&real, "R01"), 1.0);
    assert_eq!(brigade(&spain, "R01"), 2.0);
    assert!(
        spain["scenarios"][0]["options"][0]["participants"]
            .as_array()
            .unwrap()
            .contains(&json!("ESP"))
    );
    let without = run(&["--what-if", "without-uk-brigade"]);
    assert!(
        !without["scenarios"][0]["options"][0]["accepted"]
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a["offer"] == "GBR-1")
    );
    // The words say it is hypothetical, for options and for the plan.
    for command in ["options", "engage"] {
        let out = guarantor(&[command, path_arg(&demo), "--what-if", "spain-brigade"]);
        assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
        let stdout = text(&out.stdout);
        assert!(
            stdout.contains("WHAT-IF (HYPOTHETICAL): \"Spain sends a mechanised brigade to Kyiv\"")
                && stdout.contains("adds Spain: 3 × Mechanised brigade from P0 (ESP-W1)"),
            "{command}: {stdout}"
        );
    }
    let out = guarantor(&["options", path_arg(&demo), "--what-if", "nope"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains(
            "no what-if \"nope\" in this campaign (known: spain-brigade, without-uk-brigade)"
        ),
        "{}",
        text(&out.stderr)
    );
}

/// The demo's follow-up asks and plan from the command line: one ask in each state, pledges in
/// every state, and coverage that never grows from one level of commitment to the next.
#[test]
fn asks_and_plan_show_where_each_stands() {
    let out = guarantor(&["asks", path_arg(&demo_json()), "--json"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let asks: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let states: Vec<&str> = asks
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["status"].as_str().unwrap())
        .collect();
    assert_eq!(
        states,
        ["answered", "partly_answered", "declined", "expired", "open"]
    );
    let out = guarantor(&["plan", path_arg(&demo_json()), "--json"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let plan: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(plan["version"], 1);
    let mut states: Vec<&str> = plan["pledges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["state"].as_str().unwrap())
        .collect();
    states.sort_unstable();
    states.dedup();
    assert_eq!(states.len(), 8, "{states:?}");
    for line in plan["coverage"].as_array().unwrap() {
        let at = |level: &str| line[level].as_f64().unwrap();
        assert!(
            at("accepted") >= at("confirmed")
                && at("confirmed") >= at("verified")
                && at("verified") >= at("delivered"),
            "{line}"
        );
    }
    // Over time: the record starts on the adoption day, and its last day is the coverage as
    // it stands now, line by line.
    let over_time = plan["over_time"].as_array().unwrap();
    assert_eq!(
        over_time[0]["day"].as_str().unwrap(),
        &plan["adopted_at"].as_str().unwrap()[..10]
    );
    assert_eq!(over_time.last().unwrap()["lines"], plan["coverage"]);
    let days: Vec<&str> = over_time
        .iter()
        .map(|d| d["day"].as_str().unwrap())
        .collect();
    assert!(days.windows(2).all(|w| w[0] < w[1]), "{days:?}");
    let delivered: Vec<f64> = over_time
        .iter()
        .map(|d| d["essential"]["delivered"].as_f64().unwrap())
        .collect();
    assert!(
        delivered[0] == 0.0 && *delivered.last().unwrap() > 0.0,
        "{delivered:?}"
    );
    // Per capital, pledges add up to the plan's; per phase, essential lines to the campaign's.
    let pledges: u64 = plan["by_capital"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["pledges"].as_u64().unwrap())
        .sum();
    assert_eq!(pledges as usize, plan["pledges"].as_array().unwrap().len());
    let fra = plan["by_capital"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["respondent"] == "FRA")
        .unwrap();
    let fra_delivered: u64 = plan["pledges"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["respondent"] == "FRA")
        .map(|p| p["delivered"].as_u64().unwrap())
        .sum();
    assert_eq!(fra["units_delivered"].as_u64().unwrap(), fra_delivered);
    assert_eq!(plan["by_phase"].as_array().unwrap().len(), 3);
    let out = guarantor(&["plan", path_arg(&demo_json())]);
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains("ILLUSTRATIVE DATA") && stdout.contains("partly delivered"),
        "{stdout}"
    );
    assert!(
        stdout.contains("The essential lines over time, pledged against delivered")
            && stdout.contains(days.last().unwrap())
            && stdout.contains("Each capital's pledges"),
        "{stdout}"
    );
}
