//! The demo: the illustrative campaign built into the binary, and a fresh store seeded with it
//! (reopened for submissions, an account per role, an invitation per capital) so that
//! `guarantor serve --demo` can be tried with nothing installed.

use chrono::{DateTime, Utc};
use guarantor_domain::{Campaign, FileFormat, parse_campaign};
use guarantor_store::{Role, Store};
use rand::RngCore;

use crate::error::{AppError, AppResult};

/// The demo campaign file (illustrative figures, labelled as such in the file).
pub const CAMPAIGN_JSON: &str = include_str!("../../../examples/demo-campaign.json");

/// Days a demo invitation stays valid.
pub const INVITATION_DAYS: i64 = 30;

/// The demo campaign, validated.
pub fn campaign() -> AppResult<Campaign> {
    parse_campaign(CAMPAIGN_JSON, FileFormat::Json)
        .map_err(|e| AppError::internal(&format!("the built-in demo campaign is invalid: {e}")))
}

/// How to get into a seeded demo.
#[derive(Debug, Clone)]
pub struct DemoAccess {
    /// The demo campaign's title.
    pub title: String,
    /// The coordinator account's password (name `coordinator`).
    pub coordinator_password: String,
    /// The decision maker account's password (name `decision-maker`).
    pub decision_maker_password: String,
    /// One invitation per invited capital: code, token, whether it has answered.
    pub invitations: Vec<DemoInvitation>,
}

/// A capital's way into the demo.
#[derive(Debug, Clone)]
pub struct DemoInvitation {
    /// The capital's code.
    pub respondent: String,
    /// Its invitation token (the link is `/invitation/TOKEN`).
    pub token: String,
    /// Whether the demo has a proposal from it.
    pub answered: bool,
}

/// Account name of the demo's coordinator.
pub const COORDINATOR: &str = "coordinator";
/// Account name of the demo's decision maker.
pub const DECISION_MAKER: &str = "decision-maker";

fn password() -> String {
    let mut bytes = [0u8; 12];
    rand::rng().fill_bytes(&mut bytes);
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Stores the demo campaign in `store` (which should be empty), reopens it (its deadline is in
/// the past) and creates an account per role and an invitation per invited capital.
pub async fn seed(store: &Store, now: DateTime<Utc>) -> AppResult<DemoAccess> {
    let campaign = campaign()?;
    let id = campaign.info().id.to_string();
    store.import(&campaign, "demo").await?;
    store.reopen(&id, "demo", now).await?;
    let coordinator_password = password();
    let decision_maker_password = password();
    store
        .create_account(
            COORDINATOR,
            Role::Coordinator,
            &coordinator_password,
            "demo",
            now,
        )
        .await?;
    store
        .create_account(
            DECISION_MAKER,
            Role::DecisionMaker,
            &decision_maker_password,
            "demo",
            now,
        )
        .await?;
    let expires = now + chrono::Duration::days(INVITATION_DAYS);
    let mut invitations = Vec::new();
    for r in campaign.respondents().iter().filter(|r| r.invited) {
        let code = r.code.to_string();
        let token = store.invite(&id, &code, expires, "demo", now).await?;
        let answered = campaign
            .proposals()
            .iter()
            .any(|p| p.respondent == r.code && !p.revisions.is_empty());
        invitations.push(DemoInvitation {
            respondent: code,
            token,
            answered,
        });
    }
    Ok(DemoAccess {
        title: campaign.info().title.clone(),
        coordinator_password,
        decision_maker_password,
        invitations,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_seeded_demo_has_both_roles_and_a_working_invitation_per_capital() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("demo.db").display());
        let store = Store::open(&url).await.unwrap();
        let now = Utc::now();
        let access = seed(&store, now).await.unwrap();
        assert!(
            access.title.to_lowercase().contains("illustrative"),
            "{}",
            access.title
        );
        assert_ne!(access.coordinator_password, access.decision_maker_password);
        let invited = campaign()
            .unwrap()
            .respondents()
            .iter()
            .filter(|r| r.invited)
            .count();
        assert_eq!(access.invitations.len(), invited);
        for inv in &access.invitations {
            let who = store.authenticate(&inv.token, now).await.unwrap();
            assert!(
                matches!(who, Some(guarantor_store::Principal::Respondent { ref respondent, .. }) if *respondent == inv.respondent),
                "{}",
                inv.respondent
            );
        }
        store
            .login(COORDINATOR, &access.coordinator_password, now)
            .await
            .unwrap();
        // Reopened: a capital may submit although the demo's deadline has passed.
        let id = campaign().unwrap().info().id.to_string();
        assert_eq!(
            store.campaign_state(&id).await.unwrap().submissions,
            guarantor_store::Submissions::Reopened
        );
    }
}
