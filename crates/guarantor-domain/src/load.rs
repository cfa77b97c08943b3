//! Reading and writing campaign files: JSON (canonical) and TOML (for hand-writing).

use std::fmt;

use crate::document::{CampaignDocument, FORMAT_VERSION};
use crate::model::Campaign;
use crate::validate::{Problem, validate};

/// The text formats a campaign file may be written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileFormat {
    /// JSON, the canonical form.
    Json,
    /// TOML, accepted for hand-written files.
    Toml,
}

impl FileFormat {
    /// Picks the format from a file name's extension (`.toml` is TOML, anything else JSON).
    pub fn from_path(path: &std::path::Path) -> Self {
        match path.extension().and_then(|e| e.to_str()) {
            Some(ext) if ext.eq_ignore_ascii_case("toml") => Self::Toml,
            _ => Self::Json,
        }
    }
}

/// Why a campaign file could not be read.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// The text is not well-formed JSON or TOML, or a value has the wrong shape.
    #[error("{format} syntax or shape error at {path}: {message}")]
    Syntax {
        /// `JSON` or `TOML`.
        format: &'static str,
        /// Where, as a field path (`.` for the whole document).
        path: String,
        /// What the parser said, with line and column where it knows them.
        message: String,
    },
    /// The file is written in a format version this build does not know.
    #[error(
        "format_version {found} is not supported: this build reads versions 1 to {FORMAT_VERSION}{hint}"
    )]
    UnsupportedVersion {
        /// The version the file states.
        found: i64,
        /// Advice on what to do.
        hint: &'static str,
    },
    /// The file parsed but breaks the campaign rules; every problem is listed.
    #[error("{} problem(s) found:\n{}", .0.len(), ProblemList(.0))]
    Invalid(Vec<Problem>),
}

/// Displays problems one per line.
struct ProblemList<'a>(&'a [Problem]);

impl fmt::Display for ProblemList<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, p) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "  {p}")?;
        }
        Ok(())
    }
}

/// Converts TOML to JSON values; TOML dates and times become RFC 3339 strings, as JSON writes them.
fn toml_to_json(value: toml::Value) -> serde_json::Value {
    use serde_json::Value as J;
    match value {
        toml::Value::String(s) => J::String(s),
        toml::Value::Integer(i) => J::from(i),
        toml::Value::Float(f) => serde_json::Number::from_f64(f).map_or(J::Null, J::Number),
        toml::Value::Boolean(b) => J::Bool(b),
        toml::Value::Datetime(d) => J::String(d.to_string()),
        toml::Value::Array(a) => J::Array(a.into_iter().map(toml_to_json).collect()),
        toml::Value::Table(t) => {
            J::Object(t.into_iter().map(|(k, v)| (k, toml_to_json(v))).collect())
        }
    }
}

/// Parses text into a JSON value without interpreting it as a campaign yet.
fn parse_value(text: &str, format: FileFormat) -> Result<serde_json::Value, LoadError> {
    match format {
        FileFormat::Json => crate::json::parse_strict(text).map_err(|e| match e {
            crate::json::JsonError::Syntax(message) => LoadError::Syntax {
                format: "JSON",
                path: ".".into(),
                message,
            },
            crate::json::JsonError::DuplicateKey { path, key } => LoadError::Syntax {
                format: "JSON",
                path,
                message: format!("the key \"{key}\" is given twice in this object: give it once"),
            },
        }),
        FileFormat::Toml => text
            .parse::<toml::Table>()
            .map(|t| toml_to_json(toml::Value::Table(t)))
            .map_err(|e| LoadError::Syntax {
                format: "TOML",
                path: ".".into(),
                message: e.to_string().trim_end().to_owned(),
            }),
    }
}

/// Reads a document after checking its `format_version`. Version 1 is the only version so far;
/// when a version 2 comes, older files are upgraded here, on load, so the rest never sees them.
pub fn parse_document(text: &str, format: FileFormat) -> Result<CampaignDocument, LoadError> {
    let value = parse_value(text, format)?;
    let label = match format {
        FileFormat::Json => "JSON",
        FileFormat::Toml => "TOML",
    };
    let version = value.get("format_version");
    match version.map(|raw| (raw, raw.as_i64())) {
        None => {
            return Err(LoadError::Syntax {
                format: label,
                path: "format_version".into(),
                message: "missing: a campaign file starts with `format_version` (1 for this build)"
                    .into(),
            });
        }
        Some((raw, None)) => {
            return Err(LoadError::Syntax {
                format: label,
                path: "format_version".into(),
                message: format!("must be a whole number such as 1 (got {raw})"),
            });
        }
        Some((_, Some(v))) if v == i64::from(FORMAT_VERSION) => {}
        Some((_, Some(v))) => {
            return Err(LoadError::UnsupportedVersion {
                found: v,
                hint: if v > i64::from(FORMAT_VERSION) {
                    "; the file was written by a newer Guarantor: upgrade to read it"
                } else {
                    ""
                },
            });
        }
    }
    serde_path_to_error::deserialize(value).map_err(|e| {
        let path = e.path().to_string();
        LoadError::Syntax {
            format: label,
            path,
            message: e.into_inner().to_string(),
        }
    })
}

/// Reads and validates a campaign.
pub fn parse_campaign(text: &str, format: FileFormat) -> Result<Campaign, LoadError> {
    let doc = parse_document(text, format)?;
    validate(&doc).map_err(LoadError::Invalid)
}

impl Campaign {
    /// The canonical JSON form of the campaign (pretty-printed, with a final newline).
    pub fn to_json(&self) -> String {
        let mut out = serde_json::to_string_pretty(&self.to_document())
            .unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"));
        out.push('\n');
        out
    }

    /// The campaign as TOML.
    pub fn to_toml(&self) -> Result<String, toml::ser::Error> {
        toml::to_string_pretty(&self.to_document())
    }
}
