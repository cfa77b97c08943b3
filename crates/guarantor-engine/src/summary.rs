//! The campaign summary: who was asked, who answered, what is offered, and raw coverage.
//!
//! "Raw" means before any optimisation and before conditions: an offer counts toward every
//! requirement it could serve (its capability, a phase it serves, a sector its caveats allow),
//! so the same unit may count toward several requirements. It is an upper bound on what a force
//! package could cover, not a package. Only current proposals count: the latest submitted
//! revision of each respondent that has not withdrawn; drafts count nowhere.

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};
use guarantor_domain::ids::CountryCode;
use guarantor_domain::{Campaign, Category, Offer, Priority, ProposalStatus};
use serde::Serialize;

/// The whole summary; its JSON form is the output of `guarantor summary --json`.
#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    /// Which campaign.
    pub campaign: CampaignHeader,
    /// Counts of respondents by status.
    pub response_counts: ResponseCounts,
    /// One line per invited respondent, by code.
    pub responses: Vec<ResponseLine>,
    /// What the current proposals offer, per category then capability.
    pub offered: Vec<CategoryTotals>,
    /// Money offered per year through funding capabilities, millions of the campaign currency.
    pub funding_per_year_m: f64,
    /// Raw coverage per requirement, in the order of the statement of requirements.
    pub coverage: Vec<CoverageLine>,
    /// Raw coverage totals.
    pub coverage_totals: CoverageTotals,
}

/// Identifies the campaign in outputs.
#[derive(Debug, Clone, Serialize)]
pub struct CampaignHeader {
    /// Identifier.
    pub id: String,
    /// Title.
    pub title: String,
    /// Issuer.
    pub issuer: String,
    /// Deadline.
    pub deadline: DateTime<Utc>,
    /// Reporting currency.
    pub currency: String,
    /// True when the proposals are invented for demonstration.
    pub illustrative: bool,
}

/// How many invited respondents are at each stage.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ResponseCounts {
    /// Respondents sent the questionnaire.
    pub invited: usize,
    /// Of those, with a current submitted proposal (submitted or revised).
    pub answered: usize,
    /// Working on a draft, nothing submitted.
    pub draft: usize,
    /// Nothing started.
    pub not_started: usize,
    /// Withdrew after submitting.
    pub withdrawn: usize,
}

/// One invited respondent's standing.
#[derive(Debug, Clone, Serialize)]
pub struct ResponseLine {
    /// ISO 3166-1 alpha-3 code.
    pub respondent: String,
    /// Name.
    pub name: String,
    /// Lifecycle status.
    pub status: ProposalStatus,
    /// Submitted revisions.
    pub revisions: usize,
    /// When the proposal last changed, if ever.
    pub last_change: Option<DateTime<Utc>>,
    /// Offer lines in the current proposal (0 when there is none).
    pub offer_lines: usize,
}

/// What is offered in one category.
#[derive(Debug, Clone, Serialize)]
pub struct CategoryTotals {
    /// The category.
    pub category: Category,
    /// Per capability of the category that anyone offered.
    pub capabilities: Vec<CapabilityTotals>,
    /// Nominal personnel of all offers in the category (units × personnel per unit).
    pub personnel: u64,
    /// Priced cost per year of the category's offers, millions of the campaign currency.
    pub cost_per_year_m: f64,
}

/// What is offered of one capability.
#[derive(Debug, Clone, Serialize)]
pub struct CapabilityTotals {
    /// Catalogue id.
    pub capability: String,
    /// Name.
    pub name: String,
    /// Unit counted.
    pub unit: String,
    /// Units offered in all.
    pub quantity: u64,
    /// Nominal personnel (units × personnel per unit).
    pub personnel: u64,
    /// Priced cost per year, millions of the campaign currency (funding: its own amount).
    pub cost_per_year_m: f64,
    /// Offer lines of this capability.
    pub offers: usize,
    /// Respondents offering it, by code.
    pub respondents: Vec<String>,
}

/// Raw coverage of one requirement.
#[derive(Debug, Clone, Serialize)]
pub struct CoverageLine {
    /// Requirement id.
    pub requirement: String,
    /// Capability required.
    pub capability: String,
    /// Phase.
    pub phase: String,
    /// Sector.
    pub sector: String,
    /// Essential or desirable.
    pub priority: Priority,
    /// Units required.
    pub required: u32,
    /// Units offered that could serve here, conditions ignored.
    pub offered: u64,
    /// Of `offered`, units from offers that carry at least one condition.
    pub offered_conditional: u64,
    /// Units that could be kept deployed here: in an enduring phase, offers that are not
    /// rotation-backed count for quantity ÷ rotation ratio.
    pub sustainable: f64,
    /// min(offered ÷ required, 1).
    pub coverage: f64,
    /// The offer lines counted, as `RESPONDENT/OFFER-ID`.
    pub offers: Vec<String>,
}

/// Raw coverage totals.
#[derive(Debug, Clone, Serialize)]
pub struct CoverageTotals {
    /// Requirement lines.
    pub requirements: usize,
    /// Essential requirement lines.
    pub essential: usize,
    /// Essential lines whose raw offered quantity meets the requirement.
    pub essential_met: usize,
    /// Desirable lines whose raw offered quantity meets the requirement.
    pub desirable_met: usize,
    /// Lines nobody offered anything for.
    pub nothing_offered: usize,
}

/// A current offer with its respondent.
#[derive(Debug, Clone, Copy)]
pub struct CurrentOffer<'a> {
    /// Who offers it.
    pub respondent: CountryCode,
    /// The offer line.
    pub offer: &'a Offer,
}

/// Every offer line of the current proposals (latest revision, not withdrawn), in file order.
pub fn current_offers(campaign: &Campaign) -> Vec<CurrentOffer<'_>> {
    campaign
        .proposals()
        .iter()
        .filter_map(|p| p.current().map(|r| (p.respondent, r)))
        .flat_map(|(respondent, r)| {
            r.offers
                .iter()
                .map(move |offer| CurrentOffer { respondent, offer })
        })
        .collect()
}

/// Millions from thousands, as outputs write money.
pub fn millions(thousands: i128) -> f64 {
    thousands as f64 / 1000.0
}

/// Cost per year of an offer in thousands of the campaign currency; funding counts its amount.
///
/// `i128` so that no sum of validated offers can overflow (see
/// [`Campaign::to_reporting_thousands`]).
pub fn offer_cost_per_year_thousands(campaign: &Campaign, offer: &Offer) -> i128 {
    let capability = campaign.capability(&offer.capability);
    if capability.category == Category::Funding {
        return i128::from(offer.quantity.get()) * 1000;
    }
    offer.cost_per_unit_year.map_or(0, |unit| {
        campaign.to_reporting_thousands(&unit) * i128::from(offer.quantity.get())
    })
}

/// The header that identifies a campaign in every output.
pub fn header(campaign: &Campaign) -> CampaignHeader {
    let info = campaign.info();
    CampaignHeader {
        id: info.id.to_string(),
        title: info.title.clone(),
        issuer: info.issuer.clone(),
        deadline: info.deadline,
        currency: info.currency.to_string(),
        illustrative: info.illustrative,
    }
}

/// Computes the summary of a validated campaign.
pub fn summarise(campaign: &Campaign) -> Summary {
    let offers = current_offers(campaign);
    let coverage = coverage(campaign, &offers);
    Summary {
        campaign: header(campaign),
        response_counts: response_counts(campaign),
        responses: responses(campaign),
        offered: offered(campaign, &offers),
        funding_per_year_m: millions(
            offers
                .iter()
                .filter(|o| campaign.capability(&o.offer.capability).category == Category::Funding)
                .map(|o| i128::from(o.offer.quantity.get()) * 1000)
                .sum(),
        ),
        coverage_totals: coverage_totals(&coverage),
        coverage,
    }
}

fn coverage_totals(lines: &[CoverageLine]) -> CoverageTotals {
    let met = |p: Priority| {
        lines
            .iter()
            .filter(|l| l.priority == p && l.offered >= u64::from(l.required))
            .count()
    };
    CoverageTotals {
        requirements: lines.len(),
        essential: lines
            .iter()
            .filter(|l| l.priority == Priority::Essential)
            .count(),
        essential_met: met(Priority::Essential),
        desirable_met: met(Priority::Desirable),
        nothing_offered: lines.iter().filter(|l| l.offered == 0).count(),
    }
}

fn status_of(campaign: &Campaign, code: &CountryCode) -> ProposalStatus {
    campaign
        .proposal(code)
        .map_or(ProposalStatus::Invited, |p| p.status())
}

fn response_counts(campaign: &Campaign) -> ResponseCounts {
    let mut counts = ResponseCounts::default();
    for r in campaign.invited() {
        counts.invited += 1;
        match status_of(campaign, &r.code) {
            ProposalStatus::Invited => counts.not_started += 1,
            ProposalStatus::Draft => counts.draft += 1,
            ProposalStatus::Submitted | ProposalStatus::Revised => counts.answered += 1,
            ProposalStatus::Withdrawn => counts.withdrawn += 1,
        }
    }
    counts
}

fn responses(campaign: &Campaign) -> Vec<ResponseLine> {
    let mut lines: Vec<ResponseLine> = campaign
        .invited()
        .map(|r| {
            let proposal = campaign.proposal(&r.code);
            ResponseLine {
                respondent: r.code.to_string(),
                name: r.name.clone(),
                status: status_of(campaign, &r.code),
                revisions: proposal.map_or(0, |p| p.revisions.len()),
                last_change: proposal.and_then(|p| p.last_change()),
                offer_lines: proposal
                    .and_then(|p| p.current())
                    .map_or(0, |rev| rev.offers.len()),
            }
        })
        .collect();
    lines.sort_by(|a, b| a.respondent.cmp(&b.respondent));
    lines
}

fn offered(campaign: &Campaign, offers: &[CurrentOffer<'_>]) -> Vec<CategoryTotals> {
    Category::ALL
        .iter()
        .filter_map(|&category| {
            let capabilities: Vec<CapabilityTotals> = campaign
                .catalogue()
                .iter()
                .filter(|c| c.category == category)
                .filter_map(|cap| {
                    let lines: Vec<&CurrentOffer<'_>> = offers
                        .iter()
                        .filter(|o| o.offer.capability == cap.id)
                        .collect();
                    if lines.is_empty() {
                        return None;
                    }
                    let quantity: u64 = lines
                        .iter()
                        .map(|o| u64::from(o.offer.quantity.get()))
                        .sum();
                    let mut respondents: Vec<String> =
                        lines.iter().map(|o| o.respondent.to_string()).collect();
                    respondents.sort();
                    respondents.dedup();
                    Some(CapabilityTotals {
                        capability: cap.id.to_string(),
                        name: cap.name.clone(),
                        unit: cap.unit.clone(),
                        quantity,
                        // At once, by the one definition of personnel; whole persons.
                        personnel: lines
                            .iter()
                            .map(|o| {
                                o.offer
                                    .personnel(cap, f64::from(o.offer.quantity.get()))
                                    .at_once as u64
                            })
                            .sum(),
                        cost_per_year_m: millions(
                            lines
                                .iter()
                                .map(|o| offer_cost_per_year_thousands(campaign, o.offer))
                                .sum(),
                        ),
                        offers: lines.len(),
                        respondents,
                    })
                })
                .collect();
            if capabilities.is_empty() {
                return None;
            }
            Some(CategoryTotals {
                category,
                personnel: capabilities.iter().map(|c| c.personnel).sum(),
                // Summed from thousands so the total is exact.
                cost_per_year_m: millions(
                    capabilities
                        .iter()
                        .map(|c| (c.cost_per_year_m * 1000.0).round() as i128)
                        .sum(),
                ),
                capabilities,
            })
        })
        .collect()
}

fn coverage(campaign: &Campaign, offers: &[CurrentOffer<'_>]) -> Vec<CoverageLine> {
    campaign
        .requirements()
        .iter()
        .map(|req| {
            let enduring = campaign.phases()[campaign.phase_index(&req.phase)].enduring;
            let ratio = campaign.capability(&req.capability).rotation_ratio.get();
            let serving: Vec<&CurrentOffer<'_>> = offers
                .iter()
                .filter(|o| {
                    o.offer.capability == req.capability
                        && campaign.offer_serves_phase(o.offer, &req.phase)
                        && campaign.offer_allowed_in_sector(o.offer, &req.sector)
                })
                .collect();
            let offered: u64 = serving
                .iter()
                .map(|o| u64::from(o.offer.quantity.get()))
                .sum();
            let offered_conditional = serving
                .iter()
                .filter(|o| !o.offer.conditions.is_empty())
                .map(|o| u64::from(o.offer.quantity.get()))
                .sum();
            let sustainable = serving
                .iter()
                .map(|o| {
                    let q = f64::from(o.offer.quantity.get());
                    if enduring && !o.offer.rotation_backed {
                        q / ratio
                    } else {
                        q
                    }
                })
                // A fold from +0.0: an empty float sum is -0.0.
                .fold(0.0, |a, b| a + b);
            let required = req.quantity.get();
            let counted: BTreeSet<String> = serving
                .iter()
                .map(|o| format!("{}/{}", o.respondent, o.offer.id))
                .collect();
            CoverageLine {
                requirement: req.id.to_string(),
                capability: req.capability.to_string(),
                phase: req.phase.to_string(),
                sector: req.sector.to_string(),
                priority: req.priority,
                required,
                offered,
                offered_conditional,
                sustainable,
                coverage: (offered as f64 / f64::from(required)).min(1.0),
                offers: counted.into_iter().collect(),
            }
        })
        .collect()
}
