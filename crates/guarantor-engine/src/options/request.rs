//! The checked parts of an options request: a budget, a count of options and a time limit are
//! checked once, where they are read (a CLI flag, a query parameter), and the engine takes them
//! as given. Errors name the quantity, not the front end's spelling of it.

use std::fmt;
use std::str::FromStr;
use std::time::Duration;

use serde::Serialize;

/// A value of a request that is out of its range.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct RequestError(String);

/// A budget per year in millions of the campaign currency: finite and not negative.
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd, Serialize)]
pub struct Budget(f64);

impl Budget {
    /// A budget of `millions` per year.
    pub fn new(millions: f64) -> Result<Self, RequestError> {
        if millions.is_finite() && millions >= 0.0 {
            Ok(Self(millions))
        } else {
            Err(RequestError(format!(
                "the budget must be a non-negative amount in millions per year (got {millions})"
            )))
        }
    }

    /// Millions per year.
    pub fn millions(self) -> f64 {
        self.0
    }
}

impl FromStr for Budget {
    type Err = RequestError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let m: f64 = s.trim().parse().map_err(|_| {
            RequestError(format!(
                "the budget must be an amount in millions per year, e.g. 2500 (got {s:?})"
            ))
        })?;
        Self::new(m)
    }
}

impl fmt::Display for Budget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// How many options per scenario: 1 to [`OptionCount::MAX`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct OptionCount(u8);

impl OptionCount {
    /// The most options a scenario may be asked for.
    pub const MAX: u8 = 10;
    /// The default: three options per scenario.
    pub const DEFAULT: Self = Self(3);

    /// `n` options per scenario.
    pub fn new(n: usize) -> Result<Self, RequestError> {
        match u8::try_from(n) {
            Ok(n @ 1..=Self::MAX) => Ok(Self(n)),
            _ => Err(RequestError(format!(
                "the number of options must be from 1 to {} (got {n})",
                Self::MAX
            ))),
        }
    }

    /// The count.
    pub fn get(self) -> usize {
        usize::from(self.0)
    }
}

impl FromStr for OptionCount {
    type Err = RequestError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let n: usize = s.trim().parse().map_err(|_| {
            RequestError(format!(
                "the number of options must be a whole number from 1 to {} (got {s:?})",
                Self::MAX
            ))
        })?;
        Self::new(n)
    }
}

impl Default for OptionCount {
    fn default() -> Self {
        Self::DEFAULT
    }
}

/// The time one solve may take: more than zero, at most an hour.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct TimeLimit(Duration);

impl TimeLimit {
    /// The longest limit accepted.
    pub const MAX: Duration = Duration::from_secs(3600);
    /// The default: ten seconds per solve.
    pub const DEFAULT: Self = Self(Duration::from_secs(10));

    /// A limit of `limit`.
    pub fn new(limit: Duration) -> Result<Self, RequestError> {
        if limit > Duration::ZERO && limit <= Self::MAX {
            Ok(Self(limit))
        } else {
            Err(RequestError(format!(
                "the time limit must be more than 0 and at most {} seconds (got {} s)",
                Self::MAX.as_secs(),
                limit.as_secs_f64()
            )))
        }
    }

    /// A limit of `seconds`.
    pub fn seconds(seconds: f64) -> Result<Self, RequestError> {
        if !seconds.is_finite() || seconds <= 0.0 || seconds > Self::MAX.as_secs_f64() {
            return Err(RequestError(format!(
                "the time limit must be more than 0 and at most {} seconds (got {seconds} s)",
                Self::MAX.as_secs()
            )));
        }
        Self::new(Duration::from_secs_f64(seconds))
    }

    /// The limit.
    pub fn get(self) -> Duration {
        self.0
    }
}

impl FromStr for TimeLimit {
    type Err = RequestError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let seconds: f64 = s.trim().parse().map_err(|_| {
            RequestError(format!(
                "the time limit must be a number of seconds, e.g. 10 (got {s:?})"
            ))
        })?;
        Self::seconds(seconds)
    }
}

impl Default for TimeLimit {
    fn default() -> Self {
        Self::DEFAULT
    }
}

impl fmt::Display for TimeLimit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0.as_secs_f64())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn out_of_range_values_are_refused_with_the_quantity_named() {
        for bad in ["-1", "NaN", "inf", "lots"] {
            let e = bad.parse::<Budget>().unwrap_err().to_string();
            assert!(e.contains("budget") && !e.contains("--"), "{e}");
        }
        for bad in ["0", "11", "-2", "three"] {
            let e = bad.parse::<OptionCount>().unwrap_err().to_string();
            assert!(e.contains("number of options") && !e.contains("--"), "{e}");
        }
        for bad in ["0", "3601", "-5", "NaN", "inf", "soon"] {
            let e = bad.parse::<TimeLimit>().unwrap_err().to_string();
            assert!(e.contains("time limit") && !e.contains("--"), "{e}");
        }
    }

    #[test]
    fn values_in_range_are_kept() {
        assert_eq!("2500".parse::<Budget>().unwrap().millions(), 2500.0);
        assert_eq!("0".parse::<Budget>().unwrap().millions(), 0.0);
        assert_eq!("10".parse::<OptionCount>().unwrap().get(), 10);
        assert_eq!("1".parse::<OptionCount>().unwrap().get(), 1);
        assert_eq!(
            "0.5".parse::<TimeLimit>().unwrap().get(),
            Duration::from_millis(500)
        );
        assert_eq!(
            "3600".parse::<TimeLimit>().unwrap().get(),
            Duration::from_secs(3600)
        );
    }
}
