//! The Excel round trip: the questionnaire as a workbook pre-filled with a capital's working
//! copy, and a filled workbook read back into a draft.
//!
//! The workbook has four sheets: `Read me` (who, what, by when, and the proposal version the
//! file was made from), `Offers` (one offer line per row), `Answers` (one free-text question per
//! row) and `Lists` (the valid values, which the dropdowns read). Sheets are protected with only
//! the input cells unlocked, so the layout the reader relies on stays put. Reading checks every
//! cell and reports every problem as `Sheet!A1: what is wrong`; the upload is stored only when
//! the whole file is valid.

use std::collections::BTreeMap;
use std::io::Cursor;

use calamine::{Data, Reader as _, Xlsx, open_workbook_from_rs};
use guarantor_app::DraftContent;
use guarantor_domain::document::{
    AnswerDoc, CampaignDocument, CaveatDoc, ConditionDoc, MoneyDoc, OfferDoc,
};
use rust_xlsxwriter::{
    DataValidation, DataValidationRule, Format, Formula, Workbook, Worksheet, XlsxError,
};

use super::Lists;
use super::proposal_form::{self, Target};

/// Input rows of the `Offers` sheet (after the header).
pub const OFFER_ROWS: u32 = 200;

/// Rows of the `Answers` sheet that are read (after the header): far more than any questionnaire.
const ANSWER_ROWS: u32 = 1000;

/// The `Offers` sheet's columns: (header, field name in the campaign file, width).
const OFFER_COLUMNS: [(&str, &str, f64); 18] = [
    ("ID (blank for a new line)", "id", 14.0),
    ("Capability", "capability", 26.0),
    ("Quantity (units)", "quantity", 10.0),
    ("Earliest phase", "earliest_phase", 12.0),
    ("Last phase (blank: to the end)", "last_phase", 14.0),
    (
        "Sectors (ids, comma-separated; blank: any)",
        "sectors",
        24.0,
    ),
    ("Rotation-backed (yes/no)", "rotation_backed", 12.0),
    (
        "Caveats (no_contact_line, out_of_country_only, no_combat_role, no_shared_rotation)",
        "caveats",
        26.0,
    ),
    ("Excluded sectors (ids)", "excluded_sectors", 18.0),
    ("Other restriction (words)", "other_caveat", 22.0),
    (
        "Cost per unit per year (millions)",
        "cost_per_unit_year",
        14.0,
    ),
    ("Currency", "currency", 9.0),
    ("Paid by", "paid_by", 14.0),
    ("Condition: facts that must hold (ids)", "conditions", 22.0),
    (
        "Condition: only if these commit (ISO codes)",
        "if_commits",
        18.0,
    ),
    ("Condition: at least N partners", "min_partners", 12.0),
    ("Note", "note", 30.0),
    (
        "Answers follow-up ask (ask id; blank: none)",
        "answers_ask",
        16.0,
    ),
];

/// The `Offers` sheet's last column, 0-based (R: the answered ask).
const OFFER_LAST_COLUMN: u32 = OFFER_COLUMNS.len() as u32 - 1;

/// The cell where `Read me` records the proposal version the file was made from.
const VERSION_CELL: (u32, u16) = (6, 1);
/// The cell where `Read me` records the respondent.
const RESPONDENT_CELL: (u32, u16) = (2, 1);

/// `A`, `B`, … `Q` for a column index.
fn column_letter(col: u16) -> String {
    let mut n = u32::from(col) + 1;
    let mut s = Vec::new();
    while n > 0 {
        let r = (n - 1) % 26;
        s.push(char::from(b'A' + u8::try_from(r).unwrap_or(0)));
        n = (n - 1) / 26;
    }
    s.iter().rev().collect()
}

/// `Sheet!B7` for a zero-based (row, column).
fn cell_name(sheet: &str, row: u32, col: u16) -> String {
    format!("{sheet}!{}{}", column_letter(col), row + 1)
}

fn list_validation(sheet_range: &str, title: &str) -> Result<DataValidation, XlsxError> {
    DataValidation::new()
        .allow_list_formula(Formula::new(format!("=Lists!{sheet_range}")))
        .set_input_title(title)
}

/// Writes a column of `Lists` and returns its absolute range for a dropdown.
fn write_list(
    ws: &mut Worksheet,
    col: u16,
    header: &str,
    values: &[(String, String)],
) -> Result<String, XlsxError> {
    ws.write_string(0, col, header)?;
    ws.write_string(0, col + 1, "meaning")?;
    for (i, (id, meaning)) in values.iter().enumerate() {
        let row = u32::try_from(i).unwrap_or(u32::MAX - 1) + 1;
        ws.write_string(row, col, id)?;
        ws.write_string(row, col + 1, meaning)?;
    }
    let letter = column_letter(col);
    Ok(format!("${letter}$2:${letter}${}", values.len().max(1) + 1))
}

/// What the coordinator asked of a capital since the first round, and what it pledged: shown
/// in the workbook, read-only (a capital answers an ask with offer lines naming it, and acts on
/// its pledges on its page or through the API).
#[derive(Debug, Default)]
pub struct FollowUp<'a> {
    /// Its follow-up asks, with where each stands.
    pub asks: &'a [guarantor_app::AskView],
    /// Its pledges in the plan that stands.
    pub pledges: &'a [guarantor_app::PledgeView],
}

/// The questionnaire as a workbook, pre-filled with `offers` and `answers`, with the capital's
/// follow-up asks and pledges on sheets of their own when it has any.
pub fn template(
    doc: &CampaignDocument,
    respondent: &str,
    offers: &[OfferDoc],
    answers: &[AnswerDoc],
    version: i64,
    follow_up: &FollowUp<'_>,
) -> Result<Vec<u8>, XlsxError> {
    let mut wb = Workbook::new();
    let bold = Format::new().set_bold();
    let wrap = Format::new().set_text_wrap();
    let input = Format::new().set_unlocked().set_background_color("#FFF8DC");
    let header = Format::new()
        .set_bold()
        .set_text_wrap()
        .set_background_color("#DCE3EC");

    // Read me.
    let name = doc
        .respondents
        .iter()
        .find(|r| r.code == respondent)
        .map_or(respondent, |r| r.name.as_str());
    let readme = wb.add_worksheet().set_name("Read me")?;
    readme.set_column_width(0, 26)?;
    readme.set_column_width(1, 90)?;
    let rows: [(&str, String); 9] = [
        ("Campaign", format!("{} ({})", doc.campaign.title, doc.campaign.id)),
        ("Issued by", doc.campaign.issuer.clone()),
        ("Respondent", respondent.to_owned()),
        ("Respondent name", name.to_owned()),
        (
            "Deadline",
            doc.campaign.deadline.format("%Y-%m-%d %H:%M UTC").to_string(),
        ),
        ("Currency", doc.campaign.currency.clone()),
        ("Proposal version", version.to_string()),
        (
            "How to fill it",
            "Write one offer line per row of the Offers sheet and your answers in the Answers sheet \
             (yellow cells). Pick capabilities, phases, currencies and payers from the dropdowns; \
             the Lists sheet says what every id means. Upload the file on your proposal page: it \
             becomes your draft only if every cell is valid, and you submit it there."
                .to_owned(),
        ),
        (
            "Version",
            "The file records the version of your proposal it was made from. If the proposal \
             changed since, the upload is refused: download the file again."
                .to_owned(),
        ),
    ];
    for (i, (k, v)) in rows.iter().enumerate() {
        let r = u32::try_from(i).unwrap_or(0);
        readme.write_string_with_format(r, 0, *k, &bold)?;
        if (r, 1) == VERSION_CELL {
            readme.write_number(r, 1, version as f64)?;
        } else {
            readme.write_string_with_format(r, 1, v, &wrap)?;
        }
    }
    if doc.campaign.illustrative {
        readme.write_string_with_format(
            10,
            0,
            "ILLUSTRATIVE DATA: the proposals in this campaign are invented for demonstration.",
            &bold,
        )?;
    }
    readme.protect();

    // Lists, first written so the dropdowns can point at them.
    let mut lists_sheet = Worksheet::new();
    lists_sheet.set_name("Lists")?;
    let lists = Lists::of(doc);
    let yes_no = vec![
        (
            "no".to_owned(),
            "the units deployed come out of the quantity".to_owned(),
        ),
        (
            "yes".to_owned(),
            "the respondent sustains the quantity itself".to_owned(),
        ),
    ];
    let sheet = &mut lists_sheet;
    let cap_range = write_list(sheet, 0, "capability", &lists.capabilities)?;
    let phase_range = write_list(sheet, 2, "phase", &lists.phases)?;
    write_list(sheet, 4, "sector", &lists.sectors)?;
    let currency_range = write_list(sheet, 6, "currency", &lists.currencies)?;
    let payer_range = write_list(sheet, 8, "paid by", &lists.payers)?;
    write_list(sheet, 10, "fact", &lists.facts)?;
    let yes_range = write_list(sheet, 12, "rotation-backed", &yes_no)?;
    for c in 0..14 {
        sheet.set_column_width(c, if c % 2 == 0 { 18 } else { 40 })?;
    }
    sheet.protect();

    // Offers.
    let ws = wb.add_worksheet().set_name("Offers")?;
    for (c, (title, _, width)) in OFFER_COLUMNS.iter().enumerate() {
        let c = u16::try_from(c).unwrap_or(0);
        ws.write_string_with_format(0, c, *title, &header)?;
        ws.set_column_width(c, *width)?;
    }
    ws.set_row_height(0, 48)?;
    ws.set_freeze_panes(1, 0)?;
    let last = OFFER_ROWS;
    for r in 1..=last {
        for c in 0..u16::try_from(OFFER_COLUMNS.len()).unwrap_or(0) {
            ws.write_blank(r, c, &input)?;
        }
    }
    for (i, o) in offers.iter().enumerate() {
        let r = u32::try_from(i).unwrap_or(0) + 1;
        let row = proposal_form::OfferRow::of(i, o);
        let caveats: Vec<&str> = [
            (row.no_contact_line, "no_contact_line"),
            (row.out_of_country_only, "out_of_country_only"),
            (row.no_combat_role, "no_combat_role"),
            (row.no_shared_rotation, "no_shared_rotation"),
        ]
        .iter()
        .filter(|(on, _)| *on)
        .map(|(_, name)| *name)
        .collect();
        let texts: [(u16, String); 15] = [
            (0, row.id.clone()),
            (1, row.capability.clone()),
            (3, row.earliest_phase.clone()),
            (4, row.last_phase.clone()),
            (5, row.sectors.join(", ")),
            (6, if row.rotation_backed { "yes" } else { "no" }.to_owned()),
            (7, caveats.join(", ")),
            (8, row.excluded_sectors.clone()),
            (9, row.other_caveat.clone()),
            (11, row.cost_currency.clone()),
            (12, row.paid_by.clone()),
            (13, row.facts.join(", ")),
            (14, row.if_commits.clone()),
            (16, row.note.clone()),
            (17, row.answers_ask.clone()),
        ];
        for (c, text) in texts {
            if !text.is_empty() {
                ws.write_string_with_format(r, c, &text, &input)?;
            }
        }
        ws.write_number_with_format(r, 2, o.quantity as f64, &input)?;
        if let Some(m) = &o.cost_per_unit_year {
            ws.write_number_with_format(r, 10, m.amount_m, &input)?;
        }
        if let Ok(n) = row.min_partners.parse::<f64>() {
            ws.write_number_with_format(r, 15, n, &input)?;
        }
    }
    ws.add_data_validation(1, 1, last, 1, &list_validation(&cap_range, "Capability")?)?;
    ws.add_data_validation(1, 3, last, 4, &list_validation(&phase_range, "Phase")?)?;
    ws.add_data_validation(
        1,
        6,
        last,
        6,
        &list_validation(&yes_range, "Rotation-backed")?,
    )?;
    ws.add_data_validation(
        1,
        11,
        last,
        11,
        &list_validation(&currency_range, "Currency")?,
    )?;
    ws.add_data_validation(1, 12, last, 12, &list_validation(&payer_range, "Paid by")?)?;
    // The same bounds the campaign file enforces, so a spreadsheet user hears of them on entry.
    let max_units = i32::try_from(guarantor_domain::quantity::MAX_UNITS).unwrap_or(i32::MAX);
    ws.add_data_validation(
        1,
        2,
        last,
        2,
        &DataValidation::new()
            .allow_whole_number(DataValidationRule::Between(1, max_units))
            .set_input_title("Quantity")?
            .set_error_message("A whole number of units from 1 to 1,000,000.")?,
    )?;
    ws.add_data_validation(
        1,
        10,
        last,
        10,
        &DataValidation::new()
            .allow_decimal_number(DataValidationRule::Between(0.0, 1_000_000.0))
            .set_input_title("Cost")?
            .set_error_message(
                "Millions per unit per year, from 0 to 1,000,000, at most three decimals.",
            )?,
    )?;
    ws.protect();

    // Answers.
    let ws = wb.add_worksheet().set_name("Answers")?;
    ws.set_column_width(0, 18)?;
    ws.set_column_width(1, 60)?;
    ws.set_column_width(2, 80)?;
    ws.write_string_with_format(0, 0, "Question id", &header)?;
    ws.write_string_with_format(0, 1, "Question", &header)?;
    ws.write_string_with_format(0, 2, "Your answer", &header)?;
    let questions = doc.questionnaire.sections.iter().flat_map(|s| &s.questions);
    for (i, q) in questions.enumerate() {
        let r = u32::try_from(i).unwrap_or(0) + 1;
        ws.write_string(r, 0, &q.id)?;
        let text = if q.help.is_empty() {
            q.text.clone()
        } else {
            format!("{} ({})", q.text, q.help)
        };
        ws.write_string_with_format(r, 1, &text, &wrap)?;
        let answer = answers
            .iter()
            .find(|a| a.question == q.id)
            .map_or("", |a| a.text.as_str());
        ws.write_string_with_format(r, 2, answer, &input.clone().set_text_wrap())?;
    }
    ws.protect();

    if !follow_up.asks.is_empty() {
        let ws = wb.add_worksheet().set_name("Follow-up asks")?;
        let columns: [(&str, f64); 9] = [
            (
                "Ask id (write it in column R of the lines that answer it)",
                22.0,
            ),
            ("Capability", 28.0),
            ("Units asked", 10.0),
            ("Units answered", 10.0),
            ("Phases", 14.0),
            ("Where it stands", 16.0),
            ("Reply by", 18.0),
            ("Message", 70.0),
            ("Declined or withdrawn because", 40.0),
        ];
        for (c, (title, width)) in (0_u16..).zip(columns) {
            ws.set_column_width(c, width)?;
            ws.write_string_with_format(0, c, title, &header)?;
        }
        for (r, a) in (1_u32..).zip(follow_up.asks) {
            ws.write_string(r, 0, &a.id)?;
            ws.write_string(r, 1, &a.capability_name)?;
            ws.write_number(r, 2, f64::from(a.quantity))?;
            ws.write_number(r, 3, f64::from(a.units_answered))?;
            ws.write_string(r, 4, a.phases())?;
            ws.write_string(r, 5, a.status.in_words())?;
            ws.write_string(r, 6, a.reply_by.format("%Y-%m-%d %H:%M UTC").to_string())?;
            ws.write_string_with_format(r, 7, &a.message, &wrap)?;
            let reason = a.declined_reason.as_ref().or(a.withdrawn_reason.as_ref());
            ws.write_string_with_format(r, 8, reason.map_or("", String::as_str), &wrap)?;
        }
        ws.protect();
    }
    if !follow_up.pledges.is_empty() {
        let ws = wb.add_worksheet().set_name("Pledges")?;
        let columns: [(&str, f64); 8] = [
            ("Pledge", 12.0),
            ("Offer line", 10.0),
            ("Capability", 28.0),
            ("Units", 8.0),
            ("Where it stands", 16.0),
            ("Readiness", 36.0),
            ("Units delivered", 10.0),
            ("History", 80.0),
        ];
        for (c, (title, width)) in (0_u16..).zip(columns) {
            ws.set_column_width(c, width)?;
            ws.write_string_with_format(0, c, title, &header)?;
        }
        for (r, p) in (1_u32..).zip(follow_up.pledges) {
            ws.write_string(r, 0, &p.id)?;
            ws.write_string(r, 1, &p.offer)?;
            ws.write_string(r, 2, &p.capability_name)?;
            ws.write_number(r, 3, f64::from(p.units))?;
            ws.write_string(r, 4, p.state.as_str().replace('_', " "))?;
            let readiness = match (&p.readiness, p.ready_from) {
                (Some(level), Some(from)) => format!("{level}, ready from {from}"),
                _ => String::new(),
            };
            ws.write_string(r, 5, &readiness)?;
            ws.write_number(r, 6, f64::from(p.delivered))?;
            ws.write_string_with_format(r, 7, p.history.join("\n"), &wrap)?;
        }
        ws.protect();
    }

    wb.push_worksheet(lists_sheet);
    wb.save_to_buffer()
}

/// A workbook read back: the draft it holds, the version it was made from, and where each line
/// and answer came from (for naming cells in the store's problems).
#[derive(Debug)]
pub struct Upload {
    /// The draft.
    pub content: DraftContent,
    /// The proposal version the workbook was made from.
    pub version: i64,
    /// Sheet row (zero-based) of each offer line.
    pub offer_rows: Vec<u32>,
    /// Sheet row (zero-based) of each answer, by question id.
    pub answer_rows: BTreeMap<String, u32>,
    /// Cells that could not be read, each named (`Offers!C5: …`); the draft holds the rest of
    /// their lines, so the campaign's rules can be checked on it at the same time.
    pub problems: Vec<String>,
}

impl Upload {
    /// Every problem of the upload at once: the cells that could not be read, then the
    /// campaign's `rules` problems with their cells named, except those about a cell already
    /// named (the value there was not read, so the rules saw a stand-in).
    pub fn every_problem(&self, rules: &[String]) -> Vec<String> {
        let cell = |p: &str| p.split_once(": ").map(|(c, _)| c.to_owned());
        let named: std::collections::BTreeSet<String> =
            self.problems.iter().filter_map(|p| cell(p)).collect();
        let mut out = self.problems.clone();
        for p in rules {
            let located = self.locate(p);
            if !cell(&located).is_some_and(|c| named.contains(&c)) {
                out.push(located);
            }
        }
        out
    }

    /// A store problem (`proposals[FRA].draft.offers[2].quantity: …`) with its cell named.
    pub fn locate(&self, problem: &str) -> String {
        match proposal_form::locate(problem) {
            (Target::Offer(line, _), message) => match self.offer_rows.get(line) {
                Some(&row) => {
                    let col = self.column_of(line, problem);
                    format!("{}: {message}", cell_name("Offers", row, col))
                }
                None => message,
            },
            (Target::Answer(question), message) => match self.answer_rows.get(&question) {
                Some(&row) => format!("{}: {message}", cell_name("Answers", row, 2)),
                None => message,
            },
            (Target::General, message) => message,
        }
    }

    /// The `Offers` column a problem's path points at: the field after `offers[N].`, and for a
    /// caveat or condition the column its kind is written in.
    fn column_of(&self, line: usize, problem: &str) -> u16 {
        let path = problem.split_once(": ").map_or(problem, |(p, _)| p);
        let rest = path
            .split_once(&format!("offers[{line}]."))
            .map_or("", |(_, r)| r);
        let field = rest.split(['.', '[']).next().unwrap_or("");
        // The campaign's rules name a caveat or condition by its kind (`conditions.if_commits`);
        // older paths by its position (`conditions[1]`).
        let kind = rest
            .strip_prefix(field)
            .and_then(|r| r.strip_prefix('.'))
            .and_then(|r| r.split(['.', '[']).next())
            .unwrap_or("");
        let item = || {
            rest.split_once('[')
                .and_then(|(_, r)| r.split_once(']'))
                .and_then(|(n, _)| n.parse::<usize>().ok())
        };
        let offer = self.content.offers.get(line);
        let by_name = |name: &str| {
            OFFER_COLUMNS
                .iter()
                .position(|(_, f, _)| *f == name)
                .and_then(|c| u16::try_from(c).ok())
                .unwrap_or(0)
        };
        match (field, kind) {
            ("cost_per_unit_year", "currency") => by_name("currency"),
            ("caveats", "excluded_sectors") => by_name("excluded_sectors"),
            ("caveats", "other") => by_name("other_caveat"),
            ("conditions", "scenario") => by_name("conditions"),
            ("conditions", "if_commits") => by_name("if_commits"),
            ("conditions", "min_partners") => by_name("min_partners"),
            ("caveats", _) => match item().and_then(|i| offer?.caveats.get(i)) {
                Some(CaveatDoc::ExcludedSectors(_)) => by_name("excluded_sectors"),
                Some(CaveatDoc::Other(_)) => by_name("other_caveat"),
                _ => by_name("caveats"),
            },
            ("conditions", _) => match item().and_then(|i| offer?.conditions.get(i)) {
                Some(ConditionDoc::IfCommits(_)) => by_name("if_commits"),
                Some(ConditionDoc::MinPartners(_)) => by_name("min_partners"),
                _ => by_name("conditions"),
            },
            (other, _) => by_name(other),
        }
    }
}

/// A cell as text: numbers without a trailing `.0`, empty for blanks.
fn text(cell: Option<&Data>) -> String {
    match cell {
        None | Some(Data::Empty) => String::new(),
        Some(Data::String(s)) => s.trim().to_owned(),
        Some(Data::Float(f)) => proposal_form::trim_number(*f),
        Some(Data::Int(i)) => i.to_string(),
        Some(Data::Bool(b)) => if *b { "yes" } else { "no" }.to_owned(),
        Some(other) => other.to_string(),
    }
}

fn list(cell: &str) -> Vec<String> {
    cell.split([',', ';', ' '])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

/// Most bytes a workbook may hold once unzipped: far above any filled questionnaire, far below
/// what would hurt the server (a small zip can expand enormously).
pub const MAX_UNZIPPED_BYTES: u64 = 64 * 1024 * 1024;

/// The cells of one sheet that lie within `rows` × `cols` (zero-based, inclusive). The sheet is
/// read cell by cell, never as a dense grid, so a stray cell at XFD1048576 costs nothing. A
/// non-empty cell outside is a problem when `strict` (it would be data silently ignored), and
/// skipped otherwise.
struct Grid {
    cells: BTreeMap<(u32, u32), Data>,
}

impl Grid {
    fn get_value(&self, at: (u32, u32)) -> Option<&Data> {
        self.cells.get(&at)
    }

    /// The last row with a cell, if any.
    fn last_row(&self) -> Option<u32> {
        self.cells.keys().map(|(r, _)| *r).max()
    }
}

fn grid<RS: std::io::Read + std::io::Seek>(
    wb: &mut Xlsx<RS>,
    name: &str,
    rows: u32,
    cols: u32,
    strict: bool,
    problems: &mut Vec<String>,
) -> Result<Grid, Vec<String>> {
    let missing = || {
        vec![format!(
            "the workbook has no sheet named \"{name}\": upload the file downloaded from your proposal page"
        )]
    };
    // A sheet that is listed but cannot be opened is a damaged file (e.g. a zip whose size
    // fields lie), not a missing sheet: say so, or the user hunts for a sheet that is there.
    let listed = wb.sheet_names().iter().any(|n| n == name);
    let mut reader = wb.worksheet_cells_reader(name).map_err(|e| {
        // The reader's own words (zip and XML internals) are for the log, not the capital.
        tracing::info!(sheet = name, error = %e, "an uploaded workbook's sheet cannot be read");
        if listed {
            vec![format!(
                "the workbook is damaged: the sheet \"{name}\" is there but cannot be read; download a fresh copy from your proposal page and fill it again"
            )]
        } else {
            missing()
        }
    })?;
    let mut cells = BTreeMap::new();
    let mut outside = 0;
    loop {
        let cell = reader
            .next_cell()
            .map_err(|e| {
                tracing::info!(sheet = name, error = %e, "an uploaded workbook's cell cannot be read");
                vec![format!(
                    "the workbook is damaged: the sheet \"{name}\" cannot be read to the end; download a fresh copy from your proposal page and fill it again"
                )]
            })?;
        let Some(cell) = cell else { break };
        let (r, c) = cell.get_position();
        let value = Data::from(cell.get_value().clone());
        if value == Data::Empty {
            continue;
        }
        if r <= rows && c <= cols {
            cells.insert((r, c), value);
        } else if strict {
            outside += 1;
            if outside <= 5 {
                problems.push(format!(
                    "{}: this cell is outside the table (rows 2 to {}, columns A to {}); move what it holds into the table",
                    cell_name(name, r, u16::try_from(c).unwrap_or(u16::MAX)),
                    rows + 1,
                    column_letter(u16::try_from(cols).unwrap_or(0))
                ));
            }
        }
    }
    Ok(Grid { cells })
}

/// What a capital is told when its file cannot be opened as a workbook at all.
const NOT_XLSX: &str = "the file is not an Excel workbook (.xlsx) that can be read: save it from your spreadsheet program as an Excel workbook (.xlsx), or download a fresh copy from your proposal page";

/// Refuses a file that would unzip to more than [`MAX_UNZIPPED_BYTES`].
fn check_size(bytes: &[u8]) -> Result<(), Vec<String>> {
    let not_xlsx = |e: &dyn std::fmt::Display| {
        tracing::info!(error = %e, "an upload is not a readable zip");
        vec![NOT_XLSX.to_owned()]
    };
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| not_xlsx(&e))?;
    let mut total: u64 = 0;
    for i in 0..zip.len() {
        let entry = zip.by_index_raw(i).map_err(|e| not_xlsx(&e))?;
        total = total.saturating_add(entry.size());
    }
    if total > MAX_UNZIPPED_BYTES {
        return Err(vec![format!(
            "the workbook unzips to {} MiB, more than the {} MiB a questionnaire can need: upload the file downloaded from your proposal page",
            total / (1024 * 1024),
            MAX_UNZIPPED_BYTES / (1024 * 1024)
        )]);
    }
    Ok(())
}

/// Reads a filled workbook of `respondent`; every problem names its sheet and cell. Only the
/// cells of the downloaded layout are read, and a file that would unzip to more than
/// [`MAX_UNZIPPED_BYTES`] is refused before it is opened.
/// New lines get the capital's next id not in the workbook and not in `used` (ids on record).
pub fn read(
    bytes: &[u8],
    doc: &CampaignDocument,
    respondent: &str,
    used: &std::collections::BTreeSet<String>,
) -> Result<Upload, Vec<String>> {
    check_size(bytes)?;
    // The reader is a dependency: fuzzing found a damaged cell reference that makes it overflow
    // (a panic in debug builds, a wrong cell in release ones). Whatever it does with a damaged
    // file, the capital gets "damaged", the server carries on, and nothing is stored.
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        read_checked(bytes, doc, respondent, used)
    }))
    .unwrap_or_else(|_| {
        tracing::warn!(respondent, "the workbook reader panicked on an upload");
        Err(vec![
            "the workbook is damaged: it cannot be read; download a fresh copy from your proposal page and fill it again"
                .to_owned(),
        ])
    })
}

/// [`read`] without the guard; the size is already checked.
fn read_checked(
    bytes: &[u8],
    doc: &CampaignDocument,
    respondent: &str,
    used: &std::collections::BTreeSet<String>,
) -> Result<Upload, Vec<String>> {
    let mut wb: Xlsx<_> = open_workbook_from_rs(Cursor::new(bytes)).map_err(|e| {
        tracing::info!(error = %e, "an upload is not a readable workbook");
        vec![NOT_XLSX.to_owned()]
    })?;
    let mut problems = Vec::new();
    let readme = grid(&mut wb, "Read me", 20, 2, false, &mut problems)?;
    let offers = grid(
        &mut wb,
        "Offers",
        OFFER_ROWS,
        OFFER_LAST_COLUMN,
        true,
        &mut problems,
    )?;
    let answers = grid(&mut wb, "Answers", ANSWER_ROWS, 2, true, &mut problems)?;

    let who = text(readme.get_value((RESPONDENT_CELL.0, u32::from(RESPONDENT_CELL.1))));
    if who != respondent {
        problems.push(format!(
            "{}: this workbook is for \"{who}\", not {respondent}: download your own from your proposal page",
            cell_name("Read me", RESPONDENT_CELL.0, RESPONDENT_CELL.1)
        ));
        // Another capital's lines are not checked against this capital's proposal.
        return Err(problems);
    }
    let version_text = text(readme.get_value((VERSION_CELL.0, u32::from(VERSION_CELL.1))));
    let version = version_text.parse::<i64>().unwrap_or_else(|_| {
        problems.push(format!(
            "{}: the proposal version must be the whole number the file was made with (got \"{version_text}\")",
            cell_name("Read me", VERSION_CELL.0, VERSION_CELL.1)
        ));
        -1
    });

    let mut lines = Vec::new();
    let mut offer_rows = Vec::new();
    let end = offers.last_row().unwrap_or(0);
    for r in 1..=end {
        let cell = |c: u16| text(offers.get_value((r, u32::from(c))));
        let values: Vec<String> = (0..18).map(cell).collect();
        if values.iter().all(String::is_empty) {
            continue;
        }
        let name = |c: u16| cell_name("Offers", r, c);
        let mut bad = |c: u16, message: String| problems.push(format!("{}: {message}", name(c)));
        let quantity = match values[2].parse::<i64>() {
            Ok(q) => q,
            Err(_) => {
                bad(
                    2,
                    format!(
                        "quantity must be a whole number of units, 1 or more (got \"{}\")",
                        values[2]
                    ),
                );
                // A stand-in, so the rules check the rest of the line without repeating this.
                1
            }
        };
        let rotation_backed = match values[6].to_lowercase().as_str() {
            "" | "no" | "false" => false,
            "yes" | "true" => true,
            other => {
                bad(
                    6,
                    format!("rotation-backed must be yes or no (got \"{other}\")"),
                );
                false
            }
        };
        let mut caveats = Vec::new();
        for c in list(&values[7]) {
            match c.as_str() {
                "no_contact_line" => caveats.push(CaveatDoc::NoContactLine),
                "out_of_country_only" => caveats.push(CaveatDoc::OutOfCountryOnly),
                "no_combat_role" => caveats.push(CaveatDoc::NoCombatRole),
                "no_shared_rotation" => caveats.push(CaveatDoc::NoSharedRotation),
                other => bad(
                    7,
                    format!(
                        "unknown caveat \"{other}\": use no_contact_line, out_of_country_only, no_combat_role or no_shared_rotation, and write others in column J"
                    ),
                ),
            }
        }
        let excluded = list(&values[8]);
        if !excluded.is_empty() {
            caveats.push(CaveatDoc::ExcludedSectors(excluded));
        }
        caveats.extend(
            values[9]
                .split("; ")
                .map(str::trim)
                .filter(|t| !t.is_empty())
                .map(|t| CaveatDoc::Other(t.to_owned())),
        );
        let cost = if values[10].is_empty() {
            None
        } else {
            match proposal_form::parse_amount(&values[10]) {
                Some(a) if a.is_finite() => Some(MoneyDoc {
                    amount_m: a,
                    currency: if values[11].is_empty() {
                        doc.campaign.currency.clone()
                    } else {
                        values[11].clone()
                    },
                }),
                _ => {
                    bad(
                        10,
                        format!(
                            "the cost must be an amount in millions, e.g. 12.5 (got \"{}\")",
                            values[10]
                        ),
                    );
                    None
                }
            }
        };
        let mut conditions: Vec<ConditionDoc> = list(&values[13])
            .into_iter()
            .map(ConditionDoc::Scenario)
            .collect();
        conditions.extend(
            list(&values[14])
                .into_iter()
                .map(|c| ConditionDoc::IfCommits(proposal_form::capital(&c, doc))),
        );
        if !values[15].is_empty() {
            match values[15].parse::<i64>() {
                Ok(n) => conditions.push(ConditionDoc::MinPartners(n)),
                Err(_) => bad(
                    15,
                    format!(
                        "the number of partners must be a whole number (got \"{}\")",
                        values[15]
                    ),
                ),
            }
        }
        offer_rows.push(r);
        lines.push(OfferDoc {
            answers_ask: (!values[17].is_empty()).then(|| values[17].clone()),
            id: values[0].clone(),
            capability: values[1].clone(),
            quantity,
            earliest_phase: values[3].clone(),
            last_phase: (!values[4].is_empty()).then(|| values[4].clone()),
            rotation_backed,
            sectors: {
                let s = list(&values[5]);
                (!s.is_empty()).then_some(s)
            },
            caveats,
            cost_per_unit_year: cost,
            paid_by: if values[12].is_empty() {
                "contributor".into()
            } else {
                values[12].clone()
            },
            conditions,
            note: values[16].clone(),
        });
    }
    // New lines get the next free id of the capital.
    let mut next = 1;
    for i in 0..lines.len() {
        if lines[i].id.is_empty() {
            while lines.iter().any(|o| o.id == format!("{respondent}-{next}"))
                || used.contains(&format!("{respondent}-{next}"))
            {
                next += 1;
            }
            lines[i].id = format!("{respondent}-{next}");
        }
    }

    let mut answer_docs = Vec::new();
    let mut answer_rows = BTreeMap::new();
    let end = answers.last_row().unwrap_or(0);
    for r in 1..=end {
        let question = text(answers.get_value((r, 0)));
        let answer = text(answers.get_value((r, 2)));
        if answer.is_empty() {
            continue;
        }
        if question.is_empty() {
            problems.push(format!(
                "{}: an answer without its question id in column A",
                cell_name("Answers", r, 2)
            ));
            continue;
        }
        answer_rows.insert(question.clone(), r);
        answer_docs.push(AnswerDoc {
            question,
            text: answer,
        });
    }
    Ok(Upload {
        content: DraftContent {
            offers: lines,
            answers: answer_docs,
        },
        version,
        offer_rows,
        answer_rows,
        problems,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn demo() -> CampaignDocument {
        crate::web::demo_document()
    }

    #[test]
    fn a_workbook_made_from_a_proposal_reads_back_as_the_same_proposal() {
        let doc = demo();
        // The workbook lists answers in the questionnaire's order, caveats and conditions by kind.
        let sorted = |a: &[AnswerDoc]| {
            let mut v: Vec<(String, String)> = a
                .iter()
                .map(|a| (a.question.clone(), a.text.clone()))
                .collect();
            v.sort();
            v
        };
        for p in &doc.proposals {
            let Some(r) = p.revisions.last() else {
                continue;
            };
            let bytes = template(
                &doc,
                &p.respondent,
                &r.offers,
                &r.answers,
                7,
                &FollowUp::default(),
            )
            .expect("written");
            let upload = read(&bytes, &doc, &p.respondent, &Default::default()).expect("read back");
            assert_eq!(upload.version, 7);
            let canon = |o: &[OfferDoc]| -> Vec<OfferDoc> {
                o.iter().map(proposal_form::canonical).collect()
            };
            assert_eq!(
                canon(&upload.content.offers),
                canon(&r.offers),
                "{}",
                p.respondent
            );
            assert_eq!(sorted(&upload.content.answers), sorted(&r.answers));
        }
    }

    #[test]
    fn a_stray_cell_at_the_end_of_the_sheet_is_named_not_allocated() {
        // calamine's dense ranges would allocate rows × columns cells for this workbook (about
        // 17 billion); the streaming reader reads three cells.
        let doc = demo();
        let mut wb = Workbook::new();
        let readme = wb.add_worksheet().set_name("Read me").unwrap();
        readme.write_string(2, 1, "GBR").unwrap();
        readme.write_number(6, 1, 1.0).unwrap();
        readme
            .write_string(1_048_575, 16_383, "far away, ignored")
            .unwrap();
        let offers = wb.add_worksheet().set_name("Offers").unwrap();
        offers.write_string(1_048_575, 16_383, "far away").unwrap();
        wb.add_worksheet().set_name("Answers").unwrap();
        let bytes = wb.save_to_buffer().unwrap();
        let err = read(&bytes, &doc, "GBR", &Default::default())
            .expect("read")
            .problems;
        assert_eq!(err.len(), 1, "{err:?}");
        assert!(
            err[0].starts_with("Offers!XFD1048576: this cell is outside the table"),
            "{err:?}"
        );
    }

    /// A workbook with one mistake per line, each in another column, typed as a desk officer
    /// would: the upload reports every mistake at once, each at its own cell, with the value
    /// as it was typed.
    #[test]
    fn every_column_names_its_own_cell_and_every_mistake_comes_at_once() {
        let doc = demo();
        let good = [
            "",
            "brigade.mechanised",
            "1",
            "P1",
            "",
            "",
            "no",
            "",
            "",
            "",
            "120",
            "EUR",
            "contributor",
            "",
            "",
            "",
            "",
        ];
        // (column, value typed there, what the message must show)
        let planted: [(u16, &str, &str); 16] = [
            (0, "bad id!", "bad id!"),
            (1, "hovercraft", "hovercraft"),
            (2, "two", "\"two\""),
            (3, "P9", "P9"),
            (4, "P8", "P8"),
            (5, "atlantis", "atlantis"),
            (6, "maybe", "maybe"),
            (7, "no_swimming", "no_swimming"),
            (8, "lemuria", "lemuria"),
            (10, "lots", "lots"),
            (11, "XXX", "XXX"),
            (12, "ZZZ", "ZZZ"),
            (13, "martians_landed", "martians_landed"),
            (14, "Atlantis", "\"Atlantis\""),
            (15, "many", "many"),
            (15, "999", "999"),
        ];
        let mut wb = Workbook::new();
        let readme = wb.add_worksheet().set_name("Read me").unwrap();
        readme.write_string(2, 1, "GBR").unwrap();
        readme.write_number(6, 1, 1.0).unwrap();
        let offers = wb.add_worksheet().set_name("Offers").unwrap();
        for (c, (header, _, _)) in OFFER_COLUMNS.iter().enumerate() {
            offers.write_string(0, c as u16, *header).unwrap();
        }
        for (i, (col, value, _)) in planted.iter().enumerate() {
            let row = i as u32 + 1;
            for (c, v) in good.iter().enumerate() {
                let v = if c as u16 == *col { *value } else { *v };
                offers.write_string(row, c as u16, v).unwrap();
            }
        }
        wb.add_worksheet().set_name("Answers").unwrap();
        let bytes = wb.save_to_buffer().unwrap();
        let upload = read(&bytes, &doc, "GBR", &Default::default()).expect("readable");
        let mut proposal = guarantor_domain::document::ProposalDoc {
            respondent: "GBR".into(),
            draft: None,
            revisions: Vec::new(),
            withdrawn: None,
        };
        proposal.draft = Some(guarantor_domain::document::DraftDoc {
            updated_at: chrono::Utc::now(),
            updated_by: "test".into(),
            offers: upload.content.offers.clone(),
            answers: Vec::new(),
        });
        let rules: Vec<String> = guarantor_domain::validate_proposal_change(
            &guarantor_domain::SetupIndex::of(&doc),
            0,
            &proposal,
            &guarantor_domain::CommitConditions::new(),
        )
        .expect_err("the planted mistakes break the rules")
        .iter()
        .map(ToString::to_string)
        .collect();
        let every = upload.every_problem(&rules);
        for (i, (col, _, shown)) in planted.iter().enumerate() {
            let cell = cell_name("Offers", i as u32 + 1, *col);
            let here: Vec<&String> = every
                .iter()
                .filter(|p| p.starts_with(&format!("{cell}: ")))
                .collect();
            assert_eq!(here.len(), 1, "one problem at {cell}: {every:#?}");
            assert!(here[0].contains(shown), "{cell} shows {shown}: {}", here[0]);
        }
        assert_eq!(
            every.len(),
            planted.len(),
            "nothing else reported: {every:#?}"
        );
    }

    #[test]
    fn a_capital_typed_by_its_name_or_in_lower_case_is_its_code() {
        let doc = demo();
        assert_eq!(proposal_form::capital("Greece", &doc), "GRC");
        assert_eq!(proposal_form::capital(" fra ", &doc), "FRA");
        assert_eq!(proposal_form::capital("Atlantis", &doc), "Atlantis");
    }

    #[test]
    fn column_letters_and_cells_are_named_as_excel_does() {
        assert_eq!(column_letter(0), "A");
        assert_eq!(column_letter(16), "Q");
        assert_eq!(column_letter(26), "AA");
        assert_eq!(cell_name("Offers", 4, 2), "Offers!C5");
    }

    #[test]
    fn another_capitals_workbook_and_garbage_are_refused_with_the_cell() {
        let doc = demo();
        let bytes = template(&doc, "GBR", &[], &[], 1, &FollowUp::default()).expect("written");
        let err = read(&bytes, &doc, "FRA", &Default::default()).expect_err("refused");
        assert!(err[0].starts_with("Read me!B3:"), "{err:?}");
        let err = read(b"not a workbook", &doc, "FRA", &Default::default()).expect_err("refused");
        assert!(err[0].contains("not an Excel workbook"), "{err:?}");
    }

    /// A zip whose central directory understates a sheet's size unzips to a truncated sheet:
    /// the file is damaged, and the message says so instead of "no sheet named Offers".
    #[test]
    fn a_zip_with_lying_size_fields_is_called_damaged() {
        let doc = demo();
        let mut bytes = template(&doc, "FRA", &[], &[], 1, &FollowUp::default()).expect("written");
        let sheets: Vec<String> = {
            let mut zip = zip::ZipArchive::new(Cursor::new(&bytes)).unwrap();
            (0..zip.len())
                .map(|i| zip.by_index_raw(i).unwrap().name().unwrap().into_owned())
                .filter(|n| n.starts_with("xl/worksheets/sheet"))
                .collect()
        };
        assert!(!sheets.is_empty());
        let mut patched = 0;
        for name in &sheets {
            // Central directory entries: signature, then the uncompressed size at offset 24 and
            // the file name at offset 46.
            let mut at = 0;
            while let Some(i) = bytes[at..]
                .windows(4)
                .position(|w| w == [0x50, 0x4b, 0x01, 0x02])
            {
                let start = at + i;
                let name_len =
                    usize::from(u16::from_le_bytes([bytes[start + 28], bytes[start + 29]]));
                if bytes.get(start + 46..start + 46 + name_len) == Some(name.as_bytes()) {
                    bytes[start + 24..start + 28].copy_from_slice(&10_u32.to_le_bytes());
                    patched += 1;
                }
                at = start + 4;
            }
        }
        assert_eq!(patched, sheets.len(), "every sheet's size field was found");
        let err = read(&bytes, &doc, "FRA", &Default::default()).expect_err("refused");
        assert!(
            err.iter().any(|e| e.contains("the workbook is damaged")),
            "{err:?}"
        );
        assert!(!err.iter().any(|e| e.contains("no sheet named")), "{err:?}");
    }

    #[test]
    fn store_problems_name_the_cell_of_the_line() {
        let upload = Upload {
            content: DraftContent::default(),
            version: 1,
            offer_rows: vec![1, 4],
            answer_rows: BTreeMap::from([("deterrence".to_owned(), 2)]),
            problems: Vec::new(),
        };
        assert_eq!(
            upload.locate("proposals[GBR].draft.offers[1].capability: unknown capability \"x\""),
            "Offers!B5: unknown capability \"x\""
        );
        let with_line = Upload {
            content: DraftContent {
                offers: vec![OfferDoc {
                    answers_ask: None,
                    id: "GBR-1".into(),
                    capability: "brigade.armoured".into(),
                    quantity: 1,
                    earliest_phase: "P0".into(),
                    last_phase: None,
                    rotation_backed: false,
                    sectors: None,
                    caveats: vec![CaveatDoc::NoContactLine, CaveatDoc::Other("x".into())],
                    cost_per_unit_year: None,
                    paid_by: "contributor".into(),
                    conditions: vec![
                        ConditionDoc::Scenario("us_backstop".into()),
                        ConditionDoc::IfCommits("ABC".into()),
                    ],
                    note: String::new(),
                }],
                answers: Vec::new(),
            },
            version: 1,
            offer_rows: vec![1],
            answer_rows: BTreeMap::new(),
            problems: Vec::new(),
        };
        for (path, cell) in [
            ("cost_per_unit_year.currency", "Offers!L2"),
            ("cost_per_unit_year.amount_m", "Offers!K2"),
            ("conditions[1]", "Offers!O2"),
            ("conditions[0]", "Offers!N2"),
            ("conditions.if_commits", "Offers!O2"),
            ("conditions.min_partners", "Offers!P2"),
            ("conditions.scenario", "Offers!N2"),
            ("caveats.excluded_sectors", "Offers!I2"),
            ("caveats.other", "Offers!J2"),
            ("caveats[1]", "Offers!J2"),
            ("sectors[0]", "Offers!F2"),
        ] {
            let located = with_line.locate(&format!("proposals[GBR].draft.offers[0].{path}: bad"));
            assert_eq!(located, format!("{cell}: bad"), "{path}");
        }
        assert_eq!(
            upload.locate("proposals[GBR].draft.answers[deterrence].question: unknown question"),
            "Answers!C3: unknown question"
        );
    }
}
