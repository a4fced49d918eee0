//! The composer's state: one signal per field, and the rules that keep the fields
//! consistent with the chosen model and stage.

use leptos::prelude::*;

use crate::api::operations::tasks::TaskInput;
use crate::model::{
    AspectRatio, Audio, CameraMotion, Catalogue, DraftPolicy, InputType, Kind, ModelSpec,
    OutputFormat, Quality, ReferenceAsset, Resolution, Stage,
};

/// The schema's seed limit: non-negative and representable as a GraphQL `Int`.
const MAX_SEED: i64 = i32::MAX as i64;

pub(super) fn new_key() -> String {
    uuid::Uuid::new_v4().to_string()
}

/// Everything the user has chosen, one signal per field.
#[derive(Clone, Copy)]
pub(super) struct Form {
    pub(super) kind: RwSignal<Kind>,
    pub(super) stage: RwSignal<Stage>,
    pub(super) model_id: RwSignal<Option<String>>,
    pub(super) prompt: RwSignal<String>,
    pub(super) negative_prompt: RwSignal<String>,
    pub(super) aspect_ratio: RwSignal<AspectRatio>,
    /// `None`: follow the aspect ratio.
    pub(super) size: RwSignal<Option<String>>,
    pub(super) quality: RwSignal<Option<Quality>>,
    pub(super) count: RwSignal<i64>,
    /// As typed; empty for a random seed.
    pub(super) seed: RwSignal<String>,
    pub(super) watermark: RwSignal<bool>,
    pub(super) output_format: RwSignal<Option<OutputFormat>>,
    pub(super) duration: RwSignal<Option<i64>>,
    pub(super) fps: RwSignal<Option<i64>>,
    pub(super) resolution: RwSignal<Option<Resolution>>,
    pub(super) camera_motion: RwSignal<CameraMotion>,
    pub(super) audio: RwSignal<Audio>,
    pub(super) references: RwSignal<Vec<ReferenceAsset>>,
    /// As typed; empty for none.
    pub(super) callback_url: RwSignal<String>,
}

impl Form {
    pub(super) fn new() -> Self {
        Self {
            kind: RwSignal::new(Kind::Image),
            stage: RwSignal::new(Stage::Draft),
            model_id: RwSignal::new(None),
            prompt: RwSignal::new(String::new()),
            negative_prompt: RwSignal::new(String::new()),
            aspect_ratio: RwSignal::new(AspectRatio::Square1x1),
            size: RwSignal::new(None),
            quality: RwSignal::new(None),
            count: RwSignal::new(1),
            seed: RwSignal::new(String::new()),
            watermark: RwSignal::new(false),
            output_format: RwSignal::new(None),
            duration: RwSignal::new(None),
            fps: RwSignal::new(None),
            resolution: RwSignal::new(None),
            camera_motion: RwSignal::new(CameraMotion::Static),
            audio: RwSignal::new(Audio::Mute),
            references: RwSignal::new(Vec::new()),
            callback_url: RwSignal::new(String::new()),
        }
    }

    /// The chosen model. Tracked.
    pub(super) fn model(&self, catalogue: &Catalogue) -> Option<ModelSpec> {
        let id = self.model_id.get()?;
        catalogue.model(&id).cloned()
    }

    /// Switches to `model` and gives every parameter that model's default for the
    /// current stage, so nothing the new model does not offer stays selected.
    pub(super) fn apply_model(&self, model: &ModelSpec, policy: &DraftPolicy) {
        let stage = self.stage.get_untracked();
        self.model_id.set(Some(model.id.clone()));
        self.size.set(None);
        self.quality.set(model.default_quality(stage, policy));
        self.count
            .update(|c| *c = (*c).clamp(1, model.max_count.max(1)));
        self.output_format
            .set(model.output_formats.first().copied());
        self.duration.set(model.default_duration(stage, policy));
        self.fps.set(model.default_fps());
        self.resolution.set(model.default_resolution(stage, policy));
        if !model
            .camera_motions
            .contains(&self.camera_motion.get_untracked())
        {
            self.camera_motion.set(CameraMotion::Static);
        }
        if !model.audio {
            self.audio.set(Audio::Mute);
        }
        let limit = model.max_references.max(0) as usize;
        self.references.update(|refs| refs.truncate(limit));
    }

    pub(super) fn set_kind(&self, kind: Kind, catalogue: &Catalogue) {
        if self.kind.get_untracked() == kind {
            return;
        }
        self.kind.set(kind);
        // An image task cannot start from a video.
        if kind == Kind::Image {
            self.references
                .update(|refs| refs.retain(|r| r.kind != Some(crate::model::MediaKind::Video)));
        }
        if let Some(model) = catalogue.models_of(kind).first() {
            self.aspect_ratio.set(model.default_aspect_ratio());
            self.apply_model(model, &catalogue.draft_policy);
        } else {
            self.model_id.set(None);
        }
    }

    /// A draft keeps within the caps: values above them come down to the most a
    /// draft may have. A final keeps what the draft had, which is always allowed.
    pub(super) fn set_stage(&self, stage: Stage, catalogue: &Catalogue) {
        self.stage.set(stage);
        if stage == Stage::Final {
            return;
        }
        let policy = &catalogue.draft_policy;
        let Some(model) = self
            .model_id
            .get_untracked()
            .and_then(|id| catalogue.model(&id).cloned())
        else {
            return;
        };
        if self
            .quality
            .get_untracked()
            .is_some_and(|q| !policy.allows_quality(stage, q))
        {
            self.quality.set(model.default_quality(stage, policy));
        }
        self.count
            .update(|c| *c = (*c).min(policy.max_count).max(1));
        if self
            .resolution
            .get_untracked()
            .is_some_and(|r| !policy.allows_resolution(stage, r))
        {
            self.resolution.set(model.default_resolution(stage, policy));
        }
        if self
            .duration
            .get_untracked()
            .is_some_and(|d| !policy.allows_duration(stage, d))
        {
            self.duration.set(model.default_duration(stage, policy));
        }
    }

    /// What the task starts from, which follows the references. Tracked.
    pub(super) fn input_type(&self) -> InputType {
        let kinds: Vec<_> = self
            .references
            .with(|refs| refs.iter().filter_map(|r| r.kind).collect());
        InputType::for_references(self.kind.get(), &kinds)
    }

    /// The seed as typed: `Ok(None)` for none, `Err` for text that is not a seed.
    pub(super) fn seed_value(&self) -> Result<Option<i64>, ()> {
        match self.seed.get().trim() {
            "" => Ok(None),
            text => match text.parse::<i64>() {
                Ok(n) if (0..=MAX_SEED).contains(&n) => Ok(Some(n)),
                _ => Err(()),
            },
        }
    }

    /// The callback URL, if one was given. Untracked: only the submit reads it.
    pub(super) fn callback_url(&self) -> Option<String> {
        let url = self.callback_url.get_untracked().trim().to_owned();
        (!url.is_empty()).then_some(url)
    }

    /// The input as the API takes it. Tracked. An unreadable seed is left out here
    /// (the estimate still helps) and reported by the submit.
    pub(super) fn input(&self, brief_id: String, catalogue: &Catalogue) -> TaskInput {
        let kind = self.kind.get();
        let model = self.model(catalogue);
        let takes_negative = model.as_ref().is_some_and(|m| m.negative_prompt);
        let negative = self.negative_prompt.get().trim().to_owned();
        let image = kind == Kind::Image;
        let size = self.size.get().filter(|_| image);
        TaskInput {
            brief_id,
            input_type: self.input_type(),
            stage: self.stage.get(),
            prompt: self.prompt.get(),
            negative_prompt: (takes_negative && !negative.is_empty()).then_some(negative),
            model: self.model_id.get(),
            // A chosen size decides the shape; sending both could only disagree.
            aspect_ratio: size.is_none().then(|| self.aspect_ratio.get()),
            size,
            quality: self.quality.get().filter(|_| image),
            count: image.then(|| self.count.get()),
            seed: self.seed_value().ok().flatten(),
            watermark: Some(self.watermark.get()),
            output_format: self.output_format.get(),
            duration_seconds: self.duration.get().filter(|_| !image),
            fps: self.fps.get().filter(|_| !image),
            resolution: self.resolution.get().filter(|_| !image),
            camera_motion: (!image).then(|| self.camera_motion.get()),
            audio: model
                .filter(|m| !image && m.audio)
                .map(|_| self.audio.get()),
            reference_ids: self
                .references
                .with(|refs| refs.iter().map(|r| r.id.clone()).collect()),
        }
    }
}
