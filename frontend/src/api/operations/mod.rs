//! The typed GraphQL operations, derived from `schema.graphql` and the files in
//! `frontend/graphql/`, plus thin functions that run them and hand back the UI's own
//! types from [`crate::model`].
//!
//! Each derive checks its operation against the schema at compile time, and the
//! conversions name every field explicitly (no serde round-trips), so a renamed or
//! removed field on the server is a build error here rather than a blank card in the
//! browser. Enums decode straight into the model's (see [`schema`]); a unit test
//! checks their names against the schema's.
//!
//! - [`schema`]: the derived operations, and which Rust type each schema enum is.
//! - [`auth`]: sign-in and who is signed in.
//! - [`tasks`]: the board's list and live events, the composer's estimate and submit.
//! - [`task`]: one task, live, and what can be done to it (promote, retry, cancel).
//! - [`downloads`]: a task's download links (named files, the ZIP) and their expiry.
//! - [`campaigns`]: campaigns, briefs and budget alerts.
//! - [`catalogue`]: models, draft caps and reference assets (with uploads).
//! - [`providers`]: the configured gateways and their write-only API keys (admins).
//! - [`webhooks`]: webhook endpoints, delivery logs, replay, the callback secret, and
//!   a task's callbacks.

/// A payload's `userErrors` as the model's type.
macro_rules! user_errors {
    ($errors:expr) => {
        $errors
            .into_iter()
            .map(|e| $crate::model::UserError::new(e.field, e.code, e.message))
            .collect::<Vec<$crate::model::UserError>>()
    };
}

/// A payload's user errors with its spend warnings attached to them.
macro_rules! user_errors_and_warnings {
    ($payload:expr) => {{
        let p = $payload;
        $crate::model::UserError::with_notices(
            user_errors!(p.user_errors),
            p.warnings
                .into_iter()
                .map(|w| $crate::model::SpendNotice {
                    warning: w.warning,
                    task_id: w.task.id,
                })
                .collect(),
        )
    }};
}

/// Converts each listed operation's copy of a fragment the same way:
/// `from_fragment!([op_a, op_b], |f: Fields| -> Model { .. })`. The body is
/// type-checked against every copy, so it is written once and still checked field by
/// field.
macro_rules! from_fragment {
    ([$($op:ident),+ $(,)?], |$f:ident: $fragment:ident| -> $model:ty $body:block) => {$(
        impl From<$op::$fragment> for $model {
            fn from($f: $op::$fragment) -> Self $body
        }
    )+};
}

/// A generated `Money` selection as the model's type.
macro_rules! money {
    ($money:expr) => {{
        let m = $money;
        $crate::model::Money {
            amount: m.amount,
            currency: m.currency,
        }
    }};
}

/// A reference asset's selection as the model's type: the `ReferenceFields` fragment,
/// or the same fields selected inside `TaskDetailFields` (a fragment there would put
/// the task page's operations and the library's in one file).
macro_rules! reference {
    ($r:expr) => {{
        let r = $r;
        $crate::model::ReferenceAsset {
            id: r.id,
            kind: r.kind.known(),
            filename: r.filename,
            mime_type: r.mime_type,
            width: r.width,
            height: r.height,
            licence_status: r.licence_status.known(),
            url: r.url,
            thumbnail_url: r.thumbnail_url,
        }
    }};
}

/// Sorted by position: the server lists them in order, but nothing should depend on it.
fn sorted(mut outputs: Vec<crate::model::Output>) -> Vec<crate::model::Output> {
    outputs.sort_by_key(|o| o.position);
    outputs
}

pub mod auth;
pub mod campaigns;
pub mod catalogue;
pub mod downloads;
pub mod providers;
pub mod schema;
pub mod task;
pub mod tasks;
pub mod webhooks;

pub use auth::{Me, login, viewer};

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use super::{task, tasks};
    use crate::model::{
        AspectRatio, DownloadStatus, FailureReason, Kind, MediaKind, Stage, Status, TaskDetail,
        TransitionCause,
    };
    // Run in Node by wasm-bindgen-test-runner: the crate only builds for wasm32.
    use wasm_bindgen_test::wasm_bindgen_test as test;

    /// A task's `TaskFields` as a newer server might send them: a kind, a status, a
    /// quality, a lineage, a failure reason and a download status this build does not
    /// know.
    fn card() -> Value {
        let output = |id: &str, position: i64, download: &str| {
            json!({
                "id": id, "position": position, "format": "png", "downloadStatus": download,
                "downloadAttempts": 0,
            })
        };
        json!({
            "id": "t1", "kind": "AUDIO", "inputType": "TEXT_TO_IMAGE", "stage": "DRAFT",
            "status": "ARCHIVED", "progress": 140, "prompt": "a kiln at dusk",
            "aspectRatio": "LANDSCAPE_16_9", "count": 1, "model": "sim-image-1",
            "quality": "ULTRA", "estimatedCost": { "amount": "0.04", "currency": "USD" },
            "charged": false, "lineage": "FORK", "failureReason": "MODERATION",
            "createdAt": "2026-01-01T00:00:00Z", "updatedAt": "2026-01-01T00:00:01Z",
            "brief": { "id": "b1", "title": "Spring" },
            "outputs": [output("o2", 2, "MIRRORED"), output("o1", 1, "STORED")],
        })
    }

    fn decode<T: serde::de::DeserializeOwned>(data: Value) -> T {
        serde_json::from_value(data).unwrap_or_else(|e| panic!("the response does not decode: {e}"))
    }

    #[test]
    fn a_task_list_with_values_this_build_does_not_know_still_decodes() {
        let data: tasks::tasks::ResponseData = decode(json!({
            "tasks": {
                "edges": [{ "node": card() }],
                "pageInfo": { "hasNextPage": false },
            },
        }));
        let task: crate::model::Task = data.tasks.edges[0].node.clone().into();
        assert_eq!(task.kind, None);
        assert_eq!(task.status, Status::Unknown);
        assert_eq!(task.quality, None);
        assert_eq!(task.lineage, None);
        assert_eq!(task.failure_reason, Some(FailureReason::Unknown));
        assert_eq!(task.stage, Some(Stage::Draft));
        assert_eq!(task.aspect_ratio, Some(AspectRatio::Landscape16x9));
        assert_eq!(task.progress, 100);
        let downloads: Vec<_> = task.outputs.iter().map(|o| o.download_status).collect();
        assert_eq!(downloads, [Some(DownloadStatus::Stored), None]);
    }

    #[test]
    fn the_task_page_reads_the_cards_fields_and_its_own_from_one_response() {
        let mut detail = card();
        let own = json!({
            "kind": "IMAGE", "status": "FAILED", "watermark": true, "outputFormat": "AVIF",
            "cameraMotion": "STATIC", "deadlineAt": "2026-01-01T01:00:00Z",
            "provider": "simulated", "needsReconciliation": false,
            "campaign": { "id": "c1", "name": "Launch" },
            "children": [{
                "id": "t2", "stage": "FINAL", "status": "QUEUED", "lineage": "PROMOTION",
                "prompt": "a kiln at dusk", "createdAt": "2026-01-01T00:00:02Z",
            }],
            "references": [{
                "id": "r1", "kind": "AUDIO", "filename": "hum.wav", "mimeType": "audio/wav",
                "licenceStatus": "OWNED", "url": "/files/r1",
            }],
            "history": [
                { "toStatus": "QUEUED", "cause": "SUBMITTED", "at": "2026-01-01T00:00:00Z" },
                {
                    "fromStatus": "QUEUED", "toStatus": "FAILED",
                    "cause": "OPERATOR_REQUEST", "at": "2026-01-01T00:00:01Z",
                },
            ],
        });
        if let (Some(detail), Value::Object(own)) = (detail.as_object_mut(), own) {
            detail.extend(own);
        }
        let data: task::task_by_id::ResponseData = decode(json!({ "task": detail }));
        let detail: TaskDetail = data.task.map(Into::into).unwrap_or_default();
        assert_eq!(detail.task.kind, Some(Kind::Image));
        assert_eq!(detail.task.status, Status::Failed);
        assert_eq!(detail.output_format, None);
        assert_eq!(detail.children[0].status, Status::Queued);
        assert_eq!(detail.references[0].kind, None::<MediaKind>);
        assert_eq!(detail.history[0].cause, TransitionCause::Submitted);
        assert_eq!(
            detail.history[1].cause,
            TransitionCause::Other("OPERATOR_REQUEST".to_owned())
        );
        assert_eq!(detail.history[1].from, Some(Status::Queued));
    }
}
