//! Guarantor's domain model: what a campaign is, the campaign file that carries it, and the rules
//! that make a campaign valid.
//!
//! Data flows one way at the boundary: text → [`document::CampaignDocument`] (the file's shape,
//! plain strings and numbers) → [`validate()`] → [`Campaign`] (validated: newtypes, resolved
//! references). Everything downstream takes a `Campaign`. This crate does no I/O and knows
//! nothing of HTTP or SQL.

pub mod asks;
pub mod document;
pub mod format;
pub mod ids;
pub mod json;
mod load;
pub mod model;
pub mod plans;
pub mod quantity;
mod to_document;
mod validate;
pub mod what_if;

pub use asks::{AskStatus, Decline, FollowUpAsk};
pub use document::{CampaignDocument, FORMAT_VERSION, json_schema};
pub use load::{FileFormat, LoadError, parse_campaign, parse_document};
pub use model::*;
pub use plans::{
    CapitalPledges, CoverageOn, LevelCoverage, LevelTotals, PhaseCoverage, Plan, Pledge,
    PledgeDrift, PledgeEvent, PledgeEventKind, PledgePlacement, PledgeState, ReadinessLevel,
};
pub use validate::{
    CommitConditions, Problem, SetupIndex, commit_conditions, missing_for_submission, validate,
    validate_proposal_change,
};
pub use what_if::{HypotheticalOffer, RemovedOffer, SavedWhatIf, WhatIf};
