//! How figures are written for people: one place, so that the brief, the charts, the pages, the
//! terminal tables and the engine's sentences write one figure the same way.

/// Groups the digits of a whole number in thousands: 12345 → `12,345`.
pub fn thousands(n: impl Into<u128>) -> String {
    let digits = n.into().to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

/// A number with `decimals` decimals and thousands separated by commas, e.g. `12,345.6`.
pub fn number(x: f64, decimals: usize) -> String {
    let text = format!("{:.*}", decimals, x.abs());
    let (int, frac) = text
        .split_once('.')
        .map_or((text.as_str(), None), |(i, f)| (i, Some(f)));
    let mut grouped = String::new();
    for (i, ch) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(ch);
    }
    let negative = x < 0.0 && text.chars().any(|c| c.is_ascii_digit() && c != '0');
    let mut out = if negative {
        "-".to_owned()
    } else {
        String::new()
    };
    out.push_str(&grouped);
    if let Some(f) = frac {
        out.push('.');
        out.push_str(f);
    }
    out
}

/// A stored time (RFC 3339) as people read it, to the minute: `2025-03-07 17:00 UTC`; the text
/// as it is if it is not such a time.
pub fn to_the_minute(rfc3339: &str) -> String {
    chrono::DateTime::parse_from_rfc3339(rfc3339).map_or_else(
        |_| rfc3339.to_owned(),
        |t| {
            t.with_timezone(&chrono::Utc)
                .format("%Y-%m-%d %H:%M UTC")
                .to_string()
        },
    )
}

/// A fraction as a percentage with `decimals` decimals, e.g. `0.423` → `42.3%`. Whole
/// percentages follow [`whole_percent`]: 2 of 3 is `67%`, and only a whole is `100%`.
pub fn percent(fraction: f64, decimals: usize) -> String {
    if decimals == 0 {
        return format!("{}%", number(whole_percent(fraction) as f64, 0));
    }
    format!("{}%", number(fraction * 100.0, decimals))
}

/// A fraction as a whole percentage, the one rounding every table and chart uses: to the
/// nearest, except that a fraction short of a whole is at most 99 (so 100 means met) and one
/// above nothing is at least 1 (so 0 means none).
pub fn whole_percent(fraction: f64) -> i64 {
    let nearest = (fraction * 100.0).round() as i64;
    if fraction > 0.0 && fraction < 1.0 {
        nearest.clamp(1, 99)
    } else {
        nearest
    }
}

/// A fraction as a percentage, or `n/a` when it cannot be computed.
pub fn percent_or_na(fraction: Option<f64>, decimals: usize) -> String {
    fraction.map_or_else(|| "n/a".to_owned(), |f| percent(f, decimals))
}

/// An amount in millions, grouped, whole from 100 up and with one decimal below: `2,150`,
/// `42.2`, `0`.
pub fn millions(millions: f64) -> String {
    let decimals = if millions.abs() >= 100.0 || millions == 0.0 {
        0
    } else {
        1
    };
    number(millions, decimals)
}

/// A change in millions with its sign: `+150`, `-42.2`, `0`.
pub fn signed_millions(change: f64) -> String {
    signed(millions(change))
}

/// `text` with a `+` unless it is negative or, as written, zero.
fn signed(text: String) -> String {
    let zero = text.chars().all(|c| !c.is_ascii_digit() || c == '0');
    if text.starts_with('-') || zero {
        text
    } else {
        format!("+{text}")
    }
}

/// A change in percentage points with its sign, to a tenth: `+12.5 pts`, `-3.2 pts`, `0 pts`.
pub fn signed_points(change: f64) -> String {
    if change.abs() < 0.05 {
        return "0 pts".into();
    }
    format!("{} pts", signed(number(change, 1)))
}

/// A change in a count with its sign, rounded to whole units: `+1,200`, `-300`, `0`.
pub fn signed_count(change: f64) -> String {
    signed(number(change.round(), 0))
}

/// Millions of a currency per year, e.g. `EUR 2,150 m/yr`; one decimal below 100.
pub fn money_m(amount: f64, currency: &str) -> String {
    format!("{currency} {} m/yr", millions(amount))
}

/// A count of persons, rounded to the nearest person.
pub fn persons(x: f64) -> String {
    number(x.round(), 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_grouped_and_rounded() {
        assert_eq!(number(0.0, 0), "0");
        assert_eq!(number(999.0, 0), "999");
        assert_eq!(number(1000.0, 0), "1,000");
        assert_eq!(number(1_234_567.891, 2), "1,234,567.89");
        assert_eq!(number(-12_345.0, 0), "-12,345");
        assert_eq!(number(-0.01, 0), "0");
    }

    #[test]
    fn stored_times_read_to_the_minute() {
        assert_eq!(
            to_the_minute("2026-12-01T10:42:13.123456Z"),
            "2026-12-01 10:42 UTC"
        );
        assert_eq!(to_the_minute("not a time"), "not a time");
    }

    #[test]
    fn whole_percentages_round_to_the_nearest_but_only_a_whole_is_100() {
        assert_eq!(whole_percent(2.0 / 3.0), 67);
        assert_eq!(percent(2.0 / 3.0, 0), "67%");
        assert_eq!(whole_percent(1.0 / 3.0), 33);
        assert_eq!(whole_percent(0.996), 99);
        assert_eq!(whole_percent(0.004), 1);
        assert_eq!((whole_percent(0.0), whole_percent(1.0)), (0, 100));
        assert_eq!(percent(1.5, 0), "150%");
    }

    #[test]
    fn whole_numbers_group_up_to_the_largest_sums() {
        assert_eq!(thousands(0_u64), "0");
        assert_eq!(thousands(999_u64), "999");
        assert_eq!(thousands(1000_u64), "1,000");
        assert_eq!(thousands(1_234_567_u64), "1,234,567");
        assert_eq!(thousands(u128::MAX).len(), 39 + 12);
    }

    #[test]
    fn millions_keep_one_decimal_only_below_a_hundred() {
        assert_eq!(millions(1500.0), "1,500");
        assert_eq!(millions(3.85), "3.9");
        assert_eq!(millions(0.0), "0");
        assert_eq!(millions(-42.25), "-42.2");
        assert_eq!(millions(6.0e18), "6,000,000,000,000,000,000");
        assert_eq!(signed_millions(150.0), "+150");
        assert_eq!(signed_millions(-0.01), "0.0");
        assert_eq!(signed_millions(0.0), "0");
        assert_eq!(signed_count(1234.4), "+1,234");
        assert_eq!(percent_or_na(None, 0), "n/a");
        assert_eq!(percent_or_na(Some(0.74), 0), "74%");
    }

    #[test]
    fn percent_and_money() {
        assert_eq!(percent(0.4235, 1), "42.4%");
        assert_eq!(money_m(2150.0, "EUR"), "EUR 2,150 m/yr");
        assert_eq!(money_m(42.25, "EUR"), "EUR 42.2 m/yr");
        assert_eq!(persons(12_000.4), "12,000");
    }
}
