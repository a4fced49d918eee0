//! The operations as graphql_client derives them from `schema.graphql` and the files in
//! `frontend/graphql/`, in a module of their own where each schema enum and scalar
//! name stands for the one Rust type the whole crate uses for it.
//!
//! graphql_client generates a module per operation, with a copy of every enum and
//! fragment it uses. The enums are not copied: they are named in `extern_enums`, and
//! each generated module picks up the types below through its `use super::*`, so
//! every operation decodes `TaskStatus` straight into [`crate::model::Status`]. That
//! is also why nothing else is imported here: a `use crate::model::Stage` would
//! quietly replace the tolerant `Stage` below for every operation.
//!
//! Fragment structs are still copied per operation; `super` converts each copy with
//! one conversion written once per fragment. graphql_client reads one file per
//! operation, so the operations that share a fragment live in one `.graphql` file
//! with it, and each fragment is defined once (`cargo xtask test` checks the files
//! with graphql-inspector). The whole file travels with every request, and the server
//! counts every operation in it towards its complexity limit, so operations without
//! a shared fragment keep files of their own.

use graphql_client::GraphQLQuery;
use serde::{Deserialize, Serialize};

use crate::model::{self, OrUnknown};

// Scalars.

/// RFC 3339 text. Kept as text because the UI only formats it for display and compares
/// instants through [`crate::model::timestamp_ms`].
pub type DateTime = String;
/// Always `null` in the JSON; the file travels as its own part of a multipart request.
pub type Upload = ();

// Enums with a fallback of their own for values this build does not know.

pub type TaskStatus = model::Status;
pub type FailureReason = model::FailureReason;
pub type TransitionCause = model::TransitionCause;
pub type UserErrorCode = model::ErrorCode;
pub type SpendWarning = model::SpendWarning;
/// The UI keeps roles as the schema's names (`ADMIN`, …).
pub type Role = String;

/// What a live task event reports. Only the board reads it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, strum::VariantArray)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum TaskEventKind {
    /// The task moved to another status.
    Transition,
    /// Progress changed within the same status.
    Progress,
    #[serde(other)]
    Other,
}

// Closed enums: a value this build does not know reads as `None` in the model.

pub type AspectRatio = OrUnknown<model::AspectRatio>;
pub type Audio = OrUnknown<model::Audio>;
pub type BriefStatus = OrUnknown<model::BriefStatus>;
pub type CameraMotion = OrUnknown<model::CameraMotion>;
pub type DeliveryStatus = OrUnknown<model::DeliveryStatus>;
pub type DownloadStatus = OrUnknown<model::DownloadStatus>;
pub type EndpointDisabledCode = OrUnknown<model::DisabledCode>;
pub type InputType = OrUnknown<model::InputType>;
pub type LicenceStatus = OrUnknown<model::LicenceStatus>;
pub type LineageKind = OrUnknown<model::LineageKind>;
pub type MediaKind = OrUnknown<model::MediaKind>;
pub type OutputFormat = OrUnknown<model::OutputFormat>;
pub type Quality = OrUnknown<model::Quality>;
pub type Resolution = OrUnknown<model::Resolution>;
pub type Stage = OrUnknown<model::Stage>;
pub type TaskKind = OrUnknown<model::Kind>;
pub type VideoApiDialect = OrUnknown<model::VideoDialect>;
pub type WebhookEventType = OrUnknown<model::EventType>;

/// Derives each operation named under its file, with every schema enum external.
macro_rules! operations {
    ($($file:tt { $($operation:ident),+ $(,)? })+) => {$($(
        #[derive(GraphQLQuery)]
        #[graphql(
            schema_path = "../schema.graphql",
            query_path = $file,
            response_derives = "Debug, Clone",
            extern_enums(
                "AspectRatio",
                "Audio",
                "BriefStatus",
                "CameraMotion",
                "DeliveryStatus",
                "DownloadStatus",
                "EndpointDisabledCode",
                "FailureReason",
                "InputType",
                "LicenceStatus",
                "LineageKind",
                "MediaKind",
                "OutputFormat",
                "Quality",
                "Resolution",
                "Role",
                "SpendWarning",
                "Stage",
                "TaskEventKind",
                "TaskKind",
                "TaskStatus",
                "TransitionCause",
                "UserErrorCode",
                "VideoApiDialect",
                "WebhookEventType"
            )
        )]
        pub struct $operation;
    )+)+};
}

operations! {
    "graphql/login.graphql" { Login }
    "graphql/viewer.graphql" { Viewer }

    "graphql/tasks.graphql" { Tasks, TaskEvents, SubmitTask, TaskById, TaskUpdated }
    "graphql/estimate_task.graphql" { EstimateTask }
    "graphql/promote_task.graphql" { PromoteTask }
    "graphql/retry_task.graphql" { RetryTask }
    "graphql/cancel_task.graphql" { CancelTask }
    "graphql/task_downloads.graphql" { TaskDownloads }

    "graphql/campaigns.graphql" { Campaigns, CreateCampaign }
    "graphql/briefs.graphql" { Briefs }
    "graphql/create_brief.graphql" { CreateBrief }
    "graphql/budget_alerts.graphql" { BudgetAlerts }

    "graphql/catalogue.graphql" { CatalogueQuery }
    "graphql/reference_assets.graphql" {
        ReferenceAssets, UploadReferenceAsset, ImportReferenceAsset
    }

    "graphql/providers.graphql" { Providers, SetProviderApiKey }

    "graphql/webhook_endpoints.graphql" {
        WebhookEndpoints,
        CreateWebhookEndpoint,
        UpdateWebhookEndpoint,
        RotateWebhookEndpointSecret,
        WebhookEndpointDisabled,
    }
    "graphql/webhook_deliveries.graphql" {
        EndpointDeliveries, TaskCallbacks, ReplayWebhookDelivery, WebhookDeliveryUpdated
    }
    "graphql/delete_webhook_endpoint.graphql" { DeleteWebhookEndpoint }
    "graphql/rotate_callback_secret.graphql" { RotateCallbackSecret }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use serde::Serialize;
    use strum::VariantArray;

    use super::*;
    use crate::model::wire;
    // Run in Node by wasm-bindgen-test-runner: the crate only builds for wasm32.
    use wasm_bindgen_test::wasm_bindgen_test as test;

    const SCHEMA: &str = include_str!("../../../../schema.graphql");

    /// Every `enum` in the schema with its values, skipping descriptions.
    fn schema_enums() -> Vec<(&'static str, BTreeSet<&'static str>)> {
        let mut enums = Vec::new();
        let mut lines = SCHEMA.lines();
        while let Some(line) = lines.next() {
            let Some(name) = line
                .strip_prefix("enum ")
                .and_then(|rest| rest.strip_suffix(" {"))
            else {
                continue;
            };
            let mut values = BTreeSet::new();
            let mut in_description = false;
            for line in lines.by_ref() {
                let line = line.trim();
                if line == "}" {
                    break;
                }
                if line.starts_with("\"\"\"") {
                    // A one-line description opens and closes on the same line.
                    let closed_here = line.len() > 3 && line.ends_with("\"\"\"");
                    in_description = !in_description && !closed_here;
                } else if !in_description && !line.is_empty() {
                    values.extend(line.split_whitespace().next());
                }
            }
            enums.push((name, values));
        }
        enums
    }

    /// The names of every value of a closed model enum.
    fn closed<T: Serialize + VariantArray>() -> BTreeSet<&'static str> {
        T::VARIANTS.iter().map(wire::name).collect()
    }

    /// The same for an enum with a fallback for values this build does not know,
    /// leaving the fallback out.
    fn all_but<T: Serialize + VariantArray>(fallback: T) -> BTreeSet<&'static str> {
        let mut names = closed::<T>();
        names.remove(wire::name(&fallback));
        names
    }

    #[test]
    fn every_schema_enum_has_one_rust_type_with_the_schemas_names() {
        for (name, values) in schema_enums() {
            assert!(!values.is_empty(), "no values read for {name}");
            let rust = match name {
                "AspectRatio" => closed::<model::AspectRatio>(),
                "Audio" => closed::<model::Audio>(),
                "BriefStatus" => closed::<model::BriefStatus>(),
                "CameraMotion" => closed::<model::CameraMotion>(),
                "DeliveryStatus" => closed::<model::DeliveryStatus>(),
                "DownloadStatus" => closed::<model::DownloadStatus>(),
                "EndpointDisabledCode" => closed::<model::DisabledCode>(),
                "InputType" => closed::<model::InputType>(),
                "LicenceStatus" => closed::<model::LicenceStatus>(),
                "LineageKind" => closed::<model::LineageKind>(),
                "MediaKind" => closed::<model::MediaKind>(),
                "OutputFormat" => closed::<model::OutputFormat>(),
                "Quality" => closed::<model::Quality>(),
                "Resolution" => closed::<model::Resolution>(),
                "Stage" => closed::<model::Stage>(),
                "TaskKind" => closed::<model::Kind>(),
                "VideoApiDialect" => closed::<model::VideoDialect>(),
                "WebhookEventType" => closed::<model::EventType>(),
                "TaskStatus" => all_but(TaskStatus::Unknown),
                "FailureReason" => all_but(FailureReason::Unknown),
                "UserErrorCode" => all_but(UserErrorCode::Unknown),
                "SpendWarning" => all_but(SpendWarning::Unknown),
                "TaskEventKind" => all_but(TaskEventKind::Other),
                "TransitionCause" => {
                    // Its fallback keeps the name, so it has no list of values: each of
                    // the schema's must be one of its own instead.
                    for value in &values {
                        let cause: TransitionCause =
                            wire::parse(value).unwrap_or_else(|| panic!("{value} is not read"));
                        assert!(
                            !matches!(cause, TransitionCause::Other(_)),
                            "{name}: {value} is not known"
                        );
                    }
                    continue;
                }
                // Kept as the schema's names.
                "Role" => continue,
                other => panic!("the schema's enum {other} has no Rust type here"),
            };
            assert_eq!(rust, values, "the values of {name}");
        }
    }
}
