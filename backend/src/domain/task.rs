//! Generation tasks: what can be asked for, and how a task moves through its life.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::{ErrorCode, FieldError, string_enum};

string_enum! {
    /// What a task produces.
    pub enum TaskKind {
        Image => "IMAGE",
        Video => "VIDEO",
    }
}

string_enum! {
    /// What a task starts from.
    pub enum InputType {
        TextToImage => "TEXT_TO_IMAGE",
        ImageToImage => "IMAGE_TO_IMAGE",
        TextToVideo => "TEXT_TO_VIDEO",
        ImageToVideo => "IMAGE_TO_VIDEO",
        VideoToVideo => "VIDEO_TO_VIDEO",
    }
}

impl InputType {
    pub fn kind(self) -> TaskKind {
        match self {
            InputType::TextToImage | InputType::ImageToImage => TaskKind::Image,
            _ => TaskKind::Video,
        }
    }
}

string_enum! {
    /// A cheap draft to explore, or the final render.
    pub enum Stage {
        Draft => "DRAFT",
        Final => "FINAL",
    }
}

string_enum! {
    /// Where a task is in its life. `SUCCEEDED`, `FAILED` and `CANCELLED` are terminal.
    pub enum TaskStatus {
        Queued => "QUEUED",
        Submitted => "SUBMITTED",
        Processing => "PROCESSING",
        Succeeded => "SUCCEEDED",
        Failed => "FAILED",
        Cancelled => "CANCELLED",
    }
}

impl TaskStatus {
    pub fn is_terminal(self) -> bool {
        matches!(
            self,
            TaskStatus::Succeeded | TaskStatus::Failed | TaskStatus::Cancelled
        )
    }

    /// The moves a task may make. Terminal states never change; a fast upstream may
    /// finish before Kiln ever saw it processing, so `SUBMITTED → SUCCEEDED` is allowed.
    pub fn can_become(self, next: TaskStatus) -> bool {
        use TaskStatus::*;
        match self {
            Queued => matches!(next, Submitted | Failed | Cancelled),
            Submitted => matches!(next, Processing | Succeeded | Failed | Cancelled),
            Processing => matches!(next, Succeeded | Failed | Cancelled),
            Succeeded | Failed | Cancelled => false,
        }
    }
}

string_enum! {
    /// Why a task failed.
    pub enum FailureReason {
        InvalidParams => "INVALID_PARAMS",
        ContentPolicy => "CONTENT_POLICY",
        Quota => "QUOTA",
        QueueTimeout => "QUEUE_TIMEOUT",
        UpstreamError => "UPSTREAM_ERROR",
        DownloadFailed => "DOWNLOAD_FAILED",
        Cancelled => "CANCELLED",
    }
}

string_enum! {
    /// Shape of an output. Dimensions follow from it and the output's long side.
    pub enum AspectRatio {
        Square1x1 => "1:1",
        Landscape16x9 => "16:9",
        Portrait9x16 => "9:16",
        Landscape4x3 => "4:3",
        Portrait3x4 => "3:4",
        Landscape21x9 => "21:9",
    }
}

impl AspectRatio {
    fn ratio(self) -> (u32, u32) {
        match self {
            AspectRatio::Square1x1 => (1, 1),
            AspectRatio::Landscape16x9 => (16, 9),
            AspectRatio::Portrait9x16 => (9, 16),
            AspectRatio::Landscape4x3 => (4, 3),
            AspectRatio::Portrait3x4 => (3, 4),
            AspectRatio::Landscape21x9 => (21, 9),
        }
    }

    /// Width and height for an output whose longer side is `long_side` pixels, rounded
    /// to even numbers (video encoders require them).
    pub fn dimensions(self, long_side: u32) -> (u32, u32) {
        let (w, h) = self.ratio();
        let even = |v: u32| (v / 2 * 2).max(2);
        if w >= h {
            (even(long_side), even(long_side * h / w))
        } else {
            (even(long_side * w / h), even(long_side))
        }
    }
}

string_enum! {
    /// What caused a recorded transition.
    pub enum TransitionCause {
        Submitted => "SUBMITTED",
        UpstreamAccepted => "UPSTREAM_ACCEPTED",
        UpstreamProgress => "UPSTREAM_PROGRESS",
        UpstreamCompleted => "UPSTREAM_COMPLETED",
        UpstreamFailed => "UPSTREAM_FAILED",
    }
}

/// Longest prompt Kiln accepts, in characters; gateways refuse longer ones.
pub const MAX_PROMPT_CHARS: usize = 4_000;
/// Most images one task may ask for.
pub const MAX_IMAGE_COUNT: u32 = 4;
/// Seeds are non-negative 31-bit integers so that every client can represent them.
pub const MAX_SEED: i64 = i32::MAX as i64;

/// A prompt: trimmed, not empty, not too long.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Prompt(String);

impl Prompt {
    pub fn parse(raw: &str) -> Result<Self, FieldError> {
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

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A submission as the user typed it, before validation.
#[derive(Debug, Clone)]
pub struct ImageTaskDraft {
    pub prompt: String,
    pub aspect_ratio: AspectRatio,
    pub count: i32,
    pub seed: Option<i64>,
}

/// The stored, normalised parameters of a task. Everything a provider needs to run it
/// again, and what the fingerprint is computed from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaskParams {
    pub prompt: Prompt,
    pub aspect_ratio: AspectRatio,
    pub count: u32,
    /// Chosen by the user; `None` lets Kiln pick one at run time (and record it).
    pub seed: Option<u32>,
}

/// A validated submission.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskSpec {
    pub kind: TaskKind,
    pub input_type: InputType,
    pub stage: Stage,
    pub params: TaskParams,
}

impl TaskSpec {
    /// Validates every field and reports all problems at once, so a form can mark each.
    pub fn image(draft: ImageTaskDraft) -> Result<Self, Vec<FieldError>> {
        let mut errors = Vec::new();
        let prompt = Prompt::parse(&draft.prompt)
            .map_err(|e| errors.push(e))
            .ok();
        let count = if (1..=MAX_IMAGE_COUNT as i32).contains(&draft.count) {
            Some(draft.count as u32)
        } else {
            errors.push(FieldError::new(
                "count",
                ErrorCode::OutOfRange,
                format!("Ask for between 1 and {MAX_IMAGE_COUNT} images."),
            ));
            None
        };
        let seed = match draft.seed {
            None => Some(None),
            Some(seed) if (0..=MAX_SEED).contains(&seed) => Some(Some(seed as u32)),
            Some(_) => {
                errors.push(FieldError::new(
                    "seed",
                    ErrorCode::OutOfRange,
                    format!("A seed is a whole number from 0 to {MAX_SEED}."),
                ));
                None
            }
        };
        match (prompt, count, seed) {
            (Some(prompt), Some(count), Some(seed)) if errors.is_empty() => Ok(Self {
                kind: TaskKind::Image,
                input_type: InputType::TextToImage,
                stage: Stage::Draft,
                params: TaskParams {
                    prompt,
                    aspect_ratio: draft.aspect_ratio,
                    count,
                    seed,
                },
            }),
            _ => Err(errors),
        }
    }

    /// A stable hash of what was asked for: two submissions with the same fingerprint
    /// would produce (and cost) the same thing.
    pub fn fingerprint(&self) -> String {
        #[derive(Serialize)]
        struct Canonical<'a> {
            kind: TaskKind,
            input_type: InputType,
            stage: Stage,
            params: &'a TaskParams,
        }
        let canonical = Canonical {
            kind: self.kind,
            input_type: self.input_type,
            stage: self.stage,
            params: &self.params,
        };
        // Serialising a struct of plain fields cannot fail.
        let bytes = serde_json::to_vec(&canonical).unwrap_or_default();
        hex::encode(Sha256::digest(bytes))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn draft(prompt: &str) -> ImageTaskDraft {
        ImageTaskDraft {
            prompt: prompt.to_owned(),
            aspect_ratio: AspectRatio::Square1x1,
            count: 1,
            seed: None,
        }
    }

    #[test]
    fn a_prompt_is_trimmed() {
        assert_eq!(
            Prompt::parse("  red kettle  ").unwrap().as_str(),
            "red kettle"
        );
    }

    #[test]
    fn an_empty_prompt_is_required() {
        assert_eq!(Prompt::parse(" \n ").unwrap_err().code, ErrorCode::Required);
    }

    #[test]
    fn a_prompt_longer_than_the_limit_is_rejected() {
        let long = "长".repeat(MAX_PROMPT_CHARS + 1);
        let err = Prompt::parse(&long).unwrap_err();
        assert_eq!(err.code, ErrorCode::TooLong);
        assert_eq!(err.field, Some("prompt"));
        assert!(Prompt::parse(&"长".repeat(MAX_PROMPT_CHARS)).is_ok());
    }

    #[test]
    fn every_invalid_field_is_reported_at_once() {
        let errors = TaskSpec::image(ImageTaskDraft {
            prompt: String::new(),
            aspect_ratio: AspectRatio::Square1x1,
            count: 9,
            seed: Some(-1),
        })
        .unwrap_err();
        let fields: Vec<_> = errors.iter().filter_map(|e| e.field).collect();
        assert_eq!(fields, ["prompt", "count", "seed"]);
    }

    #[test]
    fn identical_submissions_share_a_fingerprint_and_different_ones_do_not() {
        let a = TaskSpec::image(draft("a red kettle")).unwrap();
        let b = TaskSpec::image(draft("  a red kettle ")).unwrap();
        let c = TaskSpec::image(draft("a blue kettle")).unwrap();
        assert_eq!(a.fingerprint(), b.fingerprint());
        assert_ne!(a.fingerprint(), c.fingerprint());
    }

    #[test]
    fn terminal_states_never_change() {
        for status in [
            TaskStatus::Succeeded,
            TaskStatus::Failed,
            TaskStatus::Cancelled,
        ] {
            for next in TaskStatus::ALL {
                assert!(!status.can_become(*next), "{status} -> {next}");
            }
        }
    }

    #[test]
    fn a_task_moves_forward_only() {
        assert!(TaskStatus::Queued.can_become(TaskStatus::Submitted));
        assert!(TaskStatus::Submitted.can_become(TaskStatus::Processing));
        assert!(TaskStatus::Processing.can_become(TaskStatus::Succeeded));
        assert!(!TaskStatus::Processing.can_become(TaskStatus::Queued));
        assert!(!TaskStatus::Queued.can_become(TaskStatus::Processing));
    }

    #[test]
    fn dimensions_follow_the_aspect_ratio() {
        assert_eq!(AspectRatio::Square1x1.dimensions(512), (512, 512));
        assert_eq!(AspectRatio::Landscape16x9.dimensions(512), (512, 288));
        assert_eq!(AspectRatio::Portrait9x16.dimensions(512), (288, 512));
    }
}
