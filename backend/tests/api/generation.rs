//! The full parameter model, video, references, and draft → final.

use sea_orm::EntityTrait;
use serde_json::{Value, json};

use crate::helpers::{Api, both_engines};

/// The user errors of a submit, as (field, code) pairs.
fn problems(payload: &Value) -> Vec<(Value, Value)> {
    payload["userErrors"]
        .as_array()
        .unwrap_or(&Vec::new())
        .iter()
        .map(|e| (e["field"].clone(), e["code"].clone()))
        .collect()
}

/// Uploads `bytes` as a reference through a GraphQL multipart request.
pub async fn upload(api: &Api, token: &str, filename: &str, bytes: Vec<u8>) -> Value {
    let operations = json!({
        "query": "mutation($input: UploadReferenceAssetInput!) { uploadReferenceAsset(input: $input) {
            referenceAsset { id kind mimeType width height filename licenceStatus thumbnailUrl url }
            userErrors { field code message } } }",
        "variables": { "input": { "file": null, "licenceStatus": "OWNED", "source": "studio shoot" } },
    });
    let form = reqwest::multipart::Form::new()
        .text("operations", operations.to_string())
        .text("map", json!({ "0": ["variables.input.file"] }).to_string())
        .part(
            "0",
            reqwest::multipart::Part::bytes(bytes)
                .file_name(filename.to_owned())
                .mime_str("image/png")
                .unwrap(),
        );
    let response = api
        .client
        .post(api.url("/graphql"))
        .bearer_auth(token)
        .multipart(form)
        .send()
        .await
        .unwrap();
    let body: Value = response.json().await.unwrap();
    assert!(body.get("errors").is_none(), "{body}");
    body["data"]["uploadReferenceAsset"].clone()
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
        let payload = app.submit(&token, json!({ "prompt": "waves at dusk", "inputType": "TEXT_TO_VIDEO", "cameraMotion": "PAN_LEFT" })).await;
        assert_eq!(payload["userErrors"], json!([]));
        assert_eq!(payload["task"]["kind"], "VIDEO");
        let id = payload["task"]["id"].as_str().unwrap().to_owned();
        let task = app.wait_until_finished(&token, &id).await;
        assert_eq!(task["status"], "SUCCEEDED");
        let clip = &task["outputs"][0];
        assert_eq!((clip["format"].clone(), clip["mimeType"].clone()), (json!("gif"), json!("image/gif")));
        assert_eq!(clip["durationMs"], 4000, "a draft clip lasts 4 s");
        let bytes = app.get(clip["url"].as_str().unwrap(), None).await.bytes().await.unwrap();
        assert_eq!(&bytes[..6], b"GIF89a");
    }

    async fn every_broken_rule_is_a_user_error_on_its_field(app) {
        let token = app.admin_token().await;
        let cases = [
            (json!({ "prompt": "the kettle steams", "inputType": "IMAGE_TO_VIDEO" }), json!(["input", "referenceAssetIds"]), "REQUIRED"),
            (json!({ "prompt": "waves", "inputType": "TEXT_TO_VIDEO", "stage": "FINAL", "durationSeconds": 7 }), json!(["input", "durationSeconds"]), "UNSUPPORTED"),
            (json!({ "prompt": "a kettle", "count": 9 }), json!(["input", "count"]), "OUT_OF_RANGE"),
            (json!({ "prompt": "a kettle", "quality": "HIGH" }), json!(["input", "quality"]), "STAGE_LIMIT"),
            (json!({ "prompt": "a kettle", "size": "333x333" }), json!(["input", "size"]), "UNSUPPORTED"),
            (json!({ "prompt": "a kettle", "model": "no-such-model" }), json!(["input", "model"]), "UNSUPPORTED"),
            (json!({ "prompt": "a kettle", "durationSeconds": 4 }), json!(["input", "durationSeconds"]), "INVALID"),
            (json!({ "prompt": "x".repeat(4001) }), json!(["input", "prompt"]), "TOO_LONG"),
            (json!({ "prompt": "a kettle", "referenceAssetIds": ["bm9wZQ"] }), json!(["input", "referenceAssetIds"]), "NOT_FOUND"),
        ];
        for (input, field, code) in cases {
            let payload = app.submit(&token, input.clone()).await;
            assert!(payload["task"].is_null(), "{input}");
            assert_eq!(problems(&payload), vec![(field, json!(code))], "{input}");
        }
        let list = app.graphql_ok(Some(&token), "{ tasks { edges { node { id } } } }", json!({})).await;
        assert_eq!(list["tasks"]["edges"], json!([]), "nothing was stored");
    }

    async fn a_reference_upload_is_checked_by_content_and_starts_an_image_to_image_task(app) {
        let token = app.admin_token().await;
        let bytes = png(300, 200);
        let uploaded = upload(&app.api, &token, "../../logo.png", bytes.clone()).await;
        assert_eq!(uploaded["userErrors"], json!([]));
        let reference = &uploaded["referenceAsset"];
        assert_eq!((reference["kind"].clone(), reference["mimeType"].clone()), (json!("IMAGE"), json!("image/png")));
        assert_eq!((reference["width"].clone(), reference["height"].clone()), (json!(300), json!(200)));
        assert_eq!(reference["filename"], "logo.png");
        let stored = app.get(reference["url"].as_str().unwrap(), None).await.bytes().await.unwrap();
        assert_eq!(stored.to_vec(), bytes);

        // The same file again is the same reference.
        let again = upload(&app.api, &token, "copy.png", bytes).await;
        assert_eq!(again["referenceAsset"]["id"], reference["id"]);

        let payload = app.submit(&token, json!({ "prompt": "the kettle, in red", "inputType": "IMAGE_TO_IMAGE", "referenceAssetIds": [reference["id"]] })).await;
        assert_eq!(payload["userErrors"], json!([]));
        let id = payload["task"]["id"].as_str().unwrap().to_owned();
        assert_eq!(app.wait_until_finished(&token, &id).await["status"], "SUCCEEDED");
        let refs = app.graphql_ok(Some(&token), "query($id: ID!) { task(id: $id) { references { id } } }", json!({ "id": id })).await;
        assert_eq!(refs["task"]["references"][0]["id"], reference["id"]);
    }

    async fn a_file_that_is_not_an_image_or_video_is_refused_whatever_its_name(app) {
        let token = app.admin_token().await;
        let payload = upload(&app.api, &token, "innocent.png", b"#!/bin/sh\nrm -rf /\n".to_vec()).await;
        assert!(payload["referenceAsset"].is_null());
        assert_eq!(payload["userErrors"][0]["code"], "UNSUPPORTED");
        let empty = upload(&app.api, &token, "empty.png", Vec::new()).await;
        assert_eq!(empty["userErrors"][0]["code"], "REQUIRED");
    }

    async fn a_succeeded_draft_is_promoted_to_a_linked_final_with_its_seed(app) {
        let token = app.admin_token().await;
        let draft = app.submit(&token, json!({ "prompt": "a red kettle", "seed": 1234 })).await;
        let draft_id = draft["task"]["id"].as_str().unwrap().to_owned();

        // Not yet succeeded: refused.
        let early = app.graphql_ok(Some(&token), "mutation($id: ID!) { promoteTask(input: { draftId: $id }) { task { id } userErrors { code } } }", json!({ "id": draft_id })).await;
        assert_eq!(early["promoteTask"]["userErrors"][0]["code"], "INVALID_STATE");

        app.wait_until_finished(&token, &draft_id).await;
        let promoted = app.graphql_ok(Some(&token), "mutation($id: ID!) { promoteTask(input: { draftId: $id, overrides: { quality: HIGH, count: 3 } }) {
            task { id stage seed quality count lineage parent { id } } userErrors { field code message } } }", json!({ "id": draft_id })).await;
        let final_task = &promoted["promoteTask"]["task"];
        assert_eq!(promoted["promoteTask"]["userErrors"], json!([]));
        assert_eq!((final_task["stage"].clone(), final_task["lineage"].clone()), (json!("FINAL"), json!("PROMOTION")));
        assert_eq!((final_task["seed"].clone(), final_task["quality"].clone(), final_task["count"].clone()), (json!(1234), json!("HIGH"), json!(3)));
        assert_eq!(final_task["parent"]["id"], draft_id.as_str());

        let final_id = final_task["id"].as_str().unwrap().to_owned();
        let done = app.wait_until_finished(&token, &final_id).await;
        assert_eq!(done["status"], "SUCCEEDED");
        assert_eq!(done["outputs"].as_array().unwrap().len(), 3);
        let draft = app.task(&token, &draft_id).await;
        assert_eq!(draft["children"], json!([{ "id": final_id, "stage": "FINAL" }]));
    }

    async fn a_draft_of_any_shape_is_promoted_at_the_size_it_was_made(app) {
        let token = app.admin_token().await;
        let draft = app.submit(&token, json!({ "prompt": "a wide kettle", "aspectRatio": "LANDSCAPE_4_3" })).await;
        let draft_id = draft["task"]["id"].as_str().unwrap().to_owned();
        app.wait_until_finished(&token, &draft_id).await;
        let promoted = app.graphql_ok(Some(&token), "mutation($id: ID!) { promoteTask(input: { draftId: $id }) { task { size } userErrors { field message } } }", json!({ "id": draft_id })).await;
        assert_eq!(promoted["promoteTask"]["userErrors"], json!([]));
        assert_eq!(promoted["promoteTask"]["task"]["size"], "1536x1024");
    }

    async fn a_failed_task_is_retried_as_a_new_linked_attempt(app) {
        let token = app.admin_token().await;
        let payload = app.submit(&token, json!({ "prompt": "a kettle #fail:upstream_error", "seed": 5 })).await;
        let id = payload["task"]["id"].as_str().unwrap().to_owned();
        assert_eq!(app.wait_until_finished(&token, &id).await["status"], "FAILED");
        let retried = app.graphql_ok(Some(&token), "mutation($id: ID!) { retryTask(input: { taskId: $id }) { task { id lineage seed parent { id } } userErrors { code } } }", json!({ "id": id })).await;
        let retry = &retried["retryTask"]["task"];
        assert_ne!(retry["id"], id.as_str());
        assert_eq!((retry["lineage"].clone(), retry["seed"].clone()), (json!("RETRY"), json!(5)));
        assert_eq!(retry["parent"]["id"], id.as_str());
        // The original stays as it ended.
        assert_eq!(app.task(&token, &id).await["status"], "FAILED");
        // A live task cannot be retried.
        let live = app.graphql_ok(Some(&token), "mutation($id: ID!) { retryTask(input: { taskId: $id }) { task { id } userErrors { code } } }", json!({ "id": retry["id"] })).await;
        assert_eq!(live["retryTask"]["userErrors"][0]["code"], "INVALID_STATE");
    }

    async fn cancelling_a_running_task_ends_it_and_tells_the_upstream(app) {
        let token = app.admin_token().await;
        let payload = app.submit(&token, json!({ "prompt": "a kettle #fail:stuck" })).await;
        let id = payload["task"]["id"].as_str().unwrap().to_owned();
        let mut updates = app.subscribe(&token, "subscription($id: ID!) { taskUpdated(id: $id) { status } }", json!({ "id": id })).await;
        loop {
            let crate::helpers::WsEvent::Next(update) = updates.next_event().await else { panic!("ended early") };
            if update["data"]["taskUpdated"]["status"] == "PROCESSING" {
                break;
            }
        }
        let cancelled = app.graphql_ok(Some(&token), "mutation($id: ID!) { cancelTask(input: { taskId: $id }) { task { status failureReason } userErrors { code } } }", json!({ "id": id })).await;
        assert_eq!(cancelled["cancelTask"]["task"], json!({ "status": "CANCELLED", "failureReason": "CANCELLED" }));
        let again = app.graphql_ok(Some(&token), "mutation($id: ID!) { cancelTask(input: { taskId: $id }) { task { status } userErrors { code } } }", json!({ "id": id })).await;
        assert_eq!(again["cancelTask"]["userErrors"][0]["code"], "INVALID_STATE");
        let task = app.task(&token, &id).await;
        assert_eq!(task["history"].as_array().unwrap().last().unwrap()["cause"], "CANCELLED");
        let upstream = kiln::entity::simulated_upstream_task::Entity::find()
            .one(&app.state.db)
            .await
            .unwrap()
            .expect("the upstream knows the task");
        assert!(upstream.cancelled, "the upstream was told to stop");
    }
}

const IMPORT: &str = "mutation($url: String!) { importReferenceAsset(input: { url: $url, licenceStatus: LICENSED }) {
    referenceAsset { id kind width height filename source licenceStatus }
    userErrors { field code message } } }";

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
            async move { app.graphql_ok(Some(token), IMPORT, json!({ "url": url })).await["importReferenceAsset"].clone() }
        };

        let url = format!("{}/photos/kettle.png", files.uri());
        let imported = import(url.clone()).await;
        assert_eq!(imported["userErrors"], json!([]));
        let reference = &imported["referenceAsset"];
        assert_eq!((reference["kind"].clone(), reference["width"].clone(), reference["height"].clone()), (json!("IMAGE"), json!(120), json!(80)));
        assert_eq!(reference["filename"], "kettle.png");
        assert_eq!(reference["source"], json!(url), "the link is kept as where it came from");
        assert_eq!(reference["licenceStatus"], "LICENSED");
        // The same file again is the same reference.
        assert_eq!(import(url).await["referenceAsset"]["id"], reference["id"]);

        let missing = import(format!("{}/missing.png", files.uri())).await;
        assert_eq!((missing["userErrors"][0]["field"].clone(), missing["userErrors"][0]["code"].clone()), (json!(["input", "url"]), json!("INVALID")));
        assert!(missing["userErrors"][0]["message"].as_str().unwrap().contains("404"));
        let script = import(format!("{}/script.png", files.uri())).await;
        assert!(script["referenceAsset"].is_null());
        assert_eq!((script["userErrors"][0]["field"].clone(), script["userErrors"][0]["code"].clone()), (json!(["input", "url"]), json!("UNSUPPORTED")));
        app.stop().await;
    }
}
