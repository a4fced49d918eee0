//! Checking a draft against the model catalogue and the draft policy, every problem at once.

use super::media::{image_fields, list, video_fields};
use super::*;
use crate::domain::catalogue::{ModelSpec, StagePolicy};
use crate::domain::{ErrorCode, FieldError};

/// Collects field errors while a draft is checked, so a form can mark every problem at
/// once.
#[derive(Default)]
pub(super) struct Problems(Vec<FieldError>);

impl Problems {
    pub(super) fn add(&mut self, field: &'static str, code: ErrorCode, message: impl Into<String>) {
        self.0.push(FieldError::new(field, code, message));
    }
}

impl TaskSpec {
    /// Validates a draft against the model catalogue and the draft policy.
    pub(crate) fn parse(
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
                    fps: media.fps,
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
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::catalogue::default_models;
    use crate::domain::catalogue::{Audio, OutputFormat, Quality, Resolution};

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
    fn a_video_draft_takes_the_lowest_frame_rate_and_a_final_the_film_standard() {
        assert_eq!(parse(video("waves")).unwrap().params.fps, Some(24));
        let final_ = TaskDraft {
            stage: Some(Stage::Final),
            ..video("waves")
        };
        assert_eq!(parse(final_).unwrap().params.fps, Some(24));
        let smooth = TaskDraft {
            fps: Some(60),
            ..video("waves")
        };
        assert_eq!(parse(smooth).unwrap().params.fps, Some(60));
    }

    #[test]
    fn a_frame_rate_the_model_does_not_offer_is_refused() {
        let draft = TaskDraft {
            fps: Some(25),
            ..video("waves")
        };
        let errors = parse(draft).unwrap_err();
        assert_eq!(fields(&errors), [("fps", ErrorCode::Unsupported)]);
        assert!(
            errors[0].message.contains("24, 30, 60"),
            "{}",
            errors[0].message
        );
        let on_an_image = TaskDraft {
            fps: Some(24),
            ..image("a kettle")
        };
        assert_eq!(
            fields(&parse(on_an_image).unwrap_err()),
            [("fps", ErrorCode::Invalid)]
        );
    }

    #[test]
    fn a_frame_rate_above_30_costs_the_model_s_high_frame_rate_price() {
        let models = default_models();
        let at = |fps| {
            parse(TaskDraft {
                stage: Some(Stage::Final),
                duration_secs: Some(4),
                resolution: Some(Resolution::P720),
                fps: Some(fps),
                ..video("waves")
            })
            .unwrap()
            .estimate_micros(&models[1])
        };
        assert_eq!(at(30), 100_000 * 4);
        assert_eq!(at(60), (100_000 + 40_000) * 4);
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
    fn video_output_dimensions_follow_resolution_and_shape() {
        let spec = parse(video("waves")).unwrap();
        assert_eq!(spec.params.output_dimensions(), (854, 480));
    }
}
