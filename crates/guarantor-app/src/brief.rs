//! The brief pipeline, written once: assess the campaign, take its options report, compose the
//! brief. The CLI (from a file) and the server (from the store, with the options cache) both
//! come through here.

use chrono::NaiveDate;
use guarantor_assess::Brief;
use guarantor_domain::Campaign;
use guarantor_engine::engage::{EngageRequest, EngagementReport};
use guarantor_engine::{OptionsReport, OptionsRequest, options::ScenarioChoice};

use crate::error::AppResult;

/// The options request behind every brief and every options page: all scenarios, the engine's
/// defaults otherwise (3 options per scenario, robustness, 10 s per solve).
pub fn standard_request() -> OptionsRequest {
    OptionsRequest {
        scenarios: ScenarioChoice::All,
        ..OptionsRequest::default()
    }
}

/// Options for `campaign` under `request`.
pub fn options(campaign: &Campaign, request: &OptionsRequest) -> AppResult<OptionsReport> {
    Ok(guarantor_engine::compute_options(campaign, request)?)
}

/// The engagement plan behind the brief: the first scenario, the campaign's own requirements,
/// the engine's defaults otherwise.
pub fn engagement(campaign: &Campaign) -> AppResult<EngagementReport> {
    Ok(guarantor_engine::engage::plan(
        campaign,
        &EngageRequest::default(),
    )?)
}

/// The brief of `campaign` from its options report, dated `generated_on`; `audit_head` is the
/// audit log's head when the campaign comes from a store (the brief then says which state of
/// the log it rests on).
pub fn compose(
    campaign: &Campaign,
    options: &OptionsReport,
    engagement: Option<&EngagementReport>,
    generated_on: NaiveDate,
    audit_head: Option<String>,
) -> Brief {
    let assessment = guarantor_assess::assess(campaign);
    let mut brief = guarantor_assess::compose(guarantor_assess::BriefInput {
        campaign,
        assessment: &assessment,
        options,
        engagement,
        generated_on,
    });
    brief.audit_head = audit_head;
    brief
}

/// The brief of a campaign file: options computed under `request`, then composed; the
/// engine's warnings are returned beside it for the caller to show.
pub fn of_file(
    campaign: &Campaign,
    request: &OptionsRequest,
    generated_on: NaiveDate,
) -> AppResult<(Brief, Vec<String>)> {
    let report = options(campaign, request)?;
    let mut warnings = report.warnings.clone();
    // The plan is a section of the brief, not a condition of it.
    let plan = engagement(campaign)
        .inspect_err(|e| {
            warnings.push(format!("the engagement plan is left out of the brief: {e}"))
        })
        .ok();
    Ok((
        compose(campaign, &report, plan.as_ref(), generated_on, None),
        warnings,
    ))
}
