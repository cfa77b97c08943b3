//! Synthetic campaigns of a chosen size, for benchmarks and property tests.
//!
//! The shape follows the demo: three phases (the last enduring), land, air, sea and out-of-country
//! sectors (one along the contact line), troops, hardware and enablers with nominal personnel and
//! rotation, offers with caveats and every kind of condition, and two scenarios (a backstop, and
//! no backstop with NATO troops excluded and a troop ceiling). Figures are random, seeded, and
//! have no meaning beyond exercising the engine.

use std::collections::BTreeMap;

use chrono::{TimeZone, Utc};
use guarantor_domain::document::{
    CampaignDocument, CampaignInfoDoc, CapabilityDoc, CategoryDoc, ConditionDoc, ExclusionDoc,
    FactDoc, FactsDoc, MoneyDoc, OfferDoc, PhaseDoc, PriorityDoc, ProposalDoc, QuestionnaireDoc,
    RequirementDoc, RespondentDoc, RevisionDoc, ScenarioDoc, SectionDoc, SectorDoc, SectorKindDoc,
};
use guarantor_domain::{Campaign, FORMAT_VERSION, validate};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

/// How big a campaign to generate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Size {
    /// Respondents, all invited and all answering.
    pub respondents: usize,
    /// Offer lines per respondent.
    pub offers_per_respondent: usize,
    /// Requirement lines.
    pub requirements: usize,
}

/// Country codes to draw respondents from (all assigned ISO 3166-1 alpha-3 codes).
const CODES: &[&str] = &[
    "AUT", "BEL", "BGR", "HRV", "CYP", "CZE", "DNK", "EST", "FIN", "FRA", "DEU", "GRC", "HUN",
    "IRL", "ITA", "LVA", "LTU", "LUX", "MLT", "NLD", "POL", "PRT", "ROU", "SVK", "SVN", "ESP",
    "SWE", "GBR", "NOR", "ISL", "CHE", "TUR", "CAN", "USA", "AUS", "NZL", "JPN", "KOR", "BRA",
    "ARG", "CHL", "MEX", "ZAF", "EGY", "MAR", "TUN", "KEN", "NGA", "GHA", "SEN", "IND", "PAK",
    "BGD", "IDN", "MYS", "SGP", "THA", "VNM", "PHL", "SAU", "ARE", "QAT", "KWT", "OMN", "JOR",
    "ISR", "GEO", "ARM", "AZE", "KAZ", "UZB", "MNG", "ALB", "MKD", "MNE", "SRB", "BIH", "MDA",
    "UKR", "BLR", "URY", "PRY", "PER", "COL", "ECU", "VEN", "BOL", "CRI", "PAN", "GTM", "HND",
    "SLV", "NIC", "DOM", "CUB", "JAM", "TTO", "BHS", "BRB", "LKA", "NPL",
];

/// (id, category, personnel per unit, rotation ratio, cost per unit-year in EUR m).
const CAPABILITIES: &[(&str, CategoryDoc, i64, f64, f64)] = &[
    ("brigade", CategoryDoc::Troops, 4000, 3.0, 1100.0),
    ("battalion", CategoryDoc::Troops, 800, 3.0, 220.0),
    ("air_defence", CategoryDoc::Hardware, 90, 2.0, 140.0),
    ("fighter", CategoryDoc::Hardware, 200, 2.0, 300.0),
    ("demining", CategoryDoc::Enablers, 120, 3.0, 22.0),
    ("mcm", CategoryDoc::Enablers, 45, 3.0, 18.0),
    ("training", CategoryDoc::Enablers, 50, 2.0, 6.0),
    ("funding", CategoryDoc::Funding, 0, 1.0, 0.0),
];

const SECTORS: &[(&str, SectorKindDoc, bool)] = &[
    ("capital", SectorKindDoc::Land, false),
    ("west", SectorKindDoc::Land, false),
    ("south", SectorKindDoc::Land, false),
    ("east", SectorKindDoc::Land, true),
    ("air", SectorKindDoc::Air, false),
    ("sea", SectorKindDoc::Sea, false),
    ("hub", SectorKindDoc::OutOfCountry, false),
];

fn sectors_for(category: CategoryDoc, capability: &str) -> &'static [&'static str] {
    match (category, capability) {
        (_, "fighter" | "air_defence") => &["air"],
        (_, "mcm") => &["sea"],
        (_, "training") => &["hub"],
        (CategoryDoc::Funding, _) => &["hub"],
        _ => &["capital", "west", "south", "east"],
    }
}

/// Generates a valid campaign of the given size from a seed.
pub fn campaign(size: Size, seed: u64) -> Campaign {
    let doc = document(size, seed);
    match validate(&doc) {
        Ok(c) => c,
        Err(problems) => panic!("the generator made an invalid campaign: {problems:?}"),
    }
}

/// Generates the document of a campaign of the given size from a seed.
pub fn document(size: Size, seed: u64) -> CampaignDocument {
    let mut rng = StdRng::seed_from_u64(seed);
    let at = Utc
        .with_ymd_and_hms(2025, 3, 1, 12, 0, 0)
        .single()
        .unwrap_or_default();
    let phases = ["P0", "P1", "P2"];
    // The list first (so smaller campaigns stay as they were), then every other assigned
    // ISO 3166-1 alpha-3 code: 249 respondents at most, as there are no more countries.
    let codes: Vec<String> = CODES
        .iter()
        .map(|c| (*c).to_owned())
        .chain(
            isocountry::CountryCode::iter()
                .map(|c| c.alpha3().to_owned())
                .filter(|c| !CODES.contains(&c.as_str())),
        )
        .take(size.respondents)
        .collect();
    assert!(
        codes.len() == size.respondents,
        "the generator knows {} country codes, {} respondents were asked for",
        codes.len(),
        size.respondents
    );
    let respondents: Vec<RespondentDoc> = codes
        .iter()
        .enumerate()
        .map(|(i, code)| RespondentDoc {
            code: code.clone(),
            name: format!("Respondent {code}"),
            invited: true,
            memberships: if i % 3 == 0 {
                vec!["EU".into()]
            } else {
                vec!["NATO".into(), "EU".into()]
            },
            facts: FactsDoc {
                gdp_usd_bn: Some(f64::from(rng.random_range(20..4000_u32))),
                active_personnel_thousands: Some(f64::from(rng.random_range(5..200_u32))),
                ..FactsDoc::default()
            },
            sources: "generated".into(),
        })
        .collect();

    let mut seen = std::collections::BTreeSet::new();
    let mut requirements = Vec::new();
    let mut tries = 0;
    while requirements.len() < size.requirements && tries < size.requirements * 20 {
        tries += 1;
        let (cap, category, _, _, _) = CAPABILITIES[rng.random_range(0..CAPABILITIES.len())];
        let sectors = sectors_for(category, cap);
        let sector = sectors[rng.random_range(0..sectors.len())];
        let phase = phases[rng.random_range(0..phases.len())];
        if !seen.insert((cap, sector, phase)) {
            continue;
        }
        let quantity = match category {
            CategoryDoc::Funding => rng.random_range(200..3000),
            CategoryDoc::Troops => rng.random_range(1..4),
            _ => rng.random_range(1..10),
        };
        requirements.push(RequirementDoc {
            id: format!("R{:04}", requirements.len() + 1),
            capability: cap.into(),
            quantity,
            phase: phase.into(),
            sector: sector.into(),
            priority: if rng.random_bool(0.7) {
                PriorityDoc::Essential
            } else {
                PriorityDoc::Desirable
            },
            note: String::new(),
        });
    }

    let facts = ["us_backstop", "un_mandate"];
    let proposals = codes
        .iter()
        .enumerate()
        .map(|(i, code)| {
            let offers = (0..size.offers_per_respondent)
                .map(|j| {
                    let (cap, category, _, _, cost) =
                        CAPABILITIES[rng.random_range(0..CAPABILITIES.len())];
                    let sectors = sectors_for(category, cap);
                    let first = rng.random_range(0..3);
                    let mut conditions = Vec::new();
                    let roll: f64 = rng.random();
                    if roll < 0.15 {
                        conditions
                            .push(ConditionDoc::Scenario(facts[rng.random_range(0..2)].into()));
                    } else if roll < 0.22 && i > 0 {
                        // Only on earlier respondents, so no cycle can arise.
                        conditions.push(ConditionDoc::IfCommits(
                            codes[rng.random_range(0..i)].clone(),
                        ));
                    } else if roll < 0.27 && codes.len() > 2 {
                        conditions.push(ConditionDoc::MinPartners(
                            rng.random_range(1..codes.len().min(4)) as i64,
                        ));
                    }
                    let quantity = match category {
                        CategoryDoc::Funding => rng.random_range(20..800),
                        CategoryDoc::Troops => rng.random_range(1..4),
                        _ => rng.random_range(1..8),
                    };
                    OfferDoc {
                        answers_ask: None,
                        id: format!("{code}-{}", j + 1),
                        capability: cap.into(),
                        quantity,
                        earliest_phase: phases[first].into(),
                        last_phase: None,
                        rotation_backed: rng.random_bool(0.3),
                        sectors: rng.random_bool(0.5).then(|| {
                            let pick = rng.random_range(0..sectors.len());
                            vec![sectors[pick].to_owned()]
                        }),
                        caveats: if rng.random_bool(0.2) {
                            vec![guarantor_domain::document::CaveatDoc::NoContactLine]
                        } else {
                            Vec::new()
                        },
                        cost_per_unit_year: (category != CategoryDoc::Funding).then(|| MoneyDoc {
                            amount_m: (cost * rng.random_range(0.7..1.3) * 1000.0).round() / 1000.0,
                            currency: "EUR".into(),
                        }),
                        paid_by: "contributor".into(),
                        conditions,
                        note: String::new(),
                    }
                })
                .collect();
            ProposalDoc {
                respondent: code.clone(),
                draft: None,
                revisions: vec![RevisionDoc {
                    number: 1,
                    submitted_at: at,
                    submitted_by: "generated".into(),
                    questionnaire_version: 1,
                    offers,
                    answers: Vec::new(),
                    note: String::new(),
                }],
                withdrawn: None,
            }
        })
        .collect();

    CampaignDocument {
        asks: Vec::new(),
        readiness_levels: Vec::new(),
        plans: Vec::new(),
        format_version: FORMAT_VERSION,
        campaign: CampaignInfoDoc {
            id: format!("generated-{seed}"),
            title: format!(
                "Generated campaign {}×{}×{} (seed {seed})",
                size.respondents, size.offers_per_respondent, size.requirements
            ),
            issuer: "Generator".into(),
            purpose: "Benchmarks and property tests.".into(),
            deadline: at,
            currency: "EUR".into(),
            exchange_rates: BTreeMap::new(),
            illustrative: true,
            note: "Synthetic figures.".into(),
            contact: String::new(),
        },
        phases: phases
            .iter()
            .enumerate()
            .map(|(i, p)| PhaseDoc {
                id: (*p).into(),
                name: (*p).into(),
                description: String::new(),
                enduring: i == 2,
            })
            .collect(),
        sectors: SECTORS
            .iter()
            .map(|(id, kind, contact)| SectorDoc {
                id: (*id).into(),
                name: (*id).into(),
                kind: *kind,
                contact_line: *contact,
                description: String::new(),
            })
            .collect(),
        catalogue: CAPABILITIES
            .iter()
            .map(|(id, category, personnel, ratio, _)| CapabilityDoc {
                id: (*id).into(),
                name: (*id).into(),
                category: *category,
                unit: "unit".into(),
                personnel_per_unit: *personnel,
                rotation_ratio: *ratio,
                description: String::new(),
                composition: None,
            })
            .collect(),
        respondents,
        requirements,
        postures: Vec::new(),
        questionnaire: QuestionnaireDoc {
            version: 1,
            sections: vec![SectionDoc {
                id: "offers".into(),
                title: "Offers".into(),
                description: String::new(),
                offer_categories: vec![
                    CategoryDoc::Troops,
                    CategoryDoc::Hardware,
                    CategoryDoc::Enablers,
                    CategoryDoc::Funding,
                ],
                questions: Vec::new(),
                lines_required: false,
            }],
        },
        facts: facts
            .iter()
            .map(|f| FactDoc {
                id: (*f).into(),
                description: (*f).into(),
            })
            .collect(),
        scenarios: vec![
            ScenarioDoc {
                id: "backstop".into(),
                name: "Backstop".into(),
                description: String::new(),
                facts: [("us_backstop".into(), true), ("un_mandate".into(), false)].into(),
                excluded_contributors: Vec::new(),
                troop_ceiling: None,
                excluded_sectors: Vec::new(),
            },
            ScenarioDoc {
                id: "no-backstop".into(),
                name: "No backstop, no NATO troops".into(),
                description: String::new(),
                facts: [("us_backstop".into(), false), ("un_mandate".into(), true)].into(),
                excluded_contributors: vec![ExclusionDoc {
                    member_of: Some("NATO".into()),
                    respondents: Vec::new(),
                    categories: vec![CategoryDoc::Troops],
                    note: String::new(),
                }],
                troop_ceiling: Some(20_000),
                excluded_sectors: Vec::new(),
            },
        ],
        proposals,
        what_ifs: Vec::new(),
    }
}
