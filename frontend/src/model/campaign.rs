//! Money, campaigns and the briefs tasks are made for.

use serde::{Deserialize, Serialize};
use strum::VariantArray;

/// An amount in a currency, exactly as the server wrote it (`"0.042"`, `"USD"`).
///
/// Kept as text because the server's decimals are exact and the UI only displays
/// them; [`Money::value`] gives a float for meters and comparisons.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Money {
    pub amount: String,
    /// ISO 4217.
    pub currency: String,
}

impl Money {
    /// The amount as a number; `None` for text that is not one.
    pub fn value(&self) -> Option<f64> {
        self.amount
            .trim()
            .parse::<f64>()
            .ok()
            .filter(|v| v.is_finite())
    }
}

/// Where a brief stands; `DONE` and `CANCELLED` briefs take no new tasks.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, VariantArray)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum BriefStatus {
    Draft,
    Ready,
    InProduction,
    Done,
    Cancelled,
}

impl BriefStatus {
    pub fn accepts_tasks(self) -> bool {
        !matches!(self, BriefStatus::Done | BriefStatus::Cancelled)
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CampaignStats {
    pub task_count: i64,
    /// Submits that were answered with an identical live task instead of new spend.
    pub duplicate_submissions: i64,
    /// Charged costs plus the estimates of tasks still running.
    pub committed: Money,
    pub remaining_budget: Option<Money>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Campaign {
    pub id: String,
    pub name: String,
    pub budget: Option<Money>,
    pub alert_threshold_percent: i64,
    pub stats: CampaignStats,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Brief {
    pub id: String,
    pub title: String,
    pub purpose: Option<String>,
    pub channel: Option<String>,
    /// `None` for a status this build does not know.
    pub status: Option<BriefStatus>,
}

impl Brief {
    /// Unknown statuses are given the benefit of the doubt: the server has the final say.
    pub fn accepts_tasks(&self) -> bool {
        self.status.is_none_or(BriefStatus::accepts_tasks)
    }
}
