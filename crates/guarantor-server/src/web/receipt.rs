//! A proposal written out in words, line by line: what a capital reviews before submitting,
//! what printing its page gives (a receipt of what was submitted), and a past revision shown
//! whole. Ids become the names people read (phases, sectors, facts, capitals).

use guarantor_domain::CampaignDocument;
use guarantor_domain::document::{AnswerDoc, CaveatDoc, ConditionDoc, OfferDoc};

use super::Lists;

/// One offer line in words.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ReceiptLine {
    pub id: String,
    /// The capability's name and unit.
    pub what: String,
    pub units: i64,
    /// The phases it serves.
    pub when: String,
    /// Where it may serve.
    pub place: String,
    /// Rotation, caveats and restrictions, in words (empty: none).
    pub restrictions: Vec<String>,
    /// Conditions, in words (empty: unconditional).
    pub conditions: Vec<String>,
    pub cost: String,
    pub paid_by: String,
    pub note: String,
}

/// A whole proposal (a draft or a revision) in words.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Receipt {
    /// What it is, e.g. "Revision 2, submitted 2026-12-01 10:42 UTC".
    pub caption: String,
    pub lines: Vec<ReceiptLine>,
    /// (question, answer) in the questionnaire's order; unanswered questions left out.
    pub answers: Vec<(String, String)>,
}

impl Receipt {
    /// Whether it offers nothing and answers nothing.
    pub fn is_empty(&self) -> bool {
        self.lines.is_empty() && self.answers.is_empty()
    }
}

/// The receipt of `offers` and `answers` under `doc`'s questionnaire, lines in the page's order
/// (by questionnaire section, then as given).
pub(crate) fn receipt(
    doc: &CampaignDocument,
    caption: String,
    offers: &[OfferDoc],
    answers: &[AnswerDoc],
) -> Receipt {
    let lists = Lists::of(doc);
    let label = |list: &[(String, String)], id: &str| Lists::label(list, id);
    let section_of = |o: &OfferDoc| {
        let category = doc
            .catalogue
            .iter()
            .find(|c| c.id == o.capability)
            .map(|c| c.category);
        doc.questionnaire
            .sections
            .iter()
            .position(|s| category.is_some_and(|c| s.offer_categories.contains(&c)))
            .unwrap_or(usize::MAX)
    };
    let mut ordered: Vec<&OfferDoc> = offers.iter().collect();
    ordered.sort_by_key(|o| section_of(o));
    let lines = ordered
        .into_iter()
        .map(|o| {
            let what = doc
                .catalogue
                .iter()
                .find(|c| c.id == o.capability)
                .map_or_else(
                    || o.capability.clone(),
                    |c| format!("{} (per {})", c.name, c.unit),
                );
            let from = label(&lists.phases, &o.earliest_phase);
            let when = match &o.last_phase {
                Some(last) if *last == o.earliest_phase => from,
                Some(last) => format!("{from} to {}", label(&lists.phases, last)),
                None => format!("from {from} on"),
            };
            let place = match &o.sectors {
                Some(s) if !s.is_empty() => s
                    .iter()
                    .map(|x| label(&lists.sectors, x))
                    .collect::<Vec<_>>()
                    .join(", "),
                _ => "any sector".to_owned(),
            };
            let mut restrictions = Vec::new();
            if o.rotation_backed {
                restrictions
                    .push("rotation-backed: the units to relieve them are included".to_owned());
            }
            for c in &o.caveats {
                restrictions.push(match c {
                    CaveatDoc::NoContactLine => "not at the line of contact".to_owned(),
                    CaveatDoc::OutOfCountryOnly => "from outside the country only".to_owned(),
                    CaveatDoc::NoCombatRole => "no combat role".to_owned(),
                    CaveatDoc::NoSharedRotation => "rotates only its own units".to_owned(),
                    CaveatDoc::ExcludedSectors(s) => format!(
                        "not in {}",
                        s.iter()
                            .map(|x| label(&lists.sectors, x))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                    CaveatDoc::Other(t) => t.clone(),
                });
            }
            let conditions = o
                .conditions
                .iter()
                .map(|c| match c {
                    ConditionDoc::Scenario(f) => {
                        format!("only if: {}", label(&lists.facts, f))
                    }
                    ConditionDoc::IfCommits(r) => {
                        format!("only if {} commits", label(&lists.payers, r))
                    }
                    ConditionDoc::MinPartners(n) => {
                        format!(
                            "only with at least {n} partner{}",
                            if *n == 1 { "" } else { "s" }
                        )
                    }
                })
                .collect();
            ReceiptLine {
                id: o.id.clone(),
                what,
                units: o.quantity,
                when,
                place,
                restrictions,
                conditions,
                cost: o.cost_per_unit_year.as_ref().map_or_else(
                    || "not stated".to_owned(),
                    |m| {
                        format!(
                            "{} {} m per unit per year",
                            m.currency,
                            super::proposal_form::trim_number(m.amount_m)
                        )
                    },
                ),
                paid_by: label(&lists.payers, &o.paid_by),
                note: o.note.clone(),
            }
        })
        .collect();
    let answers = doc
        .questionnaire
        .sections
        .iter()
        .flat_map(|s| &s.questions)
        .filter_map(|q| {
            answers
                .iter()
                .find(|a| a.question == q.id && !a.text.trim().is_empty())
                .map(|a| (q.text.clone(), a.text.clone()))
        })
        .collect();
    Receipt {
        caption,
        lines,
        answers,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_line_reads_in_words_with_names_not_ids() {
        let doc = crate::web::demo_document();
        let line = OfferDoc {
            answers_ask: None,
            id: "CYP-1".into(),
            capability: "brigade.mechanised".into(),
            quantity: 2,
            earliest_phase: "P1".into(),
            last_phase: None,
            rotation_backed: true,
            sectors: Some(vec!["west".into()]),
            caveats: vec![CaveatDoc::NoContactLine],
            cost_per_unit_year: None,
            paid_by: "common_fund".into(),
            conditions: vec![
                ConditionDoc::Scenario("us_backstop".into()),
                ConditionDoc::IfCommits("GRC".into()),
                ConditionDoc::MinPartners(3),
            ],
            note: String::new(),
        };
        let r = receipt(&doc, "Draft".into(), &[line], &[]);
        let l = &r.lines[0];
        assert!(l.what.starts_with("Mechanised brigade"), "{}", l.what);
        assert!(
            !l.when.contains("P1") && l.when.starts_with("from "),
            "{}",
            l.when
        );
        assert!(
            !l.place.contains("west") || l.place.contains(' '),
            "{}",
            l.place
        );
        assert_eq!(l.paid_by, "The common fund");
        assert!(
            l.conditions.iter().any(|c| c == "only if Greece commits"),
            "{:?}",
            l.conditions
        );
        assert!(
            l.conditions
                .iter()
                .any(|c| c.starts_with("only if: The United States")),
            "{:?}",
            l.conditions
        );
        assert!(
            l.conditions
                .iter()
                .any(|c| c == "only with at least 3 partners")
        );
        assert!(
            l.restrictions
                .iter()
                .any(|c| c == "not at the line of contact")
        );
        assert!(!r.is_empty());
        assert!(receipt(&doc, "Draft".into(), &[], &[]).is_empty());
    }
}
