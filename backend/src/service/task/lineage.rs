//! Tasks made from tasks: a final promoted from its draft, a retry of a failed one.

use uuid::Uuid;

use super::query::{TaskView, get};
use super::require_creator;
use super::submit::{
    NewTask, Submission, find_by_key, open_brief, parse_idempotency_key, queue, replay,
};
use crate::auth::Viewer;
use crate::domain::task::{
    FailureReason, LineageKind, SpendWarning, Stage, TaskDraft, TaskKind, TaskSpec, TaskStatus,
};
use crate::domain::{ErrorCode, FieldError};
use crate::service::ServiceError;
use crate::state::AppState;

/// A draft's parameters as a draft to change.
fn draft_from(view: &TaskView) -> TaskDraft {
    let p = &view.params;
    TaskDraft {
        input_type: Some(view.input_type),
        stage: Some(view.stage),
        prompt: p.prompt.as_str().to_owned(),
        negative_prompt: p.negative_prompt.clone(),
        model: Some(p.model.clone()),
        aspect_ratio: Some(p.aspect_ratio),
        size: p.size.clone(),
        quality: p.quality,
        count: Some(p.count as i32),
        seed: p.seed.map(i64::from),
        watermark: Some(p.watermark),
        output_format: Some(p.output_format),
        duration_secs: p.duration_secs.map(|d| d as i32),
        fps: p.fps.map(|f| f as i32),
        resolution: p.resolution,
        camera_motion: p.camera_motion,
        audio: p.audio,
        references: p.references.clone(),
    }
}

/// What a promotion may change; everything else is the draft's.
#[derive(Debug, Clone, Default)]
pub(crate) struct Overrides {
    pub prompt: Option<String>,
    pub negative_prompt: Option<String>,
    pub aspect_ratio: Option<crate::domain::task::AspectRatio>,
    pub size: Option<String>,
    pub quality: Option<crate::domain::catalogue::Quality>,
    pub count: Option<i32>,
    pub seed: Option<i64>,
    pub watermark: Option<bool>,
    pub output_format: Option<crate::domain::catalogue::OutputFormat>,
    pub duration_secs: Option<i32>,
    pub fps: Option<i32>,
    pub resolution: Option<crate::domain::catalogue::Resolution>,
    pub camera_motion: Option<crate::domain::catalogue::CameraMotion>,
    pub audio: Option<crate::domain::catalogue::Audio>,
}

/// Creates the `FINAL` of a succeeded draft, with its parameters and seed unless
/// overridden, linked to the draft.
pub(crate) async fn promote(
    state: &AppState,
    viewer: &Viewer,
    draft_id: Uuid,
    overrides: Overrides,
    idempotency_key: Option<&str>,
    acknowledged: &[SpendWarning],
) -> Result<Submission, ServiceError> {
    require_creator(viewer)?;
    let draft = match get(&state.db, viewer, draft_id).await {
        Ok(task) => task,
        Err(ServiceError::NotFound) => {
            return Err(
                FieldError::new("draftId", ErrorCode::NotFound, "There is no such task.").into(),
            );
        }
        Err(other) => return Err(other),
    };
    let view = TaskView::of(&draft)?;
    if view.stage != Stage::Draft || view.status != TaskStatus::Succeeded {
        return Err(FieldError::new(
            "draftId",
            ErrorCode::InvalidState,
            "Only a succeeded draft can be promoted to a final.",
        )
        .into());
    }
    let key = parse_idempotency_key(idempotency_key)?;
    let mut next = draft_from(&view);
    next.stage = Some(Stage::Final);
    // The draft's defaults were the draft's caps; a final picks its own unless told.
    next.quality = overrides.quality;
    next.count = overrides.count.or(next.count);
    if view.kind == TaskKind::Video {
        next.duration_secs = overrides.duration_secs.or(next.duration_secs);
        next.fps = overrides.fps.or(next.fps);
        next.resolution = overrides.resolution;
    } else {
        // The shape follows what is overridden: a new ratio picks its size, a new size
        // sets its ratio, and otherwise the draft's size (its actual shape) stays.
        match (overrides.aspect_ratio, overrides.size.clone()) {
            (Some(_), size) => next.size = size,
            (None, Some(size)) => {
                next.size = Some(size);
                next.aspect_ratio = None;
            }
            (None, None) => next.aspect_ratio = None,
        }
    }
    if let Some(prompt) = overrides.prompt {
        next.prompt = prompt;
    }
    next.negative_prompt = overrides.negative_prompt.or(next.negative_prompt);
    if overrides.aspect_ratio.is_some() {
        next.aspect_ratio = overrides.aspect_ratio;
    }
    next.seed = overrides.seed.or(next.seed);
    next.watermark = overrides.watermark.or(next.watermark);
    next.output_format = overrides.output_format.or(next.output_format);
    next.camera_motion = overrides.camera_motion.or(next.camera_motion);
    next.audio = overrides.audio.or(next.audio);
    let spec = TaskSpec::parse(next, &state.config.models, &state.config.draft_policy)
        .map_err(ServiceError::Invalid)?;
    if let Some(key) = &key
        && let Some(existing) = find_by_key(&state.db, viewer.team_id, key).await?
    {
        return replay(existing, &spec.fingerprint());
    }
    let brief = open_brief(&state.db, viewer, draft.brief_id).await?;
    let callback_url = draft.callback_url.clone();
    queue(
        state,
        viewer,
        NewTask {
            brief,
            spec,
            key,
            parent: Some((draft.id, LineageKind::Promotion)),
            callback_url,
            acknowledged: acknowledged.to_vec(),
            charged_original: None,
        },
    )
    .await
}

/// A new attempt at a failed or cancelled task, with the same parameters and seed, linked
/// to it. Never a silent resubmission: the original stays as it ended.
pub(crate) async fn retry(
    state: &AppState,
    viewer: &Viewer,
    task_id: Uuid,
    acknowledged: &[SpendWarning],
) -> Result<Submission, ServiceError> {
    require_creator(viewer)?;
    let original = match get(&state.db, viewer, task_id).await {
        Ok(task) => task,
        Err(ServiceError::NotFound) => {
            return Err(
                FieldError::new("taskId", ErrorCode::NotFound, "There is no such task.").into(),
            );
        }
        Err(other) => return Err(other),
    };
    let view = TaskView::of(&original)?;
    if !matches!(view.status, TaskStatus::Failed | TaskStatus::Cancelled) {
        return Err(FieldError::new(
            "taskId",
            ErrorCode::InvalidState,
            "Only a failed or cancelled task can be retried.",
        )
        .into());
    }
    if original.failure_reason == Some(FailureReason::ContentPolicy) {
        return Err(FieldError::new(
            "taskId",
            ErrorCode::EditRequired,
            "The provider's safety filter refused this prompt, so the same request would be refused again. Edit the prompt (or the references) and submit it as a new task.",
        )
        .into());
    }
    let spec = TaskSpec {
        kind: view.kind,
        input_type: view.input_type,
        stage: view.stage,
        params: view.params.clone(),
    };
    let brief = open_brief(&state.db, viewer, original.brief_id).await?;
    let callback_url = original.callback_url.clone();
    queue(
        state,
        viewer,
        NewTask {
            brief,
            spec,
            key: None,
            parent: Some((original.id, LineageKind::Retry)),
            callback_url,
            acknowledged: acknowledged.to_vec(),
            charged_original: original.charged.then(|| original.clone()),
        },
    )
    .await
}
