//! The data one solve works on: a campaign's current offers seen under one scenario.
//!
//! Everything the scenario decides before any optimisation happens here, once: which offers are
//! ruled out (and why), and which (offer, requirement) pairs could be matched at all ("arcs").

use std::collections::{BTreeMap, BTreeSet};

use guarantor_domain::ids::{CountryCode, FactId};
use guarantor_domain::{
    Campaign, Capability, Category, Condition, Offer, Requirement, Scenario, SectorKind,
};

/// Why an offer cannot be used at all under a scenario.
#[derive(Debug, Clone, PartialEq)]
pub enum Blocked {
    /// The scenario rules its respondent out for its category.
    ExcludedContributor,
    /// A scenario fact it rests on does not hold.
    FactFails(FactId),
    /// Its respondent withdrew (robustness analysis).
    Withdrawn,
}

/// A condition tying an offer to other respondents' commitment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Linked {
    /// Only if this respondent commits.
    IfCommits(CountryCode),
    /// Only with at least this many other respondents committing.
    MinPartners(u32),
}

/// A current offer as the solver sees it.
#[derive(Debug, Clone)]
pub struct OfferLine<'c> {
    /// Whose offer.
    pub respondent: CountryCode,
    /// The offer.
    pub offer: &'c Offer,
    /// Its catalogue entry.
    pub capability: &'c Capability,
    /// Why it cannot be used, if it cannot.
    pub blocked: Option<Blocked>,
    /// Its linked conditions.
    pub linked: Vec<Linked>,
    /// Cost of one accepted unit per year, millions of the campaign currency.
    pub unit_cost_m: f64,
    /// Who pays: `None` for the common fund.
    pub payer: Option<CountryCode>,
}

impl OfferLine<'_> {
    /// Units offered.
    pub fn quantity(&self) -> f64 {
        f64::from(self.offer.quantity.get())
    }

    /// Nominal personnel per unit deployed.
    pub fn personnel(&self) -> f64 {
        f64::from(self.capability.personnel_per_unit)
    }

    /// Personnel one accepted unit ties up, rotation included (the domain's one definition,
    /// [`guarantor_domain::Offer::personnel`]).
    pub fn committed_per_unit(&self) -> f64 {
        self.offer.personnel(self.capability, 1.0).committed
    }

    /// Whether it carries any condition at all.
    pub fn conditional(&self) -> bool {
        !self.offer.conditions.is_empty()
    }
}

/// A pair (offer, requirement) the offer could serve under the scenario.
///
/// In an enduring phase an offer that is not rotation-backed serves a line in one of two ways.
/// If it may pool its rotation ([`guarantor_domain::Offer::may_pool_rotation`]), the arc is
/// *pooled*: its units join the line's rotation pool, where units of every pooled offer take
/// turns, and the pool keeps ⌊pool ÷ rotation ratio⌋ deployed. Otherwise it must sustain its
/// own rotation: each unit deployed consumes the rotation ratio in units of the offer.
#[derive(Debug, Clone, Copy)]
pub struct Arc {
    /// Index into [`Instance::offers`].
    pub offer: usize,
    /// Index into [`Instance::requirements`].
    pub requirement: usize,
    /// Units of the offer consumed per unit placed: the rotation ratio on an arc that sustains
    /// its own rotation, else 1 (a pooled arc places units in the pool).
    pub factor: f64,
    /// Most units this arc can place: min(required, ⌊offered ÷ factor⌋), or for a pooled arc
    /// min(offered, ⌈required × ratio⌉), what the whole line's pool can use.
    pub max_units: f64,
    /// Whether its units go to the line's rotation pool rather than deploy directly.
    pub pooled: bool,
    /// When the line's capability is composite and the offer is of one of its parts: the
    /// part's index in the composition. Its units are parts of units assembled for the line
    /// (which counts ⌊units of each part ÷ units per assembled unit⌋, the least over the parts).
    pub part: Option<usize>,
}

impl Arc {
    /// Whether its units deploy on the line as they are (neither pooled nor parts).
    pub fn direct(&self) -> bool {
        !self.pooled && self.part.is_none()
    }
}

/// One scenario's view of a campaign.
#[derive(Debug, Clone)]
pub struct Instance<'c> {
    /// The campaign.
    pub campaign: &'c Campaign,
    /// The scenario.
    pub scenario: &'c Scenario,
    /// Current offers, usable or not.
    pub offers: Vec<OfferLine<'c>>,
    /// The statement of requirements.
    pub requirements: Vec<&'c Requirement>,
    /// Phase index of each requirement.
    pub requirement_phase: Vec<usize>,
    /// Whether each requirement's sector is in the country (counts against a troop ceiling).
    pub requirement_in_country: Vec<bool>,
    /// Rotation ratio of each requirement's capability (pool units per unit kept deployed).
    pub requirement_ratio: Vec<f64>,
    /// Personnel per unit of each requirement's capability (a pool's units kept deployed).
    pub requirement_personnel: Vec<f64>,
    /// Units of each part per assembled unit, for requirements whose capability is composite
    /// and every part of which some offer can serve (empty otherwise: nothing is assembled).
    pub requirement_parts: Vec<Vec<f64>>,
    /// Usable pairs.
    pub arcs: Vec<Arc>,
    /// Respondents the model decides on: owners of usable offers and respondents that linked
    /// conditions name, in code order.
    pub respondents: Vec<CountryCode>,
    /// Respondents treated as withdrawn.
    pub withdrawn: BTreeSet<CountryCode>,
    /// GDP share of each coalition member (respondents with a current proposal and a GDP figure).
    pub gdp_share: BTreeMap<CountryCode, f64>,
}

impl<'c> Instance<'c> {
    /// Builds the instance of `campaign` under `scenario`, with `withdrawn` respondents' offers
    /// removed.
    pub fn new(
        campaign: &'c Campaign,
        scenario: &'c Scenario,
        withdrawn: &BTreeSet<CountryCode>,
    ) -> Self {
        let mut offers = Vec::new();
        for proposal in campaign.proposals() {
            let Some(current) = proposal.current() else {
                continue;
            };
            for offer in &current.offers {
                offers.push(offer_line(
                    campaign,
                    scenario,
                    proposal.respondent,
                    offer,
                    withdrawn,
                ));
            }
        }
        let requirements: Vec<&Requirement> = campaign.requirements().iter().collect();
        let requirement_phase: Vec<usize> = requirements
            .iter()
            .map(|r| campaign.phase_index(&r.phase))
            .collect();
        let requirement_in_country = requirements
            .iter()
            .map(|r| campaign.sector(&r.sector).kind != SectorKind::OutOfCountry)
            .collect();
        let requirement_ratio: Vec<f64> = requirements
            .iter()
            .map(|r| campaign.capability(&r.capability).rotation_ratio.get())
            .collect();
        let requirement_personnel = requirements
            .iter()
            .map(|r| f64::from(campaign.capability(&r.capability).personnel_per_unit))
            .collect();
        let mut arcs = Vec::new();
        let mut requirement_parts = vec![Vec::new(); requirements.len()];
        for (ri, req) in requirements.iter().enumerate() {
            if scenario.excluded_sectors.contains(&req.sector) {
                continue;
            }
            let enduring = campaign.phases()[requirement_phase[ri]].enduring;
            let required = f64::from(req.quantity.get());
            let usable = |line: &OfferLine<'_>| {
                line.blocked.is_none()
                    && campaign.offer_serves_phase(line.offer, &req.phase)
                    && campaign.offer_allowed_in_sector(line.offer, &req.sector)
            };
            if let Some(k) = &campaign.capability(&req.capability).composition {
                let first = arcs.len();
                for (oi, line) in offers.iter().enumerate() {
                    let Some(part) = k
                        .parts
                        .iter()
                        .position(|p| p.capability == line.offer.capability)
                    else {
                        continue;
                    };
                    if !usable(line) {
                        continue;
                    }
                    // Parts deploy as they are, sustaining their own rotation (no pooling).
                    let per_unit = f64::from(k.parts[part].quantity);
                    let (factor, max_units) = sustained(line, enduring, required * per_unit);
                    if max_units > 0.0 {
                        arcs.push(Arc {
                            offer: oi,
                            requirement: ri,
                            factor,
                            max_units,
                            pooled: false,
                            part: Some(part),
                        });
                    }
                }
                // A part nobody can provide assembles nothing: its partners' arcs would only
                // add variables.
                let complete =
                    (0..k.parts.len()).all(|p| arcs[first..].iter().any(|a| a.part == Some(p)));
                if complete {
                    requirement_parts[ri] = k.parts.iter().map(|p| f64::from(p.quantity)).collect();
                } else {
                    arcs.truncate(first);
                }
            }
            for (oi, line) in offers.iter().enumerate() {
                if line.offer.capability != req.capability || !usable(line) {
                    continue;
                }
                let pooled = pools(line, enduring);
                let (factor, max_units) = if pooled {
                    let pool = (required * requirement_ratio[ri] - 1e-9).ceil();
                    (1.0, line.quantity().min(pool))
                } else {
                    sustained(line, enduring, required)
                };
                if max_units > 0.0 {
                    arcs.push(Arc {
                        offer: oi,
                        requirement: ri,
                        factor,
                        max_units,
                        pooled,
                        part: None,
                    });
                }
            }
        }
        let mut respondents: BTreeSet<CountryCode> =
            arcs.iter().map(|a| offers[a.offer].respondent).collect();
        for a in &arcs {
            for l in &offers[a.offer].linked {
                if let Linked::IfCommits(code) = l {
                    respondents.insert(*code);
                }
            }
        }
        let gdp_share = coalition_gdp_shares(campaign);
        Self {
            campaign,
            scenario,
            offers,
            requirements,
            requirement_phase,
            requirement_in_country,
            requirement_ratio,
            requirement_personnel,
            requirement_parts,
            arcs,
            respondents: respondents.into_iter().collect(),
            withdrawn: withdrawn.clone(),
            gdp_share,
        }
    }

    /// The same instance with only the arcs `keep` (indices into [`Instance::arcs`], ascending);
    /// respondents stay, so participation variables keep their indices.
    pub fn with_arcs(&self, keep: &[usize]) -> Self {
        Self {
            arcs: keep.iter().map(|&k| self.arcs[k]).collect(),
            ..self.clone()
        }
    }

    /// Whether requirement `r` has a rotation pool (some pooled arc serves it).
    pub fn has_pool(&self, r: usize) -> bool {
        self.arcs.iter().any(|a| a.pooled && a.requirement == r)
    }

    /// Whether requirement `r` may be met by assembling units from parts.
    pub fn has_assembly(&self, r: usize) -> bool {
        !self.requirement_parts[r].is_empty()
    }

    /// Whether a respondent can commit at all (it has a usable arc).
    pub fn can_commit(&self, code: &CountryCode) -> bool {
        self.arcs
            .iter()
            .any(|a| &self.offers[a.offer].respondent == code)
    }
}

/// Whether an offer's units join a line's rotation pool in a phase (see [`Arc`]). A capability
/// that needs no rotation (ratio 1: money, commitments) deploys directly: a pool of it would
/// only be its units one by one.
pub fn pools(line: &OfferLine<'_>, enduring: bool) -> bool {
    enduring && line.offer.may_pool_rotation() && line.capability.rotation_ratio.get() > 1.0
}

/// Units of an offer consumed per deployed unit when it sustains its own rotation.
pub fn rotation_factor(line: &OfferLine<'_>, enduring: bool) -> f64 {
    if enduring && !line.offer.rotation_backed {
        line.capability.rotation_ratio.get()
    } else {
        1.0
    }
}

/// An arc of `line` that sustains its own rotation: its rotation factor, and the most units it
/// can keep deployed, ⌊offered ÷ factor⌋, at most `cap`.
fn sustained(line: &OfferLine<'_>, enduring: bool, cap: f64) -> (f64, f64) {
    let factor = rotation_factor(line, enduring);
    (factor, (line.quantity() / factor + 1e-9).floor().min(cap))
}

fn offer_line<'c>(
    campaign: &'c Campaign,
    scenario: &Scenario,
    respondent: CountryCode,
    offer: &'c Offer,
    withdrawn: &BTreeSet<CountryCode>,
) -> OfferLine<'c> {
    let capability = campaign.capability(&offer.capability);
    let mut blocked = None;
    if withdrawn.contains(&respondent) {
        blocked = Some(Blocked::Withdrawn);
    } else if campaign
        .respondent(&respondent)
        .is_some_and(|r| scenario.excludes(r, capability.category))
    {
        blocked = Some(Blocked::ExcludedContributor);
    } else if let Some(fact) = offer.conditions.iter().find_map(|c| match c {
        Condition::Scenario(f) if !scenario.fact_holds(f) => Some(f.clone()),
        _ => None,
    }) {
        blocked = Some(Blocked::FactFails(fact));
    }
    let linked = offer
        .conditions
        .iter()
        .filter_map(|c| match c {
            Condition::IfCommits(code) => Some(Linked::IfCommits(*code)),
            Condition::MinPartners(n) => Some(Linked::MinPartners(*n)),
            Condition::Scenario(_) => None,
        })
        .collect();
    // Funding is counted in millions of the campaign currency: each unit costs one million.
    let unit_cost_m = if capability.category == Category::Funding {
        1.0
    } else {
        offer
            .cost_per_unit_year
            .map_or(0.0, |m| campaign.to_reporting_thousands(&m) as f64 / 1000.0)
    };
    let payer = match offer.paid_by {
        guarantor_domain::Payer::Contributor => Some(respondent),
        guarantor_domain::Payer::CommonFund => None,
        guarantor_domain::Payer::Respondent(code) => Some(code),
    };
    OfferLine {
        respondent,
        offer,
        capability,
        blocked,
        linked,
        unit_cost_m,
        payer,
    }
}

/// GDP shares of the coalition: respondents with a current proposal and a GDP figure.
pub fn coalition_gdp_shares(campaign: &Campaign) -> BTreeMap<CountryCode, f64> {
    let gdp: BTreeMap<CountryCode, f64> = campaign
        .proposals()
        .iter()
        .filter(|p| p.current().is_some())
        .filter_map(|p| {
            campaign
                .respondent(&p.respondent)
                .and_then(|r| r.facts.gdp_usd_bn)
                .map(|g| (p.respondent, g.get()))
        })
        .collect();
    let total: f64 = gdp.values().sum();
    if total <= 0.0 {
        return BTreeMap::new();
    }
    gdp.into_iter().map(|(k, v)| (k, v / total)).collect()
}
