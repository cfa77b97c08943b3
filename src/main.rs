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

mod render;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use chrono::Datelike;
use clap::{Parser, Subcommand, ValueEnum};
use guarantor_domain::{Campaign, FileFormat, LoadError, parse_campaign};
use guarantor_engine::OptionsRequest;
use guarantor_engine::options::{
    Backend, Budget, Objective, OptionCount, OptionsError, ScenarioChoice, TimeLimit,
};

/// Collects allied capitals' proposals for a security guarantee and measures them against a
/// statement of requirements.
#[derive(Debug, Parser)]
#[command(name = "guarantor", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

/// Which database to use.
#[derive(Debug, clap::Args)]
struct DatabaseArgs {
    /// Database URL: sqlite://PATH or postgres://USER:PASSWORD@HOST/DB (default: a SQLite file
    /// in the data directory).
    #[arg(long, env = "GUARANTOR_DATABASE_URL", hide_env_values = true)]
    database: Option<String>,
    /// Directory for the embedded database.
    #[arg(long, env = "GUARANTOR_DATA_DIR", default_value = "guarantor-data")]
    data_dir: PathBuf,
    /// File holding the audit key (`guarantor audit keygen`), kept outside the database: every
    /// audit row written is sealed with it, and `audit verify` checks the seals.
    #[arg(long, env = "GUARANTOR_AUDIT_KEY_FILE")]
    audit_key_file: Option<PathBuf>,
}

impl DatabaseArgs {
    /// Opens the store, creating the data directory for the embedded database if needed.
    async fn open(&self) -> anyhow::Result<guarantor_store::Store> {
        let url = match &self.database {
            Some(url) => url.clone(),
            None => {
                std::fs::create_dir_all(&self.data_dir).with_context(|| {
                    format!(
                        "cannot create the data directory {}",
                        self.data_dir.display()
                    )
                })?;
                format!("sqlite://{}", self.data_dir.join("guarantor.db").display())
            }
        };
        let store = guarantor_store::Store::open(&url).await?;
        Ok(match &self.audit_key_file {
            Some(path) => {
                let text = std::fs::read_to_string(path).with_context(|| {
                    format!("cannot read the audit key file {}", path.display())
                })?;
                let key = guarantor_store::AuditKey::parse(&text)
                    .map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
                store.with_audit_key(key)
            }
            None => store,
        })
    }
}

#[derive(Debug, Subcommand)]
enum AccountCommand {
    /// Create an account; the password is read from GUARANTOR_PASSWORD or the first line of
    /// standard input (at least 12 characters), never from the command line.
    Create {
        /// The name to sign in with.
        name: String,
        /// What it may do.
        #[arg(long, value_enum)]
        role: RoleArg,
        #[command(flatten)]
        db: DatabaseArgs,
    },
    /// Disable an account: it cannot sign in and its sessions end at once.
    Disable {
        /// The account.
        name: String,
        #[command(flatten)]
        db: DatabaseArgs,
    },
    /// Enable a disabled account again.
    Enable {
        /// The account.
        name: String,
        #[command(flatten)]
        db: DatabaseArgs,
    },
    /// Change an account's password: the current one from GUARANTOR_PASSWORD (or the first line
    /// of standard input), the new one from GUARANTOR_NEW_PASSWORD (or the second line). Every
    /// session of the account ends.
    Password {
        /// The account.
        name: String,
        #[command(flatten)]
        db: DatabaseArgs,
    },
}

#[derive(Debug, Subcommand)]
enum TokenCommand {
    /// Create a token and print it (it is shown once; only its hash is stored).
    Create {
        /// Who or what will use it, e.g. a person's name or "reporting-script".
        name: String,
        /// What it may do.
        #[arg(long, value_enum)]
        role: RoleArg,
        /// Days until it stops working (1 to 3650).
        #[arg(long, default_value_t = 90)]
        expires_in_days: i64,
        #[command(flatten)]
        db: DatabaseArgs,
    },
    /// List the tokens: id, name, role, created, expires, revoked (never the secret).
    List {
        #[command(flatten)]
        db: DatabaseArgs,
    },
    /// Revoke a token by the id `token list` shows; it stops working at once.
    Revoke {
        /// The token's id (12 hexadecimal digits).
        id: String,
        #[command(flatten)]
        db: DatabaseArgs,
    },
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum RoleArg {
    /// Runs campaigns: may change everything.
    Coordinator,
    /// Reads everything, changes nothing.
    DecisionMaker,
}

impl From<RoleArg> for guarantor_store::Role {
    fn from(r: RoleArg) -> Self {
        match r {
            RoleArg::Coordinator => Self::Coordinator,
            RoleArg::DecisionMaker => Self::DecisionMaker,
        }
    }
}

#[derive(Debug, Subcommand)]
enum AuditCommand {
    /// Check the log and the stored data: no audit row edited or deleted, no stored data changed
    /// outside Guarantor, seals (with the key) and checkpoints intact. Exit 0 intact, 1 not.
    Verify {
        /// A checkpoint file written by `audit checkpoint` (repeatable): cut-off or rewritten
        /// rows are detected against it.
        #[arg(long)]
        checkpoint: Vec<PathBuf>,
        #[command(flatten)]
        db: DatabaseArgs,
    },
    /// Write a small sealed file recording the log's head now, for a second party to keep
    /// (needs the audit key).
    Checkpoint {
        /// Where to write it; standard output if omitted.
        #[arg(long)]
        out: Option<PathBuf>,
        #[command(flatten)]
        db: DatabaseArgs,
    },
    /// Write a new random audit key to a file (kept outside the database; created, never
    /// overwritten).
    Keygen {
        /// The key file to create.
        out: PathBuf,
    },
}

/// How the options engine solves.
#[derive(Debug, clap::Args)]
struct SolverArgs {
    /// Solver backend (default: highs; microlp is pure Rust and proves small campaigns only).
    #[arg(long, value_enum)]
    backend: Option<BackendArg>,
    /// Time limit per solve, seconds (more than 0, at most 3600); a solve stopped by it reports
    /// the best package found and its gap.
    #[arg(long, default_value_t = TimeLimit::DEFAULT)]
    time_limit: TimeLimit,
}

impl SolverArgs {
    fn backend(&self) -> Backend {
        match self.backend {
            None => Backend::default(),
            Some(BackendArg::Microlp) => Backend::Microlp,
            Some(BackendArg::Highs) => Backend::Highs,
        }
    }
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Check a campaign file and list every problem with its path (exit 0 valid, 1 invalid).
    Validate {
        /// Campaign file (.json, or .toml).
        file: PathBuf,
    },
    /// Print the JSON Schema of the campaign file.
    Schema,
    /// Who was asked, who answered, what is offered, and raw coverage per requirement.
    Summary {
        /// Campaign file (.json, or .toml).
        file: PathBuf,
        /// Print the summary as JSON (documented in docs/cli-json.md).
        #[arg(long)]
        json: bool,
    },
    /// The summary of the built-in demo campaign (illustrative data).
    Demo {
        /// Print the summary as JSON instead of tables.
        #[arg(long)]
        json: bool,
    },
    /// Force-package options under the campaign's negotiation scenarios.
    Options {
        /// Campaign file (.json, or .toml).
        file: PathBuf,
        /// Scenario id (default: the campaign's first scenario).
        #[arg(long, conflicts_with = "all_scenarios")]
        scenario: Option<String>,
        /// Compute every scenario and compare them side by side.
        #[arg(long)]
        all_scenarios: bool,
        /// What the first option optimises once coverage is maximised.
        #[arg(long, value_enum, default_value_t = ObjectiveArg::Cheapest)]
        objective: ObjectiveArg,
        /// Budget per year in millions of the campaign currency (caps every option; required by
        /// `--objective coverage`).
        #[arg(long)]
        budget: Option<Budget>,
        /// How many genuinely different options per scenario (1 to 10).
        #[arg(long = "options", default_value = "3")]
        count: OptionCount,
        #[command(flatten)]
        solver: SolverArgs,
        /// Skip the N−1 robustness analysis.
        #[arg(long)]
        no_robustness: bool,
        /// Print the options as JSON (documented in docs/cli-json.md).
        #[arg(long)]
        json: bool,
    },
    /// Willingness, offered totals, raw coverage with conditions, burden sharing and free-text
    /// answers side by side.
    Assess {
        /// Campaign file (.json, or .toml).
        file: PathBuf,
        /// Print the assessment as JSON (documented in docs/cli-json.md).
        #[arg(long)]
        json: bool,
    },
    /// The decision brief: summary, options, scenarios and annexes, as HTML and optionally PDF.
    Brief {
        /// Campaign file (.json, or .toml).
        file: PathBuf,
        /// Where to write the HTML brief (self-contained, printable).
        #[arg(long)]
        out: PathBuf,
        /// Also typeset the brief as PDF, here.
        #[arg(long)]
        pdf: Option<PathBuf>,
        /// How many options per scenario (1 to 10).
        #[arg(long = "options", default_value = "3")]
        count: OptionCount,
        /// The date printed on the brief, YYYY-MM-DD (default: today, UTC).
        #[arg(long)]
        date: Option<chrono::NaiveDate>,
        #[command(flatten)]
        solver: SolverArgs,
    },
    /// Store a campaign file (validated first) in the database, with all its proposals.
    Import {
        /// Campaign file (.json, or .toml).
        file: PathBuf,
        #[command(flatten)]
        db: DatabaseArgs,
    },
    /// Write a stored campaign as a campaign file (canonical JSON).
    Export {
        /// Campaign id (see `guarantor campaigns`).
        campaign: String,
        /// Where to write; standard output if omitted.
        #[arg(long)]
        out: Option<PathBuf>,
        #[command(flatten)]
        db: DatabaseArgs,
    },
    /// List the stored campaigns.
    Campaigns {
        #[command(flatten)]
        db: DatabaseArgs,
    },
    /// Serve the web app and the JSON API (docs/web.md, docs/api.md) on the database.
    Serve {
        /// Address to listen on.
        #[arg(long, default_value = "127.0.0.1:8080", env = "GUARANTOR_BIND")]
        bind: String,
        /// Load the illustrative demo campaign into a fresh database in a new temporary
        /// directory, with a sign-in for each role and an invitation link for each capital.
        #[arg(long)]
        demo: bool,
        /// Send the session cookie over plain HTTP too (for use on this machine only; behind
        /// HTTPS leave it off). Implied by --demo.
        #[arg(long)]
        insecure_cookies: bool,
        /// Requests per second one client address may make without a credential or with one
        /// that fails (bursts of twice that); beyond it the address is refused for a while.
        #[arg(long, default_value_t = 20, env = "GUARANTOR_ANONYMOUS_RATE")]
        anonymous_rate: u32,
        /// A reverse proxy whose X-Forwarded-For names the client (repeat for a chain); without
        /// one, the peer's address is the client's.
        #[arg(
            long = "trusted-proxy",
            env = "GUARANTOR_TRUSTED_PROXIES",
            value_delimiter = ','
        )]
        trusted_proxies: Vec<std::net::IpAddr>,
        #[command(flatten)]
        db: DatabaseArgs,
    },
    /// Accounts that sign in with a password (coordinators and decision makers).
    Account {
        #[command(subcommand)]
        command: AccountCommand,
    },
    /// API tokens for coordinators and decision makers.
    Token {
        #[command(subcommand)]
        command: TokenCommand,
    },
    /// The audit log: `verify` walks its hash chain (exit 0 intact, 1 broken).
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
    /// Write a campaign file in canonical JSON or in TOML (validated first).
    Convert {
        /// Campaign file to read (.json, or .toml).
        file: PathBuf,
        /// Format to write.
        #[arg(long, value_enum, default_value_t = Target::Json)]
        to: Target,
        /// Where to write; standard output if omitted.
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Write the demo campaign file, to start a campaign of your own from it.
    DemoFile {
        /// Format to write.
        #[arg(long, value_enum, default_value_t = Target::Json)]
        to: Target,
    },
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum ObjectiveArg {
    /// Lowest cost per year.
    Cheapest,
    /// Best coverage within --budget.
    Coverage,
    /// Smallest over-payment against GDP shares.
    Fairest,
    /// Smallest excess of troops over GDP shares.
    FairestTroops,
    /// Fewest troops committed.
    Footprint,
    /// Least reliance on any single respondent.
    Robust,
    /// Fewest offers resting on conditions.
    FewestConditions,
}

impl From<ObjectiveArg> for Objective {
    fn from(o: ObjectiveArg) -> Self {
        match o {
            ObjectiveArg::Cheapest => Objective::Cheapest,
            ObjectiveArg::Coverage => Objective::Coverage,
            ObjectiveArg::Fairest => Objective::Fairest,
            ObjectiveArg::FairestTroops => Objective::FairestTroops,
            ObjectiveArg::Footprint => Objective::SmallestFootprint,
            ObjectiveArg::Robust => Objective::MostRobust,
            ObjectiveArg::FewestConditions => Objective::FewestConditions,
        }
    }
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum BackendArg {
    /// Pure Rust, in every build; proves small campaigns only.
    Microlp,
    /// HiGHS, the default (absent only from a build with `--no-default-features`).
    Highs,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum Target {
    Json,
    Toml,
}

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
        Command::Validate { file } => {
            let campaign = load(&file)?;
            println!("{}: valid", file.display());
            println!("{}", render::census(&campaign));
            Ok(ExitCode::SUCCESS)
        }
        Command::Schema => {
            let schema = guarantor_domain::json_schema();
            println!("{}", serde_json::to_string_pretty(&schema)?);
            Ok(ExitCode::SUCCESS)
        }
        Command::Summary { file, json } => {
            let campaign = load(&file)?;
            print_summary(&campaign, json)?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Demo { json } => {
            let campaign = demo_campaign()?;
            print_summary(&campaign, json)?;
            if !json {
                println!();
                println!(
                    "Next: `guarantor demo-file > demo.json` writes this campaign; \
                     `guarantor options demo.json --all-scenarios` computes force-package options under each \
                     negotiation scenario; `guarantor brief demo.json --out brief.html --pdf brief.pdf` \
                     writes the decision brief; `guarantor demo-file --to toml > mine.toml`, then \
                     `guarantor validate mine.toml`, starts a campaign of your own."
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Options {
            file,
            scenario,
            all_scenarios,
            objective,
            budget,
            count,
            solver,
            no_robustness,
            json,
        } => {
            let campaign = load(&file)?;
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
            let report =
                guarantor_engine::compute_options(&campaign, &request).map_err(|e| match e {
                    OptionsError::BudgetRequired => {
                        anyhow::anyhow!("{e}: add --budget AMOUNT")
                    }
                    other => other.into(),
                })?;
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
        Command::Assess { file, json } => {
            let campaign = load(&file)?;
            let assessment = guarantor_assess::assess(&campaign);
            if json {
                println!("{}", serde_json::to_string_pretty(&assessment)?);
            } else {
                print!("{}", render::assessment(&assessment));
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Brief {
            file,
            out,
            pdf,
            count,
            date,
            solver,
        } => {
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
        Command::Import { file, db } => {
            let campaign = load(&file)?;
            runtime()?.block_on(async {
                let store = db.open().await?;
                store.import(&campaign, &cli_actor()).await?;
                println!(
                    "imported {} ({}) with {} proposals",
                    campaign.info().id,
                    campaign.info().title,
                    campaign.proposals().len()
                );
                anyhow::Ok(())
            })?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Export { campaign, out, db } => {
            let (text, head) = runtime()?.block_on(async {
                let store = db.open().await?;
                let head = store.audit_head().await?;
                anyhow::Ok((store.export(&campaign).await?.to_json(), head))
            })?;
            match out {
                Some(path) => write_whole(&path, text.as_bytes())?,
                None => print!("{text}"),
            }
            // On standard error, so the file stays the campaign file byte for byte.
            eprintln!("exported at audit log {head}");
            Ok(ExitCode::SUCCESS)
        }
        Command::Campaigns { db } => {
            let listing =
                runtime()?.block_on(async { anyhow::Ok(db.open().await?.campaigns().await?) })?;
            if listing.is_empty() {
                println!("no campaigns stored; `guarantor import FILE` stores one");
            }
            for c in listing {
                println!(
                    "{}\t{}\tversion {}\tchanged {}",
                    c.id, c.title, c.version, c.updated_at
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Serve {
            bind,
            demo,
            insecure_cookies,
            anonymous_rate,
            trusted_proxies,
            db,
        } => {
            let rt = tokio::runtime::Builder::new_multi_thread()
                .enable_all()
                .build()
                .context("cannot start the async runtime")?;
            rt.block_on(async {
                let listener = tokio::net::TcpListener::bind(&bind)
                    .await
                    .with_context(|| format!("cannot listen on {bind}"))?;
                let url = format!("http://{}", listener.local_addr()?);
                let store = if demo {
                    demo_store(&url).await?
                } else {
                    db.open().await?
                };
                let config = guarantor_server::Config {
                    pdf: Some(std::sync::Arc::new(|brief: &guarantor_assess::Brief| {
                        let today = chrono::Utc::now().date_naive();
                        typeset_brief(brief, today)
                            .map(|t| t.pdf)
                            .map_err(|e| e.to_string())
                    })),
                    secure_cookies: !(demo || insecure_cookies),
                    anonymous_requests_per_second: anonymous_rate,
                    trusted_proxies,
                    ..guarantor_server::Config::default()
                };
                println!("Guarantor listening on {url} (web app at /, JSON API at /api)");
                guarantor_server::serve(listener, store, config).await?;
                anyhow::Ok(())
            })?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Account {
            command: AccountCommand::Create { name, role, db },
        } => {
            let password = match std::env::var("GUARANTOR_PASSWORD") {
                Ok(p) => p,
                Err(_) => {
                    eprintln!("password for {name} (at least 12 characters), then Enter:");
                    let mut line = String::new();
                    std::io::stdin()
                        .read_line(&mut line)
                        .context("cannot read the password from standard input")?;
                    line.trim_end_matches(['\r', '\n']).to_owned()
                }
            };
            let role = role.into();
            runtime()?.block_on(async {
                db.open()
                    .await?
                    .create_account(&name, role, &password, &cli_actor(), chrono::Utc::now())
                    .await?;
                anyhow::Ok(())
            })?;
            println!("created the {} account {name}", role.as_str());
            Ok(ExitCode::SUCCESS)
        }
        Command::Token {
            command:
                TokenCommand::Create {
                    name,
                    role,
                    expires_in_days,
                    db,
                },
        } => {
            let role = role.into();
            let token = runtime()?.block_on(async {
                let store = db.open().await?;
                anyhow::Ok(
                    store
                        .create_api_token_for(
                            &name,
                            role,
                            expires_in_days,
                            &cli_actor(),
                            chrono::Utc::now(),
                        )
                        .await?,
                )
            })?;
            println!("{token}");
            eprintln!(
                "created a {} token for {name}, valid {expires_in_days} days; it is shown once: keep it now",
                role.as_str()
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Token {
            command: TokenCommand::List { db },
        } => {
            let tokens =
                runtime()?.block_on(async { anyhow::Ok(db.open().await?.api_tokens().await?) })?;
            if tokens.is_empty() {
                println!("no API tokens; `guarantor token create NAME --role ROLE` makes one");
            }
            for t in tokens {
                let state = match (&t.revoked_at, &t.expires_at) {
                    (Some(r), _) => format!("revoked {r}"),
                    (None, Some(e)) => format!("expires {e}"),
                    (None, None) => "never expires (made before tokens expired)".to_owned(),
                };
                println!(
                    "{}\t{}\t{}\tcreated {}\t{state}",
                    t.id,
                    t.name,
                    t.role.as_str(),
                    t.created_at
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Token {
            command: TokenCommand::Revoke { id, db },
        } => {
            let revoked = runtime()?.block_on(async {
                anyhow::Ok(
                    db.open()
                        .await?
                        .revoke_api_token(&id, &cli_actor(), chrono::Utc::now())
                        .await?,
                )
            })?;
            if revoked {
                println!("revoked token {id}");
                Ok(ExitCode::SUCCESS)
            } else {
                eprintln!("error: no live token has the id {id} (see `guarantor token list`)");
                Ok(ExitCode::from(2))
            }
        }
        Command::Account {
            command: AccountCommand::Disable { name, db },
        } => {
            runtime()?.block_on(async {
                db.open()
                    .await?
                    .set_account_disabled(&name, true, &cli_actor(), chrono::Utc::now())
                    .await?;
                anyhow::Ok(())
            })?;
            println!("disabled the account {name}; its sessions have ended");
            Ok(ExitCode::SUCCESS)
        }
        Command::Account {
            command: AccountCommand::Enable { name, db },
        } => {
            runtime()?.block_on(async {
                db.open()
                    .await?
                    .set_account_disabled(&name, false, &cli_actor(), chrono::Utc::now())
                    .await?;
                anyhow::Ok(())
            })?;
            println!("enabled the account {name}");
            Ok(ExitCode::SUCCESS)
        }
        Command::Account {
            command: AccountCommand::Password { name, db },
        } => {
            let mut lines = std::io::stdin().lines();
            let mut secret = |var: &str, what: &str| -> anyhow::Result<String> {
                if let Ok(v) = std::env::var(var) {
                    return Ok(v);
                }
                eprintln!("{what} for {name}, then Enter:");
                Ok(lines
                    .next()
                    .transpose()
                    .context("cannot read standard input")?
                    .unwrap_or_default())
            };
            let current = secret("GUARANTOR_PASSWORD", "current password")?;
            let new = secret(
                "GUARANTOR_NEW_PASSWORD",
                "new password (at least 12 characters)",
            )?;
            runtime()?.block_on(async {
                db.open()
                    .await?
                    .change_password(&name, &current, &new, chrono::Utc::now())
                    .await?;
                anyhow::Ok(())
            })?;
            println!("changed the password of {name}; its sessions have ended");
            Ok(ExitCode::SUCCESS)
        }
        Command::Audit {
            command: AuditCommand::Verify { checkpoint, db },
        } => {
            let checkpoints = checkpoint
                .iter()
                .map(|path| {
                    let text = std::fs::read_to_string(path)
                        .with_context(|| format!("cannot read {}", path.display()))?;
                    serde_json::from_str::<guarantor_store::Checkpoint>(&text).with_context(|| {
                        format!("{} is not an audit checkpoint file", path.display())
                    })
                })
                .collect::<anyhow::Result<Vec<_>>>()?;
            let report = runtime()?.block_on(async {
                anyhow::Ok(db.open().await?.verify_audit_against(&checkpoints).await?)
            })?;
            for u in &report.unchecked {
                eprintln!("note: {u}");
            }
            if report.intact() {
                println!(
                    "audit log and stored data intact: {} entries; head {}",
                    report.entries, report.head
                );
                if checkpoint.is_empty() {
                    println!(
                        "(keep checkpoints elsewhere, `guarantor audit checkpoint`: cutting off the newest entries can only be detected against one)"
                    );
                }
                Ok(ExitCode::SUCCESS)
            } else {
                eprintln!(
                    "error: the audit log was tampered with ({} problem{}):",
                    report.problems.len(),
                    if report.problems.len() == 1 { "" } else { "s" }
                );
                for p in &report.problems {
                    eprintln!("  {p}");
                }
                Ok(ExitCode::from(EXIT_INVALID))
            }
        }
        Command::Audit {
            command: AuditCommand::Checkpoint { out, db },
        } => {
            let checkpoint = runtime()?
                .block_on(async { anyhow::Ok(db.open().await?.audit_checkpoint().await?) })?
                .context(
                    "a checkpoint is sealed with the audit key: pass --audit-key-file (or set GUARANTOR_AUDIT_KEY_FILE)",
                )?;
            let text = format!("{}\n", serde_json::to_string_pretty(&checkpoint)?);
            match out {
                Some(path) => std::fs::write(&path, text)
                    .with_context(|| format!("cannot write {}", path.display()))?,
                None => print!("{text}"),
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Audit {
            command: AuditCommand::Keygen { out },
        } => {
            use std::io::Write as _;
            let mut options = std::fs::OpenOptions::new();
            options.write(true).create_new(true);
            #[cfg(unix)]
            std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
            let mut file = options.open(&out).with_context(|| {
                format!(
                    "cannot create {} (an existing key is never overwritten)",
                    out.display()
                )
            })?;
            file.write_all(guarantor_store::AuditKey::generate().as_bytes())
                .with_context(|| format!("cannot write {}", out.display()))?;
            println!(
                "audit key written to {}: keep it outside the database and pass it with --audit-key-file or GUARANTOR_AUDIT_KEY_FILE",
                out.display()
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Convert { file, to, out } => {
            let campaign = load(&file)?;
            let text = write_as(&campaign, to)?;
            match out {
                Some(path) => std::fs::write(&path, text)
                    .with_context(|| format!("cannot write {}", path.display()))?,
                None => print!("{text}"),
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::DemoFile { to } => {
            print!("{}", write_as(&demo_campaign()?, to)?);
            Ok(ExitCode::SUCCESS)
        }
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
            generated_on: on,
        });
        brief.audit_head = Some("row 7, hash abc123".into());
        assert!(brief.to_html().contains("Audit log at row 7, hash abc123."));
        let pdf = typeset_brief(&brief, on).expect("typesets");
        assert!(pdf.pdf.starts_with(b"%PDF-"));
    }
}
