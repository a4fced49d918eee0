//! What a task costs, by its model's price.

use super::*;
use crate::domain::catalogue::{Audio, ModelSpec, Quality, Resolution};

impl TaskSpec {
    /// What the task will cost, by `model`'s price.
    pub(crate) fn estimate_micros(&self, model: &ModelSpec) -> i64 {
        estimate_micros(&self.params, model)
    }
}

/// The price of `params` on `model`, in micros.
fn estimate_micros(params: &TaskParams, model: &ModelSpec) -> i64 {
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
            let frame_rate = if params.fps.is_some_and(|fps| fps > 30) {
                price.high_frame_rate_second_micros
            } else {
                0
            };
            (per_second + audio + frame_rate).saturating_mul(seconds)
        }
    }
}
