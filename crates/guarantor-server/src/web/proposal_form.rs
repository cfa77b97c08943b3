//! The proposal form: the draft shown as rows of fields, the posted fields read back into a
//! draft, validation problems put next to the field they concern, and what changed between two
//! revisions.
//!
//! Field names are `o{row}.{field}` for offer lines and `answer.{question}` for answers. Rows are
//! numbered on the page, not by offer id, so a line whose id is being edited stays one line.

use std::collections::{BTreeMap, BTreeSet};

use guarantor_app::DraftContent;
use guarantor_domain::document::{
    AnswerDoc, CampaignDocument, CaveatDoc, ConditionDoc, MoneyDoc, OfferDoc,
};

use super::FormData;

/// Row numbers at or above this are not read: no form has that many lines, and a hand-made
/// number near `usize::MAX` must not overflow the next free row.
pub(crate) const MAX_ROWS: usize = 10_000;

/// One offer line as the form shows it: every value as text, as typed.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct OfferRow {
    /// Row number on the page (`__N__` in the template row the script copies).
    pub index: String,
    /// The questionnaire section the row was typed in (empty for a stored line, which goes
    /// where its capability belongs): a failed save shows each row where it was.
    pub section: String,
    pub id: String,
    pub capability: String,
    pub quantity: String,
    pub earliest_phase: String,
    pub last_phase: String,
    pub rotation_backed: bool,
    pub sectors: Vec<String>,
    pub no_contact_line: bool,
    pub out_of_country_only: bool,
    pub no_combat_role: bool,
    pub no_shared_rotation: bool,
    pub excluded_sectors: String,
    pub other_caveat: String,
    pub cost_amount: String,
    pub cost_currency: String,
    pub paid_by: String,
    pub facts: Vec<String>,
    pub if_commits: String,
    pub min_partners: String,
    pub note: String,
    /// The follow-up ask the line answers (empty: none).
    pub answers_ask: String,
    /// Problems by field name (`quantity`, `capability`, …; `line` for the line as a whole).
    pub errors: BTreeMap<String, String>,
}

impl OfferRow {
    /// The row of an offer line.
    pub fn of(index: usize, o: &OfferDoc) -> Self {
        let mut row = Self {
            index: index.to_string(),
            id: o.id.clone(),
            capability: o.capability.clone(),
            quantity: o.quantity.to_string(),
            earliest_phase: o.earliest_phase.clone(),
            last_phase: o.last_phase.clone().unwrap_or_default(),
            rotation_backed: o.rotation_backed,
            sectors: o.sectors.clone().unwrap_or_default(),
            cost_amount: o
                .cost_per_unit_year
                .as_ref()
                .map(|m| trim_number(m.amount_m))
                .unwrap_or_default(),
            cost_currency: o
                .cost_per_unit_year
                .as_ref()
                .map(|m| m.currency.clone())
                .unwrap_or_default(),
            paid_by: o.paid_by.clone(),
            note: o.note.clone(),
            answers_ask: o.answers_ask.clone().unwrap_or_default(),
            ..Self::default()
        };
        let mut other = Vec::new();
        // Several exclusions mean their union, several partner minimums the largest: shown as
        // one field each, they mean the same.
        let mut excluded: Vec<String> = Vec::new();
        for c in &o.caveats {
            match c {
                CaveatDoc::NoContactLine => row.no_contact_line = true,
                CaveatDoc::OutOfCountryOnly => row.out_of_country_only = true,
                CaveatDoc::NoCombatRole => row.no_combat_role = true,
                CaveatDoc::NoSharedRotation => row.no_shared_rotation = true,
                CaveatDoc::ExcludedSectors(s) => {
                    excluded.extend(
                        s.iter()
                            .filter(|x| !excluded.contains(x))
                            .cloned()
                            .collect::<Vec<_>>(),
                    );
                }
                CaveatDoc::Other(t) => other.push(t.clone()),
            }
        }
        row.excluded_sectors = excluded.join(", ");
        row.other_caveat = other.join("; ");
        let mut commits = Vec::new();
        for c in &o.conditions {
            match c {
                ConditionDoc::Scenario(f) => row.facts.push(f.clone()),
                ConditionDoc::IfCommits(r) => commits.push(r.clone()),
                ConditionDoc::MinPartners(n) => {
                    let larger = row.min_partners.parse::<i64>().map_or(*n, |m| m.max(*n));
                    row.min_partners = larger.to_string();
                }
            }
        }
        row.if_commits = commits.join(", ");
        row
    }

    /// Whether nothing was typed in the row (a row left for a new line).
    pub fn is_blank(&self) -> bool {
        self.id.is_empty() && self.capability.is_empty() && self.quantity.is_empty()
    }

    /// An empty row for a new line.
    pub fn blank(index: String) -> Self {
        Self {
            index,
            paid_by: "contributor".into(),
            ..Self::default()
        }
    }

    /// The problem of a field, if any.
    pub fn error(&self, field: &str) -> Option<&str> {
        self.errors.get(field).map(String::as_str)
    }

    /// Whether `value` is the one chosen in the select `field`.
    pub fn chosen(&self, field: &str, value: &str) -> bool {
        let current = match field {
            "capability" => &self.capability,
            "earliest_phase" => &self.earliest_phase,
            "last_phase" => &self.last_phase,
            "cost_currency" => &self.cost_currency,
            "paid_by" => &self.paid_by,
            _ => return false,
        };
        current == value
    }

    /// Whether a sector is ticked.
    pub fn has_sector(&self, id: &str) -> bool {
        self.sectors.iter().any(|s| s == id)
    }

    /// Whether a fact condition is ticked.
    pub fn has_fact(&self, id: &str) -> bool {
        self.facts.iter().any(|s| s == id)
    }

    /// Whether sector `id` is excluded by a caveat.
    pub fn excludes(&self, id: &str) -> bool {
        split_list(&self.excluded_sectors).iter().any(|s| s == id)
    }

    /// Whether the line is conditional on capital `code` committing.
    pub fn waits_for(&self, code: &str) -> bool {
        split_list(&self.if_commits).iter().any(|s| s == code)
    }

    /// Whether the row holds where or how units may serve (sectors, rotation, caveats): such
    /// fields are shown for a line of a section that deploys nothing only if it already has
    /// them, so nothing stored is dropped unseen.
    pub fn has_deployment_terms(&self) -> bool {
        !self.sectors.is_empty()
            || self.rotation_backed
            || self.no_contact_line
            || self.out_of_country_only
            || self.no_combat_role
            || self.no_shared_rotation
            || !self.excluded_sectors.is_empty()
            || !self.other_caveat.is_empty()
    }

    /// The form field name of `field` in this row.
    pub fn name(&self, field: &str) -> String {
        format!("o{}.{field}", self.index)
    }
}

/// A number without a trailing `.0`.
pub(crate) fn trim_number(x: f64) -> String {
    let s = format!("{x}");
    s.strip_suffix(".0").map(str::to_owned).unwrap_or(s)
}

/// An amount typed as `12.5`, `12,5` (decimal comma), `1 250` or `1,250.5`; `None` when it is
/// not one (`1,250` alone is ambiguous and refused).
pub(crate) fn parse_amount(text: &str) -> Option<f64> {
    let t: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    let commas = t.matches(',').count();
    let normal = match (commas, t.contains('.')) {
        (0, _) => t,
        // Thousands separators beside a decimal point.
        (_, true) => t.replace(',', ""),
        // One comma and no point: a decimal comma, unless it looks like thousands.
        (1, false) => {
            let (_, decimals) = t.split_once(',')?;
            if decimals.len() == 3 {
                return None;
            }
            t.replace(',', ".")
        }
        _ => return None,
    };
    normal.parse().ok()
}

/// Splits a list typed as `a, b c`.
fn split_list(text: &str) -> Vec<String> {
    text.split([',', ';', ' '])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

/// The posted form read back: the rows as typed, the draft they make, and the problems found
/// before the store sees it.
pub(crate) struct PostedDraft {
    /// Every row on the page, in order, as typed (blank rows included).
    pub rows: Vec<OfferRow>,
    /// Answers by question id, as typed.
    pub answers: BTreeMap<String, String>,
    /// The draft: offer lines of the non-blank, not-removed rows.
    pub content: DraftContent,
    /// For each offer line of the draft, the position of its row in `rows`.
    pub row_of_line: Vec<usize>,
    /// Whether any row has a problem found while reading it.
    pub has_errors: bool,
}

/// Reads the posted proposal form of `respondent`.
/// New lines get the next id of the capital that is neither on the form nor in `used` (the ids
/// of the proposal's submitted revisions), so an id on record never names two different lines.
pub(crate) fn read_form(
    form: &FormData,
    respondent: &str,
    doc: &CampaignDocument,
    used: &BTreeSet<String>,
) -> PostedDraft {
    // Rows in the order the page sent them (the order they are shown in), so new lines are
    // numbered down the page whatever numbers the rows carry.
    let mut indices: Vec<usize> = Vec::new();
    for name in form.names() {
        if let Some(rest) = name.strip_prefix('o')
            && let Some((n, _)) = rest.split_once('.')
            && let Ok(n) = n.parse::<usize>()
            && n < MAX_ROWS
            && !indices.contains(&n)
        {
            indices.push(n);
        }
    }
    let mut rows = Vec::new();
    let mut lines = Vec::new();
    let mut row_of_line = Vec::new();
    let mut has_errors = false;
    let mut taken: BTreeSet<String> = used.clone();
    for &i in &indices {
        let f = |field: &str| form.get(&format!("o{i}.{field}")).to_owned();
        let mut row = OfferRow {
            index: i.to_string(),
            section: f("section"),
            id: f("id"),
            capability: f("capability"),
            quantity: f("quantity"),
            earliest_phase: f("earliest_phase"),
            last_phase: f("last_phase"),
            rotation_backed: form.ticked(&format!("o{i}.rotation_backed")),
            sectors: form
                .all(&format!("o{i}.sectors"))
                .into_iter()
                .map(str::to_owned)
                .collect(),
            no_contact_line: form.ticked(&format!("o{i}.no_contact_line")),
            out_of_country_only: form.ticked(&format!("o{i}.out_of_country_only")),
            no_combat_role: form.ticked(&format!("o{i}.no_combat_role")),
            no_shared_rotation: form.ticked(&format!("o{i}.no_shared_rotation")),
            excluded_sectors: form.all(&format!("o{i}.excluded_sectors")).join(", "),
            other_caveat: f("other_caveat"),
            cost_amount: f("cost_amount"),
            cost_currency: f("cost_currency"),
            paid_by: f("paid_by"),
            facts: form
                .all(&format!("o{i}.facts"))
                .into_iter()
                .map(str::to_owned)
                .collect(),
            if_commits: form.all(&format!("o{i}.if_commits")).join(", "),
            min_partners: f("min_partners"),
            note: f("note"),
            answers_ask: f("answers_ask"),
            errors: BTreeMap::new(),
        };
        let removed = form.ticked(&format!("o{i}.remove"));
        let blank = row.capability.is_empty() && row.quantity.is_empty();
        if removed || blank {
            if !removed {
                rows.push(row);
            }
            continue;
        }
        if !row.id.is_empty() {
            taken.insert(row.id.clone());
        }
        // A row with a problem still becomes a line, so the campaign's rules can report the
        // rest of what it holds at the same time (its own problems take precedence).
        let offer = offer_of(&mut row, doc);
        has_errors |= !row.errors.is_empty();
        row_of_line.push(rows.len());
        lines.push(offer);
        rows.push(row);
    }
    // New lines get the next free id of the capital: FRA-4, FRA-5, …
    let mut next = 1;
    for (line, offer) in lines.iter_mut().enumerate() {
        if offer.id.is_empty() {
            while taken.contains(&format!("{respondent}-{next}")) {
                next += 1;
            }
            offer.id = format!("{respondent}-{next}");
            taken.insert(offer.id.clone());
            rows[row_of_line[line]].id = offer.id.clone();
        }
    }
    let mut answers = BTreeMap::new();
    let mut answer_docs = Vec::new();
    for q in doc.questionnaire.sections.iter().flat_map(|s| &s.questions) {
        let text = form.get(&format!("answer.{}", q.id));
        answers.insert(q.id.clone(), text.to_owned());
        if !text.is_empty() {
            answer_docs.push(AnswerDoc {
                question: q.id.clone(),
                text: text.to_owned(),
            });
        }
    }
    PostedDraft {
        rows,
        answers,
        content: DraftContent {
            offers: lines,
            answers: answer_docs,
        },
        row_of_line,
        has_errors,
    }
}

/// A capital as a person types it: its code in any case ("grc") or its name ("Greece") become
/// the code; anything else is kept as typed, so the campaign's rules name it as it was written.
pub(crate) fn capital(typed: &str, doc: &CampaignDocument) -> String {
    let typed = typed.trim();
    doc.respondents
        .iter()
        .find(|r| r.code.eq_ignore_ascii_case(typed) || r.name.eq_ignore_ascii_case(typed))
        .map_or_else(|| typed.to_owned(), |r| r.code.clone())
}

/// The offer line of a row, with the row's problems noted in it. A value that could not be read
/// is left out of the line (or, for the quantity, read as 1), so the campaign's rules find the
/// line's other problems without repeating this one.
fn offer_of(row: &mut OfferRow, doc: &CampaignDocument) -> OfferDoc {
    let quantity = match row.quantity.trim().parse::<i64>() {
        Ok(q) => q,
        Err(_) => {
            row.errors.insert(
                "quantity".into(),
                format!(
                    "must be a whole number of units, 1 or more (got \"{}\")",
                    row.quantity
                ),
            );
            1
        }
    };
    if row.capability.is_empty() {
        row.errors
            .insert("capability".into(), "choose what is offered".into());
    }
    if row.earliest_phase.is_empty() {
        row.errors.insert(
            "earliest_phase".into(),
            "choose the first phase the units can serve in".into(),
        );
    }
    let cost = if row.cost_amount.is_empty() {
        None
    } else {
        match parse_amount(&row.cost_amount) {
            Some(a) if a.is_finite() => Some(MoneyDoc {
                amount_m: a,
                currency: if row.cost_currency.is_empty() {
                    doc.campaign.currency.clone()
                } else {
                    row.cost_currency.clone()
                },
            }),
            _ => {
                row.errors.insert(
                    "cost_per_unit_year".into(),
                    format!(
                        "must be an amount in millions, e.g. 12.5 (got \"{}\")",
                        row.cost_amount
                    ),
                );
                None
            }
        }
    };
    let min_partners = if row.min_partners.is_empty() {
        None
    } else {
        match row.min_partners.parse::<i64>() {
            Ok(n) => Some(n),
            Err(_) => {
                row.errors.insert(
                    "conditions".into(),
                    format!(
                        "the number of partners must be a whole number (got \"{}\")",
                        row.min_partners
                    ),
                );
                None
            }
        }
    };
    let mut caveats = Vec::new();
    if row.no_contact_line {
        caveats.push(CaveatDoc::NoContactLine);
    }
    if row.out_of_country_only {
        caveats.push(CaveatDoc::OutOfCountryOnly);
    }
    let excluded = split_list(&row.excluded_sectors);
    if !excluded.is_empty() {
        caveats.push(CaveatDoc::ExcludedSectors(excluded));
    }
    if row.no_combat_role {
        caveats.push(CaveatDoc::NoCombatRole);
    }
    if row.no_shared_rotation {
        caveats.push(CaveatDoc::NoSharedRotation);
    }
    // Several restrictions in words are shown joined by "; " and read back one by one.
    caveats.extend(
        row.other_caveat
            .split("; ")
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .map(|t| CaveatDoc::Other(t.to_owned())),
    );
    let mut conditions: Vec<ConditionDoc> = row
        .facts
        .iter()
        .map(|f| ConditionDoc::Scenario(f.clone()))
        .collect();
    conditions.extend(
        split_list(&row.if_commits)
            .into_iter()
            .map(|c| ConditionDoc::IfCommits(capital(&c, doc))),
    );
    conditions.extend(min_partners.map(ConditionDoc::MinPartners));
    OfferDoc {
        answers_ask: Some(row.answers_ask.clone()).filter(|a| !a.is_empty()),
        id: row.id.clone(),
        capability: row.capability.clone(),
        quantity,
        earliest_phase: row.earliest_phase.clone(),
        last_phase: (!row.last_phase.is_empty()).then(|| row.last_phase.clone()),
        rotation_backed: row.rotation_backed,
        sectors: (!row.sectors.is_empty()).then(|| row.sectors.clone()),
        caveats,
        cost_per_unit_year: cost,
        paid_by: if row.paid_by.is_empty() {
            "contributor".into()
        } else {
            row.paid_by.clone()
        },
        conditions,
        note: row.note.clone(),
    }
}

/// Where a validation problem of a draft points: an offer line's field, an answer, or neither.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Target {
    /// Offer line (index in the draft) and field (`line` when the line as a whole).
    Offer(usize, String),
    /// Answer to a question (the question id the path names).
    Answer(String),
    /// Anything else.
    General,
}

/// Splits a store problem `proposals[FRA].draft.offers[2].quantity: message` into where it points
/// and its message.
pub(crate) fn locate(problem: &str) -> (Target, String) {
    let Some((path, message)) = problem.split_once(": ") else {
        return (Target::General, problem.to_owned());
    };
    let message = message.to_owned();
    let tail = path
        .split_once(".draft.")
        .map(|(_, t)| t)
        .or_else(|| {
            path.rsplit_once("].")
                .filter(|_| path.contains(".revisions["))
                .map(|(_, t)| t)
        })
        .unwrap_or("");
    let index = |rest: &str| -> Option<(usize, String)> {
        let (n, after) = rest.split_once(']')?;
        let field = after.trim_start_matches('.');
        let field = field
            .split(['.', '['])
            .next()
            .filter(|f| !f.is_empty())
            .unwrap_or("line");
        Some((n.parse().ok()?, field.to_owned()))
    };
    if let Some(rest) = tail.strip_prefix("offers[")
        && let Some((n, field)) = index(rest)
    {
        return (Target::Offer(n, field), message);
    }
    if let Some(rest) = tail.strip_prefix("answers[")
        && let Some((question, _)) = rest.split_once(']')
    {
        return (Target::Answer(question.to_owned()), message);
    }
    (Target::General, format!("{path}: {message}"))
}

/// The form field a validation path's field is shown next to.
pub(crate) fn form_field(field: &str) -> &str {
    match field {
        "sectors" | "caveats" | "capability" | "quantity" | "earliest_phase" | "last_phase"
        | "cost_per_unit_year" | "paid_by" | "conditions" | "id" | "note" => field,
        _ => "line",
    }
}

/// The offer with its caveats and conditions in a fixed order.
pub(crate) fn canonical(o: &OfferDoc) -> OfferDoc {
    let key = |v: &dyn erased::Json| v.json();
    let mut o = o.clone();
    o.caveats.sort_by_key(|c| key(c));
    o.conditions.sort_by_key(|c| key(c));
    o
}

/// Serialising a value to sort by, whatever its type.
mod erased {
    pub(crate) trait Json {
        fn json(&self) -> String;
    }
    impl<T: serde::Serialize> Json for T {
        fn json(&self) -> String {
            serde_json::to_string(self).unwrap_or_default()
        }
    }
}

/// What changed from one set of offer lines and answers to the next, in sentences a desk
/// officer reads: capabilities, phases and questions by name, fields in words.
pub(crate) fn changes(
    doc: &CampaignDocument,
    before: (&[OfferDoc], &[AnswerDoc]),
    after: (&[OfferDoc], &[AnswerDoc]),
) -> Vec<String> {
    let lists = super::Lists::of(doc);
    let capability = |id: &str| {
        doc.catalogue
            .iter()
            .find(|c| c.id == id)
            .map_or_else(|| id.to_owned(), |c| c.name.clone())
    };
    let line = |o: &OfferDoc| format!("{} × {}", o.quantity, capability(&o.capability));
    // A field's old and new value as people read them (ids become names).
    let shown = |field: &str, v: &serde_json::Value| -> String {
        let text = v.as_str().map_or_else(|| v.to_string(), str::to_owned);
        match field {
            "capability" => capability(&text),
            "earliest_phase" | "last_phase" => super::Lists::label(&lists.phases, &text),
            "paid_by" => super::Lists::label(&lists.payers, &text),
            _ => v
                .as_str()
                .map_or_else(|| v.to_string(), |t| format!("\"{t}\"")),
        }
    };
    let field_name = |field: &str| {
        match field {
            "quantity" => "units",
            "earliest_phase" => "from phase",
            "last_phase" => "until phase",
            "rotation_backed" => "rotation-backed",
            "caveats" => "restrictions",
            "cost_per_unit_year" => "cost",
            "paid_by" => "paid by",
            other => other,
        }
        .to_owned()
    };
    let mut out = Vec::new();
    let old: BTreeMap<&str, &OfferDoc> = before.0.iter().map(|o| (o.id.as_str(), o)).collect();
    let new: BTreeMap<&str, &OfferDoc> = after.0.iter().map(|o| (o.id.as_str(), o)).collect();
    for (id, o) in &new {
        match old.get(id) {
            None => out.push(format!("added {id}: {}", line(o))),
            Some(prev) => {
                // Caveats and conditions are sets: their order is no change.
                let a = serde_json::to_value(canonical(prev)).unwrap_or_default();
                let b = serde_json::to_value(canonical(o)).unwrap_or_default();
                let keys: BTreeSet<&String> = a
                    .as_object()
                    .into_iter()
                    .chain(b.as_object())
                    .flat_map(|m| m.keys())
                    .collect();
                let changed: Vec<String> = keys
                    .into_iter()
                    .filter(|k| a.get(k.as_str()) != b.get(k.as_str()))
                    .map(|k| match (a.get(k.as_str()), b.get(k.as_str())) {
                        (Some(x), Some(y)) if x.is_number() || x.is_string() => {
                            format!("{} {} → {}", field_name(k), shown(k, x), shown(k, y))
                        }
                        _ => field_name(k),
                    })
                    .collect();
                if !changed.is_empty() {
                    out.push(format!("changed {id}: {}", changed.join(", ")));
                }
            }
        }
    }
    for (id, o) in old.iter().filter(|(id, _)| !new.contains_key(*id)) {
        out.push(format!("removed {id} (was {})", line(o)));
    }
    let old_answers: BTreeMap<&str, &str> = before
        .1
        .iter()
        .map(|a| (a.question.as_str(), a.text.as_str()))
        .collect();
    for a in after.1 {
        if old_answers.get(a.question.as_str()) != Some(&a.text.as_str()) {
            let question = doc
                .questionnaire
                .sections
                .iter()
                .flat_map(|s| &s.questions)
                .find(|q| q.id == a.question)
                .map_or(a.question.as_str(), |q| q.text.as_str());
            out.push(format!("answer to \u{201c}{question}\u{201d} changed"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn offer(id: &str, quantity: i64) -> OfferDoc {
        OfferDoc {
            answers_ask: None,
            id: id.into(),
            capability: "brigade.armoured".into(),
            quantity,
            earliest_phase: "P0".into(),
            last_phase: None,
            rotation_backed: false,
            sectors: Some(vec!["kyiv".into()]),
            caveats: vec![
                CaveatDoc::NoContactLine,
                CaveatDoc::Other("no night ops".into()),
            ],
            cost_per_unit_year: Some(MoneyDoc {
                amount_m: 12.5,
                currency: "EUR".into(),
            }),
            paid_by: "contributor".into(),
            conditions: vec![
                ConditionDoc::Scenario("us_backstop".into()),
                ConditionDoc::IfCommits("FRA".into()),
                ConditionDoc::MinPartners(2),
            ],
            note: "n".into(),
        }
    }

    fn demo() -> CampaignDocument {
        crate::web::demo_document()
    }

    /// The fields a browser would post for these rows.
    fn post(rows: &[OfferRow]) -> FormData {
        let mut pairs = Vec::new();
        for r in rows {
            let mut push = |f: &str, v: &str| pairs.push((r.name(f), v.to_owned()));
            push("id", &r.id);
            push("capability", &r.capability);
            push("quantity", &r.quantity);
            push("earliest_phase", &r.earliest_phase);
            push("last_phase", &r.last_phase);
            for s in &r.sectors {
                push("sectors", s);
            }
            for (ticked, name) in [
                (r.no_contact_line, "no_contact_line"),
                (r.out_of_country_only, "out_of_country_only"),
                (r.no_combat_role, "no_combat_role"),
                (r.no_shared_rotation, "no_shared_rotation"),
                (r.rotation_backed, "rotation_backed"),
            ] {
                if ticked {
                    push(name, "on");
                }
            }
            push("other_caveat", &r.other_caveat);
            push("excluded_sectors", &r.excluded_sectors);
            push("cost_amount", &r.cost_amount);
            push("cost_currency", &r.cost_currency);
            push("paid_by", &r.paid_by);
            for f in &r.facts {
                push("facts", f);
            }
            push("if_commits", &r.if_commits);
            push("min_partners", &r.min_partners);
            push("note", &r.note);
            push("answers_ask", &r.answers_ask);
        }
        FormData::from_pairs(pairs)
    }

    #[test]
    fn a_line_shown_and_posted_back_is_the_same_line() {
        let o = offer("GBR-1", 2);
        let posted = read_form(
            &post(&[OfferRow::of(0, &o)]),
            "GBR",
            &demo(),
            &BTreeSet::new(),
        );
        assert!(!posted.has_errors);
        assert_eq!(posted.content.offers, vec![o]);
    }

    #[test]
    fn blank_rows_are_ignored_removed_rows_dropped_and_new_lines_numbered() {
        let mut rows = vec![OfferRow::of(0, &offer("GBR-1", 1))];
        rows.push(OfferRow::blank("1".into()));
        let mut new = OfferRow::of(2, &offer("", 3));
        new.id.clear();
        rows.push(new);
        let mut form = post(&rows);
        let posted = read_form(&form, "GBR", &demo(), &BTreeSet::new());
        let ids: Vec<&str> = posted
            .content
            .offers
            .iter()
            .map(|o| o.id.as_str())
            .collect();
        assert_eq!(ids, ["GBR-1", "GBR-2"]);
        assert_eq!(posted.row_of_line, vec![0, 2]);
        form.0.push(("o0.remove".into(), "on".into()));
        let posted = read_form(&form, "GBR", &demo(), &BTreeSet::new());
        let ids: Vec<&str> = posted
            .content
            .offers
            .iter()
            .map(|o| o.id.as_str())
            .collect();
        assert_eq!(ids, ["GBR-1"], "a number no revision used is free again");
        let used = BTreeSet::from(["GBR-1".to_owned(), "GBR-2".to_owned()]);
        let posted = read_form(&form, "GBR", &demo(), &used);
        assert_eq!(
            posted.content.offers[0].id, "GBR-3",
            "a used id is never reused"
        );
    }

    #[test]
    fn a_quantity_that_is_not_a_number_is_named_on_its_row() {
        let mut row = OfferRow::of(4, &offer("GBR-1", 1));
        row.quantity = "two".into();
        let posted = read_form(&post(&[row]), "GBR", &demo(), &BTreeSet::new());
        assert!(posted.has_errors);
        // The line is still read, for the campaign's rules to check the rest of it.
        assert_eq!(posted.content.offers.len(), 1);
        assert_eq!(posted.row_of_line, [0]);
        assert!(
            posted.rows[0]
                .error("quantity")
                .is_some_and(|e| e.contains("\"two\""))
        );
    }

    #[test]
    fn store_problems_point_at_the_line_and_field() {
        assert_eq!(
            locate("proposals[GBR].draft.offers[2].quantity: must be at least 1"),
            (
                Target::Offer(2, "quantity".into()),
                "must be at least 1".into()
            )
        );
        assert_eq!(
            locate("proposals[GBR].draft.offers[0].sectors[1]: unknown sector \"x\"").0,
            Target::Offer(0, "sectors".into())
        );
        assert_eq!(
            locate("proposals[GBR].draft.answers[deterence].question: unknown question").0,
            Target::Answer("deterence".into())
        );
        assert_eq!(locate("campaign.deadline: bad").0, Target::General);
    }

    #[test]
    fn every_demo_offer_shown_and_posted_back_is_the_same_offer() {
        let doc = demo();
        let mut lines = 0;
        for p in &doc.proposals {
            let Some(r) = p.revisions.last() else {
                continue;
            };
            let rows: Vec<OfferRow> = r
                .offers
                .iter()
                .enumerate()
                .map(|(i, o)| OfferRow::of(i, o))
                .collect();
            let posted = read_form(&post(&rows), &p.respondent, &doc, &BTreeSet::new());
            assert!(!posted.has_errors, "{}", p.respondent);
            let same: Vec<OfferDoc> = r.offers.iter().map(canonical).collect();
            let back: Vec<OfferDoc> = posted.content.offers.iter().map(canonical).collect();
            assert_eq!(back, same, "{}", p.respondent);
            lines += r.offers.len();
        }
        assert!(lines > 50, "the demo has many lines ({lines})");
    }

    #[test]
    fn amounts_take_a_decimal_comma_but_not_an_ambiguous_one() {
        assert_eq!(parse_amount("12.5"), Some(12.5));
        assert_eq!(parse_amount("12,5"), Some(12.5));
        assert_eq!(parse_amount("1 250"), Some(1250.0));
        assert_eq!(parse_amount("1,250.5"), Some(1250.5));
        assert_eq!(parse_amount("1,250"), None);
        assert_eq!(parse_amount("1,2,3"), None);
        assert_eq!(parse_amount("lots"), None);
    }

    #[test]
    fn several_caveats_and_conditions_of_a_kind_survive_the_form() {
        let mut o = offer("GBR-1", 1);
        o.caveats = vec![
            CaveatDoc::Other("no night operations".into()),
            CaveatDoc::Other("national command".into()),
        ];
        o.conditions = vec![
            ConditionDoc::MinPartners(2),
            ConditionDoc::Scenario("us_backstop".into()),
        ];
        let posted = read_form(
            &post(&[OfferRow::of(0, &o)]),
            "GBR",
            &demo(),
            &BTreeSet::new(),
        );
        let back = &posted.content.offers[0];
        assert_eq!(back.caveats, o.caveats);
        assert!(
            changes(
                &demo(),
                (std::slice::from_ref(&o), &[]),
                (std::slice::from_ref(back), &[])
            )
            .is_empty(),
            "reordered conditions are no change"
        );
    }

    #[test]
    fn changes_between_revisions_are_listed() {
        let a = [offer("GBR-1", 1), offer("GBR-2", 1)];
        let b = [offer("GBR-1", 3), offer("GBR-3", 1)];
        let c = changes(&demo(), (&a, &[]), (&b, &[]));
        assert_eq!(
            c,
            [
                "changed GBR-1: units 1 → 3",
                "added GBR-3: 1 × Armoured brigade",
                "removed GBR-2 (was 1 × Armoured brigade)"
            ]
        );
    }
}
