//! Adopted plans and their pledges: from an accepted offer line to a delivered commitment.
//!
//! A pledge's state is derived from its events, never stored, and every event is checked against
//! the state it meets ([`Pledge::check`]): the same rule refuses a change at the front ends and a
//! campaign file whose history could not have happened.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};

use crate::ids::{CapabilityId, CountryCode, OfferId, RequirementId, ScenarioId};

/// A readiness level a confirmed pledge may state.
#[derive(Debug, Clone, PartialEq)]
pub struct ReadinessLevel {
    /// 1, 2, 3, … (higher is readier).
    pub level: u32,
    /// Name.
    pub name: String,
    /// Days from a call to deployment, when promised.
    pub days: Option<u32>,
}

/// An adopted plan.
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    /// 1, 2, … (the last stands).
    pub version: u32,
    /// When adopted.
    pub adopted_at: DateTime<Utc>,
    /// By whom.
    pub adopted_by: String,
    /// Under which scenario.
    pub scenario: ScenarioId,
    /// Which option, in words.
    pub option: String,
    /// Why.
    pub note: String,
    /// Its pledges.
    pub pledges: Vec<Pledge>,
}

/// An accepted offer line of a plan.
#[derive(Debug, Clone, PartialEq)]
pub struct Pledge {
    /// Identifier within the plan.
    pub id: String,
    /// The capital.
    pub respondent: CountryCode,
    /// The offer line it came from.
    pub offer: OfferId,
    /// The capability.
    pub capability: CapabilityId,
    /// Units accepted.
    pub units: u32,
    /// Where they serve.
    pub placements: Vec<PledgePlacement>,
    /// What happened to it.
    pub events: Vec<PledgeEvent>,
}

/// Units of a pledge on one requirement line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PledgePlacement {
    /// The line.
    pub requirement: RequirementId,
    /// Units placed there.
    pub units: u32,
    /// Whether the units are in the line's rotation pool (taking turns with other pledges'
    /// units) rather than deployed directly.
    pub pooled: bool,
    /// Whether the units are parts of units assembled for the line.
    pub assembled: bool,
}

/// One step of a pledge.
#[derive(Debug, Clone, PartialEq)]
pub struct PledgeEvent {
    /// When.
    pub at: DateTime<Utc>,
    /// Who.
    pub by: String,
    /// What.
    pub kind: PledgeEventKind,
}

/// What happened to a pledge.
#[derive(Debug, Clone, PartialEq)]
pub enum PledgeEventKind {
    /// Confirmed by the capital at a readiness level, ready from a date.
    Confirmed {
        /// The level.
        readiness_level: u32,
        /// Ready from.
        ready_from: NaiveDate,
    },
    /// Declined by the capital.
    Declined {
        /// Why.
        reason: String,
    },
    /// Verified by the coordinator.
    Verified {
        /// How.
        how: String,
        /// Notes.
        notes: String,
    },
    /// Units deployed or delivered.
    Delivered {
        /// Units.
        units: u32,
        /// On.
        on: NaiveDate,
    },
    /// Released from the plan by the coordinator.
    Released {
        /// Why.
        reason: String,
    },
    /// Withdrawn by the capital.
    Withdrawn {
        /// Why.
        reason: String,
    },
}

impl PledgeEventKind {
    /// Whether the capital itself takes this step (else the coordinator does).
    pub fn by_the_capital(&self) -> bool {
        matches!(
            self,
            Self::Confirmed { .. } | Self::Declined { .. } | Self::Withdrawn { .. }
        )
    }

    /// The step in words ("confirmed", "delivered", …).
    pub fn name(&self) -> &'static str {
        match self {
            Self::Confirmed { .. } => "confirmed",
            Self::Declined { .. } => "declined",
            Self::Verified { .. } => "verified",
            Self::Delivered { .. } => "delivered",
            Self::Released { .. } => "released",
            Self::Withdrawn { .. } => "withdrawn",
        }
    }
}

/// Where a pledge stands, derived from its events.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PledgeState {
    /// In the plan; the capital has not confirmed it yet.
    Accepted,
    /// Confirmed by the capital, with a readiness level.
    Confirmed,
    /// Verified by the coordinator.
    Verified,
    /// Some of its units delivered.
    PartlyDelivered,
    /// Every unit delivered.
    Delivered,
    /// Declined by the capital.
    Declined,
    /// Released by the coordinator.
    Released,
    /// Withdrawn by the capital.
    Withdrawn,
}

impl PledgeState {
    /// Every state, in the order a pledge moves through them, then the ways it stops.
    pub const ALL: [Self; 8] = [
        Self::Accepted,
        Self::Confirmed,
        Self::Verified,
        Self::PartlyDelivered,
        Self::Delivered,
        Self::Declined,
        Self::Withdrawn,
        Self::Released,
    ];

    /// Whether it still counts towards the plan.
    pub fn stands(self) -> bool {
        !matches!(self, Self::Declined | Self::Released | Self::Withdrawn)
    }

    /// The name used in JSON output.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Accepted => "accepted",
            Self::Confirmed => "confirmed",
            Self::Verified => "verified",
            Self::PartlyDelivered => "partly_delivered",
            Self::Delivered => "delivered",
            Self::Declined => "declined",
            Self::Released => "released",
            Self::Withdrawn => "withdrawn",
        }
    }
}

impl Pledge {
    /// Where it stands after its events.
    pub fn state(&self) -> PledgeState {
        let mut state = PledgeState::Accepted;
        let mut delivered = 0;
        for e in &self.events {
            // A pledge that stopped standing stays so (validation refuses anything after it).
            if !state.stands() {
                break;
            }
            state = match &e.kind {
                PledgeEventKind::Confirmed { .. } => PledgeState::Confirmed,
                PledgeEventKind::Declined { .. } => PledgeState::Declined,
                PledgeEventKind::Verified { .. } => PledgeState::Verified,
                PledgeEventKind::Delivered { units, .. } => {
                    delivered += units;
                    if delivered >= self.units {
                        PledgeState::Delivered
                    } else {
                        PledgeState::PartlyDelivered
                    }
                }
                PledgeEventKind::Released { .. } => PledgeState::Released,
                PledgeEventKind::Withdrawn { .. } => PledgeState::Withdrawn,
            };
        }
        state
    }

    /// Units delivered so far.
    pub fn delivered(&self) -> u32 {
        self.events
            .iter()
            .map(|e| match e.kind {
                PledgeEventKind::Delivered { units, .. } => units,
                _ => 0,
            })
            .sum()
    }

    /// The readiness level it was confirmed at, if confirmed.
    pub fn readiness(&self) -> Option<(u32, NaiveDate)> {
        self.events.iter().find_map(|e| match e.kind {
            PledgeEventKind::Confirmed {
                readiness_level,
                ready_from,
            } => Some((readiness_level, ready_from)),
            _ => None,
        })
    }

    /// Whether `kind` may happen next, given the campaign's readiness levels; the reason in
    /// words when it may not. The one rule of the pledge lifecycle.
    pub fn check(&self, kind: &PledgeEventKind, levels: &[u32]) -> Result<(), String> {
        let state = self.state();
        let delivered = self.delivered();
        let reason_given = |r: &str| {
            if r.trim().is_empty() {
                Err("say why".to_owned())
            } else {
                Ok(())
            }
        };
        match (kind, state) {
            (_, PledgeState::Declined | PledgeState::Released | PledgeState::Withdrawn) => {
                Err(format!(
                    "the pledge was {} already: nothing more can happen to it",
                    state.as_str()
                ))
            }
            (
                PledgeEventKind::Confirmed {
                    readiness_level, ..
                },
                PledgeState::Accepted,
            ) => {
                if levels.contains(readiness_level) {
                    Ok(())
                } else {
                    Err(format!(
                        "readiness level {readiness_level} is not one of the campaign's ({})",
                        levels
                            .iter()
                            .map(ToString::to_string)
                            .collect::<Vec<_>>()
                            .join(", ")
                    ))
                }
            }
            (PledgeEventKind::Confirmed { .. }, _) => Err(format!(
                "the pledge is {} already: it was confirmed before",
                state.as_str()
            )),
            (PledgeEventKind::Declined { reason }, PledgeState::Accepted) => reason_given(reason),
            (PledgeEventKind::Declined { .. }, _) => Err(format!(
                "the pledge is {}: a confirmed pledge is withdrawn, not declined",
                state.as_str()
            )),
            (PledgeEventKind::Verified { how, .. }, PledgeState::Confirmed) => {
                if how.trim().is_empty() {
                    Err("say how it was verified (e.g. an assessment visit)".into())
                } else {
                    Ok(())
                }
            }
            (PledgeEventKind::Verified { .. }, PledgeState::Accepted) => {
                Err("the capital has not confirmed the pledge yet: verify it after".into())
            }
            (PledgeEventKind::Verified { .. }, _) => {
                Err(format!("the pledge is {} already", state.as_str()))
            }
            (
                PledgeEventKind::Delivered { units, .. },
                PledgeState::Verified | PledgeState::PartlyDelivered,
            ) => {
                if *units == 0 {
                    Err("deliver at least one unit".into())
                } else if delivered + units > self.units {
                    Err(format!(
                        "{units} more would make {} delivered of {} pledged: deliver at most {}",
                        delivered + units,
                        self.units,
                        self.units - delivered
                    ))
                } else {
                    Ok(())
                }
            }
            (PledgeEventKind::Delivered { .. }, PledgeState::Delivered) => {
                Err("every unit was delivered already".into())
            }
            (PledgeEventKind::Delivered { .. }, _) => Err(format!(
                "the pledge is {}: it is delivered once verified",
                state.as_str()
            )),
            (PledgeEventKind::Released { reason } | PledgeEventKind::Withdrawn { reason }, _) => {
                reason_given(reason)
            }
        }
    }
}

/// Coverage of one requirement line by a plan, at each level of commitment.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct LevelCoverage {
    /// The requirement line.
    pub requirement: String,
    /// Units required.
    pub required: u32,
    /// Units placed by pledges still standing (accepted or further).
    pub accepted: f64,
    /// … confirmed or further.
    pub confirmed: f64,
    /// … verified or further.
    pub verified: f64,
    /// Units delivered (each pledge's placements in proportion to its units delivered).
    pub delivered: f64,
}

/// Coverage of a group of requirement lines (a phase, the essential lines) at each level:
/// each line's share of its requirement met, capped at 1 so that a surplus on one line hides
/// no gap on another, averaged with every line weighing the same (units of different
/// capabilities cannot be added); and the lines fully covered.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct LevelTotals {
    /// Requirement lines in the group.
    pub lines: usize,
    /// Mean share covered by standing pledges (accepted or further), 0 to 1.
    pub accepted: f64,
    /// … confirmed or further.
    pub confirmed: f64,
    /// … verified or further.
    pub verified: f64,
    /// … delivered.
    pub delivered: f64,
    /// Lines fully covered on accepted pledges.
    pub lines_accepted: usize,
    /// … on confirmed.
    pub lines_confirmed: usize,
    /// … on verified.
    pub lines_verified: usize,
    /// … on delivered.
    pub lines_delivered: usize,
}

impl LevelTotals {
    /// Mean share and lines fully covered at each level: accepted, confirmed, verified,
    /// delivered.
    pub fn levels(&self) -> [(f64, usize); 4] {
        [
            (self.accepted, self.lines_accepted),
            (self.confirmed, self.lines_confirmed),
            (self.verified, self.lines_verified),
            (self.delivered, self.lines_delivered),
        ]
    }

    /// The totals of `lines`.
    pub fn of<'a>(lines: impl IntoIterator<Item = &'a LevelCoverage>) -> Self {
        let mut t = Self::default();
        for l in lines {
            let required = f64::from(l.required.max(1));
            // A line is met when its units reach the requirement; the tolerance absorbs the
            // proportional share of a partly delivered pledge.
            let met = |x: f64| usize::from(x + 1e-9 >= required);
            let share = |x: f64| (x / required).min(1.0);
            t.lines += 1;
            t.accepted += share(l.accepted);
            t.confirmed += share(l.confirmed);
            t.verified += share(l.verified);
            t.delivered += share(l.delivered);
            t.lines_accepted += met(l.accepted);
            t.lines_confirmed += met(l.confirmed);
            t.lines_verified += met(l.verified);
            t.lines_delivered += met(l.delivered);
        }
        if t.lines > 0 {
            let n = t.lines as f64;
            t.accepted /= n;
            t.confirmed /= n;
            t.verified /= n;
            t.delivered /= n;
        }
        t
    }
}

/// Coverage of one phase by a plan, at each level.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct PhaseCoverage {
    /// The phase.
    pub phase: String,
    /// Every requirement line of the phase.
    pub all: LevelTotals,
    /// Its essential lines.
    pub essential: LevelTotals,
}

/// One capital's pledges in a plan, counted at each level (Kiel's pledged against delivered).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct CapitalPledges {
    /// The capital.
    pub respondent: String,
    /// Pledges made to it, standing or not.
    pub pledges: usize,
    /// Pledges standing (not declined, withdrawn or released).
    pub standing: usize,
    /// Pledges confirmed or further.
    pub confirmed: usize,
    /// Pledges verified or further.
    pub verified: usize,
    /// Units pledged on standing pledges.
    pub units: u32,
    /// Units delivered.
    pub units_delivered: u32,
}

/// Coverage as it stood at the end of one day.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct CoverageOn {
    /// The day (UTC).
    pub day: NaiveDate,
    /// Each requirement line.
    pub lines: Vec<LevelCoverage>,
    /// The essential lines together.
    pub essential: LevelTotals,
}

/// A standing pledge that the capital's current proposal no longer backs as it was adopted:
/// the plan rests on a line that changed since.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct PledgeDrift {
    /// The pledge.
    pub pledge: String,
    /// The capital.
    pub respondent: String,
    /// The offer line it came from.
    pub offer: String,
    /// What changed, in words.
    pub what: String,
}

impl Pledge {
    /// The pledge as it stood at the end of `day` (UTC): the steps recorded later left out.
    pub fn as_of(&self, day: NaiveDate) -> Self {
        Self {
            events: self
                .events
                .iter()
                .filter(|e| e.at.date_naive() <= day)
                .cloned()
                .collect(),
            ..self.clone()
        }
    }
}

impl Plan {
    /// The plan as it stood at the end of `day` (UTC).
    pub fn as_of(&self, day: NaiveDate) -> Self {
        Self {
            pledges: self.pledges.iter().map(|p| p.as_of(day)).collect(),
            ..self.clone()
        }
    }

    /// The days on which it changed, oldest first: its adoption and every recorded step.
    pub fn change_days(&self) -> Vec<NaiveDate> {
        let mut days: Vec<NaiveDate> = std::iter::once(self.adopted_at.date_naive())
            .chain(
                self.pledges
                    .iter()
                    .flat_map(|p| p.events.iter().map(|e| e.at.date_naive())),
            )
            .collect();
        days.sort_unstable();
        days.dedup();
        days
    }
}

impl crate::model::Campaign {
    /// The readiness levels.
    pub fn readiness_levels(&self) -> &[ReadinessLevel] {
        &self.readiness_levels
    }

    /// Every plan adopted, oldest first.
    pub fn plans(&self) -> &[Plan] {
        &self.plans
    }

    /// The plan that stands: the last adopted.
    pub fn plan(&self) -> Option<&Plan> {
        self.plans.last()
    }

    /// Coverage of each requirement line by `plan`, at each level of commitment.
    pub fn plan_coverage(&self, plan: &Plan) -> Vec<LevelCoverage> {
        self.requirements()
            .iter()
            .map(|r| {
                let mut line = LevelCoverage {
                    requirement: r.id.to_string(),
                    required: r.quantity.get(),
                    accepted: 0.0,
                    confirmed: 0.0,
                    verified: 0.0,
                    delivered: 0.0,
                };
                // Units deployed directly count one each; a line's pool keeps
                // ⌊its units ÷ the rotation ratio⌋ deployed, at each level alike.
                let mut pool = LevelCoverage {
                    accepted: 0.0,
                    confirmed: 0.0,
                    verified: 0.0,
                    delivered: 0.0,
                    ..line.clone()
                };
                // Parts of assembled units, per part's capability: a line counts
                // min over the parts of ⌊units of the part ÷ units per assembled unit⌋.
                let mut parts: BTreeMap<&CapabilityId, LevelCoverage> = BTreeMap::new();
                let composition = self.capability(&r.capability).composition.as_ref();
                for p in &plan.pledges {
                    let state = p.state();
                    if !state.stands() {
                        continue;
                    }
                    for pl in p.placements.iter().filter(|pl| pl.requirement == r.id) {
                        // Counted by what the pledge is, not by its flags alone: the line's own
                        // capability deploys (or pools), a part of it assembles, anything else
                        // serves nothing here (validation refuses it).
                        let to = if p.capability != r.capability {
                            if !composition.is_some_and(|k| {
                                k.parts.iter().any(|part| part.capability == p.capability)
                            }) {
                                continue;
                            }
                            parts.entry(&p.capability).or_insert_with(|| LevelCoverage {
                                accepted: 0.0,
                                confirmed: 0.0,
                                verified: 0.0,
                                delivered: 0.0,
                                ..line.clone()
                            })
                        } else if pl.pooled {
                            &mut pool
                        } else {
                            &mut line
                        };
                        let placed = f64::from(pl.units);
                        to.accepted += placed;
                        if state >= PledgeState::Confirmed {
                            to.confirmed += placed;
                        }
                        if state >= PledgeState::Verified {
                            to.verified += placed;
                        }
                        to.delivered += placed * f64::from(p.delivered()) / f64::from(p.units);
                    }
                }
                let ratio = self.capability(&r.capability).rotation_ratio.get();
                let kept = |units: f64| (units / ratio + 1e-9).floor();
                line.accepted += kept(pool.accepted);
                line.confirmed += kept(pool.confirmed);
                line.verified += kept(pool.verified);
                line.delivered += kept(pool.delivered);
                if let Some(k) = composition {
                    let assembled = |level: fn(&LevelCoverage) -> f64| {
                        k.parts
                            .iter()
                            .map(|part| {
                                let units = parts.get(&part.capability).map_or(0.0, level);
                                (units / f64::from(part.quantity) + 1e-9).floor()
                            })
                            .fold(f64::INFINITY, f64::min)
                    };
                    line.accepted += assembled(|l| l.accepted);
                    line.confirmed += assembled(|l| l.confirmed);
                    line.verified += assembled(|l| l.verified);
                    line.delivered += assembled(|l| l.delivered);
                }
                line
            })
            .collect()
    }

    /// The standing, not yet delivered pledges of `plan` whose offer line the capital's current
    /// proposal no longer holds as adopted: the proposal withdrawn, the line gone, for another
    /// capability, or for fewer units than pledged.
    pub fn plan_drift(&self, plan: &Plan) -> Vec<PledgeDrift> {
        plan.pledges
            .iter()
            .filter(|p| p.state().stands() && p.state() != PledgeState::Delivered)
            .filter_map(|p| {
                let proposal = self.proposal(&p.respondent);
                let what = match proposal.and_then(crate::model::Proposal::current) {
                    None if proposal.is_some_and(|x| x.withdrawn.is_some()) => {
                        "the capital withdrew its proposal".to_owned()
                    }
                    None => "the capital has no submitted proposal".to_owned(),
                    Some(current) => match current.offers.iter().find(|o| o.id == p.offer) {
                        None => format!(
                            "line {} is no longer in its proposal (revision {})",
                            p.offer, current.number
                        ),
                        Some(o) if o.capability != p.capability => format!(
                            "line {} is now for {}, not {}",
                            p.offer,
                            self.capability(&o.capability).name,
                            self.capability(&p.capability).name
                        ),
                        Some(o) if o.quantity.get() < p.units => format!(
                            "line {} now offers {}, {} pledged",
                            p.offer,
                            o.quantity.get(),
                            p.units
                        ),
                        Some(_) => return None,
                    },
                };
                Some(PledgeDrift {
                    pledge: p.id.clone(),
                    respondent: p.respondent.to_string(),
                    offer: p.offer.to_string(),
                    what,
                })
            })
            .collect()
    }

    /// Coverage by `plan` of each phase, at each level (phases in the campaign's order).
    pub fn plan_coverage_by_phase(&self, plan: &Plan) -> Vec<PhaseCoverage> {
        let lines = self.plan_coverage(plan);
        self.phases()
            .iter()
            .map(|phase| {
                let of_phase: Vec<(&LevelCoverage, bool)> = self
                    .requirements()
                    .iter()
                    .zip(&lines)
                    .filter(|(r, _)| r.phase == phase.id)
                    .map(|(r, l)| (l, r.priority == crate::model::Priority::Essential))
                    .collect();
                PhaseCoverage {
                    phase: phase.id.to_string(),
                    all: LevelTotals::of(of_phase.iter().map(|(l, _)| *l)),
                    essential: LevelTotals::of(
                        of_phase.iter().filter(|(_, e)| *e).map(|(l, _)| *l),
                    ),
                }
            })
            .collect()
    }

    /// Each capital's pledges in `plan`, counted at each level, capitals in the order of
    /// their first pledge.
    pub fn plan_pledges_by_capital(&self, plan: &Plan) -> Vec<CapitalPledges> {
        let mut out: Vec<CapitalPledges> = Vec::new();
        for p in &plan.pledges {
            let i = match out
                .iter()
                .position(|c| c.respondent == p.respondent.as_str())
            {
                Some(i) => i,
                None => {
                    out.push(CapitalPledges {
                        respondent: p.respondent.to_string(),
                        pledges: 0,
                        standing: 0,
                        confirmed: 0,
                        verified: 0,
                        units: 0,
                        units_delivered: 0,
                    });
                    out.len() - 1
                }
            };
            let c = &mut out[i];
            let state = p.state();
            c.pledges += 1;
            if state.stands() {
                c.standing += 1;
                c.units += p.units;
                c.units_delivered += p.delivered();
                c.confirmed += usize::from(state >= PledgeState::Confirmed);
                c.verified += usize::from(state >= PledgeState::Verified);
            }
        }
        out
    }

    /// Coverage by `plan` at the end of each day on which it changed, oldest first: the
    /// pledged-against-delivered record over time.
    pub fn plan_timeline(&self, plan: &Plan) -> Vec<CoverageOn> {
        plan.change_days()
            .into_iter()
            .map(|day| {
                let lines = self.plan_coverage(&plan.as_of(day));
                let essential = LevelTotals::of(
                    self.requirements()
                        .iter()
                        .zip(&lines)
                        .filter(|(r, _)| r.priority == crate::model::Priority::Essential)
                        .map(|(_, l)| l),
                );
                CoverageOn {
                    day,
                    lines,
                    essential,
                }
            })
            .collect()
    }
}
