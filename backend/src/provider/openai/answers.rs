//! Reading what a gateway answers: status words, failure classes, `Retry-After`, progress, and the task a webhook names.

use std::time::Duration;

use chrono::{DateTime, Utc};
use reqwest::StatusCode;
use reqwest::header::{HeaderMap, RETRY_AFTER};
use serde_json::Value;

use super::EXCERPT;
use crate::domain::catalogue::{OutputFormat, Quality};
use crate::domain::task::FailureReason;
use crate::provider::ProviderError;
pub(super) fn transient(message: String, retry_after: Option<Duration>) -> ProviderError {
    ProviderError::Transient {
        message,
        retry_after,
    }
}

pub(super) fn permanent(reason: FailureReason, message: String) -> ProviderError {
    ProviderError::Permanent { reason, message }
}

pub(super) fn quality_word(quality: Quality) -> &'static str {
    match quality {
        Quality::Low => "low",
        Quality::Medium => "medium",
        Quality::High => "high",
    }
}

pub(super) fn image_format(format: OutputFormat) -> &'static str {
    match format {
        OutputFormat::Jpeg => "jpeg",
        OutputFormat::Webp => "webp",
        _ => "png",
    }
}

/// Polls ask less often as a task gets older: a long render needs no second-by-second
/// questions (webhooks, where configured, bring the news sooner). `base` is the interval
/// in the first minute; it grows to at most a minute.
pub(super) fn backoff_by_age(submitted_at: DateTime<Utc>, base: Duration) -> Duration {
    let age = (Utc::now() - submitted_at).num_seconds().max(0);
    let factor = match age {
        0..=60 => 1.0,
        61..=300 => 2.5,
        301..=1_800 => 7.5,
        _ => 30.0,
    };
    base.mul_f64(factor).min(Duration::from_secs(60))
}

/// A status word, normalised.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Normalised {
    Queued,
    Processing,
    Completed,
    Failed,
    Unknown,
}

pub(super) fn normalise(raw: &str) -> Normalised {
    match raw.trim().to_ascii_lowercase().as_str() {
        "queued" | "pending" | "not_start" | "submitted" | "waiting" | "created" => {
            Normalised::Queued
        }
        "in_progress" | "processing" | "running" | "generating" | "started" => {
            Normalised::Processing
        }
        "completed" | "succeeded" | "success" | "succeed" | "done" | "finished" => {
            Normalised::Completed
        }
        "failed" | "failure" | "error" | "cancelled" | "canceled" | "expired" | "rejected" => {
            Normalised::Failed
        }
        _ => Normalised::Unknown,
    }
}

/// Whether an error code or message speaks of the content policy.
pub(super) fn is_content_policy(code: &str, message: &str) -> bool {
    let text = format!("{code} {message}").to_ascii_lowercase();
    [
        "content_policy",
        "moderation",
        "safety",
        "policy_violation",
        "content_filter",
        "nsfw",
    ]
    .iter()
    .any(|w| text.contains(w))
}

pub(super) fn classify_failure(code: &str, message: &str) -> FailureReason {
    if is_content_policy(code, message) {
        FailureReason::ContentPolicy
    } else if code.contains("quota") || message.to_ascii_lowercase().contains("insufficient_quota")
    {
        FailureReason::Quota
    } else {
        FailureReason::UpstreamError
    }
}

pub(super) fn with_code(code: &str, message: &str) -> String {
    if code.is_empty() {
        message.to_owned()
    } else {
        format!("{code}: {message}")
    }
}

/// Maps an HTTP error answer to a failure class, keeping the upstream's own words.
pub(super) fn classify_http(status: StatusCode, headers: &HeaderMap, body: &[u8]) -> ProviderError {
    let parsed: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
    let code = first_str(&parsed, &["error.code", "error.type", "code"]).unwrap_or_default();
    let detail =
        first_str(&parsed, &["error.message", "message", "error"]).unwrap_or_else(|| excerpt(body));
    let message = format!(
        "{} {}: {}",
        status.as_u16(),
        status.canonical_reason().unwrap_or(""),
        with_code(&code, &detail)
    );
    if is_content_policy(&code, &detail) {
        return permanent(FailureReason::ContentPolicy, message);
    }
    if status == StatusCode::PAYMENT_REQUIRED
        || code.contains("insufficient_quota")
        || code.contains("billing")
    {
        return permanent(FailureReason::Quota, message);
    }
    match status.as_u16() {
        408 | 409 | 425 | 429 | 500..=599 => transient(message, retry_after(headers)),
        400 | 413 | 415 | 422 => permanent(FailureReason::InvalidParams, message),
        401 | 403 => permanent(
            FailureReason::UpstreamError,
            format!("{message} (check the provider's API key)"),
        ),
        _ => permanent(FailureReason::UpstreamError, message),
    }
}

/// `Retry-After` as seconds or an HTTP date.
pub(super) fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let value = headers.get(RETRY_AFTER)?.to_str().ok()?.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let at = DateTime::parse_from_rfc2822(value).ok()?;
    (at.with_timezone(&Utc) - Utc::now()).to_std().ok()
}

pub(super) fn excerpt(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    let mut cut: String = text.chars().take(EXCERPT).collect();
    if text.chars().count() > EXCERPT {
        cut.push('…');
    }
    cut
}

/// The upstream task id a gateway's webhook is about, where its JSON payload names one:
/// under `data` or at the top level, as `id` or `task_id`, whichever comes first.
pub(crate) fn webhook_task_id(body: &[u8]) -> Option<String> {
    let payload: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
    ["data.id", "data.task_id", "id", "task_id"]
        .iter()
        .find_map(|path| {
            path.split('.')
                .try_fold(&payload, |v, key| v.get(key))
                .and_then(Value::as_str)
                .map(str::to_owned)
        })
}

/// The first of `paths` (dotted) that holds a value.
pub(super) fn first_value<'a>(value: &'a Value, paths: &[&str]) -> Option<&'a Value> {
    paths.iter().find_map(|path| {
        let found = path.split('.').try_fold(value, |v, key| v.get(key))?;
        (!found.is_null()).then_some(found)
    })
}

/// The first of `paths` that holds a string (or a number, as text).
pub(super) fn first_str(value: &Value, paths: &[&str]) -> Option<String> {
    first_value(value, paths).and_then(|v| match v {
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    })
}

/// Progress as a number, or text such as `"45%"`.
pub(super) fn progress_of(value: &Value) -> Option<u8> {
    let number = match value {
        Value::Number(n) => n.as_f64()?,
        Value::String(s) => s.trim().trim_end_matches('%').parse().ok()?,
        _ => return None,
    };
    Some(number.clamp(0.0, 100.0) as u8)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn status_words_of_both_dialects_are_normalised() {
        for (raw, expected) in [
            ("queued", Normalised::Queued),
            ("NOT_START", Normalised::Queued),
            ("in_progress", Normalised::Processing),
            ("processing", Normalised::Processing),
            ("completed", Normalised::Completed),
            ("SUCCESS", Normalised::Completed),
            ("succeeded", Normalised::Completed),
            ("failed", Normalised::Failed),
            ("FAILURE", Normalised::Failed),
            ("unknown", Normalised::Unknown),
            ("reticulating", Normalised::Unknown),
        ] {
            assert_eq!(normalise(raw), expected, "{raw}");
        }
    }

    #[test]
    fn http_errors_map_to_failure_classes() {
        let headers = HeaderMap::new();
        let body = |code: &str, message: &str| {
            json!({ "error": { "code": code, "message": message } })
                .to_string()
                .into_bytes()
        };
        let reason = |err: ProviderError| match err {
            ProviderError::Permanent { reason, .. } => Some(reason),
            _ => None,
        };
        assert_eq!(
            reason(classify_http(
                StatusCode::BAD_REQUEST,
                &headers,
                &body("invalid_value", "bad size")
            )),
            Some(FailureReason::InvalidParams)
        );
        assert_eq!(
            reason(classify_http(
                StatusCode::BAD_REQUEST,
                &headers,
                &body("moderation_blocked", "rejected by the safety system")
            )),
            Some(FailureReason::ContentPolicy)
        );
        assert_eq!(
            reason(classify_http(
                StatusCode::PAYMENT_REQUIRED,
                &headers,
                &body("", "pay up")
            )),
            Some(FailureReason::Quota)
        );
        assert_eq!(
            reason(classify_http(
                StatusCode::TOO_MANY_REQUESTS,
                &headers,
                &body("insufficient_quota", "You exceeded your current quota")
            )),
            Some(FailureReason::Quota)
        );
        assert!(matches!(
            classify_http(StatusCode::SERVICE_UNAVAILABLE, &headers, b"busy"),
            ProviderError::Transient { .. }
        ));
        let unauthorised = classify_http(
            StatusCode::UNAUTHORIZED,
            &headers,
            &body("invalid_api_key", "Incorrect API key provided: sk-abc***"),
        );
        assert!(matches!(
            unauthorised,
            ProviderError::Permanent {
                reason: FailureReason::UpstreamError,
                ..
            }
        ));
    }

    #[test]
    fn retry_after_is_read_as_seconds_or_a_date() {
        let mut headers = HeaderMap::new();
        headers.insert(RETRY_AFTER, "7".parse().unwrap());
        assert_eq!(retry_after(&headers), Some(Duration::from_secs(7)));
        let later = (Utc::now() + chrono::Duration::seconds(30)).to_rfc2822();
        headers.insert(RETRY_AFTER, later.parse().unwrap());
        let wait = retry_after(&headers).unwrap();
        assert!(
            wait > Duration::from_secs(25) && wait <= Duration::from_secs(30),
            "{wait:?}"
        );
    }

    #[test]
    fn progress_comes_as_numbers_or_percent_text() {
        assert_eq!(progress_of(&json!(42)), Some(42));
        assert_eq!(progress_of(&json!("45%")), Some(45));
        assert_eq!(progress_of(&json!(130.0)), Some(100));
        assert_eq!(progress_of(&json!(null)), None);
    }

    #[test]
    fn a_webhook_names_its_task_under_data_or_at_the_top_level() {
        let id = |body: &str| webhook_task_id(body.as_bytes());
        assert_eq!(
            id(r#"{"data":{"id":"a","task_id":"b"},"id":"c"}"#).as_deref(),
            Some("a")
        );
        assert_eq!(
            id(r#"{"data":{"task_id":"b"},"id":"c"}"#).as_deref(),
            Some("b")
        );
        assert_eq!(id(r#"{"id":"c","task_id":"d"}"#).as_deref(), Some("c"));
        assert_eq!(
            id(r#"{"data":{"id":7},"task_id":"d"}"#).as_deref(),
            Some("d")
        );
        assert_eq!(id(r#"{"event":"video.completed"}"#), None);
        assert_eq!(id("not json"), None);
    }

    #[test]
    fn polling_slows_down_as_a_task_ages() {
        let base = Duration::from_secs(2);
        assert_eq!(backoff_by_age(Utc::now(), base), Duration::from_secs(2));
        assert_eq!(
            backoff_by_age(Utc::now() - chrono::Duration::minutes(10), base),
            Duration::from_secs(15)
        );
        assert_eq!(
            backoff_by_age(Utc::now() - chrono::Duration::hours(2), base),
            Duration::from_secs(60)
        );
    }
}
