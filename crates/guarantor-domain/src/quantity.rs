//! Validated numbers: unit counts, money, rotation ratios and reference figures.

use std::fmt;
use std::num::NonZeroU32;

use crate::ids::CurrencyCode;

/// The most units one requirement or offer line may state: a million (a million brigades, or a
/// trillion a year for funding counted in millions). No force generation round comes near it; the
/// bound keeps every product of units, personnel and money far inside the engine's and the
/// solvers' number ranges, so one line can never break the computation for everyone.
pub const MAX_UNITS: u32 = 1_000_000;

/// The most personnel one unit of a capability may count (a corps is about 50,000).
pub const MAX_PERSONNEL_PER_UNIT: u32 = 100_000;

/// The highest troop ceiling a scenario may state (ten million: above any force in Europe).
pub const MAX_TROOP_CEILING: u32 = 10_000_000;

/// Exchange rates to the reporting currency must lie within `1/MAX_RATE ..= MAX_RATE`.
pub const MAX_EXCHANGE_RATE: f64 = 1_000_000.0;

/// A count of units from 1 to [`MAX_UNITS`] (a brigade, a battery, a million euros).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
pub struct Quantity(NonZeroU32);

impl Quantity {
    /// Parses a count written in a file: a whole number from 1 to [`MAX_UNITS`].
    pub fn parse(raw: i64) -> Result<Self, String> {
        if raw <= 0 {
            return Err(format!("must be greater than 0 (got {raw})"));
        }
        u32::try_from(raw)
            .ok()
            .filter(|&n| n <= MAX_UNITS)
            .and_then(NonZeroU32::new)
            .map(Self)
            .ok_or_else(|| format!("must be at most 1,000,000 units (got {raw})"))
    }

    /// The count as an integer.
    pub fn get(self) -> u32 {
        self.0.get()
    }
}

impl fmt::Display for Quantity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// The largest amount a file may state, in millions (a trillion units of currency).
const MAX_AMOUNT_M: f64 = 1_000_000.0;

/// An amount of money, exact to one thousand units of its currency.
///
/// Files write amounts in millions with at most three decimals (`85.125` = 85,125,000); the value
/// is kept as an integer count of thousands so that sums are exact.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Money {
    thousands: i64,
    currency: CurrencyCode,
}

impl Money {
    /// Parses a non-negative amount in millions with at most three decimals.
    pub fn from_millions(amount_m: f64, currency: CurrencyCode) -> Result<Self, String> {
        if !amount_m.is_finite() {
            return Err("must be a finite number".into());
        }
        if amount_m < 0.0 {
            return Err(format!("must not be negative (got {amount_m})"));
        }
        if amount_m > MAX_AMOUNT_M {
            return Err(format!(
                "{amount_m} million is beyond the largest accepted amount (1,000,000 million)"
            ));
        }
        let scaled = amount_m * 1000.0;
        let thousands = scaled.round();
        // Below 1e9 thousands an f64 is exact to about 1e-7, so anything further off had more decimals.
        if (scaled - thousands).abs() > 1e-6 {
            return Err(format!(
                "{amount_m} has more than three decimals: amounts are in millions, exact to the thousand"
            ));
        }
        Ok(Self {
            // In range: |thousands| <= 1e9, far inside i64.
            thousands: thousands as i64,
            currency,
        })
    }

    /// Builds an amount from a whole number of thousands.
    pub fn from_thousands(thousands: i64, currency: CurrencyCode) -> Self {
        Self {
            thousands,
            currency,
        }
    }

    /// The amount in millions, as files and reports write it.
    pub fn millions(&self) -> f64 {
        self.thousands as f64 / 1000.0
    }

    /// The exact amount in thousands.
    pub fn thousands(&self) -> i64 {
        self.thousands
    }

    /// The currency the amount is stated in.
    pub fn currency(&self) -> CurrencyCode {
        self.currency
    }
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {:.3}m", self.currency, self.millions())
    }
}

/// How many units must stand behind each unit kept deployed in an enduring phase (≥ 1).
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd, serde::Serialize)]
pub struct RotationRatio(f64);

impl RotationRatio {
    /// Parses a ratio of at least 1 (1 means no rotation is needed).
    pub fn parse(raw: f64) -> Result<Self, String> {
        if !raw.is_finite() || raw < 1.0 {
            return Err(format!(
                "must be at least 1 (units standing behind each deployed unit; got {raw})"
            ));
        }
        if raw > 10.0 {
            return Err(format!("must be at most 10 (got {raw})"));
        }
        Ok(Self(raw))
    }

    /// The ratio as a number.
    pub fn get(self) -> f64 {
        self.0
    }
}

/// A non-negative reference figure (population, GDP, spending, personnel).
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd, serde::Serialize)]
pub struct Figure(f64);

impl Figure {
    /// Parses a finite, non-negative figure.
    pub fn parse(raw: f64) -> Result<Self, String> {
        if !raw.is_finite() || raw < 0.0 {
            return Err(format!("must be a non-negative number (got {raw})"));
        }
        Ok(Self(raw))
    }

    /// The figure as a number.
    pub fn get(self) -> f64 {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantity_is_at_least_one() {
        assert_eq!(Quantity::parse(3).unwrap().get(), 3);
        assert!(Quantity::parse(0).unwrap_err().contains("greater than 0"));
        assert!(Quantity::parse(-2).unwrap_err().contains("greater than 0"));
        assert!(Quantity::parse(i64::MAX).is_err());
        assert_eq!(Quantity::parse(1_000_000).unwrap().get(), MAX_UNITS);
        assert!(
            Quantity::parse(2_147_483_648)
                .unwrap_err()
                .contains("at most 1,000,000")
        );
    }

    #[test]
    fn money_is_exact_to_the_thousand() {
        let m = Money::from_millions(85.125, CurrencyCode::EUR).unwrap();
        assert_eq!(m.thousands(), 85_125);
        assert_eq!(m.millions(), 85.125);
        assert!(Money::from_millions(1.0001, CurrencyCode::EUR).is_err());
        assert!(Money::from_millions(-1.0, CurrencyCode::EUR).is_err());
        assert!(Money::from_millions(f64::NAN, CurrencyCode::EUR).is_err());
    }

    #[test]
    fn rotation_ratio_is_at_least_one() {
        assert!(RotationRatio::parse(3.0).is_ok());
        assert!(RotationRatio::parse(0.5).is_err());
    }
}
