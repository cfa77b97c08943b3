//! Who may do what: one rule per principal and action, for the API, the pages and anything
//! added later. A capital is never told that something it may not see exists: that answer is
//! `Hidden`, which every front end shows as "not found".

use guarantor_store::{Principal, Role};

use crate::error::{AppError, AppResult};

/// What a principal asks to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action<'a> {
    /// List the stored campaigns.
    ListCampaigns,
    /// Read a campaign whole and what is computed from it (assessment, options, brief,
    /// tracker, comparison).
    ReadCampaign,
    /// Read what a campaign asks the capitals (its questionnaire and reference lists).
    ReadQuestionnaire {
        /// Campaign id.
        campaign: &'a str,
    },
    /// Read one capital's proposal and its history.
    ReadProposal {
        /// Campaign id.
        campaign: &'a str,
        /// The capital's code.
        respondent: &'a str,
    },
    /// Change one capital's proposal: save a draft, submit, withdraw.
    ChangeProposal {
        /// Campaign id.
        campaign: &'a str,
        /// The capital's code.
        respondent: &'a str,
    },
    /// Run campaigns: import, setup, invitations, reopen, the audit log.
    Coordinate,
    /// Manage who may use Guarantor: API tokens and accounts.
    ManageAccess,
    /// Change one's own password.
    ChangeOwnPassword,
    /// Save or delete a campaign's what-ifs (hypothetical offers; no proposal changes).
    ExploreWhatIfs,
    /// Adopt an option as the plan.
    AdoptPlan,
}

impl<'a> Action<'a> {
    /// Reading `respondent`'s proposal in `campaign`.
    pub fn read(campaign: &'a str, respondent: &'a str) -> Self {
        Self::ReadProposal {
            campaign,
            respondent,
        }
    }

    /// Changing `respondent`'s proposal in `campaign`.
    pub fn change(campaign: &'a str, respondent: &'a str) -> Self {
        Self::ChangeProposal {
            campaign,
            respondent,
        }
    }
}

/// The answer of the policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// Go ahead.
    Allowed,
    /// Answer as if it did not exist.
    Hidden,
    /// The caller is known and may see that it exists, but its role does not allow this.
    Forbidden(&'static str),
}

/// Why a decision maker is refused a change (the one wording, on every front end).
pub const READ_ONLY: &str =
    "Decision makers may read everything and try what-ifs, but change no proposal and no setup.";

/// Why a capital is refused the list of campaigns.
pub const OWN_PROPOSAL_ONLY: &str = "A capital's invitation reaches only its own proposal.";

/// Whether `who` may do `action`.
pub fn decide(who: &Principal, action: Action<'_>) -> Decision {
    use Decision::{Allowed, Forbidden, Hidden};
    match (who, action) {
        (Principal::Account { .. }, Action::ListCampaigns | Action::ReadCampaign) => Allowed,
        (
            Principal::Account { .. },
            Action::ReadQuestionnaire { .. } | Action::ReadProposal { .. },
        ) => Allowed,
        (
            Principal::Account { .. },
            Action::ChangeOwnPassword | Action::ExploreWhatIfs | Action::AdoptPlan,
        ) => Allowed,
        (
            Principal::Account {
                role: Role::Coordinator,
                ..
            },
            Action::ChangeProposal { .. } | Action::Coordinate | Action::ManageAccess,
        ) => Allowed,
        (
            Principal::Account {
                role: Role::DecisionMaker,
                ..
            },
            Action::ChangeProposal { .. } | Action::Coordinate | Action::ManageAccess,
        ) => Forbidden(READ_ONLY),
        (Principal::Respondent { .. }, Action::ListCampaigns) => Forbidden(OWN_PROPOSAL_ONLY),
        (Principal::Respondent { campaign: c, .. }, Action::ReadQuestionnaire { campaign }) => {
            if c == campaign { Allowed } else { Hidden }
        }
        (
            Principal::Respondent {
                campaign: c,
                respondent: r,
                ..
            },
            Action::ReadProposal {
                campaign,
                respondent,
            }
            | Action::ChangeProposal {
                campaign,
                respondent,
            },
        ) => {
            if c == campaign && r == respondent {
                Allowed
            } else {
                Hidden
            }
        }
        (
            Principal::Respondent { .. },
            Action::ReadCampaign
            | Action::Coordinate
            | Action::ManageAccess
            | Action::ChangeOwnPassword
            | Action::ExploreWhatIfs
            | Action::AdoptPlan,
        ) => Hidden,
    }
}

/// `Ok` if `who` may do `action`, else the error every front end shows for it.
pub fn authorise(who: &Principal, action: Action<'_>) -> AppResult<()> {
    match decide(who, action) {
        Decision::Allowed => Ok(()),
        Decision::Hidden => Err(AppError::not_found()),
        Decision::Forbidden(why) => Err(AppError::forbidden(why)),
    }
}

/// Whether `who` may change anything at all (pages hide their forms otherwise).
pub fn may_change_anything(who: &Principal) -> bool {
    !matches!(
        who,
        Principal::Account {
            role: Role::DecisionMaker,
            ..
        }
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn coordinator() -> Principal {
        Principal::Account {
            name: "ana".into(),
            role: Role::Coordinator,
        }
    }

    fn decision_maker() -> Principal {
        Principal::Account {
            name: "dm".into(),
            role: Role::DecisionMaker,
        }
    }

    fn capital(campaign: &str, code: &str) -> Principal {
        Principal::Respondent {
            campaign: campaign.into(),
            respondent: code.into(),
            person: None,
        }
    }

    fn every_action<'a>(campaign: &'a str, respondent: &'a str) -> Vec<Action<'a>> {
        vec![
            Action::ListCampaigns,
            Action::ReadCampaign,
            Action::ReadQuestionnaire { campaign },
            Action::ReadProposal {
                campaign,
                respondent,
            },
            Action::ChangeProposal {
                campaign,
                respondent,
            },
            Action::Coordinate,
            Action::ManageAccess,
            Action::ChangeOwnPassword,
            Action::ExploreWhatIfs,
            Action::AdoptPlan,
        ]
    }

    #[test]
    fn a_coordinator_may_do_everything() {
        for a in every_action("c", "FRA") {
            assert_eq!(decide(&coordinator(), a), Decision::Allowed, "{a:?}");
        }
    }

    #[test]
    fn a_decision_maker_reads_everything_and_changes_nothing_but_its_password_and_what_ifs() {
        for a in every_action("c", "FRA") {
            let expected = match a {
                Action::ChangeProposal { .. } | Action::Coordinate | Action::ManageAccess => {
                    Decision::Forbidden(READ_ONLY)
                }
                _ => Decision::Allowed,
            };
            assert_eq!(decide(&decision_maker(), a), expected, "{a:?}");
        }
    }

    #[test]
    fn a_capital_reaches_its_own_proposal_and_questionnaire_and_nothing_else_exists_for_it() {
        let fra = capital("c", "FRA");
        for a in every_action("c", "FRA") {
            let expected = match a {
                Action::ReadQuestionnaire { .. }
                | Action::ReadProposal { .. }
                | Action::ChangeProposal { .. } => Decision::Allowed,
                Action::ListCampaigns => Decision::Forbidden(OWN_PROPOSAL_ONLY),
                _ => Decision::Hidden,
            };
            assert_eq!(decide(&fra, a), expected, "{a:?}");
        }
        // Another capital's proposal, or its own code in another campaign: hidden.
        for (campaign, respondent) in [("c", "GBR"), ("other", "FRA")] {
            for a in every_action(campaign, respondent) {
                if matches!(
                    a,
                    Action::ReadQuestionnaire { .. }
                        | Action::ReadProposal { .. }
                        | Action::ChangeProposal { .. }
                ) && !(campaign == "c" && matches!(a, Action::ReadQuestionnaire { .. }))
                {
                    assert_eq!(decide(&fra, a), Decision::Hidden, "{a:?}");
                }
            }
        }
    }

    #[test]
    fn hidden_is_not_found_and_forbidden_says_why() {
        let e = authorise(&capital("c", "FRA"), Action::Coordinate).unwrap_err();
        assert_eq!(e.kind, crate::ErrorKind::NotFound);
        let e = authorise(&decision_maker(), Action::Coordinate).unwrap_err();
        assert_eq!(e.kind, crate::ErrorKind::Forbidden);
        assert_eq!(e.message, READ_ONLY);
    }
}
