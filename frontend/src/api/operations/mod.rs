//! The typed GraphQL operations, derived from `schema.graphql` and the files in
//! `frontend/graphql/`, plus thin functions that run them and hand back the UI's own
//! types from [`crate::model`].
//!
//! Each derive checks its operation against the schema at compile time. The
//! conversions name every enum variant and field explicitly (no serde round-trips),
//! so a renamed field or removed variant on the server is a build error here rather
//! than a blank card in the browser.
//!
//! - [`auth`]: sign-in and who is signed in.
//! - [`tasks`]: the board's list and live events, the composer's estimate and submit.
//! - [`task`]: one task, live, and what can be done to it (promote, retry, cancel).
//! - [`campaigns`]: campaigns, briefs and budget alerts.
//! - [`catalogue`]: models, draft caps and reference assets (with uploads).
//! - [`providers`]: the configured gateways and their write-only API keys (admins).
//! - [`webhooks`]: webhook endpoints, delivery logs, replay, the callback secret, and
//!   a task's callbacks.

/// The schema's `DateTime` scalar: RFC 3339 text. Kept as text because the UI only
/// formats it for display and compares instants through [`crate::model::timestamp_ms`].
type DateTime = String;

/// Every operation gets its own copy of each schema enum. This maps one copy onto the
/// model's enum in both directions; a value this build does not know reads as `None`.
macro_rules! enum_map {
    ($op:ident :: $wire:ident <=> $model:ident { $($w:ident <=> $m:ident),+ $(,)? }) => {
        impl From<$op::$wire> for Option<$crate::model::$model> {
            fn from(value: $op::$wire) -> Self {
                match value {
                    $($op::$wire::$w => Some($crate::model::$model::$m),)+
                    $op::$wire::Other(_) => None,
                }
            }
        }

        impl From<$crate::model::$model> for $op::$wire {
            fn from(value: $crate::model::$model) -> Self {
                match value {
                    $($crate::model::$model::$m => $op::$wire::$w,)+
                }
            }
        }
    };
}

// One macro per schema enum, so its variants are listed once however many operations
// use it.

macro_rules! kind_enum {
    ($op:ident) => {
        enum_map!($op::TaskKind <=> Kind { IMAGE <=> Image, VIDEO <=> Video });
    };
}

macro_rules! stage_enum {
    ($op:ident) => {
        enum_map!($op::Stage <=> Stage { DRAFT <=> Draft, FINAL <=> Final });
    };
}

macro_rules! input_type_enum {
    ($op:ident) => {
        enum_map!($op::InputType <=> InputType {
            TEXT_TO_IMAGE <=> TextToImage,
            IMAGE_TO_IMAGE <=> ImageToImage,
            TEXT_TO_VIDEO <=> TextToVideo,
            IMAGE_TO_VIDEO <=> ImageToVideo,
            VIDEO_TO_VIDEO <=> VideoToVideo,
        });
    };
}

macro_rules! aspect_ratio_enum {
    ($op:ident) => {
        enum_map!($op::AspectRatio <=> AspectRatio {
            SQUARE_1_1 <=> Square1x1,
            LANDSCAPE_16_9 <=> Landscape16x9,
            PORTRAIT_9_16 <=> Portrait9x16,
            LANDSCAPE_4_3 <=> Landscape4x3,
            PORTRAIT_3_4 <=> Portrait3x4,
            LANDSCAPE_21_9 <=> Landscape21x9,
        });
    };
}

macro_rules! quality_enum {
    ($op:ident) => {
        enum_map!($op::Quality <=> Quality { LOW <=> Low, MEDIUM <=> Medium, HIGH <=> High });
    };
}

macro_rules! resolution_enum {
    ($op:ident) => {
        enum_map!($op::Resolution <=> Resolution { P480 <=> P480, P720 <=> P720, P1080 <=> P1080 });
    };
}

macro_rules! camera_motion_enum {
    ($op:ident) => {
        enum_map!($op::CameraMotion <=> CameraMotion {
            STATIC <=> Static,
            PAN_LEFT <=> PanLeft,
            PAN_RIGHT <=> PanRight,
            TILT_UP <=> TiltUp,
            TILT_DOWN <=> TiltDown,
            ZOOM_IN <=> ZoomIn,
            ZOOM_OUT <=> ZoomOut,
            ORBIT <=> Orbit,
            HANDHELD <=> Handheld,
        });
    };
}

macro_rules! audio_enum {
    ($op:ident) => {
        enum_map!($op::Audio <=> Audio { MUTE <=> Mute, WITH_AUDIO <=> WithAudio });
    };
}

macro_rules! output_format_enum {
    ($op:ident) => {
        enum_map!($op::OutputFormat <=> OutputFormat {
            PNG <=> Png,
            JPEG <=> Jpeg,
            WEBP <=> Webp,
            GIF <=> Gif,
            MP_4 <=> Mp4,
        });
    };
}

macro_rules! licence_status_enum {
    ($op:ident) => {
        enum_map!($op::LicenceStatus <=> LicenceStatus {
            LICENSED <=> Licensed,
            OWNED <=> Owned,
            PENDING <=> Pending,
            UNKNOWN <=> Unknown,
            RESTRICTED <=> Restricted,
        });
    };
}

macro_rules! media_kind_enum {
    ($op:ident) => {
        enum_map!($op::MediaKind <=> MediaKind { IMAGE <=> Image, VIDEO <=> Video });
    };
}

macro_rules! download_status_enum {
    ($op:ident) => {
        enum_map!($op::DownloadStatus <=> DownloadStatus {
            PENDING <=> Pending,
            STORED <=> Stored,
            EXPIRED <=> Expired,
            FAILED <=> Failed,
        });
    };
}

macro_rules! lineage_enum {
    ($op:ident) => {
        enum_map!($op::LineageKind <=> LineageKind { PROMOTION <=> Promotion, RETRY <=> Retry });
    };
}

macro_rules! brief_status_enum {
    ($op:ident) => {
        enum_map!($op::BriefStatus <=> BriefStatus {
            DRAFT <=> Draft,
            READY <=> Ready,
            IN_PRODUCTION <=> InProduction,
            DONE <=> Done,
            CANCELLED <=> Cancelled,
        });
    };
}

/// Statuses read with a fallback rather than `None`: a card still needs a badge.
macro_rules! status_enum {
    ($op:ident) => {
        impl From<$op::TaskStatus> for $crate::model::Status {
            fn from(status: $op::TaskStatus) -> Self {
                match status {
                    $op::TaskStatus::QUEUED => $crate::model::Status::Queued,
                    $op::TaskStatus::SUBMITTED => $crate::model::Status::Submitted,
                    $op::TaskStatus::PROCESSING => $crate::model::Status::Processing,
                    $op::TaskStatus::SUCCEEDED => $crate::model::Status::Succeeded,
                    $op::TaskStatus::FAILED => $crate::model::Status::Failed,
                    $op::TaskStatus::CANCELLED => $crate::model::Status::Cancelled,
                    $op::TaskStatus::Other(_) => $crate::model::Status::Unknown,
                }
            }
        }
    };
}

macro_rules! failure_reason_enum {
    ($op:ident) => {
        impl From<$op::FailureReason> for $crate::model::FailureReason {
            fn from(reason: $op::FailureReason) -> Self {
                match reason {
                    $op::FailureReason::INVALID_PARAMS => {
                        $crate::model::FailureReason::InvalidParams
                    }
                    $op::FailureReason::CONTENT_POLICY => {
                        $crate::model::FailureReason::ContentPolicy
                    }
                    $op::FailureReason::QUOTA => $crate::model::FailureReason::Quota,
                    $op::FailureReason::QUEUE_TIMEOUT => $crate::model::FailureReason::QueueTimeout,
                    $op::FailureReason::UPSTREAM_ERROR => {
                        $crate::model::FailureReason::UpstreamError
                    }
                    $op::FailureReason::DOWNLOAD_FAILED => {
                        $crate::model::FailureReason::DownloadFailed
                    }
                    $op::FailureReason::CANCELLED => $crate::model::FailureReason::Cancelled,
                    $op::FailureReason::Other(_) => $crate::model::FailureReason::Unknown,
                }
            }
        }
    };
}

macro_rules! transition_cause_enum {
    ($op:ident) => {
        impl From<$op::TransitionCause> for $crate::model::TransitionCause {
            fn from(cause: $op::TransitionCause) -> Self {
                match cause {
                    $op::TransitionCause::SUBMITTED => $crate::model::TransitionCause::Submitted,
                    $op::TransitionCause::UPSTREAM_ACCEPTED => {
                        $crate::model::TransitionCause::UpstreamAccepted
                    }
                    $op::TransitionCause::UPSTREAM_PROGRESS => {
                        $crate::model::TransitionCause::UpstreamProgress
                    }
                    $op::TransitionCause::UPSTREAM_COMPLETED => {
                        $crate::model::TransitionCause::UpstreamCompleted
                    }
                    $op::TransitionCause::UPSTREAM_FAILED => {
                        $crate::model::TransitionCause::UpstreamFailed
                    }
                    $op::TransitionCause::CANCELLED => $crate::model::TransitionCause::Cancelled,
                    $op::TransitionCause::DEADLINE_PASSED => {
                        $crate::model::TransitionCause::DeadlinePassed
                    }
                    $op::TransitionCause::DOWNLOAD_FAILED => {
                        $crate::model::TransitionCause::DownloadFailed
                    }
                    $op::TransitionCause::RETRIES_EXHAUSTED => {
                        $crate::model::TransitionCause::RetriesExhausted
                    }
                    $op::TransitionCause::Other(other) => {
                        $crate::model::TransitionCause::Other(other)
                    }
                }
            }
        }
    };
}

macro_rules! error_code_enum {
    ($op:ident) => {
        impl From<$op::UserErrorCode> for $crate::model::ErrorCode {
            fn from(code: $op::UserErrorCode) -> Self {
                match code {
                    $op::UserErrorCode::REQUIRED => $crate::model::ErrorCode::Required,
                    $op::UserErrorCode::INVALID => $crate::model::ErrorCode::Invalid,
                    $op::UserErrorCode::TOO_LONG => $crate::model::ErrorCode::TooLong,
                    $op::UserErrorCode::OUT_OF_RANGE => $crate::model::ErrorCode::OutOfRange,
                    $op::UserErrorCode::INVALID_CREDENTIALS => {
                        $crate::model::ErrorCode::InvalidCredentials
                    }
                    $op::UserErrorCode::CONFLICT => $crate::model::ErrorCode::Conflict,
                    $op::UserErrorCode::NOT_FOUND => $crate::model::ErrorCode::NotFound,
                    $op::UserErrorCode::UNSUPPORTED => $crate::model::ErrorCode::Unsupported,
                    $op::UserErrorCode::STAGE_LIMIT => $crate::model::ErrorCode::StageLimit,
                    $op::UserErrorCode::BUDGET_EXCEEDED => $crate::model::ErrorCode::BudgetExceeded,
                    $op::UserErrorCode::INVALID_STATE => $crate::model::ErrorCode::InvalidState,
                    $op::UserErrorCode::RATE_LIMITED => $crate::model::ErrorCode::RateLimited,
                    $op::UserErrorCode::Other(_) => $crate::model::ErrorCode::Unknown,
                }
            }
        }
    };
}

/// Invokes the enum macros an operation needs: `enums!(tasks: status_enum, stage_enum)`.
macro_rules! enums {
    ($op:ident: $($which:ident),+ $(,)?) => {
        $($which!($op);)+
    };
}

/// A payload's `userErrors` as the model's type.
macro_rules! user_errors {
    ($errors:expr) => {
        $errors
            .into_iter()
            .map(|e| $crate::model::UserError::new(e.field, e.code.into(), e.message))
            .collect::<Vec<$crate::model::UserError>>()
    };
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

/// A generated `OutputFields` selection as the model's type.
macro_rules! output {
    ($o:expr) => {{
        let o = $o;
        $crate::model::Output {
            id: o.id,
            position: o.position,
            format: o.format,
            mime_type: o.mime_type,
            width: o.width,
            height: o.height,
            duration_ms: o.duration_ms,
            byte_size: o.byte_size,
            checksum_sha256: o.checksum_sha256,
            url: o.url,
            thumbnail_url: o.thumbnail_url,
            download_status: o.download_status.into(),
            download_attempts: o.download_attempts,
            last_download_error: o.last_download_error,
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
pub mod providers;
pub mod task;
pub mod tasks;
pub mod webhooks;

pub use auth::{Me, login, viewer};

#[cfg(test)]
mod tests {
    // Run in Node by wasm-bindgen-test-runner: the crate only builds for wasm32.
    use wasm_bindgen_test::wasm_bindgen_test as test;

    /// The fragment named `name` in an operation file, from its `fragment` line to
    /// the closing brace at the start of a line.
    fn fragment<'a>(file: &'a str, name: &str) -> &'a str {
        let start = file
            .find(&format!("fragment {name} on"))
            .unwrap_or_else(|| panic!("no fragment {name}"));
        let end = file[start..]
            .find("\n}")
            .map(|i| start + i + 2)
            .unwrap_or(file.len());
        &file[start..end]
    }

    #[test]
    fn the_copies_of_each_shared_fragment_are_identical() {
        let tasks = include_str!("../../../graphql/tasks.graphql");
        let events = include_str!("../../../graphql/task_events.graphql");
        let submit = include_str!("../../../graphql/submit_task.graphql");
        let task = include_str!("../../../graphql/task.graphql");
        let updated = include_str!("../../../graphql/task_updated.graphql");
        let campaigns = include_str!("../../../graphql/campaigns.graphql");
        let create_campaign = include_str!("../../../graphql/create_campaign.graphql");
        let references = include_str!("../../../graphql/reference_assets.graphql");
        let upload = include_str!("../../../graphql/upload_reference_asset.graphql");
        let providers = include_str!("../../../graphql/providers.graphql");
        let set_key = include_str!("../../../graphql/set_provider_api_key.graphql");
        let endpoints = include_str!("../../../graphql/webhook_endpoints.graphql");
        let create_endpoint = include_str!("../../../graphql/create_webhook_endpoint.graphql");
        let update_endpoint = include_str!("../../../graphql/update_webhook_endpoint.graphql");
        let rotate = include_str!("../../../graphql/rotate_webhook_endpoint_secret.graphql");
        let disabled = include_str!("../../../graphql/webhook_endpoint_disabled.graphql");
        let deliveries = include_str!("../../../graphql/endpoint_deliveries.graphql");
        let callbacks = include_str!("../../../graphql/task_callbacks.graphql");
        let replay = include_str!("../../../graphql/replay_webhook_delivery.graphql");
        let delivery_updated = include_str!("../../../graphql/webhook_delivery_updated.graphql");
        let groups: [(&str, &[&str]); 9] = [
            ("TaskFields", &[tasks, events, submit]),
            ("OutputFields", &[tasks, events, submit, task, updated]),
            ("TaskDetailFields", &[task, updated]),
            ("TaskRefFields", &[task, updated]),
            ("CampaignFields", &[campaigns, create_campaign]),
            ("ReferenceFields", &[references, upload]),
            ("ProviderFields", &[providers, set_key]),
            (
                "EndpointFields",
                &[
                    endpoints,
                    create_endpoint,
                    update_endpoint,
                    rotate,
                    disabled,
                ],
            ),
            (
                "DeliveryFields",
                &[deliveries, callbacks, replay, delivery_updated],
            ),
        ];
        for (name, files) in groups {
            let first = fragment(files[0], name);
            for other in &files[1..] {
                assert_eq!(fragment(other, name), first, "the copies of {name} differ");
            }
        }
    }
}
