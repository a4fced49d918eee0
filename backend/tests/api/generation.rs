//! The full parameter model, video, references, and draft → final.

use sea_orm::EntityTrait;

use crate::helpers::both_engines;
use crate::ops::submit_task::{SubmitTaskInput, SubmitTaskSubmitTask};
use crate::ops::{
    self, AspectRatio, CameraMotion, InputType, LicenceStatus, LineageKind, MediaKind, Quality,
    Stage, TaskKind, TaskStatus, TransitionCause, UserErrorCode, field, promote_task, task_input,
};

/// The user errors of a submit, as (field, code) pairs.
fn problems(payload: &SubmitTaskSubmitTask) -> Vec<(Option<Vec<String>>, UserErrorCode)> {
    payload
        .user_errors
        .iter()
        .map(|e| (e.field.clone(), e.code.clone()))
        .collect()
}

/// A promotion of `draft_id` with `overrides`.
fn promote(draft_id: &str, overrides: promote_task::PromoteOverrides) -> promote_task::Variables {
    promote_task::Variables {
        input: promote_task::PromoteTaskInput {
            draft_id: draft_id.to_owned(),
            overrides,
            ..Default::default()
        },
    }
}

fn png(width: u32, height: u32) -> Vec<u8> {
    let image = image::RgbImage::from_fn(width, height, |x, y| {
        image::Rgb([(x % 255) as u8, (y % 255) as u8, 90])
    });
    let mut out = std::io::Cursor::new(Vec::new());
    image.write_to(&mut out, image::ImageFormat::Png).unwrap();
    out.into_inner()
}

both_engines! {
    async fn a_video_task_produces_an_animated_clip_of_the_asked_length(app) {
        let token = app.admin_token().await;
        let payload = app.submit(&token, SubmitTaskInput { input_type: InputType::TextToVideo, camera_motion: Some(CameraMotion::PanLeft), ..task_input("waves at dusk") }).await;
        assert_eq!(payload.user_errors, vec![]);
        let task = payload.task.unwrap();
        assert_eq!(task.kind, TaskKind::Video);
        let task = app.wait_until_finished(&token, &task.id).await;
        assert_eq!(task.status, TaskStatus::Succeeded);
        let clip = &task.outputs[0];
        assert_eq!((clip.format.as_str(), clip.mime_type.as_deref()), ("gif", Some("image/gif")));
        assert_eq!(clip.duration_ms, Some(4000), "a draft clip lasts 4 s");
        let bytes = app.get(clip.url.as_deref().unwrap(), None).await.bytes().await.unwrap();
        assert_eq!(&bytes[..6], b"GIF89a");
    }

    async fn a_video_keeps_the_frame_rate_it_was_asked_for_and_pays_for_a_high_one(app) {
        let token = app.admin_token().await;
        let standard = app.submit_ok(&token, SubmitTaskInput { input_type: InputType::TextToVideo, stage: Stage::Final, duration_seconds: Some(4), ..task_input("waves") }).await;
        let smooth = app.submit_ok(&token, SubmitTaskInput { input_type: InputType::TextToVideo, stage: Stage::Final, duration_seconds: Some(4), fps: Some(60), ..task_input("waves") }).await;
        let standard = app.task(&token, &standard).await;
        let smooth = app.task(&token, &smooth).await;
        assert_eq!((standard.fps, smooth.fps), (Some(24), Some(60)), "a final defaults to 24 fps");
        let cost = |t: &ops::task_by_id::TaskDetail| t.estimated_cost.amount.parse::<f64>().unwrap();
        assert!(cost(&smooth) > cost(&standard), "60 fps costs the model's high-frame-rate price: {} vs {}", cost(&smooth), cost(&standard));
    }

    async fn every_broken_rule_is_a_user_error_on_its_field(app) {
        let token = app.admin_token().await;
        let cases = [
            (SubmitTaskInput { input_type: InputType::ImageToVideo, ..task_input("the kettle steams") }, field(&["input", "referenceAssetIds"]), UserErrorCode::Required),
            (SubmitTaskInput { input_type: InputType::TextToVideo, stage: Stage::Final, duration_seconds: Some(7), ..task_input("waves") }, field(&["input", "durationSeconds"]), UserErrorCode::Unsupported),
            (SubmitTaskInput { input_type: InputType::TextToVideo, fps: Some(25), ..task_input("waves") }, field(&["input", "fps"]), UserErrorCode::Unsupported),
            (SubmitTaskInput { count: Some(9), ..task_input("a kettle") }, field(&["input", "count"]), UserErrorCode::OutOfRange),
            (SubmitTaskInput { quality: Some(Quality::High), ..task_input("a kettle") }, field(&["input", "quality"]), UserErrorCode::StageLimit),
            (SubmitTaskInput { size: Some("333x333".into()), ..task_input("a kettle") }, field(&["input", "size"]), UserErrorCode::Unsupported),
            (SubmitTaskInput { model: Some("no-such-model".into()), ..task_input("a kettle") }, field(&["input", "model"]), UserErrorCode::Unsupported),
            (SubmitTaskInput { duration_seconds: Some(4), ..task_input("a kettle") }, field(&["input", "durationSeconds"]), UserErrorCode::Invalid),
            (task_input("x".repeat(4001)), field(&["input", "prompt"]), UserErrorCode::TooLong),
            (SubmitTaskInput { reference_asset_ids: vec!["bm9wZQ".into()], ..task_input("a kettle") }, field(&["input", "referenceAssetIds"]), UserErrorCode::NotFound),
        ];
        for (input, field, code) in cases {
            let payload = app.submit(&token, input.clone()).await;
            assert!(payload.task.is_none(), "{input:?}");
            assert_eq!(problems(&payload), vec![(field, code)], "{input:?}");
        }
        let list = app.op::<ops::Tasks>(Some(&token), ops::tasks::Variables { first: 20, after: None, filter: None }).await;
        assert_eq!(list.tasks.edges, vec![], "nothing was stored");
    }

    async fn a_reference_upload_is_checked_by_content_and_starts_an_image_to_image_task(app) {
        let token = app.admin_token().await;
        let bytes = png(300, 200);
        let uploaded = app.upload_reference(&token, "../../logo.png", bytes.clone()).await;
        assert_eq!(uploaded.user_errors, vec![]);
        let reference = uploaded.reference_asset.unwrap();
        assert_eq!((reference.kind.clone(), reference.mime_type.as_str()), (MediaKind::Image, "image/png"));
        assert_eq!((reference.width, reference.height), (Some(300), Some(200)));
        assert_eq!(reference.filename, "logo.png");
        let stored = app.get(&reference.url, None).await.bytes().await.unwrap();
        assert_eq!(stored.to_vec(), bytes);

        // The same file again is the same reference.
        let again = app.upload_reference(&token, "copy.png", bytes).await;
        assert_eq!(again.reference_asset.unwrap().id, reference.id);

        let payload = app.submit(&token, SubmitTaskInput { input_type: InputType::ImageToImage, reference_asset_ids: vec![reference.id.clone()], ..task_input("the kettle, in red") }).await;
        assert_eq!(payload.user_errors, vec![]);
        let id = payload.task.unwrap().id;
        assert_eq!(app.wait_until_finished(&token, &id).await.status, TaskStatus::Succeeded);
        let task = app.task(&token, &id).await;
        assert_eq!(task.references[0].id, reference.id);
    }

    async fn a_file_that_is_not_an_image_or_video_is_refused_whatever_its_name(app) {
        let token = app.admin_token().await;
        let payload = app.upload_reference(&token, "innocent.png", b"#!/bin/sh\nrm -rf /\n".to_vec()).await;
        assert!(payload.reference_asset.is_none());
        assert_eq!(payload.user_errors[0].code, UserErrorCode::Unsupported);
        let empty = app.upload_reference(&token, "empty.png", Vec::new()).await;
        assert_eq!(empty.user_errors[0].code, UserErrorCode::Required);
    }

    async fn a_succeeded_draft_is_promoted_to_a_linked_final_with_its_seed(app) {
        let token = app.admin_token().await;
        let draft_id = app.submit_ok(&token, SubmitTaskInput { seed: Some(1234), ..task_input("a red kettle") }).await;

        // Not yet succeeded: refused.
        let early = app.op::<ops::PromoteTask>(Some(&token), promote(&draft_id, Default::default())).await;
        assert_eq!(early.promote_task.user_errors[0].code, UserErrorCode::InvalidState);

        app.wait_until_finished(&token, &draft_id).await;
        let overrides = promote_task::PromoteOverrides { quality: Some(Quality::High), count: Some(3), ..Default::default() };
        let promoted = app.op::<ops::PromoteTask>(Some(&token), promote(&draft_id, overrides)).await.promote_task;
        assert_eq!(promoted.user_errors, vec![]);
        let final_task = promoted.task.unwrap();
        assert_eq!((final_task.stage.clone(), final_task.lineage.clone()), (Stage::Final, Some(LineageKind::Promotion)));
        assert_eq!((final_task.seed, final_task.quality.clone(), final_task.count), (Some(1234), Some(Quality::High), 3));
        assert_eq!(final_task.parent.unwrap().id, draft_id);

        let final_id = final_task.id;
        let done = app.wait_until_finished(&token, &final_id).await;
        assert_eq!(done.status, TaskStatus::Succeeded);
        assert_eq!(done.outputs.len(), 3);
        let draft = app.task(&token, &draft_id).await;
        let children: Vec<_> = draft.children.iter().map(|c| (c.id.as_str(), c.stage.clone())).collect();
        assert_eq!(children, vec![(final_id.as_str(), Stage::Final)]);
    }

    async fn a_draft_of_any_shape_is_promoted_at_the_size_it_was_made(app) {
        let token = app.admin_token().await;
        let draft_id = app.submit_ok(&token, SubmitTaskInput { aspect_ratio: Some(AspectRatio::Landscape43), ..task_input("a wide kettle") }).await;
        app.wait_until_finished(&token, &draft_id).await;
        let promoted = app.op::<ops::PromoteTask>(Some(&token), promote(&draft_id, Default::default())).await.promote_task;
        assert_eq!(promoted.user_errors, vec![]);
        assert_eq!(promoted.task.unwrap().size.as_deref(), Some("1536x1024"));
    }

    async fn a_failed_task_is_retried_as_a_new_linked_attempt(app) {
        let token = app.admin_token().await;
        let id = app.submit_ok(&token, SubmitTaskInput { seed: Some(5), ..task_input("a kettle #fail:upstream_error") }).await;
        assert_eq!(app.wait_until_finished(&token, &id).await.status, TaskStatus::Failed);
        let retried = app.op::<ops::RetryTask>(Some(&token), ops::retry_task::Variables { input: ops::retry_task::RetryTaskInput { task_id: id.clone(), acknowledged_warnings: vec![] } }).await;
        let retry = retried.retry_task.task.unwrap();
        assert_ne!(retry.id, id);
        assert_eq!((retry.lineage, retry.seed), (Some(LineageKind::Retry), Some(5)));
        assert_eq!(retry.parent.unwrap().id, id);
        // The original stays as it ended.
        assert_eq!(app.task(&token, &id).await.status, TaskStatus::Failed);
        // A live task cannot be retried.
        let live = app.op::<ops::RetryTask>(Some(&token), ops::retry_task::Variables { input: ops::retry_task::RetryTaskInput { task_id: retry.id, acknowledged_warnings: vec![] } }).await;
        assert_eq!(live.retry_task.user_errors[0].code, UserErrorCode::InvalidState);
    }

    async fn cancelling_a_running_task_ends_it_and_tells_the_upstream(app) {
        let token = app.admin_token().await;
        let id = app.submit_ok(&token, task_input("a kettle #fail:stuck")).await;
        let mut updates = app.subscribe_op::<ops::TaskUpdated>(&token, ops::task_updated::Variables { id: id.clone() }).await;
        while updates.next().await.task_updated.status != TaskStatus::Processing {}
        let cancel = || app.op::<ops::CancelTask>(Some(&token), ops::cancel_task::Variables { id: id.clone() });
        let cancelled = cancel().await.cancel_task.task.unwrap();
        assert_eq!((cancelled.status, cancelled.failure_reason), (TaskStatus::Cancelled, Some(ops::FailureReason::Cancelled)));
        let again = cancel().await;
        assert_eq!(again.cancel_task.user_errors[0].code, UserErrorCode::InvalidState);
        let task = app.task(&token, &id).await;
        assert_eq!(task.history.last().unwrap().cause, TransitionCause::Cancelled);
        let upstream = kiln::entity::simulated_upstream_task::Entity::find()
            .one(&app.state.db)
            .await
            .unwrap()
            .expect("the upstream knows the task");
        assert!(upstream.cancelled, "the upstream was told to stop");
    }
}

crate::helpers::each_engine! {
    async fn a_reference_is_fetched_from_a_link_and_kept_like_an_upload(engine) {
        use wiremock::matchers::{method, path};
        use wiremock::{Mock, MockServer, ResponseTemplate};

        let files = MockServer::start().await;
        for (route, answer) in [
            ("/photos/kettle.png", ResponseTemplate::new(200).set_body_bytes(png(120, 80))),
            ("/missing.png", ResponseTemplate::new(404)),
            ("/script.png", ResponseTemplate::new(200).set_body_bytes(b"#!/bin/sh\nrm -rf /\n".to_vec())),
        ] {
            Mock::given(method("GET")).and(path(route)).respond_with(answer).mount(&files).await;
        }
        // The stub lives on loopback, which only an operator's allow-list opens.
        let app = crate::helpers::TestApp::spawn_with(engine, |config| {
            config.net_allow = vec!["127.0.0.1/32".into()];
        })
        .await;
        let token = app.admin_token().await;
        let import = |url: String| {
            let (app, token) = (&app, &token);
            async move {
                let input = ops::import_reference_asset::ImportReferenceAssetInput {
                    url,
                    licence_status: LicenceStatus::Licensed,
                    source: None,
                    licence_note: None,
                };
                app.op::<ops::ImportReferenceAsset>(Some(token), ops::import_reference_asset::Variables { input })
                    .await
                    .import_reference_asset
            }
        };

        let url = format!("{}/photos/kettle.png", files.uri());
        let imported = import(url.clone()).await;
        assert_eq!(imported.user_errors, vec![]);
        let reference = imported.reference_asset.unwrap();
        assert_eq!((reference.kind.clone(), reference.width, reference.height), (MediaKind::Image, Some(120), Some(80)));
        assert_eq!(reference.filename, "kettle.png");
        assert_eq!(reference.source.as_deref(), Some(url.as_str()), "the link is kept as where it came from");
        assert_eq!(reference.licence_status, LicenceStatus::Licensed);
        // The same file again is the same reference.
        assert_eq!(import(url).await.reference_asset.unwrap().id, reference.id);

        let missing = import(format!("{}/missing.png", files.uri())).await;
        assert_eq!((missing.user_errors[0].field.clone(), missing.user_errors[0].code.clone()), (crate::ops::field(&["input", "url"]), UserErrorCode::Invalid));
        assert!(missing.user_errors[0].message.contains("404"));
        let script = import(format!("{}/script.png", files.uri())).await;
        assert!(script.reference_asset.is_none());
        assert_eq!((script.user_errors[0].field.clone(), script.user_errors[0].code.clone()), (crate::ops::field(&["input", "url"]), UserErrorCode::Unsupported));
        app.stop().await;
    }
}
