//! A proposal's lifecycle in the store: draft → submitted → revised → withdrawn.
//!
//! Every change reads the campaign in a transaction, checks the version the caller read
//! (optimistic concurrency: two editors never silently overwrite each other), applies the change
//! to the campaign document, validates the whole campaign with the rules of the campaign file
//! (so a stored campaign is always valid), writes the rows, bumps the versions and appends the
//! audit row with the proposal before and after, all in that transaction. On any error nothing
//! is written.

use chrono::{DateTime, SecondsFormat, Utc};
use guarantor_domain::document::{
    AnswerDoc, DraftDoc, OfferDoc, ProposalDoc, RevisionDoc, WithdrawalDoc,
};
use guarantor_domain::{
    CampaignDocument, CommitConditions, commit_conditions, validate_proposal_change,
};
use std::collections::HashMap;

use sqlx::Row;

use crate::audit::{Audit, AuditAction, Part};
use crate::{Store, StoreError, Submissions, json, load_document, parse_json};

/// What a respondent edits: its offer lines and answers.
#[derive(
    Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize, schemars::JsonSchema,
)]
#[serde(deny_unknown_fields)]
pub struct DraftContent {
    /// Offer lines, as in the campaign file.
    #[serde(default)]
    pub offers: Vec<OfferDoc>,
    /// Answers to the free-text questions.
    #[serde(default)]
    pub answers: Vec<AnswerDoc>,
}

/// A proposal as stored, with the version to send back with the next change.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ProposalState {
    /// Campaign id.
    pub campaign: String,
    /// Respondent code.
    pub respondent: String,
    /// 0 when the respondent has not started; bumped by every change.
    pub version: i64,
    /// The proposal as in the campaign file (shared with the store's memory, which serves
    /// the next read of it unchanged without a copy).
    pub proposal: std::sync::Arc<ProposalDoc>,
}

/// What a change does to a proposal.
enum Change {
    SaveDraft(DraftContent),
    Submit { note: String },
    Withdraw { reason: String },
}

/// What the audit log records of a reopening or a closing.
#[derive(serde::Serialize)]
struct SubmissionsState {
    submissions: Submissions,
}

impl Change {
    fn action(&self) -> AuditAction {
        match self {
            Self::SaveDraft(_) => AuditAction::ProposalDraft,
            Self::Submit { .. } => AuditAction::ProposalSubmit,
            Self::Withdraw { .. } => AuditAction::ProposalWithdraw,
        }
    }
}

fn empty(respondent: &str) -> ProposalDoc {
    ProposalDoc {
        respondent: respondent.to_owned(),
        draft: None,
        revisions: Vec::new(),
        withdrawn: None,
    }
}

impl Store {
    /// The current proposal of a respondent (version 0 and empty when it has not started).
    /// One statement reads the proposal and its revisions (so they agree with each other) and
    /// nothing of the other capitals; who is invited comes from the setup, parsed once per
    /// setup version.
    pub async fn proposal(
        &self,
        campaign: &str,
        respondent: &str,
    ) -> Result<ProposalState, StoreError> {
        let read = self.read_proposal_cached(campaign, respondent).await?;
        Ok(ProposalState {
            campaign: campaign.to_owned(),
            respondent: respondent.to_owned(),
            version: read.version,
            proposal: read.proposal.clone(),
        })
    }

    /// [`Self::read_proposal`] served from memory while the campaign's tables have not changed
    /// since it was read.
    async fn read_proposal_cached(
        &self,
        campaign: &str,
        respondent: &str,
    ) -> Result<std::sync::Arc<ReadProposal>, StoreError> {
        let generation = self.generations().await?.data;
        let key = (campaign.to_owned(), respondent.to_owned());
        if let Some(read) = self.cached.proposals.get(generation, &key) {
            return Ok(read);
        }
        let mut conn = self.pool().acquire().await?;
        let read = std::sync::Arc::new(self.read_proposal(&mut conn, campaign, respondent).await?);
        self.cached
            .proposals
            .put(generation, key, std::sync::Arc::clone(&read));
        Ok(read)
    }

    /// One capital's proposal with what a change to it is checked against, in one statement on
    /// `conn`.
    async fn read_proposal(
        &self,
        conn: &mut sqlx::AnyConnection,
        campaign: &str,
        respondent: &str,
    ) -> Result<ReadProposal, StoreError> {
        let rows = sqlx::query(
            "SELECT c.setup_version, c.reopened, p.version, p.position, p.draft, p.withdrawn, r.body \
             FROM campaigns c \
             LEFT JOIN proposals p ON p.campaign_id = c.id AND p.respondent = $2 \
             LEFT JOIN revisions r ON r.campaign_id = c.id AND r.respondent = $2 \
             WHERE c.id = $1 ORDER BY r.number",
        )
        .bind(campaign)
        .bind(respondent)
        .fetch_all(&mut *conn)
        .await?;
        let Some(first) = rows.first() else {
            return Err(self.no_such_campaign(campaign).await);
        };
        let setup = self
            .setup(conn, campaign, first.try_get("setup_version")?)
            .await?;
        invited(&setup.doc, campaign, respondent)?;
        let version: Option<i64> = first.try_get("version")?;
        let mut proposal = empty(respondent);
        proposal.draft = first
            .try_get::<Option<String>, _>("draft")?
            .map(|t| parse_json::<DraftDoc>(campaign, &format!("draft of {respondent}"), &t))
            .transpose()?;
        proposal.withdrawn = first
            .try_get::<Option<String>, _>("withdrawn")?
            .map(|t| {
                parse_json::<WithdrawalDoc>(campaign, &format!("withdrawal of {respondent}"), &t)
            })
            .transpose()?;
        for row in &rows {
            if let Some(body) = row.try_get::<Option<String>, _>("body")? {
                proposal.revisions.push(parse_json::<RevisionDoc>(
                    campaign,
                    &format!("revision of {respondent}"),
                    &body,
                )?);
            }
        }
        Ok(ReadProposal {
            setup,
            submissions: Submissions::from_column(first.try_get("reopened")?),
            version: version.unwrap_or(0),
            position: first.try_get("position")?,
            proposal: std::sync::Arc::new(proposal),
        })
    }

    /// The respondent's proposal with the setup of the campaign it answers (read in one
    /// statement, the setup from its cache; the other capitals' proposals are not read) and
    /// whether capitals may submit: what a page showing the proposal against its questionnaire
    /// needs.
    pub async fn proposal_in_campaign(
        &self,
        campaign: &str,
        respondent: &str,
    ) -> Result<(ProposalState, CampaignDocument, Submissions), StoreError> {
        let read = self.read_proposal_cached(campaign, respondent).await?;
        let state = ProposalState {
            campaign: campaign.to_owned(),
            respondent: respondent.to_owned(),
            version: read.version,
            proposal: read.proposal.clone(),
        };
        Ok((state, read.setup.doc.clone(), read.submissions))
    }

    /// Saves the draft (replacing any earlier draft). `expected` is the version the caller read.
    pub async fn save_draft(
        &self,
        campaign: &str,
        respondent: &str,
        expected: i64,
        content: DraftContent,
        actor: &str,
        at: DateTime<Utc>,
    ) -> Result<ProposalState, StoreError> {
        self.change(
            campaign,
            respondent,
            expected,
            Change::SaveDraft(content),
            actor,
            at,
        )
        .await
    }

    /// Submits the draft as the next immutable revision. Refused when submissions are closed:
    /// after the deadline unless the coordinator reopened them, or when the coordinator closed
    /// them.
    pub async fn submit(
        &self,
        campaign: &str,
        respondent: &str,
        expected: i64,
        note: &str,
        actor: &str,
        at: DateTime<Utc>,
    ) -> Result<ProposalState, StoreError> {
        let change = Change::Submit {
            note: note.to_owned(),
        };
        self.change(campaign, respondent, expected, change, actor, at)
            .await
    }

    /// Withdraws a submitted proposal.
    pub async fn withdraw(
        &self,
        campaign: &str,
        respondent: &str,
        expected: i64,
        reason: &str,
        actor: &str,
        at: DateTime<Utc>,
    ) -> Result<ProposalState, StoreError> {
        let change = Change::Withdraw {
            reason: reason.to_owned(),
        };
        self.change(campaign, respondent, expected, change, actor, at)
            .await
    }

    /// Accepts submissions again, whatever the deadline, until the coordinator closes them or
    /// sets a new deadline.
    pub async fn reopen(
        &self,
        campaign: &str,
        actor: &str,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        self.set_submissions(campaign, Submissions::Reopened, actor, at)
            .await
    }

    /// Sets where submissions stand, audited as a reopening or a closing.
    pub async fn set_submissions(
        &self,
        campaign: &str,
        to: Submissions,
        actor: &str,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let at = at.to_rfc3339_opts(SecondsFormat::Micros, true);
        let mut w = self.write(actor, &at).await?;
        let tx = &mut w.tx;
        let stored = load_document(tx, campaign).await?;
        sqlx::query(
            "UPDATE campaigns SET reopened = $1, version = version + 1, updated_at = $2 WHERE id = $3",
        )
        .bind(to.column())
        .bind(&at)
        .bind(campaign)
        .execute(&mut **tx)
        .await?;
        let action = match to {
            Submissions::Closed => AuditAction::CampaignClose,
            _ => AuditAction::CampaignReopen,
        };
        w.commit(Some(
            Audit::new(action, format!("campaign {campaign}"))
                .in_campaign(campaign, vec![Part::Campaign(campaign.to_owned())])
                .before(&SubmissionsState {
                    submissions: stored.submissions,
                })
                .after(&SubmissionsState { submissions: to }),
        ))
        .await?;
        Ok(())
    }

    /// A change to a proposal, through the queue: changes arriving together are written in one
    /// transaction (each in its own savepoint, so one refused change leaves the others alone)
    /// and acknowledged after its one durable commit.
    async fn change(
        &self,
        campaign: &str,
        respondent: &str,
        expected: i64,
        change: Change,
        actor: &str,
        at: DateTime<Utc>,
    ) -> Result<ProposalState, StoreError> {
        let (reply, answer) = tokio::sync::oneshot::channel();
        let request = ChangeRequest {
            change: ProposalChange {
                campaign: campaign.to_owned(),
                respondent: respondent.to_owned(),
                expected,
                change,
                actor: actor.to_owned(),
                at,
            },
            reply,
        };
        let queue = self
            .changes
            .get_or_init(|| {
                let (queue, requests) = tokio::sync::mpsc::channel(MAX_BATCH * 4);
                // The writer's own handle holds no queue, so the writer ends when the last
                // handle that can queue a change is dropped.
                let writer = Store {
                    changes: std::sync::Arc::default(),
                    ..self.clone()
                };
                tokio::spawn(write_changes(writer, requests));
                queue
            })
            .clone();
        queue
            .send(request)
            .await
            .map_err(|_| StoreError::Database("the proposal writer has stopped".into()))?;
        answer
            .await
            .map_err(|_| StoreError::Database("the proposal writer has stopped".into()))?
    }

    /// Writes a batch of changes in one transaction and answers each after the commit.
    async fn write_batch(&self, batch: Vec<ChangeRequest>) {
        let begun = async {
            let mut w = self.write("", "").await?;
            let commits = Commits::begin(&mut w.tx).await?;
            Ok::<_, StoreError>((w, commits))
        };
        let (mut w, mut commits) = match begun.await {
            Ok(begun) => begun,
            Err(e) => {
                let message = e.to_string();
                for r in batch {
                    let _ = r.reply.send(Err(StoreError::Database(message.clone())));
                }
                return;
            }
        };
        let mut answers = Vec::with_capacity(batch.len());
        for r in batch {
            let result = match sqlx::query("SAVEPOINT change").execute(&mut *w.tx).await {
                Ok(_) => {
                    let result = self.apply_change(&mut w, &mut commits, r.change).await;
                    let end = if result.is_ok() {
                        "RELEASE SAVEPOINT change"
                    } else {
                        "ROLLBACK TO SAVEPOINT change"
                    };
                    match sqlx::query(end).execute(&mut *w.tx).await {
                        Ok(_) => {
                            if let Ok(state) = &result {
                                commits.changed(state);
                            }
                            result
                        }
                        Err(e) => Err(e.into()),
                    }
                }
                Err(e) => Err(e.into()),
            };
            answers.push((r.reply, result));
        }
        let bumped = w.bumps(crate::fresh::Counter::Data);
        match w.commit(None).await {
            Ok(()) => {
                commits.keep(self, bumped);
                for (reply, result) in answers {
                    let _ = reply.send(result);
                }
            }
            Err(e) => {
                let message = e.to_string();
                for (reply, _) in answers {
                    let _ = reply.send(Err(StoreError::Database(message.clone())));
                }
            }
        }
    }

    /// One change in the batch's transaction: read, check, write, record its audit row.
    async fn apply_change(
        &self,
        w: &mut crate::Write,
        commits: &mut Commits,
        c: ProposalChange,
    ) -> Result<ProposalState, StoreError> {
        let ProposalChange {
            campaign,
            respondent,
            expected,
            change,
            actor,
            at,
        } = c;
        let (campaign, respondent, actor) =
            (campaign.as_str(), respondent.as_str(), actor.as_str());
        let at_text = at.to_rfc3339_opts(SecondsFormat::Micros, true);
        let action = change.action();
        let tx = &mut w.tx;
        let read = self.read_proposal(tx, campaign, respondent).await?;
        let current = read.version;
        if current != expected {
            return Err(StoreError::Conflict {
                respondent: respondent.to_owned(),
                expected,
                current,
                last_change: last_change(tx, campaign, respondent).await?,
            });
        }
        let position: Option<i64> = read.position;
        let index = match position {
            Some(i) => usize::try_from(i).unwrap_or(usize::MAX),
            // A first proposal goes after the others, as in the campaign file.
            None => usize::try_from(
                sqlx::query("SELECT COUNT(*) AS n FROM proposals WHERE campaign_id = $1")
                    .bind(campaign)
                    .fetch_one(&mut **tx)
                    .await?
                    .try_get::<i64, _>("n")?,
            )
            .unwrap_or(usize::MAX),
        };
        let before = read.proposal.clone();
        let deadline = read.setup.doc.campaign.deadline;
        let questionnaire_version = read.setup.doc.questionnaire.version;
        let mut new_revision = None;
        let mut proposal = std::sync::Arc::unwrap_or_clone(read.proposal);
        let counts = !matches!(change, Change::SaveDraft(_));
        match change {
            Change::SaveDraft(content) => {
                proposal.draft = Some(DraftDoc {
                    updated_at: at,
                    updated_by: actor.to_owned(),
                    offers: content.offers,
                    answers: content.answers,
                });
            }
            Change::Submit { note } => {
                if !read.submissions.open(at, deadline) {
                    return Err(if read.submissions == Submissions::Closed {
                        StoreError::SubmissionsClosed
                    } else {
                        StoreError::DeadlinePassed {
                            deadline: deadline.to_rfc3339_opts(SecondsFormat::AutoSi, true),
                        }
                    });
                }
                let Some(draft) = proposal.draft.take() else {
                    return Err(StoreError::NothingToSubmit(respondent.to_owned()));
                };
                // Required answers and lines hold at the step from draft to revision only.
                let missing = guarantor_domain::missing_for_submission(
                    &read.setup.doc,
                    respondent,
                    &draft.offers,
                    &draft.answers,
                );
                if !missing.is_empty() {
                    return Err(StoreError::Invalid {
                        problems: missing.iter().map(ToString::to_string).collect(),
                    });
                }
                let revision = RevisionDoc {
                    number: i64::try_from(proposal.revisions.len()).unwrap_or(i64::MAX) + 1,
                    submitted_at: at,
                    submitted_by: actor.to_owned(),
                    questionnaire_version,
                    offers: draft.offers,
                    answers: draft.answers,
                    note,
                };
                proposal.withdrawn = None;
                proposal.revisions.push(revision.clone());
                new_revision = Some(revision);
            }
            Change::Withdraw { reason } => {
                if proposal.revisions.is_empty() {
                    return Err(StoreError::NothingToWithdraw(respondent.to_owned()));
                }
                proposal.withdrawn = Some(WithdrawalDoc {
                    at,
                    by: actor.to_owned(),
                    reason,
                });
            }
        }
        // The same rules as a campaign file, every problem with its path, checked on what the
        // change can affect: this proposal, and (when its current offers change) the cycles
        // of linked conditions with the others' (a draft counts nowhere, so it cannot close one).
        let others = if counts {
            commits.others(self, tx, campaign, respondent).await?
        } else {
            CommitConditions::new()
        };
        if let Err(problems) =
            validate_proposal_change(&read.setup.index, index, &proposal, &others)
        {
            return Err(StoreError::Invalid {
                problems: problems.iter().map(ToString::to_string).collect(),
            });
        }
        let after = proposal;
        let commits = commits_json(&after);
        if position.is_some() {
            let updated = sqlx::query(
                "UPDATE proposals SET draft = $1, withdrawn = $2, commits_if = $3, version = version + 1 \
                 WHERE campaign_id = $4 AND respondent = $5 AND version = $6",
            )
            .bind(after.draft.as_ref().map(json))
            .bind(after.withdrawn.as_ref().map(json))
            .bind(&commits)
            .bind(campaign)
            .bind(respondent)
            .bind(expected)
            .execute(&mut **tx)
            .await?;
            if updated.rows_affected() != 1 {
                // Only reachable if the lock above did not serialise us (it always does).
                return Err(StoreError::Conflict {
                    respondent: respondent.to_owned(),
                    expected,
                    current: expected + 1,
                    last_change: None,
                });
            }
        } else {
            sqlx::query(
                "INSERT INTO proposals (campaign_id, respondent, position, draft, withdrawn, commits_if, version) \
                 VALUES ($1, $2, $3, $4, $5, $6, 1)",
            )
            .bind(campaign)
            .bind(respondent)
            .bind(i64::try_from(index).unwrap_or(i64::MAX))
            .bind(after.draft.as_ref().map(json))
            .bind(after.withdrawn.as_ref().map(json))
            .bind(&commits)
            .execute(&mut **tx)
            .await?;
        }
        if let Some(r) = &new_revision {
            sqlx::query(
                "INSERT INTO revisions (campaign_id, respondent, number, submitted_at, submitted_by, body) \
                 VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(campaign)
            .bind(respondent)
            .bind(r.number)
            .bind(r.submitted_at.to_rfc3339_opts(SecondsFormat::AutoSi, true))
            .bind(&r.submitted_by)
            .bind(json(r))
            .execute(&mut **tx)
            .await?;
        }
        sqlx::query("UPDATE campaigns SET version = version + 1, updated_at = $1 WHERE id = $2")
            .bind(&at_text)
            .bind(campaign)
            .execute(&mut **tx)
            .await?;
        let mut audit = Audit::new(action, proposal_subject(respondent))
            .in_campaign(
                campaign,
                vec![Part::Proposal(campaign.to_owned(), respondent.to_owned())],
            )
            .after(&after);
        if position.is_some() {
            audit = audit.before(&before);
        }
        w.record(actor, &at_text, &audit).await?;
        tracing::info!(
            campaign,
            respondent,
            action = action.as_str(),
            version = expected + 1,
            "proposal changed"
        );
        Ok(ProposalState {
            campaign: campaign.to_owned(),
            respondent: respondent.to_owned(),
            version: expected + 1,
            proposal: std::sync::Arc::new(after),
        })
    }
}

/// Changes written in one transaction at most.
const MAX_BATCH: usize = 64;

/// Where proposal changes are queued for the writer.
pub(crate) type ChangeQueue = tokio::sync::mpsc::Sender<ChangeRequest>;

/// A change to one proposal: whose, from which version, what, by whom, when.
struct ProposalChange {
    campaign: String,
    respondent: String,
    expected: i64,
    change: Change,
    actor: String,
    at: DateTime<Utc>,
}

/// A proposal change waiting for the writer, and where its answer goes.
pub(crate) struct ChangeRequest {
    change: ProposalChange,
    reply: tokio::sync::oneshot::Sender<Result<ProposalState, StoreError>>,
}

/// The writer: takes what is queued (up to [`MAX_BATCH`]) and writes it as one batch, until
/// every handle that can queue a change is gone.
async fn write_changes(store: Store, mut requests: tokio::sync::mpsc::Receiver<ChangeRequest>) {
    while let Some(first) = requests.recv().await {
        let mut batch = vec![first];
        while batch.len() < MAX_BATCH {
            match requests.try_recv() {
                Ok(r) => batch.push(r),
                Err(_) => break,
            }
        }
        store.write_batch(batch).await;
    }
}

/// A proposal as read for a change.
#[derive(Debug)]
pub(crate) struct ReadProposal {
    setup: std::sync::Arc<crate::Setup>,
    submissions: Submissions,
    version: i64,
    /// Its place in the campaign's list; `None` before its first change.
    position: Option<i64>,
    proposal: std::sync::Arc<ProposalDoc>,
}

/// What `commits_if` holds for a proposal: its current offers' conditions on other capitals, as
/// JSON (`[]` when it counts nowhere).
pub(crate) fn commits_json(p: &ProposalDoc) -> String {
    json(&commit_conditions(p).unwrap_or_default())
}

/// The commit conditions of the campaigns a batch of changes touches: read once per campaign
/// and batch, or taken from the writer's copy when no change was committed since it was made
/// (the data counter, read in the batch's transaction, is the one the copy is current at:
/// writers are serialised, so nobody commits between that read and the batch's own commit).
struct Commits {
    generation: i64,
    campaigns: HashMap<String, CommitConditions>,
}

impl Commits {
    async fn begin(tx: &mut sqlx::Transaction<'static, sqlx::Any>) -> Result<Self, StoreError> {
        let generation: i64 = sqlx::query("SELECT value FROM generation WHERE name = 'data'")
            .fetch_one(&mut **tx)
            .await?
            .try_get("value")?;
        Ok(Self {
            generation,
            campaigns: HashMap::new(),
        })
    }

    /// The commit conditions of every other capital's current proposal.
    async fn others(
        &mut self,
        store: &Store,
        tx: &mut sqlx::Transaction<'static, sqlx::Any>,
        campaign: &str,
        respondent: &str,
    ) -> Result<CommitConditions, StoreError> {
        if !self.campaigns.contains_key(campaign) {
            let kept = store
                .commits
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .get(campaign)
                .filter(|(g, _)| *g == self.generation)
                .map(|(_, c)| c.clone());
            let all = match kept {
                Some(c) => c,
                None => all_commit_conditions(tx, campaign).await?,
            };
            self.campaigns.insert(campaign.to_owned(), all);
        }
        let mut others = self.campaigns[campaign].clone();
        others.remove(respondent);
        Ok(others)
    }

    /// A change written in the batch (its savepoint released).
    fn changed(&mut self, state: &ProposalState) {
        if let Some(all) = self.campaigns.get_mut(&state.campaign) {
            match commit_conditions(&state.proposal).filter(|c| !c.is_empty()) {
                Some(c) => all.insert(state.respondent.clone(), c),
                None => all.remove(&state.respondent),
            };
        }
    }

    /// After the batch committed: the copies are current at the counter the commit left.
    fn keep(self, store: &Store, bumped: bool) {
        let generation = self.generation + i64::from(bumped);
        let mut kept = store.commits.lock().unwrap_or_else(|e| e.into_inner());
        for (campaign, all) in self.campaigns {
            kept.insert(campaign, (generation, all));
        }
    }
}

/// The commit conditions of every capital's current proposal in `campaign`.
async fn all_commit_conditions(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    campaign: &str,
) -> Result<CommitConditions, StoreError> {
    let mut out = CommitConditions::new();
    for row in sqlx::query("SELECT respondent, commits_if FROM proposals WHERE campaign_id = $1")
        .bind(campaign)
        .fetch_all(&mut **tx)
        .await?
    {
        let who: String = row.try_get("respondent")?;
        let text: Option<String> = row.try_get("commits_if")?;
        let Some(text) = text else {
            // Filled when the store is opened; a row without it was written since by a build
            // that did not know the column.
            return Err(StoreError::Corrupt {
                id: campaign.to_owned(),
                problems: vec![format!(
                    "proposal of {who}: its commit conditions are missing"
                )],
            });
        };
        let offers: Vec<std::collections::BTreeSet<String>> =
            parse_json(campaign, &format!("commit conditions of {who}"), &text)?;
        // An empty list counts nowhere: the proposal has no current revision or was withdrawn.
        if !offers.is_empty() {
            out.insert(who, offers);
        }
    }
    Ok(out)
}

fn invited(
    doc: &guarantor_domain::CampaignDocument,
    campaign: &str,
    respondent: &str,
) -> Result<(), StoreError> {
    let ok = doc
        .respondents
        .iter()
        .any(|r| r.code == respondent && r.invited);
    if ok {
        Ok(())
    } else {
        Err(StoreError::NoSuchRespondent {
            campaign: campaign.to_owned(),
            respondent: respondent.to_owned(),
        })
    }
}

/// The audit log's subject of the rows about a proposal.
pub(crate) fn proposal_subject(respondent: &str) -> String {
    format!("proposal of {respondent}")
}

/// The newest audit row about a proposal, in words.
async fn last_change(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    campaign: &str,
    respondent: &str,
) -> Result<Option<String>, StoreError> {
    let row = sqlx::query(
        "SELECT actor, action, at FROM audit_log WHERE campaign_id = $1 AND subject = $2 ORDER BY seq DESC LIMIT 1",
    )
    .bind(campaign)
    .bind(proposal_subject(respondent))
    .fetch_optional(&mut **tx)
    .await?;
    Ok(match row {
        Some(r) => {
            // In words, to the minute: a person reads it on the page that was refused.
            let action: String = r.try_get("action")?;
            let at: String = r.try_get("at")?;
            Some(format!(
                "{} {} on {}",
                r.try_get::<String, _>("actor")?,
                AuditAction::parse(&action).map_or(action.clone(), |a| a.in_words().to_owned()),
                guarantor_domain::format::to_the_minute(&at)
            ))
        }
        None => None,
    })
}
