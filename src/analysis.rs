//! The commands that read a campaign file and compute on it: validate, summary, options,
//! assessment, brief, conversion, the demo.

use super::*;

/// `guarantor validate`.
pub(crate) fn validate(file: PathBuf) -> anyhow::Result<ExitCode> {
    let campaign = load(&file)?;
    println!("{}: valid", file.display());
    println!("{}", render::census(&campaign));
    Ok(ExitCode::SUCCESS)
}

/// `guarantor schema`.
pub(crate) fn schema() -> anyhow::Result<ExitCode> {
    let schema = guarantor_domain::json_schema();
    println!("{}", serde_json::to_string_pretty(&schema)?);
    Ok(ExitCode::SUCCESS)
}

/// `guarantor summary`.
pub(crate) fn summary(file: PathBuf, json: bool) -> anyhow::Result<ExitCode> {
    let campaign = load(&file)?;
    print_summary(&campaign, json)?;
    Ok(ExitCode::SUCCESS)
}

/// `guarantor demo`: the responses, then what the decision maker reads of them.
pub(crate) fn demo(json: bool) -> anyhow::Result<ExitCode> {
    let campaign = demo_campaign()?;
    print_summary(&campaign, json)?;
    if !json {
        let request = OptionsRequest {
            scenarios: ScenarioChoice::All,
            ..OptionsRequest::default()
        };
        let report = guarantor_engine::compute_options(&campaign, &request)?;
        print!("{}", render::decision_view(&report));
        println!();
        println!(
            "Next: `guarantor options demo.json --all-scenarios` shows every option in full (after \
             `guarantor demo-file > demo.json`); `guarantor brief demo.json --out brief.html --pdf brief.pdf` \
             writes the decision brief; `guarantor serve --demo` opens the web app with this campaign; \
             `guarantor demo-file --to toml > mine.toml`, then `guarantor validate mine.toml`, starts a \
             campaign of your own."
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// `guarantor options`.
pub(crate) fn options(args: OptionsArgs) -> anyhow::Result<ExitCode> {
    let OptionsArgs {
        file,
        scenario,
        all_scenarios,
        objective,
        budget,
        count,
        solver,
        no_robustness,
        what_if,
        json,
    } = args;
    let (campaign, applied) = under_what_if(load(&file)?, what_if.as_deref())?;
    let request = OptionsRequest {
        scenarios: match (scenario, all_scenarios) {
            (Some(id), _) => ScenarioChoice::Named(id),
            (None, true) => ScenarioChoice::All,
            (None, false) => ScenarioChoice::First,
        },
        objective: objective.into(),
        budget,
        options: count,
        backend: solver.backend(),
        time_limit: solver.time_limit,
        robustness: !no_robustness,
    };
    let report = guarantor_engine::compute_options(&campaign, &request).map_err(|e| match e {
        OptionsError::BudgetRequired => {
            anyhow::anyhow!("{e}: add --budget AMOUNT")
        }
        other => other.into(),
    })?;
    let report = OptionsReport {
        what_if: applied,
        ..report
    };
    for w in &report.warnings {
        eprintln!("warning: {w}");
    }
    if json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        print!("{}", render::options(&report));
    }
    Ok(ExitCode::SUCCESS)
}

/// `guarantor engage`.
pub(crate) fn engage(args: EngageArgs) -> anyhow::Result<ExitCode> {
    let EngageArgs {
        file,
        scenario,
        all_scenarios,
        posture,
        candidates,
        solver,
        what_if,
        json,
    } = args;
    let (campaign, applied) = under_what_if(load(&file)?, what_if.as_deref())?;
    let request = EngageRequest {
        scenarios: match (scenario, all_scenarios) {
            (Some(id), _) => ScenarioChoice::Named(id),
            (None, true) => ScenarioChoice::All,
            (None, false) => ScenarioChoice::First,
        },
        posture,
        candidates,
        backend: solver.backend(),
        time_limit: solver.time_limit,
    };
    let mut plan = guarantor_engine::engage::plan(&campaign, &request)?;
    plan.what_if = applied;
    if json {
        println!("{}", serde_json::to_string_pretty(&plan)?);
    } else {
        print!("{}", render::engagement(&plan));
    }
    Ok(ExitCode::SUCCESS)
}

/// The campaign with the saved what-if `id` applied (and its note), or as it is.
fn under_what_if(
    campaign: Campaign,
    id: Option<&str>,
) -> anyhow::Result<(Campaign, Option<guarantor_engine::what_if::WhatIfApplied>)> {
    match id {
        None => Ok((campaign, None)),
        Some(id) => {
            let (changed, applied) = guarantor_engine::what_if::apply(&campaign, id)?;
            Ok((changed, Some(applied)))
        }
    }
}

/// `guarantor plan`.
pub(crate) fn plan(file: PathBuf, json: bool) -> anyhow::Result<ExitCode> {
    let campaign = load(&file)?;
    let plan = campaign
        .plan()
        .map(|p| guarantor_app::PlanView::of(&campaign, p));
    if json {
        println!("{}", serde_json::to_string_pretty(&plan)?);
    } else {
        print!("{}", render::plan(&campaign, plan.as_ref()));
    }
    Ok(ExitCode::SUCCESS)
}

/// `guarantor asks`.
pub(crate) fn asks(file: PathBuf, json: bool) -> anyhow::Result<ExitCode> {
    let campaign = load(&file)?;
    let now = chrono::Utc::now();
    let asks: Vec<guarantor_app::AskView> = campaign
        .asks()
        .iter()
        .map(|a| guarantor_app::AskView::of(&campaign, a, now))
        .collect();
    if json {
        println!("{}", serde_json::to_string_pretty(&asks)?);
    } else {
        print!("{}", render::asks(&campaign, &asks));
    }
    Ok(ExitCode::SUCCESS)
}

/// `guarantor assess`.
pub(crate) fn assess(file: PathBuf, json: bool) -> anyhow::Result<ExitCode> {
    let campaign = load(&file)?;
    let assessment = guarantor_assess::assess(&campaign);
    if json {
        println!("{}", serde_json::to_string_pretty(&assessment)?);
    } else {
        print!("{}", render::assessment(&assessment));
    }
    Ok(ExitCode::SUCCESS)
}

/// `guarantor brief`.
pub(crate) fn brief(
    file: PathBuf,
    out: PathBuf,
    pdf: Option<PathBuf>,
    count: OptionCount,
    date: Option<chrono::NaiveDate>,
    solver: SolverArgs,
) -> anyhow::Result<ExitCode> {
    let campaign = load(&file)?;
    let request = OptionsRequest {
        scenarios: ScenarioChoice::All,
        options: count,
        backend: solver.backend(),
        time_limit: solver.time_limit,
        ..OptionsRequest::default()
    };
    write_brief(&campaign, &request, date, &out, pdf.as_deref())?;
    Ok(ExitCode::SUCCESS)
}

/// `guarantor convert`.
pub(crate) fn convert(file: PathBuf, to: Target, out: Option<PathBuf>) -> anyhow::Result<ExitCode> {
    let campaign = load(&file)?;
    let text = write_as(&campaign, to)?;
    match out {
        Some(path) => std::fs::write(&path, text)
            .with_context(|| format!("cannot write {}", path.display()))?,
        None => print!("{text}"),
    }
    Ok(ExitCode::SUCCESS)
}

/// `guarantor demo-file`.
pub(crate) fn demo_file(to: Target) -> anyhow::Result<ExitCode> {
    print!("{}", write_as(&demo_campaign()?, to)?);
    Ok(ExitCode::SUCCESS)
}
