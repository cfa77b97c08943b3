//! The assessment of a campaign's proposals and the decision brief built on it.
//!
//! `assessment` measures what the current proposals offer against the reference figures of the
//! respondents (willingness, burden sharing, conditions) and the statement of requirements (raw
//! coverage). `brief` composes the assessment and the options engine's report into one document
//! for the decision maker, rendered as self-contained HTML or as typst markup for the PDF.
//! `charts` draws the brief's SVG charts. Everything here is a pure function of its inputs.

pub mod assessment;
pub mod brief;
pub mod charts;
use guarantor_domain::format;

pub use assessment::{Assessment, assess};
pub use brief::{Brief, BriefInput, compose};
