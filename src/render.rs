//! Human-readable tables for the terminal.

use std::fmt::Write as _;

use comfy_table::{Cell, CellAlignment, Table, presets::UTF8_FULL_CONDENSED};
use guarantor_domain::Campaign;
use guarantor_engine::Summary;

/// Groups digits in thousands: 12345 → "12,345".
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

/// Money in millions with digit grouping and at most one decimal: 1234.5 → "1,234.5".
pub fn money_m(m: f64) -> String {
    let tenths = (m * 10.0).round() as i64;
    let whole = thousands(tenths.unsigned_abs() / 10);
    let sign = if tenths < 0 { "-" } else { "" };
    match tenths.unsigned_abs() % 10 {
        0 => format!("{sign}{whole}"),
        d => format!("{sign}{whole}.{d}"),
    }
}

fn table(header: &[&str]) -> Table {
    let mut t = Table::new();
    t.load_style(UTF8_FULL_CONDENSED);
    t.set_header(header.iter().map(Cell::new));
    t
}

fn right(text: impl ToString) -> Cell {
    Cell::new(text.to_string()).set_alignment(CellAlignment::Right)
}

/// One line of counts, printed after a successful validation.
pub fn census(c: &Campaign) -> String {
    let revisions: usize = c.proposals().iter().map(|p| p.revisions.len()).sum();
    format!(
        "{} phases, {} sectors, {} capabilities, {} respondents ({} invited), {} requirements, {} questionnaire sections, {} scenarios, {} proposals with {} revisions{}",
        c.phases().len(),
        c.sectors().len(),
        c.catalogue().len(),
        c.respondents().len(),
        c.invited().count(),
        c.requirements().len(),
        c.questionnaire().sections.len(),
        c.scenarios().len(),
        c.proposals().len(),
        revisions,
        if c.info().illustrative {
            " (illustrative data)"
        } else {
            ""
        }
    )
}

/// The summary as headed tables.
pub fn summary(s: &Summary) -> String {
    let mut out = String::new();
    let cur = &s.campaign.currency;
    let _ = writeln!(out, "{}", s.campaign.title);
    let _ = writeln!(
        out,
        "Issued by {}. Deadline {}. Money in {cur} million per year.",
        s.campaign.issuer,
        s.campaign.deadline.format("%Y-%m-%d %H:%M UTC")
    );
    if s.campaign.illustrative {
        let _ = writeln!(
            out,
            "ILLUSTRATIVE DATA: the proposals in this campaign are invented for demonstration."
        );
    }

    let n = &s.response_counts;
    let _ = writeln!(out, "\nWho was asked, who answered");
    let _ = writeln!(
        out,
        "{} invited · {} answered · {} draft · {} not started · {} withdrawn",
        n.invited, n.answered, n.draft, n.not_started, n.withdrawn
    );
    let mut t = table(&[
        "Respondent",
        "Name",
        "Status",
        "Revisions",
        "Last change",
        "Offer lines",
    ]);
    for r in &s.responses {
        t.add_row(vec![
            Cell::new(&r.respondent),
            Cell::new(&r.name),
            Cell::new(r.status.as_str()),
            right(r.revisions),
            Cell::new(r.last_change.map_or_else(
                || "—".to_owned(),
                |t| t.format("%Y-%m-%d %H:%M").to_string(),
            )),
            right(r.offer_lines),
        ]);
    }
    let _ = writeln!(out, "{t}");

    let _ = writeln!(
        out,
        "\nWhat is offered (current submitted proposals; drafts and withdrawn proposals not counted)"
    );
    let mut t = table(&[
        "Category",
        "Capability",
        "Units",
        "Unit",
        "Personnel",
        &format!("Cost/yr ({cur} m)"),
        "Offered by",
    ]);
    for cat in &s.offered {
        for c in &cat.capabilities {
            t.add_row(vec![
                Cell::new(cat.category.as_str()),
                Cell::new(&c.name),
                right(thousands(c.quantity)),
                Cell::new(&c.unit),
                right(thousands(c.personnel)),
                right(money_m(c.cost_per_year_m)),
                Cell::new(c.respondents.join(" ")),
            ]);
        }
        t.add_row(vec![
            Cell::new(format!("{} total", cat.category.as_str())),
            Cell::new(""),
            Cell::new(""),
            Cell::new(""),
            right(thousands(cat.personnel)),
            right(money_m(cat.cost_per_year_m)),
            Cell::new(""),
        ]);
    }
    let _ = writeln!(out, "{t}");
    let _ = writeln!(
        out,
        "Funding offered: {cur} {} million per year.",
        money_m(s.funding_per_year_m)
    );

    let _ = writeln!(
        out,
        "\nRaw coverage per requirement (before optimisation and before conditions; an offer counts toward every requirement it could serve)"
    );
    let mut t = table(&[
        "Req",
        "Capability",
        "Phase",
        "Sector",
        "Priority",
        "Required",
        "Offered",
        "Conditional",
        "Sustainable",
        "Coverage",
    ]);
    for l in &s.coverage {
        t.add_row(vec![
            Cell::new(&l.requirement),
            Cell::new(&l.capability),
            Cell::new(&l.phase),
            Cell::new(&l.sector),
            Cell::new(l.priority.as_str()),
            right(thousands(u64::from(l.required))),
            right(thousands(l.offered)),
            right(thousands(l.offered_conditional)),
            right(format!("{:.1}", l.sustainable)),
            right(format!("{:.0} %", l.coverage * 100.0)),
        ]);
    }
    let _ = writeln!(out, "{t}");
    let tot = &s.coverage_totals;
    let _ = writeln!(
        out,
        "Essential lines met on paper: {} of {}. Desirable lines met: {} of {}. Lines with nothing offered: {}.",
        tot.essential_met,
        tot.essential,
        tot.desirable_met,
        tot.requirements - tot.essential,
        tot.nothing_offered
    );
    if s.campaign.illustrative {
        let _ = writeln!(
            out,
            "ILLUSTRATIVE DATA: invented proposals, real reference figures."
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digits_are_grouped_in_thousands() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1,000");
        assert_eq!(thousands(1234567), "1,234,567");
    }

    #[test]
    fn money_keeps_one_decimal_only_when_needed() {
        assert_eq!(money_m(1500.0), "1,500");
        assert_eq!(money_m(3.85), "3.9");
        assert_eq!(money_m(0.0), "0");
    }
}
