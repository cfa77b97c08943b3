//! Human-readable tables for the terminal.

use std::fmt::Write as _;

use comfy_table::{Cell, CellAlignment, ContentArrangement, Table, presets::UTF8_FULL_CONDENSED};
use guarantor_assess::Assessment;
use guarantor_domain::{Campaign, format};
use guarantor_engine::engage::{AskValue, EngagementReport, Standing};
use guarantor_engine::options::ForcePackage;
use guarantor_engine::summary::{CategoryTotals, ResponseLine};
use guarantor_engine::what_if::WhatIfApplied;
use guarantor_engine::{OptionsReport, Summary};

/// Money in millions, as everywhere else (`guarantor_domain::format`).
fn money_m(m: f64) -> String {
    format::millions(m)
}

fn table(header: &[&str]) -> Table {
    let mut t = Table::new();
    t.load_style(UTF8_FULL_CONDENSED);
    t.set_content_arrangement(ContentArrangement::Dynamic);
    // Off a terminal (pipes, files) wrap long cells at a width that still reads on paper.
    if t.width().is_none() {
        t.set_width(160);
    }
    t.set_header(header.iter().map(Cell::new));
    t
}

fn right(text: impl ToString) -> Cell {
    Cell::new(text.to_string()).set_alignment(CellAlignment::Right)
}

/// The force postures × the outcomes of the talks, when the campaign defines postures: in each
/// cell the posture's recommended option under that outcome (fillable or its essential coverage,
/// troops deployed at the peak against required, cost, the lead nation).
pub fn posture_matrix(report: &OptionsReport) -> String {
    let mut out = String::new();
    if report.postures.is_empty() {
        return out;
    }
    let cur = &report.campaign.currency;
    let mut header: Vec<String> = vec!["Force posture".into()];
    header.extend(report.scenarios.iter().map(|s| s.name.clone()));
    let robust = report.postures.iter().any(|p| p.robust.is_some());
    if robust {
        header.push("One package for every outcome (robust)".into());
    }
    let mut t = table(&header.iter().map(String::as_str).collect::<Vec<_>>());
    for p in &report.postures {
        let mut row = vec![Cell::new(format!(
            "{}\n{} troops required at the peak",
            p.name,
            units(p.troops_required_peak)
        ))];
        for c in &p.cells {
            row.push(Cell::new(format!(
                "{}\n{} troops deployed\n{} {} m/yr{}{}",
                if c.fillable {
                    "fillable".to_owned()
                } else {
                    format!(
                        "{} essential ({} of {} lines)",
                        pct(c.essential_coverage),
                        c.essential_met,
                        c.essential_lines
                    )
                },
                units(c.troops_deployed_peak),
                cur,
                money_m(c.cost_per_year_m),
                c.lead
                    .as_ref()
                    .map_or_else(String::new, |l| format!("\nled by {l}")),
                if c.optimal { "" } else { "\n(not proven)" }
            )));
        }
        if robust {
            row.push(Cell::new(p.robust.as_ref().map_or_else(
                || "not computed".to_owned(),
                |r| robust_cell(r, cur),
            )));
        }
        t.add_row(row);
    }
    let _ = writeln!(
        out,
        "\n════ Force postures × outcomes of the talks (the recommended option of each)\n{t}"
    );
    let mut sources: Vec<&str> = Vec::new();
    for p in &report.postures {
        if !p.source.is_empty() && !sources.contains(&p.source.as_str()) {
            sources.push(&p.source);
        }
    }
    for s in sources {
        let _ = writeln!(out, "  Source: {s}");
    }
    out
}

/// A robust package in a few lines: its worst case, its cost, and how it holds under each outcome.
fn robust_cell(r: &guarantor_engine::options::robust::RobustPackage, cur: &str) -> String {
    let each: Vec<String> = r
        .by_scenario
        .iter()
        .map(|c| format!("{} {}", pct(c.essential_coverage), c.scenario))
        .collect();
    format!(
        "worst {} essential ({})\n{} {} m/yr\n{}{}",
        pct(r.worst_essential_coverage),
        r.worst_scenario,
        cur,
        money_m(r.cost_per_year_m),
        each.join(", "),
        if r.optimal { "" } else { "\n(not proven)" }
    )
}

/// The campaign's robust package: one set of accepted offers for every outcome of the talks.
pub fn robust_section(report: &OptionsReport) -> String {
    let mut out = String::new();
    let Some(r) = &report.robust else {
        return out;
    };
    let cur = &report.campaign.currency;
    let _ = writeln!(
        out,
        "\n════ One package for every outcome of the talks (robust)\nThe offers to accept so that the worst outcome is as good as it can be: essential coverage at least {} whatever the talks settle (lowest under {}), then as much as each other outcome allows (essential, then desirable lines), at least cost: {cur} {} m per year, {} personnel committed with rotation. {}",
        pct(r.worst_essential_coverage),
        r.worst_scenario,
        money_m(r.cost_per_year_m),
        units(r.troops_committed),
        if r.optimal {
            format!("Proven optimal in {:.2} s.", r.seconds)
        } else {
            "Not proven optimal (time limit).".to_owned()
        }
    );
    let mut t = table(&[
        "Outcome of the talks",
        "Essential coverage",
        "Lines met",
        "Desirable coverage",
        "Peak troops deployed",
    ]);
    for c in &r.by_scenario {
        t.add_row(vec![
            Cell::new(&c.name),
            right(pct(c.essential_coverage)),
            right(format!("{} of {}", c.essential_met, c.essential_lines)),
            right(pct(c.desirable_coverage)),
            right(units(c.troops_deployed_peak)),
        ]);
    }
    let _ = writeln!(out, "{t}");
    let idle: Vec<String> = r
        .accepted
        .iter()
        .filter(|a| !a.idle_in.is_empty())
        .map(|a| format!("{}/{} ({})", a.respondent, a.offer, a.idle_in.join(", ")))
        .collect();
    let _ = writeln!(
        out,
        "{} offers accepted.{}",
        r.accepted.len(),
        if idle.is_empty() {
            String::new()
        } else {
            format!(
                " Accepted but idle where the talks rule them out: {}.",
                idle.join("; ")
            )
        }
    );
    out
}

/// The decision maker's view that ends `guarantor demo`: under each scenario of the talks, the
/// option the brief recommends (what can be fielded, at what price, whether proven), then that
/// option under the first scenario in a few lines: what it rests on and what breaks it.
pub fn decision_view(report: &OptionsReport) -> String {
    let mut out = String::new();
    let cur = &report.campaign.currency;
    let _ = writeln!(
        out,
        "\n════ The decision maker's view{}",
        if report.campaign.illustrative {
            " (ILLUSTRATIVE DATA)"
        } else {
            ""
        }
    );
    let mut t = table(&[
        "Outcome of the talks",
        "Essential coverage",
        "Essential lines met",
        "Peak troops deployed",
        "Committed, rotation included",
        &format!("Cost/yr ({cur} m)"),
        "Optimal",
    ]);
    let mut first = None;
    for s in &report.scenarios {
        let Some(i) = guarantor_assess::brief::recommend(&s.options) else {
            t.add_row(vec![Cell::new(&s.name), Cell::new("no option")]);
            continue;
        };
        let p = &s.options[i];
        first.get_or_insert((s, i, p));
        let m = &p.measures;
        t.add_row(vec![
            Cell::new(&s.name),
            right(pct(m.essential_coverage)),
            right(format!("{} of {}", m.essential_met, m.essential_lines)),
            right(units(m.troops_deployed_peak)),
            right(units(m.troops_committed)),
            right(money_m(m.cost_per_year_m)),
            Cell::new(if p.solve.optimal {
                "proven"
            } else {
                "not proven"
            }),
        ]);
    }
    let _ = writeln!(out, "Under each outcome, the recommended option:\n{t}");
    if let Some((s, i, p)) = first {
        let m = &p.measures;
        let _ = writeln!(
            out,
            "Recommended under \"{}\": option {} ({}): {} essential coverage, {} {} m a year, {} troops deployed at the peak ({} committed with rotation), from {} capitals.",
            s.name,
            i + 1,
            p.labels.join(", "),
            pct(m.essential_coverage),
            cur,
            money_m(m.cost_per_year_m),
            units(m.troops_deployed_peak),
            units(m.troops_committed),
            p.participants.len()
        );
        if p.rests_on.is_empty() {
            let _ = writeln!(out, "It rests on no condition.");
        } else {
            let _ = writeln!(out, "It rests on: {}.", p.rests_on.join("; "));
        }
        if let Some(w) = p.robustness.as_ref().and_then(|r| r.worst_case.as_ref()) {
            let _ = writeln!(
                out,
                "What breaks it most: if {} withdrew, essential coverage would fall to {} ({} with the others re-planned).",
                w.respondent,
                pct(w.essential_coverage_fixed),
                pct(w.essential_coverage_reoptimised)
            );
        }
    }
    out.push_str(&posture_matrix(report));
    out
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
    let t = responses_table(&s.responses);
    let _ = writeln!(out, "{t}");

    let _ = writeln!(
        out,
        "\nWhat is offered (current submitted proposals; drafts and withdrawn proposals not counted)"
    );
    let t = offered_table(&s.offered, cur);
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
            right(format::thousands(u64::from(l.required))),
            right(format::thousands(l.offered)),
            right(format::thousands(l.offered_conditional)),
            right(format::number(l.sustainable, 1)),
            right(format::percent(l.coverage, 0)),
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

fn pct(x: Option<f64>) -> String {
    format::percent_or_na(x, 0)
}

/// Units: whole when whole, else one decimal (units placed part-time across phases).
fn units(x: f64) -> String {
    if (x - x.round()).abs() < 1e-9 {
        format::number(x.round(), 0)
    } else {
        format::number(x, 1)
    }
}

/// A report's first lines: its title, and the illustrative-data warning when it applies.
fn heading(out: &mut String, title: &str, illustrative: bool) {
    let _ = writeln!(out, "{title}");
    if illustrative {
        let _ = writeln!(
            out,
            "ILLUSTRATIVE DATA: the proposals in this campaign are invented for demonstration."
        );
    }
}

/// The banner of a report computed under a saved what-if: what it adds and takes away.
fn what_if_banner(out: &mut String, w: Option<&WhatIfApplied>) {
    let Some(w) = w else { return };
    let _ = writeln!(
        out,
        "WHAT-IF (HYPOTHETICAL): \"{}\". These are not the offers on the table; no proposal changes.",
        w.name
    );
    for a in &w.added {
        let _ = writeln!(out, "  adds {a}");
    }
    for r in &w.removed {
        let _ = writeln!(out, "  takes away {r}");
    }
    for s in &w.stale {
        let _ = writeln!(out, "  ignored: {s}");
    }
}

/// The options report as headed sections and tables.
pub fn options(report: &OptionsReport) -> String {
    let mut out = String::new();
    let cur = &report.campaign.currency;
    heading(
        &mut out,
        &report.campaign.title,
        report.campaign.illustrative,
    );
    what_if_banner(&mut out, report.what_if.as_ref());
    let _ = writeln!(
        out,
        "Solver: {}. Money in {cur} million per year.{}",
        report.backend.as_str(),
        report.budget_m.map_or_else(String::new, |b| format!(
            " Budget: {} per year.",
            money_m(b)
        ))
    );
    for s in &report.scenarios {
        let _ = writeln!(out, "\n════ Scenario {}: {}", s.scenario, s.name);
        if !s.description.is_empty() {
            let _ = writeln!(out, "{}", s.description);
        }
        let _ = writeln!(out, "Assumptions: {}", s.assumptions.join("; "));
        let _ = writeln!(
            out,
            "Model: {} current offer lines, {} requirement lines, {} usable pairings, {} integer variables.",
            s.size.offers, s.size.requirements, s.size.arcs, s.size.integer_variables
        );
        for l in &s.left_out {
            let _ = writeln!(
                out,
                "LEFT OUT: the proposal of {}: {}. These options are computed without it.",
                l.respondent, l.reason
            );
        }
        if let Some(groups) = guarantor_engine::options::same_force_groups(&s.options) {
            let _ = writeln!(out, "{groups}");
        }
        for (i, p) in s.options.iter().enumerate() {
            package(&mut out, i + 1, p, cur);
        }
    }
    if report.comparison.len() > 1 {
        let _ = writeln!(
            out,
            "\n════ Scenarios side by side (the recommended option of each)"
        );
        let mut t = table(&[
            "Scenario",
            "Essential coverage",
            "Desirable coverage",
            &format!("Cost/yr ({cur} m)"),
            "Peak troops deployed",
            "Against the first scenario",
        ]);
        for c in &report.comparison {
            t.add_row(vec![
                Cell::new(&c.name),
                right(pct(c.essential_coverage)),
                right(pct(c.desirable_coverage)),
                right(money_m(c.cost_per_year_m)),
                right(units(c.troops_deployed_peak)),
                Cell::new(format!(
                    "{} points, {} m",
                    c.essential_coverage_change_points
                        .map_or_else(|| "n/a".to_owned(), |p| format!("{p:+.0}")),
                    format::signed_millions(c.cost_change_m)
                )),
            ]);
        }
        let _ = writeln!(out, "{t}");
        for c in report.comparison.iter().skip(1) {
            let _ = writeln!(out, "  {}", c.summary);
        }
    }
    out.push_str(&robust_section(report));
    out.push_str(&posture_matrix(report));
    if report.campaign.illustrative {
        let _ = writeln!(
            out,
            "\nILLUSTRATIVE DATA: invented proposals, real reference figures."
        );
    }
    out
}

fn package(out: &mut String, n: usize, p: &ForcePackage, cur: &str) {
    let m = &p.measures;
    let how = if p.solve.optimal {
        format!("proven optimal in {:.2} s", p.solve.seconds)
    } else {
        format!(
            "stopped at the time limit after {:.1} s{}",
            p.solve.seconds,
            p.solve
                .gap
                .map_or_else(String::new, |g| format!(", gap {}", format::percent(g, 1)))
        )
    };
    let _ = writeln!(out, "\n── Option {n}: {} ({how})", p.labels.join(", "));
    if n > 1 {
        let _ = writeln!(out, "{}", p.distinction);
    }
    let _ = writeln!(
        out,
        "Essential coverage {} ({} of {} lines met), desirable {}. {cur} {}m per year. Troops deployed at peak {}, committed with rotation {}. {} participants, {} conditional offers.",
        pct(m.essential_coverage),
        m.essential_met,
        m.essential_lines,
        pct(m.desirable_coverage),
        money_m(m.cost_per_year_m),
        units(m.troops_deployed_peak),
        units(m.troops_committed),
        p.participants.len(),
        m.conditional_offers
    );
    if !p.rests_on.is_empty() {
        let _ = writeln!(out, "Rests on: {}.", p.rests_on.join("; "));
    }
    let mut t = table(&[
        "Respondent",
        "Offer",
        "Capability",
        "Units",
        "Serves",
        &format!("Cost/yr ({cur} m)"),
        "Paid by",
        "Conditions",
    ]);
    for a in &p.accepted {
        let serves: Vec<String> = a
            .placements
            .iter()
            .map(|pl| {
                format!(
                    "{} {} {}×{}{}",
                    pl.requirement,
                    pl.phase,
                    pl.sector,
                    units(pl.units),
                    if pl.pooled {
                        " in rotation pool"
                    } else if pl.assembled {
                        " assembled"
                    } else {
                        ""
                    }
                )
            })
            .collect();
        t.add_row(vec![
            Cell::new(&a.respondent),
            Cell::new(&a.offer),
            Cell::new(&a.capability),
            right(format!("{} of {}", units(a.units), units(a.offered))),
            Cell::new(serves.join("\n")),
            right(money_m(a.cost_per_year_m)),
            Cell::new(&a.paid_by),
            Cell::new(a.conditions.join(", ")),
        ]);
    }
    let _ = writeln!(out, "Accepted offers\n{t}");
    for c in &p.coverage {
        let Some(pool) = &c.rotation_pool else {
            continue;
        };
        let turns: Vec<String> = pool
            .turns
            .iter()
            .map(|t| {
                format!(
                    "{}/{} place {} months {}–{}",
                    t.respondent,
                    t.offer,
                    t.place,
                    units(t.from_month),
                    units(t.to_month)
                )
            })
            .collect();
        let _ = writeln!(
            out,
            "Rotation pool {} ({} {}): {} units take turns to keep {} deployed (ratio {}), {} months a year each: {}.",
            c.requirement,
            c.phase,
            c.sector,
            units(pool.units),
            units(pool.kept_deployed),
            units(pool.ratio),
            units(pool.months_each),
            turns.join("; ")
        );
    }
    for c in &p.coverage {
        let Some(a) = &c.assembly else { continue };
        let parts: Vec<String> = a
            .parts
            .iter()
            .map(|part| {
                let from: Vec<String> = part
                    .from
                    .iter()
                    .map(|f| format!("{} {}", f.respondent, units(f.units)))
                    .collect();
                format!(
                    "{} × {} ({})",
                    units(part.units),
                    part.capability,
                    from.join(", ")
                )
            })
            .collect();
        let _ = writeln!(
            out,
            "Assembled {} ({} {}): {} {} under {} (lead nation{}, {}); parts: {}.",
            c.requirement,
            c.phase,
            c.sector,
            units(a.units),
            c.capability,
            a.lead.join(", "),
            if a.lead.len() == 1 { "" } else { "s" },
            a.lead_part,
            parts.join("; ")
        );
    }

    let gaps: Vec<_> = p.coverage.iter().filter(|c| c.gap > 1e-9).collect();
    if gaps.is_empty() {
        let _ = writeln!(out, "Every requirement is covered.");
    } else {
        let mut t = table(&[
            "Req",
            "Capability",
            "Phase",
            "Sector",
            "Priority",
            "Covered",
            "Gap",
            "Why",
        ]);
        for c in gaps {
            let why: Vec<String> = c
                .shortfall
                .iter()
                .map(|r| format!("{}: {}", r.kind.as_str(), r.detail))
                .collect();
            t.add_row(vec![
                Cell::new(&c.requirement),
                Cell::new(&c.capability),
                Cell::new(&c.phase),
                Cell::new(&c.sector),
                Cell::new(c.priority.as_str()),
                right(format!("{} of {}", units(c.covered), units(c.required))),
                right(units(c.gap)),
                Cell::new(why.join("\n")),
            ]);
        }
        let _ = writeln!(out, "Gaps\n{t}");
    }

    let mut t = table(&[
        "Respondent",
        &format!("Pays ({cur} m)"),
        "Cost share",
        "GDP share",
        "Share − GDP share",
        "Troops",
        "Troop share",
    ]);
    for b in &p.burden {
        t.add_row(vec![
            Cell::new(&b.respondent),
            right(money_m(b.cost_paid_m)),
            right(format::percent(b.cost_share, 1)),
            right(
                b.gdp_share
                    .map_or_else(|| "n/a".to_owned(), |g| format::percent(g, 1)),
            ),
            right(
                b.cost_gap
                    .map_or_else(|| "n/a".to_owned(), |g| format!("{:+.1} pts", g * 100.0)),
            ),
            right(units(b.troops)),
            right(format::percent(b.troop_share, 1)),
        ]);
    }
    let _ = writeln!(
        out,
        "Burden shares (common fund: {cur} {}m)\n{t}",
        money_m(p.common_fund_m)
    );

    if let Some(r) = &p.robustness {
        if let Some(w) = &r.worst_case {
            let _ = writeln!(
                out,
                "Robustness: worst case if {} withdraws: essential coverage {} → {} with the package fixed{}, {} re-optimised.",
                w.respondent,
                pct(m.essential_coverage),
                pct(w.essential_coverage_fixed),
                if w.cascade.is_empty() {
                    String::new()
                } else {
                    format!(" (also lost: {})", w.cascade.join(", "))
                },
                pct(w.essential_coverage_reoptimised)
            );
        }
        let weak: Vec<String> = r
            .by_respondent
            .iter()
            .filter(|w| w.essential_coverage_fixed < m.essential_coverage)
            .map(|w| {
                format!(
                    "{} {}→{}",
                    w.respondent,
                    pct(w.essential_coverage_fixed),
                    pct(w.essential_coverage_reoptimised)
                )
            })
            .collect();
        if !weak.is_empty() {
            let _ = writeln!(
                out,
                "Essential coverage if one withdraws (fixed → re-optimised): {}",
                weak.join(", ")
            );
        }
    }
}

fn responses_table(lines: &[ResponseLine]) -> Table {
    let mut t = table(&[
        "Respondent",
        "Name",
        "Status",
        "Revisions",
        "Last change",
        "Offer lines",
    ]);
    for r in lines {
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
    t
}

fn offered_table(categories: &[CategoryTotals], cur: &str) -> Table {
    let mut t = table(&[
        "Category",
        "Capability",
        "Units",
        "Unit",
        "Personnel",
        &format!("Cost/yr ({cur} m)"),
        "Offered by",
    ]);
    for cat in categories {
        for c in &cat.capabilities {
            t.add_row(vec![
                Cell::new(cat.category.as_str()),
                Cell::new(&c.name),
                right(format::thousands(c.quantity)),
                Cell::new(&c.unit),
                right(format::thousands(c.personnel)),
                right(money_m(c.cost_per_year_m)),
                Cell::new(c.respondents.join(" ")),
            ]);
        }
        t.add_row(vec![
            Cell::new(format!("{} total", cat.category.as_str())),
            Cell::new(""),
            Cell::new(""),
            Cell::new(""),
            right(format::thousands(cat.personnel)),
            right(money_m(cat.cost_per_year_m)),
            Cell::new(""),
        ]);
    }
    t
}

fn percent(x: Option<f64>, decimals: usize) -> String {
    format::percent_or_na(x, decimals)
}

/// The assessment as headed tables.
pub fn assessment(a: &Assessment) -> String {
    let mut out = String::new();
    let cur = &a.campaign.currency;
    let _ = writeln!(out, "{}", a.campaign.title);
    let _ = writeln!(out, "Assessment. Money in {cur} million per year.");
    if a.campaign.illustrative {
        let _ = writeln!(
            out,
            "ILLUSTRATIVE DATA: the proposals in this campaign are invented for demonstration."
        );
    }
    let n = &a.response_counts;
    let _ = writeln!(
        out,
        "\nResponse status: {} invited · {} answered · {} draft · {} not started · {} withdrawn",
        n.invited, n.answered, n.draft, n.not_started, n.withdrawn
    );
    let _ = writeln!(out, "{}", responses_table(&a.responses));

    let o = &a.offered;
    let _ = writeln!(
        out,
        "\nWhat is offered: {} offer lines from {} respondents. Personnel: {} at once, {} sustained in an enduring phase, {} committed with rotation. Cost of everything offered {cur} {} m/yr (funding {}); {} lines unpriced.",
        o.offer_lines,
        o.respondents,
        format::thousands(o.personnel.at_once.round() as u64),
        format::thousands(o.personnel.sustained.round() as u64),
        format::thousands(o.personnel.committed.round() as u64),
        money_m(o.cost_per_year_m),
        money_m(o.funding_per_year_m),
        o.unpriced_lines
    );
    let _ = writeln!(out, "{}", offered_table(&o.categories, cur));

    let _ = writeln!(out, "\nWillingness (ranked)");
    let mut t = table(&[
        "#",
        "Respondent",
        "Status",
        "Personnel",
        "÷ active",
        &format!("Money ({cur} m)"),
        "÷ GDP",
        "÷ defence",
        "Conditional lines",
        "Index",
    ]);
    for l in &a.willingness.lines {
        t.add_row(vec![
            right(l.rank),
            Cell::new(format!("{} {}", l.respondent, l.name)),
            Cell::new(l.status.as_str()),
            right(format::thousands(l.personnel.committed.round() as u64)),
            right(percent(l.personnel_ratio, 2)),
            right(money_m(l.money_m)),
            right(percent(l.money_share_of_gdp, 3)),
            right(percent(l.money_share_of_defence, 1)),
            right(format!("{} of {}", l.conditional_lines, l.offer_lines)),
            right(
                l.index
                    .map_or_else(|| "n/a".to_owned(), |x| format!("{x:.2}")),
            ),
        ]);
    }
    let _ = writeln!(out, "{t}");
    let _ = writeln!(out, "Method: {}", a.willingness.method);

    let _ = writeln!(out, "\nBurden sharing within the coalition");
    let mut t = table(&[
        "Respondent",
        "Personnel share",
        "Money share",
        "GDP share",
        "Defence share",
        "Money − GDP",
    ]);
    for l in &a.burden.lines {
        t.add_row(vec![
            Cell::new(format!("{} {}", l.respondent, l.name)),
            right(percent(l.personnel_share, 1)),
            right(percent(l.money_share, 1)),
            right(percent(l.gdp_share, 1)),
            right(percent(l.defence_share, 1)),
            right(
                l.money_gap
                    .map_or_else(|| "n/a".to_owned(), |g| format!("{:+.1} pts", g * 100.0)),
            ),
        ]);
    }
    let _ = writeln!(out, "{t}");
    let _ = writeln!(out, "Method: {}", a.burden.method);

    let _ = writeln!(out, "\nWhat the offers rest on");
    let mut t = table(&[
        "Condition",
        "Offer lines",
        "Respondents",
        "Personnel",
        &format!("Cost/yr ({cur} m)"),
    ]);
    let c = &a.conditions;
    let mut row = |label: &str, b: &guarantor_assess::assessment::OfferBlock| {
        t.add_row(vec![
            Cell::new(label),
            right(b.offer_lines),
            right(b.respondents.len()),
            right(format::thousands(b.personnel.round() as u64)),
            right(money_m(b.cost_per_year_m)),
        ]);
    };
    row("everything offered", &c.total);
    row("no condition", &c.unconditional);
    row("any named partner", &c.any_named_partner);
    for b in &c.by_condition {
        row(&b.condition, &b.offers);
    }
    let _ = writeln!(out, "{t}");
    let _ = writeln!(out, "An offer with several conditions counts under each.");

    let _ = writeln!(
        out,
        "\nRaw coverage per requirement, and the units resting on conditions"
    );
    let mut t = table(&[
        "Req",
        "Capability",
        "Phase",
        "Sector",
        "Priority",
        "Required",
        "Offered",
        "Unconditional",
        "Resting on",
    ]);
    for l in &a.coverage {
        t.add_row(vec![
            Cell::new(&l.line.requirement),
            Cell::new(&l.line.capability),
            Cell::new(&l.line.phase),
            Cell::new(&l.line.sector),
            Cell::new(l.line.priority.as_str()),
            right(l.line.required),
            right(l.line.offered),
            right(l.unconditional),
            Cell::new(
                l.by_condition
                    .iter()
                    .map(|u| format!("{}: {}", u.condition, u.units))
                    .collect::<Vec<_>>()
                    .join("; "),
            ),
        ]);
    }
    let _ = writeln!(out, "{t}");

    let _ = writeln!(out, "\nAnswers side by side");
    for q in &a.answers {
        let _ = writeln!(out, "{} — {}", q.section, q.text);
        let mut t = table(&["Respondent", "Answer"]);
        for x in &q.answers {
            t.add_row(vec![Cell::new(&x.respondent), Cell::new(&x.text)]);
        }
        let _ = writeln!(out, "{t}");
        if !q.unanswered.is_empty() {
            let _ = writeln!(out, "No answer: {}", q.unanswered.join(" "));
        }
    }
    for note in &a.notes {
        let _ = writeln!(out, "note: {note}");
    }
    out
}

fn standing(s: &Standing, cur: &str) -> String {
    format!(
        "essential coverage {} ({} of {} lines met), desirable {}, {cur} {} m per year, {} troops deployed at the peak{}",
        pct(s.essential_coverage),
        s.essential_met,
        s.essential_lines,
        pct(s.desirable_coverage),
        money_m(s.cost_per_year_m),
        units(s.troops_deployed_peak),
        if s.optimal { "" } else { " (not proven)" }
    )
}

fn gained(v: Option<&AskValue>) -> [String; 3] {
    match v {
        None => ["not valued".into(), String::new(), String::new()],
        Some(v) if v.error.is_some() => [
            format!("solve failed: {}", v.error.as_deref().unwrap_or_default()),
            String::new(),
            String::new(),
        ],
        Some(v) => [
            format::signed_points(v.essential_gain_points),
            format::signed_points(v.desirable_gain_points),
            format::signed_millions(v.cost_change_m),
        ],
    }
}

/// The engagement plan: per scenario, where the package stands, the envoy's visit list, what the
/// package would be if every ask were granted, and each gap with its candidate asks valued.
pub fn engagement(report: &EngagementReport) -> String {
    let mut out = String::new();
    let cur = &report.campaign.currency;
    heading(
        &mut out,
        &format!("Engagement plan: {}", report.campaign.title),
        report.campaign.illustrative,
    );
    what_if_banner(&mut out, report.what_if.as_ref());
    let _ = writeln!(
        out,
        "Gaps measured against {}. Every ask is HYPOTHETICAL: valued by re-optimising with it added; no proposal changes.\nSolver: {}. Money in {cur} million per year.",
        report.posture.as_ref().map_or_else(
            || "the campaign's statement of requirements".to_owned(),
            |p| format!("the force posture \"{}\"", p.name)
        ),
        report.backend.as_str()
    );
    for s in &report.scenarios {
        let _ = writeln!(out, "\n════ Scenario {}: {}", s.scenario, s.name);
        let _ = writeln!(out, "Now: {}.", standing(&s.baseline, cur));
        match &s.if_all_granted {
            Some(g) => {
                let _ = writeln!(
                    out,
                    "If every ask on the visit list were granted: {}.",
                    standing(g, cur)
                );
            }
            None => {
                let _ = writeln!(out, "No ask would add coverage under this scenario.");
            }
        }
        if !s.visits.is_empty() {
            let mut t = table(&[
                "#",
                "Capital",
                "Proposal",
                "What to ask",
                "Essential",
                "Desirable",
                &format!("Cost/yr ({cur} m)"),
                "Also brings in",
            ]);
            for v in &s.visits {
                let [e, d, c] = gained(Some(&v.value));
                t.add_row(vec![
                    right(v.rank),
                    Cell::new(format!("{} ({})", v.name, v.respondent)),
                    Cell::new(v.status.as_str()),
                    Cell::new(v.asks.join("\n")),
                    right(e),
                    right(d),
                    right(c),
                    Cell::new(v.value.unlocks.join("\n")),
                ]);
            }
            let _ = writeln!(
                out,
                "Visit list (first the capital whose asks buy the most)\n{t}"
            );
        }
        let _ = writeln!(out, "Gaps and the capitals that could close them");
        for g in &s.gaps {
            let _ = writeln!(
                out,
                "── {}, {} ({}; {}; short {} in {})",
                g.capability_name,
                g.sector_name,
                g.priority.as_str(),
                g.requirements.join(" "),
                units(g.units_short),
                g.phases.join(", ")
            );
            if let Some(why) = &g.no_candidate {
                let _ = writeln!(out, "   No one to ask: {why}.");
                continue;
            }
            let mut t = table(&[
                "Ask",
                "Why this capital",
                "Essential",
                "Desirable",
                &format!("Cost/yr ({cur} m)"),
                "Also brings in",
            ]);
            for a in &g.candidates {
                let [e, d, c] = gained(a.value.as_ref());
                t.add_row(vec![
                    Cell::new(&a.in_words),
                    Cell::new(
                        a.reasons
                            .iter()
                            .map(|r| r.detail.as_str())
                            .collect::<Vec<_>>()
                            .join("; "),
                    ),
                    right(e),
                    right(d),
                    right(c),
                    Cell::new(
                        a.value
                            .as_ref()
                            .map(|v| v.unlocks.join("\n"))
                            .unwrap_or_default(),
                    ),
                ]);
            }
            let _ = writeln!(out, "{t}");
        }
        let _ = writeln!(out, "{} re-optimisations valued the asks.", s.solves);
    }
    let _ = writeln!(out, "\nMethod");
    for m in &report.method {
        let _ = writeln!(out, "  - {m}");
    }
    out
}

/// The follow-up asks, with where each stands.
pub fn asks(c: &Campaign, asks: &[guarantor_app::AskView]) -> String {
    let mut out = String::new();
    heading(
        &mut out,
        &format!("Follow-up asks: {}", c.info().title),
        c.info().illustrative,
    );
    if asks.is_empty() {
        let _ = writeln!(out, "No follow-up ask has been sent.");
        return out;
    }
    let mut t = table(&[
        "Ask",
        "Capital",
        "What is asked",
        "Status",
        "Units answered",
        "Reply by",
        "Reason given",
    ]);
    for a in asks {
        t.add_row(vec![
            Cell::new(&a.id),
            Cell::new(&a.respondent),
            Cell::new(a.in_words()),
            Cell::new(a.status.in_words()),
            right(format!("{} of {}", a.units_answered, a.quantity)),
            Cell::new(a.reply_by.format("%Y-%m-%d").to_string()),
            Cell::new(
                a.declined_reason
                    .as_ref()
                    .or(a.withdrawn_reason.as_ref())
                    .cloned()
                    .unwrap_or_default(),
            ),
        ]);
    }
    let _ = writeln!(out, "{t}");
    out
}

/// The plan that stands: its pledges and coverage at each level.
pub fn plan(c: &Campaign, plan: Option<&guarantor_app::PlanView>) -> String {
    let mut out = String::new();
    heading(
        &mut out,
        &format!("Plan: {}", c.info().title),
        c.info().illustrative,
    );
    let Some(plan) = plan else {
        let _ = writeln!(
            out,
            "No plan adopted yet (the web app's Plan tab, or POST /api/campaigns/ID/plans)."
        );
        return out;
    };
    let _ = writeln!(
        out,
        "Plan {}: {} under \"{}\", adopted {} by {}.{}",
        plan.version,
        plan.option,
        plan.scenario,
        format::to_the_minute(&plan.adopted_at.to_rfc3339()),
        plan.adopted_by,
        if plan.note.is_empty() {
            String::new()
        } else {
            format!(" {}", plan.note)
        }
    );
    let mut t = table(&[
        "Capital",
        "Line",
        "Capability",
        "Units",
        "Where it stands",
        "Readiness",
        "Delivered",
    ]);
    for p in &plan.pledges {
        t.add_row(vec![
            Cell::new(&p.respondent),
            Cell::new(&p.offer),
            Cell::new(&p.capability_name),
            right(p.units),
            Cell::new(p.state.as_str().replace('_', " ")),
            Cell::new(match (&p.readiness, p.ready_from) {
                (Some(r), Some(from)) => format!("{r}, ready from {from}"),
                _ => String::new(),
            }),
            right(p.delivered),
        ]);
    }
    let _ = writeln!(out, "Pledges\n{t}");
    if !plan.drift.is_empty() {
        let _ = writeln!(
            out,
            "Changed since adoption (the plan rests on less than it counts):"
        );
        for d in &plan.drift {
            let _ = writeln!(out, "  - {} pledge {}: {}", d.respondent, d.pledge, d.what);
        }
        let _ = writeln!(out);
    }
    let mut t = table(&[
        "Line",
        "Required",
        "Accepted",
        "Confirmed",
        "Verified",
        "Delivered",
    ]);
    for l in &plan.coverage {
        t.add_row(vec![
            Cell::new(&l.requirement),
            right(l.required),
            right(units(l.accepted)),
            right(units(l.confirmed)),
            right(units(l.verified)),
            right(units(l.delivered)),
        ]);
    }
    let _ = writeln!(
        out,
        "Coverage of each requirement line at each level (units; a pledge counts once it reached the level and while it stands)\n{t}"
    );
    // The four levels of a group of lines: mean share and lines fully covered.
    let levels = |e: &guarantor_domain::LevelTotals| -> Vec<Cell> {
        e.levels()
            .into_iter()
            .map(|(x, met)| right(format!("{} ({met} met)", format::percent(x, 0))))
            .collect()
    };
    let mut t = table(&[
        "Phase",
        "Essential lines",
        "Accepted",
        "Confirmed",
        "Verified",
        "Delivered",
    ]);
    for p in &plan.by_phase {
        let mut row = vec![Cell::new(&p.phase), right(p.essential.lines)];
        row.extend(levels(&p.essential));
        t.add_row(row);
    }
    let _ = writeln!(
        out,
        "Essential lines of each phase at each level (mean share of each line's requirement, at most 100%; lines fully covered)\n{t}"
    );
    let mut t = table(&[
        "Capital",
        "Pledges",
        "Standing",
        "Confirmed",
        "Verified",
        "Units pledged",
        "Units delivered",
    ]);
    for c in &plan.by_capital {
        t.add_row(vec![
            Cell::new(&c.respondent),
            right(c.pledges),
            right(c.standing),
            right(c.confirmed),
            right(c.verified),
            right(c.units),
            right(c.units_delivered),
        ]);
    }
    let _ = writeln!(
        out,
        "Each capital's pledges (standing: not declined, withdrawn or released)\n{t}"
    );
    let mut t = table(&["Day", "Accepted", "Confirmed", "Verified", "Delivered"]);
    for d in &plan.over_time {
        let mut row = vec![Cell::new(d.day.to_string())];
        row.extend(levels(&d.essential));
        t.add_row(row);
    }
    let _ = writeln!(
        out,
        "The essential lines over time, pledged against delivered (as they stood at the end of each day something was recorded)\n{t}"
    );
    out
}
