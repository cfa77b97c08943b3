//! The audit log for people: each change as who, what and when in words, with what it changed
//! (a proposal's lines and answers by name, a setup's fields with old and new value), filtered
//! by capital and kind; and the log and the response tracker exported as CSV and XLSX.

use std::collections::BTreeSet;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use chrono::{DateTime, Utc};
use guarantor_app::{AuditAction, AuditEntry};
use guarantor_domain::CampaignDocument;
use guarantor_domain::document::{AnswerDoc, OfferDoc, ProposalDoc};
use serde::Deserialize;
use serde_json::Value;

use super::coordinator::{TrackerLine, tracker};
use super::proposal_form;
use super::{Chrome, PageError, PageRoute, Viewer, actor_name, html, page};
use crate::api::Shared;

/// The audit and export routes.
pub(crate) const ROUTES: &[PageRoute] = &[
    page!(GET "/campaigns/{campaign}/audit" => audit, "coordinator"),
    page!(GET "/campaigns/{campaign}/audit.csv" => audit_csv, "coordinator"),
    page!(GET "/campaigns/{campaign}/audit.xlsx" => audit_xlsx, "coordinator"),
    page!(GET "/campaigns/{campaign}/tracker.csv" => tracker_csv, "coordinator, decision maker"),
    page!(GET "/campaigns/{campaign}/tracker.xlsx" => tracker_xlsx, "coordinator, decision maker"),
];

/// At most this many field changes are listed for one entry; the rest are counted.
const MAX_CHANGES: usize = 25;

/// Which entries the coordinator wants to see.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct Filter {
    /// A capital's code: its proposal and its invitations only.
    #[serde(default)]
    capital: String,
    /// `proposal`, `invitation` or `campaign` (setup, submissions, import).
    #[serde(default)]
    kind: String,
}

/// One audit entry in words.
#[derive(Debug, Clone)]
pub(crate) struct AuditLine {
    pub seq: i64,
    pub at: String,
    pub when: String,
    pub who: String,
    pub what: String,
    /// The stored action (`proposal.submit`).
    pub action: String,
    /// The capital the entry is about, if any.
    pub capital: Option<String>,
    /// `proposal`, `invitation` or `campaign`.
    pub kind: String,
    pub subject: String,
    /// What it changed, in words.
    pub changes: Vec<String>,
    pub hash: String,
}

/// The entries of one campaign in words, oldest first.
pub(crate) fn lines(doc: &CampaignDocument, entries: &[AuditEntry]) -> Vec<AuditLine> {
    entries
        .iter()
        .filter(|e| e.campaign_id.as_deref() == Some(doc.campaign.id.as_str()))
        .map(|e| {
            let action = AuditAction::parse(&e.action);
            let kind = e.action.split('.').next().unwrap_or("").to_owned();
            let capital = e
                .subject
                .strip_prefix("proposal of ")
                .or_else(|| e.subject.strip_prefix("invitation of "))
                .map(str::to_owned);
            let name = |code: &str| {
                doc.respondents
                    .iter()
                    .find(|r| r.code == code)
                    .map_or_else(|| code.to_owned(), |r| r.name.clone())
            };
            let subject = match (&capital, kind.as_str()) {
                (Some(c), "proposal") => format!("the proposal of {}", name(c)),
                (Some(c), "invitation") => format!("the invitation of {}", name(c)),
                _ => "the campaign".to_owned(),
            };
            AuditLine {
                seq: e.seq,
                at: e.at.clone(),
                when: super::when(&e.at),
                who: actor_name(&e.actor),
                what: action.map_or_else(|| e.action.clone(), |a| a.in_words().to_owned()),
                action: e.action.clone(),
                capital,
                subject,
                changes: changes(doc, action, e.before.as_deref(), e.after.as_deref()),
                kind,
                hash: e.hash.clone(),
            }
        })
        .collect()
}

/// What one entry changed, in words.
fn changes(
    doc: &CampaignDocument,
    action: Option<AuditAction>,
    before: Option<&str>,
    after: Option<&str>,
) -> Vec<String> {
    let parse = |s: Option<&str>| s.and_then(|s| serde_json::from_str::<Value>(s).ok());
    let (before, after) = (parse(before), parse(after));
    match action {
        Some(
            AuditAction::ProposalDraft
            | AuditAction::ProposalSubmit
            | AuditAction::ProposalWithdraw,
        ) => {
            let proposal = |v: &Option<Value>| {
                v.as_ref()
                    .and_then(|v| serde_json::from_value::<ProposalDoc>(v.clone()).ok())
            };
            proposal_changes(
                doc,
                action,
                proposal(&before).as_ref(),
                proposal(&after).as_ref(),
            )
        }
        Some(AuditAction::CampaignImport) => Vec::new(),
        _ => {
            let mut out = Vec::new();
            json_changes(
                "",
                before.as_ref().unwrap_or(&Value::Null),
                after.as_ref().unwrap_or(&Value::Null),
                &mut out,
            );
            if out.len() > MAX_CHANGES {
                let more = out.len() - MAX_CHANGES;
                out.truncate(MAX_CHANGES);
                out.push(format!("and {more} more changes"));
            }
            out
        }
    }
}

/// A proposal's offer lines and answers.
type Content<'a> = (&'a [OfferDoc], &'a [AnswerDoc]);

/// What a proposal holds as its capital works on it: the draft, else the current revision.
fn working(p: Option<&ProposalDoc>) -> Content<'_> {
    match p {
        Some(p) => match (&p.draft, p.revisions.last()) {
            (Some(d), _) => (&d.offers, &d.answers),
            (None, Some(r)) => (&r.offers, &r.answers),
            (None, None) => (&[], &[]),
        },
        None => (&[], &[]),
    }
}

/// A proposal's change in words: a draft against what it started from, a submission against
/// the revision before, a withdrawal with its reason.
fn proposal_changes(
    doc: &CampaignDocument,
    action: Option<AuditAction>,
    before: Option<&ProposalDoc>,
    after: Option<&ProposalDoc>,
) -> Vec<String> {
    let empty: Content<'_> = (&[], &[]);
    let Some(after) = after else {
        return Vec::new();
    };
    match action {
        Some(AuditAction::ProposalSubmit) => {
            let n = after.revisions.len();
            let Some(new) = after.revisions.last() else {
                return Vec::new();
            };
            let mut out = vec![format!(
                "revision {n}: {} offer line{}",
                new.offers.len(),
                if new.offers.len() == 1 { "" } else { "s" }
            )];
            match n.checked_sub(2).and_then(|i| after.revisions.get(i)) {
                Some(prev) => out.extend(proposal_form::changes(
                    doc,
                    (&prev.offers, &prev.answers),
                    (&new.offers, &new.answers),
                )),
                None => out.extend(proposal_form::changes(
                    doc,
                    empty,
                    (&new.offers, &new.answers),
                )),
            }
            out
        }
        Some(AuditAction::ProposalWithdraw) => after
            .withdrawn
            .iter()
            .map(|w| {
                if w.reason.is_empty() {
                    "no reason given".to_owned()
                } else {
                    format!("reason: {}", w.reason)
                }
            })
            .collect(),
        _ => {
            let changed = proposal_form::changes(doc, working(before), working(Some(after)));
            if changed.is_empty() {
                vec!["no change to the lines or answers".to_owned()]
            } else {
                changed
            }
        }
    }
}

/// The leaves that differ between two JSON values, as `path: old → new`; lists of objects
/// with an `id` (or `code`) are matched by it, so an inserted line is one change, not many.
fn json_changes(path: &str, a: &Value, b: &Value, out: &mut Vec<String>) {
    if a == b {
        return;
    }
    let at = |key: &str| {
        if path.is_empty() {
            key.to_owned()
        } else {
            format!("{path} › {key}")
        }
    };
    let key_of = |v: &Value| {
        v.get("id")
            .or_else(|| v.get("code"))
            .and_then(Value::as_str)
            .map(str::to_owned)
    };
    let none = serde_json::Map::new();
    // A state that did not exist before (or no longer does) is an empty one, field by field.
    let object = |v: &Value| -> Option<serde_json::Map<String, Value>> {
        match v {
            Value::Object(m) => Some(m.clone()),
            Value::Null => Some(none.clone()),
            _ => None,
        }
    };
    match (a, b) {
        (Value::Object(_), _) | (_, Value::Object(_))
            if object(a).is_some() && object(b).is_some() =>
        {
            let (x, y) = (object(a).unwrap_or_default(), object(b).unwrap_or_default());
            let keys: BTreeSet<&String> = x.keys().chain(y.keys()).collect();
            for k in keys {
                json_changes(
                    &at(k),
                    x.get(k).unwrap_or(&Value::Null),
                    y.get(k).unwrap_or(&Value::Null),
                    out,
                );
            }
        }
        (Value::Array(x), Value::Array(y)) if x.iter().chain(y).all(|v| key_of(v).is_some()) => {
            let keyed = |list: &Vec<Value>| -> Vec<(String, Value)> {
                list.iter()
                    .filter_map(|v| key_of(v).map(|k| (k, v.clone())))
                    .collect()
            };
            let (old, new) = (keyed(x), keyed(y));
            for (k, v) in &new {
                match old.iter().find(|(o, _)| o == k) {
                    Some((_, prev)) => json_changes(&at(k), prev, v, out),
                    None => out.push(format!("{}: added", at(k))),
                }
            }
            for (k, _) in old.iter().filter(|(k, _)| !new.iter().any(|(n, _)| n == k)) {
                out.push(format!("{}: removed", at(k)));
            }
        }
        _ => {
            let shown = |v: &Value| match v {
                Value::Null => "nothing".to_owned(),
                // A time, to the minute, as the rest of the pages write it.
                Value::String(s) if DateTime::parse_from_rfc3339(s).is_ok() => super::when(s),
                Value::String(s) => format!("\"{s}\""),
                Value::Array(_) | Value::Object(_) => {
                    let text = v.to_string();
                    if text.chars().count() > 80 {
                        format!("{}…", text.chars().take(80).collect::<String>())
                    } else {
                        text
                    }
                }
                other => other.to_string(),
            };
            let name = if path.is_empty() { "the state" } else { path };
            out.push(format!("{name}: {} → {}", shown(a), shown(b)));
        }
    }
}

/// The entries `filter` keeps, newest first.
fn filtered(lines: Vec<AuditLine>, filter: &Filter) -> Vec<AuditLine> {
    let mut kept: Vec<AuditLine> = lines
        .into_iter()
        .filter(|l| {
            filter.capital.is_empty() || l.capital.as_deref() == Some(filter.capital.as_str())
        })
        .filter(|l| filter.kind.is_empty() || l.kind == filter.kind)
        .collect();
    kept.reverse();
    kept
}

#[derive(Template)]
#[template(path = "audit.html")]
struct AuditPage {
    page: Chrome,
    id: String,
    intact: bool,
    report: String,
    entries: Vec<AuditLine>,
    total: usize,
    capitals: Vec<(String, String)>,
    capital: String,
    kind: String,
    /// The filter as a query string, for the export links (empty or `?capital=…&kind=…`).
    query: String,
}

/// The campaign, its entries in words, and whether the chain holds, for the page and exports.
async fn read(
    s: &crate::AppState,
    viewer: &Viewer,
    campaign: &str,
) -> Result<(CampaignDocument, Vec<AuditLine>), PageError> {
    let read = s.app.campaign(&viewer.principal, campaign).await?;
    let doc = read.campaign.to_document();
    let entries = s.app.audit_entries(&viewer.principal).await?;
    let lines = lines(&doc, &entries);
    Ok((doc, lines))
}

/// GET: the audit log of a campaign, in words, filtered.
pub(crate) async fn audit(
    State(s): Shared,
    viewer: Viewer,
    Path(campaign): Path<String>,
    Query(filter): Query<Filter>,
) -> Result<Response, PageError> {
    let c = s.app.campaign(&viewer.principal, &campaign).await?.campaign;
    let report = s.app.verify_audit(&viewer.principal).await?;
    let (doc, lines) = read(&s, &viewer, &campaign).await?;
    let total = lines.len();
    let query = serde_urlencoded::to_string([("capital", &filter.capital), ("kind", &filter.kind)])
        .map(|q| format!("?{q}"))
        .unwrap_or_default();
    let page = AuditPage {
        page: Chrome::new(Some(&viewer), "Audit log").in_campaign(&viewer, &c, "Audit log"),
        id: campaign.clone(),
        intact: report.intact(),
        report: if report.intact() {
            let mut text = format!(
                "The hash chain of all {} entries and the stored data it recorded are intact (head {}).",
                report.entries,
                &report.head.get(..16).unwrap_or(&report.head)
            );
            for u in &report.unchecked {
                text.push_str(&format!(" Not checked: {u}."));
            }
            text
        } else {
            format!(
                "The log or the stored data were changed outside Guarantor: {}",
                report.problems.join("; ")
            )
        },
        entries: filtered(lines, &filter),
        total,
        capitals: doc
            .respondents
            .iter()
            .map(|r| (r.code.clone(), r.name.clone()))
            .collect(),
        capital: filter.capital,
        kind: filter.kind,
        query,
    };
    Ok(html(&page))
}

const AUDIT_COLUMNS: [&str; 9] = [
    "seq", "at", "who", "what", "action", "capital", "subject", "changes", "hash",
];

fn audit_rows(lines: &[AuditLine]) -> Vec<[String; 9]> {
    lines
        .iter()
        .map(|l| {
            [
                l.seq.to_string(),
                l.at.clone(),
                l.who.clone(),
                l.what.clone(),
                l.action.clone(),
                l.capital.clone().unwrap_or_default(),
                l.subject.clone(),
                l.changes.join("; "),
                l.hash.clone(),
            ]
        })
        .collect()
}

const TRACKER_COLUMNS: [&str; 9] = [
    "code",
    "capital",
    "status",
    "last change",
    "offer lines",
    "invitation",
    "follow-up asks",
    "pledges",
    "submissions",
];

fn tracker_rows(lines: &[TrackerLine], submissions: &str) -> Vec<[String; 9]> {
    lines
        .iter()
        .map(|t| {
            [
                t.code.clone(),
                t.name.clone(),
                t.status.clone(),
                t.last_change.clone(),
                t.lines.to_string(),
                t.invitation.clone(),
                t.asks.clone(),
                t.pledges.clone(),
                submissions.to_owned(),
            ]
        })
        .collect()
}

/// A table as CSV (RFC 4180, UTF-8, a header row).
fn csv_of<const N: usize>(columns: [&str; N], rows: &[[String; N]]) -> Result<Vec<u8>, PageError> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let fail = |e: &dyn std::fmt::Display| PageError::internal(&e.to_string());
    w.write_record(columns).map_err(|e| fail(&e))?;
    for r in rows {
        w.write_record(r).map_err(|e| fail(&e))?;
    }
    w.into_inner().map_err(|e| fail(&e))
}

/// A table as a one-sheet workbook, with a bold header row and the columns sized to fit.
fn xlsx_of<const N: usize>(
    sheet: &str,
    columns: [&str; N],
    rows: &[[String; N]],
) -> Result<Vec<u8>, PageError> {
    use rust_xlsxwriter::{Format, Workbook};
    let fail = |e: rust_xlsxwriter::XlsxError| PageError::internal(&e.to_string());
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet().set_name(sheet).map_err(fail)?;
    let bold = Format::new().set_bold();
    for (c, title) in (0_u16..).zip(columns) {
        ws.write_string_with_format(0, c, title, &bold)
            .map_err(fail)?;
    }
    for (r, row) in (1_u32..).zip(rows) {
        for (c, value) in (0_u16..).zip(row) {
            match value.parse::<f64>() {
                Ok(n) if c == 0 || value.chars().all(|ch| ch.is_ascii_digit()) => {
                    ws.write_number(r, c, n).map_err(fail)?
                }
                _ => ws.write_string(r, c, value).map_err(fail)?,
            };
        }
    }
    ws.autofit();
    ws.set_freeze_panes(1, 0).map_err(fail)?;
    wb.save_to_buffer().map_err(fail)
}

const CSV: &str = "text/csv; charset=utf-8";
const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// GET: the audit log (as filtered) as CSV.
pub(crate) async fn audit_csv(
    State(s): Shared,
    viewer: Viewer,
    Path(campaign): Path<String>,
    Query(filter): Query<Filter>,
) -> Result<Response, PageError> {
    let (_, lines) = read(&s, &viewer, &campaign).await?;
    let rows = audit_rows(&filtered(lines, &filter));
    Ok(super::attachment(
        csv_of(AUDIT_COLUMNS, &rows)?,
        &format!("{campaign}-audit.csv"),
        CSV,
    ))
}

/// GET: the audit log (as filtered) as a workbook.
pub(crate) async fn audit_xlsx(
    State(s): Shared,
    viewer: Viewer,
    Path(campaign): Path<String>,
    Query(filter): Query<Filter>,
) -> Result<Response, PageError> {
    let (_, lines) = read(&s, &viewer, &campaign).await?;
    let rows = audit_rows(&filtered(lines, &filter));
    Ok(super::attachment(
        xlsx_of("Audit log", AUDIT_COLUMNS, &rows)?,
        &format!("{campaign}-audit.xlsx"),
        XLSX,
    ))
}

/// The tracker's rows and where submissions stand.
async fn tracker_table(
    s: &crate::AppState,
    viewer: &Viewer,
    campaign: &str,
) -> Result<Vec<[String; 9]>, PageError> {
    let read = s.app.campaign(&viewer.principal, campaign).await?;
    let doc = read.campaign.to_document();
    let invitations = s.app.invitations(&viewer.principal, campaign).await?;
    let state = read.submissions.describe(Utc::now(), doc.campaign.deadline);
    Ok(tracker_rows(
        &tracker(&read.campaign, &doc, &invitations),
        state,
    ))
}

/// GET: the response tracker as CSV.
pub(crate) async fn tracker_csv(
    State(s): Shared,
    viewer: Viewer,
    Path(campaign): Path<String>,
) -> Result<Response, PageError> {
    let rows = tracker_table(&s, &viewer, &campaign).await?;
    Ok(super::attachment(
        csv_of(TRACKER_COLUMNS, &rows)?,
        &format!("{campaign}-tracker.csv"),
        CSV,
    ))
}

/// GET: the response tracker as a workbook.
pub(crate) async fn tracker_xlsx(
    State(s): Shared,
    viewer: Viewer,
    Path(campaign): Path<String>,
) -> Result<Response, PageError> {
    let rows = tracker_table(&s, &viewer, &campaign).await?;
    Ok(super::attachment(
        xlsx_of("Tracker", TRACKER_COLUMNS, &rows)?,
        &format!("{campaign}-tracker.xlsx"),
        XLSX,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_setup_change_is_listed_field_by_field_with_lines_matched_by_id() {
        let a = serde_json::json!({
            "campaign": {"deadline": "2025-03-07T17:00:00Z", "id": "c"},
            "requirements": [{"id": "R01", "quantity": 2}, {"id": "R02", "quantity": 1}]
        });
        let b = serde_json::json!({
            "campaign": {"deadline": "2026-01-31T17:00:00Z", "id": "c"},
            "requirements": [{"id": "R01", "quantity": 3}, {"id": "R03", "quantity": 1}]
        });
        let mut out = Vec::new();
        json_changes("", &a, &b, &mut out);
        assert_eq!(
            out,
            [
                "campaign › deadline: 2025-03-07 17:00 UTC → 2026-01-31 17:00 UTC",
                "requirements › R01 › quantity: 2 → 3",
                "requirements › R03: added",
                "requirements › R02: removed",
            ]
        );
    }
}
