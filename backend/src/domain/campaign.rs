//! Campaigns (活动) group briefs and hold a budget; briefs (需求简报) say what is needed
//! and group the tasks made for it.

use super::stored_enum;
use super::{ErrorCode, FieldError};

stored_enum! {
    #[strum(serialize_all = "SCREAMING_SNAKE_CASE")]
    #[serde(rename_all = "SCREAMING_SNAKE_CASE")]
    pub enum BriefStatus {
        Draft,
        Ready,
        InProduction,
        Done,
        Cancelled,
    }
}

impl BriefStatus {
    /// Whether new tasks may still be made for a brief in this status.
    pub fn accepts_tasks(self) -> bool {
        !matches!(self, BriefStatus::Done | BriefStatus::Cancelled)
    }
}

/// A required, trimmed single-line text of at most `max` characters.
pub(crate) fn required_text(
    field: &'static str,
    raw: &str,
    max: usize,
    what: &str,
) -> Result<String, FieldError> {
    let text = raw.trim();
    if text.is_empty() {
        return Err(FieldError::new(
            field,
            ErrorCode::Required,
            format!("Enter {what}."),
        ));
    }
    if text.chars().count() > max {
        return Err(FieldError::new(
            field,
            ErrorCode::TooLong,
            format!("{what} has at most {max} characters."),
        ));
    }
    Ok(text.to_owned())
}

/// An optional text: blank becomes `None`.
pub(crate) fn optional_text(
    field: &'static str,
    raw: Option<&str>,
    max: usize,
) -> Result<Option<String>, FieldError> {
    match raw.map(str::trim).filter(|t| !t.is_empty()) {
        None => Ok(None),
        Some(text) if text.chars().count() > max => Err(FieldError::new(
            field,
            ErrorCode::TooLong,
            format!("At most {max} characters."),
        )),
        Some(text) => Ok(Some(text.to_owned())),
    }
}

/// Percent of the budget at which an alert goes out.
pub(crate) fn alert_threshold(raw: Option<i32>) -> Result<i32, FieldError> {
    match raw.unwrap_or(80) {
        t @ 1..=100 => Ok(t),
        _ => Err(FieldError::new(
            "alertThresholdPercent",
            ErrorCode::OutOfRange,
            "Choose a threshold from 1 to 100 percent.",
        )),
    }
}

/// Whether a campaign that has committed `before` and now `after` crossed its alert
/// threshold with this change.
pub(crate) fn crosses_threshold(
    budget_micros: i64,
    threshold_percent: i32,
    before: i64,
    after: i64,
) -> bool {
    let line = i128::from(budget_micros) * i128::from(threshold_percent) / 100;
    i128::from(before) < line && i128::from(after) >= line
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blank_required_text_is_required_and_long_text_too_long() {
        assert_eq!(
            required_text("name", "  ", 10, "a name").unwrap_err().code,
            ErrorCode::Required
        );
        assert_eq!(
            required_text("name", "x".repeat(11).as_str(), 10, "a name")
                .unwrap_err()
                .code,
            ErrorCode::TooLong
        );
        assert_eq!(
            required_text("name", " Spring launch ", 100, "a name").unwrap(),
            "Spring launch"
        );
    }

    #[test]
    fn the_alert_fires_once_when_spend_crosses_the_threshold() {
        let budget = 100_000_000;
        assert!(!crosses_threshold(budget, 80, 10_000_000, 70_000_000));
        assert!(crosses_threshold(budget, 80, 70_000_000, 80_000_000));
        assert!(!crosses_threshold(budget, 80, 80_000_000, 90_000_000));
    }

    #[test]
    fn a_threshold_outside_one_to_a_hundred_is_refused() {
        assert!(alert_threshold(Some(0)).is_err());
        assert!(alert_threshold(Some(101)).is_err());
        assert_eq!(alert_threshold(None).unwrap(), 80);
    }
}
