//! Tasks as the board's cards and the task page show them.

use serde::{Deserialize, Serialize};
use strum::VariantArray;

use super::campaign::Money;
use super::catalogue::ReferenceAsset;
use super::params::{
    AspectRatio, Audio, CameraMotion, InputType, Kind, OutputFormat, Quality, Resolution, Stage,
};
use super::{FailureReason, Status, timestamp_ms};

/// Whether Kiln holds its own copy of an output yet.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, VariantArray)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum DownloadStatus {
    Pending,
    Stored,
    Expired,
    Failed,
}

/// How a task came from its parent.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, VariantArray)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum LineageKind {
    Promotion,
    Retry,
}

/// Why a task changed status. `Other` keeps a cause this build does not know.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum TransitionCause {
    Submitted,
    UpstreamAccepted,
    UpstreamProgress,
    UpstreamCompleted,
    UpstreamFailed,
    Cancelled,
    DeadlinePassed,
    DownloadFailed,
    RetriesExhausted,
    /// Kiln tried the upstream again by itself after a wait.
    UpstreamRetried,
    /// Any other name, as sent; tried only when no variant above matches.
    #[serde(untagged)]
    Other(String),
}

/// One file a task produced.
#[derive(Clone, Debug, PartialEq)]
pub struct Output {
    pub id: String,
    pub position: i64,
    /// File type of the stored copy, e.g. `png`, `gif`.
    pub format: String,
    pub mime_type: Option<String>,
    pub width: Option<i64>,
    pub height: Option<i64>,
    /// Set for moving outputs.
    pub duration_ms: Option<i64>,
    pub byte_size: Option<f64>,
    pub checksum_sha256: Option<String>,
    /// Signed link to the full file; `None` until Kiln has stored it.
    pub url: Option<String>,
    /// Signed link to a small still PNG; `None` until Kiln has stored it.
    pub thumbnail_url: Option<String>,
    pub download_status: Option<DownloadStatus>,
    pub download_attempts: i64,
    pub last_download_error: Option<String>,
}

impl Output {
    /// Whether the file moves (a video, which the simulated provider delivers as a GIF).
    pub fn is_moving(&self) -> bool {
        self.duration_ms.is_some() || self.format.eq_ignore_ascii_case("gif")
    }
}

/// A brief or campaign as a task names it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Named {
    pub id: String,
    pub name: String,
}

/// What the board's cards show.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Task {
    pub id: String,
    /// `None` for values this build does not know.
    pub kind: Option<Kind>,
    pub input_type: Option<InputType>,
    pub stage: Option<Stage>,
    pub status: Status,
    /// 0–100.
    pub progress: i64,
    pub prompt: String,
    pub aspect_ratio: Option<AspectRatio>,
    pub count: i64,
    pub seed: Option<i64>,
    pub model: String,
    pub quality: Option<Quality>,
    pub resolution: Option<Resolution>,
    pub duration_seconds: Option<i64>,
    /// Video frames per second.
    pub fps: Option<i64>,
    /// Place in the upstream's queue, while it says.
    pub queue_position: Option<i64>,
    pub estimated_cost: Money,
    pub actual_cost: Option<Money>,
    pub charged: bool,
    pub lineage: Option<LineageKind>,
    pub failure_reason: Option<FailureReason>,
    pub failure_message: Option<String>,
    /// RFC 3339.
    pub created_at: String,
    /// RFC 3339; decides which of two copies of a task is newer.
    pub updated_at: String,
    pub submitted_by: Option<String>,
    pub brief: Named,
    pub outputs: Vec<Output>,
}

impl Task {
    /// Whether `incoming` should replace `self`. Events and query results can arrive
    /// in any order (a page fetched before a change can land after its event), so an
    /// older copy must not overwrite a newer one, and a finished task stays finished.
    pub fn is_superseded_by(&self, incoming: &Task) -> bool {
        is_newer(
            (self.status, &self.updated_at),
            (incoming.status, &incoming.updated_at),
        )
    }
}

/// Whether a copy with `incoming`'s status and update time should replace `current`.
fn is_newer(current: (Status, &str), incoming: (Status, &str)) -> bool {
    if current.0.is_terminal() && !incoming.0.is_terminal() {
        return false;
    }
    match (timestamp_ms(current.1), timestamp_ms(incoming.1)) {
        (Some(current), Some(new)) => new >= current,
        // Unparseable times should not freeze a view; the newest arrival wins.
        _ => true,
    }
}

/// Another task, as a link in the lineage.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TaskRef {
    pub id: String,
    pub stage: Option<Stage>,
    pub status: Status,
    pub lineage: Option<LineageKind>,
    pub prompt: String,
    pub created_at: String,
}

/// One status change in a task's history.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Transition {
    pub from: Option<Status>,
    pub to: Status,
    pub cause: TransitionCause,
    /// The upstream's own status word at the time.
    pub upstream_status: Option<String>,
    /// For a retry Kiln made by itself: the wait before it, in milliseconds.
    pub retry_after_ms: Option<i64>,
    /// RFC 3339.
    pub at: String,
}

/// Everything the task page shows: the card's fields and the rest.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct TaskDetail {
    pub task: Task,
    pub negative_prompt: Option<String>,
    pub size: Option<String>,
    pub watermark: bool,
    pub output_format: Option<OutputFormat>,
    pub camera_motion: Option<CameraMotion>,
    pub audio: Option<Audio>,
    pub references: Vec<ReferenceAsset>,
    /// After this the task fails with `QUEUE_TIMEOUT`.
    pub deadline_at: String,
    pub finished_at: Option<String>,
    pub provider: String,
    pub upstream_task_id: Option<String>,
    /// The upstream's usage report (JSON), as it gave it.
    pub upstream_usage: Option<String>,
    /// The create may have reached the upstream although Kiln could not tell; a retry
    /// could pay twice, so the provider's dashboard should be checked first.
    pub needs_reconciliation: bool,
    /// Where this task's changes are announced, if anywhere.
    pub callback_url: Option<String>,
    pub campaign: Named,
    pub parent: Option<TaskRef>,
    pub children: Vec<TaskRef>,
    pub history: Vec<Transition>,
}

impl TaskDetail {
    pub fn is_superseded_by(&self, incoming: &TaskDetail) -> bool {
        self.task.is_superseded_by(&incoming.task)
    }
}

/// An upstream usage report as label/value pairs, nested objects flattened with dots
/// (`usage.total_tokens`); `None` when it is not a JSON object, so the caller shows
/// it as it came. Gateways word these reports differently, so nothing is renamed.
pub fn usage_entries(report: &str) -> Option<Vec<(String, String)>> {
    fn flatten(prefix: &str, value: &serde_json::Value, out: &mut Vec<(String, String)>) {
        match value {
            serde_json::Value::Object(fields) => {
                for (key, value) in fields {
                    let name = if prefix.is_empty() {
                        key.clone()
                    } else {
                        format!("{prefix}.{key}")
                    };
                    flatten(&name, value, out);
                }
            }
            serde_json::Value::String(text) => out.push((prefix.to_owned(), text.clone())),
            serde_json::Value::Null => {}
            other => out.push((prefix.to_owned(), other.to_string())),
        }
    }
    let value: serde_json::Value = serde_json::from_str(report).ok()?;
    if !value.is_object() {
        return None;
    }
    let mut entries = Vec::new();
    flatten("", &value, &mut entries);
    Some(entries)
}

#[cfg(test)]
mod tests {
    use super::*;
    // Run in Node by wasm-bindgen-test-runner: the crate only builds for wasm32.
    use wasm_bindgen_test::wasm_bindgen_test as test;

    #[test]
    fn a_usage_report_is_flattened_into_labelled_values() {
        let entries = usage_entries(
            r#"{"total_tokens":1200,"input_tokens_details":{"image_tokens":1000},"model":"gpt-image-1","cached":null}"#,
        );
        assert_eq!(
            entries,
            // In key order: serde_json keeps objects sorted.
            Some(vec![
                (
                    "input_tokens_details.image_tokens".to_owned(),
                    "1000".to_owned()
                ),
                ("model".to_owned(), "gpt-image-1".to_owned()),
                ("total_tokens".to_owned(), "1200".to_owned()),
            ])
        );
    }

    #[test]
    fn a_usage_report_that_is_not_an_object_is_left_as_it_came() {
        assert_eq!(usage_entries("42"), None);
        assert_eq!(usage_entries("not json"), None);
    }
}
