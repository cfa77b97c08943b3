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
