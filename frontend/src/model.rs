//! The board's own view of tasks.
//!
//! graphql_client generates a separate set of types for every operation, even where
//! the operations select the same fields. The board keeps one task type, so a card
//! does not care whether its data came from the list query, the submit mutation or a
//! live event; `api::operations` converts each generated type into these.

/// A task's place in its life cycle, as the server reports it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    Queued,
    Submitted,
    Processing,
    Succeeded,
    Failed,
    Cancelled,
    /// A status this build does not know yet (the server is newer than the UI).
    Unknown,
}

impl Status {
    /// The wire name, kept in the card's `data-status` for tests and styling.
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

    /// Terminal statuses never change again, which lets the board ignore late events.
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
pub enum AspectRatio {
    Square1x1,
    Landscape16x9,
    Portrait9x16,
    Landscape4x3,
    Portrait3x4,
    Landscape21x9,
}

impl AspectRatio {
    /// In the order the form offers them.
    pub const ALL: [AspectRatio; 6] = [
        AspectRatio::Square1x1,
        AspectRatio::Landscape16x9,
        AspectRatio::Portrait9x16,
        AspectRatio::Landscape4x3,
        AspectRatio::Portrait3x4,
        AspectRatio::Landscape21x9,
    ];

    /// The GraphQL enum name, also used as the `<option>` value so tests can pick one.
    pub fn as_str(self) -> &'static str {
        match self {
            AspectRatio::Square1x1 => "SQUARE_1_1",
            AspectRatio::Landscape16x9 => "LANDSCAPE_16_9",
            AspectRatio::Portrait9x16 => "PORTRAIT_9_16",
            AspectRatio::Landscape4x3 => "LANDSCAPE_4_3",
            AspectRatio::Portrait3x4 => "PORTRAIT_3_4",
            AspectRatio::Landscape21x9 => "LANDSCAPE_21_9",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == value)
    }

    /// Width and height in ratio units, for placeholders shaped like the result.
    pub fn dimensions(self) -> (u32, u32) {
        match self {
            AspectRatio::Square1x1 => (1, 1),
            AspectRatio::Landscape16x9 => (16, 9),
            AspectRatio::Portrait9x16 => (9, 16),
            AspectRatio::Landscape4x3 => (4, 3),
            AspectRatio::Portrait3x4 => (3, 4),
            AspectRatio::Landscape21x9 => (21, 9),
        }
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
    /// The server sends paths like `["input", "prompt"]`; the form only needs the last part.
    pub fn new(field: Option<Vec<String>>, code: ErrorCode, message: String) -> Self {
        Self {
            field: field.and_then(|path| path.last().cloned()),
            code,
            message,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Output {
    pub id: String,
    pub position: i64,
    /// Signed link to the full file; `None` until Kiln has stored it.
    pub url: Option<String>,
    /// Signed link to a small PNG; `None` until Kiln has stored it.
    pub thumbnail_url: Option<String>,
    pub width: Option<i64>,
    pub height: Option<i64>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Task {
    pub id: String,
    pub status: Status,
    /// 0–100.
    pub progress: i64,
    pub prompt: String,
    /// `None` for a ratio this build does not know.
    pub aspect_ratio: Option<AspectRatio>,
    pub count: i64,
    pub seed: Option<i64>,
    pub failure_reason: Option<FailureReason>,
    pub failure_message: Option<String>,
    /// RFC 3339.
    pub created_at: String,
    /// RFC 3339; decides which of two copies of a task is newer.
    pub updated_at: String,
    pub submitted_by: Option<String>,
    pub outputs: Vec<Output>,
}

impl Task {
    /// Whether `incoming` should replace `self`. Events and query results can arrive
    /// in any order (a page fetched before a change can land after its event), so an
    /// older copy must not overwrite a newer one, and a finished task stays finished.
    pub fn is_superseded_by(&self, incoming: &Task) -> bool {
        if self.status.is_terminal() && !incoming.status.is_terminal() {
            return false;
        }
        match (
            timestamp_ms(&self.updated_at),
            timestamp_ms(&incoming.updated_at),
        ) {
            (Some(current), Some(new)) => new >= current,
            // Unparseable times should not freeze a card; the newest arrival wins.
            _ => true,
        }
    }
}

/// Milliseconds since the epoch. Compared as numbers because RFC 3339 strings with a
/// varying number of fraction digits do not sort as text.
pub fn timestamp_ms(rfc3339: &str) -> Option<f64> {
    let ms = js_sys::Date::parse(rfc3339);
    (!ms.is_nan()).then_some(ms)
}
