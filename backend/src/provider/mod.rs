//! Upstream generation services behind one trait, so that the worker drives a simulated
//! provider and a real gateway the same way.
//!
//! # Layout
//! - [`simulated`]: the default; in-process, deterministic, produces real files.
//! - [`openai`]: any OpenAI-compatible gateway (OpenAI itself, New API, …).

pub(crate) mod openai;
pub mod simulated;

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::domain::task::{FailureReason, TaskKind, TaskParams};

/// Where the simulated provider puts outputs that cannot be fetched (for
/// `#fail:download`); no real host.
pub(crate) const UNREACHABLE_OUTPUT_PREFIX: &str = "sim://expired/";

/// The name of the built-in simulated provider.
pub(crate) const SIMULATED: &str = "simulated";

/// A reference file sent along with a request, for providers that upload them.
#[derive(Clone)]
pub(crate) struct ReferenceFile {
    pub kind: crate::domain::task::MediaKind,
    pub mime: String,
    pub filename: String,
    pub bytes: Bytes,
}

impl std::fmt::Debug for ReferenceFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ReferenceFile")
            .field("mime", &self.mime)
            .field("filename", &self.filename)
            .field("bytes", &self.bytes.len())
            .finish()
    }
}

/// What a provider is asked to run: the task's stored parameters, with the seed fixed.
#[derive(Debug, Clone)]
pub(crate) struct ProviderRequest {
    pub task_id: Uuid,
    /// When the task was submitted; polling backs off as it ages.
    pub submitted_at: DateTime<Utc>,
    /// The model's name at the upstream.
    pub upstream_model: String,
    /// The reference files, for providers that upload them (else empty).
    pub references: Vec<ReferenceFile>,
    /// Sent upstream with the create request where the upstream supports it, so that a
    /// create repeated after a lost answer does not create (and charge) twice.
    pub idempotency_key: String,
    pub kind: TaskKind,
    pub params: TaskParams,
}

/// The upstream accepted the task under this id.
#[derive(Debug, Clone)]
pub(crate) struct Accepted {
    pub upstream_id: String,
    pub raw_status: String,
    /// An upstream that answers at once (image generation) gives the result here.
    pub result: Option<UpstreamState>,
}

/// Where a finished output can be fetched from.
#[derive(Debug, Clone)]
pub(crate) enum OutputSource {
    /// The bytes came with the answer (e.g. `b64_json`).
    Inline(Bytes),
    /// A link the upstream keeps for a while.
    Url {
        url: String,
        expires_at: Option<DateTime<Utc>>,
    },
}

#[derive(Debug, Clone)]
pub(crate) struct UpstreamOutput {
    pub source: OutputSource,
}

/// The upstream's answer to "how is it going?".
#[derive(Debug, Clone)]
pub(crate) enum UpstreamState {
    Pending {
        raw_status: String,
        /// The upstream is working on it (as opposed to queueing it).
        processing: bool,
        progress: Option<u8>,
        /// Place in the upstream's queue, where it says.
        queue_position: Option<u32>,
        /// When asking again makes sense.
        poll_after: Duration,
    },
    Completed {
        outputs: Vec<UpstreamOutput>,
        /// What the upstream says it charged, in micros, where it says.
        cost_micros: Option<i64>,
        /// The upstream's `usage` report, kept as it came.
        usage: Option<serde_json::Value>,
    },
    Failed {
        raw_status: String,
        reason: FailureReason,
        message: String,
    },
}

#[derive(Debug, Clone, thiserror::Error)]
pub(crate) enum ProviderError {
    /// Worth retrying later (network trouble, 5xx, rate limits).
    #[error("temporary upstream failure: {message}")]
    Transient {
        message: String,
        retry_after: Option<Duration>,
    },
    /// Retrying cannot help; the task fails with `reason`.
    #[error("upstream refused the task ({reason}): {message}")]
    Permanent {
        reason: FailureReason,
        message: String,
    },
    /// A create whose answer was lost (timeout, reset): the upstream may have accepted
    /// it, and it takes no idempotency key, so sending it again could pay twice.
    #[error("the upstream may or may not have accepted the task: {message}")]
    Ambiguous { message: String },
}

#[async_trait::async_trait]
pub(crate) trait Provider: Send + Sync + 'static {
    /// The name stored on each task, so a restarted worker knows who runs it.
    fn name(&self) -> &str;

    /// Hands the task to the upstream. Called at most once per task unless it fails
    /// before the upstream accepted it.
    async fn submit(&self, request: &ProviderRequest) -> Result<Accepted, ProviderError>;

    /// Asks how an accepted task is doing.
    async fn poll(
        &self,
        upstream_id: &str,
        request: &ProviderRequest,
    ) -> Result<UpstreamState, ProviderError>;

    /// Fetches the bytes of one finished output.
    async fn fetch(&self, output: &UpstreamOutput) -> Result<Bytes, ProviderError>;

    /// Asks the upstream to stop an accepted task; best effort.
    async fn cancel(&self, _upstream_id: &str) -> Result<(), ProviderError> {
        Ok(())
    }

    /// Whether requests must carry the reference files' bytes.
    fn needs_reference_bytes(&self) -> bool {
        false
    }
}

/// The providers by name: the simulated one and every configured gateway.
#[derive(Clone, Default)]
pub(crate) struct Providers {
    by_name: HashMap<String, Arc<dyn Provider>>,
}

impl Providers {
    pub(crate) fn insert(&mut self, provider: Arc<dyn Provider>) {
        self.by_name.insert(provider.name().to_owned(), provider);
    }

    pub(crate) fn get(&self, name: &str) -> Option<Arc<dyn Provider>> {
        self.by_name.get(name).cloned()
    }
}
