//! A capital's proposal page: the questionnaire as a form, save, submit, withdraw, the Excel
//! round trip, and the revisions with what changed.

use std::collections::BTreeMap;
use std::sync::Arc;

use askama::Template;
use axum::body::Bytes;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use chrono::Utc;
use guarantor_app::{Action, AppError, ErrorKind, Principal, ProposalState};
use guarantor_domain::document::{AnswerDoc, CampaignDocument, CategoryDoc, OfferDoc};
use serde::Deserialize;

use super::proposal_form::{self, OfferRow, PostedDraft, Target};
use super::receipt::{self, Receipt};
use super::{
    Chrome, FormData, Lists, PageError, PageRoute, Viewer, actor_name, html, page, see_other,
    session, xlsx,
};
use crate::AppState;

/// A capital's proposal: the form, the workbook.
pub(crate) const ROUTES: &[PageRoute] = &[
    page!(GET "/campaigns/{campaign}/proposals/{respondent}" => page, "coordinator, decision maker, the capital itself"),
    page!(POST "/campaigns/{campaign}/proposals/{respondent}" => change, "coordinator, the capital itself"),
    page!(GET "/campaigns/{campaign}/proposals/{respondent}/template.xlsx" => download_xlsx, "coordinator, decision maker, the capital itself"),
    page!(POST "/campaigns/{campaign}/proposals/{respondent}/upload" => upload_xlsx, "coordinator, the capital itself"),
    page!(POST "/campaigns/{campaign}/proposals/{respondent}/asks/{ask}/decline" => decline_ask, "coordinator, the capital itself"),
    page!(POST "/campaigns/{campaign}/proposals/{respondent}/pledges/{pledge}" => pledge_step, "coordinator, the capital itself"),
];

type Shared = State<Arc<AppState>>;

/// A questionnaire section on the page.
pub(crate) struct SectionView {
    pub id: String,
    pub title: String,
    pub description: String,
    /// Whether it collects offer lines.
    pub has_table: bool,
    /// Whether its lines deploy units (troops, hardware, enablers), so that where and how
    /// they serve applies; funding and guarantees do not.
    pub deployable: bool,
    /// Whether a submission needs at least one line here.
    pub lines_required: bool,
    /// How far the capital has got, in words ("2 lines", "1 of 3 questions answered").
    pub progress: String,
    /// The capabilities its table takes: (id, "name (unit)").
    pub capabilities: Vec<(String, String)>,
    pub rows: Vec<OfferRow>,
    /// The empty row the script copies to add a line (index `__N__`).
    pub template_rows: Vec<OfferRow>,
    pub questions: Vec<QuestionView>,
}

/// A free-text question on the page.
pub(crate) struct QuestionView {
    pub id: String,
    pub required: bool,
    pub text: String,
    pub help: String,
    pub answer: String,
    pub error: Option<String>,
}

/// A submitted revision, listed.
pub(crate) struct RevisionView {
    pub number: i64,
    pub when: String,
    pub by: String,
    pub note: String,
    pub lines: usize,
    pub changes: Vec<String>,
    /// The revision whole, in words.
    pub receipt: Receipt,
}

#[derive(Template)]
#[template(path = "proposal.html")]
struct ProposalPage {
    page: Chrome,
    base: String,
    respondent: String,
    respondent_name: String,
    version: i64,
    status: String,
    deadline: String,
    /// The time left before the deadline, or how long ago it passed, in words.
    time_left: String,
    /// The name the capital's person gave, if the viewer is a capital (`None` otherwise).
    person: Option<String>,
    /// Who asks, what for, and whom to ask: the capital's orientation.
    issuer: String,
    purpose: String,
    contact: String,
    deadline_note: Option<String>,
    deadline_passed: bool,
    editable: bool,
    can_withdraw: bool,
    sections: Vec<SectionView>,
    choices: Lists,
    /// Problems not tied to one field.
    general_errors: Vec<String>,
    /// Every field problem, with the id of the field, for the summary at the top.
    error_links: Vec<(String, String)>,
    /// Problems of an uploaded spreadsheet, each naming its sheet and cell.
    upload_errors: Vec<String>,
    revisions: Vec<RevisionView>,
    next_row: usize,
    /// What printing the page gives: the current revision in words (or a note that nothing
    /// was submitted).
    printed: Option<Receipt>,
    /// The follow-up asks sent to this capital.
    asks: Vec<guarantor_app::AskView>,
    /// Its pledges in the plan that stands.
    pledges: Vec<guarantor_app::PledgeView>,
    /// The campaign's readiness levels (level, name).
    readiness_levels: Vec<(i64, String)>,
}

impl ProposalPage {
    fn has_errors(&self) -> bool {
        !self.general_errors.is_empty() || !self.error_links.is_empty()
    }
}

#[derive(Deserialize)]
pub(crate) struct Done {
    #[serde(default)]
    done: String,
}

fn flash(done: &str) -> Option<String> {
    Some(
        match done {
            "saved" => "Draft saved. It counts nowhere until you submit it.",
            "submitted" => "Proposal submitted. The coordinator sees it now.",
            "withdrawn" => "Proposal withdrawn.",
            "uploaded" => "Spreadsheet read and saved as your draft: check it below, then submit.",
            "declined" => "Ask declined: the coordinator sees your reason.",
            "pledge" => "Pledge updated: the coordinator sees it in the plan.",
            _ => return None,
        }
        .to_owned(),
    )
}

/// What the page starts from: the form as posted (after a refused change) or as stored.
enum Shown {
    Stored,
    Posted(Box<PostedDraft>),
}

/// Everything the page needs to render.
struct Context {
    doc: CampaignDocument,
    state: ProposalState,
    submissions: guarantor_app::Submissions,
    /// The follow-up asks sent to this capital, with where each stands.
    asks: Vec<guarantor_app::AskView>,
    /// Its pledges in the plan that stands.
    pledges: Vec<guarantor_app::PledgeView>,
}

async fn context(
    s: &AppState,
    viewer: &Viewer,
    campaign: &str,
    respondent: &str,
) -> Result<Context, PageError> {
    // One read: the proposal, its campaign and the deadline state agree with each other.
    let (state, doc, submissions) = s
        .app
        .proposal_in_campaign(&viewer.principal, campaign, respondent)
        .await?;
    // Where its asks and pledges stand follows from the setup and its own proposal, both
    // read already: no second read of the whole campaign.
    let (asks, pledges) = guarantor_app::App::follow_up_in(&doc, &state)?;
    Ok(Context {
        doc,
        state,
        submissions,
        asks,
        pledges,
    })
}

/// The offer ids on record (in submitted revisions): never given to a new line. A draft is work in
/// progress and its numbers are free until submitted.
fn used_ids(state: &ProposalState) -> std::collections::BTreeSet<String> {
    state
        .proposal
        .revisions
        .iter()
        .flat_map(|r| &r.offers)
        .map(|o| o.id.clone())
        .collect()
}

/// The offer lines and answers the form starts from: the draft, else the current revision.
fn working_copy(state: &ProposalState) -> (Vec<OfferDoc>, Vec<AnswerDoc>) {
    let p = &state.proposal;
    if let Some(d) = &p.draft {
        (d.offers.clone(), d.answers.clone())
    } else if let Some(r) = p.revisions.last() {
        (r.offers.clone(), r.answers.clone())
    } else {
        (Vec::new(), Vec::new())
    }
}

fn status(state: &ProposalState) -> String {
    let p = &state.proposal;
    let mut s = if let Some(w) = &p.withdrawn {
        format!(
            "Withdrawn on {} by {}.",
            w.at.format("%Y-%m-%d %H:%M UTC"),
            actor_name(&w.by)
        )
    } else if let Some(r) = p.revisions.last() {
        format!(
            "Submitted: revision {} of {} by {}.",
            r.number,
            r.submitted_at.format("%Y-%m-%d %H:%M UTC"),
            actor_name(&r.submitted_by)
        )
    } else if p.draft.is_some() {
        "Not submitted yet.".to_owned()
    } else {
        "Not started.".to_owned()
    };
    if let Some(d) = &p.draft {
        s.push_str(&format!(
            " A draft was saved on {} by {}; it counts nowhere until it is submitted.",
            d.updated_at.format("%Y-%m-%d %H:%M UTC"),
            actor_name(&d.updated_by)
        ));
    }
    s
}

fn revisions(doc: &CampaignDocument, state: &ProposalState) -> Vec<RevisionView> {
    let revs = &state.proposal.revisions;
    let mut out: Vec<RevisionView> = revs
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let changes = match i.checked_sub(1).map(|j| &revs[j]) {
                Some(prev) => proposal_form::changes(
                    doc,
                    (&prev.offers, &prev.answers),
                    (&r.offers, &r.answers),
                ),
                None => vec!["first submission".to_owned()],
            };
            let when = r.submitted_at.format("%Y-%m-%d %H:%M UTC").to_string();
            RevisionView {
                number: r.number,
                receipt: receipt::receipt(
                    doc,
                    format!("Revision {}, submitted {when}", r.number),
                    &r.offers,
                    &r.answers,
                ),
                when,
                by: actor_name(&r.submitted_by),
                note: r.note.clone(),
                lines: r.offers.len(),
                changes,
            }
        })
        .collect();
    out.reverse();
    out
}

/// A time to the deadline in words: "3 days 4 hours left", "passed 2 days ago".
fn time_left(left: chrono::TimeDelta) -> String {
    let span = |d: chrono::TimeDelta| {
        let (days, hours, minutes) = (d.num_days(), d.num_hours() % 24, d.num_minutes() % 60);
        let unit = |n: i64, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
        if days > 0 {
            format!("{} {}", unit(days, "day"), unit(hours, "hour"))
        } else if hours > 0 {
            format!("{} {}", unit(hours, "hour"), unit(minutes, "minute"))
        } else {
            unit(minutes.max(0), "minute")
        }
    };
    if left > chrono::TimeDelta::zero() {
        format!("{} left", span(left))
    } else {
        format!("passed {} ago", span(-left))
    }
}

/// Where submissions stand, in words for the viewer: the capital is told what it may still
/// do; a reader (a decision maker) only where things stand.
fn deadline_note(ctx: &Context, editable: bool) -> Option<String> {
    use guarantor_app::Submissions;
    let passed = Utc::now() > ctx.doc.campaign.deadline;
    let note = match (ctx.submissions, passed, editable) {
        (Submissions::Closed, _, true) => {
            "The coordinator has closed submissions: you may still save a draft, and submit it if they reopen the campaign."
        }
        (Submissions::Closed, _, false) => "The coordinator has closed submissions.",
        (Submissions::Reopened, true, true) => {
            "The deadline has passed, but the coordinator reopened the campaign: you may still submit."
        }
        (Submissions::Reopened, true, false) => {
            "The deadline has passed; the coordinator reopened the campaign to submissions."
        }
        (Submissions::ByDeadline, true, true) => {
            "The deadline has passed: submissions are closed unless the coordinator reopens the campaign. You may still save a draft."
        }
        (Submissions::ByDeadline, true, false) => {
            "The deadline has passed: submissions are closed."
        }
        _ => return None,
    };
    Some(note.to_owned())
}

#[derive(Template)]
#[template(path = "proposal_review.html")]
struct ReviewPage {
    page: Chrome,
    base: String,
    respondent_name: String,
    /// The draft in words; `None` when there is no draft to submit.
    receipt: Option<Receipt>,
    next_revision: usize,
    version: i64,
    note: String,
    deadline_note: Option<String>,
    problems: Vec<String>,
    /// Whether the confirm button is shown (the campaign's rules find nothing missing).
    submittable: bool,
}

/// The review step: the saved draft in words, what it still lacks, and the button that submits
/// it. `refusal` is why an earlier confirmation did not go through, if it did not.
fn review(viewer: &Viewer, ctx: &Context, note: &str, refusal: Vec<String>) -> Response {
    let doc = &ctx.doc;
    let respondent = &ctx.state.respondent;
    let respondent_name = doc
        .respondents
        .iter()
        .find(|r| r.code == *respondent)
        .map_or_else(|| respondent.clone(), |r| r.name.clone());
    let draft = ctx.state.proposal.draft.as_ref();
    let questions: BTreeMap<&str, &str> = doc
        .questionnaire
        .sections
        .iter()
        .flat_map(|s| &s.questions)
        .map(|q| (q.id.as_str(), q.text.as_str()))
        .collect();
    // The campaign's own rules for submitting, in words: the question, not its path.
    let missing: Vec<String> = draft
        .map(|d| guarantor_domain::missing_for_submission(doc, respondent, &d.offers, &d.answers))
        .unwrap_or_default()
        .iter()
        .map(|p| {
            let question = p
                .path
                .rsplit_once(".answers[")
                .and_then(|(_, q)| q.strip_suffix(']'))
                .and_then(|q| questions.get(q));
            match question {
                Some(q) => format!("\u{201c}{q}\u{201d}: {}", p.message),
                None => p.message.clone(),
            }
        })
        .collect();
    let submittable = missing.is_empty();
    let mut problems = refusal;
    problems.extend(missing);
    let page = ReviewPage {
        page: Chrome::new(
            Some(viewer),
            format!("Review the proposal of {respondent_name}"),
        )
        .in_campaign_of(viewer, doc, "Your proposal"),
        base: format!("/campaigns/{}/proposals/{respondent}", doc.campaign.id),
        receipt: draft.map(|d| {
            receipt::receipt(
                doc,
                format!("The draft of {respondent_name}, as it will be submitted"),
                &d.offers,
                &d.answers,
            )
        }),
        next_revision: ctx.state.proposal.revisions.len() + 1,
        version: ctx.state.version,
        note: note.to_owned(),
        deadline_note: deadline_note(ctx, true),
        submittable,
        respondent_name,
        problems,
    };
    let status = if page.problems.is_empty() {
        axum::http::StatusCode::OK
    } else {
        axum::http::StatusCode::UNPROCESSABLE_ENTITY
    };
    (status, html(&page)).into_response()
}

/// Builds the page; `shown` is what the form holds, `problems` the store's refusal if any.
fn render(
    viewer: &Viewer,
    ctx: &Context,
    shown: Shown,
    problems: Vec<String>,
    upload_errors: Vec<String>,
    flash_message: Option<String>,
) -> Response {
    let doc = &ctx.doc;
    let respondent = ctx.state.respondent.clone();
    let campaign = doc.campaign.id.clone();
    let category: BTreeMap<&str, CategoryDoc> = doc
        .catalogue
        .iter()
        .map(|c| (c.id.as_str(), c.category))
        .collect();
    let (mut rows, answers, row_of_line) = match shown {
        Shown::Stored => {
            let (offers, answers) = working_copy(&ctx.state);
            // Rows are numbered down the page: section by section, in the file's order within
            // (problems name lines in the file's order: `row_of_line` maps them).
            let section_of = |o: &OfferDoc| {
                let cat = category.get(o.capability.as_str());
                doc.questionnaire
                    .sections
                    .iter()
                    .position(|s| cat.is_some_and(|c| s.offer_categories.contains(c)))
                    .unwrap_or(usize::MAX)
            };
            let mut order: Vec<usize> = (0..offers.len()).collect();
            order.sort_by_key(|&i| section_of(&offers[i]));
            let mut row_of_line = vec![0; offers.len()];
            let rows: Vec<OfferRow> = order
                .iter()
                .enumerate()
                .map(|(row, &line)| {
                    row_of_line[line] = row;
                    OfferRow::of(row, &offers[line])
                })
                .collect();
            let answers: BTreeMap<String, String> =
                answers.into_iter().map(|a| (a.question, a.text)).collect();
            (rows, answers, row_of_line)
        }
        Shown::Posted(p) => (p.rows, p.answers, p.row_of_line),
    };
    // The store's problems go next to the field they name.
    let mut general_errors = Vec::new();
    let mut answer_errors: BTreeMap<String, String> = BTreeMap::new();
    for problem in problems {
        match proposal_form::locate(&problem) {
            (Target::Offer(line, field), message) => match row_of_line.get(line) {
                // A problem found while reading the row stays: it is the one to fix first.
                Some(&row) if row < rows.len() => {
                    rows[row]
                        .errors
                        .entry(proposal_form::form_field(&field).to_owned())
                        .or_insert(message);
                }
                _ => general_errors.push(message),
            },
            (Target::Answer(question), message) => {
                answer_errors.insert(question, message);
            }
            (Target::General, message) => general_errors.push(message),
        }
    }
    let first_table = doc
        .questionnaire
        .sections
        .iter()
        .position(|s| !s.offer_categories.is_empty());
    let mut next_row = rows
        .iter()
        .filter_map(|r| r.index.parse::<usize>().ok())
        .max()
        .map_or(0, |m| m + 1);
    let mut by_section: Vec<Vec<OfferRow>> = vec![Vec::new(); doc.questionnaire.sections.len()];
    for row in rows {
        let cat = category.get(row.capability.as_str());
        let sections = &doc.questionnaire.sections;
        // A posted row stays in the section it was typed in; a stored line goes where its
        // capability belongs.
        let section = sections
            .iter()
            .position(|s| s.id == row.section && !s.offer_categories.is_empty())
            .or_else(|| {
                sections
                    .iter()
                    .position(|s| cat.is_some_and(|c| s.offer_categories.contains(c)))
            })
            .or(first_table);
        if let Some(i) = section {
            by_section[i].push(row);
        }
    }
    let mut error_links = Vec::new();
    let sections: Vec<SectionView> = doc
        .questionnaire
        .sections
        .iter()
        .zip(by_section)
        .map(|(s, mut rows)| {
            let has_table = !s.offer_categories.is_empty();
            // One empty row to type a new line in, unless the form as posted still has one.
            if has_table && viewer.may_edit() && !rows.iter().any(OfferRow::is_blank) {
                rows.push(OfferRow::blank(next_row.to_string()));
                next_row += 1;
            }
            for r in &rows {
                for (field, message) in &r.errors {
                    error_links.push((
                        format!("o{}-{field}", r.index),
                        format!(
                            "{}: {message}",
                            if r.id.is_empty() {
                                "New line".to_owned()
                            } else {
                                format!("Line {}", r.id)
                            }
                        ),
                    ));
                }
            }
            let questions: Vec<QuestionView> = s
                .questions
                .iter()
                .map(|q| {
                    let error = answer_errors.get(&q.id).cloned();
                    if let Some(e) = &error {
                        error_links.push((format!("answer-{}", q.id), e.clone()));
                    }
                    QuestionView {
                        id: q.id.clone(),
                        required: q.required,
                        text: q.text.clone(),
                        help: q.help.clone(),
                        answer: answers.get(&q.id).cloned().unwrap_or_default(),
                        error,
                    }
                })
                .collect();
            let lines = rows.iter().filter(|r| !r.is_blank()).count();
            let answered = questions
                .iter()
                .filter(|q: &&QuestionView| !q.answer.trim().is_empty())
                .count();
            let mut progress = Vec::new();
            if has_table {
                progress.push(format!("{lines} line{}", if lines == 1 { "" } else { "s" }));
            }
            if !questions.is_empty() {
                progress.push(format!("{answered} of {} answered", questions.len()));
            }
            SectionView {
                id: s.id.clone(),
                title: s.title.clone(),
                description: s.description.clone(),
                has_table,
                deployable: s.offer_categories.iter().any(|c| {
                    matches!(
                        c,
                        CategoryDoc::Troops | CategoryDoc::Hardware | CategoryDoc::Enablers
                    )
                }),
                lines_required: s.lines_required,
                progress: progress.join(", "),
                capabilities: doc
                    .catalogue
                    .iter()
                    .filter(|c| s.offer_categories.contains(&c.category))
                    .map(|c| (c.id.clone(), format!("{} (per {})", c.name, c.unit)))
                    .collect(),
                rows,
                template_rows: vec![OfferRow::blank("__N__".into())],
                questions,
            }
        })
        .collect();
    let deadline = doc.campaign.deadline;
    let now = Utc::now();
    let deadline_note = deadline_note(ctx, viewer.may_edit());
    let respondent_name = doc
        .respondents
        .iter()
        .find(|r| r.code == respondent)
        .map_or_else(|| respondent.clone(), |r| r.name.clone());
    let printed = ctx.state.proposal.revisions.last().map(|r| {
        receipt::receipt(
            doc,
            format!(
                "{respondent_name}: revision {} as submitted on {} by {}",
                r.number,
                r.submitted_at.format("%Y-%m-%d %H:%M UTC"),
                actor_name(&r.submitted_by)
            ),
            &r.offers,
            &r.answers,
        )
    });
    let page = ProposalPage {
        page: Chrome::new(Some(viewer), format!("Proposal of {respondent_name}"))
            .in_campaign_of(viewer, doc, "Your proposal")
            .flash(flash_message),
        base: format!("/campaigns/{campaign}/proposals/{respondent}"),
        respondent: respondent.clone(),
        respondent_name,
        version: ctx.state.version,
        status: status(&ctx.state),
        deadline: deadline.format("%Y-%m-%d %H:%M UTC").to_string(),
        time_left: time_left(deadline - now),
        person: match &viewer.principal {
            Principal::Respondent { person, .. } => Some(person.clone().unwrap_or_default()),
            Principal::Account { .. } => None,
        },
        issuer: doc.campaign.issuer.clone(),
        purpose: doc.campaign.purpose.clone(),
        contact: doc.campaign.contact.clone(),
        deadline_note,
        deadline_passed: !ctx.submissions.open(now, deadline),
        editable: viewer.may_edit(),
        can_withdraw: viewer.may_edit()
            && !ctx.state.proposal.revisions.is_empty()
            && ctx.state.proposal.withdrawn.is_none(),
        sections,
        choices: Lists::of(doc),
        general_errors,
        error_links,
        upload_errors,
        revisions: revisions(doc, &ctx.state),
        next_row,
        printed,
        asks: ctx.asks.clone(),
        pledges: ctx.pledges.clone(),
        readiness_levels: doc
            .readiness_levels
            .iter()
            .map(|l| (l.level, l.name.clone()))
            .collect(),
    };
    let status = if page.has_errors() || !page.upload_errors.is_empty() {
        axum::http::StatusCode::UNPROCESSABLE_ENTITY
    } else {
        axum::http::StatusCode::OK
    };
    (status, html(&page)).into_response()
}

/// POST: the capital declines a follow-up ask, saying why.
pub(crate) async fn decline_ask(
    State(s): Shared,
    viewer: Viewer,
    Path((campaign, respondent, ask)): Path<(String, String, String)>,
    body: Bytes,
) -> Result<Response, PageError> {
    viewer.may(Action::change(&campaign, &respondent))?;
    let form = FormData::parse(&body)?;
    viewer.check_csrf(&form)?;
    s.app
        .decline_ask(
            &viewer.principal,
            &campaign,
            &respondent,
            &ask,
            form.get("reason"),
        )
        .await?;
    Ok(see_other(&format!(
        "/campaigns/{campaign}/proposals/{respondent}?done=declined#asks"
    )))
}

/// POST: the capital confirms (at a readiness level, ready from a date), declines or withdraws
/// one of its pledges.
pub(crate) async fn pledge_step(
    State(s): Shared,
    viewer: Viewer,
    Path((campaign, respondent, pledge)): Path<(String, String, String)>,
    body: Bytes,
) -> Result<Response, PageError> {
    viewer.may(Action::change(&campaign, &respondent))?;
    let form = FormData::parse(&body)?;
    viewer.check_csrf(&form)?;
    let event = super::pledge_step_of(&form)?;
    s.app
        .record_pledge(&viewer.principal, &campaign, &respondent, &pledge, event)
        .await?;
    Ok(see_other(&format!(
        "/campaigns/{campaign}/proposals/{respondent}?done=pledge#pledges"
    )))
}

/// GET: the proposal page.
pub(crate) async fn page(
    State(s): Shared,
    viewer: Viewer,
    Path((campaign, respondent)): Path<(String, String)>,
    Query(q): Query<Done>,
) -> Result<Response, PageError> {
    viewer.may(Action::read(&campaign, &respondent))?;
    let ctx = context(&s, &viewer, &campaign, &respondent).await?;
    Ok(render(
        &viewer,
        &ctx,
        Shown::Stored,
        Vec::new(),
        Vec::new(),
        flash(&q.done),
    ))
}

/// POST: save the draft, submit it, or withdraw, by the button pressed (`action`). A capital's
/// person may give their name with it (`person`): it goes with this change and is remembered
/// on this browser for the next ones.
pub(crate) async fn change(
    State(s): Shared,
    mut viewer: Viewer,
    Path((campaign, respondent)): Path<(String, String)>,
    body: Bytes,
) -> Result<Response, PageError> {
    viewer.may(Action::change(&campaign, &respondent))?;
    let form = FormData::parse(&body)?;
    viewer.check_csrf(&form)?;
    let mut remember = None;
    if let Principal::Respondent { person, .. } = &mut viewer.principal
        && form.has("person")
    {
        let named = Principal::person_name(form.get("person"));
        if named != *person {
            remember = Some(session::person_cookie(
                named.as_deref(),
                s.config.secure_cookies,
            ));
        }
        *person = named;
    }
    let mut response = change_as(&s, &viewer, &campaign, &respondent, &form).await?;
    if let Some(cookie) = remember
        && let Ok(value) = cookie.to_string().parse()
    {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
    Ok(response)
}

/// [`change`] once the viewer is known.
async fn change_as(
    s: &AppState,
    viewer: &Viewer,
    campaign: &str,
    respondent: &str,
    form: &FormData,
) -> Result<Response, PageError> {
    let (campaign, respondent) = (campaign.to_owned(), respondent.to_owned());
    let version: i64 = form
        .get("version")
        .parse()
        .map_err(|_| PageError::bad_request("the form lacks the version it was read at"))?;
    let ctx = context(s, viewer, &campaign, &respondent).await?;
    let who = &viewer.principal;
    let base = format!("/campaigns/{campaign}/proposals/{respondent}");
    if form.get("action") == "withdraw" {
        return match s
            .app
            .withdraw(who, &campaign, &respondent, version, form.get("reason"))
            .await
        {
            Ok(_) => Ok(see_other(&format!("{base}?done=withdrawn"))),
            Err(e) => Ok(refused(viewer, ctx, Shown::Stored, e)),
        };
    }
    if form.get("action") == "submit" {
        // From the review page: the saved draft, as reviewed, becomes the next revision.
        let note = form.get("note");
        let empty = ctx.state.proposal.draft.as_ref().is_some_and(|d| {
            d.offers.is_empty() && d.answers.iter().all(|a| a.text.trim().is_empty())
        });
        if empty && !form.ticked("confirm_empty") {
            return Ok(review(
                viewer,
                &ctx,
                note,
                vec!["Tick the box to confirm that you submit a proposal that offers nothing, or go back to the proposal and add lines.".into()],
            ));
        }
        return match s
            .app
            .submit(who, &campaign, &respondent, version, note)
            .await
        {
            Ok(_) => Ok(see_other(&format!("{base}?done=submitted"))),
            Err(e) if e.kind == ErrorKind::Conflict => Ok(refused(viewer, ctx, Shown::Stored, e)),
            Err(e)
                if matches!(
                    e.kind,
                    ErrorKind::Invalid
                        | ErrorKind::DeadlinePassed
                        | ErrorKind::SubmissionsClosed
                        | ErrorKind::WrongState
                ) =>
            {
                let mut why = vec![e.message];
                why.extend(e.problems);
                Ok(review(viewer, &ctx, note, why))
            }
            Err(e) => Err(e.into()),
        };
    }
    let posted = proposal_form::read_form(form, &respondent, &ctx.doc, &used_ids(&ctx.state));
    if posted.has_errors {
        // Every problem at once: what could not be read, and what the campaign's rules find in
        // the rest.
        let problems = s
            .app
            .check_draft(who, &campaign, &respondent, &posted.content)
            .await?;
        return Ok(render(
            viewer,
            &ctx,
            Shown::Posted(Box::new(posted)),
            problems,
            Vec::new(),
            None,
        ));
    }
    let saved = s
        .app
        .save_draft(who, &campaign, &respondent, version, posted.content.clone())
        .await;
    let saved = match saved {
        Ok(state) => state,
        Err(e) => return Ok(refused(viewer, ctx, Shown::Posted(Box::new(posted)), e)),
    };
    if form.get("action") != "review" {
        return Ok(see_other(&format!("{base}?done=saved")));
    }
    // Saved; the capital now sees what will be sent before it is.
    let ctx = Context {
        state: saved,
        ..ctx
    };
    Ok(review(viewer, &ctx, form.get("note"), Vec::new()))
}

/// The page again, with the store's reason for refusing the change.
fn refused(viewer: &Viewer, mut ctx: Context, shown: Shown, e: AppError) -> Response {
    match e.kind {
        ErrorKind::Invalid => render(viewer, &ctx, shown, e.problems, Vec::new(), None),
        ErrorKind::Conflict => {
            let message = format!(
                "{} Your edits below were not saved; saving again will replace the other change with them.",
                e.message
            );
            // Saving again is now a deliberate overwrite of the version shown in the message.
            if let Some(current) = e.current_version {
                ctx.state.version = current;
            }
            render(viewer, &ctx, shown, vec![message], Vec::new(), None)
        }
        ErrorKind::DeadlinePassed | ErrorKind::SubmissionsClosed | ErrorKind::WrongState => {
            render(viewer, &ctx, shown, vec![e.message], Vec::new(), None)
        }
        _ => PageError::from(e).into_response(),
    }
}

/// GET: the questionnaire as an Excel workbook pre-filled with the working copy.
pub(crate) async fn download_xlsx(
    State(s): Shared,
    viewer: Viewer,
    Path((campaign, respondent)): Path<(String, String)>,
) -> Result<Response, PageError> {
    viewer.may(Action::read(&campaign, &respondent))?;
    let ctx = context(&s, &viewer, &campaign, &respondent).await?;
    let (offers, answers) = working_copy(&ctx.state);
    let follow_up = xlsx::FollowUp {
        asks: &ctx.asks,
        pledges: &ctx.pledges,
    };
    let bytes = xlsx::template(
        &ctx.doc,
        &respondent,
        &offers,
        &answers,
        ctx.state.version,
        &follow_up,
    )
    .map_err(|e| PageError::internal(&format!("workbook: {e}")))?;
    Ok(super::attachment(
        bytes,
        &format!("{campaign}-{respondent}.xlsx"),
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ))
}

/// POST (multipart): a filled workbook becomes the draft, if the whole file is valid.
pub(crate) async fn upload_xlsx(
    State(s): Shared,
    viewer: Viewer,
    Path((campaign, respondent)): Path<(String, String)>,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<Response, PageError> {
    // Who may come first: the body of someone who may not is never read.
    viewer.may(Action::change(&campaign, &respondent))?;
    let mut multipart = multipart.map_err(|e| PageError::bad_request(e.body_text()))?;
    let mut fields = Vec::new();
    let mut file: Option<Vec<u8>> = None;
    while let Some(field) = multipart
        .next_field()
        .await
        .map_err(|e| PageError::bad_request(format!("the upload could not be read: {e}")))?
    {
        let name = field.name().unwrap_or_default().to_owned();
        let data = field
            .bytes()
            .await
            .map_err(|e| PageError::bad_request(format!("the upload could not be read: {e}")))?;
        if name == "file" {
            file = Some(data.to_vec());
        } else {
            fields.push((name, String::from_utf8_lossy(&data).into_owned()));
        }
    }
    viewer.check_csrf(&FormData::from_pairs(fields))?;
    let ctx = context(&s, &viewer, &campaign, &respondent).await?;
    let file = file.filter(|f| !f.is_empty());
    let Some(file) = file else {
        return Ok(render(
            &viewer,
            &ctx,
            Shown::Stored,
            Vec::new(),
            vec!["Choose the filled workbook (.xlsx) to upload.".into()],
            None,
        ));
    };
    // Reading a workbook is CPU work (unzip, parse): off the async threads.
    let (doc, code, used) = (ctx.doc.clone(), respondent.clone(), used_ids(&ctx.state));
    let read = tokio::task::spawn_blocking(move || xlsx::read(&file, &doc, &code, &used))
        .await
        .map_err(|e| PageError::internal(&e.to_string()))?;
    let upload = match read {
        Ok(u) => u,
        Err(problems) => {
            return Ok(render(
                &viewer,
                &ctx,
                Shown::Stored,
                Vec::new(),
                problems,
                None,
            ));
        }
    };
    let refused =
        |problems: Vec<String>| render(&viewer, &ctx, Shown::Stored, Vec::new(), problems, None);
    if !upload.problems.is_empty() {
        let rules = s
            .app
            .check_draft(&viewer.principal, &campaign, &respondent, &upload.content)
            .await?;
        return Ok(refused(upload.every_problem(&rules)));
    }
    // Uploading the same workbook again after fixing it is normal: drafts the same person saved
    // since it was made do not stand in the way (App::save_draft_from).
    match s
        .app
        .save_draft_from(
            &viewer.principal,
            &campaign,
            &respondent,
            upload.version,
            upload.content.clone(),
        )
        .await
    {
        Ok(_) => Ok(see_other(&format!(
            "/campaigns/{campaign}/proposals/{respondent}?done=uploaded"
        ))),
        Err(e) if e.kind == ErrorKind::Invalid => Ok(refused(upload.every_problem(&e.problems))),
        Err(e) if e.kind == ErrorKind::Conflict => Ok(refused(vec![format!(
            "{} Download the workbook again, reapply your edits and upload it.",
            e.message
        )])),
        Err(e) => Err(e.into()),
    }
}
