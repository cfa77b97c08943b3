//! The way back: a validated [`Campaign`] written as a [`CampaignDocument`] (format version 1).

use crate::document::{
    AnswerDoc, CampaignDocument, CampaignInfoDoc, CapabilityDoc, CaveatDoc, CompositionDoc,
    ConditionDoc, DraftDoc, ExclusionDoc, FORMAT_VERSION, FactDoc, FactsDoc, MoneyDoc, OfferDoc,
    PartDoc, PhaseDoc, PostureDoc, ProposalDoc, QuestionDoc, QuestionnaireDoc, RequirementDoc,
    RespondentDoc, RevisionDoc, ScenarioDoc, SectionDoc, SectorDoc, WithdrawalDoc,
};
use crate::document::{
    AskDoc, DeclineDoc, HypotheticalOfferDoc, PlacementDoc, PlanDoc, PledgeDoc, PledgeEventDoc,
    PledgeEventKindDoc, ReadinessLevelDoc, RemovedOfferDoc, WhatIfDoc,
};
use crate::model::{Answer, Campaign, Caveat, Condition, Offer};
use crate::plans::{Plan, PledgeEventKind};
use crate::quantity::Figure;

fn strings<T: ToString>(items: impl IntoIterator<Item = T>) -> Vec<String> {
    items.into_iter().map(|x| x.to_string()).collect()
}

fn fig(f: Option<Figure>) -> Option<f64> {
    f.map(Figure::get)
}

fn offer_doc(o: &Offer) -> OfferDoc {
    OfferDoc {
        id: o.id.to_string(),
        capability: o.capability.to_string(),
        quantity: i64::from(o.quantity.get()),
        earliest_phase: o.earliest_phase.to_string(),
        last_phase: o.last_phase.as_ref().map(ToString::to_string),
        rotation_backed: o.rotation_backed,
        sectors: o.sectors.as_ref().map(strings),
        caveats: o
            .caveats
            .iter()
            .map(|c| match c {
                Caveat::NoContactLine => CaveatDoc::NoContactLine,
                Caveat::OutOfCountryOnly => CaveatDoc::OutOfCountryOnly,
                Caveat::NoCombatRole => CaveatDoc::NoCombatRole,
                Caveat::NoSharedRotation => CaveatDoc::NoSharedRotation,
                Caveat::Other(t) => CaveatDoc::Other(t.clone()),
                Caveat::ExcludedSectors(s) => CaveatDoc::ExcludedSectors(strings(s)),
            })
            .collect(),
        cost_per_unit_year: o.cost_per_unit_year.map(|m| MoneyDoc {
            amount_m: m.millions(),
            currency: m.currency().to_string(),
        }),
        paid_by: o.paid_by.to_file_string(),
        conditions: o
            .conditions
            .iter()
            .map(|c| match c {
                Condition::Scenario(f) => ConditionDoc::Scenario(f.to_string()),
                Condition::IfCommits(r) => ConditionDoc::IfCommits(r.to_string()),
                Condition::MinPartners(n) => ConditionDoc::MinPartners(i64::from(*n)),
            })
            .collect(),
        note: o.note.clone(),
        answers_ask: o.answers_ask.clone(),
    }
}

fn answer_docs(answers: &[Answer]) -> Vec<AnswerDoc> {
    answers
        .iter()
        .map(|a| AnswerDoc {
            question: a.question.to_string(),
            text: a.text.clone(),
        })
        .collect()
}

impl Campaign {
    /// Writes the campaign as a file document of the current format version.
    pub fn to_document(&self) -> CampaignDocument {
        let i = &self.info;
        CampaignDocument {
            format_version: FORMAT_VERSION,
            campaign: CampaignInfoDoc {
                id: i.id.to_string(),
                title: i.title.clone(),
                issuer: i.issuer.clone(),
                purpose: i.purpose.clone(),
                deadline: i.deadline,
                currency: i.currency.to_string(),
                exchange_rates: i
                    .exchange_rates
                    .iter()
                    .map(|(k, v)| (k.to_string(), *v))
                    .collect(),
                illustrative: i.illustrative,
                note: i.note.clone(),
                contact: i.contact.clone(),
            },
            phases: self
                .phases
                .iter()
                .map(|p| PhaseDoc {
                    id: p.id.to_string(),
                    name: p.name.clone(),
                    description: p.description.clone(),
                    enduring: p.enduring,
                })
                .collect(),
            sectors: self
                .sectors
                .iter()
                .map(|s| SectorDoc {
                    id: s.id.to_string(),
                    name: s.name.clone(),
                    kind: s.kind,
                    contact_line: s.contact_line,
                    description: s.description.clone(),
                })
                .collect(),
            catalogue: self
                .catalogue
                .iter()
                .map(|c| CapabilityDoc {
                    id: c.id.to_string(),
                    name: c.name.clone(),
                    category: c.category,
                    unit: c.unit.clone(),
                    personnel_per_unit: i64::from(c.personnel_per_unit),
                    rotation_ratio: c.rotation_ratio.get(),
                    description: c.description.clone(),
                    composition: c.composition.as_ref().map(|k| CompositionDoc {
                        lead: k.lead.to_string(),
                        parts: k
                            .parts
                            .iter()
                            .map(|p| PartDoc {
                                capability: p.capability.to_string(),
                                quantity: i64::from(p.quantity),
                            })
                            .collect(),
                    }),
                })
                .collect(),
            respondents: self
                .respondents
                .iter()
                .map(|r| RespondentDoc {
                    code: r.code.to_string(),
                    name: r.name.clone(),
                    invited: r.invited,
                    memberships: strings(&r.memberships),
                    facts: FactsDoc {
                        population_millions: fig(r.facts.population_millions),
                        gdp_usd_bn: fig(r.facts.gdp_usd_bn),
                        defence_expenditure_usd_bn: fig(r.facts.defence_expenditure_usd_bn),
                        defence_pct_gdp: fig(r.facts.defence_pct_gdp),
                        active_personnel_thousands: fig(r.facts.active_personnel_thousands),
                        military_aid_committed_eur_bn: fig(r.facts.military_aid_committed_eur_bn),
                    },
                    sources: r.sources.clone(),
                })
                .collect(),
            requirements: self.requirements.iter().map(requirement_doc).collect(),
            postures: self
                .postures
                .iter()
                .map(|p| PostureDoc {
                    id: p.id.clone(),
                    name: p.name.clone(),
                    description: p.description.clone(),
                    source: p.source.clone(),
                    requirements: p.requirements.iter().map(requirement_doc).collect(),
                })
                .collect(),
            questionnaire: QuestionnaireDoc {
                version: i64::from(self.questionnaire.version),
                sections: self
                    .questionnaire
                    .sections
                    .iter()
                    .map(|s| SectionDoc {
                        id: s.id.to_string(),
                        title: s.title.clone(),
                        description: s.description.clone(),
                        offer_categories: s.offer_categories.clone(),
                        questions: s
                            .questions
                            .iter()
                            .map(|q| QuestionDoc {
                                id: q.id.to_string(),
                                text: q.text.clone(),
                                help: q.help.clone(),
                                required: q.required,
                            })
                            .collect(),
                        lines_required: s.lines_required,
                    })
                    .collect(),
            },
            facts: self
                .facts
                .iter()
                .map(|f| FactDoc {
                    id: f.id.to_string(),
                    description: f.description.clone(),
                })
                .collect(),
            scenarios: self
                .scenarios
                .iter()
                .map(|s| ScenarioDoc {
                    id: s.id.to_string(),
                    name: s.name.clone(),
                    description: s.description.clone(),
                    facts: s.facts.iter().map(|(k, v)| (k.to_string(), *v)).collect(),
                    excluded_contributors: s
                        .excluded_contributors
                        .iter()
                        .map(|e| ExclusionDoc {
                            member_of: e.member_of.as_ref().map(ToString::to_string),
                            respondents: strings(&e.respondents),
                            categories: e.categories.iter().copied().collect(),
                            note: e.note.clone(),
                        })
                        .collect(),
                    troop_ceiling: s.troop_ceiling.map(i64::from),
                    excluded_sectors: strings(&s.excluded_sectors),
                })
                .collect(),
            proposals: self
                .proposals
                .iter()
                .map(|p| ProposalDoc {
                    respondent: p.respondent.to_string(),
                    draft: p.draft.as_ref().map(|d| DraftDoc {
                        updated_at: d.updated_at,
                        updated_by: d.updated_by.clone(),
                        offers: d.offers.iter().map(offer_doc).collect(),
                        answers: answer_docs(&d.answers),
                    }),
                    revisions: p
                        .revisions
                        .iter()
                        .map(|r| RevisionDoc {
                            number: i64::from(r.number),
                            submitted_at: r.submitted_at,
                            submitted_by: r.submitted_by.clone(),
                            questionnaire_version: i64::from(r.questionnaire_version),
                            offers: r.offers.iter().map(offer_doc).collect(),
                            answers: answer_docs(&r.answers),
                            note: r.note.clone(),
                        })
                        .collect(),
                    withdrawn: p.withdrawn.as_ref().map(|w| WithdrawalDoc {
                        at: w.at,
                        by: w.by.clone(),
                        reason: w.reason.clone(),
                    }),
                })
                .collect(),
            what_ifs: self
                .what_ifs
                .iter()
                .map(|w| WhatIfDoc {
                    id: w.id.clone(),
                    name: w.name.clone(),
                    note: w.note.clone(),
                    created_by: w.created_by.clone(),
                    added: w
                        .changes
                        .added
                        .iter()
                        .map(|a| HypotheticalOfferDoc {
                            respondent: a.respondent.to_string(),
                            offer: offer_doc(&a.offer),
                        })
                        .collect(),
                    removed: w
                        .changes
                        .removed
                        .iter()
                        .map(|r| RemovedOfferDoc {
                            respondent: r.respondent.to_string(),
                            offer: r.offer.to_string(),
                        })
                        .collect(),
                })
                .collect(),
            asks: self
                .asks
                .iter()
                .map(|a| AskDoc {
                    id: a.id.clone(),
                    respondent: a.respondent.to_string(),
                    capability: a.capability.to_string(),
                    quantity: i64::from(a.quantity.get()),
                    earliest_phase: a.earliest_phase.to_string(),
                    last_phase: a.last_phase.as_ref().map(ToString::to_string),
                    sectors: a.sectors.as_ref().map(strings),
                    requirements: strings(&a.requirements),
                    message: a.message.clone(),
                    reply_by: a.reply_by,
                    created_at: a.created_at,
                    created_by: a.created_by.clone(),
                    declined: a.declined.as_ref().map(decline_doc),
                    withdrawn: a.withdrawn.as_ref().map(decline_doc),
                })
                .collect(),
            readiness_levels: self
                .readiness_levels
                .iter()
                .map(|l| ReadinessLevelDoc {
                    level: i64::from(l.level),
                    name: l.name.clone(),
                    days: l.days.map(i64::from),
                })
                .collect(),
            plans: self.plans.iter().map(plan_doc).collect(),
        }
    }
}

/// A plan as the campaign file writes it.
fn plan_doc(p: &Plan) -> PlanDoc {
    PlanDoc {
        version: i64::from(p.version),
        adopted_at: p.adopted_at,
        adopted_by: p.adopted_by.clone(),
        scenario: p.scenario.to_string(),
        option: p.option.clone(),
        note: p.note.clone(),
        pledges: p
            .pledges
            .iter()
            .map(|x| PledgeDoc {
                id: x.id.clone(),
                respondent: x.respondent.to_string(),
                offer: x.offer.to_string(),
                capability: x.capability.to_string(),
                units: i64::from(x.units),
                placements: x
                    .placements
                    .iter()
                    .map(|pl| PlacementDoc {
                        requirement: pl.requirement.to_string(),
                        units: i64::from(pl.units),
                        pooled: pl.pooled,
                        assembled: pl.assembled,
                    })
                    .collect(),
                events: x
                    .events
                    .iter()
                    .map(|e| PledgeEventDoc {
                        at: e.at,
                        by: e.by.clone(),
                        event: event_doc(&e.kind),
                    })
                    .collect(),
            })
            .collect(),
    }
}

impl PledgeEventKind {
    /// The event as the campaign file writes it.
    pub fn to_doc(&self) -> PledgeEventKindDoc {
        event_doc(self)
    }
}

fn event_doc(kind: &PledgeEventKind) -> PledgeEventKindDoc {
    match kind {
        PledgeEventKind::Confirmed {
            readiness_level,
            ready_from,
        } => PledgeEventKindDoc::Confirmed {
            readiness_level: i64::from(*readiness_level),
            ready_from: *ready_from,
        },
        PledgeEventKind::Declined { reason } => PledgeEventKindDoc::Declined {
            reason: reason.clone(),
        },
        PledgeEventKind::Verified { how, notes } => PledgeEventKindDoc::Verified {
            how: how.clone(),
            notes: notes.clone(),
        },
        PledgeEventKind::Delivered { units, on } => PledgeEventKindDoc::Delivered {
            units: i64::from(*units),
            on: *on,
        },
        PledgeEventKind::Released { reason } => PledgeEventKindDoc::Released {
            reason: reason.clone(),
        },
        PledgeEventKind::Withdrawn { reason } => PledgeEventKindDoc::Withdrawn {
            reason: reason.clone(),
        },
    }
}

/// A requirement line as the campaign file writes it (the campaign's and a posture's alike).
fn requirement_doc(r: &crate::model::Requirement) -> RequirementDoc {
    RequirementDoc {
        id: r.id.to_string(),
        capability: r.capability.to_string(),
        quantity: i64::from(r.quantity.get()),
        phase: r.phase.to_string(),
        sector: r.sector.to_string(),
        priority: r.priority,
        note: r.note.clone(),
    }
}

/// A refusal or withdrawal of an ask as in the file.
fn decline_doc(d: &crate::asks::Decline) -> DeclineDoc {
    DeclineDoc {
        at: d.at,
        by: d.by.clone(),
        reason: d.reason.clone(),
    }
}
