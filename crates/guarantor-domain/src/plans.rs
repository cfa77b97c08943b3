//! Adopted plans and their pledges: from an accepted offer line to a delivered commitment.
//!
//! A pledge's state is derived from its events, never stored, and every event is checked against
//! the state it meets ([`Pledge::check`]): the same rule refuses a change at the front ends and a
//! campaign file whose history could not have happened.

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
    pub placements: Vec<(RequirementId, u32)>,
    /// What happened to it.
    pub events: Vec<PledgeEvent>,
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
                for p in &plan.pledges {
                    let state = p.state();
                    if !state.stands() {
                        continue;
                    }
                    let placed: u32 = p
                        .placements
                        .iter()
                        .filter(|(req, _)| *req == r.id)
                        .map(|(_, u)| *u)
                        .sum();
                    let placed = f64::from(placed);
                    line.accepted += placed;
                    if state >= PledgeState::Confirmed {
                        line.confirmed += placed;
                    }
                    if state >= PledgeState::Verified {
                        line.verified += placed;
                    }
                    line.delivered += placed * f64::from(p.delivered()) / f64::from(p.units);
                }
                line
            })
            .collect()
    }
}
