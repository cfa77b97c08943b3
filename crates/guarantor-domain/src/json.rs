//! JSON read strictly: a key given twice in one object is an error with its path, not "the last
//! one wins" (serde_json's behaviour for maps and free-form values), so that a campaign file or an
//! API body never means something other than what its reader sees first. A leading byte-order
//! mark, which some editors on Windows write, is accepted.

use std::fmt;

use serde::de::{self, DeserializeSeed, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};

/// Why strict JSON could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum JsonError {
    /// Not well-formed JSON.
    #[error("{0}")]
    Syntax(String),
    /// A key appears twice in one object.
    #[error("{path}: the key \"{key}\" is given twice in this object: give it once")]
    DuplicateKey {
        /// Path of the object holding the key (`.` for the top level).
        path: String,
        /// The repeated key.
        key: String,
    },
}

/// Parses JSON text into a value, refusing duplicate keys (see the module doc).
pub fn parse_strict(text: &str) -> Result<Value, JsonError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let duplicate = std::cell::RefCell::new(None);
    let mut de = serde_json::Deserializer::from_str(text);
    let parsed = Strict {
        path: String::new(),
        duplicate: &duplicate,
    }
    .deserialize(&mut de)
    .and_then(|v| de.end().map(|()| v));
    if let Some(found) = duplicate.into_inner() {
        return Err(found);
    }
    parsed.map_err(|e| JsonError::Syntax(e.to_string()))
}

/// Parses JSON bytes strictly; bytes that are not UTF-8 are a syntax error.
pub fn parse_strict_bytes(bytes: &[u8]) -> Result<Value, JsonError> {
    let text = std::str::from_utf8(bytes)
        .map_err(|e| JsonError::Syntax(format!("the text is not UTF-8: {e}")))?;
    parse_strict(text)
}

/// One value at `path`; a duplicate found below is recorded in `duplicate` (with its path)
/// and aborts the parse.
struct Strict<'a> {
    path: String,
    duplicate: &'a std::cell::RefCell<Option<JsonError>>,
}

impl<'de> DeserializeSeed<'de> for Strict<'_> {
    type Value = Value;

    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl Strict<'_> {
    fn child(&self, step: &str) -> Self {
        Strict {
            path: if self.path.is_empty() || step.starts_with('[') {
                format!("{}{step}", self.path)
            } else {
                format!("{}.{step}", self.path)
            },
            duplicate: self.duplicate,
        }
    }
}

impl<'de> Visitor<'de> for Strict<'_> {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::from(v))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::from(v))
    }

    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(Value::from(v))
    }

    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }

    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut out = Vec::new();
        while let Some(v) = seq.next_element_seed(self.child(&format!("[{}]", out.len())))? {
            out.push(v);
        }
        Ok(Value::Array(out))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut out = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            if out.contains_key(&key) {
                let path = if self.path.is_empty() {
                    ".".to_owned()
                } else {
                    self.path.clone()
                };
                self.duplicate
                    .replace(Some(JsonError::DuplicateKey { path, key }));
                return Err(de::Error::custom("duplicate key"));
            }
            let value = map.next_value_seed(self.child(&key))?;
            out.insert(key, value);
        }
        Ok(Value::Object(out))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_duplicate_key_is_refused_with_its_path() {
        let err = parse_strict(r#"{"campaign": {"exchange_rates": {"USD": 0.9, "USD": 9}}}"#)
            .unwrap_err();
        assert_eq!(
            err,
            JsonError::DuplicateKey {
                path: "campaign.exchange_rates".into(),
                key: "USD".into()
            }
        );
        let err =
            parse_strict(r#"{"offers": [{"id": "A"}, {"id": "B", "quantity": 1, "quantity": 2}]}"#)
                .unwrap_err();
        assert_eq!(
            err.to_string(),
            "offers[1]: the key \"quantity\" is given twice in this object: give it once"
        );
        let err = parse_strict(r#"{"a": 1, "a": 1}"#).unwrap_err();
        assert!(err.to_string().starts_with(".: the key \"a\""), "{err}");
    }

    #[test]
    fn the_same_key_in_different_objects_and_a_byte_order_mark_are_fine() {
        let v =
            parse_strict("\u{feff}{\"a\": {\"x\": 1}, \"b\": {\"x\": [1.5, null, true, \"s\"]}}")
                .unwrap();
        assert_eq!(v["b"]["x"][0], 1.5);
        assert_eq!(v["a"]["x"], 1);
    }

    #[test]
    fn malformed_text_is_a_syntax_error() {
        assert!(matches!(
            parse_strict("{\"a\": "),
            Err(JsonError::Syntax(_))
        ));
        assert!(matches!(parse_strict("{} {}"), Err(JsonError::Syntax(_))));
        assert!(matches!(
            parse_strict_bytes(b"\xff{}"),
            Err(JsonError::Syntax(_))
        ));
    }
}
