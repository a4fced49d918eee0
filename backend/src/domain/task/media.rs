//! The kind-specific checks: an image's fields and a video's, and the sizes and shapes they settle on.

use super::validation::Problems;
use super::*;
use crate::domain::ErrorCode;
use crate::domain::catalogue::{
    Audio, CameraMotion, ModelSpec, Quality, Resolution, StagePolicy, parse_size,
};

pub(super) fn list<T: std::fmt::Display>(items: &[T]) -> String {
    items
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

/// The kind-specific part of validated parameters.
pub(super) struct Media {
    pub(super) aspect_ratio: AspectRatio,
    pub(super) size: Option<String>,
    pub(super) quality: Option<Quality>,
    pub(super) count: u32,
    pub(super) duration_secs: Option<u32>,
    pub(super) fps: Option<u32>,
    pub(super) resolution: Option<Resolution>,
    pub(super) camera_motion: Option<CameraMotion>,
    pub(super) audio: Option<Audio>,
}

pub(super) fn ratio_of(size: &str) -> Option<f64> {
    parse_size(size).map(|(w, h)| f64::from(w) / f64::from(h))
}

/// The named aspect ratio nearest to `width / height`.
pub(super) fn closest_aspect(ratio: f64) -> AspectRatio {
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

pub(super) fn aspect_value(ratio: AspectRatio) -> f64 {
    let (w, h) = ratio.dimensions(2_520);
    f64::from(w) / f64::from(h)
}

pub(super) fn image_fields(
    draft: &TaskDraft,
    model: &ModelSpec,
    is_draft: bool,
    policy: &StagePolicy,
    problems: &mut Problems,
) -> Option<Media> {
    for (given, field) in [
        (draft.duration_secs.is_some(), "durationSeconds"),
        (draft.fps.is_some(), "fps"),
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
        fps: None,
        resolution: None,
        camera_motion: None,
        audio: None,
    })
}

pub(super) fn video_fields(
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
    let fps = match draft.fps {
        Some(_) if model.frame_rates.is_empty() => {
            problems.add(
                "fps",
                ErrorCode::Unsupported,
                format!("{} picks its own frame rate.", model.id),
            );
            None
        }
        Some(f) if f < 0 || !model.frame_rates.contains(&(f as u32)) => {
            problems.add(
                "fps",
                ErrorCode::Unsupported,
                format!(
                    "{} renders {} frames per second.",
                    model.id,
                    list(&model.frame_rates)
                ),
            );
            None
        }
        // A draft takes the cheapest (lowest) rate, a final the film standard 24 where
        // offered; either way the choice is recorded, so a promotion keeps it.
        Some(f) => Some(Some(f as u32)),
        None if is_draft => Some(model.frame_rates.iter().copied().min()),
        None => Some(
            model
                .frame_rates
                .iter()
                .copied()
                .find(|f| *f == 24)
                .or(model.frame_rates.iter().copied().min()),
        ),
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
        fps: fps?,
        resolution: Some(resolution?),
        camera_motion: Some(draft.camera_motion.unwrap_or(CameraMotion::Static)),
        audio: Some(audio?),
    })
}
