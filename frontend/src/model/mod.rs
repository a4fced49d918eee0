//! The UI's own types, independent of which operation fetched them.
//!
//! graphql_client generates a separate set of types for every operation, even where
//! the operations select the same fields. The UI keeps one type per idea, so a card
//! does not care whether its task came from the list query, the submit mutation or a
//! live event; `api::operations` converts each generated type into these.
//!
//! - [`params`]: what a task can be asked for (kind, stage, quality, resolution, …).
//! - [`task`]: tasks as the board and the task page show them.
//! - [`campaign`]: money, campaigns and briefs.
//! - [`catalogue`]: the models on offer, the draft caps, reference assets.
//! - [`webhook`]: gateways, webhook endpoints and their deliveries.

// Defined before the submodules so that they can use it.
/// Declares a closed enum with its wire names, every value in order (`ALL`), and the
/// parse back from a wire name.
macro_rules! wire_enum {
    ($(#[$meta:meta])* $name:ident { $($variant:ident => $wire:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum $name {
            $($variant),+
        }

        impl $name {
            /// In the order forms offer them.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The GraphQL enum name.
            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $wire),+
                }
            }

            pub fn parse(value: &str) -> Option<Self> {
                Self::ALL.iter().copied().find(|v| v.as_str() == value)
            }
        }
    };
}

pub mod campaign;
pub mod catalogue;
pub mod params;
pub mod task;
pub mod webhook;

pub use campaign::{Brief, BriefStatus, Campaign, CampaignStats, Money};
pub use catalogue::{Catalogue, DraftPolicy, LicenceStatus, MediaKind, ModelSpec, ReferenceAsset};
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

/// A task's place in its life cycle, as the server reports it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Status {
    Queued,
    Submitted,
    Processing,
    Succeeded,
    Failed,
    Cancelled,
    /// A status this build does not know yet (the server is newer than the UI).
    #[default]
    Unknown,
}

impl Status {
    /// The wire name, kept in `data-status` for tests and styling.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Queued => "QUEUED",
            Status::Submitted => "SUBMITTED",
            Status::Processing => "PROCESSING",
            Status::Succeeded => "SUCCEEDED",
            Status::Failed => "FAILED",
            Status::Cancelled => "CANCELLED",
            Status::Unknown => "UNKNOWN",
        }
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

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FailureReason {
    InvalidParams,
    ContentPolicy,
    Quota,
    QueueTimeout,
    UpstreamError,
    DownloadFailed,
    Cancelled,
    Unknown,
}

/// Why a mutation's input was refused; the catalogue has a sentence for each.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
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
    Unknown,
}

/// A problem the user can fix, as a mutation payload reports it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UserError {
    /// The input field at fault without the leading `input`, e.g. `prompt`.
    pub field: Option<String>,
    pub code: ErrorCode,
    /// The server's sentence, in English.
    pub message: String,
}

impl UserError {
    /// The server sends paths like `["input", "prompt"]`; forms only need the last part.
    pub fn new(field: Option<Vec<String>>, code: ErrorCode, message: String) -> Self {
        Self {
            field: field.and_then(|path| path.last().cloned()),
            code,
            message,
        }
    }
}

/// Milliseconds since the epoch. Compared as numbers because RFC 3339 strings with a
/// varying number of fraction digits do not sort as text.
pub fn timestamp_ms(rfc3339: &str) -> Option<f64> {
    let ms = js_sys::Date::parse(rfc3339);
    (!ms.is_nan()).then_some(ms)
}
