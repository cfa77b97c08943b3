//! How figures are written for people: one place, so the brief and the charts agree.

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

/// A fraction as a percentage with `decimals` decimals, e.g. `0.423` → `42.3%`.
pub fn percent(fraction: f64, decimals: usize) -> String {
    format!("{}%", number(fraction * 100.0, decimals))
}

/// Millions of a currency per year, e.g. `EUR 2,150 m/yr`; one decimal below 100.
pub fn money_m(millions: f64, currency: &str) -> String {
    let decimals = if millions.abs() >= 100.0 || millions == 0.0 {
        0
    } else {
        1
    };
    format!("{currency} {} m/yr", number(millions, decimals))
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
    fn percent_and_money() {
        assert_eq!(percent(0.4235, 1), "42.4%");
        assert_eq!(money_m(2150.0, "EUR"), "EUR 2,150 m/yr");
        assert_eq!(money_m(42.25, "EUR"), "EUR 42.2 m/yr");
        assert_eq!(persons(12_000.4), "12,000");
    }
}
