//! What a task asks for: the prompt, the draft as the user filled it in, the stored parameters and their fingerprint.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::media::{closest_aspect, ratio_of};
use super::*;
use crate::domain::catalogue::{
    Audio, CameraMotion, OutputFormat, Quality, Resolution, parse_size,
};
use crate::domain::{ErrorCode, FieldError};

/// Longest prompt Kiln accepts, in characters; gateways refuse longer ones.
pub(crate) const MAX_PROMPT_CHARS: usize = 4_000;
/// Longest negative prompt.
pub(crate) const MAX_NEGATIVE_PROMPT_CHARS: usize = 2_000;
/// Seeds are non-negative 31-bit integers so that every client can represent them.
pub(crate) const MAX_SEED: i64 = i32::MAX as i64;

/// A prompt: trimmed, not empty, not too long.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Prompt(String);

impl Prompt {
    pub(crate) fn parse(raw: &str) -> Result<Self, FieldError> {
        let prompt = raw.trim();
        if prompt.is_empty() {
            return Err(FieldError::new(
                "prompt",
                ErrorCode::Required,
                "Describe what to generate.",
            ));
        }
        let chars = prompt.chars().count();
        if chars > MAX_PROMPT_CHARS {
            return Err(FieldError::new(
                "prompt",
                ErrorCode::TooLong,
                format!(
                    "A prompt has at most {MAX_PROMPT_CHARS} characters; this one has {chars}."
                ),
            ));
        }
        Ok(Self(prompt.to_owned()))
    }

    pub(crate) fn as_str(&self) -> &str {
        &self.0
    }
}

/// A reference file a task starts from, as the fingerprint and the provider see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReferenceRef {
    pub id: uuid::Uuid,
    pub kind: MediaKind,
    pub checksum_sha256: String,
}

/// A submission as the user filled it in, before validation. `None` means "not given";
/// defaults come from the model and the stage.
#[derive(Debug, Clone, Default)]
pub struct TaskDraft {
    pub input_type: Option<InputType>,
    pub stage: Option<Stage>,
    pub prompt: String,
    pub negative_prompt: Option<String>,
    pub model: Option<String>,
    pub aspect_ratio: Option<AspectRatio>,
    pub size: Option<String>,
    pub quality: Option<Quality>,
    pub count: Option<i32>,
    pub seed: Option<i64>,
    pub watermark: Option<bool>,
    pub output_format: Option<OutputFormat>,
    pub duration_secs: Option<i32>,
    pub resolution: Option<Resolution>,
    pub fps: Option<i32>,
    pub camera_motion: Option<CameraMotion>,
    pub audio: Option<Audio>,
    pub references: Vec<ReferenceRef>,
}

/// The stored, normalised parameters of a task: everything a provider needs to run it
/// again, and what the fingerprint is computed from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct TaskParams {
    pub prompt: Prompt,
    #[serde(default)]
    pub negative_prompt: Option<String>,
    pub model: String,
    pub aspect_ratio: AspectRatio,
    /// Images: `WIDTHxHEIGHT`.
    #[serde(default)]
    pub size: Option<String>,
    #[serde(default)]
    pub quality: Option<Quality>,
    pub count: u32,
    /// Chosen by the user; `None` lets Kiln pick one (and record it).
    pub seed: Option<u32>,
    #[serde(default)]
    pub watermark: bool,
    pub output_format: OutputFormat,
    #[serde(default)]
    pub duration_secs: Option<u32>,
    #[serde(default)]
    pub resolution: Option<Resolution>,
    /// Video frames per second; `None` where the model offers no choice.
    #[serde(default)]
    pub fps: Option<u32>,
    #[serde(default)]
    pub camera_motion: Option<CameraMotion>,
    #[serde(default)]
    pub audio: Option<Audio>,
    #[serde(default)]
    pub references: Vec<ReferenceRef>,
}

impl TaskParams {
    /// Width and height of each output.
    pub(crate) fn output_dimensions(&self) -> (u32, u32) {
        if let Some((w, h)) = self.size.as_deref().and_then(parse_size) {
            return (w, h);
        }
        let short = self.resolution.map_or(720, Resolution::short_side);
        let (w, h) = self.aspect_ratio.dimensions(short.max(1) * 16 / 9);
        // `dimensions` sizes the long side; rescale so that the short side is `short`.
        let (sw, sh) = if w >= h {
            (w * short / h.max(1), short)
        } else {
            (short, h * short / w.max(1))
        };
        (sw / 2 * 2, sh / 2 * 2)
    }
}

/// A validated submission.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct TaskSpec {
    pub kind: TaskKind,
    pub input_type: InputType,
    pub stage: Stage,
    pub params: TaskParams,
}

impl TaskSpec {
    /// A stable hash of what was asked for: two submissions with the same fingerprint
    /// would produce (and cost) the same thing.
    pub(crate) fn fingerprint(&self) -> String {
        #[derive(Serialize)]
        struct Canonical<'a> {
            kind: TaskKind,
            input_type: InputType,
            stage: Stage,
            params: &'a TaskParams,
        }
        // An image's size decides its shape; the aspect ratio only helped pick the size,
        // so two requests that end at the same size are the same request.
        let mut params = self.params.clone();
        if let Some(ratio) = params.size.as_deref().and_then(ratio_of) {
            params.aspect_ratio = closest_aspect(ratio);
        }
        let canonical = Canonical {
            kind: self.kind,
            input_type: self.input_type,
            stage: self.stage,
            params: &params,
        };
        // Serialising a struct of plain fields cannot fail.
        let bytes = serde_json::to_vec(&canonical).unwrap_or_default();
        hex::encode(Sha256::digest(bytes))
    }
}
