//! Typesets a typst document into PDF, in pure Rust, with typst's embedded fonts.
//!
//! This crate holds the heavy typst dependency on its own so that the rest of Guarantor compiles
//! and tests quickly. It knows nothing of campaigns: it takes typst markup and the files that
//! markup reads (SVG charts) and returns PDF bytes. The brief crate writes the markup.

use std::collections::HashMap;
use std::sync::OnceLock;

use typst::diag::{FileError, FileResult, Severity, SourceDiagnostic};
use typst::foundations::{Bytes, Datetime, Duration};
use typst::syntax::{FileId, RootedPath, Source, VirtualPath, VirtualRoot};
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst::{Library, LibraryExt, World};
use typst_kit::fonts::FontStore;
use typst_layout::PagedDocument;

/// Why a document could not be typeset.
#[derive(Debug, thiserror::Error)]
pub enum PdfError {
    /// A file name given to the typesetter is not a valid path.
    #[error("\"{0}\" is not a valid file name for the typesetter")]
    BadFileName(String),
    /// The markup did not compile; the messages say where and why.
    #[error("the brief could not be typeset: {}", .0.join("; "))]
    Typeset(Vec<String>),
}

/// A typeset document: the PDF and what a caller may want to check about it.
#[derive(Debug, Clone)]
pub struct Typeset {
    /// The PDF file.
    pub pdf: Vec<u8>,
    /// Number of pages.
    pub pages: usize,
}

/// Typesets `main` (typst markup) into a PDF. `files` are the other files the markup reads, by
/// the name it uses (e.g. `image("coverage.svg")`). `today` is the date `datetime.today()`
/// returns, so the same input gives the same output.
pub fn typeset(
    main: &str,
    files: &[(&str, &[u8])],
    today: (i32, u8, u8),
) -> Result<Typeset, PdfError> {
    let world = BriefWorld::new(main, files, today)?;
    let warned = typst::compile::<PagedDocument>(&world);
    let document = warned
        .output
        .map_err(|errors| PdfError::Typeset(errors.iter().map(describe).collect()))?;
    let pdf = typst_pdf::pdf(&document, &typst_pdf::PdfOptions::default())
        .map_err(|errors| PdfError::Typeset(errors.iter().map(describe).collect()))?;
    // typst memoises layout across calls; keep only recent entries so that a long-running
    // server typesetting many briefs does not grow without bound.
    typst::comemo::evict(10);
    Ok(Typeset {
        pages: document.pages().len(),
        pdf,
    })
}

/// Forgets everything typst memoised, so the next [`typeset`] starts cold (for benchmarks).
pub fn clear_cache() {
    typst::comemo::evict(0);
}

fn describe(d: &SourceDiagnostic) -> String {
    let severity = match d.severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
    };
    let mut out = format!("{severity}: {}", d.message);
    for hint in &d.hints {
        out.push_str(&format!(" (hint: {})", hint.v));
    }
    out
}

/// The fonts bundled with typst (Libertinus Serif, New Computer Modern, DejaVu Sans Mono),
/// loaded once: parsing them takes longer than typesetting a brief.
fn fonts() -> &'static FontStore {
    static FONTS: OnceLock<FontStore> = OnceLock::new();
    FONTS.get_or_init(|| {
        let mut store = FontStore::new();
        store.extend(typst_kit::fonts::embedded());
        store
    })
}

fn library() -> &'static LazyHash<Library> {
    static LIBRARY: OnceLock<LazyHash<Library>> = OnceLock::new();
    LIBRARY.get_or_init(|| LazyHash::new(Library::default()))
}

/// A world of one main file and some in-memory files; nothing is read from disk or network.
struct BriefWorld {
    main: Source,
    files: HashMap<FileId, Bytes>,
    today: Datetime,
}

fn file_id(name: &str) -> Result<FileId, PdfError> {
    let vpath = VirtualPath::new(name).map_err(|_| PdfError::BadFileName(name.to_owned()))?;
    Ok(RootedPath::new(VirtualRoot::Project, vpath).intern())
}

impl BriefWorld {
    fn new(main: &str, files: &[(&str, &[u8])], today: (i32, u8, u8)) -> Result<Self, PdfError> {
        let main = Source::new(file_id("main.typ")?, main.to_owned());
        let files = files
            .iter()
            .map(|(name, data)| Ok((file_id(name)?, Bytes::new(data.to_vec()))))
            .collect::<Result<_, PdfError>>()?;
        let today = Datetime::from_ymd(today.0, today.1, today.2).ok_or_else(|| {
            PdfError::Typeset(vec![format!("invalid date {today:?} for the document")])
        })?;
        Ok(Self { main, files, today })
    }
}

impl World for BriefWorld {
    fn library(&self) -> &LazyHash<Library> {
        library()
    }

    fn book(&self) -> &LazyHash<FontBook> {
        fonts().book()
    }

    fn main(&self) -> FileId {
        self.main.id()
    }

    fn source(&self, id: FileId) -> FileResult<Source> {
        if id == self.main.id() {
            Ok(self.main.clone())
        } else {
            Err(FileError::NotSource)
        }
    }

    fn file(&self, id: FileId) -> FileResult<Bytes> {
        self.files
            .get(&id)
            .cloned()
            .ok_or_else(|| FileError::NotFound(id.vpath().get_without_slash().into()))
    }

    fn font(&self, index: usize) -> Option<Font> {
        fonts().font(index)
    }

    fn today(&self, _offset: Option<Duration>) -> Option<Datetime> {
        Some(self.today)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typesets_markup_with_an_svg_image() {
        let svg = br#"<svg xmlns="http://www.w3.org/2000/svg" width="100" height="50"><rect width="100" height="50" fill="black"/><text x="5" y="30" font-family="Libertinus Serif" fill="white">Chart</text></svg>"#;
        let out = typeset(
            "= Title\n\nSome text.\n\n#image(\"chart.svg\", width: 5cm)\n\n#pagebreak()\nSecond page.",
            &[("chart.svg", svg)],
            (2026, 11, 29),
        )
        .expect("typesets");
        assert_eq!(out.pages, 2);
        assert!(out.pdf.starts_with(b"%PDF-"));
    }

    #[test]
    fn bad_markup_names_the_problem() {
        let err = typeset("#image(\"missing.svg\")", &[], (2026, 11, 29)).unwrap_err();
        let message = err.to_string();
        assert!(
            message.contains("missing.svg") || message.contains("not found"),
            "{message}"
        );
    }
}
