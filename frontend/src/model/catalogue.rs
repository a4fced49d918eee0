//! What the composer may ask for: the models on offer, the draft caps, and the
//! team's reference assets.
//!
//! The defaults here mirror the server's (`backend/src/domain/task.rs`), so that the
//! form shows the values a task would get anyway; the server stays the judge, and
//! anything it refuses comes back as a field error.

use serde::{Deserialize, Serialize};
use strum::VariantArray;

use super::params::{
    AspectRatio, CameraMotion, InputType, Kind, OutputFormat, Quality, Resolution, Stage,
};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ModelSpec {
    pub id: String,
    pub label: String,
    pub label_zh: String,
    /// How long a task usually takes; a live task unchanged for longer is slow.
    pub usual_seconds: i64,
    pub kind: Kind,
    pub input_types: Vec<InputType>,
    /// Images: `WIDTHxHEIGHT`.
    pub sizes: Vec<String>,
    pub qualities: Vec<Quality>,
    pub max_count: i64,
    /// Video lengths, in seconds.
    pub durations: Vec<i64>,
    /// Video frame rates; empty when the upstream picks its own.
    pub frame_rates: Vec<i64>,
    pub resolutions: Vec<Resolution>,
    pub output_formats: Vec<OutputFormat>,
    pub camera_motions: Vec<CameraMotion>,
    pub negative_prompt: bool,
    pub audio: bool,
    pub max_references: i64,
}

/// How far a draft may go.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DraftPolicy {
    pub max_quality: Quality,
    pub max_count: i64,
    pub max_resolution: Resolution,
    pub max_duration_seconds: i64,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Catalogue {
    pub models: Vec<ModelSpec>,
    pub draft_policy: DraftPolicy,
}

impl ModelSpec {
    /// The model's name in the UI's language.
    pub fn label_in(&self, lang: crate::i18n::Lang) -> &str {
        match lang {
            crate::i18n::Lang::Zh => &self.label_zh,
            crate::i18n::Lang::En => &self.label,
        }
    }
}

impl Catalogue {
    pub fn models_of(&self, kind: Kind) -> Vec<ModelSpec> {
        self.models
            .iter()
            .filter(|m| m.kind == kind)
            .cloned()
            .collect()
    }

    pub fn model(&self, id: &str) -> Option<&ModelSpec> {
        self.models.iter().find(|m| m.id == id)
    }
}

impl DraftPolicy {
    pub fn allows_quality(&self, stage: Stage, quality: Quality) -> bool {
        stage == Stage::Final || quality.at_most(self.max_quality)
    }

    pub fn allows_count(&self, stage: Stage, count: i64) -> bool {
        stage == Stage::Final || count <= self.max_count
    }

    pub fn allows_resolution(&self, stage: Stage, resolution: Resolution) -> bool {
        stage == Stage::Final || resolution.at_most(self.max_resolution)
    }

    pub fn allows_duration(&self, stage: Stage, seconds: i64) -> bool {
        stage == Stage::Final || seconds <= self.max_duration_seconds
    }
}

impl ModelSpec {
    /// A draft gets the best quality its cap allows; a final gets medium.
    pub fn default_quality(&self, stage: Stage, policy: &DraftPolicy) -> Option<Quality> {
        match stage {
            Stage::Draft => self
                .qualities
                .iter()
                .copied()
                .filter(|q| q.at_most(policy.max_quality))
                .max_by_key(|q| q.rank()),
            Stage::Final => self
                .qualities
                .iter()
                .copied()
                .find(|q| *q == Quality::Medium)
                .or(self.qualities.first().copied()),
        }
    }

    /// A draft gets the smallest resolution; a final 720p where offered.
    pub fn default_resolution(&self, stage: Stage, policy: &DraftPolicy) -> Option<Resolution> {
        match stage {
            Stage::Draft => self
                .resolutions
                .iter()
                .copied()
                .find(|r| r.at_most(policy.max_resolution)),
            Stage::Final => self
                .resolutions
                .iter()
                .copied()
                .find(|r| *r == Resolution::P720)
                .or(self.resolutions.last().copied()),
        }
    }

    /// The shortest length: a composer starts cheap, whatever the stage.
    pub fn default_duration(&self, stage: Stage, policy: &DraftPolicy) -> Option<i64> {
        self.durations
            .iter()
            .copied()
            .filter(|d| policy.allows_duration(stage, *d))
            .min()
    }

    /// The lowest frame rate: a composer starts cheap, whatever the stage.
    pub fn default_fps(&self) -> Option<i64> {
        self.frame_rates.iter().copied().min()
    }

    pub fn default_aspect_ratio(&self) -> AspectRatio {
        match self.kind {
            Kind::Image => AspectRatio::Square1x1,
            Kind::Video => AspectRatio::Landscape16x9,
        }
    }
}

/// Whether Kiln may use a reference, and what for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, VariantArray)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum LicenceStatus {
    Licensed,
    Owned,
    Pending,
    Unknown,
    Restricted,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, VariantArray)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum MediaKind {
    Image,
    Video,
}

/// An uploaded image or video a task may start from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReferenceAsset {
    pub id: String,
    /// `None` for a kind this build does not know.
    pub kind: Option<MediaKind>,
    pub filename: String,
    pub mime_type: String,
    pub width: Option<i64>,
    pub height: Option<i64>,
    pub licence_status: Option<LicenceStatus>,
    /// Signed link to the file.
    pub url: String,
    /// Signed link to a PNG preview; images only.
    pub thumbnail_url: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;
    // Run in Node by wasm-bindgen-test-runner: the crate only builds for wasm32.
    use wasm_bindgen_test::wasm_bindgen_test as test;

    fn policy() -> DraftPolicy {
        DraftPolicy {
            max_quality: Quality::Low,
            max_count: 2,
            max_resolution: Resolution::P480,
            max_duration_seconds: 4,
        }
    }

    fn video() -> ModelSpec {
        ModelSpec {
            id: "sim-video-1".to_owned(),
            label: "Simulated video".to_owned(),
            label_zh: "Simulated video".to_owned(),
            usual_seconds: 60,
            kind: Kind::Video,
            input_types: vec![InputType::TextToVideo],
            sizes: vec![],
            qualities: vec![],
            max_count: 1,
            durations: vec![4, 8, 12],
            frame_rates: vec![24, 30, 60],
            resolutions: vec![Resolution::P480, Resolution::P720, Resolution::P1080],
            output_formats: vec![OutputFormat::Gif],
            camera_motions: vec![CameraMotion::Static],
            negative_prompt: false,
            audio: true,
            max_references: 1,
        }
    }

    fn image() -> ModelSpec {
        ModelSpec {
            kind: Kind::Image,
            qualities: vec![Quality::Low, Quality::Medium, Quality::High],
            durations: vec![],
            frame_rates: vec![],
            resolutions: vec![],
            max_count: 4,
            ..video()
        }
    }

    #[test]
    fn a_draft_starts_at_the_caps_and_a_final_at_the_servers_final_defaults() {
        let p = policy();
        assert_eq!(
            image().default_quality(Stage::Draft, &p),
            Some(Quality::Low)
        );
        assert_eq!(
            image().default_quality(Stage::Final, &p),
            Some(Quality::Medium)
        );
        assert_eq!(
            video().default_resolution(Stage::Draft, &p),
            Some(Resolution::P480)
        );
        assert_eq!(
            video().default_resolution(Stage::Final, &p),
            Some(Resolution::P720)
        );
        assert_eq!(video().default_duration(Stage::Draft, &p), Some(4));
    }

    #[test]
    fn the_draft_caps_allow_everything_for_a_final() {
        let p = policy();
        assert!(!p.allows_quality(Stage::Draft, Quality::High));
        assert!(p.allows_quality(Stage::Final, Quality::High));
        assert!(!p.allows_count(Stage::Draft, 3));
        assert!(!p.allows_resolution(Stage::Draft, Resolution::P720));
        assert!(!p.allows_duration(Stage::Draft, 8));
        assert!(p.allows_duration(Stage::Final, 12));
    }

    #[test]
    fn attached_references_decide_the_input_type() {
        use MediaKind::{Image, Video};
        assert_eq!(
            InputType::for_references(Kind::Image, &[]),
            InputType::TextToImage
        );
        assert_eq!(
            InputType::for_references(Kind::Image, &[Image]),
            InputType::ImageToImage
        );
        assert_eq!(
            InputType::for_references(Kind::Video, &[]),
            InputType::TextToVideo
        );
        assert_eq!(
            InputType::for_references(Kind::Video, &[Image]),
            InputType::ImageToVideo
        );
        assert_eq!(
            InputType::for_references(Kind::Video, &[Video]),
            InputType::VideoToVideo
        );
    }
}
