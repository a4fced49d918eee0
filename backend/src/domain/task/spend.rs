//! Spending twice by accident: the warnings a submit, promote or retry must have
//! acknowledged before Kiln spends again on something the team already has or paid for.

use serde::{Deserialize, Serialize};

use crate::domain::stored_enum;

/// How long a succeeded task counts as "you already have this" for a new submit.
pub(crate) const RECENT_SUCCESS_HOURS: i64 = 24;

stored_enum! {
    /// Why a request would spend money on something the team already has or paid for.
    /// A request that meets one is refused with `CONFIRMATION_REQUIRED` until it is sent
    /// again with the warning in `acknowledgedWarnings`; the task records what was
    /// acknowledged.
    #[strum(serialize_all = "SCREAMING_SNAKE_CASE")]
    #[serde(rename_all = "SCREAMING_SNAKE_CASE")]
    pub enum SpendWarning {
        /// A task with exactly these parameters succeeded in the last 24 hours.
        SucceededRecently,
        /// The draft already has a succeeded final with exactly these settings.
        FinalExists,
        /// The task being retried was charged by the upstream (its outputs could not be
        /// fetched): a retry is paid again.
        AlreadyCharged,
    }
}

impl SpendWarning {
    /// The English sentence for API clients; the web app translates by the code.
    pub(crate) fn message(self) -> &'static str {
        match self {
            SpendWarning::SucceededRecently => {
                "You already have this: a task with exactly these parameters succeeded in the last 24 hours. Open it, or confirm to pay for it again."
            }
            SpendWarning::FinalExists => {
                "This draft already has a succeeded final with exactly these settings. Open it, or confirm to pay for another."
            }
            SpendWarning::AlreadyCharged => {
                "The upstream already charged for this task; a retry is charged again. Confirm to retry."
            }
        }
    }
}

/// The warnings a task's request acknowledged, as stored with the task.
#[derive(
    Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, sea_orm::FromJsonQueryResult,
)]
pub struct Acknowledged(pub Vec<SpendWarning>);

/// The warnings among `met` that were not acknowledged, or the acknowledged ones to
/// record when all were.
pub(crate) fn check(
    met: &[SpendWarning],
    acknowledged: &[SpendWarning],
) -> Result<Acknowledged, Vec<SpendWarning>> {
    let missing: Vec<_> = met
        .iter()
        .copied()
        .filter(|w| !acknowledged.contains(w))
        .collect();
    if missing.is_empty() {
        Ok(Acknowledged(met.to_vec()))
    } else {
        Err(missing)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_met_warning_needs_its_acknowledgement() {
        let met = [SpendWarning::AlreadyCharged];
        assert_eq!(check(&met, &[]), Err(vec![SpendWarning::AlreadyCharged]));
        assert_eq!(
            check(&met, &[SpendWarning::FinalExists]),
            Err(vec![SpendWarning::AlreadyCharged])
        );
        assert_eq!(
            check(&met, &[SpendWarning::AlreadyCharged]),
            Ok(Acknowledged(vec![SpendWarning::AlreadyCharged]))
        );
    }

    #[test]
    fn acknowledging_what_was_not_met_records_nothing() {
        assert_eq!(
            check(&[], &[SpendWarning::SucceededRecently]),
            Ok(Acknowledged(vec![]))
        );
    }
}
