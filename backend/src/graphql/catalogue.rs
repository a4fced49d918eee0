//! What can be asked for: the models on offer and the draft policy, so that clients
//! (the composer first) offer only valid choices.

use async_graphql::{Context, Object, SimpleObject};

use super::campaign::Money;
use super::error::{state, viewer};
use crate::domain::catalogue::ModelSpec;
use crate::domain::catalogue::{CameraMotion, OutputFormat, Quality, Resolution};
use crate::domain::task::{InputType, TaskKind};

/// One model and the parameters it accepts.
pub(crate) struct Model(ModelSpec);

#[Object]
impl Model {
    async fn id(&self) -> &str {
        &self.0.id
    }

    async fn label(&self) -> &str {
        &self.0.label
    }

    /// The label in Simplified Chinese (the English one when none is configured).
    async fn label_zh(&self) -> &str {
        self.0.label_zh.as_deref().unwrap_or(&self.0.label)
    }

    /// How long a task usually takes, in seconds: a live task that has not moved for
    /// longer is slow.
    async fn usual_seconds(&self) -> i32 {
        self.0.usual_secs() as i32
    }

    async fn kind(&self) -> TaskKind {
        self.0.kind
    }

    /// The provider that runs it: `simulated`, or a gateway profile's name.
    async fn provider(&self) -> &str {
        &self.0.provider
    }

    async fn input_types(&self) -> Vec<InputType> {
        self.0.input_types.to_vec()
    }

    /// Images: `WIDTHxHEIGHT`.
    async fn sizes(&self) -> &[String] {
        &self.0.sizes
    }

    async fn qualities(&self) -> Vec<Quality> {
        self.0.qualities.to_vec()
    }

    /// Most images per task.
    async fn max_count(&self) -> i32 {
        self.0.max_count as i32
    }

    /// Video lengths, in seconds.
    async fn durations(&self) -> Vec<i32> {
        self.0.durations.iter().map(|d| *d as i32).collect()
    }

    /// Video frame rates (frames per second) it renders; empty when the upstream picks.
    async fn frame_rates(&self) -> Vec<i32> {
        self.0.frame_rates.iter().map(|f| *f as i32).collect()
    }

    async fn resolutions(&self) -> Vec<Resolution> {
        self.0.resolutions.to_vec()
    }

    async fn output_formats(&self) -> Vec<OutputFormat> {
        self.0.output_formats.to_vec()
    }

    async fn camera_motions(&self) -> Vec<CameraMotion> {
        if self.0.kind == crate::domain::task::TaskKind::Video {
            <CameraMotion as strum::VariantArray>::VARIANTS.to_vec()
        } else {
            Vec::new()
        }
    }

    async fn negative_prompt(&self) -> bool {
        self.0.negative_prompt
    }

    async fn audio(&self) -> bool {
        self.0.audio
    }

    async fn max_references(&self) -> i32 {
        self.0.max_references as i32
    }
}

/// How far a draft may go.
#[derive(SimpleObject)]
pub(crate) struct DraftPolicy {
    pub max_quality: Quality,
    pub max_count: i32,
    pub max_resolution: Resolution,
    pub max_duration_seconds: i32,
}

#[derive(Default)]
pub(crate) struct CatalogueQuery;

#[Object]
impl CatalogueQuery {
    /// The models on offer.
    async fn models(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<Model>> {
        viewer(ctx)?;
        Ok(state(ctx)?
            .config
            .models
            .iter()
            .cloned()
            .map(Model)
            .collect())
    }

    async fn draft_policy(&self, ctx: &Context<'_>) -> async_graphql::Result<DraftPolicy> {
        viewer(ctx)?;
        let policy = &state(ctx)?.config.draft_policy;
        Ok(DraftPolicy {
            max_quality: policy.max_quality,
            max_count: policy.max_count as i32,
            max_resolution: policy.max_resolution,
            max_duration_seconds: policy.max_duration_secs as i32,
        })
    }

    /// Zero in the configured currency (what prices and budgets are in).
    async fn currency(&self, ctx: &Context<'_>) -> async_graphql::Result<Money> {
        Ok(Money::new(0, &state(ctx)?.config.currency))
    }
}
