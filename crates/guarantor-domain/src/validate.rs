//! Validation: a [`CampaignDocument`] becomes a [`Campaign`], or every problem is reported at once.
//!
//! Paths name elements by id where they have one (`requirements[R03].phase`), revisions by number
//! (`proposals[FRA].revisions[2]`) and offer lines by their 0-based index in the list
//! (`offers[3]`), so a path can be followed in the file by eye or with `jq`.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt;

use crate::asks::{Decline, FollowUpAsk};
use crate::document::PledgeEventKindDoc;
use crate::document::{
    AnswerDoc, CampaignDocument, CaveatDoc, ConditionDoc, FORMAT_VERSION, FactsDoc, OfferDoc,
    ProposalDoc, RequirementDoc,
};
use crate::ids::{
    CampaignId, CapabilityId, CountryCode, CurrencyCode, FactId, Membership, OfferId, PhaseId,
    QuestionId, RequirementId, ScenarioId, SectionId, SectorId,
};
use crate::model::{
    Answer, Campaign, CampaignInfo, Capability, Caveat, Composition, Condition, Draft, Exclusion,
    Fact, MAX_PARTS_PER_UNIT, Offer, Part, Payer, Phase, Posture, Proposal, Question,
    Questionnaire, ReferenceFacts, Requirement, Respondent, Revision, Scenario, Section, Sector,
    Withdrawal,
};
use crate::plans::{Plan, Pledge, PledgeEvent, PledgeEventKind, ReadinessLevel};
use crate::quantity::{
    Figure, MAX_EXCHANGE_RATE, MAX_PERSONNEL_PER_UNIT, MAX_TROOP_CEILING, Money, Quantity,
    RotationRatio,
};
use crate::what_if::{HypotheticalOffer, RemovedOffer, SavedWhatIf, WhatIf};

/// One thing wrong with a campaign file: where, and what.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Problem {
    /// Where in the file, e.g. `proposals[FRA].revisions[1].offers[3].quantity`.
    pub path: String,
    /// What is wrong, in words a file author can act on.
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path, self.message)
    }
}

/// Collects problems while the document is converted.
#[derive(Default)]
struct Checker {
    problems: Vec<Problem>,
}

impl Checker {
    fn report(&mut self, path: impl Into<String>, message: impl Into<String>) {
        self.problems.push(Problem {
            path: path.into(),
            message: message.into(),
        });
    }

    /// Records the error of a parse and gives back the value if there was one.
    fn take<T>(&mut self, path: impl FnOnce() -> String, result: Result<T, String>) -> Option<T> {
        match result {
            Ok(v) => Some(v),
            Err(e) => {
                self.report(path(), e);
                None
            }
        }
    }

    fn non_empty(&mut self, path: impl FnOnce() -> String, text: &str) {
        if text.trim().is_empty() {
            self.report(path(), "must not be empty");
        }
    }

    /// Reports ids used twice in one list, at `list[id]`.
    fn unique<'a>(&mut self, list: &str, ids: impl Iterator<Item = &'a str>) {
        self.unique_at(list, ids, |id, _| format!("{list}[{id}]"));
    }

    /// Reports ids used twice in one list, at the path `at(id, index)` of the second use.
    fn unique_at<'a>(
        &mut self,
        list: &str,
        ids: impl Iterator<Item = &'a str>,
        at: impl Fn(&str, usize) -> String,
    ) {
        let mut seen: HashMap<&str, usize> = HashMap::new();
        for (i, id) in ids.enumerate() {
            if let Some(first) = seen.get(id) {
                self.report(
                    at(id, i),
                    format!("duplicate id: entries {first} and {i} of {list} are both \"{id}\""),
                );
            } else {
                seen.insert(id, i);
            }
        }
    }
}

/// What validation can look up while it checks references.
#[derive(Debug)]
struct Known {
    phases: BTreeSet<String>,
    sectors: BTreeSet<String>,
    capabilities: BTreeMap<String, crate::model::Category>,
    respondents: BTreeMap<String, bool>,
    memberships: BTreeSet<String>,
    questions: BTreeSet<String>,
    facts: BTreeSet<String>,
    currencies: BTreeSet<String>,
    phase_order: HashMap<String, usize>,
    invited_count: usize,
    /// Follow-up asks: id → (respondent, capability).
    asks: BTreeMap<String, (String, String)>,
    requirements: BTreeSet<String>,
    scenarios: BTreeSet<String>,
}

impl Known {
    fn of(doc: &CampaignDocument) -> Self {
        let mut currencies: BTreeSet<String> =
            doc.campaign.exchange_rates.keys().cloned().collect();
        currencies.insert(doc.campaign.currency.clone());
        Self {
            phases: doc.phases.iter().map(|p| p.id.clone()).collect(),
            sectors: doc.sectors.iter().map(|s| s.id.clone()).collect(),
            capabilities: doc
                .catalogue
                .iter()
                .map(|c| (c.id.clone(), c.category))
                .collect(),
            respondents: doc
                .respondents
                .iter()
                .map(|r| (r.code.clone(), r.invited))
                .collect(),
            memberships: doc
                .respondents
                .iter()
                .flat_map(|r| r.memberships.iter().cloned())
                .collect(),
            questions: doc
                .questionnaire
                .sections
                .iter()
                .flat_map(|s| s.questions.iter().map(|q| q.id.clone()))
                .collect(),
            facts: doc.facts.iter().map(|f| f.id.clone()).collect(),
            currencies,
            phase_order: doc
                .phases
                .iter()
                .enumerate()
                .map(|(i, p)| (p.id.clone(), i))
                .collect(),
            invited_count: doc.respondents.iter().filter(|r| r.invited).count(),
            asks: doc
                .asks
                .iter()
                .map(|a| (a.id.clone(), (a.respondent.clone(), a.capability.clone())))
                .collect(),
            requirements: doc.requirements.iter().map(|r| r.id.clone()).collect(),
            scenarios: doc.scenarios.iter().map(|s| s.id.clone()).collect(),
        }
    }
}

/// Names the known values in an "unknown reference" message, briefly.
fn listing<'a>(items: impl Iterator<Item = &'a String>) -> String {
    let all: Vec<&str> = items.map(String::as_str).collect();
    if all.is_empty() {
        return "none are defined".into();
    }
    let shown: Vec<&str> = all.iter().take(12).copied().collect();
    let more = if all.len() > shown.len() {
        format!(", … ({} in all)", all.len())
    } else {
        String::new()
    };
    format!("known: {}{more}", shown.join(", "))
}

/// Converts and checks a whole document; on failure returns every problem found.
pub fn validate(doc: &CampaignDocument) -> Result<Campaign, Vec<Problem>> {
    let mut c = Checker::default();
    if doc.format_version == 0 || doc.format_version > FORMAT_VERSION {
        c.report(
            "format_version",
            format!(
                "this build reads format versions 1 to {FORMAT_VERSION}, the file says {}",
                doc.format_version
            ),
        );
    }
    let known = Known::of(doc);
    let info = campaign_info(&mut c, doc);
    let phases = phases(&mut c, doc);
    let sectors = sectors(&mut c, doc);
    let catalogue = catalogue(&mut c, doc);
    let respondents = respondents(&mut c, doc);
    let requirements = requirements(&mut c, "requirements", &doc.requirements, &known);
    let postures = postures(&mut c, doc, &known);
    let questionnaire = questionnaire(&mut c, doc);
    let facts = facts(&mut c, doc);
    let scenarios = scenarios(&mut c, doc, &known);
    let proposals = proposals(&mut c, doc, &known);
    let what_ifs = what_ifs(&mut c, doc, &known);
    let asks = asks(&mut c, doc, &known);
    let readiness_levels = readiness_levels(&mut c, doc);
    let plans = plans(&mut c, doc, &known);
    linked_condition_cycles(&mut c, doc);

    if !c.problems.is_empty() {
        return Err(c.problems);
    }
    // Every `None` above was reported, so with no problems each part is present.
    match (
        info,
        phases,
        sectors,
        catalogue,
        respondents,
        requirements,
        questionnaire,
        facts,
        scenarios,
        proposals,
        postures,
        what_ifs,
        asks,
        readiness_levels,
        plans,
    ) {
        (
            Some(info),
            Some(phases),
            Some(sectors),
            Some(catalogue),
            Some(respondents),
            Some(requirements),
            Some(questionnaire),
            Some(facts),
            Some(scenarios),
            Some(proposals),
            Some(postures),
            Some(what_ifs),
            Some(asks),
            Some(readiness_levels),
            Some(plans),
        ) => Ok(Campaign {
            info,
            phases,
            sectors,
            catalogue,
            respondents,
            requirements,
            postures,
            questionnaire,
            facts,
            scenarios,
            proposals,
            what_ifs,
            asks,
            readiness_levels,
            plans,
        }),
        _ => Err(vec![Problem {
            path: String::new(),
            message: "internal error: a part failed validation without a reported problem".into(),
        }]),
    }
}

/// What a change to one proposal is checked against: the setup's identifiers, gathered once per
/// setup and kept while the setup does not change.
#[derive(Debug)]
pub struct SetupIndex {
    known: Known,
    questionnaire_version: i64,
}

impl SetupIndex {
    /// The index of a (valid) setup; its proposals, if any, are ignored.
    pub fn of(setup: &CampaignDocument) -> Self {
        Self {
            known: Known::of(setup),
            questionnaire_version: setup.questionnaire.version,
        }
    }
}

/// Checks a change to one proposal of a valid campaign: the proposal itself against the setup
/// (at `position` in the campaign's list of proposals, for the paths), and the linked-condition
/// cycles of the current proposals, `others` being every other respondent's
/// [`commit_conditions`]. Nothing else in a valid campaign can be affected by a change to one
/// proposal, so this finds exactly the problems [`validate`] finds in the changed campaign
/// (tested against it on generated changes).
pub fn validate_proposal_change(
    setup: &SetupIndex,
    position: usize,
    changed: &ProposalDoc,
    others: &CommitConditions,
) -> Result<(), Vec<Problem>> {
    let mut c = Checker::default();
    proposal(
        &mut c,
        position,
        changed,
        setup.questionnaire_version,
        &setup.known,
    );
    let mut commits = others.clone();
    commits.remove(&changed.respondent);
    if let Some(own) = commit_conditions(changed) {
        commits.insert(changed.respondent.clone(), own);
    }
    cycles(&mut c, &commits);
    if c.problems.is_empty() {
        Ok(())
    } else {
        Err(c.problems)
    }
}

/// What a draft of `respondent` lacks to be submitted under `setup`'s questionnaire: required
/// questions left unanswered and sections that require offer lines without any. Drafts are
/// never held to this; only the step from draft to revision is (so a question made required
/// later does not invalidate what was submitted before).
pub fn missing_for_submission(
    setup: &CampaignDocument,
    respondent: &str,
    offers: &[crate::document::OfferDoc],
    answers: &[crate::document::AnswerDoc],
) -> Vec<Problem> {
    let mut out = Vec::new();
    let base = format!("proposals[{respondent}].draft");
    for section in &setup.questionnaire.sections {
        for q in section.questions.iter().filter(|q| q.required) {
            let answered = answers
                .iter()
                .any(|a| a.question == q.id && !a.text.trim().is_empty());
            if !answered {
                out.push(Problem {
                    path: format!("{base}.answers[{}]", q.id),
                    message: "this question must be answered before the proposal is submitted"
                        .into(),
                });
            }
        }
        if section.lines_required {
            let in_section = offers.iter().any(|o| {
                setup
                    .catalogue
                    .iter()
                    .find(|c| c.id == o.capability)
                    .is_some_and(|c| section.offer_categories.contains(&c.category))
            });
            if !in_section {
                out.push(Problem {
                    path: format!("{base}.sections[{}]", section.id),
                    message: format!(
                        "\"{}\" needs at least one offer line before the proposal is submitted",
                        section.title
                    ),
                });
            }
        }
    }
    out
}

/// Collects `Option`s from a list; `None` if any element failed.
fn all<T>(items: impl Iterator<Item = Option<T>>) -> Option<Vec<T>> {
    let mut out = Vec::new();
    let mut ok = true;
    for item in items {
        match item {
            Some(v) => out.push(v),
            None => ok = false,
        }
    }
    ok.then_some(out)
}

fn campaign_info(c: &mut Checker, doc: &CampaignDocument) -> Option<CampaignInfo> {
    let d = &doc.campaign;
    let id = c.take(|| "campaign.id".into(), CampaignId::parse(&d.id));
    c.non_empty(|| "campaign.title".into(), &d.title);
    c.non_empty(|| "campaign.issuer".into(), &d.issuer);
    let currency = c.take(
        || "campaign.currency".into(),
        CurrencyCode::parse(&d.currency),
    );
    let mut rates = BTreeMap::new();
    let mut rates_ok = true;
    for (code, rate) in &d.exchange_rates {
        let path = || format!("campaign.exchange_rates.{code}");
        let parsed = c.take(path, CurrencyCode::parse(code));
        if !(rate.is_finite() && *rate > 0.0) {
            c.report(path(), format!("must be a positive number (got {rate})"));
            rates_ok = false;
        } else if !(1.0 / MAX_EXCHANGE_RATE..=MAX_EXCHANGE_RATE).contains(rate) {
            c.report(
                path(),
                format!("must be between 0.000001 and 1,000,000 units of the reporting currency per unit (got {rate})"),
            );
            rates_ok = false;
        }
        if let Some(cur) = parsed {
            if Some(cur) == currency {
                c.report(path(), "is the reporting currency itself; remove this rate");
                rates_ok = false;
            }
            rates.insert(cur, *rate);
        } else {
            rates_ok = false;
        }
    }
    Some(CampaignInfo {
        id: id?,
        title: d.title.clone(),
        issuer: d.issuer.clone(),
        purpose: d.purpose.clone(),
        deadline: d.deadline,
        currency: currency?,
        exchange_rates: rates_ok.then_some(rates)?,
        illustrative: d.illustrative,
        note: d.note.clone(),
        contact: d.contact.clone(),
    })
}

fn phases(c: &mut Checker, doc: &CampaignDocument) -> Option<Vec<Phase>> {
    if doc.phases.is_empty() {
        c.report("phases", "must define at least one phase");
    }
    c.unique("phases", doc.phases.iter().map(|p| p.id.as_str()));
    all(doc.phases.iter().enumerate().map(|(i, p)| {
        let id = c.take(|| format!("phases[{i}].id"), PhaseId::parse(&p.id));
        c.non_empty(|| format!("phases[{}].name", p.id), &p.name);
        Some(Phase {
            id: id?,
            name: p.name.clone(),
            description: p.description.clone(),
            enduring: p.enduring,
        })
    }))
}

fn sectors(c: &mut Checker, doc: &CampaignDocument) -> Option<Vec<Sector>> {
    if doc.sectors.is_empty() {
        c.report("sectors", "must define at least one sector");
    }
    c.unique("sectors", doc.sectors.iter().map(|s| s.id.as_str()));
    all(doc.sectors.iter().enumerate().map(|(i, s)| {
        let id = c.take(|| format!("sectors[{i}].id"), SectorId::parse(&s.id));
        c.non_empty(|| format!("sectors[{}].name", s.id), &s.name);
        Some(Sector {
            id: id?,
            name: s.name.clone(),
            kind: s.kind,
            contact_line: s.contact_line,
            description: s.description.clone(),
        })
    }))
}

fn catalogue(c: &mut Checker, doc: &CampaignDocument) -> Option<Vec<Capability>> {
    if doc.catalogue.is_empty() {
        c.report("catalogue", "must define at least one capability");
    }
    c.unique("catalogue", doc.catalogue.iter().map(|x| x.id.as_str()));
    all(doc.catalogue.iter().enumerate().map(|(i, cap)| {
        let id = c.take(
            || format!("catalogue[{i}].id"),
            CapabilityId::parse(&cap.id),
        );
        let at = |field: &str| format!("catalogue[{}].{field}", cap.id);
        c.non_empty(|| at("name"), &cap.name);
        c.non_empty(|| at("unit"), &cap.unit);
        let personnel = c.take(
            || at("personnel_per_unit"),
            u32::try_from(cap.personnel_per_unit)
                .ok()
                .filter(|&n| n <= MAX_PERSONNEL_PER_UNIT)
                .ok_or_else(|| {
                    format!(
                        "must be a whole number from 0 to 100,000 (got {})",
                        cap.personnel_per_unit
                    )
                }),
        );
        let ratio = c.take(
            || at("rotation_ratio"),
            RotationRatio::parse(cap.rotation_ratio),
        );
        // Funding is counted in millions of the campaign currency per year: no crews, no rotation.
        if cap.category == crate::model::Category::Funding {
            if cap.personnel_per_unit != 0 {
                c.report(
                    at("personnel_per_unit"),
                    "must be 0 for a funding capability",
                );
            }
            if cap.rotation_ratio != 1.0 {
                c.report(at("rotation_ratio"), "must be 1 for a funding capability");
            }
        }
        let composition = match &cap.composition {
            None => Some(None),
            Some(k) => composition(c, doc, cap, k).map(Some),
        };
        Some(Capability {
            id: id?,
            name: cap.name.clone(),
            category: cap.category,
            unit: cap.unit.clone(),
            personnel_per_unit: personnel?,
            rotation_ratio: ratio?,
            description: cap.description.clone(),
            composition: composition?,
        })
    }))
}

/// A composite capability's parts: plain capabilities of the catalogue, each listed once, with
/// the lead's part among them once per assembled unit.
fn composition(
    c: &mut Checker,
    doc: &CampaignDocument,
    cap: &crate::document::CapabilityDoc,
    k: &crate::document::CompositionDoc,
) -> Option<Composition> {
    let at = |field: &str| format!("catalogue[{}].composition.{field}", cap.id);
    if matches!(
        cap.category,
        crate::model::Category::Funding | crate::model::Category::Arrangement
    ) {
        c.report(
            at("parts"),
            "only troops, hardware and enablers may be assembled from parts",
        );
    }
    if k.parts.len() < 2 {
        c.report(
            at("parts"),
            format!("must list at least two parts (got {})", k.parts.len()),
        );
    }
    let list = at("parts");
    c.unique_at(
        &list,
        k.parts.iter().map(|p| p.capability.as_str()),
        |_, i| format!("{list}[{i}].capability"),
    );
    let parts = all(k.parts.iter().enumerate().map(|(i, part)| {
        let path = || at(&format!("parts[{i}].capability"));
        let id = c.take(path, CapabilityId::parse(&part.capability))?;
        match doc.catalogue.iter().find(|x| x.id == part.capability) {
            None => {
                c.report(
                    path(),
                    format!(
                        "unknown capability {} (not in the catalogue)",
                        part.capability
                    ),
                );
                return None;
            }
            Some(x) if x.id == cap.id => {
                c.report(path(), "a capability cannot be a part of itself");
                return None;
            }
            Some(x) if x.composition.is_some() => {
                c.report(
                    path(),
                    format!(
                        "{} is itself assembled from parts; parts must be plain capabilities",
                        x.id
                    ),
                );
                return None;
            }
            Some(_) => {}
        }
        let quantity = c.take(
            || at(&format!("parts[{i}].quantity")),
            u32::try_from(part.quantity)
                .ok()
                .filter(|n| (1..=MAX_PARTS_PER_UNIT).contains(n))
                .ok_or_else(|| {
                    format!(
                        "must be a whole number from 1 to {MAX_PARTS_PER_UNIT} (got {})",
                        part.quantity
                    )
                }),
        )?;
        Some(Part {
            capability: id,
            quantity,
        })
    }))?;
    let lead = c.take(|| at("lead"), CapabilityId::parse(&k.lead))?;
    match parts.iter().find(|p| p.capability == lead) {
        None => {
            c.report(at("lead"), format!("{} is not one of the parts", k.lead));
            None
        }
        Some(p) if p.quantity != 1 => {
            c.report(
                at("lead"),
                format!(
                    "the lead provides one {} per assembled unit (its part's quantity is {})",
                    k.lead, p.quantity
                ),
            );
            None
        }
        Some(_) => Some(Composition { lead, parts }),
    }
}

fn figure(
    c: &mut Checker,
    path: impl Fn(&str) -> String,
    name: &str,
    v: Option<f64>,
) -> Option<Option<Figure>> {
    match v {
        None => Some(None),
        Some(v) => c.take(|| path(name), Figure::parse(v)).map(Some),
    }
}

fn reference_facts(c: &mut Checker, base: &str, f: &FactsDoc) -> Option<ReferenceFacts> {
    let p = |name: &str| format!("{base}.facts.{name}");
    let population = figure(c, p, "population_millions", f.population_millions);
    let gdp = figure(c, p, "gdp_usd_bn", f.gdp_usd_bn);
    let spend = figure(
        c,
        p,
        "defence_expenditure_usd_bn",
        f.defence_expenditure_usd_bn,
    );
    let pct = figure(c, p, "defence_pct_gdp", f.defence_pct_gdp);
    let personnel = figure(
        c,
        p,
        "active_personnel_thousands",
        f.active_personnel_thousands,
    );
    let aid = figure(
        c,
        p,
        "military_aid_committed_eur_bn",
        f.military_aid_committed_eur_bn,
    );
    Some(ReferenceFacts {
        population_millions: population?,
        gdp_usd_bn: gdp?,
        defence_expenditure_usd_bn: spend?,
        defence_pct_gdp: pct?,
        active_personnel_thousands: personnel?,
        military_aid_committed_eur_bn: aid?,
    })
}

fn respondents(c: &mut Checker, doc: &CampaignDocument) -> Option<Vec<Respondent>> {
    c.unique(
        "respondents",
        doc.respondents.iter().map(|r| r.code.as_str()),
    );
    if doc.respondents.is_empty() {
        c.report("respondents", "must list at least one respondent");
    } else if doc.respondents.iter().all(|r| !r.invited) {
        c.report(
            "respondents",
            "no respondent is invited: set `invited` on at least one",
        );
    }
    all(doc.respondents.iter().enumerate().map(|(i, r)| {
        let code = c.take(
            || format!("respondents[{i}].code"),
            CountryCode::parse(&r.code),
        );
        let base = format!("respondents[{}]", r.code);
        c.non_empty(|| format!("{base}.name"), &r.name);
        let memberships = all(r
            .memberships
            .iter()
            .map(|m| c.take(|| format!("{base}.memberships"), Membership::parse(m))));
        let facts = reference_facts(c, &base, &r.facts);
        Some(Respondent {
            code: code?,
            name: r.name.clone(),
            invited: r.invited,
            memberships: memberships?.into_iter().collect(),
            facts: facts?,
            sources: r.sources.clone(),
        })
    }))
}

/// Checks that `value` names one of `set`, reporting at `path` otherwise.
fn known_ref(
    c: &mut Checker,
    path: impl FnOnce() -> String,
    what: &str,
    value: &str,
    set: &BTreeSet<String>,
) -> bool {
    if set.contains(value) {
        true
    } else {
        c.report(
            path(),
            format!("unknown {what} \"{value}\" ({})", listing(set.iter())),
        );
        false
    }
}

/// The requirement lines `list`, found at `base` in the file (`requirements`, or a posture's).
fn requirements(
    c: &mut Checker,
    base: &str,
    list: &[RequirementDoc],
    k: &Known,
) -> Option<Vec<Requirement>> {
    c.unique(base, list.iter().map(|r| r.id.as_str()));
    let capabilities: BTreeSet<String> = k.capabilities.keys().cloned().collect();
    let mut seen: HashMap<(&str, &str, &str), &str> = HashMap::new();
    all(list.iter().enumerate().map(|(i, r)| {
        let id = c.take(|| format!("{base}[{i}].id"), RequirementId::parse(&r.id));
        let at = |field: &str| format!("{base}[{}].{field}", r.id);
        let cap_ok = known_ref(c, || at("capability"), "capability", &r.capability, &capabilities);
        let phase_ok = known_ref(c, || at("phase"), "phase", &r.phase, &k.phases);
        let sector_ok = known_ref(c, || at("sector"), "sector", &r.sector, &k.sectors);
        let quantity = c.take(|| at("quantity"), Quantity::parse(r.quantity));
        let key = (r.capability.as_str(), r.phase.as_str(), r.sector.as_str());
        if let Some(first) = seen.get(&key) {
            c.report(
                format!("{base}[{}]", r.id),
                format!(
                    "requires the same capability, phase and sector as requirement {first}: merge them into one line"
                ),
            );
        } else {
            seen.insert(key, r.id.as_str());
        }
        if !(cap_ok && phase_ok && sector_ok) {
            return None;
        }
        Some(Requirement {
            id: id?,
            capability: CapabilityId::parse(&r.capability).ok()?,
            quantity: quantity?,
            phase: PhaseId::parse(&r.phase).ok()?,
            sector: SectorId::parse(&r.sector).ok()?,
            priority: r.priority,
            note: r.note.clone(),
        })
    }))
}

/// The postures: unique ids, a name, and their requirements checked as the campaign's are.
fn postures(c: &mut Checker, doc: &CampaignDocument, k: &Known) -> Option<Vec<Posture>> {
    c.unique("postures", doc.postures.iter().map(|p| p.id.as_str()));
    all(doc.postures.iter().enumerate().map(|(i, p)| {
        let id = c.take(|| format!("postures[{i}].id"), SectionId::parse(&p.id));
        c.non_empty(|| format!("postures[{}].name", p.id), &p.name);
        if p.requirements.is_empty() {
            c.report(
                format!("postures[{}].requirements", p.id),
                "lists no requirement: a posture is a statement of requirements",
            );
        }
        let requirements = requirements(
            c,
            &format!("postures[{}].requirements", p.id),
            &p.requirements,
            k,
        );
        Some(Posture {
            id: id?.to_string(),
            name: p.name.clone(),
            description: p.description.clone(),
            source: p.source.clone(),
            requirements: requirements?,
        })
    }))
}

/// Saved what-ifs: hypothetical offers follow the rules of an offer line of the respondent's
/// proposal; a removal names a respondent of the campaign and an offer id (whether that line is
/// still current is decided when the what-if is applied, since proposals move on).
fn what_ifs(c: &mut Checker, doc: &CampaignDocument, k: &Known) -> Option<Vec<SavedWhatIf>> {
    c.unique("what_ifs", doc.what_ifs.iter().map(|w| w.id.as_str()));
    all(doc.what_ifs.iter().enumerate().map(|(i, w)| {
        let id = c.take(|| format!("what_ifs[{i}].id"), SectionId::parse(&w.id));
        let base = format!("what_ifs[{}]", w.id);
        c.non_empty(|| format!("{base}.name"), &w.name);
        if w.added.is_empty() && w.removed.is_empty() {
            c.report(
                base.clone(),
                "adds no offer and takes none away: a what-if changes something",
            );
        }
        c.unique_at(
            &format!("{base}.added"),
            w.added.iter().map(|a| a.offer.id.as_str()),
            |_, j| format!("{base}.added[{j}].offer.id"),
        );
        let added = all(w.added.iter().enumerate().map(|(j, a)| {
            let at = format!("{base}.added[{j}]");
            let respondent = invited_respondent(c, &format!("{at}.respondent"), &a.respondent, k);
            let offer = offer(c, &format!("{at}.offer"), &a.respondent, &a.offer, k);
            Some(HypotheticalOffer {
                respondent: respondent?,
                offer: offer?,
            })
        }));
        let removed = all(w.removed.iter().enumerate().map(|(j, r)| {
            let at = format!("{base}.removed[{j}]");
            let respondent = invited_respondent(c, &format!("{at}.respondent"), &r.respondent, k);
            let offer = c.take(|| format!("{at}.offer"), OfferId::parse(&r.offer));
            Some(RemovedOffer {
                respondent: respondent?,
                offer: offer?,
            })
        }));
        Some(SavedWhatIf {
            id: id?.to_string(),
            name: w.name.clone(),
            note: w.note.clone(),
            created_by: w.created_by.clone(),
            changes: WhatIf {
                added: added?,
                removed: removed?,
            },
        })
    }))
}

/// Follow-up asks: what an offer line would say, to an invited respondent, by a date after it
/// was sent; a decline says who, when and why.
fn asks(c: &mut Checker, doc: &CampaignDocument, k: &Known) -> Option<Vec<FollowUpAsk>> {
    c.unique("asks", doc.asks.iter().map(|a| a.id.as_str()));
    all(doc.asks.iter().enumerate().map(|(i, a)| {
        let id = c.take(|| format!("asks[{i}].id"), SectionId::parse(&a.id));
        let base = format!("asks[{}]", a.id);
        let p = |f: &str| format!("{base}.{f}");
        let respondent = invited_respondent(c, &p("respondent"), &a.respondent, k);
        // The units, phases and sectors asked for follow the rules of an offer line.
        let as_offer = OfferDoc {
            id: a.id.clone(),
            capability: a.capability.clone(),
            quantity: a.quantity,
            earliest_phase: a.earliest_phase.clone(),
            last_phase: a.last_phase.clone(),
            rotation_backed: false,
            sectors: a.sectors.clone(),
            caveats: Vec::new(),
            cost_per_unit_year: None,
            paid_by: "contributor".into(),
            conditions: Vec::new(),
            note: String::new(),
            answers_ask: None,
        };
        let line = offer(c, &base, &a.respondent, &as_offer, k);
        let requirements = all(a.requirements.iter().map(|r| {
            known_ref(c, || p("requirements"), "requirement", r, &k.requirements)
                .then(|| RequirementId::parse(r).ok())
                .flatten()
        }));
        c.non_empty(|| p("message"), &a.message);
        c.non_empty(|| p("created_by"), &a.created_by);
        if a.reply_by < a.created_at {
            c.report(
                p("reply_by"),
                format!("is before the ask was sent ({})", a.created_at.to_rfc3339()),
            );
        }
        let mut closing = |field: &str, d: &Option<crate::document::DeclineDoc>| match d {
            None => Some(None),
            Some(d) => {
                c.non_empty(|| p(&format!("{field}.by")), &d.by);
                c.non_empty(|| p(&format!("{field}.reason")), &d.reason);
                if d.at < a.created_at {
                    c.report(p(&format!("{field}.at")), "is before the ask was sent");
                }
                Some(Some(Decline {
                    at: d.at,
                    by: d.by.clone(),
                    reason: d.reason.clone(),
                }))
            }
        };
        let declined = closing("declined", &a.declined);
        let withdrawn = closing("withdrawn", &a.withdrawn);
        if a.declined.is_some() && a.withdrawn.is_some() {
            c.report(
                p("withdrawn"),
                "the capital declined the ask: it cannot be withdrawn as well",
            );
        }
        let line = line?;
        Some(FollowUpAsk {
            id: id?.to_string(),
            respondent: respondent?,
            capability: line.capability,
            quantity: line.quantity,
            earliest_phase: line.earliest_phase,
            last_phase: line.last_phase,
            sectors: line.sectors,
            requirements: requirements?,
            message: a.message.clone(),
            reply_by: a.reply_by,
            created_at: a.created_at,
            created_by: a.created_by.clone(),
            declined: declined?,
            withdrawn: withdrawn?,
        })
    }))
}

/// Readiness levels: distinct levels from 1 to 9, each named.
fn readiness_levels(c: &mut Checker, doc: &CampaignDocument) -> Option<Vec<ReadinessLevel>> {
    let levels: Vec<String> = doc
        .readiness_levels
        .iter()
        .map(|l| l.level.to_string())
        .collect();
    c.unique("readiness_levels", levels.iter().map(String::as_str));
    all(doc.readiness_levels.iter().map(|l| {
        let at = format!("readiness_levels[{}]", l.level);
        c.non_empty(|| format!("{at}.name"), &l.name);
        let level = u32::try_from(l.level).ok().filter(|n| (1..=9).contains(n));
        if level.is_none() {
            c.report(
                format!("{at}.level"),
                format!("must be from 1 to 9 (got {})", l.level),
            );
        }
        let days = match l.days {
            None => Some(None),
            Some(d) => match u32::try_from(d) {
                Ok(d) => Some(Some(d)),
                Err(_) => {
                    c.report(
                        format!("{at}.days"),
                        format!("must not be negative (got {d})"),
                    );
                    None
                }
            },
        };
        Some(ReadinessLevel {
            level: level?,
            name: l.name.clone(),
            days: days?,
        })
    }))
}

/// Plans: numbered 1, 2, … in order of adoption; each pledge names an invited capital, a
/// capability and requirement lines of the campaign, and its history is one that could have
/// happened ([`Pledge::check`] replayed on every event).
fn plans(c: &mut Checker, doc: &CampaignDocument, k: &Known) -> Option<Vec<Plan>> {
    let levels: Vec<u32> = doc
        .readiness_levels
        .iter()
        .filter_map(|l| u32::try_from(l.level).ok())
        .collect();
    let caps: BTreeSet<String> = k.capabilities.keys().cloned().collect();
    let mut previous: Option<chrono::DateTime<chrono::Utc>> = None;
    all(doc.plans.iter().enumerate().map(|(i, p)| {
        let base = format!("plans[{}]", p.version);
        if p.version != i as i64 + 1 {
            c.report(
                format!("{base}.version"),
                format!(
                    "plans are numbered 1, 2, 3, … in order: this one should be {}",
                    i + 1
                ),
            );
        }
        if previous.is_some_and(|prev| p.adopted_at < prev) {
            c.report(
                format!("{base}.adopted_at"),
                "is before the plan it supersedes was adopted",
            );
        }
        previous = Some(p.adopted_at);
        c.non_empty(|| format!("{base}.adopted_by"), &p.adopted_by);
        c.non_empty(|| format!("{base}.option"), &p.option);
        known_ref(
            c,
            || format!("{base}.scenario"),
            "scenario",
            &p.scenario,
            &k.scenarios,
        );
        c.unique(
            &format!("{base}.pledges"),
            p.pledges.iter().map(|x| x.id.as_str()),
        );
        let pledges = all(p.pledges.iter().map(|x| {
            let at = format!("{base}.pledges[{}]", x.id);
            let id = c.take(|| format!("{at}.id"), SectionId::parse(&x.id));
            let respondent = invited_respondent(c, &format!("{at}.respondent"), &x.respondent, k);
            let offer = c.take(|| format!("{at}.offer"), OfferId::parse(&x.offer));
            let capability = known_ref(
                c,
                || format!("{at}.capability"),
                "capability",
                &x.capability,
                &caps,
            )
            .then(|| CapabilityId::parse(&x.capability).ok())
            .flatten();
            let units = c
                .take(|| format!("{at}.units"), Quantity::parse(x.units))
                .map(Quantity::get);
            let placements = all(x.placements.iter().map(|pl| {
                let ok = known_ref(
                    c,
                    || format!("{at}.placements"),
                    "requirement",
                    &pl.requirement,
                    &k.requirements,
                );
                let n = c
                    .take(|| format!("{at}.placements"), Quantity::parse(pl.units))
                    .map(Quantity::get);
                let line_capability = doc
                    .requirements
                    .iter()
                    .find(|r| r.id == pl.requirement)
                    .map(|r| r.capability.as_str())
                    // A line of an unknown capability is reported where it is written.
                    .filter(|c| doc.catalogue.iter().any(|x| x.id == *c));
                if !pl.assembled && ok && line_capability.is_some_and(|c| c != x.capability) {
                    c.report(
                        format!("{at}.placements"),
                        format!(
                            "{} requires {}, not {}: mark the placement assembled if {} is one of its parts",
                            pl.requirement,
                            line_capability.unwrap_or_default(),
                            x.capability,
                            x.capability
                        ),
                    );
                }
                if pl.assembled {
                    let composite = doc
                        .requirements
                        .iter()
                        .find(|r| r.id == pl.requirement)
                        .and_then(|r| doc.catalogue.iter().find(|x| x.id == r.capability))
                        .and_then(|x| x.composition.as_ref());
                    if pl.pooled {
                        c.report(
                            format!("{at}.placements"),
                            "a placement is either pooled or assembled, not both",
                        );
                    } else if ok
                        && !composite
                            .is_some_and(|k| k.parts.iter().any(|p| p.capability == x.capability))
                    {
                        c.report(
                            format!("{at}.placements"),
                            format!(
                                "assembled on {}: its capability is not assembled from {}",
                                pl.requirement, x.capability
                            ),
                        );
                    }
                }
                Some(crate::plans::PledgePlacement {
                    requirement: ok
                        .then(|| RequirementId::parse(&pl.requirement).ok())
                        .flatten()?,
                    units: n?,
                    pooled: pl.pooled,
                    assembled: pl.assembled,
                })
            }));
            let mut pledge = Pledge {
                id: id?.to_string(),
                respondent: respondent?,
                offer: offer?,
                capability: capability?,
                units: units?,
                placements: placements?,
                events: Vec::new(),
            };
            let mut last: Option<chrono::DateTime<chrono::Utc>> = None;
            for (j, e) in x.events.iter().enumerate() {
                let path = format!("{at}.events[{j}]");
                c.non_empty(|| format!("{path}.by"), &e.by);
                if last.is_some_and(|l| e.at < l) {
                    c.report(format!("{path}.at"), "is before the event it follows");
                }
                last = Some(e.at);
                let kind = pledge_event(c, &path, &e.event)?;
                if let Err(why) = pledge.check(&kind, &levels) {
                    c.report(
                        format!("{path}.event"),
                        format!("cannot be {}: {why}", kind.name()),
                    );
                    return None;
                }
                pledge.events.push(PledgeEvent {
                    at: e.at,
                    by: e.by.clone(),
                    kind,
                });
            }
            Some(pledge)
        }));
        Some(Plan {
            version: u32::try_from(p.version).ok()?,
            adopted_at: p.adopted_at,
            adopted_by: p.adopted_by.clone(),
            scenario: ScenarioId::parse(&p.scenario).ok()?,
            option: p.option.clone(),
            note: p.note.clone(),
            pledges: pledges?,
        })
    }))
}

/// A pledge event of the file as the domain's, its numbers checked.
fn pledge_event(c: &mut Checker, at: &str, e: &PledgeEventKindDoc) -> Option<PledgeEventKind> {
    let count = |c: &mut Checker, field: &str, n: i64| {
        let got = u32::try_from(n).ok();
        if got.is_none() {
            c.report(
                format!("{at}.event.{field}"),
                format!("must be a whole number, 0 or more (got {n})"),
            );
        }
        got
    };
    Some(match e {
        PledgeEventKindDoc::Confirmed {
            readiness_level,
            ready_from,
        } => PledgeEventKind::Confirmed {
            readiness_level: count(c, "readiness_level", *readiness_level)?,
            ready_from: *ready_from,
        },
        PledgeEventKindDoc::Declined { reason } => PledgeEventKind::Declined {
            reason: reason.clone(),
        },
        PledgeEventKindDoc::Verified { how, notes } => PledgeEventKind::Verified {
            how: how.clone(),
            notes: notes.clone(),
        },
        PledgeEventKindDoc::Delivered { units, on } => PledgeEventKind::Delivered {
            units: count(c, "units", *units)?,
            on: *on,
        },
        PledgeEventKindDoc::Released { reason } => PledgeEventKind::Released {
            reason: reason.clone(),
        },
        PledgeEventKindDoc::Withdrawn { reason } => PledgeEventKind::Withdrawn {
            reason: reason.clone(),
        },
    })
}

/// An invited respondent's code, or a problem at `at`.
fn invited_respondent(c: &mut Checker, at: &str, code: &str, k: &Known) -> Option<CountryCode> {
    let parsed = c.take(|| at.to_owned(), CountryCode::parse(code))?;
    match k.respondents.get(code) {
        Some(true) => Some(parsed),
        Some(false) => {
            c.report(
                at,
                format!("{code} is listed for reference only (not invited): it cannot offer"),
            );
            None
        }
        None => {
            c.report(
                at,
                format!(
                    "unknown respondent \"{code}\" (known: {})",
                    listing(k.respondents.keys())
                ),
            );
            None
        }
    }
}

fn questionnaire(c: &mut Checker, doc: &CampaignDocument) -> Option<Questionnaire> {
    let q = &doc.questionnaire;
    let version = c.take(
        || "questionnaire.version".into(),
        u32::try_from(q.version)
            .ok()
            .filter(|v| *v >= 1)
            .ok_or_else(|| format!("must be a whole number of at least 1 (got {})", q.version)),
    );
    if q.sections.is_empty() {
        c.report("questionnaire.sections", "must have at least one section");
    }
    c.unique(
        "questionnaire.sections",
        q.sections.iter().map(|s| s.id.as_str()),
    );
    // Question ids are unique across sections: answers name the question alone.
    let owners: Vec<&str> = q
        .sections
        .iter()
        .flat_map(|s| s.questions.iter().map(move |_| s.id.as_str()))
        .collect();
    c.unique_at(
        "the questionnaire's questions",
        q.sections
            .iter()
            .flat_map(|s| s.questions.iter().map(|x| x.id.as_str())),
        |id, i| format!("questionnaire.sections[{}].questions[{id}]", owners[i]),
    );
    let sections = all(q.sections.iter().enumerate().map(|(i, s)| {
        let id = c.take(
            || format!("questionnaire.sections[{i}].id"),
            SectionId::parse(&s.id),
        );
        let base = format!("questionnaire.sections[{}]", s.id);
        c.non_empty(|| format!("{base}.title"), &s.title);
        if s.offer_categories.is_empty() && s.questions.is_empty() {
            c.report(
                base.clone(),
                "has neither an offer table (offer_categories) nor questions",
            );
        }
        if s.lines_required && s.offer_categories.is_empty() {
            c.report(
                format!("{base}.lines_required"),
                "requires offer lines but has no offer table (offer_categories)",
            );
        }
        let questions = all(s.questions.iter().enumerate().map(|(j, x)| {
            let qid = c.take(
                || format!("{base}.questions[{j}].id"),
                QuestionId::parse(&x.id),
            );
            c.non_empty(|| format!("{base}.questions[{}].text", x.id), &x.text);
            Some(Question {
                id: qid?,
                text: x.text.clone(),
                help: x.help.clone(),
                required: x.required,
            })
        }));
        Some(Section {
            id: id?,
            title: s.title.clone(),
            description: s.description.clone(),
            offer_categories: s.offer_categories.clone(),
            lines_required: s.lines_required,
            questions: questions?,
        })
    }));
    Some(Questionnaire {
        version: version?,
        sections: sections?,
    })
}

fn facts(c: &mut Checker, doc: &CampaignDocument) -> Option<Vec<Fact>> {
    c.unique("facts", doc.facts.iter().map(|f| f.id.as_str()));
    all(doc.facts.iter().enumerate().map(|(i, f)| {
        let id = c.take(|| format!("facts[{i}].id"), FactId::parse(&f.id));
        c.non_empty(|| format!("facts[{}].description", f.id), &f.description);
        Some(Fact {
            id: id?,
            description: f.description.clone(),
        })
    }))
}

fn scenarios(c: &mut Checker, doc: &CampaignDocument, k: &Known) -> Option<Vec<Scenario>> {
    c.unique("scenarios", doc.scenarios.iter().map(|s| s.id.as_str()));
    let codes: BTreeSet<String> = k.respondents.keys().cloned().collect();
    all(doc.scenarios.iter().enumerate().map(|(i, s)| {
        let id = c.take(|| format!("scenarios[{i}].id"), ScenarioId::parse(&s.id));
        let base = format!("scenarios[{}]", s.id);
        c.non_empty(|| format!("{base}.name"), &s.name);
        let mut ok = true;
        let mut facts = BTreeMap::new();
        for (fact, value) in &s.facts {
            if known_ref(c, || format!("{base}.facts.{fact}"), "fact", fact, &k.facts) {
                if let Ok(f) = FactId::parse(fact) {
                    facts.insert(f, *value);
                }
            } else {
                ok = false;
            }
        }
        for fact in &k.facts {
            if !s.facts.contains_key(fact) {
                c.report(
                    format!("{base}.facts"),
                    format!("does not say whether \"{fact}\" holds: give every declared fact true or false"),
                );
                ok = false;
            }
        }
        let mut excluded_sectors = BTreeSet::new();
        for sector in &s.excluded_sectors {
            if known_ref(c, || format!("{base}.excluded_sectors"), "sector", sector, &k.sectors) {
                excluded_sectors.extend(SectorId::parse(sector).ok());
            } else {
                ok = false;
            }
        }
        if !k.sectors.is_empty() && k.sectors.iter().all(|x| s.excluded_sectors.contains(x)) {
            c.report(
                format!("{base}.excluded_sectors"),
                "excludes every sector: nothing could be deployed under this scenario",
            );
        }
        let mut exclusions = Vec::new();
        for (j, e) in s.excluded_contributors.iter().enumerate() {
            let at = format!("{base}.excluded_contributors[{j}]");
            if e.member_of.is_none() && e.respondents.is_empty() {
                c.report(at.clone(), "names nobody: give `member_of` or `respondents`");
                ok = false;
            }
            let member_of = match &e.member_of {
                Some(m) if !k.memberships.contains(m) => {
                    c.report(
                        format!("{at}.member_of"),
                        format!("no respondent is a member of \"{m}\" ({})", listing(k.memberships.iter())),
                    );
                    ok = false;
                    None
                }
                Some(m) => Membership::parse(m).ok(),
                None => None,
            };
            let mut who = BTreeSet::new();
            for r in &e.respondents {
                if known_ref(c, || format!("{at}.respondents"), "respondent", r, &codes) {
                    who.extend(CountryCode::parse(r).ok());
                } else {
                    ok = false;
                }
            }
            exclusions.push(Exclusion {
                member_of,
                respondents: who,
                categories: e.categories.iter().copied().collect(),
                note: e.note.clone(),
            });
        }
        let ceiling = match s.troop_ceiling {
            None => Some(None),
            Some(v) => c
                .take(
                    || format!("{base}.troop_ceiling"),
                    u32::try_from(v)
                        .ok()
                        .filter(|&n| n <= MAX_TROOP_CEILING)
                        .ok_or_else(|| format!("must be a whole number of troops from 0 to 10,000,000 (got {v})")),
                )
                .map(Some),
        };
        if ok && excludes_everyone(doc, &exclusions) {
            c.report(
                format!("{base}.excluded_contributors"),
                "excludes every invited respondent from every category: nobody could contribute under this scenario",
            );
        }
        Some(Scenario {
            id: id?,
            name: s.name.clone(),
            description: s.description.clone(),
            facts: ok.then_some(facts)?,
            excluded_contributors: exclusions,
            troop_ceiling: ceiling?,
            excluded_sectors,
        })
    }))
}

/// Whether the exclusion rules leave no invited respondent able to contribute anything.
fn excludes_everyone(doc: &CampaignDocument, exclusions: &[Exclusion]) -> bool {
    let invited: Vec<_> = doc.respondents.iter().filter(|r| r.invited).collect();
    !invited.is_empty()
        && invited.iter().all(|r| {
            crate::model::Category::ALL.iter().all(|cat| {
                exclusions.iter().any(|e| {
                    let who = e.respondents.iter().any(|x| x.as_str() == r.code)
                        || e.member_of
                            .as_ref()
                            .is_some_and(|m| r.memberships.iter().any(|rm| rm == m.as_str()));
                    who && (e.categories.is_empty() || e.categories.contains(cat))
                })
            })
        })
}

fn proposals(c: &mut Checker, doc: &CampaignDocument, k: &Known) -> Option<Vec<Proposal>> {
    c.unique(
        "proposals",
        doc.proposals.iter().map(|p| p.respondent.as_str()),
    );
    all(doc
        .proposals
        .iter()
        .enumerate()
        .map(|(i, p)| proposal(c, i, p, doc.questionnaire.version, k)))
}

/// One proposal, at position `i` of the campaign's list.
fn proposal(
    c: &mut Checker,
    i: usize,
    p: &ProposalDoc,
    questionnaire_version: i64,
    k: &Known,
) -> Option<Proposal> {
    let codes: BTreeSet<String> = k.respondents.keys().cloned().collect();
    {
        let base = format!("proposals[{}]", p.respondent);
        let respondent = if known_ref(
            c,
            || format!("proposals[{i}].respondent"),
            "respondent",
            &p.respondent,
            &codes,
        ) {
            if k.respondents.get(&p.respondent) == Some(&false) {
                c.report(
                    format!("proposals[{i}].respondent"),
                    format!("{} was not invited (respondents[{}].invited is false), so it cannot propose", p.respondent, p.respondent),
                );
                None
            } else {
                CountryCode::parse(&p.respondent).ok()
            }
        } else {
            None
        };
        let draft = p.draft.as_ref().map(|d| {
            let at = format!("{base}.draft");
            c.non_empty(|| format!("{at}.updated_by"), &d.updated_by);
            let offers = offers(c, &at, &p.respondent, &d.offers, k);
            let answers = answers(c, &at, &d.answers, k);
            Some(Draft {
                updated_at: d.updated_at,
                updated_by: d.updated_by.clone(),
                offers: offers?,
                answers: answers?,
            })
        });
        let draft = match draft {
            None => Some(None),
            Some(None) => None,
            Some(Some(d)) => Some(Some(d)),
        };
        let mut previous_time = None;
        let revisions = all(p.revisions.iter().enumerate().map(|(j, r)| {
            let at = format!("{base}.revisions[{}]", r.number);
            let expected = j as i64 + 1;
            if r.number != expected {
                c.report(
                    format!("{at}.number"),
                    format!("revisions must be numbered 1, 2, 3, … in order: expected {expected}, got {}", r.number),
                );
            }
            if let Some(prev) = previous_time
                && r.submitted_at < prev
            {
                c.report(
                    format!("{at}.submitted_at"),
                    format!(
                        "is earlier than the previous revision ({}): revisions are in the order submitted",
                        prev.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
                    ),
                );
            }
            previous_time = Some(r.submitted_at);
            c.non_empty(|| format!("{at}.submitted_by"), &r.submitted_by);
            let qv = c.take(
                || format!("{at}.questionnaire_version"),
                u32::try_from(r.questionnaire_version)
                    .ok()
                    .filter(|v| *v >= 1 && i64::from(*v) <= questionnaire_version)
                    .ok_or_else(|| {
                        format!(
                            "must be a questionnaire version from 1 to {} (got {})",
                            questionnaire_version, r.questionnaire_version
                        )
                    }),
            );
            let offers = offers(c, &at, &p.respondent, &r.offers, k);
            let answers = answers(c, &at, &r.answers, k);
            Some(Revision {
                number: u32::try_from(r.number).ok()?,
                submitted_at: r.submitted_at,
                submitted_by: r.submitted_by.clone(),
                questionnaire_version: qv?,
                offers: offers?,
                answers: answers?,
                note: r.note.clone(),
            })
        }));
        let withdrawn = p.withdrawn.as_ref().map(|w| {
            c.non_empty(|| format!("{base}.withdrawn.by"), &w.by);
            if p.revisions.is_empty() {
                c.report(
                    format!("{base}.withdrawn"),
                    "only a submitted proposal can be withdrawn; this one has no revision",
                );
            } else if let Some(last) = p.revisions.last()
                && w.at < last.submitted_at
            {
                c.report(
                    format!("{base}.withdrawn.at"),
                    format!(
                        "is before the last revision was submitted ({})",
                        last.submitted_at
                            .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
                    ),
                );
            }
            Withdrawal {
                at: w.at,
                by: w.by.clone(),
                reason: w.reason.clone(),
            }
        });
        Some(Proposal {
            respondent: respondent?,
            draft: draft?,
            revisions: revisions?,
            withdrawn,
        })
    }
}

fn answers(c: &mut Checker, base: &str, list: &[AnswerDoc], k: &Known) -> Option<Vec<Answer>> {
    c.unique(
        &format!("{base}.answers"),
        list.iter().map(|a| a.question.as_str()),
    );
    all(list.iter().map(|a| {
        let path = || format!("{base}.answers[{}].question", a.question);
        if !known_ref(c, path, "question", &a.question, &k.questions) {
            return None;
        }
        Some(Answer {
            question: QuestionId::parse(&a.question).ok()?,
            text: a.text.clone(),
        })
    }))
}

fn offers(
    c: &mut Checker,
    base: &str,
    own: &str,
    list: &[OfferDoc],
    k: &Known,
) -> Option<Vec<Offer>> {
    let offers_path = format!("{base}.offers");
    c.unique_at(&offers_path, list.iter().map(|o| o.id.as_str()), |_, i| {
        format!("{offers_path}[{i}].id")
    });
    all(list
        .iter()
        .enumerate()
        .map(|(i, o)| offer(c, &format!("{base}.offers[{i}]"), own, o, k)))
}

fn offer(c: &mut Checker, at: &str, own: &str, o: &OfferDoc, k: &Known) -> Option<Offer> {
    let p = |field: &str| format!("{at}.{field}");
    let id = c.take(|| p("id"), OfferId::parse(&o.id));
    let caps: BTreeSet<String> = k.capabilities.keys().cloned().collect();
    let category = known_ref(c, || p("capability"), "capability", &o.capability, &caps)
        .then(|| k.capabilities[&o.capability]);
    let quantity = c.take(|| p("quantity"), Quantity::parse(o.quantity));
    let mut ok = known_ref(
        c,
        || p("earliest_phase"),
        "phase",
        &o.earliest_phase,
        &k.phases,
    );
    if let Some(last) = &o.last_phase {
        if known_ref(c, || p("last_phase"), "phase", last, &k.phases) {
            if let (Some(a), Some(b)) = (
                k.phase_order.get(&o.earliest_phase),
                k.phase_order.get(last),
            ) && b < a
            {
                c.report(
                    p("last_phase"),
                    format!(
                        "the last phase \"{last}\" comes before the first phase \"{}\"",
                        o.earliest_phase
                    ),
                );
                ok = false;
            }
        } else {
            ok = false;
        }
    }
    let sectors = match &o.sectors {
        None => Some(None),
        Some(list) if list.is_empty() => {
            c.report(
                p("sectors"),
                "lists no sector: name at least one, or leave `sectors` out for any sector",
            );
            None
        }
        Some(list) => {
            let mut set = BTreeSet::new();
            let mut sok = true;
            for s in list {
                if known_ref(c, || p("sectors"), "sector", s, &k.sectors) {
                    set.extend(SectorId::parse(s).ok());
                } else {
                    sok = false;
                }
            }
            sok.then_some(Some(set))
        }
    };
    let caveats = all(o.caveats.iter().map(|cv| match cv {
        CaveatDoc::NoContactLine => Some(Caveat::NoContactLine),
        CaveatDoc::OutOfCountryOnly => Some(Caveat::OutOfCountryOnly),
        CaveatDoc::NoCombatRole => Some(Caveat::NoCombatRole),
        CaveatDoc::NoSharedRotation => Some(Caveat::NoSharedRotation),
        CaveatDoc::Other(text) => {
            c.non_empty(|| p("caveats.other"), text);
            Some(Caveat::Other(text.clone()))
        }
        CaveatDoc::ExcludedSectors(list) => {
            let mut set = BTreeSet::new();
            let mut sok = true;
            for s in list {
                if known_ref(c, || p("caveats.excluded_sectors"), "sector", s, &k.sectors) {
                    set.extend(SectorId::parse(s).ok());
                } else {
                    sok = false;
                }
            }
            sok.then_some(Caveat::ExcludedSectors(set))
        }
    }));
    let cost = match &o.cost_per_unit_year {
        None => Some(None),
        Some(m) => {
            if category == Some(crate::model::Category::Funding) {
                c.report(
                    p("cost_per_unit_year"),
                    "a funding line gives its amount as its quantity (millions): leave the cost empty",
                );
            }
            money(c, &p("cost_per_unit_year"), &m.amount_m, &m.currency, k).map(Some)
        }
    };
    let paid_by = c.take(|| p("paid_by"), Payer::parse(&o.paid_by));
    if let Some(Payer::Respondent(code)) = paid_by
        && !k.respondents.contains_key(code.as_str())
    {
        c.report(p("paid_by"), format!("unknown respondent \"{code}\""));
    }
    let conditions = all(o
        .conditions
        .iter()
        .map(|cond| condition(c, &p("conditions"), own, cond, k)));
    if let Some(ask) = &o.answers_ask {
        match k.asks.get(ask) {
            Some((to, _)) if to != own => c.report(
                p("answers_ask"),
                format!("the ask \"{ask}\" was sent to {to}, not to {own}"),
            ),
            Some((_, capability)) if *capability != o.capability => c.report(
                p("answers_ask"),
                format!(
                    "the ask \"{ask}\" is for {capability}; this line offers {}",
                    o.capability
                ),
            ),
            Some(_) => {}
            None => {
                let mine: Vec<&String> = k
                    .asks
                    .iter()
                    .filter(|(_, (to, _))| to == own)
                    .map(|(id, _)| id)
                    .collect();
                c.report(
                    p("answers_ask"),
                    format!(
                        "no ask \"{ask}\" was sent to {own} ({})",
                        if mine.is_empty() {
                            "it has none".to_owned()
                        } else {
                            format!(
                                "its asks: {}",
                                mine.iter()
                                    .map(|s| s.as_str())
                                    .collect::<Vec<_>>()
                                    .join(", ")
                            )
                        }
                    ),
                );
            }
        }
    }
    Some(Offer {
        id: id?,
        capability: category.and_then(|_| CapabilityId::parse(&o.capability).ok())?,
        quantity: quantity?,
        earliest_phase: ok
            .then(|| PhaseId::parse(&o.earliest_phase).ok())
            .flatten()?,
        last_phase: match &o.last_phase {
            None => None,
            Some(l) => Some(PhaseId::parse(l).ok()?),
        },
        rotation_backed: o.rotation_backed,
        sectors: sectors?,
        caveats: caveats?,
        cost_per_unit_year: cost?,
        paid_by: paid_by?,
        conditions: conditions?,
        note: o.note.clone(),
        answers_ask: o.answers_ask.clone(),
    })
}

fn money(c: &mut Checker, at: &str, amount_m: &f64, currency: &str, k: &Known) -> Option<Money> {
    let code = c.take(|| format!("{at}.currency"), CurrencyCode::parse(currency));
    if code.is_some() && !k.currencies.contains(currency) {
        c.report(
            format!("{at}.currency"),
            format!(
                "unknown currency \"{currency}\": the campaign takes costs only in its own currency or one it has an exchange rate for ({}); a coordinator can add one",
                listing(k.currencies.iter())
            ),
        );
        return None;
    }
    c.take(
        || format!("{at}.amount_m"),
        Money::from_millions(*amount_m, code?),
    )
}

fn condition(
    c: &mut Checker,
    at: &str,
    own: &str,
    cond: &ConditionDoc,
    k: &Known,
) -> Option<Condition> {
    match cond {
        ConditionDoc::Scenario(fact) => {
            if !known_ref(c, || format!("{at}.scenario"), "fact", fact, &k.facts) {
                return None;
            }
            FactId::parse(fact).ok().map(Condition::Scenario)
        }
        ConditionDoc::IfCommits(code) => {
            let path = || format!("{at}.if_commits");
            match k.respondents.get(code) {
                None => {
                    c.report(path(), format!("unknown respondent \"{code}\""));
                    None
                }
                Some(false) => {
                    c.report(path(), format!("{code} is not invited, so it can never commit: this offer could never stand"));
                    None
                }
                Some(true) if code == own => {
                    c.report(
                        path(),
                        format!("an offer of {own} cannot be conditional on {own} itself"),
                    );
                    None
                }
                Some(true) => CountryCode::parse(code).ok().map(Condition::IfCommits),
            }
        }
        ConditionDoc::MinPartners(n) => {
            let others = k.invited_count.saturating_sub(1) as i64;
            if *n < 1 {
                c.report(
                    format!("{at}.min_partners"),
                    format!("must be at least 1 (got {n})"),
                );
                None
            } else if *n > others {
                c.report(
                    format!("{at}.min_partners"),
                    format!("asks for {n} partners but only {others} other respondents are invited: it could never hold"),
                );
                None
            } else {
                u32::try_from(*n).ok().map(Condition::MinPartners)
            }
        }
    }
}

/// Finds respondents deadlocked by "only if X commits" conditions: if every offer of FRA waits
/// for DEU and every offer of DEU waits for FRA, neither can commit first.
///
/// A respondent can commit when it has an offer whose "if X commits" conditions all name
/// respondents that can commit (an offer with none can always stand). Whoever never reaches that
/// state while sitting on a cycle of such conditions is reported, with the cycle. Only current
/// proposals (latest revision, not withdrawn) count: drafts and superseded revisions are not
/// offers anyone relies on.
fn linked_condition_cycles(c: &mut Checker, doc: &CampaignDocument) {
    let commits: CommitConditions = doc
        .proposals
        .iter()
        .filter_map(|p| Some((p.respondent.clone(), commit_conditions(p)?)))
        .collect();
    cycles(c, &commits);
}

/// What a proposal's current offers commit to conditionally: for each offer of the latest
/// revision, the other respondents it needs to commit first. `None` when the proposal counts
/// nowhere (no revision, or withdrawn); drafts and superseded revisions are not offers anyone
/// relies on.
pub fn commit_conditions(p: &ProposalDoc) -> Option<Vec<BTreeSet<String>>> {
    if p.withdrawn.is_some() {
        return None;
    }
    let current = p.revisions.last()?;
    Some(
        current
            .offers
            .iter()
            .map(|o| {
                o.conditions
                    .iter()
                    .filter_map(|cond| match cond {
                        ConditionDoc::IfCommits(other) if other != &p.respondent => {
                            Some(other.clone())
                        }
                        _ => None,
                    })
                    .collect()
            })
            .collect(),
    )
}

/// The commit conditions of the current proposals, by respondent code.
pub type CommitConditions = BTreeMap<String, Vec<BTreeSet<String>>>;

fn cycles(c: &mut Checker, commits: &CommitConditions) {
    let offers_of: BTreeMap<&str, Vec<BTreeSet<&str>>> = commits
        .iter()
        .map(|(who, offers)| {
            (
                who.as_str(),
                offers
                    .iter()
                    .map(|needs| needs.iter().map(String::as_str).collect())
                    .collect(),
            )
        })
        .collect();
    let mut free: BTreeSet<&str> = BTreeSet::new();
    loop {
        let before = free.len();
        for (&who, offers) in &offers_of {
            if offers
                .iter()
                .any(|needs| needs.iter().all(|n| free.contains(n)))
            {
                free.insert(who);
            }
        }
        if free.len() == before {
            break;
        }
    }
    let mut edges: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for (&who, offers) in &offers_of {
        if free.contains(who) {
            continue;
        }
        for needs in offers {
            for &n in needs {
                if !free.contains(n) {
                    edges.entry(who).or_default().insert(n);
                }
            }
        }
    }
    // Respondents on a common cycle form a strongly connected group; report each group once,
    // with one concrete cycle through its first member (found breadth-first, so it is shortest).
    let reach = |from: &str| -> BTreeSet<&str> {
        let mut seen = BTreeSet::new();
        let mut todo: Vec<&str> = edges.get(from).into_iter().flatten().copied().collect();
        while let Some(n) = todo.pop() {
            if seen.insert(n) {
                todo.extend(edges.get(n).into_iter().flatten().copied());
            }
        }
        seen
    };
    let reachable: BTreeMap<&str, BTreeSet<&str>> = edges.keys().map(|&n| (n, reach(n))).collect();
    let mut grouped: BTreeSet<&str> = BTreeSet::new();
    for (&node, reached) in &reachable {
        if grouped.contains(node) || !reached.contains(node) {
            continue;
        }
        let group: BTreeSet<&str> = reached
            .iter()
            .copied()
            .filter(|other| reachable.get(other).is_some_and(|r| r.contains(node)))
            .collect();
        grouped.extend(group.iter().copied());
        let mut parent: BTreeMap<&str, &str> = BTreeMap::new();
        let mut queue = std::collections::VecDeque::from([node]);
        let mut closing = None;
        while let Some(n) = queue.pop_front() {
            for &next in edges.get(n).into_iter().flatten() {
                if next == node {
                    closing = Some(n);
                    queue.clear();
                    break;
                }
                if group.contains(next) && !parent.contains_key(next) {
                    parent.insert(next, n);
                    queue.push_back(next);
                }
            }
        }
        let mut cycle = vec![node];
        let mut at = closing.unwrap_or(node);
        while at != node {
            cycle.push(at);
            at = parent.get(at).copied().unwrap_or(node);
        }
        cycle[1..].reverse();
        cycle.push(node);
        c.report(
            format!("proposals[{node}]"),
            format!(
                "linked conditions form a cycle {} and none of them has an offer free of it: none can commit first; make one offer in the cycle unconditional",
                cycle.join(" → ")
            ),
        );
    }
}
