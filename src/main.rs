//! `guarantor`: the command line for analysts.

/// `println!` and `print!` for this binary: when the reader of standard output goes away
/// (`guarantor validate FILE | head -1`) the program ends quietly, as Unix tools do, instead of
/// panicking as std's macros do on a broken pipe.
macro_rules! println {
    () => { $crate::write_out(format_args!("\n")) };
    ($($arg:tt)*) => { $crate::write_out(format_args!("{}\n", format_args!($($arg)*))) };
}

/// See [`println!`].
macro_rules! print {
    ($($arg:tt)*) => { $crate::write_out(format_args!($($arg)*)) };
}

mod analysis;
mod cli;
mod database;
mod render;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use chrono::Datelike;
use clap::Parser;
use cli::*;
use guarantor_domain::{Campaign, FileFormat, LoadError, parse_campaign};
use guarantor_engine::engage::EngageRequest;
use guarantor_engine::options::{OptionCount, OptionsError, ScenarioChoice};
use guarantor_engine::{OptionsReport, OptionsRequest};

/// Exit codes: 0 success, 1 the campaign is invalid, 2 usage or I/O error.
const EXIT_INVALID: u8 = 1;
const EXIT_USAGE_OR_IO: u8 = 2;

/// Writes to standard output; a closed pipe ends the program with status 0, any other write error
/// with status 1 and a message.
fn write_out(args: std::fmt::Arguments<'_>) {
    use std::io::Write as _;
    if let Err(e) = std::io::stdout().lock().write_fmt(args) {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            std::process::exit(0);
        }
        eprintln!("error: cannot write to standard output: {e}");
        std::process::exit(1);
    }
}

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("GUARANTOR_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    match run(cli.command) {
        Ok(code) => code,
        Err(err) => {
            // A file that is not a valid campaign is the user's data to fix (exit 1), apart
            // from files that cannot be read at all (exit 2).
            match err.downcast_ref::<LoadError>() {
                Some(LoadError::Invalid(problems)) => {
                    eprintln!(
                        "error: the campaign is invalid ({} problem{}):",
                        problems.len(),
                        if problems.len() == 1 { "" } else { "s" }
                    );
                    for p in problems {
                        eprintln!("  {p}");
                    }
                    return ExitCode::from(EXIT_INVALID);
                }
                Some(_) => {
                    eprintln!("error: {err:#}");
                    return ExitCode::from(EXIT_INVALID);
                }
                None => {}
            }
            eprintln!("error: {err:#}");
            ExitCode::from(EXIT_USAGE_OR_IO)
        }
    }
}

fn run(command: Command) -> anyhow::Result<ExitCode> {
    match command {
        Command::Validate { file } => analysis::validate(file),
        Command::Schema => analysis::schema(),
        Command::Summary { file, json } => analysis::summary(file, json),
        Command::Demo { json } => analysis::demo(json),
        Command::Options(args) => analysis::options(args),
        Command::Engage(args) => analysis::engage(args),
        Command::Asks { file, json } => analysis::asks(file, json),
        Command::Plan { file, json } => analysis::plan(file, json),
        Command::Assess { file, json } => analysis::assess(file, json),
        Command::Brief {
            file,
            out,
            pdf,
            count,
            date,
            solver,
        } => analysis::brief(file, out, pdf, count, date, solver),
        Command::Import { file, db } => database::import(file, db),
        Command::Export { campaign, out, db } => database::export(campaign, out, db),
        Command::Campaigns { db } => database::campaigns(db),
        Command::Serve {
            bind,
            demo,
            insecure_cookies,
            anonymous_rate,
            trusted_proxies,
            db,
        } => database::serve(
            bind,
            demo,
            insecure_cookies,
            anonymous_rate,
            trusted_proxies,
            db,
        ),
        Command::Convert { file, to, out } => analysis::convert(file, to, out),
        Command::DemoFile { to } => analysis::demo_file(to),
        Command::Account { command } => database::account(command),
        Command::Token { command } => database::token(command),
        Command::Audit { command } => database::audit(command),
    }
}

/// Computes and writes the brief; each file is written whole or not at all.
fn write_brief(
    campaign: &Campaign,
    request: &OptionsRequest,
    date: Option<chrono::NaiveDate>,
    html_path: &Path,
    pdf_path: Option<&Path>,
) -> anyhow::Result<()> {
    let generated_on = date.unwrap_or_else(|| chrono::Utc::now().date_naive());
    let (brief, warnings) = guarantor_app::brief::of_file(campaign, request, generated_on)?;
    for w in &warnings {
        eprintln!("warning: {w}");
    }
    // Typeset first, so that a failure leaves neither file behind.
    let pdf = match pdf_path {
        Some(_) => Some(typeset_brief(&brief, generated_on)?),
        None => None,
    };
    write_whole(html_path, brief.to_html().as_bytes())?;
    println!("wrote {} (HTML brief)", html_path.display());
    if let (Some(path), Some(typeset)) = (pdf_path, pdf) {
        write_whole(path, &typeset.pdf)?;
        println!(
            "wrote {} (PDF brief, {} pages)",
            path.display(),
            typeset.pages
        );
    }
    Ok(())
}

/// Writes a file through a temporary file beside it and a rename, so that a reader never sees
/// half a file and an old file survives a failed write.
fn write_whole(path: &Path, data: &[u8]) -> anyhow::Result<()> {
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(".partial");
    let tmp = PathBuf::from(tmp);
    std::fs::write(&tmp, data).with_context(|| format!("cannot write {}", path.display()))?;
    std::fs::rename(&tmp, path).with_context(|| format!("cannot write {}", path.display()))?;
    Ok(())
}

/// A runtime for the commands that use the database.
fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")
}

/// Who the audit log records for command-line changes.
fn cli_actor() -> String {
    let user = std::env::var("USER")
        .or_else(|_| std::env::var("USERNAME"))
        .unwrap_or_else(|_| "unknown".into());
    format!("cli:{user}")
}

fn write_as(campaign: &Campaign, to: Target) -> anyhow::Result<String> {
    Ok(match to {
        Target::Json => campaign.to_json(),
        Target::Toml => campaign
            .to_toml()
            .context("cannot write the campaign as TOML")?,
    })
}

/// The brief typeset as PDF, dated `on`.
fn typeset_brief(
    brief: &guarantor_assess::Brief,
    on: chrono::NaiveDate,
) -> Result<guarantor_pdf::Typeset, guarantor_pdf::PdfError> {
    let source = brief.to_typst();
    let files: Vec<(&str, &[u8])> = source
        .files
        .iter()
        .map(|(name, data)| (name.as_str(), data.as_slice()))
        .collect();
    let today = (
        on.year(),
        u8::try_from(on.month()).unwrap_or(1),
        u8::try_from(on.day()).unwrap_or(1),
    );
    guarantor_pdf::typeset(&source.main, &files, today)
}

/// A fresh database in a new temporary directory holding the demo campaign, reopened for
/// submissions, with an account per role and an invitation per capital; prints how to get in.
async fn demo_store(url: &str) -> anyhow::Result<guarantor_store::Store> {
    let stamp = chrono::Utc::now().format("%Y%m%d-%H%M%S");
    let dir = std::env::temp_dir().join(format!("guarantor-demo-{stamp}-{}", std::process::id()));
    std::fs::create_dir_all(&dir)
        .with_context(|| format!("cannot create the demo directory {}", dir.display()))?;
    let store =
        guarantor_store::Store::open(&format!("sqlite://{}", dir.join("guarantor.db").display()))
            .await?;
    let access = guarantor_app::demo::seed(&store, chrono::Utc::now()).await?;
    println!(
        "DEMO: the illustrative campaign \"{}\" in a fresh database at {}",
        access.title,
        dir.display()
    );
    println!("Sign in at {url}/login");
    println!(
        "  coordinator     name {:<16} password {}",
        guarantor_app::demo::COORDINATOR,
        access.coordinator_password
    );
    println!(
        "  decision maker  name {:<16} password {}",
        guarantor_app::demo::DECISION_MAKER,
        access.decision_maker_password
    );
    println!(
        "Capitals open their invitation link (valid {} days):",
        guarantor_app::demo::INVITATION_DAYS
    );
    for inv in &access.invitations {
        let status = if inv.answered {
            "answered"
        } else {
            "not answered"
        };
        println!(
            "  {}  {url}/invitation/{}  ({status})",
            inv.respondent, inv.token
        );
    }
    Ok(store)
}

fn demo_campaign() -> anyhow::Result<Campaign> {
    Ok(guarantor_app::demo::campaign()?)
}

fn load(path: &Path) -> anyhow::Result<Campaign> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    tracing::debug!(path = %path.display(), bytes = text.len(), "read campaign file");
    match parse_campaign(&text, FileFormat::from_path(path)) {
        Ok(c) => Ok(c),
        Err(e @ LoadError::Invalid(_)) => Err(e.into()),
        Err(e) => Err(anyhow::Error::new(e).context(format!(
            "{} is not a readable campaign file",
            path.display()
        ))),
    }
}

fn print_summary(campaign: &Campaign, json: bool) -> anyhow::Result<()> {
    let summary = guarantor_engine::summarise(campaign);
    if json {
        println!("{}", serde_json::to_string_pretty(&summary)?);
    } else {
        print!("{}", render::summary(&summary));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A brief made from a store names the audit head on its first page, in the PDF as in the
    /// HTML: the typst template's optional branch must typeset.
    #[test]
    fn a_brief_with_an_audit_head_typesets() {
        let campaign = demo_campaign().unwrap();
        let request = OptionsRequest {
            options: guarantor_engine::options::OptionCount::new(1).unwrap(),
            robustness: false,
            ..OptionsRequest::default()
        };
        let options = guarantor_engine::compute_options(&campaign, &request).unwrap();
        let assessment = guarantor_assess::assess(&campaign);
        let on = chrono::NaiveDate::from_ymd_opt(2026, 12, 1).unwrap();
        let mut brief = guarantor_assess::compose(guarantor_assess::BriefInput {
            campaign: &campaign,
            assessment: &assessment,
            options: &options,
            engagement: None,
            generated_on: on,
        });
        brief.audit_head = Some("row 7, hash abc123".into());
        assert!(brief.to_html().contains("Audit log at row 7, hash abc123."));
        let pdf = typeset_brief(&brief, on).expect("typesets");
        assert!(pdf.pdf.starts_with(b"%PDF-"));
    }
}
