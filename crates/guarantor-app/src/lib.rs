//! Guarantor's application layer: the one API every front end calls. The CLI, the JSON API and
//! the web pages parse their input into the checked types of the domain and of this crate, call
//! an [`App`] operation on behalf of a [`Principal`], and map its [`AppError`] in one place each.
//!
//! It owns the store handle, the access policy ([`policy`]), the options cache, the brief
//! pipeline ([`brief`]) and demo seeding ([`demo`]). It knows nothing of HTTP, HTML or
//! terminals.

pub mod asks;
pub mod brief;
pub mod demo;
pub mod error;
pub mod plans;
pub mod policy;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Utc};
use guarantor_assess::{Assessment, Brief};
use guarantor_domain::document::WhatIfDoc;
use guarantor_domain::{Campaign, CampaignDocument};
use guarantor_engine::OptionsReport;
use guarantor_engine::engage::{EngageRequest, EngagementReport};
use guarantor_engine::options::ScenarioChoice;
pub use guarantor_store::{
    AccountListing, ApiTokenListing, AuditAction, AuditEntry, AuditReport, CampaignListing,
    DraftContent, Invitation, Principal, ProposalState, Role, Session, Store, StoreError,
    Submissions, TOKEN_DAYS, request_scope,
};

pub use asks::{AskRequest, AskView};
pub use error::{AppError, AppResult, ErrorKind};
pub use plans::{AdoptRequest, PlanView, PledgeView};
use policy::authorise;
pub use policy::{Action, Decision};

/// Days an invitation may be valid, at most.
pub const MAX_INVITATION_DAYS: u32 = 365;

/// Reports computed from a campaign, keyed by what they were asked for, each with the campaign
/// version it was computed from.
type Cache<K, T> = Mutex<HashMap<K, (i64, Arc<T>)>>;

/// What an engagement plan is made for: a scenario (`None`: the campaign's first) and a force
/// posture (`None`: the campaign's own statement of requirements).
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct EngagementChoice {
    /// Scenario id.
    pub scenario: Option<String>,
    /// Posture id.
    pub posture: Option<String>,
    /// A saved what-if to plan under (`None`: the offers as they are).
    pub what_if: Option<String>,
}

/// Guarantor, as every front end sees it.
#[derive(Debug)]
pub struct App {
    store: Store,
    options: Cache<String, OptionsReport>,
    options_under: Cache<(String, String), OptionsReport>,
    engagement: Cache<(String, EngagementChoice), EngagementReport>,
}

/// A campaign as read, with the version and audit head it was read at.
#[derive(Debug, Clone)]
pub struct CampaignRead {
    /// The campaign's version (its ETag), read before the campaign: never newer than the data.
    pub version: i64,
    /// Whether capitals may submit (with the deadline).
    pub submissions: Submissions,
    /// The audit log's head when it was read.
    pub audit_head: String,
    /// The campaign.
    pub campaign: Campaign,
}

/// A credential just issued: shown once, stored only as its hash.
#[derive(Debug, Clone)]
pub struct Issued {
    /// The secret.
    pub token: String,
    /// When it stops working.
    pub expires_at: DateTime<Utc>,
}

impl App {
    /// The application on `store`.
    pub fn new(store: Store) -> Self {
        Self {
            store,
            options: Mutex::new(HashMap::new()),
            options_under: Mutex::new(HashMap::new()),
            engagement: Mutex::new(HashMap::new()),
        }
    }

    /// The store, for the operator's own commands (the CLI holds the database itself, so no
    /// principal applies) and for tests.
    pub fn store(&self) -> &Store {
        &self.store
    }

    // ---- credentials -------------------------------------------------------------------

    /// Who holds `token` (an API token, a session or an invitation), if anyone.
    pub async fn authenticate(&self, token: &str) -> AppResult<Option<Principal>> {
        Ok(self.store.authenticate(token, Utc::now()).await?)
    }

    /// Signs an account in.
    pub async fn login(&self, name: &str, password: &str) -> AppResult<Session> {
        Ok(self.store.login(name, password, Utc::now()).await?)
    }

    /// Ends the session `token`; `false` if it is not a session.
    pub async fn logout(&self, token: &str) -> AppResult<bool> {
        Ok(self.store.logout(token, Utc::now()).await?)
    }

    // ---- campaigns ---------------------------------------------------------------------

    /// The stored campaigns.
    pub async fn campaigns(&self, who: &Principal) -> AppResult<Vec<CampaignListing>> {
        authorise(who, Action::ListCampaigns)?;
        Ok(self.store.campaigns().await?)
    }

    /// Stores a new campaign.
    pub async fn import(&self, who: &Principal, campaign: &Campaign) -> AppResult<()> {
        authorise(who, Action::Coordinate)?;
        Ok(self.store.import(campaign, &who.actor()).await?)
    }

    /// A campaign whole, with its version and the audit head.
    pub async fn campaign(&self, who: &Principal, id: &str) -> AppResult<CampaignRead> {
        authorise(who, Action::ReadCampaign)?;
        // The version first: the version never claims data newer than what is read.
        let state = self.store.campaign_state(id).await?;
        let audit_head = self.store.audit_head().await?;
        let campaign = self.store.export(id).await?;
        Ok(CampaignRead {
            version: state.version,
            submissions: state.submissions,
            audit_head,
            campaign,
        })
    }

    /// Replaces a campaign's setup (everything but the proposals); `expected` is the version
    /// the coordinator read. Returns the new version.
    pub async fn update_setup(
        &self,
        who: &Principal,
        id: &str,
        expected: i64,
        setup: CampaignDocument,
    ) -> AppResult<i64> {
        authorise(who, Action::Coordinate)?;
        if !setup.proposals.is_empty() {
            return Err(AppError::invalid_field(
                "proposals",
                "the setup holds no proposals: capitals change theirs through their proposal",
            ));
        }
        Ok(self
            .store
            .update_setup(id, expected, setup, &who.actor(), Utc::now())
            .await?)
    }

    /// The problems the campaign's rules find in a setup with the proposals already received,
    /// without saving it: a setup form that could not be read whole shows them beside its own,
    /// every problem at once.
    pub async fn check_setup(
        &self,
        who: &Principal,
        id: &str,
        setup: &CampaignDocument,
    ) -> AppResult<Vec<String>> {
        authorise(who, Action::Coordinate)?;
        let mut whole = setup.clone();
        whole.proposals = self.store.export(id).await?.to_document().proposals;
        Ok(guarantor_domain::validate(&whole)
            .err()
            .map_or_else(Vec::new, |problems| {
                problems.iter().map(ToString::to_string).collect()
            }))
    }

    /// What the campaign asks the capitals (the document; the caller keeps what it shows) and
    /// whether they may submit.
    pub async fn questionnaire(
        &self,
        who: &Principal,
        id: &str,
    ) -> AppResult<(CampaignDocument, Submissions)> {
        authorise(who, Action::ReadQuestionnaire { campaign: id })?;
        let submissions = self.store.campaign_state(id).await?.submissions;
        Ok((self.store.export(id).await?.to_document(), submissions))
    }

    /// The campaign's invitations (state only, never tokens).
    pub async fn invitations(&self, who: &Principal, id: &str) -> AppResult<Vec<Invitation>> {
        authorise(who, Action::ReadCampaign)?;
        // An unknown campaign is "not found", not an empty list.
        self.store.campaign_state(id).await?;
        Ok(self.store.invitations(id).await?)
    }

    /// Reopens (`Reopened`) or closes (`Closed`) a campaign to submissions, whatever its
    /// deadline, or returns it to its deadline (`ByDeadline`); drafts may always be saved.
    pub async fn set_submissions(
        &self,
        who: &Principal,
        id: &str,
        to: Submissions,
    ) -> AppResult<()> {
        authorise(who, Action::Coordinate)?;
        Ok(self
            .store
            .set_submissions(id, to, &who.actor(), Utc::now())
            .await?)
    }

    /// Invites a capital (a new link; any earlier one of that capital stops working).
    pub async fn invite(
        &self,
        who: &Principal,
        id: &str,
        respondent: &str,
        days: u32,
    ) -> AppResult<Issued> {
        authorise(who, Action::Coordinate)?;
        if !(1..=MAX_INVITATION_DAYS).contains(&days) {
            return Err(AppError::invalid_field(
                "expires_in_days",
                &format!("must be 1 to {MAX_INVITATION_DAYS} days (got {days})"),
            ));
        }
        let now = Utc::now();
        let expires_at = now + chrono::Duration::days(i64::from(days));
        let token = self
            .store
            .invite(id, respondent, expires_at, &who.actor(), now)
            .await?;
        Ok(Issued { token, expires_at })
    }

    /// Revokes a capital's invitation; "not found" if it has none in force.
    pub async fn revoke_invitation(
        &self,
        who: &Principal,
        id: &str,
        respondent: &str,
    ) -> AppResult<()> {
        authorise(who, Action::Coordinate)?;
        found(
            self.store
                .revoke_invitation(id, respondent, &who.actor(), Utc::now())
                .await?,
        )
    }

    // ---- proposals ---------------------------------------------------------------------

    /// A capital's proposal (draft, revisions, withdrawal) and its version.
    pub async fn proposal(
        &self,
        who: &Principal,
        id: &str,
        respondent: &str,
    ) -> AppResult<ProposalState> {
        authorise(who, Action::read(id, respondent))?;
        Ok(self.store.proposal(id, respondent).await?)
    }

    /// A capital's proposal with the campaign it answers, read together, and whether the
    /// campaign was reopened: what a page showing the proposal against its questionnaire needs.
    pub async fn proposal_in_campaign(
        &self,
        who: &Principal,
        id: &str,
        respondent: &str,
    ) -> AppResult<(ProposalState, CampaignDocument, Submissions)> {
        authorise(who, Action::read(id, respondent))?;
        Ok(self.store.proposal_in_campaign(id, respondent).await?)
    }

    /// Saves a capital's draft; `expected` is the version the caller read.
    pub async fn save_draft(
        &self,
        who: &Principal,
        id: &str,
        respondent: &str,
        expected: i64,
        content: DraftContent,
    ) -> AppResult<ProposalState> {
        authorise(who, Action::change(id, respondent))?;
        Ok(self
            .store
            .save_draft(id, respondent, expected, content, &who.actor(), Utc::now())
            .await?)
    }

    /// Saves a draft made from version `base` of the proposal, as a workbook is (it records
    /// the version it was made from). If the proposal changed since only by drafts the same
    /// person saved (their earlier uploads or form saves), this draft replaces them; any other
    /// change refuses it (`Conflict`) with what changed since, in words.
    pub async fn save_draft_from(
        &self,
        who: &Principal,
        id: &str,
        respondent: &str,
        base: i64,
        content: DraftContent,
    ) -> AppResult<ProposalState> {
        let err = match self
            .save_draft(who, id, respondent, base, content.clone())
            .await
        {
            Err(e) if e.kind == ErrorKind::Conflict => e,
            other => return other,
        };
        let Some(current) = err.current_version.filter(|c| *c > base && base >= 0) else {
            return Err(err);
        };
        let since = self
            .store
            .proposal_history(id, respondent, current - base)
            .await?;
        let actor = who.actor();
        let own_drafts = i64::try_from(since.len()).is_ok_and(|n| n == current - base)
            && since.iter().all(|e| {
                e.actor == actor
                    && AuditAction::parse(&e.action) == Some(AuditAction::ProposalDraft)
            });
        if own_drafts {
            return self.save_draft(who, id, respondent, current, content).await;
        }
        let changes: Vec<String> = since
            .iter()
            .rev()
            .map(|e| {
                let what: &str = match AuditAction::parse(&e.action) {
                    Some(a) => a.in_words(),
                    None => &e.action,
                };
                let when = guarantor_domain::format::to_the_minute(&e.at);
                format!(
                    "{} {what} on {when}",
                    if e.actor == actor {
                        "you"
                    } else {
                        e.actor.as_str()
                    }
                )
            })
            .collect();
        let mut refused = AppError::new(
            ErrorKind::Conflict,
            format!(
                "Your copy was made from version {base} of the proposal; it has changed since ({}).",
                if changes.is_empty() {
                    format!("it is now version {current}")
                } else {
                    changes.join("; ")
                }
            ),
        );
        refused.current_version = Some(current);
        Err(refused)
    }

    /// The problems the campaign's rules find in a draft, without saving it: a form or
    /// workbook that could not be read whole shows them beside its own, every problem at once.
    pub async fn check_draft(
        &self,
        who: &Principal,
        id: &str,
        respondent: &str,
        content: &DraftContent,
    ) -> AppResult<Vec<String>> {
        authorise(who, Action::change(id, respondent))?;
        let (state, setup, _) = self.store.proposal_in_campaign(id, respondent).await?;
        let mut proposal = std::sync::Arc::unwrap_or_clone(state.proposal);
        proposal.draft = Some(guarantor_domain::document::DraftDoc {
            updated_at: Utc::now(),
            updated_by: who.actor(),
            offers: content.offers.clone(),
            answers: content.answers.clone(),
        });
        // A draft counts nowhere, so no other capital's conditions can form a cycle with it.
        let checked = guarantor_domain::validate_proposal_change(
            &guarantor_domain::SetupIndex::of(&setup),
            0,
            &proposal,
            &guarantor_domain::CommitConditions::new(),
        );
        Ok(checked.err().map_or_else(Vec::new, |problems| {
            problems.iter().map(ToString::to_string).collect()
        }))
    }

    /// Submits a capital's draft as its next revision.
    pub async fn submit(
        &self,
        who: &Principal,
        id: &str,
        respondent: &str,
        expected: i64,
        note: &str,
    ) -> AppResult<ProposalState> {
        authorise(who, Action::change(id, respondent))?;
        Ok(self
            .store
            .submit(id, respondent, expected, note, &who.actor(), Utc::now())
            .await?)
    }

    /// Withdraws a capital's proposal.
    pub async fn withdraw(
        &self,
        who: &Principal,
        id: &str,
        respondent: &str,
        expected: i64,
        reason: &str,
    ) -> AppResult<ProposalState> {
        authorise(who, Action::change(id, respondent))?;
        Ok(self
            .store
            .withdraw(id, respondent, expected, reason, &who.actor(), Utc::now())
            .await?)
    }

    // ---- what is computed from a campaign ------------------------------------------------

    /// The campaign and the assessment of its current proposals.
    pub async fn assessment(&self, who: &Principal, id: &str) -> AppResult<(Campaign, Assessment)> {
        authorise(who, Action::ReadCampaign)?;
        let c = self.store.export(id).await?;
        // Off the async threads: the assessment is CPU work.
        blocking(move || {
            let a = guarantor_assess::assess(&c);
            (c, a)
        })
        .await
    }

    /// The campaign and its options under every scenario ([`brief::standard_request`]).
    pub async fn options(
        &self,
        who: &Principal,
        id: &str,
    ) -> AppResult<(Campaign, Arc<OptionsReport>)> {
        authorise(who, Action::ReadCampaign)?;
        self.cached_options(id).await
    }

    /// The report is computed off the async threads and kept until the campaign changes (its
    /// version moves), so the options, comparison and brief views cost one solve per change,
    /// not one per view.
    async fn cached_options(&self, id: &str) -> AppResult<(Campaign, Arc<OptionsReport>)> {
        cached(&self.store, &self.options, id, id.to_owned(), |c| {
            brief::options(c, &brief::standard_request())
        })
        .await
    }

    /// The campaign and its engagement plan for `choice`: whom to ask for what, each ask valued
    /// by re-optimising. Kept per campaign version like the options.
    pub async fn engagement(
        &self,
        who: &Principal,
        id: &str,
        choice: &EngagementChoice,
    ) -> AppResult<(Campaign, Arc<EngagementReport>)> {
        authorise(who, Action::ReadCampaign)?;
        self.cached_engagement(id, choice).await
    }

    async fn cached_engagement(
        &self,
        id: &str,
        choice: &EngagementChoice,
    ) -> AppResult<(Campaign, Arc<EngagementReport>)> {
        let request = EngageRequest {
            scenarios: choice
                .scenario
                .clone()
                .map_or(ScenarioChoice::First, ScenarioChoice::Named),
            posture: choice.posture.clone(),
            ..EngageRequest::default()
        };
        cached(
            &self.store,
            &self.engagement,
            id,
            (id.to_owned(), choice.clone()),
            {
                let what_if = choice.what_if.clone();
                move |c| match what_if {
                    None => Ok(guarantor_engine::engage::plan(c, &request)?),
                    Some(w) => {
                        let (changed, applied) = guarantor_engine::what_if::apply(c, &w)
                            .map_err(|e| AppError::new(ErrorKind::NotFound, e.to_string()))?;
                        let mut plan = guarantor_engine::engage::plan(&changed, &request)?;
                        plan.what_if = Some(applied);
                        Ok(plan)
                    }
                }
            },
        )
        .await
    }

    /// Saves a what-if in campaign `id` (replacing one with the same id): hypothetical offers
    /// added and real ones taken away, checked like a campaign file's. Coordinators and decision
    /// makers; no proposal changes. Returns the new campaign version.
    pub async fn save_what_if(
        &self,
        who: &Principal,
        id: &str,
        mut what_if: WhatIfDoc,
    ) -> AppResult<i64> {
        authorise(who, Action::ExploreWhatIfs)?;
        if what_if.created_by.trim().is_empty() {
            what_if.created_by = who.actor();
        }
        Ok(self
            .store
            .save_what_if(id, what_if, &who.actor(), Utc::now())
            .await?)
    }

    /// Deletes the saved what-if `what_if` of campaign `id`. Returns the new campaign version.
    pub async fn delete_what_if(&self, who: &Principal, id: &str, what_if: &str) -> AppResult<i64> {
        authorise(who, Action::ExploreWhatIfs)?;
        Ok(self
            .store
            .delete_what_if(id, what_if, &who.actor(), Utc::now())
            .await?)
    }

    /// The campaign and its options under the saved what-if `what_if` (the standard request),
    /// kept per campaign version like the options on the offers as they are.
    pub async fn options_under(
        &self,
        who: &Principal,
        id: &str,
        what_if: &str,
    ) -> AppResult<(Campaign, Arc<OptionsReport>)> {
        authorise(who, Action::ReadCampaign)?;
        let wanted = what_if.to_owned();
        cached(
            &self.store,
            &self.options_under,
            id,
            (id.to_owned(), what_if.to_owned()),
            move |c| {
                let (changed, applied) = guarantor_engine::what_if::apply(c, &wanted)
                    .map_err(|e| AppError::new(ErrorKind::NotFound, e.to_string()))?;
                let report = brief::options(&changed, &brief::standard_request())?;
                Ok(OptionsReport {
                    what_if: Some(applied),
                    ..report
                })
            },
        )
        .await
    }

    /// Computes every stored campaign's options ahead of the first visitor.
    pub async fn warm_options(&self) {
        let Ok(campaigns) = self.store.campaigns().await else {
            return;
        };
        for c in campaigns {
            if let Err(e) = self.cached_options(&c.id).await {
                tracing::warn!(campaign = %c.id, error = %e, "options not precomputed");
            }
        }
    }

    /// The campaign and its decision brief as of now, stamped with the audit head.
    pub async fn brief(&self, who: &Principal, id: &str) -> AppResult<(Campaign, Brief)> {
        authorise(who, Action::ReadCampaign)?;
        let (c, options) = self.cached_options(id).await?;
        // The plan is a section of the brief, not a condition of it.
        let plan = self
            .cached_engagement(id, &EngagementChoice::default())
            .await
            .inspect_err(
                |e| tracing::warn!(campaign = %id, error = %e, "brief without its engagement plan"),
            )
            .ok()
            .map(|(_, plan)| plan);
        let head = self.store.audit_head().await?;
        blocking(move || {
            let b = brief::compose(
                &c,
                &options,
                plan.as_deref(),
                Utc::now().date_naive(),
                Some(head),
            );
            (c, b)
        })
        .await
    }

    // ---- the audit log -------------------------------------------------------------------

    /// Checks the audit log's chain (and seals, with a key).
    pub async fn verify_audit(&self, who: &Principal) -> AppResult<AuditReport> {
        authorise(who, Action::Coordinate)?;
        Ok(self.store.verify_audit().await?)
    }

    /// Every audit entry, oldest first.
    pub async fn audit_entries(&self, who: &Principal) -> AppResult<Vec<AuditEntry>> {
        authorise(who, Action::Coordinate)?;
        Ok(self.store.audit_entries().await?)
    }

    // ---- access ------------------------------------------------------------------------

    /// API tokens (never their secrets).
    pub async fn api_tokens(&self, who: &Principal) -> AppResult<Vec<ApiTokenListing>> {
        authorise(who, Action::ManageAccess)?;
        Ok(self.store.api_tokens().await?)
    }

    /// Issues an API token for `name` with `role`, valid `days`.
    pub async fn create_api_token(
        &self,
        who: &Principal,
        name: &str,
        role: Role,
        days: i64,
    ) -> AppResult<Issued> {
        authorise(who, Action::ManageAccess)?;
        let now = Utc::now();
        let token = self
            .store
            .create_api_token_for(name, role, days, &who.actor(), now)
            .await?;
        Ok(Issued {
            token,
            expires_at: now + chrono::Duration::days(days),
        })
    }

    /// Revokes an API token; "not found" if there is none in force with that id.
    pub async fn revoke_api_token(&self, who: &Principal, id: &str) -> AppResult<()> {
        authorise(who, Action::ManageAccess)?;
        found(
            self.store
                .revoke_api_token(id, &who.actor(), Utc::now())
                .await?,
        )
    }

    /// The accounts.
    pub async fn accounts(&self, who: &Principal) -> AppResult<Vec<AccountListing>> {
        authorise(who, Action::ManageAccess)?;
        Ok(self.store.accounts().await?)
    }

    /// Disables (ending its sessions) or enables an account.
    pub async fn set_account_disabled(
        &self,
        who: &Principal,
        name: &str,
        disabled: bool,
    ) -> AppResult<()> {
        authorise(who, Action::ManageAccess)?;
        Ok(self
            .store
            .set_account_disabled(name, disabled, &who.actor(), Utc::now())
            .await?)
    }

    /// Changes the caller's own password.
    pub async fn change_password(
        &self,
        who: &Principal,
        current: &str,
        new: &str,
    ) -> AppResult<()> {
        authorise(who, Action::ChangeOwnPassword)?;
        let Principal::Account { name, .. } = who else {
            return Err(AppError::not_found());
        };
        Ok(self
            .store
            .change_password(name, current, new, Utc::now())
            .await?)
    }
}

/// `Ok` when the store found something to act on, else "not found".
fn found(acted: bool) -> AppResult<()> {
    if acted {
        Ok(())
    } else {
        Err(AppError::not_found())
    }
}

/// Runs CPU work off the async threads.
/// `compute` of campaign `id` under `key`, from `cache` when it was computed from the campaign's
/// current version, else computed off the async threads and kept.
pub(crate) async fn cached<K, T>(
    store: &Store,
    cache: &Cache<K, T>,
    id: &str,
    key: K,
    compute: impl FnOnce(&Campaign) -> AppResult<T> + Send + 'static,
) -> AppResult<(Campaign, Arc<T>)>
where
    K: std::hash::Hash + Eq,
    T: Send + Sync + 'static,
{
    // The version is read before the campaign: a report is never filed under a version newer
    // than the data it was computed from.
    let version = store.campaign_state(id).await?.version;
    let c = store.export(id).await?;
    let poisoned = || AppError::internal("report cache poisoned");
    let hit = cache
        .lock()
        .map_err(|_| poisoned())?
        .get(&key)
        .filter(|(v, _)| *v == version)
        .map(|(_, r)| Arc::clone(r));
    if let Some(report) = hit {
        return Ok((c, report));
    }
    let for_solve = c.clone();
    let report = Arc::new(blocking(move || compute(&for_solve)).await??);
    cache
        .lock()
        .map_err(|_| poisoned())?
        .insert(key, (version, Arc::clone(&report)));
    Ok((c, report))
}

async fn blocking<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> AppResult<T> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| AppError::internal(&e.to_string()))
}
