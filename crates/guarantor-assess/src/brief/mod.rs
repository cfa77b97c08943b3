//! The decision brief: one document for the person who decides.
//!
//! [`compose`] turns the assessment and the options engine's report into a [`Brief`]: a plain
//! model of pages, tables and charts whose every figure carries the name of the assessment or
//! options field it comes from (`figure`), so a reader (and the tests) can trace it. The model
//! is rendered twice from the same data: to self-contained HTML ([`Brief::to_html`]) and to
//! typst markup that the `guarantor-pdf` crate typesets ([`Brief::to_typst`]).

mod compose;
mod engagement;
mod render;

use serde::Serialize;

pub use compose::{
    BriefInput, assessment_section, compose, fielded_section, recommend, scenario_comparison,
    scenario_options,
};
pub use engagement::{engagement_section, essential_over_time, line_over_time, plan_section};
pub use render::TypstSource;

/// The brief.
#[derive(Debug, Clone, Serialize)]
pub struct Brief {
    /// Campaign title.
    pub title: String,
    /// Who asks.
    pub issuer: String,
    /// Campaign id.
    pub campaign: String,
    /// Reporting currency.
    pub currency: String,
    /// The date the brief was made, ISO 8601.
    pub generated_on: String,
    /// Set when the proposals are illustrative: the words printed on every page.
    pub illustrative: Option<String>,
    /// The audit log's head when the brief was made from a store (`row N, hash H`): a reader can
    /// check later that the log still holds that row with that hash.
    pub audit_head: Option<String>,
    /// The one-page summary.
    pub summary: SummaryPage,
    /// The body: options side by side, then the scenario comparison.
    pub sections: Vec<Section>,
    /// The annexes: the assessment, then a page per respondent.
    pub annexes: Vec<Section>,
    /// The charts the sections refer to.
    pub charts: Vec<Chart>,
}

/// The one-page summary.
#[derive(Debug, Clone, Serialize)]
pub struct SummaryPage {
    /// The question the campaign asked.
    pub question: String,
    /// What can be fielded: each force posture under each outcome of the talks (absent when
    /// the campaign defines no postures).
    pub fielded: Option<Section>,
    /// The headline figures.
    pub figures: Vec<KeyFigure>,
    /// What is missing from the recommended option, in sentences.
    pub missing: Vec<String>,
    /// The recommended option and why.
    pub recommendation: Recommendation,
}

/// A headline figure.
#[derive(Debug, Clone, Serialize)]
pub struct KeyFigure {
    /// What it is.
    pub label: String,
    /// The figure as written.
    pub text: String,
    /// The figure's source field, e.g. `assessment.offered.personnel.committed`.
    pub figure: String,
    /// The number behind `text`, when it is one.
    pub value: Option<f64>,
    /// A short explanation under the figure.
    pub note: String,
}

/// Which option the brief recommends, and why.
#[derive(Debug, Clone, Serialize)]
pub struct Recommendation {
    /// The option's title, e.g. "Option 1 (cheapest)".
    pub option: String,
    /// The scenario it is computed under.
    pub scenario: String,
    /// The reasons, in sentences.
    pub why: Vec<String>,
    /// The rule that picked it.
    pub rule: String,
}

/// A section (or annex) of the brief.
#[derive(Debug, Clone, Serialize)]
pub struct Section {
    /// Anchor id.
    pub id: String,
    /// Heading.
    pub title: String,
    /// The content, in order.
    pub blocks: Vec<Block>,
}

/// A piece of a section.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Block {
    /// A sub-heading.
    Heading {
        /// The text.
        text: String,
    },
    /// A paragraph.
    Paragraph {
        /// The text.
        text: String,
    },
    /// A bulleted list.
    List {
        /// The items.
        items: Vec<String>,
    },
    /// A table.
    Table(Table),
    /// A chart, by id in [`Brief::charts`].
    Chart {
        /// Chart id.
        chart: String,
    },
}

/// A table with headers.
#[derive(Debug, Clone, Serialize)]
pub struct Table {
    /// Caption above the table.
    pub caption: String,
    /// Column headers.
    pub columns: Vec<Column>,
    /// Rows of cells, as many as columns.
    pub rows: Vec<Vec<Cell>>,
    /// A note under the table (method, units).
    pub note: String,
}

/// A column header.
#[derive(Debug, Clone, Serialize)]
pub struct Column {
    /// Header text.
    pub title: String,
    /// Right-aligned numbers.
    pub numeric: bool,
}

/// A table cell.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Cell {
    /// The cell as written.
    pub text: String,
    /// The number behind it, when it is one.
    pub value: Option<f64>,
    /// The source field of the number.
    pub figure: Option<String>,
}

/// A chart.
#[derive(Debug, Clone, Serialize)]
pub struct Chart {
    /// Id, also its file name stem in the PDF.
    pub id: String,
    /// Caption under the chart: what it shows and how to read it.
    pub caption: String,
    /// The SVG document.
    #[serde(skip)]
    pub svg: String,
}

impl Cell {
    /// A cell of plain text.
    pub fn text(text: impl Into<String>) -> Self {
        Self {
            text: text.into(),
            ..Self::default()
        }
    }

    /// A cell showing a number, with its source field.
    pub fn figure(text: impl Into<String>, value: f64, figure: impl Into<String>) -> Self {
        Self {
            text: text.into(),
            value: Some(value),
            figure: Some(figure.into()),
        }
    }

    /// A number that may be missing: "n/a" without a value.
    pub fn maybe(
        value: Option<f64>,
        write: impl Fn(f64) -> String,
        figure: impl Into<String>,
    ) -> Self {
        match value {
            Some(v) => Self::figure(write(v), v, figure),
            None => Self::text("n/a"),
        }
    }
}

impl Column {
    /// A text column.
    pub fn text(title: &str) -> Self {
        Self {
            title: title.to_owned(),
            numeric: false,
        }
    }

    /// A numeric column.
    pub fn number(title: &str) -> Self {
        Self {
            title: title.to_owned(),
            numeric: true,
        }
    }
}
