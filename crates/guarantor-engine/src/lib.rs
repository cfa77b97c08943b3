//! Guarantor's computations on a validated campaign. Today: the summary with raw coverage.
//! The options engine and the assessment are built here on the same inputs.
//!
//! Everything here is a pure function of a [`guarantor_domain::Campaign`]: no I/O, no clock.

pub mod summary;

pub use summary::{Summary, summarise};
