//! The brief rendered: HTML with askama, typst markup for the PDF.

use askama::Template;

use super::{Block, Brief, Chart, Section};

/// The HTML template (templates/brief.html); every value is escaped except the charts' SVG,
/// which `charts` writes with its text escaped.
#[derive(Template)]
#[template(path = "brief.html")]
struct BriefHtml<'a> {
    brief: &'a Brief,
}

impl BriefHtml<'_> {
    fn chart(&self, id: &str) -> Option<&Chart> {
        self.brief.charts.iter().find(|c| c.id == id)
    }

    fn all_sections(&self) -> Vec<(&Section, bool)> {
        self.brief
            .sections
            .iter()
            .map(|s| (s, false))
            .chain(self.brief.annexes.iter().map(|s| (s, true)))
            .collect()
    }
}

/// One section alone, for pages that show part of the brief (the web app).
#[derive(Template)]
#[template(path = "section.html")]
struct SectionHtml<'a> {
    section: &'a Section,
    charts: &'a [Chart],
}

impl SectionHtml<'_> {
    fn chart(&self, id: &str) -> Option<&Chart> {
        self.charts.iter().find(|c| c.id == id)
    }
}

impl Section {
    /// The section as an HTML fragment (`<section>` with its tables and charts inline), marked
    /// up exactly as in the brief, `data-figure` included.
    pub fn to_html(&self, charts: &[Chart]) -> String {
        SectionHtml {
            section: self,
            charts,
        }
        .render()
        .unwrap_or_else(|e| unreachable!("the section template renders any section: {e}"))
    }
}

/// The typst template (templates/brief.typ): it reads the brief as `brief.json` and the charts
/// as `chart-ID.svg`, so no text of the brief is ever parsed as markup.
const TYPST_TEMPLATE: &str = include_str!("../../templates/brief.typ");

/// Typst markup and the files it reads, ready for `guarantor_pdf::typeset`.
#[derive(Debug, Clone)]
pub struct TypstSource {
    /// The main file.
    pub main: String,
    /// Other files by name: `brief.json` and one SVG per chart.
    pub files: Vec<(String, Vec<u8>)>,
}

impl Brief {
    /// The brief as one self-contained HTML page (styles and charts inline, no network).
    pub fn to_html(&self) -> String {
        BriefHtml { brief: self }
            .render()
            .unwrap_or_else(|e| unreachable!("the brief template renders any brief: {e}"))
    }

    /// The brief as typst markup with its data and charts.
    pub fn to_typst(&self) -> TypstSource {
        let data = serde_json::to_vec(self)
            .unwrap_or_else(|e| unreachable!("a brief always serialises: {e}"));
        let mut files = vec![("brief.json".to_owned(), data)];
        files.extend(
            self.charts
                .iter()
                .map(|c| (format!("chart-{}.svg", c.id), c.svg.clone().into_bytes())),
        );
        TypstSource {
            main: TYPST_TEMPLATE.to_owned(),
            files,
        }
    }
}
