//! The command line's arguments: every flag is read into a checked type here (clap names the
//! flag in any error), and the commands receive them as given.

use std::path::PathBuf;

use anyhow::Context;
use clap::{Parser, Subcommand, ValueEnum};
use guarantor_engine::engage::CandidateCount;
use guarantor_engine::options::{Backend, Budget, Objective, OptionCount, TimeLimit};

/// Collects allied capitals' proposals for a security guarantee and measures them against a
/// statement of requirements.
#[derive(Debug, Parser)]
#[command(name = "guarantor", version, about, long_about = None)]
pub(crate) struct Cli {
    #[command(subcommand)]
    pub(crate) command: Command,
}

/// Which database to use.
#[derive(Debug, clap::Args)]
pub(crate) struct DatabaseArgs {
    /// Database URL: sqlite://PATH or postgres://USER:PASSWORD@HOST/DB (default: a SQLite file
    /// in the data directory).
    #[arg(long, env = "GUARANTOR_DATABASE_URL", hide_env_values = true)]
    pub(crate) database: Option<String>,
    /// Directory for the embedded database.
    #[arg(long, env = "GUARANTOR_DATA_DIR", default_value = "guarantor-data")]
    pub(crate) data_dir: PathBuf,
    /// File holding the audit key (`guarantor audit keygen`), kept outside the database: every
    /// audit row written is sealed with it, and `audit verify` checks the seals.
    #[arg(long, env = "GUARANTOR_AUDIT_KEY_FILE")]
    pub(crate) audit_key_file: Option<PathBuf>,
}

impl DatabaseArgs {
    /// Opens the store, creating the data directory for the embedded database if needed.
    pub(crate) async fn open(&self) -> anyhow::Result<guarantor_store::Store> {
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
pub(crate) enum AccountCommand {
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
pub(crate) enum TokenCommand {
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
pub(crate) enum RoleArg {
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
pub(crate) enum AuditCommand {
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
pub(crate) struct SolverArgs {
    /// Solver backend (default: highs; microlp is pure Rust and proves small campaigns only).
    #[arg(long, value_enum)]
    pub(crate) backend: Option<BackendArg>,
    /// Time limit per solve, seconds (more than 0, at most 3600); a solve stopped by it reports
    /// the best package found and its gap.
    #[arg(long, default_value_t = TimeLimit::DEFAULT)]
    pub(crate) time_limit: TimeLimit,
}

impl SolverArgs {
    pub(crate) fn backend(&self) -> Backend {
        match self.backend {
            None => Backend::default(),
            Some(BackendArg::Microlp) => Backend::Microlp,
            Some(BackendArg::Highs) => Backend::Highs,
        }
    }
}

#[derive(Debug, Subcommand)]
pub(crate) enum Command {
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
    Options(OptionsArgs),
    /// The engagement plan: per gap the capitals to ask and why, each ask valued by
    /// re-optimising with it added, and the envoy's visit list.
    Engage(EngageArgs),
    /// The plan that stands: each pledge with where it stands (accepted, confirmed at a
    /// readiness level, verified, delivered; declined, withdrawn, released) and coverage of each
    /// requirement line at each level.
    Plan {
        /// Campaign file (.json, or .toml).
        file: PathBuf,
        /// Print the plan as JSON (as `GET /api/campaigns/{campaign}/plan`).
        #[arg(long)]
        json: bool,
    },
    /// The follow-up asks sent to capitals, each with where it stands now (open, partly
    /// answered, answered, declined, expired, withdrawn).
    Asks {
        /// Campaign file (.json, or .toml).
        file: PathBuf,
        /// Print the asks as JSON (as `GET /api/campaigns/{campaign}/asks`).
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

/// `guarantor options`: the campaign, the scenarios, the objective and how to solve.
#[derive(Debug, clap::Args)]
pub(crate) struct OptionsArgs {
    /// Campaign file (.json, or .toml).
    pub(crate) file: PathBuf,
    /// Scenario id (default: the campaign's first scenario).
    #[arg(long, conflicts_with = "all_scenarios")]
    pub(crate) scenario: Option<String>,
    /// Compute every scenario and compare them side by side.
    #[arg(long)]
    pub(crate) all_scenarios: bool,
    /// What the first option optimises once coverage is maximised.
    #[arg(long, value_enum, default_value_t = ObjectiveArg::Cheapest)]
    pub(crate) objective: ObjectiveArg,
    /// Budget per year in millions of the campaign currency (caps every option; required by
    /// `--objective coverage`).
    #[arg(long)]
    pub(crate) budget: Option<Budget>,
    /// How many genuinely different options per scenario (1 to 10).
    #[arg(long = "options", default_value = "3")]
    pub(crate) count: OptionCount,
    #[command(flatten)]
    pub(crate) solver: SolverArgs,
    /// Skip the N−1 robustness analysis.
    #[arg(long)]
    pub(crate) no_robustness: bool,
    /// Compute under the campaign's saved what-if with this id (hypothetical offers added, real
    /// ones taken away; no proposal changes).
    #[arg(long = "what-if")]
    pub(crate) what_if: Option<String>,
    /// Print the options as JSON (documented in docs/cli-json.md).
    #[arg(long)]
    pub(crate) json: bool,
}

/// `guarantor engage`: the campaign, the scenarios, the posture and how to solve.
#[derive(Debug, clap::Args)]
pub(crate) struct EngageArgs {
    /// Campaign file (.json, or .toml).
    pub(crate) file: PathBuf,
    /// Scenario id (default: the campaign's first scenario).
    #[arg(long, conflicts_with = "all_scenarios")]
    pub(crate) scenario: Option<String>,
    /// Plan under every scenario.
    #[arg(long)]
    pub(crate) all_scenarios: bool,
    /// Measure the gaps against this force posture's requirements (default: the campaign's own
    /// statement of requirements).
    #[arg(long)]
    pub(crate) posture: Option<String>,
    /// Candidate capitals valued per gap (1 to 12).
    #[arg(long, default_value = "4", value_parser = parse_candidates)]
    pub(crate) candidates: CandidateCount,
    /// Plan under the campaign's saved what-if with this id.
    #[arg(long = "what-if")]
    pub(crate) what_if: Option<String>,
    #[command(flatten)]
    pub(crate) solver: SolverArgs,
    /// Print the plan as JSON (documented in docs/cli-json.md).
    #[arg(long)]
    pub(crate) json: bool,
}

fn parse_candidates(raw: &str) -> Result<CandidateCount, String> {
    let n: usize = raw
        .parse()
        .map_err(|_| format!("\"{raw}\" is not a whole number"))?;
    CandidateCount::new(n)
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub(crate) enum ObjectiveArg {
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
pub(crate) enum BackendArg {
    /// Pure Rust, in every build; proves small campaigns only.
    Microlp,
    /// HiGHS, the default (absent only from a build with `--no-default-features`).
    Highs,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub(crate) enum Target {
    Json,
    Toml,
}
