//! Property tests: any valid offer list survives write → read unchanged, and numbers outside
//! their range are always reported at the field that holds them.

use guarantor_domain::{FileFormat, LoadError, parse_campaign, parse_document};
use proptest::prelude::*;
use serde_json::{Value, json};

const SMALL_TOML: &str = include_str!("fixtures/small-campaign.toml");

fn small() -> Value {
    serde_json::to_value(parse_document(SMALL_TOML, FileFormat::Toml).unwrap()).unwrap()
}

fn offer_strategy() -> impl Strategy<Value = Value> {
    let capability = prop::sample::select(vec!["brigade", "battery", "training.team"]);
    let phases = (0usize..3, 0usize..3).prop_map(|(a, b)| (a.min(b), a.max(b)));
    let sectors = prop::sample::subsequence(vec!["capital", "east", "air", "hub"], 1..=4);
    let cost = (0u32..5_000_000, prop::bool::ANY).prop_map(|(thousands, usd)| {
        (
            f64::from(thousands) / 1000.0,
            if usd { "USD" } else { "EUR" },
        )
    });
    let caveat = prop::sample::select(vec![
        json!("no_contact_line"),
        json!("no_combat_role"),
        json!({"excluded_sectors": ["east"]}),
        json!({"other": "Night operations only."}),
    ]);
    let condition = prop::sample::select(vec![
        json!({"scenario": "us_backstop"}),
        json!({"scenario": "un_mandate"}),
        json!({"if_commits": "FRA"}),
        json!({"min_partners": 2}),
    ]);
    (
        capability,
        1i64..10_000,
        phases,
        prop::option::of(sectors),
        prop::option::of(cost),
        prop::collection::vec(caveat, 0..3),
        prop::collection::vec(condition, 0..3),
        prop::bool::ANY,
    )
        .prop_map(
            |(capability, quantity, (first, last), sectors, cost, caveats, conditions, backed)| {
                let phase = |i: usize| format!("P{i}");
                let mut o = json!({
                    "id": "X",
                    "capability": capability,
                    "quantity": quantity,
                    "earliest_phase": phase(first),
                    "last_phase": phase(last),
                    "rotation_backed": backed,
                    "caveats": caveats,
                    "conditions": conditions,
                });
                if let Some(s) = sectors {
                    o["sectors"] = json!(s);
                }
                if let Some((amount, currency)) = cost {
                    o["cost_per_unit_year"] = json!({"amount_m": amount, "currency": currency});
                }
                o
            },
        )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn valid_offers_survive_a_json_round_trip(offers in prop::collection::vec(offer_strategy(), 1..8)) {
        let mut v = small();
        let offers: Vec<Value> = offers
            .into_iter()
            .enumerate()
            .map(|(i, mut o)| { o["id"] = json!(format!("D{i}")); o })
            .collect();
        v["proposals"][1]["revisions"][0]["offers"] = json!(offers);
        let first = parse_campaign(&v.to_string(), FileFormat::Json)
            .map_err(|e| TestCaseError::fail(e.to_string()))?;
        let second = parse_campaign(&first.to_json(), FileFormat::Json)
            .map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(&first, &second);
        let third = parse_campaign(&first.to_toml().unwrap(), FileFormat::Toml)
            .map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(first, third);
    }

    #[test]
    fn out_of_range_quantities_are_reported_at_their_path(q in prop_oneof![i64::MIN..=0, (guarantor_domain::quantity::MAX_UNITS as i64 + 1)..=i64::MAX]) {
        let mut v = small();
        v["requirements"][2]["quantity"] = json!(q);
        match parse_campaign(&v.to_string(), FileFormat::Json) {
            Err(LoadError::Invalid(problems)) => {
                prop_assert!(problems.iter().any(|p| p.path == "requirements[R3].quantity"));
            }
            other => prop_assert!(false, "expected a quantity problem, got {:?}", other.map(|_| ())),
        }
    }
}

/// Cases per fuzz target: `GUARANTOR_FUZZ_CASES` (256 by default; `.ci/run` runs more).
fn fuzz_cases() -> u32 {
    std::env::var("GUARANTOR_FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(256)
}

const DEMO_JSON: &str = include_str!("../../../examples/demo-campaign.json");

proptest! {
    #![proptest_config(ProptestConfig::with_cases(fuzz_cases()))]

    /// Fuzzing the campaign file reader and validator: a valid file with a few bytes flipped,
    /// inserted or deleted, or cut short, is read or refused with problems; never a panic.
    #[test]
    fn a_mutated_campaign_file_is_read_or_refused(
        edits in prop::collection::vec((any::<usize>(), any::<u8>(), 0u8..4), 1..6),
        toml in any::<bool>(),
    ) {
        let (text, format) = if toml {
            (SMALL_TOML, FileFormat::Toml)
        } else {
            (DEMO_JSON, FileFormat::Json)
        };
        let mut bytes = text.as_bytes().to_vec();
        for (i, b, op) in edits {
            let n = bytes.len().max(1);
            match op {
                0 => if let Some(x) = bytes.get_mut(i % n) { *x ^= b | 1 },
                1 => bytes.insert(i % (bytes.len() + 1), b),
                2 => if !bytes.is_empty() { bytes.remove(i % n); },
                _ => bytes.truncate(i % n),
            }
        }
        let _ = parse_campaign(&String::from_utf8_lossy(&bytes), format);
    }
}

// ---- Incremental validation of a change to one proposal ----

const DEMO: &str = include_str!("../../../examples/demo-campaign.json");

/// An offer line as a capital might send it, right or wrong: known and unknown capabilities
/// and phases, zero and negative quantities, and conditions on other capitals (some of whom
/// offer conditionally themselves, so cycles arise).
fn any_offer() -> impl Strategy<Value = Value> {
    let capability = prop::sample::select(vec![
        "brigade.mechanised",
        "air_defence.short_range",
        "medical.role2",
        "no.such.capability",
    ]);
    let phase = prop::sample::select(vec!["P0", "P1", "P2", "P9"]);
    // Weighted towards the capitals whose offers wait for others, so that cycles arise.
    let condition = prop::sample::select(vec![
        json!({"if_commits": "FRA"}),
        json!({"if_commits": "GBR"}),
        json!({"if_commits": "DEU"}),
        json!({"if_commits": "FRA"}),
        json!({"if_commits": "GBR"}),
        json!({"if_commits": "DEU"}),
        json!({"if_commits": "CYP"}),
        json!({"if_commits": "XXX"}),
        json!({"scenario": "us_backstop"}),
        json!({"min_partners": 2}),
    ]);
    (
        capability,
        -1i64..4,
        phase,
        prop::collection::vec(condition, 1..3),
    )
        .prop_map(|(capability, quantity, phase, conditions)| {
            json!({
                "id": "X",
                "capability": capability,
                "quantity": quantity,
                "earliest_phase": phase,
                "conditions": conditions,
            })
        })
}

/// Changes that closed a cycle of linked conditions, so the test is known to reach the
/// cross-proposal check.
static CYCLES_SEEN: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

/// A change to one capital's proposal: a draft saved, a revision submitted, or a withdrawal.
#[derive(Debug, Clone)]
enum Change {
    Draft(Vec<Value>),
    Submit(Vec<Value>),
    Withdraw,
}

fn any_change() -> impl Strategy<Value = Change> {
    prop_oneof![
        prop::collection::vec(any_offer(), 0..4).prop_map(Change::Draft),
        prop::collection::vec(any_offer(), 0..4).prop_map(Change::Submit),
        Just(Change::Withdraw),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(
        std::env::var("GUARANTOR_FUZZ_CASES").ok().and_then(|n| n.parse().ok()).unwrap_or(128)
    ))]

    /// The store checks a change to one proposal incrementally; it must find exactly the problems
    /// the whole campaign's validation finds after that change, in the same order.
    #[test]
    fn a_change_to_one_proposal_is_checked_as_the_whole_campaign_would_be(
        who in prop::sample::select(vec!["FRA", "GBR", "DEU", "CYP", "HRV", "ESP", "USA"]),
        change in any_change(),
        chains in prop::collection::vec(
            (prop::sample::select(vec!["FRA", "GBR", "DEU"]), prop::sample::select(vec!["WHO", "WHO", "FRA", "GBR", "DEU", "CYP"])),
            0..3,
        ),
    ) {
        use guarantor_domain::document::ProposalDoc;
        use guarantor_domain::{SetupIndex, commit_conditions, validate, validate_proposal_change};
        let mut v: Value = serde_json::from_str(DEMO).unwrap();
        // Some other capitals' current offers wait for others, so that a change can close a cycle.
        for (from, to) in chains {
            let to = if to == "WHO" { who } else { to };
            if from == to || from == who { continue; }
            if let Some(p) = v["proposals"].as_array_mut().unwrap().iter_mut().find(|p| p["respondent"] == from)
                && let Some(rev) = p["revisions"].as_array_mut().and_then(|r| r.last_mut())
                && let Some(offers) = rev["offers"].as_array_mut()
            {
                for offer in offers {
                    offer["conditions"] = json!([{"if_commits": to}]);
                }
            }
        }
        let before: guarantor_domain::CampaignDocument = serde_json::from_value(v.clone()).unwrap();
        // Only changes to a valid campaign are ever checked.
        prop_assume!(validate(&before).is_ok());
        let proposals = v["proposals"].as_array_mut().unwrap();
        let position = proposals.iter().position(|p| p["respondent"] == who).unwrap_or_else(|| {
            proposals.push(json!({"respondent": who}));
            proposals.len() - 1
        });
        let p = &mut proposals[position];
        let numbered = |offers: Vec<Value>| -> Vec<Value> {
            offers.into_iter().enumerate().map(|(i, mut o)| { o["id"] = json!(format!("{who}-N{i}")); o }).collect()
        };
        match change {
            Change::Draft(offers) => {
                p["draft"] = json!({"updated_at": "2030-01-01T00:00:00Z", "updated_by": "test", "offers": numbered(offers)});
            }
            Change::Submit(offers) => {
                let n = p["revisions"].as_array().map_or(0, Vec::len) + 1;
                let rev = json!({"number": n, "submitted_at": "2030-01-01T00:00:00Z", "submitted_by": "test",
                    "questionnaire_version": 1, "offers": numbered(offers)});
                match p["revisions"].as_array_mut() {
                    Some(r) => r.push(rev),
                    None => p["revisions"] = json!([rev]),
                }
                if let Some(o) = p.as_object_mut() { o.remove("draft"); }
            }
            Change::Withdraw => {
                p["withdrawn"] = json!({"at": "2030-01-02T00:00:00Z", "by": "test", "reason": ""});
            }
        }
        let changed: ProposalDoc = serde_json::from_value(p.clone()).unwrap();
        let after: guarantor_domain::CampaignDocument = serde_json::from_value(v).unwrap();
        let whole: Vec<String> = validate(&after).err().unwrap_or_default().iter().map(ToString::to_string).collect();
        let others = before
            .proposals
            .iter()
            .filter(|p| p.respondent != who)
            .filter_map(|p| Some((p.respondent.clone(), commit_conditions(p)?)))
            .collect();
        let incremental: Vec<String> = validate_proposal_change(&SetupIndex::of(&before), position, &changed, &others)
            .err().unwrap_or_default().iter().map(ToString::to_string).collect();
        let cycles = whole.iter().filter(|w| w.contains("form a cycle")).count();
        CYCLES_SEEN.fetch_add(cycles, std::sync::atomic::Ordering::Relaxed);
        prop_assert_eq!(incremental, whole);
    }
}

#[test]
fn changes_that_close_a_cycle_are_among_those_generated() {
    // Run after (or with) the property above in the same binary: proptest's cases are
    // deterministic per test name, so a fresh run of the property fills the counter.
    if CYCLES_SEEN.load(std::sync::atomic::Ordering::Relaxed) == 0 {
        a_change_to_one_proposal_is_checked_as_the_whole_campaign_would_be();
    }
    assert!(
        CYCLES_SEEN.load(std::sync::atomic::Ordering::Relaxed) > 0,
        "no generated change closed a cycle: the generator no longer reaches the cross-proposal check"
    );
}
