//! What the upstream models offer, what they cost, and how far a draft may go.
//!
//! The catalogue and prices come from configuration; the defaults describe the models of
//! the simulated provider.

use serde::{Deserialize, Serialize};

use super::stored_enum;
use super::task::{InputType, TaskKind};

stored_enum! {
    /// Image quality, cheapest first.
    #[strum(serialize_all = "SCREAMING_SNAKE_CASE")]
    #[serde(rename_all = "SCREAMING_SNAKE_CASE")]
    pub enum Quality {
        Low,
        Medium,
        High,
    }
}

impl Quality {
    fn rank(self) -> u8 {
        match self {
            Quality::Low => 0,
            Quality::Medium => 1,
            Quality::High => 2,
        }
    }

    pub(crate) fn at_most(self, cap: Quality) -> bool {
        self.rank() <= cap.rank()
    }
}

stored_enum! {
    /// Video resolution (the shorter side), smallest first.
    pub enum Resolution {
        #[strum(serialize = "480p")]
        #[serde(rename = "480p")]
        #[graphql(name = "P480")]
        P480,
        #[strum(serialize = "720p")]
        #[serde(rename = "720p")]
        #[graphql(name = "P720")]
        P720,
        #[strum(serialize = "1080p")]
        #[serde(rename = "1080p")]
        #[graphql(name = "P1080")]
        P1080,
    }
}

impl Resolution {
    pub(crate) fn short_side(self) -> u32 {
        match self {
            Resolution::P480 => 480,
            Resolution::P720 => 720,
            Resolution::P1080 => 1080,
        }
    }

    pub(crate) fn at_most(self, cap: Resolution) -> bool {
        self.short_side() <= cap.short_side()
    }
}

stored_enum! {
    #[strum(serialize_all = "SCREAMING_SNAKE_CASE")]
    #[serde(rename_all = "SCREAMING_SNAKE_CASE")]
    pub enum CameraMotion {
        Static,
        PanLeft,
        PanRight,
        TiltUp,
        TiltDown,
        ZoomIn,
        ZoomOut,
        Orbit,
        Handheld,
    }
}

stored_enum! {
    #[strum(serialize_all = "SCREAMING_SNAKE_CASE")]
    #[serde(rename_all = "SCREAMING_SNAKE_CASE")]
    pub enum Audio {
        Mute,
        WithAudio,
    }
}

stored_enum! {
    /// File type of an output.
    #[strum(serialize_all = "SCREAMING_SNAKE_CASE")]
    #[serde(rename_all = "SCREAMING_SNAKE_CASE")]
    pub enum OutputFormat {
        Png,
        Jpeg,
        Webp,
        Gif,
        Mp4,
    }
}

/// Prices of one model, in micros of the configured currency.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(default)]
pub struct Price {
    /// One image of 1024×1024 pixels at each quality; other sizes scale by pixel count.
    pub image_low_micros: i64,
    pub image_medium_micros: i64,
    pub image_high_micros: i64,
    /// One second of video at each resolution.
    pub second_480p_micros: i64,
    pub second_720p_micros: i64,
    pub second_1080p_micros: i64,
    /// Added per second when the video has audio.
    pub audio_second_micros: i64,
    /// Added per second when the frame rate is above 30 (48, 50, 60 fps).
    pub high_frame_rate_second_micros: i64,
}

/// One model an upstream offers, with the parameters it accepts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ModelSpec {
    pub id: String,
    pub label: String,
    /// The label in Simplified Chinese, for the Chinese UI; `label` otherwise.
    #[serde(default)]
    pub label_zh: Option<String>,
    pub kind: TaskKind,
    /// How long a task usually takes, in seconds; a live task that has not moved for
    /// longer is shown as slow. Unset: a minute for images, five for video.
    #[serde(default)]
    pub usual_secs: Option<u32>,
    /// The provider that runs it: `simulated`, or a configured gateway's name.
    #[serde(default = "simulated")]
    pub provider: String,
    /// The model's name at the gateway, when it differs from `id`.
    #[serde(default)]
    pub upstream_model: Option<String>,
    pub input_types: Vec<InputType>,
    /// Image sizes, `WIDTHxHEIGHT`.
    #[serde(default)]
    pub sizes: Vec<String>,
    #[serde(default)]
    pub qualities: Vec<Quality>,
    #[serde(default = "one")]
    pub max_count: u32,
    /// Video lengths in seconds.
    #[serde(default)]
    pub durations: Vec<u32>,
    #[serde(default)]
    pub resolutions: Vec<Resolution>,
    /// Video frame rates (frames per second) it renders; empty when the upstream picks.
    /// Sent as `fps` to gateways of the task dialect (`/v1/video/generations`); the
    /// OpenAI dialect has no such parameter, so leave it empty for those models.
    #[serde(default)]
    pub frame_rates: Vec<u32>,
    pub output_formats: Vec<OutputFormat>,
    #[serde(default)]
    pub negative_prompt: bool,
    #[serde(default)]
    pub audio: bool,
    #[serde(default)]
    pub max_references: u32,
    #[serde(default)]
    pub price: Price,
}

fn one() -> u32 {
    1
}

fn simulated() -> String {
    "simulated".to_owned()
}

impl ModelSpec {
    /// How long a task of this model usually takes, in seconds.
    pub(crate) fn usual_secs(&self) -> u32 {
        self.usual_secs.unwrap_or(match self.kind {
            TaskKind::Image => 60,
            TaskKind::Video => 300,
        })
    }

    /// The name to send upstream.
    pub(crate) fn upstream_name(&self) -> &str {
        self.upstream_model.as_deref().unwrap_or(&self.id)
    }
}

/// How far a draft may go: drafts are for exploring, cheaply.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct StagePolicy {
    pub max_quality: Quality,
    pub max_count: u32,
    pub max_resolution: Resolution,
    pub max_duration_secs: u32,
}

impl Default for StagePolicy {
    fn default() -> Self {
        Self {
            max_quality: Quality::Low,
            max_count: 2,
            max_resolution: Resolution::P480,
            max_duration_secs: 4,
        }
    }
}

/// Parses `WIDTHxHEIGHT`.
pub(crate) fn parse_size(size: &str) -> Option<(u32, u32)> {
    let (w, h) = size.split_once('x')?;
    let (w, h) = (w.parse().ok()?, h.parse().ok()?);
    (w > 0 && h > 0).then_some((w, h))
}

/// The models of the simulated provider, priced like typical gateways.
pub fn default_models() -> Vec<ModelSpec> {
    vec![
        ModelSpec {
            id: "sim-image-1".to_owned(),
            label: "Simulated image".to_owned(),
            label_zh: Some("模拟图像模型".to_owned()),
            kind: TaskKind::Image,
            usual_secs: Some(10),
            provider: simulated(),
            upstream_model: None,
            input_types: vec![InputType::TextToImage, InputType::ImageToImage],
            sizes: vec!["1024x1024".into(), "1536x1024".into(), "1024x1536".into()],
            qualities: vec![Quality::Low, Quality::Medium, Quality::High],
            max_count: 4,
            durations: vec![],
            resolutions: vec![],
            frame_rates: vec![],
            output_formats: vec![OutputFormat::Png, OutputFormat::Jpeg, OutputFormat::Webp],
            negative_prompt: true,
            audio: false,
            max_references: 4,
            price: Price {
                image_low_micros: 11_000,
                image_medium_micros: 42_000,
                image_high_micros: 167_000,
                ..Price::default()
            },
        },
        ModelSpec {
            id: "sim-video-1".to_owned(),
            label: "Simulated video".to_owned(),
            label_zh: Some("模拟视频模型".to_owned()),
            kind: TaskKind::Video,
            usual_secs: Some(30),
            provider: simulated(),
            upstream_model: None,
            input_types: vec![
                InputType::TextToVideo,
                InputType::ImageToVideo,
                InputType::VideoToVideo,
            ],
            sizes: vec![],
            qualities: vec![],
            max_count: 1,
            durations: vec![4, 8, 12],
            resolutions: vec![Resolution::P480, Resolution::P720, Resolution::P1080],
            frame_rates: vec![24, 30, 60],
            output_formats: vec![OutputFormat::Gif],
            negative_prompt: false,
            audio: true,
            max_references: 1,
            price: Price {
                second_480p_micros: 50_000,
                second_720p_micros: 100_000,
                second_1080p_micros: 300_000,
                audio_second_micros: 20_000,
                high_frame_rate_second_micros: 40_000,
                ..Price::default()
            },
        },
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_parse_as_width_by_height() {
        assert_eq!(parse_size("1536x1024"), Some((1536, 1024)));
        assert_eq!(parse_size("0x5"), None);
        assert_eq!(parse_size("big"), None);
    }

    #[test]
    fn qualities_and_resolutions_compare_against_caps() {
        assert!(Quality::Low.at_most(Quality::Medium));
        assert!(!Quality::High.at_most(Quality::Low));
        assert!(Resolution::P480.at_most(Resolution::P480));
        assert!(!Resolution::P1080.at_most(Resolution::P720));
    }
}
