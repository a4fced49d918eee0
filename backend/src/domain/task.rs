//! Generation tasks: what can be asked for, and how a task moves through its life.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::catalogue::{
    Audio, CameraMotion, ModelSpec, OutputFormat, Quality, Resolution, StagePolicy, parse_size,
};
use super::{ErrorCode, FieldError};

/// What a task produces.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    Serialize,
    Deserialize,
    strum::EnumString,
    strum::IntoStaticStr,
    strum::Display,
    strum::VariantArray,
    async_graphql::Enum,
    sea_orm::DeriveValueType,
)]
#[sea_orm(value_type = "String")]
#[strum(serialize_all = "SCREAMING_SNAKE_CASE")]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum TaskKind {
    Image,
    Video,
}

/// What a task starts from.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    Serialize,
    Deserialize,
    strum::EnumString,
    strum::IntoStaticStr,
    strum::Display,
    strum::VariantArray,
    async_graphql::Enum,
    sea_orm::DeriveValueType,
)]
#[sea_orm(value_type = "String")]
#[strum(serialize_all = "SCREAMING_SNAKE_CASE")]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum InputType {
    TextToImage,
    ImageToImage,
    TextToVideo,
    ImageToVideo,
    VideoToVideo,
}

impl InputType {
    pub fn kind(self) -> TaskKind {
        match self {
            InputType::TextToImage | InputType::ImageToImage => TaskKind::Image,
            _ => TaskKind::Video,
        }
    }
}

/// A cheap draft to explore, or the final render.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    Serialize,
    Deserialize,
    strum::EnumString,
    strum::IntoStaticStr,
    strum::Display,
    strum::VariantArray,
    async_graphql::Enum,
    sea_orm::DeriveValueType,
)]
#[sea_orm(value_type = "String")]
#[strum(serialize_all = "SCREAMING_SNAKE_CASE")]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Stage {
    /// A cheap exploration.
    Draft,
    /// The render that gets reviewed and used.
    Final,
}

/// Where a task is in its life. `SUCCEEDED`, `FAILED` and `CANCELLED` are terminal.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    Serialize,
    Deserialize,
    strum::EnumString,
    strum::IntoStaticStr,
    strum::Display,
    strum::VariantArray,
    async_graphql::Enum,
    sea_orm::DeriveValueType,
)]
#[sea_orm(value_type = "String")]
#[strum(serialize_all = "SCREAMING_SNAKE_CASE")]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum TaskStatus {
    /// Stored; waiting for a worker.
    Queued,
    /// Accepted by the upstream, which has not started it yet.
    Submitted,
    /// The upstream is generating it.
    Processing,
    Succeeded,
    Failed,
    Cancelled,
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

/// Why a task failed.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    Serialize,
    Deserialize,
    strum::EnumString,
    strum::IntoStaticStr,
    strum::Display,
    strum::VariantArray,
    async_graphql::Enum,
    sea_orm::DeriveValueType,
)]
#[sea_orm(value_type = "String")]
#[strum(serialize_all = "SCREAMING_SNAKE_CASE")]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum FailureReason {
    InvalidParams,
    ContentPolicy,
    Quota,
    QueueTimeout,
    UpstreamError,
    DownloadFailed,
    Cancelled,
}

/// Shape of an output. Dimensions follow from it and the output's long side.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    Serialize,
    Deserialize,
    strum::EnumString,
    strum::IntoStaticStr,
    strum::Display,
    strum::VariantArray,
    async_graphql::Enum,
    sea_orm::DeriveValueType,
)]
#[sea_orm(value_type = "String")]
pub enum AspectRatio {
    #[strum(serialize = "1:1")]
    #[serde(rename = "1:1")]
    #[graphql(name = "SQUARE_1_1")]
    Square1x1,
    #[strum(serialize = "16:9")]
    #[serde(rename = "16:9")]
    #[graphql(name = "LANDSCAPE_16_9")]
    Landscape16x9,
    #[strum(serialize = "9:16")]
    #[serde(rename = "9:16")]
    #[graphql(name = "PORTRAIT_9_16")]
    Portrait9x16,
    #[strum(serialize = "4:3")]
    #[serde(rename = "4:3")]
    #[graphql(name = "LANDSCAPE_4_3")]
    Landscape4x3,
    #[strum(serialize = "3:4")]
    #[serde(rename = "3:4")]
    #[graphql(name = "PORTRAIT_3_4")]
    Portrait3x4,
    #[strum(serialize = "21:9")]
    #[serde(rename = "21:9")]
    #[graphql(name = "LANDSCAPE_21_9")]
    Landscape21x9,
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

/// What caused a recorded transition.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    Serialize,
    Deserialize,
    strum::EnumString,
    strum::IntoStaticStr,
    strum::Display,
    strum::VariantArray,
    async_graphql::Enum,
    sea_orm::DeriveValueType,
)]
#[sea_orm(value_type = "String")]
#[strum(serialize_all = "SCREAMING_SNAKE_CASE")]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum TransitionCause {
    /// A member submitted, promoted or retried it.
    Submitted,
    UpstreamAccepted,
    UpstreamProgress,
    /// The upstream finished and every output was stored.
    UpstreamCompleted,
    UpstreamFailed,
    Cancelled,
    /// The task's deadline passed before a result came.
    DeadlinePassed,
    DownloadFailed,
    /// Passing failures did not pass.
    RetriesExhausted,
}

/// How a task came from another.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    Serialize,
    Deserialize,
    strum::EnumString,
    strum::IntoStaticStr,
    strum::Display,
    strum::VariantArray,
    async_graphql::Enum,
    sea_orm::DeriveValueType,
)]
#[sea_orm(value_type = "String")]
#[strum(serialize_all = "SCREAMING_SNAKE_CASE")]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum LineageKind {
    /// A final promoted from a draft.
    Promotion,
    /// A new attempt at a failed or cancelled task.
    Retry,
}

/// Whether a file is a still image or a moving picture.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    Serialize,
    Deserialize,
    strum::EnumString,
    strum::IntoStaticStr,
    strum::Display,
    strum::VariantArray,
    async_graphql::Enum,
    sea_orm::DeriveValueType,
)]
#[sea_orm(value_type = "String")]
#[strum(serialize_all = "SCREAMING_SNAKE_CASE")]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum MediaKind {
    Image,
    Video,
}

/// Whether Kiln holds its own copy of an output.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    Serialize,
    Deserialize,
    strum::EnumString,
    strum::IntoStaticStr,
    strum::Display,
    strum::VariantArray,
    async_graphql::Enum,
    sea_orm::DeriveValueType,
)]
#[sea_orm(value_type = "String")]
#[strum(serialize_all = "SCREAMING_SNAKE_CASE")]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum DownloadStatus {
    /// Not yet copied into Kiln's storage.
    Pending,
    /// Kept by Kiln; downloadable.
    Stored,
    /// The upstream link expired before Kiln could copy it.
    Expired,
    Failed,
}

/// Longest prompt Kiln accepts, in characters; gateways refuse longer ones.
pub const MAX_PROMPT_CHARS: usize = 4_000;
/// Longest negative prompt.
pub const MAX_NEGATIVE_PROMPT_CHARS: usize = 2_000;
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
    pub camera_motion: Option<CameraMotion>,
    pub audio: Option<Audio>,
    pub references: Vec<ReferenceRef>,
}

/// The stored, normalised parameters of a task: everything a provider needs to run it
/// again, and what the fingerprint is computed from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaskParams {
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
    #[serde(default)]
    pub camera_motion: Option<CameraMotion>,
    #[serde(default)]
    pub audio: Option<Audio>,
    #[serde(default)]
    pub references: Vec<ReferenceRef>,
}

impl TaskParams {
    /// Width and height of each output.
    pub fn output_dimensions(&self) -> (u32, u32) {
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
pub struct TaskSpec {
    pub kind: TaskKind,
    pub input_type: InputType,
    pub stage: Stage,
    pub params: TaskParams,
}

/// Collects field errors while a draft is checked, so a form can mark every problem at
/// once.
#[derive(Default)]
struct Problems(Vec<FieldError>);

impl Problems {
    fn add(&mut self, field: &'static str, code: ErrorCode, message: impl Into<String>) {
        self.0.push(FieldError::new(field, code, message));
    }
}

impl TaskSpec {
    /// Validates a draft against the model catalogue and the draft policy.
    pub fn parse(
        draft: TaskDraft,
        models: &[ModelSpec],
        draft_policy: &StagePolicy,
    ) -> Result<Self, Vec<FieldError>> {
        let mut problems = Problems::default();
        let input_type = draft.input_type.unwrap_or(InputType::TextToImage);
        let kind = input_type.kind();
        let stage = draft.stage.unwrap_or(Stage::Draft);
        let is_draft = stage == Stage::Draft;

        let prompt = Prompt::parse(&draft.prompt)
            .map_err(|e| problems.0.push(e))
            .ok();

        let model = match &draft.model {
            Some(id) => match models.iter().find(|m| &m.id == id) {
                Some(model) if model.kind != kind => {
                    problems.add(
                        "model",
                        ErrorCode::Unsupported,
                        format!(
                            "{id} makes {} outputs, not {}.",
                            model.kind.to_string().to_lowercase(),
                            kind.to_string().to_lowercase()
                        ),
                    );
                    None
                }
                Some(model) if !model.input_types.contains(&input_type) => {
                    problems.add(
                        "model",
                        ErrorCode::Unsupported,
                        format!("{id} does not offer {input_type}."),
                    );
                    None
                }
                Some(model) => Some(model),
                None => {
                    problems.add(
                        "model",
                        ErrorCode::Unsupported,
                        format!("There is no model {id:?}."),
                    );
                    None
                }
            },
            None => {
                let found = models.iter().find(|m| m.input_types.contains(&input_type));
                if found.is_none() {
                    problems.add(
                        "inputType",
                        ErrorCode::Unsupported,
                        format!("No configured model offers {input_type}."),
                    );
                }
                found
            }
        };

        let negative_prompt = match draft
            .negative_prompt
            .as_deref()
            .map(str::trim)
            .filter(|p| !p.is_empty())
        {
            None => None,
            Some(text) if text.chars().count() > MAX_NEGATIVE_PROMPT_CHARS => {
                problems.add(
                    "negativePrompt",
                    ErrorCode::TooLong,
                    format!(
                        "A negative prompt has at most {MAX_NEGATIVE_PROMPT_CHARS} characters."
                    ),
                );
                None
            }
            Some(text) => {
                if model.is_some_and(|m| !m.negative_prompt) {
                    problems.add(
                        "negativePrompt",
                        ErrorCode::Unsupported,
                        "This model does not take a negative prompt.",
                    );
                }
                Some(text.to_owned())
            }
        };

        // References decide what the task starts from.
        let images = draft
            .references
            .iter()
            .filter(|r| r.kind == MediaKind::Image)
            .count();
        let videos = draft.references.len() - images;
        match input_type {
            InputType::TextToImage | InputType::TextToVideo if !draft.references.is_empty() => problems.add(
                "referenceAssetIds",
                ErrorCode::Invalid,
                format!("{input_type} starts from text alone; choose an image-to or video-to input type to use references."),
            ),
            InputType::ImageToImage | InputType::ImageToVideo if images == 0 || videos > 0 => problems.add(
                "referenceAssetIds",
                ErrorCode::Required,
                format!("{input_type} needs a reference image (and no video)."),
            ),
            InputType::VideoToVideo if videos != 1 || images > 0 => problems.add(
                "referenceAssetIds",
                ErrorCode::Required,
                "VIDEO_TO_VIDEO needs exactly one reference video.",
            ),
            _ => {}
        }
        if let Some(model) = model
            && draft.references.len() > model.max_references as usize
            && model.max_references > 0
        {
            problems.add(
                "referenceAssetIds",
                ErrorCode::OutOfRange,
                format!(
                    "{} takes at most {} references.",
                    model.id, model.max_references
                ),
            );
        }

        let seed = match draft.seed {
            None => None,
            Some(seed) if (0..=MAX_SEED).contains(&seed) => Some(seed as u32),
            Some(_) => {
                problems.add(
                    "seed",
                    ErrorCode::OutOfRange,
                    format!("A seed is a whole number from 0 to {MAX_SEED}."),
                );
                None
            }
        };

        let mut params = None;
        if let Some(model) = model {
            let output_format = match draft.output_format {
                Some(format) if !model.output_formats.contains(&format) => {
                    problems.add(
                        "outputFormat",
                        ErrorCode::Unsupported,
                        format!("{} delivers {}.", model.id, list(&model.output_formats)),
                    );
                    None
                }
                Some(format) => Some(format),
                None => model.output_formats.first().copied(),
            };
            let media = match kind {
                TaskKind::Image => {
                    image_fields(&draft, model, is_draft, draft_policy, &mut problems)
                }
                TaskKind::Video => {
                    video_fields(&draft, model, is_draft, draft_policy, &mut problems)
                }
            };
            if let (Some(prompt), Some(output_format), Some(media)) = (prompt, output_format, media)
            {
                params = Some(TaskParams {
                    prompt,
                    negative_prompt,
                    model: model.id.clone(),
                    aspect_ratio: media.aspect_ratio,
                    size: media.size,
                    quality: media.quality,
                    count: media.count,
                    seed,
                    watermark: draft.watermark.unwrap_or(false),
                    output_format,
                    duration_secs: media.duration_secs,
                    resolution: media.resolution,
                    camera_motion: media.camera_motion,
                    audio: media.audio,
                    references: draft.references.clone(),
                });
            }
        }
        match params {
            Some(params) if problems.0.is_empty() => Ok(Self {
                kind,
                input_type,
                stage,
                params,
            }),
            _ => Err(problems.0),
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

    /// What the task will cost, by `model`'s price.
    pub fn estimate_micros(&self, model: &ModelSpec) -> i64 {
        estimate_micros(&self.params, model)
    }
}

/// The price of `params` on `model`, in micros.
pub fn estimate_micros(params: &TaskParams, model: &ModelSpec) -> i64 {
    let price = &model.price;
    match model.kind {
        TaskKind::Image => {
            let per_image = match params.quality.unwrap_or(Quality::Medium) {
                Quality::Low => price.image_low_micros,
                Quality::Medium => price.image_medium_micros,
                Quality::High => price.image_high_micros,
            };
            let (w, h) = params.output_dimensions();
            let scaled = i128::from(per_image) * i128::from(w) * i128::from(h) / (1024 * 1024);
            (scaled * i128::from(params.count)).min(i128::from(i64::MAX)) as i64
        }
        TaskKind::Video => {
            let seconds = i64::from(params.duration_secs.unwrap_or(0));
            let per_second = match params.resolution.unwrap_or(Resolution::P720) {
                Resolution::P480 => price.second_480p_micros,
                Resolution::P720 => price.second_720p_micros,
                Resolution::P1080 => price.second_1080p_micros,
            };
            let audio = if params.audio == Some(Audio::WithAudio) {
                price.audio_second_micros
            } else {
                0
            };
            (per_second + audio).saturating_mul(seconds)
        }
    }
}

fn list<T: std::fmt::Display>(items: &[T]) -> String {
    items
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

/// The kind-specific part of validated parameters.
struct Media {
    aspect_ratio: AspectRatio,
    size: Option<String>,
    quality: Option<Quality>,
    count: u32,
    duration_secs: Option<u32>,
    resolution: Option<Resolution>,
    camera_motion: Option<CameraMotion>,
    audio: Option<Audio>,
}

fn ratio_of(size: &str) -> Option<f64> {
    parse_size(size).map(|(w, h)| f64::from(w) / f64::from(h))
}

/// The named aspect ratio nearest to `width / height`.
fn closest_aspect(ratio: f64) -> AspectRatio {
    <AspectRatio as strum::VariantArray>::VARIANTS
        .iter()
        .copied()
        .min_by(|a, b| {
            (aspect_value(*a) - ratio)
                .abs()
                .total_cmp(&(aspect_value(*b) - ratio).abs())
        })
        .unwrap_or(AspectRatio::Square1x1)
}

fn aspect_value(ratio: AspectRatio) -> f64 {
    let (w, h) = ratio.dimensions(2_520);
    f64::from(w) / f64::from(h)
}

fn image_fields(
    draft: &TaskDraft,
    model: &ModelSpec,
    is_draft: bool,
    policy: &StagePolicy,
    problems: &mut Problems,
) -> Option<Media> {
    for (given, field) in [
        (draft.duration_secs.is_some(), "durationSeconds"),
        (draft.resolution.is_some(), "resolution"),
        (draft.camera_motion.is_some(), "cameraMotion"),
        (draft.audio.is_some(), "audio"),
    ] {
        if given {
            problems.add(
                field,
                ErrorCode::Invalid,
                "This applies to video tasks only.",
            );
        }
    }
    let size = match (&draft.size, draft.aspect_ratio) {
        (Some(size), _) if !model.sizes.contains(size) => {
            problems.add(
                "size",
                ErrorCode::Unsupported,
                format!("{} offers sizes {}.", model.id, model.sizes.join(", ")),
            );
            return None;
        }
        (Some(size), Some(ratio))
            if ratio_of(size).is_some_and(|r| (r - aspect_value(ratio)).abs() > 0.02) =>
        {
            problems.add(
                "size",
                ErrorCode::Invalid,
                format!("{size} is not {ratio}; leave the size empty to match the aspect ratio."),
            );
            return None;
        }
        (Some(size), _) => size.clone(),
        (None, ratio) => {
            // The offered size closest to the asked-for shape.
            let want = aspect_value(ratio.unwrap_or(AspectRatio::Square1x1));
            let closest = model.sizes.iter().min_by(|a, b| {
                let da = (ratio_of(a).unwrap_or(0.0) - want).abs();
                let db = (ratio_of(b).unwrap_or(0.0) - want).abs();
                da.total_cmp(&db)
            });
            match closest {
                Some(size) => size.clone(),
                None => {
                    problems.add(
                        "size",
                        ErrorCode::Unsupported,
                        format!("{} lists no image sizes.", model.id),
                    );
                    return None;
                }
            }
        }
    };
    let aspect_ratio = draft
        .aspect_ratio
        .unwrap_or_else(|| closest_aspect(ratio_of(&size).unwrap_or(1.0)));

    let quality = match draft.quality {
        Some(q) if !model.qualities.is_empty() && !model.qualities.contains(&q) => {
            problems.add(
                "quality",
                ErrorCode::Unsupported,
                format!("{} offers {}.", model.id, list(&model.qualities)),
            );
            None
        }
        Some(q) if is_draft && !q.at_most(policy.max_quality) => {
            problems.add(
                "quality",
                ErrorCode::StageLimit,
                format!(
                    "Drafts go up to {} quality; promote to a final for more.",
                    policy.max_quality
                ),
            );
            None
        }
        Some(q) => Some(q),
        None if is_draft => Some(policy.max_quality),
        None => model
            .qualities
            .iter()
            .copied()
            .find(|q| *q == Quality::Medium)
            .or(model.qualities.first().copied()),
    };

    let count = draft.count.unwrap_or(1);
    let count = if !(1..=model.max_count as i32).contains(&count) {
        problems.add(
            "count",
            ErrorCode::OutOfRange,
            format!("Ask for between 1 and {} images.", model.max_count),
        );
        None
    } else if is_draft && count as u32 > policy.max_count {
        problems.add(
            "count",
            ErrorCode::StageLimit,
            format!(
                "A draft makes at most {} images; promote to a final for more.",
                policy.max_count
            ),
        );
        None
    } else {
        Some(count as u32)
    };
    Some(Media {
        aspect_ratio,
        size: Some(size),
        quality,
        count: count?,
        duration_secs: None,
        resolution: None,
        camera_motion: None,
        audio: None,
    })
}

fn video_fields(
    draft: &TaskDraft,
    model: &ModelSpec,
    is_draft: bool,
    policy: &StagePolicy,
    problems: &mut Problems,
) -> Option<Media> {
    for (given, field) in [
        (draft.size.is_some(), "size"),
        (draft.quality.is_some(), "quality"),
    ] {
        if given {
            problems.add(
                field,
                ErrorCode::Invalid,
                "This applies to image tasks only.",
            );
        }
    }
    if draft.count.is_some_and(|c| c != 1) {
        problems.add(
            "count",
            ErrorCode::OutOfRange,
            "A video task makes one video.",
        );
    }
    let duration = match draft.duration_secs {
        Some(d) if d < 0 || !model.durations.contains(&(d as u32)) => {
            problems.add(
                "durationSeconds",
                ErrorCode::Unsupported,
                format!(
                    "{} makes videos of {} seconds.",
                    model.id,
                    list(&model.durations)
                ),
            );
            None
        }
        Some(d) if is_draft && d as u32 > policy.max_duration_secs => {
            problems.add(
                "durationSeconds",
                ErrorCode::StageLimit,
                format!(
                    "Drafts last at most {} seconds; promote to a final for more.",
                    policy.max_duration_secs
                ),
            );
            None
        }
        Some(d) => Some(d as u32),
        None => {
            let allowed = model
                .durations
                .iter()
                .copied()
                .filter(|d| !is_draft || *d <= policy.max_duration_secs);
            let pick = if is_draft {
                allowed.min()
            } else {
                allowed.max()
            };
            if pick.is_none() {
                problems.add(
                    "durationSeconds",
                    ErrorCode::Unsupported,
                    format!("{} offers no duration a draft may use.", model.id),
                );
            }
            pick
        }
    };
    let resolution = match draft.resolution {
        Some(r) if !model.resolutions.contains(&r) => {
            problems.add(
                "resolution",
                ErrorCode::Unsupported,
                format!("{} renders {}.", model.id, list(&model.resolutions)),
            );
            None
        }
        Some(r) if is_draft && !r.at_most(policy.max_resolution) => {
            problems.add(
                "resolution",
                ErrorCode::StageLimit,
                format!(
                    "Drafts render up to {}; promote to a final for more.",
                    policy.max_resolution
                ),
            );
            None
        }
        Some(r) => Some(r),
        None => {
            let mut allowed = model
                .resolutions
                .iter()
                .copied()
                .filter(|r| !is_draft || r.at_most(policy.max_resolution));
            let pick = if is_draft {
                allowed.next()
            } else {
                allowed
                    .find(|r| *r == Resolution::P720)
                    .or(model.resolutions.last().copied())
            };
            if pick.is_none() {
                problems.add(
                    "resolution",
                    ErrorCode::Unsupported,
                    format!("{} offers no resolution a draft may use.", model.id),
                );
            }
            pick
        }
    };
    let audio = match draft.audio {
        Some(Audio::WithAudio) if !model.audio => {
            problems.add(
                "audio",
                ErrorCode::Unsupported,
                format!("{} makes silent videos only.", model.id),
            );
            None
        }
        other => Some(other.unwrap_or(Audio::Mute)),
    };
    Some(Media {
        aspect_ratio: draft.aspect_ratio.unwrap_or(AspectRatio::Landscape16x9),
        size: None,
        quality: None,
        count: 1,
        duration_secs: Some(duration?),
        resolution: Some(resolution?),
        camera_motion: Some(draft.camera_motion.unwrap_or(CameraMotion::Static)),
        audio: Some(audio?),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::catalogue::default_models;

    fn image(prompt: &str) -> TaskDraft {
        TaskDraft {
            prompt: prompt.to_owned(),
            ..TaskDraft::default()
        }
    }

    fn video(prompt: &str) -> TaskDraft {
        TaskDraft {
            prompt: prompt.to_owned(),
            input_type: Some(InputType::TextToVideo),
            ..TaskDraft::default()
        }
    }

    fn parse(draft: TaskDraft) -> Result<TaskSpec, Vec<FieldError>> {
        TaskSpec::parse(draft, &default_models(), &StagePolicy::default())
    }

    fn fields(errors: &[FieldError]) -> Vec<(&'static str, ErrorCode)> {
        errors
            .iter()
            .map(|e| (e.field.unwrap_or("-"), e.code))
            .collect()
    }

    fn reference(kind: MediaKind) -> ReferenceRef {
        ReferenceRef {
            id: uuid::Uuid::now_v7(),
            kind,
            checksum_sha256: "ab".repeat(32),
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
    fn a_plain_image_draft_gets_the_defaults_of_the_model_and_stage() {
        let spec = parse(image("a red kettle")).unwrap();
        assert_eq!(
            (spec.kind, spec.input_type, spec.stage),
            (TaskKind::Image, InputType::TextToImage, Stage::Draft)
        );
        assert_eq!(spec.params.model, "sim-image-1");
        assert_eq!(spec.params.size.as_deref(), Some("1024x1024"));
        assert_eq!(
            spec.params.quality,
            Some(Quality::Low),
            "drafts default to the cheapest quality"
        );
        assert_eq!(spec.params.output_format, OutputFormat::Png);
        assert_eq!(spec.params.count, 1);
    }

    #[test]
    fn the_aspect_ratio_picks_the_closest_offered_size() {
        let mut draft = image("a wide banner");
        draft.aspect_ratio = Some(AspectRatio::Landscape16x9);
        assert_eq!(
            parse(draft).unwrap().params.size.as_deref(),
            Some("1536x1024")
        );
    }

    #[test]
    fn every_invalid_field_is_reported_at_once() {
        let errors = parse(TaskDraft {
            count: Some(9),
            seed: Some(-1),
            ..image("")
        })
        .unwrap_err();
        assert_eq!(
            fields(&errors),
            [
                ("prompt", ErrorCode::Required),
                ("seed", ErrorCode::OutOfRange),
                ("count", ErrorCode::OutOfRange)
            ]
        );
    }

    #[test]
    fn a_draft_above_the_stage_caps_is_refused_and_a_final_is_not() {
        let draft = TaskDraft {
            quality: Some(Quality::High),
            count: Some(4),
            ..image("a kettle")
        };
        let errors = parse(draft.clone()).unwrap_err();
        assert_eq!(
            fields(&errors),
            [
                ("quality", ErrorCode::StageLimit),
                ("count", ErrorCode::StageLimit)
            ]
        );
        assert!(
            parse(TaskDraft {
                stage: Some(Stage::Final),
                ..draft
            })
            .is_ok()
        );
    }

    #[test]
    fn image_to_video_without_a_reference_image_is_refused() {
        let draft = TaskDraft {
            input_type: Some(InputType::ImageToVideo),
            ..video("the kettle steams")
        };
        assert_eq!(
            fields(&parse(draft).unwrap_err()),
            [("referenceAssetIds", ErrorCode::Required)]
        );
        let with_image = TaskDraft {
            input_type: Some(InputType::ImageToVideo),
            references: vec![reference(MediaKind::Image)],
            ..video("the kettle steams")
        };
        assert!(parse(with_image).is_ok());
    }

    #[test]
    fn a_duration_the_model_does_not_offer_is_refused() {
        let draft = TaskDraft {
            duration_secs: Some(7),
            stage: Some(Stage::Final),
            ..video("waves")
        };
        let errors = parse(draft).unwrap_err();
        assert_eq!(
            fields(&errors),
            [("durationSeconds", ErrorCode::Unsupported)]
        );
        assert!(
            errors[0].message.contains("4, 8, 12"),
            "{}",
            errors[0].message
        );
    }

    #[test]
    fn a_video_draft_is_short_and_small_and_a_final_is_not() {
        let draft = parse(video("waves")).unwrap();
        assert_eq!(
            (draft.params.duration_secs, draft.params.resolution),
            (Some(4), Some(Resolution::P480))
        );
        let final_ = parse(TaskDraft {
            stage: Some(Stage::Final),
            ..video("waves")
        })
        .unwrap();
        assert_eq!(
            (final_.params.duration_secs, final_.params.resolution),
            (Some(12), Some(Resolution::P720))
        );
    }

    #[test]
    fn image_fields_on_a_video_task_are_refused() {
        let draft = TaskDraft {
            quality: Some(Quality::High),
            ..video("waves")
        };
        assert_eq!(
            fields(&parse(draft).unwrap_err()),
            [("quality", ErrorCode::Invalid)]
        );
    }

    #[test]
    fn a_model_of_the_wrong_kind_is_refused() {
        let draft = TaskDraft {
            model: Some("sim-video-1".into()),
            ..image("a kettle")
        };
        assert_eq!(
            fields(&parse(draft).unwrap_err()),
            [("model", ErrorCode::Unsupported)]
        );
    }

    #[test]
    fn identical_submissions_share_a_fingerprint_and_different_ones_do_not() {
        let a = parse(image("a red kettle")).unwrap();
        let b = parse(image("  a red kettle ")).unwrap();
        let c = parse(image("a blue kettle")).unwrap();
        let d = parse(TaskDraft {
            stage: Some(Stage::Final),
            ..image("a red kettle")
        })
        .unwrap();
        assert_eq!(a.fingerprint(), b.fingerprint());
        assert_ne!(a.fingerprint(), c.fingerprint());
        assert_ne!(a.fingerprint(), d.fingerprint());
        // Asking for a shape or for the size it leads to is asking for the same thing.
        let by_ratio = parse(TaskDraft {
            aspect_ratio: Some(AspectRatio::Landscape16x9),
            ..image("a red kettle")
        })
        .unwrap();
        let by_size = parse(TaskDraft {
            size: Some("1536x1024".into()),
            ..image("a red kettle")
        })
        .unwrap();
        assert_eq!(by_ratio.fingerprint(), by_size.fingerprint());
    }

    #[test]
    fn estimates_scale_with_quality_size_count_and_seconds() {
        let models = default_models();
        let low = parse(image("a kettle")).unwrap();
        assert_eq!(low.estimate_micros(&models[0]), 11_000);
        let big = parse(TaskDraft {
            stage: Some(Stage::Final),
            quality: Some(Quality::High),
            count: Some(2),
            size: Some("1536x1024".into()),
            ..image("a kettle")
        })
        .unwrap();
        assert_eq!(big.estimate_micros(&models[0]), 167_000 * 3 / 2 * 2);
        let clip = parse(TaskDraft {
            stage: Some(Stage::Final),
            duration_secs: Some(8),
            resolution: Some(Resolution::P1080),
            audio: Some(Audio::WithAudio),
            ..video("waves")
        })
        .unwrap();
        assert_eq!(clip.estimate_micros(&models[1]), (300_000 + 20_000) * 8);
    }

    #[test]
    fn terminal_states_never_change() {
        for status in [
            TaskStatus::Succeeded,
            TaskStatus::Failed,
            TaskStatus::Cancelled,
        ] {
            for &next in <TaskStatus as strum::VariantArray>::VARIANTS {
                assert!(!status.can_become(next), "{status} -> {next}");
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

    #[test]
    fn video_output_dimensions_follow_resolution_and_shape() {
        let spec = parse(video("waves")).unwrap();
        assert_eq!(spec.params.output_dimensions(), (854, 480));
    }
}
