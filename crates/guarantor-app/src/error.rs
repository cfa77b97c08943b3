//! The application's errors: what went wrong, as a kind every front end maps once (the API to a
//! status and a code, the pages to a status and a page, the CLI to an exit code), with the
//! message a person can act on and, for validation, every problem with its path.

use guarantor_domain::LoadError;
use guarantor_engine::engage::EngageError;
use guarantor_engine::options::OptionsError;
use guarantor_store::StoreError;

/// What kind of failure: the front ends decide what each means on their side.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorKind {
    /// No such thing, or one the caller may not see (a capital is never told which).
    NotFound,
    /// No credential, or one that is unknown, revoked or expired.
    Unauthenticated,
    /// A known caller asking for something its role does not allow.
    Forbidden,
    /// The input could not be read at all (syntax, encoding, shape).
    Malformed,
    /// The input was read but breaks a rule; `problems` lists every one.
    Invalid,
    /// The caller's copy is out of date: someone else changed it since (`current_version`).
    Conflict,
    /// The action does not apply in the current state (nothing to submit, no such token).
    WrongState,
    /// The campaign's deadline has passed.
    DeadlinePassed,
    /// The coordinator closed the campaign to submissions.
    SubmissionsClosed,
    /// Something with that name exists already.
    Exists,
    /// A wrong name or password.
    BadCredentials,
    /// Too many attempts: retry after `retry_after` seconds.
    TooManyAttempts,
    /// This build or deployment cannot do it (e.g. PDF without the typesetter).
    Unavailable,
    /// A fault of the server or its database; the details are in the log.
    Internal,
}

impl ErrorKind {
    /// The stable code clients may match on (docs/api.md lists them).
    pub fn code(self) -> &'static str {
        match self {
            Self::NotFound => "not_found",
            Self::Unauthenticated => "unauthenticated",
            Self::Forbidden => "forbidden",
            Self::Malformed => "malformed",
            Self::Invalid => "invalid",
            Self::Conflict => "conflict",
            Self::WrongState => "wrong_state",
            Self::DeadlinePassed => "deadline_passed",
            Self::SubmissionsClosed => "submissions_closed",
            Self::Exists => "exists",
            Self::BadCredentials => "bad_credentials",
            Self::TooManyAttempts => "too_many_attempts",
            Self::Unavailable => "not_implemented",
            Self::Internal => "internal",
        }
    }
}

/// An error of the application, for any front end.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{message}")]
pub struct AppError {
    /// What kind.
    pub kind: ErrorKind,
    /// In words a user can act on.
    pub message: String,
    /// Every problem, with its path, for `Invalid`.
    pub problems: Vec<String>,
    /// The version stored now, for `Conflict`.
    pub current_version: Option<i64>,
    /// Seconds to wait, for `TooManyAttempts`.
    pub retry_after: Option<i64>,
}

/// The application's results.
pub type AppResult<T> = Result<T, AppError>;

impl AppError {
    /// An error of `kind` with `message`.
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Self {
            kind,
            message: message.into(),
            problems: Vec::new(),
            current_version: None,
            retry_after: None,
        }
    }

    /// Anything the caller may not see looks as if it did not exist.
    pub fn not_found() -> Self {
        Self::new(ErrorKind::NotFound, "no such resource")
    }

    /// A known caller whose role does not allow it.
    pub fn forbidden(why: impl Into<String>) -> Self {
        Self::new(ErrorKind::Forbidden, why)
    }

    /// One field is wrong.
    pub fn invalid_field(field: &str, problem: &str) -> Self {
        let mut e = Self::new(ErrorKind::Invalid, format!("{field}: {problem}"));
        e.problems.push(format!("{field}: {problem}"));
        e
    }

    /// A fault; `detail` goes to the log, not to the user.
    pub fn internal(detail: &str) -> Self {
        tracing::error!(detail, "internal error");
        Self::new(
            ErrorKind::Internal,
            "the server failed; the details are in its log",
        )
    }
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        let message = e.to_string();
        match e {
            StoreError::NoSuchCampaign { .. }
            | StoreError::NoSuchRespondent { .. }
            | StoreError::NoSuchAccount(_) => Self::not_found(),
            // Only those who may see the campaign's what-ifs get this far: the ids are theirs.
            StoreError::NoSuchWhatIf { .. } => Self::new(ErrorKind::NotFound, message),
            StoreError::NoSuchAsk { .. } | StoreError::NoSuchPledge { .. } => Self::not_found(),
            StoreError::AskRefused(_) => Self::new(ErrorKind::WrongState, message),
            StoreError::Conflict { current, .. } | StoreError::CampaignChanged { current, .. } => {
                let mut err = Self::new(ErrorKind::Conflict, message);
                err.current_version = Some(current);
                err
            }
            StoreError::Invalid { problems } => {
                let mut err = Self::new(
                    ErrorKind::Invalid,
                    format!(
                        "the change is invalid ({} problem{}); nothing was stored",
                        problems.len(),
                        if problems.len() == 1 { "" } else { "s" }
                    ),
                );
                err.problems = problems;
                err
            }
            StoreError::DeadlinePassed { .. } => Self::new(ErrorKind::DeadlinePassed, message),
            StoreError::SubmissionsClosed => Self::new(ErrorKind::SubmissionsClosed, message),
            StoreError::NothingToSubmit(_) | StoreError::NothingToWithdraw(_) => {
                Self::new(ErrorKind::WrongState, message)
            }
            StoreError::CampaignExists(_) | StoreError::AccountExists(_) => {
                Self::new(ErrorKind::Exists, message)
            }
            StoreError::BadCredentials => Self::new(ErrorKind::BadCredentials, message),
            StoreError::TooManyAttempts {
                retry_after_seconds,
            } => {
                let mut err = Self::new(ErrorKind::TooManyAttempts, message);
                err.retry_after = Some(retry_after_seconds);
                err
            }
            StoreError::UnsupportedUrl(_)
            | StoreError::Open { .. }
            | StoreError::Migrate(_)
            | StoreError::Database(_)
            | StoreError::Corrupt { .. } => Self::internal(&message),
        }
    }
}

impl From<LoadError> for AppError {
    fn from(e: LoadError) -> Self {
        match e {
            LoadError::Invalid(problems) => {
                let mut err = Self::new(
                    ErrorKind::Invalid,
                    format!("the campaign is invalid ({} problems)", problems.len()),
                );
                err.problems = problems.iter().map(ToString::to_string).collect();
                err
            }
            other => Self::new(ErrorKind::Malformed, other.to_string()),
        }
    }
}

impl From<EngageError> for AppError {
    fn from(e: EngageError) -> Self {
        match e {
            EngageError::UnknownPosture(..) => Self::new(ErrorKind::Invalid, e.to_string()),
            EngageError::Options(o) => o.into(),
        }
    }
}

impl From<OptionsError> for AppError {
    fn from(e: OptionsError) -> Self {
        match e {
            OptionsError::UnknownScenario(..) | OptionsError::BudgetRequired => {
                Self::new(ErrorKind::Invalid, e.to_string())
            }
            OptionsError::Solve(_) | OptionsError::Scenario { .. } => {
                Self::internal(&format!("options: {e}"))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stale_version_is_a_conflict_that_names_the_current_one() {
        let e = AppError::from(StoreError::Conflict {
            respondent: "FRA".into(),
            expected: 2,
            current: 5,
            last_change: None,
        });
        assert_eq!(e.kind, ErrorKind::Conflict);
        assert_eq!(e.current_version, Some(5));
        assert_eq!(e.kind.code(), "conflict");
    }

    #[test]
    fn a_capital_is_not_told_whether_a_campaign_exists() {
        let e = AppError::from(StoreError::NoSuchCampaign {
            id: "secret".into(),
            stored: "a, b".into(),
        });
        assert_eq!(e.kind, ErrorKind::NotFound);
        assert!(!e.message.contains("secret"), "{}", e.message);
    }

    #[test]
    fn every_problem_of_an_invalid_change_is_kept() {
        let e = AppError::from(StoreError::Invalid {
            problems: vec!["a: bad".into(), "b: worse".into()],
        });
        assert_eq!(e.kind, ErrorKind::Invalid);
        assert_eq!(e.problems.len(), 2);
        assert!(e.message.contains("2 problems"), "{}", e.message);
    }
}
