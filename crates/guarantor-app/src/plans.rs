//! Plans and pledges as the front ends see them: a decision maker (or coordinator) adopts an
//! option as the plan; each capital confirms or declines its pledges; the coordinator records
//! verification and delivery; everyone allowed reads coverage at each level.

use chrono::{DateTime, NaiveDate, Utc};
use guarantor_domain::document::{PlacementDoc, PlanDoc, PledgeDoc, PledgeEventKindDoc};
use guarantor_domain::{
    Campaign, CapitalPledges, CoverageOn, LevelCoverage, PhaseCoverage, Plan, Pledge, PledgeDrift,
    PledgeState,
};
use serde::{Deserialize, Serialize};

use crate::error::{AppError, AppResult, ErrorKind};
use crate::policy::{Action, authorise};
use crate::{App, Principal};

/// What the decision maker adopts.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AdoptRequest {
    /// The scenario (default: the campaign's first).
    #[serde(default)]
    pub scenario: Option<String>,
    /// Which of its options, from 1 (default: the recommended one).
    #[serde(default)]
    pub option: Option<usize>,
    /// Why, in the decision maker's words.
    #[serde(default)]
    pub note: String,
}

/// The plan that stands, with each pledge's state and coverage at each level.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct PlanView {
    /// 1, 2, … (the last adopted).
    pub version: u32,
    /// When and by whom.
    pub adopted_at: DateTime<Utc>,
    /// By whom.
    pub adopted_by: String,
    /// Under which scenario.
    pub scenario: String,
    /// Which option.
    pub option: String,
    /// Why.
    pub note: String,
    /// The pledges.
    pub pledges: Vec<PledgeView>,
    /// Per requirement line: units required, and placed at each level.
    #[schemars(with = "Vec<serde_json::Value>")]
    pub coverage: Vec<LevelCoverage>,
    /// Per phase: its lines' and its essential lines' mean coverage at each level (0 to 1) and
    /// lines fully covered.
    #[schemars(with = "Vec<serde_json::Value>")]
    pub by_phase: Vec<PhaseCoverage>,
    /// Per capital: pledges made, standing, confirmed, verified; units pledged and delivered.
    #[schemars(with = "Vec<serde_json::Value>")]
    pub by_capital: Vec<CapitalPledges>,
    /// On each day something was recorded (adoption, each step): every line at each level and
    /// the essential lines together, as they stood that day (UTC).
    #[schemars(with = "Vec<serde_json::Value>")]
    pub over_time: Vec<CoverageOn>,
    /// Standing pledges whose offer line changed since adoption (`pledge`, `respondent`,
    /// `offer`, `what`): what the plan rests on that is no longer there.
    #[schemars(with = "Vec<serde_json::Value>")]
    pub drift: Vec<PledgeDrift>,
}

/// One pledge and where it stands.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct PledgeView {
    /// Identifier.
    pub id: String,
    /// The capital.
    pub respondent: String,
    /// The offer line it came from.
    pub offer: String,
    /// The capability, and its name.
    pub capability: String,
    /// Its name.
    pub capability_name: String,
    /// Units accepted.
    pub units: u32,
    /// Units delivered.
    pub delivered: u32,
    /// `accepted`, `confirmed`, `verified`, `partly_delivered`, `delivered`, `declined`,
    /// `released`, `withdrawn`.
    #[schemars(with = "String")]
    pub state: PledgeState,
    /// The readiness level confirmed, and its name.
    pub readiness: Option<String>,
    /// Ready from (a date), when confirmed.
    pub ready_from: Option<NaiveDate>,
    /// Its history, in words, oldest first.
    pub history: Vec<String>,
}

impl PledgeView {
    fn of(c: &Campaign, p: &Pledge) -> Self {
        let readiness = p.readiness();
        Self {
            id: p.id.clone(),
            respondent: p.respondent.to_string(),
            offer: p.offer.to_string(),
            capability: p.capability.to_string(),
            capability_name: c.capability(&p.capability).name.clone(),
            units: p.units,
            delivered: p.delivered(),
            state: p.state(),
            readiness: readiness.map(|(level, _)| {
                c.readiness_levels()
                    .iter()
                    .find(|l| l.level == level)
                    .map_or_else(
                        || format!("level {level}"),
                        |l| format!("{level}: {}", l.name),
                    )
            }),
            ready_from: readiness.map(|(_, from)| from),
            history: p
                .events
                .iter()
                .map(|e| {
                    format!(
                        "{} {} by {}",
                        guarantor_domain::format::to_the_minute(&e.at.to_rfc3339()),
                        e.kind.name(),
                        e.by
                    )
                })
                .collect(),
        }
    }
}

impl PlanView {
    /// The view of `plan` in `c`.
    pub fn of(c: &Campaign, plan: &Plan) -> Self {
        Self {
            version: plan.version,
            adopted_at: plan.adopted_at,
            adopted_by: plan.adopted_by.clone(),
            scenario: plan.scenario.to_string(),
            option: plan.option.clone(),
            note: plan.note.clone(),
            pledges: plan.pledges.iter().map(|p| PledgeView::of(c, p)).collect(),
            coverage: c.plan_coverage(plan),
            by_phase: c.plan_coverage_by_phase(plan),
            by_capital: c.plan_pledges_by_capital(plan),
            over_time: c.plan_timeline(plan),
            drift: c.plan_drift(plan),
        }
    }
}

/// The pledges of `respondent` in the plan that stands of `c`.
pub(crate) fn pledges_in(c: &Campaign, respondent: &str) -> Vec<PledgeView> {
    c.plan().map_or_else(Vec::new, |p| {
        p.pledges
            .iter()
            .filter(|x| x.respondent.as_str() == respondent)
            .map(|x| PledgeView::of(c, x))
            .collect()
    })
}

impl App {
    /// Adopts an option of the standard options report as the plan (decision makers and
    /// coordinators): each accepted offer line becomes a pledge, accepted. A later adoption
    /// supersedes. Returns the plan's version and the campaign's.
    pub async fn adopt_plan(
        &self,
        who: &Principal,
        id: &str,
        request: AdoptRequest,
    ) -> AppResult<(u32, i64)> {
        authorise(who, Action::AdoptPlan)?;
        let (c, report) = self.cached_options(id).await?;
        let scenario = match &request.scenario {
            None => report.scenarios.first(),
            Some(s) => report.scenarios.iter().find(|x| &x.scenario == s),
        }
        .ok_or_else(|| {
            AppError::invalid_field(
                "scenario",
                &format!(
                    "no scenario \"{}\" (known: {})",
                    request.scenario.clone().unwrap_or_default(),
                    report
                        .scenarios
                        .iter()
                        .map(|s| s.scenario.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            )
        })?;
        let index = match request.option {
            None => guarantor_engine::options::recommend(&scenario.options).unwrap_or(0),
            Some(n) if (1..=scenario.options.len()).contains(&n) => n - 1,
            Some(n) => {
                return Err(AppError::invalid_field(
                    "option",
                    &format!(
                        "scenario \"{}\" has options 1 to {} (got {n})",
                        scenario.scenario,
                        scenario.options.len()
                    ),
                ));
            }
        };
        let package = scenario.options.get(index).ok_or_else(|| {
            AppError::new(
                ErrorKind::WrongState,
                "this scenario has no option to adopt",
            )
        })?;
        let mut pledges = Vec::new();
        for a in &package.accepted {
            let units = a.units.round() as i64;
            if units < 1 {
                continue;
            }
            let mut placements: Vec<PlacementDoc> = Vec::new();
            for pl in &a.placements {
                let n = pl.units.round() as i64;
                if n < 1 {
                    continue;
                }
                match placements.iter_mut().find(|x| {
                    x.requirement == pl.requirement
                        && x.pooled == pl.pooled
                        && x.assembled == pl.assembled
                }) {
                    Some(x) => x.units += n,
                    None => placements.push(PlacementDoc {
                        requirement: pl.requirement.clone(),
                        units: n,
                        pooled: pl.pooled,
                        assembled: pl.assembled,
                    }),
                }
            }
            pledges.push(PledgeDoc {
                id: a.offer.clone(),
                respondent: a.respondent.clone(),
                offer: a.offer.clone(),
                capability: a.capability.clone(),
                units,
                placements,
                events: Vec::new(),
            });
        }
        let plan = PlanDoc {
            version: 0,
            adopted_at: Utc::now(),
            adopted_by: who.actor(),
            scenario: scenario.scenario.clone(),
            option: format!("option {} ({})", index + 1, package.labels.join(", ")),
            note: request.note,
            pledges,
        };
        let version = self
            .store
            .adopt_plan(id, plan, &who.actor(), Utc::now())
            .await?;
        let plans = c.plans().len() + 1;
        Ok((u32::try_from(plans).unwrap_or(u32::MAX), version))
    }

    /// The plan that stands, with every pledge (coordinators and decision makers); `None`
    /// before any adoption.
    pub async fn plan(&self, who: &Principal, id: &str) -> AppResult<Option<PlanView>> {
        authorise(who, Action::ReadCampaign)?;
        let c = self.store.export(id).await?;
        Ok(c.plan().map(|p| PlanView::of(&c, p)))
    }

    /// The pledges of `respondent` in the plan that stands: the capital itself and the
    /// accounts.
    pub async fn pledges_of(
        &self,
        who: &Principal,
        id: &str,
        respondent: &str,
    ) -> AppResult<Vec<PledgeView>> {
        authorise(who, Action::read(id, respondent))?;
        let (own, setup, _) = self.store.proposal_in_campaign(id, respondent).await?;
        Ok(Self::follow_up_in(&setup, &own)?.1)
    }

    /// Records a step of `respondent`'s pledge `pledge`: confirm, decline and withdraw are the
    /// capital's (or the coordinator's on its word); verify, deliver and release the
    /// coordinator's. A step the lifecycle refuses is a conflict that says why, and nothing
    /// changes. Returns the campaign's new version.
    pub async fn record_pledge(
        &self,
        who: &Principal,
        id: &str,
        respondent: &str,
        pledge: &str,
        event: PledgeEventKindDoc,
    ) -> AppResult<i64> {
        let by_capital = matches!(
            event,
            PledgeEventKindDoc::Confirmed { .. }
                | PledgeEventKindDoc::Declined { .. }
                | PledgeEventKindDoc::Withdrawn { .. }
        );
        authorise(who, Action::read(id, respondent))?;
        if by_capital {
            authorise(who, Action::change(id, respondent))?;
        } else {
            authorise(who, Action::Coordinate)?;
        }
        let c = self.store.export(id).await?;
        let Some(found) = c.plan().and_then(|p| {
            p.pledges
                .iter()
                .find(|x| x.id == pledge && x.respondent.as_str() == respondent)
        }) else {
            return Err(AppError::not_found());
        };
        let levels: Vec<u32> = c.readiness_levels().iter().map(|l| l.level).collect();
        if let Some(kind) = domain_event(&event)
            && let Err(why) = found.check(&kind, &levels)
        {
            return Err(AppError::new(
                ErrorKind::WrongState,
                format!(
                    "pledge {pledge} cannot be {}: {why}; nothing changed",
                    kind.name()
                ),
            ));
        }
        Ok(self
            .store
            .record_pledge_event(id, respondent, pledge, event, &who.actor(), Utc::now())
            .await?)
    }
}

/// The domain's event for a file's, when its numbers are in range (else the store's check
/// reports them at their path).
fn domain_event(e: &PledgeEventKindDoc) -> Option<guarantor_domain::PledgeEventKind> {
    use guarantor_domain::PledgeEventKind as K;
    Some(match e {
        PledgeEventKindDoc::Confirmed {
            readiness_level,
            ready_from,
        } => K::Confirmed {
            readiness_level: u32::try_from(*readiness_level).ok()?,
            ready_from: *ready_from,
        },
        PledgeEventKindDoc::Declined { reason } => K::Declined {
            reason: reason.clone(),
        },
        PledgeEventKindDoc::Verified { how, notes } => K::Verified {
            how: how.clone(),
            notes: notes.clone(),
        },
        PledgeEventKindDoc::Delivered { units, on } => K::Delivered {
            units: u32::try_from(*units).ok()?,
            on: *on,
        },
        PledgeEventKindDoc::Released { reason } => K::Released {
            reason: reason.clone(),
        },
        PledgeEventKindDoc::Withdrawn { reason } => K::Withdrawn {
            reason: reason.clone(),
        },
    })
}
