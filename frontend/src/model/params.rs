//! What a generation task can be asked for.
//!
//! Each enum knows its GraphQL name ([`as_str`](Kind::as_str)), which doubles as the
//! `<option>` value in forms, so tests can pick options by the names the API uses.

use serde::{Deserialize, Serialize};
use strum::VariantArray;

/// What a task makes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, VariantArray)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Kind {
    Image,
    Video,
}

/// A cheap exploration, or the render that gets reviewed and used.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, VariantArray)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Stage {
    Draft,
    Final,
}

/// What a task starts from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, VariantArray)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum InputType {
    TextToImage,
    ImageToImage,
    TextToVideo,
    ImageToVideo,
    VideoToVideo,
}

impl InputType {
    /// What a task of `kind` starts from, given the kinds of its references: text
    /// alone without any, a video when there is one (video tasks only), else images.
    pub fn for_references(kind: Kind, references: &[crate::model::MediaKind]) -> Self {
        use crate::model::MediaKind;
        match kind {
            Kind::Image if references.is_empty() => InputType::TextToImage,
            Kind::Image => InputType::ImageToImage,
            Kind::Video if references.is_empty() => InputType::TextToVideo,
            Kind::Video if references.contains(&MediaKind::Video) => InputType::VideoToVideo,
            Kind::Video => InputType::ImageToVideo,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, VariantArray)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum AspectRatio {
    #[serde(rename = "SQUARE_1_1")]
    Square1x1,
    #[serde(rename = "LANDSCAPE_16_9")]
    Landscape16x9,
    #[serde(rename = "PORTRAIT_9_16")]
    Portrait9x16,
    #[serde(rename = "LANDSCAPE_4_3")]
    Landscape4x3,
    #[serde(rename = "PORTRAIT_3_4")]
    Portrait3x4,
    #[serde(rename = "LANDSCAPE_21_9")]
    Landscape21x9,
}

impl AspectRatio {
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

    /// `16:9`, for places where the word would crowd the line.
    pub fn short(self) -> String {
        let (w, h) = self.dimensions();
        format!("{w}:{h}")
    }
}

/// Image quality, cheapest first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, VariantArray)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Quality {
    Low,
    Medium,
    High,
}

impl Quality {
    /// 0 for the cheapest.
    pub fn rank(self) -> u8 {
        match self {
            Quality::Low => 0,
            Quality::Medium => 1,
            Quality::High => 2,
        }
    }

    pub fn at_most(self, cap: Quality) -> bool {
        self.rank() <= cap.rank()
    }
}

/// Video resolution (the shorter side), smallest first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, VariantArray)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Resolution {
    P480,
    P720,
    P1080,
}

impl Resolution {
    pub fn short_side(self) -> u32 {
        match self {
            Resolution::P480 => 480,
            Resolution::P720 => 720,
            Resolution::P1080 => 1080,
        }
    }

    pub fn at_most(self, cap: Resolution) -> bool {
        self.short_side() <= cap.short_side()
    }

    /// `720p`: the same in every language.
    pub fn label(self) -> String {
        format!("{}p", self.short_side())
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, VariantArray)]
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

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, VariantArray)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Audio {
    Mute,
    WithAudio,
}

/// File type of an output.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, VariantArray)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum OutputFormat {
    Png,
    Jpeg,
    Webp,
    Gif,
    #[serde(rename = "MP_4")]
    Mp4,
}

impl OutputFormat {
    /// The name people know the format by; the same in every language.
    pub fn label(self) -> &'static str {
        match self {
            OutputFormat::Png => "PNG",
            OutputFormat::Jpeg => "JPEG",
            OutputFormat::Webp => "WebP",
            OutputFormat::Gif => "GIF",
            OutputFormat::Mp4 => "MP4",
        }
    }
}
