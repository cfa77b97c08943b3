//! The setup's structured parts as forms: facts, the questionnaire (sections and their
//! questions) and the scenarios (facts, troop ceiling, closed sectors, excluded contributors).
//! Each is shown from the campaign with an empty entry to add one, read back from the post as
//! typed, and turned into the campaign file's parts; what cannot be read is named, and the rest
//! still goes to the campaign's validation so that every problem comes at once.
//!
//! Field names: `f{i}.id` (facts), `s{i}.title`, `s{i}.q{j}.text` (sections, questions),
//! `c{i}.name`, `c{i}.fact.{fact}`, `c{i}.x{j}.member_of` (scenarios, exclusions). Indices are
//! row numbers on the page, read in the order the page sent them.

use std::collections::BTreeMap;

use guarantor_domain::CampaignDocument;
use guarantor_domain::document::{
    CategoryDoc, ExclusionDoc, FactDoc, QuestionDoc, QuestionnaireDoc, ScenarioDoc, SectionDoc,
};

use super::FormData;

/// Every category with its name in the file and on the page.
pub(crate) const CATEGORIES: [(CategoryDoc, &str, &str); 5] = [
    (CategoryDoc::Troops, "troops", "Troops"),
    (CategoryDoc::Hardware, "hardware", "Hardware"),
    (CategoryDoc::Enablers, "enablers", "Enablers"),
    (CategoryDoc::Funding, "funding", "Funding"),
    (
        CategoryDoc::Arrangement,
        "arrangement",
        "Security arrangements",
    ),
];

fn category_id(c: CategoryDoc) -> &'static str {
    CATEGORIES
        .iter()
        .find(|(x, _, _)| *x == c)
        .map_or("", |(_, id, _)| id)
}

/// A fact as typed.
#[derive(Debug, Clone, Default)]
pub(crate) struct FactRow {
    pub index: usize,
    pub id: String,
    pub description: String,
}

/// A question as typed.
#[derive(Debug, Clone, Default)]
pub(crate) struct QuestionRow {
    pub index: usize,
    pub id: String,
    pub text: String,
    pub help: String,
    pub required: bool,
}

/// A section as typed, with its questions and an empty one to add.
#[derive(Debug, Clone, Default)]
pub(crate) struct SectionRow {
    pub index: usize,
    pub id: String,
    pub title: String,
    pub description: String,
    pub categories: Vec<String>,
    pub lines_required: bool,
    pub questions: Vec<QuestionRow>,
}

impl SectionRow {
    /// Whether its table takes `category`.
    pub fn takes(&self, category: &&str) -> bool {
        self.categories.iter().any(|c| c == category)
    }
}

/// An exclusion of contributors as typed.
#[derive(Debug, Clone, Default)]
pub(crate) struct ExclusionRow {
    pub index: usize,
    pub member_of: String,
    pub respondents: Vec<String>,
    pub categories: Vec<String>,
    pub note: String,
}

impl ExclusionRow {
    /// Whether capital `code` is excluded by name.
    pub fn names(&self, code: &str) -> bool {
        self.respondents.iter().any(|c| c == code)
    }

    /// Whether it applies to `category`.
    pub fn covers(&self, category: &&str) -> bool {
        self.categories.iter().any(|c| c == category)
    }
}

/// A scenario as typed.
#[derive(Debug, Clone, Default)]
pub(crate) struct ScenarioRow {
    pub index: usize,
    pub id: String,
    pub name: String,
    pub description: String,
    /// (fact id, "holds" / "does_not_hold" / "" unset), for every fact of the campaign.
    pub facts: Vec<(String, String)>,
    pub ceiling: String,
    pub closed: Vec<String>,
    pub exclusions: Vec<ExclusionRow>,
}

impl ScenarioRow {
    /// Whether sector `id` is closed.
    pub fn closes(&self, id: &str) -> bool {
        self.closed.iter().any(|s| s == id)
    }
}

/// The structured parts of the setup as the page shows them.
#[derive(Debug, Clone, Default)]
pub(crate) struct SetupParts {
    pub questionnaire_version: String,
    pub facts: Vec<FactRow>,
    pub sections: Vec<SectionRow>,
    pub scenarios: Vec<ScenarioRow>,
}

impl SetupParts {
    /// The parts of a campaign, each list with an empty entry to add one.
    pub fn of(doc: &CampaignDocument) -> Self {
        let mut parts = Self {
            questionnaire_version: doc.questionnaire.version.to_string(),
            facts: doc
                .facts
                .iter()
                .enumerate()
                .map(|(index, f)| FactRow {
                    index,
                    id: f.id.clone(),
                    description: f.description.clone(),
                })
                .collect(),
            sections: doc
                .questionnaire
                .sections
                .iter()
                .enumerate()
                .map(|(index, s)| SectionRow {
                    index,
                    id: s.id.clone(),
                    title: s.title.clone(),
                    description: s.description.clone(),
                    categories: s
                        .offer_categories
                        .iter()
                        .map(|c| category_id(*c).to_owned())
                        .collect(),
                    lines_required: s.lines_required,
                    questions: s
                        .questions
                        .iter()
                        .enumerate()
                        .map(|(index, q)| QuestionRow {
                            index,
                            id: q.id.clone(),
                            text: q.text.clone(),
                            help: q.help.clone(),
                            required: q.required,
                        })
                        .collect(),
                })
                .collect(),
            scenarios: doc
                .scenarios
                .iter()
                .enumerate()
                .map(|(index, s)| ScenarioRow {
                    index,
                    id: s.id.clone(),
                    name: s.name.clone(),
                    description: s.description.clone(),
                    facts: doc
                        .facts
                        .iter()
                        .map(|f| {
                            let v = match s.facts.get(&f.id) {
                                Some(true) => "holds",
                                Some(false) => "does_not_hold",
                                None => "",
                            };
                            (f.id.clone(), v.to_owned())
                        })
                        .collect(),
                    ceiling: s.troop_ceiling.map(|c| c.to_string()).unwrap_or_default(),
                    closed: s.excluded_sectors.clone(),
                    exclusions: s
                        .excluded_contributors
                        .iter()
                        .enumerate()
                        .map(|(index, e)| ExclusionRow {
                            index,
                            member_of: e.member_of.clone().unwrap_or_default(),
                            respondents: e.respondents.clone(),
                            categories: e
                                .categories
                                .iter()
                                .map(|c| category_id(*c).to_owned())
                                .collect(),
                            note: e.note.clone(),
                        })
                        .collect(),
                })
                .collect(),
        };
        parts.add_empty_entries();
        parts
    }

    /// Appends the empty fact, section, question, scenario and exclusion that add one each.
    pub fn add_empty_entries(&mut self) {
        let fact_ids: Vec<String> = self
            .facts
            .iter()
            .map(|f| f.id.clone())
            .filter(|id| !id.is_empty())
            .collect();
        self.facts.push(FactRow {
            index: self.facts.len(),
            ..FactRow::default()
        });
        for s in &mut self.sections {
            s.questions.push(QuestionRow {
                index: s.questions.len(),
                ..QuestionRow::default()
            });
        }
        self.sections.push(SectionRow {
            index: self.sections.len(),
            questions: vec![QuestionRow::default()],
            ..SectionRow::default()
        });
        self.scenarios.push(ScenarioRow {
            index: self.scenarios.len(),
            ..ScenarioRow::default()
        });
        for c in &mut self.scenarios {
            // Every fact gets its choice, a fact added in this save included.
            for id in &fact_ids {
                if !c.facts.iter().any(|(f, _)| f == id) {
                    c.facts.push((id.clone(), String::new()));
                }
            }
            c.exclusions.push(ExclusionRow {
                index: c.exclusions.len(),
                ..ExclusionRow::default()
            });
        }
    }

    /// The parts as posted, renumbered in page order, without removed or empty entries.
    pub fn read(form: &FormData) -> Self {
        let rows = |prefix: &str| -> Vec<String> {
            // "f0.", "f3." …: the row prefixes of one list, in the order the page sent them.
            let mut seen: Vec<String> = Vec::new();
            for name in form.names() {
                if let Some(rest) = name.strip_prefix(prefix)
                    && let Some((n, _)) = rest.split_once('.')
                    && n.parse::<usize>().is_ok()
                {
                    let row = format!("{prefix}{n}.");
                    if !seen.contains(&row) {
                        seen.push(row);
                    }
                }
            }
            seen
        };
        let get = |row: &str, field: &str| form.get(&format!("{row}{field}")).trim().to_owned();
        let all = |row: &str, field: &str| -> Vec<String> {
            form.all(&format!("{row}{field}"))
                .into_iter()
                .map(str::to_owned)
                .collect()
        };
        let removed = |row: &str| form.ticked(&format!("{row}remove"));
        let facts: Vec<FactRow> = rows("f")
            .iter()
            .filter(|r| !removed(r))
            .map(|r| FactRow {
                index: 0,
                id: get(r, "id"),
                description: get(r, "description"),
            })
            .filter(|f| !(f.id.is_empty() && f.description.is_empty()))
            .enumerate()
            .map(|(index, f)| FactRow { index, ..f })
            .collect();
        let sections: Vec<SectionRow> = rows("s")
            .iter()
            .filter(|r| !removed(r))
            .map(|r| {
                let questions: Vec<QuestionRow> = rows(&format!("{r}q"))
                    .iter()
                    .filter(|q| !removed(q))
                    .map(|q| QuestionRow {
                        index: 0,
                        id: get(q, "id"),
                        text: get(q, "text"),
                        help: get(q, "help"),
                        required: form.ticked(&format!("{q}required")),
                    })
                    .filter(|q| !(q.id.is_empty() && q.text.is_empty() && q.help.is_empty()))
                    .enumerate()
                    .map(|(index, q)| QuestionRow { index, ..q })
                    .collect();
                SectionRow {
                    index: 0,
                    id: get(r, "id"),
                    title: get(r, "title"),
                    description: get(r, "description"),
                    categories: all(r, "categories"),
                    lines_required: form.ticked(&format!("{r}lines_required")),
                    questions,
                }
            })
            .filter(|s| {
                !(s.id.is_empty()
                    && s.title.is_empty()
                    && s.description.is_empty()
                    && s.categories.is_empty()
                    && s.questions.is_empty())
            })
            .enumerate()
            .map(|(index, s)| SectionRow { index, ..s })
            .collect();
        let scenarios: Vec<ScenarioRow> = rows("c")
            .iter()
            .filter(|r| !removed(r))
            .map(|r| {
                let exclusions: Vec<ExclusionRow> = rows(&format!("{r}x"))
                    .iter()
                    .filter(|x| !removed(x))
                    .map(|x| ExclusionRow {
                        index: 0,
                        member_of: get(x, "member_of"),
                        respondents: all(x, "respondents"),
                        categories: all(x, "categories"),
                        note: get(x, "note"),
                    })
                    .filter(|x| !(x.member_of.is_empty() && x.respondents.is_empty()))
                    .enumerate()
                    .map(|(index, x)| ExclusionRow { index, ..x })
                    .collect();
                let fact_prefix = format!("{r}fact.");
                let mut facts: Vec<(String, String)> = Vec::new();
                for name in form.names() {
                    if let Some(fact) = name.strip_prefix(&fact_prefix)
                        && !facts.iter().any(|(f, _)| f == fact)
                    {
                        facts.push((fact.to_owned(), form.get(name).to_owned()));
                    }
                }
                ScenarioRow {
                    index: 0,
                    id: get(r, "id"),
                    name: get(r, "name"),
                    description: get(r, "description"),
                    facts,
                    ceiling: get(r, "ceiling"),
                    closed: all(r, "closed"),
                    exclusions,
                }
            })
            .filter(|c| {
                !(c.id.is_empty()
                    && c.name.is_empty()
                    && c.description.is_empty()
                    && c.ceiling.is_empty()
                    && c.closed.is_empty()
                    && c.exclusions.is_empty())
            })
            .enumerate()
            .map(|(index, c)| ScenarioRow { index, ..c })
            .collect();
        Self {
            questionnaire_version: form.get("questionnaire_version").trim().to_owned(),
            facts,
            sections,
            scenarios,
        }
    }

    /// Writes the parts into `doc`; returns what could not be read, each named (the rest is
    /// written, for the campaign's validation to check).
    pub fn write_into(&self, doc: &mut CampaignDocument) -> Vec<String> {
        let mut problems = Vec::new();
        let category = |id: &str| {
            CATEGORIES
                .iter()
                .find(|(_, c, _)| *c == id)
                .map(|(c, _, _)| *c)
        };
        match self.questionnaire_version.parse::<i64>() {
            Ok(v) => doc.questionnaire.version = v,
            Err(_) => problems.push(format!(
                "questionnaire version: give a whole number, 1 or more (got \"{}\")",
                self.questionnaire_version
            )),
        }
        doc.facts = self
            .facts
            .iter()
            .map(|f| FactDoc {
                id: f.id.clone(),
                description: f.description.clone(),
            })
            .collect();
        doc.questionnaire = QuestionnaireDoc {
            version: doc.questionnaire.version,
            sections: self
                .sections
                .iter()
                .map(|s| SectionDoc {
                    id: s.id.clone(),
                    title: s.title.clone(),
                    description: s.description.clone(),
                    offer_categories: s.categories.iter().filter_map(|c| category(c)).collect(),
                    questions: s
                        .questions
                        .iter()
                        .map(|q| QuestionDoc {
                            id: q.id.clone(),
                            text: q.text.clone(),
                            help: q.help.clone(),
                            required: q.required,
                        })
                        .collect(),
                    lines_required: s.lines_required,
                })
                .collect(),
        };
        doc.scenarios = self
            .scenarios
            .iter()
            .map(|c| {
                let troop_ceiling = if c.ceiling.is_empty() {
                    None
                } else {
                    match c.ceiling.replace([',', ' '], "").parse::<i64>() {
                        Ok(n) => Some(n),
                        Err(_) => {
                            problems.push(format!(
                                "scenario \"{}\": the troop ceiling must be a whole number of persons, or empty for none (got \"{}\")",
                                c.name, c.ceiling
                            ));
                            None
                        }
                    }
                };
                let facts: BTreeMap<String, bool> = c
                    .facts
                    .iter()
                    .filter_map(|(f, v)| match v.as_str() {
                        "holds" => Some((f.clone(), true)),
                        "does_not_hold" => Some((f.clone(), false)),
                        _ => None,
                    })
                    .collect();
                ScenarioDoc {
                    id: c.id.clone(),
                    name: c.name.clone(),
                    description: c.description.clone(),
                    facts,
                    excluded_contributors: c
                        .exclusions
                        .iter()
                        .map(|x| ExclusionDoc {
                            member_of: (!x.member_of.is_empty()).then(|| x.member_of.clone()),
                            respondents: x.respondents.clone(),
                            categories: x.categories.iter().filter_map(|c| category(c)).collect(),
                            note: x.note.clone(),
                        })
                        .collect(),
                    troop_ceiling,
                    excluded_sectors: c.closed.clone(),
                }
            })
            .collect();
        problems
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn demo() -> CampaignDocument {
        crate::web::demo_document()
    }

    /// What the page shows, posted back unchanged, is the same campaign: the structured form
    /// loses nothing of the facts, questionnaire and scenarios.
    #[test]
    fn the_parts_shown_and_posted_back_are_the_same_campaign() {
        let doc = demo();
        let parts = SetupParts::of(&doc);
        let mut pairs: Vec<(String, String)> = vec![(
            "questionnaire_version".into(),
            parts.questionnaire_version.clone(),
        )];
        for f in &parts.facts {
            pairs.push((format!("f{}.id", f.index), f.id.clone()));
            pairs.push((format!("f{}.description", f.index), f.description.clone()));
        }
        for s in &parts.sections {
            let r = format!("s{}.", s.index);
            pairs.push((format!("{r}id"), s.id.clone()));
            pairs.push((format!("{r}title"), s.title.clone()));
            pairs.push((format!("{r}description"), s.description.clone()));
            for c in &s.categories {
                pairs.push((format!("{r}categories"), c.clone()));
            }
            if s.lines_required {
                pairs.push((format!("{r}lines_required"), "on".into()));
            }
            for q in &s.questions {
                let r = format!("{r}q{}.", q.index);
                pairs.push((format!("{r}id"), q.id.clone()));
                pairs.push((format!("{r}text"), q.text.clone()));
                pairs.push((format!("{r}help"), q.help.clone()));
                if q.required {
                    pairs.push((format!("{r}required"), "on".into()));
                }
            }
        }
        for c in &parts.scenarios {
            let r = format!("c{}.", c.index);
            pairs.push((format!("{r}id"), c.id.clone()));
            pairs.push((format!("{r}name"), c.name.clone()));
            pairs.push((format!("{r}description"), c.description.clone()));
            for (f, v) in &c.facts {
                pairs.push((format!("{r}fact.{f}"), v.clone()));
            }
            pairs.push((format!("{r}ceiling"), c.ceiling.clone()));
            for s in &c.closed {
                pairs.push((format!("{r}closed"), s.clone()));
            }
            for x in &c.exclusions {
                let r = format!("{r}x{}.", x.index);
                pairs.push((format!("{r}member_of"), x.member_of.clone()));
                for code in &x.respondents {
                    pairs.push((format!("{r}respondents"), code.clone()));
                }
                for cat in &x.categories {
                    pairs.push((format!("{r}categories"), cat.clone()));
                }
                pairs.push((format!("{r}note"), x.note.clone()));
            }
        }
        let form = FormData::from_pairs(pairs);
        let mut back = doc.clone();
        back.facts.clear();
        back.scenarios.clear();
        let problems = SetupParts::read(&form).write_into(&mut back);
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(back.facts, doc.facts);
        assert_eq!(back.questionnaire, doc.questionnaire);
        assert_eq!(back.scenarios, doc.scenarios);
    }

    #[test]
    fn an_unreadable_ceiling_is_named_and_the_rest_still_written() {
        let form = FormData::from_pairs(vec![
            ("questionnaire_version".into(), "2".into()),
            ("c0.id".into(), "capped".into()),
            ("c0.name".into(), "Capped".into()),
            ("c0.ceiling".into(), "lots".into()),
        ]);
        let mut doc = demo();
        let problems = SetupParts::read(&form).write_into(&mut doc);
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(problems[0].contains("\"lots\""), "{problems:?}");
        assert_eq!(doc.questionnaire.version, 2);
        assert_eq!(doc.scenarios.len(), 1);
        assert_eq!(doc.scenarios[0].id, "capped");
    }
}
