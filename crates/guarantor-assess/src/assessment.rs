//! The assessment: how willing the capitals are and what they would pay, measured from their
//! current proposals and their public reference figures.
//!
//! Only current proposals count (the latest submitted revision of a respondent that has not
//! withdrawn), as in the summary. Personnel is counted three ways per offer, with `q` units of a
//! capability of `p` personnel per unit and rotation ratio `r`:
//! - *at once*: `q × p`, what the offer puts in place in a surge phase;
//! - *sustained*: what it keeps deployed in an enduring phase, `q × p ÷ r`, or `q × p` when the
//!   offer is rotation-backed (the respondent sustains the units itself);
//! - *committed*: personnel tied up including rotation, `q × p`, or `q × r × p` when
//!   rotation-backed. Willingness and burden sharing use this figure.
//!
//! Money a respondent pledges is the cost per year of every current offer it pays for (its own
//! offers paid by the contributor, and others' offers naming it as payer), funding included.
//! Offers paid by a common fund count for nobody.

use std::collections::{BTreeMap, BTreeSet};

use guarantor_domain::ids::CountryCode;
use guarantor_domain::{Campaign, Category, Condition, Offer, Payer, ProposalStatus};
use guarantor_engine::summary::{
    self, CampaignHeader, CategoryTotals, CoverageLine, CoverageTotals, ResponseCounts,
    ResponseLine, current_offers, millions, offer_cost_per_year_thousands,
};
use serde::Serialize;

/// The whole assessment; its JSON form is the output of `guarantor assess --json`.
#[derive(Debug, Clone, Serialize)]
pub struct Assessment {
    /// Which campaign.
    pub campaign: CampaignHeader,
    /// Counts of invited respondents by status.
    pub response_counts: ResponseCounts,
    /// One line per invited respondent: status, revisions, last change.
    pub responses: Vec<ResponseLine>,
    /// What the current proposals offer in all.
    pub offered: Offered,
    /// Raw coverage per requirement, with how much of it rests on which condition.
    pub coverage: Vec<ConditionalCoverage>,
    /// Raw coverage totals.
    pub coverage_totals: CoverageTotals,
    /// Willingness per invited respondent, ranked.
    pub willingness: Willingness,
    /// Shares of the coalition's offer against shares of its GDP and defence spending.
    pub burden: Burden,
    /// How much of the offer rests on which condition.
    pub conditions: ConditionsLandscape,
    /// Free-text answers per question, side by side.
    pub answers: Vec<QuestionAnswers>,
    /// What the reader should know about the figures (e.g. a missing exchange rate).
    pub notes: Vec<String>,
}

/// What the current proposals offer in all.
#[derive(Debug, Clone, Serialize)]
pub struct Offered {
    /// Respondents with a current proposal.
    pub respondents: usize,
    /// Offer lines in current proposals.
    pub offer_lines: usize,
    /// Personnel of all offers.
    pub personnel: Personnel,
    /// Per category then capability (units, personnel, cost), as in the summary.
    pub categories: Vec<CategoryTotals>,
    /// Money per year offered through funding capabilities, millions of the campaign currency.
    pub funding_per_year_m: f64,
    /// Cost per year of everything offered (priced offers and funding), millions.
    pub cost_per_year_m: f64,
    /// Offer lines other than funding that carry no price.
    pub unpriced_lines: usize,
}

/// Personnel counted three ways: the domain's one definition (see the module documentation).
pub use guarantor_domain::Personnel;

/// The personnel of everything an offer line offers.
fn offered_personnel(campaign: &Campaign, offer: &Offer) -> Personnel {
    offer.personnel(
        campaign.capability(&offer.capability),
        f64::from(offer.quantity.get()),
    )
}

/// Raw coverage of one requirement, with the units that rest on conditions.
#[derive(Debug, Clone, Serialize)]
pub struct ConditionalCoverage {
    /// The summary's coverage line.
    #[serde(flatten)]
    pub line: CoverageLine,
    /// Units offered here without any condition.
    pub unconditional: u64,
    /// Units offered here resting on each condition (an offer with two conditions counts
    /// under both).
    pub by_condition: Vec<ConditionUnits>,
}

/// Units resting on one condition.
#[derive(Debug, Clone, Serialize)]
pub struct ConditionUnits {
    /// The condition, in words.
    pub condition: String,
    /// Units.
    pub units: u64,
}

/// Willingness per respondent and how the ranking is made.
#[derive(Debug, Clone, Serialize)]
pub struct Willingness {
    /// How the index and the ranking are computed, in words.
    pub method: String,
    /// One line per invited respondent, best first.
    pub lines: Vec<WillingnessLine>,
}

/// One respondent's willingness.
#[derive(Debug, Clone, Serialize)]
pub struct WillingnessLine {
    /// Rank, 1 first; respondents without an index rank last, by code.
    pub rank: usize,
    /// Respondent code.
    pub respondent: String,
    /// Name.
    pub name: String,
    /// Lifecycle status.
    pub status: ProposalStatus,
    /// Offer lines in its current proposal.
    pub offer_lines: usize,
    /// Personnel it offers.
    pub personnel: Personnel,
    /// Its active military personnel (persons), if known.
    pub active_personnel: Option<f64>,
    /// Personnel committed ÷ active personnel.
    pub personnel_ratio: Option<f64>,
    /// Money it pledges per year, millions of the campaign currency.
    pub money_m: f64,
    /// Money pledged ÷ GDP.
    pub money_share_of_gdp: Option<f64>,
    /// Money pledged ÷ defence spending.
    pub money_share_of_defence: Option<f64>,
    /// Offer lines carrying at least one condition.
    pub conditional_lines: usize,
    /// Personnel committed under offers carrying a condition ÷ personnel committed.
    pub conditional_personnel_share: Option<f64>,
    /// The distinct conditions its offers rest on, in words.
    pub conditions: Vec<String>,
    /// The willingness index in [0, 1] (see the method).
    pub index: Option<f64>,
}

/// Burden sharing within the coalition of respondents with a current proposal.
#[derive(Debug, Clone, Serialize)]
pub struct Burden {
    /// How the shares are computed, in words.
    pub method: String,
    /// Coalition members, by code.
    pub coalition: Vec<String>,
    /// One line per coalition member, by code.
    pub lines: Vec<BurdenLine>,
}

/// One coalition member's shares.
#[derive(Debug, Clone, Serialize)]
pub struct BurdenLine {
    /// Respondent code.
    pub respondent: String,
    /// Name.
    pub name: String,
    /// Personnel committed.
    pub personnel: f64,
    /// Its share of the coalition's personnel committed.
    pub personnel_share: Option<f64>,
    /// Money pledged per year, millions.
    pub money_m: f64,
    /// Its share of the money pledged by coalition members.
    pub money_share: Option<f64>,
    /// Its share of the coalition's GDP (members with a GDP figure).
    pub gdp_share: Option<f64>,
    /// Its share of the coalition's defence spending.
    pub defence_share: Option<f64>,
    /// money_share − gdp_share: positive when it pays more than its economic weight.
    pub money_gap: Option<f64>,
    /// personnel_share − gdp_share.
    pub personnel_gap: Option<f64>,
}

/// How much of the whole offer rests on which condition.
#[derive(Debug, Clone, Serialize)]
pub struct ConditionsLandscape {
    /// Everything offered.
    pub total: OfferBlock,
    /// Offers with no condition.
    pub unconditional: OfferBlock,
    /// Offers with at least one condition.
    pub conditional: OfferBlock,
    /// Offers resting on at least one named partner committing.
    pub any_named_partner: OfferBlock,
    /// Per condition; an offer with two conditions counts under both.
    pub by_condition: Vec<ConditionBlock>,
}

/// A set of offers measured.
#[derive(Debug, Clone, Default, Serialize)]
pub struct OfferBlock {
    /// Offer lines.
    pub offer_lines: usize,
    /// Respondents making them, by code.
    pub respondents: Vec<String>,
    /// Personnel committed.
    pub personnel: f64,
    /// Cost per year, millions (funding counts its amount).
    pub cost_per_year_m: f64,
}

/// The offers resting on one condition.
#[derive(Debug, Clone, Serialize)]
pub struct ConditionBlock {
    /// The condition, in words.
    pub condition: String,
    /// `scenario_fact`, `named_partner` or `min_partners`.
    pub kind: &'static str,
    /// The fact's description, for scenario facts.
    pub description: String,
    /// The offers.
    #[serde(flatten)]
    pub offers: OfferBlock,
    /// Its personnel ÷ all personnel offered.
    pub personnel_share: Option<f64>,
    /// Its cost ÷ all cost offered.
    pub cost_share: Option<f64>,
}

/// The answers to one free-text question.
#[derive(Debug, Clone, Serialize)]
pub struct QuestionAnswers {
    /// Section title.
    pub section: String,
    /// Question id.
    pub question: String,
    /// The question.
    pub text: String,
    /// Answers of respondents with a current proposal, by code.
    pub answers: Vec<AnswerLine>,
    /// Respondents with a current proposal who left it blank, by code.
    pub unanswered: Vec<String>,
}

/// One respondent's answer.
#[derive(Debug, Clone, Serialize)]
pub struct AnswerLine {
    /// Respondent code.
    pub respondent: String,
    /// Name.
    pub name: String,
    /// The answer.
    pub text: String,
}

/// A current offer with its respondent (shared with the summary, so both count the same lines).
type Current<'a> = guarantor_engine::summary::CurrentOffer<'a>;

fn ratio(numerator: f64, denominator: Option<f64>) -> Option<f64> {
    denominator.filter(|d| *d > 0.0).map(|d| numerator / d)
}

/// Who pays for an offer, if a respondent does.
fn payer(c: &Current<'_>) -> Option<CountryCode> {
    match c.offer.paid_by {
        Payer::Contributor => Some(c.respondent),
        Payer::Respondent(code) => Some(code),
        Payer::CommonFund => None,
    }
}

/// Names a condition in words, as the options engine does.
fn condition_text(campaign: &Campaign, c: &Condition) -> String {
    guarantor_engine::options::report::describe_condition(campaign, c)
}

/// Computes the assessment of a validated campaign.
pub fn assess(campaign: &Campaign) -> Assessment {
    let summary = summary::summarise(campaign);
    let offers = current_offers(campaign);
    let mut notes = Vec::new();
    let usd_rate = campaign.usd_rate();
    if usd_rate.is_none() {
        notes.push(format!(
            "No USD exchange rate for {}: money cannot be set against GDP or defence spending \
             (reference figures are in US dollars). Add USD to the campaign's exchange rates.",
            campaign.info().currency
        ));
    }
    let willingness = willingness(campaign, &offers, usd_rate);
    let burden = burden(campaign, &willingness);
    Assessment {
        campaign: summary.campaign,
        response_counts: summary.response_counts,
        responses: summary.responses,
        offered: offered(
            campaign,
            &offers,
            summary.offered,
            summary.funding_per_year_m,
        ),
        coverage: coverage(campaign, summary.coverage),
        coverage_totals: summary.coverage_totals,
        willingness,
        burden,
        conditions: conditions(campaign, &offers),
        answers: answers(campaign),
        notes,
    }
}

fn offered(
    campaign: &Campaign,
    offers: &[Current<'_>],
    categories: Vec<CategoryTotals>,
    funding_per_year_m: f64,
) -> Offered {
    let mut personnel = Personnel::default();
    for c in offers {
        personnel = personnel.plus(offered_personnel(campaign, c.offer));
    }
    Offered {
        respondents: campaign
            .proposals()
            .iter()
            .filter(|p| p.current().is_some())
            .count(),
        offer_lines: offers.len(),
        personnel,
        categories,
        funding_per_year_m,
        cost_per_year_m: millions(
            offers
                .iter()
                .map(|c| offer_cost_per_year_thousands(campaign, c.offer))
                .sum(),
        ),
        unpriced_lines: offers
            .iter()
            .filter(|c| {
                campaign.capability(&c.offer.capability).category != Category::Funding
                    && c.offer.cost_per_unit_year.is_none()
            })
            .count(),
    }
}

fn coverage(campaign: &Campaign, lines: Vec<CoverageLine>) -> Vec<ConditionalCoverage> {
    let by_key: BTreeMap<String, &Offer> = campaign
        .proposals()
        .iter()
        .filter_map(|p| p.current().map(|r| (p.respondent, r)))
        .flat_map(|(code, r)| {
            r.offers
                .iter()
                .map(move |o| (format!("{code}/{}", o.id), o))
        })
        .collect();
    lines
        .into_iter()
        .map(|line| {
            let mut unconditional = 0;
            let mut by_condition: BTreeMap<String, u64> = BTreeMap::new();
            for key in &line.offers {
                let Some(offer) = by_key.get(key) else {
                    continue;
                };
                let units = u64::from(offer.quantity.get());
                if offer.conditions.is_empty() {
                    unconditional += units;
                }
                let distinct: BTreeSet<&Condition> = offer.conditions.iter().collect();
                for c in distinct {
                    *by_condition.entry(condition_text(campaign, c)).or_default() += units;
                }
            }
            ConditionalCoverage {
                line,
                unconditional,
                by_condition: by_condition
                    .into_iter()
                    .map(|(condition, units)| ConditionUnits { condition, units })
                    .collect(),
            }
        })
        .collect()
}

/// The willingness method, stated in every output that ranks.
pub const WILLINGNESS_METHOD: &str = "Index = mean of two effort ratios, each divided by the \
highest value among invited respondents: personnel committed (rotation included) ÷ active \
military personnel, and money pledged per year ÷ GDP. A ratio that cannot be computed (no \
reference figure, or no USD exchange rate) is left out of the mean. Ranked by index, highest \
first; ties and respondents without an index by code. Conditions do not lower the index; the \
conditional share is shown beside it.";

fn willingness(campaign: &Campaign, offers: &[Current<'_>], usd_rate: Option<f64>) -> Willingness {
    let mut lines: Vec<WillingnessLine> = campaign
        .invited()
        .map(|r| {
            let own: Vec<&Current<'_>> = offers.iter().filter(|c| c.respondent == r.code).collect();
            let mut personnel = Personnel::default();
            let mut conditional_personnel = 0.0;
            let mut conditions = BTreeSet::new();
            for c in &own {
                let p = offered_personnel(campaign, c.offer);
                personnel = personnel.plus(p);
                if !c.offer.conditions.is_empty() {
                    conditional_personnel += p.committed;
                }
                conditions.extend(
                    c.offer
                        .conditions
                        .iter()
                        .map(|x| condition_text(campaign, x)),
                );
            }
            let money_m = millions(
                offers
                    .iter()
                    .filter(|c| payer(c) == Some(r.code))
                    .map(|c| offer_cost_per_year_thousands(campaign, c.offer))
                    .sum(),
            );
            // Reference figures are in US dollars (billions); money is in millions of the
            // campaign currency.
            let money_usd_m = usd_rate.filter(|x| *x > 0.0).map(|rate| money_m / rate);
            let in_usd_m =
                |bn: Option<guarantor_domain::quantity::Figure>| bn.map(|f| f.get() * 1000.0);
            let active = r.facts.active_personnel_thousands.map(|f| f.get() * 1000.0);
            WillingnessLine {
                rank: 0,
                respondent: r.code.to_string(),
                name: r.name.clone(),
                status: campaign
                    .proposal(&r.code)
                    .map_or(ProposalStatus::Invited, |p| p.status()),
                offer_lines: own.len(),
                personnel,
                active_personnel: active,
                personnel_ratio: ratio(personnel.committed, active),
                money_m,
                money_share_of_gdp: money_usd_m
                    .and_then(|m| ratio(m, in_usd_m(r.facts.gdp_usd_bn))),
                money_share_of_defence: money_usd_m
                    .and_then(|m| ratio(m, in_usd_m(r.facts.defence_expenditure_usd_bn))),
                conditional_lines: own
                    .iter()
                    .filter(|c| !c.offer.conditions.is_empty())
                    .count(),
                conditional_personnel_share: ratio(
                    conditional_personnel,
                    Some(personnel.committed),
                ),
                conditions: conditions.into_iter().collect(),
                index: None,
            }
        })
        .collect();
    let max_of = |f: fn(&WillingnessLine) -> Option<f64>, lines: &[WillingnessLine]| {
        lines.iter().filter_map(f).fold(0.0_f64, f64::max)
    };
    let max_personnel = max_of(|l| l.personnel_ratio, &lines);
    let max_money = max_of(|l| l.money_share_of_gdp, &lines);
    for line in &mut lines {
        let parts: Vec<f64> = [
            line.personnel_ratio.map(|x| normalise(x, max_personnel)),
            line.money_share_of_gdp.map(|x| normalise(x, max_money)),
        ]
        .into_iter()
        .flatten()
        .collect();
        if !parts.is_empty() {
            line.index = Some(parts.iter().sum::<f64>() / parts.len() as f64);
        }
    }
    lines.sort_by(|a, b| {
        match (a.index, b.index) {
            (Some(x), Some(y)) => y.total_cmp(&x),
            (Some(_), None) => std::cmp::Ordering::Less,
            (None, Some(_)) => std::cmp::Ordering::Greater,
            (None, None) => std::cmp::Ordering::Equal,
        }
        .then_with(|| a.respondent.cmp(&b.respondent))
    });
    for (i, line) in lines.iter_mut().enumerate() {
        line.rank = i + 1;
    }
    Willingness {
        method: WILLINGNESS_METHOD.to_owned(),
        lines,
    }
}

fn normalise(x: f64, max: f64) -> f64 {
    if max > 0.0 { x / max } else { 0.0 }
}

/// The burden-sharing method, stated in every output that shows shares.
pub const BURDEN_METHOD: &str = "The coalition is every respondent with a current submitted \
proposal. Shares are of the coalition's totals: personnel committed (rotation included), money \
pledged per year (offers paid by a common fund excluded), GDP and defence spending (members with \
the figure). A gap is the member's share of money (or personnel) minus its share of GDP: \
positive means it carries more than its economic weight.";

fn burden(campaign: &Campaign, willingness: &Willingness) -> Burden {
    let members: Vec<&WillingnessLine> = willingness
        .lines
        .iter()
        .filter(|l| {
            matches!(
                l.status,
                ProposalStatus::Submitted | ProposalStatus::Revised
            )
        })
        .collect();
    let total_personnel: f64 = members.iter().map(|l| l.personnel.committed).sum();
    let total_money: f64 = members.iter().map(|l| l.money_m).sum();
    let fact = |code: &str, f: fn(&guarantor_domain::ReferenceFacts) -> Option<f64>| {
        campaign
            .invited()
            .find(|r| r.code.to_string() == code)
            .and_then(|r| f(&r.facts))
    };
    let gdp = |code: &str| fact(code, |f| f.gdp_usd_bn.map(|x| x.get()));
    let defence = |code: &str| fact(code, |f| f.defence_expenditure_usd_bn.map(|x| x.get()));
    let total_gdp: f64 = members.iter().filter_map(|l| gdp(&l.respondent)).sum();
    let total_defence: f64 = members.iter().filter_map(|l| defence(&l.respondent)).sum();
    let mut lines: Vec<BurdenLine> = members
        .iter()
        .map(|l| {
            let personnel_share = ratio(l.personnel.committed, Some(total_personnel));
            let money_share = ratio(l.money_m, Some(total_money));
            let gdp_share = gdp(&l.respondent).and_then(|g| ratio(g, Some(total_gdp)));
            BurdenLine {
                respondent: l.respondent.clone(),
                name: l.name.clone(),
                personnel: l.personnel.committed,
                personnel_share,
                money_m: l.money_m,
                money_share,
                gdp_share,
                defence_share: defence(&l.respondent).and_then(|d| ratio(d, Some(total_defence))),
                money_gap: money_share.zip(gdp_share).map(|(m, g)| m - g),
                personnel_gap: personnel_share.zip(gdp_share).map(|(p, g)| p - g),
            }
        })
        .collect();
    lines.sort_by(|a, b| a.respondent.cmp(&b.respondent));
    Burden {
        method: BURDEN_METHOD.to_owned(),
        coalition: lines.iter().map(|l| l.respondent.clone()).collect(),
        lines,
    }
}

fn block<'a>(campaign: &Campaign, offers: impl Iterator<Item = &'a Current<'a>>) -> OfferBlock {
    let mut out = OfferBlock::default();
    let mut respondents = BTreeSet::new();
    let mut cost = 0;
    for c in offers {
        out.offer_lines += 1;
        respondents.insert(c.respondent.to_string());
        out.personnel += offered_personnel(campaign, c.offer).committed;
        cost += offer_cost_per_year_thousands(campaign, c.offer);
    }
    out.respondents = respondents.into_iter().collect();
    out.cost_per_year_m = millions(cost);
    out
}

fn conditions(campaign: &Campaign, offers: &[Current<'_>]) -> ConditionsLandscape {
    let total = block(campaign, offers.iter());
    let distinct: BTreeSet<&Condition> = offers
        .iter()
        .flat_map(|c| c.offer.conditions.iter())
        .collect();
    let by_condition = distinct
        .into_iter()
        .map(|condition| {
            let offers = block(
                campaign,
                offers
                    .iter()
                    .filter(|c| c.offer.conditions.contains(condition)),
            );
            let (kind, description) = match condition {
                Condition::Scenario(fact) => (
                    "scenario_fact",
                    campaign
                        .facts()
                        .iter()
                        .find(|f| &f.id == fact)
                        .map_or_else(String::new, |f| f.description.clone()),
                ),
                Condition::IfCommits(_) => ("named_partner", String::new()),
                Condition::MinPartners(_) => ("min_partners", String::new()),
            };
            ConditionBlock {
                condition: condition_text(campaign, condition),
                kind,
                description,
                personnel_share: ratio(offers.personnel, Some(total.personnel)),
                cost_share: ratio(offers.cost_per_year_m, Some(total.cost_per_year_m)),
                offers,
            }
        })
        .collect();
    ConditionsLandscape {
        unconditional: block(
            campaign,
            offers.iter().filter(|c| c.offer.conditions.is_empty()),
        ),
        conditional: block(
            campaign,
            offers.iter().filter(|c| !c.offer.conditions.is_empty()),
        ),
        any_named_partner: block(
            campaign,
            offers.iter().filter(|c| {
                c.offer
                    .conditions
                    .iter()
                    .any(|x| matches!(x, Condition::IfCommits(_)))
            }),
        ),
        total,
        by_condition,
    }
}

fn answers(campaign: &Campaign) -> Vec<QuestionAnswers> {
    let current: Vec<(&guarantor_domain::Respondent, &guarantor_domain::Revision)> = campaign
        .proposals()
        .iter()
        .filter_map(|p| {
            let rev = p.current()?;
            Some((campaign.respondent(&p.respondent)?, rev))
        })
        .collect();
    let mut out = Vec::new();
    for section in &campaign.questionnaire().sections {
        for q in &section.questions {
            let mut answers = Vec::new();
            let mut unanswered = Vec::new();
            for (r, rev) in &current {
                match rev
                    .answers
                    .iter()
                    .find(|a| a.question == q.id && !a.text.trim().is_empty())
                {
                    Some(a) => answers.push(AnswerLine {
                        respondent: r.code.to_string(),
                        name: r.name.clone(),
                        text: a.text.clone(),
                    }),
                    None => unanswered.push(r.code.to_string()),
                }
            }
            answers.sort_by(|a, b| a.respondent.cmp(&b.respondent));
            unanswered.sort();
            out.push(QuestionAnswers {
                section: section.title.clone(),
                question: q.id.to_string(),
                text: q.text.clone(),
                answers,
                unanswered,
            });
        }
    }
    out
}
