//! Guarantor's computations on a validated campaign: the summary with raw coverage, and the
//! options engine (force packages under negotiation scenarios), and the engagement plan (whom to
//! ask for what, each ask valued by the options engine).
//!
//! Everything here is a pure function of a [`guarantor_domain::Campaign`]: no I/O, no clock
//! (solver time limits aside).

pub mod engage;
pub mod generate;
pub mod options;
pub mod summary;
pub mod what_if;

pub use options::{OptionsReport, OptionsRequest, compute as compute_options};
pub use summary::{Summary, summarise};
