//! The campaign file: every validation rule with a failing example, round trips, TOML, schema.

use guarantor_domain::{
    CampaignDocument, FileFormat, LoadError, Problem, ProposalStatus, parse_campaign,
    parse_document, validate,
};
use serde_json::{Value, json};

const SMALL_TOML: &str = include_str!("fixtures/small-campaign.toml");
const DEMO_JSON: &str = include_str!("../../../examples/demo-campaign.json");
const DEMO_TOML: &str = include_str!("../../../examples/demo-campaign.toml");

/// The small fixture as a JSON value, ready to have a fault planted in it.
fn small() -> Value {
    let doc = parse_document(SMALL_TOML, FileFormat::Toml).expect("fixture parses");
    serde_json::to_value(doc).expect("fixture serialises")
}

/// Validates a JSON value and returns the problems (empty when valid).
fn problems(value: &Value) -> Vec<Problem> {
    let text = serde_json::to_string(value).unwrap();
    match parse_campaign(&text, FileFormat::Json) {
        Ok(_) => Vec::new(),
        Err(LoadError::Invalid(p)) => p,
        Err(other) => panic!("expected validation problems, got: {other}"),
    }
}

/// Plants one fault and checks that exactly the expected problem is reported.
fn assert_rule(mutate: impl FnOnce(&mut Value), path: &str, fragment: &str) {
    let mut v = small();
    mutate(&mut v);
    let found = problems(&v);
    assert!(
        found
            .iter()
            .any(|p| p.path == path && p.message.contains(fragment)),
        "expected `{path}: …{fragment}…`, got:\n{}",
        found
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join("\n")
    );
}

/// FRA's current revision (the second) in the small fixture.
fn fra_current(v: &mut Value) -> &mut Value {
    &mut v["proposals"][0]["revisions"][1]
}

#[test]
fn the_small_fixture_and_the_demo_are_valid() {
    assert!(problems(&small()).is_empty());
    let demo = parse_campaign(DEMO_JSON, FileFormat::Json).expect("demo is valid");
    assert!(
        demo.info().illustrative,
        "demo data must be labelled illustrative"
    );
    assert!(
        demo.invited().count() >= 28,
        "about 30 respondents are asked"
    );
    assert!(demo.scenarios().len() >= 2);
}

#[test]
fn unknown_capability_in_a_requirement() {
    assert_rule(
        |v| v["requirements"][0]["capability"] = json!("tank"),
        "requirements[R1].capability",
        "unknown capability \"tank\"",
    );
}

#[test]
fn a_composite_capability_is_assembled_from_plain_parts_under_one_lead() {
    let compose =
        |v: &mut Value, composition: Value| v["catalogue"][0]["composition"] = composition;
    // Valid: a brigade from a battery (the lead's part, one) and two training teams.
    let mut v = small();
    compose(
        &mut v,
        json!({"lead": "battery", "parts": [{"capability": "battery", "quantity": 1}, {"capability": "training.team", "quantity": 2}]}),
    );
    assert!(problems(&v).is_empty(), "{:?}", problems(&v));
    let c = parse_campaign(&serde_json::to_string(&v).unwrap(), FileFormat::Json).unwrap();
    assert_eq!(
        c.to_document().catalogue[0].composition,
        serde_json::from_value(v["catalogue"][0]["composition"].clone()).unwrap(),
        "the round trip keeps the composition"
    );
    let at = "catalogue[brigade].composition";
    assert_rule(
        |v| {
            compose(
                v,
                json!({"lead": "battery", "parts": [{"capability": "battery", "quantity": 1}, {"capability": "tank", "quantity": 2}]}),
            )
        },
        &format!("{at}.parts[1].capability"),
        "unknown capability tank",
    );
    assert_rule(
        |v| {
            compose(
                v,
                json!({"lead": "battery", "parts": [{"capability": "battery", "quantity": 1}, {"capability": "brigade", "quantity": 2}]}),
            )
        },
        &format!("{at}.parts[1].capability"),
        "cannot be a part of itself",
    );
    assert_rule(
        |v| {
            compose(
                v,
                json!({"lead": "battery", "parts": [{"capability": "battery", "quantity": 1}, {"capability": "battery", "quantity": 2}]}),
            )
        },
        &format!("{at}.parts[1].capability"),
        "duplicate",
    );
    assert_rule(
        |v| {
            compose(
                v,
                json!({"lead": "battery", "parts": [{"capability": "battery", "quantity": 1}, {"capability": "training.team", "quantity": 0}]}),
            )
        },
        &format!("{at}.parts[1].quantity"),
        "from 1 to 100",
    );
    assert_rule(
        |v| {
            compose(
                v,
                json!({"lead": "funding", "parts": [{"capability": "battery", "quantity": 1}, {"capability": "training.team", "quantity": 2}]}),
            )
        },
        &format!("{at}.lead"),
        "not one of the parts",
    );
    assert_rule(
        |v| {
            compose(
                v,
                json!({"lead": "training.team", "parts": [{"capability": "battery", "quantity": 1}, {"capability": "training.team", "quantity": 2}]}),
            )
        },
        &format!("{at}.lead"),
        "one training.team per assembled unit",
    );
    assert_rule(
        |v| {
            compose(
                v,
                json!({"lead": "battery", "parts": [{"capability": "battery", "quantity": 1}]}),
            )
        },
        &format!("{at}.parts"),
        "at least two parts",
    );
    // Parts are plain capabilities: no nesting.
    assert_rule(
        |v| {
            v["catalogue"][1]["composition"] = json!({"lead": "training.team", "parts": [{"capability": "training.team", "quantity": 1}, {"capability": "funding", "quantity": 2}]});
            compose(
                v,
                json!({"lead": "battery", "parts": [{"capability": "battery", "quantity": 1}, {"capability": "training.team", "quantity": 2}]}),
            );
        },
        &format!("{at}.parts[0].capability"),
        "itself assembled from parts",
    );
}

#[test]
fn requirement_for_a_phase_that_does_not_exist() {
    assert_rule(
        |v| v["requirements"][0]["phase"] = json!("P9"),
        "requirements[R1].phase",
        "unknown phase \"P9\" (known: P0, P1, P2)",
    );
}

#[test]
fn unknown_sector_in_a_requirement() {
    assert_rule(
        |v| v["requirements"][0]["sector"] = json!("moon"),
        "requirements[R1].sector",
        "unknown sector \"moon\"",
    );
}

#[test]
fn unknown_capability_phase_and_sector_in_an_offer() {
    assert_rule(
        |v| fra_current(v)["offers"][0]["capability"] = json!("tank"),
        "proposals[FRA].revisions[2].offers[0].capability",
        "unknown capability",
    );
    assert_rule(
        |v| fra_current(v)["offers"][0]["earliest_phase"] = json!("P7"),
        "proposals[FRA].revisions[2].offers[0].earliest_phase",
        "unknown phase \"P7\"",
    );
    assert_rule(
        |v| fra_current(v)["offers"][0]["sectors"] = json!(["capital", "moon"]),
        "proposals[FRA].revisions[2].offers[0].sectors",
        "unknown sector \"moon\"",
    );
    assert_rule(
        |v| fra_current(v)["offers"][0]["caveats"] = json!([{"excluded_sectors": ["moon"]}]),
        "proposals[FRA].revisions[2].offers[0].caveats.excluded_sectors",
        "unknown sector \"moon\"",
    );
}

#[test]
fn proposal_from_an_unknown_respondent() {
    assert_rule(
        |v| v["proposals"][0]["respondent"] = json!("ITA"),
        "proposals[0].respondent",
        "unknown respondent \"ITA\"",
    );
}

#[test]
fn proposal_from_a_respondent_that_was_not_invited() {
    assert_rule(
        |v| v["proposals"][0]["respondent"] = json!("USA"),
        "proposals[0].respondent",
        "was not invited",
    );
}

#[test]
fn duplicate_ids_in_every_list() {
    assert_rule(
        |v| v["requirements"][1]["id"] = json!("R1"),
        "requirements[R1]",
        "duplicate id",
    );
    assert_rule(
        |v| v["phases"][1]["id"] = json!("P0"),
        "phases[P0]",
        "duplicate id",
    );
    assert_rule(
        |v| v["sectors"][1]["id"] = json!("capital"),
        "sectors[capital]",
        "duplicate id",
    );
    assert_rule(
        |v| v["catalogue"][1]["id"] = json!("brigade"),
        "catalogue[brigade]",
        "duplicate id",
    );
    assert_rule(
        |v| v["respondents"][1]["code"] = json!("FRA"),
        "respondents[FRA]",
        "duplicate id",
    );
    assert_rule(
        |v| v["scenarios"][1]["id"] = json!("backstop"),
        "scenarios[backstop]",
        "duplicate id",
    );
    assert_rule(
        |v| v["facts"][1]["id"] = json!("us_backstop"),
        "facts[us_backstop]",
        "duplicate id",
    );
    assert_rule(
        |v| fra_current(v)["offers"][1]["id"] = json!("F1"),
        "proposals[FRA].revisions[2].offers[1].id",
        "duplicate id",
    );
    assert_rule(
        |v| {
            v["questionnaire"]["sections"]
                .as_array_mut()
                .unwrap()
                .push(json!({"id": "more", "title": "More", "questions": [{"id": "conditions", "text": "Again?"}]}))
        },
        "questionnaire.sections[more].questions[conditions]",
        "duplicate id",
    );
    assert_rule(
        |v| v["proposals"][1]["respondent"] = json!("FRA"),
        "proposals[FRA]",
        "duplicate id",
    );
}

#[test]
fn the_same_requirement_line_twice() {
    assert_rule(
        |v| {
            v["requirements"][1]["phase"] = json!("P0");
        },
        "requirements[R2]",
        "same capability, phase and sector as requirement R1",
    );
}

#[test]
fn zero_and_negative_quantities() {
    assert_rule(
        |v| v["requirements"][0]["quantity"] = json!(0),
        "requirements[R1].quantity",
        "must be greater than 0 (got 0)",
    );
    assert_rule(
        |v| fra_current(v)["offers"][1]["quantity"] = json!(-3),
        "proposals[FRA].revisions[2].offers[1].quantity",
        "must be greater than 0 (got -3)",
    );
    assert_rule(
        |v| v["catalogue"][0]["personnel_per_unit"] = json!(-1),
        "catalogue[brigade].personnel_per_unit",
        "whole number from 0",
    );
    assert_rule(
        |v| v["catalogue"][0]["rotation_ratio"] = json!(0.5),
        "catalogue[brigade].rotation_ratio",
        "at least 1",
    );
    assert_rule(
        |v| v["scenarios"][0]["troop_ceiling"] = json!(-100),
        "scenarios[backstop].troop_ceiling",
        "from 0 to 10,000,000",
    );
    assert_rule(
        |v| v["respondents"][0]["facts"]["gdp_usd_bn"] = json!(-5.0),
        "respondents[FRA].facts.gdp_usd_bn",
        "non-negative",
    );
}

/// Every quantity and amount has a realistic upper bound, so that no line can overflow the
/// engine's and the totals' arithmetic (a line of 2,147,483,648 units once made the options fail
/// for every capital; six of 2,147,483,647 at a million million each made totals negative).
#[test]
fn figures_beyond_their_bounds() {
    assert_rule(
        |v| fra_current(v)["offers"][1]["quantity"] = json!(2_147_483_648_i64),
        "proposals[FRA].revisions[2].offers[1].quantity",
        "must be at most 1,000,000 units (got 2147483648)",
    );
    assert_rule(
        |v| v["requirements"][0]["quantity"] = json!(1_000_001),
        "requirements[R1].quantity",
        "must be at most 1,000,000 units",
    );
    assert_rule(
        |v| fra_current(v)["offers"][1]["cost_per_unit_year"]["amount_m"] = json!(1_000_000.001),
        "proposals[FRA].revisions[2].offers[1].cost_per_unit_year.amount_m",
        "beyond the largest accepted amount (1,000,000 million)",
    );
    assert_rule(
        |v| v["catalogue"][0]["personnel_per_unit"] = json!(100_001),
        "catalogue[brigade].personnel_per_unit",
        "from 0 to 100,000",
    );
    assert_rule(
        |v| v["scenarios"][0]["troop_ceiling"] = json!(10_000_001),
        "scenarios[backstop].troop_ceiling",
        "from 0 to 10,000,000",
    );
    assert_rule(
        |v| v["campaign"]["exchange_rates"]["USD"] = json!(2_000_000.0),
        "campaign.exchange_rates.USD",
        "between 0.000001 and 1,000,000",
    );
    // The bounds themselves are accepted.
    let mut v = small();
    fra_current(&mut v)["offers"][1]["quantity"] = json!(1_000_000);
    fra_current(&mut v)["offers"][1]["cost_per_unit_year"]["amount_m"] = json!(1_000_000.0);
    v["requirements"][0]["quantity"] = json!(1_000_000);
    v["catalogue"][0]["personnel_per_unit"] = json!(100_000);
    v["scenarios"][0]["troop_ceiling"] = json!(10_000_000);
    parse_campaign(&v.to_string(), FileFormat::Json).expect("figures at their bounds are valid");
}

#[test]
fn costs_in_an_unknown_currency() {
    // GBP is a real currency, but the campaign gives no rate for it.
    assert_rule(
        |v| fra_current(v)["offers"][1]["cost_per_unit_year"]["currency"] = json!("GBP"),
        "proposals[FRA].revisions[2].offers[1].cost_per_unit_year.currency",
        "unknown currency \"GBP\"",
    );
    assert_rule(
        |v| fra_current(v)["offers"][1]["cost_per_unit_year"]["currency"] = json!("EURO"),
        "proposals[FRA].revisions[2].offers[1].cost_per_unit_year.currency",
        "not an ISO 4217 currency code",
    );
    assert_rule(
        |v| v["campaign"]["currency"] = json!("XYZ"),
        "campaign.currency",
        "not an ISO 4217",
    );
    assert_rule(
        |v| v["campaign"]["exchange_rates"]["USD"] = json!(0.0),
        "campaign.exchange_rates.USD",
        "positive",
    );
}

#[test]
fn money_is_exact_to_the_thousand_and_never_negative() {
    assert_rule(
        |v| fra_current(v)["offers"][1]["cost_per_unit_year"]["amount_m"] = json!(100.0001),
        "proposals[FRA].revisions[2].offers[1].cost_per_unit_year.amount_m",
        "more than three decimals",
    );
    assert_rule(
        |v| fra_current(v)["offers"][1]["cost_per_unit_year"]["amount_m"] = json!(-1.0),
        "proposals[FRA].revisions[2].offers[1].cost_per_unit_year.amount_m",
        "must not be negative",
    );
}

#[test]
fn funding_offers_carry_their_amount_in_quantity() {
    assert_rule(
        |v| {
            v["proposals"][1]["revisions"][0]["offers"][0]["cost_per_unit_year"] =
                json!({"amount_m": 1.0, "currency": "EUR"})
        },
        "proposals[DEU].revisions[1].offers[0].cost_per_unit_year",
        "leave the cost empty",
    );
}

#[test]
fn offer_conditional_on_a_respondent_that_is_not_invited() {
    assert_rule(
        |v| fra_current(v)["offers"][1]["conditions"] = json!([{"if_commits": "USA"}]),
        "proposals[FRA].revisions[2].offers[1].conditions.if_commits",
        "USA is not invited",
    );
    assert_rule(
        |v| fra_current(v)["offers"][1]["conditions"] = json!([{"if_commits": "JPN"}]),
        "proposals[FRA].revisions[2].offers[1].conditions.if_commits",
        "unknown respondent \"JPN\"",
    );
    assert_rule(
        |v| fra_current(v)["offers"][1]["conditions"] = json!([{"if_commits": "FRA"}]),
        "proposals[FRA].revisions[2].offers[1].conditions.if_commits",
        "cannot be conditional on FRA itself",
    );
}

#[test]
fn unknown_scenario_fact_in_a_condition() {
    assert_rule(
        |v| fra_current(v)["offers"][1]["conditions"] = json!([{"scenario": "peace_on_earth"}]),
        "proposals[FRA].revisions[2].offers[1].conditions.scenario",
        "unknown fact \"peace_on_earth\"",
    );
}

#[test]
fn partners_conditions_that_could_never_hold() {
    assert_rule(
        |v| fra_current(v)["offers"][1]["conditions"] = json!([{"min_partners": 4}]),
        "proposals[FRA].revisions[2].offers[1].conditions.min_partners",
        "only 3 other respondents are invited",
    );
    assert_rule(
        |v| fra_current(v)["offers"][1]["conditions"] = json!([{"min_partners": 0}]),
        "proposals[FRA].revisions[2].offers[1].conditions.min_partners",
        "at least 1",
    );
}

#[test]
fn cycles_of_linked_conditions() {
    assert_rule(
        |v| {
            for offer in fra_current(v)["offers"].as_array_mut().unwrap() {
                offer["conditions"] = json!([{"if_commits": "DEU"}]);
            }
            for offer in v["proposals"][1]["revisions"][0]["offers"]
                .as_array_mut()
                .unwrap()
            {
                offer["conditions"] = json!([{"if_commits": "FRA"}]);
            }
        },
        "proposals[DEU]",
        "cycle DEU → FRA → DEU",
    );
}

#[test]
fn mutual_conditions_are_fine_when_one_side_can_commit_alone() {
    // DEU's funding and training stand on their own, so DEU can commit first and FRA follow.
    let mut v = small();
    fra_current(&mut v)["offers"][1]["conditions"] = json!([{"if_commits": "DEU"}]);
    v["proposals"][1]["revisions"][0]["offers"][1]["conditions"] = json!([{"if_commits": "FRA"}]);
    assert!(problems(&v).is_empty());
}

#[test]
fn a_chain_of_linked_conditions_without_a_cycle_is_fine() {
    let mut v = small();
    fra_current(&mut v)["offers"][1]["conditions"] = json!([{"if_commits": "DEU"}]);
    assert!(problems(&v).is_empty());
}

#[test]
fn a_scenario_excluding_everything() {
    // Every invited respondent is an EU member.
    assert_rule(
        |v| v["scenarios"][0]["excluded_contributors"] = json!([{"member_of": "EU"}]),
        "scenarios[backstop].excluded_contributors",
        "excludes every invited respondent from every category",
    );
    assert_rule(
        |v| v["scenarios"][0]["excluded_sectors"] = json!(["capital", "east", "air", "hub"]),
        "scenarios[backstop].excluded_sectors",
        "excludes every sector",
    );
}

#[test]
fn a_scenario_excluding_only_troops_of_all_is_allowed() {
    let mut v = small();
    v["scenarios"][0]["excluded_contributors"] =
        json!([{"member_of": "EU", "categories": ["troops"]}]);
    assert!(problems(&v).is_empty());
}

#[test]
fn scenario_facts_must_be_declared_and_complete() {
    assert_rule(
        |v| {
            v["scenarios"][0]["facts"]["sunshine"] = json!(true);
        },
        "scenarios[backstop].facts.sunshine",
        "unknown fact",
    );
    assert_rule(
        |v| {
            v["scenarios"][0]["facts"]
                .as_object_mut()
                .unwrap()
                .remove("un_mandate");
        },
        "scenarios[backstop].facts",
        "does not say whether \"un_mandate\" holds",
    );
}

#[test]
fn exclusion_rules_must_name_someone_known() {
    assert_rule(
        |v| v["scenarios"][0]["excluded_contributors"] = json!([{"member_of": "ASEAN"}]),
        "scenarios[backstop].excluded_contributors[0].member_of",
        "no respondent is a member of \"ASEAN\"",
    );
    assert_rule(
        |v| v["scenarios"][0]["excluded_contributors"] = json!([{"categories": ["troops"]}]),
        "scenarios[backstop].excluded_contributors[0]",
        "names nobody",
    );
    assert_rule(
        |v| v["scenarios"][0]["excluded_contributors"] = json!([{"respondents": ["JPN"]}]),
        "scenarios[backstop].excluded_contributors[0].respondents",
        "unknown respondent \"JPN\"",
    );
}

#[test]
fn offer_phases_and_sectors_must_make_sense() {
    assert_rule(
        |v| {
            fra_current(v)["offers"][1]["earliest_phase"] = json!("P2");
            fra_current(v)["offers"][1]["last_phase"] = json!("P1");
        },
        "proposals[FRA].revisions[2].offers[1].last_phase",
        "comes before the first phase",
    );
    assert_rule(
        |v| fra_current(v)["offers"][1]["sectors"] = json!([]),
        "proposals[FRA].revisions[2].offers[1].sectors",
        "lists no sector",
    );
}

#[test]
fn revisions_are_numbered_and_ordered() {
    assert_rule(
        |v| v["proposals"][0]["revisions"][1]["number"] = json!(3),
        "proposals[FRA].revisions[3].number",
        "expected 2, got 3",
    );
    assert_rule(
        |v| v["proposals"][0]["revisions"][1]["submitted_at"] = json!("2025-01-01T00:00:00Z"),
        "proposals[FRA].revisions[2].submitted_at",
        "earlier than the previous revision",
    );
    assert_rule(
        |v| v["proposals"][0]["revisions"][1]["questionnaire_version"] = json!(2),
        "proposals[FRA].revisions[2].questionnaire_version",
        "from 1 to 1",
    );
}

#[test]
fn only_a_submitted_proposal_can_be_withdrawn() {
    assert_rule(
        |v| v["proposals"][2]["withdrawn"] = json!({"at": "2025-03-01T00:00:00Z", "by": "x"}),
        "proposals[AUT].withdrawn",
        "no revision",
    );
    assert_rule(
        |v| v["proposals"][3]["withdrawn"]["at"] = json!("2025-01-01T00:00:00Z"),
        "proposals[POL].withdrawn.at",
        "before the last revision",
    );
}

#[test]
fn answers_must_answer_a_question_of_the_questionnaire() {
    assert_rule(
        |v| fra_current(v)["answers"][0]["question"] = json!("meaning_of_life"),
        "proposals[FRA].revisions[2].answers[meaning_of_life].question",
        "unknown question",
    );
}

#[test]
fn funding_capabilities_have_no_crews_and_no_rotation() {
    assert_rule(
        |v| v["catalogue"][3]["rotation_ratio"] = json!(3.0),
        "catalogue[funding].rotation_ratio",
        "must be 1 for a funding capability",
    );
    assert_rule(
        |v| v["catalogue"][3]["personnel_per_unit"] = json!(10),
        "catalogue[funding].personnel_per_unit",
        "must be 0 for a funding capability",
    );
}

#[test]
fn someone_must_be_asked_and_who_acted_must_be_named() {
    assert_rule(
        |v| {
            v["respondents"] = json!([]);
            v["proposals"] = json!([]);
            v["scenarios"][1]["excluded_contributors"] = json!([]);
        },
        "respondents",
        "at least one respondent",
    );
    assert_rule(
        |v| v["proposals"][2]["draft"]["updated_by"] = json!(" "),
        "proposals[AUT].draft.updated_by",
        "must not be empty",
    );
    assert_rule(
        |v| v["proposals"][3]["withdrawn"]["by"] = json!(""),
        "proposals[POL].withdrawn.by",
        "must not be empty",
    );
}

#[test]
fn codes_and_identifiers_are_checked() {
    assert_rule(
        |v| v["respondents"][2]["code"] = json!("XXQ"),
        "respondents[2].code",
        "not an assigned ISO 3166-1 alpha-3 code",
    );
    assert_rule(
        |v| v["requirements"][0]["id"] = json!("R 1"),
        "requirements[0].id",
        "contains ' '",
    );
    assert_rule(
        |v| fra_current(v)["offers"][1]["paid_by"] = json!("nobody"),
        "proposals[FRA].revisions[2].offers[1].paid_by",
        "must be \"contributor\", \"common_fund\" or a respondent code",
    );
}

#[test]
fn every_problem_is_reported_at_once() {
    let mut v = small();
    v["requirements"][0]["phase"] = json!("P9");
    fra_current(&mut v)["offers"][1]["quantity"] = json!(0);
    fra_current(&mut v)["offers"][1]["cost_per_unit_year"]["currency"] = json!("GBP");
    v["scenarios"][1]["facts"]["sunshine"] = json!(false);
    v["requirements"][1]["id"] = json!("R1");
    let found = problems(&v);
    let paths: Vec<&str> = found.iter().map(|p| p.path.as_str()).collect();
    for expected in [
        "requirements[R1].phase",
        "proposals[FRA].revisions[2].offers[1].quantity",
        "proposals[FRA].revisions[2].offers[1].cost_per_unit_year.currency",
        "scenarios[no-nato-troops].facts.sunshine",
        "requirements[R1]",
    ] {
        assert!(
            paths.contains(&expected),
            "{expected} missing from {paths:?}"
        );
    }
}

#[test]
fn shape_errors_name_the_field() {
    let mut v = small();
    v["requirements"][0]["priority"] = json!("urgent");
    let err = parse_campaign(&v.to_string(), FileFormat::Json).unwrap_err();
    let text = err.to_string();
    assert!(text.contains("requirements[0].priority"), "{text}");
    assert!(text.contains("unknown variant `urgent`"), "{text}");

    let mut v = small();
    v["campaign"]["colour"] = json!("blue");
    let text = parse_campaign(&v.to_string(), FileFormat::Json)
        .unwrap_err()
        .to_string();
    assert!(text.contains("unknown field `colour`"), "{text}");
}

#[test]
fn format_versions_newer_than_this_build_are_refused_clearly() {
    let mut v = small();
    v["format_version"] = json!(2);
    let err = parse_campaign(&v.to_string(), FileFormat::Json).unwrap_err();
    assert!(matches!(
        err,
        LoadError::UnsupportedVersion { found: 2, .. }
    ));
    assert!(err.to_string().contains("newer Guarantor"));

    v.as_object_mut().unwrap().remove("format_version");
    let err = parse_campaign(&v.to_string(), FileFormat::Json).unwrap_err();
    assert!(err.to_string().contains("format_version"));
}

#[test]
fn syntax_errors_give_line_and_column() {
    let err = parse_campaign("{\n  \"format_version\": 1,\n  oops\n}", FileFormat::Json)
        .unwrap_err()
        .to_string();
    assert!(err.contains("line 3"), "{err}");
    let err = parse_campaign("format_version = 1\n[campaign\n", FileFormat::Toml)
        .unwrap_err()
        .to_string();
    assert!(err.contains("TOML"), "{err}");
}

#[test]
fn json_round_trip_of_the_demo_is_lossless() {
    let first = parse_campaign(DEMO_JSON, FileFormat::Json).unwrap();
    let written = first.to_json();
    let second = parse_campaign(&written, FileFormat::Json).unwrap();
    assert_eq!(first, second, "read → write → read changed the campaign");
    assert_eq!(written, second.to_json(), "writing is not stable");
    // The committed JSON is the canonical form of the campaign.
    assert_eq!(
        written, DEMO_JSON,
        "examples/demo-campaign.json is not in canonical form"
    );
}

#[test]
fn toml_reads_to_the_same_model_as_json() {
    let from_json = parse_campaign(DEMO_JSON, FileFormat::Json).unwrap();
    let from_toml = parse_campaign(DEMO_TOML, FileFormat::Toml).unwrap();
    assert_eq!(from_json, from_toml);
    // And the TOML this build writes reads back to the same model.
    let toml_text = from_json.to_toml().unwrap();
    assert_eq!(
        parse_campaign(&toml_text, FileFormat::Toml).unwrap(),
        from_json
    );
}

#[test]
fn the_demo_conforms_to_the_published_json_schema() {
    let schema = guarantor_domain::json_schema();
    let validator = jsonschema::validator_for(&schema).expect("the schema is a valid JSON Schema");
    let demo: Value = serde_json::from_str(DEMO_JSON).unwrap();
    let errors: Vec<String> = validator
        .iter_errors(&demo)
        .map(|e| format!("{}: {e}", e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");

    // The schema rejects what the file format rejects at the shape level.
    let mut bad = demo.clone();
    bad["campaign"]["colour"] = json!("blue");
    assert!(!validator.is_valid(&bad));
    let mut bad = demo;
    bad["requirements"][0]["quantity"] = json!(0);
    assert!(!validator.is_valid(&bad));
}

#[test]
fn proposal_status_follows_from_its_contents() {
    let doc: CampaignDocument = parse_document(SMALL_TOML, FileFormat::Toml).unwrap();
    let campaign = validate(&doc).unwrap();
    let status = |code: &str| {
        campaign
            .proposals()
            .iter()
            .find(|p| p.respondent.as_str() == code)
            .map(|p| p.status())
    };
    assert_eq!(status("FRA"), Some(ProposalStatus::Revised));
    assert_eq!(status("DEU"), Some(ProposalStatus::Submitted));
    assert_eq!(status("AUT"), Some(ProposalStatus::Draft));
    assert_eq!(status("POL"), Some(ProposalStatus::Withdrawn));
}

#[test]
fn demo_reference_figures_match_the_published_table() {
    let campaign = parse_campaign(DEMO_JSON, FileFormat::Json).unwrap();
    let table = include_str!("../../../data/european_states.csv");
    let mut rows = 0;
    for line in table.lines().skip(1) {
        let cols: Vec<&str> = line.splitn(11, ',').collect();
        let code = guarantor_domain::ids::CountryCode::parse(cols[0]).unwrap();
        let r = campaign
            .respondent(&code)
            .unwrap_or_else(|| panic!("{} missing from the demo", cols[0]));
        let num = |s: &str| (!s.is_empty()).then(|| s.parse::<f64>().unwrap());
        let got = |f: Option<guarantor_domain::quantity::Figure>| f.map(|x| x.get());
        assert_eq!(r.name, cols[1]);
        assert_eq!(
            r.memberships.iter().any(|m| m.as_str() == "NATO"),
            cols[2] == "true"
        );
        assert_eq!(
            r.memberships.iter().any(|m| m.as_str() == "EU"),
            cols[3] == "true"
        );
        assert_eq!(
            got(r.facts.population_millions),
            num(cols[4]),
            "{} population",
            cols[0]
        );
        assert_eq!(got(r.facts.gdp_usd_bn), num(cols[5]), "{} GDP", cols[0]);
        assert_eq!(
            got(r.facts.defence_expenditure_usd_bn),
            num(cols[6]),
            "{} defence",
            cols[0]
        );
        assert_eq!(
            got(r.facts.defence_pct_gdp),
            num(cols[7]),
            "{} % GDP",
            cols[0]
        );
        assert_eq!(
            got(r.facts.active_personnel_thousands),
            num(cols[8]),
            "{} personnel",
            cols[0]
        );
        assert_eq!(
            got(r.facts.military_aid_committed_eur_bn),
            num(cols[9]),
            "{} aid",
            cols[0]
        );
        assert_eq!(r.sources, cols[10]);
        rows += 1;
    }
    assert_eq!(rows, 34);
}

/// A key given twice in a JSON campaign file is refused with its path (TOML refuses it too);
/// serde_json alone would keep the last value silently. A byte-order mark is fine.
#[test]
fn duplicate_keys_are_refused_and_a_byte_order_mark_is_accepted() {
    let demo = include_str!("../../../examples/demo-campaign.json");
    let doubled = demo.replacen(
        "\"exchange_rates\": {",
        "\"exchange_rates\": {\"USD\": 5.0,",
        1,
    );
    match parse_campaign(&doubled, FileFormat::Json) {
        Err(LoadError::Syntax { path, message, .. }) => {
            assert_eq!(path, "campaign.exchange_rates");
            assert!(message.contains("\"USD\" is given twice"), "{message}");
        }
        other => panic!(
            "expected a duplicate-key error, got {:?}",
            other.map(|_| ())
        ),
    }
    let toml_doubled = format!("{SMALL_TOML}\n[campaign]\nid = \"again\"\n");
    assert!(parse_campaign(&toml_doubled, FileFormat::Toml).is_err());
    let with_bom = format!("\u{feff}{demo}");
    parse_campaign(&with_bom, FileFormat::Json).expect("a byte-order mark is accepted");
}

#[test]
fn lines_required_in_a_section_without_an_offer_table() {
    assert_rule(
        |v| {
            let s = &mut v["questionnaire"]["sections"][0];
            s["offer_categories"] = json!([]);
            s["lines_required"] = json!(true);
        },
        "questionnaire.sections[offers].lines_required",
        "no offer table",
    );
}

/// Required answers and lines hold when a draft is submitted, not on drafts or on what was
/// submitted before (the file with FRA's revisions stays valid with the question required).
#[test]
fn a_submission_must_answer_required_questions_and_have_required_lines() {
    let mut v = small();
    v["questionnaire"]["sections"][0]["questions"][0]["required"] = json!(true);
    v["questionnaire"]["sections"][0]["lines_required"] = json!(true);
    assert!(problems(&v).is_empty(), "{:?}", problems(&v));
    let doc: CampaignDocument = serde_json::from_value(v).unwrap();
    let missing = guarantor_domain::missing_for_submission(&doc, "FRA", &[], &[]);
    let said: Vec<String> = missing.iter().map(ToString::to_string).collect();
    assert_eq!(said.len(), 2, "{said:?}");
    assert!(
        said[0].starts_with(
            "proposals[FRA].draft.answers[conditions]: this question must be answered"
        )
    );
    assert!(said[1].contains("\"Offers\" needs at least one offer line"));
    let current = &doc.proposals[0].revisions.last().unwrap();
    let answered = [guarantor_domain::document::AnswerDoc {
        question: "conditions".into(),
        text: "With a mandate.".into(),
    }];
    assert!(
        guarantor_domain::missing_for_submission(&doc, "FRA", &current.offers, &answered)
            .is_empty()
    );
    let blank = [guarantor_domain::document::AnswerDoc {
        question: "conditions".into(),
        text: "  ".into(),
    }];
    assert_eq!(
        guarantor_domain::missing_for_submission(&doc, "FRA", &current.offers, &blank).len(),
        1,
        "a blank answer is no answer"
    );
}

#[test]
fn postures_are_checked_as_statements_of_requirements() {
    let posture = |id: &str, phase: &str| {
        json!({
            "id": id,
            "name": "Small force",
            "requirements": [
                {"id": "S1", "capability": "brigade", "quantity": 1, "phase": phase, "sector": "capital", "priority": "essential"}
            ]
        })
    };
    let mut v = small();
    v["postures"] = json!([posture("small", "P0")]);
    assert!(problems(&v).is_empty(), "{:?}", problems(&v));
    let c = parse_campaign(&serde_json::to_string(&v).unwrap(), FileFormat::Json).unwrap();
    assert_eq!(c.postures().len(), 1);
    let under = c.under_posture(&c.postures()[0]);
    assert_eq!(under.requirements().len(), 1);
    assert_eq!(under.requirements()[0].id.to_string(), "S1");
    // The round trip keeps them.
    assert_eq!(c.to_document().postures.len(), 1);
    assert_rule(
        |v| v["postures"] = json!([posture("small", "P9")]),
        "postures[small].requirements[S1].phase",
        "unknown phase",
    );
    assert_rule(
        |v| v["postures"] = json!([posture("small", "P0"), posture("small", "P0")]),
        "postures[small]",
        "duplicate id",
    );
    assert_rule(
        |v| v["postures"] = json!([{"id": "empty", "name": "Nothing", "requirements": []}]),
        "postures[empty].requirements",
        "lists no requirement",
    );
}

#[test]
fn what_ifs_are_checked_like_offers_and_round_trip() {
    let what_if = |id: &str, respondent: &str, phase: &str| {
        json!({
            "id": id,
            "name": "Austria sends a brigade, France keeps its batteries home",
            "created_by": "decision-maker",
            "added": [{"respondent": respondent, "offer": {"id": "A1", "capability": "brigade", "quantity": 1, "earliest_phase": phase}}],
            "removed": [{"respondent": "FRA", "offer": "F2"}]
        })
    };
    let mut v = small();
    v["what_ifs"] = json!([what_if("aut-brigade", "AUT", "P0")]);
    assert!(problems(&v).is_empty(), "{:?}", problems(&v));
    let c = parse_campaign(&serde_json::to_string(&v).unwrap(), FileFormat::Json).unwrap();
    let saved = c.what_if("aut-brigade").expect("the what-if");
    assert_eq!(saved.changes.added.len(), 1);
    assert!(c.stale_removals(&saved.changes).is_empty());
    // The round trip keeps it, and applying it changes a copy only.
    assert_eq!(
        c.to_document().what_ifs,
        vec![serde_json::from_value(what_if("aut-brigade", "AUT", "P0")).unwrap()]
    );
    let applied = c.with_what_if(&saved.changes);
    let fra = |c: &guarantor_domain::Campaign| {
        c.proposals()
            .iter()
            .find(|p| p.respondent.as_str() == "FRA")
            .and_then(|p| p.current())
            .map(|r| r.offers.len())
    };
    assert_eq!(fra(&applied), Some(fra(&c).unwrap() - 1));
    // A removal of a line no longer current is stale, not an error.
    let mut stale = small();
    stale["what_ifs"] =
        json!([{"id": "old", "name": "Old", "removed": [{"respondent": "FRA", "offer": "F9"}]}]);
    let c = parse_campaign(&serde_json::to_string(&stale).unwrap(), FileFormat::Json).unwrap();
    assert_eq!(c.stale_removals(&c.what_ifs()[0].changes).len(), 1);

    assert_rule(
        |v| v["what_ifs"] = json!([what_if("x", "AUT", "P9")]),
        "what_ifs[x].added[0].offer.earliest_phase",
        "unknown phase",
    );
    assert_rule(
        |v| v["what_ifs"] = json!([what_if("x", "ESP", "P0")]),
        "what_ifs[x].added[0].respondent",
        "unknown respondent \"ESP\"",
    );
    assert_rule(
        |v| v["what_ifs"] = json!([what_if("x", "USA", "P0")]),
        "what_ifs[x].added[0].respondent",
        "not invited",
    );
    assert_rule(
        |v| v["what_ifs"] = json!([what_if("x", "AUT", "P0"), what_if("x", "AUT", "P0")]),
        "what_ifs[x]",
        "duplicate id",
    );
    assert_rule(
        |v| v["what_ifs"] = json!([{"id": "nothing", "name": "Nothing"}]),
        "what_ifs[nothing]",
        "adds no offer and takes none away",
    );
    assert_rule(
        |v| v["what_ifs"] = json!([{"id": "unnamed", "name": " ", "removed": [{"respondent": "FRA", "offer": "F2"}]}]),
        "what_ifs[unnamed].name",
        "",
    );
}

/// A follow-up ask is checked like an offer line to an invited capital; its status follows from
/// the current proposal and the clock: open, partly answered, answered, declined, expired.
#[test]
fn follow_up_asks_are_checked_and_their_status_follows_the_proposal() {
    use chrono::TimeZone;
    let ask = |id: &str, to: &str, quantity: i64| {
        json!({
            "id": id,
            "respondent": to,
            "capability": "battery",
            "quantity": quantity,
            "earliest_phase": "P1",
            "sectors": ["air"],
            "message": "Two more batteries for the airspace, please.",
            "reply_by": "2025-03-20T17:00:00Z",
            "created_at": "2025-03-08T09:00:00Z",
            "created_by": "coordinator"
        })
    };
    let mut v = small();
    v["asks"] = json!([ask("a1", "FRA", 4), ask("a2", "DEU", 1)]);
    assert!(problems(&v).is_empty(), "{:?}", problems(&v));
    let before = chrono::Utc.with_ymd_and_hms(2025, 3, 10, 0, 0, 0).unwrap();
    let after = chrono::Utc.with_ymd_and_hms(2025, 3, 21, 0, 0, 0).unwrap();
    let c = parse_campaign(&serde_json::to_string(&v).unwrap(), FileFormat::Json).unwrap();
    let status = |c: &guarantor_domain::Campaign, id: &str, now| {
        let a = c.asks().iter().find(|a| a.id == id).unwrap();
        c.ask_status(a, now)
    };
    use guarantor_domain::AskStatus;
    assert_eq!(status(&c, "a1", before), AskStatus::Open);
    assert_eq!(status(&c, "a1", after), AskStatus::Expired);
    assert_eq!(c.to_document().asks.len(), 2, "the round trip keeps them");

    // France's current revision answers a1 with its 2 batteries: partly (4 asked); with 4, whole.
    let fra = v["proposals"]
        .as_array()
        .unwrap()
        .iter()
        .position(|p| p["respondent"] == "FRA")
        .unwrap();
    let last = v["proposals"][fra]["revisions"].as_array().unwrap().len() - 1;
    let line = v["proposals"][fra]["revisions"][last]["offers"]
        .as_array()
        .unwrap()
        .iter()
        .position(|o| o["capability"] == "battery")
        .unwrap();
    v["proposals"][fra]["revisions"][last]["offers"][line]["answers_ask"] = json!("a1");
    let c = parse_campaign(&serde_json::to_string(&v).unwrap(), FileFormat::Json).unwrap();
    assert_eq!(status(&c, "a1", before), AskStatus::PartlyAnswered);
    assert_eq!(
        status(&c, "a1", after),
        AskStatus::PartlyAnswered,
        "an answer does not expire"
    );
    v["proposals"][fra]["revisions"][last]["offers"][line]["quantity"] = json!(4);
    let c = parse_campaign(&serde_json::to_string(&v).unwrap(), FileFormat::Json).unwrap();
    assert_eq!(status(&c, "a1", before), AskStatus::Answered);
    // Germany declines a2.
    v["asks"][1]["declined"] = json!({"at": "2025-03-09T10:00:00Z", "by": "DEU desk", "reason": "All batteries are committed at home."});
    let c = parse_campaign(&serde_json::to_string(&v).unwrap(), FileFormat::Json).unwrap();
    assert_eq!(status(&c, "a2", before), AskStatus::Declined);
    // The coordinator withdraws a1 (no longer needed): withdrawn, whatever the answer so far.
    v["asks"][0]["withdrawn"] = json!({"at": "2025-03-11T10:00:00Z", "by": "coordinator", "reason": "Poland filled the line."});
    let c = parse_campaign(&serde_json::to_string(&v).unwrap(), FileFormat::Json).unwrap();
    assert_eq!(status(&c, "a1", after), AskStatus::Withdrawn);
    assert_eq!(
        c.to_document().asks[0]
            .withdrawn
            .as_ref()
            .map(|w| w.reason.as_str()),
        Some("Poland filled the line.")
    );

    let with_answer = |ask_id: &'static str| {
        move |v: &mut Value| {
            v["asks"] = json!([ask("a1", "FRA", 4), ask("a2", "DEU", 1)]);
            let fra = v["proposals"]
                .as_array()
                .unwrap()
                .iter()
                .position(|p| p["respondent"] == "FRA")
                .unwrap();
            let last = v["proposals"][fra]["revisions"].as_array().unwrap().len() - 1;
            v["proposals"][fra]["revisions"][last]["offers"][0]["answers_ask"] = json!(ask_id);
        }
    };
    assert_rule(
        with_answer("a2"),
        "proposals[FRA].revisions[2].offers[0].answers_ask",
        "was sent to DEU, not to FRA",
    );
    assert_rule(
        with_answer("zz"),
        "proposals[FRA].revisions[2].offers[0].answers_ask",
        "no ask \"zz\" was sent to FRA (its asks: a1)",
    );
    assert_rule(
        with_answer("a1"),
        "proposals[FRA].revisions[2].offers[0].answers_ask",
        "the ask \"a1\" is for battery; this line offers brigade",
    );
    assert_rule(
        |v| v["asks"] = json!([ask("a1", "USA", 1)]),
        "asks[a1].respondent",
        "not invited",
    );
    assert_rule(
        |v| v["asks"] = json!([ask("a1", "FRA", 0)]),
        "asks[a1].quantity",
        "greater than 0",
    );
    assert_rule(
        |v| {
            let mut a = ask("a1", "FRA", 1);
            a["reply_by"] = json!("2025-03-01T00:00:00Z");
            v["asks"] = json!([a]);
        },
        "asks[a1].reply_by",
        "is before the ask was sent",
    );
    assert_rule(
        |v| {
            let mut a = ask("a1", "FRA", 1);
            a["declined"] = json!({"at": "2025-03-09T10:00:00Z", "by": "FRA desk", "reason": " "});
            v["asks"] = json!([a]);
        },
        "asks[a1].declined.reason",
        "",
    );
    assert_rule(
        |v| v["asks"] = json!([ask("a1", "FRA", 1), ask("a1", "DEU", 1)]),
        "asks[a1]",
        "duplicate id",
    );
    assert_rule(
        |v| {
            let mut a = ask("a1", "FRA", 1);
            let when = json!({"at": "2025-03-09T10:00:00Z", "by": "someone", "reason": "why"});
            a["declined"] = when.clone();
            a["withdrawn"] = when;
            v["asks"] = json!([a]);
        },
        "asks[a1].withdrawn",
        "cannot be withdrawn as well",
    );
    assert_rule(
        |v| {
            let mut a = ask("a1", "FRA", 1);
            a["withdrawn"] =
                json!({"at": "2025-03-01T10:00:00Z", "by": "coordinator", "reason": "why"});
            v["asks"] = json!([a]);
        },
        "asks[a1].withdrawn.at",
        "is before the ask was sent",
    );
}

/// A plan's pledges follow one lifecycle: accepted → confirmed (at a readiness level) →
/// verified → delivered, in parts; or declined, released, withdrawn. Every transition is
/// accepted in order, every refused one is named, and coverage is counted at each level.
#[test]
fn pledges_move_through_their_lifecycle_and_refused_steps_are_named() {
    use guarantor_domain::{PledgeEventKind, PledgeState};
    let plan = |events: Value| {
        json!({
            "version": 1,
            "adopted_at": "2025-03-20T09:00:00Z",
            "adopted_by": "decision maker",
            "scenario": "backstop",
            "option": "option 1 (cheapest)",
            "pledges": [
                {"id": "p1", "respondent": "FRA", "offer": "F2", "capability": "battery", "units": 2,
                 "placements": [{"requirement": "R3", "units": 2}], "events": events},
                {"id": "p2", "respondent": "DEU", "offer": "D1", "capability": "battery", "units": 1,
                 "placements": [{"requirement": "R3", "units": 1}]}
            ]
        })
    };
    let levels = json!([
        {"level": 1, "name": "Pledged"},
        {"level": 2, "name": "Verified"},
        {"level": 3, "name": "Ready within 60 days", "days": 60},
        {"level": 4, "name": "Rapid deployment", "days": 30}
    ]);
    let ev = |at: &str, event: Value| json!({"at": at, "by": "someone", "event": event});
    let confirmed = ev(
        "2025-03-21T09:00:00Z",
        json!({"confirmed": {"readiness_level": 3, "ready_from": "2025-05-01"}}),
    );
    let verified = ev(
        "2025-03-25T09:00:00Z",
        json!({"verified": {"how": "assessment visit"}}),
    );
    let one = ev(
        "2025-05-02T09:00:00Z",
        json!({"delivered": {"units": 1, "on": "2025-05-02"}}),
    );
    let another = ev(
        "2025-05-09T09:00:00Z",
        json!({"delivered": {"units": 1, "on": "2025-05-09"}}),
    );

    let mut v = small();
    v["readiness_levels"] = levels.clone();
    v["plans"] = json!([plan(json!([confirmed, verified, one]))]);
    assert!(problems(&v).is_empty(), "{:?}", problems(&v));
    let c = parse_campaign(&serde_json::to_string(&v).unwrap(), FileFormat::Json).unwrap();
    let p = c.plan().unwrap();
    assert_eq!(p.pledges[0].state(), PledgeState::PartlyDelivered);
    assert_eq!(p.pledges[0].readiness().map(|r| r.0), Some(3));
    assert_eq!(p.pledges[1].state(), PledgeState::Accepted);
    let r3 = c
        .plan_coverage(p)
        .into_iter()
        .find(|l| l.requirement == "R3")
        .unwrap();
    assert_eq!(
        (
            r3.required,
            r3.accepted,
            r3.confirmed,
            r3.verified,
            r3.delivered
        ),
        (3, 3.0, 2.0, 2.0, 1.0)
    );
    // The same units in R3's rotation pool (batteries rotate 2:1): three units keep one
    // deployed accepted, France's two confirmed and verified keep one, its one delivered none.
    let mut pooled = v.clone();
    for p in pooled["plans"][0]["pledges"].as_array_mut().unwrap() {
        p["placements"][0]["pooled"] = json!(true);
    }
    let cp = parse_campaign(&serde_json::to_string(&pooled).unwrap(), FileFormat::Json).unwrap();
    let r3 = cp
        .plan_coverage(cp.plan().unwrap())
        .into_iter()
        .find(|l| l.requirement == "R3")
        .unwrap();
    assert_eq!(
        (r3.accepted, r3.confirmed, r3.verified, r3.delivered),
        (1.0, 1.0, 1.0, 0.0)
    );
    assert!(
        cp.to_document().plans[0].pledges[0].placements[0].pooled,
        "the round trip keeps a pooled placement"
    );
    // Parts of brigades assembled for R1 (a brigade = 1 battery, the lead's part, + 2 training
    // teams): the plan counts whole sets at each level.
    let mut assembled = v.clone();
    assembled["catalogue"][0]["composition"] = json!({"lead": "battery", "parts": [
        {"capability": "battery", "quantity": 1}, {"capability": "training.team", "quantity": 2}]});
    {
        let pledges = assembled["plans"][0]["pledges"].as_array_mut().unwrap();
        for p in pledges.iter_mut() {
            p["placements"][0]["requirement"] = json!("R1");
            p["placements"][0]["assembled"] = json!(true);
        }
        pledges.push(
            json!({"id": "p3", "respondent": "DEU", "offer": "D9", "capability": "training.team",
            "units": 4, "placements": [{"requirement": "R1", "units": 4, "assembled": true}]}),
        );
    }
    let ca = parse_campaign(
        &serde_json::to_string(&assembled).unwrap(),
        FileFormat::Json,
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let r1 = ca
        .plan_coverage(ca.plan().unwrap())
        .into_iter()
        .find(|l| l.requirement == "R1")
        .unwrap();
    // Accepted: 3 batteries and 4 teams make 2 brigades; confirmed: France's 2 batteries but no
    // team confirmed make none.
    assert_eq!(
        (r1.accepted, r1.confirmed, r1.verified, r1.delivered),
        (2.0, 0.0, 0.0, 0.0)
    );
    assert!(ca.to_document().plans[0].pledges[0].placements[0].assembled);
    // Assembled units belong on a composite line of which the pledge's capability is a part.
    let mut wrong = assembled.clone();
    wrong["plans"][0]["pledges"][0]["placements"][0]["requirement"] = json!("R3");
    let found = problems(&wrong);
    assert!(
        found
            .iter()
            .any(|p| p.path == "plans[1].pledges[p1].placements"
                && p.message
                    .contains("assembled on R3: its capability is not assembled from battery")),
        "{found:?}"
    );
    // A part placed on the line without the flag is refused, not counted as whole brigades.
    let mut unflagged = assembled.clone();
    unflagged["plans"][0]["pledges"][2]["placements"][0]["assembled"] = json!(false);
    assert!(
        problems(&unflagged)
            .iter()
            .any(|p| p.path == "plans[1].pledges[p3].placements"
                && p.message.contains("R1 requires brigade, not training.team")),
        "{:?}",
        problems(&unflagged)
    );
    let mut both = assembled.clone();
    both["plans"][0]["pledges"][0]["placements"][0]["pooled"] = json!(true);
    assert!(
        problems(&both)
            .iter()
            .any(|p| p.message.contains("either pooled or assembled, not both")),
        "{:?}",
        problems(&both)
    );
    assert_eq!(
        c.to_document().plans.len(),
        1,
        "the round trip keeps the plan"
    );
    assert_eq!(c.to_document().readiness_levels.len(), 4);
    // The second unit delivers the pledge whole.
    let mut whole = v.clone();
    whole["plans"] = json!([plan(json!([confirmed, verified, one, another]))]);
    let c2 = parse_campaign(&serde_json::to_string(&whole).unwrap(), FileFormat::Json).unwrap();
    assert_eq!(
        c2.plan().unwrap().pledges[0].state(),
        PledgeState::Delivered
    );
    // What changed since adoption: Germany's line D1 is its funding, not a battery; France's
    // F2 still offers the 2 batteries pledged.
    let drift = c2.plan_drift(c2.plan().unwrap());
    assert_eq!(drift.len(), 1, "{drift:?}");
    assert_eq!(
        (drift[0].pledge.as_str(), drift[0].what.as_str()),
        ("p2", "line D1 is now for Funding, not Air defence battery")
    );
    let mut changed = whole.clone();
    changed["plans"][0]["pledges"]
        .as_array_mut()
        .unwrap()
        .extend([
            json!({"id": "p3", "respondent": "POL", "offer": "P1", "capability": "training.team",
                   "units": 4, "placements": [{"requirement": "R5", "units": 4}]}),
            json!({"id": "p4", "respondent": "DEU", "offer": "D2", "capability": "battery",
                   "units": 3, "placements": [{"requirement": "R3", "units": 3}]}),
            json!({"id": "p5", "respondent": "DEU", "offer": "D9", "capability": "battery",
                   "units": 1, "placements": [{"requirement": "R3", "units": 1}]}),
        ]);
    let c3 = parse_campaign(&serde_json::to_string(&changed).unwrap(), FileFormat::Json)
        .unwrap_or_else(|e| panic!("{e}"));
    let drift: Vec<(String, String)> = c3
        .plan_drift(c3.plan().unwrap())
        .into_iter()
        .map(|d| (d.pledge, d.what))
        .collect();
    assert_eq!(
        drift,
        [
            (
                "p2".to_owned(),
                "line D1 is now for Funding, not Air defence battery".to_owned()
            ),
            (
                "p3".to_owned(),
                "the capital withdrew its proposal".to_owned()
            ),
            (
                "p4".to_owned(),
                "line D2 now offers 1, 3 pledged".to_owned()
            ),
            (
                "p5".to_owned(),
                "line D9 is no longer in its proposal (revision 1)".to_owned()
            ),
        ],
        "p1, delivered whole, is past changing"
    );
    // Over time: one point per day something was recorded, each as it stood that evening.
    let timeline = c2.plan_timeline(c2.plan().unwrap());
    let r3_over_time: Vec<(String, f64, f64, f64, f64)> = timeline
        .iter()
        .map(|t| {
            let l = t.lines.iter().find(|l| l.requirement == "R3").unwrap();
            (
                t.day.to_string(),
                l.accepted,
                l.confirmed,
                l.verified,
                l.delivered,
            )
        })
        .collect();
    assert_eq!(
        r3_over_time,
        [
            ("2025-03-20".to_owned(), 3.0, 0.0, 0.0, 0.0),
            ("2025-03-21".to_owned(), 3.0, 2.0, 0.0, 0.0),
            ("2025-03-25".to_owned(), 3.0, 2.0, 2.0, 0.0),
            ("2025-05-02".to_owned(), 3.0, 2.0, 2.0, 1.0),
            ("2025-05-09".to_owned(), 3.0, 2.0, 2.0, 2.0),
        ]
    );
    // The four essential lines weigh the same: only R3 (3 required) has pledges, so the
    // essential lines are a quarter covered on accepted pledges and 2/3 of a quarter delivered.
    let last = &timeline.last().unwrap().essential;
    assert_eq!(
        (last.lines, last.lines_accepted, last.lines_delivered),
        (4, 1, 0)
    );
    assert!((last.accepted - 0.25).abs() < 1e-12, "{last:?}");
    assert!((last.delivered - 2.0 / 12.0).abs() < 1e-12, "{last:?}");
    // By phase: R3 is P1's only essential line.
    let p1 = c2
        .plan_coverage_by_phase(c2.plan().unwrap())
        .into_iter()
        .find(|p| p.phase == "P1")
        .unwrap();
    assert_eq!((p1.essential.lines, p1.all.lines), (1, 3));
    assert!((p1.essential.accepted - 1.0).abs() < 1e-12);
    assert!((p1.essential.delivered - 2.0 / 3.0).abs() < 1e-12);
    // By capital: France's pledge delivered whole, Germany's not confirmed.
    let capitals: Vec<(String, usize, usize, u32, u32)> = c2
        .plan_pledges_by_capital(c2.plan().unwrap())
        .into_iter()
        .map(|c| {
            (
                c.respondent,
                c.standing,
                c.confirmed,
                c.units,
                c.units_delivered,
            )
        })
        .collect();
    assert_eq!(
        capitals,
        [
            ("FRA".to_owned(), 1, 1, 2, 2),
            ("DEU".to_owned(), 1, 0, 1, 0)
        ]
    );

    // The rule itself: each step from each state.
    let pledge = |events: &[PledgeEventKind]| guarantor_domain::Pledge {
        id: "p".into(),
        respondent: guarantor_domain::ids::CountryCode::parse("FRA").unwrap(),
        offer: guarantor_domain::ids::OfferId::parse("F2").unwrap(),
        capability: guarantor_domain::ids::CapabilityId::parse("battery").unwrap(),
        units: 2,
        placements: Vec::new(),
        events: events
            .iter()
            .map(|k| guarantor_domain::PledgeEvent {
                at: chrono::Utc::now(),
                by: "x".into(),
                kind: k.clone(),
            })
            .collect(),
    };
    let date = chrono::NaiveDate::from_ymd_opt(2025, 5, 1).unwrap();
    let confirm = PledgeEventKind::Confirmed {
        readiness_level: 3,
        ready_from: date,
    };
    let verify = PledgeEventKind::Verified {
        how: "visit".into(),
        notes: String::new(),
    };
    let deliver = |units| PledgeEventKind::Delivered { units, on: date };
    let release = PledgeEventKind::Released {
        reason: "no longer needed".into(),
    };
    let levels = [1, 2, 3, 4];
    let refused = |before: &[PledgeEventKind], next: &PledgeEventKind, says: &str| {
        let err = pledge(before).check(next, &levels).expect_err("refused");
        assert!(err.contains(says), "{next:?} after {before:?}: {err}");
    };
    assert!(pledge(&[]).check(&confirm, &levels).is_ok());
    refused(std::slice::from_ref(&confirm), &confirm, "confirmed before");
    refused(
        &[],
        &PledgeEventKind::Confirmed {
            readiness_level: 7,
            ready_from: date,
        },
        "not one of the campaign's (1, 2, 3, 4)",
    );
    refused(&[], &verify, "has not confirmed");
    refused(
        std::slice::from_ref(&confirm),
        &deliver(1),
        "delivered once verified",
    );
    assert!(
        pledge(&[confirm.clone(), verify.clone()])
            .check(&deliver(2), &levels)
            .is_ok()
    );
    refused(
        &[confirm.clone(), verify.clone()],
        &deliver(3),
        "deliver at most 2",
    );
    refused(
        &[confirm.clone(), verify.clone(), deliver(1)],
        &deliver(2),
        "deliver at most 1",
    );
    refused(
        &[confirm.clone(), verify.clone(), deliver(2)],
        &deliver(1),
        "every unit was delivered",
    );
    refused(
        std::slice::from_ref(&confirm),
        &PledgeEventKind::Declined {
            reason: "no".into(),
        },
        "withdrawn, not declined",
    );
    refused(
        &[],
        &PledgeEventKind::Declined { reason: " ".into() },
        "say why",
    );
    refused(std::slice::from_ref(&release), &confirm, "released already");
    assert_eq!(
        pledge(&[
            confirm.clone(),
            PledgeEventKind::Withdrawn {
                reason: "needed at home".into()
            }
        ])
        .state(),
        PledgeState::Withdrawn
    );

    // A file whose history could not have happened is refused at the event.
    assert_rule(
        |v| {
            v["readiness_levels"] = levels_json();
            v["plans"] = json!([plan(json!([verified_json()]))]);
        },
        "plans[1].pledges[p1].events[0].event",
        "cannot be verified: the capital has not confirmed the pledge yet",
    );
    assert_rule(
        |v| {
            let mut p = plan(json!([]));
            p["version"] = json!(2);
            v["plans"] = json!([p]);
        },
        "plans[2].version",
        "should be 1",
    );
    assert_rule(
        |v| {
            let mut p = plan(json!([]));
            p["pledges"][0]["placements"][0]["requirement"] = json!("R9");
            v["plans"] = json!([p]);
        },
        "plans[1].pledges[p1].placements",
        "unknown requirement",
    );
}

fn levels_json() -> Value {
    json!([{"level": 1, "name": "Pledged"}, {"level": 3, "name": "Ready within 60 days", "days": 60}])
}

fn verified_json() -> Value {
    json!({"at": "2025-03-25T09:00:00Z", "by": "coordinator", "event": {"verified": {"how": "assessment visit"}}})
}
