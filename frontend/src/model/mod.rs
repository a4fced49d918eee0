//! The UI's own types, independent of which operation fetched them.
//!
//! graphql_client generates a separate set of structs for every operation, even where
//! the operations select the same fields. The UI keeps one type per idea, so a card
//! does not care whether its task came from the list query, the submit mutation or a
//! live event; `api::operations` converts each generated struct into these. The
//! schema's enums are the exception: every operation decodes them straight into the
//! enums here (see [`wire`]).
//!
//! - [`params`]: what a task can be asked for (kind, stage, quality, resolution, …).
//! - [`task`]: tasks as the board and the task page show them.
//! - [`campaign`]: money, campaigns and briefs.
//! - [`catalogue`]: the models on offer, the draft caps, reference assets.
//! - [`download`]: a task's download links and when they expire.
//! - [`webhook`]: gateways, webhook endpoints and their deliveries.
//! - [`wire`]: the schema's names for the enums' values, and values this build does
//!   not know.

pub mod campaign;
pub mod catalogue;
pub mod download;
pub mod params;
pub mod task;
pub mod webhook;
pub mod wire;

use serde::{Deserialize, Serialize};

pub use campaign::{Brief, BriefStatus, Campaign, CampaignStats, Money};
pub use catalogue::{Catalogue, DraftPolicy, LicenceStatus, MediaKind, ModelSpec, ReferenceAsset};
pub use download::Downloads;
pub use params::{
    AspectRatio, Audio, CameraMotion, InputType, Kind, OutputFormat, Quality, Resolution, Stage,
};
pub use task::{
    DownloadStatus, LineageKind, Named, Output, Task, TaskDetail, TaskRef, Transition,
    TransitionCause, usage_entries,
};
pub use webhook::{
    Attempt, Delivery, DeliveryPhase, DeliveryStatus, DisabledCode, EventType, KeySource, Merged,
    Provider, Secret, VideoDialect, WebhookEndpoint, attach_models, merge_delivery,
};
pub use wire::OrUnknown;

/// Gives each closed enum the schema also has `ALL` (every value, in the order forms
/// offer them: the declaration's), `as_str` (the schema's name, which doubles as the
/// `<option>` value and the `data-*` value tests look for) and `parse`. The names come
/// from the enum's serde attributes; nothing here repeats them.
macro_rules! wire_names {
    ($($name:ident),+ $(,)?) => {$(
        impl $name {
            pub const ALL: &'static [$name] = <$name as strum::VariantArray>::VARIANTS;

            pub fn as_str(self) -> &'static str {
                wire::name(&self)
            }

            pub fn parse(value: &str) -> Option<Self> {
                wire::parse(value)
            }
        }
    )+};
}

wire_names!(
    Kind,
    Stage,
    InputType,
    AspectRatio,
    Quality,
    Resolution,
    CameraMotion,
    Audio,
    OutputFormat,
    LicenceStatus,
    MediaKind,
    DownloadStatus,
    LineageKind,
    BriefStatus,
    VideoDialect,
    DisabledCode,
    EventType,
    DeliveryStatus,
);

/// A task's place in its life cycle, as the server reports it.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize, strum::VariantArray,
)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Status {
    Queued,
    Submitted,
    Processing,
    Succeeded,
    Failed,
    Cancelled,
    /// A status this build does not know yet (the server is newer than the UI).
    #[default]
    #[serde(other)]
    Unknown,
}

impl Status {
    /// The wire name, kept in `data-status` for tests and styling.
    pub fn as_str(self) -> &'static str {
        wire::name(&self)
    }

    /// Terminal statuses never change again, which lets the UI ignore late events.
    pub fn is_terminal(self) -> bool {
        matches!(self, Status::Succeeded | Status::Failed | Status::Cancelled)
    }

    pub fn is_active(self) -> bool {
        matches!(
            self,
            Status::Queued | Status::Submitted | Status::Processing
        )
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, strum::VariantArray)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum FailureReason {
    InvalidParams,
    ContentPolicy,
    Quota,
    QueueTimeout,
    UpstreamError,
    DownloadFailed,
    Cancelled,
    /// A reason this build does not know.
    #[serde(other)]
    Unknown,
}

/// Why a mutation's input was refused; the catalogue has a sentence for each.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, strum::VariantArray)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ErrorCode {
    Required,
    Invalid,
    TooLong,
    OutOfRange,
    InvalidCredentials,
    Conflict,
    NotFound,
    Unsupported,
    StageLimit,
    BudgetExceeded,
    InvalidState,
    RateLimited,
    /// Spending again on something the team has or paid for needs a yes first.
    ConfirmationRequired,
    /// The same request cannot succeed; change it and submit a new task.
    EditRequired,
    /// A code this build does not know.
    #[serde(other)]
    Unknown,
}

/// Why a request would spend again on something the team already has or paid for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, strum::VariantArray)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum SpendWarning {
    SucceededRecently,
    FinalExists,
    AlreadyCharged,
    /// A warning this build does not know; it is still acknowledged as the server sent
    /// it, because only the server's name means anything to it.
    #[serde(other)]
    Unknown,
}

/// A spend warning and the task it is about (the one the team has, or the charged one).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SpendNotice {
    pub warning: SpendWarning,
    pub task_id: String,
}

/// A problem the user can fix, as a mutation payload reports it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UserError {
    /// The input field at fault without the leading `input`, e.g. `prompt`.
    pub field: Option<String>,
    pub code: ErrorCode,
    /// The server's sentence, in English.
    pub message: String,
    /// For `CONFIRMATION_REQUIRED`: what to confirm.
    pub confirm: Option<SpendNotice>,
}

impl UserError {
    /// The server sends paths like `["input", "prompt"]`; forms only need the last part.
    pub fn new(field: Option<Vec<String>>, code: ErrorCode, message: String) -> Self {
        Self {
            field: field.and_then(|path| path.last().cloned()),
            code,
            message,
            confirm: None,
        }
    }

    /// The payload's user errors with its spend warnings attached, in the order the
    /// server gives both (one `CONFIRMATION_REQUIRED` error per warning).
    pub fn with_notices(mut errors: Vec<UserError>, notices: Vec<SpendNotice>) -> Vec<UserError> {
        let mut notices = notices.into_iter();
        for error in errors
            .iter_mut()
            .filter(|e| e.code == ErrorCode::ConfirmationRequired)
        {
            error.confirm = notices.next();
        }
        errors
    }
}

/// Milliseconds since the epoch. Compared as numbers because RFC 3339 strings with a
/// varying number of fraction digits do not sort as text.
pub fn timestamp_ms(rfc3339: &str) -> Option<f64> {
    let ms = js_sys::Date::parse(rfc3339);
    (!ms.is_nan()).then_some(ms)
}
