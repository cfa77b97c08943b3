//! Validated identifiers and codes: once a value of one of these types exists, it is well formed.

use std::fmt;

/// The longest identifier the campaign file accepts.
pub const MAX_IDENT_LEN: usize = 64;

/// Checks the shared identifier rule and says what is wrong in words a file author can act on.
fn check_ident(raw: &str) -> Result<(), String> {
    if raw.is_empty() {
        return Err("must not be empty".into());
    }
    if raw.chars().count() > MAX_IDENT_LEN {
        return Err(format!("must be at most {MAX_IDENT_LEN} characters"));
    }
    let first = raw.chars().next().unwrap_or(' ');
    if !first.is_ascii_alphanumeric() {
        return Err(format!("\"{raw}\" must start with a letter or a digit"));
    }
    if let Some(bad) = raw
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-')))
    {
        return Err(format!(
            "\"{raw}\" contains '{bad}': use letters, digits, '.', '_' or '-'"
        ));
    }
    Ok(())
}

macro_rules! ident_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub struct $name(String);

        impl $name {
            /// Parses an identifier: 1–64 ASCII letters, digits, '.', '_' or '-', starting alphanumeric.
            pub fn parse(raw: &str) -> Result<Self, String> {
                check_ident(raw).map(|()| Self(raw.to_owned()))
            }

            /// The identifier as written in the campaign file.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(&self.0)
            }
        }
    };
}

ident_type!(
    /// Identifies a campaign.
    CampaignId
);
ident_type!(
    /// Identifies a capability of the catalogue, e.g. `brigade.armoured`.
    CapabilityId
);
ident_type!(
    /// Identifies a phase of the guarantee, e.g. `P0`.
    PhaseId
);
ident_type!(
    /// Identifies a sector where contributions serve, e.g. `kyiv` or `airspace`.
    SectorId
);
ident_type!(
    /// Identifies a line of the statement of requirements.
    RequirementId
);
ident_type!(
    /// Identifies an offer line within one proposal revision.
    OfferId
);
ident_type!(
    /// Identifies a questionnaire section.
    SectionId
);
ident_type!(
    /// Identifies a free-text question of the questionnaire.
    QuestionId
);
ident_type!(
    /// Identifies a scenario of the negotiation track.
    ScenarioId
);
ident_type!(
    /// Identifies a scenario fact that conditions may rest on, e.g. `us_backstop`.
    FactId
);
ident_type!(
    /// Names an alliance or grouping a respondent belongs to, e.g. `NATO`, `EU`.
    Membership
);

/// An ISO 3166-1 alpha-3 country code, e.g. `FRA`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CountryCode([u8; 3]);

impl CountryCode {
    /// Parses an upper-case ISO 3166-1 alpha-3 code that names a real country.
    pub fn parse(raw: &str) -> Result<Self, String> {
        let bytes = raw.as_bytes();
        if bytes.len() != 3 || !bytes.iter().all(u8::is_ascii_uppercase) {
            return Err(format!(
                "\"{raw}\" is not an ISO 3166-1 alpha-3 code (three upper-case letters, e.g. FRA)"
            ));
        }
        if isocountry::CountryCode::for_alpha3(raw).is_err() {
            return Err(format!(
                "\"{raw}\" is not an assigned ISO 3166-1 alpha-3 code"
            ));
        }
        Ok(Self([bytes[0], bytes[1], bytes[2]]))
    }

    /// The code as three upper-case letters.
    pub fn as_str(&self) -> &str {
        // The bytes were checked to be ASCII upper-case letters in `parse`.
        std::str::from_utf8(&self.0).unwrap_or("???")
    }
}

impl fmt::Display for CountryCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl serde::Serialize for CountryCode {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// An ISO 4217 currency code, e.g. `EUR`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CurrencyCode(iso_currency::Currency);

impl CurrencyCode {
    /// The euro, the reporting currency of most campaigns.
    pub const EUR: Self = Self(iso_currency::Currency::EUR);

    /// Parses an ISO 4217 alphabetic code.
    pub fn parse(raw: &str) -> Result<Self, String> {
        iso_currency::Currency::from_code(raw)
            .map(Self)
            .ok_or_else(|| {
                format!("\"{raw}\" is not an ISO 4217 currency code (e.g. EUR, USD, GBP)")
            })
    }

    /// The three-letter code.
    pub fn code(&self) -> &'static str {
        self.0.code()
    }
}

impl fmt::Display for CurrencyCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl serde::Serialize for CurrencyCode {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.code())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiers_accept_the_documented_alphabet() {
        assert!(CapabilityId::parse("brigade.armoured").is_ok());
        assert!(PhaseId::parse("P0").is_ok());
        assert!(SectorId::parse("kyiv-north_2").is_ok());
    }

    #[test]
    fn identifiers_reject_what_the_file_format_forbids() {
        assert!(CapabilityId::parse("").unwrap_err().contains("empty"));
        assert!(CapabilityId::parse("a b").unwrap_err().contains("' '"));
        assert!(CapabilityId::parse(".x").unwrap_err().contains("start"));
        assert!(
            CapabilityId::parse(&"x".repeat(65))
                .unwrap_err()
                .contains("64")
        );
    }

    #[test]
    fn country_codes_must_be_assigned_alpha3() {
        assert_eq!(CountryCode::parse("FRA").unwrap().as_str(), "FRA");
        assert!(CountryCode::parse("fra").is_err());
        assert!(CountryCode::parse("FR").is_err());
        assert!(
            CountryCode::parse("XXQ")
                .unwrap_err()
                .contains("not an assigned")
        );
    }

    #[test]
    fn currency_codes_must_be_iso_4217() {
        assert_eq!(CurrencyCode::parse("GBP").unwrap().code(), "GBP");
        assert!(CurrencyCode::parse("EURO").is_err());
        assert!(CurrencyCode::parse("XYZ").is_err());
    }
}
