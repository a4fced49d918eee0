//! What a generation task can be asked for.
//!
//! Each enum knows its GraphQL name ([`as_str`](Kind::as_str)), which doubles as the
//! `<option>` value in forms, so tests can pick options by the names the API uses.

wire_enum! {
    /// What a task makes.
    Kind {
        Image => "IMAGE",
        Video => "VIDEO",
    }
}

wire_enum! {
    /// A cheap exploration, or the render that gets reviewed and used.
    Stage {
        Draft => "DRAFT",
        Final => "FINAL",
    }
}

wire_enum! {
    /// What a task starts from.
    InputType {
        TextToImage => "TEXT_TO_IMAGE",
        ImageToImage => "IMAGE_TO_IMAGE",
        TextToVideo => "TEXT_TO_VIDEO",
        ImageToVideo => "IMAGE_TO_VIDEO",
        VideoToVideo => "VIDEO_TO_VIDEO",
    }
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

wire_enum! {
    AspectRatio {
        Square1x1 => "SQUARE_1_1",
        Landscape16x9 => "LANDSCAPE_16_9",
        Portrait9x16 => "PORTRAIT_9_16",
        Landscape4x3 => "LANDSCAPE_4_3",
        Portrait3x4 => "PORTRAIT_3_4",
        Landscape21x9 => "LANDSCAPE_21_9",
    }
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

wire_enum! {
    /// Image quality, cheapest first.
    Quality {
        Low => "LOW",
        Medium => "MEDIUM",
        High => "HIGH",
    }
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

wire_enum! {
    /// Video resolution (the shorter side), smallest first.
    Resolution {
        P480 => "P480",
        P720 => "P720",
        P1080 => "P1080",
    }
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

wire_enum! {
    CameraMotion {
        Static => "STATIC",
        PanLeft => "PAN_LEFT",
        PanRight => "PAN_RIGHT",
        TiltUp => "TILT_UP",
        TiltDown => "TILT_DOWN",
        ZoomIn => "ZOOM_IN",
        ZoomOut => "ZOOM_OUT",
        Orbit => "ORBIT",
        Handheld => "HANDHELD",
    }
}

wire_enum! {
    Audio {
        Mute => "MUTE",
        WithAudio => "WITH_AUDIO",
    }
}

wire_enum! {
    /// File type of an output.
    OutputFormat {
        Png => "PNG",
        Jpeg => "JPEG",
        Webp => "WEBP",
        Gif => "GIF",
        Mp4 => "MP_4",
    }
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
